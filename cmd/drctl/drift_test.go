package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto/events"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fhir-dr/fhir-dr/azure/cosmosdb"
	"github.com/fhir-dr/fhir-dr/drconfig"
	"github.com/fhir-dr/fhir-dr/internal/drift"
	"github.com/fhir-dr/fhir-dr/internal/engine"
	"github.com/fhir-dr/fhir-dr/internal/testfleet"
)

// fakeCloud opens targets whose refresh preview reports, for each
// customer, the account with Azure's write region (default: its primary
// region, in the state too), and fails for the customers in fail.
type fakeCloud struct {
	writeRegion map[string]string // customer: Azure's write region
	fail        map[string]bool
	opened      []string
}

func (f *fakeCloud) Open(_ context.Context, customer string) (engine.Target, error) {
	f.opened = append(f.opened, customer) // Parallel 1 in these tests
	if f.fail[customer] {
		return nil, fmt.Errorf("%s: stack: no stack named '%s' found", customer, customer)
	}
	return &fakeTarget{customer: customer, cloud: f}, nil
}

type fakeTarget struct {
	customer string
	cloud    *fakeCloud
}

func (t *fakeTarget) Run(context.Context, engine.Operation, io.Writer) (map[string]int, error) {
	return nil, errors.New("the drift check only previews refreshes")
}

func (t *fakeTarget) PreviewRefresh(_ context.Context, log io.Writer, stream chan<- events.EngineEvent) (map[string]int, error) {
	defer close(stream)
	fmt.Fprintln(log, "Previewing refresh")
	cfg, err := drconfig.LoadFile(testfleet.Path(t.customer))
	if err != nil {
		return nil, err
	}
	locs := func(write string) []any {
		var out []any
		for i, r := range []string{cfg.PrimaryRegion, "westus"} {
			p := 1.0
			if r == write {
				p = 0
			}
			out = append(out, map[string]any{"locationName": r, "failoverPriority": p, "isZoneRedundant": i == 0})
		}
		return out
	}
	azure := t.cloud.writeRegion[t.customer]
	if azure == "" {
		azure = cfg.PrimaryRegion
	}
	op := apitype.OpSame
	if azure != cfg.PrimaryRegion {
		op = apitype.OpUpdate
	}
	stream <- events.EngineEvent{EngineEvent: apitype.EngineEvent{ResOutputsEvent: &apitype.ResOutputsEvent{Metadata: apitype.StepEventMetadata{
		Op: op, URN: "urn:pulumi:" + t.customer + "::fhir-dr::azure-native:cosmosdb:DatabaseAccount::account", Type: cosmosdb.DatabaseAccountToken,
		Diffs: []string{"locations"},
		Old:   &apitype.StepEventStateMetadata{Custom: true, Inputs: map[string]any{"accountName": "fhir-" + t.customer, "locations": locs(cfg.PrimaryRegion)}},
		New:   &apitype.StepEventStateMetadata{Custom: true, Inputs: map[string]any{"accountName": "fhir-" + t.customer, "locations": locs(azure)}},
	}}}}
	return map[string]int{string(op): 1}, nil
}

func fakeDrift(t *testing.T, cloud *fakeCloud) {
	t.Helper()
	prevOpener, prevNow := driftOpener, driftNow
	driftOpener = func(string, string, string) engine.Opener { return cloud }
	driftNow = func() time.Time { return time.Date(2026, 12, 1, 6, 0, 0, 0, time.UTC) }
	t.Cleanup(func() { driftOpener, driftNow = prevOpener, prevNow })
}

// One shard of the fixture fleet (6 stacks in 2 shards: contoso, litware,
// tailspin are shard 1) through the command: the report as JSON, the
// failover pointing at drctl record, the failed stack with its error.
func TestDriftShardJSON(t *testing.T) {
	t.Chdir(testfleet.Root())
	cloud := &fakeCloud{writeRegion: map[string]string{"contoso": "westus"}, fail: map[string]bool{"tailspin": true}}
	fakeDrift(t, cloud)
	out := filepath.Join(t.TempDir(), "drift-1.json")
	code, stdout, stderr := runDrctl(t, "drift", "--shard", "1", "--of", "2", "--json", "--out", out, "--parallel", "1")
	assert.Equal(t, 1, code, stderr)
	assert.Equal(t, "", stdout, "the report went to --out")
	assert.Equal(t, []string{"contoso", "litware", "tailspin"}, cloud.opened)
	b, err := os.ReadFile(out)
	require.NoError(t, err)
	var r drift.Report
	require.NoError(t, json.Unmarshal(b, &r))
	assert.Equal(t, drift.ReportVersion, r.Version)
	assert.Equal(t, 1, r.Shard)
	assert.Equal(t, 2, r.Of)
	var kinds, commands []string
	for _, s := range r.Stacks {
		kinds = append(kinds, s.Customer+":"+string(s.Kind))
		commands = append(commands, s.Command)
	}
	assert.Equal(t, []string{"contoso:failover", "litware:none", "tailspin:failed"}, kinds)
	assert.Equal(t, []string{"drctl record contoso --ticket <incident>", "", "drctl drift --stacks tailspin"}, commands)
	assert.Equal(t, "tailspin: stack: no stack named 'tailspin' found", r.Stacks[2].Error)
	assert.Contains(t, stderr, "[contoso] Previewing refresh\n", "the engine's output, prefixed")
	assert.Contains(t, stderr, "\ndrift: 3 stacks: 1 failover, 0 drift, 1 failed, 1 none\n")

	code, _, _ = runDrctl(t, "drift", "--shard", "1", "--of", "2", "--json", "--out", out, "--report-only")
	assert.Equal(t, 0, code, "--report-only: the summary reports the findings")

	// The shards' reports merge into one summary.
	dir := filepath.Dir(out)
	code, stdout, stderr = runDrctl(t, "drift", "summary", dir)
	assert.Equal(t, 1, code, stderr)
	assert.True(t, strings.HasPrefix(stdout, drift.Marker+"\n## Drift check: 2 customers need action\n"), stdout)
	assert.Contains(t, stdout, "- **contoso**: Azure failed over to westus on its own")
	assert.Contains(t, stdout, "`drctl record contoso --ticket <incident>`")
	assert.Contains(t, stdout, "shard 0 of 2 wrote no report")

	code, stdout, _ = runDrctl(t, "drift", "summary", t.TempDir(), "--shards", "0")
	assert.Equal(t, 0, code, "an empty fleet has no drift")
	assert.True(t, strings.HasPrefix(stdout, drift.Marker+"\n## Drift check: no drift\n"), stdout)

	md := filepath.Join(t.TempDir(), "drift.md")
	code, stdout, _ = runDrctl(t, "drift", "summary", dir, "--out", md)
	assert.Equal(t, 1, code)
	assert.Equal(t, "drift summary: 3 customers: 1 failover, 0 drift, 1 failed, 1 none; 1 problems of the check\n", stdout)
	body, err := os.ReadFile(md)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(body), drift.Marker+"\n"))
}

