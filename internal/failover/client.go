// Package failover moves a Cosmos DB account's write region through the
// Azure Resource Manager REST API, the way the runbook does it:
//
//   - planned (both regions healthy): turn service-managed failover off,
//     change the failover priorities (failoverPriorityChange; no data is
//     lost), check the new write region, turn it back on;
//   - forced (the write region is down): take the write region offline
//     (offlineRegion), which fails over in seconds and may lose writes not
//     yet replicated; nothing else is sent to a struggling control plane;
//   - drill: the documented exercise, a planned failover and failback with
//     checks between, leaving the account as it was, each step timed.
//
// Every procedure is planned from the account's state as Azure reports it
// (Get), never from what the stack file says, so that running it again
// after an interruption carries on from where Azure is (see Plan).
//
// Requests go through an azcore pipeline with a per-try timeout and this
// package's retry policy (RetryPolicy): 408, 429 and 5xx answers, and
// conflicts with another operation's exclusive lock (409/412), are retried
// a bounded number of times, honouring Retry-After up to a bound; a larger
// Retry-After fails at once, naming it. Long-running operations are polled
// until the caller's context ends.
package failover

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	armruntime "github.com/Azure/azure-sdk-for-go/sdk/azcore/arm/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"

	"github.com/fhir-dr/fhir-dr/azure/regions"
)

// APIVersion is the Microsoft.DocumentDB API version used: the one the
// pinned azure-native release uses for database accounts.
const APIVersion = "2025-10-15"

// MetricsAPIVersion is the Azure Monitor metrics API version used to read
// the account's replication latency.
const MetricsAPIVersion = "2023-10-01"

// Clouds are the Azure clouds drctl reaches, by the name --cloud takes.
var Clouds = map[string]cloud.Configuration{
	"AzurePublic":       cloud.AzurePublic,
	"AzureUSGovernment": cloud.AzureGovernment,
	"AzureChina":        cloud.AzureChina,
}

// CloudNames are the keys of Clouds, in the order help texts list them.
var CloudNames = []string{"AzurePublic", "AzureUSGovernment", "AzureChina"}

// Options configure a Client.
type Options struct {
	// Cloud is the Azure cloud whose Resource Manager the client talks to;
	// the zero value is AzurePublic. Ignored with Endpoint.
	Cloud cloud.Configuration
	// Credential authenticates to the cloud's Resource Manager. Required
	// unless Endpoint is set, and refused with it.
	Credential azcore.TokenCredential
	// Endpoint, for tests only, is a stand-in for Resource Manager on the
	// loopback interface (http://127.0.0.1:PORT; see LoopbackEndpoint).
	// The pipeline then has no bearer-token policy: no credential is
	// created or sent.
	Endpoint string
	// Transport replaces the HTTP client. Optional.
	Transport policy.Transporter
	// Retry bounds the retries of every request; zero fields take
	// DefaultRetry's.
	Retry RetryPolicy
	// PollFrequency is how often long-running operations are polled;
	// 0 is 5 s.
	PollFrequency time.Duration
	// Out receives a line per step and per retry. Optional.
	Out io.Writer
}

// Client talks to ARM about one Cosmos DB account at a time.
type Client struct {
	pipeline runtime.Pipeline
	endpoint string
	retry    RetryPolicy
	// Out receives a line per step and per retry.
	Out io.Writer
	// PollFrequency is how often long-running operations are polled.
	PollFrequency time.Duration
	// RestoreTimeout bounds turning service-managed failover back on
	// after a procedure failed or was interrupted: it runs on a context of
	// its own, after the caller's has ended.
	RestoreTimeout time.Duration
}

