package failover

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const accountID = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-contoso-fhir-eastus/providers/Microsoft.DocumentDB/databaseAccounts/fhir-contoso"

// fakeARM is a local stand-in for Azure Resource Manager's Cosmos DB
// account API: it checks paths, api-version, token and bodies, answers
// mutations as long-running operations, and fails on cue.
type fakeARM struct {
	t         *testing.T
	mu        sync.Mutex
	auto      bool
	locations []Location
	offline   []string
	requests  []string
	// faults are answered, in order, before a mutation of that key
	// ("POST failoverPriorityChange") is carried out.
	faults map[string][]fault
	polls  map[string]int
}

type fault struct {
	status     int
	retryAfter string
	message    string
}

var lockConflictFault = fault{status: http.StatusConflict, message: "There is already an operation in progress which requires exclusive lock on this service. Please retry the operation after sometime."}

func newFakeARM(t *testing.T) (*fakeARM, *Client) {
	f := &fakeARM{t: t, auto: true, faults: map[string][]fault{}, polls: map[string]int{},
		locations: []Location{{"East US", 0}, {"West US", 1}}}
	srv := httptest.NewTLSServer(f)
	t.Cleanup(srv.Close)
	c, err := NewClient(fakeCredential{}, &arm.ClientOptions{ClientOptions: policy.ClientOptions{
		Cloud: cloud.Configuration{ActiveDirectoryAuthorityHost: srv.URL, Services: map[cloud.ServiceName]cloud.ServiceConfiguration{
			cloud.ResourceManager: {Audience: "https://management.core.windows.net/", Endpoint: srv.URL},
		}},
		Transport: srv.Client(),
		// Retry-After may ask for more than the exponential delay; the
		// ceiling admits it.
		Retry: policy.RetryOptions{MaxRetries: 3, RetryDelay: time.Millisecond, MaxRetryDelay: 2 * time.Second},
	}})
	require.NoError(t, err)
	c.PollFrequency, c.LockBackoff = time.Millisecond, time.Millisecond
	return f, c
}

type fakeCredential struct{}

func (fakeCredential) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	return azcore.AccessToken{Token: "fake-token", ExpiresOn: time.Now().Add(time.Hour)}, nil
}

