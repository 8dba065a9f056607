package main

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fhir-dr/fhir-dr/azure/azurenative"
	"github.com/fhir-dr/fhir-dr/drconfig"
	"github.com/fhir-dr/fhir-dr/internal/engine"
	"github.com/fhir-dr/fhir-dr/internal/kubestandin"
	"github.com/fhir-dr/fhir-dr/policy/rules"
	"github.com/fhir-dr/fhir-dr/stackfile"
)

// Flags may follow the positional arguments: they are flags, never
// customer names.
func TestFlagsAfterArguments(t *testing.T) {
	code, out, errOut := runDrctl(t, "validate", "litware", "--parallel", "2")
	require.Equal(t, 0, code, errOut)
	assert.Regexp(t, `(?m)^litware +uksouth `, out)
	assert.NotContains(t, out, "--parallel")
	assert.Contains(t, out, "\n1 stacks, 0 failed\n")

	code, out, errOut = runDrctl(t, "report", "adatum", "--format", "csv")
	require.Equal(t, 0, code, errOut)
	assert.True(t, strings.HasPrefix(out, "customer,primary_region,"), out)

	code, _, errOut = runDrctl(t, "failover", "--ticket", "T", "contoso", "--subscription")
	assert.Equal(t, 2, code)
	assert.Equal(t, "drctl failover: flag needs an argument: --subscription\nRun 'drctl failover --help' for usage.\n", errOut)
}

// audit's --json after a customer prints JSON, not the table.
func TestAuditJSONAfterCustomer(t *testing.T) {
	dir := t.TempDir()
	writeProject(t, dir)
	b, err := os.ReadFile(filepath.Join("testdata", "failover", stackfile.Path("contoso")))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, stackfile.Path("contoso")), b, 0o644))
	for _, args := range [][]string{{"init", "-q"}, {"add", "."},
		{"-c", "user.name=Ops", "-c", "user.email=ops@example.com", "commit", "-q", "-m", "contoso: enable DR (SR-100234)"}} {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, string(out))
	}
	t.Chdir(dir)
	code, out, errOut := runDrctl(t, "audit", "contoso", "--json")
	require.Equal(t, 0, code, errOut)
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	require.NotEmpty(t, lines)
	for _, l := range lines {
		var e map[string]any
		require.NoError(t, json.Unmarshal([]byte(l), &e), "one JSON object per line: %q", l)
		assert.Equal(t, "contoso", e["customer"])
	}
}

// Help is generated per command: drctl help <command> and <command> --help
// print the same, on stdout, with exit status 0, and list that command's
// flags only.
func TestHelpPerCommand(t *testing.T) {
	code, viaHelp, errOut := runDrctl(t, "help", "plan")
	require.Equal(t, 0, code, errOut)
	code, viaFlag, errOut := runDrctl(t, "plan", "--help")
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, viaHelp, viaFlag)
	assert.Contains(t, viaHelp, "Usage:\n  drctl plan (--stack <customer> | --stack-file <path>) [flags]\n")
	assert.Contains(t, viaHelp, "      --stack-file path ")
	assert.NotContains(t, viaHelp, "Commands:")

	code, failback, _ := runDrctl(t, "failback", "--help")
	require.Equal(t, 0, code)
	assert.Contains(t, failback, "      --online ")
	for _, flag := range []string{"--forced", "--drill", "--accept-data-loss", "--yes"} {
		assert.NotContains(t, failback, flag+" ", "failback has no "+flag)
	}
	code, failover, _ := runDrctl(t, "failover", "--help")
	require.Equal(t, 0, code)
	assert.Contains(t, failover, "      --forced ")
	assert.NotContains(t, failover, "--online")

	code, record, _ := runDrctl(t, "record", "--help")
	require.Equal(t, 0, code)
	for _, flag := range []string{"--ticket id", "--verify", "--before-release", "--subscription id", "--timeout duration"} {
		assert.Contains(t, record, flag)
	}
	assert.Contains(t, record, "(default 2m0s)")

	code, top, _ := runDrctl(t, "help")
	require.Equal(t, 0, code)
	assert.Contains(t, top, "\n  failback    ")
	assert.Contains(t, top, "\n  version     ")
	assert.Contains(t, top, "\n  completion  ")

	code, out, errOut := runDrctl(t, "help", "nosuch")
	assert.Equal(t, 2, code)
	assert.Empty(t, out)
	assert.Equal(t, "drctl help: unknown command \"nosuch\"\nRun 'drctl help' for the commands.\n", errOut)
}

