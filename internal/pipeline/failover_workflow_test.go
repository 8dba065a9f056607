package pipeline

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

// The failover workflow (.github/workflows/failover.yml): the on-call's one
// click. Besides the structure, its scripts are run here with bash against
// stand-ins for drctl, git and gh, with the job's env as GitHub would
// evaluate it, so that what reaches drctl, and what is published, is tested
// and not only read.

func failoverJob(t *testing.T) job {
	t.Helper()
	j, ok := load(t, "failover.yml").Jobs["failover"]
	require.True(t, ok, "failover.yml has a job named failover")
	return j
}

// stepIndex is the index of the step with the given id, or of the first
// step that uses the given action (ids without a slash are step ids).
func stepIndex(t *testing.T, j job, idOrAction string) int {
	t.Helper()
	for i, s := range j.Steps {
		if s.ID == idOrAction || strings.Contains(idOrAction, "/") && strings.HasPrefix(s.Uses, idOrAction+"@") {
			return i
		}
	}
	t.Fatalf("failover job: no step %s", idOrAction)
	return -1
}

type dispatchInput struct {
	Type     string
	Required bool
	Default  any
	Options  []string
}

func TestFailoverWorkflowInputs(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", ".github", "workflows", "failover.yml"))
	require.NoError(t, err)
	var w struct {
		On map[string]struct {
			Inputs map[string]dispatchInput
		} `yaml:"on"`
	}
	require.NoError(t, yaml.Unmarshal(b, &w))
	require.Len(t, w.On, 1, "started by hand only")
	in := w.On["workflow_dispatch"].Inputs
	assert.Equal(t, []string{"accept-data-loss", "customer", "kind", "ticket"}, sortedKeys(in))
	assert.Equal(t, dispatchInput{Type: "string", Required: true}, in["customer"])
	assert.Equal(t, dispatchInput{Type: "choice", Required: true, Options: []string{"planned", "forced", "drill"}}, in["kind"])
	assert.Equal(t, dispatchInput{Type: "string", Required: true}, in["ticket"], "every failover has its ticket")
	assert.Equal(t, dispatchInput{Type: "boolean", Default: false}, in["accept-data-loss"], "data loss is never the default")
}

func sortedKeys[V any](m map[string]V) []string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// A second person approves every run: the protected environment's required
// reviewers. One failover per customer at a time, never cancelled halfway,
// and bounded.
func TestFailoverWorkflowGuards(t *testing.T) {
	j := failoverJob(t)
	assert.Equal(t, "failover", j.Environment, "the job runs in the protected environment failover")
	assert.Regexp(t, `\$\{\{\s*inputs\.customer\s*\}\}`, j.Concurrency.Group, "one concurrency group per customer")
	if assert.NotNil(t, j.Concurrency.CancelInProgress, "cancel-in-progress is written") {
		assert.False(t, *j.Concurrency.CancelInProgress, "a failover in flight is never cancelled")
	}
	assert.Positive(t, j.TimeoutMinutes, "the job has a timeout")
	assert.LessOrEqual(t, j.TimeoutMinutes, 60)
	run := j.Steps[stepIndex(t, j, "drctl")]
	assert.Positive(t, run.TimeoutMinutes, "drctl's step has a timeout")
	assert.Less(t, run.TimeoutMinutes, j.TimeoutMinutes, "the publish step still has time after drctl's timeout")
}

// The Azure login is by OIDC, with the identity release.yml logs in with,
// and every action is pinned to the version release.yml pins it to.
func TestFailoverWorkflowLoginAndPins(t *testing.T) {
	j := failoverJob(t)
	release := load(t, "release.yml").Jobs["shards-canary"]
	pins := map[string]string{}
	var releaseLogin step
	for _, s := range release.Steps {
		if name, version, ok := strings.Cut(s.Uses, "@"); ok {
			pins[name] = version
		}
		if strings.HasPrefix(s.Uses, "azure/login@") {
			releaseLogin = s
		}
	}
	for _, s := range j.Steps {
		if s.Uses == "" {
			continue
		}
		assert.Regexp(t, pinned, s.Uses)
		name, version, _ := strings.Cut(s.Uses, "@")
		if assert.Contains(t, pins, name, "an action release.yml does not use: pin it there first") {
			assert.Equal(t, pins[name], version, "%s: pinned as release.yml pins it", name)
		}
	}
	assert.Equal(t, map[string]string{"contents": "write", "id-token": "write", "pull-requests": "write"}, j.Permissions,
		"OIDC, the record's branch and its pull request; nothing else")
	login := j.Steps[stepIndex(t, j, "azure/login")]
	for _, k := range []string{"client-id", "tenant-id", "subscription-id"} {
		assert.Equal(t, releaseLogin.With[k], login.With[k], "%s as release.yml logs in", k)
		assert.NotEmpty(t, login.With[k], k)
	}
	assert.NotContains(t, login.With, "creds", "no stored Azure secret")
	assert.NotContains(t, login.With, "client-secret", "no stored Azure secret")
	assert.Contains(t, login.With["environment"], "steps.validate.outputs.", "the validated cloud")
}

