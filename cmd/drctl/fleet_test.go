package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fhir-dr/fhir-dr/internal/testfleet"
	"github.com/fhir-dr/fhir-dr/policy/rules"
	"github.com/fhir-dr/fhir-dr/stackfile"
)

// writeProject makes dir a project drctl runs in: this project's
// Pulumi.yaml and an empty stacks/, for the stack files of the test
// (testfleet.Synthetic, fixtures).
func writeProject(tb testing.TB, dir string) {
	tb.Helper()
	project, err := os.ReadFile(filepath.Join(testfleet.RepoRoot(), "Pulumi.yaml"))
	require.NoError(tb, err)
	require.NoError(tb, os.WriteFile(filepath.Join(dir, "Pulumi.yaml"), project, 0o644))
	require.NoError(tb, os.MkdirAll(filepath.Join(dir, stackfile.Dir), 0o755))
}

// TestValidateFleetWithBrokenStacks: stacks are validated concurrently; the
// broken ones among many are all reported, each with every problem, and
// the exit status is 1.
func TestValidateFleetWithBrokenStacks(t *testing.T) {
	dir := t.TempDir()
	writeProject(t, dir)
	testfleet.Synthetic(t, dir, 40)
	// Two stacks of the 40 (litware's adopting template) broken.
	require.Equal(t, "litware0007", testfleet.SyntheticCustomer(7))
	require.Equal(t, "litware0031", testfleet.SyntheticCustomer(31))
	broken := map[string]string{
		"litware0007": "config:\n  fhir-dr:customer: litware0007\n  fhir-dr:primaryRegion: mars\n  fhir-dr:dr:\n    enabled: true\n    paging: {actionGroupId: /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-platform-oncall/providers/Microsoft.Insights/actionGroups/ag-fhir-oncall}\n    tier: gold\n",
		"litware0031": "config:\n  fhir-dr:customer: litware0031\n  fhir-dr:primaryRegion: eastus\n  fhir-dr:cosmos:\n    throughputt: 400\n",
	}
	for c, content := range broken {
		require.NoError(t, os.WriteFile(filepath.Join(dir, stackfile.Path(c)), []byte(content), 0o644))
	}
	t.Chdir(dir)

	code, out, errOut := runDrctl(t, "validate", "--parallel", "4")
	assert.Equal(t, 1, code, errOut)
	assert.Contains(t, out, "\n40 stacks, 2 failed\n")
	assert.Regexp(t, `(?m)^litware0007 +- +- +- +- +- +INVALID$`, out)
	assert.Regexp(t, `(?m)^litware0031 +- +- +- +- +- +INVALID$`, out)
	assert.Regexp(t, `(?m)^contoso0001 +eastus +westus \(paired\) +full +15m0s +19m50s +ok$`, out)
	for _, want := range []string{
		"stacks/Pulumi.litware0007.yaml: 3 configuration problems:",
		"fhir-dr:primaryRegion: unknown Azure region \"mars\"",
		`fhir-dr:dr.tier: must be data or full, got "gold"`,
		"fhir-dr:dr.ticket: is required when DR is enabled",
		"stacks/Pulumi.litware0031.yaml: 1 configuration problem:",
		`fhir-dr:cosmos.throughputt: unknown key (did you mean "throughput"?)`,
	} {
		assert.Contains(t, out, want)
	}
	var want, rows []string
	for i := range 40 {
		want = append(want, testfleet.SyntheticCustomer(i))
	}
	slices.Sort(want) // the stack files' order
	for _, m := range regexp.MustCompile(`(?m)^([a-z]+\d{4}) `).FindAllStringSubmatch(out, -1) {
		rows = append(rows, m[1])
	}
	assert.Equal(t, want, rows, "one row per stack")

	code, out, _ = runDrctl(t, "validate", "contoso0001", "fabrikam0002")
	assert.Equal(t, 0, code)
	assert.Contains(t, out, "\n2 stacks, 0 failed\n")
}

