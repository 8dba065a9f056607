package review

import (
	"testing"

	"github.com/fhir-dr/fhir-dr/internal/testfleet"
)

// TestMain keeps the tests' git commands in their own repositories (see
// testfleet.Main).
func TestMain(m *testing.M) { testfleet.Main(m) }
