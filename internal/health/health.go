// Package health reads, from Azure Resource Manager, whether a set of DR
// stacks is healthy after a release: the checks of the release gate (drctl
// rollout gate) between two rings.
//
// For every stack it reads what the stack itself declares, by the names
// package naming gives and the rules package detection declares:
//
//   - traffic-manager-endpoints-online (full tier): the stack's Traffic
//     Manager profile is Enabled and each of its endpoints (primary,
//     secondary) is Enabled with endpointMonitorStatus Online;
//   - availability-tests-passing (full tier): each standard web test of
//     /health/check (detection.WebTests) passed at least MinAvailability
//     percent of its runs over the window, by the Application Insights
//     metric availabilityResults/availabilityPercentage, split per test;
//   - no-dr-alert-firing (every DR stack): no alert of the stack's rules
//     (detection.Rules, named naming.AlertRule) is Fired in Alerts
//     Management, whether New or Acknowledged (a live incident, owned or
//     not); only one a person Closed does not count. One paged query per
//     check serves the whole ring.
//
// Every problem of every stack is reported at once. A problem is Pending
// when it may clear on its own (an endpoint still being checked, a test
// without results yet, a read that failed after its retries): the gate
// does not halt a bake early on it, but halts at the end. Reads go through
// a Reader, the failover client with its bounded retries in drctl.
package health

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"golang.org/x/sync/errgroup"

	"github.com/fhir-dr/fhir-dr/azure/armid"
	"github.com/fhir-dr/fhir-dr/detection"
	"github.com/fhir-dr/fhir-dr/drconfig"
	"github.com/fhir-dr/fhir-dr/internal/failover"
	"github.com/fhir-dr/fhir-dr/naming"
)

// The API versions of the reads.
const (
	// TrafficManagerAPIVersion is Microsoft.Network/trafficmanagerprofiles'
	// as the pinned azure-native release declares the profile and its
	// endpoints (azure/trafficmanager).
	TrafficManagerAPIVersion = "2022-04-01"
	// MetricsAPIVersion is Azure Monitor's metrics API (Microsoft.Insights
	// metrics, 2023-10-01), the version the failover tooling reads
	// replication latency with.
	MetricsAPIVersion = failover.MetricsAPIVersion
	// AlertsAPIVersion is Alerts Management's (Microsoft.AlertsManagement
	// alerts, "Alerts - Get All" at subscription scope).
	AlertsAPIVersion = "2019-05-05-preview"
)

// The gates this package checks, by the names the rollout plan lists.
const (
	GateTrafficManager = "traffic-manager-endpoints-online"
	GateAvailability   = "availability-tests-passing"
	GateAlerts         = "no-dr-alert-firing"
)

// Gates are the gates Check knows, in the order it reports them.
var Gates = []string{GateTrafficManager, GateAvailability, GateAlerts}

// The Application Insights metric of the availability tests.
const (
	AvailabilityMetric    = "availabilityResults/availabilityPercentage"
	AvailabilityNamespace = "microsoft.insights/components"
	// AvailabilityDimension splits the metric per web test (its Azure
	// name).
	AvailabilityDimension = "availabilityResult/name"
)

// DefaultMinAvailability is the share of runs, in percent, each
// availability test must pass over the window.
const DefaultMinAvailability = 99.0

// MaxAlertPages bounds the pages of the alert list read per check.
const MaxAlertPages = 100

// AlertsTimeRange is the window of the alert list, the widest Alerts
// Management's timeRange filter offers: without it the list holds one day,
// and an incident older than that, still firing and acknowledged, would
// not halt the gate.
const AlertsTimeRange = "30d"

// Reader reads Resource Manager: target is a path under its endpoint (or
// an absolute URL on it, a nextLink), and a non-200 answer is an
// *azcore.ResponseError. *failover.Client is one.
type Reader interface {
	ReadJSON(ctx context.Context, target, apiVersion string, query url.Values, out any) error
}

