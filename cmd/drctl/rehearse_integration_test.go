//go:build integration

package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fhir-dr/fhir-dr/internal/testfleet"
)

func TestRehearse(t *testing.T) {
	t.Chdir(testfleet.CloneWithFixtures(t)) // HEAD has the fixture fleet, never the operators' stacks/
	code, out, errOut := runDrctl(t, "rehearse", "--stack", "tailspin", "--from", "HEAD")
	require.Equal(t, 0, code, errOut+out)
	for _, want := range []string{
		"Rehearsing tailspin with the Pulumi engine v3.274.1 against the azure-native and kubernetes stand-ins " +
			"(test doubles: nothing reaches Azure or a cluster).",
		"== Deploying tailspin as at HEAD",
		"== Preview of the working tree",
		"Previewing update (tailspin):",
		"== Up",
		"== Summary for tailspin",
		"stand-in saw: ",
		"kubernetes stand-in saw: ",
	} {
		assert.Contains(t, out, want)
	}
}
