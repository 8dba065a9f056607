package program_test

import (
	"encoding/json"
	"errors"
	"maps"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fhir-dr/fhir-dr/drconfig"
	"github.com/fhir-dr/fhir-dr/internal/render"
	"github.com/fhir-dr/fhir-dr/program"
)

// validFull is a valid full-tier configuration; the bad cases change one
// thing each.
func validFull() map[string]string {
	return map[string]string{
		"fhir-dr:customer":      "acme",
		"fhir-dr:primaryRegion": "eastus",
		"fhir-dr:dr":            `{"enabled":true,"paging":{"actionGroupId":"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-platform-oncall/providers/Microsoft.Insights/actionGroups/ag-fhir-oncall"},"tier":"full","ticket":"SR-1"}`,
		"fhir-dr:compute":       `{"apiServer":{"private":true}}`,
		"fhir-dr:fhir":          `{"version":"4.0.1","auth":{"authority":"https://login.microsoftonline.com/t","audience":"https://fhir.example"}}`,
	}
}

func with(changes map[string]string) map[string]string {
	v := validFull()
	for k, val := range changes {
		if val == "" {
			delete(v, k)
		} else {
			v[k] = val
		}
	}
	return v
}

func TestValidConfigRenders(t *testing.T) {
	plan, err := render.Run("acme", validFull(), program.Deploy)
	require.NoError(t, err)
	assert.Len(t, plan.Resources, 27+3+2+6+2*7+2+2*5+1+12+3+2,
		"27 before the workload; 3 components, 2 ingress IP grants, 6 identity resources, 7 workload objects per stamp, 2 locks, "+
			"5 private access resources per stamp; the alerting component, its 12 rules, 3 web tests, their component and workspace")
}

