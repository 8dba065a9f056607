package review

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fleetReport is the review of a program change over n stacks (n >= 20),
// as the fleet review makes it: the AKS version raised everywhere, from
// 1.33 in most stacks and from 1.32 in five; a stack of every 250 rehearsed
// as the first of its plan shape; three stacks blocked by a Cosmos DB
// account replacement (one also a primary-region move of its own), and two
// refused by the engine. Each stack's DR cost is its own.
func fleetReport(n int, ownCost bool) *Report {
	r := &Report{Base: "main", BaseCommit: strings.Repeat("b", 40), AllStacks: true, Reason: "drconfig/settings.go"}
	for i := range n {
		c := fmt.Sprintf("customer%04d", i)
		s := StackReview{Customer: c, Counts: map[string]int{"update": 2}, Hazards: []Hazard{},
			Base: &Figures{Tier: "full", RPOSeconds: 900, RTOSeconds: 3600, ProductRTOSeconds: 300, TargetRPOSeconds: 900, TargetRTOSeconds: 3600,
				MonthlyDRCost: 1000 + float64(i), Currency: "USD"},
			Head: &Figures{Tier: "full", RPOSeconds: 900, RTOSeconds: 3600, ProductRTOSeconds: 300, TargetRPOSeconds: 900, TargetRTOSeconds: 3600,
				MonthlyDRCost: 1000 + float64(i), Currency: "USD"}}
		from := `"1.33"`
		if i >= 10 && i < 15 {
			from = `"1.32"`
		}
		for _, role := range []string{"primary", "secondary"} {
			s.Changes = append(s.Changes, Change{Op: "update", Type: clusterType, Name: role + "-cluster", Fields: []FieldChange{
				{"kubernetesVersion", from, `"1.34"`},
				{"nodeResourceGroup", `"rg-` + c + `-fhir-` + role + `-nodes"`, `"rg-` + c + `-fhir-` + role + `-aks-nodes"`},
			}})
		}
		switch {
		case i == 5 || i == 6 || i == 7:
			s.Changes = append(s.Changes, Change{Op: "replace", Type: accountType, Name: "account", Replaces: []string{"location"},
				Fields: []FieldChange{{"location", `"eastus"`, `"westus"`}}})
			s.Counts["replace"] = 1
			s.Hazards = []Hazard{{DataLoss, urn, "the Cosmos DB account fhir-" + c + " would be replaced, losing the customer's data (location)",
				"Revert this change: a new account, region or name needs a migration, not a config edit."}}
			if i == 7 {
				s.Hazards = append(s.Hazards, Hazard{DataLoss, urn, "the write region of fhir-" + c + " moves", "Revert this change."})
			}
			s.Rehearsed, s.RehearsedBecause = true, []string{"its rendered diff has a hazard"}
		case i == 8 || i == 9:
			s.EngineError = "error: " + c + "-primary-cluster: quota exceeded"
			s.Refusals = []string{"primary-cluster (" + clusterType + "), agentPoolProfiles: quota exceeded"}
			s.Rehearsed, s.RehearsedBecause = true, []string{"the first of its plan shape (full, 2 regions, zones)"}
		case i%250 == 0:
			s.Rehearsed, s.RehearsedBecause = true, []string{"the first of its plan shape (full, 2 regions, zones)"}
		}
		if i == 20 || ownCost {
			s.Head.MonthlyDRCost += 12.5 + float64(i)/100
		}
		r.Stacks = append(r.Stacks, s)
	}
	return r
}

func TestGroupedComment(t *testing.T) {
	md := Markdown(fleetReport(1000, false), 0)
	require.NoError(t, os.WriteFile("/tmp/grouped.md", []byte(md), 0o644))
	assert.LessOrEqual(t, len(md), MaxComment)
	md = Markdown(fleetReport(1000, true), 0)
	require.NoError(t, os.WriteFile("/tmp/grouped2.md", []byte(md), 0o644))
	assert.LessOrEqual(t, len(md), MaxComment)
	md = Markdown(fleetReport(1000, true), 8000)
	require.NoError(t, os.WriteFile("/tmp/grouped3.md", []byte(md), 0o644))
	assert.LessOrEqual(t, len(md), 8000)
}
