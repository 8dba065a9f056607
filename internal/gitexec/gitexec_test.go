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
