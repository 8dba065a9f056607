package azure_test

import (
	"os"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fhir-dr/fhir-dr/azure/azurenative"
)

// TestPinInStep: azurenative.Version is the one place the azure-native
// release is written. The Makefile reads it from there; every release the
// README names must be it (internal/pipeline checks the workflows).
func TestPinInStep(t *testing.T) {
	makefile, err := os.ReadFile("../Makefile")
	require.NoError(t, err)
	assert.Regexp(t, `(?m)^AZURE_NATIVE_VERSION := \$\(shell sed .* azure/azurenative/azurenative\.go\)$`, string(makefile),
		"the Makefile reads the pin, it does not repeat it")
	readme, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	mentions := regexp.MustCompile(`azure-native[ @]v?(\d+\.\d+\.\d+)`).FindAllSubmatch(readme, -1)
	require.NotEmpty(t, mentions)
	for _, m := range mentions {
		assert.Equal(t, azurenative.Version, string(m[1]), "README: %s", m[0])
	}
}
