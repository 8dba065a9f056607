package gitexec

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCommit(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "f"), []byte("x\n"), 0o644))
	for _, args := range [][]string{{"init", "-q"}, {"add", "."},
		{"-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "one"}} {
		_, err := Output(ctx, dir, args...)
		require.NoError(t, err)
	}
	head, err := Output(ctx, dir, "rev-parse", "HEAD")
	require.NoError(t, err)

	got, err := Commit(ctx, dir, "HEAD")
	require.NoError(t, err)
	assert.Equal(t, head[:40], got)

	target := filepath.Join(t.TempDir(), "x")
	for rev, want := range map[string]string{
		"":                   "a git revision is required",
		"--output=" + target: `"--output=` + target + `" is not a git revision: it starts with "-"`,
		"-p":                 `"-p" is not a git revision: it starts with "-"`,
		"HEAD --output=x":    `"HEAD --output=x" is not a git revision: it holds whitespace or control characters`,
		"main\n--output=x":   `"main\n--output=x" is not a git revision: it holds whitespace or control characters`,
		"no-such-revision":   `"no-such-revision" is not a commit: git rev-parse --verify --quiet --end-of-options no-such-revision^{commit}: exit status 1: `,
	} {
		_, err := Commit(ctx, dir, rev)
		assert.EqualError(t, err, want, rev)
	}
	assert.NoFileExists(t, target)
}

// Files reads every file of a commit it is asked for, with content that
// looks like cat-file's own answers, and leaves out what the commit does
// not have as a file.
func TestFiles(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	files := map[string]string{
		"a.yaml":     "a: 1\n",
		"empty":      "",
		"d/tricky":   "x missing\n0123 blob 5\nno newline at the end",
		"d/e/binary": "\x00\x01\n\n",
	}
	for p, content := range files {
		require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(dir, p)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, p), []byte(content), 0o644))
	}
	for _, args := range [][]string{{"init", "-q"}, {"add", "."},
		{"-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "one"}} {
		_, err := Output(ctx, dir, args...)
		require.NoError(t, err)
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "a.yaml"), []byte("a: 2\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "new"), []byte("new\n"), 0o644))

	got, err := Files(ctx, dir, "HEAD", []string{"d/tricky", "new", "a.yaml", "d", "empty", "d/e/binary", "no/such"})
	require.NoError(t, err)
	want := map[string][]byte{}
	for p, content := range files {
		want[p] = []byte(content)
	}
	want["a.yaml"] = []byte("a: 1\n") // the commit's, not the working tree's
	assert.Equal(t, want, got)

	got, err = Files(ctx, dir, "HEAD", nil)
	require.NoError(t, err)
	assert.Empty(t, got)
	_, err = Files(ctx, dir, "HEAD", []string{"a\n"})
	assert.EqualError(t, err, `git cat-file: "a\n": a path with a line break`)
	_, err = Files(ctx, dir, "-p", []string{"a.yaml"})
	assert.EqualError(t, err, `"-p" is not a git revision: it starts with "-"`)

	notRepo := t.TempDir()
	t.Setenv("GIT_CEILING_DIRECTORIES", filepath.Dir(notRepo))
	_, err = Files(ctx, notRepo, "HEAD", []string{"a.yaml"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "git cat-file --batch: exit status 128: fatal: not a git repository")
}
