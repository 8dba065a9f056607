package rollout_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fhir-dr/fhir-dr/drconfig"
	"github.com/fhir-dr/fhir-dr/internal/rollout"
	"github.com/fhir-dr/fhir-dr/internal/rollout/ring"
	"github.com/fhir-dr/fhir-dr/internal/testfleet"
	"github.com/fhir-dr/fhir-dr/stackfile"
)

const commit = "0123456789abcdef0123456789abcdef01234567"

func TestRingsAndTheSetting(t *testing.T) {
	assert.Equal(t, []string{"canary", "early", "wave-1", "wave-2", "wave-3", "broad"}, ring.Names())
	s := drconfig.Lookup("release.ring")
	assert.Equal(t, ring.Names(), s.Enum, "the setting's values are the rings")
	assert.Equal(t, "broad", s.Default)
	var bakes []time.Duration
	for _, r := range ring.All() {
		bakes = append(bakes, r.Bake)
	}
	assert.Equal(t, []time.Duration{time.Hour, 30 * time.Minute, 15 * time.Minute, 15 * time.Minute, 15 * time.Minute, 0}, bakes)
}

func TestHalts(t *testing.T) {
	for _, c := range []struct {
		started, failed int
		halts           bool
	}{
		{1, 0, false}, {1, 1, true}, {2, 1, true}, {9, 1, true}, {10, 1, false}, {10, 2, true},
		{20, 2, false}, {20, 3, true}, {100, 10, false}, {100, 11, true}, {0, 0, false},
	} {
		assert.Equal(t, c.halts, ring.Halts(c.started, c.failed), "%d of %d failed", c.failed, c.started)
	}
	// A plan's own threshold (drctl rollout gate reads it from the plan).
	assert.False(t, ring.HaltsAbove(10, 5, 0.5), "5 of 10 is 50%, not above it")
	assert.True(t, ring.HaltsAbove(10, 6, 0.5))
	assert.True(t, ring.HaltsAbove(10, 1, 0), "0: any failure halts")
	assert.False(t, ring.HaltsAbove(0, 0, 0), "nothing failed")
	assert.False(t, ring.HaltsAbove(10, 10, 1), "1: never")
}

func TestPlanOrderAndShape(t *testing.T) {
	members := []rollout.Member{
		{"zeta", "broad"}, {"alpha", ""}, {"canary-b", "canary"}, {"canary-a", "canary"}, {"w2", "wave-2"},
	}
	p, err := rollout.NewPlan(commit, members, 2)
	require.NoError(t, err)
	var b bytes.Buffer
	require.NoError(t, p.WriteJSON(&b))
	var got any
	require.NoError(t, json.Unmarshal(b.Bytes(), &got))
	gates := []any{"up-to-date", "traffic-manager-endpoints-online", "availability-tests-passing", "no-dr-alert-firing"}
	want := map[string]any{
		"commit": commit, "maxShards": 2.0, "haltAbove": 0.1,
		"rings": []any{
			map[string]any{"name": "canary", "stacks": []any{"canary-a", "canary-b"}, "shards": []any{[]any{"canary-a"}, []any{"canary-b"}},
				"bakeSeconds": 3600.0, "gates": gates},
			map[string]any{"name": "wave-2", "stacks": []any{"w2"}, "shards": []any{[]any{"w2"}}, "bakeSeconds": 900.0, "gates": gates},
			map[string]any{"name": "broad", "stacks": []any{"alpha", "zeta"}, "shards": []any{[]any{"alpha"}, []any{"zeta"}},
				"bakeSeconds": 0.0, "gates": gates},
		},
	}
	assert.Equal(t, want, got, "rings in order, empty rings left out, the default ring broad")

	var text bytes.Buffer
	p.WriteText(&text)
	assert.Equal(t, `Release of 0123456789ab: 5 stacks in 3 rings, at most 2 shards (CI jobs) per ring.
A ring in which more than 10% of the started stacks fail halts the rollout.

STEP  RING    STACKS  SHARDS  BAKE  THEN
1     canary  2       2       1h    gate, then ring wave-2
2     wave-2  1       1       15m   gate, then ring broad
3     broad   2       2       none  gate, then done

The gate after each ring: up-to-date, traffic-manager-endpoints-online, availability-tests-passing, no-dr-alert-firing.

canary:
  shard 0: canary-a
  shard 1: canary-b

wave-2:
  shard 0: w2

broad:
  shard 0: alpha
  shard 1: zeta
`, text.String())

	// What the commands read back is what was written.
	path := filepath.Join(t.TempDir(), "plan.json")
	require.NoError(t, os.WriteFile(path, b.Bytes(), 0o644))
	back, err := rollout.ReadPlan(path)
	require.NoError(t, err)
	assert.Equal(t, p, back)
}

