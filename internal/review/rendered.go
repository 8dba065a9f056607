package review

// The rendered review of a program change. A change of the program touches
// every stack of the fleet, and rehearsing each through the engine takes a
// few seconds: over an hour at 1,000 stacks. Instead every stack is
// rendered under mocks at the base (by the base revision's own drctl
// render-fleet, one process for the whole fleet) and at the head (in this
// process), the two plans are diffed, and the hazard checks run on that
// diff for every stack. The engine rehearses a representative set only:
// the first stack of each plan shape, every stack whose rendered diff has
// a hazard, replaces or deletes anything or could not be made, and every
// stack whose own file changed. Where a rehearsed stack's engine plan
// disagrees with its rendered diff, the render mispredicted that plan
// shape: a render-mismatch hazard says so, and the other stacks of the
// shape say whom to believe.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"golang.org/x/sync/errgroup"

	"github.com/fhir-dr/fhir-dr/drconfig"
	"github.com/fhir-dr/fhir-dr/internal/armrules"
	"github.com/fhir-dr/fhir-dr/internal/engine"
	"github.com/fhir-dr/fhir-dr/internal/renderfleet"
	"github.com/fhir-dr/fhir-dr/stackfile"
)

// RenderMismatch is a rehearsed stack whose engine plan creates, replaces
// or deletes what its rendered diff did not predict: the stacks of its plan
// shape that were not rehearsed got only a rendered diff, which may miss
// the same.
const RenderMismatch HazardKind = "render-mismatch"

// renderMismatchAdvice is what to do about a render mismatch.
const renderMismatchAdvice = "Treat every stack of this plan shape as the engine says for this one: " +
	"review the change with drctl diff --rehearse-all, and fix the render (internal/render, internal/armrules) so that it predicts the engine."

// The reasons a stack of a program change is rehearsed (RehearsedBecause).
const (
	becauseEdited      = "its stack file changed"
	becauseNew         = "its stack file is new"
	becauseNoRender    = "the program changed, and the base cannot render its fleet"
	becauseRehearseAll = "the program changed, and every stack was asked for (--rehearse-all)"
)

// errNoRenderFleet and errOtherFormat are a base revision that cannot
// render its fleet for this review.
var (
	errNoRenderFleet = errors.New("the base revision's drctl has no render-fleet (it predates the rendered review)")
	errOtherFormat   = errors.New("the base revision's drctl render-fleet does not write " + renderfleet.Format)
)

// ownReasons is why a stack rehearsed by reviewAll was: its own file, or
// why (when not "") every stack was.
func ownReasons(sr StackReview, changed Changed, why string) []string {
	switch {
	case slices.Contains(changed.Edited, sr.Customer) && sr.New:
		return []string{becauseNew}
	case slices.Contains(changed.Edited, sr.Customer):
		return []string{becauseEdited}
	case why != "":
		return []string{why}
	}
	return nil
}

// renderedStack is a stack's rendered review and what the selection of the
// representative set needs of it.
type renderedStack struct {
	review StackReview
	// shape is the stack's plan shape (planShape).
	shape string
	// failed says why there is no rendered diff, "" when there is.
	failed string
}