// The request is validated before anything uses it, and the record is
// published after drctl whatever happened to it.
func TestFailoverWorkflowOrder(t *testing.T) {
	j := failoverJob(t)
	validate, build, login, run, publish :=
		stepIndex(t, j, "validate"), stepIndex(t, j, "build"), stepIndex(t, j, "azure/login"), stepIndex(t, j, "drctl"), stepIndex(t, j, "publish")
	assert.Less(t, validate, build, "validation before the build")
	assert.Less(t, validate, login, "validation before the Azure login")
	assert.Less(t, login, run)
	assert.Less(t, build, run)
	assert.Equal(t, len(j.Steps)-1, publish, "publish last")
	p := j.Steps[publish]
	assert.True(t, strings.HasPrefix(p.If, "always()"), "publish runs also when drctl failed, timed out or was cancelled: %q", p.If)
	assert.NotContains(t, p.If, "success()")
	assert.NotContains(t, p.If, "steps.drctl.", "publish does not depend on drctl's outcome")
	assert.Contains(t, []string{"${{ github.token }}", "${{ secrets.GITHUB_TOKEN }}"}, p.Env["GH_TOKEN"], "gh uses the job's token")
	assert.Contains(t, p.Run, "gh pr create")
	assert.Contains(t, p.Run, `"$GITHUB_STEP_SUMMARY"`)
	assert.Contains(t, j.Steps[build].Run, "go build")
	assert.Contains(t, j.Steps[build].Run, "./cmd/drctl")
	// Every input reaches the job's env; the scripts read that.
	inputs := map[string]string{"customer": "CUSTOMER", "kind": "KIND", "ticket": "TICKET", "accept-data-loss": "ACCEPT_DATA_LOSS"}
	for input, env := range inputs {
		assert.Equal(t, "${{ inputs."+input+" }}", j.Env[env], "input %s in $%s", input, env)
	}
}

// harness runs the failover job's steps with bash, as GitHub does
// (bash --noprofile --norc -eo pipefail), in the repository root, with
// the job's and the step's env evaluated from the given inputs and
// variables, and with drctl, git and gh replaced by stand-ins that
// record their arguments.
type harness struct {
	t      *testing.T
	job    job
	temp   string // RUNNER_TEMP
	calls  string // what the stand-ins were called with
	inputs map[string]string
	vars   map[string]string
	// outcomes of earlier steps, for ${{ steps.<id>.outcome }}
	outcomes map[string]string
	extra    map[string]string
}

func newHarness(t *testing.T, inputs map[string]string) *harness {
	h := &harness{t: t, job: failoverJob(t), temp: t.TempDir(), inputs: inputs,
		vars:     map[string]string{"AZURE_SUBSCRIPTION_ID": "00000000-0000-0000-0000-000000000001"},
		outcomes: map[string]string{}, extra: map[string]string{}}
	h.calls = filepath.Join(h.temp, "calls")
	bin := filepath.Join(h.temp, "bin")
	require.NoError(t, os.Mkdir(bin, 0o755))
	record := `{ printf '%s' "$(basename "$0")"; for a in "$@"; do printf '\t%s' "$a"; done; echo; } >> "$STANDIN_CALLS"` + "\n"
	stub := func(path, body string) {
		require.NoError(t, os.WriteFile(path, []byte("#!/bin/sh\n"+record+body), 0o755))
	}
	stub(filepath.Join(h.temp, "drctl"), `echo "drctl says hello"; exit "${STANDIN_DRCTL_EXIT:-0}"`+"\n")
	stub(filepath.Join(bin, "git"), `case "$1" in diff) exit "${STANDIN_GIT_DIFF:-0}";; esac`+"\n")
	stub(filepath.Join(bin, "gh"), `case "$1 $2" in "pr list") printf '%s\n' "${STANDIN_OPEN_PR:-}";; esac`+"\n")
	return h
}

