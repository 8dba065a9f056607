//go:build integration

package testfleet_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/fhir-dr/fhir-dr/internal/testfleet"
	"github.com/fhir-dr/fhir-dr/stackfile"
)

// insideOnboardingTest is set in the environment of the test run that
// TestOnboardingKeepsTestsGreen starts in its clone, so that the test does
// not start itself again there.
const insideOnboardingTest = "FHIR_DR_INSIDE_ONBOARDING_TEST"

// TestMain keeps the tests' git commands in their own repositories (see
// cmd/drctl's TestMain).
func TestMain(m *testing.M) {
	for _, v := range []string{"GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_COMMON_DIR"} {
		os.Unsetenv(v)
	}
	os.Exit(m.Run())
}

// fullTier and dataTier are new customers as the runbook onboards them
// (README "Onboarding a customer", runbook "Enable DR"): regions, network
// and DNS names of their own. %[1]s is the customer.
const (
	fullTier = `# %[1]s: full DR (phase II) from centralus to its paired region, eastus2.
config:
  fhir-dr:customer: %[1]s
  fhir-dr:primaryRegion: centralus
  fhir-dr:dr:
    enabled: true
    paging: {actionGroupId: /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-platform-oncall/providers/Microsoft.Insights/actionGroups/ag-fhir-oncall}
    tier: full
    ticket: SR-900001
  fhir-dr:cosmos:
    throughput: 2000
  fhir-dr:compute:
    apiServer:
      private: true
    network:
      primary:
        addressSpace: 10.70.0.0/16
        nodeSubnet: 10.70.0.0/20
      secondary:
        addressSpace: 10.71.0.0/16
        nodeSubnet: 10.71.0.0/20
  fhir-dr:fhir:
    version: "main-20260821-1"
    auth:
      authority: https://login.microsoftonline.com/0b5e5c8a-7d3f-4c2e-9a41-3f6d2e8b1c70
      audience: https://%[1]s-fhir.trafficmanager.net
`
	dataTier = `# %[1]s: data-only DR (phase I), japaneast to its paired region, japanwest.
config:
  fhir-dr:customer: %[1]s
  fhir-dr:primaryRegion: japaneast
  fhir-dr:dr:
    enabled: true
    paging: {actionGroupId: /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-platform-oncall/providers/Microsoft.Insights/actionGroups/ag-fhir-oncall}
    tier: data
    ticket: SR-900002
  fhir-dr:cosmos:
    throughput: 800
`
)

// TestOnboardingKeepsTestsGreen is issue 16: the most common change of this
// repository, a new customer or an edit of one, never needs a test edit. In
// a clone of the committed project it onboards a full-tier and a data-tier
// customer, changes an existing customer's throughput, and runs the unit
// tests (make test's `go test ./...`) there, offline, with this machine's
// module and build caches. It takes minutes, so it is part of make
// integration.
func TestOnboardingKeepsTestsGreen(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole unit-test suite in a clone (minutes)")
	}
	if os.Getenv(insideOnboardingTest) != "" {
		t.Skip("already inside the onboarding test's clone")
	}
	clone := testfleet.Clone(t)
	existing, err := stackfile.List(clone)
	if err != nil {
		t.Fatal(err)
	}
	if len(existing) == 0 {
		t.Fatal("the clone has no stack files")
	}
	names := testfleet.Stacks(t, clone)

	// An edit of an existing customer: its throughput.
	edited, how := editThroughput(t, existing)
	t.Logf("edited %s: %s", edited, how)

	// Two new customers, named apart from whoever stacks/ holds.
	for _, tc := range []struct{ base, content string }{{"onboardfull", fullTier}, {"onboarddata", dataTier}} {
		name := tc.base
		for i := 2; slices.Contains(names, name); i++ {
			name = tc.base + strconv.Itoa(i)
		}
		names = append(names, name)
		path := filepath.Join(clone, stackfile.Path(name))
		if err := os.WriteFile(path, []byte(fmt.Sprintf(tc.content, name)), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("onboarded %s", name)
	}

	ctx := context.Background()
	if deadline, ok := t.Deadline(); ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, deadline.Add(-30*time.Second))
		defer cancel()
	}
	cmd := exec.CommandContext(ctx, "go", "test", "-timeout", "30m", "./...")
	cmd.Dir = clone
	cmd.Env = append(os.Environ(),
		insideOnboardingTest+"=1",
		"GOMODCACHE="+goEnv(t, "GOMODCACHE"),
		"GOCACHE="+goEnv(t, "GOCACHE"),
		"GOPROXY=off", // no network: everything is in the module cache
		"GOWORK=off",
		"GOFLAGS=-mod=readonly -buildvcs=false",
	)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err = cmd.Run()
	t.Logf("go test ./... in the clone took %s", time.Since(start).Round(time.Second))
	if err != nil {
		var failed []string
		for _, line := range strings.Split(out.String(), "\n") {
			if strings.HasPrefix(line, "--- FAIL") || strings.HasPrefix(line, "FAIL") {
				failed = append(failed, line)
			}
		}
		t.Fatalf("after onboarding two customers and editing %s, go test ./... fails (%v):\n%s\n\nfull output:\n%s",
			edited, err, strings.Join(failed, "\n"), out.String())
	}
}

