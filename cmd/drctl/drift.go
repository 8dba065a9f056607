package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/fhir-dr/fhir-dr/internal/drift"
	"github.com/fhir-dr/fhir-dr/internal/engine"
	"github.com/fhir-dr/fhir-dr/internal/shard"
	"github.com/fhir-dr/fhir-dr/program"
	"github.com/fhir-dr/fhir-dr/stackfile"
)

// driftOptions are drctl drift's flags.
type driftOptions struct {
	stacks     string
	shard, of  int
	parallel   int
	cli        string
	json       bool
	out        string
	reportOnly bool
}

// newDriftCmd is drctl drift, with its summary and (hidden) matrix.
func newDriftCmd() *cobra.Command {
	var o driftOptions
	cmd := &cobra.Command{
		Use:   "drift [--stacks <a,b> | --shard <i> --of <n>] [--json [--out <file>]]",
		Short: "what Azure has that the last deployment did not make: a refresh preview of many stacks, nothing written",
		Long: `drctl drift previews a refresh (pulumi refresh --preview-only, through the Automation API: it reads every
resource from Azure and writes neither the state nor Azure) of the named stacks, of one shard of the fleet
(--shard i --of n: shard.Split of the sorted stack files, as drctl drift matrix deals them), or of the whole
fleet, --parallel at a time, and says per customer what it found, with the one command that deals with it:

  failover  Azure moved the Cosmos DB write region on its own (service-managed failover), so Azure's write
            region is not the stack file's dr.writeRegion and a release would fail back:
            drctl record <customer> --ticket <incident>
  drift     other properties differ, per resource and property: drctl refresh --stacks <customer>
  failed    the check failed, with the error: drctl drift --stacks <customer>
  none      Azure is as deployed.

--json writes the shard's report (the JSON drctl drift summary merges) to stdout or --out. The scheduled
workflow (.github/workflows/drift.yml) runs one shard per job and merges them into one issue.`,
		Example: `  drctl drift --stacks contoso,fabrikam
  drctl drift --shard 3 --of 16 --json --out drift-3.json --report-only`,
		Args: noArgs("name the stacks with --stacks a,b"),
		Annotations: map[string]string{exitAnnotation: "0 no drift; 1 drift, a failover or a failed check (the output names them), " +
			"or a failure; with --report-only 0 whenever the report was written; 2 usage."},
		RunE: action(func(cmd *cobra.Command, _ []string) error {
			if err := checkShardFlags(cmd, o.shard, o.of); err != nil {
				return err
			}
			if o.out != "" && !o.json {
				return usagef("--out goes with --json")
			}
			return exitWith(runDrift(o, cmd.OutOrStdout(), cmd.ErrOrStderr()))
		}),
	}
	f := cmd.Flags()
	f.StringVar(&o.stacks, "stacks", "", "comma-separated `customers` (default: the shard, else every stack)")
	f.IntVar(&o.shard, "shard", 0, "the shard to check, 0-based: `index` i of --of")
	f.IntVar(&o.of, "of", 0, "the `number` of shards the fleet is dealt into (1-256)")
	newIntAtLeast(cmd, &o.parallel, "parallel", 4, 1, "stacks checked at once")
	f.StringVar(&o.cli, "pulumi", "", "the Pulumi CLI `binary` (default: pulumi on PATH)")
	f.BoolVar(&o.json, "json", false, "write the report as JSON (drctl drift summary reads it)")
	f.StringVar(&o.out, "out", "", "with --json, write the report to this `file` instead of stdout")
	f.BoolVar(&o.reportOnly, "report-only", false, "exit 0 whenever the report is written, drift or not: the workflow's shards, "+
		"whose findings the summary reports")
	cmd.MarkFlagsMutuallyExclusive("stacks", "shard")
	cmd.MarkFlagsMutuallyExclusive("stacks", "of")
	cmd.MarkFlagsRequiredTogether("shard", "of")
	_ = cmd.RegisterFlagCompletionFunc("stacks", completeCustomerFlag)
	markFileFlag(cmd, "out", "json")
	cmd.AddGroup(&cobra.Group{ID: "drift", Title: "Commands:"})
	for _, sub := range []*cobra.Command{newDriftSummaryCmd(), newDriftMatrixCmd()} {
		sub.GroupID = "drift"
		cmd.AddCommand(sub)
	}
	return cmd
}

