package fakearm_test

import (
	"errors"
	"net/http"
	"net/url"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fhir-dr/fhir-dr/internal/failover"
	"github.com/fhir-dr/fhir-dr/internal/failover/fakearm"
	"github.com/fhir-dr/fhir-dr/internal/health"
)

type alertPage struct {
	NextLink string `json:"nextLink"`
	Value    []struct {
		Properties struct {
			Essentials struct {
				AlertRule        string `json:"alertRule"`
				MonitorCondition string `json:"monitorCondition"`
				AlertState       string `json:"alertState"`
			} `json:"essentials"`
		} `json:"properties"`
	} `json:"value"`
}

// The fake lists the Fired alerts with their states, page by page, and
// refuses a query the gate must not send, so that a regression of the
// gate's query fails its tests.
func TestAlerts(t *testing.T) {
	arm := fakearm.New(t, "/subscriptions/sub-1/resourceGroups/rg/providers/Microsoft.DocumentDB/databaseAccounts/a")
	c, err := failover.NewClient(failover.Options{Endpoint: arm.URL})
	require.NoError(t, err)
	arm.SetAlertPageSize(2)
	for _, a := range []fakearm.Alert{
		{Rule: "r/new"}, {Rule: "r/acknowledged", State: "Acknowledged"}, {Rule: "r/closed", State: "Closed"},
		{Rule: "r/resolved", Condition: "Resolved"}, {Rule: "r/resolved-acknowledged", Condition: "Resolved", State: "Acknowledged"},
	} {
		arm.FireAlert(a)
	}
	const alerts = "/subscriptions/sub-1/providers/Microsoft.AlertsManagement/alerts"

	var got []string
	next, q := alerts, url.Values{"monitorCondition": {"Fired"}, "timeRange": {"30d"}}
	for next != "" {
		var page alertPage
		require.NoError(t, c.ReadJSON(t.Context(), next, health.AlertsAPIVersion, q, &page))
		for _, a := range page.Value {
			e := a.Properties.Essentials
			got = append(got, e.AlertRule+" "+e.MonitorCondition+" "+e.AlertState)
		}
		next, q = page.NextLink, nil
	}
	assert.Equal(t, []string{"r/new Fired New", "r/acknowledged Fired Acknowledged", "r/closed Fired Closed"}, got)

	for _, bad := range []url.Values{
		nil,
		{"monitorCondition": {"Resolved"}, "timeRange": {"30d"}},
		{"monitorCondition": {"Fired"}, "timeRange": {"30d"}, "alertState": {"New"}},
		{"monitorCondition": {"Fired"}},
		{"monitorCondition": {"Fired"}, "timeRange": {"1d"}},
		{"monitorCondition": {"Fired"}, "timeRange": {"30d"}, "severity": {"Sev0"}},
	} {
		err := c.ReadJSON(t.Context(), alerts, health.AlertsAPIVersion, bad, &alertPage{})
		var re *azcore.ResponseError
		require.True(t, errors.As(err, &re), "%v: %v", bad, err)
		assert.Equal(t, http.StatusBadRequest, re.StatusCode, "%v", bad)
	}
}