var (
	inputExpr = regexp.MustCompile(`^\$\{\{\s*inputs\.([\w-]+)\s*\}\}$`)
	varExpr   = regexp.MustCompile(`^\$\{\{\s*vars\.(\w+)\s*(?:\|\|\s*'([^']*)'\s*)?\}\}$`)
	stepExpr  = regexp.MustCompile(`^\$\{\{\s*steps\.([\w-]+)\.outcome\s*\}\}$`)
)

// eval evaluates the expressions the failover job's env uses.
func (h *harness) eval(v string) string {
	if !strings.Contains(v, "${{") {
		return v
	}
	if m := inputExpr.FindStringSubmatch(v); m != nil {
		return h.inputs[m[1]]
	}
	if m := varExpr.FindStringSubmatch(v); m != nil {
		if x := h.vars[m[1]]; x != "" {
			return x
		}
		return m[2]
	}
	if m := stepExpr.FindStringSubmatch(v); m != nil {
		return h.outcomes[m[1]]
	}
	if v == "${{ github.token }}" || v == "${{ secrets.GITHUB_TOKEN }}" {
		return "the-token"
	}
	h.t.Fatalf("the harness cannot evaluate %q", v)
	return ""
}

// run runs the step with the given id and returns its output and error.
func (h *harness) run(id string) (string, error) {
	h.t.Helper()
	s := h.job.Steps[stepIndex(h.t, h.job, id)]
	require.NotEmpty(h.t, s.Run, "step %s", id)
	script := filepath.Join(h.temp, id+".sh")
	require.NoError(h.t, os.WriteFile(script, []byte(s.Run), 0o644))
	root, err := filepath.Abs(filepath.Join("..", ".."))
	require.NoError(h.t, err)
	cmd := exec.Command("bash", "--noprofile", "--norc", "-eo", "pipefail", script)
	cmd.Dir = root
	env := map[string]string{
		"PATH":                    filepath.Join(h.temp, "bin") + string(os.PathListSeparator) + os.Getenv("PATH"),
		"HOME":                    h.temp,
		"RUNNER_TEMP":             h.temp,
		"STANDIN_CALLS":           h.calls,
		"GITHUB_OUTPUT":           filepath.Join(h.temp, "output"),
		"GITHUB_STEP_SUMMARY":     filepath.Join(h.temp, "summary"),
		"GITHUB_REF":              "refs/heads/main",
		"GITHUB_REF_NAME":         "main",
		"GITHUB_RUN_ID":           "4242",
		"GITHUB_SERVER_URL":       "https://github.com",
		"GITHUB_REPOSITORY":       "fhir-dr/fhir-dr",
		"GITHUB_TRIGGERING_ACTOR": "oncall-alice",
	}
	for k, v := range h.job.Env {
		env[k] = h.eval(v)
	}
	for k, v := range s.Env {
		env[k] = h.eval(v)
	}
	for k, v := range h.extra {
		env[k] = v
	}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// callsOf returns the arguments of every call of a stand-in.
func (h *harness) callsOf(name string) [][]string {
	b, err := os.ReadFile(h.calls)
	if os.IsNotExist(err) {
		return nil
	}
	require.NoError(h.t, err)
	var calls [][]string
	for _, line := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		if f := strings.Split(line, "\t"); f[0] == name {
			calls = append(calls, f[1:])
		}
	}
	return calls
}

func (h *harness) file(name string) string {
	b, err := os.ReadFile(filepath.Join(h.temp, name))
	require.NoError(h.t, err, name)
	return string(b)
}

func request(customer, kind, ticket, acceptDataLoss string) map[string]string {
	return map[string]string{"customer": customer, "kind": kind, "ticket": ticket, "accept-data-loss": acceptDataLoss}
}

