package gate

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func ringOf(n int) Ring {
	r := Ring{Name: "wave-1"}
	for i := range n {
		c := fmt.Sprintf("c%02d", i)
		r.Stacks = append(r.Stacks, c)
		r.Shards = append(r.Shards, []string{c})
	}
	return r
}

// results reports the ring's stacks, one shard each, with the statuses
// given by customer (default done).
func results(r Ring, statuses map[string]string) []Results {
	var out []Results
	for i, c := range r.Stacks {
		s := statuses[c]
		if s == "" {
			s = StatusDone
		}
		if s == "missing" {
			continue
		}
		out = append(out, Results{Ring: r.Name, Shard: i, Commit: "abc", Stacks: []StackResult{{Customer: c, Status: s, Error: "boom"}}, File: c})
	}
	return out
}

// The halt rule: more than haltAbove of the started stacks failed; stacks
// not started count neither way, but halt the ring as unfinished.
func TestCountThreshold(t *testing.T) {
	p := &Plan{Commit: "abc", HaltAbove: 0.1}
	r := ringOf(10)
	one := Count(p, r, results(r, map[string]string{"c03": StatusFailed}))
	assert.Equal(t, []string{"c03"}, one.Failed)
	assert.Equal(t, 10, one.Started())
	assert.False(t, one.AboveThreshold(), "1 of 10 is 10%%, not above it")
	assert.False(t, one.Halts())
	two := Count(p, r, results(r, map[string]string{"c03": StatusFailed, "c07": StatusFailed}))
	assert.True(t, two.AboveThreshold(), "2 of 10")
	assert.True(t, two.Halts())
	// 1 failed of 9 started (c09 not started): above 10%.
	ns := Count(p, r, results(r, map[string]string{"c03": StatusFailed, "c09": "missing"}))
	assert.Equal(t, []string{"c09"}, ns.NotStarted)
	assert.Equal(t, []int{9}, ns.MissingShards)
	assert.Equal(t, 9, ns.Started())
	assert.True(t, ns.AboveThreshold())
	only := Count(p, r, results(r, map[string]string{"c09": StatusNotStarted}))
	assert.False(t, only.AboveThreshold())
	assert.True(t, only.Halts(), "a ring not finished halts")
	assert.Empty(t, only.MissingShards, "the shard reported, the stack was not started")
	zero := Count(&Plan{Commit: "abc", HaltAbove: 0}, r, results(r, map[string]string{"c01": StatusFailed}))
	assert.True(t, zero.Halts(), "haltAbove 0: any failure halts")
}

// A shard run twice counts as far as it got; results of another commit,
// ring or stack are ignored, with a note.
func TestCountDuplicatesAndStrangers(t *testing.T) {
	p := &Plan{Commit: "abc", HaltAbove: 0.1}
	r := ringOf(2)
	res := results(r, map[string]string{"c00": StatusFailed})
	res = append(res,
		Results{Ring: r.Name, Shard: 0, Commit: "abc", File: "rerun", Stacks: []StackResult{{Customer: "c00", Status: StatusSkippedDone}}},
		Results{Ring: r.Name, Shard: 1, Commit: "old", File: "old", Stacks: []StackResult{{Customer: "c01", Status: StatusFailed}}},
		Results{Ring: "canary", Shard: 0, Commit: "abc", File: "canary", Stacks: []StackResult{{Customer: "x", Status: StatusFailed}}},
		Results{Ring: r.Name, Shard: 1, Commit: "abc", File: "stranger", Stacks: []StackResult{{Customer: "zz", Status: StatusDone}, {Customer: "c01", Status: "weird"}}},
	)
	tl := Count(p, r, res)
	assert.Equal(t, []string{"c00", "c01"}, tl.Done)
	assert.Empty(t, tl.Failed)
	assert.Equal(t, []string{
		"old is of commit old, not the plan's abc: ignored",
		"stranger reports zz, which is not in ring wave-1 of the plan: ignored",
		`stranger: c01 has the unknown status "weird": counted as not started`,
	}, tl.Notes)
}

func TestReadPlanAndResults(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	require.NoError(t, os.WriteFile(bad, []byte(`{"haltAbove": 2, "rings": [{"name": "canary", "bakeSeconds": -1, "gates": ["up-to-date", "smoke"]}]}`), 0o644))
	_, err := ReadPlan(bad)
	require.Error(t, err)
	for _, want := range []string{"no commit", "haltAbove 2 is not a fraction between 0 and 1", "ring canary: bakeSeconds -1 is negative",
		`ring canary: unknown gate "smoke"`} {
		assert.Contains(t, err.Error(), want, "every problem at once")
	}

	res := filepath.Join(dir, "results")
	none, err := ReadResults(res)
	require.NoError(t, err, "no directory: no shard wrote results")
	assert.Empty(t, none)
	require.NoError(t, os.MkdirAll(filepath.Join(res, "results-canary-1"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(res, "results-canary-1", "canary-1.json"),
		[]byte(`{"ring":"canary","shard":1,"commit":"abc","stacks":[{"customer":"contoso","status":"done"}]}`), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(res, "notes.txt"), []byte("not json"), 0o644))
	got, err := ReadResults(res)
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, Results{Ring: "canary", Shard: 1, Commit: "abc", Stacks: []StackResult{{Customer: "contoso", Status: "done"}},
		File: filepath.Join(res, "results-canary-1", "canary-1.json")}, got[0])
	require.NoError(t, os.WriteFile(filepath.Join(res, "x.json"), []byte(`{"stacks": []}`), 0o644))
	_, err = ReadResults(res)
	assert.ErrorContains(t, err, "not a results file of drctl rollout run (no ring or commit)")
}
