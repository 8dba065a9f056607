// Package objectives models the worst-case recovery point and recovery time
// objectives (RPO, RTO) of a fhir-dr deployment from its declared settings.
//
// The model assumes one outage: the loss of the whole primary region (every
// availability zone), including the Cosmos DB write region and the primary
// compute stamp, while the secondary region stays healthy. Every term of a
// figure is named and carries its source, so a reviewer can check the sum.
//
// Two recovery paths are modeled. The forced (customer-managed) failover is
// what the runbook follows and what the targets are checked against: an
// operator confirms the outage and forces the Cosmos write region over, which
// takes seconds once triggered. Service-managed failover
// (enableAutomaticFailover) also happens without an operator, but Azure says
// it "might take one hour or more", so it is shown for information only.
package objectives

import (
	"fmt"
	"math"
	"slices"
	"time"
)

// Targets of the product (shared/reference/azure-dr-facts.md section 1).
const (
	// TargetRPO is the recovery point objective of both tiers.
	TargetRPO = 15 * time.Minute
	// TargetRTOFull is the recovery time objective of the full tier.
	TargetRTOFull = 60 * time.Minute
	// TargetRTOData is the recovery time objective of the data-only tier.
	TargetRTOData = 120 * time.Minute
)

// Cosmos DB facts (azure-databases-docs consistency-levels.md and
// reliability-cosmos-db.md, summarised in azure-dr-facts.md section 3).
const (
	// SessionRPO bounds data loss for Session, Consistent Prefix and Eventual
	// consistency on a multi-region, single-write account.
	SessionRPO = 15 * time.Minute
	// SingleRegionRPO bounds data loss for an account with one region.
	SingleRegionRPO = 240 * time.Minute
	// MinBoundedStalenessInterval is the smallest maxIntervalInSeconds Cosmos
	// accepts on a multi-region account.
	MinBoundedStalenessInterval = 300 * time.Second
	// MinBoundedStalenessPrefix is the smallest maxStalenessPrefix Cosmos
	// accepts on a multi-region account.
	MinBoundedStalenessPrefix = 100_000
)

// Modeled durations that are not Azure-published bounds but fhir-dr's own
// budgets and estimates; drills replace the budgets with measurements.
const (
	// ForcedFailoverExecution budgets drctl failover --forced from the
	// click until Cosmos DB takes writes in the secondary: the guard's
	// reads (account and replication lag, each bounded by the per-try
	// timeout), the offlineRegion request, which Azure says takes seconds
	// once triggered, and the read that verifies the new write region.
	// drctl failover --drill prints the measured figure beside it.
	ForcedFailoverExecution = 45 * time.Second
	// ServiceManagedFailover is the lower bound Azure gives for
	// service-managed failover ("might take one hour or more").
	ServiceManagedFailover = 60 * time.Minute
	// MetricPublication is how long Azure Monitor takes to make a platform
	// metric's one-minute value available to alert rules after the minute
	// ends. Azure publishes no bound; this is fhir-dr's estimate.
	MetricPublication = 1 * time.Minute
	// PagingDelivery is how long an action group's notification (push,
	// SMS, voice, webhook) takes to reach on-call after the alert fires.
	// Azure publishes no bound; this is fhir-dr's estimate.
	PagingDelivery = 30 * time.Second
	// AlertDetection is what the model assumes when a stack declares no
	// paging rule (Inputs.Signals empty): a 5-minute alert window. Such a
	// stack is invalid (drconfig); the figure keeps the model total.
	AlertDetection = 5 * time.Minute
	// ComputeRebuild is how long the data-only tier needs to provision the
	// cluster and the FHIR workload in the secondary region and repoint DNS.
	ComputeRebuild = 60 * time.Minute
	// AutoscalerReaction is how long the horizontal pod autoscaler takes to
	// see the standby's load and ask for more pods: its 15 s sync period
	// plus the metrics server's 60 s resolution, with margin.
	AutoscalerReaction = 90 * time.Second
	// NodeProvisioning is how long the cluster autoscaler needs to add
	// nodes for the new pods when the standby's nodes are full.
	NodeProvisioning = 5 * time.Minute
	// PodStartup is how long a new FHIR server pod needs to pull its image,
	// start and pass its readiness probe.
	PodStartup = 2 * time.Minute
	// ProductRTOAim is fhir-dr's own aim for the part of the full tier's
	// RTO the product controls (everything but the human decision), far
	// below the 60-minute target.
	ProductRTOAim = 5 * time.Minute
)