func (f *fakeARM) fail(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("x-ms-error-code", code)
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"error":{"code":%q,"message":%q}}`, code, msg)
}

func (f *fakeARM) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	body, _ := io.ReadAll(r.Body)
	if r.Header.Get("Authorization") != "Bearer fake-token" {
		f.fail(w, http.StatusUnauthorized, "AuthenticationFailed", "no token")
		return
	}
	if strings.HasPrefix(r.URL.Path, "/operations/") {
		// Each operation is in progress once, then done.
		f.polls[r.URL.Path]++
		status := "InProgress"
		if f.polls[r.URL.Path] > 1 {
			status = "Succeeded"
		}
		fmt.Fprintf(w, `{"status":%q}`, status)
		return
	}
	if v := r.URL.Query().Get("api-version"); v != APIVersion {
		f.fail(w, http.StatusBadRequest, "InvalidApiVersionParameter", "api-version "+v)
		return
	}
	action := strings.TrimPrefix(strings.TrimPrefix(r.URL.Path, accountID), "/")
	if !strings.HasPrefix(r.URL.Path, accountID) {
		f.fail(w, http.StatusNotFound, "ResourceNotFound", r.URL.Path)
		return
	}
	key := strings.TrimSpace(r.Method + " " + action)
	f.requests = append(f.requests, strings.TrimSpace(key+" "+string(body)))
	if faults := f.faults[key]; len(faults) > 0 {
		ft := faults[0]
		f.faults[key] = faults[1:]
		if ft.retryAfter != "" {
			w.Header().Set("Retry-After", ft.retryAfter)
		}
		f.fail(w, ft.status, http.StatusText(ft.status), ft.message)
		return
	}
	switch key {
	case "GET":
		b, _ := json.Marshal(map[string]any{"id": accountID, "properties": map[string]any{
			"enableAutomaticFailover": f.auto, "failoverPolicies": f.locations}})
		_, _ = w.Write(b)
		return
	case "PATCH":
		var req struct {
			Properties map[string]any `json:"properties"`
		}
		require.NoError(f.t, json.Unmarshal(body, &req))
		v, ok := req.Properties["enableAutomaticFailover"].(bool)
		if !ok || len(req.Properties) != 1 {
			f.fail(w, http.StatusBadRequest, "BadRequest", "unexpected patch "+string(body))
			return
		}
		f.auto = v
	case "POST failoverPriorityChange":
		if f.auto {
			f.fail(w, http.StatusBadRequest, "BadRequest", "Failover priorities cannot be changed while automatic failover is enabled.")
			return
		}
		var req struct {
			FailoverPolicies []Location `json:"failoverPolicies"`
		}
		require.NoError(f.t, json.Unmarshal(body, &req))
		if len(req.FailoverPolicies) != len(f.locations) {
			f.fail(w, http.StatusBadRequest, "BadRequest", "every region needs a priority")
			return
		}
		f.locations = req.FailoverPolicies
	case "POST offlineRegion":
		var req struct {
			Region string `json:"region"`
		}
		require.NoError(f.t, json.Unmarshal(body, &req))
		f.offline = append(f.offline, req.Region)
		acct := Account{Locations: f.locations}
		if SameRegion(acct.WriteRegion(), req.Region) {
			// The next region by priority takes writes.
			var next Location
			for _, l := range f.locations {
				if l.Priority == 1 {
					next = l
				}
			}
			f.locations = withPriorities(acct, next.Name)
		}
	default:
		f.fail(w, http.StatusNotFound, "NotFound", key)
		return
	}
	w.Header().Set("Azure-AsyncOperation", fmt.Sprintf("https://%s/operations/%d?api-version=%s", r.Host, len(f.requests), APIVersion))
	w.WriteHeader(http.StatusAccepted)
}

func (f *fakeARM) state() (bool, string, []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.auto, Account{Locations: f.locations}.WriteRegion(), append([]string{}, f.requests...)
}

func TestPlannedFailover(t *testing.T) {
	f, c := newFakeARM(t)
	var out bytes.Buffer
	c.Out = &out
	require.NoError(t, c.Planned(context.Background(), accountID, "westus", Account{}))
	auto, write, requests := f.state()
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
	f, c := newFakeARM(t)
	var out bytes.Buffer
	c.Out = &out
	f.faults["POST failoverPriorityChange"] = []fault{lockConflictFault, {status: http.StatusTooManyRequests, retryAfter: "1"},
		{status: http.StatusServiceUnavailable}}
	start := time.Now()
	require.NoError(t, c.Planned(context.Background(), accountID, "West US", Account{}))
	assert.GreaterOrEqual(t, time.Since(start), time.Second, "Retry-After is honoured")
	_, write, requests := f.state()
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
	f, c := newFakeARM(t)
	f.faults["POST failoverPriorityChange"] = []fault{{status: http.StatusBadRequest, message: "Region West US is not available"}}
	err := c.Planned(context.Background(), accountID, "westus", Account{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "Region West US is not available")
	auto, write, _ := f.state()
	assert.True(t, auto)
	assert.Equal(t, "East US", write)

	// The lock is retried a bounded number of times.
	f2, c2 := newFakeARM(t)
	c2.LockRetries = 2
	f2.faults["PATCH"] = []fault{lockConflictFault, lockConflictFault, lockConflictFault}
	err = c2.Planned(context.Background(), accountID, "westus", Account{})
	assert.ErrorContains(t, err, "exclusive lock")
	_, write, _ = f2.state()
	assert.Equal(t, "East US", write)
}

func TestForcedFailover(t *testing.T) {
	f, c := newFakeARM(t)
	require.NoError(t, c.Forced(context.Background(), accountID, "eastus", Account{}))
	auto, write, requests := f.state()
	assert.Equal(t, "West US", write)
	assert.True(t, auto, "untouched")
	assert.Equal(t, []string{"GET", `POST offlineRegion {"region":"East US"}`, "GET"}, requests, "nothing else is sent during an outage")

	err := c.Forced(context.Background(), accountID, "eastus", Account{})
	assert.EqualError(t, err, "East US does not take writes (West US does): nothing to force")
}

func TestDrill(t *testing.T) {
	f, c := newFakeARM(t)
	require.NoError(t, c.Drill(context.Background(), accountID, "westus", Account{}))
	auto, write, requests := f.state()
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
	f, c := newFakeARM(t)
	var out bytes.Buffer
	c.Out, c.DryRun = &out, true
	known := Account{AutomaticFailover: true, Locations: []Location{{"eastus", 0}, {"westus", 1}}}
	require.NoError(t, c.Planned(context.Background(), accountID, "westus", known))
	_, _, requests := f.state()
	assert.Empty(t, requests)
	assert.Equal(t, "dry run: turn service-managed failover off: PATCH "+accountID+"?api-version=2025-10-15 {\"properties\":{\"enableAutomaticFailover\":false}}\n"+
		"dry run: change failover priorities (westus=0, eastus=1): POST "+accountID+"/failoverPriorityChange?api-version=2025-10-15 "+
		"{\"failoverPolicies\":[{\"locationName\":\"westus\",\"failoverPriority\":0},{\"locationName\":\"eastus\",\"failoverPriority\":1}]}\n"+
		"dry run: then check that westus takes writes\n"+
		"dry run: turn service-managed failover on: PATCH "+accountID+"?api-version=2025-10-15 {\"properties\":{\"enableAutomaticFailover\":true}}\n", out.String())
}

func TestRefusals(t *testing.T) {
	_, c := newFakeARM(t)
	assert.EqualError(t, c.Planned(context.Background(), accountID, "northeurope", Account{}), "northeurope is not a region of the account")
	assert.EqualError(t, c.Planned(context.Background(), accountID, "East US", Account{}), "East US already takes writes")
	assert.EqualError(t, c.Drill(context.Background(), accountID, "eastus", Account{}), "East US already takes writes: fail back before a drill")
}
