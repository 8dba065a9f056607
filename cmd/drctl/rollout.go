package main

import "github.com/spf13/cobra"

// newRolloutCmd is drctl rollout, the parent of the release-in-rings
// commands. This minimal parent (branch gate) carries only the gate; on
// merge the rollout branch's parent, with plan, run, status and resume,
// replaces it and adds newRolloutGateCmd.
func newRolloutCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "rollout",
		Short: "release a change to the fleet in rings: plan, run, gate, resume",
		Long: `drctl rollout releases a change to the fleet ring by ring (release.ring of each stack file): each
ring's stacks in shards, then a bake time and a health gate before the next ring.`,
		Args:        noArgs("give a subcommand"),
		Annotations: map[string]string{exitAnnotation: "those of each subcommand; 2 usage."},
	}
	cmd.AddCommand(newRolloutGateCmd())
	return cmd
}
