// Package drconfig is the typed configuration of one fhir-dr stack, that is of
// one customer: the keys of stacks/Pulumi.<customer>.yaml. Config's fields
// give each key its Go type and say what it is; Settings declares, once per
// key, its default, bounds and documentation, from which defaults, the bound
// checks, Pulumi.yaml and the README's table derive. Validate adds the
// checks between keys.
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
	// name.
	Customer string `json:"customer"`
	// PrimaryRegion is the region the customer's FHIR service runs in.
	PrimaryRegion string `json:"primaryRegion"`
	// Tags are extra tags for every resource.
	Tags map[string]string `json:"tags"`
	// DR is the disaster recovery setting.
	DR DR `json:"dr"`
	// Primary adopts the customer's existing primary resources.
	Primary Primary `json:"primary"`
	// Cosmos configures the Cosmos DB account.
	Cosmos Cosmos `json:"cosmos"`
	// Compute is the one AKS spec used for both regions (full tier).
	Compute Compute `json:"compute"`
	// TrafficManager configures the failover profile (full tier).
	TrafficManager TrafficManager `json:"trafficManager"`
	// Monitoring configures the Log Analytics workspace.
	Monitoring Monitoring `json:"monitoring"`
	// FHIR is the FHIR server workload both compute stamps run (full tier).
	FHIR FHIR `json:"fhir"`
	// Release is how a release reaches the stack.
	Release Release `json:"release"`
}

// Release is how a program release reaches the stack (internal/rollout).
type Release struct {
	// Ring is the release ring the stack is in: the rings are released
	// in order, each after the one before has baked and passed its gate.
	Ring string `json:"ring"`
}

// Primary describes the customer's existing primary resources, for
// customers who ran before they asked for DR.
type Primary struct {
	// ExistingAccountID is the ARM ID of the customer's Cosmos DB account.
	// When set, the account, its resource group, the health database and the
	// fhirR4 container are adopted with Pulumi's import option instead of
	// created: the resource group and account names come from the ID, and the
	// stack file must declare the account's settings as they are, so that the
	// import changes nothing.
	ExistingAccountID string `json:"existingAccountId"`
}

// DR is the disaster recovery setting of a customer.
type DR struct {
	// Enabled turns DR on.
	Enabled bool `json:"enabled"`
	// Tier is "data" or "full".
	Tier Tier `json:"tier"`
	// Ticket is the support ticket that asked for the current DR state.
	Ticket string `json:"ticket"`
	// EnabledAt is the date DR was granted, YYYY-MM-DD, from the ticket:
	// stamped on the DR resources as the dr-enabled-at tag. It comes from the
	// stack file, never from the clock, so previews stay stable.
	EnabledAt string `json:"enabledAt"`
	// SecondaryRegion is the DR region.
	SecondaryRegion string `json:"secondaryRegion"`
	// RPO is the recovery point target; it selects the Cosmos DB consistency.
	RPO *Duration `json:"rpo"`
	// OperatorDecisionTime is how long on-call needs to confirm a regional
	// outage and order forced failover; part of the modeled RTO.
	OperatorDecisionTime *Duration `json:"operatorDecisionTime"`
	// RetiringSecondaryRegion is the secondary region being replaced by
	// SecondaryRegion: Azure adds and removes regions in separate updates, so
	// during a move the old region stays as a further read replica (failover
	// priority 2). Remove the key in the next change, once the new region is
	// deployed.
	RetiringSecondaryRegion string `json:"retiringSecondaryRegion"`
	// WriteRegion is the Cosmos DB write region (failover priority 0): the
	// primary region, or the secondary after a failover. Cosmos DB keeps the
	// new write region after a failover, so the stack file records it and an
	// update never fails back behind the operators' backs. Written by drctl
	// failover and failback, not by hand.
	WriteRegion string `json:"writeRegion"`
	// WriteRegionChange records the failover or failback that set
	// WriteRegion: what, from and to which region, when, by whom, for which
	// ticket, and what Azure answered (the account's ID, its failover
	// priorities after the change, the request ID). Written by drctl
	// together with WriteRegion, never by hand; the review accepts a write
	// region change only with a new record that verifies against the base.
	WriteRegionChange *WriteRegionRecord `json:"writeRegionChange"`
	// Acknowledge names hazards of this change that the customer agreed to
	// under a ticket (the removal of the live FHIR service and its DNS
	// names, reduced backup or audit-log retention). The review accepts
	// them only when the acknowledgement is new in the change.
	Acknowledge *Acknowledgement `json:"acknowledge"`
	// FailoverIntent is the write-region change drctl failover, failback
	// or the drill has started and not finished: written before the first
	// request that changes Azure, removed with the record of its success.
	// While it is present the release gate (drctl record --verify
	// --before-release) refuses the stack.
	FailoverIntent *FailoverIntent `json:"failoverIntent"`
	// LastDrill is the outcome and the measured steps of the customer's
	// last drill (drctl failover --drill).
	LastDrill *DrillRecord `json:"lastDrill"`
	// Paging is who the stack's alert rules notify: a DR stack whose
	// outage pages no one is no DR at all.
	Paging Paging `json:"paging"`
}

// Paging is where the alert rules of a DR stack send their notifications.
type Paging struct {
	// ActionGroupID is the ARM ID of the platform on-call's Azure Monitor
	// action group (Microsoft.Insights/actionGroups), which every alert rule
	// notifies. Required when DR is enabled.
	ActionGroupID string `json:"actionGroupId"`
	// Emails are the customer's own receivers. When given, a per-customer
	// action group with these email receivers is created and notified as
	// well. Optional.
	Emails []string `json:"emails"`
}

