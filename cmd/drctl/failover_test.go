package main

import (
	"github.com/fhir-dr/fhir-dr/stackfile"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fhir-dr/fhir-dr/drconfig"
	"github.com/fhir-dr/fhir-dr/internal/failover"
	"github.com/fhir-dr/fhir-dr/internal/failover/fakearm"
)

const contosoAccount = "/subscriptions/sub-1/resourceGroups/rg-contoso-fhir-eastus/providers/Microsoft.DocumentDB/databaseAccounts/fhir-contoso"

// failoverProject copies the project's stack files into a temporary
// directory, makes it the working directory, and points drctl at a fake
// ARM holding contoso's account.
func failoverProject(t *testing.T) *fakearm.Server {
	t.Helper()
	dir := t.TempDir()
	writeFleet(t, dir, 0) // Pulumi.yaml and an empty stacks/
	for _, c := range []string{"contoso", "adatum"} {
		b, err := os.ReadFile(filepath.Join("..", "..", stackfile.Path(c)))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, stackfile.Path(c)), b, 0o644))
	}
	t.Chdir(dir)
	arm, client := fakearm.New(t, contosoAccount)
	old := newFailoverClient
	newFailoverClient = func() (*failover.Client, error) { return client, nil }
	t.Cleanup(func() { newFailoverClient = old })
	oldNow := now
	now = func() time.Time { return time.Date(2026, 11, 25, 18, 0, 0, 0, time.UTC) }
	t.Cleanup(func() { now = oldNow })
	return arm
}

func TestFailoverAndFailback(t *testing.T) {
	arm := failoverProject(t)
	code, out, errOut := runDrctl(t, "failover", "contoso", "--ticket", "INC-42", "--subscription", "sub-1", "--operator", "ops")
	require.Equal(t, 0, code, errOut)
	_, write, _ := arm.State()
	assert.Equal(t, "West US", write)
	assert.Contains(t, out, "westus now takes writes. Recorded in stacks/Pulumi.contoso.yaml:\n  writeRegion: westus\n"+
		"  writeRegionChange: planned-failover eastus -> westus at 2026-11-25T18:00:00Z by ops (INC-42) (Azure request "+fakearm.RequestID(4)+")\n")
	assert.Contains(t, out, "  git add stacks/Pulumi.contoso.yaml\n")
	cfg, err := drconfig.LoadFile(stackfile.Path("contoso"))
	require.NoError(t, err)
	assert.Equal(t, "westus", cfg.DR.WriteRegion)
	assert.Equal(t, &drconfig.WriteRegionRecord{Action: "planned-failover", From: "eastus", To: "westus", At: "2026-11-25T18:00:00Z",
		By: "ops", Ticket: "INC-42", AccountID: contosoAccount,
		FailoverPolicies: []drconfig.FailoverPolicy{{LocationName: "West US", FailoverPriority: 0}, {LocationName: "East US", FailoverPriority: 1}},
		OperationID:      fakearm.RequestID(4)}, cfg.DR.WriteRegionChange, "what Azure answered")
	b, err := os.ReadFile(stackfile.Path("contoso"))
	require.NoError(t, err)
	assert.Contains(t, string(b), `    ticket: SR-100234
    writeRegion: westus
    writeRegionChange:
      action: planned-failover
      from: eastus
      to: westus
      at: "2026-11-25T18:00:00Z"
      by: ops
      ticket: INC-42
      accountId: `+contosoAccount+`
      failoverPolicies:
        - locationName: West US
          failoverPriority: 0
        - locationName: East US
          failoverPriority: 1
      operationId: `+fakearm.RequestID(4)+`
`, "a record in the stack file's own style")

	code, _, errOut = runDrctl(t, "failover", "contoso", "--ticket", "INC-43", "--subscription", "sub-1")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "contoso has failed over to westus already")

	code, _, errOut = runDrctl(t, "failback", "contoso", "--ticket", "INC-42", "--subscription", "sub-1", "--operator", "ops")
	require.Equal(t, 0, code, errOut)
	_, write, _ = arm.State()
	assert.Equal(t, "East US", write)
	cfg, err = drconfig.LoadFile(stackfile.Path("contoso"))
	require.NoError(t, err)
	assert.Equal(t, "eastus", cfg.DR.WriteRegion)
	assert.Equal(t, "failback westus -> eastus at 2026-11-25T18:00:00Z by ops (INC-42)", cfg.DR.WriteRegionChange.String())
	assert.Equal(t, []drconfig.FailoverPolicy{{LocationName: "East US", FailoverPriority: 0}, {LocationName: "West US", FailoverPriority: 1}},
		cfg.DR.WriteRegionChange.FailoverPolicies)
}

