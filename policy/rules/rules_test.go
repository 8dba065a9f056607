package rules_test

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fhir-dr/fhir-dr/drconfig"
	"github.com/fhir-dr/fhir-dr/internal/render"
	"github.com/fhir-dr/fhir-dr/internal/testfleet"
	"github.com/fhir-dr/fhir-dr/policy/rules"
	"github.com/fhir-dr/fhir-dr/program"
)

var examples = []string{"adatum", "contoso", "fabrikam", "litware", "northwind", "tailspin"}

// exampleStack renders an example stack and returns it as the policy sees
// it in-process.
func exampleStack(t *testing.T, customer string) rules.Stack {
	t.Helper()
	path := testfleet.Path(customer)
	values, err := drconfig.ReadStackFile(path)
	require.NoError(t, err)
	cfg, err := drconfig.Load(path, values)
	require.NoError(t, err)
	plan, err := render.Run(customer, values, program.Deploy)
	require.NoError(t, err)
	return rules.FromPlan(plan, cfg)
}

func TestExampleStacksKeepEveryPromise(t *testing.T) {
	for _, customer := range examples {
		s := exampleStack(t, customer)
		assert.Empty(t, rules.MandatoryOnly(rules.Check(rules.DefaultConfig(), s)), customer)
	}
	// The advisories that fire, fire for a reason: westus (contoso's
	// secondary) has no zones, so nothing to advise there either.
	assert.Empty(t, rules.Check(rules.DefaultConfig(), exampleStack(t, "contoso")))
}

// resourceNamed returns a pointer to the stack's resource of that name.
func resourceNamed(t *testing.T, s *rules.Stack, name string) *rules.Resource {
	t.Helper()
	i := slices.IndexFunc(s.Resources, func(r rules.Resource) bool { return r.Name == name && r.Type != "" && r.Inputs != nil })
	require.GreaterOrEqual(t, i, 0, name)
	return &s.Resources[i]
}

func set(t *testing.T, s *rules.Stack, name, path string, v any) {
	t.Helper()
	r := resourceNamed(t, s, name)
	p, err := resource.ParsePropertyPath(path)
	require.NoError(t, err)
	require.True(t, p.Set(resource.NewProperty(r.Inputs), resource.NewPropertyValue(v)), path)
}

func del(t *testing.T, s *rules.Stack, name, path string) {
	t.Helper()
	r := resourceNamed(t, s, name)
	p, err := resource.ParsePropertyPath(path)
	require.NoError(t, err)
	require.True(t, p.Delete(resource.NewProperty(r.Inputs)), path)
}

type violation struct{ rule, urnSuffix, message string }

func notIPv4(i, text string) string {
	return `Cosmos DB account "account": ipRules[` + i + `] "` + text + `" is not an IPv4 address or CIDR range such as 203.0.113.0/24; ` +
		`list the service's egress addresses only`
}

func publicInCompute(v string) string {
	return `Cosmos DB account "account" is reachable from public networks in a stack with compute: publicNetworkAccess is "` + v + `"; ` +
		`set publicNetworkAccess: Disabled, the stamps reach it through private endpoints`
}

func fhirContainer(stamp string) string {
	return `kubernetes:apps/v1:Deployment "` + stamp + `-fhir-deployment": container "fhir-server"`
}

// podViolations are k8s-pod-unprivileged's findings on a FHIR Deployment
// made privileged, root and host-sharing in every way.
func podViolations(stamps ...string) []violation {
	var out []violation
	for _, stamp := range stamps {
		d := `kubernetes:apps/v1:Deployment "` + stamp + `-fhir-deployment"`
		for _, m := range []string{
			d + `: its pods share the node's network (hostNetwork); remove it`,
			d + `: its pods share the node's process IDs (hostPID); remove it`,
			d + `: its pods share the node's IPC (hostIPC); remove it`,
			d + `: volume "node" mounts the node's filesystem (hostPath); use a secret, configMap or emptyDir volume`,
			fhirContainer(stamp) + ` runs privileged; remove securityContext.privileged`,
			fhirContainer(stamp) + ` may escalate its privileges; set securityContext.allowPrivilegeEscalation: false`,
			fhirContainer(stamp) + ` may run as root; set securityContext.runAsNonRoot: true with the image's non-root runAsUser`,
			fhirContainer(stamp) + ` runs as root (runAsUser 0); run as the image's non-root user`,
			fhirContainer(stamp) + ` adds the capability "NET_ADMIN"; add none (NET_BIND_SERVICE at most)`,
			fhirContainer(stamp) + ` adds the capability "CAP_SYS_ADMIN"; add none (NET_BIND_SERVICE at most)`,
			fhirContainer(stamp) + ` keeps the default capabilities; set securityContext.capabilities.drop: [ALL]`,
			fhirContainer(stamp) + ` runs without a seccomp profile; set securityContext.seccompProfile.type: RuntimeDefault`,
		} {
			out = append(out, violation{"k8s-pod-unprivileged", "::" + stamp + "-fhir-deployment", m})
		}
	}
	return out
}

const apiServerFix = "set compute.apiServer.private: true or compute.apiServer.authorizedIPRanges to the operators' ranges"

func openAPIServer(cluster, all string) string {
	return `AKS cluster "` + cluster + `" has its API server open to the internet: its authorized IP ranges together admit ` + all + "; " + apiServerFix
}

func rangeProblem(cluster string, i int, problem string) string {
	return `AKS cluster "` + cluster + `": apiServerAccessProfile.authorizedIPRanges[` + strconv.Itoa(i) + `]: ` + problem
}

func wideRange(cluster string, i int, r string, bits int) string {
	return rangeProblem(cluster, i, r+" opens the API server to a large part of the internet: list the operators' egress ranges, /"+
		strconv.Itoa(bits)+" or narrower")
}

func notCIDR(cluster string, i int, got string) string {
	return rangeProblem(cluster, i, "must be a CIDR range such as 203.0.113.0/24, got "+got)
}

// bothClusters sets path on both clusters alike, so that only the rule
// under test (and not aks-mirrored) speaks.
func bothClusters(t *testing.T, s *rules.Stack, path string, v any) {
	t.Helper()
	for _, name := range []string{"primary-aks", "secondary-aks"} {
		set(t, s, name, path, v)
	}
}

const boundedStalenessRange = `Cosmos DB account "account": bounded staleness on a multi-region account needs ` +
	`maxIntervalInSeconds from 300 to 86400 and maxStalenessPrefix from 100000 to 2147483647`

func operatorDecisionRange(d string) string {
	return "dr.operatorDecisionTime " + d + " is outside 0s to 2h0m0s, which the RTO model accepts; " +
		"set the time on-call needs to confirm an outage and order the failover (default 15m0s)"
}

