package drift

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fhir-dr/fhir-dr/azure/cosmosdb"
	"github.com/fhir-dr/fhir-dr/drconfig"
	"github.com/fhir-dr/fhir-dr/internal/testfleet"
)

var at = time.Date(2026, 12, 1, 6, 3, 0, 0, time.UTC)

// contoso is the fixture's DR stack: primary eastus, secondary westus,
// writes in eastus.
func contoso(t *testing.T) *drconfig.Config {
	t.Helper()
	cfg, err := drconfig.LoadFile(testfleet.Path("contoso"))
	require.NoError(t, err)
	require.Equal(t, "eastus", cfg.DR.WriteRegion)
	require.Equal(t, "westus", cfg.DR.SecondaryRegion)
	return cfg
}

func locations(write, other string) []any {
	return []any{
		map[string]any{"locationName": write, "failoverPriority": 0.0, "isZoneRedundant": false},
		map[string]any{"locationName": other, "failoverPriority": 1.0, "isZoneRedundant": false},
	}
}

func account(op string, state, azure []any) Observed {
	o := Observed{
		URN:  "urn:pulumi:contoso::fhir-dr::fhir-dr:index:Data$azure-native:cosmosdb:DatabaseAccount::account",
		Type: cosmosdb.DatabaseAccountToken, Name: "account", Op: op,
		State: map[string]any{"accountName": "fhir-contoso", "locations": state},
		Azure: map[string]any{"accountName": "fhir-contoso", "locations": azure},
	}
	if op == "update" {
		o.Diffs = []string{"locations"}
		o.DetailedDiff = map[string]string{"locations[0].failoverPriority": "update", "locations[1].failoverPriority": "update"}
	}
	return o
}

func TestClassifyFailover(t *testing.T) {
	// Azure moved writes to westus; the state and the stack file say eastus.
	got := Classify("contoso", contoso(t), []Observed{
		account("update", locations("eastus", "westus"), []any{
			map[string]any{"locationName": "eastus", "failoverPriority": 1.0, "isZoneRedundant": false},
			map[string]any{"locationName": "westus", "failoverPriority": 0.0, "isZoneRedundant": false},
		}),
	}, nil, at)
	assert.Equal(t, Stack{
		Customer: "contoso", Kind: KindFailover, CheckedAt: at,
		Failover: &Failover{Account: "fhir-contoso", AzureWriteRegion: "westus", StackWriteRegion: "eastus", StateWriteRegion: "eastus"},
		Message: "Azure failed over to westus on its own (seen by the drift check at 2026-12-01T06:03:00Z): contoso's account fhir-contoso " +
			"takes writes in westus, but its stack file says eastus, and a release would fail back",
		Command: "drctl record contoso --ticket <incident>",
	}, got, "the priorities are the failover, not other drift")
}

// A failover the refresh has already adopted into the state (drctl
// refresh) is still a failover: Azure is compared with the stack file.
func TestClassifyFailoverAlreadyInTheState(t *testing.T) {
	got := Classify("contoso", contoso(t), []Observed{account("same", locations("westus", "eastus"), locations("westus", "eastus"))}, nil, at)
	assert.Equal(t, KindFailover, got.Kind)
	assert.Equal(t, &Failover{Account: "fhir-contoso", AzureWriteRegion: "westus", StackWriteRegion: "eastus", StateWriteRegion: "westus"}, got.Failover)
	assert.Empty(t, got.Resources)
}

// A failover recorded in the stack file (drctl failover or drctl record)
// that no release has brought into the state yet is not drift.
func TestClassifyRecordedFailover(t *testing.T) {
	cfg := contoso(t)
	cfg.DR.WriteRegion = "westus"
	got := Classify("contoso", cfg, []Observed{account("update", locations("eastus", "westus"), locations("westus", "eastus"))}, nil, at)
	assert.Equal(t, Stack{
		Customer: "contoso", Kind: KindNone, CheckedAt: at, Message: "Azure is as deployed",
		Notes: []string{"westus takes writes in Azure, as the stack file records; the state still says eastus and catches up at the next release"},
	}, got)
}

