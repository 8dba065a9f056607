// Package drconfig is the typed configuration of one fhir-dr stack, that is of
// one customer: the keys of stacks/Pulumi.<customer>.yaml, their defaults
// (all set in applyDefaults) and their validation (all in Validate).
//
// A stack file looks like this:
//
//	config:
//	  fhir-dr:customer: contoso
//	  fhir-dr:primaryRegion: eastus
//	  fhir-dr:dr:
//	    enabled: true
//	    tier: full
//	    ticket: SR-100234
//	  fhir-dr:cosmos:
//	    autoscaleMaxThroughput: 4000
//
// Load decodes the flat Pulumi configuration map (keys such as "fhir-dr:dr",
// object values as JSON), applies the defaults and validates the result,
// reporting every problem at once with the stack file and the key.
package drconfig

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Namespace is the Pulumi project name, which prefixes every key of ours.
const Namespace = "fhir-dr"

// Tier is the DR product tier.
type Tier string

// The DR tiers.
const (
	// TierData (phase I) replicates the Cosmos DB account only.
	TierData Tier = "data"
	// TierFull (phase II) adds mirrored compute and Traffic Manager.
	TierFull Tier = "full"
)

// Config is the complete, typed configuration of one customer's stack.
type Config struct {
	// Customer is the customer's DNS-safe id; it is part of every resource
	// name. Required.
	Customer string `json:"customer"`
	// PrimaryRegion is the region the customer's FHIR service runs in.
	// Required.
	PrimaryRegion string `json:"primaryRegion"`
	// Tags are extra tags for every resource. Optional.
	Tags map[string]string `json:"tags"`
	// DR is the disaster recovery setting. Optional; defaults to disabled.
	DR DR `json:"dr"`
	// Primary adopts the customer's existing primary resources. Optional.
	Primary Primary `json:"primary"`
	// Cosmos configures the Cosmos DB account. Optional.
	Cosmos Cosmos `json:"cosmos"`
	// Compute is the one AKS spec used for both regions (full tier).
	// Optional.
	Compute Compute `json:"compute"`
	// TrafficManager configures the failover profile (full tier). Optional.
	TrafficManager TrafficManager `json:"trafficManager"`
	// Monitoring configures the Log Analytics workspace. Optional.
	Monitoring Monitoring `json:"monitoring"`
	// FHIR is the FHIR server workload both compute stamps run (full tier).
	// Required for the full tier: at least the image version and the
	// authentication settings.
	FHIR FHIR `json:"fhir"`

	// derivedNames is set when the account and DNS names were derived from
	// Customer, so that an invalid customer id is reported once, not again
	// through every name made from it.
	derivedNames struct{ account, dns bool }
}

// Primary describes the customer's existing primary resources, for
// customers who ran before they asked for DR.
type Primary struct {
	// ExistingAccountID is the ARM ID of the customer's Cosmos DB account.
	// When set, the account, its resource group, the health database and
	// the fhirR4 container are adopted with Pulumi's import option instead
	// of created: the resource group and account names come from the ID,
	// and the stack file must declare the account's settings as they are,
	// so that the import changes nothing. Optional.
	ExistingAccountID string `json:"existingAccountId"`
}

