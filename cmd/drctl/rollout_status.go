package main

import (
	"context"
	"io"

	"github.com/spf13/cobra"

	"github.com/fhir-dr/fhir-dr/internal/rollout"
)

// rolloutStatusOptions are the flags of drctl rollout status.
type rolloutStatusOptions struct {
	plan, results string
	parallel      int
	releaseFlags
}

// newRolloutStatusCmd is drctl rollout status.
func newRolloutStatusCmd() *cobra.Command {
	var o rolloutStatusOptions
	cmd := &cobra.Command{
		Use:   "status --plan <plan.json> [--results <dir>]",
		Short: "where a rollout stands: each ring's stacks done, failed, not started; a halt; how to resume",
		Long: `drctl rollout status says where the rollout of a plan stands, ring by ring, applies the halt rule to
the rings in order, and prints the stacks that failed, those not started, and the one command that resumes.
With --results it reads the shard results the release workflow's jobs wrote (drctl rollout run --results);
without, it reads each stack's history in the backend (released or not: the backend knows no failures).`,
		Example: `  drctl rollout status --plan plan.json --results results/
  drctl rollout status --plan plan.json`,
		Args: noArgs(""),
		Annotations: map[string]string{exitAnnotation: "0 the rollout is complete; 1 it is not (halted, failed stacks or " +
			"stacks still to release), or a failure; 2 usage."},
		RunE: action(func(cmd *cobra.Command, _ []string) error {
			return runRolloutStatus(o, cmd.OutOrStdout())
		}),
	}
	f := cmd.Flags()
	f.StringVar(&o.plan, "plan", "", "the plan `file` (drctl rollout plan --json). Required.")
	f.StringVar(&o.results, "results", "", "the `directory` of shard results (*.json, at any depth) to read instead of the backend")
	newIntAtLeast(cmd, &o.parallel, "parallel", 8, 1, "stack histories read at once")
	o.releaseFlags.add(cmd)
	_ = cmd.MarkFlagRequired("plan")
	markFileFlag(cmd, "plan", "json")
	_ = cmd.MarkFlagDirname("results")
	return cmd
}

// runRolloutStatus prints where the rollout stands.
func runRolloutStatus(o rolloutStatusOptions, stdout io.Writer) error {
	p, err := readPlan(o.plan)
	if err != nil {
		return err
	}
	var out rollout.Outcome
	if o.results != "" {
		results, err := rollout.ReadResults(o.results, p)
		if err != nil {
			return err
		}
		out = rollout.StateFromResults(p, results)
	} else {
		root, err := projectRoot()
		if err != nil {
			return err
		}
		d, done, err := o.deployer(root, p.Commit)
		if err != nil {
			return err
		}
		defer done()
		if out, err = rollout.State(context.Background(), d, p, o.parallel); err != nil {
			return err
		}
	}
	out.WriteSummary(stdout, o.resumeCommand(o.plan))
	if !out.Complete() {
		return exitWith(exitFailed)
	}
	return nil
}
