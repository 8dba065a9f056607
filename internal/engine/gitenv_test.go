package engine

import (
	"os"
	"testing"
)

// TestMain keeps the tests' git commands in their own repositories: run
// from a git hook or "git rebase -x", git's own variables would point every
// "git -C <clone>" at the project's repository instead.
func TestMain(m *testing.M) {
	for _, v := range []string{"GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_COMMON_DIR"} {
		os.Unsetenv(v)
	}
	os.Exit(m.Run())
}
