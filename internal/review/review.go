package review

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/fhir-dr/fhir-dr/stackfile"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"golang.org/x/sync/errgroup"

	"github.com/fhir-dr/fhir-dr/azure/containerservice"
	"github.com/fhir-dr/fhir-dr/drconfig"
	"github.com/fhir-dr/fhir-dr/internal/engine"
	"github.com/fhir-dr/fhir-dr/internal/gitexec"
	"github.com/fhir-dr/fhir-dr/internal/render"
	"github.com/fhir-dr/fhir-dr/internal/renderfleet"
	"github.com/fhir-dr/fhir-dr/internal/topology"
)

// Options configure Run.
type Options struct {
	// ProjectRoot is the top of the project's git repository. Required.
	ProjectRoot string
	// Base is the git revision to compare with. Required.
	Base string
	// Program is the current program (inline) and Deploy its declaration
	// under mocks. Required.
	Program pulumi.RunFunc
	Deploy  render.Program
	// DeployConfig is the current program for a configuration already
	// loaded and validated (program.DeployConfig): what a program change
	// renders every stack with. Optional; defaults to Deploy.
	DeployConfig renderfleet.Program
	// RehearseAll rehearses every stack a program change touches through
	// the engine, as before the rendered review, instead of a
	// representative set (rendered.go). Optional.
	RehearseAll bool
	// CLIRoot is where the Pulumi CLI is; optional, see engine.SessionOptions.
	CLIRoot string
	// EngineLog receives the engine's own output. Optional.
	EngineLog io.Writer
	// Parallel is the number of stacks reviewed at once. Optional;
	// defaults to the number of CPUs.
	Parallel int
	// Now is the clock write-region records are checked against.
	// Optional; defaults to time.Now.
	Now func() time.Time

	// commit is Base resolved, what every git command is given.
	commit string
}

// Report is the review of a change.
type Report struct {
	// Base is the revision compared with, and BaseCommit its hash.
	Base       string `json:"base"`
	BaseCommit string `json:"baseCommit"`
	// AllStacks is true when the program changed; Reason names the file.
	AllStacks bool   `json:"allStacks"`
	Reason    string `json:"reason,omitempty"`
	// Rendered is true when the program changed and every stack was
	// rendered at the base (by the base's own drctl render-fleet) and at
	// the head and the plans diffed, so that only a representative set of
	// stacks was rehearsed (StackReview.Rehearsed says which, and why).
	Rendered bool `json:"rendered,omitempty"`
	// RenderFallback says why a program change was rehearsed stack by
	// stack instead, such as a base whose drctl has no render-fleet; ""
	// when it was rendered, or when the program did not change.
	RenderFallback string `json:"renderFallback,omitempty"`
	// Shapes are the plan shapes of the stacks a rendered program change
	// touches, in the order of their first stack; nil unless Rendered.
	Shapes []Shape `json:"shapes,omitempty"`
	// Stacks are the reviewed stacks, by customer.
	Stacks []StackReview `json:"stacks"`
}

// Shape is one plan shape of a fleet: the stacks whose configurations
// declare the same kinds of resources in the same layout (planShape).
type Shape struct {
	// Label describes it, e.g. "full tier, 2 regions, zones primary, private API server".
	Label string `json:"label"`
	// Stacks counts its stacks.
	Stacks int `json:"stacks"`
	// Representative is its first stack by name, which the engine
	// rehearsed.
	Representative string `json:"representative"`
	// Rehearsed counts its stacks the engine rehearsed (the
	// representative, and those with a reason of their own).
	Rehearsed int `json:"rehearsed"`
}

// Hazardous reports whether anything in the report must stop the change.
func (r *Report) Hazardous() bool {
	for _, s := range r.Stacks {
		if len(s.Hazards) > 0 || s.EngineError != "" {
			return true
		}
	}
	return false
}