// reviewProgramChange reviews a program change (changed.All): the rendered
// review of every stack and the engine's of the representative set; or,
// when the base cannot render its fleet, the engine's of every stack, with
// report.RenderFallback saying why.
func reviewProgramChange(ctx context.Context, opts Options, changed Changed, report *Report) ([]StackReview, error) {
	dir, err := os.MkdirTemp("", "fhir-dr-diff-")
	if err != nil {
		return nil, fmt.Errorf("review: %w", err)
	}
	defer os.RemoveAll(dir)
	rendered, err := renderAll(ctx, opts, changed, dir)
	if errors.Is(err, errNoRenderFleet) || errors.Is(err, errOtherFormat) {
		report.RenderFallback = err.Error() + ": every stack the program change touches was rehearsed through the engine"
		reviews, err := reviewAll(ctx, opts, changed.Stacks)
		for i := range reviews {
			reviews[i].RehearsedBecause = ownReasons(reviews[i], changed, becauseNoRender)
		}
		return reviews, err
	}
	if err != nil {
		return nil, err
	}
	report.Rendered = true
	reasons, shapes := selectRehearsals(rendered, changed)
	report.Shapes = shapes
	var chosen []string
	for _, r := range rendered {
		if len(reasons[r.review.Customer]) > 0 {
			chosen = append(chosen, r.review.Customer)
		}
	}
	engine, err := reviewAll(ctx, opts, chosen)
	if err != nil {
		return nil, err
	}
	byCustomer := map[string]StackReview{}
	for _, e := range engine {
		byCustomer[e.Customer] = e
	}
	representative := map[string]string{}
	for _, s := range shapes {
		representative[s.Label] = s.Representative
	}
	// A shape whose rehearsed stacks the render mispredicted, and which.
	mispredicted := map[string][]string{}
	out := make([]StackReview, 0, len(rendered))
	for _, r := range rendered {
		sr, ok := byCustomer[r.review.Customer]
		if !ok {
			sr = r.review
			sr.RepresentedBy = representative[r.shape]
		} else {
			sr.Rehearsed, sr.RehearsedBecause = true, reasons[sr.Customer]
			if r.failed == "" && sr.EngineError == "" {
				if h, note := compareWithEngine(r.review.Changes, sr.Changes, r.shape); h != nil || note != "" {
					if h != nil {
						sr.Hazards = append(sr.Hazards, *h)
						mispredicted[r.shape] = append(mispredicted[r.shape], sr.Customer)
					}
					if note != "" {
						sr.Notes = append(sr.Notes, note)
					}
				}
			}
		}
		sr.Shape = r.shape
		out = append(out, sr)
	}
	for i := range out {
		if by := mispredicted[out[i].Shape]; len(by) > 0 && !out[i].Rehearsed {
			out[i].Notes = append(out[i].Notes, fmt.Sprintf("not rehearsed, and the engine's plan for %s, of the same plan shape, differs from its "+
				"rendered diff (render-mismatch): this stack's rendered diff may be wrong the same way; treat it as the engine says for %s",
				strings.Join(by, ", "), strings.Join(by, ", ")))
		}
	}
	return out, nil
}

// renderAll renders the base's fleet with the base's own drctl and each
// changed stack at the head with the current program, and returns the
// rendered review of every stack of changed.Stacks, in that order. The base
// is streamed: a stack's plans are held only while its diff is made, by at
// most opts.Parallel workers.
func renderAll(ctx context.Context, opts Options, changed Changed, dir string) ([]renderedStack, error) {
	baseDir := filepath.Join(dir, "base")
	if err := engine.ExtractRevision(ctx, opts.ProjectRoot, opts.commit, baseDir); err != nil {
		return nil, err
	}
	if _, err := os.Stat(filepath.Join(baseDir, "cmd", "drctl")); err != nil {
		return nil, errNoRenderFleet
	}
	drctl := filepath.Join(dir, "drctl")
	if err := engine.BuildTool(ctx, baseDir, "./cmd/drctl", drctl); err != nil {
		return nil, fmt.Errorf("review: the base's drctl: %w", err)
	}
	workers := opts.Parallel
	if workers < 1 {
		workers = runtime.GOMAXPROCS(0)
	}
	gctx, cancel := context.WithCancel(ctx)
	defer cancel()
	cmd := exec.CommandContext(gctx, drctl, "render-fleet", "--root", baseDir, "--out", "-", "--parallel", strconv.Itoa(workers))
	cmd.Dir = baseDir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("review: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("review: running the base's drctl render-fleet: %w", err)
	}

	index := make(map[string]int, len(changed.Stacks))
	for i, c := range changed.Stacks {
		index[c] = i
	}
	results := make([]renderedStack, len(changed.Stacks))
	type job struct {
		i    int
		base *renderfleet.Stack
	}
	jobs := make(chan job, workers)
	g, wctx := errgroup.WithContext(gctx)
	program := opts.DeployConfig
	if program == nil {
		program = func(*drconfig.Config) func(*pulumi.Context) (pulumi.Map, error) { return opts.Deploy }
	}
	for range workers {
		g.Go(func() error {
			for j := range jobs {
				results[j.i] = reviewRenderedStack(opts, program, baseDir, changed.Stacks[j.i], j.base)
			}
			return nil
		})
	}
	seen := make([]bool, len(changed.Stacks))
	send := func(j job) error {
		select {
		case jobs <- j:
			return nil
		case <-wctx.Done():
			return wctx.Err()
		}
	}
	readErr := renderfleet.Read(stdout, func(st renderfleet.Stack) error {
		i, ok := index[st.Customer]
		if !ok {
			return nil // removed since the base: Run reviews it
		}
		seen[i] = true
		return send(job{i, &st})
	})
	if readErr == nil {
		for i := range changed.Stacks {
			if !seen[i] {
				if readErr = send(job{i, nil}); readErr != nil {
					break
				}
			}
		}
	}
	close(jobs)
	_ = g.Wait()
	if readErr != nil {
		cancel()
		_, _ = io.Copy(io.Discard, stdout)
		waitErr := cmd.Wait()
		switch {
		case strings.Contains(stderr.String(), `unknown command "render-fleet"`):
			return nil, errNoRenderFleet
		case errors.Is(readErr, renderfleet.ErrFormat):
			return nil, fmt.Errorf("%w: it writes another format (%v)", errOtherFormat, readErr)
		}
		return nil, fmt.Errorf("review: the base's drctl render-fleet: %w (%v)\n%s", readErr, waitErr, stderr.String())
	}
	if err := cmd.Wait(); err != nil {
		return nil, fmt.Errorf("review: the base's drctl render-fleet: %w\n%s", err, stderr.String())
	}
	return results, nil
}

