// Package regions is fhir-dr's table of the Azure public-cloud regions: their
// pairs, zone support and access restrictions, as summarised in
// shared/reference/azure-dr-facts.md section 2.
package regions

import "strings"

// Region is an Azure public-cloud region as fhir-dr needs to know it.
type Region struct {
	// Name is the ARM name, e.g. "eastus".
	Name string
	// AvailabilityZones reports whether the region has availability zones.
	AvailabilityZones bool
	// Pair is the Azure paired region, or "" for a region without a pair.
	// Pairs are not always mutual: brazilsouth pairs with southcentralus,
	// which pairs with northcentralus.
	Pair string
	// Restricted marks a region that needs access granted to the
	// subscription before anything can be deployed there.
	Restricted bool
}

// regions lists the Azure public-cloud regions with their pairs and zone
// support. Source: MicrosoftDocs/reliability-docs
// articles/reliability/regions-list.md ("All" table) and regions-paired.md,
// as summarised in shared/reference/azure-dr-facts.md section 2.
var table = map[string]Region{
	"australiacentral":   {Name: "australiacentral", AvailabilityZones: false, Pair: "australiacentral2", Restricted: false},
	"australiacentral2":  {Name: "australiacentral2", AvailabilityZones: false, Pair: "australiacentral", Restricted: true},
	"australiaeast":      {Name: "australiaeast", AvailabilityZones: true, Pair: "australiasoutheast", Restricted: false},
	"australiasoutheast": {Name: "australiasoutheast", AvailabilityZones: false, Pair: "australiaeast", Restricted: false},
	"austriaeast":        {Name: "austriaeast", AvailabilityZones: true, Pair: "", Restricted: false},                // no pair
	"belgiumcentral":     {Name: "belgiumcentral", AvailabilityZones: true, Pair: "", Restricted: false},             // no pair
	"brazilsouth":        {Name: "brazilsouth", AvailabilityZones: true, Pair: "southcentralus", Restricted: false},  // one-way (southcentralus pairs with northcentralus)
	"brazilsoutheast":    {Name: "brazilsoutheast", AvailabilityZones: false, Pair: "brazilsouth", Restricted: true}, // one-way
	"canadacentral":      {Name: "canadacentral", AvailabilityZones: true, Pair: "canadaeast", Restricted: false},
	"canadaeast":         {Name: "canadaeast", AvailabilityZones: false, Pair: "canadacentral", Restricted: false},
	"centralindia":       {Name: "centralindia", AvailabilityZones: true, Pair: "southindia", Restricted: false},
	"centralus":          {Name: "centralus", AvailabilityZones: true, Pair: "eastus2", Restricted: false},
	"chilecentral":       {Name: "chilecentral", AvailabilityZones: true, Pair: "", Restricted: false}, // no pair
	"denmarkeast":        {Name: "denmarkeast", AvailabilityZones: true, Pair: "", Restricted: false},  // no pair
	"eastasia":           {Name: "eastasia", AvailabilityZones: true, Pair: "southeastasia", Restricted: false},
	"eastus":             {Name: "eastus", AvailabilityZones: true, Pair: "westus", Restricted: false},
	"eastus2":            {Name: "eastus2", AvailabilityZones: true, Pair: "centralus", Restricted: false},
	"francecentral":      {Name: "francecentral", AvailabilityZones: true, Pair: "francesouth", Restricted: false},
	"francesouth":        {Name: "francesouth", AvailabilityZones: false, Pair: "francecentral", Restricted: true},
	"germanynorth":       {Name: "germanynorth", AvailabilityZones: false, Pair: "germanywestcentral", Restricted: true},
	"germanywestcentral": {Name: "germanywestcentral", AvailabilityZones: true, Pair: "germanynorth", Restricted: false},
	"indiasouthcentral":  {Name: "indiasouthcentral", AvailabilityZones: true, Pair: "centralindia", Restricted: false}, // one-way
	"indonesiacentral":   {Name: "indonesiacentral", AvailabilityZones: true, Pair: "", Restricted: false},              // no pair
	"israelcentral":      {Name: "israelcentral", AvailabilityZones: true, Pair: "", Restricted: false},                 // no pair
	"italynorth":         {Name: "italynorth", AvailabilityZones: true, Pair: "", Restricted: false},                    // no pair
	"japaneast":          {Name: "japaneast", AvailabilityZones: true, Pair: "japanwest", Restricted: false},
	"japanwest":          {Name: "japanwest", AvailabilityZones: true, Pair: "japaneast", Restricted: false},
	"koreacentral":       {Name: "koreacentral", AvailabilityZones: true, Pair: "koreasouth", Restricted: false},
	"koreasouth":         {Name: "koreasouth", AvailabilityZones: false, Pair: "koreacentral", Restricted: false},
	"malaysiawest":       {Name: "malaysiawest", AvailabilityZones: true, Pair: "", Restricted: false},    // no pair
	"mexicocentral":      {Name: "mexicocentral", AvailabilityZones: true, Pair: "", Restricted: false},   // no pair
	"newzealandnorth":    {Name: "newzealandnorth", AvailabilityZones: true, Pair: "", Restricted: false}, // no pair
	"northcentralus":     {Name: "northcentralus", AvailabilityZones: false, Pair: "southcentralus", Restricted: false},
	"northeurope":        {Name: "northeurope", AvailabilityZones: true, Pair: "westeurope", Restricted: false},
	"norwayeast":         {Name: "norwayeast", AvailabilityZones: true, Pair: "norwaywest", Restricted: false},
	"norwaywest":         {Name: "norwaywest", AvailabilityZones: false, Pair: "norwayeast", Restricted: true},
	"polandcentral":      {Name: "polandcentral", AvailabilityZones: true, Pair: "", Restricted: false}, // no pair
	"qatarcentral":       {Name: "qatarcentral", AvailabilityZones: true, Pair: "", Restricted: false},  // no pair
	"southafricanorth":   {Name: "southafricanorth", AvailabilityZones: true, Pair: "southafricawest", Restricted: false},
	"southafricawest":    {Name: "southafricawest", AvailabilityZones: false, Pair: "southafricanorth", Restricted: true},
	"southcentralus":     {Name: "southcentralus", AvailabilityZones: true, Pair: "northcentralus", Restricted: false},
	"southindia":         {Name: "southindia", AvailabilityZones: false, Pair: "centralindia", Restricted: false},
	"southeastasia":      {Name: "southeastasia", AvailabilityZones: true, Pair: "eastasia", Restricted: false},
	"spaincentral":       {Name: "spaincentral", AvailabilityZones: true, Pair: "", Restricted: false},             // no pair
	"swedencentral":      {Name: "swedencentral", AvailabilityZones: true, Pair: "swedensouth", Restricted: false}, // swedensouth has no row of its own
	"switzerlandnorth":   {Name: "switzerlandnorth", AvailabilityZones: true, Pair: "switzerlandwest", Restricted: false},
	"switzerlandwest":    {Name: "switzerlandwest", AvailabilityZones: false, Pair: "switzerlandnorth", Restricted: true},
	"uaecentral":         {Name: "uaecentral", AvailabilityZones: false, Pair: "uaenorth", Restricted: true},
	"uaenorth":           {Name: "uaenorth", AvailabilityZones: true, Pair: "uaecentral", Restricted: false},
	"uksouth":            {Name: "uksouth", AvailabilityZones: true, Pair: "ukwest", Restricted: false},
	"ukwest":             {Name: "ukwest", AvailabilityZones: false, Pair: "uksouth", Restricted: false},
	"westcentralus":      {Name: "westcentralus", AvailabilityZones: false, Pair: "westus2", Restricted: false},
	"westeurope":         {Name: "westeurope", AvailabilityZones: true, Pair: "northeurope", Restricted: false},
	"westindia":          {Name: "westindia", AvailabilityZones: false, Pair: "southindia", Restricted: false}, // one-way (southindia pairs with centralindia)
	"westus":             {Name: "westus", AvailabilityZones: false, Pair: "eastus", Restricted: false},
	"westus2":            {Name: "westus2", AvailabilityZones: true, Pair: "westcentralus", Restricted: false},
	"westus3":            {Name: "westus3", AvailabilityZones: true, Pair: "eastus", Restricted: false}, // one-way (eastus pairs with westus)
	// swedensouth is swedencentral's access-restricted pair; the source has
	// no row of its own for it, so its zone support is not claimed.
	"swedensouth": {Name: "swedensouth", Pair: "swedencentral", Restricted: true},
}

// Normalize returns the ARM name of a region written as Azure
// displays it ("East US") or as ARM names it ("eastus"): Azure reports the
// one and accepts both.
func Normalize(name string) string {
	return strings.ToLower(strings.ReplaceAll(name, " ", ""))
}

// Same reports whether two spellings name one region.
func Same(a, b string) bool { return Normalize(a) == Normalize(b) }

// Lookup returns the region with the given ARM name.
func Lookup(name string) (Region, bool) {
	r, ok := table[name]
	return r, ok
}

// Names are the ARM names of every known region, in no order.
func Names() []string {
	names := make([]string, 0, len(table))
	for n := range table {
		names = append(names, n)
	}
	return names
}
