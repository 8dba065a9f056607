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

func TestModel(t *testing.T) {
	defaultProbe := Probe{IntervalSeconds: 30, ToleratedFailures: 3, TimeoutSeconds: 10, TTLSeconds: 60}
	cases := []struct {
		name                     string
		in                       Inputs
		rpo, rto, serviceManaged time.Duration
		targetRTO                time.Duration
		violations               []string
	}{
		{
			name: "full tier, defaults",
			in:   Inputs{Full: true, Consistency: Consistency{Level: Session}, Probe: defaultProbe, OperatorDecision: 15 * time.Minute},
			rpo:  15 * time.Minute, rto: 130*time.Second + 15*time.Minute + 5*time.Minute + 60*time.Second,
			serviceManaged: time.Hour + 60*time.Second, targetRTO: TargetRTOFull,
		},
		{
			name: "full tier, bounded staleness and fast probing",
			in: Inputs{Full: true, Consistency: Consistency{Level: BoundedStaleness, MaxIntervalSeconds: 600, MaxStalenessPrefix: 100_000},
				Probe: Probe{IntervalSeconds: 10, ToleratedFailures: 1, TimeoutSeconds: 5, TTLSeconds: 10}, OperatorDecision: 5 * time.Minute},
			rpo: 10 * time.Minute, rto: 25*time.Second + 5*time.Minute + 5*time.Minute + 10*time.Second,
			serviceManaged: time.Hour + 10*time.Second, targetRTO: TargetRTOFull,
		},
		{
			name: "data tier rebuilds compute",
			in:   Inputs{Consistency: Consistency{Level: Strong}, OperatorDecision: 15 * time.Minute},
			rpo:  0, rto: AlertDetection + 15*time.Minute + ForcedFailoverExecution + ComputeRebuild,
			serviceManaged: ServiceManagedFailover + ComputeRebuild, targetRTO: TargetRTOData,
		},
		{
			name: "slow operator breaks the full-tier RTO",
			in:   Inputs{Full: true, Consistency: Consistency{Level: Session}, Probe: defaultProbe, OperatorDecision: time.Hour},
			rpo:  15 * time.Minute, rto: 130*time.Second + time.Hour + 5*time.Minute + 60*time.Second,
			serviceManaged: time.Hour + 60*time.Second, targetRTO: TargetRTOFull,
			violations: []string{"modeled RTO 1h8m10s exceeds the target 1h0m0s"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o := Model(tc.in)
			assert.Equal(t, tc.rpo, o.RPO)
			assert.Equal(t, tc.rto, o.RTO)
			assert.Equal(t, tc.serviceManaged, o.ServiceManagedRTO)
			assert.Equal(t, tc.targetRTO, o.TargetRTO)
			assert.Equal(t, TargetRPO, o.TargetRPO)
			assert.Equal(t, Outage, o.Outage)
			assert.Equal(t, tc.violations, o.Violations())
			assert.Len(t, o.RTOTerms, 4)
			for _, term := range append(o.RTOTerms, o.RPOTerms...) {
				assert.NotEmpty(t, term.Name)
				assert.NotEmpty(t, term.Source, "every term names its source")
			}
		})
	}
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
	assert.Equal(t, MaxDuration, full.RTOTerms[0].Duration, "detection")
	assert.Equal(t, MaxDuration, full.RTOTerms[3].Duration, "DNS TTL")

	assert.Equal(t, MaxDuration, Probe{IntervalSeconds: 30, ToleratedFailures: math.MaxInt / 2, TimeoutSeconds: 10}.Detection())
	assert.Equal(t, time.Duration(0), Probe{IntervalSeconds: -30, ToleratedFailures: 3, TimeoutSeconds: -10}.Detection())

	negative := Model(Inputs{OperatorDecision: -time.Hour})
	assert.Equal(t, AlertDetection+ForcedFailoverExecution+ComputeRebuild, negative.RTO, "a negative term counts as zero")

	bounded := Model(Inputs{Consistency: Consistency{Level: BoundedStaleness, MaxIntervalSeconds: math.MaxInt, MaxStalenessPrefix: 1}})
	assert.Equal(t, MaxDuration, bounded.RPO)
}
