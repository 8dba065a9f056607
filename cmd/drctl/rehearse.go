package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"syscall"

	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/spf13/cobra"

	"github.com/fhir-dr/fhir-dr/drconfig"
	"github.com/fhir-dr/fhir-dr/internal/azurestandin"
	"github.com/fhir-dr/fhir-dr/internal/engine"
	"github.com/fhir-dr/fhir-dr/internal/kubestandin"
	"github.com/fhir-dr/fhir-dr/program"
	"github.com/fhir-dr/fhir-dr/stackfile"
)

// newRehearseCmd is drctl rehearse.
func newRehearseCmd() *cobra.Command {
	var stack, from string
	cmd := &cobra.Command{
		Use:   "rehearse --stack <customer> [--from <git-revision>]",
		Short: "run a change through the real Pulumi engine against the azure-native and kubernetes stand-ins, offline",
		Long: `drctl rehearse runs one customer's stack through the real Pulumi engine, offline: the CLI built by make
pulumi-cli, a throwaway local backend, and the stand-ins (test doubles for Azure and the clusters) in
place of the providers. With --from it first deploys the stack as it was at that git revision, with that
revision's own program, then previews and applies the working tree, printing the engine's own diff and a
summary, with the policy pack built from the working tree.`,
		Example: `  drctl rehearse --stack contoso
  drctl rehearse --stack litware --from main`,
		Args: noArgs("the stack is named by --stack"),
		Annotations: map[string]string{exitAnnotation: "0 the engine applied the change; 1 the engine, a stand-in check " +
			"or a policy failed; 2 usage."},
		RunE: action(func(cmd *cobra.Command, _ []string) error {
			return exitWith(runRehearse(stack, from, cmd.OutOrStdout(), cmd.ErrOrStderr()))
		}),
	}
	cmd.Flags().StringVar(&stack, "stack", "", "the `customer` whose stack to rehearse (stacks/Pulumi.<customer>.yaml). Required.")
	cmd.Flags().StringVar(&from, "from", "", "the git `revision` to deploy first, with its own program and stack file; "+
		"the rehearsal then shows the change from it to the working tree")
	_ = cmd.MarkFlagRequired("stack")
	_ = cmd.RegisterFlagCompletionFunc("stack", completeCustomerFlag)
	return cmd
}

// runRehearse is drctl rehearse; it returns the exit status.
func runRehearse(stack, from string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := rehearseStack(ctx, stack, from, stdout); err != nil {
		fmt.Fprintln(stderr, "drctl rehearse:", err)
		return 1
	}
	return 0
}

// rehearseStack runs one customer's stack through the real engine against
// the azure-native stand-in: optionally `up` at the revision from, then
// preview and up the working tree, printing the engine's own output and a
// summary.
func rehearseStack(ctx context.Context, customer, from string, out io.Writer) error {
	root, err := projectRoot()
	if err != nil {
		return err
	}
	path := filepath.Join(root, stackfile.Path(customer))
	// Invalid configuration is reported the same way as by plan, before the
	// engine starts.
	if _, err := drconfig.LoadFile(path); err != nil {
		return err
	}
	config, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	session, err := engine.NewSession(engine.SessionOptions{ProjectRoot: root, Program: program.Run, Out: out, PolicyPack: true})
	if err != nil {
		return err
	}
	defer session.Close()
	fmt.Fprintf(out, "Rehearsing %s with the Pulumi engine v%s against the azure-native and kubernetes stand-ins "+
		"(test doubles: nothing reaches Azure or a cluster).\n\n",
		customer, engine.CLIVersion)
	st, err := session.Stack(ctx, customer, config)
	if err != nil {
		return err
	}
	if from != "" {
		fmt.Fprintf(out, "== Deploying %s as at %s\n", customer, from)
		commit, err := session.DeployRevision(ctx, st, from)
		switch {
		case errors.Is(err, engine.ErrNotAtRevision):
			fmt.Fprintf(out, "%s has no stack file at %s: nothing was deployed for it then.\n", customer, from)
		case err != nil:
			return err
		default:
			fmt.Fprintf(out, "Deployed at %s.\n", commit[:12])
		}
		fmt.Fprintln(out)
	}
	before, kubeBefore := len(session.Provider().Ops()), len(session.Kubernetes().Ops())

	fmt.Fprintln(out, "== Preview of the working tree")
	preview, err := st.Preview(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintln(out)
	fmt.Fprintln(out, "== Up")
	if _, err := st.Up(ctx); err != nil {
		return err
	}
	fmt.Fprintln(out)
	printRehearsalSummary(out, customer, preview, session.Provider().Ops()[before:], session.Kubernetes().Ops()[kubeBefore:])
	return nil
}

func printRehearsalSummary(out io.Writer, customer string, preview engine.Outcome, ops []azurestandin.Op, kubeOps []kubestandin.Op) {
	fmt.Fprintf(out, "== Summary for %s\n", customer)
	var kinds []string
	for op := range preview.Summary {
		kinds = append(kinds, string(op))
	}
	slices.Sort(kinds)
	fmt.Fprint(out, "engine plan:")
	for _, k := range kinds {
		fmt.Fprintf(out, " %s %d;", k, preview.Summary[apitype.OpType(k)])
	}
	fmt.Fprintln(out)
	counts := map[azurestandin.OpKind]int{}
	for _, op := range ops {
		counts[op.Kind]++
	}
	fmt.Fprintf(out, "stand-in saw: %d created, %d updated, %d deleted\n",
		counts[azurestandin.OpCreate], counts[azurestandin.OpUpdate], counts[azurestandin.OpDelete])
	for _, op := range ops {
		if op.Kind == azurestandin.OpUpdate {
			fmt.Fprintf(out, "  updated %s %s: %v\n", op.Type, op.Name, op.Changed)
		}
	}
	kubeCounts := map[kubestandin.OpKind]int{}
	for _, op := range kubeOps {
		kubeCounts[op.Kind]++
	}
	fmt.Fprintf(out, "kubernetes stand-in saw: %d created, %d updated, %d deleted\n",
		kubeCounts[kubestandin.OpCreate], kubeCounts[kubestandin.OpUpdate], kubeCounts[kubestandin.OpDelete])
}
