package main

import (
	"fmt"
	"io"
	"slices"

	"github.com/spf13/cobra"
)

// shells are the shells drctl completion writes a script for.
var shells = []string{"bash", "zsh", "fish", "powershell"}

// newCompletionCmd is drctl completion <shell>.
func newCompletionCmd() *cobra.Command {
	var noDescriptions bool
	cmd := &cobra.Command{
		Use:   "completion bash|zsh|fish|powershell",
		Short: "the shell completion script for bash, zsh, fish or powershell",
		Long: `drctl completion writes the completion script for a shell on standard output: commands, flags, the
customers of the project's stack files, and the values of flags such as --format and --cloud.

  bash:        source <(drctl completion bash)            (needs the bash-completion package)
  zsh:         drctl completion zsh > "${fpath[1]}/_drctl"  (with compinit enabled)
  fish:        drctl completion fish > ~/.config/fish/completions/drctl.fish
  powershell:  drctl completion powershell | Out-String | Invoke-Expression`,
		ValidArgs: shells,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usagef("give the shell: one of bash, zsh, fish, powershell")
			}
			if !slices.Contains(shells, args[0]) {
				return usagef("unknown shell %q: one of bash, zsh, fish, powershell", args[0])
			}
			return nil
		},
		RunE: action(func(cmd *cobra.Command, args []string) error {
			return writeCompletion(cmd.Root(), args[0], !noDescriptions, cmd.OutOrStdout())
		}),
	}
	cmd.Flags().BoolVar(&noDescriptions, "no-descriptions", false, "complete without the descriptions of commands and flags")
	return cmd
}

func writeCompletion(root *cobra.Command, shell string, descriptions bool, w io.Writer) error {
	switch shell {
	case "bash":
		return root.GenBashCompletionV2(w, descriptions)
	case "zsh":
		if descriptions {
			return root.GenZshCompletion(w)
		}
		return root.GenZshCompletionNoDesc(w)
	case "fish":
		return root.GenFishCompletion(w, descriptions)
	case "powershell":
		if descriptions {
			return root.GenPowerShellCompletionWithDesc(w)
		}
		return root.GenPowerShellCompletion(w)
	}
	return fmt.Errorf("unknown shell %q", shell)
}
