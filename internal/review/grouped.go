package review

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// The grouped comment (more than flatMax stacks), in this order:
//
//  1. the heading and what the review did (intro), then one overview line:
//     how many stacks, how many kinds of change, the stacks by result;
//  2. which stacks the engine rehearsed, counted by why, and that the
//     others got the diff of their rendered plans and the hazard checks;
//  3. "Hazards and refusals": each kind of change with a hazard or an
//     engine refusal, largest first, with its verdict, hazards and
//     refusals; then "Changes by kind": every other kind, largest first.
//     A kind is one line ("997 stacks, ok: updates 2 AKS clusters
//     (kubernetesVersion: "1.33" → "1.34")"), what its stacks have alike
//     (verdict, hazards, refusals, notes, figures), its stacks (which of
//     them were rehearsed, and why), and under "Where stacks differ" each
//     stack's own facts, only those it does not share with its group;
//  4. what was left out to fit, if anything.
//
// What does not fit the limit is left out in this order, each step one
// kind at a time, the last kind shown first, and each kind says what it
// leaves out: the stacks' own facts give way to the names of the stacks
// that have them and the labels that differ (ordinary kinds, then those
// with hazards); then the list of a kind's stacks to its count (ordinary,
// then hazards); then whole kinds to a count at the end (ordinary, then
// hazards). Nothing is cut inside an element.

// groupLevels are what a kind of change leaves out at each level.
var groupLevels = []string{
	"",
	"The stacks' own values are left out to fit the comment limit.",
	"The stacks' names and own values are left out to fit the comment limit.",
}

// grouped renders the report by kind of change.
func grouped(r *Report, limit int) string {
	if limit <= 0 {
		limit = MaxComment
	}
	groups := Groups(r)
	head := intro(r) + overview(r, groups) + rehearsal(r)
	run := code("drctl diff --base " + r.Base)

	// Every kind at every level, made when first asked for.
	texts := make([][]string, len(groups))
	text := func(i, level int) string {
		if texts[i] == nil {
			texts[i] = make([]string, len(groupLevels))
		}
		if texts[i][level] == "" {
			texts[i][level] = groupText(groups[i], i+1, level)
		}
		return texts[i][level]
	}
	level := make([]int, len(groups))
	dropped := make([]bool, len(groups))
	hazardous := func(i int) bool { return groups[i].attention == 0 }
	render := func() string {
		var b strings.Builder
		b.WriteString(head)
		section := ""
		for i := range groups {
			if dropped[i] {
				continue
			}
			name := "### Changes by kind\n\n"
			if hazardous(i) {
				name = "### Hazards and refusals\n\n"
			}
			if name != section {
				b.WriteString(name)
				section = name
			}
			b.WriteString(text(i, level[i]))
		}
		b.WriteString(leftOut(groups, level, dropped, run, code("drctl diff --base "+r.Base+" --json")))
		return b.String()
	}
	out := render()
	if len(out) <= limit {
		return out
	}
	// The shortening steps, in order: each changes one kind.
	type step struct {
		i, level int // level -1: drop
	}
	var steps []step
	for _, to := range []int{1, 2, -1} {
		for _, haz := range []bool{false, true} {
			for i := len(groups) - 1; i >= 0; i-- {
				if hazardous(i) == haz {
					steps = append(steps, step{i, to})
				}
			}
		}
	}
	for _, s := range steps {
		if s.level < 0 {
			dropped[s.i] = true
		} else {
			level[s.i] = s.level
		}
		if out = render(); len(out) <= limit {
			return out
		}
	}
	// Only a limit smaller than the overview's own text gets here.
	return intro(r) + fmt.Sprintf("> The review of %d stack(s) does not fit in a comment. Run %s.\n", len(r.Stacks), run)
}

// overview is the line that counts the stacks, kinds and results.
func overview(r *Report, groups []Group) string {
	if len(r.Stacks) == 0 {
		return "No customer stack is affected.\n"
	}
	counts := map[string]int{}
	var results []string
	for _, s := range r.Stacks {
		res := strings.Trim(result(s), "*")
		if counts[res] == 0 {
			results = append(results, res)
		}
		counts[res]++
	}
	slices.SortStableFunc(results, func(a, b string) int { return counts[b] - counts[a] })
	var parts []string
	for _, res := range results {
		parts = append(parts, fmt.Sprintf("%s %s", thousands(counts[res]), res))
	}
	kinds := "1 kind of change"
	if len(groups) != 1 {
		kinds = thousands(len(groups)) + " kinds of change"
	}
	return fmt.Sprintf("**%s, %s**: %s. Each kind of change is described once; under it, a stack shows only what it does not share with its kind.\n\n",
		stacksCount(len(r.Stacks)), kinds, strings.Join(parts, ", "))
}

