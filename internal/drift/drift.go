// Package drift finds what Azure has that the last deployment did not make:
// the scheduled drift check of the fleet. For each customer's stack it
// previews a refresh (`pulumi refresh --preview-only`, which reads every
// resource from Azure and writes nothing), collects from the engine's events
// which properties of which resources Azure reports differently from the
// state, and classifies the stack:
//
//   - KindFailover: Azure moved the Cosmos DB account's write region on its
//     own (service-managed failover during an outage), so Azure's write
//     region is not the stack file's dr.writeRegion. A release would fail
//     back by restating the old one; `drctl record` records what Azure did.
//   - KindDrift: other properties differ, per resource and property.
//   - KindNone: Azure is as deployed.
//   - KindFailed: the check itself failed, with the error.
//
// Shards of the fleet each write a Report as JSON; Summarize merges them
// into one Markdown report, the body of one GitHub issue.
package drift

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/fhir-dr/fhir-dr/azure/cosmosdb"
	"github.com/fhir-dr/fhir-dr/azure/regions"
	"github.com/fhir-dr/fhir-dr/drconfig"
)

// Kind is what the check found for a stack.
type Kind string

// The kinds, in the order the summary lists them: the most urgent first.
const (
	// KindFailover is a failover Azure made on its own.
	KindFailover Kind = "failover"
	// KindDrift is any other difference between Azure and the state.
	KindDrift Kind = "drift"
	// KindFailed is a check that did not complete.
	KindFailed Kind = "failed"
	// KindNone is no drift.
	KindNone Kind = "none"
)

// Kinds are the kinds in the summary's order.
var Kinds = []Kind{KindFailover, KindDrift, KindFailed, KindNone}

// ReportVersion is the version of the Report JSON shape; Summarize refuses
// another.
const ReportVersion = 1

// Report is what one shard of the check found: the JSON a shard job writes
// (drctl drift --json --out FILE) and Summarize reads.
type Report struct {
	// Version is ReportVersion.
	Version int `json:"version"`
	// Shard is the shard's index, 0-based; 0 when the stacks were named.
	Shard int `json:"shard"`
	// Of is the number of shards; 1 when the stacks were named.
	Of int `json:"of"`
	// CheckedAt is when the shard's check started, UTC.
	CheckedAt time.Time `json:"checkedAt"`
	// Stacks are the stacks' results, in the order they were checked.
	Stacks []Stack `json:"stacks"`
}

// Stack is the result of one customer's stack.
type Stack struct {
	// Customer is the stack.
	Customer string `json:"customer"`
	// Kind is what the check found.
	Kind Kind `json:"kind"`
	// CheckedAt is when the stack's check ended, UTC.
	CheckedAt time.Time `json:"checkedAt"`
	// Failover is the failover Azure made on its own; KindFailover only.
	Failover *Failover `json:"failover,omitempty"`
	// Resources are the resources whose properties differ, failover
	// priorities left out when Failover or a note accounts for them.
	Resources []Resource `json:"resources,omitempty"`
	// Notes are differences that need no action, such as a recorded
	// failover the state has not caught up with.
	Notes []string `json:"notes,omitempty"`
	// Error is why the check failed; KindFailed only.
	Error string `json:"error,omitempty"`
	// Message says in a sentence what was found.
	Message string `json:"message"`
	// Command is the one command that deals with it; "" for KindNone.
	Command string `json:"command,omitempty"`
}

// Failover is a write region Azure moved on its own.
type Failover struct {
	// Account is the Cosmos DB account's name.
	Account string `json:"account"`
	// AzureWriteRegion is the region that takes writes in Azure.
	AzureWriteRegion string `json:"azureWriteRegion"`
	// StackWriteRegion is the stack file's dr.writeRegion (the primary
	// region when it has none).
	StackWriteRegion string `json:"stackWriteRegion"`
	// StateWriteRegion is the write region in the Pulumi state, "" when it
	// has none.
	StateWriteRegion string `json:"stateWriteRegion,omitempty"`
}

// Resource is one resource Azure reports differently from the state.
type Resource struct {
	// URN is the resource's URN.
	URN string `json:"urn"`
	// Type is its type token.
	Type string `json:"type"`
	// Name is its logical name.
	Name string `json:"name"`
	// Change is "update" (properties differ) or "delete" (Azure no
	// longer has it).
	Change string `json:"change"`
	// Properties are the properties that differ; none for a delete.
	Properties []Property `json:"properties,omitempty"`
}

