// Package fakearm is a local stand-in for Azure Resource Manager's Cosmos DB
// account API and the account's Azure Monitor metrics, and of the reads of
// the release gate (Traffic Manager profiles, the availability metric of
// Application Insights components, Alerts Management's fired alerts; see
// health.go), for tests of the failover tooling and the gate. It serves plain HTTP on the loopback interface, refuses
// any request that carries a credential (a stand-in never receives one),
// checks paths, api-versions and request bodies, keeps the account's state
// (service-managed failover, failover priorities, each region's status,
// regions taken offline), answers mutations as long-running operations, and
// fails on cue: an error status with or without Retry-After, an answer lost
// after the change was made, a request that hangs, an operation that never
// completes, on any request (reads, mutations, operation polls, metrics),
// optionally only after another request was carried out. It is a test
// double; it never talks to Azure.
package fakearm

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fhir-dr/fhir-dr/internal/failover"
)

// The keys faults are injected on: a request's method and action.
const (
	KeyGet            = "GET"
	KeyPatch          = "PATCH"
	KeyPriorityChange = "POST failoverPriorityChange"
	KeyOfflineRegion  = "POST offlineRegion"
	KeyOnlineRegion   = "POST onlineRegion"
	KeyMetrics        = "GET metrics"
	KeyPoll           = "POLL"
	// KeyProfile, KeyAvailability and KeyAlerts are the gate's reads.
	KeyProfile         = "GET trafficmanagerprofiles"
	KeyAvailability    = "GET availability"
	KeyAlerts          = "GET alerts"
	replicationLatency = "ReplicationLatency"
)

// Server is the fake ARM. Its methods may be called while requests run.
type Server struct {
	// URL is where it serves, http://127.0.0.1:PORT.
	URL string

	t         testing.TB
	accountID string
	closing   chan struct{}

	mu        sync.Mutex
	auto      bool
	locations []failover.Location
	states    map[string]string // provisioningState by region
	offline   []string
	requests  []string
	carried   map[string]int
	polls     map[string]int
	faults    map[string][]Fault
	lag       map[string][]float64
	health    healthState
}

// Fault is an answer given instead of, or after, carrying out a request.
type Fault struct {
	// Status is the HTTP status answered; 0 with Pending or Hang.
	Status int
	// RetryAfter is the Retry-After header, if any.
	RetryAfter string
	// Message is the error message.
	Message string
	// AfterApply carries the request out, then answers the error: the
	// answer is lost, Azure made the change.
	AfterApply bool
	// Hang blocks the request until the client gives up or the test ends.
	Hang bool
	// Pending answers an operation poll "InProgress" (key KeyPoll).
	Pending bool
	// After arms the fault only once a request with this key was carried
	// out ("POST failoverPriorityChange").
	After string
	// Times is how many requests it answers: 0 is once, -1 is forever.
	Times int
	// Notify, if set, is called each time the fault is answered (before a
	// hang), so that a test can act at that moment.
	Notify func()
}

// LockConflict is ARM refusing a request while another operation holds
// the account's lock.
var LockConflict = Fault{Status: http.StatusConflict, Message: "There is already an operation in progress which requires exclusive lock on this service. Please retry the operation after sometime."}

// New starts a fake ARM serving the account accountID: East US writes,
// West US reads, both online, service-managed failover on, a replication
// latency of 120 ms to each. The server stops when the test ends.
func New(t testing.TB, accountID string) *Server {
	f := &Server{t: t, accountID: accountID, auto: true, closing: make(chan struct{}),
		locations: []failover.Location{{Name: "East US", Priority: 0}, {Name: "West US", Priority: 1}},
		states:    map[string]string{"East US": "Succeeded", "West US": "Succeeded"},
		carried:   map[string]int{}, polls: map[string]int{}, faults: map[string][]Fault{},
		lag: map[string][]float64{"East US": {80, 120}, "West US": {95, 120}}, health: newHealthState()}
	srv := httptest.NewServer(f)
	f.URL = srv.URL
	t.Cleanup(func() {
		close(f.closing)
		srv.Close()
	})
	return f
}

// Inject queues faults for the requests of key (KeyGet, KeyPatch, ...),
// answered in order.
func (f *Server) Inject(key string, faults ...Fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults[key] = append(f.faults[key], faults...)
}

// ClearFaults drops every fault not answered yet.
func (f *Server) ClearFaults() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults = map[string][]Fault{}
}

// SetLag sets the ReplicationLatency data points (milliseconds) Azure
// Monitor answers for target; none is a metric without data.
func (f *Server) SetLag(target string, ms ...float64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lag[target] = ms
}

// SetProvisioningState sets a region's provisioningState; a region whose
// state is not "Succeeded" is not online.
func (f *Server) SetProvisioningState(region, state string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.states[region] = state
}

// SetAutomaticFailover sets service-managed failover, as if someone had
// (the portal, an earlier run).
func (f *Server) SetAutomaticFailover(on bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.auto = on
}

