package main

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fhir-dr/fhir-dr/drconfig"
	"github.com/fhir-dr/fhir-dr/internal/clock"
	"github.com/fhir-dr/fhir-dr/internal/failover"
	"github.com/fhir-dr/fhir-dr/internal/failover/fakearm"
	"github.com/fhir-dr/fhir-dr/objectives"
	"github.com/fhir-dr/fhir-dr/stackfile"
)

const contosoAccount = "/subscriptions/sub-1/resourceGroups/rg-contoso-fhir-eastus/providers/Microsoft.DocumentDB/databaseAccounts/fhir-contoso"

// armFixture is a temporary project with the fixture stack files of
// testdata/failover, a fake ARM drctl reaches through AZURE_ARM_ENDPOINT
// (no credential), a recorded retry clock and an injectable interrupt.
type armFixture struct {
	arm *fakearm.Server

	mu      sync.Mutex
	waits   []time.Duration
	signals chan<- os.Signal
	// onPoll, if set, is called at the first wait of each run between
	// operation polls.
	onPoll func()
}

func failoverProject(t *testing.T) *armFixture {
	t.Helper()
	dir := t.TempDir()
	writeProject(t, dir)
	for _, c := range []string{"contoso", "adatum"} {
		b, err := os.ReadFile(filepath.Join("testdata", "failover", stackfile.Path(c)))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, stackfile.Path(c)), b, 0o644))
	}
	t.Chdir(dir)
	fx := &armFixture{arm: fakearm.New(t, contosoAccount)}
	t.Setenv("AZURE_ARM_ENDPOINT", fx.arm.URL)
	t.Setenv("AZURE_SUBSCRIPTION_ID", "")
	set := func(restore func()) { t.Cleanup(restore) }
	oldNow, oldSleep, oldPoll, oldNotify, oldRestore := now, retrySleep, pollFrequency, notifySignals, restoreTimeout
	set(func() {
		now, retrySleep, pollFrequency, notifySignals, restoreTimeout = oldNow, oldSleep, oldPoll, oldNotify, oldRestore
	})
	now = func() time.Time { return time.Date(2026, 11, 25, 18, 0, 0, 0, time.UTC) }
	pollFrequency = time.Millisecond
	retrySleep = func(ctx context.Context, d time.Duration) error {
		if d == pollFrequency {
			fx.mu.Lock()
			hook := fx.onPoll
			fx.onPoll = nil
			fx.mu.Unlock()
			if hook != nil {
				hook()
				select { // the interrupt cancels the run's context
				case <-ctx.Done():
				case <-time.After(5 * time.Second):
				}
				return ctx.Err()
			}
			return clock.Sleep(ctx, d)
		}
		fx.mu.Lock()
		fx.waits = append(fx.waits, d) // a retry: recorded, not waited for
		fx.mu.Unlock()
		return ctx.Err()
	}
	notifySignals = func(c chan<- os.Signal) func() {
		fx.mu.Lock()
		fx.signals = c
		fx.mu.Unlock()
		return func() {}
	}
	return fx
}

// interrupt delivers Ctrl-C to the running command.
func (fx *armFixture) interrupt() {
	fx.mu.Lock()
	c := fx.signals
	fx.mu.Unlock()
	c <- os.Interrupt
}

func (fx *armFixture) retryWaits() []time.Duration {
	fx.mu.Lock()
	defer fx.mu.Unlock()
	return append([]time.Duration{}, fx.waits...)
}

// agrees checks that Azure (the fake) and the stack file agree and no
// change is in progress.
func (fx *armFixture) agrees(t *testing.T, write, recorded string, auto bool) *drconfig.Config {
	t.Helper()
	a, w, _ := fx.arm.State()
	assert.Equal(t, write, w, "Azure's write region")
	assert.Equal(t, auto, a, "service-managed failover")
	cfg, err := drconfig.LoadFile(stackfile.Path("contoso"))
	require.NoError(t, err)
	assert.Equal(t, recorded, cfg.DR.WriteRegion, "the stack file's write region")
	assert.Nil(t, cfg.DR.FailoverIntent, "no failover in progress")
	return cfg
}

// inProgress checks that the stack file holds the intent and still
// records the old write region.
func inProgress(t *testing.T, action string) {
	t.Helper()
	cfg, err := drconfig.LoadFile(stackfile.Path("contoso"))
	require.NoError(t, err)
	require.NotNil(t, cfg.DR.FailoverIntent)
	assert.Equal(t, &drconfig.FailoverIntent{Action: action, From: "eastus", To: "westus", At: "2026-11-25T18:00:00Z", By: "ops",
		Ticket: "INC-42", ServiceManagedFailoverWasOn: true}, cfg.DR.FailoverIntent)
	assert.Equal(t, "eastus", cfg.DR.WriteRegion)
}

func since(requests []string, n int) []string { return requests[n:] }

var failoverArgs = []string{"failover", "contoso", "--ticket", "INC-42", "--subscription", "sub-1", "--operator", "ops"}

