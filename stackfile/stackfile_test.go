package stackfile_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fhir-dr/fhir-dr/drconfig"
	"github.com/fhir-dr/fhir-dr/stackfile"
)

func TestSetDRKeepsTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "Pulumi.contoso.yaml")
	require.NoError(t, os.WriteFile(path, []byte(`# Contoso Health: data DR.
config:
  fhir-dr:customer: contoso
  fhir-dr:primaryRegion: eastus
  fhir-dr:dr:
    enabled: true # since SR-1
    paging: {actionGroupId: /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-platform-oncall/providers/Microsoft.Insights/actionGroups/ag-fhir-oncall}
    tier: data
    ticket: SR-100234
  fhir-dr:cosmos:
    autoscaleMaxThroughput: 10000
`), 0o644))
	require.NoError(t, stackfile.SetDR(path, []string{"writeRegion", "writeRegionChange"}, []any{"westus", "planned failover: 2026"}))
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, `# Contoso Health: data DR.
config:
  fhir-dr:customer: contoso
  fhir-dr:primaryRegion: eastus
  fhir-dr:dr:
    enabled: true # since SR-1
    paging: {actionGroupId: /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-platform-oncall/providers/Microsoft.Insights/actionGroups/ag-fhir-oncall}
    tier: data
    ticket: SR-100234
    writeRegion: westus
    writeRegionChange: 'planned failover: 2026'
  fhir-dr:cosmos:
    autoscaleMaxThroughput: 10000
`, string(b))
	cfg, err := drconfig.LoadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "westus", cfg.DR.WriteRegion)

	require.NoError(t, stackfile.SetDR(path, []string{"writeRegion"}, []any{"eastus"}))
	cfg, err = drconfig.LoadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "eastus", cfg.DR.WriteRegion, "an existing key is replaced")

	noDR := filepath.Join(t.TempDir(), "Pulumi.adatum.yaml")
	require.NoError(t, os.WriteFile(noDR, []byte("config:\n  fhir-dr:customer: adatum\n"), 0o644))
	assert.ErrorContains(t, stackfile.SetDR(noDR, []string{"writeRegion"}, []any{"x"}), "no fhir-dr:dr object: DR is not enabled here")
}

func TestListAndStack(t *testing.T) {
	root := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(root, stackfile.Dir), 0o755))
	for _, f := range []string{"Pulumi.zeta.yaml", "Pulumi.alpha.yaml", "notes.txt"} {
		require.NoError(t, os.WriteFile(filepath.Join(root, stackfile.Dir, f), nil, 0o644))
	}
	files, err := stackfile.List(root)
	require.NoError(t, err)
	assert.Equal(t, []string{filepath.Join(root, stackfile.Path("alpha")), filepath.Join(root, stackfile.Path("zeta"))}, files)
	name, err := stackfile.Stack(files[1])
	require.NoError(t, err)
	assert.Equal(t, "zeta", name)
	_, err = stackfile.Stack("stacks/zeta.yaml")
	assert.EqualError(t, err, "stacks/zeta.yaml: a stack file is named Pulumi.<stack>.yaml")
	customers, err := stackfile.Customers(root)
	require.NoError(t, err)
	assert.Equal(t, []string{"alpha", "zeta"}, customers)
}

func TestSetDRNilRemoves(t *testing.T) {
	path := filepath.Join(t.TempDir(), "Pulumi.c.yaml")
	require.NoError(t, os.WriteFile(path, []byte("config:\n  fhir-dr:dr:\n    enabled: true # on\n    failoverIntent:\n      action: drill\n    ticket: T-1\n"), 0o644))
	require.NoError(t, stackfile.SetDR(path, []string{"failoverIntent", "writeRegion", "absent"}, []any{nil, "westus", nil}))
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "config:\n  fhir-dr:dr:\n    enabled: true # on\n    ticket: T-1\n    writeRegion: westus\n", string(b))
}
