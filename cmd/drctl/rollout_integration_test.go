//go:build integration

package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fhir-dr/fhir-dr/azure/cosmosdb"
	"github.com/fhir-dr/fhir-dr/internal/azurefake"
	"github.com/fhir-dr/fhir-dr/internal/azurestandin"
	"github.com/fhir-dr/fhir-dr/internal/engine"
	"github.com/fhir-dr/fhir-dr/internal/testfleet"
	"github.com/fhir-dr/fhir-dr/program"
	"github.com/fhir-dr/fhir-dr/stackfile"
)

// TestRolloutCommands runs drctl rollout plan, run, resume and status as an
// operator would, against the stand-in and a file backend: a fleet of
// three single-region stacks, one per ring, the early one failing until
// its account outside Pulumi is gone.
func TestRolloutCommands(t *testing.T) {
	session, err := engine.NewSession(engine.SessionOptions{ProjectRoot: testfleet.RepoRoot(), Program: program.Run})
	require.NoError(t, err)
	t.Cleanup(func() { _ = session.Close() })
	for k, v := range session.Env() {
		t.Setenv(k, v)
	}
	dir := t.TempDir()
	b, err := os.ReadFile(filepath.Join(testfleet.RepoRoot(), "Pulumi.yaml"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "Pulumi.yaml"), b, 0o644))
	require.NoError(t, os.MkdirAll(filepath.Join(dir, stackfile.Dir), 0o755))
	for customer, ring := range map[string]string{"cana": "canary", "earl": "early", "broa": "broad"} {
		file := fmt.Sprintf("config:\n  fhir-dr:customer: %s\n  fhir-dr:primaryRegion: eastus2\n  fhir-dr:release:\n    ring: %s\n", customer, ring)
		require.NoError(t, os.WriteFile(filepath.Join(dir, stackfile.Path(customer)), []byte(file), 0o644))
	}
	for _, args := range [][]string{{"init", "-q"}, {"add", "."},
		{"-c", "user.name=Ops", "-c", "user.email=ops@example.com", "commit", "-q", "-m", "fleet"}} {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, string(out))
	}
	t.Chdir(dir)
	cli := session.CLIPath()
	accountID, _ := azurefake.Outputs(cosmosdb.DatabaseAccountToken, "account", resource.NewPropertyMapFromMap(map[string]any{
		"accountName": "fhir-earl", "resourceGroupName": "rg-earl-fhir-eastus2"}))
	session.Provider().Add(accountID, azurestandin.Resource{Type: cosmosdb.DatabaseAccountToken})

	code, plan, errOut := runDrctl(t, "rollout", "plan", "--all", "--json")
	require.Equal(t, 0, code, errOut)
	require.NoError(t, os.WriteFile("plan.json", []byte(plan), 0o644))

	// The workflow's job for the canary's shard.
	code, out, errOut := runDrctl(t, "rollout", "run", "--plan", "plan.json", "--ring", "canary", "--shard", "0",
		"--pulumi", cli, "--create-stacks", "--results", "canary-0.json")
	require.Equal(t, 0, code, errOut+out)
	assert.Regexp(t, `(?m)^cana +done +$`, out)
	results, err := os.ReadFile("canary-0.json")
	require.NoError(t, err)
	assert.Contains(t, string(results), `"customer": "cana",
      "status": "done"`)

	// The rest, from here: the canary is done, early halts, broad waits.
	resume := "drctl rollout resume --plan plan.json --pulumi " + cli + " --create-stacks --offline-gate --skip-bake"
	code, out, _ = runDrctl(t, "rollout", "resume", "--plan", "plan.json", "--pulumi", cli, "--create-stacks", "--offline-gate", "--skip-bake")
	assert.Equal(t, 1, code, out)
	assert.Contains(t, out, "[cana] already released at ")
	assert.Contains(t, out, "  canary   1 skipped-done\n  early    1 failed  <- halted: 1 of 1 started stacks failed, more than 10%\n  broad    1 not-started\n")
	assert.Contains(t, out, "Failed (1):\n  earl: azure-native stand-in: resource ")
	assert.Contains(t, out, "Not started (1): broa\n")
	assert.Contains(t, out, "\n  "+resume+"\n")

	code, out, errOut = runDrctl(t, "rollout", "status", "--plan", "plan.json", "--pulumi", cli, "--create-stacks")
	assert.Equal(t, 1, code, errOut)
	assert.Contains(t, out, "  canary   1 skipped-done\n  early    1 not-started\n  broad    1 not-started\n")

	// Fixed, the one command finishes it.
	session.Provider().Remove(accountID)
	code, out, _ = runDrctl(t, "rollout", "resume", "--plan", "plan.json", "--pulumi", cli, "--create-stacks", "--offline-gate", "--skip-bake")
	require.Equal(t, 0, code, out)
	assert.Contains(t, out, "  canary   1 skipped-done\n  early    1 done\n  broad    1 done\nComplete: every stack has ")
	code, out, errOut = runDrctl(t, "rollout", "status", "--plan", "plan.json", "--pulumi", cli)
	assert.Equal(t, 0, code, errOut+out)
	assert.Contains(t, out, "Complete: every stack has ")
}
