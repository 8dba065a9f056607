package review

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
)

// CommentMarker starts every review comment, so that the pipeline finds and
// updates its own comment instead of adding one per run.
const CommentMarker = "<!-- fhir-dr:diff -->"

// MaxComment is GitHub's limit on a comment, in characters.
const MaxComment = 65536

// Markdown renders the report as one pull-request comment of at most limit
// bytes, hence characters (MaxComment when limit <= 0). A review of at
// most flatMax stacks shows each stack (flat); one of more, such as a
// program change over the fleet, shows each kind of change once (grouped,
// groups.go). Either way what does not fit is summarised, never cut, and
// the comment says what it left out and how to see it.
func Markdown(r *Report, limit int) string {
	if limit <= 0 {
		limit = MaxComment
	}
	if len(r.Stacks) > flatMax {
		return grouped(r, limit)
	}
	return flat(r, limit)
}

// flatMax is the most stacks the comment shows one by one.
const flatMax = 12

// intro is the comment's heading and what the review did.
func intro(r *Report) string {
	var head strings.Builder
	fmt.Fprintf(&head, "%s\n## fhir-dr: what this change does to customers' DR\n\n", CommentMarker)
	rendered := 0
	for _, s := range r.Stacks {
		if renderedOnly(s) {
			rendered++
		}
	}
	if rendered == 0 {
		fmt.Fprintf(&head, "Offline rehearsal: each stack deployed as at %s (%s) and the working tree previewed against it by the Pulumi engine, "+
			"with the azure-native stand-in (a test double: nothing reached Azure) and the policy pack.\n", code(r.Base), md(short(r.BaseCommit)))
	} else {
		fmt.Fprintf(&head, "Offline review against %s (%s): every stack's plan rendered at the base and at this change (under mocks: nothing reached Azure) "+
			"and diffed, with the hazard checks on the diff; %s also rehearsed by the Pulumi engine (deployed as at the base and the working tree "+
			"previewed against it, with the azure-native stand-in and the policy pack).\n",
			code(r.Base), md(short(r.BaseCommit)), stacksCount(len(r.Stacks)-rendered-removed(r)))
	}
	if r.AllStacks {
		fmt.Fprintf(&head, "The program changed (%s), so every stack is reviewed.\n", code(r.Reason))
	}
	head.WriteString("\n")
	return head.String()
}

// flatRehearsal names the stacks the engine rehearsed, with why, when
// some got the rendered diff only; "" when every stack was rehearsed.
func flatRehearsal(r *Report) string {
	var rehearsed []string
	rendered := 0
	for _, s := range r.Stacks {
		switch {
		case s.Rehearsed:
			name := md(s.Customer)
			if len(s.RehearsedBecause) > 0 {
				var why []string
				for _, w := range s.RehearsedBecause {
					why = append(why, md(w))
				}
				name += " (" + strings.Join(why, "; ") + ")"
			}
			rehearsed = append(rehearsed, name)
		case renderedOnly(s):
			rendered++
		}
	}
	if rendered == 0 {
		return ""
	}
	out := "**Rehearsed through the engine**: none."
	if len(rehearsed) > 0 {
		out = "**Rehearsed through the engine**: " + strings.Join(rehearsed, ", ") + "."
	}
	return out + fmt.Sprintf(" The other %s got the diff of their rendered plans (base and this change, under mocks) and the hazard checks on it, "+
		"not the engine.\n\n", stacksCount(rendered))
}

// renderedOnly reports whether the stack got the rendered diff and its
// hazard checks, not the engine: not rehearsed, not removed (a removed
// stack has nothing to preview) and not stopped by a fleet conflict.
func renderedOnly(s StackReview) bool {
	return !s.Rehearsed && !s.Removed && !slices.ContainsFunc(s.Hazards, func(h Hazard) bool { return h.Kind == FleetConflict })
}

func removed(r *Report) int {
	n := 0
	for _, s := range r.Stacks {
		if s.Removed || slices.ContainsFunc(s.Hazards, func(h Hazard) bool { return h.Kind == FleetConflict }) {
			n++
		}
	}
	return n
}