// StackReview is what the change does to one customer's stack.
type StackReview struct {
	// Customer is the stack.
	Customer string `json:"customer"`
	// New is true when the stack did not exist at the base.
	New bool `json:"new,omitempty"`
	// Removed is true when the stack file was deleted.
	Removed bool `json:"removed,omitempty"`
	// Changes are the engine's planned steps.
	Changes []Change `json:"changes"`
	// Counts count the changes by operation.
	Counts map[string]int `json:"counts"`
	// Hazards are the changes that must not be made.
	Hazards []Hazard `json:"hazards"`
	// Verdict is what to do about the change: the advice of its most
	// severe hazard (Hazards come most severe first), or of the engine's
	// refusal; "" when the change may go ahead.
	Verdict string `json:"verdict,omitempty"`
	// Notes explain changes that are in order, such as a recorded
	// failover.
	Notes []string `json:"notes,omitempty"`
	// EngineError is the engine's (or the stand-in's, or the policy
	// pack's) refusal, "" when the preview succeeded.
	EngineError string `json:"engineError,omitempty"`
	// Refusals are EngineError's lines as the comment shows them: which
	// resource, which input, and why, without the engine's dump of the
	// value or its advice to unprotect a resource.
	Refusals []string `json:"refusals,omitempty"`
	// Base and Head are the stack's tier, modeled RPO and RTO and cost of
	// DR as the base's stack file and the working tree's declare them; nil
	// where the stack file does not exist or does not load.
	Base *Figures `json:"base,omitempty"`
	Head *Figures `json:"head,omitempty"`
	// Before and After are Mermaid diagrams of the topology.
	Before string `json:"before,omitempty"`
	After  string `json:"after,omitempty"`
	// Rehearsed is true when the real engine previewed the change against
	// the state the base deploys; false when the stack got the diff of
	// the rendered plans (base and head under mocks) and its hazard
	// checks only, as most stacks of a program change do.
	Rehearsed bool `json:"rehearsed"`
	// RehearsedBecause says why the stack was chosen for the engine, e.g.
	// "its stack file changed", "the first of its plan shape (full, 2
	// regions, zones, adopted)", "its rendered diff has a hazard".
	RehearsedBecause []string `json:"rehearsedBecause,omitempty"`
	// Shape is the label of the stack's plan shape (Report.Shapes), set
	// when the review rendered the fleet.
	Shape string `json:"shape,omitempty"`
	// RepresentedBy is, for a stack not rehearsed, the stack of its plan
	// shape that was: what the engine did to that one is what this one's
	// rendered diff stands in for.
	RepresentedBy string `json:"representedBy,omitempty"`
}

// Change is one planned step.
type Change struct {
	// Op is the engine's operation.
	Op string `json:"op"`
	// Type and Name identify the resource.
	Type string `json:"type"`
	Name string `json:"name"`
	// Fields are the inputs that change, old -> new.
	Fields []FieldChange `json:"fields,omitempty"`
	// Replaces are the inputs that force a replacement.
	Replaces []string `json:"replaces,omitempty"`
}

// FieldChange is one changed input.
type FieldChange struct {
	Path string `json:"path"`
	Old  string `json:"old"`
	New  string `json:"new"`
}

