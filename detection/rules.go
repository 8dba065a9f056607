package detection

import (
	"fmt"
	"time"

	"github.com/fhir-dr/fhir-dr/naming"
	"github.com/fhir-dr/fhir-dr/objectives"
)

// ReplicationLagShare is the share of the RPO the replication lag may reach
// before its rule fires: a third, so that on-call hears of it while two
// thirds of the budget are left to act (and a regional outage then loses
// less than the promise).
const ReplicationLagShare = 3

// StrongReplicationLagThreshold is the replication lag rule's threshold
// with an RPO of zero (Strong consistency): writes commit in every region,
// so lag costs latency, not data, and AMBA's 5000 ms applies.
const StrongReplicationLagThreshold = 5000

// ServiceUnavailableThreshold is how many requests the write region must
// answer with 503 in the rule's window before the primary-outage rule
// fires: more than the odd request the SDK retries, far fewer than a
// minute of a failed region's traffic.
const ServiceUnavailableThreshold = 10

// Rules returns the alert rules of a DR stack: the Cosmos DB rules of
// every tier, and for the full tier the Traffic Manager endpoint rule, the
// AKS rules of each stamp and an availability rule per web test. Every rule
// pages: its actions are the stack's action groups.
func Rules(in Inputs) []Rule {
	rules := cosmosRules(in)
	if !in.Full {
		return rules
	}
	rules = append(rules, trafficRule(in))
	for _, role := range []naming.Role{naming.RolePrimary, naming.RoleSecondary} {
		rules = append(rules, aksRules(role)...)
	}
	for _, t := range WebTests(in) {
		rules = append(rules, availabilityRule(in, t))
	}
	return rules
}

// publication and evaluation are the terms every metric rule adds once
// its signal is in a completed time grain.
func publication() objectives.Term {
	return objectives.Term{
		Name: "the metric is published to Azure Monitor", Duration: objectives.MetricPublication,
		Source: "fhir-dr estimate (objectives.MetricPublication)",
	}
}

func evaluation(f time.Duration) objectives.Term {
	return objectives.Term{
		Name: "the rule evaluates", Duration: f,
		Source: "the rule's evaluation frequency " + ISO8601(f),
	}
}

func cosmosRules(in Inputs) []Rule {
	lag := float64(in.RPO / ReplicationLagShare / time.Millisecond)
	lagWhy := fmt.Sprintf("threshold a third of the stack's RPO (%s): on-call hears of it with two thirds of the data-loss budget left", in.RPO)
	if in.RPO == 0 {
		lag = StrongReplicationLagThreshold
		lagWhy = "threshold AMBA's 5000 ms: the RPO is 0 (Strong consistency, writes commit in every region), so lag costs latency, not data"
	}
	unavailable := Rule{
		Key:         "cosmos-write-region-unavailable",
		Description: "The Cosmos DB account answers requests with 503 ServiceUnavailable: the write region may be failing. Runbook: confirm the regional outage and force a failover.",
		Target:      TargetAccount, Namespace: CosmosNamespace, Metric: "TotalRequests",
		Aggregation: "Count", Operator: "GreaterThan", Threshold: ServiceUnavailableThreshold,
		Dimensions: []Dimension{{Name: "StatusCode", Operator: "Include", Values: []string{"503"}}},
		Window:     5 * time.Minute, Frequency: time.Minute, Severity: SeverityOutage, Pages: true,
		Reference: Reference{File: AMBACosmos, Name: "TotalRequests", GUID: "2a1deb2d-1fc0-499b-a828-04aeece855fe", Deviations: []string{
			"status code 503 (ServiceUnavailable) instead of 429: AMBA's rule watches throttling; this one the primary-outage signal the data tier has instead of Traffic Manager",
			fmt.Sprintf("a static threshold (more than %d in PT5M) instead of AMBA's dynamic one: a dynamic threshold needs days of history and 4 of 4 failing periods, too slow to page on an outage", ServiceUnavailableThreshold),
			"severity 1 instead of 3: it pages for a possible outage of the write region",
		}},
	}
	if in.Full {
		// The full tier counts on Traffic Manager and the availability
		// tests, which need no answer from the failed region; the 503s
		// need one.
		unavailable.Detection = nil
	} else {
		unavailable.Detection = unavailableSignal(unavailable)
	}
	return []Rule{
		{
			Key:         "cosmos-region-failover",
			Description: "Cosmos DB failed the account over to another region (service-managed failover): record it with drctl record and check the FHIR service.",
			Target:      TargetAccount, Namespace: CosmosNamespace, Metric: "RegionFailover",
			Aggregation: "Count", Operator: "GreaterThan", Threshold: 0,
			Window: 5 * time.Minute, Frequency: time.Minute, Severity: SeverityOutage, Pages: true,
			Reference: Reference{File: AMBACosmos, Name: "RegionFailover", GUID: "9c41c539-b81b-4917-b04a-e67225f78e75", Deviations: []string{
				"severity 1 instead of 2: a failover moves the write region, which the runbook acts on at once",
			}},
		},
		{
			Key:         "cosmos-region-offline",
			Description: "Cosmos DB took a region of the account offline: a regional outage of the data. Runbook: confirm and force a failover if it is the write region.",
			Target:      TargetAccount, Namespace: CosmosNamespace, Metric: "OfflineRegion",
			Aggregation: "Count", Operator: "GreaterThan", Threshold: 0,
			Window: 5 * time.Minute, Frequency: time.Minute, Severity: SeverityOutage, Pages: true,
			Reference: Reference{File: AMBACosmos, Name: "OfflineRegion", GUID: "0cb53be3-76b5-44be-9f32-bcc821be34b6", Deviations: []string{
				"severity 1 instead of 3: an offline region is the outage DR exists for",
			}},
		},
		{
			Key:         "cosmos-replication-lag",
			Description: "Cosmos DB's replication to the secondary lags behind a third of the RPO: a regional outage now would lose more data than planned.",
			Target:      TargetAccount, Namespace: CosmosNamespace, Metric: "ReplicationLatency",
			Aggregation: "Maximum", Operator: "GreaterThan", Threshold: lag,
			Window: 5 * time.Minute, Frequency: time.Minute, Severity: SeverityAtRisk, Pages: true,
			Reference: Reference{File: AMBACosmos, Name: "ReplicationLatency", GUID: "cf0655a4-042d-4979-bbc7-5559eaa8f2b9", Deviations: []string{
				lagWhy + " (AMBA: 5000 ms for every account)",
				"Maximum instead of Average: the metric is already a P99, and an average over the window hides the minutes whose lag an outage would lose",
				"PT5M/PT1M instead of PT15M/PT5M: the lag is a data-loss window, known within minutes rather than a quarter of an hour",
			}},
		},
		unavailable,
	}
}

