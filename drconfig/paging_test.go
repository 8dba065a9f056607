package drconfig

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const testActionGroup = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-platform-oncall/providers/Microsoft.Insights/actionGroups/ag-fhir-oncall"

// pagingProblems loads values and returns every problem as text.
func pagingProblems(t *testing.T, values map[string]string) []string {
	t.Helper()
	_, err := Load("stacks/Pulumi.acme.yaml", values)
	var cfgErr *Error
	require.ErrorAs(t, err, &cfgErr)
	var got []string
	for _, p := range cfgErr.Problems {
		got = append(got, p.String())
	}
	return got
}

// TestDRStackWithoutPagingIsInvalid: issue 15. A DR stack whose outage
// pages no one cannot meet its RTO, so the paging path is required, and
// named; a stack without DR needs none.
func TestDRStackWithoutPagingIsInvalid(t *testing.T) {
	got := pagingProblems(t, map[string]string{
		"fhir-dr:customer": "acme", "fhir-dr:primaryRegion": "eastus",
		"fhir-dr:dr": `{"enabled":true,"tier":"data","ticket":"SR-1"}`,
	})
	assert.Equal(t, []string{"fhir-dr:dr.paging.actionGroupId: is required when DR is enabled: the ARM ID of the platform on-call's action group, " +
		"/subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.Insights/actionGroups/<name>; a DR stack whose outage pages no one cannot meet its RTO"}, got)

	_, err := Load("stacks/Pulumi.acme.yaml", map[string]string{"fhir-dr:customer": "acme", "fhir-dr:primaryRegion": "eastus"})
	assert.NoError(t, err, "no DR, nothing to page for")
}

func TestPagingAndAvailabilityProblems(t *testing.T) {
	got := pagingProblems(t, map[string]string{
		"fhir-dr:customer": "acme", "fhir-dr:primaryRegion": "eastus",
		"fhir-dr:dr": `{"enabled":true,"tier":"data","ticket":"SR-1","paging":{` +
			`"actionGroupId":"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Insights/metricAlerts/x",` +
			`"emails":["oncall@acme.example","not an address","OnCall@acme.example"]}}`,
		"fhir-dr:monitoring": `{"availability":{"locations":["us-va-ash-azr","us-va-ash-azr","mars-base-1"],"frequencySeconds":60,"failedLocations":3}}`,
	})
	assert.Equal(t, []string{
		"fhir-dr:dr.paging.actionGroupId: must be the ARM ID of an action group, /subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.Insights/actionGroups/<name>, " +
			`got "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Insights/metricAlerts/x"`,
		`fhir-dr:dr.paging.emails[1]: must be an email address, got "not an address"`,
		"fhir-dr:dr.paging.emails[2]: lists OnCall@acme.example twice",
		`fhir-dr:monitoring.availability.locations[2]: must be apac-hk-hkn-azr, apac-jp-kaw-edge, apac-sg-sin-azr, emea-au-syd-edge, emea-ch-zrh-edge, ` +
			`emea-fr-pra-edge, emea-gb-db3-azr, emea-nl-ams-azr, emea-ru-msa-edge, emea-se-sto-edge, latam-br-gru-edge, us-ca-sjc-azr, us-fl-mia-edge, ` +
			`us-il-ch1-azr, us-tx-sn1-azr or us-va-ash-azr, got "mars-base-1"`,
		"fhir-dr:monitoring.availability.locations[1]: lists us-va-ash-azr twice",
		"fhir-dr:monitoring.availability.locations: needs at least 3 distinct locations, got 2: with fewer, one location's network trouble looks like an outage",
		`fhir-dr:monitoring.availability.frequencySeconds: must be 300, 600 or 900, got 60`,
		"fhir-dr:monitoring.availability.failedLocations: is 3, more than the 2 locations the tests run from: the alert could never fire",
	}, got)
}

func TestAvailabilityDefaults(t *testing.T) {
	cfg, err := Load("stacks/Pulumi.acme.yaml", map[string]string{
		"fhir-dr:customer": "acme", "fhir-dr:primaryRegion": "eastus",
		"fhir-dr:dr": `{"enabled":true,"tier":"data","ticket":"SR-1","paging":{"actionGroupId":"` + testActionGroup + `"}}`,
	})
	require.NoError(t, err)
	assert.Equal(t, Availability{
		Locations:        []string{"us-va-ash-azr", "us-ca-sjc-azr", "emea-nl-ams-azr", "emea-gb-db3-azr", "apac-sg-sin-azr"},
		FrequencySeconds: 300, FailedLocations: 2,
	}, cfg.Monitoring.Availability)
	assert.Equal(t, testActionGroup, cfg.DR.Paging.ActionGroupID)
}