func TestEachRuleCatchesItsViolation(t *testing.T) {
	const account = "account"
	for name, tc := range map[string]struct {
		customer string
		change   func(t *testing.T, s *rules.Stack)
		cfg      func(*rules.Config)
		want     []violation
	}{
		"one region only": {"contoso", func(t *testing.T, s *rules.Stack) {
			set(t, s, account, "locations", []any{map[string]any{"locationName": "eastus", "failoverPriority": 0, "isZoneRedundant": true}})
		}, nil, []violation{{"cosmos-dr-locations", "::account",
			`Cosmos DB account "account" has 1 region(s); a DR account needs the primary (priority 0) and a secondary region (priority 1)`}}},
		"secondary equals primary": {"contoso", func(t *testing.T, s *rules.Stack) {
			set(t, s, account, "locations[1].locationName", "East US")
		}, nil, []violation{{"cosmos-dr-locations", "::account",
			`Cosmos DB account "account" lists region East US twice; the secondary must be another region than the primary`},
			{"cosmos-zone-redundancy", "::account", `Cosmos DB account "account": region East US has availability zones but is not zone-redundant; ` +
				`set cosmos.zoneRedundant for it when the region is (re)added`},
		}},
		"two write regions": {"contoso", func(t *testing.T, s *rules.Stack) {
			set(t, s, account, "locations[1].failoverPriority", 0)
		}, nil, []violation{
			{"cosmos-dr-locations", "::account", `Cosmos DB account "account" gives failover priority 0 to more than one region; priorities must be unique`},
			{"cosmos-dr-locations", "::account", `Cosmos DB account "account" has 2 regions with failover priority 0; exactly one (the write region) is required`},
		}},
		"no automatic failover": {"litware", func(t *testing.T, s *rules.Stack) {
			set(t, s, account, "enableAutomaticFailover", false)
		}, nil, []violation{{"cosmos-automatic-failover", "::account",
			`Cosmos DB account "account" does not fail over automatically; set enableAutomaticFailover: true`}}},
		"multi-region writes": {"litware", func(t *testing.T, s *rules.Stack) {
			set(t, s, account, "enableMultipleWriteLocations", true)
		}, nil, []violation{{"cosmos-single-write-region", "::account",
			`Cosmos DB account "account" writes in several regions; set enableMultipleWriteLocations: false (active/active is a non-goal)`}}},
		"eventual consistency": {"contoso", func(t *testing.T, s *rules.Stack) {
			set(t, s, account, "consistencyPolicy.defaultConsistencyLevel", "Eventual")
		}, nil, []violation{{"cosmos-consistency-meets-rpo", "::account",
			`Cosmos DB account "account" uses Eventual consistency, which this product never uses for DR; use Session (RPO 15 min), bounded staleness or Strong`}}},
		"session over a 10-minute target": {"fabrikam", func(t *testing.T, s *rules.Stack) {
			set(t, s, account, "consistencyPolicy", map[string]any{"defaultConsistencyLevel": "Session"})
		}, nil, []violation{{"cosmos-consistency-meets-rpo", "::account",
			`Cosmos DB account "account": Session consistency gives an RPO of 15m0s, over the stack's budget of 10m0s; use bounded staleness with maxIntervalInSeconds <= 600, or Strong`}}},
		"bounded staleness below the multi-region limits": {"fabrikam", func(t *testing.T, s *rules.Stack) {
			set(t, s, account, "consistencyPolicy.maxIntervalInSeconds", 60)
		}, nil, []violation{{"cosmos-consistency-meets-rpo", "::account", boundedStalenessRange}}},
		// 1e10 s is 1e19 ns, which wrapped to a negative RPO that met the budget.
		"bounded staleness above Azure's range": {"fabrikam", func(t *testing.T, s *rules.Stack) {
			set(t, s, account, "consistencyPolicy.maxIntervalInSeconds", 1e10)
		}, nil, []violation{{"cosmos-consistency-meets-rpo", "::account", boundedStalenessRange}}},
		"a staleness prefix above Azure's range": {"fabrikam", func(t *testing.T, s *rules.Stack) {
			set(t, s, account, "consistencyPolicy.maxStalenessPrefix", 2147483648)
		}, nil, []violation{{"cosmos-consistency-meets-rpo", "::account", boundedStalenessRange}}},
		"a tighter RPO budget in the policy config": {"contoso", nil, func(c *rules.Config) { c.RPO = 5 * time.Minute },
			[]violation{{"cosmos-consistency-meets-rpo", "::account",
				`Cosmos DB account "account": Session consistency gives an RPO of 15m0s, over the stack's budget of 5m0s; use bounded staleness with maxIntervalInSeconds <= 300, or Strong`}}},
		"local auth": {"contoso", func(t *testing.T, s *rules.Stack) { del(t, s, account, "disableLocalAuth") }, nil,
			[]violation{{"cosmos-local-auth-disabled", "::account", `Cosmos DB account "account" accepts account keys; set disableLocalAuth: true`}}},
		"old TLS": {"contoso", func(t *testing.T, s *rules.Stack) { set(t, s, account, "minimalTlsVersion", "Tls11") }, nil,
			[]violation{{"cosmos-tls12", "::account", `Cosmos DB account "account" allows TLS below 1.2; set minimalTlsVersion: Tls12`}}},
		"locally redundant backup": {"contoso", func(t *testing.T, s *rules.Stack) {
			set(t, s, account, "backupPolicy.periodicModeProperties.backupStorageRedundancy", "Local")
		}, nil, []violation{{"cosmos-backup", "::account",
			`Cosmos DB account "account" keeps periodic backups with "Local" redundancy, which a regional outage can take; set backupStorageRedundancy: Geo or use continuous backup`}}},
		"local auth, old TLS and local backups without DR": {"adatum", func(t *testing.T, s *rules.Stack) {
			set(t, s, account, "disableLocalAuth", false)
			set(t, s, account, "minimalTlsVersion", "Tls")
			set(t, s, account, "backupPolicy.periodicModeProperties.backupStorageRedundancy", "Local")
		}, nil, []violation{
			{"cosmos-local-auth-disabled", "::account", `Cosmos DB account "account" accepts account keys; set disableLocalAuth: true`},
			{"cosmos-tls12", "::account", `Cosmos DB account "account" allows TLS below 1.2; set minimalTlsVersion: Tls12`},
			{"cosmos-backup", "::account", `Cosmos DB account "account" keeps periodic backups with "Local" redundancy, which a regional outage can take; set backupStorageRedundancy: Geo or use continuous backup`},
		}},
		"local auth, old TLS and no backup policy when the configuration is not known": {"adatum", func(t *testing.T, s *rules.Stack) {
			s.Config = nil
			del(t, s, account, "disableLocalAuth")
			del(t, s, account, "minimalTlsVersion")
			del(t, s, account, "backupPolicy")
		}, nil, []violation{
			{"cosmos-local-auth-disabled", "::account", `Cosmos DB account "account" accepts account keys; set disableLocalAuth: true`},
			{"cosmos-tls12", "::account", `Cosmos DB account "account" allows TLS below 1.2; set minimalTlsVersion: Tls12`},
			{"cosmos-backup", "::account", `Cosmos DB account "account" declares no backup policy; set cosmos.backup (Periodic with Geo redundancy, or Continuous)`},
		}},
		"unprotected account, even without DR": {"adatum", func(t *testing.T, s *rules.Stack) { resourceNamed(t, s, account).Protect = false }, nil,
			[]violation{{"cosmos-protected", "::account",
				`Cosmos DB account "account" is not protected; register it with pulumi.Protect(true) (and RetainOnDelete)`}}},
		"unprotected database and container": {"adatum", func(t *testing.T, s *rules.Stack) {
			resourceNamed(t, s, "health").Protect = false
			resourceNamed(t, s, "fhirR4").Protect = false
		}, nil, []violation{
			{"cosmos-protected", "::health", `Cosmos DB database "health" is not protected; register it with pulumi.Protect(true) (and RetainOnDelete)`},
			{"cosmos-protected", "::fhirR4", `Cosmos DB container "fhirR4" is not protected; register it with pulumi.Protect(true) (and RetainOnDelete)`},
		}},
		"unprotected resource group of the account": {"adatum", func(t *testing.T, s *rules.Stack) {
			resourceNamed(t, s, "primary-rg").Protect = false
		}, nil, []violation{{"cosmos-resource-group-protected", "::primary-rg",
			`resource group "primary-rg" holds Cosmos DB account "account" and is not protected, and deleting the group deletes the account; ` +
				`register it with pulumi.Protect(true) (and RetainOnDelete)`}}},
		"an unprotected secondary group holds nothing": {"contoso", func(t *testing.T, s *rules.Stack) {
			resourceNamed(t, s, "secondary-rg").Protect = false
		}, nil, nil},
		"account in a group the stack does not declare": {"adatum", func(t *testing.T, s *rules.Stack) {
			set(t, s, account, "resourceGroupName", "rg-elsewhere")
		}, nil, []violation{{"cosmos-resource-group-protected", "::account",
			`Cosmos DB account "account" is in resource group "rg-elsewhere", which the stack does not declare; ` +
				`declare the group, protected, since deleting it deletes the account`}}},
		"a firewall that admits Azure datacenters, wide, private and malformed ranges and Azure services": {"adatum", func(t *testing.T, s *rules.Stack) {
			set(t, s, account, "ipRules", []any{
				map[string]any{"ipAddressOrRange": "0.0.0.0"},
				map[string]any{"ipAddressOrRange": "203.0.113.7"},
				map[string]any{"ipAddressOrRange": "198.51.100.0/24"},
				map[string]any{"ipAddressOrRange": "0.0.0.0/1"},
				map[string]any{"ipAddressOrRange": "128.0.0.0/1"},
				map[string]any{"ipAddressOrRange": "10.0.0.0/16"},
				map[string]any{"ipAddressOrRange": "2001:db8::/48"},
				map[string]any{"ipAddressOrRange": " 203.0.113.8"},
				map[string]any{"ipAddressOrRange": "198.51.100.7/24"},
				map[string]any{"ipAddressOrRange": "*"},
				map[string]any{},
			})
			set(t, s, account, "networkAclBypass", "AzureServices")
		}, nil, []violation{
			{"cosmos-firewall", "::account", `Cosmos DB account "account": ipRules[0] 0.0.0.0 admits every Azure datacenter, any tenant's services included; remove it`},
			{"cosmos-firewall", "::account", `Cosmos DB account "account": ipRules[3] 0.0.0.0/1 is wider than a /16; list the service's egress addresses only`},
			{"cosmos-firewall", "::account", `Cosmos DB account "account": ipRules[4] 128.0.0.0/1 is wider than a /16; list the service's egress addresses only`},
			{"cosmos-firewall", "::account", `Cosmos DB account "account": ipRules[5] 10.0.0.0/16 is not a public address, and the firewall sees the public egress address; remove it`},
			{"cosmos-firewall", "::account", notIPv4("6", "2001:db8::/48")},
			{"cosmos-firewall", "::account", notIPv4("7", " 203.0.113.8")},
			{"cosmos-firewall", "::account", notIPv4("8", "198.51.100.7/24")},
			{"cosmos-firewall", "::account", notIPv4("9", "*")},
			{"cosmos-firewall", "::account", notIPv4("10", "")},
			{"cosmos-firewall", "::account", `Cosmos DB account "account": networkAclBypass is "AzureServices", which lets Azure services past the firewall; set it to None`},
		}},
		"public network access in a stack with compute": {"contoso", func(t *testing.T, s *rules.Stack) {
			set(t, s, account, "publicNetworkAccess", "Enabled")
		}, nil, []violation{{"cosmos-public-network-access", "::account", publicInCompute("Enabled")}}},
		"public network access in a stack with compute, its configuration not known": {"fabrikam", func(t *testing.T, s *rules.Stack) {
			s.Config = nil
			set(t, s, account, "publicNetworkAccess", "SecuredByPerimeter")
		}, nil, []violation{{"cosmos-public-network-access", "::account", publicInCompute("SecuredByPerimeter")}}},
		"public network access not declared": {"litware", func(t *testing.T, s *rules.Stack) {
			del(t, s, account, "publicNetworkAccess")
		}, nil, []violation{{"cosmos-public-network-access", "::account", `Cosmos DB account "account" does not declare publicNetworkAccess, ` +
			`so Azure's default (Enabled) decides who can reach it; declare it (Disabled in a stack with compute)`}}},
		"the data tier keeps its public endpoint": {"litware", func(t *testing.T, s *rules.Stack) {
			set(t, s, account, "publicNetworkAccess", "Enabled")
			set(t, s, account, "ipRules", []any{map[string]any{"ipAddressOrRange": "203.0.113.0/24"}})
		}, nil, nil},
		"per-region throughput": {"contoso", func(t *testing.T, s *rules.Stack) {
			set(t, s, account, "enablePerRegionPerPartitionAutoscale", true)
		}, nil, []violation{{"cosmos-equal-regional-throughput", "::account",
			`Cosmos DB account "account" scales throughput per region, so the secondary may have less than the primary; set enablePerRegionPerPartitionAutoscale: false`}}},
		"no provisioned throughput": {"litware", func(t *testing.T, s *rules.Stack) { del(t, s, "health", "options") }, nil,
			[]violation{{"cosmos-equal-regional-throughput", "",
				`no Cosmos DB database or container of the stack provisions throughput (options.throughput or options.autoscaleSettings.maxThroughput); declare it on the health database`}}},
		"profile not global, weighted, HTTP probe": {"contoso", func(t *testing.T, s *rules.Stack) {
			set(t, s, "profile", "location", "eastus")
			set(t, s, "profile", "trafficRoutingMethod", "Weighted")
			set(t, s, "profile", "monitorConfig.protocol", "HTTP")
			set(t, s, "profile", "monitorConfig.path", "/")
		}, nil, []violation{
			{"traffic-manager-profile", "::profile", `Traffic Manager profile "profile": location is "eastus", want "global"; Traffic Manager profiles are global resources`},
			{"traffic-manager-profile", "::profile", `Traffic Manager profile "profile": trafficRoutingMethod is "Weighted", want "Priority"; the standby must take traffic only when the primary is down`},
			{"traffic-manager-profile", "::profile", `Traffic Manager profile "profile": monitorConfig.protocol is "HTTP", want "HTTPS"; probe the FHIR server over HTTPS`},
			{"traffic-manager-profile", "::profile", `Traffic Manager profile "profile": monitorConfig.path is "/", want "/health/check"; probe the FHIR server's health endpoint`},
		}},
		"TCP probe": {"contoso", func(t *testing.T, s *rules.Stack) {
			set(t, s, "profile", "monitorConfig.protocol", "TCP")
			del(t, s, "profile", "monitorConfig.path")
		}, nil, []violation{
			{"traffic-manager-profile", "::profile", `Traffic Manager profile "profile": monitorConfig.protocol is "TCP", want "HTTPS"; probe the FHIR server over HTTPS`},
			{"traffic-manager-profile", "::profile", `Traffic Manager profile "profile": monitorConfig.path is "", want "/health/check"; probe the FHIR server's health endpoint`},
		}},
		"probe on another port": {"contoso", func(t *testing.T, s *rules.Stack) {
			set(t, s, "profile", "monitorConfig.port", 8443)
		}, nil, []violation{{"traffic-manager-profile", "::profile",
			`Traffic Manager profile "profile": probe port 8443, want 443; the FHIR service listens on 443 only`}}},
		"probe without a port": {"contoso", func(t *testing.T, s *rules.Stack) {
			del(t, s, "profile", "monitorConfig.port")
		}, nil, []violation{{"traffic-manager-profile", "::profile",
			`Traffic Manager profile "profile": probe port not set, want 443; the FHIR service listens on 443 only`}}},
		"TTL above Azure's maximum": {"contoso", func(t *testing.T, s *rules.Stack) {
			set(t, s, "profile", "dnsConfig.ttl", 2147483648)
		}, nil, []violation{
			{"traffic-manager-profile", "::profile", `Traffic Manager profile "profile": DNS TTL 2147483648 s; Azure accepts 0 to 2147483647 s`},
			{"rto-budget", "::profile", `Traffic Manager profile "profile": the modeled RTO is 596523h23m13s (detection 35s, DNS TTL 2147483648 s, standby scale-out 8m30s), over the budget of 1h0m0s; probe faster (10 s interval, fewer tolerated failures), lower the TTL or run more standby pods`},
			{"traffic-manager-ttl", "::profile", `Traffic Manager profile "profile" has a DNS TTL of 2147483648 s; clients keep the failed primary that long after failover. Consider trafficManager.ttlSeconds: 60 or less`},
		}},
		// A TTL of 1e19 s converted to a negative int: the RTO met the budget.
		"TTL beyond any duration": {"contoso", func(t *testing.T, s *rules.Stack) {
			set(t, s, "profile", "dnsConfig.ttl", 1e19)
		}, nil, []violation{
			{"traffic-manager-profile", "::profile", `Traffic Manager profile "profile": DNS TTL 9223372036854775807 s; Azure accepts 0 to 2147483647 s`},
			{"rto-budget", "::profile", `Traffic Manager profile "profile": the modeled RTO is 2562047h47m16.854775807s (detection 35s, DNS TTL 9223372036854775807 s, standby scale-out 8m30s), over the budget of 1h0m0s; probe faster (10 s interval, fewer tolerated failures), lower the TTL or run more standby pods`},
			{"traffic-manager-ttl", "::profile", `Traffic Manager profile "profile" has a DNS TTL of 9223372036854775807 s; clients keep the failed primary that long after failover. Consider trafficManager.ttlSeconds: 60 or less`},
		}},
		// 2562047h40m overflowed the RTO sum to a negative value.
		"an operator decision time that overflows the RTO, data tier": {"litware", func(t *testing.T, s *rules.Stack) {
			s.Config.DR.OperatorDecisionTime = &drconfig.Duration{Duration: 2562047*time.Hour + 40*time.Minute}
		}, nil, []violation{{"rto-budget", "", operatorDecisionRange("2562047h40m0s")}}},
		"an operator decision time that overflows the RTO, full tier": {"contoso", func(t *testing.T, s *rules.Stack) {
			s.Config.DR.OperatorDecisionTime = &drconfig.Duration{Duration: 2562047*time.Hour + 40*time.Minute}
		}, nil, []violation{{"rto-budget", "", operatorDecisionRange("2562047h40m0s")}}},
		"an operator decision time beyond drconfig's range": {"litware", func(t *testing.T, s *rules.Stack) {
			s.Config.DR.OperatorDecisionTime = &drconfig.Duration{Duration: 3 * time.Hour}
		}, nil, []violation{{"rto-budget", "", operatorDecisionRange("3h0m0s")}}},
		"a negative operator decision time": {"contoso", func(t *testing.T, s *rules.Stack) {
			s.Config.DR.OperatorDecisionTime = &drconfig.Duration{Duration: -time.Hour}
		}, nil, []violation{{"rto-budget", "", operatorDecisionRange("-1h0m0s")}}},
		"probe timing Azure rejects": {"tailspin", func(t *testing.T, s *rules.Stack) {
			set(t, s, "profile", "monitorConfig.timeoutInSeconds", 10)
		}, nil, []violation{{"traffic-manager-profile", "::profile",
			`Traffic Manager profile "profile": probe timeout 10 s; Azure accepts 5 to 9 s with a 10 s interval`}}},
		"slow probing over the RTO budget": {"contoso", func(t *testing.T, s *rules.Stack) {
			set(t, s, "profile", "monitorConfig.toleratedNumberOfFailures", 9)
			set(t, s, "profile", "dnsConfig.ttl", 3600)
		}, nil, []violation{
			{"rto-budget", "::profile", `Traffic Manager profile "profile": the modeled RTO is 1h10m15s (detection 1m45s, DNS TTL 3600 s, standby scale-out 8m30s), over the budget of 1h0m0s; probe faster (10 s interval, fewer tolerated failures), lower the TTL or run more standby pods`},
			{"traffic-manager-ttl", "::profile", `Traffic Manager profile "profile" has a DNS TTL of 3600 s; clients keep the failed primary that long after failover. Consider trafficManager.ttlSeconds: 60 or less`},
		}},
		"a data tier too slow to decide": {"litware", nil, func(c *rules.Config) { c.RTOData = 79 * time.Minute },
			[]violation{{"rto-budget", "", "the modeled RTO of the data tier is 1h19m15s, over the budget of 1h19m0s; " +
				"shorten dr.operatorDecisionTime or move the customer to the full tier"}}},
		"standby disabled": {"contoso", func(t *testing.T, s *rules.Stack) {
			set(t, s, "secondary-endpoint", "endpointStatus", "Disabled")
		}, nil, []violation{{"traffic-manager-endpoints", "",
			`no Enabled Traffic Manager endpoint has priority 2; keep the standby Enabled at priority 2 so that failover needs no one (a Disabled endpoint is never returned)`}}},
		"priorities swapped": {"contoso", func(t *testing.T, s *rules.Stack) {
			set(t, s, "primary-endpoint", "priority", 2)
			set(t, s, "secondary-endpoint", "priority", 1)
		}, nil, []violation{
			{"traffic-manager-endpoints", "::secondary-endpoint", `Traffic Manager endpoint "secondary-endpoint" at priority 1 targets westus, not the primary region eastus; point it at the primary stamp's ingress`},
			{"traffic-manager-endpoints", "::primary-endpoint", `Traffic Manager endpoint "primary-endpoint", the standby, targets the primary region eastus; point it at the secondary stamp's ingress`},
		}},
		"clusters drift": {"contoso", func(t *testing.T, s *rules.Stack) {
			set(t, s, "secondary-aks", "kubernetesVersion", "1.32")
			set(t, s, "secondary-aks", "agentPoolProfiles[1].maxCount", 4)
		}, nil, []violation{{"aks-mirrored", "::secondary-aks",
			`AKS cluster "secondary-aks" differs from the primary AKS cluster "primary-aks" in agentPoolProfiles[1].maxCount, kubernetesVersion; both clusters must come from one spec (compute.*), so change the spec rather than one cluster`}}},
		"standby workload drifts": {"contoso", func(t *testing.T, s *rules.Stack) {
			set(t, s, "secondary-fhir-deployment", "spec.template.spec.containers[0].image", "mcr.microsoft.com/healthcareapis/r4-fhir-server:old")
			set(t, s, "secondary-fhir-deployment", "spec.template.spec.containers[0].env[14].value", "false")
			set(t, s, "secondary-fhir-hpa", "spec.maxReplicas", 3)
			// The stamp's own values may differ.
			set(t, s, "secondary-fhir-hpa", "spec.minReplicas", 1)
			set(t, s, "secondary-fhir-deployment", "spec.template.spec.containers[0].env[11].value", "centralus")
		}, nil, []violation{
			{"fhir-mirrored", "::secondary-fhir-deployment",
				`kubernetes:apps/v1:Deployment "secondary-fhir-deployment" differs from the primary's in spec.template.spec.containers[0].env.FhirServer__Security__Authentication__Authority, ` +
					`spec.template.spec.containers[0].image; both stamps run the FHIR service from one spec (fhir.*), so change the spec rather than one stamp`},
			{"fhir-mirrored", "::secondary-fhir-hpa",
				`kubernetes:autoscaling/v2:HorizontalPodAutoscaler "secondary-fhir-hpa" differs from the primary's in spec.maxReplicas; ` +
					`both stamps run the FHIR service from one spec (fhir.*), so change the spec rather than one stamp`},
		}},
		"a key for the FHIR server": {"contoso", func(t *testing.T, s *rules.Stack) {
			set(t, s, "primary-fhir-deployment", "spec.template.spec.containers[0].env[6]", map[string]any{"name": "CosmosDb__Key", "value": "c2VjcmV0"})
			del(t, s, "primary-fhir-deployment", `spec.template.metadata.labels["azure.workload.identity/use"]`)
		}, nil, []violation{
			{"fhir-no-keys", "::primary-fhir-deployment",
				`kubernetes:apps/v1:Deployment "primary-fhir-deployment": its pods do not use workload identity; label them azure.workload.identity/use: "true"`},
			{"fhir-no-keys", "::primary-fhir-deployment",
				`kubernetes:apps/v1:Deployment "primary-fhir-deployment": CosmosDb__Key gives the server a Cosmos DB key; remove it, the workload identity is the only credential`},
			{"fhir-no-keys", "::primary-fhir-deployment",
				`kubernetes:apps/v1:Deployment "primary-fhir-deployment": set CosmosDb__UseManagedIdentity=true so the server uses its workload identity`},
			{"fhir-mirrored", "::secondary-fhir-deployment",
				`kubernetes:apps/v1:Deployment "secondary-fhir-deployment" differs from the primary's in spec.template.metadata.labels.azure.workload.identity/use, ` +
					`spec.template.spec.containers[0].env.CosmosDb__Key, spec.template.spec.containers[0].env.CosmosDb__UseManagedIdentity; ` +
					`both stamps run the FHIR service from one spec (fhir.*), so change the spec rather than one stamp`},
		}},
		"a privileged root FHIR pod on the host": {"contoso", func(t *testing.T, s *rules.Stack) {
			for _, stamp := range []string{"primary", "secondary"} {
				d := stamp + "-fhir-deployment"
				set(t, s, d, "spec.template.spec.hostNetwork", true)
				set(t, s, d, "spec.template.spec.hostPID", true)
				set(t, s, d, "spec.template.spec.hostIPC", true)
				set(t, s, d, "spec.template.spec.volumes", []any{
					map[string]any{"name": "tls", "secret": map[string]any{"secretName": "fhir-tls"}},
					map[string]any{"name": "node", "hostPath": map[string]any{"path": "/"}},
				})
				set(t, s, d, "spec.template.spec.securityContext.runAsNonRoot", false)
				set(t, s, d, "spec.template.spec.containers[0].securityContext", map[string]any{
					"privileged": true, "allowPrivilegeEscalation": true, "runAsUser": 0,
					"capabilities":   map[string]any{"add": []any{"NET_BIND_SERVICE", "NET_ADMIN", "CAP_SYS_ADMIN"}},
					"seccompProfile": map[string]any{"type": "Unconfined"},
				})
			}
		}, nil, podViolations("primary", "secondary")},
		"a container that sets nothing": {"contoso", func(t *testing.T, s *rules.Stack) {
			for _, stamp := range []string{"primary", "secondary"} {
				d := stamp + "-fhir-deployment"
				del(t, s, d, "spec.template.spec.securityContext")
				del(t, s, d, "spec.template.spec.containers[0].securityContext")
			}
		}, nil, []violation{
			{"k8s-pod-unprivileged", "::primary-fhir-deployment", fhirContainer("primary") + ` may escalate its privileges; set securityContext.allowPrivilegeEscalation: false`},
			{"k8s-pod-unprivileged", "::primary-fhir-deployment", fhirContainer("primary") + ` may run as root; set securityContext.runAsNonRoot: true with the image's non-root runAsUser`},
			{"k8s-pod-unprivileged", "::primary-fhir-deployment", fhirContainer("primary") + ` keeps the default capabilities; set securityContext.capabilities.drop: [ALL]`},
			{"k8s-pod-unprivileged", "::primary-fhir-deployment", fhirContainer("primary") + ` runs without a seccomp profile; set securityContext.seccompProfile.type: RuntimeDefault`},
			{"k8s-pod-unprivileged", "::secondary-fhir-deployment", fhirContainer("secondary") + ` may escalate its privileges; set securityContext.allowPrivilegeEscalation: false`},
			{"k8s-pod-unprivileged", "::secondary-fhir-deployment", fhirContainer("secondary") + ` may run as root; set securityContext.runAsNonRoot: true with the image's non-root runAsUser`},
			{"k8s-pod-unprivileged", "::secondary-fhir-deployment", fhirContainer("secondary") + ` keeps the default capabilities; set securityContext.capabilities.drop: [ALL]`},
			{"k8s-pod-unprivileged", "::secondary-fhir-deployment", fhirContainer("secondary") + ` runs without a seccomp profile; set securityContext.seccompProfile.type: RuntimeDefault`},
		}},
		"root by the pod's user, non-root by the container's": {"contoso", func(t *testing.T, s *rules.Stack) {
			for _, stamp := range []string{"primary", "secondary"} {
				d := stamp + "-fhir-deployment"
				set(t, s, d, "spec.template.spec.securityContext.runAsUser", 0)
				set(t, s, d, "spec.template.spec.containers[0].securityContext.runAsUser", 1654)
				// An init container that inherits the pod's root user.
				set(t, s, d, "spec.template.spec.initContainers", []any{map[string]any{"name": "init", "image": "busybox",
					"securityContext": map[string]any{"allowPrivilegeEscalation": false, "capabilities": map[string]any{"drop": []any{"ALL"}}}}})
			}
		}, nil, []violation{
			{"k8s-pod-unprivileged", "::primary-fhir-deployment", `kubernetes:apps/v1:Deployment "primary-fhir-deployment": container "init" runs as root (runAsUser 0); run as the image's non-root user`},
			{"k8s-pod-unprivileged", "::secondary-fhir-deployment", `kubernetes:apps/v1:Deployment "secondary-fhir-deployment": container "init" runs as root (runAsUser 0); run as the image's non-root user`},
		}},
		"a privileged namespace and one without a standard": {"contoso", func(t *testing.T, s *rules.Stack) {
			set(t, s, "primary-fhir-namespace", `metadata.labels["pod-security.kubernetes.io/enforce"]`, "privileged")
			set(t, s, "secondary-fhir-namespace", `metadata.labels["pod-security.kubernetes.io/enforce"]`, "privileged")
		}, nil, []violation{
			{"k8s-namespace-pod-security", "::primary-fhir-namespace", `kubernetes:core/v1:Namespace "primary-fhir-namespace" enforces the "privileged" Pod Security Standard, which admits privileged pods; label it pod-security.kubernetes.io/enforce: restricted (or baseline)`},
			{"k8s-namespace-pod-security", "::secondary-fhir-namespace", `kubernetes:core/v1:Namespace "secondary-fhir-namespace" enforces the "privileged" Pod Security Standard, which admits privileged pods; label it pod-security.kubernetes.io/enforce: restricted (or baseline)`},
		}},
		"namespaces without a Pod Security Standard": {"contoso", func(t *testing.T, s *rules.Stack) {
			del(t, s, "primary-fhir-namespace", `metadata.labels["pod-security.kubernetes.io/enforce"]`)
			del(t, s, "secondary-fhir-namespace", `metadata.labels["pod-security.kubernetes.io/enforce"]`)
		}, nil, []violation{
			{"k8s-namespace-pod-security", "::primary-fhir-namespace", `kubernetes:core/v1:Namespace "primary-fhir-namespace" enforces no Pod Security Standard, so it admits privileged pods; label it pod-security.kubernetes.io/enforce: restricted`},
			{"k8s-namespace-pod-security", "::secondary-fhir-namespace", `kubernetes:core/v1:Namespace "secondary-fhir-namespace" enforces no Pod Security Standard, so it admits privileged pods; label it pod-security.kubernetes.io/enforce: restricted`},
		}},
		"a baseline namespace": {"contoso", func(t *testing.T, s *rules.Stack) {
			set(t, s, "primary-fhir-namespace", `metadata.labels["pod-security.kubernetes.io/enforce"]`, "baseline")
			set(t, s, "secondary-fhir-namespace", `metadata.labels["pod-security.kubernetes.io/enforce"]`, "baseline")
		}, nil, nil},
		"standby without the FHIR service": {"contoso", func(t *testing.T, s *rules.Stack) {
			s.Resources = slices.DeleteFunc(s.Resources, func(r rules.Resource) bool { return strings.HasPrefix(r.Name, "secondary-fhir-") })
		}, nil, []violation{{"fhir-mirrored", "", "the secondary stamp runs no FHIR server Deployment; both stamps run the FHIR service"}}},
		"cluster open to the internet with local accounts": {"contoso", func(t *testing.T, s *rules.Stack) {
			for _, name := range []string{"primary-aks", "secondary-aks"} {
				set(t, s, name, "apiServerAccessProfile.authorizedIPRanges", []any{"0.0.0.0/0"})
				set(t, s, name, "disableLocalAccounts", false)
			}
		}, nil, []violation{
			{"aks-hardened", "::primary-aks", `AKS cluster "primary-aks": disableLocalAccounts is not true; turn local accounts off so every access is audited`},
			{"aks-hardened", "::primary-aks", openAPIServer("primary-aks", "0.0.0.0/0")},
			{"aks-hardened", "::primary-aks", wideRange("primary-aks", 0, "0.0.0.0/0", 8)},
			{"aks-hardened", "::secondary-aks", `AKS cluster "secondary-aks": disableLocalAccounts is not true; turn local accounts off so every access is audited`},
			{"aks-hardened", "::secondary-aks", openAPIServer("secondary-aks", "0.0.0.0/0")},
			{"aks-hardened", "::secondary-aks", wideRange("secondary-aks", 0, "0.0.0.0/0", 8)},
		}},
		"API server with no authorized ranges": {"contoso", func(t *testing.T, s *rules.Stack) {
			bothClusters(t, s, "apiServerAccessProfile.authorizedIPRanges", []any{})
		}, nil, []violation{
			{"aks-hardened", "::primary-aks", `AKS cluster "primary-aks" has its API server open to the internet; ` + apiServerFix},
			{"aks-hardened", "::secondary-aks", `AKS cluster "secondary-aks" has its API server open to the internet; ` + apiServerFix},
		}},
		"API server ranges that together admit the internet": {"contoso", func(t *testing.T, s *rules.Stack) {
			bothClusters(t, s, "apiServerAccessProfile.authorizedIPRanges", []any{"0.0.0.0/1", "203.0.113.0/24", "128.0.0.0/1"})
		}, nil, []violation{
			{"aks-hardened", "::primary-aks", openAPIServer("primary-aks", "0.0.0.0/0")},
			{"aks-hardened", "::primary-aks", wideRange("primary-aks", 0, "0.0.0.0/1", 8)},
			{"aks-hardened", "::primary-aks", wideRange("primary-aks", 2, "128.0.0.0/1", 8)},
			{"aks-hardened", "::secondary-aks", openAPIServer("secondary-aks", "0.0.0.0/0")},
			{"aks-hardened", "::secondary-aks", wideRange("secondary-aks", 0, "0.0.0.0/1", 8)},
			{"aks-hardened", "::secondary-aks", wideRange("secondary-aks", 2, "128.0.0.0/1", 8)},
		}},
		"API server open to every IPv6 address": {"contoso", func(t *testing.T, s *rules.Stack) {
			set(t, s, "primary-aks", "apiServerAccessProfile.authorizedIPRanges", []any{"203.0.113.0/24", "::/0"})
			set(t, s, "secondary-aks", "apiServerAccessProfile.authorizedIPRanges", []any{"203.0.113.0/24", "::/0"})
		}, nil, []violation{
			{"aks-hardened", "::primary-aks", openAPIServer("primary-aks", "::/0")},
			{"aks-hardened", "::primary-aks", wideRange("primary-aks", 1, "::/0", 32)},
			{"aks-hardened", "::secondary-aks", openAPIServer("secondary-aks", "::/0")},
			{"aks-hardened", "::secondary-aks", wideRange("secondary-aks", 1, "::/0", 32)},
		}},
		"API server open to both IPv6 halves": {"contoso", func(t *testing.T, s *rules.Stack) {
			bothClusters(t, s, "apiServerAccessProfile.authorizedIPRanges", []any{"::/1", "8000::/1"})
		}, nil, []violation{
			{"aks-hardened", "::primary-aks", openAPIServer("primary-aks", "::/0")},
			{"aks-hardened", "::primary-aks", wideRange("primary-aks", 0, "::/1", 32)},
			{"aks-hardened", "::primary-aks", wideRange("primary-aks", 1, "8000::/1", 32)},
			{"aks-hardened", "::secondary-aks", openAPIServer("secondary-aks", "::/0")},
			{"aks-hardened", "::secondary-aks", wideRange("secondary-aks", 0, "::/1", 32)},
			{"aks-hardened", "::secondary-aks", wideRange("secondary-aks", 1, "8000::/1", 32)},
		}},
		"API server ranges too wide or not canonical": {"contoso", func(t *testing.T, s *rules.Stack) {
			bothClusters(t, s, "apiServerAccessProfile.authorizedIPRanges", []any{"16.0.0.0/4", "203.0.113.7/24", "203.0.113.7", "2001::/16"})
		}, nil, []violation{
			{"aks-hardened", "::primary-aks", wideRange("primary-aks", 0, "16.0.0.0/4", 8)},
			{"aks-hardened", "::primary-aks", rangeProblem("primary-aks", 1, "203.0.113.7/24 has host bits set; write 203.0.113.0/24")},
			{"aks-hardened", "::primary-aks", notCIDR("primary-aks", 2, `"203.0.113.7"`)},
			{"aks-hardened", "::primary-aks", wideRange("primary-aks", 3, "2001::/16", 32)},
			{"aks-hardened", "::secondary-aks", wideRange("secondary-aks", 0, "16.0.0.0/4", 8)},
			{"aks-hardened", "::secondary-aks", rangeProblem("secondary-aks", 1, "203.0.113.7/24 has host bits set; write 203.0.113.0/24")},
			{"aks-hardened", "::secondary-aks", notCIDR("secondary-aks", 2, `"203.0.113.7"`)},
			{"aks-hardened", "::secondary-aks", wideRange("secondary-aks", 3, "2001::/16", 32)},
		}},
		"API server ranges that are not CIDR ranges": {"contoso", func(t *testing.T, s *rules.Stack) {
			bothClusters(t, s, "apiServerAccessProfile.authorizedIPRanges", []any{"0.0.0.0/0 ", "*", "203.0.113.0/24", 42})
		}, nil, []violation{
			{"aks-hardened", "::primary-aks", notCIDR("primary-aks", 0, `"0.0.0.0/0 "`)},
			{"aks-hardened", "::primary-aks", notCIDR("primary-aks", 1, `"*"`)},
			{"aks-hardened", "::primary-aks", notCIDR("primary-aks", 3, "42")},
			{"aks-hardened", "::secondary-aks", notCIDR("secondary-aks", 0, `"0.0.0.0/0 "`)},
			{"aks-hardened", "::secondary-aks", notCIDR("secondary-aks", 1, `"*"`)},
			{"aks-hardened", "::secondary-aks", notCIDR("secondary-aks", 3, "42")},
		}},
		"Kubernetes RBAC off": {"contoso", func(t *testing.T, s *rules.Stack) {
			bothClusters(t, s, "enableRBAC", false)
		}, nil, []violation{
			{"aks-hardened", "::primary-aks", `AKS cluster "primary-aks": enableRBAC is not true; Kubernetes RBAC must be on; without it every authenticated identity is cluster admin`},
			{"aks-hardened", "::secondary-aks", `AKS cluster "secondary-aks": enableRBAC is not true; Kubernetes RBAC must be on; without it every authenticated identity is cluster admin`},
		}},
		"no network policy": {"contoso", func(t *testing.T, s *rules.Stack) {
			set(t, s, "primary-aks", "networkProfile.networkPolicy", "none")
			set(t, s, "secondary-aks", "networkProfile.networkPolicy", "none")
		}, nil, []violation{
			{"aks-network-policy", "::primary-aks", `AKS cluster "primary-aks": networkProfile.networkPolicy is "none", so every pod can reach every other; set it to azure, calico, cilium`},
			{"aks-network-policy", "::secondary-aks", `AKS cluster "secondary-aks": networkProfile.networkPolicy is "none", so every pod can reach every other; set it to azure, calico, cilium`},
		}},
		"network policy not set": {"fabrikam", func(t *testing.T, s *rules.Stack) {
			del(t, s, "primary-aks", "networkProfile.networkPolicy")
			del(t, s, "secondary-aks", "networkProfile.networkPolicy")
		}, nil, []violation{
			{"aks-network-policy", "::primary-aks", `AKS cluster "primary-aks": networkProfile.networkPolicy is not set, so every pod can reach every other; set it to azure, calico, cilium`},
			{"aks-network-policy", "::secondary-aks", `AKS cluster "secondary-aks": networkProfile.networkPolicy is not set, so every pod can reach every other; set it to azure, calico, cilium`},
		}},
		"workload identity and OIDC issuer off": {"contoso", func(t *testing.T, s *rules.Stack) {
			bothClusters(t, s, "oidcIssuerProfile.enabled", false)
			for _, name := range []string{"primary-aks", "secondary-aks"} {
				del(t, s, name, "securityProfile.workloadIdentity")
			}
		}, nil, []violation{
			{"aks-workload-identity", "::primary-aks", `AKS cluster "primary-aks": oidcIssuerProfile.enabled is not true; the workload identity's federated credentials trust the cluster's OIDC issuer`},
			{"aks-workload-identity", "::primary-aks", `AKS cluster "primary-aks": securityProfile.workloadIdentity.enabled is not true; pods reach Azure with workload identity, never with keys`},
			{"aks-workload-identity", "::secondary-aks", `AKS cluster "secondary-aks": oidcIssuerProfile.enabled is not true; the workload identity's federated credentials trust the cluster's OIDC issuer`},
			{"aks-workload-identity", "::secondary-aks", `AKS cluster "secondary-aks": securityProfile.workloadIdentity.enabled is not true; pods reach Azure with workload identity, never with keys`},
		}},
		"a single-zone node pool in a zoned region": {"contoso", func(t *testing.T, s *rules.Stack) {
			del(t, s, "primary-aks", "agentPoolProfiles[0].availabilityZones")
		}, nil, []violation{{"aks-zone-redundancy", "::primary-aks",
			`AKS cluster "primary-aks": node pool "system" is in one zone of eastus, which has availability zones; set its zones (compute.nodePools[].zones)`}}},
		"a zoned region without zone redundancy": {"litware", func(t *testing.T, s *rules.Stack) {
			set(t, s, account, "locations[0].isZoneRedundant", false)
		}, nil, []violation{{"cosmos-zone-redundancy", "::account",
			`Cosmos DB account "account": region uksouth has availability zones but is not zone-redundant; set cosmos.zoneRedundant for it when the region is (re)added`}}},
		"missing tags and ticket": {"contoso", func(t *testing.T, s *rules.Stack) {
			del(t, s, "secondary-vnet", "tags.billing-meter")
			set(t, s, "secondary-rg", "tags.dr-ticket", "none")
			del(t, s, account, "tags.customer")
		}, nil, []violation{
			{"required-tags", "::secondary-rg", `resource group "secondary-rg" is a DR resource without a ticket; set dr.ticket to the support ticket that asked for DR`},
			{"required-tags", "::account", `Cosmos DB account "account" lacks the tags customer; register it with the tags of drconfig (ResourceTags or DataTags)`},
			{"required-tags", "::secondary-vnet", `azure-native:network:VirtualNetwork "secondary-vnet" lacks the tags billing-meter; register it with the tags of drconfig (ResourceTags or DataTags)`},
		}},
		"a rule disabled by config": {"contoso", func(t *testing.T, s *rules.Stack) { set(t, s, account, "minimalTlsVersion", "Tls11") },
			func(c *rules.Config) { c.Levels = map[string]rules.Level{"cosmos-tls12": rules.Disabled} }, nil},
	} {
		t.Run(name, func(t *testing.T) {
			s := exampleStack(t, tc.customer)
			if tc.change != nil {
				tc.change(t, &s)
			}
			cfg := rules.DefaultConfig()
			if tc.cfg != nil {
				tc.cfg(&cfg)
			}
			var got []violation
			for _, d := range rules.Check(cfg, s) {
				suffix := ""
				if d.URN != "" {
					suffix = "::" + resource.URN(d.URN).Name()
				}
				got = append(got, violation{d.Rule, suffix, d.Message})
			}
			assert.ElementsMatch(t, tc.want, got)
		})
	}
}

