package drconfig

import (
	"github.com/fhir-dr/fhir-dr/azure/regions"
	"maps"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fhir-dr/fhir-dr/azure/armid"
	"github.com/fhir-dr/fhir-dr/detection"

	"github.com/fhir-dr/fhir-dr/internal/iprange"
	"github.com/fhir-dr/fhir-dr/internal/rollout/ring"
	"github.com/fhir-dr/fhir-dr/naming"
	"github.com/fhir-dr/fhir-dr/objectives"
)

var (
	customerPattern    = regexp.MustCompile(`^[a-z][a-z0-9-]{1,28}[a-z0-9]$`)
	ticketPattern      = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._#/-]{1,63}$`)
	datePattern        = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`)
	accountNamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,42}[a-z0-9]$`)
	dnsLabelPattern    = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,61}[a-z0-9]$`)
	k8sVersionPattern  = regexp.MustCompile(`^[1-9][0-9]*\.[0-9]+(\.[0-9]+)?$`)
	poolNamePattern    = regexp.MustCompile(`^[a-z][a-z0-9]{0,11}$`)
	vmSizePattern      = regexp.MustCompile(`^Standard_[A-Za-z0-9_]+$`)
	uuidPattern        = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	imagePattern       = regexp.MustCompile(`^[a-z0-9]+([.-][a-z0-9]+)*(:[0-9]+)?(/[a-z0-9]+([._-][a-z0-9]+)*)+$`)
	headerPattern      = regexp.MustCompile(`^([A-Za-z0-9-]+|\*)$`)
	k8sNamePattern     = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)
	emailPattern       = regexp.MustCompile(`^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$`)
)

// Defaults of the optional settings, named because code outside the
// declarations needs them too.
const (
	DefaultRPO                   = objectives.TargetRPO
	DefaultOperatorDecisionTime  = 15 * time.Minute
	DefaultPrimaryAddressSpace   = "10.50.0.0/16"
	DefaultPrimaryNodeSubnet     = "10.50.0.0/20"
	DefaultSecondaryAddressSpace = "10.51.0.0/16"
	DefaultSecondaryNodeSubnet   = "10.51.0.0/20"
	DefaultFHIRImage             = "mcr.microsoft.com/healthcareapis/r4-fhir-server"
	DefaultFHIRVersion           = "R4"
	DefaultMaxReplicas           = 10
	// DefaultPrivateEndpointSubnetBits is the prefix length of the default
	// private endpoint subnet, the one that follows the node subnet.
	DefaultPrivateEndpointSubnetBits = 24
	// MinAllowedIPRangeBits bounds cosmos.allowedIPRanges: no range wider
	// than a /16 (65,536 addresses) may reach the account's public endpoint.
	MinAllowedIPRangeBits = iprange.MinFirewallBits
	// MaxTTLSeconds is the largest DNS TTL Traffic Manager accepts.
	MaxTTLSeconds = 2147483647
	// FHIRHealthPath is the FHIR server's health endpoint, the only path
	// Traffic Manager probes.
	FHIRHealthPath = "/health/check"
	// MaxUserTags leaves room under Azure's 50 tags per resource for the
	// tags fhir-dr stamps itself.
	MaxUserTags = 40
	// MaxPagingEmails bounds dr.paging.emails: a customer's receivers, not
	// a mailing list (an action group takes at most 1000).
	MaxPagingEmails = 10
	// ActionGroupType is the ARM type of dr.paging.actionGroupId.
	ActionGroupType = "Microsoft.Insights/actionGroups"
	// DefaultWebTestFrequency is how often each location runs each
	// availability test, in seconds.
	DefaultWebTestFrequency = 300
	// DefaultFailedLocations is how many test locations must fail before
	// an availability alert fires.
	DefaultFailedLocations = 2
)

// FHIRServicePort is the port the FHIR service's load balancer serves HTTPS
// on, in both stamps, and so the port Traffic Manager probes.
const FHIRServicePort = 443

func drEnabled(c *Config) bool        { return c.DR.Enabled }
func fullTierOn(c *Config) bool       { return c.HasCompute() }
func periodicBackup(c *Config) bool   { return c.Cosmos.Backup.Type == "Periodic" }
func continuousBackup(c *Config) bool { return c.Cosmos.Backup.Type == "Continuous" }
func corsOn(c *Config) bool           { return len(c.FHIR.CORS.Origins) > 0 }

var groups = []Group{
	{"dr", "Disaster recovery"},
	{"primary", "The customer's existing primary resources to adopt"},
	{"cosmos", "The Cosmos DB account"},
	{"compute", "The one AKS spec of both regions (full tier)"},
	{"trafficManager", "The Traffic Manager failover profile (full tier)"},
	{"monitoring", "The Log Analytics workspace of the audit logs and the availability tests (full tier)"},
	{"fhir", "The FHIR server workload of both stamps (full tier)"},
	{"release", "How a release reaches the stack (see \"Releasing in rings\")"},
}

var settings = []Setting{
	{
		Key: "customer", Doc: "the customer's DNS-safe id; part of every resource name",
		Required: always, RequiredHint: "the customer's DNS-safe id, e.g. contoso",
		Constraint: Constraint{Pattern: customerPattern, Format: "3-30 lowercase letters, digits and single hyphens, starting with a letter"},
		Rules:      "no `--`; the stack file is `Pulumi.<customer>.yaml`",
	},
	{
		Key: "primaryRegion", Doc: "the Azure region the customer's FHIR service runs in (ARM name)",
		Required: always, RequiredHint: "the Azure region the customer runs in, e.g. eastus",
		Rules: "a known Azure region",
	},
	{
		Key: "tags", Doc: "extra tags for every resource",
		Constraint: Constraint{MaxItems: MaxUserTags},
		Rules: "cannot set the tags fhir-dr stamps (`customer`, `dr-ticket`, `dr-tier`, `dr-role`, `billing-meter`, " +
			"`billing-multiplier`, `managed-by`, `dr-enabled-at`); names at most 512 characters without `< > % & \\ ? /`, values at most 256; never a secret",
	},
	{
		Key: "primary.existingAccountId",
		Doc: "the ARM ID of an existing Cosmos DB account to adopt: the account, its resource group, `health` database and " +
			"`fhirR4` container are imported (names from the ID) instead of created; declare their settings as they are",
		Rules: "a Cosmos DB account ID; its name must agree with `cosmos.accountName`",
	},
	{Key: "dr.enabled", Doc: "turns DR on (after a support ticket)", DefaultDoc: "`false`"},
	{
		Key: "dr.tier", Doc: "`data` (Cosmos DB replica only) or `full` (+ mirrored compute + Traffic Manager)",
		Required: drEnabled, RequiredDoc: "when DR is enabled",
		RequiredHint: `"data" (Cosmos DB replica only) or "full" (replica, mirrored compute and Traffic Manager)`,
		Constraint:   Constraint{Enum: []string{string(TierData), string(TierFull)}},
	},
	{
		Key: "dr.ticket", Doc: "the support ticket that asked for the current DR state",
		Required: drEnabled, RequiredDoc: "when DR is enabled", RequiredHint: "the support ticket that asked for it",
		Constraint: Constraint{Pattern: ticketPattern, Format: "2-64 letters, digits and . _ # / -"},
	},
	{
		Key: "dr.enabledAt", Doc: "the date DR was granted, from the ticket; the `dr-enabled-at` tag of DR resources",
		Constraint: Constraint{Pattern: datePattern, Format: "a date, YYYY-MM-DD"},
	},
	{
		Key: "dr.secondaryRegion", Doc: "the DR region",
		DefaultFunc: pairedRegion, DefaultDoc: "the Azure paired region",
		Rules: "required when the primary has no pair or its pair is access-restricted; a known region; not the primary",
	},
	{
		Key: "dr.rpo", Doc: "the recovery point target; selects the Cosmos DB consistency",
		Default:    Duration{DefaultRPO},
		Constraint: Constraint{Range: &Range{Min: 0, Max: int64(objectives.TargetRPO)}},
		Rules:      "`15m`: Session; `5m` to under `15m`: BoundedStaleness with T = the target, K = 100,000; `0`: Strong; between 0 and 5m is rejected",
	},
	{
		Key: "dr.operatorDecisionTime", Doc: "time for on-call to confirm an outage and order forced failover; part of the modeled RTO",
		Default:    Duration{DefaultOperatorDecisionTime},
		Constraint: Constraint{Range: &Range{Min: 0, Max: int64(objectives.TargetRTOData)}},
		Rules:      "the modeled RTO must meet the tier's target",
	},
	{
		Key: "dr.writeRegion", Doc: "the region that takes writes; the secondary after a failover. Written by `drctl failover`/`failback`, with `dr.writeRegionChange`",
		DefaultFunc: func(c *Config) any { return c.PrimaryRegion }, DefaultDoc: "`primaryRegion`",
		Rules: "the primary or the secondary region; must be the primary when DR is disabled",
	},
	{
		Key: "dr.writeRegionChange", Doc: "the record of the last failover or failback, written by `drctl failover`/`failback`/`record`, never by hand: " +
			"`action`, `from`, `to`, `at`, `by`, `ticket`, and what Azure answered (`accountId`, `failoverPolicies[]` {`locationName`, `failoverPriority`}, `operationId`)",
		Rules: "required when the write region is the secondary; `drctl diff` accepts a new record only when it verifies against the base (`write-region-unverified`)",
	},
	{
		Key: "dr.acknowledge", Doc: "hazards of this change the customer agreed to: `ticket` (the ticket of the agreement) and `hazards[]` " +
			"(`service-removed`, `protection-reduced`)",
		Rules: "counts only when its ticket is new in the change, so one left in the file never covers a later change",
	},
	{
		Key: "dr.failoverIntent", Doc: "the write-region change drctl has started and not finished, written before its first request to Azure and " +
			"removed with the record of its success, never by hand: `action`, `from`, `to`, `at`, `by`, `ticket`, `serviceManagedFailoverWasOn`",
		Rules: "while present, the release gate (`drctl record --verify --before-release`) fails and the review reports `failover-in-progress`: " +
			"re-run the drctl command it names to finish it",
	},
	{
		Key: "dr.lastDrill", Doc: "the last drill, written by `drctl failover --drill`: `at`, `by`, `ticket`, `outcome` (`passed`, `failed`), " +
			"`steps[]` {`name`, `seconds`} as measured against Azure",
		Rules: "written by drctl, never by hand",
	},
	{
		Key: "dr.retiringSecondaryRegion", Doc: "the old secondary while the secondary region moves: kept as a third region (priority 2) until the next change removes this key",
		When: drEnabled, WhenDoc: "while DR is enabled",
		Rules: "a known region, neither the primary nor the secondary, not the write region",
	},
	{
		Key: "dr.paging.actionGroupId", Doc: "the platform on-call's Azure Monitor action group, which every alert rule of the stack notifies " +
			"(see \"Detection and paging\")",
		Required: drEnabled, RequiredDoc: "when DR is enabled",
		RequiredHint: "the ARM ID of the platform on-call's action group, " + armid.Format(ActionGroupType) +
			"; a DR stack whose outage pages no one cannot meet its RTO",
		Rules: "an action group ARM ID (" + ActionGroupType + "); used while DR is enabled",
	},
	{
		Key: "dr.paging.emails", Doc: "the customer's own receivers: when set, a per-customer action group `ag-<customer>-fhir` " +
			"with these email receivers is notified too",
		DefaultDoc: "none (the on-call action group only)",
		Constraint: Constraint{MaxItems: MaxPagingEmails},
		Items:      &Constraint{Pattern: emailPattern, Format: "an email address"},
		Rules:      "distinct; used while DR is enabled",
	},
	{
		Key: "cosmos.accountName", Doc: "the globally unique account name",
		DefaultFunc: accountName, DefaultDoc: "the adopted account's name, else `fhir-<customer>`",
		Constraint: Constraint{Pattern: accountNamePattern, Format: "3-44 lowercase letters, digits and hyphens"},
	},
	{
		Key: "cosmos.throughput", Doc: "manual RU/s of the FHIR database, the same in every region",
		Constraint: Constraint{Range: &Range{Min: 400, Max: 1_000_000, Step: 100}},
		Rules:      "not with `autoscaleMaxThroughput`",
	},
	{
		Key: "cosmos.autoscaleMaxThroughput", Doc: "the autoscale ceiling in RU/s, the same in every region",
		DefaultFunc: func(c *Config) any {
			if c.Cosmos.Throughput == 0 {
				return 4000
			}
			return nil
		},
		DefaultDoc: "`4000` when `throughput` is unset",
		Constraint: Constraint{Range: &Range{Min: 1000, Max: 1_000_000, Step: 1000}},
	},
	{
		Key: "cosmos.zoneRedundant.primary", Doc: "zone redundancy of the primary region",
		DefaultFunc: func(c *Config) any { return hasZones(c.PrimaryRegion) }, DefaultDoc: "`true` where the region has availability zones",
		Rules: "`true` only in a region with zones",
	},
	{
		Key: "cosmos.zoneRedundant.secondary", Doc: "zone redundancy of the secondary region",
		DefaultFunc: func(c *Config) any { return hasZones(c.DR.SecondaryRegion) }, DefaultDoc: "`true` where the region has availability zones",
		Rules: "`true` only in a region with zones",
	},
	{
		Key: "cosmos.zoneRedundant.retiring", Doc: "zone redundancy of the retiring secondary as it is deployed; Azure cannot change it in place, " +
			"so a stack file that set `.secondary` for the old region moves that value here in the move's first step",
		DefaultFunc: func(c *Config) any { return hasZones(c.DR.RetiringSecondaryRegion) },
		DefaultDoc:  "`true` where `dr.retiringSecondaryRegion` has zones (the default `.secondary` had for it)",
		When:        func(c *Config) bool { return c.DR.RetiringSecondaryRegion != "" },
		WhenDoc:     "while the secondary region moves (dr.retiringSecondaryRegion): remove it together with dr.retiringSecondaryRegion",
		Rules:       "`true` only in a region with zones",
	},
	{
		Key: "cosmos.allowedIPRanges", Doc: "the only public sources of the account's public endpoint: the egress of the service that uses it " +
			"(data tier and DR off; see \"Network access to the data\")",
		DefaultDoc: "none (no IP filter)",
		Rules:      "public IPv4 addresses or CIDR ranges of /16 or narrower; not `0.0.0.0` (every Azure datacenter), private or loopback ranges; not with the full tier, which closes the public endpoint",
	},
	{
		Key: "cosmos.backup.type", Doc: "the backup mode", Default: "Periodic",
		Constraint: Constraint{Enum: []string{"Periodic", "Continuous"}},
	},
	{
		Key: "cosmos.backup.intervalMinutes", Doc: "the periodic backup interval",
		Default: 240, When: periodicBackup, WhenDoc: "to Periodic backups",
		Constraint: Constraint{Range: &Range{Min: 60, Max: 1440}},
	},
	{
		Key: "cosmos.backup.retentionHours", Doc: "how long periodic backups are kept",
		Default: 8, When: periodicBackup, WhenDoc: "to Periodic backups",
		Constraint: Constraint{Range: &Range{Min: 8, Max: 720}},
	},
	{
		Key: "cosmos.backup.storageRedundancy", Doc: "where periodic backups are kept",
		Default: "Geo", When: periodicBackup, WhenDoc: "to Periodic backups",
		Constraint: Constraint{Enum: []string{"Geo"}, EnumReasons: map[string]string{
			"Zone":  "zone-redundant backups are lost with the region",
			"Local": "locally redundant backups are lost with the region",
		}},
	},
	{
		Key: "cosmos.backup.tier", Doc: "how far back continuous backups restore",
		Default: "Continuous7Days", When: continuousBackup, WhenDoc: "to Continuous backups",
		Constraint: Constraint{Enum: []string{"Continuous7Days", "Continuous30Days"}},
	},
	{
		Key: "compute.kubernetesVersion", Doc: "the AKS version", Default: "1.33",
		Constraint: Constraint{Pattern: k8sVersionPattern, Format: "a version such as 1.33 or 1.33.2"},
	},
	{
		Key: "compute.skuTier", Doc: "the AKS tier; Standard has the uptime SLA", Default: "Standard",
		Constraint: Constraint{Enum: []string{"Free", "Standard", "Premium"}},
	},
	{
		Key: "compute.nodePools", Doc: "the clusters' node pools",
		Default:    []NodePool{{Name: "system", MinCount: 2, MaxCount: 5}},
		DefaultDoc: "one `system` pool, `Standard_D4ds_v5`, 2-5 nodes, zones 1-3",
		Rules:      "at least one System pool; names unique",
	},
	{
		Key: "compute.nodePools[].name", Doc: "the pool's name",
		Required: always, RequiredHint: "1-12 lowercase letters and digits starting with a letter",
		Constraint: Constraint{Pattern: poolNamePattern, Format: "1-12 lowercase letters and digits starting with a letter"},
	},
	{
		Key: "compute.nodePools[].mode", Doc: "the pool's mode", Default: "System",
		Constraint: Constraint{Enum: []string{"System", "User"}},
	},
	{
		Key: "compute.nodePools[].vmSize", Doc: "the node VM size", Default: "Standard_D4ds_v5",
		Constraint: Constraint{Pattern: vmSizePattern, Format: "an Azure VM size such as Standard_D4ds_v5"},
		Rules:      "a size missing from the price table is a warning of `drctl plan`, never an error",
	},
	{
		Key: "compute.nodePools[].count", Doc: "a fixed node count",
		Constraint: Constraint{Range: &Range{Min: 1, Max: 1000}},
		Rules:      "**or** `minCount`/`maxCount`",
	},
	{
		Key: "compute.nodePools[].minCount", Doc: "the autoscaler's floor",
		Constraint: Constraint{Range: &Range{Min: 0, Max: 1000}},
		Rules:      "with `maxCount`; at least 1 in a System pool; at most `maxCount`",
	},
	{
		Key: "compute.nodePools[].maxCount", Doc: "the autoscaler's ceiling",
		Constraint: Constraint{Range: &Range{Min: 1, Max: 1000}},
		Rules:      "with `minCount`",
	},
	{
		Key: "compute.nodePools[].zones", Doc: "the availability zones to spread over; applied in regions that have zones",
		Default: []string{"1", "2", "3"},
		Items:   &Constraint{Enum: []string{"1", "2", "3"}},
		Rules:   "distinct",
	},
	{
		Key: "compute.network.primary.addressSpace", Doc: "the primary VNet's IPv4 range", Default: DefaultPrimaryAddressSpace,
		Rules: "must not overlap the secondary's, 10.0.0.0/16 (services) or 10.244.0.0/16 (pods)",
	},
	{
		Key: "compute.network.primary.nodeSubnet", Doc: "the primary's node subnet",
		DefaultFunc: func(c *Config) any {
			return defaultSubnet(c.Compute.Network.Primary, DefaultPrimaryAddressSpace, DefaultPrimaryNodeSubnet)
		},
		DefaultDoc: "`" + DefaultPrimaryNodeSubnet + "` with the default address space",
		Required:   always, RequiredHint: "the node subnet inside addressSpace, /24 or larger",
		Rules: "inside `addressSpace`, /24 or larger",
	},
	{
		Key: "compute.network.primary.privateEndpointSubnet", Doc: "the primary stamp's subnet of its private endpoint to the Cosmos DB account",
		DefaultFunc: func(c *Config) any {
			return subnetAfter(c.Compute.Network.Primary.NodeSubnet, DefaultPrivateEndpointSubnetBits)
		},
		DefaultDoc: "the /24 after `nodeSubnet` (`10.50.16.0/24`)",
		Rules:      "IPv4 CIDR, /28 or larger, inside `addressSpace`, apart from `nodeSubnet`",
	},
	{
		Key: "compute.network.secondary.addressSpace", Doc: "the secondary VNet's IPv4 range", Default: DefaultSecondaryAddressSpace,
		Rules: "must not overlap the primary's, 10.0.0.0/16 or 10.244.0.0/16",
	},
	{
		Key: "compute.network.secondary.nodeSubnet", Doc: "the secondary's node subnet",
		DefaultFunc: func(c *Config) any {
			return defaultSubnet(c.Compute.Network.Secondary, DefaultSecondaryAddressSpace, DefaultSecondaryNodeSubnet)
		},
		DefaultDoc: "`" + DefaultSecondaryNodeSubnet + "` with the default address space",
		Required:   always, RequiredHint: "the node subnet inside addressSpace, /24 or larger",
		Rules: "inside `addressSpace`, /24 or larger",
	},
	{
		Key: "compute.network.secondary.privateEndpointSubnet", Doc: "the secondary stamp's subnet of its private endpoint to the Cosmos DB account",
		DefaultFunc: func(c *Config) any {
			return subnetAfter(c.Compute.Network.Secondary.NodeSubnet, DefaultPrivateEndpointSubnetBits)
		},
		DefaultDoc: "the /24 after `nodeSubnet` (`10.51.16.0/24`)",
		Rules:      "IPv4 CIDR, /28 or larger, inside `addressSpace`, apart from `nodeSubnet`",
	},
	{
		Key: "compute.apiServer.private", Doc: "makes the Kubernetes API reachable only from the VNet",
		Rules: "full tier: this or `authorizedIPRanges` is required",
	},
	{
		Key: "compute.apiServer.authorizedIPRanges", Doc: "the only IPv4 ranges that reach a public API server",
		Rules: "CIDR ranges of /8 or narrower that together do not cover the internet; not with `private`",
	},
	{
		Key: "compute.adminGroupObjectIDs", Doc: "Entra ID groups with cluster admin rights",
		Items: &Constraint{Pattern: uuidPattern, Format: "an Entra ID object id (a UUID)"},
	},
	{
		Key: "trafficManager.dnsName", Doc: "the label of `<dnsName>.trafficmanager.net`",
		DefaultFunc: func(c *Config) any {
			if !c.customerValid() {
				return nil // reported as the customer id
			}
			return naming.TrafficManagerLabel(c.Customer)
		},
		DefaultDoc: "`<customer>-fhir`",
		Constraint: Constraint{Pattern: dnsLabelPattern, Format: "a DNS label of lowercase letters, digits and hyphens"},
	},
	{
		Key: "trafficManager.probe.protocol", Doc: "the health probe's protocol", Default: "HTTPS",
		Constraint: Constraint{Enum: []string{"HTTPS"}, EnumReasons: map[string]string{
			"HTTP": "the FHIR service serves HTTPS only",
			"TCP":  "a TCP probe passes while the FHIR server is unhealthy; probe its health check",
		}},
	},
	{
		Key: "trafficManager.probe.port", Doc: "the probed port, the FHIR service's", Default: FHIRServicePort,
		Constraint: Constraint{Enum: []string{strconv.Itoa(FHIRServicePort)}},
	},
	{
		Key: "trafficManager.probe.path", Doc: "the probed path, the FHIR server's health check", Default: FHIRHealthPath,
		Constraint: Constraint{Enum: []string{FHIRHealthPath}},
	},
	{
		Key: "trafficManager.probe.intervalSeconds", Doc: "seconds between probes; 10 is fast probing, billed extra, and what detection in minutes needs", Default: 10,
		Constraint: Constraint{Enum: []string{"10", "30"}},
	},
	{
		Key: "trafficManager.probe.timeoutSeconds", Doc: "seconds a probe waits", Default: 5,
		Constraint: Constraint{Range: &Range{Min: 5, Max: 10}},
		Rules:      "below the interval (5-9 with a 10 s interval)",
	},
	{
		Key: "trafficManager.probe.toleratedFailures", Doc: "failed probes before an endpoint is degraded: 2 at 10 s rides out a 20-second blip", Default: 2,
		Constraint: Constraint{Range: &Range{Min: 0, Max: 9}},
	},
	{
		Key: "trafficManager.ttlSeconds", Doc: "the DNS TTL of the profile", Default: 60,
		Constraint: Constraint{Range: &Range{Min: 0, Max: MaxTTLSeconds}},
		Rules:      "the modeled RTO must meet the tier's target",
	},
	{
		Key: "monitoring.retentionDays", Doc: "how long the audit logs are kept", Default: 90,
		Constraint: Constraint{Range: &Range{Min: 30, Max: 730}},
	},
	{
		Key: "monitoring.availability.locations", Doc: "the availability test locations the full tier's web tests run from " +
			"(Application Insights location IDs)",
		Default:    detection.DefaultWebTestLocations,
		DefaultDoc: "`" + strings.Join(detection.DefaultWebTestLocations, "`, `") + "` (East US, West US, West Europe, North Europe, Southeast Asia)",
		Constraint: Constraint{MaxItems: len(detection.WebTestLocations)},
		Items:      &Constraint{Enum: slices.Sorted(maps.Keys(detection.WebTestLocations))},
		Rules:      "at least " + strconv.Itoa(detection.MinWebTestLocations) + ", distinct",
	},
	{
		Key: "monitoring.availability.frequencySeconds", Doc: "how often each location runs each availability test (full tier)",
		Default:    DefaultWebTestFrequency,
		Constraint: Constraint{Enum: []string{"300", "600", "900"}},
		Rules:      "the modeled RTO must meet the tier's target",
	},
	{
		Key: "monitoring.availability.failedLocations", Doc: "how many locations must fail before an availability alert fires (full tier)",
		Default:    DefaultFailedLocations,
		Constraint: Constraint{Range: &Range{Min: 1, Max: int64(len(detection.WebTestLocations))}},
		Rules:      "at most the number of locations",
	},
	{
		Key: "fhir.image", Doc: "the container image repository, without tag", Default: DefaultFHIRImage,
		Constraint: Constraint{Pattern: imagePattern, Format: "an image repository without tag, such as " + DefaultFHIRImage},
	},
	{
		Key: "fhir.version", Doc: "the image tag or `sha256:<64 hex>` digest both clusters run",
		Required: fullTierOn, RequiredDoc: "for the full tier", RequiredHint: "the image tag or sha256 digest the primary runs",
		Rules: "moving tags (`latest`, `main`, `stable`, ...) are refused, so both clusters run one build",
	},
	{
		Key: "fhir.fhirVersion", Doc: "the FHIR release; the Cosmos DB container is `fhirR4`, so another is a data migration", Default: DefaultFHIRVersion,
		Constraint: Constraint{Enum: []string{DefaultFHIRVersion}, EnumReason: "the Cosmos DB container is fhirR4; another release is a data migration, not a setting"},
	},
	{
		Key: "fhir.auth.authority", Doc: "the https token issuer the service trusts",
		Required: fullTierOn, RequiredDoc: "for the full tier", RequiredHint: "the token issuer the primary FHIR service trusts",
		Rules: "an https URL",
	},
	{
		Key: "fhir.auth.audience", Doc: "the audience tokens for the service carry",
		Required: fullTierOn, RequiredDoc: "for the full tier", RequiredHint: "the audience tokens for the FHIR service carry",
	},
	{Key: "fhir.smartProxy", Doc: "the server's SMART on FHIR proxy for Entra ID", DefaultDoc: "`false`"},
	{
		Key: "fhir.cors.origins", Doc: "browser origins allowed to call the server", DefaultDoc: "none (no CORS)",
		Rules: "https origins (http only for localhost), no path; `*` is refused",
	},
	{
		Key: "fhir.cors.methods", Doc: "the allowed HTTP methods",
		Default: []string{"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}, When: corsOn, WhenDoc: "with fhir.cors.origins",
		Items: &Constraint{Enum: []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}},
	},
	{
		Key: "fhir.cors.headers", Doc: "the allowed request headers", Default: []string{"*"}, When: corsOn, WhenDoc: "with fhir.cors.origins",
		Items: &Constraint{Pattern: headerPattern, Format: "a header name or *"},
	},
	{
		Key: "fhir.cors.maxAge", Doc: "seconds browsers may cache a preflight answer", Default: 1440, When: corsOn, WhenDoc: "with fhir.cors.origins",
		Constraint: Constraint{Range: &Range{Min: 0, Max: 86400}},
	},
	{
		Key: "fhir.export.storageAccountId", Doc: "the storage account `$export` writes to; the workload identity gets Storage Blob Data Contributor on it",
		DefaultDoc: "unset: `$export` off", Rules: "a storage account ARM ID",
	},
	{
		Key: "fhir.convertData.registryId", Doc: "the container registry of the `$convert-data` templates; the workload identity gets AcrPull on it",
		DefaultDoc: "unset: `$convert-data` off", Rules: "a container registry ARM ID",
	},
	{
		Key: "fhir.replicas.primary", Doc: "the primary stamp's pods, the autoscaler's floor there", Default: 3,
		Constraint: Constraint{Range: &Range{Min: 1, Max: maxFHIRReplicas}},
	},
	{
		Key: "fhir.replicas.standby", Doc: "the warm standby's pods, the autoscaler's floor there; fewer than `primary` adds the scale-out (8 min 30 s) to the modeled RTO",
		DefaultFunc: func(c *Config) any { return c.FHIR.Replicas.Primary }, DefaultDoc: "`primary`: the standby takes the load without scaling out",
		Constraint: Constraint{Range: &Range{Min: 1, Max: maxFHIRReplicas}},
		Rules:      "at most `primary`",
	},
	{
		Key: "fhir.replicas.max", Doc: "the autoscaler's ceiling in either stamp",
		DefaultFunc: func(c *Config) any { return max(DefaultMaxReplicas, c.FHIR.Replicas.Primary) },
		DefaultDoc:  "`10`, or `primary` when that is more",
		Constraint:  Constraint{Range: &Range{Min: 1, Max: maxFHIRReplicas}},
		Rules:       "at least `primary`",
	},
	{Key: "fhir.resources.requests.cpu", Doc: "CPU the scheduler reserves per pod", Default: "1", Rules: "a Kubernetes CPU quantity; at most the limit"},
	{Key: "fhir.resources.requests.memory", Doc: "memory the scheduler reserves per pod", Default: "2Gi", Rules: "a Kubernetes memory quantity; at most the limit"},
	{Key: "fhir.resources.limits.cpu", Doc: "the most CPU a pod may use", Default: "2", Rules: "a Kubernetes CPU quantity"},
	{Key: "fhir.resources.limits.memory", Doc: "the most memory a pod may use", Default: "4Gi", Rules: "a Kubernetes memory quantity"},
	{
		Key: "fhir.tls.secretName", Doc: "the Kubernetes TLS secret (namespace `fhir`) the server presents", Default: "fhir-tls",
		Constraint: Constraint{Pattern: k8sNamePattern, Format: "a Kubernetes name (lowercase letters, digits, hyphens)"},
	},
	{
		Key: "release.ring", Doc: "the release ring: a release deploys the rings in the order `" + strings.Join(ring.Names(), "`, `") +
			"`, each after the ring before has baked and passed its health gate",
		Default:    ring.Default,
		Constraint: Constraint{Enum: ring.Names()},
		Rules:      "canary: a few stacks covering the tiers; the bake times and the halt rule are in internal/rollout/ring",
	},
}

