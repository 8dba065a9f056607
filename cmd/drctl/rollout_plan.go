package main

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/fhir-dr/fhir-dr/internal/gitexec"
	"github.com/fhir-dr/fhir-dr/internal/review"
	"github.com/fhir-dr/fhir-dr/internal/rollout"
	"github.com/fhir-dr/fhir-dr/internal/shard"
)

// rolloutPlanOptions are the flags of drctl rollout plan.
type rolloutPlanOptions struct {
	base, stacks string
	all, json    bool
	maxShards    int
}

// newRolloutPlanCmd is drctl rollout plan.
func newRolloutPlanCmd() *cobra.Command {
	var o rolloutPlanOptions
	cmd := &cobra.Command{
		Use:   "plan (--base <git-revision> | --stacks <a,b> | --all)",
		Short: "the order, the batches and the gates of a release of the changed stacks",
		Long: `drctl rollout plan groups the stacks to release (those a change since --base touches, as drctl changed
finds them, or those named) into their rings, in release order, splits each ring into at most
--max-shards shards (CI jobs), and prints each ring's shards, bake time and gates. Rings with no stacks are
left out. The commit released is the working tree's HEAD. Every stack file is validated; one that is
invalid (an unknown release.ring, say) is reported with its file and key, all of them at once.

--json prints the plan the release workflow and drctl rollout run, status and resume read:
{"commit", "maxShards", "haltAbove", "rings": [{"name", "stacks", "shards", "bakeSeconds", "gates"}]}.`,
		Example: `  drctl rollout plan --base origin/main
  drctl rollout plan --all --max-shards 64 --json > plan.json`,
		Args: noArgs("name the stacks with --stacks a,b"),
		RunE: action(func(cmd *cobra.Command, _ []string) error {
			if o.maxShards > shard.GitHubMatrixLimit {
				return usagef("--max-shards: must be at most %d (GitHub's matrix limit), got %d", shard.GitHubMatrixLimit, o.maxShards)
			}
			return runRolloutPlan(o, cmd.OutOrStdout())
		}),
	}
	f := cmd.Flags()
	f.StringVar(&o.base, "base", "", "release the stacks a change since this git `revision` touches (every stack when the program changed)")
	f.StringVar(&o.stacks, "stacks", "", "release these comma-separated `customers`")
	f.BoolVar(&o.all, "all", false, "release every stack")
	newIntAtLeast(cmd, &o.maxShards, "max-shards", rollout.DefaultMaxShards, 1, fmt.Sprintf("the most shards (CI jobs) per ring, 1-%d", shard.GitHubMatrixLimit))
	f.BoolVar(&o.json, "json", false, "print the plan as JSON (the release workflow's input)")
	cmd.MarkFlagsMutuallyExclusive("base", "stacks", "all")
	cmd.MarkFlagsOneRequired("base", "stacks", "all")
	_ = cmd.RegisterFlagCompletionFunc("stacks", completeCustomerFlag)
	return cmd
}

// runRolloutPlan prints the plan.
func runRolloutPlan(o rolloutPlanOptions, stdout io.Writer) error {
	root, err := projectRoot()
	if err != nil {
		return err
	}
	ctx := context.Background()
	commit, err := gitexec.Commit(ctx, root, "HEAD")
	if err != nil {
		return fmt.Errorf("the commit to release: %w", err)
	}
	var customers []string
	switch {
	case o.base != "":
		changed, err := review.ChangedStacks(ctx, root, o.base)
		if err != nil {
			return err
		}
		if len(changed.Stacks) == 0 {
			break
		}
		customers = changed.Stacks
	case o.stacks != "":
		customers = customerList(o.stacks)
		if len(customers) == 0 {
			return usagef("--stacks: name at least one customer")
		}
	}
	var files []string
	if o.all || len(customers) > 0 {
		// stackFiles lists every stack for no customers: only --all may.
		if files, err = stackFiles(root, customers); err != nil {
			return err
		}
	}
	members, err := rollout.LoadMembers(files, ringOf)
	if err != nil {
		return err
	}
	p, err := rollout.NewPlan(commit, members, o.maxShards)
	if err != nil {
		return err
	}
	if o.json {
		return p.WriteJSON(stdout)
	}
	p.WriteText(stdout)
	return nil
}
