package components_test

import (
	"path/filepath"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fhir-dr/fhir-dr/components"
	"github.com/fhir-dr/fhir-dr/detection"
	"github.com/fhir-dr/fhir-dr/drconfig"
	"github.com/fhir-dr/fhir-dr/internal/render"
	"github.com/fhir-dr/fhir-dr/program"
)

const onCall = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-platform-oncall/providers/Microsoft.Insights/actionGroups/ag-fhir-oncall"

// renderFixture renders a stack file of testdata/.
func renderFixture(t *testing.T, stack string) *render.Plan {
	t.Helper()
	values, err := drconfig.ReadStackFile(filepath.Join("testdata", "Pulumi."+stack+".yaml"))
	require.NoError(t, err)
	plan, err := render.Run(stack, values, program.Deploy)
	require.NoError(t, err)
	return plan
}

func names(rs []render.Resource) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Name)
	}
	return out
}

// Issue 15: a DR stack detects and pages. Before it, no stack declared a
// metric alert, an action group or a web test.
func TestDRStackDetectsAndPages(t *testing.T) {
	data := renderFixture(t, "alertsdata")
	assert.ElementsMatch(t, []string{"cosmos-region-failover", "cosmos-region-offline", "cosmos-replication-lag", "cosmos-write-region-unavailable"},
		names(data.Find(alert)))
	assert.Equal(t, []string{"customer-action-group"}, names(data.Find(actionGroup)))
	assert.Empty(t, data.Find(webTest), "the data tier has no compute to test")

	full := renderFixture(t, "alertsfull")
	assert.ElementsMatch(t, []string{
		"cosmos-region-failover", "cosmos-region-offline", "cosmos-replication-lag", "cosmos-write-region-unavailable",
		"traffic-manager-endpoint-degraded", "aks-primary-nodes-not-ready", "aks-primary-fhir-pods-not-ready",
		"aks-secondary-nodes-not-ready", "aks-secondary-fhir-pods-not-ready",
		"availability-traffic-manager", "availability-primary", "availability-secondary",
	}, names(full.Find(alert)))
	assert.ElementsMatch(t, []string{"webtest-traffic-manager", "webtest-primary", "webtest-secondary"}, names(full.Find(webTest)))
	assert.Empty(t, full.Find(actionGroup), "no customer receivers: the on-call action group only")

	for _, plan := range []*render.Plan{data, full} {
		for _, r := range plan.Find(alert) {
			assert.Equal(t, true, r.Inputs["enabled"], r.Name)
			assert.Equal(t, "global", r.Inputs["location"], r.Name)
			assert.NotEmpty(t, r.Inputs["actions"], r.Name)
		}
	}
}

// The data tier's rules: exact inputs, the action groups, the group.
func TestDataTierAlertInputs(t *testing.T) {
	plan := renderFixture(t, "alertsdata")
	ag := get(t, plan, actionGroup, "customer-action-group")
	assert.JSONEq(t, `{
		"actionGroupName": "ag-alertsdata-fhir", "groupShortName": "alertsdata", "enabled": true, "location": "global",
		"resourceGroupName": "rg-alertsdata-fhir-uksouth",
		"emailReceivers": [
			{"name": "email-1", "emailAddress": "oncall@alertsdata.example", "useCommonAlertSchema": true},
			{"name": "email-2", "emailAddress": "dba@alertsdata.example", "useCommonAlertSchema": true}],
		"tags": {"customer": "alertsdata", "dr-ticket": "SR-15", "dr-tier": "data", "dr-role": "global", "billing-meter": "fhir-dr-data",
			"billing-multiplier": "2", "managed-by": "fhir-dr"}
	}`, asJSON(t, ag.Inputs))
	lag := get(t, plan, alert, "cosmos-replication-lag")
	assert.JSONEq(t, `{
		"ruleName": "alert-alertsdata-cosmos-replication-lag", "resourceGroupName": "rg-alertsdata-fhir-uksouth", "location": "global",
		"description": "Cosmos DB's replication to the secondary lags behind a third of the RPO: a regional outage now would lose more data than planned. (AMBA ReplicationLatency cf0655a4-042d-4979-bbc7-5559eaa8f2b9)",
		"enabled": true, "autoMitigate": true, "severity": 2, "windowSize": "PT5M", "evaluationFrequency": "PT1M",
		"scopes": ["/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-alertsdata-fhir-uksouth/providers/Microsoft.DocumentDB/databaseAccounts/fhir-alertsdata"],
		"criteria": {"odataType": "Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria", "allOf": [{
			"criterionType": "StaticThresholdCriterion", "name": "cosmos_replication_lag", "metricNamespace": "Microsoft.DocumentDB/databaseAccounts",
			"metricName": "ReplicationLatency", "timeAggregation": "Maximum", "operator": "GreaterThan", "threshold": 200000}]},
		"actions": [{"actionGroupId": "`+onCall+`"},
			{"actionGroupId": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-alertsdata-fhir-uksouth/providers/Microsoft.Insights/actionGroups/ag-alertsdata-fhir"}],
		"tags": {"customer": "alertsdata", "dr-ticket": "SR-15", "dr-tier": "data", "dr-role": "global", "billing-meter": "fhir-dr-data",
			"billing-multiplier": "2", "managed-by": "fhir-dr"}
	}`, asJSON(t, lag.Inputs), "a 10-minute RPO: a third of it, 200 s, in ms")
	unavailable := get(t, plan, alert, "cosmos-write-region-unavailable")
	assert.JSONEq(t, `{"odataType": "Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria", "allOf": [{
		"criterionType": "StaticThresholdCriterion", "name": "cosmos_write_region_unavailable", "metricNamespace": "Microsoft.DocumentDB/databaseAccounts",
		"metricName": "TotalRequests", "timeAggregation": "Count", "operator": "GreaterThan", "threshold": 10,
		"dimensions": [{"name": "StatusCode", "operator": "Include", "values": ["503"]}]}]}`, asJSON(t, unavailable.Inputs["criteria"]))
}