// TestBadConfig checks that each invalid configuration fails with exactly
// the expected problems, naming the stack file and the key, and that the
// program registers nothing.
func TestBadConfig(t *testing.T) {
	cases := []struct {
		name   string
		values map[string]string
		want   drconfig.Problems
	}{
		{"unknown region", with(map[string]string{"fhir-dr:primaryRegion": "eastuss"}),
			drconfig.Problems{{Key: "fhir-dr:primaryRegion", Message: `unknown Azure region "eastuss" (did you mean "eastus"?)`}}},
		{"unknown secondary region", with(map[string]string{"fhir-dr:dr": `{"enabled":true,"paging":{"actionGroupId":"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-platform-oncall/providers/Microsoft.Insights/actionGroups/ag-fhir-oncall"},"tier":"full","ticket":"SR-1","secondaryRegion":"mars"}`}),
			drconfig.Problems{{Key: "fhir-dr:dr.secondaryRegion", Message: `unknown Azure region "mars"`}}},
		{"same primary and secondary", with(map[string]string{"fhir-dr:dr": `{"enabled":true,"paging":{"actionGroupId":"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-platform-oncall/providers/Microsoft.Insights/actionGroups/ag-fhir-oncall"},"tier":"full","ticket":"SR-1","secondaryRegion":"eastus"}`}),
			drconfig.Problems{{Key: "fhir-dr:dr.secondaryRegion", Message: "must differ from primaryRegion eastus: a replica in the same region survives no regional outage"}}},
		{"no pair and no secondary", with(map[string]string{"fhir-dr:primaryRegion": "italynorth"}),
			drconfig.Problems{{Key: "fhir-dr:dr.secondaryRegion", Message: "is required: italynorth has no Azure paired region; name the DR region explicitly"}}},
		{"restricted pair needs an explicit secondary", with(map[string]string{"fhir-dr:primaryRegion": "francecentral"}),
			drconfig.Problems{{Key: "fhir-dr:dr.secondaryRegion", Message: "is required: francecentral's paired region francesouth is access-restricted; request access for the subscription and set dr.secondaryRegion: francesouth, or choose another region"}}},
		{"write region neither primary nor secondary", with(map[string]string{"fhir-dr:dr": `{"enabled":true,"paging":{"actionGroupId":"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-platform-oncall/providers/Microsoft.Insights/actionGroups/ag-fhir-oncall"},"tier":"full","ticket":"SR-1","writeRegion":"centralus","writeRegionChange":"x"}`}),
			drconfig.Problems{{Key: "fhir-dr:dr.writeRegion", Message: `must be the primary region eastus or the secondary region westus, got "centralus"`}}},
		{"write region moved by hand", with(map[string]string{"fhir-dr:dr": `{"enabled":true,"paging":{"actionGroupId":"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-platform-oncall/providers/Microsoft.Insights/actionGroups/ag-fhir-oncall"},"tier":"full","ticket":"SR-1","writeRegion":"westus"}`}),
			drconfig.Problems{{Key: "fhir-dr:dr.writeRegionChange", Message: "required when the write region is not the primary: the record drctl failover writes; move the write region with drctl failover, not by editing the stack file"}}},
		{"disabling DR while failed over", with(map[string]string{"fhir-dr:dr": `{"enabled":false,"writeRegion":"westus","writeRegionChange":"x"}`}),
			drconfig.Problems{{Key: "fhir-dr:dr.writeRegion", Message: "is westus, but DR is disabled: fail back to eastus (drctl failback) before disabling DR, because the write region cannot be removed"}}},
		{"retiring the primary", with(map[string]string{"fhir-dr:dr": `{"enabled":true,"paging":{"actionGroupId":"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-platform-oncall/providers/Microsoft.Insights/actionGroups/ag-fhir-oncall"},"tier":"full","ticket":"SR-1","retiringSecondaryRegion":"eastus"}`}),
			drconfig.Problems{{Key: "fhir-dr:dr.retiringSecondaryRegion", Message: "must be the old secondary region, neither primaryRegion nor secondaryRegion, got eastus"}}},
		{"retiring an unknown region", with(map[string]string{"fhir-dr:dr": `{"enabled":true,"paging":{"actionGroupId":"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-platform-oncall/providers/Microsoft.Insights/actionGroups/ag-fhir-oncall"},"tier":"full","ticket":"SR-1","retiringSecondaryRegion":"westuss"}`}),
			drconfig.Problems{{Key: "fhir-dr:dr.retiringSecondaryRegion", Message: `unknown Azure region "westuss" (did you mean "westus"?)`}}},
		{"retiring zone redundancy without a move", with(map[string]string{"fhir-dr:cosmos": `{"zoneRedundant":{"retiring":false}}`}),
			drconfig.Problems{{Key: "fhir-dr:cosmos.zoneRedundant.retiring", Message: "applies only while the secondary region moves (dr.retiringSecondaryRegion): " +
				"remove it together with dr.retiringSecondaryRegion"}}},
		{"retiring zone redundancy in a non-AZ region", with(map[string]string{
			"fhir-dr:dr":     `{"enabled":true,"paging":{"actionGroupId":"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-platform-oncall/providers/Microsoft.Insights/actionGroups/ag-fhir-oncall"},"tier":"full","ticket":"SR-1","secondaryRegion":"centralus","retiringSecondaryRegion":"westus"}`,
			"fhir-dr:cosmos": `{"zoneRedundant":{"retiring":true}}`,
		}), drconfig.Problems{{Key: "fhir-dr:cosmos.zoneRedundant.retiring", Message: "westus has no availability zones"}}},
		{"enabled-at not a date", with(map[string]string{"fhir-dr:dr": `{"enabled":true,"paging":{"actionGroupId":"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-platform-oncall/providers/Microsoft.Insights/actionGroups/ag-fhir-oncall"},"tier":"full","ticket":"SR-1","enabledAt":"last tuesday"}`}),
			drconfig.Problems{{Key: "fhir-dr:dr.enabledAt", Message: `must be a date, YYYY-MM-DD, got "last tuesday"`}}},
		{"missing ticket", with(map[string]string{"fhir-dr:dr": `{"enabled":true,"paging":{"actionGroupId":"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-platform-oncall/providers/Microsoft.Insights/actionGroups/ag-fhir-oncall"},"tier":"full"}`}),
			drconfig.Problems{{Key: "fhir-dr:dr.ticket", Message: "is required when DR is enabled: the support ticket that asked for it"}}},
		{"missing tier", with(map[string]string{"fhir-dr:dr": `{"enabled":true,"paging":{"actionGroupId":"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-platform-oncall/providers/Microsoft.Insights/actionGroups/ag-fhir-oncall"},"ticket":"SR-1"}`}),
			drconfig.Problems{{Key: "fhir-dr:dr.tier", Message: `is required when DR is enabled: "data" (Cosmos DB replica only) or "full" (replica, mirrored compute and Traffic Manager)`}}},
		{"bad tier", with(map[string]string{"fhir-dr:dr": `{"enabled":true,"paging":{"actionGroupId":"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-platform-oncall/providers/Microsoft.Insights/actionGroups/ag-fhir-oncall"},"tier":"gold","ticket":"SR-1"}`}),
			drconfig.Problems{{Key: "fhir-dr:dr.tier", Message: `must be data or full, got "gold"`}}},
		{"missing customer", with(map[string]string{"fhir-dr:customer": ""}),
			drconfig.Problems{{Key: "fhir-dr:customer", Message: "is required: the customer's DNS-safe id, e.g. contoso"}}},
		{"customer not DNS-safe", with(map[string]string{"fhir-dr:customer": "Acme_Health"}),
			drconfig.Problems{{Key: "fhir-dr:customer", Message: `must be 3-30 lowercase letters, digits and single hyphens, starting with a letter, got "Acme_Health"`}}},
		{"zone redundancy in a non-AZ region", with(map[string]string{"fhir-dr:cosmos": `{"zoneRedundant":{"secondary":true}}`}),
			drconfig.Problems{{Key: "fhir-dr:cosmos.zoneRedundant.secondary", Message: "westus has no availability zones"}}},
		{"probe timeout not below interval", with(map[string]string{"fhir-dr:trafficManager": `{"probe":{"intervalSeconds":10,"timeoutSeconds":10}}`}),
			drconfig.Problems{{Key: "fhir-dr:trafficManager.probe.timeoutSeconds", Message: "must be below the probe interval 10 s, got 10"}}},
		{"probe interval not 10 or 30", with(map[string]string{"fhir-dr:trafficManager": `{"probe":{"intervalSeconds":20}}`}),
			drconfig.Problems{{Key: "fhir-dr:trafficManager.probe.intervalSeconds", Message: "must be 10 or 30, got 20"}}},
		{"tolerated failures out of range", with(map[string]string{"fhir-dr:trafficManager": `{"probe":{"toleratedFailures":10}}`}),
			drconfig.Problems{{Key: "fhir-dr:trafficManager.probe.toleratedFailures", Message: "must be from 0 to 9, got 10"}}},
		{"RPO below what Cosmos can give", with(map[string]string{"fhir-dr:dr": `{"enabled":true,"paging":{"actionGroupId":"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-platform-oncall/providers/Microsoft.Insights/actionGroups/ag-fhir-oncall"},"tier":"full","ticket":"SR-1","rpo":"2m"}`}),
			drconfig.Problems{{Key: "fhir-dr:dr.rpo", Message: "RPO 2m0s cannot be met: between 0 (Strong) and 5m0s (the smallest bounded staleness Cosmos DB allows across regions) no consistency level gives it"}}},
		{"RPO not a duration", with(map[string]string{"fhir-dr:dr": `{"enabled":true,"paging":{"actionGroupId":"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-platform-oncall/providers/Microsoft.Insights/actionGroups/ag-fhir-oncall"},"tier":"full","ticket":"SR-1","rpo":"soon"}`}),
			drconfig.Problems{{Key: "fhir-dr:dr.rpo", Message: `must be a duration such as "15m", got "soon"`}}},
		{"unknown top-level key", with(map[string]string{"fhir-dr:primaryRegon": "eastus"}),
			drconfig.Problems{{Key: "fhir-dr:primaryRegon", Message: `unknown key (did you mean "primaryRegion"?)`}}},
		{"unknown nested key", with(map[string]string{"fhir-dr:dr": `{"enabled":true,"paging":{"actionGroupId":"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-platform-oncall/providers/Microsoft.Insights/actionGroups/ag-fhir-oncall"},"tier":"full","ticket":"SR-1","secundaryRegion":"westus"}`}),
			drconfig.Problems{{Key: "fhir-dr:dr.secundaryRegion", Message: `unknown key (did you mean "secondaryRegion"?)`}}},
		{"unknown namespace", with(map[string]string{"fhri-dr:dr": `{}`}),
			drconfig.Problems{{Key: "fhri-dr:dr", Message: `unknown configuration namespace "fhri-dr": fhir-dr reads only "fhir-dr:" keys`}}},
		{"wrong type", with(map[string]string{"fhir-dr:cosmos": `{"throughput":"lots"}`}),
			drconfig.Problems{{Key: "fhir-dr:cosmos.throughput", Message: `must be a whole number, got "lots"`}}},
		{"throughput and autoscale", with(map[string]string{"fhir-dr:cosmos": `{"throughput":1000,"autoscaleMaxThroughput":4000}`}),
			drconfig.Problems{{Key: "fhir-dr:cosmos.throughput", Message: "set either throughput (manual RU/s) or autoscaleMaxThroughput, not both"}}},
		{"local backups", with(map[string]string{"fhir-dr:cosmos": `{"backup":{"storageRedundancy":"Local"}}`}),
			drconfig.Problems{{Key: "fhir-dr:cosmos.backup.storageRedundancy", Message: "must be Geo: locally redundant backups are lost with the region"}}},
		{"API server open to the internet", with(map[string]string{"fhir-dr:compute": `{}`}),
			drconfig.Problems{{Key: "fhir-dr:compute.apiServer", Message: "the API server must not be open to the internet: set private: true or authorizedIPRanges"}}},
		{"authorized range 0.0.0.0/0", with(map[string]string{"fhir-dr:compute": `{"apiServer":{"authorizedIPRanges":["0.0.0.0/0"]}}`}),
			drconfig.Problems{{Key: "fhir-dr:compute.apiServer.authorizedIPRanges[0]", Message: "0.0.0.0/0 opens the API server to a large part of the internet: list the operators' egress ranges, /8 or narrower"}}},
		{"no system pool", with(map[string]string{"fhir-dr:compute": `{"apiServer":{"private":true},"nodePools":[{"name":"fhir","mode":"User","count":3}]}`}),
			drconfig.Problems{{Key: "fhir-dr:compute.nodePools", Message: "need at least one pool with mode System"}}},
		{"overlapping networks", with(map[string]string{"fhir-dr:compute": `{"apiServer":{"private":true},"network":{"secondary":{"addressSpace":"10.50.0.0/16","nodeSubnet":"10.50.16.0/20"}}}`}),
			drconfig.Problems{{Key: "fhir-dr:compute.network.secondary.addressSpace", Message: "10.50.0.0/16 overlaps the primary's 10.50.0.0/16; the stamps must be peerable"}}},
		{"private endpoint subnet outside the address space", with(map[string]string{"fhir-dr:compute": `{"apiServer":{"private":true},"network":{"primary":{"addressSpace":"10.50.0.0/16","nodeSubnet":"10.50.0.0/20","privateEndpointSubnet":"10.52.0.0/24"}}}`}),
			drconfig.Problems{{Key: "fhir-dr:compute.network.primary.privateEndpointSubnet", Message: "10.52.0.0/24 is not inside the address space 10.50.0.0/16 (the default is the /24 after nodeSubnet)"}}},
		{"no room for the default private endpoint subnet", with(map[string]string{"fhir-dr:compute": `{"apiServer":{"private":true},"network":{"secondary":{"addressSpace":"10.51.0.0/20","nodeSubnet":"10.51.0.0/20"}}}`}),
			drconfig.Problems{{Key: "fhir-dr:compute.network.secondary.privateEndpointSubnet", Message: "10.51.16.0/24 is not inside the address space 10.51.0.0/20 (the default is the /24 after nodeSubnet)"}}},
		{"private endpoint subnet on the nodes", with(map[string]string{"fhir-dr:compute": `{"apiServer":{"private":true},"network":{"primary":{"addressSpace":"10.50.0.0/16","nodeSubnet":"10.50.0.0/20","privateEndpointSubnet":"10.50.8.0/24"}}}`}),
			drconfig.Problems{{Key: "fhir-dr:compute.network.primary.privateEndpointSubnet", Message: "10.50.8.0/24 overlaps nodeSubnet 10.50.0.0/20"}}},
		{"private endpoint subnet too small", with(map[string]string{"fhir-dr:compute": `{"apiServer":{"private":true},"network":{"primary":{"addressSpace":"10.50.0.0/16","nodeSubnet":"10.50.0.0/20","privateEndpointSubnet":"10.50.16.0/29"}}}`}),
			drconfig.Problems{{Key: "fhir-dr:compute.network.primary.privateEndpointSubnet", Message: "must be /28 or larger to hold the private endpoint's addresses, got 10.50.16.0/29"}}},
		{"allowed IP ranges with the full tier", with(map[string]string{"fhir-dr:cosmos": `{"allowedIPRanges":["203.0.113.0/24"]}`}),
			drconfig.Problems{{Key: "fhir-dr:cosmos.allowedIPRanges", Message: "the full tier closes the account's public endpoint (its stamps use private endpoints): " +
				"remove allowedIPRanges, in the same change that moves the stack to the full tier"}}},
		{"allowed IP ranges that admit too much", with(map[string]string{
			"fhir-dr:dr":     `{"enabled":true,"paging":{"actionGroupId":"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-platform-oncall/providers/Microsoft.Insights/actionGroups/ag-fhir-oncall"},"tier":"data","ticket":"SR-1"}`,
			"fhir-dr:cosmos": `{"allowedIPRanges":["0.0.0.0","0.0.0.0/0","10.1.0.0/16","203.0.113.7","198.51.100.1/24","::1","a.b","100.64.0.0/10"]}`,
		}), drconfig.Problems{
			{Key: "fhir-dr:cosmos.allowedIPRanges[0]", Message: "0.0.0.0 admits every Azure datacenter, any tenant's: name the service's own egress ranges"},
			{Key: "fhir-dr:cosmos.allowedIPRanges[1]", Message: "0.0.0.0/0 opens the account to a large part of the internet: name the service's egress, /16 or narrower"},
			{Key: "fhir-dr:cosmos.allowedIPRanges[2]", Message: "10.1.0.0/16 is not a public address: the account's IP filter sees the public egress address"},
			{Key: "fhir-dr:cosmos.allowedIPRanges[4]", Message: `must be an IPv4 address or CIDR range such as 203.0.113.0/24, got "198.51.100.1/24"`},
			{Key: "fhir-dr:cosmos.allowedIPRanges[5]", Message: `must be an IPv4 address or CIDR range such as 203.0.113.0/24, got "::1"`},
			{Key: "fhir-dr:cosmos.allowedIPRanges[6]", Message: `must be an IPv4 address or CIDR range such as 203.0.113.0/24, got "a.b"`},
			// The policy refuses a firewall range wider than /16; so does the stack file.
			{Key: "fhir-dr:cosmos.allowedIPRanges[7]", Message: "100.64.0.0/10 opens the account to a large part of the internet: name the service's egress, /16 or narrower"},
		}},
		{"subnet outside address space", with(map[string]string{"fhir-dr:compute": `{"apiServer":{"private":true},"network":{"primary":{"addressSpace":"10.50.0.0/16","nodeSubnet":"10.52.0.0/20"}}}`}),
			drconfig.Problems{{Key: "fhir-dr:compute.network.primary.nodeSubnet", Message: "10.52.0.0/20 is not inside the address space 10.50.0.0/16"}}},
		{"reserved tag", with(map[string]string{"fhir-dr:tags": `{"Customer":"other"}`}),
			drconfig.Problems{{Key: "fhir-dr:tags.Customer", Message: "is set by fhir-dr itself and cannot be overridden"}}},
		{"RTO over budget", with(map[string]string{"fhir-dr:dr": `{"enabled":true,"paging":{"actionGroupId":"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-platform-oncall/providers/Microsoft.Insights/actionGroups/ag-fhir-oncall"},"tier":"full","ticket":"SR-1","operatorDecisionTime":"56m"}`}),
			drconfig.Problems{{Key: "fhir-dr:dr", Message: "modeled RTO 1h0m50s exceeds the target 1h0m0s for the full tier; " +
				"lower dr.operatorDecisionTime or the probe timings, or raise fhir.replicas.standby"}}},
		{"FHIR workload without its settings", with(map[string]string{"fhir-dr:fhir": `{"replicas":{"standby":5}}`}),
			drconfig.Problems{
				{Key: "fhir-dr:fhir.version", Message: "is required for the full tier: the image tag or sha256 digest the primary runs"},
				{Key: "fhir-dr:fhir.auth.authority", Message: "is required for the full tier: the token issuer the primary FHIR service trusts"},
				{Key: "fhir-dr:fhir.auth.audience", Message: "is required for the full tier: the audience tokens for the FHIR service carry"},
				{Key: "fhir-dr:fhir.replicas.standby", Message: "must not exceed the primary's 3, got 5"},
			}},
		{"several problems at once", with(map[string]string{
			"fhir-dr:primaryRegion": "eastuss",
			"fhir-dr:dr":            `{"enabled":true,"paging":{"actionGroupId":"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-platform-oncall/providers/Microsoft.Insights/actionGroups/ag-fhir-oncall"},"tier":"full"}`,
		}), drconfig.Problems{
			{Key: "fhir-dr:primaryRegion", Message: `unknown Azure region "eastuss" (did you mean "eastus"?)`},
			{Key: "fhir-dr:dr.ticket", Message: "is required when DR is enabled: the support ticket that asked for it"},
		}},
	}
	require.GreaterOrEqual(t, len(cases), 20)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// The Go language host hands a program its whole configuration in
			// PULUMI_CONFIG; that is how keys the program does not know reach
			// it.
			t.Setenv("PULUMI_CONFIG", mustJSON(t, tc.values))
			plan, err := render.Run("test", tc.values, program.Deploy)
			require.Error(t, err)
			var cfgErr *drconfig.Error
			require.True(t, errors.As(err, &cfgErr), "a configuration error: %v", err)
			assert.Equal(t, "stacks/Pulumi.test.yaml", cfgErr.File)
			assert.Equal(t, tc.want, cfgErr.Problems)
			assert.Empty(t, plan.Resources, "nothing is registered")
		})
	}
}