// Run reviews every stack the change since opts.Base touches.
func Run(ctx context.Context, opts Options) (*Report, error) {
	commit, err := gitexec.Commit(ctx, opts.ProjectRoot, opts.Base)
	if err != nil {
		return nil, fmt.Errorf("review: %w", err)
	}
	opts.commit = commit
	if opts.Now == nil {
		opts.Now = time.Now
	}
	changed, err := ChangedStacks(ctx, opts.ProjectRoot, commit)
	if err != nil {
		return nil, err
	}
	report := &Report{Base: opts.Base, BaseCommit: commit, AllStacks: changed.All, Reason: changed.Reason}
	for _, c := range changed.Removed {
		report.Stacks = append(report.Stacks, StackReview{Customer: c, Removed: true, Counts: map[string]int{}, Hazards: []Hazard{{
			Kind:    StackRemoved,
			Message: fmt.Sprintf("the stack file of %s is deleted: the pipeline would stop managing the customer's resources, which stay in Azure", c),
			Advice:  "Offboard with the documented procedure (disable DR first, then remove the stack) instead.",
		}}})
	}
	// What must be one customer's alone is checked across the working
	// tree's stacks first, without the engine (fleet.go).
	if stop, err := addFleetConflicts(report, opts.ProjectRoot); err != nil {
		return nil, err
	} else if stop {
		return finish(ctx, report, opts)
	}
	if len(changed.Stacks) == 0 {
		return finish(ctx, report, opts)
	}
	var reviews []StackReview
	if changed.All && !opts.RehearseAll {
		reviews, err = reviewProgramChange(ctx, opts, changed, report)
	} else {
		reviews, err = reviewAll(ctx, opts, changed.Stacks)
		why := ""
		if changed.All {
			why = becauseRehearseAll
		}
		for i := range reviews {
			reviews[i].RehearsedBecause = ownReasons(reviews[i], changed, why)
		}
	}
	if err != nil {
		return nil, err
	}
	report.Stacks = append(report.Stacks, reviews...)
	slices.SortFunc(report.Stacks, func(a, b StackReview) int { return strings.Compare(a.Customer, b.Customer) })
	return finish(ctx, report, opts)
}

// finish gives every stack of the report its figures at the base and the
// head, and its verdict (decide).
func finish(ctx context.Context, r *Report, opts Options) (*Report, error) {
	if err := addFigures(ctx, r, opts.ProjectRoot, opts.commit); err != nil {
		return nil, err
	}
	for i := range r.Stacks {
		decide(&r.Stacks[i])
	}
	return r, nil
}

// reviewAll reviews the stacks with as many workers as there are CPUs
// (opts.Parallel when set), each with a rehearsal session of its own: a
// change to the program touches every stack of the fleet, and each review
// is a few engine runs. A worker's engine output reaches opts.EngineLog in
// one piece when it is done.
func reviewAll(ctx context.Context, opts Options, customers []string) ([]StackReview, error) {
	workers := opts.Parallel
	if workers < 1 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, len(customers))
	results := make([]StackReview, len(customers))
	next := make(chan int)
	var logMu sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	for range workers {
		g.Go(func() error {
			var buf bytes.Buffer
			defer func() {
				if opts.EngineLog != nil {
					logMu.Lock()
					_, _ = opts.EngineLog.Write(buf.Bytes())
					logMu.Unlock()
				}
			}()
			session, err := engine.NewSession(engine.SessionOptions{
				ProjectRoot: opts.ProjectRoot, CLIRoot: opts.CLIRoot, Program: opts.Program, Out: &buf, PolicyPack: true,
			})
			if err != nil {
				return err
			}
			defer session.Close()
			for i := range next {
				sr, err := reviewStack(gctx, session, opts, customers[i])
				if err != nil {
					return fmt.Errorf("reviewing %s: %w", customers[i], err)
				}
				results[i] = sr
			}
			return nil
		})
	}
	g.Go(func() error {
		defer close(next)
		for i := range customers {
			select {
			case next <- i:
			case <-gctx.Done():
				return gctx.Err()
			}
		}
		return nil
	})
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return results, nil
}

