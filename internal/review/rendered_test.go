package review

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fhir-dr/fhir-dr/drconfig"
	"github.com/fhir-dr/fhir-dr/internal/renderfleet"
	"github.com/fhir-dr/fhir-dr/internal/testfleet"
	"github.com/fhir-dr/fhir-dr/program"
	"github.com/fhir-dr/fhir-dr/stackfile"
)

// fleetDiffRoot is a project root whose stacks/ is the fixture fleet and
// testdata/fleetdiff (lima and mike, of litware's plan shape).
func fleetDiffRoot(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(root, stackfile.Dir), 0o755))
	for _, c := range testfleet.Customers {
		require.NoError(t, os.WriteFile(filepath.Join(root, stackfile.Path(c)), testfleet.Read(t, c), 0o644))
	}
	for _, c := range []string{"lima", "mike"} {
		b, err := os.ReadFile(filepath.Join("testdata", "fleetdiff", "Pulumi."+c+".yaml"))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(root, stackfile.Path(c)), b, 0o644))
	}
	return root
}

// withRetention is the current program with a changed default: the audit
// logs of a stack that does not set monitoring.retentionDays kept for days.
func withRetention(days int) renderfleet.Program {
	return func(cfg *drconfig.Config) func(*pulumi.Context) (pulumi.Map, error) {
		c := *cfg
		if c.Monitoring.RetentionDays == 90 {
			c.Monitoring.RetentionDays = days
		}
		return program.DeployConfig(&c)
	}
}

// renderFleetDiff is the rendered review of every stack of root, its base
// rendered with base and its head with the current program, as
// reviewProgramChange makes it before the engine runs.
func renderFleetDiff(t *testing.T, root string, base renderfleet.Program) []renderedStack {
	t.Helper()
	opts := Options{ProjectRoot: root, Now: time.Now}
	var out []renderedStack
	for _, c := range testfleet.Stacks(t, root) {
		b, _ := renderfleet.RenderStack(filepath.Join(root, stackfile.Path(c)), base)
		out = append(out, reviewRenderedStack(opts, program.DeployConfig, root, c, &b))
	}
	return out
}

const workspaceToken = "azure-native:operationalinsights:Workspace"

// TestRenderedProgramChange: a changed default (the audit logs kept 90
// days instead of 60) is one update of the workspace in every stack that
// does not set it, and nothing in northwind, which keeps them 365 days;
// no hazard. The engine rehearses the first stack of each plan shape
// and the stack whose file changed; lima, of litware's shape, gets the
// rendered diff only.
func TestRenderedProgramChange(t *testing.T) {
	rendered := renderFleetDiff(t, fleetDiffRoot(t), withRetention(60))
	update := []Change{{Op: "update", Type: workspaceToken, Name: "workspace", Fields: []FieldChange{{Path: "retentionInDays", Old: "60", New: "90"}}}}
	shapes := map[string]string{}
	for _, r := range rendered {
		shapes[r.review.Customer] = r.shape
		assert.Empty(t, r.failed, r.review.Customer)
		assert.Empty(t, r.review.Hazards, r.review.Customer)
		assert.Empty(t, r.review.Notes, r.review.Customer)
		assert.False(t, r.review.New, r.review.Customer)
		if r.review.Customer == "northwind" {
			assert.Equal(t, []Change{}, r.review.Changes)
			assert.Equal(t, map[string]int{}, r.review.Counts)
			continue
		}
		assert.Equal(t, update, r.review.Changes, r.review.Customer)
		assert.Equal(t, map[string]int{"update": 1}, r.review.Counts, r.review.Customer)
	}
	const data = "data tier, 2 regions, zones primary"
	assert.Equal(t, map[string]string{
		"adatum":    "none tier, 1 region, zones primary, autoscale",
		"contoso":   "full tier, 2 regions, zones primary, autoscale, SMART proxy, export, convert-data, CORS, node pools in zones",
		"fabrikam":  "full tier, 2 regions, zones primary+secondary, private API server, node pools in zones",
		"litware":   data,
		"lima":      data,
		"mike":      data,
		"northwind": "full tier, 2 regions, zones primary+secondary, continuous backups, autoscale, node pools in zones",
		"tailspin":  "full tier, 2 regions, zones primary+secondary, autoscale, private API server, node pools in zones",
	}, shapes)

	reasons, fleetShapes := selectRehearsals(rendered, Changed{All: true, Edited: []string{"mike"}})
	first := func(c string) []string { return []string{"the first stack of its plan shape (" + shapes[c] + ")"} }
	assert.Equal(t, map[string][]string{
		"adatum": first("adatum"), "contoso": first("contoso"), "fabrikam": first("fabrikam"),
		"lima": first("lima"), "mike": {"its stack file changed"}, "northwind": first("northwind"), "tailspin": first("tailspin"),
	}, reasons, "lima comes before litware")
	assert.Equal(t, []Shape{
		{Label: shapes["adatum"], Stacks: 1, Representative: "adatum", Rehearsed: 1},
		{Label: shapes["contoso"], Stacks: 1, Representative: "contoso", Rehearsed: 1},
		{Label: shapes["fabrikam"], Stacks: 1, Representative: "fabrikam", Rehearsed: 1},
		{Label: data, Stacks: 3, Representative: "lima", Rehearsed: 2},
		{Label: shapes["northwind"], Stacks: 1, Representative: "northwind", Rehearsed: 1},
		{Label: shapes["tailspin"], Stacks: 1, Representative: "tailspin", Rehearsed: 1},
	}, fleetShapes)
}

