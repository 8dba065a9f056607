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
	"io"
	"os/exec"
	"strconv"
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

// Files reads the files at paths (slash separated, from the top of the
// repository) as they are at commit, with one git process however many
// there are (git cat-file --batch): what would otherwise be one git show
// per file. A path that commit does not have, or that is not a file there,
// is left out of the map; an error is git failing, or a path no request
// can name (one with a line break).
func Files(ctx context.Context, dir, commit string, paths []string) (map[string][]byte, error) {
	if err := CheckRevision(commit); err != nil {
		return nil, err
	}
	var requests bytes.Buffer
	for _, p := range paths {
		if strings.ContainsAny(p, "\r\n") {
			return nil, fmt.Errorf("git cat-file: %q: a path with a line break", p)
		}
		requests.WriteString(commit + ":" + p + "\n")
	}
	out, err := input(ctx, dir, &requests, "cat-file", "--batch")
	if err != nil {
		return nil, err
	}
	files := make(map[string][]byte, len(paths))
	for _, p := range paths {
		// Each request gets "<object> missing" (or "ambiguous"), or
		// "<oid> <type> <size>", the object's content and a line feed.
		header, rest, ok := bytes.Cut(out, []byte("\n"))
		if !ok {
			return nil, fmt.Errorf("git cat-file --batch: no answer for %s:%s", commit, p)
		}
		out = rest
		if bytes.HasSuffix(header, []byte(" missing")) || bytes.HasSuffix(header, []byte(" ambiguous")) {
			continue
		}
		fields := strings.Fields(string(header))
		if len(fields) != 3 {
			return nil, fmt.Errorf("git cat-file --batch: unexpected answer %q for %s:%s", header, commit, p)
		}
		size, err := strconv.Atoi(fields[2])
		if err != nil || size < 0 || size >= len(out) || out[size] != '\n' {
			return nil, fmt.Errorf("git cat-file --batch: unexpected answer %q for %s:%s", header, commit, p)
		}
		if fields[1] == "blob" {
			files[p] = out[:size:size]
		}
		out = out[size+1:]
	}
	return files, nil
}

// input is Output with stdin as git's standard input.
func input(ctx context.Context, dir string, stdin io.Reader, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = dir
	cmd.Stdin = stdin
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("git %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}