func TestShardsNeverAboveTheLimit(t *testing.T) {
	for _, size := range []int{1, 2, 31, 32, 33, 255, 256, 257, 1000, 5000} {
		for _, maxShards := range []int{1, 7, 32, 256} {
			var members []rollout.Member
			for i := range size {
				// A third canary... the rest broad: rings of every size.
				r := []string{"canary", "wave-1", "broad"}[i%3]
				members = append(members, rollout.Member{Customer: fmt.Sprintf("c%05d", i), Ring: r})
			}
			p, err := rollout.NewPlan(commit, members, maxShards)
			require.NoError(t, err)
			total := 0
			for _, r := range p.Rings {
				assert.LessOrEqual(t, len(r.Shards), maxShards, "size %d, ring %s", size, r.Name)
				assert.Equal(t, min(maxShards, len(r.Stacks)), len(r.Shards), "as many shards as the limit allows")
				for _, sh := range r.Shards {
					assert.NotEmpty(t, sh)
					total += len(sh)
				}
			}
			assert.Equal(t, size, total, "every stack in one shard")
			assert.Len(t, p.Stacks(), size)
		}
	}
	_, err := rollout.NewPlan(commit, nil, 257)
	assert.EqualError(t, err, "rollout: --max-shards must be 1-256, got 257")
	_, err = rollout.NewPlan(commit, nil, 0)
	assert.EqualError(t, err, "rollout: --max-shards must be 1-256, got 0")
	p, err := rollout.NewPlan(commit, nil, 32)
	require.NoError(t, err)
	assert.Empty(t, p.Rings)
	_, err = rollout.NewPlan("HEAD", nil, 32)
	assert.EqualError(t, err, `rollout: the commit must be a full git SHA, got "HEAD"`)
}

// ringOf is drctl's: the stack file's release.ring, the file validated.
func ringOf(file string) (string, error) {
	cfg, err := drconfig.LoadFile(file)
	if err != nil {
		return "", err
	}
	return cfg.Release.Ring, nil
}

func TestUnknownRingNamesFileAndKey(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, stackfile.Path("adatum"))
	bad := filepath.Join(dir, stackfile.Path("litware"))
	require.NoError(t, os.MkdirAll(filepath.Dir(good), 0o755))
	require.NoError(t, os.WriteFile(good, testfleet.Read(t, "adatum"), 0o644))
	litware := strings.Replace(string(testfleet.Read(t, "litware")), "ring: canary", "ring: canery", 1)
	require.NoError(t, os.WriteFile(bad, []byte(litware), 0o644))
	also := filepath.Join(dir, stackfile.Path("tailspin"))
	tailspin := strings.Replace(string(testfleet.Read(t, "tailspin")), "ring: canary", "ring: wave-4", 1)
	require.NoError(t, os.WriteFile(also, []byte(tailspin), 0o644))

	_, err := rollout.LoadMembers([]string{good, bad, also}, ringOf)
	require.Error(t, err)
	msg := err.Error()
	assert.Contains(t, msg, bad+": 1 configuration problem:\n  fhir-dr:release.ring: must be canary, early, wave-1, wave-2, wave-3 or broad, got \"canery\"")
	assert.Contains(t, msg, also+": 1 configuration problem:\n  fhir-dr:release.ring: must be canary, early, wave-1, wave-2, wave-3 or broad, got \"wave-4\"",
		"every bad file at once")
	assert.NotContains(t, msg, good)
}