// TestOutputs checks the stack outputs of a full-tier stack.
func TestOutputs(t *testing.T) {
	plan, err := render.Run("acme", validFull(), program.Deploy)
	require.NoError(t, err)
	want := map[string]any{
		"customer":                 "acme",
		"drEnabled":                true,
		"tier":                     "full",
		"ticket":                   "SR-1",
		"primaryRegion":            "eastus",
		"secondaryRegion":          "westus",
		"writeRegion":              "eastus",
		"consistency":              "Session",
		"cosmosEndpoint":           "https://fhir-acme.documents.azure.com:443/",
		"trafficManagerFqdn":       "acme-fhir.trafficmanager.net",
		"fhirImage":                "mcr.microsoft.com/healthcareapis/r4-fhir-server:4.0.1",
		"fhirReplicasPrimary":      3,
		"fhirReplicasStandby":      3,
		"billingMultiplier":        2,
		"rpoSeconds":               900,
		"rtoSeconds":               215 + 30 + 900 + 45, // Traffic Manager endpoint rule: 35 s probe + grain + publication + evaluation
		"serviceManagedRtoSeconds": 3600 + 60,
	}
	// Compare through JSON so that number types do not matter.
	assert.JSONEq(t, mustJSON(t, want), mustJSON(t, plan.Outputs))
	assert.Equal(t, len(want), len(maps.Collect(maps.All(plan.Outputs))))
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

// A VM size the price table does not know is valid Azure configuration: the
// program declares every resource and exports no cost (the estimate is a
// report of drctl plan and drctl report, never part of the deployment).
func TestUnpricedVMSizeRenders(t *testing.T) {
	priced, err := render.Run("acme", validFull(), program.Deploy)
	require.NoError(t, err)
	unpriced, err := render.Run("acme", with(map[string]string{
		"fhir-dr:compute": `{"apiServer":{"private":true},"nodePools":[{"name":"system","vmSize":"Standard_NC24ads_A100_v4","count":2}]}`,
	}), program.Deploy)
	require.NoError(t, err, "an unpriced VM size never fails the program")
	names := func(p *render.Plan) []string {
		var out []string
		for _, r := range p.Resources {
			out = append(out, r.Type+"::"+r.Name)
		}
		return out
	}
	assert.Equal(t, names(priced), names(unpriced), "every resource is declared")
	pool := unpriced.Find("azure-native:containerservice:ManagedCluster")[0].Inputs["agentPoolProfiles"].([]any)[0].(map[string]any)
	assert.Equal(t, "Standard_NC24ads_A100_v4", pool["vmSize"])
	for _, k := range []string{"estimatedMonthlyDrCost", "costCurrency", "pricesAsOf"} {
		assert.NotContains(t, unpriced.Outputs, k)
	}
}