func TestClassifyPropertyDrift(t *testing.T) {
	vault := Observed{
		URN: "urn:pulumi:contoso::fhir-dr::azure-native:keyvault:Vault::vault", Type: "azure-native:keyvault:Vault", Name: "vault", Op: "update",
		Diffs:        []string{"properties", "tags"},
		DetailedDiff: map[string]string{"tags.owner": "add", "properties.enablePurgeProtection": "update", `tags["cost-center"]`: "delete"},
		State:        map[string]any{"tags": map[string]any{"cost-center": "4711"}, "properties": map[string]any{"enablePurgeProtection": true}},
		Azure:        map[string]any{"tags": map[string]any{"owner": "someone"}, "properties": map[string]any{"enablePurgeProtection": false}},
	}
	lock := Observed{URN: "urn:pulumi:contoso::fhir-dr::azure-native:authorization:ManagementLock::lock", Type: "azure-native:authorization:ManagementLock",
		Name: "lock", Op: "delete", State: map[string]any{"level": "CanNotDelete"}}
	// Without a detailed diff, the top-level keys.
	zone := Observed{URN: "urn:pulumi:contoso::fhir-dr::azure-native:network:PrivateZone::zone", Type: "azure-native:network:PrivateZone",
		Name: "zone", Op: "update", Diffs: []string{"location"}, State: map[string]any{"location": "global"}, Azure: map[string]any{"location": "Global"}}
	same := account("same", locations("eastus", "westus"), locations("eastus", "westus"))
	got := Classify("contoso", contoso(t), []Observed{same, vault, lock, zone}, nil, at)
	assert.Equal(t, Stack{
		Customer: "contoso", Kind: KindDrift, CheckedAt: at,
		Resources: []Resource{
			{URN: vault.URN, Type: vault.Type, Name: "vault", Change: "update", Properties: []Property{
				{Path: "properties.enablePurgeProtection", Change: "update", State: true, Azure: false},
				{Path: "tags.owner", Change: "add", Azure: "someone"},
				{Path: `tags["cost-center"]`, Change: "delete", State: "4711"},
			}},
			{URN: lock.URN, Type: lock.Type, Name: "lock", Change: "delete"},
			{URN: zone.URN, Type: zone.Type, Name: "zone", Change: "update", Properties: []Property{
				{Path: "location", Change: "update", State: "global", Azure: "Global"},
			}},
		},
		Message: "4 properties in 2 resources differ from the last deployment; 1 resource is gone from Azure",
		Command: "drctl refresh --stacks contoso",
	}, got)
}

// Locations that differ in more than priorities (a region added in the
// portal) are drift, listed property by property.
func TestClassifyLocationsDrift(t *testing.T) {
	o := account("update", locations("eastus", "westus"), append(locations("eastus", "westus"),
		map[string]any{"locationName": "centralus", "failoverPriority": 2.0, "isZoneRedundant": false}))
	o.DetailedDiff = map[string]string{"locations[2]": "add"}
	got := Classify("contoso", contoso(t), []Observed{o}, nil, at)
	assert.Equal(t, KindDrift, got.Kind)
	require.Len(t, got.Resources, 1)
	assert.Equal(t, []Property{{Path: "locations[2]", Change: "add",
		Azure: map[string]any{"locationName": "centralus", "failoverPriority": 2.0, "isZoneRedundant": false}}}, got.Resources[0].Properties)
	assert.Equal(t, "1 property in 1 resource differs from the last deployment", got.Message)
}

func TestClassifyNoDriftAndFailure(t *testing.T) {
	cfg := contoso(t)
	none := Classify("contoso", cfg, []Observed{account("same", locations("eastus", "westus"), locations("eastus", "westus"))}, nil, at)
	assert.Equal(t, Stack{Customer: "contoso", Kind: KindNone, CheckedAt: at, Message: "Azure is as deployed"}, none)

	failed := Classify("contoso", cfg, nil, errors.New("contoso: stack: no stack named 'contoso' found\nmore detail"), at)
	assert.Equal(t, Stack{
		Customer: "contoso", Kind: KindFailed, CheckedAt: at,
		Error:   "contoso: stack: no stack named 'contoso' found\nmore detail",
		Message: "the drift check of contoso failed: contoso: stack: no stack named 'contoso' found",
		Command: "drctl drift --stacks contoso",
	}, failed)
}

