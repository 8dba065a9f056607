package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

// newHelpCmd is drctl help [command]: cobra's help command, except that
// an unknown command is a usage mistake (exit status 2), not help.
func newHelpCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "help [command]",
		Short: "the usage and flags of a command (the same as drctl <command> --help)",
		Long:  "drctl help lists the commands; drctl help <command> prints that command's usage, flags and exit statuses.",
		ValidArgsFunction: func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
			if len(args) > 0 {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			var out []cobra.Completion
			for _, c := range cmd.Root().Commands() {
				if (c.IsAvailableCommand() || c == cmd) && strings.HasPrefix(c.Name(), toComplete) {
					out = append(out, cobra.CompletionWithDesc(c.Name(), c.Short))
				}
			}
			return out, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: action(func(cmd *cobra.Command, args []string) error {
			target, rest, err := cmd.Root().Find(args)
			if err != nil || len(rest) > 0 || target == nil {
				return usageError{err: fmt.Errorf("unknown command %q", strings.Join(args, " ")),
					hint: fmt.Sprintf("Run '%s help' for the commands.", cmd.Root().Name())}
			}
			return target.Help()
		}),
	}
}
