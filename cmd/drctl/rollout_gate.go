package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/fhir-dr/fhir-dr/drconfig"
	"github.com/fhir-dr/fhir-dr/internal/clock"
	"github.com/fhir-dr/fhir-dr/internal/gate"
	"github.com/fhir-dr/fhir-dr/internal/health"
	"github.com/fhir-dr/fhir-dr/internal/rollout"
	"github.com/fhir-dr/fhir-dr/stackfile"
)

// gateSleep is how the bake waits and gateNow its clock; tests replace
// both with a clock of their own.
var (
	gateSleep = clock.Sleep
	gateNow   = time.Now
)

// gateCheckBudget is the time the gate has after the bake for the health
// check and its summary, when --timeout is not given.
const gateCheckBudget = 30 * time.Minute

// rolloutGateOptions are the flags of drctl rollout gate.
type rolloutGateOptions struct {
	plan, ring, results, summary string
	bake, poll                   time.Duration
	minAvailability              float64
	parallel                     int
	arm                          armFlags
}

// newRolloutGateCmd is drctl rollout gate.
func newRolloutGateCmd() *cobra.Command {
	var o rolloutGateOptions
	cmd := &cobra.Command{
		Use:   "gate --plan plan.json --ring <ring> --results <dir> --subscription <id>",
		Short: "after a ring: check its shard results, bake, and check the health of its stacks in Azure",
		Long: wrap("drctl rollout gate decides whether the next ring of a release may start. In order, and as the ring's gates in the plan list them:\n\n"+
			"1. up-to-date: the shard results under --results (the files of drctl rollout run, at any depth) name every stack of the ring as started, "+
			"and no more than the plan's haltAbove of the started stacks failed. Above it, or with a stack not started (a shard that wrote no results), "+
			"the gate halts at once.\n"+
			"2. The bake: the ring's bakeSeconds (--bake overrides), reading the fired DR alerts of the ring's stacks every --poll (one paged query "+
			"for the whole ring); a firing alert ends the bake early.\n"+
			"3. Health of every stack of the ring, all problems at once: traffic-manager-endpoints-online (full tier: the profile Enabled, each "+
			"endpoint Enabled and Online; Microsoft.Network "+health.TrafficManagerAPIVersion+"), availability-tests-passing (full tier: each web "+
			"test of /health/check passed at least --min-availability percent of its runs over the bake, and at least twice the test frequency: "+
			health.AvailabilityMetric+", Azure Monitor metrics "+health.MetricsAPIVersion+"), no-dr-alert-firing (every DR stack: no alert of "+
			"its rules Fired in Alerts Management, "+health.AlertsAPIVersion+", New or Acknowledged alike; only one a person Closed passes). A problem that may clear on its own (an endpoint still "+
			"CheckingEndpoint, a test without results, a read that failed after its retries) does not end the bake, but halts at the end.\n\n"+
			"A halt names the failed stacks, the ones not started, the unhealthy ones with each problem, and how to resume (re-run the failed "+
			"jobs of the workflow run, the release workflow with resume=<commit>, or drctl rollout resume). --summary appends the same as "+
			"Markdown to a file ($GITHUB_STEP_SUMMARY). The gate writes nothing to Azure.\n\n", helpWidth) + retryHelp(),
		Example: `  drctl rollout gate --plan plan.json --ring canary --results results/ --subscription <id>
  drctl rollout gate --plan plan.json --ring early --results results/ --bake 0 --summary "$GITHUB_STEP_SUMMARY"`,
		Args:        noArgs("the ring is --ring"),
		Annotations: map[string]string{exitAnnotation: "0 the next ring may start; 1 halt (the message says why and how to resume); 2 usage."},
		RunE: action(func(cmd *cobra.Command, _ []string) error {
			return runRolloutGate(cmd, &o)
		}),
	}
	f := cmd.Flags()
	f.StringVar(&o.plan, "plan", "", "the plan `file` of drctl rollout plan --json. Required.")
	f.StringVar(&o.ring, "ring", "", "the `ring` to gate. Required.")
	f.StringVar(&o.results, "results", "", "the `dir` of the ring's shard results files (drctl rollout run --results). Required.")
	f.DurationVar(&o.bake, "bake", 0, "the bake time (default the ring's bakeSeconds in the plan; at most "+gate.MaxBake.String()+")")
	f.DurationVar(&o.poll, "poll", time.Minute, "how often the fired alerts are read during the bake")
	f.Float64Var(&o.minAvailability, "min-availability", health.DefaultMinAvailability,
		"the least `percent` of its runs each availability test must pass over the bake")
	newIntAtLeast(cmd, &o.parallel, "parallel", 8, 1, "how many stacks' health is read at once")
	f.StringVar(&o.summary, "summary", "", "append the verdict as Markdown to this `file` (a GitHub step summary)")
	markFileFlag(cmd, "plan", "json")
	addARMFlags(cmd, &o.arm, 0)
	t := f.Lookup("timeout")
	t.Usage = "the longest the gate may take, the bake, retries and reads included (default the bake + " + gateCheckBudget.String() + ")"
	t.DefValue = "the bake + " + gateCheckBudget.String()
	for _, name := range []string{"plan", "ring", "results"} {
		_ = cmd.MarkFlagRequired(name)
	}
	return cmd
}

