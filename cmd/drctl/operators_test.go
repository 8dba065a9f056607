package main

import (
	"encoding/json"
	"fmt"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fhir-dr/fhir-dr/internal/testfleet"
)

// TestOperatorsFleet runs drctl over the operators' stacks/, whatever it
// holds today, and checks only what holds for any valid fleet: every stack
// loads, validates, renders and passes the policy; what must be one
// customer's alone is (validate's fleet-wide checks); the report has one
// row per stack, each ok. It names no customer and counts nothing that an
// operator's edit changes: adding or editing a customer never needs a test
// edit (tests that pin plans and totals read the fixture fleet, testfleet).
func TestOperatorsFleet(t *testing.T) {
	stacks := testfleet.OperatorStacks(t)
	require.NotEmpty(t, stacks, "stacks/ holds the operators' stack files")
	t.Chdir(testfleet.RepoRoot())

	code, out, errOut := runDrctl(t, "validate")
	require.Equal(t, 0, code, out+errOut)
	assert.Contains(t, out, fmt.Sprintf("\n%d stacks, 0 failed\n", len(stacks)))
	assert.NotContains(t, out, "fleet-wide")
	for _, s := range stacks {
		assert.Regexp(t, `(?m)^`+regexp.QuoteMeta(s)+` .* ok$`, out)
	}

	code, out, errOut = runDrctl(t, "report", "--format", "json")
	require.Equal(t, 0, code, errOut)
	var doc inventoryReport
	require.NoError(t, json.Unmarshal([]byte(out), &doc))
	var customers []string
	for _, row := range doc.Customers {
		customers = append(customers, row.Customer)
		assert.Equal(t, "ok", row.Status, row.Customer)
		assert.GreaterOrEqual(t, row.MonthlyDRCost, 0.0, row.Customer)
		assert.Contains(t, []string{"none", "data", "full"}, row.Tier, row.Customer)
		if row.Tier != "none" {
			assert.NotEmpty(t, row.SecondaryRegion, row.Customer)
			assert.NotEqual(t, row.PrimaryRegion, row.SecondaryRegion, row.Customer)
		}
	}
	assert.Equal(t, stacks, customers, "one row per stack, in order")

	code, out, errOut = runDrctl(t, "report")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, fmt.Sprintf("\n%d customers; DR adds", len(stacks)))
}
