package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fhir-dr/fhir-dr/drconfig"
	"github.com/fhir-dr/fhir-dr/policy/rules"
)

var customerLine = regexp.MustCompile(`(?m)^  fhir-dr:customer: .*$`)

// writeFleet writes a project with n valid stacks into dir: copies of the
// example stacks in turn, each under its own customer name, and returns the
// stack files.
func writeFleet(tb testing.TB, dir string, n int) []string {
	tb.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	require.NoError(tb, err)
	examples, err := stackFiles(root, nil)
	require.NoError(tb, err)
	project, err := os.ReadFile(filepath.Join(root, "Pulumi.yaml"))
	require.NoError(tb, err)
	require.NoError(tb, os.WriteFile(filepath.Join(dir, "Pulumi.yaml"), project, 0o644))
	require.NoError(tb, os.MkdirAll(filepath.Join(dir, drconfig.StackDir), 0o755))
	var templates [][]byte
	for _, f := range examples {
		b, err := os.ReadFile(f)
		require.NoError(tb, err)
		templates = append(templates, b)
	}
	var files []string
	for i := range n {
		customer := fmt.Sprintf("customer%04d", i)
		content := customerLine.ReplaceAll(templates[i%len(templates)], []byte("  fhir-dr:customer: "+customer))
		file := filepath.Join(dir, drconfig.StackFile(customer))
		require.NoError(tb, os.WriteFile(file, content, 0o644))
		files = append(files, file)
	}
	return files
}

// TestValidateFleetWithBrokenStacks: stacks are validated concurrently; the
// broken ones among many are all reported, each with every problem, and
// the exit status is 1.
func TestValidateFleetWithBrokenStacks(t *testing.T) {
	dir := t.TempDir()
	writeFleet(t, dir, 40)
	broken := map[string]string{
		"customer0007": "config:\n  fhir-dr:customer: customer0007\n  fhir-dr:primaryRegion: mars\n  fhir-dr:dr:\n    enabled: true\n    tier: gold\n",
		"customer0031": "config:\n  fhir-dr:customer: customer0031\n  fhir-dr:primaryRegion: eastus\n  fhir-dr:cosmos:\n    throughputt: 400\n",
	}
	for c, content := range broken {
		require.NoError(t, os.WriteFile(filepath.Join(dir, drconfig.StackFile(c)), []byte(content), 0o644))
	}
	t.Chdir(dir)

	code, out, errOut := runDrctl(t, "validate", "--parallel", "4")
	assert.Equal(t, 1, code, errOut)
	assert.Contains(t, out, "\n40 stacks, 2 failed\n")
	assert.Regexp(t, `(?m)^customer0007 +- +- +- +- +- +INVALID$`, out)
	assert.Regexp(t, `(?m)^customer0031 +- +- +- +- +- +INVALID$`, out)
	assert.Regexp(t, `(?m)^customer0001 +eastus +westus \(paired\) +full +15m0s +31m40s +ok$`, out)
	for _, want := range []string{
		"stacks/Pulumi.customer0007.yaml: 3 configuration problems:",
		"fhir-dr:primaryRegion: unknown Azure region \"mars\"",
		`fhir-dr:dr.tier: must be data or full, got "gold"`,
		"fhir-dr:dr.ticket: is required when DR is enabled",
		"stacks/Pulumi.customer0031.yaml: 1 configuration problem:",
		`fhir-dr:cosmos.throughputt: unknown key (did you mean "throughput"?)`,
	} {
		assert.Contains(t, out, want)
	}
	assert.Len(t, regexp.MustCompile(`(?m)^customer\d{4} `).FindAllString(out, -1), 40, "one row per stack")

	code, out, _ = runDrctl(t, "validate", "customer0001", "customer0002")
	assert.Equal(t, 0, code)
	assert.Contains(t, out, "\n2 stacks, 0 failed\n")
}

// BenchmarkValidateFleet loads, validates, renders and policy-checks a
// synthetic fleet with every core; the per-stack cost is reported so that
// 100 and 1,000 stacks can be compared.
func BenchmarkValidateFleet(b *testing.B) {
	for _, n := range []int{100, 1000} {
		b.Run(fmt.Sprintf("stacks=%d", n), func(b *testing.B) {
			files := writeFleet(b, b.TempDir(), n)
			b.ResetTimer()
			for b.Loop() {
				results := validateFleet(files, rules.DefaultConfig(), 0, nil)
				for _, r := range results {
					if !r.OK() {
						b.Fatal(r.File, r.Err, r.Policy)
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n)/1e6, "ms/stack")
		})
	}
}

// TestValidateFleetMemory checks the peak heap of validating 1,000 stacks
// stays far below 500 MB: results keep summaries, not rendered plans.
func TestValidateFleetMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("validates 1,000 stacks")
	}
	files := writeFleet(t, t.TempDir(), 1000)
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
