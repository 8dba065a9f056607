package pipeline

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/fhir-dr/fhir-dr/internal/drift"
	"github.com/fhir-dr/fhir-dr/internal/shard"
)

// The drift workflow (.github/workflows/drift.yml): a scheduled refresh
// preview of the fleet in shards, reported as one issue. Besides its
// structure, its issue scripts are run with bash against stand-ins for go
// (drctl) and gh.

type driftWorkflow struct {
	On struct {
		Schedule         []struct{ Cron string }
		WorkflowDispatch struct {
			Inputs map[string]struct {
				Type    string
				Default any
			}
		} `yaml:"workflow_dispatch"`
	} `yaml:"on"`
	Jobs map[string]struct {
		Needs    any
		Strategy struct {
			Matrix map[string]any
		}
	}
}

func loadDrift(t *testing.T) (workflow, driftWorkflow) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", ".github", "workflows", "drift.yml"))
	require.NoError(t, err)
	var d driftWorkflow
	require.NoError(t, yaml.Unmarshal(b, &d))
	return load(t, "drift.yml"), d
}

func TestDriftWorkflowSchedule(t *testing.T) {
	w, d := loadDrift(t)
	assert.Equal(t, []string{"schedule", "workflow_dispatch"}, sortedKeys(w.On), "scheduled, and by hand")
	require.Len(t, d.On.Schedule, 1)
	assert.Regexp(t, `^\d+ \d+ \* \* \*$`, d.On.Schedule[0].Cron, "daily")
	in := d.On.WorkflowDispatch.Inputs["max-shards"]
	assert.Equal(t, "number", in.Type)
	assert.Equal(t, 16, in.Default)
}

// Read-only everywhere but the one issue: the shards have the Azure
// login's token and read the repository; only the summary job writes, and
// only issues.
func TestDriftWorkflowPermissions(t *testing.T) {
	w, _ := loadDrift(t)
	assert.Equal(t, []string{"check", "shards", "summary"}, sortedKeys(w.Jobs))
	assert.Equal(t, map[string]string{"contents": "read"}, w.Jobs["shards"].Permissions)
	assert.Equal(t, map[string]string{"contents": "read", "id-token": "write"}, w.Jobs["check"].Permissions, "OIDC for Azure, nothing else")
	assert.Equal(t, map[string]string{"contents": "read", "issues": "write"}, w.Jobs["summary"].Permissions)
	check := w.Jobs["check"]
	assert.Equal(t, "drift", check.Environment, "the reader identity's environment, not production's")
	assert.Equal(t, "true", check.Env["ARM_USE_OIDC"])
	assert.NotContains(t, check.Env, "ARM_CLIENT_SECRET", "no stored Azure secret")
	assert.Empty(t, w.Jobs["summary"].Environment, "the summary has no Azure credentials")
	for name, j := range w.Jobs {
		for _, s := range j.Steps {
			assert.NotContains(t, s.Run, "drctl up", "%s: the drift check never applies", name)
			assert.NotContains(t, s.Run, "drctl refresh", "%s: nor refreshes the state", name)
			assert.NotRegexp(t, `pulumi"? (up|refresh|destroy)`, s.Run, name)
		}
	}
}

