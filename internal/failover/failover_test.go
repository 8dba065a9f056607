package failover_test

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fhir-dr/fhir-dr/internal/failover"
	"github.com/fhir-dr/fhir-dr/internal/failover/fakearm"
)

const accountID = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-contoso-fhir-eastus/providers/Microsoft.DocumentDB/databaseAccounts/fhir-contoso"

// sleeps records the waits the client asks for instead of waiting.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.d = append(s.d, d)
	s.mu.Unlock()
	return ctx.Err()
}

// retries are the waits other than the polls' (1 ms).
func (s *sleeps) retries() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []time.Duration
	for _, d := range s.d {
		if d != time.Millisecond {
			out = append(out, d)
		}
	}
	return out
}

func newClient(t *testing.T, f *fakearm.Server, retry failover.RetryPolicy) (*failover.Client, *sleeps, *bytes.Buffer) {
	t.Helper()
	s := &sleeps{}
	var out bytes.Buffer
	retry.Sleep = s.sleep
	c, err := failover.NewClient(failover.Options{Endpoint: f.URL, Retry: retry, PollFrequency: time.Millisecond, Out: &out})
	require.NoError(t, err)
	return c, s, &out
}

func TestLoopbackEndpoint(t *testing.T) {
	for _, ok := range []string{"http://127.0.0.1:8080", "http://127.1.2.3:1/", "http://[::1]:9", "http://localhost:80", "https://127.0.0.1:443"} {
		_, err := failover.LoopbackEndpoint(ok)
		assert.NoError(t, err, ok)
	}
	for _, bad := range []string{"https://management.azure.com", "http://10.0.0.1:80", "http://127.0.0.1.evil.example:80",
		"http://user:pw@127.0.0.1:80", "http://127.0.0.1:80/subscriptions", "ftp://127.0.0.1", "127.0.0.1:80", "http://0.0.0.0:80"} {
		_, err := failover.LoopbackEndpoint(bad)
		assert.Error(t, err, bad)
	}
	_, err := failover.NewClient(failover.Options{Endpoint: "https://management.azure.com"})
	assert.ErrorContains(t, err, "is not on the loopback interface")
	_, err = failover.NewClient(failover.Options{Endpoint: "http://127.0.0.1:1", Credential: tokenCredential{}})
	assert.EqualError(t, err, "failover: a credential is never sent to a stand-in endpoint")
	_, err = failover.NewClient(failover.Options{})
	assert.EqualError(t, err, "failover: Azure credentials are required")
}

type tokenCredential struct{}

func (tokenCredential) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	return azcore.AccessToken{Token: "t", ExpiresOn: time.Now().Add(time.Hour)}, nil
}

func TestGetReadsRegionStatus(t *testing.T) {
	f := fakearm.New(t, accountID)
	c, _, _ := newClient(t, f, failover.RetryPolicy{})
	f.SetProvisioningState("West US", "Updating")
	acct, err := c.Get(context.Background(), accountID)
	require.NoError(t, err)
	assert.Equal(t, failover.Account{ID: accountID, AutomaticFailover: true, Writes: "East US", RequestID: fakearm.RequestID(1),
		Locations: []failover.Location{{Name: "East US", Priority: 0}, {Name: "West US", Priority: 1}},
		Regions: []failover.Region{{Name: "East US", Priority: 0, ProvisioningState: "Succeeded", Online: true},
			{Name: "West US", Priority: 1, ProvisioningState: "Updating", Online: false}}}, acct)
	assert.Equal(t, "East US takes writes; service-managed failover is ON; failover priorities East US=0, West US=1; "+
		"West US is not online (provisioningState Updating)", acct.Summary())
}

