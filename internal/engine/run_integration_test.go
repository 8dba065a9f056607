//go:build integration

package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"github.com/fhir-dr/fhir-dr/internal/testfleet"
	"github.com/fhir-dr/fhir-dr/stackfile"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fhir-dr/fhir-dr/azure/cosmosdb"
	"github.com/fhir-dr/fhir-dr/internal/azurefake"
	"github.com/fhir-dr/fhir-dr/internal/azurestandin"
	"github.com/fhir-dr/fhir-dr/program"
)

// setup returns a project with the example stacks, an Auto over it that
// drives the real CLI against the session's stand-in and file backend, and
// the session.
func setup(t *testing.T) (*Auto, *Session, string) {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	require.NoError(t, err)
	project := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(project, stackfile.Dir), 0o755))
	// The fixture fleet (testfleet), never the operators' stacks/.
	files, err := stackfile.List(testfleet.Root())
	require.NoError(t, err)
	for _, f := range append(files, filepath.Join(root, "Pulumi.yaml")) {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		rel, _ := filepath.Rel(root, f)
		if strings.HasPrefix(f, testfleet.Root()) {
			rel, _ = filepath.Rel(testfleet.Root(), f)
		}
		require.NoError(t, os.WriteFile(filepath.Join(project, rel), b, 0o644))
	}
	session, err := NewSession(SessionOptions{ProjectRoot: root, Program: program.Run})
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, session.Close()) })
	a := &Auto{ProjectRoot: project, WorkRoot: t.TempDir(), Program: program.Run, CLI: session.CLIPath(),
		Env: session.Env(), CreateStacks: true}
	return a, session, project
}

// TestRunnerAgainstTheEngine runs several example stacks at once through the
// real CLI: each workspace holds the project and that stack's file (so the
// config is the stack's own), a stack whose account already exists outside
// Pulumi fails while the others finish, and the summary says so.
func TestRunnerAgainstTheEngine(t *testing.T) {
	a, session, project := setup(t)
	// litware's Cosmos DB account exists already, made outside Pulumi.
	id, _ := azurefake.Outputs(cosmosdb.DatabaseAccountToken, "account",
		mustInputs(map[string]any{"accountName": "fhir-litware", "resourceGroupName": "rg-litware-fhir-uksouth"}))
	session.Provider().Add(id, azurestandin.Resource{Type: cosmosdb.DatabaseAccountToken})

	var log bytes.Buffer
	customers := []string{"adatum", "contoso", "litware", "tailspin"}
	results := Run(context.Background(), a, Up, customers, RunOptions{Parallel: 3, Log: &log})
	var summary bytes.Buffer
	PrintSummary(&summary, Up, results)
	t.Log("\n" + summary.String())

	for i, r := range results {
		assert.Equal(t, customers[i], r.Customer)
		if r.Customer == "litware" {
			assert.Equal(t, "failed", r.Status())
			assert.ErrorContains(t, r.Err, "already exists; import it")
			continue
		}
		require.NoError(t, r.Err, r.Customer)
		assert.Positive(t, r.Changes["create"], r.Customer)
	}
	assert.True(t, Failed(results))
	assert.Contains(t, summary.String(), "up: 4 stacks, 1 failed\n")
	assert.Contains(t, log.String(), "[contoso] Updating (contoso):")
	assert.Contains(t, log.String(), `[tailspin]     trafficManagerFqdn      : "tailspin-fhir.trafficmanager.net"`)

	// Each workspace has the project and its own stack file, and the
	// checkout was not written to.
	for _, c := range customers {
		b, err := os.ReadFile(filepath.Join(a.WorkRoot, c, stackfile.Path(c)))
		require.NoError(t, err)
		assert.Contains(t, string(b), "fhir-dr:customer: "+c)
		orig, err := os.ReadFile(filepath.Join(project, stackfile.Path(c)))
		require.NoError(t, err)
		assert.NotContains(t, string(orig), "encryptionsalt")
	}

	// A second run changes nothing.
	again := Run(context.Background(), a, Preview, []string{"contoso", "tailspin"}, RunOptions{Parallel: 2})
	for _, r := range again {
		require.NoError(t, r.Err)
		assert.Equal(t, map[string]int{"same": r.Changes["same"]}, r.Changes)
	}
}

// TestRunnerInterrupted cancels a run while the engine is creating
// resources: the engines finish what they started, no stack starts after
// the interrupt, the state has no pending operations, and the next run
// completes the stacks.
func TestRunnerInterrupted(t *testing.T) {
	a, session, _ := setup(t)
	ctx, cancel := context.WithCancel(context.Background())
	var once sync.Once
	session.Provider().SlowCreates(500*time.Millisecond, func(string, string) { once.Do(cancel) })

	results := Run(ctx, a, Up, []string{"contoso", "northwind", "fabrikam"}, RunOptions{Parallel: 2})
	var statuses []string
	for _, r := range results {
		statuses = append(statuses, r.Status())
	}
	assert.Equal(t, []string{"interrupted", "interrupted", "skipped (interrupted)"}, statuses)
	created := 0
	for _, op := range session.Provider().Ops() {
		if op.Kind == azurestandin.OpCreate {
			created++
		}
	}
	assert.Positive(t, created, "operations in flight completed")

	session.Provider().SlowCreates(0, nil)
	for _, c := range []string{"contoso", "northwind"} {
		state := exportAutoState(t, a, c)
		assert.NotContains(t, state, "pending_operations", "%s: a clean state", c)
	}
	rerun := Run(context.Background(), a, Up, []string{"contoso", "northwind", "fabrikam"}, RunOptions{Parallel: 2})
	for _, r := range rerun {
		assert.NoError(t, r.Err, r.Customer)
	}
}

func exportAutoState(t *testing.T, a *Auto, customer string) string {
	t.Helper()
	target, err := a.Open(context.Background(), customer)
	require.NoError(t, err)
	d, err := target.(*autoTarget).ws.stack.Export(context.Background())
	require.NoError(t, err)
	var v map[string]any
	require.NoError(t, json.Unmarshal(d.Deployment, &v), "the state is whole JSON")
	return strings.ReplaceAll(string(d.Deployment), `"pending_operations": []`, "")
}

func mustInputs(m map[string]any) resource.PropertyMap { return resource.NewPropertyMapFromMap(m) }
