package testfleet_test

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fhir-dr/fhir-dr/azure/regions"
	"github.com/fhir-dr/fhir-dr/drconfig"
	"github.com/fhir-dr/fhir-dr/internal/fleet"
	"github.com/fhir-dr/fhir-dr/internal/testfleet"
	"github.com/fhir-dr/fhir-dr/stackfile"
)

// shape is what of a stack's configuration decides the shape of its plan:
// the tier, whether its secondary is the Azure pair or one the customer
// chose, the availability zones of its regions, whether it adopts its
// account, a private API server and the FHIR options.
func shape(c *drconfig.Config) string {
	zones := func(region string) string {
		if r, ok := regions.Lookup(region); ok && r.AvailabilityZones {
			return "zones"
		}
		return "no zones"
	}
	parts := []string{"tier " + c.TierLabel(), "primary " + zones(c.PrimaryRegion)}
	if c.DR.Enabled {
		secondary := "chosen secondary"
		if r, ok := regions.Lookup(c.PrimaryRegion); ok && r.Pair == c.DR.SecondaryRegion {
			secondary = "paired secondary"
		}
		parts = append(parts, secondary, "secondary "+zones(c.DR.SecondaryRegion))
	}
	if c.Adopted() {
		parts = append(parts, "adopted")
	}
	if c.Compute.APIServer.Private {
		parts = append(parts, "private API server")
	}
	if c.FHIR.SmartProxy {
		parts = append(parts, "SMART proxy")
	}
	if c.FHIR.Export.StorageAccountID != "" {
		parts = append(parts, "export")
	}
	if c.FHIR.ConvertData.RegistryID != "" {
		parts = append(parts, "convert-data")
	}
	return strings.Join(parts, ", ")
}

// TestSynthetic: 1,000 synthetic stacks all load, conflict in nothing
// fleet.Check judges, and have every plan shape of the fixtures, and
// adopted accounts with DR off and on besides.
func TestSynthetic(t *testing.T) {
	root := t.TempDir()
	files := testfleet.Synthetic(t, root, 1000)
	require.Len(t, files, 1000)
	assert.Equal(t, filepath.Join(root, stackfile.Path("adatum0000")), files[0])
	assert.Equal(t, filepath.Join(root, stackfile.Path("litware0999")), files[999])
	listed, err := fleet.Files(root)
	require.NoError(t, err)
	assert.Len(t, listed, 1000, "no two stacks share a file")

	stacks := fleet.Load(root, files)
	shapes := map[string]int{}
	for i, s := range stacks {
		require.NotNil(t, s.Config, "%s does not load", s.File)
		_, err := drconfig.LoadFile(files[i])
		require.NoError(t, err)
		assert.Equal(t, testfleet.SyntheticCustomer(i), s.Config.Customer)
		shapes[shape(s.Config)]++
	}
	assert.Empty(t, fleet.Check(stacks), "no two stacks claim one global name")

	var want []string
	for _, c := range testfleet.Customers {
		cfg, err := drconfig.LoadFile(testfleet.Path(c))
		require.NoError(t, err)
		want = append(want, shape(cfg))
	}
	for _, w := range want {
		assert.Greater(t, shapes[w], 100, "every shape of the fixtures, many times: %s", w)
	}
	assert.Equal(t, 125, shapes["tier none, primary zones, adopted"])
	assert.Equal(t, 125, shapes["tier data, primary zones, paired secondary, secondary no zones, adopted"])
	assert.Len(t, shapes, len(testfleet.Templates), "one shape per template: %v", shapes)
	slices.Sort(want)
	assert.Equal(t, len(want), len(slices.Compact(want)), "the fixtures' shapes are distinct")

	adopted, err := drconfig.LoadFile(files[7])
	require.NoError(t, err)
	assert.Equal(t, "cosmos-litware0007-legacy", adopted.Cosmos.AccountName)
	assert.Equal(t, "rg-litware0007-legacy", adopted.PrimaryResourceGroupName())
	contoso, err := drconfig.LoadFile(files[1])
	require.NoError(t, err)
	assert.Equal(t, "https://contoso0001-fhir.trafficmanager.net", contoso.FHIR.Auth.Audience)
	assert.Equal(t, "contoso0001-fhir", contoso.TrafficManager.DNSName)
	assert.Equal(t, "fhir-contoso0001", contoso.Cosmos.AccountName)
}