func TestFixtureFleetRings(t *testing.T) {
	files, err := stackfile.List(testfleet.Root())
	require.NoError(t, err)
	members, err := rollout.LoadMembers(files, ringOf)
	require.NoError(t, err)
	p, err := rollout.NewPlan(commit, members, 32)
	require.NoError(t, err)
	var got [][]string
	for _, r := range p.Rings {
		got = append(got, append([]string{r.Name}, r.Stacks...))
	}
	assert.Equal(t, [][]string{{"canary", "litware", "tailspin"}, {"early", "contoso"}, {"broad", "adatum", "fabrikam", "northwind"}}, got)
}

func TestOperatorsStacksCoverTwoRings(t *testing.T) {
	files, err := stackfile.List(testfleet.RepoRoot())
	require.NoError(t, err)
	members, err := rollout.LoadMembers(files, ringOf)
	require.NoError(t, err, "every operator stack names a known ring")
	p, err := rollout.NewPlan(commit, members, 32)
	require.NoError(t, err)
	assert.GreaterOrEqual(t, len(p.Rings), 2, "the example stacks cover at least two rings")
}

func TestReadPlanRefusesABrokenPlan(t *testing.T) {
	path := filepath.Join(t.TempDir(), "plan.json")
	require.NoError(t, os.WriteFile(path, []byte(`{"commit": "abc", "maxShards": 300, "haltAbove": 0.1, "rings": [
	  {"name": "broad", "stacks": ["a"], "shards": [["a"]], "bakeSeconds": 0, "gates": []},
	  {"name": "canary", "stacks": ["a", "b"], "shards": [["b"]], "bakeSeconds": 0, "gates": []},
	  {"name": "ring-9", "stacks": [], "shards": [], "bakeSeconds": 0, "gates": []}]}`), 0o644))
	_, err := rollout.ReadPlan(path)
	assert.EqualError(t, err, path+`: commit: must be a full git SHA, got "abc"
maxShards: must be 1-256, got 300
rings: canary is out of order (the order is canary, early, wave-1, wave-2, wave-3, broad)
rings canary: stack a is also in ring broad
rings canary: the shards do not hold exactly the ring's stacks
rings: unknown ring "ring-9": one of canary, early, wave-1, wave-2, wave-3, broad`)
	require.NoError(t, os.WriteFile(path, []byte(`{"commit": "`+commit+`", "extra": 1}`), 0o644))
	_, err = rollout.ReadPlan(path)
	assert.ErrorContains(t, err, `not a rollout plan: json: unknown field "extra"`)
}

func TestLastRelease(t *testing.T) {
	rel := func(kind, result, msg string) auto.UpdateSummary {
		return auto.UpdateSummary{Kind: kind, Result: result, Message: msg}
	}
	m := rollout.ReleaseMessage(commit)
	assert.Equal(t, "fhir-dr release "+commit, m)
	for _, c := range []struct {
		name    string
		updates []auto.UpdateSummary
		want    string
		ok      bool
	}{
		{"no history", nil, "", false},
		{"released", []auto.UpdateSummary{rel("update", "succeeded", m)}, commit, true},
		{"a refresh after it", []auto.UpdateSummary{rel("refresh", "succeeded", ""), rel("update", "succeeded", m)}, commit, true},
		{"failed since", []auto.UpdateSummary{rel("update", "failed", m), rel("update", "succeeded", m)}, "", false},
		{"an up by hand since", []auto.UpdateSummary{rel("update", "succeeded", "hotfix"), rel("update", "succeeded", m)}, "", false},
		{"destroyed since", []auto.UpdateSummary{rel("destroy", "succeeded", ""), rel("update", "succeeded", m)}, "", false},
		{"quoted, as the Automation API passes it", []auto.UpdateSummary{rel("update", "succeeded", `"`+m+`"`)}, commit, true},
		{"another commit", []auto.UpdateSummary{rel("update", "succeeded", "fhir-dr release abc")}, "abc", true},
	} {
		got, ok := rollout.LastRelease(c.updates)
		assert.Equal(t, c.want, got, c.name)
		assert.Equal(t, c.ok, ok, c.name)
	}
}