func TestSplitPathAndLookup(t *testing.T) {
	assert.Equal(t, []string{"a", "b", "2", "c"}, splitPath("a.b[2].c"))
	assert.Equal(t, []string{"tags", "x.y", "z"}, splitPath(`tags["x.y"].z`))
	v, ok := lookup(map[string]any{"a": []any{map[string]any{"b": 1.0}}}, "a[0].b")
	assert.True(t, ok)
	assert.Equal(t, 1.0, v)
	_, ok = lookup(map[string]any{"a": []any{}}, "a[3]")
	assert.False(t, ok)
}

// A provider that reports a whole object ("tags") or list as changed gets
// its diff broken down to the properties within that differ.
func TestClassifyBreaksDownObjects(t *testing.T) {
	o := Observed{URN: "urn:a", Type: cosmosdb.DatabaseAccountToken, Name: "account", Op: "update",
		DetailedDiff: map[string]string{"tags": "update", "ipRules": "update", "capacity": "update"},
		State: map[string]any{"accountName": "fhir-contoso", "locations": locations("eastus", "westus"),
			"tags":     map[string]any{"cost-center": "4711", "customer": "contoso", "gone": "x"},
			"ipRules":  []any{map[string]any{"ipAddressOrRange": "203.0.113.0/24"}},
			"capacity": map[string]any{"totalThroughputLimit": 1000.0}},
		Azure: map[string]any{"accountName": "fhir-contoso", "locations": locations("eastus", "westus"),
			"tags":     map[string]any{"cost-center": "4712", "customer": "contoso", "owner": "someone"},
			"ipRules":  []any{map[string]any{"ipAddressOrRange": "0.0.0.0/0"}, map[string]any{"ipAddressOrRange": "203.0.113.0/24"}},
			"capacity": map[string]any{"totalThroughputLimit": 1000.0}}}
	got := Classify("contoso", contoso(t), []Observed{o}, nil, at)
	require.Len(t, got.Resources, 1)
	assert.Equal(t, []Property{
		{Path: "capacity", Change: "update", State: map[string]any{"totalThroughputLimit": 1000.0}, Azure: map[string]any{"totalThroughputLimit": 1000.0}},
		{Path: "ipRules", Change: "update", State: []any{map[string]any{"ipAddressOrRange": "203.0.113.0/24"}},
			Azure: []any{map[string]any{"ipAddressOrRange": "0.0.0.0/0"}, map[string]any{"ipAddressOrRange": "203.0.113.0/24"}}},
		{Path: "tags.gone", Change: "delete", State: "x"},
		{Path: "tags.owner", Change: "add", Azure: "someone"},
		{Path: `tags["cost-center"]`, Change: "update", State: "4711", Azure: "4712"},
	}, got.Resources[0].Properties, "equal inputs keep the engine's word; lists of another length stay whole")
	assert.Equal(t, "5 properties in 1 resource differ from the last deployment", got.Message)
}

// Azure moved because drctl failover is under way (or stopped halfway):
// the command that finishes it, not drctl record, which refuses then.
func TestClassifyFailoverInProgress(t *testing.T) {
	cfg := contoso(t)
	cfg.DR.FailoverIntent = &drconfig.FailoverIntent{Action: drconfig.ActionForcedFailover, From: "eastus", To: "westus",
		At: "2026-12-01T05:00:00Z", By: "ops", Ticket: "INC-7"}
	got := Classify("contoso", cfg, []Observed{account("same", locations("westus", "eastus"), locations("westus", "eastus"))}, nil, at)
	assert.Equal(t, KindFailover, got.Kind)
	assert.Equal(t, "a write-region change is in progress (dr.failoverIntent: forced-failover eastus -> westus started at "+
		"2026-12-01T05:00:00Z by ops (INC-7)): Azure takes writes in westus, the stack file still says eastus until the change is "+
		"finished and recorded", got.Message)
	assert.Equal(t, "drctl failover contoso --ticket INC-7 --forced", got.Command)
}
