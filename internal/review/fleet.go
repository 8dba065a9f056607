package review

import (
	"github.com/fhir-dr/fhir-dr/stackfile"
	"slices"
	"strings"

	"github.com/fhir-dr/fhir-dr/internal/fleet"
)

// FleetConflict is a stack that takes what must be one customer's alone
// (its customer id, Cosmos DB account, adopted account or resource group,
// Traffic Manager name or token audience) from another stack of the
// working tree, or whose customer is not its stack name: internal/fleet.
const FleetConflict HazardKind = "fleet-conflict"

// fleetAdvice is what to do about a fleet conflict.
const fleetAdvice = "Give each stack what must be its customer's alone (customer id, Cosmos DB account, adopted account and resource group, " +
	"Traffic Manager name, token audience) and name its file after its customer; drctl validate lists every conflict."

// notRehearsed is the note on a stack review stopped by fleet conflicts.
const notRehearsed = "not rehearsed: the stacks conflict with each other, which the engine cannot see; " +
	"fix the fleet-wide conflicts first, and the review then runs the engine"

// addFleetConflicts runs the fleet-wide checks over the stack files of the
// working tree at root and adds a review of each stack involved, with a
// FleetConflict hazard per conflict, to report. It needs no engine and
// takes about half a second for 1,000 stacks, so Run does it first and
// stops when stop is true: nothing is rehearsed until the conflicts are
// fixed.
func addFleetConflicts(report *Report, root string) (stop bool, err error) {
	problems, err := fleet.CheckProject(root)
	if err != nil || len(problems) == 0 {
		return false, err
	}
	byStack := map[string]int{}
	for _, p := range problems {
		for _, f := range p.Files {
			name, err := stackfile.Stack(f)
			if err != nil {
				name = f
			}
			i, ok := byStack[name]
			if !ok {
				i = len(report.Stacks)
				byStack[name] = i
				report.Stacks = append(report.Stacks, StackReview{
					Customer: name, Counts: map[string]int{}, Changes: []Change{}, Notes: []string{notRehearsed},
				})
			}
			report.Stacks[i].Hazards = append(report.Stacks[i].Hazards, Hazard{Kind: FleetConflict, Message: p.String(), Advice: fleetAdvice})
		}
	}
	slices.SortFunc(report.Stacks, func(a, b StackReview) int { return strings.Compare(a.Customer, b.Customer) })
	return true, nil
}
