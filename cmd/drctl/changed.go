package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/fhir-dr/fhir-dr/internal/review"
)

// newChangedCmd is drctl changed.
func newChangedCmd() *cobra.Command {
	var base string
	cmd := &cobra.Command{
		Use:   "changed --base <git-revision>",
		Short: "the stacks a change since a git revision touches, as JSON for a CI job matrix",
		Long: `drctl changed prints the stacks a change from a git revision to the working tree touches, as the JSON
the CI job matrix reads: {"stacks": [...], "removed": [...], "all": bool}; "all" is true, and every stack
listed, when the program itself changed.`,
		Example: `  drctl changed --base origin/main | jq -c .stacks`,
		Args:    noArgs("the change is the working tree's since --base"),
		RunE: action(func(cmd *cobra.Command, _ []string) error {
			return exitWith(runChanged(base, cmd.OutOrStdout(), cmd.ErrOrStderr()))
		}),
	}
	cmd.Flags().StringVar(&base, "base", "", "the git `revision` to compare the working tree with. Required.")
	_ = cmd.MarkFlagRequired("base")
	return cmd
}

// runChanged prints the stacks a change touches, as the JSON the CI job
// matrix reads: {"stacks": [...], "removed": [...], "all": bool}; it returns
// the exit status.
func runChanged(base string, stdout, stderr io.Writer) int {
	root, err := projectRoot()
	if err != nil {
		fmt.Fprintln(stderr, "drctl changed:", err)
		return 1
	}
	c, err := review.ChangedStacks(context.Background(), root, base)
	if err != nil {
		fmt.Fprintln(stderr, "drctl changed:", err)
		return 1
	}
	doc := struct {
		Stacks  []string `json:"stacks"`
		Removed []string `json:"removed"`
		All     bool     `json:"all"`
	}{Stacks: append([]string{}, c.Stacks...), Removed: append([]string{}, c.Removed...), All: c.All}
	b, _ := json.Marshal(doc)
	fmt.Fprintln(stdout, string(b))
	return 0
}
