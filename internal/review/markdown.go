package review

import (
	"fmt"
	"strings"
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
	fmt.Fprintf(&head, "Offline rehearsal: each stack deployed as at `%s` (%s) and the working tree previewed against it by the Pulumi engine, "+
		"with the azure-native stand-in (a test double: nothing reached Azure) and the policy pack.\n", r.Base, short(r.BaseCommit))
	if r.AllStacks {
		fmt.Fprintf(&head, "The program changed (`%s`), so every stack is reviewed.\n", r.Reason)
	}
	head.WriteString("\n")
	if len(r.Stacks) == 0 {
		head.WriteString("No customer stack is affected.\n")
		return head.String()
	}
	head.WriteString("| Stack | Result | Create | Update | Replace | Delete | Hazards |\n|---|---|---:|---:|---:|---:|---|\n")
	for _, s := range r.Stacks {
		fmt.Fprintf(&head, "| %s | %s | %d | %d | %d | %d | %s |\n", s.Customer, result(s),
			s.Counts["create"], s.Counts["update"], s.Counts["replace"], s.Counts["delete"], hazardKinds(s))
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
			omitted = append(omitted, s.Customer)
			continue
		}
		out += details
	}
	if len(omitted) > 0 {
		note := fmt.Sprintf("\n> Details of %d stack(s) left out to stay within GitHub's %d-character comment limit: %s. "+
			"Run `drctl diff --base %s` for everything.\n", len(omitted), MaxComment, strings.Join(omitted, ", "), r.Base)
		if len(out)+len(note) > limit {
			note = fmt.Sprintf("\n> Details of %d stack(s) left out (comment limit). Run `drctl diff --base %s`.\n", len(omitted), r.Base)
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
	var b strings.Builder
	fmt.Fprintf(&b, "\n<details><summary><b>%s</b>: %s</summary>\n\n", s.Customer, result(s))
	if len(s.Hazards) > 0 {
		b.WriteString("**Hazards**\n\n")
		for _, h := range s.Hazards {
			fmt.Fprintf(&b, "- `%s` %s\n", h.Kind, h.Message)
		}
		b.WriteString("\n")
	}
	for _, n := range s.Notes {
		fmt.Fprintf(&b, "> %s\n\n", n)
	}
	if s.EngineError != "" {
		fmt.Fprintf(&b, "**The engine refused the preview**\n\n```\n%s\n```\n\n", s.EngineError)
	}
	if len(s.Changes) > 0 {
		b.WriteString("**Engine plan**\n\n| Op | Resource | Change |\n|---|---|---|\n")
		for _, c := range s.Changes {
			var fields []string
			for _, f := range c.Fields {
				fields = append(fields, fmt.Sprintf("`%s`: `%s` → `%s`", f.Path, cell(f.Old), cell(f.New)))
			}
			if len(c.Replaces) > 0 {
				fields = append(fields, "replaced because of "+strings.Join(c.Replaces, ", "))
			}
			fmt.Fprintf(&b, "| %s | `%s` %s | %s |\n", c.Op, c.Type, c.Name, strings.Join(fields, "<br>"))
		}
		b.WriteString("\n")
	}
	switch {
	case s.Before != "" && s.Before == s.After:
		fmt.Fprintf(&b, "**Topology (unchanged)**\n\n```mermaid\n%s```\n\n", s.After)
	default:
		if s.Before != "" {
			fmt.Fprintf(&b, "**Before**\n\n```mermaid\n%s```\n\n", s.Before)
		}
		if s.After != "" {
			fmt.Fprintf(&b, "**After**\n\n```mermaid\n%s```\n\n", s.After)
		}
	}
	b.WriteString("</details>\n")
	return b.String()
}

// cell keeps a value from breaking a Markdown table or code span.
func cell(s string) string {
	return strings.NewReplacer("|", `\|`, "`", "'", "\n", " ").Replace(s)
}