// runRolloutGate is drctl rollout gate.
func runRolloutGate(cmd *cobra.Command, o *rolloutGateOptions) error {
	stdout, stderr := cmd.OutOrStdout(), cmd.ErrOrStderr()
	plan, err := rollout.ReadPlan(o.plan)
	if err != nil {
		return usageError{err: err}
	}
	ring, err := plan.Ring(o.ring)
	if err != nil {
		return usagef("ring %q is not in the plan %s (its rings: %s)", o.ring, o.plan, strings.Join(plan.RingNames(), ", "))
	}
	bake := ring.Bake()
	if cmd.Flags().Changed("bake") {
		bake = o.bake
	}
	switch {
	case bake < 0 || bake > gate.MaxBake:
		return usagef("the bake time %s is out of bounds (0 to %s)", bake, gate.MaxBake)
	case o.poll <= 0:
		return usagef("--poll must be positive")
	case o.minAvailability <= 0 || o.minAvailability > 100:
		return usagef("--min-availability must be a percentage above 0, at most 100")
	}
	arm := &o.arm
	arm.resolve(cmd)
	if !cmd.Flags().Changed("timeout") {
		arm.timeout = bake + gateCheckBudget
	}
	if err := arm.check(); err != nil {
		return usageError{err: err}
	}
	if arm.timeout <= bake {
		return usagef("--timeout %s must be longer than the bake %s", arm.timeout, bake)
	}

	results, err := rollout.ReadResultFiles(o.results)
	if err != nil {
		fmt.Fprintf(stderr, "drctl rollout gate: %v\n", err)
		return exitStatus(exitFailed)
	}
	root, err := projectRoot()
	if err != nil {
		return err
	}
	configs, stackErrors := map[string]*drconfig.Config{}, map[string]string{}
	for _, c := range ring.Stacks {
		cfg, err := drconfig.LoadFile(filepath.Join(root, stackfile.Path(c)))
		if err != nil {
			stackErrors[c] = err.Error()
			continue
		}
		configs[c] = cfg
	}
	client, err := arm.client(stdout)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(cmd.Context(), arm.timeout)
	defer cancel()
	v := gate.Run(ctx, client, plan, ring, results, configs, stackErrors, gate.Options{
		Subscription: arm.subscription, Bake: bake, Poll: o.poll,
		Health: health.Options{MinAvailability: o.minAvailability, Parallel: o.parallel},
		Sleep:  gateSleep, Now: gateNow, Out: stdout,
	})
	v.WriteText(stdout, o.plan)
	if o.summary != "" {
		f, err := os.OpenFile(o.summary, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			fmt.Fprintf(stderr, "drctl rollout gate: the summary: %v\n", err)
			return exitStatus(exitFailed)
		}
		v.WriteMarkdown(f, o.plan)
		if err := f.Close(); err != nil {
			fmt.Fprintf(stderr, "drctl rollout gate: the summary: %v\n", err)
			return exitStatus(exitFailed)
		}
	}
	if v.Halted() {
		return exitStatus(exitFailed)
	}
	return nil
}
