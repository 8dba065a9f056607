package review

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAudit(t *testing.T) {
	dir := t.TempDir()
	run := func(env []string, args ...string) {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), env...)
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, string(out))
	}
	run(nil, "init", "-q")
	path := filepath.Join(dir, "stacks", "Pulumi.acme.yaml")
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	head := "config:\n  fhir-dr:customer: acme\n  fhir-dr:primaryRegion: uksouth\n"
	dr := func(fields string) string {
		return head + "  fhir-dr:dr:\n    enabled: true\n    paging: {actionGroupId: /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-platform-oncall/providers/Microsoft.Insights/actionGroups/ag-fhir-oncall}\n" + fields
	}
	for i, step := range []struct{ author, content string }{
		{"Ann", head},
		{"Bob", dr("    tier: data\n    ticket: SR-1\n")},
		{"Ann", dr("    tier: full\n    ticket: SR-2\n  fhir-dr:compute:\n    apiServer:\n      private: true\n" + fhirSettings)},
		{"Cy", dr("    tier: full\n    ticket: SR-2\n    writeRegion: ukwest\n    writeRegionChange: forced failover to ukwest (INC-9)\n  fhir-dr:compute:\n    apiServer:\n      private: true\n" + fhirSettings)},
		{"Cy", dr("    tier: full\n    ticket: SR-2\n    writeRegionChange: failback to uksouth (INC-9)\n  fhir-dr:compute:\n    apiServer:\n      private: true\n" + fhirSettings)},
		{"Bob", head + "  fhir-dr:dr:\n    enabled: false\n    ticket: SR-3\n"},
		{"Ann", ""},
	} {
		if step.content == "" {
			run(nil, "rm", "-q", path)
		} else {
			require.NoError(t, os.WriteFile(path, []byte(step.content), 0o644))
			run(nil, "add", ".")
		}
		date := []string{"GIT_AUTHOR_DATE=2026-01-0" + string(rune('1'+i)) + "T10:00:00Z", "GIT_COMMITTER_DATE=2026-01-0" + string(rune('1'+i)) + "T10:00:00Z"}
		run(date, "-c", "user.name="+step.author, "-c", "user.email="+step.author+"@example.com", "commit", "-q", "-m", "step")
	}

	events, err := Audit(context.Background(), dir, nil)
	require.NoError(t, err)
	type row struct{ day, kind, detail, ticket, author string }
	var got []row
	for _, e := range events {
		got = append(got, row{e.Date.Format("01-02"), e.Kind, e.Detail, e.Ticket, e.Author})
	}
	assert.Equal(t, []row{
		{"01-01", "onboarded", "primary uksouth", "", "Ann <Ann@example.com>"},
		{"01-02", "enabled", "data tier, secondary ukwest", "SR-1", "Bob <Bob@example.com>"},
		{"01-03", "tier-changed", "data -> full", "SR-2", "Ann <Ann@example.com>"},
		{"01-04", "failover", "writes uksouth -> ukwest: forced failover to ukwest (INC-9)", "SR-2", "Cy <Cy@example.com>"},
		{"01-05", "failback", "writes ukwest -> uksouth: failback to uksouth (INC-9)", "SR-2", "Cy <Cy@example.com>"},
		{"01-06", "disabled", "secondary ukwest removed", "SR-3", "Bob <Bob@example.com>"},
		{"01-07", "removed", "stack file deleted", "", "Ann <Ann@example.com>"},
	}, got)
	for _, e := range events {
		assert.Len(t, e.Commit, 12)
		assert.Equal(t, "acme", e.Customer)
	}
}

// fhirSettings are the fhir settings the full tier requires.
const fhirSettings = "  fhir-dr:fhir:\n    version: \"4.0.1\"\n    auth:\n      authority: https://login.microsoftonline.com/t\n      audience: https://fhir.example\n"
