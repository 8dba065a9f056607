//go:build integration

package rollout_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fhir-dr/fhir-dr/azure/cosmosdb"
	"github.com/fhir-dr/fhir-dr/internal/azurefake"
	"github.com/fhir-dr/fhir-dr/internal/azurestandin"
	"github.com/fhir-dr/fhir-dr/internal/engine"
	"github.com/fhir-dr/fhir-dr/internal/rollout"
	"github.com/fhir-dr/fhir-dr/internal/testfleet"
	"github.com/fhir-dr/fhir-dr/program"
	"github.com/fhir-dr/fhir-dr/stackfile"
)

// simulatedFleet is the offline fleet: six single-region stacks (the
// smallest the program deploys, so that the test stays within minutes on a
// loaded machine) in three rings, two each.
var simulatedFleet = []rollout.Member{
	{Customer: "canary1", Ring: "canary"}, {Customer: "canary2", Ring: "canary"},
	{Customer: "early1", Ring: "early"}, {Customer: "early2", Ring: "early"},
	{Customer: "broad1", Ring: "broad"}, {Customer: "broad2", Ring: "broad"},
}

// writeFleet writes the fleet's stack files and the project into a
// project of the test's own and returns its root.
func writeFleet(t *testing.T) string {
	t.Helper()
	project := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(project, stackfile.Dir), 0o755))
	b, err := os.ReadFile(filepath.Join(testfleet.RepoRoot(), "Pulumi.yaml"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(project, "Pulumi.yaml"), b, 0o644))
	for _, m := range simulatedFleet {
		ring := ""
		if m.Ring != "broad" {
			ring = "  fhir-dr:release:\n    ring: " + m.Ring + "\n" // broad is the default
		}
		file := fmt.Sprintf("config:\n  fhir-dr:customer: %s\n  fhir-dr:primaryRegion: eastus2\n%s", m.Customer, ring)
		require.NoError(t, os.WriteFile(filepath.Join(project, stackfile.Path(m.Customer)), []byte(file), 0o644))
	}
	return project
}

// history returns the stack's updates (kind, result, start time), newest
// first, and the message of the newest.
func history(t *testing.T, a *engine.Auto, customer string) ([]string, string) {
	t.Helper()
	target, err := a.Open(context.Background(), customer)
	require.NoError(t, err)
	updates, err := target.(engine.History).Updates(context.Background(), 100)
	require.NoError(t, err)
	var list []string
	for _, u := range updates {
		list = append(list, u.Kind+" "+u.Result+" "+u.StartTime)
	}
	require.NotEmpty(t, updates, customer)
	return list, updates[0].Message
}

