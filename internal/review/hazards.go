// Package review is the credential-free review of a pull request that
// changes customers' DR stacks: which stacks changed since a base revision,
// what the real engine would do to each (the offline rehearsal deploys the
// base and previews the working tree against it), the hazards that lose
// data or that Azure rejects, and one Markdown comment for the pull request.
package review

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/fhir-dr/fhir-dr/azure/cosmosdb"
	"github.com/fhir-dr/fhir-dr/drconfig"
	"github.com/fhir-dr/fhir-dr/internal/armrules"
)

// Resource is a resource as deployed (base state) or as declared (the
// working tree's render).
type Resource struct {
	// URN is the resource's URN.
	URN string `json:"urn"`
	// Type is its type token.
	Type string `json:"type"`
	// Name is its logical name.
	Name string `json:"name"`
	// ID is its cloud ID; deployed resources only.
	ID string `json:"id,omitempty"`
	// Inputs are its inputs.
	Inputs resource.PropertyMap `json:"-"`
}

// HazardKind classifies a hazard.
type HazardKind string

// The hazards.
const (
	// DataLoss is a delete or replacement of a Cosmos DB account.
	DataLoss HazardKind = "data-loss"
	// SplitRequired is a region change combined with other account changes,
	// which Azure rejects: the pull request must be split.
	SplitRequired HazardKind = "split-required"
	// WriteRegionByConfig is the write region moved by editing config
	// instead of the failover procedure.
	WriteRegionByConfig HazardKind = "write-region-by-config"
	// WriteRegionRemoved is the write region removed from the account.
	WriteRegionRemoved HazardKind = "write-region-removed"
	// AzureRejects is another account change Azure rejects.
	AzureRejects HazardKind = "azure-rejects"
	// AdoptMismatch is an existing resource adopted (imported) whose
	// settings differ from the stack file: the engine would change it
	// right after the import.
	AdoptMismatch HazardKind = "adopt-mismatch"
	// StackRemoved is a stack file deleted: the pipeline stops managing
	// the customer, which is the offboarding procedure's business.
	StackRemoved HazardKind = "stack-removed"
	// WriteRegionUnverified is a new dr.writeRegionChange record that does
	// not verify against the base (not the record drctl failover, failback
	// or record writes, or not about the deployed account and its write
	// region): the rehearsal does not make the change it claims.
	WriteRegionUnverified HazardKind = "write-region-unverified"
	// ServiceRemoved is the live FHIR service removed (a stamp's cluster,
	// FHIR Deployment and ingress IP deleted) or a DNS name it answers on
	// released (the Traffic Manager profile's, an ingress IP's), without a
	// new dr.acknowledge naming it.
	ServiceRemoved HazardKind = drconfig.AckServiceRemoved
	// ProtectionReduced is less of the customer's data or audit trail kept:
	// shorter backup retention, rarer or less redundant periodic backups,
	// shorter log retention, the workspace deleted or replaced; without a
	// new dr.acknowledge naming it.
	ProtectionReduced HazardKind = drconfig.AckProtectionReduced
	// FailoverInProgress is a stack file committed with dr.failoverIntent:
	// a write-region change drctl started and has not finished. Azure may
	// be anywhere between the old and the new write region, and the
	// release gate refuses the stack until the change is finished.
	FailoverInProgress HazardKind = "failover-in-progress"
)

// Hazard is a change the pipeline must not make.
type Hazard struct {
	// Kind classifies it.
	Kind HazardKind `json:"kind"`
	// URN is the resource it is about, "" for the stack.
	URN string `json:"urn,omitempty"`
	// Message says what would happen: the fact.
	Message string `json:"message"`
	// Advice says what to do instead, "" when the message says it. The
	// comment gives the advice of a stack's most severe hazard only
	// (Verdict), so that no two pieces of advice contradict each other.
	Advice string `json:"advice,omitempty"`
}

const accountType = cosmosdb.DatabaseAccountToken

// Hazards compares what is deployed at the base with what the working tree
// declares: the Cosmos DB accounts (data loss, updates Azure rejects), the
// live service and its DNS names, and the protection of the data and the
// audit trail.
func Hazards(base, current []Resource) []Hazard {
	out := accountHazards(base, current)
	out = append(out, serviceHazards(base, current)...)
	return append(out, protectionHazards(base, current)...)
}

