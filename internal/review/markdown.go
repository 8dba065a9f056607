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
// bytes, hence characters (MaxComment when limit <= 0): the summary table first, then
// each stack's details in a collapsible section. Details that do not fit are
// left out, and the comment says so.
func Markdown(r *Report, limit int) string {
	if limit <= 0 {
		limit = MaxComment
	}
	var head strings.Builder
	fmt.Fprintf(&head, "%s\n## fhir-dr: what this change does to customers' DR\n\n", CommentMarker)
	fmt.Fprintf(&head, "Offline rehearsal: each stack deployed as at %s (%s) and the working tree previewed against it by the Pulumi engine, "+
		"with the azure-native stand-in (a test double: nothing reached Azure) and the policy pack.\n", code(r.Base), md(short(r.BaseCommit)))
	if r.AllStacks {
		fmt.Fprintf(&head, "The program changed (%s), so every stack is reviewed.\n", code(r.Reason))
	}
	head.WriteString("\n")
	if len(r.Stacks) == 0 {
		head.WriteString("No customer stack is affected.\n")
		return head.String()
	}
	head.WriteString("| Stack | Result | Create | Update | Replace | Delete | Hazards |\n|---|---|---:|---:|---:|---:|---|\n")
	for _, s := range r.Stacks {
		fmt.Fprintf(&head, "| %s | %s | %d | %d | %d | %d | %s |\n", md(s.Customer), result(s),
			s.Counts["create"], s.Counts["update"], s.Counts["replace"], s.Counts["delete"], md(hazardKinds(s)))
	}
	out := head.String()

	var omitted []string
	for _, s := range r.Stacks {
		if result(s) == "no changes" {
			continue // the summary row says it all
		}
		details := stackDetails(s)
		// Keep room for the truncation note.
		if len(out)+len(details)+400 > limit {
			omitted = append(omitted, md(s.Customer))
			continue
		}
		out += details
	}
	if len(omitted) > 0 {
		note := fmt.Sprintf("\n> Details of %d stack(s) left out to stay within GitHub's %d-character comment limit: %s. "+
			"Run %s for everything.\n", len(omitted), MaxComment, strings.Join(omitted, ", "), code("drctl diff --base "+r.Base))
		if len(out)+len(note) > limit {
			note = fmt.Sprintf("\n> Details of %d stack(s) left out (comment limit). Run %s.\n", len(omitted), code("drctl diff --base "+r.Base))
		}
		out += note
	}
	if len(out) > limit {
		// Only a summary table of thousands of stacks gets here.
		cut := "\n> Truncated at GitHub's comment limit.\n"
		out = strings.ToValidUTF8(out[:limit-len(cut)], "") + cut
	}
	return out
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

func stackDetails(s StackReview) string {
	if s.Verdict == "" {
		// A report Run did not make: decide here, on a copy.
		s.Hazards = slices.Clone(s.Hazards)
		decide(&s)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\n<details><summary><b>%s</b>: %s</summary>\n\n", md(s.Customer), result(s))
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
	if len(s.Changes) > 0 {
		b.WriteString("**Engine plan**\n\n| Op | Resource | Change |\n|---|---|---|\n")
		for _, c := range s.Changes {
			var fields []string
			for _, f := range c.Fields {
				fields = append(fields, fieldText(f))
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
