package rules

import (
	"fmt"
	"strings"

	"github.com/fhir-dr/fhir-dr/azure/armid"
	"github.com/fhir-dr/fhir-dr/azure/monitor"
	"github.com/fhir-dr/fhir-dr/detection"
	"github.com/fhir-dr/fhir-dr/drconfig"
	"github.com/fhir-dr/fhir-dr/objectives"
)

// metricAlertType is an Azure Monitor metric alert rule.
const metricAlertType = monitor.MetricAlertToken

var detectionRules = []Rule{
	{
		Name: "detection-paging",
		Description: "A DR stack declares every paging alert rule of package detection for its tier (Cosmos DB failover, offline region, " +
			"replication lag, 503s; for the full tier Traffic Manager's endpoints, both stamps' AKS nodes and FHIR pods, the availability tests), " +
			"each enabled and notifying an action group, the stack's on-call one among them: an outage nobody is paged for is no DR.",
		Level: Mandatory, Scope: StackScope,
		stack: checkPaging,
	},
}

// pagingRules are the rules a DR stack must declare: from its
// configuration when the pack has it, else from the tier the resources
// show (the rules' keys depend on the tier only).
func pagingRules(e *env) []detection.Rule {
	return pagingRulesWith(e, objectives.Probe{})
}

// pagingRulesWith are pagingRules with the probe timing the stack's
// Traffic Manager profile declares, for detection times.
func pagingRulesWith(e *env, probe objectives.Probe) []detection.Rule {
	in := detection.Inputs{Full: e.full, RPO: e.rpo, Probe: probe, Availability: detection.Availability{
		Locations: detection.DefaultWebTestLocations, FrequencySeconds: drconfig.DefaultWebTestFrequency,
		FailedLocations: drconfig.DefaultFailedLocations,
	}}
	if c := e.stack.Config; c != nil {
		a := c.Monitoring.Availability
		in.Availability = detection.Availability{Locations: a.Locations, FrequencySeconds: a.FrequencySeconds, FailedLocations: a.FailedLocations}
	}
	all := detection.Rules(in)
	var out []detection.Rule
	for _, r := range all {
		if r.Pages {
			out = append(out, r)
		}
	}
	return out
}

// declaredSignals are the detection signals of the paging rules the stack
// declares, enabled: what the RTO model may count on. A rule that is
// missing or disabled detects nothing (and detection-paging says so).
func declaredSignals(e *env, s Stack, probe objectives.Probe) []objectives.Signal {
	declared := map[string]bool{}
	for _, r := range s.Resources {
		if r.Type != metricAlertType {
			continue
		}
		if enabled, ok := boolean(r.Inputs, "enabled"); ok && enabled || unknown(r.Inputs, "enabled") {
			declared[r.Name] = true
		}
	}
	var rules []detection.Rule
	for _, r := range pagingRulesWith(e, probe) {
		if declared[r.Key] {
			rules = append(rules, r)
		}
	}
	return detection.Signals(rules)
}

func checkPaging(e *env, s Stack) []finding {
	if !e.dr {
		return nil
	}
	onCall := ""
	if s.Config != nil {
		onCall = s.Config.DR.Paging.ActionGroupID
	}
	declared := map[string]Resource{}
	for _, r := range s.Resources {
		if r.Type == metricAlertType {
			declared[r.Name] = r
		}
	}
	var out []finding
	for _, rule := range pagingRules(e) {
		r, ok := declared[rule.Key]
		if !ok {
			out = append(out, finding{"", fmt.Sprintf("the DR stack declares no alert rule %s (%s on %s): nobody is paged when %s",
				rule.Key, rule.Signal(), rule.Target, lowerFirst(rule.Description))})
			continue
		}
		if enabled, ok := boolean(r.Inputs, "enabled"); ok && !enabled || !ok && !unknown(r.Inputs, "enabled") {
			out = append(out, finding{r.URN, fmt.Sprintf("metric alert %q is not enabled; set enabled: true, a disabled rule pages nobody", r.Name)})
		}
		if unknown(r.Inputs, "actions") {
			continue
		}
		actions, _ := arr(r.Inputs, "actions")
		var groups []string
		for i := range actions {
			if id, ok := str(r.Inputs, fmt.Sprintf("actions[%d].actionGroupId", i)); ok && id != "" {
				groups = append(groups, id)
			} else if unknown(r.Inputs, fmt.Sprintf("actions[%d].actionGroupId", i)) {
				groups = append(groups, "(unknown)")
			}
		}
		switch {
		case len(groups) == 0:
			out = append(out, finding{r.URN, fmt.Sprintf("metric alert %q notifies no action group; its actions must name the on-call action group "+
				"(dr.paging.actionGroupId)", r.Name)})
		case onCall != "" && !containsID(groups, onCall):
			out = append(out, finding{r.URN, fmt.Sprintf("metric alert %q does not notify the on-call action group %s (dr.paging.actionGroupId); "+
				"it notifies %s", r.Name, onCall, strings.Join(groups, ", "))})
		}
	}
	return out
}

func containsID(ids []string, id string) bool {
	for _, x := range ids {
		if x == "(unknown)" || armid.Equal(x, id) {
			return true
		}
	}
	return false
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}