func TestFailoverAndFailback(t *testing.T) {
	fx := failoverProject(t)
	code, out, errOut := runDrctl(t, failoverArgs...)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "Recorded the intent in stacks/Pulumi.contoso.yaml (dr.failoverIntent): planned-failover eastus -> westus started at 2026-11-25T18:00:00Z by ops (INC-42)\n")
	assert.Contains(t, out, "westus now takes writes; service-managed failover is ON. Recorded in stacks/Pulumi.contoso.yaml:\n  writeRegion: westus\n"+
		"  writeRegionChange: planned-failover eastus -> westus at 2026-11-25T18:00:00Z by ops (INC-42) (Azure request "+fakearm.RequestID(4)+")\n")
	assert.Contains(t, out, "  git add stacks/Pulumi.contoso.yaml\n")
	cfg := fx.agrees(t, "West US", "westus", true)
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
`, "a record in the stack file's own style, the intent removed")
	_, _, requests := fx.arm.State()
	assert.Equal(t, []string{"GET", `PATCH {"properties":{"enableAutomaticFailover":false}}`, "GET",
		`POST failoverPriorityChange {"failoverPolicies":[{"locationName":"West US","failoverPriority":0},{"locationName":"East US","failoverPriority":1}]}`,
		"GET", `PATCH {"properties":{"enableAutomaticFailover":true}}`, "GET"}, requests)

	code, _, errOut = runDrctl(t, "failover", "contoso", "--ticket", "INC-43", "--subscription", "sub-1")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "contoso has failed over to westus already")

	code, _, errOut = runDrctl(t, "failback", "contoso", "--ticket", "INC-42", "--subscription", "sub-1", "--operator", "ops")
	require.Equal(t, 0, code, errOut)
	cfg = fx.agrees(t, "East US", "eastus", true)
	assert.Equal(t, "failback westus -> eastus at 2026-11-25T18:00:00Z by ops (INC-42)", cfg.DR.WriteRegionChange.String())
	assert.Equal(t, []drconfig.FailoverPolicy{{LocationName: "East US", FailoverPriority: 0}, {LocationName: "West US", FailoverPriority: 1}},
		cfg.DR.WriteRegionChange.FailoverPolicies)
}

// A dry run reads the account and plans from Azure's state, not from the
// stack file: here service-managed failover is off already.
func TestDryRunReadsAzure(t *testing.T) {
	fx := failoverProject(t)
	fx.arm.SetAutomaticFailover(false)
	code, out, errOut := runDrctl(t, append(failoverArgs, "--dry-run")...)
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, "contoso's account as Azure reports it: East US takes writes; service-managed failover is OFF; failover priorities East US=0, West US=1\n"+
		"Note: service-managed failover was OFF before this change and is left so; the stack declares it on, so the next release turns it on "+
		"(or: az cosmosdb update --subscription sub-1 --resource-group rg-contoso-fhir-eastus --name fhir-contoso --enable-automatic-failover true).\n"+
		"dry run: priority change until West US takes writes: POST "+contosoAccount+"/failoverPriorityChange?api-version=2025-10-15 "+
		`{"failoverPolicies":[{"locationName":"West US","failoverPriority":0},{"locationName":"East US","failoverPriority":1}]}`+"\n"+
		"dry run: verify West US takes writes: GET "+contosoAccount+"?api-version=2025-10-15, then check that West US takes writes\n"+
		"dry run: then record in stacks/Pulumi.contoso.yaml: writeRegion: westus\n", out,
		"off before, so left off: nothing turns it on")
	_, _, requests := fx.arm.State()
	assert.Equal(t, []string{"GET"}, requests, "a dry run reads, and only reads")
	fx.agrees(t, "East US", "eastus", false)

	// Without an endpoint or credentials a dry run cannot read: it needs
	// a subscription at least.
	code, _, errOut = runDrctl(t, "failover", "contoso", "--ticket", "INC-42", "--dry-run")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "--subscription (or AZURE_SUBSCRIPTION_ID) is required")
}

// 503 on every read after the priority change: the verify fails, the
// restoration cannot confirm, the state cannot be re-read. The message
// says what was last read and the one command that finishes; re-running
// it records what Azure reports.
func TestFault503AfterPriorityChange(t *testing.T) {
	fx := failoverProject(t)
	fx.arm.Inject(fakearm.KeyGet, fakearm.Fault{Status: http.StatusServiceUnavailable, After: fakearm.KeyPriorityChange, Times: -1})
	code, _, errOut := runDrctl(t, failoverArgs...)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "drctl failover: the planned failover of contoso did not finish: verify West US takes writes: reading "+contosoAccount)
	assert.Contains(t, errOut, "Azure's state (as last read; reading it again failed: reading "+contosoAccount)
	assert.Contains(t, errOut, "The intent stays in stacks/Pulumi.contoso.yaml (dr.failoverIntent): no release of contoso passes the gate")
	assert.Contains(t, errOut, "Finish it with:\n  drctl failover contoso --ticket INC-42 --subscription sub-1 --arm-endpoint "+fx.arm.URL+"\n")
	inProgress(t, drconfig.ActionPlannedFailover)
	_, write, _ := fx.arm.State()
	assert.Equal(t, "West US", write, "Azure moved")

	fx.arm.ClearFaults()
	_, _, before := fx.arm.State()
	code, out, errOut := runDrctl(t, failoverArgs...)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "Finishing the planned-failover recorded in stacks/Pulumi.contoso.yaml")
	assert.Contains(t, out, "Nothing is left to do in Azure; recording what it reports.")
	_, _, requests := fx.arm.State()
	assert.Equal(t, []string{"GET"}, since(requests, len(before)), "the restoration had gone through: only a read")
	cfg := fx.agrees(t, "West US", "westus", true)
	assert.Equal(t, fakearm.RequestID(len(requests)), cfg.DR.WriteRegionChange.OperationID, "the read that saw the change")
	assert.Equal(t, []drconfig.FailoverPolicy{{LocationName: "West US", FailoverPriority: 0}, {LocationName: "East US", FailoverPriority: 1}},
		cfg.DR.WriteRegionChange.FailoverPolicies)
}

// 409 exclusive lock on the PATCH that re-enables service-managed
// failover, more often than retries allow: the message says it is OFF and
// how to turn it on; the re-run does only that, and records.
func TestFaultLockOnReenable(t *testing.T) {
	fx := failoverProject(t)
	fx.arm.Inject(fakearm.KeyPatch, fakearm.Fault{Status: http.StatusConflict, Message: fakearm.LockConflict.Message,
		After: fakearm.KeyPriorityChange, Times: -1})
	code, out, errOut := runDrctl(t, failoverArgs...)
	assert.Equal(t, 1, code)
	assert.Contains(t, out, "another operation holds the account's lock; retry 6 of 6 in 1m0s")
	assert.Contains(t, errOut, "the planned failover of contoso did not finish: service-managed failover on: ")
	assert.Contains(t, errOut, "turning service-managed failover back on: ")
	assert.Contains(t, errOut, "Azure's state (as Azure reports it now): West US takes writes; service-managed failover is OFF; failover priorities West US=0, East US=1\n")
	assert.Contains(t, errOut, "Service-managed failover is OFF: the command above turns it back on; or, directly:\n"+
		"  az cosmosdb update --subscription sub-1 --resource-group rg-contoso-fhir-eastus --name fhir-contoso --enable-automatic-failover true\n")
	assert.Equal(t, []time.Duration{10 * time.Second, 20 * time.Second, 30 * time.Second, 40 * time.Second, 50 * time.Second, time.Minute,
		10 * time.Second, 20 * time.Second, 30 * time.Second, 40 * time.Second, 50 * time.Second, time.Minute}, fx.retryWaits(),
		"6 lock retries for the step, 6 for the restoration, none waited for in this test")
	inProgress(t, drconfig.ActionPlannedFailover)

	fx.arm.ClearFaults()
	_, _, before := fx.arm.State()
	code, _, errOut = runDrctl(t, failoverArgs...)
	require.Equal(t, 0, code, errOut)
	_, _, requests := fx.arm.State()
	assert.Equal(t, []string{"GET", `PATCH {"properties":{"enableAutomaticFailover":true}}`, "GET"}, since(requests, len(before)),
		"priorities moved, service-managed failover off: only turn it on")
	fx.agrees(t, "West US", "westus", true)
}

// 429 with Retry-After: 120 on the priority change is honoured (waited in
// the fake clock); beyond --max-retry-after it fails at once, naming it.
func TestFaultRetryAfter(t *testing.T) {
	fx := failoverProject(t)
	fx.arm.Inject(fakearm.KeyPriorityChange, fakearm.Fault{Status: http.StatusTooManyRequests, RetryAfter: "120"})
	code, out, errOut := runDrctl(t, failoverArgs...)
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, []time.Duration{2 * time.Minute}, fx.retryWaits())
	assert.Contains(t, out, "/failoverPriorityChange: 429 Too Many Requests; retry 1 of 4 in 2m0s\n")
	fx.agrees(t, "West US", "westus", true)

}

func TestFaultRetryAfterBeyondTheBound(t *testing.T) {
	fx2 := failoverProject(t)
	fx2.arm.Inject(fakearm.KeyPriorityChange, fakearm.Fault{Status: http.StatusTooManyRequests, RetryAfter: "120"})
	code, _, errOut := runDrctl(t, append(failoverArgs, "--max-retry-after", "1m")...)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "priority change until West US takes writes: POST "+contosoAccount+
		"/failoverPriorityChange: Azure answered 429 and asked to retry after 2m0s (Retry-After: 120), longer than the bound of 1m0s (--max-retry-after)")
	assert.Contains(t, errOut, "Azure's state (as Azure reports it now): East US takes writes; service-managed failover is ON;")
	assert.Empty(t, fx2.retryWaits())
	inProgress(t, drconfig.ActionPlannedFailover)
	code, _, errOut = runDrctl(t, failoverArgs...)
	require.Equal(t, 0, code, errOut)
	fx2.agrees(t, "West US", "westus", true)
}

// 504 after offlineRegion: the region did go offline. The forced
// failover sees it done and records it in one run.
func TestFault504AfterOfflineRegion(t *testing.T) {
	fx := failoverProject(t)
	fx.arm.Inject(fakearm.KeyOfflineRegion, fakearm.Fault{Status: http.StatusGatewayTimeout, AfterApply: true, Times: -1})
	code, out, errOut := runDrctl(t, append(failoverArgs, "--forced", "--yes")...)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "Guard passed: West US is online; P99 replication lag to West US over the last 15 minutes: 120ms, within the RPO 15m0s.\n")
	assert.Contains(t, out, "take East US offline: Azure answered")
	assert.Contains(t, out, "the account shows it done: carrying on\n")
	cfg := fx.agrees(t, "West US", "westus", true)
	assert.Equal(t, []string{"East US"}, fx.arm.Offline())
	assert.Equal(t, "forced-failover eastus -> westus at 2026-11-25T18:00:00Z by ops (INC-42)", cfg.DR.WriteRegionChange.String())
	_, _, requests := fx.arm.State()
	assert.Equal(t, []string{"GET", "GET metrics", `POST offlineRegion {"region":"East US"}`, `POST offlineRegion {"region":"East US"}`, "GET", "GET"}, requests,
		"the 504 is retried, Azure refuses the retry (already offline), the account shows the region offline; then the check")
	assert.Equal(t, fakearm.RequestID(6), cfg.DR.WriteRegionChange.OperationID, "the read that saw it done")

	// Running it again: nothing left to force.
	code, _, errOut = runDrctl(t, append(failoverArgs, "--forced", "--yes")...)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "contoso has failed over to westus already")
}

// An operation that never completes is stopped by --timeout; the
// restoration runs on its own context; the re-run finishes.
func TestFaultOperationNeverCompletes(t *testing.T) {
	fx := failoverProject(t)
	restoreTimeout = 200 * time.Millisecond
	fx.arm.Inject(fakearm.KeyPoll, fakearm.Fault{Pending: true, Times: -1})
	start := time.Now()
	code, _, errOut := runDrctl(t, append(failoverArgs, "--timeout", "300ms")...)
	assert.Less(t, time.Since(start), 3*time.Second)
	assert.Equal(t, 1, code)
	assert.Regexp(t, `the planned failover of contoso did not finish: service-managed failover off: (waiting for|polling) the operation \(request `+
		fakearm.RequestID(2)+`\): context deadline exceeded`, errOut)
	inProgress(t, drconfig.ActionPlannedFailover)
	_, _, requests := fx.arm.State()
	assert.Equal(t, []string{"GET", `PATCH {"properties":{"enableAutomaticFailover":false}}`, `PATCH {"properties":{"enableAutomaticFailover":true}}`, "GET"},
		requests, "after the deadline: only the restoration and the read of the state")

	fx.arm.ClearFaults()
	code, _, errOut = runDrctl(t, failoverArgs...)
	require.Equal(t, 0, code, errOut)
	fx.agrees(t, "West US", "westus", true)
}

// A hung read is cut by --try-timeout and retried.
func TestFaultHungRead(t *testing.T) {
	fx := failoverProject(t)
	fx.arm.Inject(fakearm.KeyGet, fakearm.Fault{Hang: true, After: fakearm.KeyPriorityChange})
	start := time.Now()
	code, out, errOut := runDrctl(t, append(failoverArgs, "--try-timeout", "100ms")...)
	require.Equal(t, 0, code, errOut)
	assert.Less(t, time.Since(start), 3*time.Second)
	assert.Contains(t, out, "context deadline exceeded; retry 1 of 4 in 2s\n")
	fx.agrees(t, "West US", "westus", true)
}

// Ctrl-C while the first operation polls: no new write, service-managed
// failover restored, the state and the finishing command printed, 130.
func TestInterruptDuringFirstOperation(t *testing.T) {
	fx := failoverProject(t)
	fx.onPoll = fx.interrupt
	code, _, errOut := runDrctl(t, failoverArgs...)
	assert.Equal(t, exitInterrupted, code)
	assert.Contains(t, errOut, "the planned failover of contoso was interrupted: service-managed failover off: ")
	assert.Contains(t, errOut, "Azure's state (as Azure reports it now): East US takes writes; service-managed failover is ON;")
	assert.Contains(t, errOut, "Finish it with:\n  drctl failover contoso --ticket INC-42 --subscription sub-1 --arm-endpoint "+fx.arm.URL+"\n")
	_, _, requests := fx.arm.State()
	assert.Equal(t, []string{"GET", `PATCH {"properties":{"enableAutomaticFailover":false}}`, `PATCH {"properties":{"enableAutomaticFailover":true}}`, "GET", "GET"},
		requests, "no priority change after the interrupt")
	inProgress(t, drconfig.ActionPlannedFailover)

	code, _, errOut = runDrctl(t, failoverArgs...)
	require.Equal(t, 0, code, errOut)
	fx.agrees(t, "West US", "westus", true)
}

// A second Ctrl-C exits at once, with the state as last known.
func TestSecondInterrupt(t *testing.T) {
	fx := failoverProject(t)
	fx.onPoll = fx.interrupt
	// The restoration hangs; the second Ctrl-C comes while it does.
	fx.arm.Inject(fakearm.KeyPatch, fakearm.Fault{Hang: true, After: fakearm.KeyPatch, Notify: fx.interrupt})
	start := time.Now()
	code, _, errOut := runDrctl(t, failoverArgs...)
	assert.Less(t, time.Since(start), 3*time.Second, "at once, not after the restoration's minute")
	assert.Equal(t, exitInterrupted, code)
	assert.Contains(t, errOut, "Azure's state (as last known, counting the requests Azure accepted as done; a second interrupt exits without reading it again): East US takes writes; "+
		"service-managed failover is OFF;")
	assert.Contains(t, errOut, "Service-managed failover is OFF: the command above turns it back on")
	inProgress(t, drconfig.ActionPlannedFailover)
	auto, _, _ := fx.arm.State()
	assert.False(t, auto)

	fx.arm.ClearFaults()
	_, _, before := fx.arm.State()
	code, _, errOut = runDrctl(t, failoverArgs...)
	require.Equal(t, 0, code, errOut)
	_, _, requests := fx.arm.State()
	assert.Equal(t, "GET", since(requests, len(before))[0])
	assert.True(t, strings.HasPrefix(since(requests, len(before))[1], "POST failoverPriorityChange"), "off already: no PATCH first")
	fx.agrees(t, "West US", "westus", true)
}

func TestForcedFailoverNeedsConfirmation(t *testing.T) {
	fx := failoverProject(t)
	stdin = strings.NewReader("contos\n")
	t.Cleanup(func() { stdin = os.Stdin })
	code, out, errOut := runDrctl(t, "failover", "contoso", "--forced", "--ticket", "INC-7", "--subscription", "sub-1")
	assert.Equal(t, 1, code)
	assert.Contains(t, out, "Writes not yet replicated to westus may be lost (RPO 15m0s). Type the customer name to confirm: ")
	assert.Contains(t, errOut, "not confirmed; nothing was changed")
	_, _, requests := fx.arm.State()
	assert.Equal(t, []string{"GET", "GET metrics"}, requests, "reads only")

	stdin = strings.NewReader("contoso\n")
	code, _, errOut = runDrctl(t, "failover", "contoso", "--forced", "--ticket", "INC-7", "--subscription", "sub-1", "--operator", "ops")
	require.Equal(t, 0, code, errOut)
	cfg := fx.agrees(t, "West US", "westus", true)
	_, _, requests = fx.arm.State()
	assert.Equal(t, `POST offlineRegion {"region":"East US"}`, requests[4])
	assert.Equal(t, "forced-failover eastus -> westus at 2026-11-25T18:00:00Z by ops (INC-7)", cfg.DR.WriteRegionChange.String())
	assert.Equal(t, fakearm.RequestID(5), cfg.DR.WriteRegionChange.OperationID, "the offlineRegion request")
}

// A forced failover refuses to risk more than the RPO unless
// --accept-data-loss, and says how much it would risk.
func TestForcedFailoverGuard(t *testing.T) {
	fx := failoverProject(t)
	forced := append(failoverArgs, "--forced", "--yes")
	fx.arm.SetLag("West US", 1000, 20*60*1000)
	code, _, errOut := runDrctl(t, forced...)
	assert.Equal(t, 1, code)
	assert.Equal(t, "drctl failover: refusing the forced failover of contoso: the replication lag 20m0s exceeds the RPO 15m0s.\n"+
		"Data at risk: the writes not yet replicated to West US; P99 replication lag to West US over the last 15 minutes: 20m0s; the stack's RPO is 15m0s.\n"+
		"Nothing was changed. If losing them is accepted (by the incident's decision maker), re-run with --accept-data-loss.\n", errOut)

	fx.arm.Inject(fakearm.KeyMetrics, fakearm.Fault{Status: http.StatusServiceUnavailable, Times: -1})
	fx.arm.SetProvisioningState("West US", "Updating")
	code, _, errOut = runDrctl(t, forced...)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "refusing the forced failover of contoso: West US is not online (East US takes writes; service-managed failover is ON; "+
		"failover priorities East US=0, West US=1; West US is not online (provisioningState Updating)); the replication lag is unknown.\n")
	assert.Contains(t, errOut, "Data at risk: the writes not yet replicated to West US; unknown: the metric could not be read: reading the replication latency to West US: GET ")
	_, _, requests := fx.arm.State()
	for _, r := range requests {
		assert.True(t, r == "GET" || r == "GET metrics", "reads only: %s", r)
	}
	cfg, err := drconfig.LoadFile(stackfile.Path("contoso"))
	require.NoError(t, err)
	assert.Nil(t, cfg.DR.FailoverIntent, "refused before the intent")

	// A dry run reads and says what the run would: here, refuse.
	code, out, errOut := runDrctl(t, append(forced, "--dry-run")...)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "refusing the forced failover of contoso: West US is not online")
	assert.Contains(t, out, "dry run: take East US offline: POST "+contosoAccount+`/offlineRegion?api-version=2025-10-15 {"region":"East US"}`+"\n")

	fx.arm.SetProvisioningState("West US", "Succeeded")
	code, out, errOut = runDrctl(t, append(forced, "--accept-data-loss")...)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "Proceeding with --accept-data-loss although the replication lag is unknown. Data at risk: unknown: the metric could not be read: ")
	assert.Contains(t, out, "The failover was forced with --accept-data-loss: say so in the incident INC-42.\n")
	fx.agrees(t, "West US", "westus", true)
}

func TestDrill(t *testing.T) {
	fx := failoverProject(t)
	code, out, errOut := runDrctl(t, "failover", "contoso", "--drill", "--ticket", "CHG-9", "--subscription", "sub-1", "--operator", "ops")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "Drill of contoso, measured against Azure:\n")
	// The figures are the model's, whatever it says today.
	budget := regexp.QuoteMeta(objectives.ForcedFailoverExecution.String())
	model, err := drconfig.LoadFile(stackfile.Path("contoso"))
	require.NoError(t, err)
	rto := model.Objectives().RTO
	assert.Regexp(t, `(?m)^  priority change until West US takes writes +[0-9.]+m?s +`+budget+` \(model\) +ok$`, out)
	assert.Regexp(t, `Modeled RTO by forced failover: `+regexp.QuoteMeta(rto.String())+`; with the measured failover \(([0-9.]+m?s)\) `+
		`in place of its `+budget+` budget: [0-9hms.]+\.`, out)
	assert.Contains(t, out, "Drill of contoso passed: westus took writes and eastus took them back. Recorded in stacks/Pulumi.contoso.yaml (dr.lastDrill). Commit it:\n"+
		"  git add stacks/Pulumi.contoso.yaml\n  git commit -m \"contoso: record drill (CHG-9)\"\n")
	cfg := fx.agrees(t, "East US", "eastus", true)
	require.NotNil(t, cfg.DR.LastDrill)
	var names []string
	for _, s := range cfg.DR.LastDrill.Steps {
		names = append(names, s.Name)
		assert.GreaterOrEqual(t, s.Seconds, 0.0)
	}
	assert.Equal(t, []string{"service-managed failover off", "priority change until West US takes writes", "verify West US takes writes",
		"priority change until East US takes writes", "verify East US takes writes", "service-managed failover on"}, names)
	assert.Equal(t, drconfig.DrillRecord{At: "2026-11-25T18:00:00Z", By: "ops", Ticket: "CHG-9", Outcome: "passed", Steps: cfg.DR.LastDrill.Steps},
		*cfg.DR.LastDrill)
	assert.Nil(t, cfg.DR.WriteRegionChange, "a drill records no write-region change")

	code, _, errOut = runDrctl(t, "failover", "contoso", "--drill", "--subscription", "sub-1")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "--ticket is required")
}

// A drill that fails halfway is recorded as failed, keeps its intent, and
// the re-run brings the account back and records it.
func TestDrillFailsHalfway(t *testing.T) {
	fx := failoverProject(t)
	drill := []string{"failover", "contoso", "--drill", "--ticket", "INC-42", "--subscription", "sub-1", "--operator", "ops"}
	fx.arm.Inject(fakearm.KeyPriorityChange, fakearm.Fault{Status: http.StatusBadRequest, Message: "Region East US is busy", After: fakearm.KeyPriorityChange})
	code, out, errOut := runDrctl(t, drill...)
	assert.Equal(t, 1, code)
	assert.Regexp(t, `(?m)^  priority change until East US takes writes +[0-9.]+m?s +- +failed: `, out)
	assert.Contains(t, errOut, "Azure's state (as Azure reports it now): West US takes writes; service-managed failover is ON;")
	assert.Contains(t, errOut, "Finish it with:\n  drctl failover contoso --ticket INC-42 --drill --subscription sub-1 --arm-endpoint "+fx.arm.URL+"\n")
	cfg, err := drconfig.LoadFile(stackfile.Path("contoso"))
	require.NoError(t, err)
	assert.Equal(t, "failed", cfg.DR.LastDrill.Outcome)
	assert.Equal(t, "drill", cfg.DR.FailoverIntent.Action)

	code, _, errOut = runDrctl(t, "record", "contoso", "--verify", "--before-release", "--subscription", "sub-1")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "drctl record: a failover is in progress (dr.failoverIntent in stacks/Pulumi.contoso.yaml: drill eastus -> westus started at "+
		"2026-11-25T18:00:00Z by ops (INC-42)): finish it with:\n  drctl failover contoso --ticket INC-42 --drill --subscription sub-1 --arm-endpoint "+fx.arm.URL+"\n")

	code, out, errOut = runDrctl(t, drill...)
	require.Equal(t, 0, code, out+errOut)
	assert.Contains(t, out, "The interrupted drill of contoso is finished: eastus takes writes again. Recorded as failed")
	cfg = fx.agrees(t, "East US", "eastus", true)
	assert.Equal(t, "failed", cfg.DR.LastDrill.Outcome)
}

// While an intent is in the stack file, the release gate fails and every
// other command names the one that finishes it.
func TestIntentBlocks(t *testing.T) {
	fx := failoverProject(t)
	require.NoError(t, drconfig.StartFailover(stackfile.Path("contoso"), drconfig.FailoverIntent{Action: "planned-failover", From: "eastus",
		To: "westus", At: "2026-11-25T17:00:00Z", By: "ops", Ticket: "INC-42", ServiceManagedFailoverWasOn: true}))
	finish := "drctl failover contoso --ticket INC-42 --subscription sub-1 --arm-endpoint " + fx.arm.URL
	for _, args := range [][]string{
		{"record", "contoso", "--verify", "--before-release", "--subscription", "sub-1"},
		{"record", "contoso", "--verify", "--subscription", "sub-1"},
		{"record", "contoso", "--ticket", "INC-5", "--subscription", "sub-1"},
		{"failover", "contoso", "--ticket", "INC-43", "--subscription", "sub-1"},
		{"failover", "contoso", "--drill", "--ticket", "INC-42", "--subscription", "sub-1"},
	} {
		code, _, errOut := runDrctl(t, args...)
		assert.Equal(t, 1, code, args)
		assert.Contains(t, errOut, "planned-failover eastus -> westus started at 2026-11-25T17:00:00Z by ops (INC-42)): finish it", args)
		assert.Contains(t, errOut, "\n  "+finish+"\n", args)
	}
	_, _, requests := fx.arm.State()
	assert.Empty(t, requests, "refused before reading anything")
}

func TestFailoverRefusals(t *testing.T) {
	fx := failoverProject(t)
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"failover"}, 2, "drctl failover: give the customer: drctl failover <customer> --ticket <id> [flags]\n"},
		{[]string{"failover", "contoso", "--subscription", "sub-1"}, 2, "--ticket is required"},
		{[]string{"failover", "contoso", "--ticket", "T"}, 2, "--subscription (or AZURE_SUBSCRIPTION_ID) is required"},
		{[]string{"failover", "adatum", "--ticket", "T", "--subscription", "s"}, 1, "adatum has no DR"},
		{[]string{"failback", "contoso", "--ticket", "T", "--subscription", "s"}, 1, "eastus takes writes already"},
		{[]string{"failback", "contoso", "--ticket", "T", "--forced"}, 2, "drctl failback: unknown flag: --forced\n"},
		{[]string{"failover", "contoso", "--ticket", "T", "--accept-data-loss", "--subscription", "s"}, 2, "--accept-data-loss and --yes go with --forced"},
		{[]string{"failover", "contoso", "--ticket", "T", "--subscription", "s", "--arm-endpoint", "https://management.azure.com"}, 2,
			`--arm-endpoint: ARM endpoint "https://management.azure.com" is not on the loopback interface`},
		{[]string{"failover", "contoso", "--ticket", "T", "--subscription", "s", "--arm-endpoint", "", "--cloud", "AzureMars"}, 2,
			`--cloud "AzureMars": one of AzurePublic, AzureUSGovernment, AzureChina`},
		{[]string{"record", "contoso", "--verify", "--subscription", "s", "--arm-endpoint", "http://10.1.2.3:80"}, 2, "is not on the loopback interface"},
	} {
		code, _, errOut := runDrctl(t, tc.args...)
		assert.Equal(t, tc.code, code, tc.args)
		assert.Contains(t, errOut, tc.want, tc.args)
	}
	_, _, requests := fx.arm.State()
	assert.Empty(t, requests)
}

// The help states the bounds of retries and time, on stdout: asked for, it
// is no error.
func TestFailoverHelp(t *testing.T) {
	code, out, errOut := runDrctl(t, "failover", "contoso", "--help")
	assert.Equal(t, 0, code)
	assert.Empty(t, errOut)
	for _, want := range []string{"--try-timeout duration", "(default 30s)", "--timeout duration", "(default 10m0s)", "--max-retry-after duration",
		"(default 2m0s)", "--cloud cloud", "--arm-endpoint url", "--accept-data-loss",
		"are retried up to 4 times, waiting what Retry-After asks (up to --max-retry-after; a longer one fails at once, naming it), else 2s doubling up to 30s. " +
			"A conflict with another operation's exclusive lock (409/412) is retried up to 6 times, waiting Retry-After or 10s, 20s, ... up to 1m0s."} {
		assert.Contains(t, strings.Join(strings.Fields(out), " "), want) // the help is wrapped
	}
}

// After a service-managed failover nobody ran from here, record writes what
// Azure reports into the stack file.
func TestRecordServiceManagedFailover(t *testing.T) {
	fx := failoverProject(t)
	code, out, errOut := runDrctl(t, "record", "contoso", "--ticket", "INC-5", "--subscription", "sub-1", "--operator", "ops")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "eastus takes writes, as stacks/Pulumi.contoso.yaml says: nothing to record.")

	// Azure fails over on its own.
	azureFailsOver(t, fx)

	code, out, errOut = runDrctl(t, "record", "contoso", "--ticket", "INC-5", "--subscription", "sub-1", "--operator", "ops")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "westus takes writes in Azure.")
	cfg := fx.agrees(t, "West US", "westus", true)
	assert.Equal(t, "observed eastus -> westus at 2026-11-25T18:00:00Z by ops (INC-5)", cfg.DR.WriteRegionChange.String())
	assert.Equal(t, contosoAccount, cfg.DR.WriteRegionChange.AccountID)

	code, _, errOut = runDrctl(t, "record", "contoso")
	assert.Equal(t, 2, code)
	assert.Equal(t, "drctl record: --ticket is required, except with --verify: the record names the incident\n"+
		"Run 'drctl record --help' for usage.\n", errOut)
}

// Azure is where the change leads but the stack file holds no intent (a
// workflow re-run checks out main, not the branch with the intent; or Azure
// moved on its own): drctl finishes from Azure's state, with
// service-managed failover on as the stack declares it, and records.
func TestFinishWithoutTheIntent(t *testing.T) {
	fx := failoverProject(t)
	original, err := os.ReadFile(stackfile.Path("contoso"))
	require.NoError(t, err)
	fx.arm.Inject(fakearm.KeyPatch, fakearm.Fault{Status: http.StatusConflict, Message: fakearm.LockConflict.Message,
		After: fakearm.KeyPriorityChange, Times: -1})
	code, _, _ := runDrctl(t, failoverArgs...)
	require.Equal(t, 1, code)
	inProgress(t, drconfig.ActionPlannedFailover)
	require.NoError(t, os.WriteFile(stackfile.Path("contoso"), original, 0o644)) // a fresh checkout

	fx.arm.ClearFaults()
	_, _, before := fx.arm.State()
	code, out, errOut := runDrctl(t, failoverArgs...)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "West US takes writes in Azure already, but stacks/Pulumi.contoso.yaml says eastus (and holds no dr.failoverIntent): "+
		"an earlier run of this change stopped halfway, or Azure moved on its own. Finishing from Azure's state and recording what it reports.\n")
	_, _, requests := fx.arm.State()
	assert.Equal(t, []string{"GET", `PATCH {"properties":{"enableAutomaticFailover":true}}`, "GET"}, since(requests, len(before)))
	cfg := fx.agrees(t, "West US", "westus", true)
	assert.Equal(t, "planned-failover eastus -> westus at 2026-11-25T18:00:00Z by ops (INC-42)", cfg.DR.WriteRegionChange.String())
}

// Azure failed over on its own, service-managed failover on: nothing to do
// but record.
func TestFinishWithoutTheIntentNothingLeft(t *testing.T) {
	fx2 := failoverProject(t)
	azureFailsOver(t, fx2)
	_, _, before := fx2.arm.State()
	code, out, errOut := runDrctl(t, failoverArgs...)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "Nothing is left to do in Azure; recording what it reports.\n")
	_, _, requests := fx2.arm.State()
	assert.Equal(t, []string{"GET"}, since(requests, len(before)))
	fx2.agrees(t, "West US", "westus", true)
}

func azureFailsOver(t *testing.T, fx *armFixture) {
	t.Helper()
	c, err := failover.NewClient(failover.Options{Endpoint: fx.arm.URL, PollFrequency: time.Millisecond})
	require.NoError(t, err)
	acct, err := c.Get(t.Context(), contosoAccount)
	require.NoError(t, err)
	plan, err := failover.PlanPlanned(acct, "westus", true)
	require.NoError(t, err)
	_, err = c.Execute(t.Context(), t.Context(), contosoAccount, plan)
	require.NoError(t, err)
	_, write, _ := fx.arm.State()
	require.Equal(t, "West US", write)
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

// After a forced failover the primary is offline: failback needs --online,
// which brings it back first; a planned failover needs the secondary
// online.
func TestFailbackAfterForcedFailover(t *testing.T) {
	fx := failoverProject(t)
	code, _, errOut := runDrctl(t, append(failoverArgs, "--forced", "--yes")...)
	require.Equal(t, 0, code, errOut)
	fx.agrees(t, "West US", "westus", true)

	failback := []string{"failback", "contoso", "--ticket", "INC-42", "--subscription", "sub-1", "--operator", "ops"}
	_, _, before := fx.arm.State()
	code, _, errOut = runDrctl(t, failback...)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "drctl failback: East US is offline (West US takes writes; service-managed failover is ON; failover priorities "+
		"West US=0, East US=1; East US is offline (serves neither reads nor writes)): add --online to bring it back as a read region first\n"+
		"Nothing was changed.")
	_, _, requests := fx.arm.State()
	assert.Equal(t, []string{"GET"}, since(requests, len(before)))

	code, _, errOut = runDrctl(t, append(failback, "--online")...)
	require.Equal(t, 0, code, errOut)
	_, _, requests = fx.arm.State()
	assert.Equal(t, []string{"GET", `POST onlineRegion {"region":"East US"}`, `PATCH {"properties":{"enableAutomaticFailover":false}}`, "GET",
		`POST failoverPriorityChange {"failoverPolicies":[{"locationName":"East US","failoverPriority":0},{"locationName":"West US","failoverPriority":1}]}`,
		"GET", `PATCH {"properties":{"enableAutomaticFailover":true}}`, "GET"}, since(requests, len(before)+1))
	cfg := fx.agrees(t, "East US", "eastus", true)
	assert.Equal(t, "failback westus -> eastus at 2026-11-25T18:00:00Z by ops (INC-42)", cfg.DR.WriteRegionChange.String())
	assert.Empty(t, fx.arm.Offline())
}

func TestPlannedFailoverNeedsTheSecondaryOnline(t *testing.T) {
	fx := failoverProject(t)
	fx.arm.SetProvisioningState("West US", "Failed")
	code, _, errOut := runDrctl(t, failoverArgs...)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "drctl failover: West US is not online (East US takes writes; service-managed failover is ON; failover priorities "+
		"East US=0, West US=1; West US is not online (provisioningState Failed)): a planned change of the write region needs it healthy\nNothing was changed.")
	_, _, requests := fx.arm.State()
	assert.Equal(t, []string{"GET"}, requests)
	fx.agrees(t, "East US", "eastus", true)
}
