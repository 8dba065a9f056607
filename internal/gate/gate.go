// Package gate decides, after a ring of a release, whether the next ring
// may start (drctl rollout gate):
//
//  1. up-to-date: the ring's shard results (the files drctl rollout run
//     writes) say every stack of the ring was started, and the share of
//     the started stacks that failed is not above the plan's haltAbove.
//     Above it the rollout halts at once, naming the failed stacks, the
//     stacks not started and how to resume; a stack not started (a shard
//     job that never ran or was cancelled) also halts: the ring is not
//     finished. Failures within the threshold are reported and left for a
//     resume.
//  2. bake: the ring runs on the release for its bake time, the fired DR
//     alerts of its stacks read every poll (one paged query for the whole
//     ring); one firing ends the bake early, acknowledged or not (only an
//     alert a person Closed does not count).
//  3. health (package health), every stack of the ring, every problem at
//     once: Traffic Manager endpoints Online, availability tests passing,
//     no DR alert firing.
//
// The plan and the shard results are package rollout's (rollout.ReadPlan,
// rollout.ReadResultFiles): one declaration of the files drctl rollout
// plan --json and drctl rollout run --results write. The halt rule is
// ring.HaltsAbove with the plan's haltAbove.
package gate

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/fhir-dr/fhir-dr/drconfig"
	"github.com/fhir-dr/fhir-dr/internal/clock"
	"github.com/fhir-dr/fhir-dr/internal/health"
	"github.com/fhir-dr/fhir-dr/internal/rollout"
	"github.com/fhir-dr/fhir-dr/internal/rollout/ring"
)

// GateUpToDate is the gate of the shard results.
const GateUpToDate = "up-to-date"

// Gates are the gates this package knows, in the order they are checked.
var Gates = append([]string{GateUpToDate}, health.Gates...)

// MaxBake bounds a ring's bake time: a GitHub job runs at most six hours,
// and the gate must still check health and write its summary.
const MaxBake = 5 * time.Hour

// Tally is what the shard results say of a ring.
type Tally struct {
	// Ring is the ring's name.
	Ring string
	// Done are the stacks released by this run or an earlier one
	// (skipped-done), Failed those that failed, NotStarted those no shard
	// reports as started (including every stack of a shard without a
	// results file).
	Done, Failed, NotStarted []string
	// Errors are the failed stacks' errors.
	Errors map[string]string
	// MissingShards are the shards without a results file.
	MissingShards []int
	// Notes are oddities that do not decide (results of other rings or
	// stacks).
	Notes []string
	// HaltAbove is the plan's threshold.
	HaltAbove float64
}

// Started is the number of stacks started: done or failed.
func (t Tally) Started() int { return len(t.Done) + len(t.Failed) }

// FailureRate is the share of the started stacks that failed.
func (t Tally) FailureRate() float64 {
	if t.Started() == 0 {
		return 0
	}
	return float64(len(t.Failed)) / float64(t.Started())
}

// AboveThreshold reports whether more than HaltAbove of the started
// stacks failed: the halt rule of the rollout (ring.HaltsAbove).
func (t Tally) AboveThreshold() bool {
	return ring.HaltsAbove(t.Started(), len(t.Failed), t.HaltAbove)
}

// Halts reports whether the results halt the rollout: failures above the
// threshold, or a stack not started.
func (t Tally) Halts() bool { return t.AboveThreshold() || len(t.NotStarted) > 0 }

// rank orders statuses: when two files report a stack (a re-run of a
// shard), the one that got furthest counts.
var rank = map[rollout.Status]int{rollout.NotStarted: 0, rollout.Failed: 1, rollout.SkippedDone: 2, rollout.Done: 3}

// Count tallies the ring's results (those of the plan's commit and this
// ring; others are noted and ignored).
func Count(p rollout.Plan, pr rollout.PlanRing, results []rollout.ShardResult) Tally {
	t := Tally{Ring: pr.Name, Errors: map[string]string{}, HaltAbove: p.HaltAbove}
	best := map[string]rollout.StackResult{}
	seenShard := map[int]bool{}
	for _, r := range results {
		switch {
		case r.Ring != pr.Name:
			continue // another ring's: a merged download may hold them
		case r.Commit != p.Commit:
			t.Notes = append(t.Notes, fmt.Sprintf("%s is of commit %s, not the plan's %s: ignored", r.File, r.Commit, p.Commit))
			continue
		}
		seenShard[r.Shard] = true
		for _, s := range r.Stacks {
			if !slices.Contains(pr.Stacks, s.Customer) {
				t.Notes = append(t.Notes, fmt.Sprintf("%s reports %s, which is not in ring %s of the plan: ignored", r.File, s.Customer, pr.Name))
				continue
			}
			if _, known := rank[s.Status]; !known {
				t.Notes = append(t.Notes, fmt.Sprintf("%s: %s has the unknown status %q: counted as not started", r.File, s.Customer, s.Status))
				s.Status = rollout.NotStarted
			}
			if old, ok := best[s.Customer]; !ok || rank[s.Status] > rank[old.Status] {
				best[s.Customer] = s
			}
		}
	}
	for i := range pr.Shards {
		if !seenShard[i] {
			t.MissingShards = append(t.MissingShards, i)
		}
	}
	for _, c := range pr.Stacks {
		s := best[c]
		switch s.Status {
		case rollout.Done, rollout.SkippedDone:
			t.Done = append(t.Done, c)
		case rollout.Failed:
			t.Failed = append(t.Failed, c)
			t.Errors[c] = s.Error
		default:
			t.NotStarted = append(t.NotStarted, c)
		}
	}
	return t
}

