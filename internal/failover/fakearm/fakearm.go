// Package fakearm is a local stand-in for Azure Resource Manager's Cosmos DB
// account API, for tests of the failover tooling: it checks paths,
// api-version, the bearer token and request bodies, answers mutations as
// long-running operations, and fails on cue (409 exclusive lock, 429 with
// Retry-After, 5xx). It is a test double; it never talks to Azure.
package fakearm

import (
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

	"github.com/fhir-dr/fhir-dr/internal/failover"
)

// Server is the fake ARM. Its fields may be read after the requests are done.
type Server struct {
	t         testing.TB
	accountID string
	mu        sync.Mutex
	auto      bool
	locations []failover.Location
	offline   []string
	requests  []string
	// faults are answered, in order, before a mutation of that key
	// ("POST failoverPriorityChange") is carried out.
	Faults map[string][]Fault
	polls  map[string]int
}

// Fault is an error answered instead of carrying out a request.
type Fault struct {
	// Status is the HTTP status.
	Status int
	// RetryAfter is the Retry-After header, if any.
	RetryAfter string
	// Message is the error message.
	Message string
}

// LockConflict is ARM refusing a request while another operation holds
// the account's lock.
var LockConflict = Fault{Status: http.StatusConflict, Message: "There is already an operation in progress which requires exclusive lock on this service. Please retry the operation after sometime."}

// New starts a fake ARM serving the account accountID (East US writes,
// West US reads, service-managed failover on) and returns it with a
// failover client wired to it. The server stops when the test ends.
func New(t testing.TB, accountID string) (*Server, *failover.Client) {
	f := &Server{t: t, accountID: accountID, auto: true, Faults: map[string][]Fault{}, polls: map[string]int{},
		locations: []failover.Location{{Name: "East US", Priority: 0}, {Name: "West US", Priority: 1}}}
	srv := httptest.NewTLSServer(f)
	t.Cleanup(srv.Close)
	c, err := failover.NewClient(credential{}, &arm.ClientOptions{ClientOptions: policy.ClientOptions{
		Cloud: cloud.Configuration{ActiveDirectoryAuthorityHost: srv.URL, Services: map[cloud.ServiceName]cloud.ServiceConfiguration{
			cloud.ResourceManager: {Audience: "https://management.core.windows.net/", Endpoint: srv.URL},
		}},
		Transport: srv.Client(),
		// Retry-After may ask for more than the exponential delay; the
		// ceiling admits it.
		Retry: policy.RetryOptions{MaxRetries: 3, RetryDelay: time.Millisecond, MaxRetryDelay: 2 * time.Second},
	}})
	if err != nil {
		t.Fatal(err)
	}
	c.PollFrequency, c.LockBackoff = time.Millisecond, time.Millisecond
	return f, c
}

type credential struct{}

func (credential) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	return azcore.AccessToken{Token: "fake-token", ExpiresOn: time.Now().Add(time.Hour)}, nil
}

func (f *Server) fail(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("x-ms-error-code", code)
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"error":{"code":%q,"message":%q}}`, code, msg)
}

// ServeHTTP answers one request.
func (f *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
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
	if v := r.URL.Query().Get("api-version"); v != failover.APIVersion {
		f.fail(w, http.StatusBadRequest, "InvalidApiVersionParameter", "api-version "+v)
		return
	}
	action := strings.TrimPrefix(strings.TrimPrefix(r.URL.Path, f.accountID), "/")
	if !strings.HasPrefix(r.URL.Path, f.accountID) {
		f.fail(w, http.StatusNotFound, "ResourceNotFound", r.URL.Path)
		return
	}
	key := strings.TrimSpace(r.Method + " " + action)
	f.requests = append(f.requests, strings.TrimSpace(key+" "+string(body)))
	w.Header().Set("x-ms-request-id", RequestID(len(f.requests)))
	if faults := f.Faults[key]; len(faults) > 0 {
		ft := faults[0]
		f.Faults[key] = faults[1:]
		if ft.RetryAfter != "" {
			w.Header().Set("Retry-After", ft.RetryAfter)
		}
		f.fail(w, ft.Status, http.StatusText(ft.Status), ft.Message)
		return
	}
	switch key {
	case "GET":
		b, _ := json.Marshal(map[string]any{"id": f.accountID, "properties": map[string]any{
			"enableAutomaticFailover": f.auto, "failoverPolicies": f.locations}})
		_, _ = w.Write(b)
		return
	case "PATCH":
		var req struct {
			Properties map[string]any `json:"properties"`
		}
		if err := json.Unmarshal(body, &req); err != nil {
			f.fail(w, http.StatusBadRequest, "BadRequest", err.Error())
			return
		}
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
			FailoverPolicies []failover.Location `json:"failoverPolicies"`
		}
		if err := json.Unmarshal(body, &req); err != nil {
			f.fail(w, http.StatusBadRequest, "BadRequest", err.Error())
			return
		}
		if len(req.FailoverPolicies) != len(f.locations) {
			f.fail(w, http.StatusBadRequest, "BadRequest", "every region needs a priority")
			return
		}
		f.locations = req.FailoverPolicies
	case "POST offlineRegion":
		var req struct {
			Region string `json:"region"`
		}
		if err := json.Unmarshal(body, &req); err != nil {
			f.fail(w, http.StatusBadRequest, "BadRequest", err.Error())
			return
		}
		f.offline = append(f.offline, req.Region)
		acct := failover.Account{Locations: f.locations}
		if failover.SameRegion(acct.WriteRegion(), req.Region) {
			// The next region by priority takes writes.
			var next failover.Location
			for _, l := range f.locations {
				if l.Priority == 1 {
					next = l
				}
			}
			f.locations = failover.WithWriteRegion(acct, next.Name)
		}
	default:
		f.fail(w, http.StatusNotFound, "NotFound", key)
		return
	}
	w.Header().Set("Azure-AsyncOperation", fmt.Sprintf("https://%s/operations/%d?api-version=%s", r.Host, len(f.requests), failover.APIVersion))
	w.WriteHeader(http.StatusAccepted)
}

// RequestID is the x-ms-request-id the fake answers the nth request to the
// account (counting from 1) with.
func RequestID(n int) string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", n) }

// State returns whether service-managed failover is on, the write region
// and the requests so far ("METHOD action body").
func (f *Server) State() (bool, string, []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.auto, failover.Account{Locations: f.locations}.WriteRegion(), append([]string{}, f.requests...)
}