// Every usage mistake exits 2, with one message on stderr and nothing on
// stdout.
func TestUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "drctl: the fhir-dr operator tool"},
		{[]string{"bogus"}, "drctl: unknown command \"bogus\" for \"drctl\"\nRun 'drctl --help' for usage.\n"},
		{[]string{"plan", "--stack", "contoso", "--mermaid", "--json"},
			"drctl plan: if any flags in the group [json mermaid] are set none of the others can be; [json mermaid] were all set\n"},
		{[]string{"plan", "--stack", "contoso", "--stack-file", "x.yaml"},
			"drctl plan: if any flags in the group [stack stack-file] are set none of the others can be; [stack stack-file] were all set\n"},
		{[]string{"plan"}, "drctl plan: at least one of the flags in the group [stack stack-file] is required\n"},
		{[]string{"plan", "--stack", "contoso", "extra"}, "drctl plan: unexpected argument \"extra\": the stack is named by --stack or --stack-file\n"},
		{[]string{"up", "--stacks", "a", "--changed-since", "HEAD"},
			"drctl up: if any flags in the group [stacks changed-since] are set none of the others can be; [changed-since stacks] were all set\n"},
		{[]string{"failover", "contoso", "--ticket", "T", "--subscription", "s", "--forced", "--drill"},
			"drctl failover: if any flags in the group [forced drill] are set none of the others can be; [drill forced] were all set\n"},
		{[]string{"failback", "contoso", "--ticket", "T", "--forced"}, "drctl failback: unknown flag: --forced\n"},
		{[]string{"failover", "contoso", "--ticket", "T", "--online"}, "drctl failover: unknown flag: --online\n"},
		{[]string{"validate", "--parallel=-1"}, "drctl validate: invalid argument \"-1\" for \"--parallel\" flag: must be at least 1\n"},
		{[]string{"validate", "--parallel", "0"}, "drctl validate: invalid argument \"0\" for \"--parallel\" flag: must be at least 1\n"},
		{[]string{"diff", "--base", "HEAD", "--parallel", "-3"}, "drctl diff: invalid argument \"-3\" for \"--parallel\" flag: must be at least 1\n"},
		{[]string{"up", "--stacks", "a", "--parallel", "0"}, "drctl up: invalid argument \"0\" for \"--parallel\" flag: must be at least 1\n"},
		{[]string{"report", "--format", "xml"}, "drctl report: --format \"xml\": one of table, csv, json\n"},
		{[]string{"version", "extra"}, "drctl version: unexpected argument \"extra\"\n"},
		{[]string{"completion", "tcsh"}, "drctl completion: unknown shell \"tcsh\": one of bash, zsh, fish, powershell\n"},
	} {
		code, out, errOut := runDrctl(t, tc.args...)
		assert.Equal(t, 2, code, tc.args)
		assert.Empty(t, out, tc.args)
		assert.True(t, strings.HasPrefix(errOut, tc.want), "%v:\n%s", tc.args, errOut)
	}
}

// drctl version names the module, its VCS revision, and the pinned
// provider and Pulumi versions.
func TestVersion(t *testing.T) {
	code, out, errOut := runDrctl(t, "version")
	require.Equal(t, 0, code, errOut)
	for _, want := range []string{
		"drctl ",
		"\n  module        github.com/fhir-dr/fhir-dr ",
		"\n  revision      ",
		"\n  go            go",
		"\n  azure-native  " + azurenative.Version + " ",
		"\n  kubernetes    " + kubestandin.Version + " ",
		"\n  pulumi        " + engine.CLIVersion + " ",
	} {
		assert.Contains(t, out, want)
	}
	code, flagOut, _ := runDrctl(t, "--version")
	require.Equal(t, 0, code)
	assert.Equal(t, out, flagOut)
}

