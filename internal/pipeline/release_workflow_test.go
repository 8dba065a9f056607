package pipeline

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/fhir-dr/fhir-dr/azure/azurenative"
	"github.com/fhir-dr/fhir-dr/internal/engine"
	"github.com/fhir-dr/fhir-dr/internal/kubestandin"
	"github.com/fhir-dr/fhir-dr/internal/rollout/ring"
	"github.com/fhir-dr/fhir-dr/internal/shard"
)

// The release workflow (.github/workflows/release.yml): a plan job, then a
// stage per ring in release order, each a matrix of shard jobs and the
// ring's gate.

// releaseRings are the rings in release order, as the rollout declares
// them (release.ring): a ring added there needs its stage here.
var releaseRings = ring.Names()

func ringPresent(ring string) string {
	return "contains(fromJSON(needs.plan.outputs.rings), '" + ring + "')"
}

// The jobs are the plan, and for each ring its shards and its gate;
// nothing else.
func TestReleaseWorkflowStages(t *testing.T) {
	w := load(t, "release.yml")
	want := []string{"plan"}
	for _, r := range releaseRings {
		want = append(want, "shards-"+r, "gate-"+r)
	}
	assert.ElementsMatch(t, want, sortedKeys(w.Jobs))
	assert.Empty(t, w.Jobs["plan"].Needs)
	for i, r := range releaseRings {
		shards, gate := w.Jobs["shards-"+r], w.Jobs["gate-"+r]
		// A stage needs the plan and every earlier ring's gate, and starts
		// only when each earlier ring present in the plan passed its gate.
		want := []string{"plan"}
		for _, p := range releaseRings[:i] {
			want = append(want, "gate-"+p)
		}
		assert.Equal(t, needs(want), shards.Needs, "shards-%s", r)
		cond := strings.Join(strings.Fields(shards.If), " ")
		assert.True(t, strings.HasPrefix(cond, "!cancelled() && needs.plan.result == 'success' && "+ringPresent(r)), "shards-%s: %s", r, cond)
		for _, p := range releaseRings[:i] {
			assert.Contains(t, cond, "(needs.gate-"+p+".result == 'success' || !"+ringPresent(p)+")", "shards-%s after gate-%s", r, p)
		}
		assert.NotContains(t, cond, "always()", "shards-%s: a cancelled run stops", r)
		assert.NotContains(t, cond, "failure()", "shards-%s", r)
		// The gate runs after the ring's shards whatever they did, not
		// when the ring never started or is absent.
		assert.Equal(t, needs{"plan", "shards-" + r}, gate.Needs, "gate-%s", r)
		gcond := strings.Join(strings.Fields(gate.If), " ")
		assert.Equal(t, "!cancelled() && needs.plan.result == 'success' && "+ringPresent(r)+" && needs.shards-"+r+".result != 'skipped'", gcond, "gate-%s", r)
		assert.Equal(t, r, shards.Env["RING"])
		assert.Equal(t, r, gate.Env["RING"])
	}
	// The plan job publishes the ring list and each ring's shard indexes.
	plan := w.Jobs["plan"]
	assert.Equal(t, "${{ steps.plan.outputs.rings }}", plan.Outputs["rings"])
	for _, r := range releaseRings {
		assert.Equal(t, "${{ steps.plan.outputs.shards-"+r+" }}", plan.Outputs["shards-"+r])
	}
	assert.Len(t, plan.Outputs, 1+len(releaseRings))
	// The plan script writes the same rings' outputs, in release order.
	assert.Contains(t, stepRun(t, plan, "plan"), "for ring in "+strings.Join(releaseRings, " ")+"; do")
}

// maxShardsLimit is the bound the plan job puts on max-shards.
func maxShardsLimit(t *testing.T) int {
	t.Helper()
	m := regexp.MustCompile(`(?m)^\s*max_shards_limit=(\d+)$`).FindStringSubmatch(stepRun(t, load(t, "release.yml").Jobs["plan"], "validate"))
	require.NotNil(t, m, "the validation states max_shards_limit")
	n, err := strconv.Atoi(m[1])
	require.NoError(t, err)
	return n
}