// reviewRenderedStack is the rendered review of one stack: the diff of its
// base plan (nil when it is new) and its head plan, with the hazard checks
// reviewStack runs on the engine's state and the working tree's render.
func reviewRenderedStack(opts Options, program renderfleet.Program, baseDir, customer string, base *renderfleet.Stack) renderedStack {
	sr := StackReview{Customer: customer, Counts: map[string]int{}, Hazards: []Hazard{}, Changes: []Change{}, New: base == nil}
	head, curConfig := renderfleet.RenderStack(filepath.Join(opts.ProjectRoot, stackfile.Path(customer)), program)
	var baseConfig *drconfig.Config
	if base != nil {
		baseConfig, _ = drconfig.LoadFile(filepath.Join(baseDir, stackfile.Path(customer)))
	}
	out := renderedStack{shape: planShape(curConfig)}
	if h := intentHazard(curConfig); h != nil {
		sr.Hazards = append(sr.Hazards, *h)
	}
	switch {
	case base != nil && base.Error != "":
		out.failed = "the base's render failed: " + base.Error
	case head.Error != "":
		out.failed = "the working tree's render failed: " + head.Error
	}
	if out.failed != "" {
		sr.Notes = append(sr.Notes, "no rendered diff: "+out.failed)
		out.review = sr
		return out
	}
	var baseRes []Resource
	var basePlan []renderfleet.Resource
	if base != nil {
		basePlan = base.Resources
		baseRes = toResources(basePlan)
	}
	cur := toResources(head.Resources)
	sr.Changes = diffRendered(basePlan, head.Resources)
	for _, c := range sr.Changes {
		sr.Counts[c.Op]++
	}
	hazards, acknowledged := acknowledge(Hazards(baseRes, cur), baseConfig, curConfig)
	sr.Hazards = append(sr.Hazards, hazards...)
	sr.Notes = append(sr.Notes, acknowledged...)
	if rr := reviewRecord(baseConfig, curConfig, deployedAccount(baseRes), opts.Now()); rr.Changed && !rr.Verified() {
		urn := ""
		if d := deployedAccount(baseRes); d != nil {
			urn = d.URN
		}
		sr.Hazards = append(sr.Hazards, recordHazard(urn, curConfig.DR.WriteRegionChange, rr.Problems))
	}
	sr.Notes = append(sr.Notes, serviceNotes(sr.Changes)...)
	out.review = sr
	return out
}

func isProvider(typ string) bool { return strings.HasPrefix(typ, "pulumi:providers:") }

// toResources are a rendered plan's resources as the hazard checks take them.
func toResources(rs []renderfleet.Resource) []Resource {
	out := make([]Resource, 0, len(rs))
	for _, r := range rs {
		out = append(out, Resource{URN: r.URN, Type: r.Type, Name: r.Name, Inputs: resource.NewPropertyMapFromMap(r.Inputs)})
	}
	return out
}