// The full tier's rules live in the DR region's group; the availability
// tests with their component and workspace in the DR region.
func TestFullTierAlertInputs(t *testing.T) {
	plan := renderFixture(t, "alertsfull")
	const rg = "rg-alertsfull-fhir-dr-westus"
	const sub = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/"
	component := sub + rg + "/providers/Microsoft.Insights/components/appi-alertsfull-fhir"
	for _, r := range plan.Find(alert) {
		assert.Equal(t, rg, r.Inputs["resourceGroupName"], r.Name)
		assert.JSONEq(t, `[{"actionGroupId": "`+onCall+`"}]`, asJSON(t, r.Inputs["actions"]), r.Name)
	}
	tm := get(t, plan, alert, "traffic-manager-endpoint-degraded")
	assert.Equal(t, "PT1M", tm.Inputs["windowSize"])
	assert.JSONEq(t, `["`+sub+rg+`/providers/Microsoft.Network/trafficManagerProfiles/tm-alertsfull-fhir"]`, asJSON(t, tm.Inputs["scopes"]))
	assert.JSONEq(t, `{"odataType": "Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria", "allOf": [{
		"criterionType": "StaticThresholdCriterion", "name": "traffic_manager_endpoint_degraded", "metricNamespace": "Microsoft.Network/trafficmanagerprofiles",
		"metricName": "ProbeAgentCurrentEndpointStateByProfileResourceId", "timeAggregation": "Maximum", "operator": "LessThan", "threshold": 1,
		"dimensions": [{"name": "EndpointName", "operator": "Include", "values": ["*"]}]}]}`, asJSON(t, tm.Inputs["criteria"]))
	nodes := get(t, plan, alert, "aks-secondary-nodes-not-ready")
	assert.JSONEq(t, `["`+sub+rg+`/providers/Microsoft.ContainerService/managedClusters/aks-alertsfull-fhir-secondary"]`, asJSON(t, nodes.Inputs["scopes"]))

	primary := get(t, plan, alert, "availability-primary")
	test := sub + rg + "/providers/Microsoft.Insights/webtests/webtest-alertsfull-primary"
	assert.Equal(t, "PT15M", primary.Inputs["windowSize"], "a 10-minute test frequency needs a 15-minute window")
	assert.JSONEq(t, `["`+test+`", "`+component+`"]`, asJSON(t, primary.Inputs["scopes"]))
	assert.JSONEq(t, `{"odataType": "Microsoft.Azure.Monitor.WebtestLocationAvailabilityCriteria", "webTestId": "`+test+`",
		"componentId": "`+component+`", "failedLocationCount": 2}`, asJSON(t, primary.Inputs["criteria"]))

	wt := get(t, plan, webTest, "webtest-primary")
	tags := wt.Inputs["tags"].(map[string]any)
	assert.Equal(t, "Resource", tags["hidden-link:"+component], "Azure lists a web test under its component only with this tag")
	delete(wt.Inputs, "tags")
	assert.JSONEq(t, `{
		"webTestName": "webtest-alertsfull-primary", "syntheticMonitorId": "webtest-alertsfull-primary", "resourceGroupName": "`+rg+`",
		"location": "westus", "kind": "standard", "webTestKind": "standard", "enabled": true, "frequency": 600, "timeout": 30,
		"retryEnabled": true, "description": "fhir-dr: the primary stamp's FHIR server, on its ingress IP's DNS name",
		"locations": [{"location": "us-va-ash-azr"}, {"location": "emea-nl-ams-azr"}, {"location": "apac-sg-sin-azr"}],
		"request": {"requestUrl": "https://alertsfull-fhir-primary.eastus.cloudapp.azure.com/health/check", "httpVerb": "GET",
			"followRedirects": false, "parseDependentRequests": false},
		"validationRules": {"expectedHttpStatusCode": 200, "sSLCheck": false}
	}`, asJSON(t, wt.Inputs))
	tmTest := get(t, plan, webTest, "webtest-traffic-manager")
	assert.JSONEq(t, `{"requestUrl": "https://alertsfull-fhir.trafficmanager.net/health/check", "httpVerb": "GET",
		"followRedirects": false, "parseDependentRequests": false}`, asJSON(t, tmTest.Inputs["request"]))
	assert.JSONEq(t, `{"expectedHttpStatusCode": 200, "sSLCheck": true, "sSLCertRemainingLifetimeCheck": 14}`,
		asJSON(t, tmTest.Inputs["validationRules"]))

	appi := get(t, plan, appInsights, "availability")
	assert.Equal(t, "westus", appi.Inputs["location"], "the component outlives the primary region")
	assert.Equal(t, sub+rg+"/providers/Microsoft.OperationalInsights/workspaces/log-alertsfull-fhir-availability", appi.Inputs["workspaceResourceId"])
	ws := get(t, plan, workspace, "availability-workspace")
	assert.Equal(t, "westus", ws.Inputs["location"])
	assert.EqualValues(t, components.AvailabilityRetentionDays, ws.Inputs["retentionInDays"])
}