// State returns whether service-managed failover is on, the write region
// and the requests to the account so far ("METHOD action body"; polls of
// operations are not listed).
func (f *Server) State() (bool, string, []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.auto, f.writeRegion(), slices.Clone(f.requests)
}

// Offline returns the regions taken offline.
func (f *Server) Offline() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.offline)
}

// Priorities returns the failover priorities.
func (f *Server) Priorities() []failover.Location {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.locations)
}

// RequestID is the x-ms-request-id the fake answers the nth request to the
// account (counting from 1) with.
func RequestID(n int) string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", n) }

func (f *Server) online(region string) bool {
	return f.states[region] == "Succeeded" && !slices.Contains(f.offline, region)
}

func (f *Server) writeRegion() string {
	for _, l := range f.locations {
		if l.Priority == 0 && !slices.Contains(f.offline, l.Name) {
			return l.Name
		}
	}
	return ""
}

func fail(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("x-ms-error-code", code)
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"error":{"code":%q,"message":%q}}`, code, msg)
}

// fault takes the next armed fault of key, if any. f.mu is held.
func (f *Server) fault(key string) (Fault, bool) {
	q := f.faults[key]
	if len(q) == 0 || (q[0].After != "" && f.carried[q[0].After] == 0) {
		return Fault{}, false
	}
	ft := q[0]
	switch {
	case ft.Times > 1:
		q[0].Times--
	case ft.Times >= 0:
		f.faults[key] = q[1:]
	}
	return ft, true
}

// answer writes a fault's error answer (or hangs).
func (f *Server) answer(w http.ResponseWriter, r *http.Request, ft Fault) {
	if ft.Notify != nil {
		ft.Notify()
	}
	if ft.Hang {
		select {
		case <-r.Context().Done():
		case <-f.closing:
		}
		return
	}
	if ft.RetryAfter != "" {
		w.Header().Set("Retry-After", ft.RetryAfter)
	}
	fail(w, ft.Status, strings.ReplaceAll(http.StatusText(ft.Status), " ", ""), ft.Message)
}

// ServeHTTP answers one request.
func (f *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if a := r.Header.Get("Authorization"); a != "" {
		f.t.Errorf("fakearm: %s %s carries a credential (%.12s...): a stand-in must never receive one", r.Method, r.URL.Path, a)
		fail(w, http.StatusBadRequest, "CredentialSent", "a stand-in never receives a credential")
		return
	}
	f.mu.Lock()
	if key, ok := healthKey(r.URL.Path); ok {
		f.serveHealth(w, r, key)
		return
	}
	if strings.HasPrefix(r.URL.Path, "/operations/") {
		f.poll(w, r)
		return
	}
	metrics := r.URL.Path == f.accountID+"/providers/Microsoft.Insights/metrics"
	want := failover.APIVersion
	if metrics {
		want = failover.MetricsAPIVersion
	}
	if v := r.URL.Query().Get("api-version"); v != want {
		f.mu.Unlock()
		fail(w, http.StatusBadRequest, "InvalidApiVersionParameter", "api-version "+v)
		return
	}
	if !strings.HasPrefix(r.URL.Path, f.accountID) {
		f.mu.Unlock()
		fail(w, http.StatusNotFound, "ResourceNotFound", r.URL.Path)
		return
	}
	action := strings.TrimPrefix(strings.TrimPrefix(r.URL.Path, f.accountID), "/")
	key := strings.TrimSpace(r.Method + " " + action)
	if metrics {
		key = KeyMetrics
	}
	f.requests = append(f.requests, strings.TrimSpace(key+" "+string(body)))
	w.Header().Set("x-ms-request-id", RequestID(len(f.requests)))
	ft, faulty := f.fault(key)
	if faulty && !ft.AfterApply {
		f.mu.Unlock()
		f.answer(w, r, ft)
		return
	}
	status, code, msg := f.apply(key, body, r.URL.Query())
	if status == 0 {
		f.carried[key]++
	}
	var ok []byte
	if status == 0 && (key == KeyGet || key == KeyMetrics) {
		ok = f.read(key, r.URL.Query())
	}
	n := len(f.requests)
	f.mu.Unlock()
	switch {
	case status != 0:
		fail(w, status, code, msg)
	case faulty:
		f.answer(w, r, ft)
	case ok != nil:
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(ok)
	default:
		w.Header().Set("Azure-AsyncOperation", fmt.Sprintf("http://%s/operations/%d?api-version=%s", r.Host, n, failover.APIVersion))
		w.WriteHeader(http.StatusAccepted)
	}
}

// poll answers a poll of an operation: in progress once, then done,
// unless a KeyPoll fault says otherwise. f.mu is held and released.
func (f *Server) poll(w http.ResponseWriter, r *http.Request) {
	ft, faulty := f.fault(KeyPoll)
	f.polls[r.URL.Path]++
	n := f.polls[r.URL.Path]
	f.mu.Unlock()
	if faulty && ft.Notify != nil {
		ft.Notify()
	}
	switch {
	case faulty && ft.Pending:
		fmt.Fprint(w, `{"status":"InProgress"}`)
	case faulty:
		ft.Notify = nil
		f.answer(w, r, ft)
	case n > 1:
		fmt.Fprint(w, `{"status":"Succeeded"}`)
	default:
		fmt.Fprint(w, `{"status":"InProgress"}`)
	}
}

// read is the answer to a read. f.mu is held.
func (f *Server) read(key string, q url.Values) []byte {
	if key == KeyMetrics {
		target := strings.TrimSuffix(strings.TrimPrefix(q.Get("$filter"), "TargetRegion eq '"), "'")
		var data []map[string]any
		start := time.Date(2026, 11, 25, 17, 45, 0, 0, time.UTC)
		for i, v := range f.lag[target] {
			data = append(data, map[string]any{"timeStamp": start.Add(time.Duration(i) * time.Minute).Format(time.RFC3339), "maximum": v})
		}
		b, _ := json.Marshal(map[string]any{"value": []any{map[string]any{
			"name": map[string]any{"value": replicationLatency}, "unit": "MilliSeconds",
			"timeseries": []any{map[string]any{
				"metadatavalues": []any{map[string]any{"name": map[string]any{"value": "targetregion"}, "value": target}},
				"data":           data,
			}},
		}}})
		return b
	}
	type region struct {
		LocationName      string `json:"locationName"`
		FailoverPriority  int    `json:"failoverPriority"`
		ProvisioningState string `json:"provisioningState,omitempty"`
	}
	var all, reads, writes []region
	for _, l := range f.locations {
		all = append(all, region{l.Name, l.Priority, f.states[l.Name]})
		if f.online(l.Name) {
			reads = append(reads, region{LocationName: l.Name, FailoverPriority: l.Priority})
		}
	}
	if w := f.writeRegion(); w != "" && f.online(w) {
		writes = []region{{LocationName: w, FailoverPriority: 0}}
	}
	b, _ := json.Marshal(map[string]any{"id": f.accountID, "properties": map[string]any{
		"enableAutomaticFailover": f.auto, "failoverPolicies": f.locations,
		"locations": all, "readLocations": reads, "writeLocations": writes}})
	return b
}

// apply carries a request out; a non-zero status is Azure refusing it.
// f.mu is held.
func (f *Server) apply(key string, body []byte, q url.Values) (int, string, string) {
	bad := func(format string, args ...any) (int, string, string) {
		return http.StatusBadRequest, "BadRequest", fmt.Sprintf(format, args...)
	}
	switch key {
	case KeyGet:
	case KeyMetrics:
		for k, v := range map[string]string{"metricnames": replicationLatency, "aggregation": "Maximum", "interval": "PT1M", "timespan": "PT15M"} {
			if q.Get(k) != v {
				return bad("%s must be %s, got %q", k, v, q.Get(k))
			}
		}
		if !strings.HasPrefix(q.Get("$filter"), "TargetRegion eq '") {
			return bad("unexpected $filter %q", q.Get("$filter"))
		}
	case KeyPatch:
		var req struct {
			Properties map[string]any `json:"properties"`
		}
		if err := json.Unmarshal(body, &req); err != nil {
			return bad("%v", err)
		}
		v, ok := req.Properties["enableAutomaticFailover"].(bool)
		if !ok || len(req.Properties) != 1 {
			return bad("unexpected patch %s", body)
		}
		f.auto = v
	case KeyPriorityChange:
		if f.auto {
			return bad("Failover priorities cannot be changed while automatic failover is enabled.")
		}
		var req struct {
			FailoverPolicies []failover.Location `json:"failoverPolicies"`
		}
		if err := json.Unmarshal(body, &req); err != nil {
			return bad("%v", err)
		}
		if len(req.FailoverPolicies) != len(f.locations) {
			return bad("every region needs a priority")
		}
		for _, l := range req.FailoverPolicies {
			if l.Priority == 0 && !f.online(l.Name) {
				return bad("Region %s is offline: it cannot take writes", l.Name)
			}
		}
		f.locations = req.FailoverPolicies
	case KeyOfflineRegion, KeyOnlineRegion:
		var req struct {
			Region string `json:"region"`
		}
		if err := json.Unmarshal(body, &req); err != nil {
			return bad("%v", err)
		}
		i := slices.IndexFunc(f.locations, func(l failover.Location) bool { return l.Name == req.Region })
		if i < 0 {
			return bad("%s is not a region of the account", req.Region)
		}
		off := slices.Contains(f.offline, req.Region)
		if key == KeyOnlineRegion {
			if !off {
				return bad("Region %s is not offline", req.Region)
			}
			f.offline = slices.DeleteFunc(f.offline, func(r string) bool { return r == req.Region })
			return 0, "", ""
		}
		if off {
			return bad("Region %s is already offline", req.Region)
		}
		acct := failover.Account{Locations: f.locations}
		if acct.WriteRegion() == req.Region {
			// The next region by priority takes writes.
			f.locations = failover.WithWriteRegion(acct, failover.WithWriteRegion(acct, req.Region)[1].Name)
		}
		f.offline = append(f.offline, req.Region)
	default:
		return http.StatusNotFound, "NotFound", key
	}
	return 0, "", ""
}