// flat renders the report stack by stack: the summary table first, one
// row per stack with its result, tier, modeled RPO and RTO and cost of DR
// (base → head), then each stack's details in a collapsible section. What
// does not fit is summarised, never cut: a stack's details lose their
// diagrams first, then the inputs of each planned step, then the plan (its
// counts are in the summary row), and last the whole section; summary rows
// of stacks that need no attention give way to a count of them.
func flat(r *Report, limit int) string {
	if limit <= 0 {
		limit = MaxComment
	}
	var head strings.Builder
	head.WriteString(intro(r))
	head.WriteString(flatRehearsal(r))
	if len(r.Stacks) == 0 {
		head.WriteString("No customer stack is affected.\n")
		return head.String()
	}
	head.WriteString("RPO and RTO are the modeled worst case (" + md(objectivesOutage) + "); the cost is the estimated monthly cost of DR " +
		"at list prices (drctl report). A change shows as base → this change.\n\n")
	fmt.Fprintf(&head, "| Stack | Result | Tier | RPO | RTO | DR cost/month (%s) | Create | Update | Replace | Delete | Hazards |\n", currency(r))
	head.WriteString("|---|---|---|---|---|---:|---:|---:|---:|---:|---|\n")
	run := code("drctl diff --base " + r.Base)
	// Room kept for the notes on what is left out: their text (about 800
	// characters for the three) and the names they list.
	reserve := min(3500, limit/8)
	room := max(0, reserve-800)
	budget := limit - head.Len() - reserve

	// What fits is chosen in passes, the stacks that need attention
	// first: their rows, their details at the least level (verdict,
	// hazards, notes, refusals, figures), then with the plan and its
	// inputs, the other rows, and then each section at the most detailed
	// level that fits.
	rows := make([]string, len(r.Stacks))
	for i, s := range r.Stacks {
		rows[i] = summaryRow(s)
	}
	order := make([]int, len(r.Stacks))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return attention(r.Stacks[a]) - attention(r.Stacks[b]) })
	shown := make([]bool, len(r.Stacks))
	details := make([]string, len(r.Stacks))
	level := make([]int, len(r.Stacks))
	addRow := func(i int) {
		if !shown[i] && len(rows[i]) <= budget {
			shown[i] = true
			budget -= len(rows[i])
		}
	}
	// fit gives stack i's section the most detailed level from least up
	// that fits, in place of the one it has.
	fit := func(i, least int) {
		if !shown[i] || !hasDetails(r.Stacks[i]) {
			return
		}
		for l := least; l < len(detailLevels); l++ {
			if details[i] != "" && l >= level[i] {
				return
			}
			if d := stackDetails(r.Stacks[i], l); len(d) <= budget+len(details[i]) {
				budget += len(details[i]) - len(d)
				details[i], level[i] = d, l
				return
			}
		}
	}
	const urgent = 2 // attention of the stacks whose essentials come first
	for _, i := range order {
		if attention(r.Stacks[i]) <= urgent {
			addRow(i)
		}
	}
	for _, least := range []int{len(detailLevels) - 1, 1} {
		for _, i := range order {
			if attention(r.Stacks[i]) <= urgent {
				fit(i, least)
			}
		}
	}
	for _, i := range order {
		addRow(i)
	}
	for _, i := range order {
		fit(i, 0)
	}
	var hidden, omitted []int
	for i := range r.Stacks {
		switch {
		case !shown[i]:
			hidden = append(hidden, i)
		case details[i] == "" && hasDetails(r.Stacks[i]):
			omitted = append(omitted, i)
		}
	}

	table := head.String()
	for i, row := range rows {
		if shown[i] {
			table += row
		}
	}
	if len(hidden) > 0 {
		counts := map[string]int{}
		var results, names []string
		for _, i := range hidden {
			res := result(r.Stacks[i])
			if counts[res] == 0 {
				results = append(results, res)
			}
			counts[res]++
			names = append(names, md(r.Stacks[i].Customer))
		}
		var parts []string
		for _, res := range results {
			parts = append(parts, fmt.Sprintf("%d %s", counts[res], res))
		}
		table += fmt.Sprintf("\n> %d more stack(s) are not in the table, to stay within GitHub's %d-character comment limit: %s. Run %s for every row.\n",
			len(hidden), MaxComment, strings.Join(parts, ", "), run)
		table += "> " + names2(names, room/2) + "\n"
	}
	out := table
	var shortened []string
	for i, d := range details {
		out += d
		if d != "" && level[i] > 0 {
			shortened = append(shortened, md(r.Stacks[i].Customer))
		}
	}
	if len(shortened) > 0 {
		out += fmt.Sprintf("\n> The details of %d stack(s) are shortened to stay within GitHub's %d-character comment limit (each says what it leaves out): %s. Run %s for everything.\n",
			len(shortened), MaxComment, names2(shortened, room/4), run)
	}
	if len(omitted) > 0 {
		var names []string
		for _, i := range omitted {
			names = append(names, md(r.Stacks[i].Customer))
		}
		out += fmt.Sprintf("\n> The details of %d stack(s) are left out to stay within GitHub's %d-character comment limit: %s. Run %s for everything.\n",
			len(omitted), MaxComment, names2(names, room/4), run)
	}
	if len(out) > limit {
		// Only a limit smaller than the summary's own text gets here.
		return head.String() + fmt.Sprintf("> The review of %d stack(s) does not fit in a comment. Run %s.\n", len(r.Stacks), run)
	}
	return out
}

