package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/fhir-dr/fhir-dr/internal/engine"
	"github.com/fhir-dr/fhir-dr/internal/review"
	"github.com/fhir-dr/fhir-dr/program"
)

// runnerOptions are the flags of drctl preview, up and refresh.
type runnerOptions struct {
	stacks, changedSince     string
	parallel                 int
	policyPack, policyConfig string
	cli                      string
	create                   bool
}

// newRunnerCmd is drctl preview, up or refresh (op): the release
// pipeline's runner of that Pulumi operation on many stacks at once.
func newRunnerCmd(op engine.Operation, short, long, example string) *cobra.Command {
	var o runnerOptions
	cmd := &cobra.Command{
		Use:     string(op) + " (--stacks <a,b> | --changed-since <git-revision>)",
		Short:   short,
		Long:    long,
		Example: example,
		Args:    noArgs("name the stacks with --stacks a,b"),
		Annotations: map[string]string{exitAnnotation: "0 every stack succeeded (or there was none to run); " +
			"1 a stack failed (the summary names it), or a failure; 2 usage."},
		RunE: action(func(cmd *cobra.Command, _ []string) error {
			return exitWith(runStacks(op, o, cmd.OutOrStdout(), cmd.ErrOrStderr()))
		}),
	}
	f := cmd.Flags()
	f.StringVar(&o.stacks, "stacks", "", "comma-separated `customers`")
	f.StringVar(&o.changedSince, "changed-since", "", "every stack whose file (or the program) changed since this git `revision`")
	newIntAtLeast(cmd, &o.parallel, "parallel", 4, 1, "stacks run at once")
	f.StringVar(&o.policyPack, "policy-pack", "", "the policy pack to enforce: the built `binary` (.bin/fhir-dr-policy)")
	f.StringVar(&o.policyConfig, "policy-pack-config", "", "the policy pack config `file`")
	f.StringVar(&o.cli, "pulumi", "", "the Pulumi CLI `binary` (default: pulumi on PATH)")
	f.BoolVar(&o.create, "create-stacks", false, "create stacks that do not exist (offline rehearsals; the pipeline's stacks exist)")
	cmd.MarkFlagsMutuallyExclusive("stacks", "changed-since")
	cmd.MarkFlagsOneRequired("stacks", "changed-since")
	_ = cmd.RegisterFlagCompletionFunc("stacks", completeCustomerFlag)
	markFileFlag(cmd, "policy-pack-config", "json")
	return cmd
}

// runStacks is drctl preview|up|refresh; it returns the exit status.
func runStacks(op engine.Operation, o runnerOptions, stdout, stderr io.Writer) int {
	command := string(op)
	root, err := projectRoot()
	if err != nil {
		fmt.Fprintf(stderr, "drctl %s: %v\n", command, err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	var customers []string
	if o.stacks != "" {
		customers = customerList(o.stacks)
	} else {
		changed, err := review.ChangedStacks(ctx, root, o.changedSince)
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
	a := &engine.Auto{ProjectRoot: root, WorkRoot: work, Program: program.Run, CLI: o.cli, CreateStacks: o.create}
	if o.policyPack != "" {
		a.PolicyPacks = []string{absPath(o.policyPack)}
		if o.policyConfig != "" {
			a.PolicyPackConfigs = []string{absPath(o.policyConfig)}
		}
	}
	results := engine.Run(ctx, a, op, customers, engine.RunOptions{Parallel: o.parallel, Log: stdout})
	fmt.Fprintln(stdout)
	engine.PrintSummary(stdout, op, results)
	if engine.Failed(results) {
		return 1
	}
	return 0
}

// absPath makes a path given on the command line absolute, for the
// commands that run others in another directory.
func absPath(p string) string {
	if p == "" {
		return ""
	}
	if abs, err := filepath.Abs(p); err == nil {
		return abs
	}
	return p
}
