package rules_test

import (
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fhir-dr/fhir-dr/drconfig"
	"github.com/fhir-dr/fhir-dr/internal/render"
	"github.com/fhir-dr/fhir-dr/policy/rules"
	"github.com/fhir-dr/fhir-dr/program"
)

// fixtureStack renders a stack file of testdata/ as the policy sees it.
func fixtureStack(t *testing.T, stack string) rules.Stack {
	t.Helper()
	path := filepath.Join("testdata", "Pulumi."+stack+".yaml")
	values, err := drconfig.ReadStackFile(path)
	require.NoError(t, err)
	cfg, err := drconfig.Load(path, values)
	require.NoError(t, err)
	plan, err := render.Run(stack, values, program.Deploy)
	require.NoError(t, err)
	return rules.FromPlan(plan, cfg)
}

func pagingFindings(s rules.Stack) []violation {
	var got []violation
	for _, d := range rules.Check(rules.DefaultConfig(), s) {
		if d.Rule != "detection-paging" {
			continue
		}
		suffix := ""
		if d.URN != "" {
			suffix = "::" + resource.URN(d.URN).Name()
		}
		got = append(got, violation{d.Rule, suffix, d.Message})
	}
	return got
}

func drop(s *rules.Stack, name string) {
	s.Resources = slices.DeleteFunc(s.Resources, func(r rules.Resource) bool { return r.Name == name })
}

const onCallGroup = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-platform-oncall/providers/Microsoft.Insights/actionGroups/ag-fhir-oncall"

// Issue 15: the policy refuses a DR stack that pages nobody.
func TestDetectionPaging(t *testing.T) {
	for _, stack := range []string{"pagingdata", "pagingfull"} {
		assert.Empty(t, rules.MandatoryOnly(rules.Check(rules.DefaultConfig(), fixtureStack(t, stack))), stack)
	}

	s := fixtureStack(t, "pagingdata")
	drop(&s, "cosmos-region-offline")
	set(t, &s, "cosmos-replication-lag", "enabled", false)
	set(t, &s, "cosmos-region-failover", "actions", []any{})
	set(t, &s, "cosmos-write-region-unavailable", "actions", []any{map[string]any{
		"actionGroupId": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Insights/actionGroups/someone-else"}})
	assert.ElementsMatch(t, []violation{
		{"detection-paging", "", "the DR stack declares no alert rule cosmos-region-offline (Microsoft.DocumentDB/databaseAccounts OfflineRegion on account): " +
			"nobody is paged when cosmos DB took a region of the account offline: a regional outage of the data. Runbook: confirm and force a failover if it is the write region."},
		{"detection-paging", "::cosmos-replication-lag", `metric alert "cosmos-replication-lag" is not enabled; set enabled: true, a disabled rule pages nobody`},
		{"detection-paging", "::cosmos-region-failover", `metric alert "cosmos-region-failover" notifies no action group; its actions must name the on-call action group (dr.paging.actionGroupId)`},
		{"detection-paging", "::cosmos-write-region-unavailable", `metric alert "cosmos-write-region-unavailable" does not notify the on-call action group ` + onCallGroup +
			" (dr.paging.actionGroupId); it notifies /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Insights/actionGroups/someone-else"},
	}, pagingFindings(s))

	// The full tier's rules, known from the resources alone.
	full := fixtureStack(t, "pagingfull")
	full.Config = nil
	drop(&full, "traffic-manager-endpoint-degraded")
	drop(&full, "availability-primary")
	del(t, &full, "aks-secondary-nodes-not-ready", "enabled")
	assert.ElementsMatch(t, []violation{
		{"detection-paging", "", "the DR stack declares no alert rule traffic-manager-endpoint-degraded (Microsoft.Network/trafficmanagerprofiles " +
			"ProbeAgentCurrentEndpointStateByProfileResourceId on profile): nobody is paged when a Traffic Manager endpoint is degraded (its /health/check " +
			"probe fails): the primary stamp is down and traffic moves to the standby, or the standby cannot take it. The alert names the endpoint."},
		{"detection-paging", "", "the DR stack declares no alert rule availability-primary (availability test primary on webtest): nobody is paged when " +
			"the availability test of the primary stamp's FHIR server, on its ingress IP's DNS name fails from 2 or more locations."},
		{"detection-paging", "::aks-secondary-nodes-not-ready",
			`metric alert "aks-secondary-nodes-not-ready" is not enabled; set enabled: true, a disabled rule pages nobody`},
	}, pagingFindings(full))

	// No DR, nothing to page for.
	none := fixtureStack(t, "pagingdata")
	none.Config.DR.Enabled = false
	none.Resources = nil
	assert.Empty(t, pagingFindings(none))
}

// rto-budget takes detection from the paging rules the stack declares,
// enabled: without the Traffic Manager rule, the next fastest is the
// primary stamp's availability test (every 10 minutes in the fixture).
func TestRTOBudgetCountsDeclaredRules(t *testing.T) {
	cfg := rules.DefaultConfig()
	cfg.RTOFull = 20 * time.Minute
	s := fixtureStack(t, "pagingfull")
	assert.Empty(t, rules.MandatoryOnly(rules.Check(cfg, s)), "Traffic Manager's rule: 19m50s")

	set(t, &s, "traffic-manager-endpoint-degraded", "enabled", false)
	var rto []string
	for _, d := range rules.Check(cfg, s) {
		if d.Rule == "rto-budget" {
			rto = append(rto, d.Message)
		}
	}
	assert.Equal(t, []string{`Traffic Manager profile "profile": the modeled RTO is 30m25s (detection 35s, DNS TTL 60 s, standby scale-out 0s), ` +
		"over the budget of 20m0s; probe faster (10 s interval, fewer tolerated failures), lower the TTL or run more standby pods"}, rto)
}
