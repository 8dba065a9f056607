package pipeline

import (
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rhysd/actionlint"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

// workflowNames are the workflows, each with its tests here: a new one
// fails workflowFiles until it is added.
var workflowNames = []string{"drift.yml", "failover.yml", "pull-request.yml", "release.yml"}

func workflowFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "..", ".github", "workflows", "*.y*ml"))
	require.NoError(t, err)
	var names []string
	for _, f := range files {
		names = append(names, filepath.Base(f))
	}
	require.Equal(t, workflowNames, names, "every workflow is linted and has its tests here")
	return files
}

// TestActionlint fails on any finding of actionlint.
func TestActionlint(t *testing.T) {
	linter, err := actionlint.NewLinter(io.Discard, &actionlint.LinterOptions{})
	require.NoError(t, err)
	findings, err := linter.LintFiles(workflowFiles(t), nil)
	require.NoError(t, err)
	for _, f := range findings {
		t.Errorf("%s:%d:%d: %s [%s]", f.Filepath, f.Line, f.Column, f.Message, f.Kind)
	}
}

type workflow struct {
	On          map[string]any `yaml:"on"`
	Permissions map[string]string
	Jobs        map[string]job
}

type job struct {
	Name           string
	Needs          needs
	Outputs        map[string]string
	If             string
	Permissions    map[string]string
	Environment    any // a name, or {name, url}
	TimeoutMinutes int `yaml:"timeout-minutes"`
	Concurrency    struct {
		Group string `yaml:"group"`
		// nil when not written: a test that needs false insists on it.
		CancelInProgress *bool `yaml:"cancel-in-progress"`
	}
	Strategy struct {
		FailFast    bool           `yaml:"fail-fast"`
		MaxParallel int            `yaml:"max-parallel"`
		Matrix      map[string]any `yaml:"matrix"`
	}
	Env   map[string]string
	Steps []step
}

// needs are a job's needs, written as one job or a list.
type needs []string

// UnmarshalYAML reads one job or a list.
func (n *needs) UnmarshalYAML(v *yaml.Node) error {
	if v.Kind == yaml.ScalarNode {
		*n = needs{v.Value}
		return nil
	}
	var list []string
	err := v.Decode(&list)
	*n = list
	return err
}

type step struct {
	ID             string `yaml:"id"`
	Name           string
	Uses           string
	If             string
	Run            string
	With           map[string]string
	Env            map[string]string
	TimeoutMinutes int `yaml:"timeout-minutes"`
}

func load(t *testing.T, name string) workflow {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", ".github", "workflows", name))
	require.NoError(t, err)
	var w workflow
	require.NoError(t, yaml.Unmarshal(b, &w))
	return w
}

var pinned = regexp.MustCompile(`^[\w.-]+/[\w.-]+@v\d+\.\d+\.\d+$`)

// writeScopes are the scopes a job may write, by workflow and job: only
// the failover job pushes (its record's branch); the drift workflow writes
// its one issue, and nothing else.
func writeScopes(workflow, job string) []string {
	switch {
	case workflow == "failover.yml" && job == "failover":
		return []string{"contents", "id-token", "pull-requests"}
	case workflow == "drift.yml" && job == "summary":
		return []string{"issues"}
	case workflow == "drift.yml":
		return []string{"id-token"}
	}
	return []string{"id-token", "pull-requests"}
}

// Every action is pinned to a full version, the same in every workflow, and
// every workflow starts from read-only permissions, granting more per job
// only where needed.
func TestPinnedAndLeastPrivilege(t *testing.T) {
	versions := map[string]string{} // action: "version (where)"
	for _, name := range workflowNames {
		w := load(t, name)
		assert.Equal(t, map[string]string{"contents": "read"}, w.Permissions, name)
		for jobName, job := range w.Jobs {
			require.NotNil(t, job.Permissions, "%s %s: permissions", name, jobName)
			for scope, level := range job.Permissions {
				if level == "write" {
					assert.Contains(t, writeScopes(name, jobName), scope, "%s %s", name, jobName)
				}
			}
			for _, s := range job.Steps {
				if s.Uses == "" {
					continue
				}
				assert.Regexp(t, pinned, s.Uses, "%s %s", name, jobName)
				action, version, _ := strings.Cut(s.Uses, "@")
				if seen, ok := versions[action]; ok {
					assert.Equal(t, strings.Fields(seen)[0], version, "%s %s: %s, pinned to %s", name, jobName, action, seen)
				} else {
					versions[action] = version + " (" + name + ")"
				}
			}
		}
	}
}

func TestPullRequestWorkflow(t *testing.T) {
	w := load(t, "pull-request.yml")
	check, preview := w.Jobs["check"], w.Jobs["preview"]
	var runs []string
	for _, s := range check.Steps {
		runs = append(runs, s.Run)
		if strings.Contains(s.Run, "gh api") {
			assert.Equal(t, "github.event.pull_request.head.repo.full_name == github.repository", s.If, "no comment from forks")
			assert.Contains(t, s.Run, "<!-- fhir-dr:diff -->", "finds its own comment")
			assert.Contains(t, s.Run, "--method PATCH", "updates it in place")
		}
	}
	all := strings.Join(runs, "\n")
	for _, want := range []string{"make lint test", "drctl validate", `drctl diff --base "origin/${GITHUB_BASE_REF}"`} {
		assert.Contains(t, all, want)
	}
	assert.Contains(t, preview.If, "github.event.pull_request.head.repo.full_name == github.repository", "never for forks")
	assert.Contains(t, preview.If, "vars.AZURE_CLIENT_ID != ''", "only with credentials")
	assert.Equal(t, "write", preview.Permissions["id-token"])
	// The facts are checked against the real provider's schema where the
	// real plugin is installed: right after its install step.
	install, schemaCheck := -1, -1
	for i, s := range preview.Steps {
		if strings.Contains(s.Run, `plugin install resource azure-native "${AZURE_NATIVE_VERSION}"`) {
			install = i
		}
		if strings.TrimSpace(s.Run) == "make schema-check" {
			schemaCheck = i
			assert.Contains(t, s.Name, "schema", "a clear name")
		}
	}
	require.NotEqual(t, -1, install, "the preview job installs the azure-native plugin")
	require.NotEqual(t, -1, schemaCheck, "the preview job runs make schema-check")
	assert.Greater(t, schemaCheck, install, "make schema-check after the plugin is installed")
	assert.Contains(t, preview.Steps[len(preview.Steps)-1].Run, "drctl preview --stacks")
	assert.Contains(t, preview.Steps[len(preview.Steps)-1].Run, "--policy-pack .bin/fhir-dr-policy")
}

// No script of any workflow contains an expression: inputs, event fields
// and outputs reach the shell through env only, where the shell does not
// parse them (script injection).
func TestScriptsTakeValuesFromEnvOnly(t *testing.T) {
	for _, name := range workflowNames {
		for jobName, job := range load(t, name).Jobs {
			for i, s := range job.Steps {
				assert.NotContains(t, s.Run, "${{", "%s %s step %d (%s): pass it through env", name, jobName, i, s.Name)
			}
		}
	}
}