// diffRendered is what the engine would plan between two rendered plans of
// a stack, as far as the plans tell: a resource only in head is created,
// one only in base deleted (both by URN); one in both is replaced when an
// input changed that Azure cannot change in place (internal/armrules, the
// rules the stand-in answers the engine's Diff from), else updated when an
// input changed. The changes come in head's order, the deletes last.
// Providers are left out, as the state's resources are (stateResources).
func diffRendered(base, head []renderfleet.Resource) []Change {
	old := make(map[string]*renderfleet.Resource, len(base))
	for i := range base {
		old[base[i].URN] = &base[i]
	}
	kept := map[string]bool{}
	out := []Change{}
	for _, r := range head {
		if isProvider(r.Type) {
			continue
		}
		o, ok := old[r.URN]
		if !ok {
			out = append(out, Change{Op: string(apitype.OpCreate), Type: r.Type, Name: r.Name})
			continue
		}
		kept[r.URN] = true
		fields := fieldChanges(o.Inputs, r.Inputs)
		reps := armrules.Replacements(r.Type, resource.NewPropertyMapFromMap(o.Inputs), resource.NewPropertyMapFromMap(r.Inputs))
		switch {
		case len(reps) > 0:
			paths := make([]string, len(reps))
			for i, rep := range reps {
				paths[i] = rep.Path
			}
			out = append(out, Change{Op: string(apitype.OpReplace), Type: r.Type, Name: r.Name, Fields: fields, Replaces: paths})
		case len(fields) > 0:
			out = append(out, Change{Op: string(apitype.OpUpdate), Type: r.Type, Name: r.Name, Fields: fields})
		}
	}
	for _, o := range base {
		if !kept[o.URN] && !isProvider(o.Type) {
			out = append(out, Change{Op: string(apitype.OpDelete), Type: o.Type, Name: o.Name})
		}
	}
	return out
}

// planShape names the shape of the plan a configuration renders: what
// decides which resources it declares and how they are laid out, not the
// names and sizes in them. Stacks of one shape are expected to change the
// same way under a program change, so the engine rehearses one of them.
func planShape(cfg *drconfig.Config) string {
	if cfg == nil {
		return "stack file does not load"
	}
	parts := []string{cfg.TierLabel() + " tier"}
	regions, zones := 1, []string{}
	if on(cfg.Cosmos.ZoneRedundant.Primary) {
		zones = append(zones, "primary")
	}
	if cfg.DR.Enabled && cfg.DR.SecondaryRegion != "" {
		regions++
		if on(cfg.Cosmos.ZoneRedundant.Secondary) {
			zones = append(zones, "secondary")
		}
	}
	if cfg.DR.Enabled && cfg.DR.RetiringSecondaryRegion != "" {
		regions++
		if on(cfg.Cosmos.ZoneRedundant.Retiring) {
			zones = append(zones, "retiring")
		}
	}
	if regions == 1 {
		parts = append(parts, "1 region")
	} else {
		parts = append(parts, fmt.Sprintf("%d regions", regions))
	}
	if len(zones) == 0 {
		parts = append(parts, "no zones")
	} else {
		parts = append(parts, "zones "+strings.Join(zones, "+"))
	}
	add := func(cond bool, label string) {
		if cond {
			parts = append(parts, label)
		}
	}
	add(cfg.DR.RetiringSecondaryRegion != "", "secondary moving")
	add(cfg.Adopted(), "adopted")
	add(cfg.DR.Enabled && cfg.WriteRegionMoved(), "failed over")
	add(cfg.Cosmos.Backup.Type == "Continuous", "continuous backups")
	add(cfg.Cosmos.AutoscaleMaxThroughput > 0, "autoscale")
	add(len(cfg.Cosmos.AllowedIPRanges) > 0, "IP allow-list")
	add(len(cfg.DR.Paging.Emails) > 0, "paging by e-mail")
	if cfg.HasCompute() {
		add(cfg.Compute.APIServer.Private, "private API server")
		add(cfg.FHIR.SmartProxy, "SMART proxy")
		add(cfg.FHIR.Export.StorageAccountID != "", "export")
		add(cfg.FHIR.ConvertData.RegistryID != "", "convert-data")
		add(len(cfg.FHIR.CORS.Origins) > 0, "CORS")
		add(len(cfg.Compute.NodePools) > 0 && len(cfg.Compute.NodePools[0].Zones) > 0, "node pools in zones")
	}
	return strings.Join(parts, ", ")
}

