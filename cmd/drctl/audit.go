package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/fhir-dr/fhir-dr/internal/review"
)

// newAuditCmd is drctl audit.
func newAuditCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "audit [customer ...]",
		Short: "the DR events of the stack files' git history: who enabled, changed, failed over what, when, for which ticket",
		Long: `drctl audit reads the git history of the stack files (every customer's, or the named ones') and prints
their DR events, oldest first: DR enabled or disabled, the tier or the regions changed, failovers,
failbacks and drills recorded, each with its date, ticket, author and commit. The reviewed config changes
are the audit trail.`,
		Example: `  drctl audit
  drctl audit contoso --json`,
		ValidArgsFunction: completeCustomers(0),
		RunE: action(func(cmd *cobra.Command, args []string) error {
			return exitWith(runAudit(asJSON, args, cmd.OutOrStdout(), cmd.ErrOrStderr()))
		}),
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "one JSON object per line, for export")
	return cmd
}

// runAudit prints the DR events of the stacks' git history; it returns the
// exit status.
func runAudit(asJSON bool, customers []string, stdout, stderr io.Writer) int {
	root, err := projectRoot()
	if err != nil {
		fmt.Fprintln(stderr, "drctl audit:", err)
		return 1
	}
	events, err := review.Audit(context.Background(), root, customers)
	if err != nil {
		fmt.Fprintln(stderr, "drctl audit:", err)
		return 1
	}
	if asJSON {
		enc := json.NewEncoder(stdout)
		for _, e := range events {
			if err := enc.Encode(e); err != nil {
				fmt.Fprintln(stderr, "drctl audit:", err)
				return 1
			}
		}
		return 0
	}
	tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "DATE\tCUSTOMER\tEVENT\tDETAIL\tTICKET\tAUTHOR\tCOMMIT")
	for _, e := range events {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", e.Date.UTC().Format("2006-01-02 15:04"), e.Customer, e.Kind, e.Detail,
			e.Ticket, e.Author, e.Commit)
	}
	_ = tw.Flush()
	return 0
}
