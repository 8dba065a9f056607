package failover_test

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fhir-dr/fhir-dr/internal/failover"
	"github.com/fhir-dr/fhir-dr/internal/failover/fakearm"
)

const accountID = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-contoso-fhir-eastus/providers/Microsoft.DocumentDB/databaseAccounts/fhir-contoso"

func TestPlannedFailover(t *testing.T) {
	f, c := fakearm.New(t, accountID)
	var out bytes.Buffer
	c.Out = &out
	res, err := c.Planned(context.Background(), accountID, "westus", failover.Account{})
	require.NoError(t, err)
	assert.Equal(t, failover.Result{AccountID: accountID, Before: "East US",
		Locations:   []failover.Location{{Name: "West US", Priority: 0}, {Name: "East US", Priority: 1}},
		OperationID: fakearm.RequestID(4)}, res, "what Azure answered: the priority change was the 4th request")
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
}

// Another operation's lock (409), throttling (429 with Retry-After) and a
// server error (503) are retried; the change goes through once.
func TestRetries(t *testing.T) {
	f, c := fakearm.New(t, accountID)
	var out bytes.Buffer
	c.Out = &out
	f.Faults["POST failoverPriorityChange"] = []fakearm.Fault{fakearm.LockConflict, {Status: http.StatusTooManyRequests, RetryAfter: "1"},
		{Status: http.StatusServiceUnavailable}}
	start := time.Now()
	_, err := c.Planned(context.Background(), accountID, "West US", failover.Account{})
	require.NoError(t, err)
	assert.GreaterOrEqual(t, time.Since(start), time.Second, "Retry-After is honoured")
	_, write, requests := f.State()
	assert.Equal(t, "West US", write)
	changes := 0
	for _, r := range requests {
		if strings.HasPrefix(r, "POST failoverPriorityChange") {
			changes++
		}
	}
	assert.Equal(t, 4, changes, "lock, throttled, unavailable, then done")
	assert.Contains(t, out.String(), "another operation holds the account's lock; retrying")
}

// A change that fails for good still turns service-managed failover back
// on, and says why it failed.
func TestFailureRestoresServiceManagedFailover(t *testing.T) {
	f, c := fakearm.New(t, accountID)
	f.Faults["POST failoverPriorityChange"] = []fakearm.Fault{{Status: http.StatusBadRequest, Message: "Region West US is not available"}}
	_, err := c.Planned(context.Background(), accountID, "westus", failover.Account{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "Region West US is not available")
	auto, write, _ := f.State()
	assert.True(t, auto)
	assert.Equal(t, "East US", write)

	// The lock is retried a bounded number of times.
	f2, c2 := fakearm.New(t, accountID)
	c2.LockRetries = 2
	f2.Faults["PATCH"] = []fakearm.Fault{fakearm.LockConflict, fakearm.LockConflict, fakearm.LockConflict}
	_, err = c2.Planned(context.Background(), accountID, "westus", failover.Account{})
	assert.ErrorContains(t, err, "exclusive lock")
	_, write, _ = f2.State()
	assert.Equal(t, "East US", write)
}

func TestForcedFailover(t *testing.T) {
	f, c := fakearm.New(t, accountID)
	res, err := c.Forced(context.Background(), accountID, "eastus", failover.Account{})
	require.NoError(t, err)
	assert.Equal(t, failover.Result{AccountID: accountID, Before: "East US",
		Locations:   []failover.Location{{Name: "West US", Priority: 0}, {Name: "East US", Priority: 1}},
		OperationID: fakearm.RequestID(2)}, res)
	auto, write, requests := f.State()
	assert.Equal(t, "West US", write)
	assert.True(t, auto, "untouched")
	assert.Equal(t, []string{"GET", `POST offlineRegion {"region":"East US"}`, "GET"}, requests, "nothing else is sent during an outage")

	_, err = c.Forced(context.Background(), accountID, "eastus", failover.Account{})
	assert.EqualError(t, err, "East US does not take writes (West US does): nothing to force")
}

func TestDrill(t *testing.T) {
	f, c := fakearm.New(t, accountID)
	require.NoError(t, c.Drill(context.Background(), accountID, "westus", failover.Account{}))
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
}

func TestDryRunSendsNothing(t *testing.T) {
	f, c := fakearm.New(t, accountID)
	var out bytes.Buffer
	c.Out, c.DryRun = &out, true
	known := failover.Account{AutomaticFailover: true, Locations: []failover.Location{{Name: "eastus", Priority: 0}, {Name: "westus", Priority: 1}}}
	res, err := c.Planned(context.Background(), accountID, "westus", known)
	require.NoError(t, err)
	assert.Equal(t, failover.Result{Before: "eastus", Locations: []failover.Location{{Name: "westus", Priority: 0}, {Name: "eastus", Priority: 1}}}, res,
		"a dry run answers with what it would ask for, and no request ID")
	_, _, requests := f.State()
	assert.Empty(t, requests)
	assert.Equal(t, "dry run: turn service-managed failover off: PATCH "+accountID+"?api-version=2025-10-15 {\"properties\":{\"enableAutomaticFailover\":false}}\n"+
		"dry run: change failover priorities (westus=0, eastus=1): POST "+accountID+"/failoverPriorityChange?api-version=2025-10-15 "+
		"{\"failoverPolicies\":[{\"locationName\":\"westus\",\"failoverPriority\":0},{\"locationName\":\"eastus\",\"failoverPriority\":1}]}\n"+
		"dry run: then check that westus takes writes\n"+
		"dry run: turn service-managed failover on: PATCH "+accountID+"?api-version=2025-10-15 {\"properties\":{\"enableAutomaticFailover\":true}}\n", out.String())
}

func TestRefusals(t *testing.T) {
	_, c := fakearm.New(t, accountID)
	_, err := c.Planned(context.Background(), accountID, "northeurope", failover.Account{})
	assert.EqualError(t, err, "northeurope is not a region of the account")
	_, err = c.Planned(context.Background(), accountID, "East US", failover.Account{})
	assert.EqualError(t, err, "East US already takes writes")
	assert.EqualError(t, c.Drill(context.Background(), accountID, "eastus", failover.Account{}), "East US already takes writes: fail back before a drill")
}