// currency is the currency of the report's cost figures.
func currency(r *Report) string {
	for _, s := range r.Stacks {
		for _, f := range []*Figures{s.Base, s.Head} {
			if f != nil && f.Currency != "" {
				return f.Currency
			}
		}
	}
	return "USD"
}

// objectivesOutage is the failure the modeled figures assume.
const objectivesOutage = "loss of the whole primary region"

// names2 joins names while they fit in n bytes, then says how many more.
func names2(names []string, n int) string {
	var b strings.Builder
	for i, name := range names {
		more := fmt.Sprintf(" and %d more", len(names)-i)
		if b.Len()+len(name)+2+len(more) > n {
			b.WriteString(more)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(name)
	}
	return b.String()
}

// attention orders stacks by how much they need a reviewer: blocked or
// refused first, then removed, new, with notes, the others last.
func attention(s StackReview) int {
	switch {
	case len(s.Hazards) > 0 || s.EngineError != "":
		return 0
	case s.Removed || s.New:
		return 1
	case len(s.Notes) > 0:
		return 2
	case len(s.Changes) > 0 || figuresChanged(s):
		return 3
	}
	return 4
}

func summaryRow(s StackReview) string {
	cells := []string{md(s.Customer), result(s)}
	for _, name := range summaryFigures {
		for _, f := range figures {
			if f.name == name {
				cells = append(cells, md(figureCell(f, s.Base, s.Head, true)))
			}
		}
	}
	cells = append(cells, fmt.Sprint(s.Counts["create"]), fmt.Sprint(s.Counts["update"]), fmt.Sprint(s.Counts["replace"]),
		fmt.Sprint(s.Counts["delete"]), md(hazardKinds(s)))
	return "| " + strings.Join(cells, " | ") + " |\n"
}

// hasDetails reports whether the stack's section says more than its row.
func hasDetails(s StackReview) bool {
	return result(s) != "no changes" || figuresChanged(s)
}

func figuresChanged(s StackReview) bool {
	for _, f := range figures {
		if showFigure(f, s.Base, false) != showFigure(f, s.Head, false) {
			return true
		}
	}
	return false
}

func short(commit string) string {
	if len(commit) > 12 {
		return commit[:12]
	}
	return commit
}

func result(s StackReview) string {
	switch {
	case s.Removed:
		return "stack file removed"
	case len(s.Hazards) > 0:
		return "**blocked**"
	case s.EngineError != "":
		return "**refused by the engine**"
	case s.New:
		return "new stack"
	case len(s.Notes) > 0:
		return "ok (see notes)"
	case len(s.Changes) == 0:
		return "no changes"
	}
	return "ok"
}

func hazardKinds(s StackReview) string {
	if len(s.Hazards) == 0 {
		return ""
	}
	seen := map[HazardKind]bool{}
	var kinds []string
	for _, h := range s.Hazards {
		if !seen[h.Kind] {
			seen[h.Kind] = true
			kinds = append(kinds, string(h.Kind))
		}
	}
	return strings.Join(kinds, ", ")
}

// detailLevels are what a stack's details leave out to fit, from nothing
// to the plan; each level says in the section what it leaves out.
var detailLevels = []string{
	"",
	"The topology diagrams are left out to fit the comment limit.",
	"The topology diagrams and the inputs of each planned step are left out to fit the comment limit.",
	"The topology diagrams and the engine's plan are left out to fit the comment limit; the summary row counts its steps.",
}

// stackDetails renders a stack's section at a level of detailLevels.
func stackDetails(s StackReview, level int) string {
	if s.Verdict == "" {
		// A report Run did not make: decide here, on a copy.
		s.Hazards = slices.Clone(s.Hazards)
		decide(&s)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\n<details><summary><b>%s</b>: %s</summary>\n\n", md(s.Customer), result(s))
	if level > 0 {
		fmt.Fprintf(&b, "_%s_\n\n", detailLevels[level])
	}
	if s.Verdict != "" {
		decisive := "the engine's refusal"
		if len(s.Hazards) > 0 {
			decisive = code(string(s.Hazards[0].Kind))
		}
		fmt.Fprintf(&b, "**Verdict** (%s): %s\n\n", decisive, md(s.Verdict))
	}
	if len(s.Hazards) > 0 {
		b.WriteString("**Hazards**, most severe first\n\n")
		for _, h := range s.Hazards {
			fmt.Fprintf(&b, "- %s %s\n", code(string(h.Kind)), md(h.Message))
		}
		b.WriteString("\n")
	}
	for _, n := range s.Notes {
		fmt.Fprintf(&b, "> %s\n\n", md(n))
	}
	if s.EngineError != "" {
		b.WriteString("**The engine refused the preview**\n\n")
		lines := s.Refusals
		if len(lines) == 0 {
			lines = strings.Split(s.EngineError, "\n")
		}
		for _, l := range lines {
			fmt.Fprintf(&b, "- %s\n", md(l))
		}
		b.WriteString("\n")
	}
	if s.Base != nil || s.Head != nil {
		b.WriteString("**DR figures**\n\n| | Base | This change |\n|---|---|---|\n")
		for _, f := range figures {
			cell := figureCell(f, s.Base, s.Head, false)
			base, head, changed := strings.Cut(cell, " → ")
			if !changed {
				head = base
			}
			fmt.Fprintf(&b, "| %s | %s | %s |\n", f.name, md(base), md(head))
		}
		b.WriteString("\n")
	}
	if len(s.Changes) > 0 && level < 3 {
		b.WriteString("**Engine plan**\n\n| Op | Resource | Change |\n|---|---|---|\n")
		for _, c := range s.Changes {
			var fields []string
			if level < 2 {
				for _, f := range c.Fields {
					fields = append(fields, fieldText(f))
				}
			} else if len(c.Fields) > 0 {
				fields = append(fields, fmt.Sprintf("%d input(s) change", len(c.Fields)))
			}
			if len(c.Replaces) > 0 {
				var paths []string
				for _, p := range c.Replaces {
					paths = append(paths, md(p))
				}
				fields = append(fields, "replaced because of "+strings.Join(paths, ", "))
			}
			fmt.Fprintf(&b, "| %s | %s %s | %s |\n", md(c.Op), code(c.Type), md(c.Name), strings.Join(fields, "<br>"))
		}
		b.WriteString("\n")
	}
	if level == 0 {
		switch {
		case s.Before != "" && s.Before == s.After:
			b.WriteString("**Topology (unchanged)**\n\n" + mermaid(s.After))
		default:
			if s.Before != "" {
				b.WriteString("**Before**\n\n" + mermaid(s.Before))
			}
			if s.After != "" {
				b.WriteString("**After**\n\n" + mermaid(s.After))
			}
		}
	}
	b.WriteString("</details>\n")
	return b.String()
}

// fieldText shows one changed input: added, removed, or old → new.
func fieldText(f FieldChange) string {
	switch {
	case f.Old == absent:
		return fmt.Sprintf("%s added: %s", code(f.Path), code(f.New))
	case f.New == absent:
		return fmt.Sprintf("%s removed: %s", code(f.Path), code(f.Old))
	}
	return fmt.Sprintf("%s: %s → %s", code(f.Path), code(f.Old), code(f.New))
}

// md makes text that comes from a stack file, git or the engine (names,
// records, messages, values, paths) inert Markdown for one line of the
// comment: in a list item, a quote, a table cell or <code>. It is the one
// escaping of the comment, so that no such text can close a section, forge
// the comment's marker, open a code span, a table cell, a link or an
// image, or mention anyone:
//
//   - line breaks and other control characters become spaces, and bidi
//     controls (which reorder what a reader sees) are dropped;
//   - &, < and > become HTML entities (no tag, comment or entity survives);
//   - Markdown's punctuation is backslash-escaped (\ ` * _ [ ] ( ) ! | ~ $),
//     and so are list and heading markers at the start (- + # = and "1.");
//   - an @ is followed by a word joiner, so that it mentions no one.
func md(s string) string {
	t := strings.TrimSpace(s)
	var b strings.Builder
	b.Grow(len(t) + len(t)/8)
	for i, r := range t {
		switch {
		case r == '&':
			b.WriteString("&amp;")
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == '@':
			b.WriteString("@\u2060")
		case strings.ContainsRune("\\`*_[]()!|~$", r), i == 0 && strings.ContainsRune("-+#=", r):
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '.' && isDigits(t[:i]):
			b.WriteString(`\.`) // "1. " would start a list
		case unicode.Is(unicode.Cc, r):
			b.WriteByte(' ')
		case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f, r == 0x061c:
			// bidi controls: dropped
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func isDigits(s string) bool { return s != "" && strings.Trim(s, "0123456789") == "" }

// code shows text in a code font, escaped by md (a Markdown code span
// cannot hold every text; inline <code> can, since md leaves no tag in it).
func code(s string) string { return "<code>" + md(s) + "</code>" }

// mermaid fences a topology diagram, or leaves it out when a line of it
// could close the fence (the diagrams are drawn from validated names, so
// this never happens unless something is wrong).
func mermaid(diagram string) string {
	for _, l := range strings.Split(diagram, "\n") {
		if t := strings.TrimSpace(l); strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~") {
			return "(diagram left out: it holds a code fence)\n\n"
		}
	}
	return "```mermaid\n" + diagram + "```\n\n"
}
