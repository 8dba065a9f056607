package gate

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/fhir-dr/fhir-dr/internal/rollout"
)

// The plan and results files are read by rollout.ReadPlan and
// rollout.ReadResultFiles, tested in package rollout.

func ringOf(n int) rollout.PlanRing {
	r := rollout.PlanRing{Name: "wave-1"}
	for i := range n {
		c := fmt.Sprintf("c%02d", i)
		r.Stacks = append(r.Stacks, c)
		r.Shards = append(r.Shards, []string{c})
	}
	return r
}

// results reports the ring's stacks, one shard each, with the statuses
// given by customer (default done).
func results(r rollout.PlanRing, statuses map[string]rollout.Status) []rollout.ShardResult {
	var out []rollout.ShardResult
	for i, c := range r.Stacks {
		s := statuses[c]
		if s == "" {
			s = rollout.Done
		}
		if s == "missing" {
			continue
		}
		out = append(out, rollout.ShardResult{Ring: r.Name, Shard: i, Commit: "abc",
			Stacks: []rollout.StackResult{{Customer: c, Status: s, Error: "boom"}}, File: c})
	}
	return out
}

// The halt rule: more than haltAbove of the started stacks failed; stacks
// not started count neither way, but halt the ring as unfinished.
func TestCountThreshold(t *testing.T) {
	p := rollout.Plan{Commit: "abc", HaltAbove: 0.1}
	r := ringOf(10)
	one := Count(p, r, results(r, map[string]rollout.Status{"c03": rollout.Failed}))
	assert.Equal(t, []string{"c03"}, one.Failed)
	assert.Equal(t, 10, one.Started())
	assert.False(t, one.AboveThreshold(), "1 of 10 is 10%%, not above it")
	assert.False(t, one.Halts())
	two := Count(p, r, results(r, map[string]rollout.Status{"c03": rollout.Failed, "c07": rollout.Failed}))
	assert.True(t, two.AboveThreshold(), "2 of 10")
	assert.True(t, two.Halts())
	// 1 failed of 9 started (c09 not started): above 10%.
	ns := Count(p, r, results(r, map[string]rollout.Status{"c03": rollout.Failed, "c09": "missing"}))
	assert.Equal(t, []string{"c09"}, ns.NotStarted)
	assert.Equal(t, []int{9}, ns.MissingShards)
	assert.Equal(t, 9, ns.Started())
	assert.True(t, ns.AboveThreshold())
	only := Count(p, r, results(r, map[string]rollout.Status{"c09": rollout.NotStarted}))
	assert.False(t, only.AboveThreshold())
	assert.True(t, only.Halts(), "a ring not finished halts")
	assert.Empty(t, only.MissingShards, "the shard reported, the stack was not started")
	zero := Count(rollout.Plan{Commit: "abc", HaltAbove: 0}, r, results(r, map[string]rollout.Status{"c01": rollout.Failed}))
	assert.True(t, zero.Halts(), "haltAbove 0: any failure halts")
}

// A shard run twice counts as far as it got; results of another commit,
// ring or stack are ignored, with a note.
func TestCountDuplicatesAndStrangers(t *testing.T) {
	p := rollout.Plan{Commit: "abc", HaltAbove: 0.1}
	r := ringOf(2)
	res := results(r, map[string]rollout.Status{"c00": rollout.Failed})
	res = append(res,
		rollout.ShardResult{Ring: r.Name, Shard: 0, Commit: "abc", File: "rerun", Stacks: []rollout.StackResult{{Customer: "c00", Status: rollout.SkippedDone}}},
		rollout.ShardResult{Ring: r.Name, Shard: 1, Commit: "old", File: "old", Stacks: []rollout.StackResult{{Customer: "c01", Status: rollout.Failed}}},
		rollout.ShardResult{Ring: "canary", Shard: 0, Commit: "abc", File: "canary", Stacks: []rollout.StackResult{{Customer: "x", Status: rollout.Failed}}},
		rollout.ShardResult{Ring: r.Name, Shard: 1, Commit: "abc", File: "stranger", Stacks: []rollout.StackResult{{Customer: "zz", Status: rollout.Done}, {Customer: "c01", Status: "weird"}}},
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
