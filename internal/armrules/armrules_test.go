package armrules

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fhir-dr/fhir-dr/azure/containerservice"
	"github.com/fhir-dr/fhir-dr/azure/cosmosdb"
	"github.com/fhir-dr/fhir-dr/azure/network"
	"github.com/fhir-dr/fhir-dr/azure/resources"
)

func TestReplaceRulesParse(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range ReplaceRules() {
		_, err := parsePattern(r.Path)
		require.NoError(t, err, r.Path)
		assert.NotEmpty(t, r.Reason)
		key := r.Token + " " + r.Path
		assert.False(t, seen[key], "duplicate rule %s", key)
		seen[key] = true
	}
}

func props(v map[string]any) resource.PropertyMap { return resource.NewPropertyMapFromMap(v) }

func TestReplacements(t *testing.T) {
	cluster := func(dnsPrefix, subnet0 string, pools int) resource.PropertyMap {
		var profiles []any
		for i := range pools {
			subnet := "/subnets/nodes"
			if i == 0 {
				subnet = subnet0
			}
			profiles = append(profiles, map[string]any{"name": "pool", "vnetSubnetID": subnet, "count": 3})
		}
		return props(map[string]any{
			"resourceName": "aks", "dnsPrefix": dnsPrefix, "agentPoolProfiles": profiles,
			"tags": map[string]any{"a": "b"},
		})
	}
	const aks = containerservice.ManagedClusterToken
	for name, tc := range map[string]struct {
		token      string
		olds, news resource.PropertyMap
		want       []Replacement
	}{
		"no change": {aks, cluster("p", "/s", 1), cluster("p", "/s", 1), nil},
		"dns prefix": {aks, cluster("p", "/s", 1), cluster("q", "/s", 1), []Replacement{
			{"dnsPrefix", "the API server's DNS prefix cannot be updated once the cluster exists"},
		}},
		"subnet of an existing pool": {aks, cluster("p", "/s", 2), cluster("p", "/t", 2), []Replacement{
			{"agentPoolProfiles[0].vnetSubnetID", "a node pool's subnet is chosen at creation"},
		}},
		"a pool added is not a replacement": {aks, cluster("p", "/s", 1), cluster("p", "/s", 2), nil},
		"a value not known before deployment may replace": {aks, cluster("p", "/s", 1), func() resource.PropertyMap {
			m := cluster("p", "/s", 1)
			m["dnsPrefix"] = resource.MakeComputed(resource.NewProperty(""))
			return m
		}(), []Replacement{{"dnsPrefix", "the API server's DNS prefix cannot be updated once the cluster exists (not known before deployment)"}}},
		"account location": {cosmosdb.DatabaseAccountToken,
			props(map[string]any{"accountName": "a", "location": "eastus"}),
			props(map[string]any{"accountName": "a", "location": "westus"}),
			[]Replacement{{"location", reasonLocation}}},
		"container partition key": {cosmosdb.SqlResourceSqlContainerToken,
			props(map[string]any{"resource": map[string]any{"id": "fhirR4", "partitionKey": map[string]any{"paths": []any{"/a"}}}}),
			props(map[string]any{"resource": map[string]any{"id": "fhirR4", "partitionKey": map[string]any{"paths": []any{"/b"}}}}),
			[]Replacement{{"resource.partitionKey", "a container's partition key cannot be changed"}}},
		"an input set where it was unset": {network.PublicIPAddressToken,
			props(map[string]any{"publicIpAddressName": "ip"}),
			props(map[string]any{"publicIpAddressName": "ip", "zones": []any{"1"}}),
			[]Replacement{{"zones", "a public IP's zones are chosen at creation"}}},
		"tags change in place": {resources.ResourceGroupToken,
			props(map[string]any{"resourceGroupName": "rg", "tags": map[string]any{"a": "1"}}),
			props(map[string]any{"resourceGroupName": "rg", "tags": map[string]any{"a": "2"}}), nil},
	} {
		t.Run(name, func(t *testing.T) {
			assert.Equal(t, tc.want, Replacements(tc.token, tc.olds, tc.news))
		})
	}
}

func account(tags string, locs ...any) resource.PropertyMap {
	return props(map[string]any{
		"accountName": "cosmos-contoso", "locations": locs,
		"tags":              map[string]any{"ticket": tags},
		"consistencyPolicy": map[string]any{"defaultConsistencyLevel": "Session"},
		"backupPolicy":      map[string]any{"type": "Periodic"},
	})
}

func loc(name string, priority int, zr bool) map[string]any {
	return map[string]any{"locationName": name, "failoverPriority": priority, "isZoneRedundant": zr}
}