// No matrix can exceed GitHub's 256 jobs, not one ring's and not all of
// them together.
func TestReleaseWorkflowMatrixBound(t *testing.T) {
	w := load(t, "release.yml")
	limit := maxShardsLimit(t)
	assert.LessOrEqual(t, limit*len(releaseRings), shard.GitHubMatrixLimit, "every ring at max-shards stays within the limit")
	for _, r := range releaseRings {
		j := w.Jobs["shards-"+r]
		assert.Equal(t, map[string]any{"shard": "${{ fromJSON(needs.plan.outputs.shards-" + r + ") }}"}, j.Strategy.Matrix, r)
		assert.False(t, j.Strategy.FailFast, "%s: one shard's failure does not cancel the others", r)
		assert.Positive(t, j.Strategy.MaxParallel, r)
		assert.LessOrEqual(t, j.Strategy.MaxParallel, limit, r)
		assert.Nil(t, w.Jobs["gate-"+r].Strategy.Matrix, "one gate per ring")
	}
	var in struct {
		On struct {
			Dispatch struct {
				Inputs map[string]dispatchInput
			} `yaml:"workflow_dispatch"`
		} `yaml:"on"`
	}
	b, err := os.ReadFile(filepath.Join("..", "..", ".github", "workflows", "release.yml"))
	require.NoError(t, err)
	require.NoError(t, yaml.Unmarshal(b, &in))
	assert.Equal(t, []string{"max-shards", "resume", "stacks"}, sortedKeys(in.On.Dispatch.Inputs))
	assert.Equal(t, dispatchInput{Type: "string", Default: "32"}, in.On.Dispatch.Inputs["max-shards"])
	def, err := strconv.Atoi(in.On.Dispatch.Inputs["max-shards"].Default.(string))
	require.NoError(t, err)
	assert.LessOrEqual(t, def, limit)
	assert.Equal(t, "${{ inputs.max-shards || '32' }}", w.Jobs["plan"].Env["MAX_SHARDS"], "a push plans with the default")
}

// Each shard job: the production environment, OIDC, the pinned CLI and
// plugins, one run per shard at a time never cancelled, the write region
// verified before anything is applied, the results kept whatever happened.
func TestReleaseWorkflowShardJobs(t *testing.T) {
	w := load(t, "release.yml")
	for _, r := range releaseRings {
		j := w.Jobs["shards-"+r]
		assert.Equal(t, "production", j.Environment, r)
		assert.Equal(t, "release-"+r+"-shard-${{ matrix.shard }}", j.Concurrency.Group, "%s: a concurrency group per shard", r)
		if assert.NotNil(t, j.Concurrency.CancelInProgress, r) {
			assert.False(t, *j.Concurrency.CancelInProgress, "%s: never cancel an update in flight", r)
		}
		assert.Positive(t, j.TimeoutMinutes, r)
		assert.Equal(t, "true", j.Env["ARM_USE_OIDC"], r)
		assert.NotContains(t, j.Env, "ARM_CLIENT_SECRET", "no stored Azure secret")
		assert.Equal(t, "${{ vars.PULUMI_BACKEND_URL }}", j.Env["PULUMI_BACKEND_URL"], "the backend is configurable")
		assert.Equal(t, azurenative.Version, j.Env["AZURE_NATIVE_VERSION"], "the plugin the program pins")
		assert.Equal(t, kubestandin.Version, j.Env["KUBERNETES_VERSION"], "the plugin the kubernetes SDK pins")
		assert.Regexp(t, `^v\d+\.\d+\.\d+$`, j.Env["KUBELOGIN_VERSION"])
		assert.Equal(t, engine.CLIVersion, j.Env["PULUMI_VERSION"], "the CLI the rehearsal tested")
		assert.Equal(t, "${{ matrix.shard }}", j.Env["SHARD"])
		var runs []string
		for _, s := range j.Steps {
			runs = append(runs, s.Run)
		}
		all := strings.Join(runs, "\n")
		assert.Contains(t, all, `pulumi" plugin install resource azure-native "${AZURE_NATIVE_VERSION}"`)
		assert.Contains(t, all, `pulumi" plugin install resource kubernetes "${KUBERNETES_VERSION}"`)
		assert.Contains(t, all, `go install "github.com/Azure/kubelogin@${KUBELOGIN_VERSION}"`)
		assert.Contains(t, all, "make policy")
		verify := strings.Index(all, `drctl" record "${stack}" --verify --before-release`)
		run := strings.Index(all, `drctl" rollout run --plan plan/plan.json --ring "${RING}" --shard "${SHARD}" --parallel 4`)
		if assert.GreaterOrEqual(t, verify, 0, "%s: Azure's write region is checked against each stack file", r) &&
			assert.GreaterOrEqual(t, run, 0, r) {
			assert.Less(t, verify, run, "%s: before anything is applied", r)
		}
		assert.Contains(t, all, `--policy-pack .bin/fhir-dr-policy --results "results/${RING}-${SHARD}.json"`)
		last := j.Steps[len(j.Steps)-1]
		assert.True(t, strings.HasPrefix(last.Uses, "actions/upload-artifact@"), r)
		assert.Equal(t, "always()", last.If, "%s: the results of failed stacks are kept for the gate", r)
		assert.Equal(t, "results-"+r+"-${{ matrix.shard }}", last.With["name"])
		assert.Equal(t, "true", last.With["overwrite"], "a re-run replaces the shard's results")
		assert.Equal(t, "results/", last.With["path"])
		plan := j.Steps[slices.IndexFunc(j.Steps, func(s step) bool { return strings.HasPrefix(s.Uses, "actions/download-artifact@") })]
		assert.Equal(t, "release-plan", plan.With["name"])
	}
}