// Over every example stack: a DR stack's rules are those of detection, all
// enabled, global, paging the stack's on-call action group; a stack
// without DR has none.
func TestExampleStacksAlerting(t *testing.T) {
	for _, stack := range []string{"adatum", "contoso", "fabrikam", "litware", "northwind", "tailspin"} {
		cfg, err := drconfig.LoadFile(filepath.Join("..", "stacks", "Pulumi."+stack+".yaml"))
		require.NoError(t, err)
		plan := renderStack(t, stack)
		var want []string
		for _, r := range cfg.AlertRules() {
			want = append(want, r.Key)
		}
		assert.ElementsMatch(t, want, names(plan.Find(alert)), stack)
		for _, r := range plan.Find(alert) {
			assert.Equal(t, true, r.Inputs["enabled"], stack+" "+r.Name)
			assert.Equal(t, "global", r.Inputs["location"])
			assert.Contains(t, asJSON(t, r.Inputs["actions"]), cfg.DR.Paging.ActionGroupID)
		}
		assert.Len(t, plan.Find(webTest), len(detection.WebTests(cfg.DetectionInputs())), stack)
	}
}

// NewAlerting refuses what it cannot render.
func TestAlertingArgs(t *testing.T) {
	_, err := render.Run("args", nil, func(ctx *pulumi.Context) (pulumi.Map, error) {
		_, err := components.NewAlerting(ctx, "alerting", &components.AlertingArgs{Customer: "x"})
		return nil, err
	})
	assert.ErrorContains(t, err, "alerting: Customer, Rules, ResourceGroupName, OnCallActionGroupID and Targets.AccountID are required")
	_, err = render.Run("args", nil, func(ctx *pulumi.Context) (pulumi.Map, error) {
		_, err := components.NewAlerting(ctx, "alerting", &components.AlertingArgs{
			Customer: "x", Rules: detection.Rules(detection.Inputs{Full: true}), ResourceGroupName: pulumi.String("rg"),
			OnCallActionGroupID: onCall, Targets: components.AlertTargets{AccountID: pulumi.String("/a")},
		})
		return nil, err
	})
	assert.ErrorContains(t, err, "alerting: rule traffic-manager-endpoint-degraded watches the profile, whose ID is not given")
}