// DR is the disaster recovery setting of a customer.
type DR struct {
	// Enabled turns DR on. Optional; defaults to false.
	Enabled bool `json:"enabled"`
	// Tier is "data" or "full". Required when enabled.
	Tier Tier `json:"tier"`
	// Ticket is the support ticket that asked for the current DR state.
	// Required when enabled.
	Ticket string `json:"ticket"`
	// EnabledAt is the date DR was granted, YYYY-MM-DD, from the ticket:
	// stamped on the DR resources as the dr-enabled-at tag. It comes from
	// the stack file, never from the clock, so previews stay stable.
	// Optional.
	EnabledAt string `json:"enabledAt"`
	// SecondaryRegion is the DR region. Optional; defaults to the primary's
	// Azure paired region. Required for a region without a pair, or whose
	// pair is access-restricted.
	SecondaryRegion string `json:"secondaryRegion"`
	// RPO is the recovery point target; it selects the Cosmos DB
	// consistency. Optional; defaults to 15m.
	RPO *Duration `json:"rpo"`
	// OperatorDecisionTime is how long on-call needs to confirm a regional
	// outage and order forced failover; part of the modeled RTO. Optional;
	// defaults to 15m.
	OperatorDecisionTime *Duration `json:"operatorDecisionTime"`
	// RetiringSecondaryRegion is the secondary region being replaced by
	// SecondaryRegion: Azure adds and removes regions in separate updates,
	// so during a move the old region stays as a further read replica
	// (failover priority 2). Remove the key in the next change, once the
	// new region is deployed. Optional.
	RetiringSecondaryRegion string `json:"retiringSecondaryRegion"`
	// WriteRegion is the Cosmos DB write region (failover priority 0): the
	// primary region, or the secondary after a failover. Cosmos DB keeps the
	// new write region after a failover, so the stack file records it and
	// an update never fails back behind the operators' backs. Written by
	// drctl failover and failback, not by hand. Optional; defaults to the
	// primary region.
	WriteRegion string `json:"writeRegion"`
	// WriteRegionChange records the failover or failback that set
	// WriteRegion: what, from and to which region, when, by whom, for which
	// ticket, and what Azure answered (the account's ID, its failover
	// priorities after the change, the request ID). Written by drctl
	// together with WriteRegion, never by hand; the review accepts a write
	// region change only with a new record that verifies against the base.
	// Required when WriteRegion is not the primary.
	WriteRegionChange *WriteRegionRecord `json:"writeRegionChange"`
	// Acknowledge names hazards of this change that the customer agreed to
	// under a ticket (the removal of the live FHIR service and its DNS
	// names, reduced backup or audit-log retention). The review accepts
	// them only when the acknowledgement is new in the change. Optional.
	Acknowledge *Acknowledgement `json:"acknowledge"`
}

// Cosmos configures the Cosmos DB account.
type Cosmos struct {
	// AccountName is the globally unique account name. Optional; defaults
	// to "fhir-<customer>".
	AccountName string `json:"accountName"`
	// Throughput is manual RU/s for the FHIR database, the same in every
	// region. Optional; excludes AutoscaleMaxThroughput.
	Throughput int `json:"throughput"`
	// AutoscaleMaxThroughput is the autoscale ceiling in RU/s. Optional;
	// defaults to 4000 when Throughput is not set.
	AutoscaleMaxThroughput int `json:"autoscaleMaxThroughput"`
	// ZoneRedundant asks for zone redundancy per region. Optional; each
	// defaults to true where the region has availability zones.
	ZoneRedundant PerRegionBool `json:"zoneRedundant"`
	// Backup is the backup policy. Optional; defaults to geo-redundant
	// periodic backups every 240 minutes kept 8 hours.
	Backup Backup `json:"backup"`
}

// PerRegionBool is a setting given separately for each region.
type PerRegionBool struct {
	// Primary applies to the primary region.
	Primary *bool `json:"primary"`
	// Secondary applies to the secondary region.
	Secondary *bool `json:"secondary"`
}

// Backup is the Cosmos DB backup policy.
type Backup struct {
	// Type is "Periodic" or "Continuous". Optional; defaults to Periodic.
	Type string `json:"type"`
	// IntervalMinutes is the periodic backup interval, 60-1440. Optional;
	// defaults to 240.
	IntervalMinutes int `json:"intervalMinutes"`
	// RetentionHours is the periodic backup retention, 8-720. Optional;
	// defaults to 8.
	RetentionHours int `json:"retentionHours"`
	// StorageRedundancy of periodic backups must be "Geo" for DR. Optional;
	// defaults to Geo.
	StorageRedundancy string `json:"storageRedundancy"`
	// Tier of continuous backups is Continuous7Days or Continuous30Days.
	// Optional; defaults to Continuous7Days.
	Tier string `json:"tier"`
}

