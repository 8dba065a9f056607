package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fhir-dr/fhir-dr/internal/failover"
	"github.com/fhir-dr/fhir-dr/internal/health"
	"github.com/fhir-dr/fhir-dr/internal/rollout"
	"github.com/fhir-dr/fhir-dr/internal/testfleet"
	"github.com/fhir-dr/fhir-dr/stackfile"
)

// rolloutProject is a git repository of the synthetic fleet of n stacks
// (testfleet.Synthetic: adatum0000, contoso0001, ... litware0007,
// adatum0008; their rings come with their fixtures), as the working
// directory.
func rolloutProject(t *testing.T, n int) string {
	t.Helper()
	dir := t.TempDir()
	writeProject(t, dir)
	testfleet.Synthetic(t, dir, n)
	for _, args := range [][]string{{"init", "-q"}, {"add", "."},
		{"-c", "user.name=Ops", "-c", "user.email=ops@example.com", "commit", "-q", "-m", "fleet"}} {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, string(out))
	}
	t.Chdir(dir)
	return dir
}

func headCommit(t *testing.T, dir string) string {
	t.Helper()
	out, err := exec.Command("git", "-C", dir, "rev-parse", "HEAD").Output()
	require.NoError(t, err)
	return strings.TrimSpace(string(out))
}

func TestRolloutPlanOfAFleet(t *testing.T) {
	dir := rolloutProject(t, 300)
	code, out, errOut := runDrctl(t, "rollout", "plan", "--all", "--max-shards", "8", "--json")
	require.Equal(t, 0, code, errOut)
	var p rollout.Plan
	require.NoError(t, json.Unmarshal([]byte(out), &p))
	assert.Equal(t, headCommit(t, dir), p.Commit)
	assert.Equal(t, 8, p.MaxShards)
	assert.Equal(t, 0.1, p.HaltAbove)
	var names []string
	var sizes, shards []int
	for _, r := range p.Rings {
		names = append(names, r.Name)
		sizes = append(sizes, len(r.Stacks))
		shards = append(shards, len(r.Shards))
	}
	// Of every eight customers (testfleet.Templates), three are canary
	// (litware twice, tailspin), one early (contoso), four broad; the
	// last four of the 300 (37 rounds of eight, then adatum, contoso,
	// fabrikam, litware) add a canary, an early and two broad.
	assert.Equal(t, []string{"canary", "early", "broad"}, names)
	assert.Equal(t, []int{37*3 + 1, 37 + 1, 37*4 + 2}, sizes)
	assert.Equal(t, []int{8, 8, 8}, shards)
	assert.Equal(t, "contoso0001", p.Rings[1].Stacks[0])

	// A change to one stack file releases that stack only.
	file := filepath.Join(dir, stackfile.Path("contoso0001"))
	b, err := os.ReadFile(file)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(file, []byte(strings.Replace(string(b), "maxAge: 600", "maxAge: 900", 1)), 0o644))
	code, out, errOut = runDrctl(t, "rollout", "plan", "--base", "HEAD")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "Release of "+headCommit(t, dir)[:12]+": 1 stacks in 1 rings, at most 32 shards (CI jobs) per ring.\n")
	assert.Contains(t, out, "\n1     early  1       1       30m   gate, then done\n")
	assert.Contains(t, out, "\nearly:\n  shard 0: contoso0001\n")

	code, out, errOut = runDrctl(t, "rollout", "plan", "--stacks", "adatum0000,litware0003", "--json")
	require.Equal(t, 0, code, errOut)
	require.NoError(t, json.Unmarshal([]byte(out), &p))
	require.Len(t, p.Rings, 2)
	assert.Equal(t, []string{"litware0003"}, p.Rings[0].Stacks)
	assert.Equal(t, "canary", p.Rings[0].Name)
	assert.Equal(t, []string{"adatum0000"}, p.Rings[1].Stacks)

	code, _, errOut = runDrctl(t, "rollout", "plan", "--all", "--stacks", "a")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "if any flags in the group [base stacks all] are set none of the others can be")
	code, _, errOut = runDrctl(t, "rollout", "plan", "--all", "--max-shards", "257")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "--max-shards: must be at most 256 (GitHub's matrix limit), got 257")
}