// accountHazards compares the Cosmos DB accounts deployed at the base with
// the ones the working tree declares.
func accountHazards(base, current []Resource) []Hazard {
	byURN := map[string]Resource{}
	for _, r := range current {
		byURN[r.URN] = r
	}
	var out []Hazard
	for _, old := range base {
		if old.Type != accountType {
			continue
		}
		name := accountName(old)
		cur, ok := byURN[old.URN]
		if !ok {
			out = append(out, Hazard{Kind: DataLoss, URN: old.URN,
				Message: fmt.Sprintf("the Cosmos DB account %s would be deleted with the customer's data", name),
				Advice:  "Keep declaring it (it is protected, so the update would fail)."})
			continue
		}
		if reps := armrules.Replacements(accountType, old.Inputs, cur.Inputs); len(reps) > 0 {
			var why []string
			for _, r := range reps {
				why = append(why, fmt.Sprintf("%s: %s", r.Path, r.Reason))
			}
			out = append(out, Hazard{Kind: DataLoss, URN: old.URN,
				Message: fmt.Sprintf("the Cosmos DB account %s would be replaced, losing the customer's data (%s)", name, strings.Join(why, "; ")),
				Advice:  "Revert this change: a new account, region or name needs a migration, not a config edit."})
		}
		for _, v := range armrules.CheckDatabaseAccount(old.Inputs, cur.Inputs) {
			out = append(out, hazardOf(name, old.URN, v))
		}
	}
	return out
}

// armrulesAdvice are where armrules' messages (which the stand-in gives
// too) go on from what Azure rejects to how to proceed. The review gives
// its own advice, and only the most severe hazard's, so the fact ends
// there.
var armrulesAdvice = []string{
	": replace a region in two steps",
	": make the other changes first",
	": fail over to another region first",
}

// withoutAdvice is an armrules message without its advice on how to
// proceed; the whole message when it gives none this function knows.
func withoutAdvice(msg string) string {
	for _, a := range armrulesAdvice {
		if i := strings.Index(msg, a); i > 0 {
			return msg[:i]
		}
	}
	return msg
}

func hazardOf(account, urn string, v armrules.Violation) Hazard {
	v.Message = withoutAdvice(v.Message)
	switch v.Kind {
	case armrules.KindCombinedRegionChange:
		return Hazard{Kind: SplitRequired, URN: urn, Message: fmt.Sprintf("Azure rejects this update of the Cosmos DB account %s: %s", account, v.Message),
			Advice: "Split it into two pull requests: first the other changes with the regions as they are, " +
				"then, once that is deployed, the region change on its own."}
	case armrules.KindRegionSwap:
		return Hazard{Kind: SplitRequired, URN: urn, Message: fmt.Sprintf("Cosmos DB account %s: %s", account, v.Message),
			Advice: "Change the secondary region in two pull requests: " +
				"first set dr.secondaryRegion to the new region and dr.retiringSecondaryRegion to the old one (both are kept), " +
				"then, once that is deployed, remove dr.retiringSecondaryRegion."}
	case armrules.KindWriteRegionMoved:
		return Hazard{Kind: WriteRegionByConfig, URN: urn, Message: fmt.Sprintf("Cosmos DB account %s: %s", account, v.Message),
			Advice: "Move the write region with the failover procedure (runbook, drctl failover), " +
				"which records the new write region in the stack file; do not edit regions to do it."}
	case armrules.KindWriteRegionRemoved:
		return Hazard{Kind: WriteRegionRemoved, URN: urn, Message: fmt.Sprintf("Cosmos DB account %s: %s", account, v.Message),
			Advice: "Fail over to another region first (runbook, drctl failover), then remove the old write region in a later pull request."}
	}
	return Hazard{Kind: AzureRejects, URN: urn, Message: fmt.Sprintf("Azure rejects this update of the Cosmos DB account %s: %s: %s", account, v.Path, v.Message)}
}

func accountName(r Resource) string {
	if v, ok := r.Inputs["accountName"]; ok && v.IsString() {
		return v.StringValue()
	}
	return r.Name
}

// severity orders the hazard kinds, most severe first: what leaves the
// customer unmanaged or the review without a rehearsal, then what loses
// data for good, a write-region change Azure may be in the middle of,
// what puts the write region where the record says it is
// not, what takes the live service or its DNS names away, what keeps less
// of the data, and last what Azure or the engine would only refuse. A
// stack's verdict is the advice of its most severe hazard; a kind not
// listed ranks last.
var severity = []HazardKind{
	StackRemoved, FleetConflict, DataLoss, FailoverInProgress, WriteRegionRemoved, WriteRegionUnverified, WriteRegionByConfig,
	RenderMismatch, ServiceRemoved, ProtectionReduced, SplitRequired, AzureRejects, AdoptMismatch,
}

func rankOf(k HazardKind) int {
	if i := slices.Index(severity, k); i >= 0 {
		return i
	}
	return len(severity)
}

// refusedAdvice is the verdict on a stack the engine refuses without a
// hazard of the review's own.
const refusedAdvice = "The engine refuses this change: fix what it names below."

// decide orders the stack's hazards by severity (stable, so hazards of one
// kind keep their order) and gives the stack its one verdict: the advice
// of the most severe hazard (its message when it has none), else the
// engine's refusal's.
func decide(s *StackReview) {
	slices.SortStableFunc(s.Hazards, func(a, b Hazard) int { return cmp.Compare(rankOf(a.Kind), rankOf(b.Kind)) })
	switch {
	case len(s.Hazards) > 0:
		top := s.Hazards[0]
		s.Verdict = top.Advice
		if s.Verdict == "" {
			s.Verdict = top.Message
		}
	case s.EngineError != "":
		s.Verdict = refusedAdvice
	}
}
