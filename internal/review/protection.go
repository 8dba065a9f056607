package review

import (
	"fmt"
	"slices"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/fhir-dr/fhir-dr/azure/operationalinsights"
	"github.com/fhir-dr/fhir-dr/internal/armrules"
)

const workspaceType = operationalinsights.WorkspaceToken

// backup is what a Cosmos DB backup policy protects: how far back a
// restore reaches (window, hours), how much a restore may lose (interval,
// minutes; 0 for continuous backups) and where periodic backups live.
type backup struct {
	mode       string // Periodic or Continuous
	window     float64
	windowText string
	interval   float64
	redundancy string
}

// continuousDays are the continuous backup tiers' windows. Azure's
// default, without a tier, is Continuous30Days.
var continuousDays = map[string]float64{"Continuous7Days": 7, "Continuous30Days": 30}

// backupOf reads an account's backup policy; ok is false when it is absent,
// not known yet, or not one fhir-dr understands.
func backupOf(m resource.PropertyMap) (backup, bool) {
	v := m["backupPolicy"]
	if !v.IsObject() || v.ContainsUnknowns() {
		return backup{}, false
	}
	p := v.ObjectValue()
	switch mode := str(p, "type"); mode {
	case "Continuous":
		tier := str(p, "continuousModeProperties", "tier")
		if tier == "" {
			tier = "Continuous30Days"
		}
		days, ok := continuousDays[tier]
		if !ok {
			return backup{}, false
		}
		return backup{mode: mode, window: days * 24, windowText: fmt.Sprintf("%.0f days (%s)", days, tier)}, true
	case "Periodic":
		props := p["periodicModeProperties"]
		if !props.IsObject() {
			return backup{}, false
		}
		pm := props.ObjectValue()
		b := backup{mode: mode, redundancy: str(pm, "backupStorageRedundancy")}
		if h := pm["backupRetentionIntervalInHours"]; h.IsNumber() {
			b.window = h.NumberValue()
			b.windowText = fmt.Sprintf("%.0f hours (periodic)", b.window)
		}
		if i := pm["backupIntervalInMinutes"]; i.IsNumber() {
			b.interval = i.NumberValue()
		}
		return b, true
	}
	return backup{}, false
}

// redundancyRank orders where periodic backups live: only geo-redundant
// ones survive the loss of the region.
var redundancyRank = map[string]int{"Local": 0, "Zone": 1, "Geo": 2}

// protectionHazards finds the changes that keep less of the customer's
// data or audit trail: shorter backup retention, rarer or less redundant
// periodic backups, a shorter log retention, the workspace deleted or
// replaced. Continuous back to periodic backups is not among them: Azure
// refuses it (armrules), which is the azure-rejects hazard.
func protectionHazards(base, current []Resource) []Hazard {
	byURN := map[string]Resource{}
	for _, r := range current {
		byURN[r.URN] = r
	}
	var out []Hazard
	add := func(urn, format string, args ...any) {
		out = append(out, Hazard{Kind: ProtectionReduced, URN: urn, Message: fmt.Sprintf(format, args...), Advice: ackHint(ProtectionReduced)})
	}
	for _, old := range base {
		cur, kept := byURN[old.URN]
		switch old.Type {
		case accountType:
			if !kept {
				continue // data-loss says it all
			}
			was, ok1 := backupOf(old.Inputs)
			now, ok2 := backupOf(cur.Inputs)
			if !ok1 || !ok2 || was.mode == "Continuous" && now.mode == "Periodic" {
				continue
			}
			name := accountName(old)
			if now.window > 0 && now.window < was.window {
				add(old.URN, "the Cosmos DB account %s would keep backups for %s instead of %s: backups older than that are deleted at once "+
					"and can no longer be restored.", name, now.windowText, was.windowText)
			}
			if was.mode == "Periodic" && now.mode == "Periodic" {
				if now.interval > was.interval && was.interval > 0 {
					add(old.URN, "the Cosmos DB account %s would be backed up every %.0f minutes instead of %.0f: a restore may lose up to "+
						"%.0f minutes of writes.", name, now.interval, was.interval, now.interval)
				}
				if r0, ok := redundancyRank[was.redundancy]; ok {
					if r1, ok := redundancyRank[now.redundancy]; ok && r1 < r0 {
						add(old.URN, "the Cosmos DB account %s would keep its backups %s-redundant instead of %s-redundant: "+
							"backups that do not leave the region die with it.", name, now.redundancy, was.redundancy)
					}
				}
			}
		case workspaceType:
			if isAvailabilityWorkspace(old.URN) {
				continue // test results that feed alerts, not the audit trail
			}
			name := orName(str(old.Inputs, "workspaceName"), old.Name)
			switch {
			case !kept:
				add(old.URN, "the Log Analytics workspace %s, the customer's audit trail, would be deleted with its logs.", name)
			case len(armrules.Replacements(workspaceType, old.Inputs, cur.Inputs)) > 0:
				var why []string
				for _, r := range armrules.Replacements(workspaceType, old.Inputs, cur.Inputs) {
					why = append(why, r.Path)
				}
				add(old.URN, "the Log Analytics workspace %s, the customer's audit trail, would be replaced (%s): a new, empty "+
					"workspace, and the old one deleted with its logs.", name, strings.Join(why, ", "))
			default:
				was, now := old.Inputs["retentionInDays"], cur.Inputs["retentionInDays"]
				if was.IsNumber() && now.IsNumber() && now.NumberValue() < was.NumberValue() {
					add(old.URN, "the Log Analytics workspace %s would keep the audit logs for %.0f days instead of %.0f: "+
						"older logs, the customer's audit trail, are deleted at once.", name, now.NumberValue(), was.NumberValue())
				}
			}
		}
	}
	// The base's state lists independent resources in the order the engine
	// finished them, which varies: the hazards come in URN order.
	slices.SortStableFunc(out, func(a, b Hazard) int { return strings.Compare(a.URN, b.URN) })
	return out
}

// isAvailabilityWorkspace reports whether a workspace is the one of the
// availability tests' component (components.NewAlerting), which holds test
// results for alerts and goes with the full tier; every other workspace is
// taken for the customer's audit trail.
func isAvailabilityWorkspace(urn string) bool {
	return strings.Contains(urn, "fhir-dr:index:Alerting$"+workspaceType+"::")
}
