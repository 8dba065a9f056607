package drift

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Marker is the first line of every summary: the workflow finds its issue
// by it (and by the drift label), so that there is one issue, updated in
// place, never one per run or per stack.
const Marker = "<!-- fhir-dr:drift -->"

// IssueBodyLimit is the most characters GitHub accepts in an issue body.
const IssueBodyLimit = 65536

// budget is the most bytes a summary takes: below IssueBodyLimit (a byte
// is at most one character) with room to spare for what the workflow adds,
// such as the run's link.
const budget = IssueBodyLimit - 1536

// The longest an error or a value is shown in the summary; the shard
// reports keep them whole.
const (
	maxError = 300
	maxValue = 80
	// maxProperties are the properties listed per resource.
	maxProperties = 10
)

// Summary is the merged result of the shards.
type Summary struct {
	// Counts are the customers per kind.
	Counts map[Kind]int `json:"counts"`
	// Customers is the number of customers checked.
	Customers int `json:"customers"`
	// Problems are what makes the check incomplete: missing or unreadable
	// shard reports, a customer reported twice.
	Problems []string `json:"problems,omitempty"`
	// Markdown is the report, under IssueBodyLimit.
	Markdown string `json:"-"`
}

// Clean reports whether every customer was checked and none drifted: the
// workflow closes the drift issue then.
func (s Summary) Clean() bool {
	return len(s.Problems) == 0 && s.Counts[KindFailover] == 0 && s.Counts[KindDrift] == 0 && s.Counts[KindFailed] == 0
}

// Load reads the shard reports (*.json) under dir, at any depth (each
// shard's artifact is a directory of its own). A file that is not a
// report of this version is a problem of the check, not an error: the
// summary says so and the rest is still reported.
func Load(dir string) ([]Report, []string, error) {
	var files []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(path, ".json") {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("reading the shard reports: %w", err)
	}
	slices.Sort(files)
	var reports []Report
	var problems []string
	for _, f := range files {
		rel, _ := filepath.Rel(dir, f)
		b, err := os.ReadFile(f)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", rel, err))
			continue
		}
		var r Report
		if err := json.Unmarshal(b, &r); err != nil {
			problems = append(problems, fmt.Sprintf("%s is not a drift report: %v", rel, err))
			continue
		}
		if r.Version != ReportVersion {
			problems = append(problems, fmt.Sprintf("%s is a drift report of version %d, not %d: the shards and the summary ran different drctl builds",
				rel, r.Version, ReportVersion))
			continue
		}
		reports = append(reports, r)
	}
	return reports, problems, nil
}

// Summarize merges the shard reports into one summary; problems are the
// loading's (Load). shards is the number of shards the run dealt the
// fleet into (drctl drift matrix's "of"), or negative when unknown: then
// it is the reports' Of. A shard that wrote no report is a problem, as is
// a customer reported twice; an empty fleet (shards 0) is clean.
func Summarize(reports []Report, problems []string, shards int) Summary {
	s := Summary{Counts: map[Kind]int{}, Problems: slices.Clone(problems)}
	byKind := map[Kind][]Stack{}
	seen := map[string]bool{}
	reported := map[int]bool{}
	of := 0
	var first, last time.Time
	for _, r := range reports {
		reported[r.Shard] = true
		if r.Of != of && of != 0 {
			s.Problems = append(s.Problems, fmt.Sprintf("the shard reports disagree on the number of shards (%d and %d)", of, r.Of))
		}
		of = max(of, r.Of)
		if first.IsZero() || r.CheckedAt.Before(first) {
			first = r.CheckedAt
		}
		for _, st := range r.Stacks {
			if seen[st.Customer] {
				s.Problems = append(s.Problems, fmt.Sprintf("%s is reported by two shards", st.Customer))
				continue
			}
			seen[st.Customer] = true
			if st.CheckedAt.After(last) {
				last = st.CheckedAt
			}
			if !slices.Contains(Kinds, st.Kind) {
				// A report of another drctl build: shown as failed, never lost.
				st.Error = fmt.Sprintf("the shard reported the unknown result %q", st.Kind)
				st.Kind, st.Message, st.Command = KindFailed, st.Error, "drctl drift --stacks "+st.Customer
			}
			s.Counts[st.Kind]++
			s.Customers++
			byKind[st.Kind] = append(byKind[st.Kind], st)
		}
	}
	if shards >= 0 {
		if of != 0 && of != shards {
			s.Problems = append(s.Problems, fmt.Sprintf("the shard reports say %s, the run dealt %d", count(of, "shard"), shards))
		}
		of = shards
	}
	var missing []string
	for i := range of {
		if !reported[i] {
			missing = append(missing, fmt.Sprint(i))
		}
	}
	if len(missing) > 0 {
		s.Problems = append(s.Problems, fmt.Sprintf("shard %s of %d wrote no report: its job failed or was cancelled (see the run); "+
			"its customers are not in this summary", strings.Join(missing, ", "), of))
	}
	if len(reports) == 0 && len(problems) == 0 && shards < 0 {
		s.Problems = append(s.Problems, "no shard wrote a report")
	}
	for _, k := range Kinds {
		slices.SortFunc(byKind[k], func(a, b Stack) int { return strings.Compare(a.Customer, b.Customer) })
	}
	s.Markdown = render(s, byKind, of, first, last)
	return s
}