// BenchmarkValidateFleet loads, validates, renders and policy-checks a
// synthetic fleet with every core; the per-stack cost is reported so that
// 100 and 1,000 stacks can be compared, and the fleet's time as a multiple
// of n floors of the full-tier example (floor_test.go) rendered with the
// same concurrency between the runs, the timer stopped.
func BenchmarkValidateFleet(b *testing.B) {
	f := floorOf(b, floorStack)
	for _, n := range []int{100, 1000} {
		b.Run(fmt.Sprintf("stacks=%d", n), func(b *testing.B) {
			files := testfleet.Synthetic(b, b.TempDir(), n)
			ratio := floorRatio{b: b, block: 1, floor: func() {
				if err := f.renderMany(n, 0); err != nil {
					b.Fatal(err)
				}
			}}
			b.ResetTimer()
			for b.Loop() {
				ratio.work(func() {
					results := validateFleet(files, rules.DefaultConfig(), 0, nil)
					for _, r := range results {
						if !r.OK() {
							b.Fatal(r.File, r.Err, r.Policy)
						}
					}
				})
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n)/1e6, "ms/stack")
			ratio.report()
		})
	}
}

// TestValidateFleetMemory checks the peak heap of validating 1,000 stacks
// stays far below 500 MB: results keep summaries, not rendered plans.
func TestValidateFleetMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("validates 1,000 stacks")
	}
	files := testfleet.Synthetic(t, t.TempDir(), 1000)
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	results := validateFleet(files, rules.DefaultConfig(), 0, nil)
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	require.Len(t, results, 1000)
	// Sys is what the runtime holds from the OS: an upper bound of the peak.
	assert.Less(t, after.Sys, uint64(500<<20), "runtime memory %d MB", after.Sys>>20)
	t.Logf("runtime memory after validating 1,000 stacks: %d MB (was %d MB)", after.Sys>>20, before.Sys>>20)
}

// fixtureProject copies the stack files of testdata/<name> (only those of
// the stacks named, if any) into a new project (with this project's
// Pulumi.yaml) and returns its root.
func fixtureProject(t *testing.T, name string, stacks ...string) string {
	t.Helper()
	root := t.TempDir()
	project, err := os.ReadFile(filepath.Join("..", "..", "Pulumi.yaml"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(root, "Pulumi.yaml"), project, 0o644))
	require.NoError(t, os.MkdirAll(filepath.Join(root, stackfile.Dir), 0o755))
	files, err := filepath.Glob(filepath.Join("testdata", name, "Pulumi.*.yaml"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		if stack, _ := stackfile.Stack(f); len(stacks) > 0 && !slices.Contains(stacks, stack) {
			continue
		}
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(root, stackfile.Dir, filepath.Base(f)), b, 0o644))
	}
	return root
}

// fleetConflicts are the fleet-wide problems of testdata/fleet, whose
// stacks are each valid on their own (but juliet); see the comment at the
// top of each file.
var fleetConflicts = []string{
	"stacks/Pulumi.delta.yaml: fhir-dr:customer: is echo, but the stack is delta: a stack is named after its customer, " +
		"so customer echo's stack file is Pulumi.echo.yaml",
	"stacks/Pulumi.alpha.yaml, stacks/Pulumi.bravo.yaml and stacks/Pulumi.charlie.yaml: fhir-dr:cosmos.accountName: " +
		"fhir-alpha is declared by all 3: Cosmos DB account names are global in Azure, so there is one such account, for one customer; " +
		"stacks/Pulumi.charlie.yaml would adopt it (fhir-dr:primary.existingAccountId)",
	"stacks/Pulumi.hotel.yaml and stacks/Pulumi.india.yaml: fhir-dr:primary.existingAccountId: " +
		"/subscriptions/00000000-0000-0000-0000-0000000000BB/resourceGroups/rg-shared/providers/Microsoft.DocumentDB/databaseAccounts/fhir-shared " +
		"is adopted by both: an account belongs to one customer's stack",
	"stacks/Pulumi.alpha.yaml and stacks/Pulumi.charlie.yaml: fhir-dr:primary.existingAccountId: stacks/Pulumi.charlie.yaml adopts an account " +
		"in the resource group RG-Alpha-FHIR-eastus, which stacks/Pulumi.alpha.yaml creates for customer alpha's data: " +
		"a resource group belongs to one customer's stack",
	"stacks/Pulumi.alpha.yaml and stacks/Pulumi.foxtrot.yaml: fhir-dr:trafficManager.dnsName: alpha-fhir is declared by both: " +
		"alpha-fhir.trafficmanager.net is one global DNS name, for one customer",
	"stacks/Pulumi.bravo.yaml and stacks/Pulumi.golf.yaml: fhir-dr:fhir.auth.audience: in stacks/Pulumi.golf.yaml is bravo-fhir.trafficmanager.net, " +
		"the Traffic Manager name of customer bravo (stacks/Pulumi.bravo.yaml): its FHIR service would accept tokens meant for bravo; " +
		"use the customer's own name, golf-fhir.trafficmanager.net",
}

