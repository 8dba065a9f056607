package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/fhir-dr/fhir-dr/internal/review"
)

// runAudit prints the DR events of the stacks' git history.
func runAudit(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("drctl audit", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "one JSON object per line, for export")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	root, err := projectRoot()
	if err != nil {
		fmt.Fprintln(stderr, "drctl audit:", err)
		return 1
	}
	events, err := review.Audit(context.Background(), root, fs.Args())
	if err != nil {
		fmt.Fprintln(stderr, "drctl audit:", err)
		return 1
	}
	if *asJSON {
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