func TestLevelsFromConfig(t *testing.T) {
	s := exampleStack(t, "contoso")
	set(t, &s, "account", "minimalTlsVersion", "Tls11")
	cfg := rules.DefaultConfig()
	cfg.Levels = map[string]rules.Level{"cosmos-tls12": rules.Advisory}
	ds := rules.Check(cfg, s)
	require.Len(t, ds, 1)
	assert.Equal(t, rules.Advisory, ds[0].Level)
	assert.Empty(t, rules.MandatoryOnly(ds))

	assert.NoError(t, cfg.Validate())
	cfg.Levels = map[string]rules.Level{"cosmos-tls13": rules.Advisory, "cosmos-tls12": "strict"}
	assert.EqualError(t, cfg.Validate(), `policy config: rule "cosmos-tls12": unknown enforcement level "strict"; unknown rule "cosmos-tls13"`)
}

// DisabledRules names the rules a config disables, in the order of All.
func TestDisabledRules(t *testing.T) {
	assert.Empty(t, rules.DefaultConfig().DisabledRules())
	cfg := rules.DefaultConfig()
	cfg.Levels = map[string]rules.Level{"rto-budget": rules.Disabled, "cosmos-tls12": rules.Disabled, "required-tags": rules.Advisory}
	assert.Equal(t, []string{"cosmos-tls12", "rto-budget"}, cfg.DisabledRules())
	cfg.Levels = map[string]rules.Level{}
	for _, r := range rules.All() {
		cfg.Levels[r.Name] = rules.Disabled
	}
	assert.Len(t, cfg.DisabledRules(), len(rules.All()))
}