// Target is what the gate reads of one stack, by its Azure names.
type Target struct {
	// Customer is the stack.
	Customer string
	// ProfileID is the Traffic Manager profile's ARM ID; "" without one
	// (data tier, no DR).
	ProfileID string
	// Endpoints are the profile's endpoint names.
	Endpoints []string
	// ComponentID is the Application Insights component of the
	// availability tests; "" without tests.
	ComponentID string
	// WebTests are the tests' Azure names.
	WebTests []string
	// MinWindow is the shortest availability window that holds a result
	// of every location: twice the test frequency.
	MinWindow time.Duration
	// AlertRules are the Azure names of the stack's DR alert rules.
	AlertRules []string
}

// TargetOf is what the gate reads of a stack in the subscription.
func TargetOf(cfg *drconfig.Config, subscription string) Target {
	t := Target{Customer: cfg.Customer}
	for _, r := range cfg.AlertRules() {
		t.AlertRules = append(t.AlertRules, naming.AlertRule(cfg.Customer, r.Key))
	}
	if !cfg.HasCompute() {
		return t
	}
	// The profile, the alert rules, the availability tests and their
	// component live in the DR region's group (components.NewCustomerDR).
	rg := armid.ResourceGroup(subscription, naming.SecondaryResourceGroup(cfg.Customer, cfg.DR.SecondaryRegion))
	t.ProfileID = rg + "/providers/Microsoft.Network/trafficmanagerprofiles/" + naming.TrafficManagerProfile(cfg.Customer)
	for _, role := range naming.StampRoles {
		t.Endpoints = append(t.Endpoints, string(role))
	}
	in := cfg.DetectionInputs()
	if tests := detection.WebTests(in); len(tests) > 0 {
		t.ComponentID = rg + "/providers/Microsoft.Insights/components/" + naming.AppInsights(cfg.Customer)
		for _, w := range tests {
			t.WebTests = append(t.WebTests, naming.WebTest(cfg.Customer, w.Key))
		}
		t.MinWindow = 2 * time.Duration(in.Availability.FrequencySeconds) * time.Second
	}
	return t
}

// Problem is one thing wrong with a stack.
type Problem struct {
	// Gate is the gate it fails.
	Gate string
	// Message says what is wrong, naming the resource.
	Message string
	// Pending is true for a problem that may clear on its own: the bake
	// goes on, the final check halts.
	Pending bool
}

// String is the problem in one line.
func (p Problem) String() string {
	s := p.Gate + ": " + p.Message
	if p.Pending {
		s += " (pending)"
	}
	return s
}

// Stack is one stack's result.
type Stack struct {
	// Customer is the stack.
	Customer string
	// Checked are the gates that apply to it and were checked.
	Checked []string
	// Problems are all its problems, in gate order.
	Problems []Problem
}

// Report is the result of one check of a set of stacks.
type Report struct {
	// Stacks are in the order given.
	Stacks []Stack
	// Window is the availability window of the check.
	Window time.Duration
}

// Healthy reports whether no stack has a problem.
func (r Report) Healthy() bool {
	return !slices.ContainsFunc(r.Stacks, func(s Stack) bool { return len(s.Problems) > 0 })
}

// Definite reports whether some stack has a problem that is not Pending:
// health has gone bad, which ends a bake early.
func (r Report) Definite() bool {
	for _, s := range r.Stacks {
		if slices.ContainsFunc(s.Problems, func(p Problem) bool { return !p.Pending }) {
			return true
		}
	}
	return false
}

// Unhealthy returns the stacks with a problem.
func (r Report) Unhealthy() []Stack {
	var out []Stack
	for _, s := range r.Stacks {
		if len(s.Problems) > 0 {
			out = append(out, s)
		}
	}
	return out
}

// Options configure Check.
type Options struct {
	// Gates are the gates to check (names of Gates); nil checks all.
	Gates []string
	// Window is how far back the availability tests are judged, at least
	// each stack's Target.MinWindow.
	Window time.Duration
	// MinAvailability is the least share of passed runs, in percent; 0 is
	// DefaultMinAvailability.
	MinAvailability float64
	// Parallel bounds the stacks read at once; 0 is 8.
	Parallel int
}

func (o Options) wants(gate string) bool { return o.Gates == nil || slices.Contains(o.Gates, gate) }

