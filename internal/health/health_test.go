package health_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fhir-dr/fhir-dr/drconfig"
	"github.com/fhir-dr/fhir-dr/internal/failover"
	"github.com/fhir-dr/fhir-dr/internal/failover/fakearm"
	"github.com/fhir-dr/fhir-dr/internal/health"
	"github.com/fhir-dr/fhir-dr/internal/testfleet"
)

func target(t *testing.T, customer string) health.Target {
	t.Helper()
	cfg, err := drconfig.LoadFile(testfleet.Path(customer))
	require.NoError(t, err)
	return health.TargetOf(cfg, "sub-1")
}

// What the gate reads of a stack, by the names the stack's resources get.
func TestTargetOf(t *testing.T) {
	c := target(t, "contoso") // full tier, eastus -> westus
	rg := "/subscriptions/sub-1/resourceGroups/rg-contoso-fhir-dr-westus"
	assert.Equal(t, rg+"/providers/Microsoft.Network/trafficmanagerprofiles/tm-contoso-fhir", c.ProfileID)
	assert.Equal(t, []string{"primary", "secondary"}, c.Endpoints)
	assert.Equal(t, rg+"/providers/Microsoft.Insights/components/appi-contoso-fhir", c.ComponentID)
	assert.Equal(t, []string{"webtest-contoso-traffic-manager", "webtest-contoso-primary", "webtest-contoso-secondary"}, c.WebTests)
	assert.Equal(t, 10*time.Minute, c.MinWindow, "twice the default frequency of 300 s")
	assert.Equal(t, []string{"alert-contoso-cosmos-region-failover", "alert-contoso-cosmos-region-offline",
		"alert-contoso-cosmos-replication-lag", "alert-contoso-cosmos-write-region-unavailable", "alert-contoso-traffic-manager-endpoint-degraded",
		"alert-contoso-aks-primary-nodes-not-ready", "alert-contoso-aks-primary-fhir-pods-not-ready", "alert-contoso-aks-secondary-nodes-not-ready",
		"alert-contoso-aks-secondary-fhir-pods-not-ready", "alert-contoso-availability-traffic-manager", "alert-contoso-availability-primary",
		"alert-contoso-availability-secondary"}, c.AlertRules)

	l := target(t, "litware") // data tier: alerts only
	assert.Empty(t, l.ProfileID)
	assert.Empty(t, l.ComponentID)
	assert.Equal(t, []string{"alert-litware-cosmos-region-failover", "alert-litware-cosmos-region-offline",
		"alert-litware-cosmos-replication-lag", "alert-litware-cosmos-write-region-unavailable"}, l.AlertRules)

	a := target(t, "adatum") // no DR: nothing to read
	assert.Equal(t, health.Target{Customer: "adatum"}, a)
}

func TestReportVerdicts(t *testing.T) {
	pending := health.Report{Stacks: []health.Stack{{Customer: "a", Problems: []health.Problem{{Gate: health.GateAlerts, Message: "x", Pending: true}}}, {Customer: "b"}}}
	assert.False(t, pending.Healthy())
	assert.False(t, pending.Definite(), "a pending problem does not end a bake")
	assert.Equal(t, []health.Stack{pending.Stacks[0]}, pending.Unhealthy())
	definite := health.Report{Stacks: []health.Stack{{Customer: "a", Problems: []health.Problem{{Gate: health.GateAlerts, Message: "x"}}}}}
	assert.True(t, definite.Definite())
	assert.Equal(t, "no-dr-alert-firing: x (pending)", pending.Stacks[0].Problems[0].String())
	_, err := health.CheckTargets(t.Context(), nil, "sub-1", nil, health.Options{Gates: []string{"smoke"}})
	assert.EqualError(t, err, `health: unknown gate "smoke": one of traffic-manager-endpoints-online, availability-tests-passing, no-dr-alert-firing`)
}

const (
	contosoRules = "/subscriptions/sub-1/resourceGroups/rg-contoso-fhir-dr-westus/providers/Microsoft.Insights/metricAlerts/"
	litwareRules = "/subscriptions/sub-1/resourceGroups/rg-litware-fhir-uksouth/providers/Microsoft.Insights/metricAlerts/"
)

