package drconfig

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fhir-dr/fhir-dr/internal/testfleet"
)

// TestLoadProjectStackAsTheSDK: loadProjectStack reads every stack file
// exactly as the SDK's workspace.LoadProjectStack does: the fixture fleet,
// the secrets fixture, and values YAML and the loader treat specially
// (numbers, floats, booleans, quoted look-alikes, nulls, multi-line and
// non-ASCII strings, nested objects and lists, secure values, a BOM).
func TestLoadProjectStackAsTheSDK(t *testing.T) {
	files := []string{filepath.Join("testdata", "Pulumi.secrets.yaml")}
	for _, c := range testfleet.Customers {
		files = append(files, testfleet.Path(c))
	}
	dir := t.TempDir()
	for name, content := range map[string]string{
		"scalars": "config:\n  n: 443\n  f: 1.50\n  e: 1e6\n  b: true\n  qn: \"443\"\n  qb: \"true\"\n  z: null\n  empty: \"\"\n" +
			"  ml: |\n    line one\n    line two\n  u: \"zürich ✓\"\n  colon: \"a: b\"\n  fhir-dr:ns: x\n  aws:region: us-east-1\n",
		"nested": "encryptionsalt: v1:abc\nconfig:\n  fhir-dr:fhir:\n    version: 4.0.1\n    auth:\n      authority: https://login.example/t\n" +
			"    list: [1, two, 3.5, {k: v}]\n  obj:\n    secret:\n      secure: AAABAMc=\n  tok:\n    secure: AAABAMc=\n",
		"odd": "config:\n  ts: 2026-12-01T10:00:00Z\n  d: 2026-12-01\n  big: 18446744073709551615\n  neg: -7\n  hex: 0x1F\n  oct: 0o17\n" +
			"  tilde: ~\n  yes: yes\n  lst:\n    - - nested\n    - 1: one\n  anchor: &a {x: 1}\n  ref: *a\n",
		"bom":   "\xef\xbb\xbfconfig:\n  fhir-dr:customer: bom\n",
		"bare":  "config: {}\n",
		"nocfg": "environment:\n  - dev\n",
	} {
		path := filepath.Join(dir, "Pulumi."+name+".yaml")
		require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
		files = append(files, path)
	}
	project := &workspace.Project{Name: Namespace, Runtime: workspace.NewProjectRuntimeInfo("go", nil)}
	for _, f := range files {
		want, err := workspace.LoadProjectStack(nil, project, f)
		require.NoError(t, err, f)
		got, err := loadProjectStack(f)
		require.NoError(t, err, f)
		assert.Equal(t, want.Config, got.Config, f)
		assert.Equal(t, want.EncryptionSalt, got.EncryptionSalt, f)
		assert.Equal(t, want.Environment, got.Environment, f)
		assert.Equal(t, want, got, f)
	}

	// Broken YAML fails as in the SDK.
	bad := filepath.Join(dir, "Pulumi.bad.yaml")
	require.NoError(t, os.WriteFile(bad, []byte("config:\n  a: [unclosed\n"), 0o644))
	_, wantErr := workspace.LoadProjectStack(nil, project, bad)
	_, gotErr := loadProjectStack(bad)
	require.Error(t, gotErr)
	assert.EqualError(t, gotErr, wantErr.Error())
}