// Named stacks, all as deployed: exit 0, a table.
func TestDriftStacksClean(t *testing.T) {
	t.Chdir(testfleet.Root())
	cloud := &fakeCloud{}
	fakeDrift(t, cloud)
	code, stdout, stderr := runDrctl(t, "drift", "--stacks", "contoso")
	assert.Equal(t, 0, code, stderr)
	assert.Equal(t, "[contoso] Previewing refresh\n\nSTACK    FOUND  COMMAND\ncontoso  none   -\n\ndrift: 1 stacks: 0 failover, 0 drift, 0 failed, 1 none\n", stdout)

	// --json without --out: stdout is the report alone.
	code, stdout, stderr = runDrctl(t, "drift", "--stacks", "contoso", "--json")
	assert.Equal(t, 0, code, stderr)
	var r drift.Report
	require.NoError(t, json.Unmarshal([]byte(stdout), &r), stdout)
	assert.Equal(t, drift.Report{Version: drift.ReportVersion, Shard: 0, Of: 1, CheckedAt: time.Date(2026, 12, 1, 6, 0, 0, 0, time.UTC),
		Stacks: []drift.Stack{{Customer: "contoso", Kind: drift.KindNone, CheckedAt: time.Date(2026, 12, 1, 6, 0, 0, 0, time.UTC),
			Message: "Azure is as deployed"}}}, r)
	assert.Contains(t, stderr, "[contoso] Previewing refresh\n")
}

func TestDriftMatrix(t *testing.T) {
	t.Chdir(testfleet.Root())
	for _, tc := range []struct {
		max  string
		want string
	}{
		{"4", `{"shard":[0,1,2,3],"of":4}`},
		{"256", `{"shard":[0,1,2,3,4,5],"of":6}`},
	} {
		code, stdout, stderr := runDrctl(t, "drift", "matrix", "--max-shards", tc.max)
		require.Equal(t, 0, code, stderr)
		assert.Equal(t, tc.want+"\n", stdout)
	}
	empty := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(empty, "Pulumi.yaml"), []byte("name: fhir-dr\n"), 0o644))
	require.NoError(t, os.MkdirAll(filepath.Join(empty, "stacks"), 0o755))
	t.Chdir(empty)
	code, stdout, _ := runDrctl(t, "drift", "matrix")
	require.Equal(t, 0, code)
	assert.Equal(t, `{"shard":[],"of":0}`+"\n", stdout)
}

func TestDriftUsage(t *testing.T) {
	t.Chdir(testfleet.Root())
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"drift", "--shard", "2", "--of", "2"}, "drctl drift: --shard must be 0-1 (of --of 2), got 2\n"},
		{[]string{"drift", "--shard", "0", "--of", "257"}, "drctl drift: --of must be 1-256, got 257\n"},
		{[]string{"drift", "--shard", "0"}, "drctl drift: if any flags in the group [shard of] are set they must all be set; missing [of]\n"},
		{[]string{"drift", "--stacks", "a", "--shard", "0", "--of", "1"}, "drctl drift: if any flags in the group [stacks"},
		{[]string{"drift", "--out", "x.json"}, "drctl drift: --out goes with --json\n"},
		{[]string{"drift", "matrix", "--max-shards", "300"}, "drctl drift matrix: --max-shards must be 1-256, got 300\n"},
		{[]string{"drift", "summary"}, "drctl drift summary: give the directory of the shard reports: drctl drift summary <dir> [--shards <n>] [--out <file>] [flags]\n"},
		{[]string{"drift", "summary", ".", "--shards", "-1"}, "drctl drift summary: --shards must be 0-256, got -1\n"},
	} {
		code, _, stderr := runDrctl(t, tc.args...)
		assert.Equal(t, 2, code, tc.args)
		assert.True(t, strings.HasPrefix(stderr, tc.want), "%v: %s", tc.args, stderr)
	}
}