// sections are the kinds that list customers, with their titles and what
// to do.
var sections = []struct {
	kind        Kind
	title, what string
}{
	{KindFailover, "Azure failed over on its own",
		"Azure moved the write region (service-managed failover) and the stack file still names the old one: a release would fail back. " +
			"The release pipeline refuses these customers (drctl record --verify) until the write region is recorded: for each, record what Azure did " +
			"with the incident's ticket, and merge the pull request with the record (docs/runbook.md, \"Drift\")."},
	{KindDrift, "Other drift",
		"Azure differs from the last deployment: someone or something changed it outside the release. Find out who (the resource's activity log). " +
			"To keep the change, declare it in the stack file; otherwise adopt Azure's values into the state with the command shown, " +
			"and the next release puts back what the stack file declares."},
	{KindFailed, "Check failed",
		"The check could not read these stacks; the error says why. Re-run the check of the stack once it is fixed."},
}

// render writes the summary's Markdown: the counts first, then the
// customers of each kind, with as much detail as fits the budget.
func render(s Summary, byKind map[Kind][]Stack, of int, first, last time.Time) string {
	var head strings.Builder
	head.WriteString(Marker + "\n")
	need := s.Counts[KindFailover] + s.Counts[KindDrift] + s.Counts[KindFailed]
	switch {
	case need == 0 && len(s.Problems) == 0:
		fmt.Fprintf(&head, "## Drift check: no drift\n\n")
	case need == 0:
		fmt.Fprintf(&head, "## Drift check: incomplete\n\n")
	default:
		fmt.Fprintf(&head, "## Drift check: %s %s action\n\n", count(need, "customer"), map[bool]string{true: "needs", false: "need"}[need == 1])
	}
	fmt.Fprintf(&head, "Checked %s in %s", count(s.Customers, "customer"), count(of, "shard"))
	if !first.IsZero() {
		fmt.Fprintf(&head, ", %s to %s", first.UTC().Format("2006-01-02 15:04 UTC"), last.UTC().Format("2006-01-02 15:04 UTC"))
	}
	head.WriteString(", by a refresh preview (`pulumi refresh --preview-only`: nothing written).\n\n")
	head.WriteString("| Found | Customers |\n|---|---:|\n")
	for _, sec := range sections {
		fmt.Fprintf(&head, "| %s | %d |\n", sec.title, s.Counts[sec.kind])
	}
	fmt.Fprintf(&head, "| No drift | %d |\n", s.Counts[KindNone])
	if len(s.Problems) > 0 {
		head.WriteString("\n### The check is incomplete\n\n")
		for i, p := range s.Problems {
			if i == 20 {
				fmt.Fprintf(&head, "- and %d more problems\n", len(s.Problems)-i)
				break
			}
			fmt.Fprintf(&head, "- %s\n", clip(p, maxError))
		}
	}

	// Each section at full detail, else one line per customer, else as
	// many lines as its share of the budget holds.
	for _, detailed := range []bool{true, false} {
		var b strings.Builder
		b.WriteString(head.String())
		for _, sec := range sections {
			writeSection(&b, sec.title, sec.what, byKind[sec.kind], detailed, -1)
		}
		if b.Len() <= budget {
			return b.String()
		}
	}
	var b strings.Builder
	b.WriteString(head.String())
	listed := 0
	for _, sec := range sections {
		if len(byKind[sec.kind]) > 0 {
			listed++
		}
	}
	// The more urgent kinds come first and take what they need, leaving
	// each later kind at least minShare.
	const minShare = 6000
	for _, sec := range sections {
		stacks := byKind[sec.kind]
		if len(stacks) == 0 {
			continue
		}
		listed--
		writeSection(&b, sec.title, sec.what, stacks, false, budget-b.Len()-minShare*listed)
	}
	return b.String()
}