// Options configure Run.
type Options struct {
	// Subscription is the stacks' subscription.
	Subscription string
	// Bake is the bake time (the ring's, or an override).
	Bake time.Duration
	// Poll is how often the fired alerts are read during the bake.
	Poll time.Duration
	// Health configures the health check; its Window is set to the bake.
	Health health.Options
	// Sleep waits d or until ctx ends; nil is the wall clock.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now is the clock; nil is time.Now.
	Now func() time.Time
	// Out receives a line per step.
	Out io.Writer
}

// Verdict is the gate's decision.
type Verdict struct {
	// Plan and Ring are what was gated.
	Plan rollout.Plan
	Ring rollout.PlanRing
	// Tally is the shard results'.
	Tally Tally
	// StackErrors are stacks whose stack file could not be read.
	StackErrors map[string]string
	// Baked is how long the bake ran; BakeEnded says why it ended early,
	// "" when it ran its time.
	Baked     time.Duration
	BakeEnded string
	// Health is the final health check; nil when the results halted
	// before it.
	Health *health.Report
	// Interrupted is the context's error when the gate ran out of time.
	Interrupted error
}

// Halted reports whether the next ring must not start.
func (v Verdict) Halted() bool {
	return v.Tally.Halts() || len(v.StackErrors) > 0 || v.Health == nil || !v.Health.Healthy() || v.Interrupted != nil
}

// wants reports whether the ring lists gate (a ring that lists none has
// every gate).
func wants(r rollout.PlanRing, gate string) bool {
	return len(r.Gates) == 0 || slices.Contains(r.Gates, gate)
}

// healthGates are the health gates the ring lists.
func healthGates(r rollout.PlanRing) []string {
	var out []string
	for _, g := range health.Gates {
		if wants(r, g) {
			out = append(out, g)
		}
	}
	return out
}

// Run gates a ring: the results, then the bake, then the health of every
// stack of the ring (configs, by customer; a customer without one is in
// stackErrors). It never returns early without a verdict: a context that
// ends makes an interrupted, halted verdict with what was learnt.
func Run(ctx context.Context, r health.Reader, p rollout.Plan, pr rollout.PlanRing, results []rollout.ShardResult,
	configs map[string]*drconfig.Config, stackErrors map[string]string, o Options,
) Verdict {
	out := o.Out
	if out == nil {
		out = io.Discard
	}
	sleep := o.Sleep
	if sleep == nil {
		sleep = clock.Sleep
	}
	now := o.Now
	if now == nil {
		now = time.Now
	}
	v := Verdict{Plan: p, Ring: pr, Tally: Count(p, pr, results), StackErrors: stackErrors}
	t := v.Tally
	fmt.Fprintf(out, "Ring %s of commit %s: %d stacks, %d done, %d failed, %d not started (%d of %d shards reported).\n",
		pr.Name, p.Commit, len(pr.Stacks), len(t.Done), len(t.Failed), len(t.NotStarted),
		len(pr.Shards)-len(t.MissingShards), len(pr.Shards))
	if wants(pr, GateUpToDate) && t.Halts() {
		return v
	}
	if !wants(pr, GateUpToDate) && len(t.NotStarted) > 0 {
		// Without the results gate a ring still has to have run.
		return v
	}

	var targets []health.Target
	for _, c := range pr.Stacks {
		if cfg, ok := configs[c]; ok {
			targets = append(targets, health.TargetOf(cfg, o.Subscription))
		}
	}
	gates := healthGates(pr)
	ho := o.Health
	ho.Gates, ho.Window = gates, o.Bake
	if ho.Gates == nil {
		ho.Gates = []string{}
	}

	// The bake: the fired alerts of the ring, every poll.
	start := now()
	if o.Bake > 0 {
		fmt.Fprintf(out, "Baking %s (until %s), reading the ring's fired DR alerts every %s.\n",
			o.Bake, start.Add(o.Bake).UTC().Format(time.RFC3339), o.Poll)
	}
	for o.Bake > 0 {
		left := o.Bake - now().Sub(start)
		if left <= 0 {
			break
		}
		if err := sleep(ctx, min(o.Poll, left)); err != nil {
			v.Interrupted = err
			break
		}
		if !slices.Contains(gates, health.GateAlerts) {
			continue
		}
		fired, err := health.FiredAlerts(ctx, r, o.Subscription, targets)
		if err != nil {
			if ctx.Err() != nil {
				v.Interrupted = ctx.Err()
				break
			}
			fmt.Fprintf(out, "  %s: %v (read again at the next poll)\n", now().Sub(start).Round(time.Second), err)
			continue
		}
		if n := countProblems(fired); n > 0 {
			v.BakeEnded = fmt.Sprintf("%d DR alert(s) of the ring fired after %s of the bake", n, now().Sub(start).Round(time.Second))
			fmt.Fprintf(out, "  %s: ending the bake early.\n", v.BakeEnded)
			break
		}
	}
	v.Baked = now().Sub(start)
	if v.Interrupted != nil {
		return v
	}

	// The health of every stack, every problem at once.
	fmt.Fprintf(out, "Checking the health of %d stacks (%s).\n", len(targets), strings.Join(gates, ", "))
	rep, err := health.CheckTargets(ctx, r, o.Subscription, targets, ho)
	v.Health = &rep
	if err != nil {
		v.Interrupted = err
	}
	return v
}

func countProblems(m map[string][]health.Problem) int {
	n := 0
	for _, ps := range m {
		n += len(ps)
	}
	return n
}
