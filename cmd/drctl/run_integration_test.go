//go:build integration

package main

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fhir-dr/fhir-dr/internal/engine"
	"github.com/fhir-dr/fhir-dr/internal/testfleet"
	"github.com/fhir-dr/fhir-dr/program"
)

// TestUpCommand runs `drctl up` as the release job does, with the built
// policy pack, against the stand-in and a file backend.
func TestUpCommand(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	require.NoError(t, err)
	session, err := engine.NewSession(engine.SessionOptions{ProjectRoot: root, Program: program.Run})
	require.NoError(t, err)
	t.Cleanup(func() { _ = session.Close() })
	for k, v := range session.Env() {
		t.Setenv(k, v)
	}
	pack := filepath.Join(t.TempDir(), "fhir-dr-policy")
	out, err := exec.Command("go", "build", "-o", pack, "../../policy").CombinedOutput()
	require.NoError(t, err, string(out))
	t.Chdir(testfleet.Root()) // the fixture fleet, never the operators' stacks/

	code, stdout, stderr := runDrctl(t, "up", "--stacks", "contoso,litware", "--parallel", "2", "--create-stacks",
		"--pulumi", session.CLIPath(), "--policy-pack", pack)
	require.Equal(t, 0, code, stderr+stdout)
	assert.Regexp(t, `(?m)^contoso +85 create +\S+ +ok$`, stdout)
	assert.Regexp(t, `(?m)^litware +17 create +\S+ +ok$`, stdout)
	assert.Contains(t, stdout, "up: 2 stacks, 0 failed\n")
	assert.True(t, strings.Contains(stdout, "[litware] Policy Packs run:"), "the policy pack ran")

	code, stdout, _ = runDrctl(t, "preview", "--stacks", "contoso", "--pulumi", session.CLIPath())
	assert.Equal(t, 0, code)
	assert.Regexp(t, `(?m)^contoso +- +\S+ +ok$`, stdout)
}