func TestPlannedFailover(t *testing.T) {
	f := fakearm.New(t, accountID)
	c, _, out := newClient(t, f, failover.RetryPolicy{})
	acct, err := c.Get(context.Background(), accountID)
	require.NoError(t, err)
	plan, err := failover.PlanPlanned(acct, "westus", acct.AutomaticFailover)
	require.NoError(t, err)
	var names []string
	for _, s := range plan.Steps {
		names = append(names, s.Name)
	}
	assert.Equal(t, []string{"service-managed failover off", "priority change until West US takes writes", "verify West US takes writes",
		"service-managed failover on"}, names)
	res, err := c.Execute(context.Background(), context.Background(), accountID, plan)
	require.NoError(t, err)
	assert.Equal(t, fakearm.RequestID(4), res.OperationID, "the priority change was the 4th request")
	assert.Equal(t, []failover.Location{{Name: "West US", Priority: 0}, {Name: "East US", Priority: 1}}, res.Account.Locations)
	auto, write, requests := f.State()
	assert.True(t, auto, "service-managed failover is back on")
	assert.Equal(t, "West US", write)
	assert.Equal(t, []string{
		"GET",
		`PATCH {"properties":{"enableAutomaticFailover":false}}`,
		"GET", // a PATCH operation ends with a read of the resource
		`POST failoverPriorityChange {"failoverPolicies":[{"locationName":"West US","failoverPriority":0},{"locationName":"East US","failoverPriority":1}]}`,
		"GET",
		`PATCH {"properties":{"enableAutomaticFailover":true}}`,
		"GET",
	}, requests)
	assert.Contains(t, out.String(), "verified: West US takes writes\n")

	// Planned again from Azure's state: nothing is left to do.
	acct, err = c.Get(context.Background(), accountID)
	require.NoError(t, err)
	plan, err = failover.PlanPlanned(acct, "westus", true)
	require.NoError(t, err)
	assert.True(t, plan.Empty())
}

// Another operation's lock (409), throttling (429 with Retry-After) and a
// server error (503) are retried with the stated waits; the change goes
// through once.
func TestRetries(t *testing.T) {
	f := fakearm.New(t, accountID)
	c, s, out := newClient(t, f, failover.RetryPolicy{})
	f.Inject(fakearm.KeyPriorityChange, fakearm.LockConflict, fakearm.Fault{Status: http.StatusTooManyRequests, RetryAfter: "120"},
		fakearm.Fault{Status: http.StatusServiceUnavailable}, fakearm.Fault{Status: http.StatusServiceUnavailable})
	_, err := c.ChangePriorities(context.Background(), accountID, nil)
	assert.ErrorContains(t, err, "cannot be changed while automatic failover is enabled", "carried out after the faults, and refused by the fake")
	assert.Equal(t, []time.Duration{10 * time.Second, 120 * time.Second, 4 * time.Second, 8 * time.Second}, s.retries(),
		"lock: LockDelay; Retry-After 120 honoured up to MaxRetryAfter (2m); then the backoff of retries 2 and 3 from RetryDelay")
	assert.Contains(t, out.String(), "another operation holds the account's lock; retry 1 of 6 in 10s")
	assert.Contains(t, out.String(), "429 Too Many Requests; retry 1 of 4 in 2m0s")
}

func TestRetryAfterBeyondTheBound(t *testing.T) {
	f := fakearm.New(t, accountID)
	c, s, _ := newClient(t, f, failover.RetryPolicy{MaxRetryAfter: time.Minute})
	f.Inject(fakearm.KeyPatch, fakearm.Fault{Status: http.StatusTooManyRequests, RetryAfter: "120"})
	_, err := c.SetAutomaticFailover(context.Background(), accountID, false)
	var rae *failover.RetryAfterError
	require.ErrorAs(t, err, &rae)
	assert.Equal(t, "PATCH "+accountID+": Azure answered 429 and asked to retry after 2m0s (Retry-After: 120), longer than the bound of 1m0s (--max-retry-after)", err.Error())
	assert.Empty(t, s.retries())
}

// Retries are bounded: the lock conflict more often than LockRetries
// fails with Azure's answer.
func TestRetriesAreBounded(t *testing.T) {
	f := fakearm.New(t, accountID)
	c, s, _ := newClient(t, f, failover.RetryPolicy{LockRetries: 2, MaxRetries: 1})
	f.Inject(fakearm.KeyPatch, fakearm.Fault{Status: http.StatusConflict, Message: fakearm.LockConflict.Message, Times: -1})
	_, err := c.SetAutomaticFailover(context.Background(), accountID, false)
	assert.ErrorContains(t, err, "exclusive lock")
	assert.True(t, failover.IsLockConflict(err))
	assert.Len(t, s.retries(), 2)

	f.Inject(fakearm.KeyGet, fakearm.Fault{Status: http.StatusServiceUnavailable, Times: 2})
	_, err = c.Get(context.Background(), accountID)
	assert.ErrorContains(t, err, "503")
}