// Each gate reads the ring's shard results and the plan, and runs drctl
// rollout gate with its summary; its job outlives the longest bake.
func TestReleaseWorkflowGates(t *testing.T) {
	w := load(t, "release.yml")
	for _, r := range releaseRings {
		j := w.Jobs["gate-"+r]
		assert.Equal(t, "production", j.Environment, "%s: the Azure credentials", r)
		assert.GreaterOrEqual(t, j.TimeoutMinutes, 5*60+30, "%s: the longest bake (5 h) and the check", r)
		assert.LessOrEqual(t, j.TimeoutMinutes, 6*60, "%s: within a GitHub job's 6 h", r)
		var downloads []step
		for _, s := range j.Steps {
			if strings.HasPrefix(s.Uses, "actions/download-artifact@") {
				downloads = append(downloads, s)
			}
		}
		require.Len(t, downloads, 2, r)
		assert.Equal(t, map[string]string{"name": "release-plan", "path": "plan"}, downloads[0].With)
		assert.Equal(t, map[string]string{"pattern": "results-" + r + "-*", "path": "results", "merge-multiple": "true"}, downloads[1].With)
		gate := j.Steps[len(j.Steps)-1].Run
		assert.Contains(t, gate, `drctl" rollout gate --plan plan/plan.json --ring "${RING}" --results results`)
		assert.Contains(t, gate, `--subscription "${AZURE_SUBSCRIPTION_ID}" --summary "$GITHUB_STEP_SUMMARY"`)
		assert.NotContains(t, gate, "--bake", "the plan's bake, never shortened in production")
		assert.NotContains(t, gate, "|| true", "a halt fails the job")
	}
}

// The plan job reads nothing it does not need; the shards and gates log in
// to Azure by OIDC and nothing else.
func TestReleaseWorkflowPermissions(t *testing.T) {
	w := load(t, "release.yml")
	assert.Equal(t, map[string]string{"contents": "read"}, w.Permissions)
	assert.Equal(t, map[string]string{"contents": "read"}, w.Jobs["plan"].Permissions)
	assert.Empty(t, w.Jobs["plan"].Environment, "the plan needs no credential")
	for _, r := range releaseRings {
		for _, name := range []string{"shards-" + r, "gate-" + r} {
			assert.Equal(t, map[string]string{"contents": "read", "id-token": "write"}, w.Jobs[name].Permissions, name)
		}
	}
}

