// Package detection is the one declaration of a DR stack's alert rules, as
// data: what each rule watches (a metric, or an availability test), its
// condition, window, evaluation frequency and severity, whether it pages,
// the Azure Monitor Baseline Alerts (AMBA) rule it follows and where and why
// it deviates, and, for the rules that detect the modeled outage (the loss
// of the primary region), the worst-case time until the rule fires as
// named, sourced terms.
//
// Everything else reads this declaration: components.NewAlerting renders
// the Azure resources from it, the policy pack checks that the stack
// declares its paging rules, enabled and with an action, drctl plan prints
// it, and drconfig hands the paging rules' detection times to the RTO model
// (objectives.Inputs.Signals). The package is pure Go: no Pulumi, no Azure.
//
// AMBA sources are files of github.com/Azure/azure-monitor-baseline-alerts:
// services/DocumentDB/databaseAccounts/alerts.yaml,
// services/Network/trafficmanagerprofiles/alerts.yaml and
// services/ContainerService/managedClusters/alerts.yaml.
package detection

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/fhir-dr/fhir-dr/naming"
	"github.com/fhir-dr/fhir-dr/objectives"
)

// Target is the resource a rule watches.
type Target string

// The targets.
const (
	// TargetAccount is the Cosmos DB account.
	TargetAccount Target = "account"
	// TargetProfile is the Traffic Manager profile.
	TargetProfile Target = "profile"
	// TargetCluster is a stamp's AKS cluster (Rule.Role names the stamp).
	TargetCluster Target = "cluster"
	// TargetWebTest is an availability test (Rule.WebTest names it).
	TargetWebTest Target = "webtest"
)

// The metric namespaces the rules read, as AMBA and Azure Monitor's
// supported-metrics reference spell them.
const (
	CosmosNamespace  = "Microsoft.DocumentDB/databaseAccounts"
	TrafficNamespace = "Microsoft.Network/trafficmanagerprofiles"
	AKSNamespace     = "Microsoft.ContainerService/managedClusters"
)

// The AMBA files the rules follow.
const (
	AMBACosmos  = "services/DocumentDB/databaseAccounts/alerts.yaml"
	AMBATraffic = "services/Network/trafficmanagerprofiles/alerts.yaml"
	AMBAAKS     = "services/ContainerService/managedClusters/alerts.yaml"
)

// MetricTimeGrain is the time grain of every platform metric the rules
// read: Azure Monitor's supported-metrics reference lists PT1M for
// RegionFailover, OfflineRegion, ReplicationLatency, TotalRequests,
// ProbeAgentCurrentEndpointStateByProfileResourceId,
// kube_node_status_condition and kube_pod_status_ready.
const MetricTimeGrain = time.Minute

// Severities of Azure Monitor alerts: 0 critical to 4 verbose.
const (
	// SeverityOutage marks a rule that sees the primary (or its standby)
	// fail: on-call acts now.
	SeverityOutage = 1
	// SeverityAtRisk marks a rule that sees a DR promise at risk (data
	// behind, a stamp degrading).
	SeverityAtRisk = 2
)

// Dimension narrows or splits a metric by one of its dimensions.
type Dimension struct {
	// Name is the dimension's name ("StatusCode").
	Name string
	// Operator is Include or Exclude.
	Operator string
	// Values are the dimension values; "*" splits the rule into one time
	// series (and one alert) per value.
	Values []string
}

// Reference is what a rule follows.
type Reference struct {
	// File is the AMBA file ("" for a rule AMBA has nothing for).
	File string
	// Name and GUID name the AMBA rule.
	Name, GUID string
	// Deviations say where the rule departs from AMBA and why; empty when
	// it follows AMBA as it is.
	Deviations []string
	// Note says why a rule has no AMBA counterpart.
	Note string
}

// String is the reference in one line, for plans and descriptions.
func (r Reference) String() string {
	if r.GUID == "" {
		return r.Note
	}
	s := "AMBA " + r.Name + " " + r.GUID
	if len(r.Deviations) == 0 {
		return s + " (as is)"
	}
	return s
}

