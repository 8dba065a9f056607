package health_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fhir-dr/fhir-dr/drconfig"
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
