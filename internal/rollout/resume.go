package rollout

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/fhir-dr/fhir-dr/internal/clock"
	"github.com/fhir-dr/fhir-dr/internal/rollout/ring"
)

// Gate checks a ring's health before the next ring starts (the checks of
// Gates). drctl rollout resume's is drctl rollout gate's, against Azure,
// which bakes itself (the resume's Bake then waits for nothing);
// OfflineGate stands in where there is no Azure.
type Gate interface {
	// Check checks r's gates given what happened to its stacks in this
	// run (results, in the plan's order) and returns nil when every gate
	// passes, else an error that says which failed and for which stacks.
	Check(ctx context.Context, r PlanRing, results []StackResult, log io.Writer) error
}

// OfflineGate passes every gate without checking, and says so: the
// offline rehearsal of a rollout, and tests.
type OfflineGate struct{}

// Check passes.
func (OfflineGate) Check(_ context.Context, r PlanRing, _ []StackResult, log io.Writer) error {
	fmt.Fprintf(log, "ring %s: gates not checked (offline): %s\n", r.Name, strings.Join(r.Gates, ", "))
	return nil
}

// ResumeOptions configure Resume.
type ResumeOptions struct {
	// Parallel is the number of stacks deployed at once. Optional;
	// defaults to 4.
	Parallel int
	// Log receives the engines' output, each line prefixed with its
	// stack. Optional.
	Log io.Writer
	// Out receives the rollout's progress: rings started, baked, gated.
	// Optional.
	Out io.Writer
	// Gate checks each ring after its bake. Optional; defaults to
	// OfflineGate.
	Gate Gate
	// Bake waits out a ring's bake time. Optional; defaults to sleeping
	// for it, until ctx ends.
	Bake func(ctx context.Context, d time.Duration) error
}

// Outcome is where a rollout stands: every ring of the plan and what
// happened to its stacks.
type Outcome struct {
	// Commit is the commit released.
	Commit string
	// Rings are the plan's rings, in order.
	Rings []RingOutcome
	// Halted is the ring that halted the rollout, "" when none did.
	Halted string
	// Reason says why it halted.
	Reason string
}

// RingOutcome is one ring of an Outcome.
type RingOutcome struct {
	// Name is the ring.
	Name string
	// Stacks are what happened to its stacks, in the plan's order.
	Stacks []StackResult
}

// Resume runs the whole rollout of the plan from where it stands: the
// rings in order, each stack read before it is deployed so that what is
// done is skipped, and after each ring the halt rule, the bake (when the
// ring deployed anything in this run) and the gate. It stops at the first
// ring that halts; the rings after it are not started.
func Resume(ctx context.Context, d Deployer, p Plan, opts ResumeOptions) Outcome {
	if opts.Out == nil {
		opts.Out = io.Discard
	}
	if opts.Gate == nil {
		opts.Gate = OfflineGate{}
	}
	if opts.Bake == nil {
		opts.Bake = clock.Sleep
	}
	out := Outcome{Commit: p.Commit}
	for _, pr := range p.Rings {
		if out.Halted != "" {
			out.Rings = append(out.Rings, RingOutcome{Name: pr.Name, Stacks: notStarted(pr.Stacks)})
			continue
		}
		fmt.Fprintf(opts.Out, "ring %s: %d stacks\n", pr.Name, len(pr.Stacks))
		results := Deploy(ctx, d, p.Commit, pr.Stacks, RunOptions{Parallel: opts.Parallel, Log: opts.Log})
		out.Rings = append(out.Rings, RingOutcome{Name: pr.Name, Stacks: results})
		c := count(results)
		fmt.Fprintf(opts.Out, "ring %s: %d deployed, %d already done, %d failed, %d not started\n",
			pr.Name, c[Done], c[SkippedDone], c[Failed], c[NotStarted])
		reason := haltReason(ctx, c)
		if reason == "" && c[Done] > 0 && pr.Bake() > 0 {
			fmt.Fprintf(opts.Out, "ring %s: baking %s before its gate\n", pr.Name, formatBake(pr.Bake()))
			if err := opts.Bake(ctx, pr.Bake()); err != nil {
				reason = fmt.Sprintf("interrupted during the bake: %v", err)
			}
		}
		if reason == "" {
			if err := opts.Gate.Check(ctx, pr, results, opts.Out); err != nil {
				reason = fmt.Sprintf("the gate failed: %v", err)
			}
		}
		if reason != "" {
			out.Halted, out.Reason = pr.Name, reason
		}
	}
	return out
}

// haltReason says why a ring with counts c halts the rollout, "" when it
// does not.
func haltReason(ctx context.Context, c Counts) string {
	switch {
	case c[NotStarted] > 0 && ctx.Err() != nil:
		return fmt.Sprintf("interrupted with %d stacks not started", c[NotStarted])
	case ring.Halts(c.Started(), c[Failed]):
		return fmt.Sprintf("%d of %d started stacks failed, more than %d%%", c[Failed], c.Started(), ring.HaltPercent)
	case c[NotStarted] > 0:
		return fmt.Sprintf("%d stacks not started", c[NotStarted])
	}
	return ""
}

func notStarted(stacks []string) []StackResult {
	out := make([]StackResult, len(stacks))
	for i, s := range stacks {
		out[i] = StackResult{Customer: s, Status: NotStarted}
	}
	return out
}

// Complete reports whether every stack of the rollout has the commit.
func (o Outcome) Complete() bool {
	for _, r := range o.Rings {
		for _, s := range r.Stacks {
			if s.Status != Done && s.Status != SkippedDone {
				return false
			}
		}
	}
	return true
}