// The matrix is over shards, never stacks: drctl drift matrix deals the
// fleet into at most --max-shards (refused above shard.GitHubMatrixLimit)
// and each job checks its shard.
func TestDriftWorkflowMatrixBounded(t *testing.T) {
	w, d := loadDrift(t)
	assert.Equal(t, map[string]any{"shard": "${{ fromJSON(needs.shards.outputs.matrix).shard }}"}, d.Jobs["check"].Strategy.Matrix)
	in := d.On.WorkflowDispatch.Inputs["max-shards"]
	assert.LessOrEqual(t, in.Default, shard.GitHubMatrixLimit)
	shards := w.Jobs["shards"]
	matrix := shards.Steps[stepIndex(t, shards, "matrix")]
	assert.Contains(t, matrix.Run, `go run ./cmd/drctl drift matrix --max-shards "${MAX_SHARDS}"`)
	assert.Equal(t, "${{ inputs.max-shards || 16 }}", matrix.Env["MAX_SHARDS"], "the schedule has no inputs: 16")

	check := w.Jobs["check"]
	assert.Equal(t, "needs.shards.outputs.of != '0'", check.If, "no matrix for an empty fleet")
	assert.False(t, check.Strategy.FailFast)
	assert.Positive(t, check.Strategy.MaxParallel)
	assert.LessOrEqual(t, check.Strategy.MaxParallel, shard.GitHubMatrixLimit)
	var runs []string
	for _, s := range check.Steps {
		runs = append(runs, s.Run)
		if strings.HasPrefix(s.Uses, "actions/upload-artifact@") {
			assert.Equal(t, "always()", s.If, "a shard's report is kept whatever it found")
			assert.Equal(t, "drift-${{ matrix.shard }}", s.With["name"])
		}
	}
	assert.Contains(t, strings.Join(runs, "\n"),
		`go run ./cmd/drctl drift --shard "${SHARD}" --of "${OF}" --json --out "drift-${SHARD}.json" --report-only`)
	assert.Equal(t, "${{ matrix.shard }}", check.Env["SHARD"])
	assert.Equal(t, "${{ needs.shards.outputs.of }}", check.Env["OF"])
}

// One issue, never one per stack or per shard: only the summary job, which
// is no matrix and runs once after every shard (also failed ones), talks
// to GitHub's issues, and it finds its issue by label and marker.
func TestDriftWorkflowOneIssue(t *testing.T) {
	w, d := loadDrift(t)
	for name, j := range w.Jobs {
		if name == "summary" {
			continue
		}
		for _, s := range j.Steps {
			assert.NotContains(t, s.Run, "gh ", "%s: only the summary job reports", name)
		}
	}
	summary := w.Jobs["summary"]
	assert.Empty(t, d.Jobs["summary"].Strategy.Matrix, "one summary job")
	assert.Equal(t, []any{"shards", "check"}, d.Jobs["summary"].Needs)
	assert.Equal(t, "always() && needs.shards.result == 'success'", summary.If, "also when a shard failed: the summary names it")
	issue := summary.Steps[len(summary.Steps)-1].Run
	assert.Equal(t, 1, strings.Count(issue, "gh issue create"))
	assert.Contains(t, issue, "marker='"+drift.Marker+"'", "the marker drctl drift summary writes")
	assert.Contains(t, issue, "gh issue list --label drift --state open")
	merge := summary.Steps[stepIndex(t, summary, "summary")]
	assert.Equal(t, "${{ needs.shards.outputs.of }}", merge.Env["SHARDS"], "every shard dealt is expected")
	assert.Contains(t, merge.Run, `drctl drift summary shards --shards "${SHARDS}" --out drift.md`)
}

