package fakearm

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/fhir-dr/fhir-dr/internal/health"
)

// The release gate's reads: Traffic Manager profiles with their endpoints,
// the availability metric of Application Insights components, and the
// fired alerts of the subscription. What a test has not set is not found
// (a profile, a component) or empty (the alerts).

// Endpoint is a Traffic Manager endpoint as the profile lists it.
type Endpoint struct {
	// Name is the endpoint's name ("primary").
	Name string
	// Status is endpointStatus; "" is Enabled.
	Status string
	// MonitorStatus is endpointMonitorStatus ("Online", "Degraded",
	// "CheckingEndpoint", ...).
	MonitorStatus string
}

// Alert is an alert in Alerts Management.
type Alert struct {
	// Rule is the alert rule's ARM ID (essentials.alertRule).
	Rule string
	// Severity is "Sev1" and the like.
	Severity string
	// Target is the name of the resource it fired on.
	Target string
	// Start is when it fired (RFC 3339).
	Start string
	// Condition is the monitor condition (essentials.monitorCondition),
	// "" Fired; a Resolved alert is never listed, the gate asks for Fired
	// ones only. State is the alert state (essentials.alertState): "" New,
	// "Acknowledged" or "Closed", listed as set.
	Condition, State string
}

type profile struct {
	status    string
	endpoints []Endpoint
}

type healthState struct {
	profiles     map[string]profile
	availability map[string]map[string][]float64 // component: web test: percentages
	alerts       []Alert
	pageSize     int
	reads        []string
}

func newHealthState() healthState {
	return healthState{profiles: map[string]profile{}, availability: map[string]map[string][]float64{}, pageSize: 50}
}

// SetProfile sets a Traffic Manager profile (by ARM ID), Enabled, with its
// endpoints.
func (f *Server) SetProfile(profileID string, endpoints ...Endpoint) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.health.profiles[strings.ToLower(profileID)] = profile{status: "Enabled", endpoints: slices.Clone(endpoints)}
}

// SetProfileStatus sets a profile's profileStatus.
func (f *Server) SetProfileStatus(profileID, status string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p := f.health.profiles[strings.ToLower(profileID)]
	p.status = status
	f.health.profiles[strings.ToLower(profileID)] = p
}

// SetEndpoint sets one endpoint's monitor status in a profile set before.
func (f *Server) SetEndpoint(profileID, name, monitorStatus string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p := f.health.profiles[strings.ToLower(profileID)]
	for i := range p.endpoints {
		if p.endpoints[i].Name == name {
			p.endpoints[i].MonitorStatus = monitorStatus
		}
	}
}

// SetAvailability sets the data points (percent) of a web test's
// availabilityPercentage in a component (by ARM ID); none is a test
// without results. A component never set is not found.
func (f *Server) SetAvailability(componentID, webTest string, percent ...float64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	k := strings.ToLower(componentID)
	if f.health.availability[k] == nil {
		f.health.availability[k] = map[string][]float64{}
	}
	f.health.availability[k][webTest] = percent
}

// FireAlert adds an alert.
func (f *Server) FireAlert(a Alert) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.health.alerts = append(f.health.alerts, a)
}

// ClearAlerts drops every alert.
func (f *Server) ClearAlerts() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.health.alerts = nil
}

// SetAlertPageSize sets how many alerts a page of the list holds.
func (f *Server) SetAlertPageSize(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.health.pageSize = n
}

// HealthReads returns the gate's reads so far ("KEY path").
func (f *Server) HealthReads() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.health.reads)
}

// healthKey is the fault key of a gate read's path.
func healthKey(p string) (string, bool) {
	l := strings.ToLower(p)
	switch {
	case strings.Contains(l, "/providers/microsoft.network/trafficmanagerprofiles/"):
		return KeyProfile, true
	case strings.Contains(l, "/providers/microsoft.insights/components/") && strings.HasSuffix(l, "/providers/microsoft.insights/metrics"):
		return KeyAvailability, true
	case strings.HasPrefix(l, "/subscriptions/") && strings.HasSuffix(l, "/providers/microsoft.alertsmanagement/alerts"):
		return KeyAlerts, true
	}
	return "", false
}

