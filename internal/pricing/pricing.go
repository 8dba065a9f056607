// Package pricing estimates what DR adds to a customer's monthly Azure bill,
// from a small dated table of list prices kept as data in prices.json (its
// "source" and "asOf" say where the figures come from and when).
//
// The estimate counts what DR adds, not what the customer already runs: the
// Cosmos DB throughput billed again for the secondary region (at the
// autoscale ceiling, an upper bound), and for the full tier the standby
// cluster at its minimum size, its ingress IP and Traffic Manager health
// checks. Storage replication, DNS queries, egress and logs depend on usage
// and are left out.
//
// The estimate is a report (drctl plan, drctl report), never part of a
// deployment: a size or tier the table does not price is left out of the
// estimate with a warning, never an error.
package pricing

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"sync"

	"github.com/fhir-dr/fhir-dr/drconfig"
)

//go:embed prices.json
var pricesJSON []byte

// Table is the price table.
type Table struct {
	// AsOf is the date the prices were recorded.
	AsOf string `json:"asOf"`
	// Currency of every price.
	Currency string `json:"currency"`
	// Region the prices are for.
	Region string `json:"region"`
	// Source says where the prices come from.
	Source string `json:"source"`
	// HoursPerMonth turns hourly prices into monthly ones.
	HoursPerMonth float64 `json:"hoursPerMonth"`
	// CosmosDB prices throughput.
	CosmosDB struct {
		ProvisionedPer100RUsHour float64 `json:"provisionedPer100RUsHour"`
		AutoscalePer100RUsHour   float64 `json:"autoscalePer100RUsHour"`
	} `json:"cosmosDb"`
	// AKS prices the cluster management tier.
	AKS struct {
		ClusterHour map[string]float64 `json:"clusterHour"`
	} `json:"aks"`
	// LinuxVMHour prices node VM sizes.
	LinuxVMHour map[string]float64 `json:"linuxVmHour"`
	// PublicIPStandardHour prices a standard static public IP.
	PublicIPStandardHour float64 `json:"publicIpStandardHour"`
	// TrafficManager prices endpoint health checks.
	TrafficManager struct {
		HealthCheckPerEndpointMonth  float64 `json:"healthCheckPerEndpointMonth"`
		FastIntervalPerEndpointMonth float64 `json:"fastIntervalPerEndpointMonth"`
	} `json:"trafficManager"`
}

// Load returns the embedded table, parsed once.
var Load = sync.OnceValues(func() (*Table, error) {
	var t Table
	if err := json.Unmarshal(pricesJSON, &t); err != nil {
		return nil, fmt.Errorf("pricing: prices.json: %w", err)
	}
	return &t, nil
})

// Line is one item of an estimate.
type Line struct {
	// Item says what is priced.
	Item string `json:"item"`
	// Monthly is its monthly cost, in cents.
	Monthly float64 `json:"monthly"`
}

// Estimate is the monthly cost DR adds for one customer.
type Estimate struct {
	// Lines are the priced items.
	Lines []Line `json:"lines"`
	// Total is their sum.
	Total float64 `json:"total"`
	// Unpriced name what the table has no price for and the estimate
	// leaves out, so Total is a lower bound when any is listed.
	Unpriced []string `json:"unpriced,omitempty"`
}

// Complete reports whether every item was priced.
func (e Estimate) Complete() bool { return len(e.Unpriced) == 0 }

// DR estimates the monthly cost DR adds to the customer of cfg. What the
// table has no price for is left out and named in Unpriced.
func (t *Table) DR(cfg *drconfig.Config) Estimate {
	var e Estimate
	if !cfg.DR.Enabled {
		return e
	}
	add := func(item string, monthly float64) {
		monthly = math.Round(monthly*100) / 100 // money is in cents
		e.Lines = append(e.Lines, Line{Item: item, Monthly: monthly})
		e.Total = math.Round((e.Total+monthly)*100) / 100
	}
	if ru := cfg.Cosmos.Throughput; ru > 0 {
		add(fmt.Sprintf("Cosmos DB %d RU/s in %s", ru, cfg.DR.SecondaryRegion),
			float64(ru)/100*t.CosmosDB.ProvisionedPer100RUsHour*t.HoursPerMonth)
	} else {
		ru := cfg.Cosmos.AutoscaleMaxThroughput
		add(fmt.Sprintf("Cosmos DB up to %d RU/s (autoscale) in %s", ru, cfg.DR.SecondaryRegion),
			float64(ru)/100*t.CosmosDB.AutoscalePer100RUsHour*t.HoursPerMonth)
	}
	if r := cfg.DR.RetiringSecondaryRegion; r != "" {
		last := e.Lines[len(e.Lines)-1]
		add(strings.Replace(last.Item, " in "+cfg.DR.SecondaryRegion, " in "+r+" (until the region move completes)", 1), last.Monthly)
	}
	if !cfg.HasCompute() {
		return e
	}
	if tier, ok := t.AKS.ClusterHour[cfg.Compute.SkuTier]; ok {
		add(fmt.Sprintf("AKS %s tier, standby cluster", cfg.Compute.SkuTier), tier*t.HoursPerMonth)
	} else {
		e.Unpriced = append(e.Unpriced, fmt.Sprintf("no price for the AKS %s tier (prices.json of %s): the standby cluster's tier is left out of the estimate",
			cfg.Compute.SkuTier, t.AsOf))
	}
	for _, p := range cfg.Compute.NodePools {
		nodes := p.Count
		if nodes == 0 {
			nodes = p.MinCount // the standby idles at its floor
		}
		price, ok := t.LinuxVMHour[p.VMSize]
		if !ok {
			e.Unpriced = append(e.Unpriced, fmt.Sprintf("no price for VM size %s (prices.json of %s): node pool %s (%d nodes) is left out of the estimate",
				p.VMSize, t.AsOf, p.Name, nodes))
			continue
		}
		add(fmt.Sprintf("%d x %s, node pool %s", nodes, p.VMSize, p.Name), float64(nodes)*price*t.HoursPerMonth)
	}
	add("standby ingress public IP", t.PublicIPStandardHour*t.HoursPerMonth)
	probe := t.TrafficManager.HealthCheckPerEndpointMonth
	if cfg.TrafficManager.Probe.IntervalSeconds == 10 {
		probe += t.TrafficManager.FastIntervalPerEndpointMonth
	}
	add("Traffic Manager health checks, 2 endpoints", 2*probe)
	return e
}
