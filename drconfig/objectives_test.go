package drconfig

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fhir-dr/fhir-dr/objectives"
)

// With nothing but the required settings, the full tier's product part of
// the RTO (detection from the declared rules, paging, forced failover, DNS,
// scale-out) is within fhir-dr's 5-minute aim, and every term is the
// declared rules' or a named budget.
func TestDefaultObjectives(t *testing.T) {
	c, err := Load("f", fullTier(fhirJSON("")))
	require.NoError(t, err)
	o := c.Objectives()
	assert.Equal(t, "Traffic Manager endpoint degraded (traffic-manager-endpoint-degraded)", o.Detection, "the fastest paging rule")
	assert.Equal(t, 4*time.Minute+50*time.Second, o.ProductRTO)
	assert.LessOrEqual(t, o.ProductRTO, objectives.ProductRTOAim)
	assert.Equal(t, 19*time.Minute+50*time.Second, o.RTO, "the product's part plus the 15-minute decision")
	var names []string
	for _, term := range o.RTOTerms {
		names = append(names, term.Name)
	}
	assert.Equal(t, []string{
		"Traffic Manager marks the primary endpoint degraded",
		"the metric's 1-minute time grain completes",
		"the metric is published to Azure Monitor",
		"the rule evaluates",
		"the page reaches on-call",
		"operator confirms the outage and orders forced failover",
		"forced failover moves Cosmos DB writes to the secondary",
	}, names)
	assert.Equal(t, 35*time.Second+time.Minute, sumTerms(o.TrafficTerms), "probe and TTL: the standby runs the primary's pods")

	data := fullTier(fhirJSON(""))
	data["fhir-dr:dr"] = `{"enabled":true,"paging":{"actionGroupId":"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-platform-oncall/providers/Microsoft.Insights/actionGroups/ag-fhir-oncall"},"tier":"data","ticket":"SR-1"}`
	delete(data, "fhir-dr:compute")
	delete(data, "fhir-dr:fhir")
	c, err = Load("d", data)
	require.NoError(t, err)
	o = c.Objectives()
	assert.Equal(t, "Cosmos DB 503s in the write region (cosmos-write-region-unavailable)", o.Detection)
	assert.Equal(t, 3*time.Minute+30*time.Second+45*time.Second+objectives.ComputeRebuild, o.ProductRTO,
		"the 503 rule, paging, failover and the compute rebuild")
	assert.Empty(t, o.TrafficTerms)
}

func sumTerms(terms []objectives.Term) time.Duration {
	var d time.Duration
	for _, t := range terms {
		d += t.Duration
	}
	return d
}
