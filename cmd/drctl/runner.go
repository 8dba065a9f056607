package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/fhir-dr/fhir-dr/internal/review"
	"github.com/fhir-dr/fhir-dr/internal/runner"
	"github.com/fhir-dr/fhir-dr/program"
)

// runStacks is drctl preview|up|refresh: the release pipeline's runner.
func runStacks(command string, args []string, stdout, stderr io.Writer) int {
	op, err := runner.ParseOperation(command)
	if err != nil {
		fmt.Fprintln(stderr, "drctl:", err)
		return 2
	}
	fs := flag.NewFlagSet("drctl "+command, flag.ContinueOnError)
	fs.SetOutput(stderr)
	stacks := fs.String("stacks", "", "comma-separated customers")
	changedSince := fs.String("changed-since", "", "every stack whose file (or the program) changed since this git revision")
	parallel := fs.Int("parallel", 4, "stacks run at once")
	policyPack := fs.String("policy-pack", "", "policy pack to enforce (the built .bin/fhir-dr-policy)")
	policyConfig := fs.String("policy-pack-config", "", "policy pack config file")
	cli := fs.String("pulumi", "", "the Pulumi CLI (default: pulumi on PATH)")
	create := fs.Bool("create-stacks", false, "create stacks that do not exist (offline rehearsals; the pipeline's stacks exist)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if (*stacks == "") == (*changedSince == "") || fs.NArg() > 0 {
		fmt.Fprintf(stderr, "drctl %s: give exactly one of --stacks a,b or --changed-since <git-revision>\n", command)
		return 2
	}
	root, err := projectRoot()
	if err != nil {
		fmt.Fprintf(stderr, "drctl %s: %v\n", command, err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	var customers []string
	if *stacks != "" {
		for _, s := range strings.Split(*stacks, ",") {
			if s = strings.TrimSpace(s); s != "" {
				customers = append(customers, s)
			}
		}
	} else {
		changed, err := review.ChangedStacks(ctx, root, *changedSince)
		if err != nil {
			fmt.Fprintf(stderr, "drctl %s: %v\n", command, err)
			return 1
		}
		customers = changed.Stacks
	}
	if len(customers) == 0 {
		fmt.Fprintf(stdout, "%s: no stacks to run\n", op)
		return 0
	}
	work, err := os.MkdirTemp("", "fhir-dr-run-")
	if err != nil {
		fmt.Fprintf(stderr, "drctl %s: %v\n", command, err)
		return 1
	}
	defer os.RemoveAll(work)
	a := &runner.Auto{ProjectRoot: root, WorkRoot: work, Program: program.Run, CLI: *cli, CreateStacks: *create}
	for _, p := range []*string{policyPack, policyConfig} {
		if *p != "" {
			if abs, err := filepath.Abs(*p); err == nil {
				*p = abs
			}
		}
	}
	if *policyPack != "" {
		a.PolicyPacks = []string{*policyPack}
		if *policyConfig != "" {
			a.PolicyPackConfigs = []string{*policyConfig}
		}
	}
	results := runner.Run(ctx, a, op, customers, runner.Options{Parallel: *parallel, Log: stdout})
	fmt.Fprintln(stdout)
	runner.PrintSummary(stdout, op, results)
	if runner.Failed(results) {
		return 1
	}
	return 0
}

// runChanged prints the stacks a change touches, as the JSON the CI job
// matrix reads: {"stacks": [...], "removed": [...], "all": bool}.
func runChanged(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("drctl changed", flag.ContinueOnError)
	fs.SetOutput(stderr)
	base := fs.String("base", "", "git revision to compare the working tree with. Required.")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *base == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "drctl changed: --base <git-revision> is required")
		return 2
	}
	root, err := projectRoot()
	if err != nil {
		fmt.Fprintln(stderr, "drctl changed:", err)
		return 1
	}
	c, err := review.ChangedStacks(context.Background(), root, *base)
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