func reviewStack(ctx context.Context, session *engine.Session, opts Options, customer string) (StackReview, error) {
	sr := StackReview{Customer: customer, Counts: map[string]int{}, Hazards: []Hazard{}, Changes: []Change{}, Rehearsed: true}
	path := filepath.Join(opts.ProjectRoot, stackfile.Path(customer))
	config, err := os.ReadFile(path)
	if err != nil {
		return sr, err
	}
	st, err := session.Stack(ctx, customer, config)
	if err != nil {
		return sr, err
	}
	// The stack file as the change leaves it and as the base had it; nil
	// when it does not load (the engine then says why).
	curConfig, _ := drconfig.LoadFile(path)
	if h := intentHazard(curConfig); h != nil {
		sr.Hazards = append(sr.Hazards, *h)
	}
	var baseConfig *drconfig.Config
	var base []Resource
	if err := seedAdopted(ctx, session, opts, customer); err != nil {
		return sr, err
	}
	switch _, err := session.DeployRevision(ctx, st, opts.commit); {
	case errors.Is(err, engine.ErrNotAtRevision):
		sr.New = true
		if rr := reviewRecord(nil, curConfig, nil, opts.Now()); rr.Changed && !rr.Verified() {
			sr.Hazards = append(sr.Hazards, recordHazard("", curConfig.DR.WriteRegionChange, rr.Problems))
		}
	case err != nil:
		return sr, err
	default:
		if base, err = stateResources(ctx, st); err != nil {
			return sr, err
		}
		baseConfig, _ = configAt(ctx, opts.ProjectRoot, opts.commit, customer)
		// A failover recorded by drctl failover happened in Azure already:
		// the rehearsal does it in the stand-in too, and the release only
		// brings code and state in line. Only a record that verifies
		// against the base counts.
		deployed := deployedAccount(base)
		switch rr := reviewRecord(baseConfig, curConfig, deployed, opts.Now()); {
		case rr.Verified():
			if !session.Provider().SetWriteRegion(deployed.ID, curConfig.DR.WriteRegion) {
				break
			}
			if _, err := st.Refresh(ctx); err != nil {
				return sr, err
			}
			if base, err = stateResources(ctx, st); err != nil {
				return sr, err
			}
			rec := curConfig.DR.WriteRegionChange
			sr.Notes = append(sr.Notes, fmt.Sprintf("recorded write-region change, verified against the base: %s, Azure request %s. "+
				"Azure made it already; this change records it, so that no release fails back by accident. "+
				"The release checks the record against Azure before it applies (drctl record --verify).", rec, rec.OperationID))
		case rr.Changed:
			urn := ""
			if deployed != nil {
				urn = deployed.URN
			}
			sr.Hazards = append(sr.Hazards, recordHazard(urn, curConfig.DR.WriteRegionChange, rr.Problems))
		}
		sr.Before = topology.Mermaid(customer, toTopology(base))
	}

	// What the working tree declares, for the hazards and the picture; an
	// invalid stack file is the engine error below.
	var current []Resource
	if values, err := drconfig.ReadStackFile(path); err == nil {
		if plan, err := render.Run(customer, values, opts.Deploy); err == nil {
			for _, r := range plan.Resources {
				if r.Custom {
					current = append(current, Resource{URN: r.URN, Type: r.Type, Name: r.Name, Inputs: resource.NewPropertyMapFromMap(r.Inputs)})
				}
			}
			sr.After = topology.Mermaid(customer, toTopology(current))
			hazards, acknowledged := acknowledge(Hazards(base, current), baseConfig, curConfig)
			sr.Hazards = append(sr.Hazards, hazards...)
			sr.Notes = append(sr.Notes, acknowledged...)
		}
	}

	result, err := st.Preview(ctx)
	if err != nil {
		sr.EngineError = engineError(err)
		sr.Refusals = refusals(sr.EngineError)
	}
	imported := map[string]bool{}
	for _, c := range result.Changes {
		if c.Op == apitype.OpImport {
			imported[c.URN] = true
		}
	}
	for _, c := range result.Changes {
		if c.Op == apitype.OpUpdate && imported[c.URN] {
			sr.Hazards = append(sr.Hazards, Hazard{Kind: AdoptMismatch, URN: c.URN, Message: fmt.Sprintf(
				"adopting the existing %s %s would change it right away (%s): adoption must change nothing",
				c.Type, c.Name, strings.Join(c.Diffs, ", ")),
				Advice: "Declare its settings as they are in Azure, and change them in a later pull request."})
		}
		switch c.Op {
		case apitype.OpCreateReplacement, apitype.OpDeleteReplaced, apitype.OpRead, apitype.OpRefresh:
			continue // parts of a replace, or not changes
		}
		sr.Counts[string(c.Op)]++
		sr.Changes = append(sr.Changes, Change{
			Op: string(c.Op), Type: c.Type, Name: c.Name, Replaces: c.Replaces, Fields: fieldChanges(c.Old, c.New),
		})
	}
	sr.Notes = append(sr.Notes, serviceNotes(sr.Changes)...)
	return sr, nil
}

