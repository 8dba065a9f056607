package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/fhir-dr/fhir-dr/internal/gitexec"
	"github.com/fhir-dr/fhir-dr/internal/review"
	"github.com/fhir-dr/fhir-dr/program"
)

// diffOptions are drctl diff's flags.
type diffOptions struct {
	base, engineLog string
	asJSON          bool
	rehearseAll     bool
	parallel        int
}

// newDiffCmd is drctl diff.
func newDiffCmd() *cobra.Command {
	var o diffOptions
	cmd := &cobra.Command{
		Use:   "diff --base <git-revision>",
		Short: "what a change since a git revision does to each affected stack, with hazard checks, as a pull-request comment",
		Long: `drctl diff reviews the change from a git revision (the pull request's base) to the working tree: it
finds the affected stacks, deploys each as it was at the base with the base's own program and previews
the working tree through the real Pulumi engine against the azure-native stand-in, offline, and prints
the pull-request comment (Markdown; --json for the review as JSON) with the engine's plan, the
before/after topology, the cost and every hazard. A program change touches every stack: each is rendered
at the base (by the base's own drctl) and at the working tree, in process, and the plans are diffed and
hazard-checked; the engine rehearses one stack per plan shape, every stack whose rendered diff has a
hazard, a replace or a delete, and every stack whose own file changed (--rehearse-all: every stack).`,
		Example: `  drctl diff --base origin/main
  drctl diff --base origin/main --json --engine-log engine.log`,
		Args: noArgs("the change is the working tree's since --base"),
		Annotations: map[string]string{exitAnnotation: "0 the change may be deployed; 1 hazards or engine refusals " +
			"(the change must not be deployed as it is), or a failure; 2 usage."},
		RunE: action(func(cmd *cobra.Command, _ []string) error {
			if err := gitexec.CheckRevision(o.base); err != nil {
				return usagef("--base: %w", err)
			}
			return exitWith(runDiff(o, cmd.OutOrStdout(), cmd.ErrOrStderr()))
		}),
	}
	f := cmd.Flags()
	f.StringVar(&o.base, "base", "", "the git `revision` to compare the working tree with, e.g. the pull request's base. Required.")
	f.BoolVar(&o.asJSON, "json", false, "print the review as JSON instead of the Markdown comment")
	f.StringVar(&o.engineLog, "engine-log", "", "the `file` to write the engine's own output to")
	f.BoolVar(&o.rehearseAll, "rehearse-all", false, "rehearse every stack a program change touches through the engine, not a representative set")
	newIntAtLeast(cmd, &o.parallel, "parallel", 0, 1, "stacks reviewed at once (default: the number of CPUs)")
	_ = cmd.MarkFlagRequired("base")
	markFileFlag(cmd, "engine-log")
	return cmd
}

// runDiff is drctl diff; it returns the exit status.
func runDiff(o diffOptions, stdout, stderr io.Writer) int {
	root, err := projectRoot()
	if err != nil {
		fmt.Fprintln(stderr, "drctl diff:", err)
		return 1
	}
	opts := review.Options{ProjectRoot: root, Base: o.base, Program: program.Run, Deploy: program.Deploy,
		DeployConfig: program.DeployConfig, RehearseAll: o.rehearseAll, Parallel: o.parallel}
	if o.engineLog != "" {
		f, err := os.Create(o.engineLog)
		if err != nil {
			fmt.Fprintln(stderr, "drctl diff:", err)
			return 1
		}
		defer f.Close()
		opts.EngineLog = f
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	report, err := review.Run(ctx, opts)
	if err != nil {
		fmt.Fprintln(stderr, "drctl diff:", err)
		return 1
	}
	if o.asJSON {
		b, err := json.MarshalIndent(report, "", "  ")
		if err != nil {
			fmt.Fprintln(stderr, "drctl diff:", err)
			return 1
		}
		fmt.Fprintln(stdout, string(b))
	} else {
		fmt.Fprint(stdout, review.Markdown(report, 0))
	}
	if report.Hazardous() {
		fmt.Fprintln(stderr, "drctl diff: the change must not be deployed as it is (hazards or engine refusals above)")
		return 1
	}
	return 0
}
