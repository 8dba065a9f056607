package main

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/fhir-dr/fhir-dr/internal/testfleet"
)

// The argument and configuration errors of rehearse are reported before
// the engine is needed.
func TestRehearseUsageAndBadStack(t *testing.T) {
	t.Chdir(testfleet.Root()) // the fixture fleet, never the operators' stacks/
	code, out, errOut := runDrctl(t, "rehearse")
	assert.Equal(t, 2, code)
	assert.Empty(t, out)
	assert.Equal(t, "drctl rehearse: required flag(s) \"stack\" not set\nRun 'drctl rehearse --help' for usage.\n", errOut)

	code, out, errOut = runDrctl(t, "rehearse", "--stack", "nobody")
	assert.Equal(t, 1, code)
	assert.Empty(t, out)
	assert.Contains(t, errOut, "drctl rehearse: reading stack file: stat ")
	assert.Contains(t, errOut, "stacks/Pulumi.nobody.yaml: no such file or directory")
}