// Compute is the AKS spec shared by the primary and the secondary stamp.
type Compute struct {
	// KubernetesVersion is the AKS version. Optional; defaults to 1.33.
	KubernetesVersion string `json:"kubernetesVersion"`
	// SkuTier is Free, Standard or Premium. Optional; defaults to Standard
	// (the tier with an uptime SLA).
	SkuTier string `json:"skuTier"`
	// NodePools are the cluster's node pools. Optional; defaults to one
	// System pool of Standard_D4ds_v5 autoscaling from 2 to 5 nodes over
	// zones 1-3.
	NodePools []NodePool `json:"nodePools"`
	// Network holds the address ranges of each region. Optional; defaults
	// to 10.50.0.0/16 (primary) and 10.51.0.0/16 (secondary) with a /20
	// node subnet.
	Network PerRegionNetwork `json:"network"`
	// APIServer restricts who reaches the Kubernetes API. Required for the
	// full tier: private, or a list of authorized ranges.
	APIServer APIServer `json:"apiServer"`
	// AdminGroupObjectIDs are Entra ID groups with cluster admin rights.
	// Optional.
	AdminGroupObjectIDs []string `json:"adminGroupObjectIDs"`
}

// NodePool is one AKS node pool.
type NodePool struct {
	// Name is 1-12 lowercase letters and digits, starting with a letter.
	// Required.
	Name string `json:"name"`
	// Mode is System or User. Optional; defaults to System.
	Mode string `json:"mode"`
	// VMSize is the node VM size. Optional; defaults to Standard_D4ds_v5.
	VMSize string `json:"vmSize"`
	// Count is a fixed node count. Optional; excludes MinCount/MaxCount.
	Count int `json:"count"`
	// MinCount is the autoscaler floor. Optional; with MaxCount.
	MinCount int `json:"minCount"`
	// MaxCount is the autoscaler ceiling. Optional; with MinCount.
	MaxCount int `json:"maxCount"`
	// Zones are the availability zones to spread over; applied in each
	// region that has zones, omitted in one that has none. Optional;
	// defaults to 1, 2, 3.
	Zones []string `json:"zones"`
}

// PerRegionNetwork holds the address ranges of each region.
type PerRegionNetwork struct {
	// Primary is the primary region's network.
	Primary Network `json:"primary"`
	// Secondary is the secondary region's network.
	Secondary Network `json:"secondary"`
}

// Network is the address plan of one stamp.
type Network struct {
	// AddressSpace is the virtual network's CIDR.
	AddressSpace string `json:"addressSpace"`
	// NodeSubnet is the node subnet's CIDR, inside AddressSpace, /24 or
	// larger.
	NodeSubnet string `json:"nodeSubnet"`
}

// APIServer restricts access to the Kubernetes API server.
type APIServer struct {
	// Private makes the API server reachable only from the virtual network.
	Private bool `json:"private"`
	// AuthorizedIPRanges are the only ranges that may reach a public API
	// server.
	AuthorizedIPRanges []string `json:"authorizedIPRanges"`
}

// TrafficManager configures the failover profile.
type TrafficManager struct {
	// DNSName is the label of <label>.trafficmanager.net. Optional; defaults
	// to "<customer>-fhir".
	DNSName string `json:"dnsName"`
	// Probe is the endpoint health probe. Optional.
	Probe Probe `json:"probe"`
	// TTLSeconds is the DNS TTL, 0-2147483647. Optional; defaults to 60.
	TTLSeconds *int `json:"ttlSeconds"`
}

