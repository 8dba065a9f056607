package main

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sync/errgroup"

	"github.com/fhir-dr/fhir-dr/internal/render"
	"github.com/fhir-dr/fhir-dr/internal/testfleet"
	"github.com/fhir-dr/fhir-dr/policy/rules"
)

// The floor: what the Pulumi SDK itself costs to accept the resources of a
// full-tier stack under drctl's mocks, with no configuration loading, no
// validation, no components' logic and no policy. Absolute times on a
// shared machine swing 2x within minutes, so the benchmarks report their
// cost as a multiple of the floor measured in the same run ("x-floor").

// floorStack is the full-tier example the floor and BenchmarkPlanStack
// render.
var floorStack = testfleet.Path("contoso") // the fixture fleet, never the operators' stacks/

// floor is a program that registers exactly the resources of a rendered
// plan: the same types, names, parents, inputs (as plain, known values,
// secrets kept secret) and options (protect, retainOnDelete, version,
// provider, dependencies, deletedWith, deleteBeforeReplace, aliases,
// import), in an order that has each resource's parent, provider and
// dependencies first, and nothing else: no outputs, no applies, no
// component outputs, no exports.
type floor struct {
	stack     string
	resources []render.Resource
}

// floorOf renders the stack file once and returns its floor.
func floorOf(tb testing.TB, path string) *floor {
	tb.Helper()
	sp, err := planStack(path, rules.DefaultConfig())
	require.NoError(tb, err)
	f := &floor{stack: sp.Plan.Stack}
	byURN := map[string]render.Resource{}
	for _, r := range sp.Plan.Resources {
		byURN[r.URN] = r
	}
	// Depth-first: a resource after everything it waits for.
	done := map[string]bool{}
	var visit func(r render.Resource)
	visit = func(r render.Resource) {
		if done[r.URN] {
			return
		}
		done[r.URN] = true
		for _, u := range floorWaitsFor(r) {
			if dep, ok := byURN[u]; ok {
				visit(dep)
			}
		}
		f.resources = append(f.resources, r)
	}
	for _, r := range sp.Plan.Resources {
		visit(r)
	}
	for _, r := range f.resources {
		require.NoError(tb, floorCheckOptions(r), r.URN)
	}
	return f
}

// floorWaitsFor returns the URNs a resource's registration needs first.
func floorWaitsFor(r render.Resource) []string {
	req := r.Request
	urns := append([]string{req.GetParent(), req.GetDeletedWith()}, req.GetDependencies()...)
	if p := req.GetProvider(); p != "" {
		urns = append(urns, providerURN(p))
	}
	return urns
}

// providerURN returns the URN of a provider reference, "<urn>::<id>".
func providerURN(ref string) string {
	return ref[:strings.LastIndex(ref, "::")]
}

// floorCheckOptions fails on any option of a registration the floor does
// not replay, so that it never silently registers less than the program.
func floorCheckOptions(r render.Resource) error {
	req := r.Request
	unsupported := map[string]bool{
		"customTimeouts":     req.GetCustomTimeouts().GetCreate()+req.GetCustomTimeouts().GetUpdate()+req.GetCustomTimeouts().GetDelete() != "",
		"aliasURNs":          len(req.GetAliasURNs()) > 0,
		"pluginDownloadURL":  req.GetPluginDownloadURL() != "",
		"providers":          len(req.GetProviders()) > 0,
		"remote":             req.GetRemote(),
		"transforms":         len(req.GetTransforms()) > 0,
		"hooks":              req.GetHooks() != nil,
		"replaceWith":        len(req.GetReplaceWith()) > 0,
		"replacementTrigger": req.GetReplacementTrigger() != nil,
		"hideDiffs":          len(req.GetHideDiffs()) > 0,
		"envVarMappings":     len(req.GetEnvVarMappings()) > 0,
	}
	for _, a := range req.GetAliases() {
		s := a.GetSpec()
		if s == nil || s.GetStack() != "" || s.GetProject() != "" || s.GetParentUrn() != "" || s.GetNoParent() {
			unsupported["aliases other than by name or type"] = true
		}
	}
	for name, set := range unsupported {
		if set {
			return fmt.Errorf("the floor does not replay the option %s", name)
		}
	}
	return nil
}