// Consistency levels, as the Cosmos DB API names them.
const (
	Session          = "Session"
	BoundedStaleness = "BoundedStaleness"
	Strong           = "Strong"
)

// Consistency is a Cosmos DB default consistency policy.
type Consistency struct {
	// Level is Session, BoundedStaleness or Strong.
	Level string
	// MaxIntervalSeconds bounds staleness in time; BoundedStaleness only.
	MaxIntervalSeconds int
	// MaxStalenessPrefix bounds staleness in operations; BoundedStaleness
	// only.
	MaxStalenessPrefix int
}

// ChooseConsistency returns the weakest consistency whose regional-outage RPO
// meets target on a multi-region, single-write account: Session for 15
// minutes or more, BoundedStaleness with the target as its time bound from 5
// to 15 minutes, Strong for zero. Weaker levels cost fewer request units and
// keep writes fast, so nothing stronger than needed is chosen. A target
// between zero and 5 minutes cannot be met by any level and is an error.
func ChooseConsistency(target time.Duration) (Consistency, error) {
	switch {
	case target < 0:
		return Consistency{}, fmt.Errorf("RPO %s is negative", target)
	case target == 0:
		return Consistency{Level: Strong}, nil
	case target >= SessionRPO:
		return Consistency{Level: Session}, nil
	case target >= MinBoundedStalenessInterval:
		if target%time.Second != 0 {
			return Consistency{}, fmt.Errorf("RPO %s is not a whole number of seconds", target)
		}
		return Consistency{
			Level:              BoundedStaleness,
			MaxIntervalSeconds: int(target / time.Second),
			MaxStalenessPrefix: MinBoundedStalenessPrefix,
		}, nil
	default:
		return Consistency{}, fmt.Errorf(
			"RPO %s cannot be met: between 0 (Strong) and %s (the smallest bounded staleness Cosmos DB allows "+
				"across regions) no consistency level gives it", target, MinBoundedStalenessInterval)
	}
}

// Term is one named part of a modeled figure.
type Term struct {
	// Name says what the term is.
	Name string
	// Duration is the term's worst case.
	Duration time.Duration
	// Source says where the figure comes from.
	Source string
	// Human marks the operator's decision: a stated assumption from
	// config, not a figure the product controls.
	Human bool
}

// Signal is a declared alert rule that pages on-call, with the worst-case
// time from the outage to the alert firing, term by term.
type Signal struct {
	// Name names the rule.
	Name string
	// Terms add up to the rule's worst-case detection time.
	Terms []Term
}

// Detection is the signal's worst-case time from the outage to the alert.
func (s Signal) Detection() time.Duration { return sum(s.Terms) }

// fastest returns the signal that fires first in the worst case.
func fastest(signals []Signal) (Signal, bool) {
	var best Signal
	for i, s := range signals {
		if i == 0 || s.Detection() < best.Detection() {
			best = s
		}
	}
	return best, len(signals) > 0
}

// Probe is the Traffic Manager health probe timing of a full-tier stack.
type Probe struct {
	// IntervalSeconds is the probing interval (10 or 30).
	IntervalSeconds int
	// TimeoutSeconds is the probe timeout.
	TimeoutSeconds int
	// ToleratedFailures is the number of failed probes tolerated.
	ToleratedFailures int
	// TTLSeconds is the profile's DNS TTL.
	TTLSeconds int
}

// Detection returns the worst-case time until Traffic Manager marks the
// primary degraded: (tolerated failures + 1) x interval + timeout,
// saturated like every figure of the model.
func (p Probe) Detection() time.Duration {
	probes := p.ToleratedFailures
	if probes < math.MaxInt {
		probes++
	}
	return add(mul(seconds(p.IntervalSeconds), probes), seconds(p.TimeoutSeconds))
}

// MaxDuration is the largest figure the model gives. Its arithmetic
// saturates there instead of wrapping around to a negative duration (which
// would "meet" any target), and a negative input counts as zero: no step of
// a recovery takes time away. Settings that large are refused by drconfig
// and the policy; the model stays right even when they are not.
const MaxDuration time.Duration = math.MaxInt64

// seconds returns n seconds, saturated to [0, MaxDuration].
func seconds(n int) time.Duration {
	return mul(time.Second, n)
}

// mul returns d x n, saturated to [0, MaxDuration].
func mul(d time.Duration, n int) time.Duration {
	if d <= 0 || n <= 0 {
		return 0
	}
	if int64(n) > int64(MaxDuration/d) {
		return MaxDuration
	}
	return d * time.Duration(n)
}

