package rehearse

import (
	"slices"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/auto/events"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// Change is one step of the engine's plan: what it does to one resource.
type Change struct {
	// Op is the engine's operation: create, update, replace, delete, same...
	Op apitype.OpType
	// URN is the resource's URN.
	URN string
	// Type is the resource's type token.
	Type string
	// Name is the resource's logical name.
	Name string
	// Diffs are the top-level inputs that differ, from the engine's diff
	// keys or, where it gives none (imports), its detailed diff.
	Diffs []string
	// Replaces are the inputs that force a replacement.
	Replaces []string
	// Old and New are the resource's inputs before and after the step, as
	// the engine reports them (nil for a create or a delete respectively).
	// Secrets are shown as "[secret]".
	Old, New map[string]any
}

// Result is what a preview, up or destroy did, as the engine reported it.
type Result struct {
	// Changes are the engine's steps, in the order it reported them; steps
	// that change nothing ("same") are left out.
	Changes []Change
	// Summary counts resources by operation, "same" included.
	Summary map[apitype.OpType]int
}

// Find returns the changes to resources of type token.
func (r Result) Find(token string) []Change {
	var out []Change
	for _, c := range r.Changes {
		if c.Type == token {
			out = append(out, c)
		}
	}
	return out
}

// collector gathers the engine's resource steps from its event stream.
type collector struct {
	events  chan events.EngineEvent
	done    chan struct{}
	changes []Change
}

func newCollector() *collector {
	c := &collector{events: make(chan events.EngineEvent), done: make(chan struct{})}
	go func() {
		defer close(c.done)
		for e := range c.events {
			pre := e.ResourcePreEvent
			if pre == nil || pre.Metadata.Op == apitype.OpSame {
				continue
			}
			m := pre.Metadata
			change := Change{
				Op: m.Op, URN: m.URN, Type: m.Type, Name: resource.URN(m.URN).Name(),
				Diffs: slices.Clone(m.Diffs), Replaces: slices.Clone(m.Keys),
			}
			if len(change.Diffs) == 0 && len(m.DetailedDiff) > 0 {
				for path := range m.DetailedDiff {
					top := path
					if i := strings.IndexAny(path, ".["); i > 0 {
						top = path[:i]
					}
					if !slices.Contains(change.Diffs, top) {
						change.Diffs = append(change.Diffs, top)
					}
				}
				slices.Sort(change.Diffs)
			}
			if m.Old != nil {
				change.Old = m.Old.Inputs
			}
			if m.New != nil {
				change.New = m.New.Inputs
			}
			c.changes = append(c.changes, change)
		}
	}()
	return c
}

// result waits for the stream to end (the Automation API closes it when the
// operation is over) and returns what it carried.
func (c *collector) result(summary map[string]int) Result {
	<-c.done
	r := Result{Changes: c.changes, Summary: map[apitype.OpType]int{}}
	for op, n := range summary {
		r.Summary[apitype.OpType(op)] = n
	}
	return r
}
