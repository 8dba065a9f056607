package review

import (
	"fmt"
	"regexp"
	"strconv"
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

// TestGroupedComment: the comment on a program change over 1,000 stacks
// fits GitHub's limit, counts the stacks by result, says which stacks were
// rehearsed and why, shows the kinds with hazards first, each kind once
// with its exact count, and under a kind only what a stack has of its own.
func TestGroupedComment(t *testing.T) {
	const aks = "updates 2 AKS clusters (<code>kubernetesVersion</code>: <code>\"1.33\"</code> → <code>\"1.34\"</code>; " +
		"<code>nodeResourceGroup</code>: <code>\"rg-&lt;customer&gt;-fhir-primary-nodes\"</code> → <code>\"rg-&lt;customer&gt;-fhir-primary-aks-nodes\"</code>; " +
		"<code>nodeResourceGroup</code>: <code>\"rg-&lt;customer&gt;-fhir-secondary-nodes\"</code> → <code>\"rg-&lt;customer&gt;-fhir-secondary-aks-nodes\"</code>)"
	md := Markdown(fleetReport(1000, false), 0)
	assert.LessOrEqual(t, len(md), MaxComment)
	assert.True(t, strings.HasPrefix(md, CommentMarker+"\n## fhir-dr: what this change does to customers' DR\n\n"+
		"Offline review against <code>main</code> (bbbbbbbbbbbb): every stack's plan rendered at the base and at this change (under mocks: "+
		"nothing reached Azure) and diffed, with the hazard checks on the diff; 9 stacks also rehearsed by the Pulumi engine "), md[:600])
	assert.Contains(t, md, "\n**1,000 stacks, 5 kinds of change**: 995 ok, 3 blocked, 2 refused by the engine. ")
	assert.Contains(t, md, "\n**Rehearsed through the engine: 9 stacks** (6: the first of its plan shape; 3: its rendered diff has a hazard). "+
		"The other 991 stacks got the diff of their rendered plans (base and this change, under mocks) and the hazard checks on it, not the engine. ")

	// Hazards first, with the verdict; then by size.
	kinds := regexp.MustCompile(`(?m)^\*\*\d+\. [^\n]*`).FindAllString(md, -1)
	assert.Equal(t, []string{
		"**1. 3 stacks**, **blocked** (<code>data-loss</code>): " + aks + "; replaces 1 Cosmos DB account (<code>location</code>: " +
			"<code>\"eastus\"</code> → <code>\"westus\"</code>; replaced because of <code>location</code>)",
		"**2. 2 stacks**, **refused by the engine**: " + aks,
		"**3. 989 stacks**, ok: " + aks,
		"**4. 5 stacks**, ok: " + strings.Replace(aks, "1.33", "1.32", 1),
		"**5. 1 stack**, ok: " + aks + "; DR cost per month 1,020.00 USD → 1,032.70 USD \\(+12.70\\)",
	}, kinds)
	hazards, changes := strings.Index(md, "\n### Hazards and refusals\n"), strings.Index(md, "\n### Changes by kind\n")
	assert.Less(t, hazards, strings.Index(md, kinds[0]))
	assert.Less(t, strings.Index(md, kinds[1]), changes)
	assert.Less(t, changes, strings.Index(md, kinds[2]))
	assert.Contains(t, md, kinds[0]+"\n\n"+
		"- **Verdict** (<code>data-loss</code>): Revert this change: a new account, region or name needs a migration, not a config edit.\n"+
		"- hazard <code>data-loss</code> the Cosmos DB account fhir-&lt;customer&gt; would be replaced, losing the customer's data \\(location\\)\n\n"+
		"Rehearsed through the engine: customer0005 (its rendered diff has a hazard), customer0006 (its rendered diff has a hazard), "+
		"customer0007 (its rendered diff has a hazard).\n\n"+
		"<details><summary>The 3 stacks</summary>\n\ncustomer0005, customer0006, customer0007\n\n</details>\n\n"+
		"Where stacks differ from their kind:\n\n- **customer0007**\n  - hazard <code>data-loss</code> the write region of fhir-&lt;customer&gt; moves\n\n")
	assert.Contains(t, md, kinds[1]+"\n\n- **Verdict** (the engine's refusal): The engine refuses this change: fix what it names below.\n"+
		"- the engine refused: primary-cluster \\(azure-native:containerservice:ManagedCluster\\), agentPoolProfiles: quota exceeded\n\n")
	assert.Contains(t, md, "<details><summary>The 5 stacks</summary>\n\ncustomer0010, customer0011, customer0012, customer0013, customer0014\n\n</details>")
	assert.Contains(t, md, "<details><summary>The stack</summary>\n\ncustomer0020\n\n</details>")
	total := 0
	for _, m := range regexp.MustCompile(`<details><summary>The (\d+ stacks|stack)</summary>\n\n([^<]*)\n\n</details>`).FindAllStringSubmatch(md, -1) {
		n := 1
		if m[1] != "stack" {
			n, _ = strconv.Atoi(strings.TrimSuffix(m[1], " stacks"))
		}
		assert.Len(t, strings.Split(m[2], ", "), n, "every stack of the kind named: %s", m[1])
		total += n
	}
	assert.Equal(t, 1000, total, "every stack in one kind")
	assert.NotContains(t, md, "left out")
	assert.NotContains(t, md, "...")

	// Every stack with a cost of its own: the own values give way to the
	// names of the stacks that differ, kind by kind, the last first.
	md = Markdown(fleetReport(1000, true), 0)
	assert.LessOrEqual(t, len(md), MaxComment)
	assert.Contains(t, md, "**3. 990 stacks**, ok: "+aks+"; DR cost per month changes, differently per stack\n\n"+
		"_The stacks' own values are left out to fit the comment limit._\n\n")
	assert.Contains(t, md, "Where stacks differ from their kind (values left out):\n\n- every stack, in DR cost per month\n\n")
	assert.Contains(t, md, "Where stacks differ from their kind:\n\n- **customer0005**\n  - DR cost per month: 1,005.00 USD → 1,017.55 USD \\(+12.55\\)\n",
		"the blocked stacks keep their own values")
	assert.Contains(t, md, "\n> To stay within GitHub's 65536-character comment limit, this comment leaves out the stacks' own values of 2 kind(s) of change. "+
		"Run <code>drctl diff --base main</code> for everything (<code>drctl diff --base main --json</code> for the review as JSON).\n")
	assert.True(t, strings.HasSuffix(md, "for the review as JSON).\n"))

	// A small limit: names give way to counts, then whole kinds go, the
	// hazards last.
	for _, limit := range []int{8000, 3000} {
		md = Markdown(fleetReport(1000, true), limit)
		assert.LessOrEqual(t, len(md), limit)
		assert.Contains(t, md, "**1. 3 stacks**, **blocked**")
		assert.Contains(t, md, "- **Verdict** (<code>data-loss</code>): Revert this change")
		assert.Contains(t, md, "\n> To stay within GitHub's 65536-character comment limit, this comment leaves out ")
	}
	assert.Contains(t, Markdown(fleetReport(1000, true), 8000), "**3. 990 stacks**, ok: "+aks+"; DR cost per month changes, differently per stack\n\n"+
		"_The stacks' names and own values are left out to fit the comment limit._\n\nRehearsed through the engine: 4 of them.\n\n"+
		"990 of them differ from their kind, in DR cost per month.\n\n")
	md = Markdown(fleetReport(1000, true), 3000)
	assert.NotContains(t, md, "**3. 990 stacks**")
	assert.Contains(t, md, "; 3 kind(s) of change entirely (997 stacks: 2 refused by the engine, 995 ok). ")
}

// TestGroups: what makes stacks one kind of change.
func TestGroups(t *testing.T) {
	stack := func(c, region, version, tag string) StackReview {
		return StackReview{Customer: c, Changes: []Change{
			{Op: "update", Type: clusterType, Name: "aks-" + c + "-fhir-primary", Fields: []FieldChange{{"kubernetesVersion", version, `"1.34"`}}},
			{Op: "update", Type: "azure-native:resources:ResourceGroup", Name: "rg-" + c + "-fhir-" + region, Fields: []FieldChange{{"tags.owner", `"` + tag + `"`, `"` + c + `-ops"`}}},
		}}
	}
	r := &Report{Stacks: []StackReview{
		stack("contoso", "eastus", `"1.33"`, "contoso"),
		stack("fabrikam", "brazilsouth", `"1.33"`, "fabrikam"),
		stack("northwind", "westeurope", `"1.33"`, "x1"),
		stack("litware", "uksouth", `"1.33"`, "x2"),
		stack("tailspin", "italynorth", `"1.32"`, "x3"),
		stack("adatum", "eastus2", `"1.33"`, "x4"),
	}}
	groups := Groups(r)
	require.Len(t, groups, 2, "a value few stacks share splits; values that are a customer's own do not")
	assert.Equal(t, []string{"contoso", "fabrikam", "northwind", "litware", "adatum"}, groups[0].Customers)
	assert.Equal(t, "5 stacks, ok: updates 1 AKS cluster (kubernetesVersion: \"1.33\" → \"1.34\"); "+
		"updates 1 resource group (tags.owner (differs per stack))", groups[0].Summary())
	assert.Equal(t, []Fact{{Kind: FactInput, Label: "rg-<customer>-fhir-<region>", Path: "tags.owner", Text: `"x1" → "<customer>-ops"`}},
		groups[0].Own["northwind"])
	assert.Equal(t, []Fact{{Kind: FactInput, Label: "rg-<customer>-fhir-<region>", Path: "tags.owner", Text: `"<customer>" → "<customer>-ops"`}},
		groups[0].Own["contoso"], "its old value is its id, as fabrikam's is, but not the others'")
	assert.Len(t, groups[0].Own, 5)
	assert.Equal(t, []string{"tailspin"}, groups[1].Customers)

	// Hazard kinds and refusals are part of the kind, and come first.
	blocked := stack("zeta", "eastus", `"1.33"`, "zeta")
	blocked.Hazards = []Hazard{{DataLoss, urn, "m", "a"}}
	r.Stacks = append(r.Stacks, blocked)
	groups = Groups(r)
	require.Len(t, groups, 3)
	assert.Equal(t, []string{"zeta"}, groups[0].Customers)
	assert.Equal(t, []HazardKind{DataLoss}, groups[0].Hazards)
	assert.Equal(t, "1 stack, blocked (data-loss): updates 1 AKS cluster (kubernetesVersion: \"1.33\" → \"1.34\"); "+
		"updates 1 resource group (tags.owner: \"<customer>\" → \"<customer>-ops\")", groups[0].Summary())
}

// Markdown groups a review of more than flatMax stacks only.
func TestMarkdownGroupsBigReviews(t *testing.T) {
	assert.Contains(t, Markdown(fleetReport(flatMax, false), 0), "| Stack | Result |")
	assert.NotContains(t, Markdown(fleetReport(flatMax, false), 0), "kinds of change")
	assert.Contains(t, Markdown(fleetReport(flatMax, false), 0), "\n**Rehearsed through the engine**: customer0000 (the first of its plan shape "+
		"\\(full, 2 regions, zones\\)), customer0005 (its rendered diff has a hazard), customer0006 (its rendered diff has a hazard), "+
		"customer0007 (its rendered diff has a hazard), customer0008 (the first of its plan shape \\(full, 2 regions, zones\\)), "+
		"customer0009 (the first of its plan shape \\(full, 2 regions, zones\\)). The other 6 stacks got the diff of their rendered plans "+
		"(base and this change, under mocks) and the hazard checks on it, not the engine.\n\n")
	assert.NotContains(t, Markdown(fleetReport(flatMax+1, false), 0), "| Stack | Result |")
	assert.Contains(t, Markdown(fleetReport(flatMax+1, false), 0), "**13 stacks, 4 kinds of change**")
}

// The grouped comment quotes what comes from stack files, git and the
// engine inert, as the flat one does.
func TestGroupedCommentQuotesStackTextInert(t *testing.T) {
	r := &Report{Base: "main" + injection, BaseCommit: "abc", AllStacks: true, Reason: injection}
	for i := range flatMax + 1 {
		r.Stacks = append(r.Stacks, StackReview{
			Customer: fmt.Sprintf("c%d%s", i, injection), Counts: map[string]int{"update": 1},
			Hazards:     []Hazard{{WriteRegionUnverified, "", "Record: " + injection, "advice " + injection}},
			Notes:       []string{"note " + injection},
			EngineError: "error: " + injection, Rehearsed: i == 0, RehearsedBecause: []string{"because " + injection},
			Changes: []Change{{Op: "update" + injection, Type: "t" + injection, Name: "n" + injection, Replaces: []string{injection},
				Fields: []FieldChange{{Path: "tags.x" + injection, Old: fmt.Sprintf(`"%d%s"`, i, injection), New: `"y"`}}}},
		})
	}
	out := Markdown(r, 0)
	assert.Contains(t, out, "**13 stacks, 1 kind of change**")
	assert.Equal(t, 1, strings.Count(out, CommentMarker), "only the comment's own marker")
	assert.Equal(t, strings.Count(out, "<details>"), strings.Count(out, "</details>"), "no section closed early")
	for _, raw := range []string{"`code`", "@mention", "[link](x)", "![img]", "\u202e"} {
		assert.NotContains(t, out, raw)
	}
	assert.NotRegexp(t, `[^\\]\| cell`, out, "no cell opened")
}
