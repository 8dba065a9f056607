package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/fhir-dr/fhir-dr/internal/rollout"
)

// rolloutResumeOptions are the flags of drctl rollout resume.
type rolloutResumeOptions struct {
	plan     string
	parallel int
	skipBake bool
	releaseFlags
}

// newRolloutResumeCmd is drctl rollout resume.
func newRolloutResumeCmd() *cobra.Command {
	var o rolloutResumeOptions
	cmd := &cobra.Command{
		Use:   "resume --plan <plan.json>",
		Short: "run a whole rollout from where it stopped, here: rings in order, done stacks skipped",
		Long: `drctl rollout resume runs the rollout of the plan on this machine from where it stands: the rings in
order, each stack's history read first so that the stacks already released are skipped, the others
deployed --parallel at a time; after each ring the halt rule, then (when the ring deployed anything) its
bake time, then its gate. On a halt it prints the stacks that failed, those not started, and the command
that resumes; the rings after the halted one are not started.

The gate is not checked here yet: the offline gate passes, saying so (drctl rollout gate checks Azure).`,
		Example: `  drctl rollout resume --plan plan.json --policy-pack .bin/fhir-dr-policy`,
		Args:    noArgs(""),
		Annotations: map[string]string{exitAnnotation: "0 the rollout is complete; 1 it halted or a stack failed " +
			"(the summary names them and the command that resumes), or a failure; 2 usage."},
		RunE: action(func(cmd *cobra.Command, _ []string) error {
			return runRolloutResume(o, cmd.OutOrStdout())
		}),
	}
	f := cmd.Flags()
	f.StringVar(&o.plan, "plan", "", "the plan `file` (drctl rollout plan --json). Required.")
	newIntAtLeast(cmd, &o.parallel, "parallel", 4, 1, "stacks deployed at once")
	f.BoolVar(&o.skipBake, "skip-bake", false, "do not wait out the bake times (offline rehearsals)")
	o.releaseFlags.add(cmd)
	_ = cmd.MarkFlagRequired("plan")
	markFileFlag(cmd, "plan", "json")
	return cmd
}

// runRolloutResume runs the rollout.
func runRolloutResume(o rolloutResumeOptions, stdout io.Writer) error {
	p, err := readPlan(o.plan)
	if err != nil {
		return err
	}
	root, err := projectRoot()
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := rollout.CheckCheckout(ctx, root, p.Commit); err != nil {
		return err
	}
	d, done, err := o.deployer(root, p.Commit)
	if err != nil {
		return err
	}
	defer done()
	opts := rollout.ResumeOptions{Parallel: o.parallel, Log: stdout, Out: stdout}
	if o.skipBake {
		opts.Bake = func(context.Context, time.Duration) error { return nil }
	}
	out := rollout.Resume(ctx, d, p, opts)
	fmt.Fprintln(stdout)
	out.WriteSummary(stdout, o.resumeCommand(o.plan))
	if !out.Complete() {
		return exitWith(exitFailed)
	}
	return nil
}
