package main

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fhir-dr/fhir-dr/drconfig"
	"github.com/fhir-dr/fhir-dr/internal/testfleet"
	"github.com/fhir-dr/fhir-dr/stackfile"
)

func TestReportTable(t *testing.T) {
	t.Chdir(testfleet.Root()) // the fixture fleet, never the operators' stacks/
	code, out, errOut := runDrctl(t, "report")
	require.Equal(t, 0, code, errOut)
	assert.Regexp(t, `(?m)^contoso +eastus +westus \(paired\) +full +SR-100234 +Session +15m0s +19m50s +≤10000 +x2 +1945\.25 +never +ok$`, out)
	assert.Regexp(t, `(?m)^northwind +westeurope +swedencentral \(chosen\) +full `, out)
	assert.Regexp(t, `(?m)^adatum +eastus2 +- +none +none +Session +- +- +≤4000 +x1 +0\.00 +never +ok$`, out)
	assert.Contains(t, out, "\n6 customers; DR adds an estimated 7712.38 USD a month (list prices of 2026-11-25; see internal/pricing/prices.json)\n")
}

func TestReportCSVAndJSON(t *testing.T) {
	t.Chdir(testfleet.Root()) // the fixture fleet, never the operators' stacks/
	code, out, errOut := runDrctl(t, "report", "--format", "csv", "litware", "fabrikam")
	require.Equal(t, 0, code, errOut)
	records, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	require.NoError(t, err)
	assert.Equal(t, [][]string{
		{"customer", "primary_region", "secondary_region", "secondary_choice", "tier", "ticket", "consistency", "rpo_seconds",
			"rto_seconds", "throughput_rus", "autoscale", "billing_multiplier", "monthly_dr_cost_USD", "last_drill", "status"},
		{"litware", "uksouth", "ukwest", "paired", "data", "SR-101511", "Session", "900", "4755", "1000", "false", "2", "58.40", "never", "ok"},
		{"fabrikam", "brazilsouth", "southcentralus", "paired", "full", "SR-100871", "BoundedStaleness", "600", "1190", "4000", "false", "2", "642.93", "never", "ok"},
	}, records)

	code, out, errOut = runDrctl(t, "report", "--format", "json", "adatum")
	require.Equal(t, 0, code, errOut)
	var doc inventoryReport
	require.NoError(t, json.Unmarshal([]byte(out), &doc))
	assert.Equal(t, "2026-11-25", doc.PricesAsOf)
	assert.Equal(t, []inventoryRow{{Customer: "adatum", PrimaryRegion: "eastus2", Tier: "none", Ticket: "none", Consistency: "Session",
		Throughput: 4000, Autoscale: true, BillingMultiplier: 1, Status: "ok"}}, doc.Customers)

	code, _, errOut = runDrctl(t, "report", "--format", "xml")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, `drctl report: --format "xml": one of table, csv, json`)
}

// The report warns about what the price table does not know and shows the
// cost as a lower bound; it does not fail.
func TestReportUnpricedVMSize(t *testing.T) {
	root := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(root, "Pulumi.yaml"), []byte("name: fhir-dr\nruntime: go\n"), 0o644))
	require.NoError(t, os.MkdirAll(filepath.Join(root, "stacks"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(root, "stacks", "Pulumi.acme.yaml"), []byte("config:\n"+
		"  fhir-dr:customer: acme\n  fhir-dr:primaryRegion: eastus\n"+
		"  fhir-dr:dr:\n    enabled: true\n    paging: {actionGroupId: /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-platform-oncall/providers/Microsoft.Insights/actionGroups/ag-fhir-oncall}\n    tier: full\n    ticket: SR-1\n"+
		"  fhir-dr:compute:\n    apiServer:\n      private: true\n    nodePools:\n"+
		"      - name: system\n        vmSize: Standard_NC24ads_A100_v4\n        count: 2\n"+fhirSettings), 0o644))
	t.Chdir(root)
	code, out, errOut := runDrctl(t, "report")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, errOut, "stacks/Pulumi.acme.yaml: warning: no price for VM size Standard_NC24ads_A100_v4 (prices.json of 2026-11-25): "+
		"node pool system (2 nodes) is left out of the estimate\n")
	// Cosmos DB up to 4,000 RU/s 350.40, AKS Standard 73.00, IP 3.65,
	// health checks 2.72 (fast probing): the pool is left out.
	assert.Regexp(t, `(?m)^acme +eastus +westus \(paired\) +full +SR-1 +Session +.* +x2 +≥429\.77 +never +ok$`, out)

	code, out, _ = runDrctl(t, "report", "--format", "json")
	require.Equal(t, 0, code)
	var doc inventoryReport
	require.NoError(t, json.Unmarshal([]byte(out), &doc))
	require.Len(t, doc.Customers, 1)
	assert.Equal(t, 429.77, doc.Customers[0].MonthlyDRCost)
	assert.Equal(t, []string{"no price for VM size Standard_NC24ads_A100_v4 (prices.json of 2026-11-25): node pool system (2 nodes) is left out of the estimate"},
		doc.Customers[0].Unpriced)
}

// The report shows each customer's last drill: date and outcome, "never"
// without one.
func TestReportLastDrill(t *testing.T) {
	root := t.TempDir()
	writeProject(t, root)
	for _, c := range []string{"contoso", "adatum"} {
		b, err := os.ReadFile(filepath.Join("testdata", "failover", stackfile.Path(c)))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(root, stackfile.Path(c)), b, 0o644))
	}
	t.Chdir(root)
	require.NoError(t, drconfig.RecordDrill(stackfile.Path("contoso"), drconfig.DrillRecord{At: "2026-11-25T18:00:00Z", By: "ops", Ticket: "CHG-9",
		Outcome: drconfig.DrillPassed, Steps: []drconfig.DrillStep{{Name: "service-managed failover off", Seconds: 2.5}}}, true))

	code, out, errOut := runDrctl(t, "report")
	require.Equal(t, 0, code, errOut)
	assert.Regexp(t, `(?m)^CUSTOMER .* LAST DRILL +STATUS$`, out)
	assert.Regexp(t, `(?m)^contoso .* 2026-11-25 passed +ok$`, out)
	assert.Regexp(t, `(?m)^adatum .* never +ok$`, out)

	code, out, errOut = runDrctl(t, "report", "--format", "csv")
	require.Equal(t, 0, code, errOut)
	records, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	require.NoError(t, err)
	require.Len(t, records, 3)
	assert.Equal(t, []string{"last_drill", "status"}, records[0][13:])
	assert.Equal(t, []string{"adatum", "never"}, []string{records[1][0], records[1][13]})
	assert.Equal(t, []string{"contoso", "2026-11-25 passed"}, []string{records[2][0], records[2][13]})

	code, out, errOut = runDrctl(t, "report", "--format", "json")
	require.Equal(t, 0, code, errOut)
	var doc inventoryReport
	require.NoError(t, json.Unmarshal([]byte(out), &doc))
	require.Len(t, doc.Customers, 2)
	assert.Nil(t, doc.Customers[0].LastDrill)
	assert.Equal(t, &drillSummary{At: "2026-11-25T18:00:00Z", Outcome: "passed", Ticket: "CHG-9"}, doc.Customers[1].LastDrill)
	assert.Contains(t, out, `"lastDrill": null`)
}