// run is the floor's program.
func (f *floor) run(ctx *pulumi.Context) (pulumi.Map, error) {
	registered := make(map[string]pulumi.Resource, len(f.resources))
	for _, r := range f.resources {
		req := r.Request
		var opts []pulumi.ResourceOption
		if p, ok := registered[req.GetParent()]; ok {
			opts = append(opts, pulumi.Parent(p))
		}
		if req.GetProtect() {
			opts = append(opts, pulumi.Protect(true))
		}
		if req.GetRetainOnDelete() {
			opts = append(opts, pulumi.RetainOnDelete(true))
		}
		if req.GetDeleteBeforeReplace() {
			opts = append(opts, pulumi.DeleteBeforeReplace(true))
		}
		if v := req.GetVersion(); v != "" {
			opts = append(opts, pulumi.Version(v))
		}
		if p := req.GetProvider(); p != "" {
			opts = append(opts, pulumi.Provider(registered[providerURN(p)].(pulumi.ProviderResource)))
		}
		if u := req.GetDeletedWith(); u != "" {
			opts = append(opts, pulumi.DeletedWith(registered[u]))
		}
		if deps := req.GetDependencies(); len(deps) > 0 {
			on := make([]pulumi.Resource, len(deps))
			for i, u := range deps {
				on[i] = registered[u]
			}
			opts = append(opts, pulumi.DependsOn(on))
		}
		if as := req.GetAliases(); len(as) > 0 {
			aliases := make([]pulumi.Alias, len(as))
			for i, a := range as {
				if n := a.GetSpec().GetName(); n != "" {
					aliases[i].Name = pulumi.String(n)
				}
				if t := a.GetSpec().GetType(); t != "" {
					aliases[i].Type = pulumi.String(t)
				}
			}
			opts = append(opts, pulumi.Aliases(aliases))
		}
		if id := req.GetImportId(); id != "" {
			opts = append(opts, pulumi.Import(pulumi.ID(id)))
		}
		if v := req.GetIgnoreChanges(); len(v) > 0 {
			opts = append(opts, pulumi.IgnoreChanges(v))
		}
		if v := req.GetReplaceOnChanges(); len(v) > 0 {
			opts = append(opts, pulumi.ReplaceOnChanges(v))
		}
		if v := req.GetAdditionalSecretOutputs(); len(v) > 0 {
			opts = append(opts, pulumi.AdditionalSecretOutputs(v))
		}

		var res pulumi.Resource
		var err error
		switch {
		case !r.Custom:
			c := &floorComponent{}
			err, res = ctx.RegisterComponentResource(r.Type, r.Name, c, opts...), c
		case strings.HasPrefix(r.Type, "pulumi:providers:"):
			p := &pulumi.ProviderResourceState{}
			err, res = ctx.RegisterResource(r.Type, r.Name, floorInputs(r.Properties), p, opts...), p
		default:
			c := &pulumi.CustomResourceState{}
			err, res = ctx.RegisterResource(r.Type, r.Name, floorInputs(r.Properties), c, opts...), c
		}
		if err != nil {
			return nil, err
		}
		registered[r.URN] = res
	}
	return pulumi.Map{}, nil
}

type floorComponent struct{ pulumi.ResourceState }

// floorInputs returns inputs as plain values that the SDK marshals to m.
func floorInputs(m resource.PropertyMap) pulumi.Map {
	out := make(pulumi.Map, len(m))
	for k, v := range m {
		out[string(k)] = floorInput(v)
	}
	return out
}

func floorInput(v resource.PropertyValue) pulumi.Input {
	switch {
	case v.IsBool():
		return pulumi.Bool(v.BoolValue())
	case v.IsNumber():
		return pulumi.Float64(v.NumberValue())
	case v.IsString():
		return pulumi.String(v.StringValue())
	case v.IsArray():
		a := make(pulumi.Array, len(v.ArrayValue()))
		for i, e := range v.ArrayValue() {
			a[i] = floorInput(e)
		}
		return a
	case v.IsObject():
		return floorInputs(v.ObjectValue())
	case v.IsSecret():
		return pulumi.ToSecret(floorInput(v.SecretValue().Element))
	}
	panic(fmt.Sprintf("floor: no plain input for %v", v.TypeString()))
}

// render renders the floor under drctl's mocks.
func (f *floor) render() (*render.Plan, error) {
	return render.Run(f.stack, nil, f.run)
}