// LoopbackEndpoint checks that raw is an http(s) URL on the loopback
// interface (127.0.0.0/8, ::1 or localhost), the only place a stand-in
// for Resource Manager may be, and returns it without a trailing slash.
// Anything else is refused: a client without credentials is for tests,
// and a client with them talks only to Azure.
func LoopbackEndpoint(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("ARM endpoint %q: %w", raw, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" ||
		strings.Trim(u.Path, "/") != "" {
		return "", fmt.Errorf("ARM endpoint %q: must be http://<loopback address>:<port>, nothing more", raw)
	}
	host := u.Hostname()
	ip := net.ParseIP(host)
	if !strings.EqualFold(host, "localhost") && (ip == nil || !ip.IsLoopback()) {
		return "", fmt.Errorf("ARM endpoint %q is not on the loopback interface (127.0.0.0/8, ::1, localhost): "+
			"an endpoint other than Azure's is for local test doubles only", raw)
	}
	return strings.TrimRight(u.String(), "/"), nil
}

// NewClient returns a client for the cloud and credential of options, or,
// with options.Endpoint, for a loopback stand-in without any credential.
func NewClient(options Options) (*Client, error) {
	retry := options.Retry.withDefaults()
	out := options.Out
	if out == nil {
		out = io.Discard
	}
	c := &Client{retry: retry, Out: out, PollFrequency: options.PollFrequency, RestoreTimeout: RestoreTimeout}
	if c.PollFrequency <= 0 {
		c.PollFrequency = 5 * time.Second
	}
	retry.notify = func(format string, args ...any) { fmt.Fprintf(c.Out, format+"\n", args...) }
	plOpts := runtime.PipelineOptions{PerCall: []policy.Policy{&retryPolicy{p: retry}}}
	// azcore's own retry policy makes exactly one try, bounded by
	// TryTimeout; retryPolicy decides about the others.
	clientOpts := policy.ClientOptions{Transport: options.Transport,
		Retry: policy.RetryOptions{MaxRetries: -1, TryTimeout: retry.TryTimeout}}
	if options.Endpoint != "" {
		if options.Credential != nil {
			return nil, errors.New("failover: a credential is never sent to a stand-in endpoint")
		}
		endpoint, err := LoopbackEndpoint(options.Endpoint)
		if err != nil {
			return nil, fmt.Errorf("failover: %w", err)
		}
		c.endpoint = endpoint
		c.pipeline = runtime.NewPipeline("fhir-dr/failover", "v1.0.0", plOpts, &clientOpts)
		return c, nil
	}
	if options.Credential == nil {
		return nil, errors.New("failover: Azure credentials are required")
	}
	clientOpts.Cloud = options.Cloud
	if clientOpts.Cloud.Services == nil {
		clientOpts.Cloud = cloud.AzurePublic
	}
	svc, ok := clientOpts.Cloud.Services[cloud.ResourceManager]
	if !ok || svc.Endpoint == "" {
		return nil, errors.New("failover: the cloud configuration has no Resource Manager endpoint")
	}
	pl, err := armruntime.NewPipeline("fhir-dr/failover", "v1.0.0", options.Credential, plOpts, &arm.ClientOptions{ClientOptions: clientOpts})
	if err != nil {
		return nil, fmt.Errorf("failover: %w", err)
	}
	c.endpoint, c.pipeline = strings.TrimRight(svc.Endpoint, "/"), pl
	return c, nil
}

// Location is one region of an account with its failover priority.
type Location struct {
	// Name is the region as the account reports it, e.g. "East US".
	Name string `json:"locationName"`
	// Priority is 0 for the write region.
	Priority int `json:"failoverPriority"`
}

// Region is one region of an account with its status.
type Region struct {
	// Name is the region as the account reports it, e.g. "East US".
	Name string
	// Priority is its failover priority.
	Priority int
	// ProvisioningState is Azure's, e.g. "Succeeded".
	ProvisioningState string
	// Online is true when the region's provisioning state is "Succeeded"
	// and it serves reads or writes (readLocations, writeLocations): a
	// region taken offline serves neither.
	Online bool
}

// Account is what the failover needs to know of an account.
type Account struct {
	// ID is the account's ARM ID as Azure reports it.
	ID string
	// AutomaticFailover is the service-managed failover setting.
	AutomaticFailover bool
	// Locations are the failover policies, by priority.
	Locations []Location
	// Regions are the account's regions with their status
	// (properties.locations).
	Regions []Region
	// Writes is the region that takes writes (writeLocations), "" when
	// Azure reports none.
	Writes string
	// RequestID is ARM's ID of the request that read the account
	// (x-ms-request-id).
	RequestID string
}

// WriteRegion returns the region that takes writes: the write location
// Azure reports, else the one at failover priority 0.
func (a Account) WriteRegion() string {
	if a.Writes != "" {
		return a.Writes
	}
	for _, l := range a.Locations {
		if l.Priority == 0 {
			return l.Name
		}
	}
	return ""
}

// Region returns the status of region (an ARM or display name).
func (a Account) Region(region string) (Region, bool) {
	for _, r := range a.Regions {
		if SameRegion(r.Name, region) {
			return r, true
		}
	}
	return Region{}, false
}

// Online reports whether region serves reads or writes.
func (a Account) Online(region string) bool {
	r, ok := a.Region(region)
	return ok && r.Online
}

// Summary is the account's state in one line, for the operator: who
// writes, service-managed failover, the priorities and any region that is
// not online.
func (a Account) Summary() string {
	parts := []string{fmt.Sprintf("%s takes writes", orUnknown(a.WriteRegion())),
		"service-managed failover is " + strings.ToUpper(onOff(a.AutomaticFailover)),
		"failover priorities " + describe(a.Locations)}
	for _, r := range a.Regions {
		switch {
		case r.Online:
		case strings.EqualFold(r.ProvisioningState, "Succeeded"):
			parts = append(parts, fmt.Sprintf("%s is offline (serves neither reads nor writes)", r.Name))
		default:
			parts = append(parts, fmt.Sprintf("%s is not online (provisioningState %s)", r.Name, orUnknown(r.ProvisioningState)))
		}
	}
	return strings.Join(parts, "; ")
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// find returns the account's spelling of region, which may be given as an
// ARM name ("eastus") or a display name ("East US").
func (a Account) find(region string) (string, bool) {
	for _, l := range a.Locations {
		if SameRegion(l.Name, region) {
			return l.Name, true
		}
	}
	return "", false
}

// SameRegion reports whether two spellings name one region.
func SameRegion(a, b string) bool { return regions.Same(a, b) }

// Get reads the account: service-managed failover, the failover
// priorities, the write region and each region's status.
func (c *Client) Get(ctx context.Context, accountID string) (Account, error) {
	req, err := c.request(ctx, http.MethodGet, c.url(accountID, ""), APIVersion, nil)
	if err != nil {
		return Account{}, err
	}
	resp, err := c.pipeline.Do(req)
	if err != nil {
		return Account{}, fmt.Errorf("reading %s: %w", accountID, err)
	}
	if !runtime.HasStatusCode(resp, http.StatusOK) {
		return Account{}, fmt.Errorf("reading %s: %w", accountID, runtime.NewResponseError(resp))
	}
	type regionStatus struct {
		LocationName      string `json:"locationName"`
		FailoverPriority  int    `json:"failoverPriority"`
		ProvisioningState string `json:"provisioningState"`
	}
	var body struct {
		ID         string `json:"id"`
		Properties struct {
			EnableAutomaticFailover bool           `json:"enableAutomaticFailover"`
			FailoverPolicies        []Location     `json:"failoverPolicies"`
			Locations               []regionStatus `json:"locations"`
			ReadLocations           []regionStatus `json:"readLocations"`
			WriteLocations          []regionStatus `json:"writeLocations"`
		} `json:"properties"`
	}
	if err := runtime.UnmarshalAsJSON(resp, &body); err != nil {
		return Account{}, fmt.Errorf("reading %s: %w", accountID, err)
	}
	p := body.Properties
	acct := Account{ID: body.ID, AutomaticFailover: p.EnableAutomaticFailover, Locations: p.FailoverPolicies, RequestID: requestID(resp)}
	if len(p.WriteLocations) > 0 {
		acct.Writes = p.WriteLocations[0].LocationName
	}
	serving := func(name string) bool {
		for _, l := range append(append([]regionStatus{}, p.ReadLocations...), p.WriteLocations...) {
			if SameRegion(l.LocationName, name) {
				return true
			}
		}
		return false
	}
	for _, l := range p.Locations {
		acct.Regions = append(acct.Regions, Region{Name: l.LocationName, Priority: l.FailoverPriority, ProvisioningState: l.ProvisioningState,
			Online: strings.EqualFold(l.ProvisioningState, "Succeeded") && serving(l.LocationName)})
	}
	return acct, nil
}

// ReplicationLag reads the account's replication latency to target (its
// display name, "West US") over the last 15 minutes from Azure Monitor:
// the ReplicationLatency metric (P99, milliseconds), its largest one-minute
// maximum. It fails when Azure Monitor answers no data point, which is
// likely while the source region is down.
func (c *Client) ReplicationLag(ctx context.Context, accountID, target string) (time.Duration, error) {
	u := c.url(accountID, "providers/Microsoft.Insights/metrics")
	req, err := c.request(ctx, http.MethodGet, u, MetricsAPIVersion, nil)
	if err != nil {
		return 0, err
	}
	q := req.Raw().URL.Query()
	q.Set("metricnames", "ReplicationLatency")
	q.Set("aggregation", "Maximum")
	q.Set("interval", "PT1M")
	q.Set("timespan", "PT15M")
	q.Set("$filter", fmt.Sprintf("TargetRegion eq '%s'", target))
	req.Raw().URL.RawQuery = q.Encode()
	resp, err := c.pipeline.Do(req)
	if err != nil {
		return 0, fmt.Errorf("reading the replication latency to %s: %w", target, err)
	}
	if !runtime.HasStatusCode(resp, http.StatusOK) {
		return 0, fmt.Errorf("reading the replication latency to %s: %w", target, runtime.NewResponseError(resp))
	}
	var body struct {
		Value []struct {
			Unit       string `json:"unit"`
			Timeseries []struct {
				Data []struct {
					Maximum *float64 `json:"maximum"`
				} `json:"data"`
			} `json:"timeseries"`
		} `json:"value"`
	}
	if err := runtime.UnmarshalAsJSON(resp, &body); err != nil {
		return 0, fmt.Errorf("reading the replication latency to %s: %w", target, err)
	}
	found, worst := false, 0.0
	for _, m := range body.Value {
		if !strings.EqualFold(m.Unit, "MilliSeconds") && !strings.EqualFold(m.Unit, "Milliseconds") {
			return 0, fmt.Errorf("reading the replication latency to %s: unexpected unit %q", target, m.Unit)
		}
		for _, ts := range m.Timeseries {
			for _, d := range ts.Data {
				if d.Maximum != nil && (!found || *d.Maximum > worst) {
					found, worst = true, *d.Maximum
				}
			}
		}
	}
	if !found {
		return 0, fmt.Errorf("reading the replication latency to %s: Azure Monitor has no data point in the last 15 minutes", target)
	}
	return time.Duration(worst * float64(time.Millisecond)), nil
}

// requestID is ARM's ID of the request a response answers, the one Azure
// support asks for.
func requestID(resp *http.Response) string {
	for _, h := range []string{"x-ms-request-id", "x-ms-correlation-request-id"} {
		if v := resp.Header.Get(h); v != "" {
			return v
		}
	}
	return ""
}

// SetAutomaticFailover turns service-managed failover on or off. It
// returns ARM's request ID.
func (c *Client) SetAutomaticFailover(ctx context.Context, accountID string, on bool) (string, error) {
	return c.mutate(ctx, http.MethodPatch, accountID, "", automaticFailoverBody(on))
}

// ChangePriorities sets the failover priorities: the region at 0 takes
// writes. Service-managed failover must be off. It returns ARM's request ID.
func (c *Client) ChangePriorities(ctx context.Context, accountID string, locations []Location) (string, error) {
	return c.mutate(ctx, http.MethodPost, accountID, "failoverPriorityChange", prioritiesBody(locations))
}

// OfflineRegion takes a region offline: a forced failover when it is the
// write region. It returns ARM's request ID.
func (c *Client) OfflineRegion(ctx context.Context, accountID, region string) (string, error) {
	return c.mutate(ctx, http.MethodPost, accountID, "offlineRegion", regionBody(region))
}

// OnlineRegion brings a region taken offline back as a read region. It
// returns ARM's request ID.
func (c *Client) OnlineRegion(ctx context.Context, accountID, region string) (string, error) {
	return c.mutate(ctx, http.MethodPost, accountID, "onlineRegion", regionBody(region))
}

func automaticFailoverBody(on bool) any {
	return map[string]any{"properties": map[string]any{"enableAutomaticFailover": on}}
}

func prioritiesBody(locations []Location) any { return map[string]any{"failoverPolicies": locations} }

func regionBody(region string) any { return map[string]any{"region": region} }

func onOff(on bool) string {
	if on {
		return "on"
	}
	return "off"
}

func describe(locations []Location) string {
	var parts []string
	for _, l := range locations {
		parts = append(parts, fmt.Sprintf("%s=%d", l.Name, l.Priority))
	}
	return strings.Join(parts, ", ")
}

func (c *Client) url(accountID, action string) string {
	u := runtime.JoinPaths(c.endpoint, accountID)
	if action != "" {
		u = runtime.JoinPaths(u, action)
	}
	return u
}

func (c *Client) request(ctx context.Context, method, u, apiVersion string, body any) (*policy.Request, error) {
	req, err := runtime.NewRequest(ctx, method, u)
	if err != nil {
		return nil, err
	}
	q := req.Raw().URL.Query()
	q.Set("api-version", apiVersion)
	req.Raw().URL.RawQuery = q.Encode()
	req.Raw().Header.Set("Accept", "application/json")
	if body != nil {
		if err := runtime.MarshalAsJSON(req, body); err != nil {
			return nil, err
		}
	}
	return req, nil
}

// mutate sends a mutating request and waits for its long-running
// operation until it ends or ctx does. The retry policy retries it. It
// returns ARM's ID of the request, also with an error once Azure accepted
// it (the operation then failed or was not waited for).
func (c *Client) mutate(ctx context.Context, method, accountID, action string, body any) (string, error) {
	req, err := c.request(ctx, method, c.url(accountID, action), APIVersion, body)
	if err != nil {
		return "", err
	}
	resp, err := c.pipeline.Do(req)
	if err != nil {
		return "", err
	}
	if !runtime.HasStatusCode(resp, http.StatusOK, http.StatusAccepted, http.StatusNoContent) {
		return "", runtime.NewResponseError(resp)
	}
	id := requestID(resp)
	if resp.StatusCode != http.StatusAccepted && resp.Header.Get("Azure-AsyncOperation") == "" {
		return id, nil
	}
	poller, err := runtime.NewPoller[json.RawMessage](resp, c.pipeline, nil)
	if err != nil {
		return id, err
	}
	for !poller.Done() {
		if err := c.retry.Sleep(ctx, c.PollFrequency); err != nil {
			return id, fmt.Errorf("waiting for the operation (request %s): %w", id, err)
		}
		if _, err := poller.Poll(ctx); err != nil {
			return id, fmt.Errorf("polling the operation (request %s): %w", id, err)
		}
	}
	if _, err := poller.Result(ctx); err != nil {
		return id, fmt.Errorf("the operation (request %s): %w", id, err)
	}
	return id, nil
}

// ErrOtherHost is the error of a read whose URL is not on the client's
// Resource Manager endpoint.
var ErrOtherHost = errors.New("not on the client's Resource Manager endpoint")

// ReadJSON reads a Resource Manager resource or list through the client's
// pipeline (its bounded retries, its credential or none for a stand-in)
// and decodes the answer into out. target is a path (an ARM ID, a
// provider path) under the client's endpoint, or an absolute URL on that
// endpoint, as a list's nextLink is; query is added to the URL's own
// query, api-version set from apiVersion unless the URL has one. Any
// answer but 200 is an *azcore.ResponseError; a URL on another host is
// refused (ErrOtherHost) before anything is sent, so that a credential
// never leaves Resource Manager.
func (c *Client) ReadJSON(ctx context.Context, target, apiVersion string, query url.Values, out any) error {
	u := target
	if !strings.HasPrefix(target, "http://") && !strings.HasPrefix(target, "https://") {
		u = runtime.JoinPaths(c.endpoint, target)
	} else {
		parsed, err := url.Parse(target)
		base, _ := url.Parse(c.endpoint)
		if err != nil || base == nil || !strings.EqualFold(parsed.Scheme, base.Scheme) || !strings.EqualFold(parsed.Host, base.Host) {
			return fmt.Errorf("reading %s: %w", target, ErrOtherHost)
		}
	}
	req, err := runtime.NewRequest(ctx, http.MethodGet, u)
	if err != nil {
		return fmt.Errorf("reading %s: %w", target, err)
	}
	q := req.Raw().URL.Query()
	for k, vs := range query {
		for _, v := range vs {
			q.Add(k, v)
		}
	}
	if q.Get("api-version") == "" {
		q.Set("api-version", apiVersion)
	}
	req.Raw().URL.RawQuery = q.Encode()
	req.Raw().Header.Set("Accept", "application/json")
	resp, err := c.pipeline.Do(req)
	if err != nil {
		return fmt.Errorf("reading %s: %w", req.Raw().URL.Path, err)
	}
	if !runtime.HasStatusCode(resp, http.StatusOK) {
		return fmt.Errorf("reading %s: %w", req.Raw().URL.Path, runtime.NewResponseError(resp))
	}
	if err := runtime.UnmarshalAsJSON(resp, out); err != nil {
		return fmt.Errorf("reading %s: %w", req.Raw().URL.Path, err)
	}
	return nil
}