// Every Fired alert of a DR rule is a problem, New or Acknowledged (a live
// incident with an owner); a Closed one is over, a Resolved one is never
// listed. The list is read page by page.
func TestFiredAlerts(t *testing.T) {
	arm := fakearm.New(t, "/subscriptions/sub-1/resourceGroups/rg/providers/Microsoft.DocumentDB/databaseAccounts/a")
	c, err := failover.NewClient(failover.Options{Endpoint: arm.URL})
	require.NoError(t, err)
	arm.SetAlertPageSize(1)
	arm.FireAlert(fakearm.Alert{Rule: contosoRules + "alert-contoso-cosmos-region-offline", Severity: "Sev1", Target: "fhir-contoso", Start: "2026-12-01T11:58:00Z"})
	arm.FireAlert(fakearm.Alert{Rule: contosoRules + "alert-contoso-cosmos-region-failover", Severity: "Sev1", Target: "fhir-contoso",
		Start: "2026-12-01T11:59:00Z", State: "Acknowledged"})
	arm.FireAlert(fakearm.Alert{Rule: contosoRules + "alert-contoso-cosmos-replication-lag", Severity: "Sev2", State: "Closed"})
	arm.FireAlert(fakearm.Alert{Rule: litwareRules + "alert-litware-cosmos-replication-lag", Severity: "Sev2", Condition: "Resolved"})
	arm.FireAlert(fakearm.Alert{Rule: litwareRules + "alert-litware-cosmos-region-offline", Severity: "Sev1", Condition: "Resolved", State: "Acknowledged"})
	arm.FireAlert(fakearm.Alert{Rule: litwareRules + "alert-litware-cosmos-write-region-unavailable", Severity: "Sev0", Target: "fhir-litware",
		State: "Acknowledged"})
	arm.FireAlert(fakearm.Alert{Rule: "/subscriptions/sub-1/resourceGroups/rg-other/providers/Microsoft.Insights/metricAlerts/alert-someone-else",
		Severity: "Sev0", State: "Acknowledged"})

	fired, err := health.FiredAlerts(t.Context(), c, "sub-1", []health.Target{target(t, "contoso"), target(t, "litware"), target(t, "adatum")})
	require.NoError(t, err)
	assert.Equal(t, map[string][]health.Problem{
		"contoso": {
			{Gate: health.GateAlerts, Message: "alert alert-contoso-cosmos-region-offline (Sev1) is firing on fhir-contoso since 2026-12-01T11:58:00Z"},
			{Gate: health.GateAlerts, Message: "alert alert-contoso-cosmos-region-failover (Sev1) is firing on fhir-contoso since 2026-12-01T11:59:00Z, acknowledged"},
		},
		"litware": {
			{Gate: health.GateAlerts, Message: "alert alert-litware-cosmos-write-region-unavailable (Sev0) is firing on fhir-litware, acknowledged"},
		},
	}, fired)
	assert.Equal(t, slices.Repeat([]string{fakearm.KeyAlerts + " /subscriptions/sub-1/providers/Microsoft.AlertsManagement/alerts"}, 5),
		arm.HealthReads(), "one page per Fired alert (page size 1): the Resolved ones are not listed")
}

// reader answers FiredAlerts' reads with pages of its own, recording the
// queries.
type reader struct {
	pages   []string
	queries []url.Values
}

func (r *reader) ReadJSON(_ context.Context, target, apiVersion string, query url.Values, out any) error {
	if apiVersion != health.AlertsAPIVersion {
		return fmt.Errorf("api-version %s", apiVersion)
	}
	r.queries = append(r.queries, query)
	i := len(r.queries) - 1
	if i >= len(r.pages) {
		return fmt.Errorf("read %d of %s: no such page", i, target)
	}
	return json.Unmarshal([]byte(r.pages[i]), out)
}

// The one query asks for Fired alerts of every state; the gate drops the
// Closed ones (in any case), and an answer that says Resolved, and names a
// state it does not know.
func TestFiredAlertsQueryAndStates(t *testing.T) {
	alert := func(rule, condition, state string) string {
		return fmt.Sprintf(`{"name":"x","properties":{"essentials":{"severity":"Sev1","alertRule":%q,"monitorCondition":%q,"alertState":%q}}}`,
			contosoRules+rule, condition, state)
	}
	r := &reader{pages: []string{
		`{"nextLink":"https://management.azure.com/next?page=2","value":[` + alert("alert-contoso-cosmos-region-offline", "Fired", "closed") + `,` +
			alert("alert-contoso-cosmos-region-failover", "Resolved", "New") + `]}`,
		`{"value":[` + alert("alert-contoso-cosmos-replication-lag", "Fired", "Suppressed") + `,` +
			alert("alert-contoso-cosmos-write-region-unavailable", "Fired", "") + `]}`,
	}}
	fired, err := health.FiredAlerts(t.Context(), r, "sub-1", []health.Target{target(t, "contoso")})
	require.NoError(t, err)
	assert.Equal(t, map[string][]health.Problem{"contoso": {
		{Gate: health.GateAlerts, Message: "alert alert-contoso-cosmos-replication-lag (Sev1) is firing, suppressed"},
		{Gate: health.GateAlerts, Message: "alert alert-contoso-cosmos-write-region-unavailable (Sev1) is firing"},
	}}, fired)
	assert.Equal(t, []url.Values{{"monitorCondition": {"Fired"}, "timeRange": {"30d"}}, nil}, r.queries,
		"no alertState filter, the widest time range; the nextLink carries its own query")
}