func TestForcedFailoverNeedsConfirmation(t *testing.T) {
	arm := failoverProject(t)
	stdin = strings.NewReader("contos\n")
	t.Cleanup(func() { stdin = os.Stdin })
	code, out, errOut := runDrctl(t, "failover", "contoso", "--forced", "--ticket", "INC-7", "--subscription", "sub-1")
	assert.Equal(t, 1, code)
	assert.Contains(t, out, "Writes not yet replicated to westus may be lost (RPO 15m0s). Type the customer name to confirm: ")
	assert.Contains(t, errOut, "not confirmed; nothing was changed")
	_, _, requests := arm.State()
	assert.Empty(t, requests)

	stdin = strings.NewReader("contoso\n")
	code, _, errOut = runDrctl(t, "failover", "contoso", "--forced", "--ticket", "INC-7", "--subscription", "sub-1", "--operator", "ops")
	require.Equal(t, 0, code, errOut)
	_, write, requests := arm.State()
	assert.Equal(t, "West US", write)
	assert.Contains(t, requests, `POST offlineRegion {"region":"East US"}`)
	cfg, err := drconfig.LoadFile(stackfile.Path("contoso"))
	require.NoError(t, err)
	assert.Equal(t, "forced-failover eastus -> westus at 2026-11-25T18:00:00Z by ops (INC-7)", cfg.DR.WriteRegionChange.String())
	assert.Equal(t, fakearm.RequestID(2), cfg.DR.WriteRegionChange.OperationID, "the offlineRegion request")
}

func TestDrillLeavesTheStackFile(t *testing.T) {
	arm := failoverProject(t)
	before, err := os.ReadFile(stackfile.Path("contoso"))
	require.NoError(t, err)
	code, out, errOut := runDrctl(t, "failover", "contoso", "--drill", "--subscription", "sub-1")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "Drill of contoso passed: westus took writes and eastus took them back; nothing to record.")
	auto, write, _ := arm.State()
	assert.True(t, auto)
	assert.Equal(t, "East US", write)
	after, err := os.ReadFile(stackfile.Path("contoso"))
	require.NoError(t, err)
	assert.Equal(t, string(before), string(after))
}

func TestFailoverRefusals(t *testing.T) {
	arm := failoverProject(t)
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"failover"}, 2, "usage: drctl failover <customer>"},
		{[]string{"failover", "contoso", "--subscription", "sub-1"}, 2, "--ticket is required"},
		{[]string{"failover", "contoso", "--ticket", "T"}, 2, "--subscription (or AZURE_SUBSCRIPTION_ID) is required"},
		{[]string{"failover", "adatum", "--ticket", "T", "--subscription", "s"}, 1, "adatum has no DR"},
		{[]string{"failback", "contoso", "--ticket", "T", "--subscription", "s"}, 1, "eastus takes writes already"},
		{[]string{"failback", "contoso", "--ticket", "T", "--forced"}, 2, "--forced and --drill are failover options"},
	} {
		t.Setenv("AZURE_SUBSCRIPTION_ID", "")
		code, _, errOut := runDrctl(t, tc.args...)
		assert.Equal(t, tc.code, code, tc.args)
		assert.Contains(t, errOut, tc.want, tc.args)
	}
	_, _, requests := arm.State()
	assert.Empty(t, requests)
}

// After a service-managed failover nobody ran from here, record writes what
// Azure reports into the stack file.
func TestRecordServiceManagedFailover(t *testing.T) {
	arm := failoverProject(t)
	code, out, errOut := runDrctl(t, "record", "contoso", "--ticket", "INC-5", "--subscription", "sub-1", "--operator", "ops")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "eastus takes writes, as stacks/Pulumi.contoso.yaml says: nothing to record.")

	// Azure fails over on its own.
	client, err := newFailoverClient()
	require.NoError(t, err)
	_, err = client.Planned(t.Context(), contosoAccount, "westus", failover.Account{})
	require.NoError(t, err)
	_, write, _ := arm.State()
	require.Equal(t, "West US", write)

	code, out, errOut = runDrctl(t, "record", "contoso", "--ticket", "INC-5", "--subscription", "sub-1", "--operator", "ops")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "westus takes writes in Azure.")
	cfg, err := drconfig.LoadFile(stackfile.Path("contoso"))
	require.NoError(t, err)
	assert.Equal(t, "westus", cfg.DR.WriteRegion)
	assert.Equal(t, "observed eastus -> westus at 2026-11-25T18:00:00Z by ops (INC-5)", cfg.DR.WriteRegionChange.String())
	assert.Equal(t, contosoAccount, cfg.DR.WriteRegionChange.AccountID)

	code, _, errOut = runDrctl(t, "record", "contoso")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "--ticket and --subscription")
}