// renderMany renders the floor n times, workers at a time, as
// validateFleet renders stacks.
func (f *floor) renderMany(n, workers int) error {
	if workers < 1 {
		workers = runtime.GOMAXPROCS(0)
	}
	var g errgroup.Group
	g.SetLimit(workers)
	for range n {
		g.Go(func() error {
			_, err := f.render()
			return err
		})
	}
	return g.Wait()
}

// TestFloorRegistersThePlan: the floor declares exactly the resources of
// the stack it is derived from, with the same inputs and options.
func TestFloorRegistersThePlan(t *testing.T) {
	f := floorOf(t, floorStack)
	sp, err := planStack(floorStack, rules.DefaultConfig())
	require.NoError(t, err)
	got, err := f.render()
	require.NoError(t, err)
	require.Len(t, got.Resources, len(sp.Plan.Resources))
	for i, want := range sp.Plan.Resources {
		g := got.Resources[i]
		require.Equal(t, want.URN, g.URN)
		assert.Equal(t, want.Parent, g.Parent, want.URN)
		assert.Equal(t, want.Custom, g.Custom, want.URN)
		assert.True(t, want.Properties.DeepEquals(g.Properties), "%s: inputs\nwant %v\ngot  %v", want.URN, want.Properties, g.Properties)
		assert.Equal(t, want.Inputs, g.Inputs, want.URN)
		wq, gq := want.Request, g.Request
		assert.Equal(t, wq.GetProtect(), gq.GetProtect(), want.URN)
		assert.Equal(t, wq.GetRetainOnDelete(), gq.GetRetainOnDelete(), want.URN)
		assert.Equal(t, wq.GetDeleteBeforeReplace(), gq.GetDeleteBeforeReplace(), want.URN)
		assert.Equal(t, wq.GetVersion(), gq.GetVersion(), want.URN)
		assert.Equal(t, wq.GetProvider(), gq.GetProvider(), want.URN)
		assert.Equal(t, wq.GetDeletedWith(), gq.GetDeletedWith(), want.URN)
		assert.Equal(t, wq.GetImportId(), gq.GetImportId(), want.URN)
		assert.ElementsMatch(t, wq.GetDependencies(), gq.GetDependencies(), want.URN)
		assert.Equal(t, fmt.Sprint(wq.GetAliases()), fmt.Sprint(gq.GetAliases()), want.URN)
		assert.Equal(t, wq.GetIgnoreChanges(), gq.GetIgnoreChanges(), want.URN)
		assert.Equal(t, wq.GetReplaceOnChanges(), gq.GetReplaceOnChanges(), want.URN)
		assert.Equal(t, wq.GetAdditionalSecretOutputs(), gq.GetAdditionalSecretOutputs(), want.URN)
	}
	assert.Empty(t, got.Outputs)
}

// BenchmarkFloor measures the floor of the full-tier example alone.
func BenchmarkFloor(b *testing.B) {
	f := floorOf(b, floorStack)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.render(); err != nil {
			b.Fatal(err)
		}
	}
}

// floorRatio times work and the floor in alternating blocks, the floor
// with the benchmark's timer stopped, and reports work's cost as a
// multiple of the floor's ("x-floor": the median over the rounds of a
// block of floors and a block of work, each round run back to back, so
// that a burst of load elsewhere on the machine moves one round, not the
// ratio) and the floor's own time per run.
//
// Blocks, not single pairs: what one run leaves behind (its garbage, the
// runtime's and the CPU's caches) is paid by the next, and alternating run
// by run the floor's leftovers land in every work run and the work's in
// every floor (BenchmarkCarryOver measures it). In blocks, each pays for
// its own but the first run of the block.
type floorRatio struct {
	b benchTimer
	// block is the number of runs in a block; 1 alternates run by run,
	// which suits work that is itself many renders (a fleet).
	block int
	// floor renders the floor once.
	floor func()
	// now is the clock; nil is time.Now.
	now func() time.Time

	floorTotal time.Duration
	floorRuns  int
	round      struct {
		floor, work time.Duration
		runs        int
	}
	ratios []float64
}

// work times one run of work, running the round's block of floors first
// when a round starts.
func (fr *floorRatio) work(work func()) {
	if fr.round.runs == 0 {
		fr.b.StopTimer()
		t := fr.clock()
		for range fr.block {
			fr.floor()
		}
		fr.round.floor = fr.clock().Sub(t)
		fr.floorTotal += fr.round.floor
		fr.floorRuns += fr.block
		fr.b.StartTimer()
	}
	t := fr.clock()
	work()
	fr.round.work += fr.clock().Sub(t)
	fr.round.runs++
	if fr.round.runs == fr.block {
		fr.ratios = append(fr.ratios, float64(fr.round.work)/float64(fr.round.floor))
		fr.round.work, fr.round.runs = 0, 0
	}
}