// clusterType is an AKS cluster, whose replacement takes its FHIR service
// down until the new cluster runs it again.
const clusterType = containerservice.ManagedClusterToken

// stateResources returns the custom resources of the stack's state.
func stateResources(ctx context.Context, st *engine.Stack) ([]Resource, error) {
	d, err := st.Export(ctx)
	if err != nil {
		return nil, err
	}
	var deployment struct {
		Resources []struct {
			URN    string         `json:"urn"`
			Type   string         `json:"type"`
			ID     string         `json:"id"`
			Custom bool           `json:"custom"`
			Inputs map[string]any `json:"inputs"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(d.Deployment, &deployment); err != nil {
		return nil, fmt.Errorf("review: reading state: %w", err)
	}
	var out []Resource
	for _, r := range deployment.Resources {
		if !r.Custom || strings.HasPrefix(r.Type, "pulumi:providers:") {
			continue
		}
		out = append(out, Resource{URN: r.URN, Type: r.Type, Name: resource.URN(r.URN).Name(), ID: r.ID,
			Inputs: resource.NewPropertyMapFromMap(r.Inputs)})
	}
	return out, nil
}

func toTopology(rs []Resource) []topology.Resource {
	out := make([]topology.Resource, 0, len(rs))
	for _, r := range rs {
		out = append(out, topology.Resource{Type: r.Type, Name: r.Name, Inputs: r.Inputs})
	}
	return out
}

// refusals are the lines of an engineError, each as a reader wants it:
//
//   - a failed check, "error: <type> resource '<name>': property <input>
//     value <the engine's dump of it> has a problem: <why>", becomes
//     "<name> (<type>), <input>: <why>", the stand-in's prefix and its
//     advice dropped (the plan shows the value, the verdict says what to
//     do);
//   - a protected resource the plan would replace or delete becomes
//     "<name> (<type>) is protected: the engine refuses to replace or
//     delete it", without the engine's advice to unprotect it;
//   - a policy violation becomes "policy <rule> (<level>), <name>
//     (<type>): <message>";
//   - "error: preview failed", which only says that the others happened,
//     is left out when there are others.
func refusals(engineError string) []string {
	if engineError == "" {
		return nil
	}
	var out []string
	lines := strings.Split(engineError, "\n")
	for _, l := range lines {
		r := readable(l)
		if r == "preview failed" && len(lines) > 1 || slices.Contains(out, r) {
			continue
		}
		out = append(out, r)
	}
	return out
}

var (
	checkFailure = regexp.MustCompile(`^error: (\S+) resource '([^']*)': property (\S+) value .* has a problem: (.*)$`)
	protected    = regexp.MustCompile(`^error: unable to (replace|delete) resource "([^"]*)"(?:\s+as part of (replacing|deleting) "([^"]*)")?\s+as it is currently marked for protection\b`)
	policy       = regexp.MustCompile(`^\S+ \[(\w+)\]\s+(\S+)\s+\((\S+): ([^()]*)\)\s*(.*)$`)
)

