package main

import (
	"github.com/spf13/cobra"

	"github.com/fhir-dr/fhir-dr/internal/engine"
)

// newPreviewCmd is drctl preview.
func newPreviewCmd() *cobra.Command {
	return newRunnerCmd(engine.Preview,
		"the release runner's pulumi preview of many stacks at once, with the policy pack",
		`drctl preview runs pulumi preview (through the Automation API) on the named stacks, or on every stack a
change since a git revision touches, --parallel at a time, with the policy pack, and prints each stack's
log lines prefixed with its name, then one summary row per stack. It changes nothing. It needs the
Pulumi CLI, the backend's login and, for real stacks, Azure credentials.`,
		`  drctl preview --stacks contoso --policy-pack .bin/fhir-dr-policy`)
}