// add returns a + b, each counted as zero when negative, saturated at
// MaxDuration.
func add(a, b time.Duration) time.Duration {
	a, b = max(a, 0), max(b, 0)
	if a > MaxDuration-b {
		return MaxDuration
	}
	return a + b
}

// Inputs are the declared settings the model reads.
type Inputs struct {
	// Full is true for the full tier (mirrored compute and Traffic Manager),
	// false for the data-only tier.
	Full bool
	// Consistency is the account's default consistency.
	Consistency Consistency
	// Probe is the Traffic Manager probe timing; full tier only.
	Probe Probe
	// OperatorDecision is the time the on-call operator takes to confirm the
	// outage and order the forced failover.
	OperatorDecision time.Duration
	// StandbyReplicas and PrimaryReplicas are the FHIR service's pod counts;
	// full tier only. A smaller standby must scale out after it takes over.
	StandbyReplicas, PrimaryReplicas int
	// Signals are the stack's declared alert rules that page on-call;
	// detection is the fastest of them.
	Signals []Signal
}

// StandbyScaleOut is the worst case for the warm standby to grow from
// standby to primary pods after it takes the traffic: the autoscaler
// reacts, the cluster autoscaler adds nodes, and the new pods start. It is
// zero when the standby already runs the primary's count.
func StandbyScaleOut(standby, primary int) time.Duration {
	if standby >= primary {
		return 0
	}
	return AutoscalerReaction + NodeProvisioning + PodStartup
}

// Objectives are the modeled worst-case figures of one deployment.
type Objectives struct {
	// Outage is the failure the figures assume.
	Outage string
	// RPO is the worst-case data loss window.
	RPO time.Duration
	// RPOTerms explain RPO.
	RPOTerms []Term
	// RTO is the worst-case time to recover by forced failover: the longer
	// of the write path (RTOTerms) and the traffic path (TrafficTerms),
	// which run at the same time.
	RTO time.Duration
	// RTOTerms are the write path: detection, paging, the operator's
	// decision, the forced failover and, for the data tier, the compute
	// rebuild, one after the other.
	RTOTerms []Term
	// TrafficTerms are the full tier's traffic path, which starts with the
	// outage and needs nobody: Traffic Manager moves clients to the running
	// standby, which scales out. Empty for the data tier.
	TrafficTerms []Term
	// ProductRTO is the part of RTO the product controls: RTO without the
	// operator's decision.
	ProductRTO time.Duration
	// Detection names the paging rule the model counts on: the fastest
	// declared.
	Detection string
	// ServiceManagedRTO is the time to recover if the operators wait for
	// service-managed failover instead; a lower bound.
	ServiceManagedRTO time.Duration
	// ServiceManagedRTOTerms explain ServiceManagedRTO.
	ServiceManagedRTOTerms []Term
	// TargetRPO and TargetRTO are the tier's targets.
	TargetRPO, TargetRTO time.Duration
}

// Outage is the failure the model assumes.
const Outage = "loss of the whole primary region (Cosmos DB write region and primary compute); secondary region healthy"