// Probe is the Traffic Manager endpoint health probe.
type Probe struct {
	// Protocol is HTTP, HTTPS or TCP. Optional; defaults to HTTPS.
	Protocol string `json:"protocol"`
	// Port is 1-65535. Optional; defaults to 443.
	Port int `json:"port"`
	// Path is the probed path. Optional; defaults to /health/check, the FHIR
	// server's health endpoint.
	Path string `json:"path"`
	// IntervalSeconds is 30, or 10 for fast probing. Optional; defaults to
	// 30.
	IntervalSeconds int `json:"intervalSeconds"`
	// TimeoutSeconds is 5-10, below the interval. Optional; defaults to 10.
	TimeoutSeconds int `json:"timeoutSeconds"`
	// ToleratedFailures is 0-9. Optional; defaults to 3.
	ToleratedFailures *int `json:"toleratedFailures"`
}

// Monitoring configures the Log Analytics workspace that receives the
// diagnostic logs the customer exports as audit logs.
type Monitoring struct {
	// RetentionDays is 30-730. Optional; defaults to 90.
	RetentionDays int `json:"retentionDays"`
}

// Duration is a time.Duration written as a Go duration string ("15m").
type Duration struct{ time.Duration }

// UnmarshalJSON reads a duration string such as "15m" or "0s".
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("must be a duration such as \"15m\"")
	}
	v, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil {
		return fmt.Errorf("must be a duration such as \"15m\", got %q", s)
	}
	d.Duration = v
	return nil
}

// MarshalJSON writes the duration as a string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// Defaults of the optional settings. applyDefaults is the only place that
// sets them; README's configuration reference lists them.
const (
	DefaultRPO                    = 15 * time.Minute
	DefaultOperatorDecisionTime   = 15 * time.Minute
	DefaultAutoscaleMaxThroughput = 4000
	DefaultBackupType             = "Periodic"
	DefaultBackupIntervalMinutes  = 240
	DefaultBackupRetentionHours   = 8
	DefaultBackupRedundancy       = "Geo"
	DefaultContinuousTier         = "Continuous7Days"
	DefaultKubernetesVersion      = "1.33"
	DefaultAKSSkuTier             = "Standard"
	DefaultVMSize                 = "Standard_D4ds_v5"
	DefaultPoolMode               = "System"
	DefaultPrimaryAddressSpace    = "10.50.0.0/16"
	DefaultPrimaryNodeSubnet      = "10.50.0.0/20"
	DefaultSecondaryAddressSpace  = "10.51.0.0/16"
	DefaultSecondaryNodeSubnet    = "10.51.0.0/20"
	DefaultProbeProtocol          = "HTTPS"
	DefaultProbePort              = 443
	DefaultProbePath              = "/health/check"
	DefaultProbeIntervalSeconds   = 30
	DefaultProbeTimeoutSeconds    = 10
	DefaultProbeToleratedFailures = 3
	DefaultTTLSeconds             = 60
	DefaultLogRetentionDays       = 90
)

// DefaultZones are the availability zones node pools spread over.
var DefaultZones = []string{"1", "2", "3"}