// writeSection writes one kind's customers; within limit bytes unless
// limit is negative, saying how many it leaves out.
func writeSection(b *strings.Builder, title, what string, stacks []Stack, detailed bool, limit int) {
	if len(stacks) == 0 {
		return
	}
	start := b.Len()
	fmt.Fprintf(b, "\n### %s (%d)\n\n%s\n\n", title, len(stacks), what)
	// The line that says what is left out takes at most this much.
	const reserve = 160
	for i, st := range stacks {
		entry := entry(st, detailed)
		if limit >= 0 && b.Len()-start+len(entry) > limit-reserve {
			fmt.Fprintf(b, "- and %d more: the run's shard reports (artifacts drift-*) list them all, each with its command\n", len(stacks)-i)
			return
		}
		b.WriteString(entry)
	}
}

// entry is one customer's lines.
func entry(st Stack, detailed bool) string {
	var b strings.Builder
	msg := st.Message
	switch {
	case st.Kind == KindFailed:
		msg = "the check failed: " + firstLine(st.Error)
		if !detailed {
			msg = clip(msg, maxError/2)
		}
	case st.Kind == KindFailover && st.Failover != nil && !detailed:
		msg = fmt.Sprintf("Azure failed over to %s on its own; the stack file says %s", st.Failover.AzureWriteRegion, st.Failover.StackWriteRegion)
	}
	fmt.Fprintf(&b, "- **%s**: %s: %s\n", st.Customer, clip(plain(msg), maxError), code(st.Command))
	if !detailed {
		return b.String()
	}
	for _, r := range st.Resources {
		if r.Change == "delete" {
			fmt.Fprintf(&b, "  - %s (%s): gone from Azure\n", code(r.Name), r.Type)
			continue
		}
		fmt.Fprintf(&b, "  - %s (%s):", code(r.Name), r.Type)
		for i, p := range r.Properties {
			if i == maxProperties {
				fmt.Fprintf(&b, " and %d more", len(r.Properties)-i)
				break
			}
			if i > 0 {
				b.WriteString(";")
			}
			fmt.Fprintf(&b, " %s %s", code(p.Path), describeProperty(p))
		}
		b.WriteString("\n")
	}
	return b.String()
}

// describeProperty says how a property differs: "added in Azure: "x"".
func describeProperty(p Property) string {
	switch p.Change {
	case "add":
		return "added in Azure: " + code(value(p.Azure))
	case "delete":
		return "removed in Azure (was " + code(value(p.State)) + ")"
	}
	return code(value(p.State)) + " in the state, " + code(value(p.Azure)) + " in Azure"
}

// value is v as JSON, clipped.
func value(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return clip(string(b), maxValue)
}

// code is s as a Markdown code span: backticks in s would end it.
func code(s string) string {
	return "`" + strings.ReplaceAll(s, "`", "'") + "`"
}

// plain is s on one line, without what Markdown would take for markup of
// the report: HTML comments, which could hide the rest, and line breaks.
func plain(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	return strings.NewReplacer("<!--", "<\\!--", "-->", "--\\>").Replace(s)
}

// clip shortens s to at most n bytes, on a rune boundary, marking the cut.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n - len("…")
	for cut > 0 && !utf8Start(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }
