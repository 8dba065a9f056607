package pricing

import (
	"github.com/fhir-dr/fhir-dr/internal/testfleet"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fhir-dr/fhir-dr/drconfig"
)

func config(t *testing.T, customer string) *drconfig.Config {
	t.Helper()
	cfg, err := drconfig.LoadFile(testfleet.Path(customer))
	require.NoError(t, err)
	return cfg
}

func TestTableIsDatedAndSourced(t *testing.T) {
	table, err := Load()
	require.NoError(t, err)
	assert.Equal(t, "2026-11-25", table.AsOf)
	assert.Equal(t, "USD", table.Currency)
	assert.Contains(t, table.Source, "azure.microsoft.com/pricing")
	assert.Equal(t, 730.0, table.HoursPerMonth)
}

func TestEstimates(t *testing.T) {
	table, err := Load()
	require.NoError(t, err)

	none := table.DR(config(t, "adatum"))
	assert.Equal(t, Estimate{}, none)

	data := table.DR(config(t, "litware"))
	assert.Equal(t, Estimate{Lines: []Line{{"Cosmos DB 1000 RU/s in ukwest", 58.40}}, Total: 58.40}, data)

	// contoso: autoscale to 10,000 RU/s; Standard tier; system 2 x D4ds_v5,
	// fhir 2 x D8ds_v5 at their floors; 30 s probes.
	full := table.DR(config(t, "contoso"))
	assert.True(t, full.Complete())
	assert.Equal(t, []Line{
		{"Cosmos DB up to 10000 RU/s (autoscale) in westus", 876},
		{"AKS Standard tier, standby cluster", 73},
		{"2 x Standard_D4ds_v5, node pool system", 329.96},
		{"2 x Standard_D8ds_v5, node pool fhir", 659.92},
		{"standby ingress public IP", 3.65},
		{"Traffic Manager health checks, 2 endpoints", 2.72}, // fast probing
	}, full.Lines)
	assert.Equal(t, 1945.25, full.Total)

	fast := table.DR(config(t, "tailspin"))
	assert.Equal(t, Line{"Traffic Manager health checks, 2 endpoints", 2.72}, fast.Lines[len(fast.Lines)-1])

	// What the table does not price is left out and named, never an error:
	// the estimate is a report.
	cfg := config(t, "contoso")
	cfg.Compute.NodePools[1].VMSize = "Standard_NC24ads_A100_v4"
	cfg.Compute.SkuTier = "Enterprise"
	partial := table.DR(cfg)
	assert.False(t, partial.Complete())
	assert.Equal(t, []string{
		"no price for the AKS Enterprise tier (prices.json of 2026-11-25): the standby cluster's tier is left out of the estimate",
		"no price for VM size Standard_NC24ads_A100_v4 (prices.json of 2026-11-25): node pool fhir (2 nodes) is left out of the estimate",
	}, partial.Unpriced)
	assert.Equal(t, []Line{
		{"Cosmos DB up to 10000 RU/s (autoscale) in westus", 876},
		{"2 x Standard_D4ds_v5, node pool system", 329.96},
		{"standby ingress public IP", 3.65},
		{"Traffic Manager health checks, 2 endpoints", 2.72}, // fast probing
	}, partial.Lines)
	assert.Equal(t, 1212.33, partial.Total)
}