// TestRenderedProgramChangeHazard: a changed default that keeps less of
// the audit trail is a protection-reduced hazard in the rendered diff of
// every stack it changes, and each of those is rehearsed for it.
func TestRenderedProgramChangeHazard(t *testing.T) {
	rendered := renderFleetDiff(t, fleetDiffRoot(t), withRetention(120))
	reasons, _ := selectRehearsals(rendered, Changed{All: true})
	for _, r := range rendered {
		c := r.review.Customer
		if c == "northwind" {
			assert.Empty(t, r.review.Hazards)
			assert.Equal(t, []string{"the first stack of its plan shape (" + r.shape + ")"}, reasons[c])
			continue
		}
		require.Len(t, r.review.Hazards, 1, c)
		assert.Equal(t, ProtectionReduced, r.review.Hazards[0].Kind, c)
		assert.Equal(t, "the Log Analytics workspace log-"+c+"-fhir would keep the audit logs for 90 days instead of 120: "+
			"older logs, the customer's audit trail, are deleted at once.", r.review.Hazards[0].Message, c)
		assert.Contains(t, reasons[c], "its rendered diff has a hazard (protection-reduced)", c)
	}
	assert.Equal(t, []string{"its rendered diff has a hazard (protection-reduced)"}, reasons["litware"], "lima is the first of the shape")
}

// TestDiffRendered: creates, deletes, updates with their fields, and the
// replacements armrules predicts, with the inputs that force them.
func TestDiffRendered(t *testing.T) {
	rg := func(name, location string, tags map[string]any) renderfleet.Resource {
		return renderfleet.Resource{URN: "urn:rg:" + name, Type: "azure-native:resources:ResourceGroup", Name: name,
			Inputs: map[string]any{"resourceGroupName": "rg-" + name, "location": location, "tags": tags}}
	}
	base := []renderfleet.Resource{
		rg("same", "eastus", map[string]any{"a": "1"}),
		rg("tagged", "eastus", map[string]any{"a": "1"}),
		rg("moved", "eastus", nil),
		rg("gone", "eastus", nil),
	}
	head := []renderfleet.Resource{
		rg("same", "eastus", map[string]any{"a": "1"}),
		rg("tagged", "eastus", map[string]any{"a": "2"}),
		rg("moved", "westus", nil),
		rg("new", "eastus", nil),
	}
	assert.Equal(t, []Change{
		{Op: "update", Type: "azure-native:resources:ResourceGroup", Name: "tagged", Fields: []FieldChange{{Path: "tags.a", Old: `"1"`, New: `"2"`}}},
		{Op: "replace", Type: "azure-native:resources:ResourceGroup", Name: "moved", Fields: []FieldChange{{Path: "location", Old: `"eastus"`, New: `"westus"`}},
			Replaces: []string{"location"}},
		{Op: "create", Type: "azure-native:resources:ResourceGroup", Name: "new"},
		{Op: "delete", Type: "azure-native:resources:ResourceGroup", Name: "gone"},
	}, diffRendered(base, head))
	assert.Equal(t, []Change{}, diffRendered(base, base))
}

