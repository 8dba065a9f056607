package main

import (
	"errors"
	"fmt"
	"os"
	"os/user"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/fhir-dr/fhir-dr/stackfile"
)

func init() {
	// The commands are listed in the order of the work, not the alphabet.
	cobra.EnableCommandSorting = false
	cobra.AddTemplateFunc("wrap", wrap)
}

// The command groups of drctl help.
var commandGroups = []*cobra.Group{
	{ID: "offline", Title: "Offline (no cloud, no credentials):"},
	{ID: "release", Title: "The release (the Pulumi engine, many stacks at once):"},
	{ID: "azure", Title: "The write region (Azure Resource Manager):"},
	{ID: "history", Title: "History:"},
	{ID: "tool", Title: "The tool:"},
}

// exitAnnotation is the annotation that states a command's exit statuses.
const exitAnnotation = "exit"

// defaultExit is the exit statuses of a command that states no others.
const defaultExit = "0 done; 1 failed (the message says why); 2 usage."

// usageTemplate is cobra's, with the commands in their groups only, the
// flags and the exit statuses wrapped at helpWidth.
const usageTemplate = `Usage:{{if .Runnable}}
  {{.UseLine}}{{end}}{{if .HasAvailableSubCommands}}
  {{.CommandPath}} <command> [flags]{{end}}{{if .HasExample}}

Examples:
{{.Example}}{{end}}{{if .HasAvailableSubCommands}}{{$cmds := .Commands}}{{range $group := .Groups}}

{{.Title}}{{range $cmds}}{{if (and (eq .GroupID $group.ID) (or .IsAvailableCommand (eq .Name "help")))}}
  {{rpad .Name .NamePadding }} {{.Short}}{{end}}{{end}}{{end}}{{end}}{{if .HasAvailableLocalFlags}}

Flags:
{{.LocalFlags.FlagUsagesWrapped 100 | trimTrailingWhitespaces}}{{end}}{{if .HasAvailableInheritedFlags}}

Global Flags:
{{.InheritedFlags.FlagUsagesWrapped 100 | trimTrailingWhitespaces}}{{end}}{{with index .Annotations "exit"}}

{{wrap (printf "Exit status: %s" .) 100}}{{end}}{{if .HasAvailableSubCommands}}

Use "{{if .HasParent}}{{.CommandPath}} <command> --help{{else}}{{.CommandPath}} help <command>{{end}}" for more about a command.{{end}}
`

// newRootCmd builds drctl's command tree.
func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "drctl",
		Short: "the fhir-dr operator tool",
		Long: `drctl: the fhir-dr operator tool.

Every command reads the stack files of the project it runs in (stacks/Pulumi.<customer>.yaml, found from
the working directory up). The procedures that use them are in docs/runbook.md; paged for an outage, start
at its "Disaster day". Flags may come before or after the arguments.`,
		Version:       buildVersion().Module.Version,
		SilenceUsage:  true,
		SilenceErrors: true,
		// Completion is drctl completion, not cobra's default command.
		CompletionOptions: cobra.CompletionOptions{DisableDefaultCmd: true},
		Annotations: map[string]string{exitAnnotation: "0 done; 1 a finding (an invalid stack, a broken rule, a hazard, " +
			"a failed stack) or a failure, which the message names; 2 usage (an unknown command or flag, a missing or " +
			"conflicting flag, a value out of bounds); failover and failback: 130 interrupted."},
	}
	root.AddGroup(commandGroups...)
	root.SetUsageTemplate(usageTemplate)
	root.SetVersionTemplate(versionText(buildVersion()))
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err: err} })
	for _, c := range []struct {
		group string
		cmd   *cobra.Command
	}{
		{"offline", newPlanCmd()},
		{"offline", newValidateCmd()},
		{"offline", newDiffCmd()},
		{"offline", newReportCmd()},
		{"offline", newRehearseCmd()},
		{"offline", newChangedCmd()},
		{"release", newPreviewCmd()},
		{"release", newUpCmd()},
		{"release", newRefreshCmd()},
		{"release", newRolloutCmd()},
		{"release", newDriftCmd()},
		{"azure", newFailoverCmd()},
		{"azure", newFailbackCmd()},
		{"azure", newRecordCmd()},
		{"history", newAuditCmd()},
		{"tool", newVersionCmd()},
		{"tool", newCompletionCmd()},
		{"", newDocsCmd()},
		{"", newRenderFleetCmd()},
	} {
		c.cmd.GroupID = c.group
		root.AddCommand(c.cmd)
	}
	root.SetHelpCommand(newHelpCmd())
	root.SetHelpCommandGroupID("tool")
	root.InitDefaultHelpCmd()
	// Every command's help, however it is asked for (drctl help <command>,
	// <command> --help, the README's reference), lists the same flags.
	var prepare func(*cobra.Command)
	prepare = func(c *cobra.Command) {
		c.InitDefaultHelpFlag()
		c.Flags().SortFlags = false
		if c.Runnable() && c.Annotations[exitAnnotation] == "" {
			if c.Annotations == nil {
				c.Annotations = map[string]string{}
			}
			c.Annotations[exitAnnotation] = defaultExit
		}
		for _, sub := range c.Commands() {
			prepare(sub)
		}
	}
	prepare(root)
	root.InitDefaultVersionFlag()
	return root
}