// Property is one property Azure reports differently from the state.
type Property struct {
	// Path is the property's path in the resource's inputs, such as
	// "tags.owner" or "locations[1].failoverPriority".
	Path string `json:"path"`
	// Change is "add" (Azure has it, the state does not), "delete" (the
	// state has it, Azure does not) or "update".
	Change string `json:"change"`
	// State is the value in the state; absent for an add.
	State any `json:"state,omitempty"`
	// Azure is the value Azure reports; absent for a delete.
	Azure any `json:"azure,omitempty"`
}

// Observed is one resource as the refresh preview saw it: what the engine
// reports in its events, independent of the engine's types so that the
// classification is tested without an engine.
type Observed struct {
	// URN, Type and Name identify the resource.
	URN, Type, Name string
	// Op is the refresh's result: "same", "update" or "delete".
	Op string
	// Diffs are the top-level inputs that differ.
	Diffs []string
	// DetailedDiff maps the paths that differ to their change ("add",
	// "delete", "update"; a "-replace" suffix is dropped).
	DetailedDiff map[string]string
	// State are the resource's inputs in the state.
	State map[string]any
	// Azure are the inputs Azure reports; nil when Azure no longer has it.
	Azure map[string]any
	// AzureOutputs are the outputs Azure reports.
	AzureOutputs map[string]any
}

// Classify turns what the refresh preview of customer's stack observed (or
// the error that stopped it) into the stack's result. cfg is the stack
// file's configuration; at is when the check ended.
func Classify(customer string, cfg *drconfig.Config, observed []Observed, checkErr error, at time.Time) Stack {
	s := Stack{Customer: customer, CheckedAt: at.UTC()}
	if checkErr == nil && cfg == nil {
		checkErr = fmt.Errorf("%s: no configuration", customer)
	}
	if checkErr != nil {
		s.Kind, s.Error = KindFailed, checkErr.Error()
		s.Message = fmt.Sprintf("the drift check of %s failed: %s", customer, firstLine(s.Error))
		s.Command = fmt.Sprintf("drctl drift --stacks %s", customer)
		return s
	}
	declared := cfg.PrimaryRegion
	if cfg.DR.Enabled && cfg.DR.WriteRegion != "" {
		declared = cfg.DR.WriteRegion
	}
	for _, o := range observed {
		if o.Type == cosmosdb.DatabaseAccountToken && o.Azure != nil {
			s.classifyAccount(o, declared)
		}
		if o.Op == "delete" {
			s.Resources = append(s.Resources, Resource{URN: o.URN, Type: o.Type, Name: o.Name, Change: "delete"})
			continue
		}
		if o.Op != "update" {
			continue
		}
		props := properties(o)
		if o.Type == cosmosdb.DatabaseAccountToken && priorityOnly(o.State, o.Azure) {
			// The failover (or the note) accounts for the priorities.
			props = slices.DeleteFunc(props, func(p Property) bool { return topLevel(p.Path) == "locations" })
		}
		if len(props) > 0 {
			s.Resources = append(s.Resources, Resource{URN: o.URN, Type: o.Type, Name: o.Name, Change: "update", Properties: props})
		}
	}
	switch {
	case s.Failover != nil && cfg.DR.FailoverIntent != nil:
		// drctl failover or failback is under way (or stopped halfway):
		// Azure moved because of it, and drctl record refuses until the
		// same command finishes it.
		i := cfg.DR.FailoverIntent
		s.Kind = KindFailover
		s.Message = fmt.Sprintf("a write-region change is in progress (dr.failoverIntent: %s): Azure takes writes in %s, "+
			"the stack file still says %s until the change is finished and recorded", i, s.Failover.AzureWriteRegion, s.Failover.StackWriteRegion)
		s.Command = finishCommand(customer, i)
	case s.Failover != nil:
		f := s.Failover
		s.Kind = KindFailover
		s.Message = fmt.Sprintf("Azure failed over to %s on its own (seen by the drift check at %s): %s's account %s takes writes in %s, "+
			"but its stack file says %s, and a release would fail back", f.AzureWriteRegion, s.CheckedAt.Format(time.RFC3339),
			customer, f.Account, f.AzureWriteRegion, f.StackWriteRegion)
		if n := len(s.Resources); n > 0 {
			s.Message += fmt.Sprintf("; %s also %s", count(n, "resource"), differ(n))
		}
		s.Command = fmt.Sprintf("drctl record %s --ticket <incident>", customer)
	case len(s.Resources) > 0:
		s.Kind = KindDrift
		s.Message = describe(s.Resources)
		s.Command = fmt.Sprintf("drctl refresh --stacks %s", customer)
	default:
		s.Kind = KindNone
		s.Message = "Azure is as deployed"
	}
	return s
}

