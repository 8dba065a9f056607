//go:build integration

package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fhir-dr/fhir-dr/azure/operationalinsights"
	"github.com/fhir-dr/fhir-dr/internal/review"
	"github.com/fhir-dr/fhir-dr/internal/testfleet"
	"github.com/fhir-dr/fhir-dr/stackfile"
)

// programChangeClone is a clone of the committed project whose stacks/ is
// the fixture adatum and litware and this package's testdata/fleetdiff
// (lima and mike, of litware's plan shape), and whose HEAD is a program
// change away from the working tree: HEAD's drconfig keeps the audit logs
// for defaultRetention days by default, the working tree's (this test
// binary's program) for 90. The working tree's stack files are HEAD's.
func programChangeClone(t *testing.T, defaultRetention string) string {
	t.Helper()
	clone := testfleet.Clone(t)
	files, err := stackfile.List(clone)
	require.NoError(t, err)
	for _, f := range files {
		require.NoError(t, os.Remove(f))
	}
	for _, c := range []string{"adatum", "litware"} {
		require.NoError(t, os.WriteFile(filepath.Join(clone, stackfile.Path(c)), testfleet.Read(t, c), 0o644))
	}
	for _, c := range []string{"lima", "mike"} {
		b, err := os.ReadFile(filepath.Join("testdata", "fleetdiff", "Pulumi."+c+".yaml"))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(clone, stackfile.Path(c)), b, 0o644))
	}
	settings := filepath.Join(clone, "drconfig", "settings.go")
	b, err := os.ReadFile(settings)
	require.NoError(t, err)
	const decl = `Key: "monitoring.retentionDays", Doc: "how long the audit logs are kept", Default: 90,`
	require.Contains(t, string(b), decl)
	require.NoError(t, os.WriteFile(settings, []byte(strings.Replace(string(b), decl,
		strings.Replace(decl, "Default: 90", "Default: "+defaultRetention, 1), 1)), 0o644))
	testfleet.Git(t, clone, "add", "-A", stackfile.Dir, "drconfig")
	testfleet.Git(t, clone, "commit", "--quiet", "-m", "base: the fleet-diff fleet, audit logs kept "+defaultRetention+" days by default")
	// The working tree's program is this test binary's: the committed one.
	testfleet.Git(t, clone, "checkout", "HEAD~1", "--", "drconfig/settings.go")
	return clone
}

// TestDiffProgramChange: a program change (a changed default) is rendered
// at the base (the base's own drctl render-fleet) and at the head (in
// process) for every stack, and only a representative set goes through the
// engine: the first stack of each plan shape and every stack whose own file
// changed. The others get the rendered diff and its hazard checks, and the
// report says so. Before the rendered review, every stack was rehearsed.
func TestDiffProgramChange(t *testing.T) {
	clone := programChangeClone(t, "60")
	mike := filepath.Join(clone, stackfile.Path("mike"))
	b, err := os.ReadFile(mike)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(mike, append(b, "  fhir-dr:tags:\n    cost-center: \"0815\"\n"...), 0o644))
	t.Chdir(clone)

	code, stdout, stderr := runDrctl(t, "diff", "--base", "HEAD", "--json")
	require.Equal(t, 0, code, stderr)
	var report review.Report
	require.NoError(t, json.Unmarshal([]byte(stdout), &report), stdout)
	assert.True(t, report.AllStacks)
	assert.Equal(t, "drconfig/settings.go", report.Reason)
	assert.True(t, report.Rendered, "the fleet was rendered at both revisions")
	assert.Empty(t, report.RenderFallback)

	byCustomer := map[string]review.StackReview{}
	rehearsed := map[string][]string{}
	for _, s := range report.Stacks {
		byCustomer[s.Customer] = s
		if s.Rehearsed {
			rehearsed[s.Customer] = s.RehearsedBecause
		}
	}
	require.Len(t, report.Stacks, 4)
	assert.Equal(t, map[string][]string{
		"adatum": {"the first stack of its plan shape (" + byCustomer["adatum"].Shape + ")"},
		"lima":   {"the first stack of its plan shape (" + byCustomer["lima"].Shape + ")"},
		"mike":   {"its stack file changed"},
	}, rehearsed)
	assert.Equal(t, "data tier, 2 regions, zones primary", byCustomer["lima"].Shape)
	assert.Equal(t, byCustomer["lima"].Shape, byCustomer["litware"].Shape)
	assert.Equal(t, byCustomer["lima"].Shape, byCustomer["mike"].Shape)
	assert.Equal(t, []review.Shape{
		{Label: byCustomer["adatum"].Shape, Stacks: 1, Representative: "adatum", Rehearsed: 1},
		{Label: byCustomer["lima"].Shape, Stacks: 3, Representative: "lima", Rehearsed: 2},
	}, report.Shapes)

	// litware got the rendered diff: the workspace keeps the logs 90 days
	// instead of 60, and nothing else changes.
	litware := byCustomer["litware"]
	assert.False(t, litware.Rehearsed)
	assert.Empty(t, litware.RehearsedBecause)
	assert.Equal(t, "lima", litware.RepresentedBy)
	retention := review.FieldChange{Path: "retentionInDays", Old: "60", New: "90"}
	assert.Equal(t, []review.Change{{Op: "update", Type: operationalinsights.WorkspaceToken, Name: "workspace",
		Fields: []review.FieldChange{retention}}}, litware.Changes)
	assert.Equal(t, map[string]int{"update": 1}, litware.Counts)
	assert.Empty(t, litware.Hazards)
	assert.Empty(t, litware.Notes)
	assert.Empty(t, litware.EngineError)
	assert.NotNil(t, litware.Base)
	assert.NotNil(t, litware.Head)

	// The engine plans the same for lima, which represents litware, and
	// for adatum: no render-mismatch.
	for _, c := range []string{"adatum", "lima"} {
		s := byCustomer[c]
		assert.Empty(t, s.Hazards, c)
		assert.Empty(t, s.EngineError, c)
		assert.Empty(t, s.RepresentedBy, c)
		assert.Equal(t, map[string]int{"update": 1}, s.Counts, c)
		if assert.Len(t, s.Changes, 1, c) {
			assert.Equal(t, operationalinsights.WorkspaceToken, s.Changes[0].Type, c)
			assert.Contains(t, s.Changes[0].Fields, retention, c)
		}
	}
	// mike's own change comes with it.
	assert.Equal(t, 0, byCustomer["mike"].Counts["replace"]+byCustomer["mike"].Counts["delete"])
	assert.Greater(t, byCustomer["mike"].Counts["update"], 1)
}