// checkShardFlags refuses a shard outside 0..of-1 and a number of shards
// outside 1..shard.GitHubMatrixLimit, when given.
func checkShardFlags(cmd *cobra.Command, i, of int) error {
	if !cmd.Flags().Changed("of") {
		return nil
	}
	if of < 1 || of > shard.GitHubMatrixLimit {
		return usagef("--of must be 1-%d, got %d", shard.GitHubMatrixLimit, of)
	}
	if i < 0 || i >= of {
		return usagef("--shard must be 0-%d (of --of %d), got %d", of-1, of, i)
	}
	return nil
}

// driftOpener opens the stacks the check previews; tests replace it.
var driftOpener = func(root, work, cli string) engine.Opener {
	return &engine.Auto{ProjectRoot: root, WorkRoot: work, Program: program.Run, CLI: cli}
}

// driftNow is the check's clock; tests replace it.
var driftNow = time.Now

// runDrift is drctl drift; it returns the exit status.
func runDrift(o driftOptions, stdout, stderr io.Writer) int {
	root, err := projectRoot()
	if err != nil {
		fmt.Fprintln(stderr, "drctl drift:", err)
		return 1
	}
	report := drift.Report{Version: drift.ReportVersion, Shard: 0, Of: 1, CheckedAt: driftNow().UTC()}
	var customers []string
	if o.stacks != "" {
		customers = customerList(o.stacks)
	} else {
		fleet, err := stackfile.Customers(root)
		if err != nil {
			fmt.Fprintln(stderr, "drctl drift:", err)
			return 1
		}
		of := max(o.of, 1)
		shards, err := shard.Split(fleet, of)
		if err != nil {
			fmt.Fprintln(stderr, "drctl drift:", err)
			return 1
		}
		if o.shard < len(shards) {
			customers = shards[o.shard]
		}
		report.Shard, report.Of = o.shard, of
	}
	work, err := os.MkdirTemp("", "fhir-dr-drift-")
	if err != nil {
		fmt.Fprintln(stderr, "drctl drift:", err)
		return 1
	}
	defer os.RemoveAll(work)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// The engine's output goes to stderr with --json to stdout, so that
	// stdout is the report alone.
	log := stdout
	if o.json {
		log = stderr
	}
	report.Stacks = drift.Check(ctx, driftOpener(root, work, o.cli), customers,
		drift.Options{ProjectRoot: root, Parallel: o.parallel, Log: log, Now: driftNow})
	if report.Stacks == nil {
		report.Stacks = []drift.Stack{}
	}
	if o.json {
		b, _ := json.MarshalIndent(report, "", "  ")
		b = append(b, '\n')
		if o.out == "" {
			_, _ = stdout.Write(b)
		} else if err := os.WriteFile(o.out, b, 0o644); err != nil {
			fmt.Fprintln(stderr, "drctl drift:", err)
			return 1
		}
	}
	w := stdout
	if o.json {
		w = stderr
	}
	printDrift(w, report.Stacks)
	if o.reportOnly {
		return 0
	}
	for _, s := range report.Stacks {
		if s.Kind != drift.KindNone {
			return 1
		}
	}
	return 0
}

// printDrift writes one row per stack, then what to do about each finding.
func printDrift(w io.Writer, stacks []drift.Stack) {
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "STACK\tFOUND\tCOMMAND\n")
	counts := map[drift.Kind]int{}
	for _, s := range stacks {
		counts[s.Kind]++
		command := s.Command
		if command == "" {
			command = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", s.Customer, s.Kind, command)
	}
	_ = tw.Flush()
	for _, s := range stacks {
		if s.Kind == drift.KindNone {
			continue
		}
		fmt.Fprintf(w, "\n%s: %s.\n", s.Customer, s.Message)
		for _, r := range s.Resources {
			if r.Change == "delete" {
				fmt.Fprintf(w, "  %s (%s): gone from Azure\n", r.Name, r.Type)
				continue
			}
			for _, p := range r.Properties {
				state, _ := json.Marshal(p.State)
				azure, _ := json.Marshal(p.Azure)
				fmt.Fprintf(w, "  %s (%s) %s: %s %s -> %s\n", r.Name, r.Type, p.Path, p.Change, state, azure)
			}
		}
		if s.Command != "" {
			fmt.Fprintf(w, "  then: %s\n", s.Command)
		}
	}
	fmt.Fprintf(w, "\ndrift: %d stacks: %d failover, %d drift, %d failed, %d none\n", len(stacks),
		counts[drift.KindFailover], counts[drift.KindDrift], counts[drift.KindFailed], counts[drift.KindNone])
}