// Failed are the stacks that failed, with their errors, in release order.
func (o Outcome) Failed() []StackResult {
	var out []StackResult
	for _, r := range o.Rings {
		for _, s := range r.Stacks {
			if s.Status == Failed {
				out = append(out, s)
			}
		}
	}
	return out
}

// NotStarted are the stacks not started, in release order.
func (o Outcome) NotStarted() []string {
	var out []string
	for _, r := range o.Rings {
		out = append(out, customers(r.Stacks, NotStarted)...)
	}
	return out
}

// Ring returns the outcome of the ring named name.
func (o Outcome) Ring(name string) (RingOutcome, bool) {
	for _, r := range o.Rings {
		if r.Name == name {
			return r, true
		}
	}
	return RingOutcome{}, false
}

// WriteSummary writes where the rollout stands: per ring, its stacks by
// status; on a halt, the ring and why, the stacks that failed and those
// not started; and, unless it is complete, the one command (resume) that
// finishes it.
func (o Outcome) WriteSummary(w io.Writer, resume string) {
	fmt.Fprintf(w, "Rollout of %s:\n", short(o.Commit))
	for _, r := range o.Rings {
		c := count(r.Stacks)
		var parts []string
		for _, s := range []Status{Done, SkippedDone, Failed, NotStarted} {
			if c[s] > 0 {
				parts = append(parts, fmt.Sprintf("%d %s", c[s], s))
			}
		}
		mark := ""
		if r.Name == o.Halted {
			mark = "  <- halted: " + o.Reason
		}
		fmt.Fprintf(w, "  %-8s %s%s\n", r.Name, strings.Join(parts, ", "), mark)
	}
	if o.Complete() {
		fmt.Fprintf(w, "Complete: every stack has %s.\n", short(o.Commit))
		return
	}
	if o.Halted != "" {
		fmt.Fprintf(w, "HALTED in ring %s: %s.\n", o.Halted, o.Reason)
	}
	if failed := o.Failed(); len(failed) > 0 {
		fmt.Fprintf(w, "Failed (%d):\n", len(failed))
		for _, f := range failed {
			fmt.Fprintf(w, "  %s: %s\n", f.Customer, Why(f.Error))
		}
	}
	if ns := o.NotStarted(); len(ns) > 0 {
		fmt.Fprintf(w, "Not started (%d): %s\n", len(ns), strings.Join(ns, ", "))
	}
	fmt.Fprintf(w, "Fix the failures, then resume (done stacks are not deployed again):\n  %s\n", resume)
}

// Why is the line of a stack's error that says what failed: the engine's
// first error (its stderr's "error: ..." line other than the closing
// "error: update failed"), else the error's first line. The log has the
// rest.
func Why(errText string) string {
	for _, line := range strings.Split(errText, "\n") {
		line = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "stderr:"))
		if strings.HasPrefix(line, "error:") && line != "error: update failed" {
			return strings.TrimSpace(strings.TrimPrefix(line, "error:"))
		}
	}
	first, _, _ := strings.Cut(strings.TrimSpace(errText), "\n")
	return first
}

// State reads from the backend where the rollout of the plan stands: each
// stack released (SkippedDone: it needs no deploy) or not (NotStarted), up
// to parallel at a time. The backend knows no failures: a stack whose last
// update failed is not released.
func State(ctx context.Context, d Deployer, p Plan, parallel int) (Outcome, error) {
	if parallel < 1 {
		parallel = 4
	}
	out := Outcome{Commit: p.Commit}
	var g errgroup.Group
	g.SetLimit(parallel)
	for _, pr := range p.Rings {
		ro := RingOutcome{Name: pr.Name, Stacks: notStarted(pr.Stacks)}
		for i, s := range pr.Stacks {
			g.Go(func() error {
				released, err := d.Released(ctx, s, p.Commit)
				if err != nil {
					return fmt.Errorf("%s: %w", s, err)
				}
				if released {
					ro.Stacks[i].Status = SkippedDone
				}
				return nil
			})
		}
		out.Rings = append(out.Rings, ro)
	}
	if err := g.Wait(); err != nil {
		return Outcome{}, err
	}
	out.judge()
	return out, nil
}

// StateFromResults is where the rollout stands by the shard results the
// release workflow wrote: a stack with no result is not started.
func StateFromResults(p Plan, results []ShardResult) Outcome {
	byStack := map[string]StackResult{}
	for _, r := range results {
		for _, s := range r.Stacks {
			byStack[s.Customer] = s
		}
	}
	out := Outcome{Commit: p.Commit}
	for _, pr := range p.Rings {
		ro := RingOutcome{Name: pr.Name, Stacks: notStarted(pr.Stacks)}
		for i, s := range pr.Stacks {
			if r, ok := byStack[s]; ok {
				ro.Stacks[i] = r
			}
		}
		out.Rings = append(out.Rings, ro)
	}
	out.judge()
	return out
}

// judge applies the halt rule to the rings in order: the first ring that
// is not wholly done either halts (too many failures) or is where the
// rollout goes on.
func (o *Outcome) judge() {
	for _, r := range o.Rings {
		c := count(r.Stacks)
		if ring.Halts(c.Started(), c[Failed]) {
			o.Halted = r.Name
			o.Reason = fmt.Sprintf("%d of %d started stacks failed, more than %d%%", c[Failed], c.Started(), ring.HaltPercent)
			return
		}
		if c[NotStarted] > 0 {
			return
		}
	}
}