func readable(line string) string {
	if m := checkFailure.FindStringSubmatch(line); m != nil {
		why := withoutAdvice(strings.TrimPrefix(m[4], "azure-native stand-in: "))
		return fmt.Sprintf("%s (%s), %s: %s", m[2], m[1], m[3], why)
	}
	if m := protected.FindStringSubmatch(line); m != nil {
		out := fmt.Sprintf("%s is protected: the engine refuses to %s it", urnText(m[2]), m[1])
		if m[3] != "" {
			out += fmt.Sprintf(" as part of %s %s", m[3], urnText(m[4]))
		}
		return out
	}
	if m := policy.FindStringSubmatch(line); m != nil {
		return fmt.Sprintf("policy %s (%s), %s (%s): %s", m[2], m[1], m[4], m[3], m[5])
	}
	return strings.TrimPrefix(line, "error: ")
}

// urnText names a resource by its URN: "<name> (<type>)".
func urnText(urn string) string {
	if u := resource.URN(urn); u.IsValid() {
		return fmt.Sprintf("%s (%s)", u.Name(), u.Type())
	}
	return urn
}

// engineError keeps the lines of the engine's output that say why it
// refused: errors, policy violations and stand-in check failures.
func engineError(err error) string {
	var keep []string
	add := func(l string) {
		if !slices.Contains(keep, l) {
			keep = append(keep, l)
		}
	}
	lines := strings.Split(err.Error(), "\n")
	for i := 0; i < len(lines); i++ {
		l := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(lines[i]), "stderr:"))
		switch {
		case strings.HasPrefix(l, "error:"):
			// An engine error may go on over the next lines.
			for i+1 < len(lines) {
				next := strings.TrimSpace(lines[i+1])
				if next == "" || strings.HasPrefix(next, "error:") || strings.HasPrefix(next, "stderr:") ||
					strings.HasPrefix(next, "stdout:") || strings.HasPrefix(next, "code:") {
					break
				}
				l += " " + next
				i++
			}
			add(l)
		case strings.Contains(l, "[mandatory]"), strings.Contains(l, "azure-native stand-in:"):
			add(l)
		}
	}
	if len(keep) == 0 {
		msg := err.Error()
		if i := strings.Index(msg, "\n"); i > 0 {
			msg = msg[:i]
		}
		return msg
	}
	return strings.Join(keep, "\n")
}

// deployedAccount is the Cosmos DB account of the base's state, nil when
// there is none.
func deployedAccount(base []Resource) *Resource {
	for i := range base {
		if base[i].Type == accountType {
			return &base[i]
		}
	}
	return nil
}

// acknowledge turns the hazards a new dr.acknowledge of the working tree
// names into notes. An acknowledgement the base has already covered an
// earlier change, never this one: its hazards stay, and say so.
func acknowledge(hazards []Hazard, base, cur *drconfig.Config) ([]Hazard, []string) {
	var ack, prior *drconfig.Acknowledgement
	if cur != nil {
		ack = cur.DR.Acknowledge
	}
	if base != nil {
		prior = base.DR.Acknowledge
	}
	fresh := ack != nil && (prior == nil || prior.Ticket != ack.Ticket)
	var out []Hazard
	var notes []string
	for _, h := range hazards {
		switch {
		case !ack.Covers(string(h.Kind)):
			out = append(out, h)
		case fresh:
			// What to do before the release still holds; the hint to
			// acknowledge is done with.
			note := fmt.Sprintf("acknowledged under %s: %s", ack.Ticket, h.Message)
			if advice := strings.TrimSpace(strings.TrimSuffix(h.Advice, ackHint(h.Kind))); advice != "" {
				note += " " + advice
			}
			notes = append(notes, note)
		default:
			h.Message += fmt.Sprintf(" (dr.acknowledge names %s, as the base does: an acknowledgement covers only the change that adds it)", ack.Ticket)
			h.Advice = "If the customer agreed to it, give this change's ticket in dr.acknowledge."
			out = append(out, h)
		}
	}
	return out, notes
}

// configAt loads the customer's stack file as it was at revision rev.
func configAt(ctx context.Context, root, rev, customer string) (*drconfig.Config, error) {
	content, err := git(ctx, root, "show", rev+":"+filepath.ToSlash(stackfile.Path(customer)))
	if err != nil {
		return nil, err
	}
	return loadContent(customer, content)
}