// driftScripts runs the summary job's two scripts, as GitHub does, in a
// directory of their own, with go (drctl) and gh replaced by stand-ins:
// drctl drift summary writes the report and exits summaryExit; gh lists
// openIssue (a JSON list) and records every call.
func driftScripts(t *testing.T, summaryExit, openIssue string) (calls []string, body string) {
	t.Helper()
	w, _ := loadDrift(t)
	summary := w.Jobs["summary"]
	dir, bin := t.TempDir(), t.TempDir()
	callLog := filepath.Join(dir, "calls")
	record := `{ printf '%s' "$(basename "$0")"; for a in "$@"; do printf ' %s' "$a"; done; echo; } >> "$STANDIN_CALLS"` + "\n"
	stub := func(name, body string) {
		require.NoError(t, os.WriteFile(filepath.Join(bin, name), []byte("#!/bin/bash\n"+record+body), 0o755))
	}
	stub("go", `[ "$*" = "run ./cmd/drctl drift summary shards --shards 4 --out drift.md" ] || exit 3
printf '%s\n## Drift check: 2 customers need action\n\nbody\n' '`+drift.Marker+`' > drift.md
exit "${STANDIN_SUMMARY_EXIT}"
`)
	stub("gh", `case "$1 $2" in
"issue list") printf '%s' "${STANDIN_OPEN_ISSUES}" | jq -r "$(for a in "$@"; do [ "$prev" = --jq ] && printf '%s' "$a"; prev=$a; done)";;
esac
`)
	runStep := func(id string, extra ...string) string {
		s := summary.Steps[stepIndex(t, summary, id)]
		script := filepath.Join(dir, id+".sh")
		require.NoError(t, os.WriteFile(script, []byte(s.Run), 0o644))
		cmd := exec.Command("bash", "--noprofile", "--norc", "-eo", "pipefail", script)
		cmd.Dir = dir
		cmd.Env = append([]string{"PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH"), "HOME=" + dir,
			"STANDIN_CALLS=" + callLog, "SHARDS=4", "STANDIN_SUMMARY_EXIT=" + summaryExit, "STANDIN_OPEN_ISSUES=" + openIssue,
			"GITHUB_OUTPUT=" + filepath.Join(dir, "output"), "GITHUB_STEP_SUMMARY=" + filepath.Join(dir, "step-summary"),
			"RUN_URL=https://github.com/fhir-dr/fhir-dr/actions/runs/7"}, extra...)
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, string(out))
		return string(out)
	}
	runStep("summary")
	output, err := os.ReadFile(filepath.Join(dir, "output"))
	require.NoError(t, err)
	clean := strings.TrimPrefix(strings.TrimSpace(string(output)), "clean=")
	// The issue step is the last; it has no id.
	issue := summary.Steps[len(summary.Steps)-1]
	issue.ID = "issue"
	summary.Steps[len(summary.Steps)-1] = issue
	runStep("issue", "GH_TOKEN=the-token", "CLEAN="+clean)
	b, err := os.ReadFile(filepath.Join(dir, "drift.md"))
	require.NoError(t, err)
	log, err := os.ReadFile(callLog)
	require.NoError(t, err)
	for _, line := range strings.Split(strings.TrimSpace(string(log)), "\n") {
		if strings.HasPrefix(line, "gh ") && !strings.HasPrefix(line, "gh label create") {
			calls = append(calls, strings.SplitN(line, " --jq", 2)[0])
		}
	}
	return calls, string(b)
}

func TestDriftWorkflowIssueLifecycle(t *testing.T) {
	const ours = `[{"number": 12, "body": "someone else's drift issue"}, {"number": 41, "body": "` + drift.Marker + `\n## Drift check: 1 customer needs action"}]`
	list := "gh issue list --label drift --state open --limit 100 --json number,body"
	title := "Drift: 2 customers need action"
	for _, tc := range []struct {
		name, exit, open string
		want             []string
	}{
		{"drift, no issue yet: one is opened", "1", "[]", []string{list, "gh issue create --title " + title + " --label drift --body-file drift.md"}},
		{"drift again: the same issue is updated", "1", ours, []string{list, "gh issue edit 41 --title " + title + " --body-file drift.md"}},
		{"no drift: the issue is closed", "0", ours, []string{list, "gh issue comment 41 --body-file drift.md", "gh issue close 41 --reason completed"}},
		{"no drift, no issue: nothing", "0", "[]", []string{list}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			calls, body := driftScripts(t, tc.exit, tc.open)
			assert.Equal(t, tc.want, calls)
			assert.True(t, strings.HasPrefix(body, drift.Marker+"\n"))
			assert.True(t, strings.HasSuffix(body, "\nThe run, its shard reports as artifacts: https://github.com/fhir-dr/fhir-dr/actions/runs/7\n"), body)
		})
	}
}