func TestRolloutPlanUnknownRing(t *testing.T) {
	dir := rolloutProject(t, 2)
	file := filepath.Join(dir, stackfile.Path("contoso0001"))
	b, err := os.ReadFile(file)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(file, []byte(strings.Replace(string(b), "ring: early", "ring: earlyish", 1)), 0o644))
	code, out, errOut := runDrctl(t, "rollout", "plan", "--all")
	assert.Equal(t, 1, code)
	assert.Empty(t, out)
	assert.Equal(t, "drctl rollout plan: "+file+": 1 configuration problem:\n"+
		"  fhir-dr:release.ring: must be canary, early, wave-1, wave-2, wave-3 or broad, got \"earlyish\"\n", errOut)
}

func TestRolloutStatusFromResults(t *testing.T) {
	rolloutProject(t, 6)
	code, out, errOut := runDrctl(t, "rollout", "plan", "--all", "--json")
	require.Equal(t, 0, code, errOut)
	require.NoError(t, os.WriteFile("plan.json", []byte(out), 0o644))
	var p rollout.Plan
	require.NoError(t, json.Unmarshal([]byte(out), &p))
	require.NoError(t, os.Mkdir("results", 0o755))
	require.NoError(t, rollout.WriteResults(filepath.Join("results", "canary-0.json"), rollout.ShardResult{
		Ring: "canary", Shard: 0, Commit: p.Commit, Stacks: []rollout.StackResult{{Customer: "litware0003", Status: rollout.Done}}}))
	require.NoError(t, rollout.WriteResults(filepath.Join("results", "canary-1.json"), rollout.ShardResult{
		Ring: "canary", Shard: 1, Commit: p.Commit, Stacks: []rollout.StackResult{
			{Customer: "tailspin0005", Status: rollout.Failed, Error: "up: failed\nstderr: error: the account is locked\nerror: update failed"}}}))

	code, out, errOut = runDrctl(t, "rollout", "status", "--plan", "plan.json", "--results", "results", "--policy-pack", ".bin/fhir-dr-policy")
	assert.Equal(t, 1, code, errOut)
	assert.Equal(t, `Rollout of `+p.Commit[:12]+`:
  canary   1 done, 1 failed  <- halted: 1 of 2 started stacks failed, more than 10%
  early    1 not-started
  broad    3 not-started
HALTED in ring canary: 1 of 2 started stacks failed, more than 10%.
Failed (1):
  tailspin0005: the account is locked
Not started (4): contoso0001, adatum0000, fabrikam0002, northwind0004
Fix the failures, then resume (done stacks are not deployed again):
  drctl rollout resume --plan plan.json --policy-pack .bin/fhir-dr-policy
`, out)

	code, _, errOut = runDrctl(t, "rollout", "run", "--plan", "plan.json", "--ring", "wave-1", "--shard", "0")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, `drctl rollout run: the plan has no ring "wave-1"; its rings: canary, early, broad`)
	code, _, errOut = runDrctl(t, "rollout", "run", "--plan", "plan.json", "--ring", "canary")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, `required flag(s) "shard" not set`)
}

// A release deploys what is on disk and records the plan's commit: the
// checkout must be that commit, with no change to tracked files.
func TestRolloutRunRefusesAnotherCheckout(t *testing.T) {
	dir := rolloutProject(t, 2)
	code, out, errOut := runDrctl(t, "rollout", "plan", "--all", "--json")
	require.Equal(t, 0, code, errOut)
	head := headCommit(t, dir)
	other := strings.Replace(out, head, strings.Repeat("e", 40), 1)
	require.NoError(t, os.WriteFile("other.json", []byte(other), 0o644))
	code, _, errOut = runDrctl(t, "rollout", "run", "--plan", "other.json", "--ring", "broad", "--shard", "0")
	assert.Equal(t, 1, code)
	assert.Equal(t, "drctl rollout run: the plan releases eeeeeeeeeeee, but the checkout is at "+head[:12]+
		": run git checkout "+strings.Repeat("e", 40)+", then this command again\n", errOut)

	require.NoError(t, os.WriteFile("plan.json", []byte(out), 0o644))
	file := filepath.Join(dir, stackfile.Path("contoso0001"))
	b, err := os.ReadFile(file)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(file, append(b, "# edited\n"...), 0o644))
	code, _, errOut = runDrctl(t, "rollout", "resume", "--plan", "plan.json", "--offline-gate")
	assert.Equal(t, 1, code)
	assert.Equal(t, "drctl rollout resume: the checkout has changes that are not in "+head[:12]+
		" (stacks/Pulumi.contoso0001.yaml): a release deploys only what is committed; commit them and plan again, "+
		"or git checkout -- . to drop them\n", errOut)
}