// TestValidateFleetConflicts: stacks valid on their own that share what
// must be one customer's alone fail, every conflict listed at once naming
// each stack file involved; an invalid stack is reported as such and left
// out of the fleet-wide checks; named customers are checked against the
// whole fleet.
func TestValidateFleetConflicts(t *testing.T) {
	t.Chdir(fixtureProject(t, "fleet"))

	code, out, errOut := runDrctl(t, "validate")
	assert.Equal(t, 1, code, errOut)
	for _, c := range []string{"alpha", "bravo", "charlie", "delta", "foxtrot", "golf", "hotel", "india"} {
		assert.Regexp(t, `(?m)^`+c+` .* CONFLICT$`, out)
	}
	assert.Regexp(t, `(?m)^juliet .* INVALID$`, out)
	assert.Regexp(t, `(?m)^kilo .* ok$`, out)
	assert.Contains(t, out, "stacks/Pulumi.juliet.yaml: 1 configuration problem:\n  fhir-dr:primaryRegion: unknown Azure region \"mars\"\n")
	assert.Contains(t, out, "\n6 fleet-wide conflicts (what must be one customer's alone):\n  "+
		strings.Join(fleetConflicts, "\n  ")+"\n\n10 stacks, 9 failed\n")

	code, out, _ = runDrctl(t, "validate", "bravo", "kilo")
	assert.Equal(t, 1, code)
	assert.Regexp(t, `(?m)^bravo .* CONFLICT$`, out)
	assert.Regexp(t, `(?m)^kilo .* ok$`, out)
	assert.Contains(t, out, "\n2 fleet-wide conflicts (what must be one customer's alone):\n  "+
		fleetConflicts[1]+"\n  "+fleetConflicts[5]+"\n\n2 stacks, 1 failed\n")

	code, out, _ = runDrctl(t, "validate", "kilo")
	assert.Equal(t, 0, code)
	assert.NotContains(t, out, "fleet-wide")
	assert.Contains(t, out, "\n1 stacks, 0 failed\n")
}

// TestValidateSyntheticFleet: the synthetic fleet of the review benchmarks
// (testfleet.Synthetic, two stacks of every template) passes drctl
// validate: each stack loads, renders and passes the policy pack, and the
// fleet conflicts in nothing.
func TestValidateSyntheticFleet(t *testing.T) {
	dir := t.TempDir()
	writeProject(t, dir)
	testfleet.Synthetic(t, dir, 2*len(testfleet.Templates))
	t.Chdir(dir)

	code, out, errOut := runDrctl(t, "validate")
	assert.Equal(t, 0, code, out+errOut)
	assert.Contains(t, out, fmt.Sprintf("\n%d stacks, 0 failed\n", 2*len(testfleet.Templates)))
}

func TestCustomerList(t *testing.T) {
	assert.Equal(t, []string{"a", "b", "c"}, customerList(" a, b,,c ,"))
	assert.Empty(t, customerList(" , "))
}
