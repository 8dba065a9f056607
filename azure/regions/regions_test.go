package regions

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRegions(t *testing.T) {
	assert.Len(t, table, 58)
	withPair := 0
	for name, r := range table {
		assert.Equal(t, name, r.Name)
		if r.Pair != "" {
			withPair++
			_, ok := Lookup(r.Pair)
			assert.Truef(t, ok, "%s's pair %s is a known region", name, r.Pair)
		}
	}
	assert.Equal(t, 45, withPair, "44 listed pairs plus swedensouth")
	for _, tc := range []struct {
		name, pair    string
		zones, restri bool
	}{
		{"eastus", "westus", true, false},
		{"westus", "eastus", false, false},
		{"westus3", "eastus", true, false},
		{"brazilsouth", "southcentralus", true, false},
		{"southcentralus", "northcentralus", true, false},
		{"italynorth", "", true, false},
		{"francesouth", "francecentral", false, true},
	} {
		r, ok := Lookup(tc.name)
		require.True(t, ok, tc.name)
		assert.Equal(t, Region{Name: tc.name, Pair: tc.pair, AvailabilityZones: tc.zones, Restricted: tc.restri}, r)
	}
}

func TestRegionSpellings(t *testing.T) {
	assert.Equal(t, "eastus2", Normalize("East US 2"))
	assert.True(t, Same("West Europe", "westeurope"))
	assert.False(t, Same("West US", "westus2"))
}
