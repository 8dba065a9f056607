package review

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// injection tries to leave its place in the comment every way Markdown
// allows: close the section, forge the marker, open a code span, a table
// cell, a link; mention someone; start a list or heading; reorder text.
const injection = "x</details>\n<!-- fhir-dr:diff -->\n`code` | cell @mention [link](x) ![img](y) *b* _i_ ~s~ $m$ \\ \u202eevil"

func TestMarkdownEscapes(t *testing.T) {
	assert.Equal(t, `x&lt;/details&gt; &lt;\!-- fhir-dr:diff --&gt; \`+"`code\\` \\| cell @\u2060mention \\[link\\]\\(x\\) \\!\\[img\\]\\(y\\) "+
		`\*b\* \_i\_ \~s\~ \$m\$ \\ evil`, md(injection))
	for in, want := range map[string]string{
		"- item":         `\- item`,
		"# heading":      `\# heading`,
		"+ item":         `\+ item`,
		"12. item":       `12\. item`,
		"rg-contoso 1.5": "rg-contoso 1.5",
		"a & b":          "a &amp; b",
		"  padded \t":    "padded",
		"line\r\nbreak":  "line  break",
	} {
		assert.Equal(t, want, md(in), in)
	}
	assert.Equal(t, "<code>a\\|b</code>", code("a|b"))
}

// Every text of a stack's review that comes from a stack file, git or the
// engine goes through md: none of it can break out of the comment.
func TestMarkdownQuotesStackTextInert(t *testing.T) {
	r := &Report{Base: "main" + injection, BaseCommit: "abc", AllStacks: true, Reason: injection, Stacks: []StackReview{{
		Customer: "c" + injection, Counts: map[string]int{"update": 1},
		Hazards:     []Hazard{{WriteRegionUnverified, "", "Record: " + injection, "advice " + injection}},
		Notes:       []string{"note " + injection},
		EngineError: "error: " + injection,
		Changes: []Change{{Op: "update", Type: "t" + injection, Name: "n" + injection, Replaces: []string{injection},
			Fields: []FieldChange{{Path: "tags.x" + injection, Old: `"` + injection + `"`, New: `"y"`}}}},
		Before: "flowchart LR\n", After: "flowchart LR\n```\n" + injection + "\n",
	}}}
	out := Markdown(r, 0)
	assert.Equal(t, 1, strings.Count(out, CommentMarker), "only the comment's own marker")
	assert.Equal(t, 1, strings.Count(out, "<details>"))
	assert.Equal(t, 1, strings.Count(out, "</details>"), "no section closed early")
	for _, raw := range []string{"`code`", "@mention", "[link](x)", "![img]", "\u202e"} {
		assert.NotContains(t, out, raw)
	}
	assert.NotRegexp(t, `[^\\]\| cell`, out, "no cell opened")
	assert.Contains(t, out, "(diagram left out: it holds a code fence)")
	assert.Contains(t, out, "- <code>write-region-unverified</code> Record: x&lt;/details&gt;")
	assert.Contains(t, out, "> note x&lt;/details&gt;")
	assert.Contains(t, out, "**The engine refused the preview**\n\n- error: x&lt;/details&gt;\n- &lt;\\!-- fhir-dr:diff --&gt;\n",
		"one line of the refusal per item")
	assert.Contains(t, out, "**Verdict** (<code>write-region-unverified</code>): advice x&lt;/details&gt;")
}

// A primary-region move as the comment shows it: one verdict, the other
// hazards as facts, readable refusals, the figures before and after, lists
// element by element.
func TestMarkdownStackDetails(t *testing.T) {
	s := StackReview{
		Customer: "fabrikam", Counts: map[string]int{"update": 1},
		Hazards: []Hazard{
			{SplitRequired, urn, "Cosmos DB account fhir-fabrikam: regions cannot be added and removed in one update", "Change the secondary region in two pull requests."},
			{DataLoss, urn, "the Cosmos DB account fhir-fabrikam would be replaced, losing the customer's data (location: fixed)", "Revert this change."},
		},
		EngineError: "error: x",
		Refusals:    []string{"primary-rg (azure-native:resources:ResourceGroup) is protected: the engine refuses to replace it"},
		Base: &Figures{Tier: "full", RPOSeconds: 600, RTOSeconds: 3510, ProductRTOSeconds: 210, TargetRPOSeconds: 900, TargetRTOSeconds: 3600,
			MonthlyDRCost: 1500, Currency: "USD"},
		Head: &Figures{Tier: "full", RPOSeconds: 600, RTOSeconds: 3510, ProductRTOSeconds: 210, TargetRPOSeconds: 900, TargetRTOSeconds: 3600,
			MonthlyDRCost: 1620.25, Currency: "USD", Unpriced: []string{"no price for VM size x"}},
		Changes: []Change{{Op: "update", Type: accountType, Name: "account", Fields: []FieldChange{
			{"locations[brazilsouth]", `{"locationName":"brazilsouth"}`, "(none)"},
			{"locations[eastus2]", "(none)", `{"locationName":"eastus2"}`},
			{"locations[southcentralus].failoverPriority", "1", "2"},
		}}},
	}
	assert.Equal(t, "\n<details><summary><b>fabrikam</b>: **blocked**</summary>\n\n"+
		"**Verdict** (<code>data-loss</code>): Revert this change.\n\n"+
		"**Hazards**, most severe first\n\n"+
		"- <code>data-loss</code> the Cosmos DB account fhir-fabrikam would be replaced, losing the customer's data \\(location: fixed\\)\n"+
		"- <code>split-required</code> Cosmos DB account fhir-fabrikam: regions cannot be added and removed in one update\n\n"+
		"**The engine refused the preview**\n\n"+
		"- primary-rg \\(azure-native:resources:ResourceGroup\\) is protected: the engine refuses to replace it\n\n"+
		"**DR figures**\n\n| | Base | This change |\n|---|---|---|\n"+
		"| Tier | full | full |\n"+
		"| RPO | 10m \\(target 15m\\) | 10m \\(target 15m\\) |\n"+
		"| RTO | 58m30s \\(target 1h\\) | 58m30s \\(target 1h\\) |\n"+
		"| RTO without the operator's decision | 3m30s | 3m30s |\n"+
		"| DR cost per month | 1,500.00 USD | ≥1,620.25 USD \\(+120.25\\) |\n\n"+
		"**Engine plan**\n\n| Op | Resource | Change |\n|---|---|---|\n"+
		"| update | <code>azure-native:cosmosdb:DatabaseAccount</code> account | "+
		"<code>locations\\[brazilsouth\\]</code> removed: <code>{\"locationName\":\"brazilsouth\"}</code><br>"+
		"<code>locations\\[eastus2\\]</code> added: <code>{\"locationName\":\"eastus2\"}</code><br>"+
		"<code>locations\\[southcentralus\\].failoverPriority</code>: <code>1</code> → <code>2</code> |\n\n"+
		"</details>\n", stackDetails(s, 0))
}