// maxFHIRReplicas bounds the pods of a stamp.
const maxFHIRReplicas = 100

func always(*Config) bool { return true }

// pairedRegion is the primary's Azure pair, unless the pair needs access
// granted first.
func pairedRegion(c *Config) any {
	r, ok := regions.Lookup(c.PrimaryRegion)
	if !ok || r.Pair == "" {
		return nil
	}
	if pair, _ := regions.Lookup(r.Pair); pair.Restricted {
		return nil
	}
	return r.Pair
}

// accountName is the adopted account's name, or one made from the
// customer.
func accountName(c *Config) any {
	if _, name, ok := parseAccountID(c.Primary.ExistingAccountID); ok {
		return name
	}
	if !c.customerValid() {
		return nil // the customer id is reported; a name made from it would be again
	}
	return naming.Account(c.Customer)
}

// defaultSubnet is the default node subnet when the address space is the
// default one; a stack that plans its own addresses names its subnet.
func defaultSubnet(n Network, space, subnet string) any {
	if n.AddressSpace == space {
		return subnet
	}
	return nil
}

// subnetAfter returns the /bits range that starts right after the range
// cidr, or nil if cidr is not an IPv4 range or nothing follows it.
func subnetAfter(cidr string, bits int) any {
	p, err := netip.ParsePrefix(cidr)
	if err != nil || !p.Addr().Is4() || p.Masked() != p {
		return nil
	}
	a := p.Addr().As4()
	end := uint32(a[0])<<24 | uint32(a[1])<<16 | uint32(a[2])<<8 | uint32(a[3])
	end |= 1<<(32-p.Bits()) - 1
	if end == 1<<32-1 {
		return nil
	}
	next := end + 1
	next &^= 1<<(32-bits) - 1 // align down, then past the range if needed
	if next <= end {
		next += 1 << (32 - bits)
	}
	if next < end {
		return nil // wrapped around
	}
	addr := netip.AddrFrom4([4]byte{byte(next >> 24), byte(next >> 16), byte(next >> 8), byte(next)})
	return netip.PrefixFrom(addr, bits).String()
}

func hasZones(region string) bool {
	r, ok := regions.Lookup(region)
	return ok && r.AvailabilityZones
}