func (fr *floorRatio) clock() time.Time {
	if fr.now == nil {
		return time.Now()
	}
	return fr.now()
}

// benchTimer is what floorRatio uses of a *testing.B.
type benchTimer interface {
	StopTimer()
	StartTimer()
	ReportMetric(n float64, unit string)
}

func (fr *floorRatio) report() {
	ratios := fr.ratios
	if len(ratios) == 0 && fr.round.runs > 0 {
		// Fewer runs than a block (-benchtime 1x): the one partial round.
		ratios = []float64{float64(fr.round.work) / float64(fr.round.runs) / (float64(fr.round.floor) / float64(fr.block))}
	}
	if len(ratios) == 0 {
		return
	}
	slices.Sort(ratios)
	n := len(ratios)
	median := (ratios[(n-1)/2] + ratios[n/2]) / 2
	fr.b.ReportMetric(median, "x-floor")
	fr.b.ReportMetric(float64(fr.floorTotal.Nanoseconds())/float64(fr.floorRuns)/1e6, "floor-ms/op")
}

// BenchmarkCarryOver times the full-tier stack's plan right after a floor
// and right after another plan of it: the difference is what a floor
// leaves for the next run to pay, and why floorRatio compares blocks.
func BenchmarkCarryOver(b *testing.B) {
	f := floorOf(b, floorStack)
	plan := func() {
		if _, err := planStack(floorStack, rules.DefaultConfig()); err != nil {
			b.Fatal(err)
		}
	}
	floor := func() {
		if _, err := f.render(); err != nil {
			b.Fatal(err)
		}
	}
	for _, before := range []struct {
		name string
		run  func()
	}{{"after=floor", floor}, {"after=plan", plan}} {
		b.Run(before.name, func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				before.run()
				b.StartTimer()
				plan()
			}
		})
	}
}

// fakeBench records what floorRatio reports.
type fakeBench struct {
	stopped bool
	metrics map[string]float64
}

func (f *fakeBench) StopTimer()  { f.stopped = true }
func (f *fakeBench) StartTimer() { f.stopped = false }
func (f *fakeBench) ReportMetric(n float64, unit string) {
	if f.metrics == nil {
		f.metrics = map[string]float64{}
	}
	f.metrics[unit] = n
}

// TestFloorRatio: floors run in blocks with the timer stopped, one block
// per round of work runs, and the ratio is the median over rounds.
func TestFloorRatio(t *testing.T) {
	var clock time.Time
	now := func() time.Time { return clock }
	b := &fakeBench{}
	var floors, works int
	var floorStopped []bool
	fr := floorRatio{b: b, block: 3, now: now, floor: func() {
		floors++
		floorStopped = append(floorStopped, b.stopped)
		clock = clock.Add(2 * time.Millisecond)
	}}
	for i := range 7 {
		fr.work(func() {
			works++
			assert.False(t, b.stopped, "work runs with the timer on")
			// Rounds of 3, 4 and 5 floors' worth: the median is 4.
			clock = clock.Add(time.Duration(6+2*(i/3)) * time.Millisecond)
			if i/3 == 1 {
				clock = clock.Add(2 * time.Millisecond)
			}
		})
	}
	fr.report()
	assert.Equal(t, 7, works)
	assert.Equal(t, 9, floors, "a block of floors before each round, the partial third included")
	assert.NotContains(t, floorStopped, false, "floors run with the timer stopped")
	assert.Equal(t, []float64{3, 5}, fr.ratios, "two whole rounds: 18 ms of work against 6 ms of floors, then 30 against 6")
	assert.InDelta(t, 4.0, b.metrics["x-floor"], 1e-9, "the median of the whole rounds")
	assert.InDelta(t, 2.0, b.metrics["floor-ms/op"], 1e-9)

	// Fewer runs than a block: the partial round is the measure.
	b = &fakeBench{}
	fr = floorRatio{b: b, block: 16, now: now, floor: func() { clock = clock.Add(time.Millisecond) }}
	fr.work(func() { clock = clock.Add(3 * time.Millisecond) })
	fr.report()
	assert.InDelta(t, 3.0, b.metrics["x-floor"], 1e-9)
}