// runStep runs a step's script of the release workflow with bash, as
// GitHub does, in the repository root, with env, and with drctl in
// $RUNNER_TEMP a stand-in that records its arguments and prints
// $STANDIN_PLAN (go build makes it). It returns the output, and
// $GITHUB_OUTPUT and the stand-in's calls separated by a NUL.
func runStep(t *testing.T, jobName, id string, env map[string]string) (string, string, error) {
	t.Helper()
	temp := t.TempDir()
	script := filepath.Join(temp, "step.sh")
	require.NoError(t, os.WriteFile(script, []byte(stepRun(t, load(t, "release.yml").Jobs[jobName], id)), 0o644))
	// The stand-in drctl records its arguments, fails when one of them is
	// $STANDIN_FAIL and prints $STANDIN_PLAN; go build (re)makes it, the
	// real go is not run.
	standin := "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\t' \"$a\"; done >> \"$STANDIN_CALLS\"; echo >> \"$STANDIN_CALLS\"\n" +
		"for a in \"$@\"; do [ -n \"$STANDIN_FAIL\" ] && [ \"$a\" = \"$STANDIN_FAIL\" ] && exit 1; done\nprintf '%s' \"$STANDIN_PLAN\"\n"
	require.NoError(t, os.WriteFile(filepath.Join(temp, "drctl"), []byte(standin), 0o755))
	bin := filepath.Join(temp, "bin")
	require.NoError(t, os.Mkdir(bin, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(bin, "go"), []byte("#!/bin/sh\n"+
		`[ "$1" = build ] && [ "$3" = "${RUNNER_TEMP}/drctl" ] || exit 3`+"\n"), 0o755))
	if _, err := exec.LookPath("jq"); err != nil {
		t.Skip("jq, which the runners have, is not installed here")
	}
	work := t.TempDir() // the step writes plan/ in its working directory
	if p, ok := env["PLAN_FILE"]; ok {
		require.NoError(t, os.MkdirAll(filepath.Join(work, "plan"), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(work, "plan", "plan.json"), []byte(p), 0o644))
	}
	cmd := exec.Command("bash", "--noprofile", "--norc", "-eo", "pipefail", script)
	cmd.Dir = work
	full := map[string]string{
		"PATH": bin + string(os.PathListSeparator) + os.Getenv("PATH"), "HOME": temp, "RUNNER_TEMP": temp,
		"GITHUB_OUTPUT": filepath.Join(temp, "output"), "GITHUB_STEP_SUMMARY": filepath.Join(temp, "summary"),
		"GITHUB_SHA": "c0ffee1c0ffee1c0ffee1c0ffee1c0ffee1c0ffe", "STANDIN_CALLS": filepath.Join(temp, "calls"),
	}
	for k, v := range env {
		full[k] = v
	}
	for k, v := range full {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.CombinedOutput()
	output, _ := os.ReadFile(filepath.Join(temp, "output"))
	calls, _ := os.ReadFile(filepath.Join(temp, "calls"))
	return string(out), string(output) + "\x00" + string(calls), err
}

func stepRun(t *testing.T, j job, id string) string {
	t.Helper()
	i := slices.IndexFunc(j.Steps, func(s step) bool { return s.ID == id || s.Name == id })
	require.GreaterOrEqual(t, i, 0, "no step %s", id)
	return j.Steps[i].Run
}

const sha = "c0ffee1c0ffee1c0ffee1c0ffee1c0ffee1c0ffe"

func TestReleaseWorkflowValidation(t *testing.T) {
	limit := strconv.Itoa(maxShardsLimit(t))
	ok := func(stacks, resume, maxShards string) map[string]string {
		return map[string]string{"STACKS": stacks, "RESUME": resume, "MAX_SHARDS": maxShards}
	}
	for _, tc := range []struct {
		env    map[string]string
		stacks string
	}{
		{ok("", "", "32"), ""},
		{ok("all", "", "1"), "all"},
		{ok(" contoso, litware ", "", limit), "contoso,litware"},
		{ok("contoso", sha, "32"), "contoso"},
		{ok("all", sha, "32"), "all"},
	} {
		out, outputs, err := runStep(t, "plan", "validate", tc.env)
		require.NoError(t, err, "%v: %s", tc.env, out)
		assert.Contains(t, outputs, "stacks="+tc.stacks+"\n", "%v", tc.env)
	}
	over, _ := strconv.Atoi(limit)
	for _, tc := range []struct {
		env    map[string]string
		reason string
	}{
		{ok("", "", strconv.Itoa(over+1)), "max-shards: a whole number from 1 to " + limit},
		{ok("", "", "0"), "max-shards"},
		{ok("", "", "8; id"), "max-shards"},
		{ok("Contoso", "", "32"), "stacks:"},
		{ok("contoso,$(id)", "", "32"), "stacks:"},
		{ok("contoso,,litware", "", "32"), "stacks:"},
		{ok("contoso", "c0ffee1", "32"), "resume: the full commit SHA"},
		{ok("contoso", strings.Repeat("a", 40), "32"), "resume " + strings.Repeat("a", 40) + ": main has moved on to " + sha},
		{ok("", sha, "32"), "resume: give the stacks"},
	} {
		out, _, err := runStep(t, "plan", "validate", tc.env)
		assert.Error(t, err, "%v refused", tc.env)
		assert.Contains(t, out, "::error::"+tc.reason, "%v", tc.env)
	}
}

// What reaches drctl rollout plan, and what the job publishes of the plan.
func TestReleaseWorkflowPlanStep(t *testing.T) {
	plan, err := json.Marshal(map[string]any{"commit": sha, "maxShards": 2, "haltAbove": 0.1, "rings": []map[string]any{
		{"name": "canary", "stacks": []string{"contoso", "litware"}, "shards": [][]string{{"contoso"}, {"litware"}}, "bakeSeconds": 3600},
		{"name": "wave-2", "stacks": []string{"fabrikam"}, "shards": [][]string{{"fabrikam"}}, "bakeSeconds": 900},
	}})
	require.NoError(t, err)
	for _, tc := range []struct {
		requested, before string
		args              string
	}{
		{"", "0123456789012345678901234567890123456789", "--base\t0123456789012345678901234567890123456789\t"},
		{"", "0000000000000000000000000000000000000000", "--base\tHEAD~1\t"},
		{"", "", "--base\tHEAD~1\t"},
		{"all", "", "--all\t"},
		{"contoso,litware", "", "--stacks\tcontoso,litware\t"},
	} {
		t.Run(fmt.Sprintf("%q %q", tc.requested, tc.before), func(t *testing.T) {
			out, got, err := runStep(t, "plan", "plan", map[string]string{"REQUESTED": tc.requested, "BEFORE": tc.before, "MAX_SHARDS": "32",
				"STANDIN_PLAN": string(plan)})
			require.NoError(t, err, out)
			outputs, calls, _ := strings.Cut(got, "\x00")
			assert.Equal(t, "rollout\tplan\t--json\t--max-shards\t32\t"+tc.args+"\n", calls)
			assert.Equal(t, `rings=["canary","wave-2"]`+"\nshards-canary=[0,1]\nshards-early=[]\nshards-wave-1=[]\nshards-wave-2=[0]\nshards-wave-3=[]\nshards-broad=[]\n", outputs)
		})
	}
	out, _, err := runStep(t, "plan", "plan", map[string]string{"REQUESTED": "all", "MAX_SHARDS": "32", "GITHUB_SHA": strings.Repeat("b", 40),
		"STANDIN_PLAN": string(plan)})
	assert.Error(t, err)
	assert.Contains(t, out, "::error::the plan is of "+sha+", the run of "+strings.Repeat("b", 40))
}

// Each stack of the shard is verified against Azure before anything is
// applied; one that disagrees stops the shard, naming it.
func TestReleaseWorkflowShardSteps(t *testing.T) {
	plan := `{"commit":"` + sha + `","rings":[{"name":"early","stacks":["a","b","c"],"shards":[["a","c"],["b"]]}]}`
	env := map[string]string{"RING": "early", "SHARD": "0", "ARM_SUBSCRIPTION_ID": "sub-1", "PLAN_FILE": plan}
	out, got, err := runStep(t, "shards-early", "Azure agrees with the recorded write region", env)
	require.NoError(t, err, out)
	_, calls, _ := strings.Cut(got, "\x00")
	assert.Equal(t, "record\ta\t--verify\t--before-release\t--subscription\tsub-1\t\n"+
		"record\tc\t--verify\t--before-release\t--subscription\tsub-1\t\n", calls)

	env["STANDIN_FAIL"] = "a"
	out, got, err = runStep(t, "shards-early", "Azure agrees with the recorded write region", env)
	assert.Error(t, err)
	assert.Contains(t, out, "::error::Azure and the stack file disagree on the write region of: a (drctl record says what to run); nothing of this shard was applied")
	_, calls, _ = strings.Cut(got, "\x00")
	assert.Equal(t, 2, strings.Count(calls, "record\t"), "every stack is verified, all disagreements named at once")

	env = map[string]string{"RING": "early", "SHARD": "5", "ARM_SUBSCRIPTION_ID": "sub-1", "PLAN_FILE": plan}
	out, _, err = runStep(t, "shards-early", "Azure agrees with the recorded write region", env)
	assert.Error(t, err)
	assert.Contains(t, out, "::error::ring early has no shard 5 in the plan")

	out, got, err = runStep(t, "shards-early", "drctl rollout run", map[string]string{"RING": "early", "SHARD": "1"})
	require.NoError(t, err, out)
	_, calls, _ = strings.Cut(got, "\x00")
	assert.Equal(t, "rollout\trun\t--plan\tplan/plan.json\t--ring\tearly\t--shard\t1\t--parallel\t4\t--policy-pack\t.bin/fhir-dr-policy\t"+
		"--results\tresults/early-1.json\t\n", calls)

	// The gate's exit status is the job's: a halt fails it.
	env = map[string]string{"RING": "early", "AZURE_SUBSCRIPTION_ID": "sub-1", "STANDIN_FAIL": "gate"}
	out, got, err = runStep(t, "gate-early", "drctl rollout gate", env)
	assert.Error(t, err, out)
	_, calls, _ = strings.Cut(got, "\x00")
	assert.True(t, strings.HasPrefix(calls, "rollout\tgate\t--plan\tplan/plan.json\t--ring\tearly\t--results\tresults\t--subscription\tsub-1\t--summary\t"), calls)
	assert.True(t, strings.HasSuffix(calls, string(filepath.Separator)+"summary\t\n"), "the job's summary file: %s", calls)
}
