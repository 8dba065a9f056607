package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fhir-dr/fhir-dr/internal/renderfleet"
	"github.com/fhir-dr/fhir-dr/internal/testfleet"
)

// TestRenderFleet: drctl render-fleet writes every stack of the project at
// --root, sorted, in the rendered-fleet format; it is hidden from the help.
func TestRenderFleet(t *testing.T) {
	out := filepath.Join(t.TempDir(), "fleet.jsonl")
	code, stdout, stderr := runDrctl(t, "render-fleet", "--root", testfleet.Root(), "--out", out, "--parallel", "2")
	require.Equal(t, 0, code, stderr)
	assert.Empty(t, stdout)
	f, err := os.Open(out)
	require.NoError(t, err)
	defer f.Close()
	var customers []string
	require.NoError(t, renderfleet.Read(f, func(st renderfleet.Stack) error {
		customers = append(customers, st.Customer)
		assert.Empty(t, st.Error, st.Customer)
		assert.NotEmpty(t, st.Resources, st.Customer)
		return nil
	}))
	assert.Equal(t, testfleet.Customers, customers)

	code, _, stderr = runDrctl(t, "render-fleet", "--out", out)
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, `"root" not set`)
	code, _, stderr = runDrctl(t, "render-fleet", "--root", t.TempDir(), "--out", out)
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr, "is not a project")

	_, help, _ := runDrctl(t, "help")
	assert.NotContains(t, help, "render-fleet")
}