// Check reads the health of every stack in the subscription and reports
// every problem of each. A read that fails is a Pending problem of its
// stack (of every stack, for the alert list), never an error: the error
// is ctx's, when it ended before every read was done (the report then
// holds what was read).
func Check(ctx context.Context, r Reader, subscription string, stacks []*drconfig.Config, o Options) (Report, error) {
	targets := make([]Target, len(stacks))
	for i, cfg := range stacks {
		targets[i] = TargetOf(cfg, subscription)
	}
	return CheckTargets(ctx, r, subscription, targets, o)
}

// CheckTargets is Check for targets already derived.
func CheckTargets(ctx context.Context, r Reader, subscription string, targets []Target, o Options) (Report, error) {
	if o.MinAvailability <= 0 {
		o.MinAvailability = DefaultMinAvailability
	}
	if o.Parallel <= 0 {
		o.Parallel = 8
	}
	for _, g := range o.Gates {
		if !slices.Contains(Gates, g) {
			return Report{}, fmt.Errorf("health: unknown gate %q: one of %s", g, strings.Join(Gates, ", "))
		}
	}
	report := Report{Stacks: make([]Stack, len(targets)), Window: o.Window}
	byGate := make([]map[string][]Problem, len(targets))
	checked := make([][]string, len(targets))
	var mu sync.Mutex
	add := func(i int, p Problem) {
		mu.Lock()
		defer mu.Unlock()
		byGate[i][p.Gate] = append(byGate[i][p.Gate], p)
	}
	for i, t := range targets {
		byGate[i] = map[string][]Problem{}
		if o.wants(GateTrafficManager) && t.ProfileID != "" {
			checked[i] = append(checked[i], GateTrafficManager)
		}
		if o.wants(GateAvailability) && t.ComponentID != "" {
			checked[i] = append(checked[i], GateAvailability)
		}
		if o.wants(GateAlerts) && len(t.AlertRules) > 0 {
			checked[i] = append(checked[i], GateAlerts)
		}
	}

	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(o.Parallel)
	if o.wants(GateAlerts) && slices.ContainsFunc(targets, func(t Target) bool { return len(t.AlertRules) > 0 }) {
		g.Go(func() error {
			fired, err := FiredAlerts(gctx, r, subscription, targets)
			for i, t := range targets {
				if len(t.AlertRules) == 0 {
					continue
				}
				if err != nil {
					add(i, Problem{Gate: GateAlerts, Message: err.Error(), Pending: true})
					continue
				}
				for _, p := range fired[t.Customer] {
					add(i, p)
				}
			}
			return nil
		})
	}
	for i, t := range targets {
		if o.wants(GateTrafficManager) && t.ProfileID != "" {
			g.Go(func() error {
				for _, p := range trafficManager(gctx, r, t) {
					add(i, p)
				}
				return nil
			})
		}
		if o.wants(GateAvailability) && t.ComponentID != "" {
			g.Go(func() error {
				for _, p := range availability(gctx, r, t, max(o.Window, t.MinWindow), o.MinAvailability) {
					add(i, p)
				}
				return nil
			})
		}
	}
	_ = g.Wait()
	for i, t := range targets {
		s := Stack{Customer: t.Customer, Checked: checked[i]}
		for _, gate := range Gates {
			s.Problems = append(s.Problems, byGate[i][gate]...)
		}
		report.Stacks[i] = s
	}
	return report, ctx.Err()
}

// readProblem is a read that failed, as a Pending problem.
func readProblem(gate, what string, err error) Problem {
	var re *azcore.ResponseError
	if errors.As(err, &re) && re.StatusCode == http.StatusNotFound {
		return Problem{Gate: gate, Message: what + " not found (404): is the stack deployed?"}
	}
	return Problem{Gate: gate, Message: "could not read " + what + ": " + err.Error(), Pending: true}
}

// trafficEndpoint is an endpoint as the profile lists it.
type trafficEndpoint struct {
	Name       string `json:"name"`
	Properties struct {
		EndpointStatus        string `json:"endpointStatus"`
		EndpointMonitorStatus string `json:"endpointMonitorStatus"`
	} `json:"properties"`
}