// rehearsal says which stacks the engine rehearsed, counted by why, and
// what the others got.
func rehearsal(r *Report) string {
	rehearsed, rendered := 0, 0
	counts := map[string]int{}
	var reasons []string
	for _, s := range r.Stacks {
		switch {
		case s.Rehearsed:
			rehearsed++
			seen := map[string]bool{}
			for _, why := range s.RehearsedBecause {
				// "the first of its plan shape (full, 2 regions, ...)"
				// counts as "the first of its plan shape".
				why, _, _ = strings.Cut(why, " (")
				if seen[why] {
					continue
				}
				seen[why] = true
				if counts[why] == 0 {
					reasons = append(reasons, why)
				}
				counts[why]++
			}
		case renderedOnly(s):
			rendered++
		}
	}
	if rendered == 0 {
		return ""
	}
	var parts []string
	for _, why := range reasons {
		parts = append(parts, fmt.Sprintf("%d: %s", counts[why], md(why)))
	}
	out := fmt.Sprintf("**Rehearsed through the engine: %s**", stacksCount(rehearsed))
	if len(parts) > 0 {
		out += " (" + strings.Join(parts, "; ") + ")"
	}
	return out + fmt.Sprintf(". The other %s got the diff of their rendered plans (base and this change, under mocks) and the hazard checks on it, "+
		"not the engine. Each kind of change below names its rehearsed stacks and why.\n\n", stacksCount(rendered))
}

// groupText renders kind number n at a level of groupLevels.
func groupText(g Group, n, level int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "**%d. %s**", n, stacksCount(len(g.Customers)))
	fmt.Fprintf(&b, ", %s", g.Result)
	if len(g.Hazards) > 0 {
		var kinds []string
		for _, k := range g.Hazards {
			kinds = append(kinds, code(string(k)))
		}
		fmt.Fprintf(&b, " (%s)", strings.Join(kinds, ", "))
	}
	var parts []string
	for _, s := range g.Steps {
		parts = append(parts, stepText(s, code, md))
	}
	for _, f := range g.Common {
		if f.Kind == FactFigure {
			parts = append(parts, md(f.Label+" "+f.Text))
		}
	}
	for _, name := range g.figuresVarying() {
		parts = append(parts, md(name)+" changes, differently per stack")
	}
	if len(parts) > 0 {
		b.WriteString(": " + strings.Join(parts, "; "))
	}
	b.WriteString("\n\n")
	if level > 0 {
		fmt.Fprintf(&b, "_%s_\n\n", groupLevels[level])
	}
	facts(&b, g.Common, "")
	customers := func(names []string) string {
		var out []string
		for _, c := range names {
			out = append(out, md(c))
		}
		return strings.Join(out, ", ")
	}
	rehearsed := slices.Sorted(maps.Keys(g.Rehearsed))
	switch {
	case len(rehearsed) == 0:
	case level < 2:
		var parts []string
		for _, c := range rehearsed {
			p := md(c)
			if why := g.Rehearsed[c]; len(why) > 0 {
				var ws []string
				for _, w := range why {
					ws = append(ws, md(w))
				}
				p += " (" + strings.Join(ws, "; ") + ")"
			}
			parts = append(parts, p)
		}
		fmt.Fprintf(&b, "Rehearsed through the engine: %s.\n\n", strings.Join(parts, ", "))
	default:
		fmt.Fprintf(&b, "Rehearsed through the engine: %s of them.\n\n", thousands(len(rehearsed)))
	}
	if level < 2 {
		what := "The " + stacksCount(len(g.Customers))
		if len(g.Customers) == 1 {
			what = "The stack"
		}
		fmt.Fprintf(&b, "<details><summary>%s</summary>\n\n%s\n\n</details>\n\n", what, customers(g.Customers))
	}
	var own []string
	for _, c := range g.Customers {
		if len(g.Own[c]) > 0 {
			own = append(own, c)
		}
	}
	if len(own) == 0 {
		return b.String()
	}
	switch level {
	case 0:
		b.WriteString("Where stacks differ from their kind:\n\n")
		for _, c := range own {
			fmt.Fprintf(&b, "- **%s**\n", md(c))
			facts(&b, g.Own[c], "  ")
		}
		b.WriteString("\n")
	case 1:
		labels := map[string][]string{}
		var order []string
		for _, c := range own {
			l := ownLabels(g.Own[c])
			if labels[l] == nil {
				order = append(order, l)
			}
			labels[l] = append(labels[l], c)
		}
		b.WriteString("Where stacks differ from their kind (values left out):\n\n")
		for _, l := range order {
			if len(labels[l]) == len(g.Customers) {
				fmt.Fprintf(&b, "- every stack, in %s\n", l)
				continue
			}
			fmt.Fprintf(&b, "- %s in %s: %s\n", stacksCount(len(labels[l])), l, customers(labels[l]))
		}
		b.WriteString("\n")
	default:
		var all []string
		for _, c := range own {
			all = append(all, ownLabels(g.Own[c]))
		}
		slices.Sort(all)
		fmt.Fprintf(&b, "%s of them differ from their kind, in %s.\n\n", thousands(len(own)), strings.Join(slices.Compact(all), "; or in "))
	}
	return b.String()
}

