package engine

import (
	"slices"
	"strings"
	"time"

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

// Outcome is what a preview, up, refresh or destroy did, as the engine
// reported it.
type Outcome struct {
	// Changes are the engine's steps, in the order it reported them; steps
	// that change nothing ("same") are left out.
	Changes []Change
	// Summary counts resources by operation, "same" included.
	Summary map[apitype.OpType]int
}

// Find returns the changes to resources of type token.
func (r Outcome) Find(token string) []Change {
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

// streamWait bounds the wait for the event stream's end after a failed
// operation: the Automation API closes the stream when the engine has sent
// its last event, but nothing closes it when the CLI failed before it
// opened the stream.
var streamWait = 10 * time.Second

// result waits for the stream to end and returns what it carried, with
// summary (the engine's counts per operation). After a failure (failed)
// the wait is bounded, and the steps are left out when the stream did not
// end.
func (c *collector) result(summary *map[string]int, failed bool) Outcome {
	r := Outcome{Summary: map[apitype.OpType]int{}}
	if summary != nil {
		for op, n := range *summary {
			r.Summary[apitype.OpType(op)] = n
		}
	}
	if !failed {
		<-c.done
		r.Changes = c.changes
		return r
	}
	select {
	case <-c.done:
		r.Changes = c.changes
	case <-time.After(streamWait):
	}
	return r
}

// counts is the summary as the release reports it: resources per kind of
// change ("create", "same", ...).
func (r Outcome) counts() map[string]int {
	counts := make(map[string]int, len(r.Summary))
	for op, n := range r.Summary {
		counts[string(op)] = n
	}
	return counts
}
