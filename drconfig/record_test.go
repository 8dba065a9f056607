package drconfig

import (
	"github.com/fhir-dr/fhir-dr/stackfile"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func load(t *testing.T, dr string) (*Config, error) {
	t.Helper()
	return Load("stacks/Pulumi.contoso.yaml", map[string]string{
		"fhir-dr:customer": "contoso", "fhir-dr:primaryRegion": "eastus",
		"fhir-dr:dr": `{"enabled":true,"paging":{"actionGroupId":"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-platform-oncall/providers/Microsoft.Insights/actionGroups/ag-fhir-oncall"},"tier":"data","ticket":"SR-1",` + dr + `}`,
	})
}

func problemsOf(t *testing.T, err error) Problems {
	t.Helper()
	var e *Error
	require.ErrorAs(t, err, &e)
	return e.Problems
}

const record = `"writeRegion":"westus","writeRegionChange":{"action":"planned-failover","from":"eastus","to":"westus",` +
	`"at":"2026-11-25T18:00:00Z","by":"ops","ticket":"INC-42",` +
	`"accountId":"/subscriptions/s/resourceGroups/rg-contoso-fhir-eastus/providers/Microsoft.DocumentDB/databaseAccounts/fhir-contoso",` +
	`"failoverPolicies":[{"locationName":"West US","failoverPriority":0},{"locationName":"East US","failoverPriority":1}],` +
	`"operationId":"6a1f0c2e-8d3b-4f5a-9c7e-0b1d2e3f4a5b"}`

func TestWriteRegionRecord(t *testing.T) {
	cfg, err := load(t, record)
	require.NoError(t, err)
	r := cfg.DR.WriteRegionChange
	assert.Equal(t, "planned-failover eastus -> westus at 2026-11-25T18:00:00Z by ops (INC-42)", r.String())
	assert.Equal(t, []FailoverPolicy{{"West US", 0}, {"East US", 1}}, r.FailoverPolicies)
	same := *r
	assert.True(t, r.Equal(&same))
	same.FailoverPolicies = []FailoverPolicy{{"West US", 0}}
	assert.False(t, r.Equal(&same))
	assert.False(t, r.Equal(nil))
	assert.True(t, (*WriteRegionRecord)(nil).Equal(nil))

	// A string is no record drctl writes; it is kept so that the review
	// can say so.
	cfg, err = load(t, `"writeRegion":"westus","writeRegionChange":"planned failover to westus"`)
	require.NoError(t, err)
	assert.Equal(t, &WriteRegionRecord{Legacy: "planned failover to westus"}, cfg.DR.WriteRegionChange)

	_, err = load(t, `"writeRegion":"westus","writeRegionChange":{"action":"planned-failover","form":"eastus"}`)
	assert.Equal(t, Problem{Key: "fhir-dr:dr.writeRegionChange", Message: `unknown key "form" of the record drctl writes (did you mean "from"?)`},
		problemsOf(t, err)[0])

	_, err = load(t, `"writeRegion":"westus","writeRegionChange":{"action":"moved","at":"yesterday","ticket":"x"}`)
	assert.Equal(t, Problems{
		{Key: "fhir-dr:dr.writeRegionChange.action", Message: `must be one of planned-failover, forced-failover, failback, observed, got "moved"`},
		{Key: "fhir-dr:dr.writeRegionChange.at", Message: `must be an RFC 3339 time, got "yesterday"`},
		{Key: "fhir-dr:dr.writeRegionChange.ticket", Message: `must be 2-64 letters, digits and . _ # / -, got "x"`},
		{Key: "fhir-dr:dr.writeRegionChange.by", Message: "required: who made the change"},
	}, problemsOf(t, err))
}

func TestAcknowledgement(t *testing.T) {
	cfg, err := load(t, `"acknowledge":{"ticket":"SR-2","hazards":["service-removed"]}`)
	require.NoError(t, err)
	assert.True(t, cfg.DR.Acknowledge.Covers("service-removed"))
	assert.False(t, cfg.DR.Acknowledge.Covers("protection-reduced"))
	assert.False(t, (*Acknowledgement)(nil).Covers("service-removed"))

	_, err = load(t, `"acknowledge":{"hazards":["data-loss"]}`)
	assert.Equal(t, Problems{
		{Key: "fhir-dr:dr.acknowledge.ticket", Message: `required: the ticket under which the customer agreed, 2-64 letters, digits and . _ # / -, got ""`},
		{Key: "fhir-dr:dr.acknowledge.hazards[0]", Message: `must be one of service-removed, protection-reduced, got "data-loss"`},
	}, problemsOf(t, err))
	_, err = load(t, `"acknowledge":{"ticket":"SR-2"}`)
	assert.Equal(t, Problems{{Key: "fhir-dr:dr.acknowledge.hazards", Message: "required: the hazard kinds acknowledged, from service-removed, protection-reduced"}},
		problemsOf(t, err))
}

func TestRecordWriteRegion(t *testing.T) {
	path := filepath.Join(t.TempDir(), stackfile.Path("contoso"))
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, []byte(`# Contoso Health: data DR.
config:
  fhir-dr:customer: contoso
  fhir-dr:primaryRegion: eastus
  fhir-dr:dr:
    enabled: true # since SR-1
    paging: {actionGroupId: /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-platform-oncall/providers/Microsoft.Insights/actionGroups/ag-fhir-oncall}
    tier: data
    ticket: SR-100234
    writeRegionChange: an old free-text record
  fhir-dr:cosmos:
    autoscaleMaxThroughput: 10000
`), 0o644))
	rec := WriteRegionRecord{Action: ActionPlannedFailover, From: "eastus", To: "westus", At: "2026-11-25T18:00:00Z", By: "ops", Ticket: "INC-42",
		AccountID:        "/subscriptions/s/resourceGroups/rg/providers/Microsoft.DocumentDB/databaseAccounts/fhir-contoso",
		FailoverPolicies: []FailoverPolicy{{"West US", 0}, {"East US", 1}}, OperationID: "6a1f0c2e-8d3b-4f5a-9c7e-0b1d2e3f4a5b"}
	require.NoError(t, RecordWriteRegion(path, "westus", rec))
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, `# Contoso Health: data DR.
config:
  fhir-dr:customer: contoso
  fhir-dr:primaryRegion: eastus
  fhir-dr:dr:
    enabled: true # since SR-1
    paging: {actionGroupId: /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-platform-oncall/providers/Microsoft.Insights/actionGroups/ag-fhir-oncall}
    tier: data
    ticket: SR-100234
    writeRegionChange:
      action: planned-failover
      from: eastus
      to: westus
      at: "2026-11-25T18:00:00Z"
      by: ops
      ticket: INC-42
      accountId: /subscriptions/s/resourceGroups/rg/providers/Microsoft.DocumentDB/databaseAccounts/fhir-contoso
      failoverPolicies:
        - locationName: West US
          failoverPriority: 0
        - locationName: East US
          failoverPriority: 1
      operationId: 6a1f0c2e-8d3b-4f5a-9c7e-0b1d2e3f4a5b
    writeRegion: westus
  fhir-dr:cosmos:
    autoscaleMaxThroughput: 10000
`, string(b))
	cfg, err := LoadFile(path)
	require.NoError(t, err)
	assert.Equal(t, &rec, cfg.DR.WriteRegionChange, "read back as written")

	assert.ErrorContains(t, RecordWriteRegion(filepath.Join(t.TempDir(), "none.yaml"), "westus", rec), "no such file")
	noDR := filepath.Join(t.TempDir(), "Pulumi.adatum.yaml")
	require.NoError(t, os.WriteFile(noDR, []byte("config:\n  fhir-dr:customer: adatum\n"), 0o644))
	assert.ErrorContains(t, RecordWriteRegion(noDR, "westus", rec), "no fhir-dr:dr object: DR is not enabled here")
}

