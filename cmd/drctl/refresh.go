package main

import (
	"github.com/spf13/cobra"

	"github.com/fhir-dr/fhir-dr/internal/engine"
)

// newRefreshCmd is drctl refresh.
func newRefreshCmd() *cobra.Command {
	return newRunnerCmd(engine.Refresh,
		"the release runner's pulumi refresh of many stacks at once: reconcile the state with Azure",
		`drctl refresh runs pulumi refresh (through the Automation API) on the named stacks, or on every stack a
change since a git revision touches, --parallel at a time, and prints each stack's log lines prefixed
with its name, then one summary row per stack: after a run killed hard, it reconciles the recorded state
with what Azure has.`,
		`  drctl refresh --stacks contoso`)
}