func on(b *bool) bool { return b != nil && *b }

// selectRehearsals chooses the stacks the engine rehearses, with the reasons
// for each (none for a stack that is not), and lists the plan shapes with
// their representatives: the first stack of each shape, every stack whose
// rendered diff has a hazard, replaces or deletes anything or could not be
// made, and every stack whose own file changed.
func selectRehearsals(rendered []renderedStack, changed Changed) (map[string][]string, []Shape) {
	reasons := map[string][]string{}
	var shapes []Shape
	byLabel := map[string]int{}
	for _, r := range rendered {
		c := r.review.Customer
		var why []string
		if slices.Contains(changed.Edited, c) {
			if r.review.New {
				why = append(why, becauseNew)
			} else {
				why = append(why, becauseEdited)
			}
		}
		i, ok := byLabel[r.shape]
		if !ok {
			i = len(shapes)
			byLabel[r.shape] = i
			shapes = append(shapes, Shape{Label: r.shape, Representative: c})
			why = append(why, fmt.Sprintf("the first stack of its plan shape (%s)", r.shape))
		}
		shapes[i].Stacks++
		if r.failed != "" {
			why = append(why, "its rendered diff could not be made ("+r.failed+")")
		}
		if len(r.review.Hazards) > 0 {
			var kinds []string
			for _, h := range r.review.Hazards {
				if !slices.Contains(kinds, string(h.Kind)) {
					kinds = append(kinds, string(h.Kind))
				}
			}
			why = append(why, fmt.Sprintf("its rendered diff has a hazard (%s)", strings.Join(kinds, ", ")))
		}
		if n, d := r.review.Counts[string(apitype.OpReplace)], r.review.Counts[string(apitype.OpDelete)]; n+d > 0 {
			why = append(why, fmt.Sprintf("its rendered diff %s", replacesDeletes(n, d)))
		}
		if len(why) > 0 {
			reasons[c] = why
			shapes[i].Rehearsed++
		}
	}
	return reasons, shapes
}

// replacesDeletes is "replaces 2 resources", "deletes 1 resource" or
// "replaces 1 resource and deletes 3 resources".
func replacesDeletes(replaces, deletes int) string {
	n := func(k int) string {
		if k == 1 {
			return "1 resource"
		}
		return fmt.Sprintf("%d resources", k)
	}
	switch {
	case deletes == 0:
		return "replaces " + n(replaces)
	case replaces == 0:
		return "deletes " + n(deletes)
	}
	return "replaces " + n(replaces) + " and deletes " + n(deletes)
}

// compareWithEngine compares what a rehearsed stack's rendered diff
// predicted with what the engine plans, as creates, replaces and deletes
// (updates the engine makes of a replace's dependents, and their inputs,
// are its own business): what the engine plans and the render missed is a
// render-mismatch hazard, what the render predicted and the engine does
// not plan a note.
func compareWithEngine(rendered, engine []Change, shape string) (*Hazard, string) {
	structural := func(cs []Change) map[string]bool {
		out := map[string]bool{}
		for _, c := range cs {
			switch apitype.OpType(c.Op) {
			case apitype.OpCreate, apitype.OpDelete, apitype.OpReplace:
				out[fmt.Sprintf("%s %s (%s)", c.Op, c.Name, c.Type)] = true
			}
		}
		return out
	}
	r, e := structural(rendered), structural(engine)
	var missed, extra []string
	for k := range e {
		if !r[k] {
			missed = append(missed, k)
		}
	}
	for k := range r {
		if !e[k] {
			extra = append(extra, k)
		}
	}
	slices.Sort(missed)
	slices.Sort(extra)
	var h *Hazard
	if len(missed) > 0 {
		h = &Hazard{Kind: RenderMismatch, Message: fmt.Sprintf(
			"the engine plans what the rendered diff did not predict: %s; the rendered prediction is wrong for the plan shape %q, "+
				"whose stacks that were not rehearsed got only the rendered diff", strings.Join(missed, ", "), shape),
			Advice: renderMismatchAdvice}
	}
	note := ""
	if len(extra) > 0 {
		note = fmt.Sprintf("the rendered diff predicted what the engine does not plan: %s; for the plan shape %q, go by the engine's plan",
			strings.Join(extra, ", "), shape)
	}
	return h, note
}