// TestDiffProgramChangeHazard: a program change that keeps less of every
// customer's audit trail is a protection-reduced hazard on every stack,
// found in the rendered diff, so every stack is rehearsed, and the engine's
// plan agrees with the rendered one.
func TestDiffProgramChangeHazard(t *testing.T) {
	clone := programChangeClone(t, "120")
	t.Chdir(clone)

	code, stdout, stderr := runDrctl(t, "diff", "--base", "HEAD", "--json")
	assert.Equal(t, 1, code, stderr)
	var report review.Report
	require.NoError(t, json.Unmarshal([]byte(stdout), &report), stdout)
	assert.True(t, report.Rendered)
	require.Len(t, report.Stacks, 4)
	for _, s := range report.Stacks {
		assert.True(t, s.Rehearsed, s.Customer)
		assert.Contains(t, s.RehearsedBecause, "its rendered diff has a hazard (protection-reduced)", s.Customer)
		if assert.Len(t, s.Hazards, 1, s.Customer) {
			assert.Equal(t, review.ProtectionReduced, s.Hazards[0].Kind, s.Customer)
		}
		assert.Empty(t, s.EngineError, s.Customer)
	}
}

// TestDiffProgramChangeOldBase: a base whose drctl has no render-fleet (it
// predates the rendered review) cannot render its fleet: every stack is
// rehearsed as before, and the report says why.
func TestDiffProgramChangeOldBase(t *testing.T) {
	clone := programChangeClone(t, "60")
	// The base without render-fleet: drctl as it was before the command.
	root := filepath.Join(clone, "cmd", "drctl", "root.go")
	b, err := os.ReadFile(root)
	require.NoError(t, err)
	const registration = "\t\t{\"\", newRenderFleetCmd()},\n"
	require.Contains(t, string(b), registration)
	require.NoError(t, os.WriteFile(root, []byte(strings.Replace(string(b), registration, "", 1)), 0o644))
	testfleet.Git(t, clone, "commit", "--quiet", "-am", "base: no render-fleet")
	testfleet.Git(t, clone, "checkout", "HEAD~1", "--", "cmd/drctl/root.go")
	t.Chdir(clone)

	code, stdout, stderr := runDrctl(t, "diff", "--base", "HEAD", "--json")
	require.Equal(t, 0, code, stderr)
	var report review.Report
	require.NoError(t, json.Unmarshal([]byte(stdout), &report), stdout)
	assert.False(t, report.Rendered)
	assert.Contains(t, report.RenderFallback, "has no render-fleet")
	require.Len(t, report.Stacks, 4)
	for _, s := range report.Stacks {
		assert.True(t, s.Rehearsed, s.Customer)
		assert.Equal(t, []string{"the program changed, and the base cannot render its fleet"}, s.RehearsedBecause, s.Customer)
	}
}
