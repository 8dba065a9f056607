//go:build integration

package drift

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fhir-dr/fhir-dr/azure/cosmosdb"
	"github.com/fhir-dr/fhir-dr/internal/azurestandin"
	"github.com/fhir-dr/fhir-dr/internal/engine"
	"github.com/fhir-dr/fhir-dr/internal/testfleet"
	"github.com/fhir-dr/fhir-dr/program"
	"github.com/fhir-dr/fhir-dr/stackfile"
)

// TestCheckAgainstTheEngine deploys three fixture stacks through the
// release runner and the real engine against the azure-native stand-in,
// then changes the stand-in's cloud behind Pulumi's back: Azure fails
// contoso's account over to westus on its own (SetWriteRegion), and
// someone tags adatum's account in the portal. The check reports exactly
// that, tailspin as deployed, and writes nothing: the state is as before,
// and the stand-in was only read.
func TestCheckAgainstTheEngine(t *testing.T) {
	ctx := context.Background()
	root := testfleet.RepoRoot()
	project := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(project, stackfile.Dir), 0o755))
	customers := []string{"adatum", "contoso", "tailspin"}
	copyFile := func(from, to string) {
		b, err := os.ReadFile(from)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(to, b, 0o644))
	}
	copyFile(filepath.Join(root, "Pulumi.yaml"), filepath.Join(project, "Pulumi.yaml"))
	for _, c := range customers {
		copyFile(testfleet.Path(c), filepath.Join(project, stackfile.Path(c)))
	}
	session, err := engine.NewSession(engine.SessionOptions{ProjectRoot: root, Program: program.Run})
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, session.Close()) })
	a := &engine.Auto{ProjectRoot: project, WorkRoot: t.TempDir(), Program: program.Run, CLI: session.CLIPath(),
		Env: session.Env(), CreateStacks: true}
	for _, r := range engine.Run(ctx, a, engine.Up, customers, engine.RunOptions{Parallel: 2}) {
		require.NoError(t, r.Err, r.Customer)
	}
	a.CreateStacks = false // the check opens the stacks the release made

	// What Azure does on its own, and what someone does in the portal.
	accounts := map[string]string{} // account name: ID
	for id, r := range session.Provider().Cloud() {
		if r.Type == cosmosdb.DatabaseAccountToken {
			accounts[r.Inputs["accountName"].StringValue()] = id
		}
	}
	require.Contains(t, accounts, "fhir-contoso")
	require.Contains(t, accounts, "fhir-adatum")
	require.True(t, session.Provider().SetWriteRegion(accounts["fhir-contoso"], "westus"))
	adatum := session.Provider().Cloud()[accounts["fhir-adatum"]]
	tagged := adatum.Inputs.Copy()
	tags := tagged["tags"].ObjectValue().Copy()
	tags["owner"] = resource.NewProperty("someone@example.com")
	tagged["tags"] = resource.NewProperty(tags)
	session.Provider().Add(accounts["fhir-adatum"], azurestandin.Resource{Type: adatum.Type, Inputs: tagged, Outputs: adatum.Outputs})

	before := len(session.Provider().Ops())
	states := map[string]string{}
	for _, c := range customers {
		states[c] = stateFile(t, session, c)
	}
	var log strings.Builder
	at := time.Date(2026, 12, 1, 6, 0, 0, 0, time.UTC)
	results := Check(ctx, a, customers, Options{ProjectRoot: project, Parallel: 2, Log: &log, Now: func() time.Time { return at }})
	t.Log("\n" + log.String())
	require.Len(t, results, 3)
	require.Len(t, results[0].Resources, 1, "adatum: the tagged account")

	assert.Equal(t, Stack{Customer: "adatum", Kind: KindDrift, CheckedAt: at,
		Resources: []Resource{{
			URN: results[0].Resources[0].URN, Type: cosmosdb.DatabaseAccountToken, Name: "account", Change: "update",
			Properties: []Property{{Path: "tags.owner", Change: "add", Azure: "someone@example.com"}},
		}},
		Message: "1 property in 1 resource differs from the last deployment",
		Command: "drctl refresh --stacks adatum",
	}, results[0])
	assert.Contains(t, results[0].Resources[0].URN, "azure-native:cosmosdb:DatabaseAccount::account")

	assert.Equal(t, Stack{Customer: "contoso", Kind: KindFailover, CheckedAt: at,
		Failover: &Failover{Account: "fhir-contoso", AzureWriteRegion: "westus", StackWriteRegion: "eastus", StateWriteRegion: "eastus"},
		Message: "Azure failed over to westus on its own (seen by the drift check at 2026-12-01T06:00:00Z): contoso's account fhir-contoso " +
			"takes writes in westus, but its stack file says eastus, and a release would fail back",
		Command: "drctl record contoso --ticket <incident>",
	}, results[1], "the failover priorities are the failover, not other drift")

	assert.Equal(t, Stack{Customer: "tailspin", Kind: KindNone, CheckedAt: at, Message: "Azure is as deployed"}, results[2])

	// Nothing written: the stand-in was only read, the state is as it was.
	for _, op := range session.Provider().Ops()[before:] {
		assert.Equal(t, azurestandin.OpRead, op.Kind, "%s %s", op.Type, op.Name)
	}
	for _, c := range customers {
		assert.Equal(t, states[c], stateFile(t, session, c), "%s: the state is unchanged", c)
	}

	// One summary of the shard.
	s := Summarize([]Report{{Version: ReportVersion, Shard: 0, Of: 1, CheckedAt: at, Stacks: results}}, nil, -1)
	assert.Equal(t, map[Kind]int{KindFailover: 1, KindDrift: 1, KindNone: 1}, s.Counts)
	assert.Contains(t, s.Markdown, "- **contoso**: Azure failed over to westus on its own")
	assert.Contains(t, s.Markdown, "  - `account` (azure-native:cosmosdb:DatabaseAccount): `tags.owner` added in Azure: `\"someone@example.com\"`\n")

	// A stack that does not exist is a failed check, with the error.
	failed := Check(ctx, a, []string{"northwind"}, Options{ProjectRoot: project, Now: func() time.Time { return at }})
	require.Len(t, failed, 1)
	assert.Equal(t, KindFailed, failed[0].Kind)
	assert.Contains(t, failed[0].Error, "Pulumi.northwind.yaml")
	assert.Equal(t, "drctl drift --stacks northwind", failed[0].Command)
}

// stateFile is the stack's state as the file backend holds it: the check
// must leave it as it was.
func stateFile(t *testing.T, session *engine.Session, customer string) string {
	t.Helper()
	backend := strings.TrimPrefix(session.Env()["PULUMI_BACKEND_URL"], "file://")
	files, err := filepath.Glob(filepath.Join(backend, ".pulumi", "stacks", "*", customer+".json"))
	require.NoError(t, err)
	require.Len(t, files, 1, "%s's state file", customer)
	b, err := os.ReadFile(files[0])
	require.NoError(t, err)
	return string(b)
}