// The intent is written before the first request to Azure and removed, in
// the same edit, with the record of the change; the last drill is kept.
func TestFailoverIntentAndDrill(t *testing.T) {
	path := filepath.Join(t.TempDir(), stackfile.Path("contoso"))
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, []byte("config:\n  fhir-dr:customer: contoso\n  fhir-dr:primaryRegion: eastus\n"+
		"  fhir-dr:dr:\n    enabled: true\n    paging: {actionGroupId: /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-platform-oncall/providers/Microsoft.Insights/actionGroups/ag-fhir-oncall}\n    tier: data\n    ticket: SR-100234\n"), 0o644))
	intent := FailoverIntent{Action: ActionPlannedFailover, From: "eastus", To: "westus", At: "2026-11-25T18:00:00Z", By: "ops",
		Ticket: "INC-42", ServiceManagedFailoverWasOn: true}
	require.NoError(t, StartFailover(path, intent))
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Contains(t, string(b), `    failoverIntent:
      action: planned-failover
      from: eastus
      to: westus
      at: "2026-11-25T18:00:00Z"
      by: ops
      ticket: INC-42
      serviceManagedFailoverWasOn: true
`)
	cfg, err := LoadFile(path)
	require.NoError(t, err)
	assert.Equal(t, &intent, cfg.DR.FailoverIntent)
	assert.Equal(t, "planned-failover eastus -> westus started at 2026-11-25T18:00:00Z by ops (INC-42)", cfg.DR.FailoverIntent.String())

	drill := DrillRecord{At: "2026-11-25T18:00:00Z", By: "ops", Ticket: "CHG-7", Outcome: DrillPassed,
		Steps: []DrillStep{{Name: "service-managed failover off", Seconds: 1.5}, {Name: "fail over", Seconds: 12}}}
	require.NoError(t, RecordDrill(path, drill, false))
	rec := WriteRegionRecord{Action: ActionPlannedFailover, From: "eastus", To: "westus", At: "2026-11-25T18:01:00Z", By: "ops", Ticket: "INC-42",
		AccountID:        "/subscriptions/s/resourceGroups/rg/providers/Microsoft.DocumentDB/databaseAccounts/fhir-contoso",
		FailoverPolicies: []FailoverPolicy{{"West US", 0}, {"East US", 1}}, OperationID: "6a1f0c2e-8d3b-4f5a-9c7e-0b1d2e3f4a5b"}
	require.NoError(t, FinishFailover(path, "westus", rec))
	cfg, err = LoadFile(path)
	require.NoError(t, err)
	assert.Nil(t, cfg.DR.FailoverIntent, "removed with the record")
	assert.Equal(t, &rec, cfg.DR.WriteRegionChange)
	assert.Equal(t, &drill, cfg.DR.LastDrill)
	b, err = os.ReadFile(path)
	require.NoError(t, err)
	assert.NotContains(t, string(b), "failoverIntent")
	assert.Contains(t, string(b), "    lastDrill:\n      at: \"2026-11-25T18:00:00Z\"\n      by: ops\n      ticket: CHG-7\n      outcome: passed\n"+
		"      steps:\n        - name: service-managed failover off\n          seconds: 1.5\n        - name: fail over\n          seconds: 12\n")
}