// Rule is one alert rule of a stack.
type Rule struct {
	// Key is the rule's stable key, unique in a stack; the Azure rule is
	// named after it (naming.AlertRule).
	Key string
	// Description says what firing means, for the alert's description.
	Description string
	// Target is what the rule watches; Role the stamp of a cluster rule.
	Target Target
	Role   naming.Role
	// WebTest is the key of the availability test of a TargetWebTest rule.
	WebTest string
	// Namespace and Metric name the metric of a metric rule.
	Namespace, Metric string
	// Aggregation, Operator and Threshold are a metric rule's condition
	// (Azure Monitor's names: Count, Maximum, ...; GreaterThan, LessThan).
	Aggregation, Operator string
	Threshold             float64
	// Dimensions narrow or split the metric.
	Dimensions []Dimension
	// FailedLocations is how many test locations must fail for an
	// availability rule to fire.
	FailedLocations int
	// Window is the period the condition is evaluated over, Frequency how
	// often.
	Window, Frequency time.Duration
	// Severity is Azure Monitor's 0 (critical) to 4.
	Severity int
	// Pages reports whether the rule notifies the on-call action group.
	Pages bool
	// Reference is the AMBA rule followed and the deviations.
	Reference Reference
	// Detection is the worst-case time from the modeled outage (the loss
	// of the primary region) until the rule fires, as sourced terms; nil
	// for a rule that does not detect that outage (it sees something else,
	// or its time has no bound one can state).
	Detection *objectives.Signal
}

// Signal describes what the rule watches, for plans: "Namespace/Metric" or
// the availability test.
func (r Rule) Signal() string {
	if r.Target == TargetWebTest {
		return "availability test " + r.WebTest
	}
	return r.Namespace + " " + r.Metric
}

// Condition describes the rule's condition, for plans.
func (r Rule) Condition() string {
	if r.Target == TargetWebTest {
		return fmt.Sprintf("failed locations >= %d", r.FailedLocations)
	}
	s := fmt.Sprintf("%s %s %s", r.Aggregation, operatorSymbols[r.Operator], strconv.FormatFloat(r.Threshold, 'f', -1, 64))
	for _, d := range r.Dimensions {
		s += fmt.Sprintf(", %s %s %v", d.Name, d.Operator, d.Values)
	}
	return s
}

var operatorSymbols = map[string]string{
	"GreaterThan": ">", "GreaterThanOrEqual": ">=", "LessThan": "<", "LessThanOrEqual": "<=", "Equals": "=",
}

// ISO8601 writes a window or frequency the way Azure Monitor takes it
// (PT1M, PT15M, PT1H).
func ISO8601(d time.Duration) string {
	switch {
	case d >= time.Hour && d%time.Hour == 0:
		return fmt.Sprintf("PT%dH", d/time.Hour)
	case d%time.Minute == 0:
		return fmt.Sprintf("PT%dM", d/time.Minute)
	}
	return fmt.Sprintf("PT%dS", d/time.Second)
}

// WebTest is one availability test of the full tier: a standard web test of
// the FHIR server's health check.
type WebTest struct {
	// Key names the test ("traffic-manager", "primary", "secondary").
	Key string
	// Role is the stamp the test reaches directly; "" for the test through
	// Traffic Manager.
	Role naming.Role
	// SSLCheck reports whether the test checks the server's certificate.
	SSLCheck bool
	// Description says what the test proves.
	Description string
}

// Availability configures the availability tests.
type Availability struct {
	// Locations are the test location IDs (WebTestLocations).
	Locations []string
	// FrequencySeconds is how often each location runs each test.
	FrequencySeconds int
	// FailedLocations is how many locations must fail for the alert.
	FailedLocations int
}

// Inputs are the settings the rules depend on.
type Inputs struct {
	// Full is true for the full tier (compute, Traffic Manager and
	// availability tests), false for the data tier.
	Full bool
	// RPO is the stack's modeled RPO, which the replication lag rule
	// guards.
	RPO time.Duration
	// Probe is Traffic Manager's probe timing (full tier).
	Probe objectives.Probe
	// Availability configures the availability tests (full tier).
	Availability Availability
}