// fakeDeployer is a fleet in memory: the commit each stack has released,
// and the stacks whose up fails.
type fakeDeployer struct {
	mu       sync.Mutex
	released map[string]string
	fail     map[string]error
	ups      []string
}

func newFake() *fakeDeployer {
	return &fakeDeployer{released: map[string]string{}, fail: map[string]error{}}
}

func (f *fakeDeployer) Released(_ context.Context, customer, commit string) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.released[customer] == commit, nil
}

func (f *fakeDeployer) Up(_ context.Context, customer, commit string, log io.Writer) (map[string]int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ups = append(f.ups, customer)
	if err := f.fail[customer]; err != nil {
		return nil, err
	}
	fmt.Fprintln(log, "deployed")
	f.released[customer] = commit
	return map[string]int{"update": 1}, nil
}

func (f *fakeDeployer) upsOf() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Sorted(slices.Values(f.ups))
}

func threeRings(t *testing.T) rollout.Plan {
	t.Helper()
	p, err := rollout.NewPlan(commit, []rollout.Member{
		{"a1", "canary"}, {"a2", "canary"}, {"b1", "early"}, {"b2", "early"}, {"c1", "broad"}, {"c2", "broad"},
	}, 32)
	require.NoError(t, err)
	return p
}

func statuses(o rollout.Outcome) map[string]rollout.Status {
	out := map[string]rollout.Status{}
	for _, r := range o.Rings {
		for _, s := range r.Stacks {
			out[s.Customer] = s.Status
		}
	}
	return out
}

func noBake(context.Context, time.Duration) error { return nil }

func TestResumeHaltsAndResumes(t *testing.T) {
	p := threeRings(t)
	f := newFake()
	f.fail["b2"] = errors.New("creating the account: already exists\nmore detail")
	var bakes []time.Duration
	bake := func(_ context.Context, d time.Duration) error { bakes = append(bakes, d); return nil }
	var progress bytes.Buffer
	out := rollout.Resume(context.Background(), f, p, rollout.ResumeOptions{Parallel: 2, Bake: bake, Out: &progress})

	assert.Equal(t, map[string]rollout.Status{
		"a1": rollout.Done, "a2": rollout.Done, "b1": rollout.Done, "b2": rollout.Failed,
		"c1": rollout.NotStarted, "c2": rollout.NotStarted,
	}, statuses(out))
	assert.Equal(t, "early", out.Halted)
	assert.Equal(t, "1 of 2 started stacks failed, more than 10%", out.Reason)
	assert.Equal(t, []time.Duration{time.Hour}, bakes, "the canary baked, the halted ring did not")
	assert.Equal(t, []string{"c1", "c2"}, out.NotStarted())
	assert.False(t, out.Complete())
	assert.Contains(t, progress.String(), "ring canary: gates not checked (offline): up-to-date, ")

	var summary bytes.Buffer
	out.WriteSummary(&summary, "drctl rollout resume --plan plan.json")
	assert.Equal(t, `Rollout of 0123456789ab:
  canary   2 done
  early    1 done, 1 failed  <- halted: 1 of 2 started stacks failed, more than 10%
  broad    2 not-started
HALTED in ring early: 1 of 2 started stacks failed, more than 10%.
Failed (1):
  b2: creating the account: already exists
Not started (2): c1, c2
Fix the failures, then resume (done stacks are not deployed again):
  drctl rollout resume --plan plan.json
`, summary.String())

	// Fixed, the resume deploys what is left and nothing that is done.
	delete(f.fail, "b2")
	f.ups = nil
	bakes = nil
	again := rollout.Resume(context.Background(), f, p, rollout.ResumeOptions{Parallel: 2, Bake: bake})
	assert.Equal(t, map[string]rollout.Status{
		"a1": rollout.SkippedDone, "a2": rollout.SkippedDone, "b1": rollout.SkippedDone, "b2": rollout.Done,
		"c1": rollout.Done, "c2": rollout.Done,
	}, statuses(again))
	assert.Equal(t, []string{"b2", "c1", "c2"}, f.upsOf(), "ring 1 and b1 are not deployed again")
	assert.Equal(t, []time.Duration{30 * time.Minute}, bakes, "early baked again (b2 is new); canary did nothing, broad bakes 0")
	assert.True(t, again.Complete())
	assert.Empty(t, again.Halted)
	summary.Reset()
	again.WriteSummary(&summary, "unused")
	assert.Equal(t, `Rollout of 0123456789ab:
  canary   2 skipped-done
  early    1 done, 1 skipped-done
  broad    2 done
Complete: every stack has 0123456789ab.
`, summary.String())
}