// A resume gates each ring in Azure unless told it is a rehearsal.
func TestRolloutResumeNeedsAGate(t *testing.T) {
	rolloutProject(t, 2)
	t.Setenv("AZURE_SUBSCRIPTION_ID", "")
	t.Setenv("AZURE_ARM_ENDPOINT", "")
	code, out, errOut := runDrctl(t, "rollout", "plan", "--all", "--json")
	require.Equal(t, 0, code, errOut)
	require.NoError(t, os.WriteFile("plan.json", []byte(out), 0o644))
	code, _, errOut = runDrctl(t, "rollout", "resume", "--plan", "plan.json")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "drctl rollout resume: --subscription (or AZURE_SUBSCRIPTION_ID) is required: each ring's gate checks Azure "+
		"(--offline-gate for an offline rehearsal)\n")
}

// The resume's gate is drctl rollout gate's, over the run's own results:
// it passes a healthy ring, and halts one with a stack not started, or
// unhealthy, without a results file.
func TestResumeGateOverARM(t *testing.T) {
	fx := newGateFixture(t, gatePlan)
	fx.healthy(t, "contoso", "litware")
	planFile := filepath.Join(fx.dir, "plan.json")
	gp, err := rollout.ReadPlan(planFile)
	require.NoError(t, err)
	a := armFlags{endpoint: fx.arm.URL, tryTimeout: failover.DefaultRetry.TryTimeout, maxRetryAfter: failover.DefaultRetry.MaxRetryAfter}
	client, err := a.client(io.Discard)
	require.NoError(t, err)
	g := &armGate{plan: gp, planFile: planFile, root: testfleet.Root(), arm: armFlags{subscription: gateSub}, reader: client,
		parallel: 2, minAvails: health.DefaultMinAvailability}
	ring := func(name string, bake int) rollout.PlanRing { return rollout.PlanRing{Name: name, BakeSeconds: bake} }

	var log bytes.Buffer
	err = g.Check(context.Background(), ring("canary", 600), []rollout.StackResult{
		{Customer: "contoso", Status: rollout.Done}, {Customer: "litware", Status: rollout.SkippedDone}}, &log)
	require.NoError(t, err, log.String())
	assert.Contains(t, log.String(), "Ring canary of commit c0ffee1c0ffee1c0ffee1c0ffee1c0ffee1c0ffe: 2 stacks, 2 done, 0 failed, 0 not started (2 of 2 shards reported).\n")
	assert.Contains(t, log.String(), "PASS: ring canary of commit c0ffee1c0ffee1c0ffee1c0ffee1c0ffee1c0ffe: 2 of 2 stacks released, baked 10m0s, healthy: ring early may start.\n")
	assert.Equal(t, []time.Duration{time.Minute, time.Minute, time.Minute, time.Minute, time.Minute, time.Minute, time.Minute,
		time.Minute, time.Minute, time.Minute}, fx.sleeps, "contoso was deployed now: the ring's 10 minutes of bake, a poll a minute")

	log.Reset()
	fx.sleeps = nil
	err = g.Check(context.Background(), ring("canary", 600), []rollout.StackResult{
		{Customer: "contoso", Status: rollout.SkippedDone}, {Customer: "litware", Status: rollout.NotStarted}}, &log)
	assert.EqualError(t, err, "ring canary did not pass (the gate's report is above)")
	assert.Contains(t, log.String(), "HALT: ring canary of commit c0ffee1c0ffee1c0ffee1c0ffee1c0ffee1c0ffe: 1 stacks of the ring were not started")
	assert.Empty(t, fx.sleeps, "nothing deployed now: no bake")

	log.Reset()
	err = g.Check(context.Background(), ring("early", 0), []rollout.StackResult{{Customer: "fabrikam", Status: rollout.Done}}, &log)
	assert.Error(t, err, "fabrikam's endpoints are not known healthy")
	assert.Contains(t, log.String(), "HALT: ring early of commit c0ffee1c0ffee1c0ffee1c0ffee1c0ffee1c0ffe")
}
