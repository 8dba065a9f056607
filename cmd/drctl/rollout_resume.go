package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/fhir-dr/fhir-dr/drconfig"
	"github.com/fhir-dr/fhir-dr/internal/gate"
	"github.com/fhir-dr/fhir-dr/internal/health"
	"github.com/fhir-dr/fhir-dr/internal/rollout"
	"github.com/fhir-dr/fhir-dr/stackfile"
)

// rolloutResumeOptions are the flags of drctl rollout resume.
type rolloutResumeOptions struct {
	plan                  string
	parallel              int
	skipBake, offlineGate bool
	arm                   armFlags
	releaseFlags
}

// newRolloutResumeCmd is drctl rollout resume.
func newRolloutResumeCmd() *cobra.Command {
	var o rolloutResumeOptions
	cmd := &cobra.Command{
		Use:   "resume --plan <plan.json> --subscription <id>",
		Short: "run a whole rollout from where it stopped, here: rings in order, done stacks skipped, each ring gated",
		Long: `drctl rollout resume runs the rollout of the plan on this machine from where it stands: the rings in
order, each stack's history read first so that the stacks already released are skipped, the others
deployed --parallel at a time; after each ring the halt rule, then its gate: drctl rollout gate's checks
against Azure over this run's results, with the ring's bake (when the ring deployed anything in this run).
On a halt it prints the stacks that failed, those not started, and the command that resumes; the rings
after the halted one are not started.

--offline-gate passes every gate without Azure, saying so, and bakes by waiting (--skip-bake: not at all):
offline rehearsals only.`,
		Example: `  drctl rollout resume --plan plan.json --policy-pack .bin/fhir-dr-policy --subscription <id>`,
		Args:    noArgs(""),
		Annotations: map[string]string{exitAnnotation: "0 the rollout is complete; 1 it halted or a stack failed " +
			"(the summary names them and the command that resumes), or a failure; 2 usage."},
		RunE: action(func(cmd *cobra.Command, _ []string) error {
			return runRolloutResume(cmd, o)
		}),
	}
	f := cmd.Flags()
	f.StringVar(&o.plan, "plan", "", "the plan `file` (drctl rollout plan --json). Required.")
	newIntAtLeast(cmd, &o.parallel, "parallel", 4, 1, "stacks deployed at once")
	f.BoolVar(&o.skipBake, "skip-bake", false, "do not wait out the bake times (offline rehearsals)")
	f.BoolVar(&o.offlineGate, "offline-gate", false, "pass every gate without Azure (offline rehearsals)")
	o.releaseFlags.add(cmd)
	addARMFlags(cmd, &o.arm, 0)
	t := f.Lookup("timeout")
	t.Usage = "the longest each ring's gate may take, its bake included (default the bake + " + gateCheckBudget.String() + ")"
	t.DefValue = "the bake + " + gateCheckBudget.String()
	_ = cmd.MarkFlagRequired("plan")
	markFileFlag(cmd, "plan", "json")
	return cmd
}