func TestFailoverIntentAndDrillValidation(t *testing.T) {
	_, err := load(t, `"failoverIntent":{"action":"sideways","at":"yesterday","ticket":"x","by":""}`)
	assert.Equal(t, Problems{
		{Key: "fhir-dr:dr.failoverIntent.action", Message: `must be one of planned-failover, forced-failover, failback, drill, got "sideways"`},
		{Key: "fhir-dr:dr.failoverIntent.at", Message: `must be an RFC 3339 time, got "yesterday"`},
		{Key: "fhir-dr:dr.failoverIntent.ticket", Message: `must be 2-64 letters, digits and . _ # / -, got "x"`},
		{Key: "fhir-dr:dr.failoverIntent.by", Message: "required: who started the change"},
	}, problemsOf(t, err))
	_, err = load(t, `"lastDrill":{"at":"2026-11-25T18:00:00Z","by":"ops","ticket":"CHG-7","outcome":"ok","steps":[{"name":"","seconds":1}]}`)
	assert.Equal(t, Problems{
		{Key: "fhir-dr:dr.lastDrill.outcome", Message: `must be passed or failed, got "ok"`},
		{Key: "fhir-dr:dr.lastDrill.steps[0]", Message: "must have a name and a duration of 0 seconds or more"},
	}, problemsOf(t, err))
	_, err = load(t, `"lastDrill":{"at":"2026-11-25T18:00:00Z","outcom":"passed"}`)
	assert.ErrorContains(t, err, `unknown field "outcom"`)
}