// trafficManager reads the profile with its endpoints.
func trafficManager(ctx context.Context, r Reader, t Target) []Problem {
	var body struct {
		Properties struct {
			ProfileStatus string            `json:"profileStatus"`
			Endpoints     []trafficEndpoint `json:"endpoints"`
		} `json:"properties"`
	}
	profile := "Traffic Manager profile " + path.Base(t.ProfileID)
	if err := r.ReadJSON(ctx, t.ProfileID, TrafficManagerAPIVersion, nil, &body); err != nil {
		return []Problem{readProblem(GateTrafficManager, profile, err)}
	}
	var out []Problem
	bad := func(pending bool, format string, args ...any) {
		out = append(out, Problem{Gate: GateTrafficManager, Message: fmt.Sprintf(format, args...), Pending: pending})
	}
	if s := body.Properties.ProfileStatus; !strings.EqualFold(s, "Enabled") {
		bad(false, "%s is %s, not Enabled", profile, orNone(s))
	}
	for _, name := range t.Endpoints {
		i := slices.IndexFunc(body.Properties.Endpoints, func(e trafficEndpoint) bool { return strings.EqualFold(e.Name, name) })
		if i < 0 {
			bad(false, "%s has no endpoint %s", profile, name)
			continue
		}
		p := body.Properties.Endpoints[i].Properties
		switch {
		case !strings.EqualFold(p.EndpointStatus, "Enabled"):
			bad(false, "endpoint %s is %s, not Enabled: Traffic Manager never routes to it", name, orNone(p.EndpointStatus))
		case strings.EqualFold(p.EndpointMonitorStatus, "Online"):
		case strings.EqualFold(p.EndpointMonitorStatus, "CheckingEndpoint"):
			bad(true, "endpoint %s is CheckingEndpoint (its probe has not answered yet)", name)
		default:
			bad(false, "endpoint %s is %s, not Online: its /health/check probe fails", name, orNone(p.EndpointMonitorStatus))
		}
	}
	return out
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// availability reads each web test's availability over the window.
func availability(ctx context.Context, r Reader, t Target, window time.Duration, minimum float64) []Problem {
	q := url.Values{}
	q.Set("metricnames", AvailabilityMetric)
	q.Set("metricnamespace", AvailabilityNamespace)
	q.Set("aggregation", "Average")
	q.Set("interval", "FULL")
	q.Set("timespan", detection.ISO8601(window))
	q.Set("$filter", AvailabilityDimension+" eq '*'")
	var body struct {
		Value []struct {
			Timeseries []struct {
				Metadata []struct {
					Name struct {
						Value string `json:"value"`
					} `json:"name"`
					Value string `json:"value"`
				} `json:"metadatavalues"`
				Data []struct {
					Average *float64 `json:"average"`
				} `json:"data"`
			} `json:"timeseries"`
		} `json:"value"`
	}
	what := "the availability of " + path.Base(t.ComponentID)
	if err := r.ReadJSON(ctx, t.ComponentID+"/providers/Microsoft.Insights/metrics", MetricsAPIVersion, q, &body); err != nil {
		return []Problem{readProblem(GateAvailability, what, err)}
	}
	sum, n := map[string]float64{}, map[string]int{}
	for _, m := range body.Value {
		for _, ts := range m.Timeseries {
			test := ""
			for _, md := range ts.Metadata {
				if strings.EqualFold(md.Name.Value, AvailabilityDimension) {
					test = strings.ToLower(md.Value)
				}
			}
			for _, d := range ts.Data {
				if d.Average != nil {
					sum[test] += *d.Average
					n[test]++
				}
			}
		}
	}
	var out []Problem
	for _, test := range t.WebTests {
		k := strings.ToLower(test)
		if n[k] == 0 {
			out = append(out, Problem{Gate: GateAvailability, Pending: true,
				Message: fmt.Sprintf("availability test %s has no result in the last %s (disabled, not run yet, or not yet published)", test, window)})
			continue
		}
		if avg := sum[k] / float64(n[k]); avg < minimum {
			out = append(out, Problem{Gate: GateAvailability,
				Message: fmt.Sprintf("availability test %s passed %s%% of its runs in the last %s (at least %s%% required)",
					test, strconv.FormatFloat(avg, 'f', -1, 64), window, strconv.FormatFloat(minimum, 'f', -1, 64))})
		}
	}
	return out
}

// The alert states of Alerts Management (essentials.alertState) the gate
// tells apart: an alert is New until a person acknowledges or closes it.
const (
	AlertStateNew    = "New"
	AlertStateClosed = "Closed"
)

// FiredAlerts reads the alerts whose monitor condition is Fired in the
// subscription over AlertsTimeRange (every page, at most MaxAlertPages)
// and returns those of the
// targets' DR alert rules, by customer, as problems: New and Acknowledged
// ones alike, for an acknowledged alert is a live incident with an owner,
// no reason to release into its stack. An alert a person Closed is left
// out: the incident is over even if the condition has not cleared yet.
func FiredAlerts(ctx context.Context, r Reader, subscription string, targets []Target) (map[string][]Problem, error) {
	owner := map[string]string{} // lower-case rule name: customer
	for _, t := range targets {
		for _, rule := range t.AlertRules {
			owner[strings.ToLower(rule)] = t.Customer
		}
	}
	out := map[string][]Problem{}
	if len(owner) == 0 {
		return out, nil // no stack with DR alert rules: nothing to read
	}
	// Alerts Management's alertState filter takes a single state (New,
	// Acknowledged or Closed; none is all), so "not Closed" cannot be
	// asked for in one query: the gate asks for every Fired alert and
	// drops the Closed ones itself, keeping one paged query per check. A
	// state it does not know halts, as a New one does.
	q := url.Values{}
	q.Set("monitorCondition", "Fired")
	q.Set("timeRange", AlertsTimeRange)
	next := "/subscriptions/" + subscription + "/providers/Microsoft.AlertsManagement/alerts"
	for page := 0; next != ""; page++ {
		if page == MaxAlertPages {
			return nil, fmt.Errorf("the list of fired alerts has more than %d pages", MaxAlertPages)
		}
		var body struct {
			NextLink string `json:"nextLink"`
			Value    []struct {
				Name       string `json:"name"`
				Properties struct {
					Essentials struct {
						Severity           string `json:"severity"`
						AlertRule          string `json:"alertRule"`
						TargetResourceName string `json:"targetResourceName"`
						StartDateTime      string `json:"startDateTime"`
						MonitorCondition   string `json:"monitorCondition"`
						AlertState         string `json:"alertState"`
					} `json:"essentials"`
				} `json:"properties"`
			} `json:"value"`
		}
		if err := r.ReadJSON(ctx, next, AlertsAPIVersion, q, &body); err != nil {
			return nil, fmt.Errorf("could not read the fired alerts: %w", err)
		}
		for _, a := range body.Value {
			e := a.Properties.Essentials
			rule := path.Base(strings.TrimRight(e.AlertRule, "/"))
			customer, ok := owner[strings.ToLower(rule)]
			if !ok {
				continue
			}
			// The query asked for Fired alerts only; one that says it is
			// Resolved anyway has cleared.
			if strings.EqualFold(e.MonitorCondition, "Resolved") || strings.EqualFold(e.AlertState, AlertStateClosed) {
				continue
			}
			msg := fmt.Sprintf("alert %s (%s) is firing", rule, orNone(e.Severity))
			if e.TargetResourceName != "" {
				msg += " on " + e.TargetResourceName
			}
			if e.StartDateTime != "" {
				msg += " since " + e.StartDateTime
			}
			if e.AlertState != "" && !strings.EqualFold(e.AlertState, AlertStateNew) {
				// Acknowledged: someone owns the incident, whom the
				// operator asks before anything else.
				msg += ", " + strings.ToLower(e.AlertState)
			}
			out[customer] = append(out[customer], Problem{Gate: GateAlerts, Message: msg})
		}
		next, q = body.NextLink, nil // a nextLink carries its own query
	}
	return out, nil
}