// runRolloutResume runs the rollout.
func runRolloutResume(cmd *cobra.Command, o rolloutResumeOptions) error {
	stdout := cmd.OutOrStdout()
	p, err := readPlan(o.plan)
	if err != nil {
		return err
	}
	root, err := projectRoot()
	if err != nil {
		return err
	}
	opts := rollout.ResumeOptions{Parallel: o.parallel, Log: stdout, Out: stdout}
	resume := o.resumeCommand(o.plan)
	if o.offlineGate {
		resume += " --offline-gate"
		if o.skipBake {
			opts.Bake = func(context.Context, time.Duration) error { return nil }
		}
	} else {
		g, err := newARMGate(cmd, &o, p, root, stdout)
		if err != nil {
			return err
		}
		opts.Gate = g
		// The gate bakes, reading the ring's alerts meanwhile.
		opts.Bake = func(context.Context, time.Duration) error { return nil }
		resume += " " + strings.Join(o.arm.args(), " ")
	}
	if o.skipBake {
		resume += " --skip-bake"
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	d, done, err := o.releaseDeployer(ctx, root, p.Commit)
	if err != nil {
		return err
	}
	defer done()
	out := rollout.Resume(ctx, d, p, opts)
	fmt.Fprintln(stdout)
	out.WriteSummary(stdout, resume)
	if !out.Complete() {
		return exitWith(exitFailed)
	}
	return nil
}

// armGate is drctl rollout gate's gate (package gate, over ARM) for the
// rings of a resume: this run's results stand for the shards' files.
type armGate struct {
	plan     rollout.Plan
	planFile string
	root     string
	arm      armFlags
	// timeout bounds each gate; 0 is the bake + gateCheckBudget.
	timeout   time.Duration
	reader    health.Reader
	skipBake  bool
	parallel  int
	minAvails float64
}

// newARMGate checks the ARM flags and makes the gate.
func newARMGate(cmd *cobra.Command, o *rolloutResumeOptions, p rollout.Plan, root string, out io.Writer) (*armGate, error) {
	a := &o.arm
	a.resolve(cmd)
	timeout := a.timeout
	if !cmd.Flags().Changed("timeout") {
		a.timeout = gateCheckBudget // checked as positive; each gate adds its bake
		timeout = 0
	}
	if err := a.check(); err != nil {
		return nil, usagef("%v: each ring's gate checks Azure (--offline-gate for an offline rehearsal)", err)
	}
	client, err := a.client(out)
	if err != nil {
		return nil, err
	}
	return &armGate{plan: p, planFile: o.plan, root: root, arm: *a, timeout: timeout, reader: client, skipBake: o.skipBake,
		parallel: 8, minAvails: health.DefaultMinAvailability}, nil
}

// Check runs the gate of ring r over this run's results: the halt rule
// again, the bake (when the ring deployed anything now) and every stack's
// health. The results are dealt into the plan's shards, as the shard jobs
// of the workflow would have written them.
func (g *armGate) Check(ctx context.Context, r rollout.PlanRing, results []rollout.StackResult, log io.Writer) error {
	ring, err := g.plan.Ring(r.Name)
	if err != nil {
		return err
	}
	byStack := map[string]rollout.StackResult{}
	deployed := false
	for _, s := range results {
		byStack[s.Customer] = s
		deployed = deployed || s.Status == rollout.Done
	}
	var shards []rollout.ShardResult
	for i, sh := range ring.Shards {
		res := rollout.ShardResult{Ring: ring.Name, Shard: i, Commit: g.plan.Commit, File: fmt.Sprintf("this run's shard %d", i)}
		for _, c := range sh {
			s := byStack[c]
			s.Customer = c
			res.Stacks = append(res.Stacks, s)
		}
		shards = append(shards, res)
	}
	configs, stackErrors := map[string]*drconfig.Config{}, map[string]string{}
	for _, c := range ring.Stacks {
		cfg, err := drconfig.LoadFile(filepath.Join(g.root, stackfile.Path(c)))
		if err != nil {
			stackErrors[c] = err.Error()
			continue
		}
		configs[c] = cfg
	}
	var bake time.Duration
	if deployed && !g.skipBake {
		bake = r.Bake()
	}
	timeout := g.timeout
	if timeout == 0 {
		timeout = bake + gateCheckBudget
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	v := gate.Run(ctx, g.reader, g.plan, ring, shards, configs, stackErrors, gate.Options{
		Subscription: g.arm.subscription, Bake: bake, Poll: time.Minute,
		Health: health.Options{MinAvailability: g.minAvails, Parallel: g.parallel},
		Sleep:  gateSleep, Now: gateNow, Out: log,
	})
	v.WriteText(log, g.planFile)
	if v.Halted() {
		return fmt.Errorf("ring %s did not pass (the gate's report is above)", r.Name)
	}
	return nil
}