func TestWhy(t *testing.T) {
	assert.Equal(t, "the account already exists", rollout.Why("up: failed to run update: exit status 1\ncode: 1\n"+
		"stdout: Updating (x):\n\nstderr: error: the account already exists\nerror: update failed\n"))
	assert.Equal(t, "boom", rollout.Why("boom\nmore"))
	assert.Equal(t, "", rollout.Why(""))
}

func TestToleratedFailuresGoOn(t *testing.T) {
	var members []rollout.Member
	for i := range 20 {
		members = append(members, rollout.Member{Customer: fmt.Sprintf("w%02d", i), Ring: "wave-1"})
	}
	members = append(members, rollout.Member{Customer: "z", Ring: "broad"})
	p, err := rollout.NewPlan(commit, members, 4)
	require.NoError(t, err)
	f := newFake()
	f.fail["w03"], f.fail["w07"] = errors.New("boom"), errors.New("boom")
	out := rollout.Resume(context.Background(), f, p, rollout.ResumeOptions{Bake: noBake})
	assert.Empty(t, out.Halted, "2 of 20 is not more than 10%")
	assert.Equal(t, rollout.Done, statuses(out)["z"])
	assert.Equal(t, []string{"w03", "w07"}, []string{out.Failed()[0].Customer, out.Failed()[1].Customer})
	assert.False(t, out.Complete(), "the failed stacks are still to release")

	f.fail["w11"] = errors.New("boom")
	f.released = map[string]string{}
	out = rollout.Resume(context.Background(), f, p, rollout.ResumeOptions{Bake: noBake})
	assert.Equal(t, "wave-1", out.Halted, "3 of 20 is")
	assert.Equal(t, rollout.NotStarted, statuses(out)["z"])
}

// failingGate fails the gate of one ring.
type failingGate struct{ ring string }

func (g failingGate) Check(_ context.Context, r rollout.PlanRing, results []rollout.StackResult, _ io.Writer) error {
	if r.Name == g.ring {
		var stacks []string
		for _, s := range results {
			stacks = append(stacks, s.Customer+" "+string(s.Status))
		}
		return fmt.Errorf("no-dr-alert-firing: %s", strings.Join(stacks, ", "))
	}
	return nil
}

func TestAFailedGateHalts(t *testing.T) {
	p := threeRings(t)
	f := newFake()
	out := rollout.Resume(context.Background(), f, p, rollout.ResumeOptions{Bake: noBake, Gate: failingGate{"canary"}})
	assert.Equal(t, "canary", out.Halted)
	assert.Equal(t, "the gate failed: no-dr-alert-firing: a1 done, a2 done", out.Reason)
	assert.Equal(t, []string{"b1", "b2", "c1", "c2"}, out.NotStarted())
}