// Model computes the objectives of a DR deployment.
func Model(in Inputs) Objectives {
	o := Objectives{Outage: Outage, TargetRPO: TargetRPO, TargetRTO: TargetRTOData}
	if in.Full {
		o.TargetRTO = TargetRTOFull
	}

	o.RPOTerms = []Term{rpoTerm(in.Consistency)}
	o.RPO = sum(o.RPOTerms)

	detect := detectionTerms(in)
	if sig, ok := fastest(in.Signals); ok {
		o.Detection = sig.Name
	}
	decision := Term{
		Name:     "operator confirms the outage and orders forced failover",
		Duration: max(in.OperatorDecision, 0),
		Source:   "config dr.operatorDecisionTime (a stated assumption, never lowered to make a number)",
		Human:    true,
	}
	o.RTOTerms = append(detect,
		Term{
			Name:     "the page reaches on-call",
			Duration: PagingDelivery,
			Source:   "fhir-dr estimate: action group push/SMS/voice/webhook delivery; Azure publishes no bound",
		},
		decision,
		Term{
			Name:     "forced failover moves Cosmos DB writes to the secondary",
			Duration: ForcedFailoverExecution,
			Source:   "fhir-dr budget: drctl's guard reads + offlineRegion (Azure: seconds once triggered, reliability-cosmos-db.md) + verify; drills measure it",
		})
	var redirect Term
	if in.Full {
		redirect = Term{
			Name:     "standby compute takes traffic as clients' DNS caches expire",
			Duration: seconds(in.Probe.TTLSeconds),
			Source:   "Traffic Manager DNS TTL; the standby stamp is already running (full tier)",
		}
		o.TrafficTerms = []Term{
			{
				Name:     "Traffic Manager marks the primary degraded",
				Duration: in.Probe.Detection(),
				Source:   "(tolerated failures + 1) x probe interval + probe timeout; Traffic Manager endpoint monitoring",
			},
			redirect,
		}
	} else {
		redirect = Term{
			Name:     "FHIR compute provisioned in the secondary region and DNS repointed",
			Duration: ComputeRebuild,
			Source:   "fhir-dr estimate for the data-only tier, to be replaced by drill measurements",
		}
		o.RTOTerms = append(o.RTOTerms, redirect)
	}
	var scaleOut []Term
	if d := StandbyScaleOut(in.StandbyReplicas, in.PrimaryReplicas); in.Full && d > 0 {
		scaleOut = []Term{{
			Name:     fmt.Sprintf("standby FHIR service scales out from %d to %d pods", in.StandbyReplicas, in.PrimaryReplicas),
			Duration: d,
			Source: fmt.Sprintf("fhir-dr estimate: autoscaler reaction %s + node provisioning %s + pod start %s, "+
				"from when the standby takes traffic", AutoscalerReaction, NodeProvisioning, PodStartup),
		}}
	}
	o.TrafficTerms = append(o.TrafficTerms, scaleOut...)
	o.RTO = max(sum(o.RTOTerms), sum(o.TrafficTerms))
	var product []Term
	for _, t := range o.RTOTerms {
		if !t.Human {
			product = append(product, t)
		}
	}
	o.ProductRTO = max(sum(product), sum(o.TrafficTerms))

	o.ServiceManagedRTOTerms = []Term{
		{
			Name:     "service-managed failover moves Cosmos DB writes (lower bound)",
			Duration: ServiceManagedFailover,
			Source:   `Azure: "might take one hour or more" (reliability-cosmos-db.md)`,
		},
		redirect,
	}
	o.ServiceManagedRTOTerms = append(o.ServiceManagedRTOTerms, scaleOut...)
	o.ServiceManagedRTO = sum(o.ServiceManagedRTOTerms)
	return o
}

func rpoTerm(c Consistency) Term {
	switch c.Level {
	case Strong:
		return Term{Name: "Strong consistency: writes commit in every region", Duration: 0,
			Source: "Cosmos DB consistency levels: multi-region Strong, RPO 0"}
	case BoundedStaleness:
		return Term{
			Name:     fmt.Sprintf("bounded staleness: at most %d s or %d operations behind", c.MaxIntervalSeconds, c.MaxStalenessPrefix),
			Duration: seconds(c.MaxIntervalSeconds),
			Source:   "Cosmos DB consistency levels: multi-region bounded staleness, RPO K operations and T seconds",
		}
	default:
		return Term{Name: c.Level + " consistency, single write region", Duration: SessionRPO,
			Source: "Cosmos DB consistency levels: multi-region Session/Consistent Prefix/Eventual, RPO < 15 min"}
	}
}

// detectionTerms are the write path's first terms: the fastest declared
// paging rule's, or, with none declared, a 5-minute alert window.
func detectionTerms(in Inputs) []Term {
	if sig, ok := fastest(in.Signals); ok {
		return slices.Clone(sig.Terms)
	}
	return []Term{{
		Name:     "an alert on the primary reaches the operator (no paging rule declared)",
		Duration: AlertDetection,
		Source:   "fhir-dr assumption for a stack that declares no paging rule: a 5-minute alert window",
	}}
}

// sum adds the terms' durations, saturated (see MaxDuration).
func sum(terms []Term) time.Duration {
	var d time.Duration
	for _, t := range terms {
		d = add(d, t.Duration)
	}
	return d
}

// Violations returns a message for each objective that exceeds its target.
func (o Objectives) Violations() []string {
	var v []string
	if o.RPO > o.TargetRPO {
		v = append(v, fmt.Sprintf("modeled RPO %s exceeds the target %s", o.RPO, o.TargetRPO))
	}
	if o.RTO > o.TargetRTO {
		v = append(v, fmt.Sprintf("modeled RTO %s exceeds the target %s", o.RTO, o.TargetRTO))
	}
	return v
}
