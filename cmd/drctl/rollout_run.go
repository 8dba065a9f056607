package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/fhir-dr/fhir-dr/internal/rollout"
)

// rolloutRunOptions are the flags of drctl rollout run.
type rolloutRunOptions struct {
	plan, ring, results string
	shard, parallel     int
	releaseFlags
}

// newRolloutRunCmd is drctl rollout run.
func newRolloutRunCmd() *cobra.Command {
	var o rolloutRunOptions
	cmd := &cobra.Command{
		Use:   "run --plan <plan.json> --ring <ring> --shard <i>",
		Short: "release one shard of a rollout plan: the release workflow's job",
		Long: `drctl rollout run runs pulumi up (through the release runner) on the stacks of one shard of one ring of
the plan, --parallel at a time, with the policy pack. Before it deploys a stack it reads the stack's history:
a stack whose last update released the plan's commit is skipped (skipped-done), so a re-run never deploys
again what is done. A successful up records "fhir-dr release <commit>" as the update's message.

--results writes what happened as JSON: {"ring", "shard", "commit", "stacks": [{"customer", "status", "error"}]}
with status done, failed, skipped-done or not-started; drctl rollout status --results reads a directory of
them.`,
		Example: `  drctl rollout run --plan plan.json --ring canary --shard 0 --policy-pack .bin/fhir-dr-policy --results canary-0.json`,
		Args:    noArgs("the stacks are the plan's"),
		Annotations: map[string]string{exitAnnotation: "0 every stack of the shard is released (deployed now or before); " +
			"1 a stack failed or was not started (the summary names it), or a failure; 2 usage."},
		RunE: action(func(cmd *cobra.Command, _ []string) error {
			return runRolloutRun(o, cmd.OutOrStdout())
		}),
	}
	f := cmd.Flags()
	f.StringVar(&o.plan, "plan", "", "the plan `file` (drctl rollout plan --json). Required.")
	f.StringVar(&o.ring, "ring", "", "the `ring` of the shard. Required.")
	newIntAtLeast(cmd, &o.shard, "shard", 0, 0, "the shard's `index` in the ring, from 0. Required.")
	newIntAtLeast(cmd, &o.parallel, "parallel", 4, 1, "stacks deployed at once")
	f.StringVar(&o.results, "results", "", "write the shard's results to this JSON `file`")
	o.releaseFlags.add(cmd)
	for _, name := range []string{"plan", "ring", "shard"} {
		_ = cmd.MarkFlagRequired(name)
	}
	markFileFlag(cmd, "plan", "json")
	_ = cmd.RegisterFlagCompletionFunc("ring", completeWords("canary", "early", "wave-1", "wave-2", "wave-3", "broad"))
	return cmd
}

// runRolloutRun releases one shard.
func runRolloutRun(o rolloutRunOptions, stdout io.Writer) error {
	p, err := readPlan(o.plan)
	if err != nil {
		return err
	}
	if _, err := p.Shard(o.ring, o.shard); err != nil {
		return usagef("%v", err)
	}
	root, err := projectRoot()
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	d, done, err := o.releaseDeployer(ctx, root, p.Commit)
	if err != nil {
		return err
	}
	defer done()
	res, err := rollout.RunShard(ctx, d, p, o.ring, o.shard, rollout.RunOptions{Parallel: o.parallel, Log: stdout})
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout)
	tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "STACK\tSTATUS\tERROR")
	ok := true
	for _, s := range res.Stacks {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", s.Customer, s.Status, rollout.Why(s.Error))
		ok = ok && (s.Status == rollout.Done || s.Status == rollout.SkippedDone)
	}
	_ = tw.Flush()
	fmt.Fprintf(stdout, "ring %s shard %d of %s: %d stacks\n", o.ring, o.shard, p.Commit, len(res.Stacks))
	if o.results != "" {
		if err := rollout.WriteResults(o.results, res); err != nil {
			return err
		}
	}
	if !ok {
		fmt.Fprintf(stdout, "Re-run this command, or %s, to finish: done stacks are not deployed again.\n", o.resumeCommand(o.plan))
		return exitWith(exitFailed)
	}
	return nil
}
