package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fhir-dr/fhir-dr/internal/testfleet"
)

func TestRunnerUsage(t *testing.T) {
	t.Chdir(testfleet.Root()) // the fixture fleet, never the operators' stacks/
	for _, args := range [][]string{{"up"}, {"up", "--stacks", "a", "--changed-since", "HEAD"}, {"changed"}} {
		code, _, errOut := runDrctl(t, args...)
		assert.Equal(t, 2, code, args)
		assert.NotEmpty(t, errOut)
	}
	// A missing Pulumi CLI fails the stack, not the run.
	code, out, _ := runDrctl(t, "preview", "--stacks", "litware", "--pulumi", "/nonexistent/pulumi")
	assert.Equal(t, 1, code)
	assert.Contains(t, out, "[litware] preview failed: running /nonexistent/pulumi version")
	assert.Contains(t, out, "preview: 1 stacks, 1 failed\n")
}

func TestChanged(t *testing.T) {
	dir := t.TempDir()
	write := func(path, content string) {
		require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(dir, path)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, path), []byte(content), 0o644))
	}
	write("Pulumi.yaml", "name: fhir-dr\nruntime: go\n")
	write("stacks/Pulumi.a.yaml", "a\n")
	write("stacks/Pulumi.b.yaml", "b\n")
	for _, args := range [][]string{{"init", "-q"}, {"add", "."},
		{"-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "base"}} {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, string(out))
	}
	write("stacks/Pulumi.b.yaml", "b2\n")
	t.Chdir(dir)
	code, out, errOut := runDrctl(t, "changed", "--base", "HEAD")
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, `{"stacks":["b"],"removed":[],"all":false}`+"\n", out)
}
