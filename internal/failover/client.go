// Package failover moves a Cosmos DB account's write region through the
// Azure Resource Manager REST API, the way the runbook does it:
//
//   - planned (both regions healthy): turn service-managed failover off,
//     change the failover priorities (failoverPriorityChange; no data is
//     lost), turn it back on, and check the new write region;
//   - forced (the write region is down): take the write region offline
//     (offlineRegion), which fails over in seconds and may lose writes not
//     yet replicated; nothing else is sent to a struggling control plane;
//   - drill: the documented exercise, a planned failover and failback with
//     checks between, leaving the account as it was.
//
// Requests go through an azcore pipeline: bearer tokens, retries of 429
// (honouring Retry-After) and 5xx, and long-running-operation polling. A
// conflict with another control-plane operation ("exclusive lock") is
// retried with backoff. With DryRun set, the requests are printed instead.
package failover

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/fhir-dr/fhir-dr/azure/regions"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
)

// APIVersion is the Microsoft.DocumentDB API version used: the one the
// pinned azure-native release uses for database accounts.
const APIVersion = "2025-10-15"

// Client talks to ARM about Cosmos DB accounts.
type Client struct {
	pipeline runtime.Pipeline
	endpoint string
	// Out receives a line per step.
	Out io.Writer
	// DryRun prints the mutating requests instead of sending them.
	DryRun bool
	// PollFrequency is how often long-running operations are polled.
	PollFrequency time.Duration
	// LockRetries and LockBackoff govern retries of requests that meet
	// another operation's exclusive lock.
	LockRetries int
	LockBackoff time.Duration
}

// NewClient returns a client that authenticates with cred. options may set
// the cloud, the transport and the retry policy.
func NewClient(cred azcore.TokenCredential, options *arm.ClientOptions) (*Client, error) {
	c, err := arm.NewClient("fhir-dr/failover", "v1.0.0", cred, options)
	if err != nil {
		return nil, fmt.Errorf("failover: %w", err)
	}
	return &Client{pipeline: c.Pipeline(), endpoint: c.Endpoint(), Out: io.Discard,
		PollFrequency: 5 * time.Second, LockRetries: 6, LockBackoff: 20 * time.Second}, nil
}

// Location is one region of an account with its failover priority.
type Location struct {
	// Name is the region as the account reports it, e.g. "East US".
	Name string `json:"locationName"`
	// Priority is 0 for the write region.
	Priority int `json:"failoverPriority"`
}

// Account is what the failover needs to know of an account.
type Account struct {
	// ID is the account's ARM ID as Azure reports it.
	ID string
	// AutomaticFailover is the service-managed failover setting.
	AutomaticFailover bool
	// Locations are the failover policies, by priority.
	Locations []Location
	// RequestID is ARM's ID of the request that read the account
	// (x-ms-request-id).
	RequestID string
}