// A hung read is cut by the try timeout and retried.
func TestTryTimeout(t *testing.T) {
	f := fakearm.New(t, accountID)
	c, _, out := newClient(t, f, failover.RetryPolicy{TryTimeout: 50 * time.Millisecond})
	f.Inject(fakearm.KeyGet, fakearm.Fault{Hang: true})
	acct, err := c.Get(context.Background(), accountID)
	require.NoError(t, err)
	assert.Equal(t, "East US", acct.WriteRegion())
	assert.Contains(t, out.String(), "context deadline exceeded; retry 1 of 4 in 2s")
}

// A step whose answer is lost is checked against the account: Azure took
// the region offline, so the forced failover carries on.
func TestForcedFailoverAnswerLost(t *testing.T) {
	f := fakearm.New(t, accountID)
	c, _, out := newClient(t, f, failover.RetryPolicy{})
	f.Inject(fakearm.KeyOfflineRegion, fakearm.Fault{Status: http.StatusGatewayTimeout, AfterApply: true})
	acct, err := c.Get(context.Background(), accountID)
	require.NoError(t, err)
	plan, err := failover.PlanForced(acct, "eastus", "westus")
	require.NoError(t, err)
	res, err := c.Execute(context.Background(), context.Background(), accountID, plan)
	require.NoError(t, err)
	auto, write, requests := f.State()
	assert.Equal(t, "West US", write)
	assert.True(t, auto, "untouched")
	assert.Equal(t, []string{"East US"}, f.Offline())
	assert.Equal(t, []string{"GET", `POST offlineRegion {"region":"East US"}`, `POST offlineRegion {"region":"East US"}`, "GET", "GET"}, requests,
		"the 504 is retried, Azure refuses the second (already offline), the account shows it done")
	assert.Contains(t, out.String(), "take East US offline: Azure answered")
	assert.Contains(t, out.String(), "the account shows it done: carrying on")
	assert.Equal(t, []failover.Location{{Name: "West US", Priority: 0}, {Name: "East US", Priority: 1}}, res.Account.Locations)

	acct, err = c.Get(context.Background(), accountID)
	require.NoError(t, err)
	assert.False(t, acct.Online("eastus"))
	plan, err = failover.PlanForced(acct, "eastus", "westus")
	require.NoError(t, err)
	assert.True(t, plan.Empty(), "nothing left to force")
	_, err = failover.PlanPlanned(acct, "eastus", true)
	assert.ErrorContains(t, err, "East US is not online")
	_, err = failover.PlanFailback(acct, "eastus", false, true)
	assert.ErrorContains(t, err, "East US is offline")
	plan, err = failover.PlanFailback(acct, "eastus", true, true)
	require.NoError(t, err)
	assert.Equal(t, "bring East US online", plan.Steps[0].Name)
}

// A change that fails for good still turns service-managed failover back
// on, and says why it failed.
func TestFailureRestoresServiceManagedFailover(t *testing.T) {
	f := fakearm.New(t, accountID)
	c, _, _ := newClient(t, f, failover.RetryPolicy{})
	f.Inject(fakearm.KeyPriorityChange, fakearm.Fault{Status: http.StatusBadRequest, Message: "Region West US is not available"})
	acct, err := c.Get(context.Background(), accountID)
	require.NoError(t, err)
	plan, err := failover.PlanPlanned(acct, "westus", true)
	require.NoError(t, err)
	res, err := c.Execute(context.Background(), context.Background(), accountID, plan)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "Region West US is not available")
	auto, write, _ := f.State()
	assert.True(t, auto)
	assert.Equal(t, "East US", write)
	last := res.Steps[len(res.Steps)-1]
	assert.Equal(t, "restore service-managed failover", last.Step.Name)
	assert.NoError(t, last.Err)
}

