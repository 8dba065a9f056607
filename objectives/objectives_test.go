package objectives

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestChooseConsistency(t *testing.T) {
	cases := []struct {
		target time.Duration
		want   Consistency
		err    string
	}{
		{0, Consistency{Level: Strong}, ""},
		{time.Second, Consistency{}, "RPO 1s cannot be met: between 0 (Strong) and 5m0s (the smallest bounded staleness Cosmos DB allows across regions) no consistency level gives it"},
		{299 * time.Second, Consistency{}, "RPO 4m59s cannot be met: between 0 (Strong) and 5m0s (the smallest bounded staleness Cosmos DB allows across regions) no consistency level gives it"},
		{5 * time.Minute, Consistency{Level: BoundedStaleness, MaxIntervalSeconds: 300, MaxStalenessPrefix: 100_000}, ""},
		{10 * time.Minute, Consistency{Level: BoundedStaleness, MaxIntervalSeconds: 600, MaxStalenessPrefix: 100_000}, ""},
		{14*time.Minute + 59*time.Second, Consistency{Level: BoundedStaleness, MaxIntervalSeconds: 899, MaxStalenessPrefix: 100_000}, ""},
		{10*time.Minute + 500*time.Millisecond, Consistency{}, "RPO 10m0.5s is not a whole number of seconds"},
		{15 * time.Minute, Consistency{Level: Session}, ""},
		{time.Hour, Consistency{Level: Session}, ""},
		{-time.Minute, Consistency{}, "RPO -1m0s is negative"},
	}
	for _, tc := range cases {
		t.Run(tc.target.String(), func(t *testing.T) {
			got, err := ChooseConsistency(tc.target)
			if tc.err != "" {
				assert.EqualError(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestProbeDetection(t *testing.T) {
	// The facts' examples: about 190 s with 30 s / 3 / 10 s / 60 s TTL and
	// about 35 s with 10 s / 1 / 5 s / 10 s TTL.
	p := Probe{IntervalSeconds: 30, ToleratedFailures: 3, TimeoutSeconds: 10, TTLSeconds: 60}
	assert.Equal(t, 190*time.Second, p.Detection()+time.Duration(p.TTLSeconds)*time.Second)
	fast := Probe{IntervalSeconds: 10, ToleratedFailures: 1, TimeoutSeconds: 5, TTLSeconds: 10}
	assert.Equal(t, 35*time.Second, fast.Detection()+time.Duration(fast.TTLSeconds)*time.Second)
}

// tmSignal is a paging rule's detection as the detection package declares
// the Traffic Manager endpoint rule: probe, the metric's minute, its
// publication and the rule's evaluation.
func tmSignal(p Probe) Signal {
	return Signal{Name: "tm-endpoint", Terms: []Term{
		{Name: "probe", Duration: p.Detection(), Source: "probe"},
		{Name: "grain", Duration: time.Minute, Source: "PT1M"},
		{Name: "publication", Duration: MetricPublication, Source: "estimate"},
		{Name: "evaluation", Duration: time.Minute, Source: "rule"},
	}}
}

func TestModel(t *testing.T) {
	fastProbe := Probe{IntervalSeconds: 10, ToleratedFailures: 2, TimeoutSeconds: 5, TTLSeconds: 60}
	slowProbe := Probe{IntervalSeconds: 30, ToleratedFailures: 3, TimeoutSeconds: 10, TTLSeconds: 60}
	dataSignal := Signal{Name: "cosmos-503", Terms: []Term{{Name: "window", Duration: 5 * time.Minute, Source: "rule"},
		{Name: "publication", Duration: MetricPublication, Source: "estimate"}, {Name: "evaluation", Duration: time.Minute, Source: "rule"}}}
	slower := Signal{Name: "availability", Terms: []Term{{Name: "test frequency", Duration: 5 * time.Minute, Source: "rule"}}}
	fixed := PagingDelivery + ForcedFailoverExecution
	cases := []struct {
		name                              string
		in                                Inputs
		rpo, rto, product, serviceManaged time.Duration
		detection                         string
		targetRTO                         time.Duration
		writeTerms, trafficTerms          int
		violations                        []string
	}{
		{
			name: "full tier, defaults: the fastest rule detects",
			in: Inputs{Full: true, Consistency: Consistency{Level: Session}, Probe: fastProbe, OperatorDecision: 15 * time.Minute,
				StandbyReplicas: 3, PrimaryReplicas: 3, Signals: []Signal{slower, tmSignal(fastProbe)}},
			rpo: 15 * time.Minute, rto: 35*time.Second + 3*time.Minute + fixed + 15*time.Minute,
			product:        35*time.Second + 3*time.Minute + fixed, // 4m50s: within the 5-minute aim
			serviceManaged: time.Hour + 60*time.Second, detection: "tm-endpoint", targetRTO: TargetRTOFull,
			writeTerms: 7, trafficTerms: 2,
		},
		{
			name: "full tier, a small standby: the traffic path is longer than the product's write path",
			in: Inputs{Full: true, Consistency: Consistency{Level: Session}, Probe: slowProbe, OperatorDecision: 15 * time.Minute,
				StandbyReplicas: 2, PrimaryReplicas: 3, Signals: []Signal{tmSignal(slowProbe)}},
			rpo: 15 * time.Minute, rto: 130*time.Second + 3*time.Minute + fixed + 15*time.Minute,
			product:        130*time.Second + 60*time.Second + 8*time.Minute + 30*time.Second,
			serviceManaged: time.Hour + 60*time.Second + 8*time.Minute + 30*time.Second, detection: "tm-endpoint", targetRTO: TargetRTOFull,
			writeTerms: 7, trafficTerms: 3,
		},
		{
			name: "data tier rebuilds compute",
			in:   Inputs{Consistency: Consistency{Level: Strong}, OperatorDecision: 15 * time.Minute, Signals: []Signal{dataSignal}},
			rpo:  0, rto: 7*time.Minute + fixed + 15*time.Minute + ComputeRebuild, product: 7*time.Minute + fixed + ComputeRebuild,
			serviceManaged: ServiceManagedFailover + ComputeRebuild, detection: "cosmos-503", targetRTO: TargetRTOData,
			writeTerms: 7,
		},
		{
			name: "no paging rule declared",
			in:   Inputs{Consistency: Consistency{Level: Session}, OperatorDecision: 15 * time.Minute},
			rpo:  15 * time.Minute, rto: AlertDetection + fixed + 15*time.Minute + ComputeRebuild, product: AlertDetection + fixed + ComputeRebuild,
			serviceManaged: ServiceManagedFailover + ComputeRebuild, targetRTO: TargetRTOData,
			writeTerms: 5,
		},
		{
			name: "slow operator breaks the full-tier RTO",
			in: Inputs{Full: true, Consistency: Consistency{Level: Session}, Probe: fastProbe, OperatorDecision: time.Hour,
				StandbyReplicas: 3, PrimaryReplicas: 3, Signals: []Signal{tmSignal(fastProbe)}},
			rpo: 15 * time.Minute, rto: 35*time.Second + 3*time.Minute + fixed + time.Hour, product: 35*time.Second + 3*time.Minute + fixed,
			serviceManaged: time.Hour + 60*time.Second, detection: "tm-endpoint", targetRTO: TargetRTOFull,
			writeTerms: 7, trafficTerms: 2,
			violations: []string{"modeled RTO 1h4m50s exceeds the target 1h0m0s"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o := Model(tc.in)
			assert.Equal(t, tc.rpo, o.RPO)
			assert.Equal(t, tc.rto, o.RTO)
			assert.Equal(t, tc.product, o.ProductRTO)
			assert.Equal(t, tc.serviceManaged, o.ServiceManagedRTO)
			assert.Equal(t, tc.detection, o.Detection)
			assert.Equal(t, tc.targetRTO, o.TargetRTO)
			assert.Equal(t, TargetRPO, o.TargetRPO)
			assert.Equal(t, Outage, o.Outage)
			assert.Equal(t, tc.violations, o.Violations())
			assert.Len(t, o.RTOTerms, tc.writeTerms)
			assert.Len(t, o.TrafficTerms, tc.trafficTerms)
			humans := 0
			for _, term := range append(append(o.RTOTerms, o.TrafficTerms...), o.RPOTerms...) {
				assert.NotEmpty(t, term.Name)
				assert.NotEmpty(t, term.Source, "every term names its source")
				if term.Human {
					humans++
					assert.Equal(t, max(tc.in.OperatorDecision, 0), term.Duration)
				}
			}
			assert.Equal(t, 1, humans, "one term is the human decision")
		})
	}
}

// With the defaults' signals the product-controlled part of the full tier
// is within fhir-dr's 5-minute aim.
func TestProductAim(t *testing.T) {
	p := Probe{IntervalSeconds: 10, ToleratedFailures: 2, TimeoutSeconds: 5, TTLSeconds: 60}
	o := Model(Inputs{Full: true, Probe: p, OperatorDecision: 15 * time.Minute, StandbyReplicas: 3, PrimaryReplicas: 3,
		Signals: []Signal{tmSignal(p)}})
	assert.LessOrEqual(t, o.ProductRTO, ProductRTOAim)
}

// The model saturates instead of wrapping: an operator decision time or a
// probe setting so large that the sum would overflow gives the largest
// duration, never a negative RTO that "meets" the target; and no term can
// take time away.
func TestModelSaturates(t *testing.T) {
	huge := 2562047*time.Hour + 40*time.Minute // within time.Duration, but the sum is not
	o := Model(Inputs{OperatorDecision: huge})
	assert.Equal(t, MaxDuration, o.RTO)
	assert.Equal(t, []string{"modeled RTO 2562047h47m16.854775807s exceeds the target 2h0m0s"}, o.Violations())

	full := Model(Inputs{Full: true, OperatorDecision: 15 * time.Minute, Probe: Probe{
		IntervalSeconds: math.MaxInt, TimeoutSeconds: math.MaxInt, ToleratedFailures: math.MaxInt, TTLSeconds: math.MaxInt,
	}})
	assert.Equal(t, MaxDuration, full.RTO)
	assert.Equal(t, MaxDuration, full.ServiceManagedRTO)
	assert.Equal(t, MaxDuration, full.TrafficTerms[0].Duration, "detection")
	assert.Equal(t, MaxDuration, full.TrafficTerms[1].Duration, "DNS TTL")
	assert.Equal(t, MaxDuration, full.ProductRTO)

	assert.Equal(t, MaxDuration, Probe{IntervalSeconds: 30, ToleratedFailures: math.MaxInt / 2, TimeoutSeconds: 10}.Detection())
	assert.Equal(t, time.Duration(0), Probe{IntervalSeconds: -30, ToleratedFailures: 3, TimeoutSeconds: -10}.Detection())

	negative := Model(Inputs{OperatorDecision: -time.Hour})
	assert.Equal(t, AlertDetection+PagingDelivery+ForcedFailoverExecution+ComputeRebuild, negative.RTO, "a negative term counts as zero")

	bounded := Model(Inputs{Consistency: Consistency{Level: BoundedStaleness, MaxIntervalSeconds: math.MaxInt, MaxStalenessPrefix: 1}})
	assert.Equal(t, MaxDuration, bounded.RPO)
}