func trafficRule(in Inputs) Rule {
	r := Rule{
		Key:         "traffic-manager-endpoint-degraded",
		Description: "A Traffic Manager endpoint is degraded (its /health/check probe fails): the primary stamp is down and traffic moves to the standby, or the standby cannot take it. The alert names the endpoint.",
		Target:      TargetProfile, Namespace: TrafficNamespace, Metric: "ProbeAgentCurrentEndpointStateByProfileResourceId",
		Aggregation: "Maximum", Operator: "LessThan", Threshold: 1,
		Dimensions: []Dimension{{Name: "EndpointName", Operator: "Include", Values: []string{"*"}}},
		Window:     time.Minute, Frequency: time.Minute, Severity: SeverityOutage, Pages: true,
		Reference: Reference{File: AMBATraffic, Name: "ProbeAgentCurrentEndpointStateByProfileResourceId", GUID: "dd3f294f-d12e-4e34-8f6a-c304d3d977e2", Deviations: []string{
			"PT1M window instead of PT5M: Traffic Manager already tolerates the configured failed probes before it marks an endpoint degraded, " +
				"so a blip never reaches the metric; a longer window would only delay the page by four minutes",
			"severity 1 instead of 3: a degraded endpoint is a stamp down",
		}},
	}
	r.Detection = &objectives.Signal{
		Name: "Traffic Manager endpoint degraded (" + r.Key + ")",
		Terms: []objectives.Term{
			{
				Name: "Traffic Manager marks the primary endpoint degraded", Duration: in.Probe.Detection(),
				Source: "(tolerated failures + 1) x probe interval + probe timeout; Traffic Manager endpoint monitoring",
			},
			{
				Name: "the metric's 1-minute time grain completes", Duration: MetricTimeGrain,
				Source: "ProbeAgentCurrentEndpointStateByProfileResourceId, time grain PT1M (supported metrics, Microsoft.Network/trafficmanagerprofiles); " +
					"the PT1M window is that grain",
			},
			publication(), evaluation(r.Frequency),
		},
	}
	return r
}