// Shell completion scripts for the four shells.
func TestCompletion(t *testing.T) {
	for shell, want := range map[string]string{
		"bash":       "# bash completion V2 for drctl",
		"zsh":        "#compdef drctl",
		"fish":       "# fish completion for drctl",
		"powershell": "# powershell completion for drctl",
	} {
		code, out, errOut := runDrctl(t, "completion", shell)
		require.Equal(t, 0, code, errOut)
		assert.Contains(t, out, want, shell)
	}
	// The customers complete from the stack files.
	code, out, _ := runDrctl(t, "__complete", "failover", "con")
	require.Equal(t, 0, code)
	assert.True(t, strings.HasPrefix(out, "contoso\n"), out)
}

// A policy config that disables rules does not claim that every promise is
// kept: it says how many rules it disabled, and which.
func TestPlanPolicyConfigDisablesRules(t *testing.T) {
	all := strconv.Itoa(len(rules.All()))
	dir := t.TempDir()
	config := filepath.Join(dir, "policy.json")
	require.NoError(t, os.WriteFile(config, []byte(`{"all": "disabled"}`), 0o644))
	code, out, errOut := runDrctl(t, "plan", "--stack", "contoso", "--policy-config", config)
	require.Equal(t, 0, code, errOut)
	assert.NotContains(t, out, "every promise kept")
	assert.Contains(t, out, "\nPolicy (fhir-dr 1.0.0, "+all+" rules): all "+all+" rules disabled by the policy config: nothing was checked\n")

	require.NoError(t, os.WriteFile(config, []byte(`{"cosmos-tls12": "disabled", "rto-budget": {"enforcementLevel": "disabled"}}`), 0o644))
	code, out, errOut = runDrctl(t, "plan", "--stack", "contoso", "--policy-config", config)
	require.Equal(t, 0, code, errOut)
	assert.NotContains(t, out, "every promise kept")
	assert.Contains(t, out, "\nPolicy (fhir-dr 1.0.0, "+all+" rules; 2 disabled by the policy config: cosmos-tls12, rto-budget): "+
		"no finding from the other "+strconv.Itoa(len(rules.All())-2)+"\n")

	code, out, errOut = runDrctl(t, "plan", "--stack", "contoso", "--policy-config", config, "--json")
	require.Equal(t, 0, code, errOut)
	var doc struct {
		DisabledRules []string `json:"disabledRules"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &doc))
	assert.Equal(t, []string{"cosmos-tls12", "rto-budget"}, doc.DisabledRules)

	// With findings, the disabled rules are named beside them.
	require.NoError(t, os.WriteFile(config, []byte(`{"cosmos-tls12": "disabled", "rto-budget": {"rtoFullSeconds": 1140}}`), 0o644))
	code, out, _ = runDrctl(t, "plan", "--stack", "contoso", "--policy-config", config)
	assert.Equal(t, 1, code)
	assert.Contains(t, out, "\nPolicy (fhir-dr 1.0.0, "+all+" rules; 1 disabled by the policy config: cosmos-tls12): 1 mandatory, 0 advisory\n"+
		"  [mandatory] rto-budget: ")

	require.NoError(t, os.WriteFile(config, []byte(`{"cosmos-tls12": "disabled", "rto-budget": {"enforcementLevel": "disabled"}}`), 0o644))
	code, out, errOut = runDrctl(t, "validate", "contoso", "--policy-config", config)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "\nThe policy config disables 2 of "+all+" rules, not checked: cosmos-tls12, rto-budget\n\n1 stacks, 0 failed\n")
}

// --operator defaults to $USER, else the OS user.
func TestOperatorDefaultsToTheOSUser(t *testing.T) {
	fx := failoverProject(t)
	t.Setenv("USER", "")
	u, err := user.Current()
	require.NoError(t, err)
	code, _, errOut := runDrctl(t, "failover", "contoso", "--ticket", "INC-42", "--subscription", "sub-1")
	require.Equal(t, 0, code, errOut)
	cfg := fx.agrees(t, "West US", "westus", true)
	assert.Equal(t, u.Username, cfg.DR.WriteRegionChange.By)

	t.Setenv("USER", "alice")
	code, _, errOut = runDrctl(t, "failback", "contoso", "--ticket", "INC-42", "--subscription", "sub-1")
	require.Equal(t, 0, code, errOut)
	cfg, err = drconfig.LoadFile(stackfile.Path("contoso"))
	require.NoError(t, err)
	assert.Equal(t, "alice", cfg.DR.WriteRegionChange.By)
}

// Without --operator, $USER or a known OS user, a command that records who
// ran it refuses before it reads anything.
func TestOperatorRefusedWhenUnknown(t *testing.T) {
	fx := failoverProject(t)
	t.Setenv("USER", "")
	old := currentUser
	currentUser = func() (*user.User, error) { return nil, errors.New("user: unknown userid 4242") }
	t.Cleanup(func() { currentUser = old })
	refusal := "--operator is required: $USER is empty and the operating system's user is unknown (user: unknown userid 4242); " +
		"say who runs it, for the record\n"
	code, out, errOut := runDrctl(t, "failover", "contoso", "--ticket", "INC-42", "--subscription", "sub-1")
	assert.Equal(t, 2, code)
	assert.Empty(t, out)
	assert.Equal(t, "drctl failover: "+refusal+"Run 'drctl failover --help' for usage.\n", errOut)
	code, _, errOut = runDrctl(t, "record", "contoso", "--ticket", "INC-5", "--subscription", "sub-1")
	assert.Equal(t, 2, code)
	assert.Equal(t, "drctl record: "+refusal+"Run 'drctl record --help' for usage.\n", errOut)
	_, _, requests := fx.arm.State()
	assert.Empty(t, requests, "refused before reading anything")

	// A dry run and a verification record nobody; --operator names them.
	code, _, errOut = runDrctl(t, "failover", "contoso", "--ticket", "INC-42", "--subscription", "sub-1", "--dry-run")
	assert.Equal(t, 0, code, errOut)
	code, _, errOut = runDrctl(t, "record", "contoso", "--verify", "--subscription", "sub-1")
	assert.Equal(t, 0, code, errOut)
	code, _, errOut = runDrctl(t, "failover", "contoso", "--ticket", "INC-42", "--subscription", "sub-1", "--operator", "bob")
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, "bob", fx.agrees(t, "West US", "westus", true).DR.WriteRegionChange.By)
}

// drctl version reports the VCS facts of the build information.
func TestVersionFromBuildInfo(t *testing.T) {
	old := readBuildInfo
	readBuildInfo = func() (*debug.BuildInfo, bool) {
		return &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/fhir-dr/fhir-dr", Version: "v1.4.0"},
			Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "0123abcd"}, {Key: "vcs.time", Value: "2026-12-01T12:00:00Z"},
				{Key: "vcs.modified", Value: "true"}}}, true
	}
	t.Cleanup(func() { readBuildInfo = old })
	code, out, errOut := runDrctl(t, "version")
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, "drctl v1.4.0\n"+
		"  module        github.com/fhir-dr/fhir-dr v1.4.0\n"+
		"  revision      0123abcd (2026-12-01T12:00:00Z), with uncommitted changes\n"+
		"  go            go1.26.8\n"+
		"  azure-native  "+azurenative.Version+" (the provider every Azure resource pins)\n"+
		"  kubernetes    "+kubestandin.Version+" (the provider the kubernetes SDK pins)\n"+
		"  pulumi        "+engine.CLIVersion+" (the SDK, and the CLI of the offline rehearsal)\n"+
		"  policy pack   fhir-dr 1.0.0\n", out)

	readBuildInfo = func() (*debug.BuildInfo, bool) { return nil, false }
	code, out, _ = runDrctl(t, "version")
	require.Equal(t, 0, code)
	assert.Contains(t, out, "  revision      unknown: the build recorded no VCS information (go run, or -buildvcs=false)\n")
}