func TestAnInterruptedRolloutHalts(t *testing.T) {
	p := threeRings(t)
	ctx, cancel := context.WithCancel(context.Background())
	f := newFake()
	// Interrupted during the canary's bake: the next ring does not start.
	bake := func(ctx context.Context, _ time.Duration) error { cancel(); return ctx.Err() }
	out := rollout.Resume(ctx, f, p, rollout.ResumeOptions{Bake: bake})
	assert.Equal(t, "canary", out.Halted)
	assert.Equal(t, "interrupted during the bake: context canceled", out.Reason)
	assert.Equal(t, []string{"a1", "a2"}, f.upsOf())

	// Interrupted before anything starts: nothing is deployed, and the
	// first ring says why it stopped.
	out = rollout.Resume(ctx, f, p, rollout.ResumeOptions{})
	assert.Equal(t, "canary", out.Halted)
	assert.Equal(t, "interrupted with 2 stacks not started", out.Reason)
	assert.Equal(t, []string{"a1", "a2"}, f.upsOf())
}

func TestRunShardAndResults(t *testing.T) {
	p := threeRings(t)
	f := newFake()
	f.released["c1"] = commit
	f.fail["c2"] = errors.New("boom")
	p.Rings[2].Shards = [][]string{{"c1", "c2"}}
	var log bytes.Buffer
	res, err := rollout.RunShard(context.Background(), f, p, "broad", 0, rollout.RunOptions{Log: &log})
	require.NoError(t, err)
	dir := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(dir, "broad-0"), 0o755))
	require.NoError(t, rollout.WriteResults(filepath.Join(dir, "broad-0", "broad-0.json"), res))
	b, err := os.ReadFile(filepath.Join(dir, "broad-0", "broad-0.json"))
	require.NoError(t, err)
	assert.JSONEq(t, `{"ring": "broad", "shard": 0, "commit": "`+commit+`", "stacks": [
		{"customer": "c1", "status": "skipped-done", "error": ""}, {"customer": "c2", "status": "failed", "error": "boom"}]}`, string(b))
	assert.Contains(t, log.String(), "[c1] already released at 0123456789ab: not deployed again\n")
	assert.Equal(t, []string{"c2"}, f.upsOf())

	_, err = rollout.RunShard(context.Background(), f, p, "broad", 1, rollout.RunOptions{})
	assert.EqualError(t, err, "ring broad has shards 0-0, not 1")
	_, err = rollout.RunShard(context.Background(), f, p, "wave-1", 0, rollout.RunOptions{})
	assert.EqualError(t, err, `the plan has no ring "wave-1"; its rings: canary, early, broad`)

	// The status by the results: canary and early have none.
	results, err := rollout.ReadResults(dir, p)
	require.NoError(t, err)
	require.Len(t, results, 1, "found in the artifact's directory")
	out := rollout.StateFromResults(p, results)
	assert.Equal(t, "", out.Halted, "canary not started: the rollout is where it goes on")
	assert.Equal(t, []string{"a1", "a2", "b1", "b2"}, out.NotStarted())

	other := p
	other.Commit = strings.Repeat("f", 40)
	_, err = rollout.ReadResults(dir, other)
	assert.ErrorContains(t, err, "results of commit 0123456789ab, the plan releases ffffffffffff")
}

func TestStateFromResultsHalts(t *testing.T) {
	p := threeRings(t)
	out := rollout.StateFromResults(p, []rollout.ShardResult{
		{Ring: "canary", Shard: 0, Commit: commit, Stacks: []rollout.StackResult{{Customer: "a1", Status: rollout.Done}}},
		{Ring: "canary", Shard: 1, Commit: commit, Stacks: []rollout.StackResult{{Customer: "a2", Status: rollout.Failed, Error: "x"}}},
	})
	assert.Equal(t, "canary", out.Halted)
	assert.Equal(t, "1 of 2 started stacks failed, more than 10%", out.Reason)
}

