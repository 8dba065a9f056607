package main

import (
	"github.com/spf13/cobra"

	"github.com/fhir-dr/fhir-dr/internal/engine"
)

// newUpCmd is drctl up.
func newUpCmd() *cobra.Command {
	return newRunnerCmd(engine.Up,
		"the release runner's pulumi up of many stacks at once, with the policy pack",
		`drctl up runs pulumi up (through the Automation API) on the named stacks, or on every stack a change
since a git revision touches, --parallel at a time, with the policy pack, and prints each stack's log
lines prefixed with its name, then one summary row per stack. A stack that fails does not stop the
others. The release job runs drctl record <customer> --verify --before-release first.`,
		`  drctl up --stacks contoso,litware --policy-pack .bin/fhir-dr-policy --parallel 4
  drctl up --changed-since origin/main --policy-pack .bin/fhir-dr-policy`)
}