// applyDefaults fills every optional setting that was left out. It runs
// before Validate, so defaults are validated like explicit values.
func (c *Config) applyDefaults() {
	if c.Tags == nil {
		c.Tags = map[string]string{}
	}
	dr := &c.DR
	if dr.SecondaryRegion == "" {
		if r, ok := LookupRegion(c.PrimaryRegion); ok && r.Pair != "" {
			if pair, _ := LookupRegion(r.Pair); !pair.Restricted {
				dr.SecondaryRegion = r.Pair
			}
		}
	}
	if dr.RPO == nil {
		dr.RPO = &Duration{DefaultRPO}
	}
	if dr.OperatorDecisionTime == nil {
		dr.OperatorDecisionTime = &Duration{DefaultOperatorDecisionTime}
	}
	if dr.WriteRegion == "" {
		dr.WriteRegion = c.PrimaryRegion
	}

	cosmos := &c.Cosmos
	if _, name, ok := parseAccountID(c.Primary.ExistingAccountID); ok && cosmos.AccountName == "" {
		cosmos.AccountName = name
	}
	if cosmos.AccountName == "" {
		cosmos.AccountName = "fhir-" + c.Customer
		c.derivedNames.account = true
	}
	if cosmos.Throughput == 0 && cosmos.AutoscaleMaxThroughput == 0 {
		cosmos.AutoscaleMaxThroughput = DefaultAutoscaleMaxThroughput
	}
	if cosmos.ZoneRedundant.Primary == nil {
		cosmos.ZoneRedundant.Primary = ptr(hasZones(c.PrimaryRegion))
	}
	if cosmos.ZoneRedundant.Secondary == nil {
		cosmos.ZoneRedundant.Secondary = ptr(hasZones(dr.SecondaryRegion))
	}
	b := &cosmos.Backup
	if b.Type == "" {
		b.Type = DefaultBackupType
	}
	switch b.Type {
	case "Periodic":
		b.IntervalMinutes = orDefault(b.IntervalMinutes, DefaultBackupIntervalMinutes)
		b.RetentionHours = orDefault(b.RetentionHours, DefaultBackupRetentionHours)
		if b.StorageRedundancy == "" {
			b.StorageRedundancy = DefaultBackupRedundancy
		}
	case "Continuous":
		if b.Tier == "" {
			b.Tier = DefaultContinuousTier
		}
	}

	k := &c.Compute
	if k.KubernetesVersion == "" {
		k.KubernetesVersion = DefaultKubernetesVersion
	}
	if k.SkuTier == "" {
		k.SkuTier = DefaultAKSSkuTier
	}
	if len(k.NodePools) == 0 {
		k.NodePools = []NodePool{{Name: "system", MinCount: 2, MaxCount: 5}}
	}
	for i := range k.NodePools {
		p := &k.NodePools[i]
		if p.Mode == "" {
			p.Mode = DefaultPoolMode
		}
		if p.VMSize == "" {
			p.VMSize = DefaultVMSize
		}
		if p.Zones == nil {
			p.Zones = append([]string(nil), DefaultZones...)
		}
	}
	if k.Network.Primary == (Network{}) {
		k.Network.Primary = Network{DefaultPrimaryAddressSpace, DefaultPrimaryNodeSubnet}
	}
	if k.Network.Secondary == (Network{}) {
		k.Network.Secondary = Network{DefaultSecondaryAddressSpace, DefaultSecondaryNodeSubnet}
	}

	tm := &c.TrafficManager
	if tm.DNSName == "" {
		tm.DNSName = c.Customer + "-fhir"
		c.derivedNames.dns = true
	}
	p := &tm.Probe
	if p.Protocol == "" {
		p.Protocol = DefaultProbeProtocol
	}
	if p.Port == 0 {
		p.Port = DefaultProbePort
	}
	if p.Path == "" && p.Protocol != "TCP" {
		p.Path = DefaultProbePath
	}
	p.IntervalSeconds = orDefault(p.IntervalSeconds, DefaultProbeIntervalSeconds)
	p.TimeoutSeconds = orDefault(p.TimeoutSeconds, DefaultProbeTimeoutSeconds)
	if p.ToleratedFailures == nil {
		p.ToleratedFailures = ptr(DefaultProbeToleratedFailures)
	}
	if tm.TTLSeconds == nil {
		tm.TTLSeconds = ptr(DefaultTTLSeconds)
	}
	c.Monitoring.RetentionDays = orDefault(c.Monitoring.RetentionDays, DefaultLogRetentionDays)
	c.FHIR.applyDefaults()
}

func hasZones(region string) bool {
	r, ok := LookupRegion(region)
	return ok && r.AvailabilityZones
}

func orDefault(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

func ptr[T any](v T) *T { return &v }
