package engine

import (
	"os"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCLIVersionInStep: the CLI the rehearsal runs, the CLI `make
// pulumi-cli` builds and the SDK the program is built with are one version,
// so the engine rehearsed is the engine the program was written for.
func TestCLIVersionInStep(t *testing.T) {
	read := func(path string) string {
		b, err := os.ReadFile(path)
		require.NoError(t, err)
		return string(b)
	}
	want := "v" + CLIVersion
	for path, re := range map[string]*regexp.Regexp{
		"../../go.mod":                  regexp.MustCompile(`github\.com/pulumi/pulumi/sdk/v3 (v\S+)`),
		"../../tools/pulumi-cli/go.mod": regexp.MustCompile(`github\.com/pulumi/pulumi/pkg/v3 (v\S+)`),
		"../../Makefile":                regexp.MustCompile(`PULUMI_VERSION := (\S+)`),
	} {
		m := re.FindStringSubmatch(read(path))
		require.NotNil(t, m, path)
		got := m[1]
		if got[0] != 'v' {
			got = "v" + got
		}
		assert.Equal(t, want, got, path)
	}
	assert.Regexp(t, `github\.com/pulumi/pulumi/sdk/v3 `+regexp.QuoteMeta(want), read("../../tools/pulumi-cli/go.mod"))
}
