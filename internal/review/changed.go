package review

import (
	"context"
	"github.com/fhir-dr/fhir-dr/stackfile"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/fhir-dr/fhir-dr/internal/gitexec"
)

// Changed says which stacks a change touches.
type Changed struct {
	// Stacks are the customers whose stacks must be reviewed, sorted.
	Stacks []string
	// Removed are the customers whose stack file was deleted.
	Removed []string
	// Edited are the customers whose own stack file was added or changed,
	// sorted: Stacks when All is false, and the stacks a program change
	// must rehearse whatever its rendered diff says when All is true.
	Edited []string
	// All is true when the program changed, so every stack is reviewed.
	All bool
	// Reason says why All is set: the first program file that changed.
	Reason string
}

// programFile reports whether a change to the repository path (slash
// separated) changes what the program deploys or how the pipeline checks
// it: Go code other than tests, the module files, and Pulumi.yaml.
func programFile(path string) bool {
	switch {
	case strings.HasPrefix(path, "tools/"):
		return false // the CLI pin is checked by its own test
	case strings.HasSuffix(path, "_test.go"):
		return false
	case strings.HasSuffix(path, ".go"), path == "go.mod", path == "go.sum", path == "Pulumi.yaml":
		return true
	}
	return strings.HasPrefix(path, "internal/azureschema/")
}

// ChangedStacks compares the working tree of the project at root (the top
// of its git repository) with the revision base, which is resolved to a
// commit first (gitexec.Commit): a base git could read as an option is
// refused.
func ChangedStacks(ctx context.Context, root, base string) (Changed, error) {
	commit, err := gitexec.Commit(ctx, root, base)
	if err != nil {
		return Changed{}, err
	}
	diff, err := git(ctx, root, "diff", "--name-only", "--relative", commit, "--")
	if err != nil {
		return Changed{}, err
	}
	untracked, err := git(ctx, root, "ls-files", "--others", "--exclude-standard")
	if err != nil {
		return Changed{}, err
	}
	var c Changed
	stacks := map[string]bool{}
	for _, path := range append(strings.Fields(diff), strings.Fields(untracked)...) {
		if dir, file := filepath.Split(filepath.FromSlash(path)); filepath.Clean(dir) == stackfile.Dir {
			name, err := stackfile.Stack(file)
			if err != nil {
				continue // not a stack file
			}
			if _, err := os.Stat(filepath.Join(root, path)); os.IsNotExist(err) {
				c.Removed = append(c.Removed, name)
				continue
			}
			stacks[name] = true
			continue
		}
		if programFile(path) && !c.All {
			c.All, c.Reason = true, path
		}
	}
	for name := range stacks {
		c.Edited = append(c.Edited, name)
	}
	slices.Sort(c.Edited)
	if c.All {
		files, err := stackfile.List(root)
		if err != nil {
			return Changed{}, err
		}
		for _, f := range files {
			if name, err := stackfile.Stack(f); err == nil {
				stacks[name] = true
			}
		}
	}
	for name := range stacks {
		c.Stacks = append(c.Stacks, name)
	}
	slices.Sort(c.Stacks)
	slices.Sort(c.Removed)
	return c, nil
}

func git(ctx context.Context, dir string, args ...string) (string, error) {
	return gitexec.Output(ctx, dir, args...)
}