// Cosmos configures the Cosmos DB account.
type Cosmos struct {
	// AccountName is the globally unique account name.
	AccountName string `json:"accountName"`
	// Throughput is manual RU/s for the FHIR database, the same in every
	// region.
	Throughput int `json:"throughput"`
	// AutoscaleMaxThroughput is the autoscale ceiling in RU/s.
	AutoscaleMaxThroughput int `json:"autoscaleMaxThroughput"`
	// ZoneRedundant asks for zone redundancy per region.
	ZoneRedundant PerRegionBool `json:"zoneRedundant"`
	// Backup is the backup policy.
	Backup Backup `json:"backup"`
	// AllowedIPRanges are the only public IPv4 addresses or CIDR ranges
	// that may reach the account's public endpoint: the egress of the
	// service that uses the account. They apply only where the public
	// endpoint is open, that is without the full tier, whose stamps reach
	// the account through private endpoints with public network access off.
	// Optional; defaults to none (no IP filter).
	AllowedIPRanges []string `json:"allowedIPRanges"`
}

// PerRegionBool is a setting given separately for each region.
type PerRegionBool struct {
	// Primary applies to the primary region.
	Primary *bool `json:"primary"`
	// Secondary applies to the secondary region.
	Secondary *bool `json:"secondary"`
	// Retiring applies to the retiring secondary region
	// (dr.retiringSecondaryRegion) while the secondary region moves: what
	// the old secondary is deployed with, because Azure cannot change a
	// region's zone redundancy in place. A stack file that set secondary
	// for the old region moves that value here in the move's first step.
	// Only while dr.retiringSecondaryRegion is set.
	Retiring *bool `json:"retiring"`
}

// Backup is the Cosmos DB backup policy.
type Backup struct {
	// Type is "Periodic" or "Continuous".
	Type string `json:"type"`
	// IntervalMinutes is the periodic backup interval.
	IntervalMinutes int `json:"intervalMinutes"`
	// RetentionHours is the periodic backup retention.
	RetentionHours int `json:"retentionHours"`
	// StorageRedundancy of periodic backups must be "Geo" for DR.
	StorageRedundancy string `json:"storageRedundancy"`
	// Tier of continuous backups is Continuous7Days or Continuous30Days.
	Tier string `json:"tier"`
}

// Compute is the AKS spec shared by the primary and the secondary stamp.
type Compute struct {
	// KubernetesVersion is the AKS version.
	KubernetesVersion string `json:"kubernetesVersion"`
	// SkuTier is Free, Standard or Premium.
	SkuTier string `json:"skuTier"`
	// NodePools are the cluster's node pools.
	NodePools []NodePool `json:"nodePools"`
	// Network holds the address ranges of each region.
	Network PerRegionNetwork `json:"network"`
	// APIServer restricts who reaches the Kubernetes API.
	APIServer APIServer `json:"apiServer"`
	// AdminGroupObjectIDs are Entra ID groups with cluster admin rights.
	AdminGroupObjectIDs []string `json:"adminGroupObjectIDs"`
}

// NodePool is one AKS node pool.
type NodePool struct {
	// Name is 1-12 lowercase letters and digits, starting with a letter.
	Name string `json:"name"`
	// Mode is System or User.
	Mode string `json:"mode"`
	// VMSize is the node VM size.
	VMSize string `json:"vmSize"`
	// Count is a fixed node count.
	Count int `json:"count"`
	// MinCount is the autoscaler floor.
	MinCount int `json:"minCount"`
	// MaxCount is the autoscaler ceiling.
	MaxCount int `json:"maxCount"`
	// Zones are the availability zones to spread over; applied in each region
	// that has zones, omitted in one that has none.
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
	// PrivateEndpointSubnet is the CIDR of the subnet that holds the
	// stamp's private endpoint to the Cosmos DB account, inside
	// AddressSpace and apart from NodeSubnet, /28 or larger. Optional;
	// defaults to the /24 that follows NodeSubnet.
	PrivateEndpointSubnet string `json:"privateEndpointSubnet"`
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
	// DNSName is the label of <label>.trafficmanager.net.
	DNSName string `json:"dnsName"`
	// Probe is the endpoint health probe.
	Probe Probe `json:"probe"`
	// TTLSeconds is the DNS TTL.
	TTLSeconds *int `json:"ttlSeconds"`
}

// Probe is the Traffic Manager endpoint health probe.
type Probe struct {
	// Protocol is HTTP, HTTPS or TCP.
	Protocol string `json:"protocol"`
	// Port.
	Port int `json:"port"`
	// Path is the probed path.
	Path string `json:"path"`
	// IntervalSeconds is 30, or 10 for fast probing.
	IntervalSeconds int `json:"intervalSeconds"`
	// TimeoutSeconds.
	TimeoutSeconds int `json:"timeoutSeconds"`
	// ToleratedFailures.
	ToleratedFailures *int `json:"toleratedFailures"`
}

// Monitoring configures the Log Analytics workspace that receives the
// diagnostic logs the customer exports as audit logs.
type Monitoring struct {
	// RetentionDays.
	RetentionDays int `json:"retentionDays"`
	// Availability configures the availability tests of the full tier.
	Availability Availability `json:"availability"`
}

// Availability configures the Application Insights standard web tests of
// the full tier: the FHIR server's health check through Traffic Manager and
// on each stamp, from several geographies.
type Availability struct {
	// Locations are the availability test location IDs the tests run from
	// ("us-va-ash-azr").
	Locations []string `json:"locations"`
	// FrequencySeconds is how often each location runs a test: 300, 600 or
	// 900.
	FrequencySeconds int `json:"frequencySeconds"`
	// FailedLocations is how many locations must fail within the alert's
	// window before it fires; fewer would page for one location's network.
	FailedLocations int `json:"failedLocations"`
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

func ptr[T any](v T) *T { return &v }