func TestFailoverWorkflowValidation(t *testing.T) {
	for _, tc := range []struct {
		name, cloud, login string
	}{
		{"default cloud", "", "azurecloud"},
		{"public", "AzurePublic", "azurecloud"},
		{"us government", "AzureUSGovernment", "azureusgovernment"},
		{"china", "AzureChina", "azurechinacloud"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, request("contoso", "forced", "INC-1234", "true"))
			h.vars["AZURE_CLOUD"] = tc.cloud
			out, err := h.run("validate")
			require.NoError(t, err, out)
			assert.Contains(t, h.file("output"), "login-environment="+tc.login+"\n")
		})
	}
	for _, ok := range []map[string]string{
		request("contoso", "planned", "INC-1", "false"),
		request("litware", "drill", "CHG/2026#7_a.b", "false"),
	} {
		h := newHarness(t, ok)
		out, err := h.run("validate")
		assert.NoError(t, err, "%v: %s", ok, out)
	}
	for _, tc := range []struct {
		name   string
		in     map[string]string
		setup  func(*harness)
		reason string
	}{
		{"upper case", request("Contoso", "planned", "INC-1", "false"), nil, "customer:"},
		{"path", request("../stacks/contoso", "planned", "INC-1", "false"), nil, "customer:"},
		{"one letter", request("c", "planned", "INC-1", "false"), nil, "customer:"},
		{"shell", request("contoso$(id)", "planned", "INC-1", "false"), nil, "customer:"},
		{"newline", request("contoso\nlitware", "planned", "INC-1", "false"), nil, "customer:"},
		{"too long", request(strings.Repeat("a", 42), "planned", "INC-1", "false"), nil, "customer:"},
		{"no stack file", request("nosuchcustomer", "planned", "INC-1", "false"), nil, "no stacks/Pulumi.nosuchcustomer.yaml"},
		{"no ticket", request("contoso", "planned", "", "false"), nil, "ticket:"},
		{"ticket with a space", request("contoso", "planned", "INC 1", "false"), nil, "ticket:"},
		{"ticket with a backquote", request("contoso", "planned", "INC-`id`", "false"), nil, "ticket:"},
		{"long ticket", request("contoso", "planned", strings.Repeat("1", 65), "false"), nil, "ticket:"},
		{"kind", request("contoso", "service-managed", "INC-1", "false"), nil, "kind:"},
		{"data loss, planned", request("contoso", "planned", "INC-1", "true"), nil, "accept-data-loss"},
		{"data loss, drill", request("contoso", "drill", "INC-1", "true"), nil, "accept-data-loss"},
		{"cloud", request("contoso", "planned", "INC-1", "false"), func(h *harness) { h.vars["AZURE_CLOUD"] = "AzureGermany" }, "AZURE_CLOUD"},
		{"subscription", request("contoso", "planned", "INC-1", "false"), func(h *harness) { h.vars["AZURE_SUBSCRIPTION_ID"] = "" }, "AZURE_SUBSCRIPTION_ID"},
		{"branch", request("contoso", "planned", "INC-1", "false"), func(h *harness) { h.extra["GITHUB_REF"] = "refs/heads/topic" }, "run it from main"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, tc.in)
			if tc.setup != nil {
				tc.setup(h)
			}
			out, err := h.run("validate")
			assert.Error(t, err, "refused")
			assert.Contains(t, out, "::error::")
			assert.Contains(t, out, tc.reason)
		})
	}
}

// What reaches drctl, by kind: --accept-data-loss only for a forced
// failover whose input is true.
func TestFailoverWorkflowCommand(t *testing.T) {
	common := []string{"--ticket", "INC-9", "--operator", "oncall-alice",
		"--subscription", "00000000-0000-0000-0000-000000000001", "--cloud", "AzurePublic", "--timeout", "10m"}
	for _, tc := range []struct {
		kind, acceptDataLoss string
		flags                []string
	}{
		{"planned", "false", nil},
		{"planned", "true", nil},
		{"forced", "false", []string{"--forced", "--yes"}},
		{"forced", "true", []string{"--forced", "--yes", "--accept-data-loss"}},
		{"forced", "", []string{"--forced", "--yes"}},
		{"drill", "false", []string{"--drill"}},
		{"drill", "true", []string{"--drill"}},
	} {
		t.Run(fmt.Sprintf("%s, accept-data-loss %q", tc.kind, tc.acceptDataLoss), func(t *testing.T) {
			h := newHarness(t, request("contoso", tc.kind, "INC-9", tc.acceptDataLoss))
			out, err := h.run("drctl")
			require.NoError(t, err, out)
			calls := h.callsOf("drctl")
			require.Len(t, calls, 1, out)
			want := append(append([]string{"failover", "contoso"}, common...), tc.flags...)
			assert.Equal(t, want, calls[0])
			assert.Contains(t, h.file("drctl.log"), "drctl says hello", "drctl's output is kept for the summary")
		})
	}
	t.Run("cloud from the variable", func(t *testing.T) {
		h := newHarness(t, request("contoso", "planned", "INC-9", "false"))
		h.vars["AZURE_CLOUD"] = "AzureUSGovernment"
		out, err := h.run("drctl")
		require.NoError(t, err, out)
		assert.Contains(t, strings.Join(h.callsOf("drctl")[0], " "), "--cloud AzureUSGovernment")
	})
	t.Run("drctl fails", func(t *testing.T) {
		h := newHarness(t, request("contoso", "forced", "INC-9", "false"))
		h.extra["STANDIN_DRCTL_EXIT"] = "3"
		out, err := h.run("drctl")
		assert.Error(t, err, "the step fails with drctl, although its output goes through tee: %s", out)
		assert.Contains(t, h.file("drctl.log"), "drctl says hello")
	})
}

