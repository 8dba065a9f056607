package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/pflag"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReadmeCommandReference holds README.md's command reference to what
// the commands' definitions make; `go generate ./cmd/drctl` rewrites it.
func TestReadmeCommandReference(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	require.NoError(t, err)
	synced, err := syncReference(string(readme), newRootCmd())
	require.NoError(t, err)
	assert.Equal(t, synced, string(readme), "README.md's command reference is stale: run go generate ./cmd/drctl")
}

// The reference has a section per command, with its flags and exit
// statuses, and escapes what Markdown would read as markup.
func TestCommandReference(t *testing.T) {
	ref := commandReference(newRootCmd())
	for _, want := range []string{
		"| [`drctl failback`](#drctl-failback) | move a customer's Cosmos DB writes back to the primary region and record it |\n",
		"\n#### `drctl plan`\n\n```\ndrctl plan (--stack <customer> | --stack-file <path>) [flags]\n```\n",
		"| `--stack customer` |  | the customer whose stack to render (stacks/Pulumi.&lt;customer&gt;.yaml) |\n",
		"| `--format format` | `table` | the output format: table, csv or json |\n",
		"| `--timeout duration` | `2m0s` | ",
		"\nExit status: 0 done and recorded; 1 refused, failed or not recorded (the message says which and what to run); 2 usage; 130 interrupted.\n",
	} {
		assert.Contains(t, ref, want)
	}
	failback := ref[strings.Index(ref, "#### `drctl failback`"):strings.Index(ref, "#### `drctl record`")]
	assert.NotContains(t, failback, "--forced")
	assert.NotContains(t, ref, "drctl docs", "the hidden command is not listed")

	_, err := syncReference("no markers", newRootCmd())
	assert.EqualError(t, err, "README.md: the command reference's markers are missing")
}

// Every command is defined in its own file, cmd/drctl/<command>.go (a
// subcommand in <command>_<subcommand>.go, or with its parent), and
// documents itself: what it
// does, its exit statuses, each flag.
func TestEveryCommandDocumented(t *testing.T) {
	root := newRootCmd()
	commands := root.Commands()
	for _, c := range root.Commands() {
		commands = append(commands, c.Commands()...)
	}
	for _, c := range commands {
		if c.Name() == "__complete" {
			continue // cobra's, for the completion scripts
		}
		files := []string{c.Name() + ".go"}
		if c.Parent() != root {
			// Its own file, or its parent's (drctl drift summary).
			files = []string{c.Parent().Name() + "_" + c.Name() + ".go", c.Parent().Name() + ".go"}
		}
		found := slices.ContainsFunc(files, func(f string) bool { _, err := os.Stat(f); return err == nil })
		assert.True(t, found, "drctl %s is defined in %s", c.CommandPath(), strings.Join(files, " or "))
		assert.NotEmpty(t, c.Short, c.Name())
		assert.NotEmpty(t, c.Long, c.Name())
		assert.NotEmpty(t, c.Annotations[exitAnnotation], c.Name())
		c.LocalFlags().VisitAll(func(f *pflag.Flag) {
			assert.NotEmpty(t, f.Usage, "drctl %s --%s", c.Name(), f.Name)
		})
	}
}
