// Package gitexec runs git for the tools that read the repository's
// history (the rehearsal of earlier revisions, pull-request review, audit).
//
// Revisions come from operators and pull requests (drctl diff --base, drctl
// changed --base, drctl up --changed-since, drctl rehearse --from), so they
// never reach git as they are: Commit refuses anything git could read as an
// option and resolves the rest to a full commit hash, which is what the
// other git commands get.
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

// CheckRevision refuses a revision that is empty, that git could read as an
// option (it starts with "-"), or that holds characters no revision has
// (control characters, whitespace).
func CheckRevision(rev string) error {
	switch {
	case rev == "":
		return fmt.Errorf("a git revision is required")
	case strings.HasPrefix(rev, "-"):
		return fmt.Errorf("%q is not a git revision: it starts with \"-\"", rev)
	case strings.ContainsFunc(rev, func(r rune) bool { return r <= ' ' || r == 0x7f }):
		return fmt.Errorf("%q is not a git revision: it holds whitespace or control characters", rev)
	}
	return nil
}

// Commit resolves the revision rev to its full commit hash in the
// repository at dir. The revision is checked (CheckRevision) and passed
// after --end-of-options, so git reads it as a revision whatever it says.
func Commit(ctx context.Context, dir, rev string) (string, error) {
	if err := CheckRevision(rev); err != nil {
		return "", err
	}
	out, err := Output(ctx, dir, "rev-parse", "--verify", "--quiet", "--end-of-options", rev+"^{commit}")
	if err != nil {
		return "", fmt.Errorf("%q is not a commit: %w", rev, err)
	}
	return strings.TrimSpace(out), nil
}
