package engine

import (
	"context"
	"fmt"
	"os"
	"os/exec"
)

// ExtractRevision writes the tree of the commit of the git repository at
// root into dir: what DeployRevision builds a revision's program from, for
// other tools of that revision (drctl diff builds the base's drctl).
func ExtractRevision(ctx context.Context, root, commit, dir string) error {
	return extract(ctx, root, commit, dir)
}

// BuildTool builds the package pkg (such as "./cmd/drctl") of the tree at
// dir into binary, as DeployRevision builds a revision's program: with the
// revision's own go.mod and go.sum, no workspace, nothing downloaded that
// go.sum does not pin.
func BuildTool(ctx context.Context, dir, pkg, binary string) error {
	build := exec.CommandContext(ctx, "go", "build", "-o", binary, pkg)
	build.Dir = dir
	build.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=readonly")
	if out, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("engine: building %s of %s: %w\n%s", pkg, dir, err, out)
	}
	return nil
}