// The availability tests' request.
const (
	// HealthPath is the FHIR server's health check, 200 when Healthy or
	// Degraded and 503 when Unhealthy.
	HealthPath = "/health/check"
	// WebTestTimeoutSeconds is how long a test run waits; Azure's default.
	WebTestTimeoutSeconds = 30
	// WebTestRetryDelay is the pause before a failed run is retried
	// (RetryEnabled); with WebTestRetries retries a location reports a
	// failure only after all of them failed.
	WebTestRetryDelay = 20 * time.Second
	WebTestRetries    = 2
)

// WebTestFrequencies are the frequencies Azure accepts for a standard test.
var WebTestFrequencies = []int{300, 600, 900}

// WebTestLocations are the availability test location IDs with the Azure
// region each stands for (azure-quickstart-templates "Dynamic Web Test
// Creation"; learn.microsoft.com, "Application Insights availability
// tests": the IDs are historical and do not always match the region).
var WebTestLocations = map[string]string{
	"us-il-ch1-azr":     "North Central US",
	"us-ca-sjc-azr":     "West US",
	"us-tx-sn1-azr":     "South Central US",
	"us-va-ash-azr":     "East US",
	"us-fl-mia-edge":    "Central US",
	"apac-sg-sin-azr":   "Southeast Asia",
	"emea-se-sto-edge":  "UK West",
	"emea-ru-msa-edge":  "UK South",
	"emea-nl-ams-azr":   "West Europe",
	"apac-jp-kaw-edge":  "Japan East",
	"emea-gb-db3-azr":   "North Europe",
	"apac-hk-hkn-azr":   "East Asia",
	"emea-fr-pra-edge":  "France Central",
	"emea-ch-zrh-edge":  "France South",
	"latam-br-gru-edge": "Brazil South",
	"emea-au-syd-edge":  "Australia East",
}

// DefaultWebTestLocations are five locations on three continents, so that
// no one geography's network decides.
var DefaultWebTestLocations = []string{"us-va-ash-azr", "us-ca-sjc-azr", "emea-nl-ams-azr", "emea-gb-db3-azr", "apac-sg-sin-azr"}

// MinWebTestLocations is the fewest locations a test may run from:
// Microsoft recommends at least five, and a failed-locations alert of two
// needs more than two to tell an outage from one location's trouble.
const MinWebTestLocations = 3

// WebTests returns the availability tests of a stack: none for the data
// tier; for the full tier the health check through Traffic Manager (what
// customers see) and on each stamp directly (whether each region could
// serve).
func WebTests(in Inputs) []WebTest {
	if !in.Full {
		return nil
	}
	return []WebTest{
		{Key: "traffic-manager", SSLCheck: true,
			Description: "the FHIR service as customers reach it, through Traffic Manager, with its TLS certificate"},
		{Key: string(naming.RolePrimary), Role: naming.RolePrimary,
			Description: "the primary stamp's FHIR server, on its ingress IP's DNS name"},
		{Key: string(naming.RoleSecondary), Role: naming.RoleSecondary,
			Description: "the standby stamp's FHIR server, on its ingress IP's DNS name: can the DR region serve?"},
	}
}

// Signals returns the detection signals of the paging rules, the ones the
// RTO model takes detection from.
func Signals(rules []Rule) []objectives.Signal {
	var out []objectives.Signal
	for _, r := range rules {
		if r.Pages && r.Detection != nil {
			out = append(out, *r.Detection)
		}
	}
	return out
}

// Keys returns the keys of rules.
func Keys(rules []Rule) []string {
	out := make([]string, len(rules))
	for i, r := range rules {
		out[i] = r.Key
	}
	return out
}

// Lookup returns the rule with key, if any.
func Lookup(rules []Rule, key string) (Rule, bool) {
	i := slices.IndexFunc(rules, func(r Rule) bool { return r.Key == key })
	if i < 0 {
		return Rule{}, false
	}
	return rules[i], true
}