// finishCommand is the drctl command that finishes the change a failover
// intent records: the same command again, which continues from Azure's
// state (docs/runbook.md, "If the run stopped halfway").
func finishCommand(customer string, i *drconfig.FailoverIntent) string {
	cmd := fmt.Sprintf("drctl failover %s --ticket %s", customer, i.Ticket)
	switch i.Action {
	case drconfig.ActionFailback:
		cmd = fmt.Sprintf("drctl failback %s --ticket %s", customer, i.Ticket)
	case drconfig.ActionForcedFailover:
		cmd += " --forced"
	case drconfig.ActionDrill:
		cmd += " --drill"
	}
	return cmd
}

// classifyAccount compares the write region Azure reports for the account
// with the stack file's.
func (s *Stack) classifyAccount(o Observed, declared string) {
	azure := writeRegion(o.Azure, o.AzureOutputs)
	if azure == "" {
		return
	}
	state := writeRegion(o.State, nil)
	if !regions.Same(azure, declared) {
		name, _ := o.Azure["accountName"].(string)
		if name == "" {
			name = o.Name
		}
		s.Failover = &Failover{Account: name, AzureWriteRegion: azure, StackWriteRegion: declared, StateWriteRegion: state}
		return
	}
	if state != "" && !regions.Same(state, azure) {
		s.Notes = append(s.Notes, fmt.Sprintf("%s takes writes in Azure, as the stack file records; the state still says %s "+
			"and catches up at the next release", azure, state))
	}
}

// writeRegion is the location with failover priority 0 in inputs (the
// account's locations), else the first of outputs' writeLocations; "" when
// neither says.
func writeRegion(inputs, outputs map[string]any) string {
	if locs, ok := inputs["locations"].([]any); ok {
		for _, l := range locs {
			m, _ := l.(map[string]any)
			if p, ok := m["failoverPriority"].(float64); ok && p == 0 {
				if name, ok := m["locationName"].(string); ok {
					return name
				}
			}
		}
	}
	if locs, ok := outputs["writeLocations"].([]any); ok && len(locs) > 0 {
		if m, ok := locs[0].(map[string]any); ok {
			name, _ := m["locationName"].(string)
			return name
		}
	}
	return ""
}

// priorityOnly reports whether the account's locations in state and Azure
// differ in failover priorities alone: the same regions, the same settings.
func priorityOnly(state, azure map[string]any) bool {
	norm := func(v any) string {
		locs, _ := v.([]any)
		var out []string
		for _, l := range locs {
			m, ok := l.(map[string]any)
			if !ok {
				return ""
			}
			c := map[string]any{}
			for k, v := range m {
				if k != "failoverPriority" {
					c[k] = v
				}
			}
			b, _ := json.Marshal(c) // sorted keys
			out = append(out, string(b))
		}
		slices.Sort(out)
		return strings.Join(out, "\n")
	}
	a, b := norm(state["locations"]), norm(azure["locations"])
	return a != "" && a == b
}

// properties are the observed resource's differing properties, from the
// detailed diff where the engine gives one, else its top-level keys; a
// path whose values are objects or lists of the same length on both sides
// (a provider may report "tags" for one tag added) is broken down into
// the properties within it that differ.
func properties(o Observed) []Property {
	var props []Property
	add := func(path, change string) {
		sv, inState := lookup(o.State, path)
		av, inAzure := lookup(o.Azure, path)
		switch {
		case change == "add" || !inState:
			props = append(props, Property{Path: path, Change: "add", Azure: av})
		case change == "delete" || !inAzure:
			props = append(props, Property{Path: path, Change: "delete", State: sv})
		default:
			if leaves := compare(path, sv, av); len(leaves) > 0 {
				props = append(props, leaves...)
			} else {
				// Equal inputs: what differs is not in them (an output);
				// the engine's word stands.
				props = append(props, Property{Path: path, Change: "update", State: sv, Azure: av})
			}
		}
	}
	if len(o.DetailedDiff) > 0 {
		for _, path := range sortedKeys(o.DetailedDiff) {
			add(path, o.DetailedDiff[path])
		}
	} else {
		for _, key := range slices.Sorted(slices.Values(o.Diffs)) {
			add(key, "update")
		}
	}
	slices.SortStableFunc(props, func(a, b Property) int { return strings.Compare(a.Path, b.Path) })
	return slices.CompactFunc(props, func(a, b Property) bool { return a.Path == b.Path })
}