// editThroughput changes the RU/s of the first stack that declares them
// (cosmos.throughput or cosmos.autoscaleMaxThroughput), keeping it valid,
// or declares manual RU/s for the first stack that declares none; it
// returns the stack and what changed.
func editThroughput(t *testing.T, files []string) (string, string) {
	t.Helper()
	type candidate struct {
		file string
		doc  *yaml.Node
		m    *yaml.Node // the fhir-dr:cosmos mapping, or nil
	}
	var candidates []candidate
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var doc yaml.Node
		if err := yaml.Unmarshal(b, &doc); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if len(doc.Content) != 1 {
			continue
		}
		config := value(doc.Content[0], "config")
		if config == nil || config.Kind != yaml.MappingNode {
			continue
		}
		candidates = append(candidates, candidate{f, &doc, value(config, "fhir-dr:cosmos")})
	}
	write := func(c candidate) {
		var buf bytes.Buffer
		enc := yaml.NewEncoder(&buf)
		enc.SetIndent(2)
		if err := enc.Encode(c.doc); err != nil {
			t.Fatal(err)
		}
		if err := enc.Close(); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(c.file, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range candidates {
		if c.m == nil || c.m.Kind != yaml.MappingNode {
			continue
		}
		for key, step := range map[string]int{"throughput": 100, "autoscaleMaxThroughput": 1000} {
			v := value(c.m, key)
			if v == nil {
				continue
			}
			n, err := strconv.Atoi(v.Value)
			if err != nil {
				continue
			}
			next := n + step
			if next > 1_000_000 {
				next = n - step
			}
			v.Value = strconv.Itoa(next)
			write(c)
			return c.file, fmt.Sprintf("cosmos.%s %d -> %d", key, n, next)
		}
	}
	for _, c := range candidates {
		config := value(c.doc.Content[0], "config")
		if c.m == nil {
			c.m = &yaml.Node{Kind: yaml.MappingNode}
			config.Content = append(config.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: "fhir-dr:cosmos"}, c.m)
		}
		if c.m.Kind != yaml.MappingNode || value(c.m, "autoscaleMaxThroughput") != nil {
			continue
		}
		c.m.Content = append(c.m.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: "throughput"},
			&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: "1000"})
		write(c)
		return c.file, "cosmos.throughput set to 1000"
	}
	t.Fatal("no stack file whose throughput the test can edit")
	return "", ""
}

// value returns the value of key in a mapping node, or nil.
func value(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

func goEnv(t *testing.T, key string) string {
	t.Helper()
	out, err := exec.Command("go", "env", key).Output()
	if err != nil {
		t.Fatalf("go env %s: %v", key, err)
	}
	return strings.TrimSpace(string(out))
}