// TestSelectRehearsalsReasons: a stack is rehearsed for each reason it
// has; a new stack file, a render that failed, a replace or delete.
func TestSelectRehearsalsReasons(t *testing.T) {
	stack := func(c, shape, failed string, counts map[string]int, hazards ...Hazard) renderedStack {
		return renderedStack{review: StackReview{Customer: c, Counts: counts, Hazards: hazards, New: c == "new"}, shape: shape, failed: failed}
	}
	reasons, shapes := selectRehearsals([]renderedStack{
		stack("a", "s", "", map[string]int{"update": 3}),
		stack("b", "s", "", map[string]int{"update": 3}),
		stack("c", "s", "", map[string]int{"replace": 1, "delete": 2}),
		stack("d", "s", "", map[string]int{"delete": 1}, Hazard{Kind: DataLoss}, Hazard{Kind: DataLoss}, Hazard{Kind: ServiceRemoved}),
		stack("e", "s", "the working tree's render failed: boom", map[string]int{}),
		stack("new", "t", "", map[string]int{"create": 9}),
	}, Changed{All: true, Edited: []string{"b", "new"}})
	assert.Equal(t, map[string][]string{
		"a":   {"the first stack of its plan shape (s)"},
		"b":   {"its stack file changed"},
		"c":   {"its rendered diff replaces 1 resource and deletes 2 resources"},
		"d":   {"its rendered diff has a hazard (data-loss, service-removed)", "its rendered diff deletes 1 resource"},
		"e":   {"its rendered diff could not be made (the working tree's render failed: boom)"},
		"new": {"its stack file is new", "the first stack of its plan shape (t)"},
	}, reasons)
	assert.Equal(t, []Shape{{Label: "s", Stacks: 5, Representative: "a", Rehearsed: 5}, {Label: "t", Stacks: 1, Representative: "new", Rehearsed: 1}}, shapes)
}

// TestCompareWithEngine: what the engine creates, replaces or deletes and
// the render did not predict is a render-mismatch hazard; what the render
// predicted and the engine does not plan, a note; updates do not count.
func TestCompareWithEngine(t *testing.T) {
	rendered := []Change{{Op: "update", Type: "T", Name: "a"}, {Op: "replace", Type: "T", Name: "b"}, {Op: "delete", Type: "T", Name: "c"}}
	h, note := compareWithEngine(rendered, []Change{{Op: "replace", Type: "T", Name: "b"}, {Op: "delete", Type: "T", Name: "c"}, {Op: "update", Type: "T", Name: "d"}}, "s")
	assert.Nil(t, h)
	assert.Empty(t, note)

	h, note = compareWithEngine(rendered, []Change{{Op: "replace", Type: "T", Name: "a"}, {Op: "delete", Type: "T", Name: "c"}}, "full tier")
	require.NotNil(t, h)
	assert.Equal(t, Hazard{Kind: RenderMismatch, Message: `the engine plans what the rendered diff did not predict: replace a (T); ` +
		`the rendered prediction is wrong for the plan shape "full tier", whose stacks that were not rehearsed got only the rendered diff`,
		Advice: renderMismatchAdvice}, *h)
	assert.Equal(t, `the rendered diff predicted what the engine does not plan: replace b (T); for the plan shape "full tier", go by the engine's plan`, note)
}