// compare returns the properties at or below path where the state's value
// sv and Azure's av differ: objects key by key, lists of the same length
// element by element, anything else as a whole.
func compare(path string, sv, av any) []Property {
	switch s := sv.(type) {
	case map[string]any:
		a, ok := av.(map[string]any)
		if !ok {
			break
		}
		var out []Property
		keys := sortedKeys(s)
		for k := range a {
			if _, ok := s[k]; !ok {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		for _, k := range keys {
			child := childPath(path, k)
			x, inState := s[k]
			y, inAzure := a[k]
			switch {
			case !inState:
				out = append(out, Property{Path: child, Change: "add", Azure: y})
			case !inAzure:
				out = append(out, Property{Path: child, Change: "delete", State: x})
			default:
				out = append(out, compare(child, x, y)...)
			}
		}
		return out
	case []any:
		a, ok := av.([]any)
		if !ok || len(a) != len(s) {
			break
		}
		var out []Property
		for i := range s {
			out = append(out, compare(fmt.Sprintf("%s[%d]", path, i), s[i], a[i])...)
		}
		return out
	}
	if equal(sv, av) {
		return nil
	}
	return []Property{{Path: path, Change: "update", State: sv, Azure: av}}
}

// equal compares two JSON-shaped values.
func equal(a, b any) bool {
	x, errX := json.Marshal(a)
	y, errY := json.Marshal(b)
	return errX == nil && errY == nil && string(x) == string(y)
}

// childPath is the path of key within path: "tags.owner", or
// `tags["cost-center"]` for a key that is not a plain name.
func childPath(path, key string) string {
	plain := key != ""
	for _, r := range key {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			plain = false
		}
	}
	switch {
	case !plain:
		b, _ := json.Marshal(key)
		return path + "[" + string(b) + "]"
	case path == "":
		return key
	}
	return path + "." + key
}

// lookup finds the value at a property path ("a.b[2].c", `a["x.y"]`) in
// inputs.
func lookup(inputs map[string]any, path string) (any, bool) {
	var cur any = inputs
	for _, el := range splitPath(path) {
		switch v := cur.(type) {
		case map[string]any:
			next, ok := v[el]
			if !ok {
				return nil, false
			}
			cur = next
		case []any:
			var i int
			if _, err := fmt.Sscanf(el, "%d", &i); err != nil || i < 0 || i >= len(v) {
				return nil, false
			}
			cur = v[i]
		default:
			return nil, false
		}
	}
	return cur, true
}

// splitPath splits a Pulumi property path into its elements: keys and
// indexes, quoted keys unquoted.
func splitPath(path string) []string {
	var els []string
	for len(path) > 0 {
		switch path[0] {
		case '.':
			path = path[1:]
		case '[':
			end := strings.IndexByte(path, ']')
			if strings.HasPrefix(path, `["`) {
				if q := strings.Index(path[2:], `"]`); q >= 0 {
					els = append(els, path[2:2+q])
					path = path[2+q+2:]
					continue
				}
			}
			if end < 0 {
				return append(els, path[1:])
			}
			els = append(els, path[1:end])
			path = path[end+1:]
		default:
			end := strings.IndexAny(path, ".[")
			if end < 0 {
				end = len(path)
			}
			els = append(els, path[:end])
			path = path[end:]
		}
	}
	return els
}

// topLevel is a path's first element.
func topLevel(path string) string {
	if els := splitPath(path); len(els) > 0 {
		return els[0]
	}
	return path
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// count is "1 thing" or "n things".
func count(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	if strings.HasSuffix(thing, "y") {
		return fmt.Sprintf("%d %sies", n, strings.TrimSuffix(thing, "y"))
	}
	return fmt.Sprintf("%d %ss", n, thing)
}

// describe says how resources differ: "2 properties in 1 resource differ
// from the last deployment; 1 resource is gone from Azure".
func describe(resources []Resource) string {
	props, updated, deleted := 0, 0, 0
	for _, r := range resources {
		if r.Change == "delete" {
			deleted++
			continue
		}
		updated++
		props += len(r.Properties)
	}
	var parts []string
	if updated > 0 {
		parts = append(parts, fmt.Sprintf("%s in %s %s from the last deployment", count(props, "property"), count(updated, "resource"), differ(props)))
	}
	if deleted > 0 {
		verb := "are"
		if deleted == 1 {
			verb = "is"
		}
		parts = append(parts, fmt.Sprintf("%s %s gone from Azure", count(deleted, "resource"), verb))
	}
	return strings.Join(parts, "; ")
}

// differ is "differs" for one, "differ" for more.
func differ(n int) string {
	if n == 1 {
		return "differs"
	}
	return "differ"
}

// firstLine is s's first non-empty line.
func firstLine(s string) string {
	for _, line := range strings.Split(s, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			return line
		}
	}
	return s
}
