package detection_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fhir-dr/fhir-dr/detection"
	"github.com/fhir-dr/fhir-dr/objectives"
)

func full() detection.Inputs {
	return detection.Inputs{
		Full: true, RPO: 15 * time.Minute,
		Probe: objectives.Probe{IntervalSeconds: 30, TimeoutSeconds: 10, ToleratedFailures: 3, TTLSeconds: 60},
		Availability: detection.Availability{
			Locations: detection.DefaultWebTestLocations, FrequencySeconds: 300, FailedLocations: 2,
		},
	}
}

func total(s objectives.Signal) time.Duration {
	var d time.Duration
	for _, t := range s.Terms {
		d += t.Duration
	}
	return d
}

func TestRulesPerTier(t *testing.T) {
	data := detection.Rules(detection.Inputs{RPO: 15 * time.Minute})
	assert.Equal(t, []string{"cosmos-region-failover", "cosmos-region-offline", "cosmos-replication-lag", "cosmos-write-region-unavailable"},
		detection.Keys(data), "the data tier gets what applies without compute")
	assert.Equal(t, []string{
		"cosmos-region-failover", "cosmos-region-offline", "cosmos-replication-lag", "cosmos-write-region-unavailable",
		"traffic-manager-endpoint-degraded",
		"aks-primary-nodes-not-ready", "aks-primary-fhir-pods-not-ready", "aks-secondary-nodes-not-ready", "aks-secondary-fhir-pods-not-ready",
		"availability-traffic-manager", "availability-primary", "availability-secondary",
	}, detection.Keys(detection.Rules(full())))
	for _, r := range detection.Rules(full()) {
		assert.True(t, r.Pages, r.Key)
		assert.NotEmpty(t, r.Reference.String(), r.Key)
		assert.LessOrEqual(t, r.Frequency, r.Window, "%s: evaluated at least once per window", r.Key)
		if r.Reference.GUID != "" {
			assert.NotEmpty(t, r.Reference.File, r.Key)
		}
	}
}

// The Traffic Manager rule's detection: the probe's own detection, a whole
// grain degraded, publication and the evaluation.
func TestTrafficManagerDetection(t *testing.T) {
	r, ok := detection.Lookup(detection.Rules(full()), "traffic-manager-endpoint-degraded")
	require.True(t, ok)
	assert.Equal(t, "Maximum < 1, EndpointName Include [*]", r.Condition())
	assert.Equal(t, "dd3f294f-d12e-4e34-8f6a-c304d3d977e2", r.Reference.GUID)
	require.NotNil(t, r.Detection)
	var names []string
	for _, term := range r.Detection.Terms {
		names = append(names, term.Name)
	}
	assert.Equal(t, []string{"Traffic Manager marks the primary endpoint degraded", "the metric's 1-minute time grain completes",
		"the metric is published to Azure Monitor", "the rule evaluates"}, names)
	assert.Equal(t, 130*time.Second+time.Minute+objectives.MetricPublication+time.Minute, total(*r.Detection))
}

func TestReplicationLagFollowsTheRPO(t *testing.T) {
	for rpo, want := range map[time.Duration]float64{15 * time.Minute: 300_000, 10 * time.Minute: 200_000, 0: 5000} {
		in := full()
		in.RPO = rpo
		r, _ := detection.Lookup(detection.Rules(in), "cosmos-replication-lag")
		assert.Equal(t, want, r.Threshold, rpo)
		assert.Equal(t, "Maximum", r.Aggregation)
	}
}

// Signals are the paging rules that detect the loss of the primary: for
// the full tier Traffic Manager's endpoint state and the primary stamp's
// test, which need no answer from the failed region; for the data tier the
// 503s, its only fast signal.
func TestSignals(t *testing.T) {
	var names []string
	for _, s := range detection.Signals(detection.Rules(full())) {
		names = append(names, s.Name)
	}
	assert.Equal(t, []string{
		"Traffic Manager endpoint degraded (traffic-manager-endpoint-degraded)",
		"availability test of the primary stamp (availability-primary)",
	}, names)
	data := detection.Signals(detection.Rules(detection.Inputs{RPO: 15 * time.Minute}))
	require.Len(t, data, 1)
	assert.Equal(t, 2*time.Minute+objectives.MetricPublication, total(data[0]))

	in := full()
	in.Availability.FrequencySeconds = 900
	r, _ := detection.Lookup(detection.Rules(in), "availability-primary")
	assert.Equal(t, 15*time.Minute, r.Window, "the window holds a whole test period")
	assert.Equal(t, 15*time.Minute+130*time.Second+objectives.MetricPublication+time.Minute, total(*r.Detection))
}

func TestISO8601(t *testing.T) {
	assert.Equal(t, "PT1M", detection.ISO8601(time.Minute))
	assert.Equal(t, "PT15M", detection.ISO8601(15*time.Minute))
	assert.Equal(t, "PT1H", detection.ISO8601(time.Hour))
}