// record --verify is the release's credentialed check: a record typed to
// look like drctl's can pass the offline review, but not Azure's answer.
func TestRecordVerify(t *testing.T) {
	failoverProject(t)
	code, out, errOut := runDrctl(t, "record", "contoso", "--verify", "--subscription", "sub-1")
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, "verified: eastus takes writes in Azure (account "+contosoAccount+"), as stacks/Pulumi.contoso.yaml records.\n", out)

	// A forged failover: the stack file says westus, with a record that
	// copies what Azure would answer; Azure never failed over.
	require.NoError(t, drconfig.RecordWriteRegion(stackfile.Path("contoso"), "westus", drconfig.WriteRegionRecord{
		Action: "planned-failover", From: "eastus", To: "westus", At: "2026-11-25T17:00:00Z", By: "mallory", Ticket: "INC-1",
		AccountID:        contosoAccount,
		FailoverPolicies: []drconfig.FailoverPolicy{{LocationName: "West US", FailoverPriority: 0}, {LocationName: "East US", FailoverPriority: 1}},
		OperationID:      fakearm.RequestID(4),
	}))
	code, _, errOut = runDrctl(t, "record", "contoso", "--verify", "--subscription", "sub-1")
	assert.Equal(t, 1, code)
	assert.Equal(t, "drctl record: stacks/Pulumi.contoso.yaml does not match Azure: Azure says East US takes writes, stacks/Pulumi.contoso.yaml says westus. "+
		"A release would move the write region by config: do not release contoso; find out who changed what (drctl audit contoso), "+
		"then record what Azure reports (drctl record contoso --ticket <incident>).\n", errOut)

	// A record about another account.
	require.NoError(t, drconfig.RecordWriteRegion(stackfile.Path("contoso"), "eastus", drconfig.WriteRegionRecord{
		Action: "failback", From: "westus", To: "eastus", At: "2026-11-25T18:00:00Z", By: "mallory", Ticket: "INC-1",
		AccountID: strings.Replace(contosoAccount, "sub-1", "sub-2", 1), OperationID: fakearm.RequestID(4),
	}))
	code, _, errOut = runDrctl(t, "record", "contoso", "--verify", "--subscription", "sub-1")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "the record names the account "+strings.Replace(contosoAccount, "sub-1", "sub-2", 1)+", Azure's is "+contosoAccount)
}

// TestRecordVerifyBeforeRelease is the release pipeline's check before it
// applies a stack: Azure's write region must be the stack file's, and a
// stack without DR or whose account the release is about to create passes.
func TestRecordVerifyBeforeRelease(t *testing.T) {
	failoverProject(t)
	code, out, errOut := runDrctl(t, "record", "adatum", "--verify", "--before-release", "--subscription", "sub-1")
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, "adatum has no DR: its account has one region, which takes writes; nothing to verify.\n", out)

	b, err := os.ReadFile(stackfile.Path("contoso"))
	require.NoError(t, err)
	renamed := strings.ReplaceAll(string(b), "contoso", "newcust") // a customer the release has not created yet
	require.NoError(t, os.WriteFile(stackfile.Path("newcust"), []byte(renamed), 0o644))
	code, out, errOut = runDrctl(t, "record", "newcust", "--verify", "--before-release", "--subscription", "sub-1")
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, "newcust's account fhir-newcust does not exist yet: the release creates it; nothing to verify.\n", out)
	// Without --before-release a missing account is an error.
	code, _, errOut = runDrctl(t, "record", "newcust", "--verify", "--subscription", "sub-1")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "404")

	code, out, errOut = runDrctl(t, "record", "contoso", "--verify", "--before-release", "--subscription", "sub-1")
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, "verified: eastus takes writes in Azure (account "+contosoAccount+"), as stacks/Pulumi.contoso.yaml records.\n", out)
	require.NoError(t, stackfile.SetDR(stackfile.Path("contoso"), []string{"writeRegion"}, []any{"westus"}))
	require.NoError(t, drconfig.RecordWriteRegion(stackfile.Path("contoso"), "westus", drconfig.WriteRegionRecord{
		Action: "planned-failover", From: "eastus", To: "westus", At: "2026-11-25T17:00:00Z", By: "mallory", Ticket: "INC-1",
		AccountID: contosoAccount, OperationID: fakearm.RequestID(4),
	}))
	code, _, errOut = runDrctl(t, "record", "contoso", "--verify", "--before-release", "--subscription", "sub-1")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "Azure says East US takes writes, stacks/Pulumi.contoso.yaml says westus")

	code, _, errOut = runDrctl(t, "record", "contoso", "--before-release", "--ticket", "INC-1", "--subscription", "sub-1")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "--before-release goes with --verify")
}

// TestRecordVerifyIsBounded: the release's check gives up after
// recordReadTimeout instead of holding the release, and says so.
func TestRecordVerifyIsBounded(t *testing.T) {
	failoverProject(t)
	old := recordReadTimeout
	recordReadTimeout = time.Nanosecond
	t.Cleanup(func() { recordReadTimeout = old })
	code, _, errOut := runDrctl(t, "record", "contoso", "--verify", "--before-release", "--subscription", "sub-1")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "context deadline exceeded")
}