// WriteRegion returns the region at priority 0.
func (a Account) WriteRegion() string {
	for _, l := range a.Locations {
		if l.Priority == 0 {
			return l.Name
		}
	}
	return ""
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

// Get reads the account.
func (c *Client) Get(ctx context.Context, accountID string) (Account, error) {
	req, err := c.request(ctx, http.MethodGet, accountID, "", nil)
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
	var body struct {
		ID         string `json:"id"`
		Properties struct {
			EnableAutomaticFailover bool       `json:"enableAutomaticFailover"`
			FailoverPolicies        []Location `json:"failoverPolicies"`
		} `json:"properties"`
	}
	if err := runtime.UnmarshalAsJSON(resp, &body); err != nil {
		return Account{}, fmt.Errorf("reading %s: %w", accountID, err)
	}
	return Account{ID: body.ID, AutomaticFailover: body.Properties.EnableAutomaticFailover, Locations: body.Properties.FailoverPolicies,
		RequestID: requestID(resp)}, nil
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

// SetAutomaticFailover turns service-managed failover on or off.
func (c *Client) SetAutomaticFailover(ctx context.Context, accountID string, on bool) error {
	body := map[string]any{"properties": map[string]any{"enableAutomaticFailover": on}}
	_, err := c.mutate(ctx, http.MethodPatch, accountID, "", body, fmt.Sprintf("turn service-managed failover %s", onOff(on)))
	return err
}

// ChangePriorities sets the failover priorities: the region at 0 takes
// writes. Service-managed failover must be off. It returns ARM's request ID.
func (c *Client) ChangePriorities(ctx context.Context, accountID string, locations []Location) (string, error) {
	body := map[string]any{"failoverPolicies": locations}
	return c.mutate(ctx, http.MethodPost, accountID, "failoverPriorityChange", body,
		fmt.Sprintf("change failover priorities (%s)", describe(locations)))
}

// OfflineRegion takes a region offline: a forced failover when it is the
// write region. It returns ARM's request ID.
func (c *Client) OfflineRegion(ctx context.Context, accountID, region string) (string, error) {
	return c.mutate(ctx, http.MethodPost, accountID, "offlineRegion", map[string]any{"region": region},
		fmt.Sprintf("take %s offline", region))
}

// OnlineRegion brings a region taken offline back as a read region.
func (c *Client) OnlineRegion(ctx context.Context, accountID, region string) error {
	_, err := c.mutate(ctx, http.MethodPost, accountID, "onlineRegion", map[string]any{"region": region},
		fmt.Sprintf("bring %s online", region))
	return err
}

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

func (c *Client) request(ctx context.Context, method, accountID, action string, body any) (*policy.Request, error) {
	url := runtime.JoinPaths(c.endpoint, accountID)
	if action != "" {
		url = runtime.JoinPaths(url, action)
	}
	req, err := runtime.NewRequest(ctx, method, url)
	if err != nil {
		return nil, err
	}
	q := req.Raw().URL.Query()
	q.Set("api-version", APIVersion)
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
// operation, retrying while another operation holds the account's lock. It
// returns ARM's ID of the request that was carried out ("" in a dry run).
func (c *Client) mutate(ctx context.Context, method, accountID, action string, body any, what string) (string, error) {
	if c.DryRun {
		b, _ := json.Marshal(body)
		path := accountID
		if action != "" {
			path += "/" + action
		}
		fmt.Fprintf(c.Out, "dry run: %s: %s %s?api-version=%s %s\n", what, method, path, APIVersion, b)
		return "", nil
	}
	fmt.Fprintf(c.Out, "%s ...\n", what)
	for attempt := 0; ; attempt++ {
		id, err := c.send(ctx, method, accountID, action, body)
		if err == nil {
			fmt.Fprintf(c.Out, "%s: done\n", what)
			return id, nil
		}
		if !lockConflict(err) || attempt >= c.LockRetries {
			return "", fmt.Errorf("%s: %w", what, err)
		}
		wait := c.LockBackoff * time.Duration(attempt+1)
		fmt.Fprintf(c.Out, "%s: another operation holds the account's lock; retrying in %s\n", what, wait)
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return "", fmt.Errorf("%s: %w", what, ctx.Err())
		}
	}
}

func (c *Client) send(ctx context.Context, method, accountID, action string, body any) (string, error) {
	req, err := c.request(ctx, method, accountID, action, body)
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
		return "", err
	}
	_, err = poller.PollUntilDone(ctx, &runtime.PollUntilDoneOptions{Frequency: c.PollFrequency})
	return id, err
}

// lockConflict reports whether err is ARM refusing a request because
// another operation on the account is in progress.
func lockConflict(err error) bool {
	var re *azcore.ResponseError
	if !errors.As(err, &re) {
		return false
	}
	if re.StatusCode != http.StatusConflict && re.StatusCode != http.StatusPreconditionFailed {
		return false
	}
	return strings.Contains(strings.ToLower(re.Error()), "exclusive lock")
}
