// Package review is the credential-free review of a pull request that
// changes customers' DR stacks: which stacks changed since a base revision,
// what the real engine would do to each (the offline rehearsal deploys the
// base and previews the working tree against it), the hazards that lose
// data or that Azure rejects, and one Markdown comment for the pull request.
package review

import (
	"fmt"
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
	// Message says what would happen and what to do instead.
	Message string `json:"message"`
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
			out = append(out, Hazard{DataLoss, old.URN, fmt.Sprintf(
				"the Cosmos DB account %s would be deleted with the customer's data; keep declaring it (it is protected, so the update would fail)", name)})
			continue
		}
		if reps := armrules.Replacements(accountType, old.Inputs, cur.Inputs); len(reps) > 0 {
			var why []string
			for _, r := range reps {
				why = append(why, fmt.Sprintf("%s: %s", r.Path, r.Reason))
			}
			out = append(out, Hazard{DataLoss, old.URN, fmt.Sprintf(
				"the Cosmos DB account %s would be replaced, losing the customer's data (%s); revert this change: "+
					"a new account, region or name needs a migration, not a config edit", name, strings.Join(why, "; "))})
		}
		for _, v := range armrules.CheckDatabaseAccount(old.Inputs, cur.Inputs) {
			out = append(out, hazardOf(name, old.URN, v))
		}
	}
	return out
}

func hazardOf(account, urn string, v armrules.Violation) Hazard {
	switch v.Kind {
	case armrules.KindCombinedRegionChange:
		return Hazard{SplitRequired, urn, fmt.Sprintf("Azure rejects this update of the Cosmos DB account %s: %s. "+
			"Split it into two pull requests: first the other changes with the regions as they are, "+
			"then, once that is deployed, the region change on its own.", account, v.Message)}
	case armrules.KindRegionSwap:
		return Hazard{SplitRequired, urn, fmt.Sprintf("Cosmos DB account %s: %s. Change the secondary region in two pull requests: "+
			"first set dr.secondaryRegion to the new region and dr.retiringSecondaryRegion to the old one (both are kept), "+
			"then, once that is deployed, remove dr.retiringSecondaryRegion.", account, v.Message)}
	case armrules.KindWriteRegionMoved:
		return Hazard{WriteRegionByConfig, urn, fmt.Sprintf("Cosmos DB account %s: %s. Move the write region with the failover "+
			"procedure (runbook, drctl failover), which records the new write region in the stack file; do not edit regions to do it.", account, v.Message)}
	case armrules.KindWriteRegionRemoved:
		return Hazard{WriteRegionRemoved, urn, fmt.Sprintf("Cosmos DB account %s: %s.", account, v.Message)}
	}
	return Hazard{AzureRejects, urn, fmt.Sprintf("Azure rejects this update of the Cosmos DB account %s: %s: %s", account, v.Path, v.Message)}
}

func accountName(r Resource) string {
	if v, ok := r.Inputs["accountName"]; ok && v.IsString() {
		return v.StringValue()
	}
	return r.Name
}
