package drift

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func failoverStack(customer string) Stack {
	return Stack{
		Customer: customer, Kind: KindFailover, CheckedAt: at,
		Failover: &Failover{Account: "fhir-" + customer, AzureWriteRegion: "westus", StackWriteRegion: "eastus", StateWriteRegion: "eastus"},
		Message: "Azure failed over to westus on its own (seen by the drift check at 2026-12-01T06:03:00Z): " + customer + "'s account fhir-" +
			customer + " takes writes in westus, but its stack file says eastus, and a release would fail back",
		Command: "drctl record " + customer + " --ticket <incident>",
	}
}

func driftStack(customer string) Stack {
	return Stack{
		Customer: customer, Kind: KindDrift, CheckedAt: at,
		Resources: []Resource{
			{URN: "urn:v", Type: "azure-native:keyvault:Vault", Name: "vault", Change: "update", Properties: []Property{
				{Path: "tags.owner", Change: "add", Azure: "some`one"},
				{Path: "properties.enablePurgeProtection", Change: "update", State: true, Azure: false},
				{Path: "tags.x", Change: "delete", State: "y"},
			}},
			{URN: "urn:l", Type: "azure-native:authorization:ManagementLock", Name: "lock", Change: "delete"},
		},
		Message: "3 properties in 1 resource differ from the last deployment; 1 resource is gone from Azure",
		Command: "drctl refresh --stacks " + customer,
	}
}

func failedStack(customer string) Stack {
	return Stack{Customer: customer, Kind: KindFailed, CheckedAt: at, Error: "stack: no stack named '" + customer + "' found\n<!-- detail -->",
		Message: "the drift check failed", Command: "drctl drift --stacks " + customer}
}

func noneStack(customer string) Stack {
	return Stack{Customer: customer, Kind: KindNone, CheckedAt: at, Message: "Azure is as deployed"}
}

func TestSummarize(t *testing.T) {
	reports := []Report{
		{Version: ReportVersion, Shard: 1, Of: 2, CheckedAt: at, Stacks: []Stack{driftStack("fabrikam"), noneStack("adatum")}},
		{Version: ReportVersion, Shard: 0, Of: 2, CheckedAt: at.Add(-time.Minute), Stacks: []Stack{failoverStack("contoso"), failedStack("litware"), noneStack("tailspin")}},
	}
	s := Summarize(reports, nil, -1)
	assert.Equal(t, map[Kind]int{KindFailover: 1, KindDrift: 1, KindFailed: 1, KindNone: 2}, s.Counts)
	assert.Equal(t, 5, s.Customers)
	assert.False(t, s.Clean())
	assert.Equal(t, `<!-- fhir-dr:drift -->
## Drift check: 3 customers need action

Checked 5 customers in 2 shards, 2026-12-01 06:02 UTC to 2026-12-01 06:03 UTC, by a refresh preview (`+"`pulumi refresh --preview-only`"+`: nothing written).

| Found | Customers |
|---|---:|
| Azure failed over on its own | 1 |
| Other drift | 1 |
| Check failed | 1 |
| No drift | 2 |

### Azure failed over on its own (1)

Azure moved the write region (service-managed failover) and the stack file still names the old one: a release would fail back. The release pipeline refuses these customers (drctl record --verify) until the write region is recorded: for each, record what Azure did with the incident's ticket, and merge the pull request with the record (docs/runbook.md, "Drift").

- **contoso**: Azure failed over to westus on its own (seen by the drift check at 2026-12-01T06:03:00Z): contoso's account fhir-contoso takes writes in westus, but its stack file says eastus, and a release would fail back: `+"`drctl record contoso --ticket <incident>`"+`

### Other drift (1)

Azure differs from the last deployment: someone or something changed it outside the release. Find out who (the resource's activity log). To keep the change, declare it in the stack file; otherwise adopt Azure's values into the state with the command shown, and the next release puts back what the stack file declares.

- **fabrikam**: 3 properties in 1 resource differ from the last deployment; 1 resource is gone from Azure: `+"`drctl refresh --stacks fabrikam`"+`
  - `+"`vault`"+` (azure-native:keyvault:Vault): `+"`tags.owner` added in Azure: `\"some'one\"`; `properties.enablePurgeProtection` `true` in the state, `false` in Azure; `tags.x` removed in Azure (was `\"y\"`)"+`
  - `+"`lock`"+` (azure-native:authorization:ManagementLock): gone from Azure

### Check failed (1)

The check could not read these stacks; the error says why. Re-run the check of the stack once it is fixed.

- **litware**: the check failed: stack: no stack named 'litware' found: `+"`drctl drift --stacks litware`"+`
`, s.Markdown)
}

func TestSummarizeClean(t *testing.T) {
	s := Summarize([]Report{{Version: ReportVersion, Shard: 0, Of: 1, CheckedAt: at, Stacks: []Stack{noneStack("adatum")}}}, nil, -1)
	assert.True(t, s.Clean())
	assert.Equal(t, `<!-- fhir-dr:drift -->
## Drift check: no drift

Checked 1 customer in 1 shard, 2026-12-01 06:03 UTC to 2026-12-01 06:03 UTC, by a refresh preview (`+"`pulumi refresh --preview-only`"+`: nothing written).

| Found | Customers |
|---|---:|
| Azure failed over on its own | 0 |
| Other drift | 0 |
| Check failed | 0 |
| No drift | 1 |
`, s.Markdown)
}