// Without the stack's configuration, the DR intent is read from the
// resources.
func TestIntentFromResources(t *testing.T) {
	s := exampleStack(t, "contoso")
	s.Config = nil
	set(t, &s, "account", "enableAutomaticFailover", false)
	ds := rules.MandatoryOnly(rules.Check(rules.DefaultConfig(), s))
	require.Len(t, ds, 1)
	assert.Equal(t, "cosmos-automatic-failover", ds[0].Rule)

	adatum := exampleStack(t, "adatum")
	adatum.Config = nil
	set(t, &adatum, "account", "enableAutomaticFailover", false)
	assert.Empty(t, rules.Check(rules.DefaultConfig(), adatum), "not a DR stack")
}

func TestEveryRuleIsDocumented(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range rules.All() {
		assert.False(t, seen[r.Name], r.Name)
		seen[r.Name] = true
		assert.NotEmpty(t, r.Description, r.Name)
		assert.Contains(t, []rules.Level{rules.Mandatory, rules.Advisory}, r.Level, r.Name)
	}
}

// The README's rule table lists every rule, in order, with its level, scope
// and description, and nothing else.
func TestREADMEListsEveryRule(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	require.NoError(t, err)
	var want, got []string
	for _, r := range rules.All() {
		scope := "resource"
		if r.Scope == rules.StackScope {
			scope = "stack"
		}
		want = append(want, "| `"+r.Name+"` | "+string(r.Level)+" | "+scope+" | "+r.Description+" |")
	}
	_, table, ok := strings.Cut(string(b), "| Rule | Level | Scope | What it enforces |\n|---|---|---|---|\n")
	require.True(t, ok, "README has the rule table")
	for _, line := range strings.Split(table, "\n") {
		if !strings.HasPrefix(line, "| `") {
			break
		}
		got = append(got, line)
	}
	assert.Equal(t, want, got)
}
