package review

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fhir-dr/fhir-dr/drconfig"
)

const (
	deployedID = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-contoso-fhir-eastus/providers/Microsoft.DocumentDB/databaseAccounts/fhir-contoso"
	realID     = "/subscriptions/11111111-2222-4333-8444-555555555555/resourceGroups/rg-contoso-fhir-eastus/providers/Microsoft.DocumentDB/databaseAccounts/fhir-contoso"
	requestID  = "6a1f0c2e-8d3b-4f5a-9c7e-0b1d2e3f4a5b"
)

// contoso loads a data-tier contoso stack with the dr settings given (and
// any other keys).
func contoso(t *testing.T, dr map[string]any, more ...string) *drconfig.Config {
	t.Helper()
	settings := map[string]any{"enabled": true, "tier": "data", "ticket": "SR-1",
		"paging": map[string]any{"actionGroupId": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-platform-oncall/providers/Microsoft.Insights/actionGroups/ag-fhir-oncall"}}
	for k, v := range dr {
		settings[k] = v
	}
	b, err := json.Marshal(settings)
	require.NoError(t, err)
	values := map[string]string{"fhir-dr:customer": "contoso", "fhir-dr:primaryRegion": "eastus", "fhir-dr:dr": string(b)}
	for i := 0; i+1 < len(more); i += 2 {
		values[more[i]] = more[i+1]
	}
	cfg, err := drconfig.Load("stacks/Pulumi.contoso.yaml", values)
	require.NoError(t, err)
	return cfg
}

// goodRecord is what drctl failover writes after a planned failover of
// contoso to westus.
func goodRecord() drconfig.WriteRegionRecord {
	return drconfig.WriteRegionRecord{Action: "planned-failover", From: "eastus", To: "westus", At: "2026-11-25T18:00:00Z", By: "ops",
		Ticket: "INC-42", AccountID: realID, OperationID: requestID,
		FailoverPolicies: []drconfig.FailoverPolicy{{LocationName: "West US", FailoverPriority: 0}, {LocationName: "East US", FailoverPriority: 1}}}
}

func deployed(write, read string) *Resource {
	return &Resource{URN: urn, Type: accountType, Name: "account", ID: deployedID, Inputs: resource.NewPropertyMapFromMap(map[string]any{
		"accountName": "fhir-contoso", "locations": []any{loc(write, 0), loc(read, 1)},
	})}
}

func TestReviewRecord(t *testing.T) {
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	failedOver := func(change func(*drconfig.WriteRegionRecord)) *drconfig.Config {
		r := goodRecord()
		if change != nil {
			change(&r)
		}
		return contoso(t, map[string]any{"writeRegion": r.To, "writeRegionChange": r})
	}
	base := contoso(t, nil)
	atPrimary := deployed("eastus", "westus")

	assert.Equal(t, recordReview{}, reviewRecord(base, base, atPrimary, now), "no record")
	good := failedOver(nil)
	assert.Equal(t, recordReview{}, reviewRecord(good, good, deployed("westus", "eastus"), now), "the base's own record")
	assert.True(t, reviewRecord(base, good, atPrimary, now).Verified(), "what drctl failover writes")
	assert.True(t, reviewRecord(nil, good, atPrimary, now).Verified(), "a base stack file that does not load is no record")
	adopted := contoso(t, map[string]any{"writeRegion": "westus", "writeRegionChange": goodRecord()}, "fhir-dr:primary",
		`{"existingAccountId":"`+realID+`"}`)
	assert.True(t, reviewRecord(base, adopted, atPrimary, now).Verified(), "an adopted account's ID is compared whole")

	for name, tc := range map[string]struct {
		base     *drconfig.Config
		cur      *drconfig.Config
		deployed *Resource
		want     []string
	}{
		"free text": {base, contoso(t, map[string]any{"writeRegion": "westus", "writeRegionChange": "planned failover to westus (INC-1)"}),
			atPrimary, []string{"it is free text, not the record drctl writes with Azure's answer"}},
		"a new stack":                     {nil, good, nil, []string{"no account is deployed at the base to check it against"}},
		"the account failed over already": {base, good, deployed("westus", "eastus"), []string{"from is eastus, but westus takes writes at the base"}},
		"to another region than the stack file's": {base, contoso(t, map[string]any{"writeRegionChange": goodRecord()}), atPrimary,
			[]string{"to is westus, but dr.writeRegion is eastus"}},
		"a failback to the secondary": {base, failedOver(func(r *drconfig.WriteRegionRecord) { r.Action = "failback" }), atPrimary,
			[]string{"a failback moves writes to the primary eastus, not westus"}},
		"a failback that moves nothing": {base, contoso(t, map[string]any{"writeRegionChange": func() drconfig.WriteRegionRecord {
			r := goodRecord()
			r.Action, r.From, r.To = "failback", "eastus", "eastus"
			r.FailoverPolicies = []drconfig.FailoverPolicy{{LocationName: "East US", FailoverPriority: 0}, {LocationName: "West US", FailoverPriority: 1}}
			return r
		}()}), atPrimary, []string{"from and to are both eastus"}},
		"in the future": {base, failedOver(func(r *drconfig.WriteRegionRecord) { r.At = "2026-12-01T10:06:00Z" }), atPrimary,
			[]string{"at 2026-12-01T10:06:00Z is in the future"}},
		"older than the base's": {contoso(t, map[string]any{"writeRegionChange": func() drconfig.WriteRegionRecord {
			r := goodRecord()
			r.Action, r.From, r.To, r.At = "failback", "westus", "eastus", "2026-11-26T00:00:00Z"
			return r
		}()}), good, atPrimary, []string{"at 2026-11-25T18:00:00Z is before the base's record (2026-11-26T00:00:00Z)"}},
		"another account": {base, failedOver(func(r *drconfig.WriteRegionRecord) {
			r.AccountID = "/subscriptions/11111111-2222-4333-8444-555555555555/resourceGroups/rg-other/providers/Microsoft.DocumentDB/databaseAccounts/fhir-contoso"
		}), atPrimary, []string{"accountId /subscriptions/11111111-2222-4333-8444-555555555555/resourceGroups/rg-other/providers/Microsoft.DocumentDB/databaseAccounts/fhir-contoso " +
			"is not the deployed account /resourceGroups/rg-contoso-fhir-eastus/providers/Microsoft.DocumentDB/databaseAccounts/fhir-contoso"}},
		"another adopted account": {base, contoso(t, map[string]any{"writeRegion": "westus", "writeRegionChange": goodRecord()}, "fhir-dr:primary",
			`{"existingAccountId":"/subscriptions/22222222-2222-4333-8444-555555555555/resourceGroups/rg-contoso-fhir-eastus/providers/Microsoft.DocumentDB/databaseAccounts/fhir-contoso"}`),
			atPrimary, []string{"accountId " + realID + " is not the deployed account " +
				"/resourceGroups/rg-contoso-fhir-eastus/providers/Microsoft.DocumentDB/databaseAccounts/fhir-contoso"}},
		"not an account ID": {base, failedOver(func(r *drconfig.WriteRegionRecord) { r.AccountID = "fhir-contoso" }), atPrimary,
			[]string{"accountId fhir-contoso is not the deployed account /resourceGroups/rg-contoso-fhir-eastus/providers/Microsoft.DocumentDB/databaseAccounts/fhir-contoso"}},
		"Azure's answer without the new write region": {base, failedOver(func(r *drconfig.WriteRegionRecord) {
			r.FailoverPolicies = []drconfig.FailoverPolicy{{LocationName: "East US", FailoverPriority: 0}, {LocationName: "West US", FailoverPriority: 1}}
		}), atPrimary, []string{"Azure's answer has East US at priority 0, not westus"}},
		"Azure's answer about other regions": {base, failedOver(func(r *drconfig.WriteRegionRecord) {
			r.FailoverPolicies = []drconfig.FailoverPolicy{{LocationName: "West US", FailoverPriority: 0}, {LocationName: "North Europe", FailoverPriority: 0}}
		}), atPrimary, []string{"Azure's answer gives priority 0 twice",
			"Azure's answer lists the regions West US, North Europe, the account has eastus, westus"}},
		"no answer from Azure": {base, failedOver(func(r *drconfig.WriteRegionRecord) { r.FailoverPolicies, r.OperationID = nil, "" }), atPrimary,
			[]string{"it carries no failoverPolicies (Azure's answer)", `operationId "" is not an ARM request ID`}},
	} {
		t.Run(name, func(t *testing.T) {
			got := reviewRecord(tc.base, tc.cur, tc.deployed, now)
			assert.True(t, got.Changed)
			assert.Equal(t, tc.want, got.Problems)
			assert.False(t, got.Verified())
		})
	}
}

func TestRecordHazard(t *testing.T) {
	rec := goodRecord()
	assert.Equal(t, Hazard{WriteRegionUnverified, urn, "dr.writeRegionChange does not verify against the base (a; b): only the record " +
		"drctl failover, failback or record writes moves the write region, so the rehearsal does not move it. " +
		"Record: planned-failover eastus -> westus at 2026-11-25T18:00:00Z by ops (INC-42)",
		"Move the write region with drctl failover or failback, or record one Azure made with drctl record; do not type the record."}, recordHazard(urn, &rec, []string{"a", "b"}))
}

func TestIntentHazard(t *testing.T) {
	assert.Nil(t, intentHazard(nil))
	cfg := &drconfig.Config{Customer: "contoso"}
	assert.Nil(t, intentHazard(cfg))
	cfg.DR.FailoverIntent = &drconfig.FailoverIntent{Action: drconfig.ActionForcedFailover, From: "eastus", To: "westus",
		At: "2026-11-25T18:00:00Z", By: "ops", Ticket: "INC-42", ServiceManagedFailoverWasOn: true}
	assert.Equal(t, &Hazard{Kind: FailoverInProgress, Message: "dr.failoverIntent: a write-region change is in progress " +
		"(forced-failover eastus -> westus started at 2026-11-25T18:00:00Z by ops (INC-42)); Azure may be anywhere between eastus and westus " +
		"taking writes, and the release gate refuses the stack", Advice: "Finish it first (drctl failover contoso --ticket INC-42 --forced), " +
		"then commit the stack file it records."}, intentHazard(cfg))
}