// TestRolloutHaltsAndResumesThroughTheEngine releases a fleet of three
// rings through the real Pulumi engine, a file backend and the azure-native
// stand-in. One stack of the second ring fails (its Cosmos DB account
// exists already, made outside Pulumi): the first ring is done, the second
// halts naming that stack, the third is not started. After the account is
// gone, a resume finishes the rollout without touching the first ring: its
// stacks get no new update in their history.
func TestRolloutHaltsAndResumesThroughTheEngine(t *testing.T) {
	project := writeFleet(t)
	session, err := engine.NewSession(engine.SessionOptions{ProjectRoot: testfleet.RepoRoot(), Program: program.Run})
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, session.Close()) })
	newAuto := func() *engine.Auto {
		return &engine.Auto{ProjectRoot: project, WorkRoot: t.TempDir(), Program: program.Run, CLI: session.CLIPath(),
			Env: session.Env(), CreateStacks: true}
	}

	// The plan, from the stack files, through its JSON form.
	files, err := stackfile.List(project)
	require.NoError(t, err)
	members, err := rollout.LoadMembers(files, ringOf)
	require.NoError(t, err)
	planned, err := rollout.NewPlan(commit, members, 32)
	require.NoError(t, err)
	var b bytes.Buffer
	require.NoError(t, planned.WriteJSON(&b))
	planFile := filepath.Join(t.TempDir(), "plan.json")
	require.NoError(t, os.WriteFile(planFile, b.Bytes(), 0o644))
	plan, err := rollout.ReadPlan(planFile)
	require.NoError(t, err)
	require.Equal(t, []string{"canary1", "canary2", "early1", "early2", "broad1", "broad2"}, plan.Stacks())

	// early2's account exists already: its create fails.
	accountID, _ := azurefake.Outputs(cosmosdb.DatabaseAccountToken, "account", resource.NewPropertyMapFromMap(map[string]any{
		"accountName": "fhir-early2", "resourceGroupName": "rg-early2-fhir-eastus2"}))
	session.Provider().Add(accountID, azurestandin.Resource{Type: cosmosdb.DatabaseAccountToken})

	var log, progress bytes.Buffer
	out := rollout.Resume(context.Background(), rollout.NewAutoDeployer(newAuto(), plan.Commit), plan,
		rollout.ResumeOptions{Parallel: 2, Log: &log, Out: &progress, Bake: noBake})
	var summary bytes.Buffer
	out.WriteSummary(&summary, "drctl rollout resume --plan plan.json")
	t.Log("\n" + progress.String() + summary.String())

	assert.Equal(t, map[string]rollout.Status{
		"canary1": rollout.Done, "canary2": rollout.Done, "early1": rollout.Done, "early2": rollout.Failed,
		"broad1": rollout.NotStarted, "broad2": rollout.NotStarted,
	}, statuses(out))
	assert.Equal(t, "early", out.Halted)
	require.Len(t, out.Failed(), 1)
	assert.Equal(t, "early2", out.Failed()[0].Customer)
	assert.Contains(t, out.Failed()[0].Error, "already exists; import it")
	assert.Contains(t, summary.String(), "HALTED in ring early: 1 of 2 started stacks failed, more than 10%.\n")
	assert.Contains(t, summary.String(), "Failed (1):\n  early2: azure-native stand-in: resource /subscriptions/"+
		"00000000-0000-0000-0000-000000000000/resourceGroups/rg-early2-fhir-eastus2/providers/Microsoft.DocumentDB/"+
		"databaseAccounts/fhir-early2 already exists; import it into the stack instead of creating it\n")
	assert.Contains(t, summary.String(), "Not started (2): broad1, broad2\n")
	assert.Contains(t, summary.String(), "  drctl rollout resume --plan plan.json\n")
	for id := range session.Provider().Cloud() {
		assert.NotContains(t, id, "broad", "the third ring was not started")
	}

	// Each released stack recorded the commit; the backend says where the
	// rollout stands.
	reader := newAuto()
	before := map[string][]string{}
	for _, c := range []string{"canary1", "canary2", "early1"} {
		versions, message := history(t, reader, c)
		assert.Equal(t, `"fhir-dr release `+commit+`"`, message, c)
		require.Len(t, versions, 1, c)
		before[c] = versions
	}
	state, err := rollout.State(context.Background(), rollout.NewAutoDeployer(newAuto(), plan.Commit), plan, 2)
	require.NoError(t, err)
	assert.Equal(t, []string{"early2", "broad1", "broad2"}, state.NotStarted())

	// Fixed: the account is gone. The resume, a new process with nothing
	// but the plan, finishes the rollout.
	session.Provider().Remove(accountID)
	log.Reset()
	again := rollout.Resume(context.Background(), rollout.NewAutoDeployer(newAuto(), plan.Commit), plan,
		rollout.ResumeOptions{Parallel: 2, Log: &log, Bake: noBake})
	assert.Equal(t, map[string]rollout.Status{
		"canary1": rollout.SkippedDone, "canary2": rollout.SkippedDone, "early1": rollout.SkippedDone, "early2": rollout.Done,
		"broad1": rollout.Done, "broad2": rollout.Done,
	}, statuses(again))
	assert.True(t, again.Complete())
	assert.Empty(t, again.Halted)
	assert.Contains(t, log.String(), "[canary1] already released at 0123456789ab: not deployed again\n")
	assert.NotContains(t, log.String(), "[canary1] Updating", "ring 1 is not deployed again")
	for c, versions := range before {
		after, _ := history(t, reader, c)
		assert.Equal(t, versions, after, "%s: no new update in its history", c)
	}
	for _, c := range []string{"early2", "broad1", "broad2"} {
		_, message := history(t, reader, c)
		assert.Equal(t, `"fhir-dr release `+commit+`"`, message, c)
	}
	// The newest first: early2's success after its failure.
	updates, _ := history(t, reader, "early2")
	require.Len(t, updates, 2)
	assert.True(t, strings.HasPrefix(updates[0], "update succeeded "), updates[0])
	assert.True(t, strings.HasPrefix(updates[1], "update failed "), updates[1])
	assert.True(t, strings.Contains(log.String(), "[broad2] Updating (broad2):"), "broad deployed")
}