// ownLabels says what a stack's own facts are about, without their
// values: "the verdict, hazards, RPO, primary-cluster kubernetesVersion".
func ownLabels(fs []Fact) string {
	var out []string
	add := func(s string) {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	for _, f := range fs {
		switch f.Kind {
		case FactVerdict:
			add("the verdict")
		case FactHazard:
			add("hazards")
		case FactRefusal:
			add("the engine's refusal")
		case FactNote:
			add("notes")
		case FactFigure:
			add(md(f.Label))
		case FactInput:
			add(md(f.Label) + " " + code(f.Path))
		}
	}
	return strings.Join(out, ", ")
}

// facts writes facts as the comment shows them, each line prefixed with
// indent: the verdict, hazards and refusals as in a stack's section, notes
// quoted, figures and inputs with their old → new.
func facts(b *strings.Builder, fs []Fact, indent string) {
	wrote := false
	for _, f := range fs {
		switch f.Kind {
		case FactVerdict:
			decisive := "the engine's refusal"
			if f.Label != "refusal" {
				decisive = code(f.Label)
			}
			fmt.Fprintf(b, "%s- **Verdict** (%s): %s\n", indent, decisive, md(f.Text))
		case FactHazard:
			fmt.Fprintf(b, "%s- hazard %s %s\n", indent, code(f.Label), md(f.Text))
		case FactRefusal:
			fmt.Fprintf(b, "%s- the engine refused: %s\n", indent, md(f.Text))
		case FactNote:
			fmt.Fprintf(b, "%s- note: %s\n", indent, md(f.Text))
		case FactFigure:
			if indent == "" {
				continue // in the kind's line
			}
			fmt.Fprintf(b, "%s- %s: %s\n", indent, md(f.Label), md(f.Text))
		case FactInput:
			if indent == "" {
				continue // in the kind's line
			}
			old, new, _ := strings.Cut(f.Text, " → ")
			fmt.Fprintf(b, "%s- %s %s\n", indent, md(f.Label), fieldText(FieldChange{Path: f.Path, Old: old, New: new}))
		default:
			continue
		}
		wrote = true
	}
	if wrote && indent == "" {
		b.WriteString("\n")
	}
}

// leftOut says what the comment left out to fit, "" when nothing.
func leftOut(groups []Group, level []int, dropped []bool, run, runJSON string) string {
	var values, names, kinds int
	stacks := 0
	counts := map[string]int{}
	var results []string
	for i, g := range groups {
		switch {
		case dropped[i]:
			kinds++
			stacks += len(g.Customers)
			res := strings.Trim(g.Result, "*")
			if counts[res] == 0 {
				results = append(results, res)
			}
			counts[res] += len(g.Customers)
		case level[i] == 1:
			values++
		case level[i] == 2:
			names++
		}
	}
	var parts []string
	if values > 0 {
		parts = append(parts, fmt.Sprintf("the stacks' own values of %d kind(s) of change", values))
	}
	if names > 0 {
		parts = append(parts, fmt.Sprintf("the stacks' names and own values of %d kind(s) of change", names))
	}
	if kinds > 0 {
		var rs []string
		for _, res := range results {
			rs = append(rs, fmt.Sprintf("%s %s", thousands(counts[res]), res))
		}
		parts = append(parts, fmt.Sprintf("%d kind(s) of change entirely (%s: %s)", kinds, stacksCount(stacks), strings.Join(rs, ", ")))
	}
	if len(parts) == 0 {
		return ""
	}
	return fmt.Sprintf("\n> To stay within GitHub's %d-character comment limit, this comment leaves out %s. Run %s for everything (%s for the review as JSON).\n",
		MaxComment, strings.Join(parts, "; "), run, runJSON)
}