func TestCheckDatabaseAccount(t *testing.T) {
	primaryOnly := account("T-1", loc("eastus", 0, true))
	withDR := account("T-1", loc("eastus", 0, true), loc("westus", 1, false))
	for name, tc := range map[string]struct {
		olds, news resource.PropertyMap
		want       []Violation
	}{
		"create":                          {nil, withDR, nil},
		"add a region alone":              {primaryOnly, withDR, nil},
		"remove a read region alone":      {withDR, primaryOnly, nil},
		"only tags":                       {withDR, account("T-2", loc("eastus", 0, true), loc("westus", 1, false)), nil},
		"same region spelled differently": {withDR, account("T-1", loc("East US", 0, true), loc("West US", 1, false)), nil},
		"add a region with a tag change": {primaryOnly, account("T-2", loc("eastus", 0, true), loc("westus", 1, false)), []Violation{{
			"locations", "adding or removing regions (add westus) cannot be combined with other account changes (tags) in one request: " +
				"make the other changes first, then change the regions on their own", KindCombinedRegionChange,
		}}},
		"two write regions": {nil, account("T-1", loc("eastus", 0, true), loc("westus", 0, false)), []Violation{{
			"locations[1].failoverPriority", "failover priority 0 is given to both eastus and westus: priorities must be unique " +
				"(an account has one write region; multi-region writes are a separate setting)", KindRejected,
		}}},
		"no write region": {nil, account("T-1", loc("eastus", 1, true)), []Violation{{
			"locations", "no location has failover priority 0 (the write region)", KindRejected,
		}}},
		"a region twice": {nil, account("T-1", loc("eastus", 0, true), loc("East US", 1, true)), []Violation{{
			"locations[1].locationName", "region East US is listed twice", KindRejected,
		}}},
		"remove the write region": {withDR, account("T-1", loc("westus", 0, false)), []Violation{{
			"locations", "the write region eastus cannot be removed: fail over to another region first (drctl failover), then remove it", KindWriteRegionRemoved,
		}}},
		"swap the write region by config": {withDR, account("T-1", loc("eastus", 1, true), loc("westus", 0, false)), []Violation{{
			"locations", "the write region changes from eastus to westus: Azure changes the write region only through a failover " +
				"(failoverPriorityChange), not an account update", KindWriteRegionMoved,
		}}},
		"zone redundancy of an existing region": {withDR, account("T-1", loc("eastus", 0, true), loc("westus", 1, true)), []Violation{{
			"locations[1].isZoneRedundant", "zone redundancy of westus is off and can only be chosen when the region is added: declare it as deployed " +
				"(fhir-dr: cosmos.zoneRedundant.primary, .secondary, or .retiring for a retiring secondary), or remove the region and add it again", KindRejected,
		}}},
		"unknown tags are not judged": {primaryOnly, func() resource.PropertyMap {
			m := withDR.Copy()
			m["tags"] = resource.MakeComputed(resource.NewProperty(""))
			return m
		}(), nil},
		"bounded staleness too tight for two regions": {nil, func() resource.PropertyMap {
			m := withDR.Copy()
			m["consistencyPolicy"] = resource.NewProperty(props(map[string]any{
				"defaultConsistencyLevel": "BoundedStaleness", "maxIntervalInSeconds": 60, "maxStalenessPrefix": 100_000,
			}))
			return m
		}(), []Violation{{
			"consistencyPolicy.maxIntervalInSeconds", "BoundedStaleness needs maxIntervalInSeconds between 300 and 86400 for 2 region(s)", KindRejected,
		}}},
		"continuous back to periodic backups": {func() resource.PropertyMap {
			m := withDR.Copy()
			m["backupPolicy"] = resource.NewProperty(props(map[string]any{"type": "Continuous"}))
			return m
		}(), withDR, []Violation{{
			"backupPolicy", "the backup mode cannot go back from Continuous to Periodic: Azure migrates an account from periodic to continuous backups one way only", KindRejected,
		}}},
		"backup mode change with a tag change": {withDR, func() resource.PropertyMap {
			m := account("T-2", loc("eastus", 0, true), loc("westus", 1, false))
			m["backupPolicy"] = resource.NewProperty(props(map[string]any{"type": "Continuous"}))
			return m
		}(), []Violation{{
			"backupPolicy", "changing the backup mode from Periodic to Continuous cannot be combined with other account changes (tags)", KindRejected,
		}}},
	} {
		t.Run(name, func(t *testing.T) {
			assert.Equal(t, tc.want, CheckDatabaseAccount(tc.olds, tc.news))
		})
	}
}