// What is published: the job summary always; a commit of the stack file on
// failover/<customer>-<run id> and a pull request when the file changed,
// saying whether drctl succeeded and, when not, what the reviewer must know.
func TestFailoverWorkflowPublish(t *testing.T) {
	publish := func(t *testing.T, kind, outcome, changed, openPR string) *harness {
		h := newHarness(t, request("contoso", kind, "INC-77", "false"))
		h.outcomes["validate"], h.outcomes["drctl"] = "success", outcome
		h.extra["STANDIN_GIT_DIFF"], h.extra["STANDIN_OPEN_PR"] = changed, openPR
		require.NoError(t, os.WriteFile(filepath.Join(h.temp, "drctl.log"), []byte("drctl: the secondary takes writes\n"), 0o644))
		out, err := h.run("publish")
		require.NoError(t, err, out)
		assert.Contains(t, h.file("summary"), "drctl: the secondary takes writes", "the summary has drctl's output")
		return h
	}
	branch := "failover/contoso-4242"
	run := "https://github.com/fhir-dr/fhir-dr/actions/runs/4242"

	t.Run("succeeded", func(t *testing.T) {
		h := publish(t, "forced", "success", "1", "")
		git := h.callsOf("git")
		assert.Contains(t, git, []string{"switch", "-C", branch})
		assert.Contains(t, git, []string{"add", "--", "stacks/Pulumi.contoso.yaml"}, "the stack file, nothing else")
		assert.Contains(t, git, []string{"push", "--force", "origin", "HEAD:refs/heads/" + branch})
		gh := h.callsOf("gh")
		require.Len(t, gh, 2, "gh pr list, then gh pr create")
		create := strings.Join(gh[1], " ")
		assert.True(t, strings.HasPrefix(create, "pr create --base main --head "+branch), create)
		title := gh[1][slices.Index(gh[1], "--title")+1]
		for _, want := range []string{"contoso", "forced failover", "INC-77"} {
			assert.Contains(t, title, want, "the title names customer, kind and ticket")
		}
		body := h.file("pr-body.md")
		assert.Contains(t, body, "drctl succeeded")
		assert.Contains(t, body, run, "links the run")
		assert.NotContains(t, body, "mid-change")
		assert.Contains(t, h.file("summary"), "drctl succeeded")
	})
	for _, outcome := range []string{"failure", "cancelled"} {
		t.Run(outcome, func(t *testing.T) {
			h := publish(t, "planned", outcome, "1", "")
			gh := h.callsOf("gh")
			require.Len(t, gh, 2, "the intent is published")
			title := gh[1][slices.Index(gh[1], "--title")+1]
			assert.Contains(t, title, "planned failover")
			body := h.file("pr-body.md")
			assert.NotContains(t, body, "drctl succeeded")
			assert.Contains(t, body, "did not finish")
			assert.Contains(t, body, "Azure may be mid-change")
			assert.Contains(t, body, "dr.failoverIntent")
			assert.Contains(t, body, "Re-run the workflow with the same inputs")
			assert.Contains(t, body, run)
		})
	}
	t.Run("drill", func(t *testing.T) {
		h := publish(t, "drill", "success", "1", "")
		gh := h.callsOf("gh")
		require.Len(t, gh, 2)
		title := gh[1][slices.Index(gh[1], "--title")+1]
		assert.Contains(t, title, "drill")
		assert.NotContains(t, title, "drill failover")
	})
	t.Run("re-run of the run updates its pull request", func(t *testing.T) {
		h := publish(t, "forced", "success", "1", "17")
		gh := h.callsOf("gh")
		require.Len(t, gh, 2)
		assert.Equal(t, []string{"pr", "edit", "17"}, gh[1][:3])
	})
	t.Run("unchanged stack file", func(t *testing.T) {
		h := publish(t, "forced", "failure", "0", "")
		assert.Empty(t, h.callsOf("gh"), "no pull request")
		for _, c := range h.callsOf("git") {
			assert.NotContains(t, []string{"commit", "push"}, c[0])
		}
		assert.Contains(t, h.file("summary"), "did not change")
	})
}
