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

	"github.com/fhir-dr/fhir-dr/internal/review"
	"github.com/fhir-dr/fhir-dr/internal/testfleet"
	"github.com/fhir-dr/fhir-dr/stackfile"
)

// TestDiffAdoptedStack: a change to a stack that adopts its existing
// account is reviewed like any other. The account, its resource group,
// database and container exist before the stack in Azure, so the review
// gives them to the stand-in before it deploys the base, which imports
// them; the change (DR enabled) then shows as the engine plans it.
func TestDiffAdoptedStack(t *testing.T) {
	clone := testfleet.Clone(t)
	// testfleet.Templates[6] is adatum adopting its account, without DR.
	files := testfleet.Synthetic(t, clone, 7)
	for _, f := range files[:6] {
		require.NoError(t, os.Remove(f))
	}
	customer := testfleet.SyntheticCustomer(6)
	require.Equal(t, filepath.Join(clone, stackfile.Path(customer)), files[6])
	testfleet.Git(t, clone, "add", "-A", stackfile.Dir)
	testfleet.Git(t, clone, "commit", "--quiet", "-m", "an adopting stack")
	content, err := os.ReadFile(files[6])
	require.NoError(t, err)
	require.Contains(t, string(content), "existingAccountId")
	enabled := string(content) + "  fhir-dr:dr:\n    enabled: true\n" +
		"    paging: {actionGroupId: /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-platform-oncall/providers/Microsoft.Insights/actionGroups/ag-fhir-oncall}\n" +
		"    tier: data\n    ticket: SR-4711\n"
	require.NoError(t, os.WriteFile(files[6], []byte(enabled), 0o644))
	t.Chdir(clone)

	code, stdout, stderr := runDrctl(t, "diff", "--base", "HEAD", "--json")
	require.Equal(t, 0, code, stderr)
	var report review.Report
	require.NoError(t, json.Unmarshal([]byte(stdout), &report), stdout)
	require.Len(t, report.Stacks, 1)
	s := report.Stacks[0]
	assert.Equal(t, customer, s.Customer)
	assert.Empty(t, s.EngineError)
	assert.Empty(t, s.Hazards)
	assert.False(t, s.New, "the base deployed, importing the account")
	var account *review.Change
	for i, c := range s.Changes {
		if c.Type == "azure-native:cosmosdb:DatabaseAccount" {
			account = &s.Changes[i]
		}
	}
	require.NotNil(t, account, "the account changes: %+v", s.Changes)
	assert.Equal(t, "update", account.Op, "the adopted account is updated in place, never replaced")
	var paths []string
	for _, f := range account.Fields {
		paths = append(paths, f.Path)
	}
	assert.True(t, strings.HasPrefix(strings.Join(paths, " "), "locations"), "the secondary region is added: %v", paths)
}