// An interrupted run restores service-managed failover on its own
// context.
func TestInterruptRestores(t *testing.T) {
	f := fakearm.New(t, accountID)
	c, _, _ := newClient(t, f, failover.RetryPolicy{})
	f.Inject(fakearm.KeyPoll, fakearm.Fault{Pending: true, Times: -1})
	acct, err := c.Get(context.Background(), accountID)
	require.NoError(t, err)
	plan, err := failover.PlanPlanned(acct, "westus", true)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	// The restore's own operation would never complete either: give it
	// a context that ends soon, as a second Ctrl-C would.
	restore, stop := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer stop()
	_, err = c.Execute(ctx, restore, accountID, plan)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.True(t, strings.HasPrefix(err.Error(), "service-managed failover off: "), err.Error())
	_, _, requests := f.State()
	assert.Equal(t, []string{"GET", `PATCH {"properties":{"enableAutomaticFailover":false}}`, `PATCH {"properties":{"enableAutomaticFailover":true}}`}, requests,
		"no new write after the deadline but the restoration")
}

func TestReplicationLag(t *testing.T) {
	f := fakearm.New(t, accountID)
	c, _, _ := newClient(t, f, failover.RetryPolicy{})
	f.SetLag("West US", 100, 2500.5, 300)
	lag, err := c.ReplicationLag(context.Background(), accountID, "West US")
	require.NoError(t, err)
	assert.Equal(t, 2500500*time.Microsecond, lag, "the largest one-minute maximum")
	_, _, requests := f.State()
	assert.Equal(t, []string{"GET metrics"}, requests)

	f.SetLag("West US")
	_, err = c.ReplicationLag(context.Background(), accountID, "West US")
	assert.EqualError(t, err, "reading the replication latency to West US: Azure Monitor has no data point in the last 15 minutes")
	f.Inject(fakearm.KeyMetrics, fakearm.Fault{Status: http.StatusForbidden, Message: "no access to metrics"})
	_, err = c.ReplicationLag(context.Background(), accountID, "West US")
	assert.ErrorContains(t, err, "no access to metrics")
}

func TestDrill(t *testing.T) {
	f := fakearm.New(t, accountID)
	c, _, _ := newClient(t, f, failover.RetryPolicy{})
	acct, err := c.Get(context.Background(), accountID)
	require.NoError(t, err)
	plan, err := failover.PlanDrill(acct, "eastus", "westus", true, false)
	require.NoError(t, err)
	res, err := c.Execute(context.Background(), context.Background(), accountID, plan)
	require.NoError(t, err)
	assert.Len(t, res.Steps, 6)
	auto, write, requests := f.State()
	assert.True(t, auto)
	assert.Equal(t, "East US", write, "the account ends as it began")
	assert.Equal(t, []string{
		"GET",
		`PATCH {"properties":{"enableAutomaticFailover":false}}`,
		"GET",
		`POST failoverPriorityChange {"failoverPolicies":[{"locationName":"West US","failoverPriority":0},{"locationName":"East US","failoverPriority":1}]}`,
		"GET",
		`POST failoverPriorityChange {"failoverPolicies":[{"locationName":"East US","failoverPriority":0},{"locationName":"West US","failoverPriority":1}]}`,
		"GET",
		`PATCH {"properties":{"enableAutomaticFailover":true}}`,
		"GET",
	}, requests)

	_, err = failover.PlanDrill(failover.Account{Locations: []failover.Location{{Name: "East US"}, {Name: "West US", Priority: 1}}, Writes: "West US"},
		"eastus", "westus", true, false)
	assert.EqualError(t, err, "West US already takes writes: fail back before a drill")
}

func TestRefusals(t *testing.T) {
	f := fakearm.New(t, accountID)
	c, _, _ := newClient(t, f, failover.RetryPolicy{})
	acct, err := c.Get(context.Background(), accountID)
	require.NoError(t, err)
	_, err = failover.PlanPlanned(acct, "northeurope", true)
	assert.EqualError(t, err, "northeurope is not a region of the account")
	plan, err := failover.PlanPlanned(acct, "East US", true)
	require.NoError(t, err)
	assert.True(t, plan.Empty(), "East US takes writes already")
	plan, err = failover.PlanForced(acct, "westus", "eastus")
	require.NoError(t, err)
	assert.True(t, plan.Empty(), "East US takes writes already: nothing to force")
	_, err = failover.PlanForced(failover.Account{Locations: acct.Locations, Writes: "North Europe"}, "westus", "eastus")
	assert.EqualError(t, err, "West US does not take writes (North Europe does): nothing to force")
}