// newDriftSummaryCmd is drctl drift summary.
func newDriftSummaryCmd() *cobra.Command {
	var out string
	var shards int
	cmd := &cobra.Command{
		Use:   "summary <dir> [--shards <n>] [--out <file>]",
		Short: "merge the shards' drift reports into one Markdown report: the drift issue's body",
		Long: `drctl drift summary reads every drift report (*.json, at any depth: one directory per shard's artifact)
under dir and writes one Markdown report to stdout or --out: the counts first, then the customers with drift
grouped by kind, each with the one command that deals with it, always under GitHub's issue body limit
(65,536 characters: details give way to one line per customer, then to "and N more"). A shard that wrote
no report, an unreadable report or a customer reported twice make the check incomplete, and the report
says so; --shards says how many there are (else the reports do, and a run whose every shard failed is
"no shard wrote a report"). Its first line is the marker the workflow finds its issue by.`,
		Example: `  drctl drift summary shards --shards 16 --out drift.md`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usagef("give the directory of the shard reports: %s", cmd.UseLine())
			}
			return nil
		},
		Annotations: map[string]string{exitAnnotation: "0 no drift, every shard reported; 1 drift, a failover, a failed check " +
			"or an incomplete check (the report was written and says which), or a failure (nothing written); 2 usage."},
		RunE: action(func(cmd *cobra.Command, args []string) error {
			if !cmd.Flags().Changed("shards") {
				shards = -1
			} else if shards < 0 || shards > shard.GitHubMatrixLimit {
				return usagef("--shards must be 0-%d, got %d", shard.GitHubMatrixLimit, shards)
			}
			return exitWith(runDriftSummary(args[0], out, shards, cmd.OutOrStdout(), cmd.ErrOrStderr()))
		}),
	}
	cmd.Flags().StringVar(&out, "out", "", "write the Markdown to this `file` instead of stdout")
	cmd.Flags().IntVar(&shards, "shards", 0, "the `number` of shards the run dealt the fleet into (drctl drift matrix's \"of\"; default: what the reports say)")
	markFileFlag(cmd, "out", "md")
	return cmd
}

// runDriftSummary is drctl drift summary; it returns the exit status.
func runDriftSummary(dir, out string, shards int, stdout, stderr io.Writer) int {
	reports, problems, err := drift.Load(dir)
	if err != nil {
		fmt.Fprintln(stderr, "drctl drift summary:", err)
		return 1
	}
	s := drift.Summarize(reports, problems, shards)
	if out == "" {
		fmt.Fprint(stdout, s.Markdown)
	} else {
		if err := os.WriteFile(out, []byte(s.Markdown), 0o644); err != nil {
			fmt.Fprintln(stderr, "drctl drift summary:", err)
			return 1
		}
		fmt.Fprintf(stdout, "drift summary: %d customers: %d failover, %d drift, %d failed, %d none; %d problems of the check\n",
			s.Customers, s.Counts[drift.KindFailover], s.Counts[drift.KindDrift], s.Counts[drift.KindFailed], s.Counts[drift.KindNone], len(s.Problems))
	}
	if s.Clean() {
		return 0
	}
	return 1
}

// newDriftMatrixCmd is drctl drift matrix, hidden: the workflow's job
// matrix.
func newDriftMatrixCmd() *cobra.Command {
	var maxShards int
	cmd := &cobra.Command{
		Use:   "matrix [--max-shards <n>]",
		Short: "the drift workflow's job matrix: the shards the fleet is dealt into, as JSON",
		Long: `drctl drift matrix prints {"shard": [0, 1, ...], "of": n}: the fleet's stack files, sorted, are dealt into
n = min(--max-shards, the number of stacks) shards (shard.Split); each job runs drctl drift --shard i --of n.
An empty fleet is {"shard": [], "of": 0}.`,
		Hidden: true,
		Args:   noArgs(""),
		RunE: action(func(cmd *cobra.Command, _ []string) error {
			if maxShards < 1 || maxShards > shard.GitHubMatrixLimit {
				return usagef("--max-shards must be 1-%d, got %d", shard.GitHubMatrixLimit, maxShards)
			}
			root, err := projectRoot()
			if err != nil {
				return err
			}
			fleet, err := stackfile.Customers(root)
			if err != nil {
				return err
			}
			shards, err := shard.Split(fleet, maxShards)
			if err != nil {
				return err
			}
			doc := struct {
				Shard []int `json:"shard"`
				Of    int   `json:"of"`
			}{Shard: []int{}, Of: len(shards)}
			for i := range shards {
				doc.Shard = append(doc.Shard, i)
			}
			b, _ := json.Marshal(doc)
			fmt.Fprintln(cmd.OutOrStdout(), string(b))
			return nil
		}),
	}
	cmd.Flags().IntVar(&maxShards, "max-shards", 16, "the most `shards` (jobs), 1-256")
	return cmd
}