func aksRules(role naming.Role) []Rule {
	stamp := string(role)
	return []Rule{
		{
			Key:         "aks-" + stamp + "-nodes-not-ready",
			Description: "Nodes of the " + stamp + " stamp's AKS cluster are NotReady or Unknown: the stamp loses capacity.",
			Target:      TargetCluster, Role: role, Namespace: AKSNamespace, Metric: "kube_node_status_condition",
			Aggregation: "Total", Operator: "GreaterThan", Threshold: 0,
			Dimensions: []Dimension{{Name: "status2", Operator: "Include", Values: []string{"NotReady", "Unknown"}}},
			Window:     5 * time.Minute, Frequency: time.Minute, Severity: SeverityAtRisk, Pages: true,
			Reference: Reference{File: AMBAAKS, Name: "kube_node_status_condition", GUID: "ebbbbb92-5208-4d52-b407-6bea8e4473b9", Deviations: []string{
				"severity 2 instead of 3: a stamp without nodes is a DR stamp that cannot serve",
			}},
		},
		{
			Key:         "aks-" + stamp + "-fhir-pods-not-ready",
			Description: "Most FHIR server pods of the " + stamp + " stamp are not Ready: the stamp cannot serve its share.",
			Target:      TargetCluster, Role: role, Namespace: AKSNamespace, Metric: "kube_pod_status_ready",
			Aggregation: "Average", Operator: "LessThan", Threshold: 0.5,
			Dimensions: []Dimension{{Name: "namespace", Operator: "Include", Values: []string{"fhir"}}},
			Window:     5 * time.Minute, Frequency: time.Minute, Severity: SeverityAtRisk, Pages: true,
			Reference: Reference{File: AMBAAKS, Name: "kube_pod_status_ready", GUID: "cebf00b7-7294-4cf7-bc50-108f999d0c67", Deviations: []string{
				"the fhir namespace only: the FHIR server is what the stamp is for, and system pods have their own rules in AKS",
				"threshold 0.5 instead of 1: AMBA fires when any pod is not Ready, which every rolling update and autoscaler scale-out does; " +
					"half the pods unready for the whole window is neither",
			}},
		},
	}
}

func availabilityRule(in Inputs, t WebTest) Rule {
	freq := time.Duration(in.Availability.FrequencySeconds) * time.Second
	r := Rule{
		Key:         "availability-" + t.Key,
		Description: fmt.Sprintf("The availability test of %s fails from %d or more locations.", t.Description, in.Availability.FailedLocations),
		Target:      TargetWebTest, WebTest: t.Key, FailedLocations: in.Availability.FailedLocations,
		Window: AvailabilityWindow(in.Availability.FrequencySeconds), Frequency: time.Minute, Severity: SeverityOutage, Pages: true,
		Reference: Reference{Note: "no AMBA rule (AMBA has none for Application Insights web tests); Azure Monitor's availability alert: " +
			"WebtestLocationAvailabilityCriteria on the test and its component, a window no shorter than the test frequency so every location's last result counts"},
	}
	if t.Role != naming.RolePrimary {
		// Through Traffic Manager the test fails only until the standby
		// takes the traffic; the standby's test watches the DR region.
		// Neither detects the loss of the primary.
		return r
	}
	r.Detection = &objectives.Signal{
		Name: "availability test of the primary stamp (" + r.Key + ")",
		Terms: []objectives.Term{
			{
				Name: "the failing locations' next test runs start", Duration: freq,
				Source: "the test frequency monitoring.availability.frequencySeconds: a location may have run just before the outage",
			},
			{
				Name: "the run and its retries time out", Duration: time.Duration(WebTestRetries+1)*WebTestTimeoutSeconds*time.Second + WebTestRetries*WebTestRetryDelay,
				Source: fmt.Sprintf("fhir-dr estimate: timeout %d s, %d retries %s apart (RetryEnabled)", WebTestTimeoutSeconds, WebTestRetries, WebTestRetryDelay),
			},
			publication(), evaluation(r.Frequency),
		},
	}
	return r
}

// AvailabilityWindow is the availability rule's window for a test
// frequency: the shortest window Azure Monitor accepts (PT5M, PT15M) that
// holds a whole period of the test, so that every location's latest result
// is in it.
func AvailabilityWindow(frequencySeconds int) time.Duration {
	if frequencySeconds <= 300 {
		return 5 * time.Minute
	}
	return 15 * time.Minute
}

// unavailableSignal is the data tier's detection: the 503s of the write
// region. It assumes the failing region still answers, which a region
// that is wholly gone does not; then OfflineRegion (no stated bound) and
// Azure Service Health are what remain, and the RTO model's figure is a
// best case of that tier's detection.
func unavailableSignal(r Rule) *objectives.Signal {
	return &objectives.Signal{
		Name: "Cosmos DB 503s in the write region (" + r.Key + ")",
		Terms: []objectives.Term{
			{
				Name: "the first 1-minute time grain with the failed requests completes", Duration: MetricTimeGrain,
				Source: fmt.Sprintf("TotalRequests, time grain PT1M; assumes more than %d requests a minute reach the failing region and are answered 503 "+
					"(a region that answers nothing emits no 503s: OfflineRegion and Azure Service Health are the backstop)", ServiceUnavailableThreshold),
			},
			publication(), evaluation(r.Frequency),
		},
	}
}
