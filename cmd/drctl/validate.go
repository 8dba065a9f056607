package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/fhir-dr/fhir-dr/internal/fleet"
	"github.com/fhir-dr/fhir-dr/policy/analyzer"
	"github.com/fhir-dr/fhir-dr/policy/rules"
)

// validateOptions are drctl validate's flags.
type validateOptions struct {
	workers      int
	policyConfig string
}

// newValidateCmd is drctl validate.
func newValidateCmd() *cobra.Command {
	var o validateOptions
	cmd := &cobra.Command{
		Use:   "validate [customer ...]",
		Short: "validate, render and policy-check every stack (or the named ones) concurrently; one row per stack",
		Long: `drctl validate validates, renders and policy-checks every stack of the project (or the named customers'),
concurrently, and prints one row per stack, then every problem of each, then the fleet-wide conflicts
(what must be one customer's alone: customer ids, accounts, resource groups, Traffic Manager names, token
audiences), checked against the whole fleet even when only some customers are named.`,
		Example: `  drctl validate
  drctl validate contoso litware --parallel 2`,
		Annotations: map[string]string{exitAnnotation: "0 every stack passes; 1 a stack is invalid, breaks a mandatory rule " +
			"or conflicts with another, or a failure; 2 usage."},
		ValidArgsFunction: completeCustomers(0),
		RunE: action(func(cmd *cobra.Command, args []string) error {
			return exitWith(runValidate(o, args, cmd.OutOrStdout(), cmd.ErrOrStderr()))
		}),
	}
	newIntAtLeast(cmd, &o.workers, "parallel", 0, 1, "stacks validated at once (default: the number of CPUs)")
	cmd.Flags().StringVar(&o.policyConfig, "policy-config", "", "the policy pack config `file` (as given to pulumi --policy-pack-config)")
	markFileFlag(cmd, "policy-config", "json")
	return cmd
}

// runValidate is drctl validate; it returns the exit status.
func runValidate(o validateOptions, customers []string, stdout, stderr io.Writer) int {
	policy, err := loadPolicyConfig(o.policyConfig)
	if err != nil {
		fmt.Fprintln(stderr, "drctl validate:", err)
		return 1
	}
	root, err := projectRoot()
	if err != nil {
		fmt.Fprintln(stderr, "drctl validate:", err)
		return 1
	}
	files, err := stackFiles(root, customers)
	if err != nil || len(files) == 0 {
		fmt.Fprintln(stderr, "drctl validate: no stack files found", err)
		return 1
	}

	progress := progressReporter(stderr, len(files))
	results := validateFleet(files, policy, o.workers, progress)
	if progress != nil {
		fmt.Fprintln(stderr)
	}
	conflicts, err := checkFleet(root, results, len(customers) > 0)
	if err != nil {
		fmt.Fprintln(stderr, "drctl validate:", err)
		return 1
	}
	return printValidation(stdout, results, conflicts, policy.DisabledRules())
}

// progressReporter returns a progress callback that redraws one line on a
// terminal, or nil when stderr is not a terminal (CI logs stay clean).
func progressReporter(stderr io.Writer, total int) func(int) {
	f, ok := stderr.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) || total < 20 {
		return nil
	}
	var mu sync.Mutex
	return func(done int) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(stderr, "\rvalidated %d/%d stacks", done, total)
	}
}

// printValidation prints one row per stack, then every problem of each
// stack, the fleet-wide conflicts and the rules the policy config disabled,
// and returns the exit status: 1 if any stack fails.
func printValidation(w io.Writer, results []stackResult, conflicts fleet.Problems, disabled []string) int {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CUSTOMER\tPRIMARY\tSECONDARY\tTIER\tRPO\tRTO\tSTATUS")
	failed := 0
	for _, r := range results {
		if !r.OK() {
			failed++
		}
		if r.Config == nil {
			fmt.Fprintf(tw, "%s\t-\t-\t-\t-\t-\t%s\n", r.Customer, r.Status())
			continue
		}
		rpo, rto := objectivesLabel(r.Config)
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Customer, r.Config.PrimaryRegion, secondaryLabel(r.Config),
			r.Config.TierLabel(), rpo, rto, r.Status())
	}
	_ = tw.Flush()

	for _, r := range results {
		if r.Err == nil && len(r.Policy) == 0 {
			continue
		}
		fmt.Fprintln(w)
		if r.Err != nil {
			fmt.Fprintln(w, r.Err)
		}
		for _, d := range r.Policy {
			fmt.Fprintf(w, "%s: [%s] %s: %s\n", r.File, d.Level, d.Rule, d.Message)
		}
	}
	if len(conflicts) > 0 {
		noun := "conflicts"
		if len(conflicts) == 1 {
			noun = "conflict"
		}
		fmt.Fprintf(w, "\n%d fleet-wide %s (what must be one customer's alone):\n", len(conflicts), noun)
		for _, p := range conflicts {
			fmt.Fprintln(w, "  "+p.String())
		}
	}
	if len(disabled) > 0 {
		fmt.Fprintf(w, "\nThe policy config disables %d of %d rules, not checked: %s\n", len(disabled), len(rules.All()), strings.Join(disabled, ", "))
	}
	fmt.Fprintf(w, "\n%d stacks, %d failed\n", len(results), failed)
	if failed > 0 {
		return 1
	}
	return 0
}

// loadPolicyConfig reads a policy pack config file; "" is the default.
func loadPolicyConfig(path string) (rules.Config, error) {
	if path == "" {
		return rules.DefaultConfig(), nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return rules.Config{}, err
	}
	cfg, err := analyzer.ParseConfigFile(data)
	if err != nil {
		return rules.Config{}, fmt.Errorf("%s: %w", path, err)
	}
	return cfg, nil
}