// noArgs refuses positional arguments, saying what the command takes
// instead.
func noArgs(hint string) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		if len(args) == 0 {
			return nil
		}
		if hint != "" {
			hint = ": " + hint
		}
		return usagef("unexpected argument %q%s", args[0], hint)
	}
}

// oneCustomer requires the customer as the one argument.
func oneCustomer(cmd *cobra.Command, args []string) error {
	switch len(args) {
	case 0:
		return usagef("give the customer: %s", cmd.UseLine())
	case 1:
		return nil
	}
	return usagef("unexpected argument %q: give one customer", args[1])
}

// completeCustomers completes customer names from the project's stack
// files; at most max of them (0: any number).
func completeCustomers(max int) cobra.CompletionFunc {
	return func(_ *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if max > 0 && len(args) >= max {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return customerNames(toComplete, args), cobra.ShellCompDirectiveNoFileComp
	}
}

// completeCustomerFlag completes a flag whose value is a customer.
func completeCustomerFlag(_ *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	return customerNames(toComplete, nil), cobra.ShellCompDirectiveNoFileComp
}

// customerNames are the project's customers that start with prefix, but
// those already given.
func customerNames(prefix string, given []string) []cobra.Completion {
	root, err := projectRoot()
	if err != nil {
		return nil
	}
	files, err := stackFiles(root, nil)
	if err != nil {
		return nil
	}
	var out []cobra.Completion
	for _, f := range files {
		name, err := stackfile.Stack(f)
		if err != nil || !strings.HasPrefix(name, prefix) || slices.Contains(given, name) {
			continue
		}
		out = append(out, name)
	}
	return out
}

// completeWords completes a flag from a fixed list.
func completeWords(words ...string) cobra.CompletionFunc {
	return cobra.FixedCompletions(words, cobra.ShellCompDirectiveNoFileComp)
}

// markFileFlag makes a flag complete file names.
func markFileFlag(cmd *cobra.Command, name string, ext ...string) {
	if err := cmd.MarkFlagFilename(name, ext...); err != nil {
		panic(err) // a programming error: the flag is not defined
	}
}

// intAtLeast is an int flag value that refuses what is below min when it
// is given; its default may be below (0: "the number of CPUs").
type intAtLeast struct {
	v   *int
	min int
}

// newIntAtLeast defines an int flag that must be at least min when given.
func newIntAtLeast(cmd *cobra.Command, p *int, name string, value, min int, usage string) {
	*p = value
	cmd.Flags().Var(intAtLeast{p, min}, name, usage)
}

func (f intAtLeast) String() string { return strconv.Itoa(*f.v) }
func (f intAtLeast) Type() string   { return "int" }

// Set parses a whole number of at least f.min.
func (f intAtLeast) Set(s string) error {
	n, err := strconv.Atoi(s)
	if err != nil {
		return errors.New("must be a whole number")
	}
	if n < f.min {
		return fmt.Errorf("must be at least %d", f.min)
	}
	*f.v = n
	return nil
}

// currentUser is the operating system's user; tests replace it.
var currentUser = user.Current

// operatorName is who runs a command, for the record: --operator, else
// $USER, else the operating system's user; refused when none is known.
func operatorName(flag string) (string, error) {
	if s := strings.TrimSpace(flag); s != "" {
		return s, nil
	}
	if s := strings.TrimSpace(os.Getenv("USER")); s != "" {
		return s, nil
	}
	u, err := currentUser()
	if err == nil && strings.TrimSpace(u.Username) != "" {
		return strings.TrimSpace(u.Username), nil
	}
	why := "it has no name"
	if err != nil {
		why = err.Error()
	}
	return "", usagef("--operator is required: $USER is empty and the operating system's user is unknown (%s); "+
		"say who runs it, for the record", why)
}

// helpWidth is the width help text is wrapped at.
const helpWidth = 100

// wrap breaks s's lines at spaces so that none is longer than width,
// where it can.
func wrap(s string, width int) string {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		for len(line) > width {
			i := strings.LastIndex(line[:width+1], " ")
			if i <= 0 {
				break
			}
			out = append(out, line[:i])
			line = line[i+1:]
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}