// A shard that wrote no report, a customer reported twice, and a file that
// is not a report make the check incomplete: never clean.
func TestSummarizeIncomplete(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, v any) {
		require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755))
		b, err := json.Marshal(v)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), b, 0o644))
	}
	write("drift-0/drift-0.json", Report{Version: ReportVersion, Shard: 0, Of: 3, CheckedAt: at, Stacks: []Stack{noneStack("adatum"), noneStack("contoso")}})
	write("drift-2/drift-2.json", Report{Version: ReportVersion, Shard: 2, Of: 3, CheckedAt: at, Stacks: []Stack{noneStack("contoso")}})
	write("drift-9/old.json", map[string]any{"version": 0})
	require.NoError(t, os.WriteFile(filepath.Join(dir, "broken.json"), []byte("{"), 0o644))
	reports, problems, err := Load(dir)
	require.NoError(t, err)
	require.Len(t, reports, 2)
	s := Summarize(reports, problems, -1)
	assert.False(t, s.Clean())
	assert.Equal(t, []string{
		"broken.json is not a drift report: unexpected end of JSON input",
		"drift-9/old.json is a drift report of version 0, not 1: the shards and the summary ran different drctl builds",
		"contoso is reported by two shards",
		"shard 1 of 3 wrote no report: its job failed or was cancelled (see the run); its customers are not in this summary",
	}, s.Problems)
	assert.Contains(t, s.Markdown, "## Drift check: incomplete\n")
	assert.Contains(t, s.Markdown, "\n### The check is incomplete\n\n- broken.json is not a drift report")

	odd := Summarize([]Report{{Version: ReportVersion, Of: 1, Stacks: []Stack{{Customer: "adatum", Kind: "sideways"}}}}, nil, -1)
	assert.Equal(t, map[Kind]int{KindFailed: 1}, odd.Counts)
	assert.Contains(t, odd.Markdown, "- **adatum**: the check failed: the shard reported the unknown result \"sideways\": `drctl drift --stacks adatum`\n")

	none := Summarize(nil, nil, -1)
	assert.Equal(t, []string{"no shard wrote a report"}, none.Problems)
	assert.False(t, none.Clean())

	// The run says how many shards it dealt: every one of them is expected,
	// even when none reported; an empty fleet is clean.
	lost := Summarize(nil, nil, 3)
	assert.Equal(t, []string{"shard 0, 1, 2 of 3 wrote no report: its job failed or was cancelled (see the run); " +
		"its customers are not in this summary"}, lost.Problems)
	empty := Summarize(nil, nil, 0)
	assert.True(t, empty.Clean())
	assert.Contains(t, empty.Markdown, "## Drift check: no drift\n\nChecked 0 customers in 0 shards, by a refresh preview")
	other := Summarize([]Report{{Version: ReportVersion, Shard: 0, Of: 1, CheckedAt: at, Stacks: []Stack{noneStack("adatum")}}}, nil, 2)
	assert.Equal(t, []string{"the shard reports say 1 shard, the run dealt 2",
		"shard 1 of 2 wrote no report: its job failed or was cancelled (see the run); its customers are not in this summary"}, other.Problems)
}

// A fleet of 1,000 customers, all drifting in many properties, still fits
// one issue body: the counts are whole, detail gives way to one line per
// customer, then to "and N more".
func TestSummarizeFleetFitsOneIssue(t *testing.T) {
	for _, tc := range []struct {
		name  string
		stack func(i int) Stack
	}{
		{"every kind", func(i int) Stack {
			c := fmt.Sprintf("customer-%04d", i)
			switch i % 4 {
			case 0:
				return failoverStack(c)
			case 1:
				s := driftStack(c)
				for j := range 40 {
					s.Resources[0].Properties = append(s.Resources[0].Properties,
						Property{Path: fmt.Sprintf("tags.t%d", j), Change: "add", Azure: strings.Repeat("é", 200)})
				}
				return s
			case 2:
				s := failedStack(c)
				s.Error = strings.Repeat("a long engine error ", 500)
				return s
			}
			return noneStack(c)
		}},
		{"all drift", func(i int) Stack { return driftStack(fmt.Sprintf("customer-with-a-long-name-%04d", i)) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var reports []Report
			for shard := range 8 {
				r := Report{Version: ReportVersion, Shard: shard, Of: 8, CheckedAt: at}
				for i := shard; i < 1000; i += 8 {
					r.Stacks = append(r.Stacks, tc.stack(i))
				}
				reports = append(reports, r)
			}
			s := Summarize(reports, nil, -1)
			assert.Equal(t, 1000, s.Customers)
			assert.LessOrEqual(t, utf8.RuneCountInString(s.Markdown), IssueBodyLimit)
			assert.LessOrEqual(t, len(s.Markdown), budget)
			assert.True(t, strings.HasPrefix(s.Markdown, Marker+"\n"))
			if tc.name == "all drift" {
				assert.Contains(t, s.Markdown, "| Other drift | 1000 |\n")
				assert.Contains(t, s.Markdown, "- **customer-with-a-long-name-0000**: ")
				assert.Regexp(t, `\n- and \d+ more: the run's shard reports \(artifacts drift-\*\) list them all, each with its command\n$`, s.Markdown)
			} else {
				assert.Contains(t, s.Markdown, "| Azure failed over on its own | 250 |\n| Other drift | 250 |\n| Check failed | 250 |\n| No drift | 250 |\n")
				for _, title := range []string{"Azure failed over on its own (250)", "Other drift (250)", "Check failed (250)"} {
					assert.Contains(t, s.Markdown, "\n### "+title+"\n", "every kind has its section")
				}
				assert.Contains(t, s.Markdown, "- **customer-0000**: Azure failed over to westus")
				assert.Contains(t, s.Markdown, "- **customer-0001**: 3 properties")
				assert.Contains(t, s.Markdown, "- **customer-0002**: the check failed: a long engine error")
			}
		})
	}
}