func TestStateFromTheBackend(t *testing.T) {
	p := threeRings(t)
	f := newFake()
	f.released["a1"], f.released["a2"], f.released["b1"] = commit, commit, "older"
	out, err := rollout.State(context.Background(), f, p, 2)
	require.NoError(t, err)
	assert.Equal(t, map[string]rollout.Status{
		"a1": rollout.SkippedDone, "a2": rollout.SkippedDone, "b1": rollout.NotStarted, "b2": rollout.NotStarted,
		"c1": rollout.NotStarted, "c2": rollout.NotStarted,
	}, statuses(out))
	assert.Empty(t, out.Halted)
	assert.Empty(t, f.upsOf(), "status writes nothing")
}

// The plan's halt threshold, bake times and gates are checked too, every
// problem at once (drctl rollout gate reads the plan with ReadPlan).
func TestReadPlanChecksTheGatesFields(t *testing.T) {
	path := filepath.Join(t.TempDir(), "plan.json")
	require.NoError(t, os.WriteFile(path, []byte(`{"commit": "", "maxShards": 1, "haltAbove": 2, "rings": [
	  {"name": "canary", "stacks": [], "shards": [], "bakeSeconds": -1, "gates": ["up-to-date", "smoke"]}]}`), 0o644))
	_, err := rollout.ReadPlan(path)
	assert.EqualError(t, err, path+`: commit: must be a full git SHA, got ""
haltAbove 2 is not a fraction between 0 and 1
ring canary: bakeSeconds -1 is negative
ring canary: unknown gate "smoke" (this drctl knows up-to-date, traffic-manager-endpoints-online, availability-tests-passing, no-dr-alert-firing)`)
}

// ReadResultFiles reads every results file at any depth, of any commit,
// with the file it came from; no directory is no results; a JSON file
// that is not a results file is an error naming it.
func TestReadResultFiles(t *testing.T) {
	res := filepath.Join(t.TempDir(), "results")
	none, err := rollout.ReadResultFiles(res)
	require.NoError(t, err, "no directory: no shard wrote results")
	assert.Empty(t, none)
	_, err = rollout.ReadResults(res, threeRings(t))
	assert.ErrorContains(t, err, "reading the results: ", "status is told where the results are")

	require.NoError(t, os.MkdirAll(filepath.Join(res, "results-canary-1"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(res, "results-canary-1", "canary-1.json"),
		[]byte(`{"ring":"canary","shard":1,"commit":"abc","stacks":[{"customer":"contoso","status":"done"}]}`), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(res, "a.json"),
		[]byte(`{"ring":"canary","shard":0,"commit":"old","stacks":[]}`), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(res, "notes.txt"), []byte("not json"), 0o644))
	got, err := rollout.ReadResultFiles(res)
	require.NoError(t, err)
	assert.Equal(t, []rollout.ShardResult{
		{Ring: "canary", Shard: 0, Commit: "old", Stacks: []rollout.StackResult{}, File: filepath.Join(res, "a.json")},
		{Ring: "canary", Shard: 1, Commit: "abc", Stacks: []rollout.StackResult{{Customer: "contoso", Status: rollout.Done}},
			File: filepath.Join(res, "results-canary-1", "canary-1.json")},
	}, got, "sorted by file, every commit")

	require.NoError(t, os.WriteFile(filepath.Join(res, "x.json"), []byte(`{"stacks": []}`), 0o644))
	_, err = rollout.ReadResultFiles(res)
	assert.EqualError(t, err, filepath.Join(res, "x.json")+": not a results file of drctl rollout run (no ring or commit)")
	require.NoError(t, os.WriteFile(filepath.Join(res, "x.json"), []byte(`[`), 0o644))
	_, err = rollout.ReadResultFiles(res)
	assert.ErrorContains(t, err, filepath.Join(res, "x.json")+": not a shard result: ")
}