// serveHealth answers a gate read. f.mu is held and released.
func (f *Server) serveHealth(w http.ResponseWriter, r *http.Request, key string) {
	q := r.URL.Query()
	f.health.reads = append(f.health.reads, key+" "+r.URL.Path)
	want := map[string]string{KeyProfile: health.TrafficManagerAPIVersion, KeyAvailability: health.MetricsAPIVersion,
		KeyAlerts: health.AlertsAPIVersion}[key]
	if r.Method != http.MethodGet {
		f.mu.Unlock()
		fail(w, http.StatusMethodNotAllowed, "MethodNotAllowed", r.Method)
		return
	}
	if v := q.Get("api-version"); v != want {
		f.mu.Unlock()
		fail(w, http.StatusBadRequest, "InvalidApiVersionParameter", "api-version "+v)
		return
	}
	if ft, ok := f.fault(key); ok {
		f.mu.Unlock()
		f.answer(w, r, ft)
		return
	}
	status, body, msg := f.readHealth(key, r.URL.Path, q, r.Host)
	f.mu.Unlock()
	if status != http.StatusOK {
		fail(w, status, strings.ReplaceAll(http.StatusText(status), " ", ""), msg)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(body)
}

// readHealth is the answer to a gate read. f.mu is held.
func (f *Server) readHealth(key, p string, q url.Values, host string) (int, []byte, string) {
	switch key {
	case KeyProfile:
		pr, ok := f.health.profiles[strings.ToLower(p)]
		if !ok {
			return http.StatusNotFound, nil, "profile " + p + " not found"
		}
		var eps []any
		for _, e := range pr.endpoints {
			status := e.Status
			if status == "" {
				status = "Enabled"
			}
			eps = append(eps, map[string]any{"name": e.Name, "type": "Microsoft.Network/trafficManagerProfiles/azureEndpoints",
				"properties": map[string]any{"endpointStatus": status, "endpointMonitorStatus": e.MonitorStatus}})
		}
		b, _ := json.Marshal(map[string]any{"id": p, "name": path.Base(p),
			"properties": map[string]any{"profileStatus": pr.status, "endpoints": eps}})
		return http.StatusOK, b, ""
	case KeyAvailability:
		for k, v := range map[string]string{"metricnames": health.AvailabilityMetric, "metricnamespace": health.AvailabilityNamespace,
			"aggregation": "Average", "interval": "FULL", "$filter": health.AvailabilityDimension + " eq '*'"} {
			if q.Get(k) != v {
				return http.StatusBadRequest, nil, fmt.Sprintf("%s must be %s, got %q", k, v, q.Get(k))
			}
		}
		if !strings.HasPrefix(q.Get("timespan"), "PT") {
			return http.StatusBadRequest, nil, "timespan " + q.Get("timespan")
		}
		component := strings.TrimSuffix(strings.ToLower(p), "/providers/microsoft.insights/metrics")
		tests, ok := f.health.availability[component]
		if !ok {
			return http.StatusNotFound, nil, "component " + component + " not found"
		}
		var series []any
		names := make([]string, 0, len(tests))
		for name := range tests {
			names = append(names, name)
		}
		slices.Sort(names)
		for _, name := range names {
			var data []any
			for i, v := range tests[name] {
				data = append(data, map[string]any{"timeStamp": fmt.Sprintf("2026-11-25T17:%02d:00Z", i), "average": v})
			}
			series = append(series, map[string]any{
				"metadatavalues": []any{map[string]any{"name": map[string]any{"value": health.AvailabilityDimension}, "value": name}},
				"data":           data,
			})
		}
		b, _ := json.Marshal(map[string]any{"value": []any{map[string]any{
			"name": map[string]any{"value": health.AvailabilityMetric}, "unit": "Percent", "timeseries": series}}})
		return http.StatusOK, b, ""
	default: // KeyAlerts
		// The gate asks for every Fired alert of the widest time range
		// and judges alertState itself: a query for one state, without
		// the Fired filter or the time range (a day by default), or with
		// another filter, would miss alerts or read Resolved ones, so it
		// is refused. Alerts are not aged: every one is in the range.
		const want = "the gate asks for monitorCondition=Fired&timeRange=" + health.AlertsTimeRange + " only, got "
		for k := range q {
			if !slices.Contains([]string{"api-version", "monitorCondition", "timeRange", "fakePage"}, k) {
				return http.StatusBadRequest, nil, want + q.Encode()
			}
		}
		if q.Get("monitorCondition") != "Fired" || q.Get("timeRange") != health.AlertsTimeRange {
			return http.StatusBadRequest, nil, want + q.Encode()
		}
		var match []Alert
		for _, a := range f.health.alerts {
			if a.Condition == "" || a.Condition == "Fired" {
				match = append(match, a)
			}
		}
		start, _ := strconv.Atoi(q.Get("fakePage"))
		end := min(start+f.health.pageSize, len(match))
		var value []any
		for i, a := range match[min(start, end):end] {
			state := a.State
			if state == "" {
				state = "New"
			}
			value = append(value, map[string]any{"id": fmt.Sprintf("%s/providers/Microsoft.AlertsManagement/alerts/%d", p, start+i), "name": path.Base(a.Rule),
				"properties": map[string]any{"essentials": map[string]any{"severity": a.Severity, "alertRule": a.Rule,
					"targetResourceName": a.Target, "startDateTime": a.Start, "monitorCondition": "Fired", "alertState": state}}})
		}
		out := map[string]any{"value": value}
		if end < len(match) {
			next := url.Values{"api-version": {health.AlertsAPIVersion}, "monitorCondition": {"Fired"}, "timeRange": {health.AlertsTimeRange}, "fakePage": {strconv.Itoa(end)}}
			out["nextLink"] = "http://" + host + p + "?" + next.Encode()
		}
		b, _ := json.Marshal(out)
		return http.StatusOK, b, ""
	}
}
