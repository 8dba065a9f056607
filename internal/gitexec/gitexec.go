// Package gitexec runs git for the tools that read the repository's
// history (the rehearsal of earlier revisions, pull-request review, audit).
package gitexec

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strings"
)

// Output runs git with args in dir and returns its standard output; an
// error carries git's own message.
func Output(ctx context.Context, dir string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("git %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return string(out), nil
}
