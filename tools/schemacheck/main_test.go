package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fhir-dr/fhir-dr/internal/azureschema"
	"github.com/fhir-dr/fhir-dr/internal/schemacheck/schemachecktest"
)

func runWith(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(args, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

// The embedded facts against the schema written from them: exit 0, from a
// file or from stdin.
func TestRunAgrees(t *testing.T) {
	facts, err := azureschema.Load()
	require.NoError(t, err)
	schema, err := schemachecktest.Schema(facts, facts.Provider.Version)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "schema.json")
	require.NoError(t, os.WriteFile(path, schema, 0o600))

	code, stdout, stderr := runWith(t, "", "--schema", path)
	assert.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "no mismatches\n")

	code, stdout, _ = runWith(t, string(schema))
	assert.Equal(t, 0, code)
	assert.Contains(t, stdout, "no mismatches\n")

	code, stdout, _ = runWith(t, string(schema), "--schema", "-", "--markdown")
	assert.Equal(t, 0, code)
	assert.True(t, strings.HasPrefix(stdout, "### azure-native schema check\n"), stdout)
}

// The embedded facts against the small hand-written schema: most entries
// are missing from it, so exit 1 with the report on stdout.
func TestRunMismatches(t *testing.T) {
	code, stdout, stderr := runWith(t, "", "--schema", filepath.Join("..", "..", "internal", "schemacheck", "testdata", "schema.json"))
	assert.Equal(t, 1, code)
	assert.Empty(t, stderr)
	assert.Contains(t, stdout, " mismatches:\n")
	assert.Contains(t, stdout, "resource azure-native:resources:ResourceGroup: facts ")
}

func TestRunUsageAndReadErrors(t *testing.T) {
	for name, c := range map[string]struct {
		stdin string
		args  []string
		want  string
	}{
		"unknown flag":     {args: []string{"--bogus"}, want: "flag provided but not defined: -bogus"},
		"stray argument":   {args: []string{"schema.json"}, want: `unexpected arguments ["schema.json"]`},
		"missing file":     {args: []string{"--schema", filepath.Join(t.TempDir(), "none.json")}, want: "schemacheck: open "},
		"not a schema":     {stdin: "not json", want: "schemacheck: read the provider schema: "},
		"another provider": {stdin: `{"name": "aws"}`, want: `schemacheck: the schema is of package "aws", the facts of "azure-native"`},
	} {
		t.Run(name, func(t *testing.T) {
			code, stdout, stderr := runWith(t, c.stdin, c.args...)
			assert.Equal(t, 2, code)
			assert.Empty(t, stdout)
			assert.Contains(t, stderr, c.want)
		})
	}
	code, _, stderr := runWith(t, "", "--help")
	assert.Equal(t, 0, code)
	assert.Contains(t, stderr, "usage: schemacheck [--schema FILE] [--markdown]")
}
