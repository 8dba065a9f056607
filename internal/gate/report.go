package gate

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/fhir-dr/fhir-dr/internal/health"
	"github.com/fhir-dr/fhir-dr/internal/rollout"
)

// after are the plan's rings after the gated one (none when it is not in
// the plan).
func (v Verdict) after() []rollout.PlanRing {
	i := slices.IndexFunc(v.Plan.Rings, func(r rollout.PlanRing) bool { return r.Name == v.Ring.Name })
	if i < 0 {
		return nil
	}
	return v.Plan.Rings[i+1:]
}

// Remaining are the stacks a resume still has to release: this ring's
// failed and not started ones, then every stack of the later rings.
func (v Verdict) Remaining() []string {
	out := slices.Concat(v.Tally.Failed, v.Tally.NotStarted)
	for _, r := range v.after() {
		out = append(out, r.Stacks...)
	}
	return out
}

// later are the rings after this one, "name (n stacks)".
func (v Verdict) later() []string {
	var out []string
	for _, r := range v.after() {
		out = append(out, fmt.Sprintf("%s (%d stacks)", r.Name, len(r.Stacks)))
	}
	return out
}

// next is the ring after this one, "" for the last.
func (v Verdict) next() string {
	if a := v.after(); len(a) > 0 {
		return a[0].Name
	}
	return ""
}

// Reasons say why the gate halts, one line each; none when it passes.
func (v Verdict) Reasons() []string {
	t := v.Tally
	var out []string
	if t.AboveThreshold() {
		out = append(out, fmt.Sprintf("%d of %d started stacks failed (%s), above the plan's %s",
			len(t.Failed), t.Started(), percent(t.FailureRate()), percent(t.HaltAbove)))
	}
	if len(t.NotStarted) > 0 {
		s := fmt.Sprintf("%d stacks of the ring were not started: the ring did not finish", len(t.NotStarted))
		if len(t.MissingShards) > 0 {
			s += fmt.Sprintf(" (shards %s wrote no results: cancelled, timed out or never run)", joinInts(t.MissingShards))
		}
		out = append(out, s)
	}
	if len(v.StackErrors) > 0 {
		out = append(out, fmt.Sprintf("%d stacks' stack files could not be read", len(v.StackErrors)))
	}
	if v.Interrupted != nil {
		out = append(out, "the gate ran out of time ("+v.Interrupted.Error()+"): health is not confirmed")
	}
	if v.Health != nil {
		if n := len(v.Health.Unhealthy()); n > 0 {
			s := fmt.Sprintf("%d stacks are not healthy", n)
			if v.BakeEnded != "" {
				s += " (" + v.BakeEnded + ")"
			}
			out = append(out, s)
		}
	} else if v.Interrupted == nil && len(out) == 0 {
		out = append(out, "health was not checked")
	}
	return out
}

// ResumeCommand is the command that finishes the rollout locally.
func ResumeCommand(planFile string) string {
	return "drctl rollout resume --plan " + planFile + " --policy-pack .bin/fhir-dr-policy"
}

// Resume says how to finish the rollout, one line each.
func (v Verdict) Resume(planFile string) []string {
	lines := []string{
		"Fix the cause first. Stacks already released at " + v.Plan.Commit + " are skipped, never deployed again.",
		"In GitHub: open this workflow run and choose \"Re-run failed jobs\" (the same commit and plan): the failed jobs (shards, this gate) run again, then the later rings.",
		"Or start the release workflow by hand on main with resume=" + v.Plan.Commit + " and stacks=" + strings.Join(v.Remaining(), ",") +
			" (refused once main has moved on: then a new release of main carries them).",
		"Or locally, from a checkout of " + v.Plan.Commit + " after make policy: " + ResumeCommand(planFile),
	}
	return lines
}

// WriteText writes the verdict for a terminal or a log.
func (v Verdict) WriteText(w io.Writer, planFile string) {
	t := v.Tally
	if !v.Halted() {
		s := fmt.Sprintf("PASS: ring %s of commit %s: %d of %d stacks released", v.Ring.Name, v.Plan.Commit, len(t.Done), len(v.Ring.Stacks))
		if v.Baked > 0 {
			s += ", baked " + v.Baked.String()
		}
		s += ", healthy"
		if n := v.next(); n != "" {
			s += ": ring " + n + " may start."
		} else {
			s += ": the rollout is complete."
		}
		fmt.Fprintln(w, s)
		if len(t.Failed) > 0 {
			fmt.Fprintf(w, "%d stacks failed, within the plan's %s (they are left for a resume: %s):\n",
				len(t.Failed), percent(t.HaltAbove), ResumeCommand(planFile))
			writeFailed(w, t, "  ")
		}
		writeNotes(w, t)
		return
	}
	fmt.Fprintf(w, "HALT: ring %s of commit %s: %s.\n", v.Ring.Name, v.Plan.Commit, strings.Join(v.Reasons(), "; "))
	if len(t.Failed) > 0 {
		fmt.Fprintf(w, "Failed (%d of %d started, %s; the plan halts above %s):\n", len(t.Failed), t.Started(), percent(t.FailureRate()), percent(t.HaltAbove))
		writeFailed(w, t, "  ")
	}
	if len(t.NotStarted) > 0 {
		fmt.Fprintf(w, "Not started (%d): %s\n", len(t.NotStarted), strings.Join(t.NotStarted, ", "))
	}
	if len(v.StackErrors) > 0 {
		fmt.Fprintln(w, "Stack files that could not be read:")
		for _, c := range sortedKeys(v.StackErrors) {
			fmt.Fprintf(w, "  %s: %s\n", c, v.StackErrors[c])
		}
	}
	if v.Health != nil {
		if bad := v.Health.Unhealthy(); len(bad) > 0 {
			fmt.Fprintf(w, "Not healthy (%d of %d stacks checked):\n", len(bad), len(v.Health.Stacks))
			for _, s := range bad {
				fmt.Fprintf(w, "  %s:\n", s.Customer)
				for _, p := range s.Problems {
					fmt.Fprintf(w, "    %s\n", p)
				}
			}
		}
	}
	if l := v.later(); len(l) > 0 {
		fmt.Fprintf(w, "Not started, the later rings: %s.\n", strings.Join(l, ", "))
	}
	writeNotes(w, t)
	fmt.Fprintln(w, "To resume:")
	for _, l := range v.Resume(planFile) {
		fmt.Fprintf(w, "  - %s\n", l)
	}
}

func writeFailed(w io.Writer, t Tally, indent string) {
	for _, c := range t.Failed {
		if e := t.Errors[c]; e != "" {
			fmt.Fprintf(w, "%s%s: %s\n", indent, c, firstLine(e))
		} else {
			fmt.Fprintf(w, "%s%s\n", indent, c)
		}
	}
}

func writeNotes(w io.Writer, t Tally) {
	for _, n := range t.Notes {
		fmt.Fprintf(w, "Note: %s\n", n)
	}
}

// WriteMarkdown writes the verdict for a GitHub step summary.
func (v Verdict) WriteMarkdown(w io.Writer, planFile string) {
	t := v.Tally
	if !v.Halted() {
		fmt.Fprintf(w, "## Ring %s: passed\n\n", v.Ring.Name)
		fmt.Fprintf(w, "Commit `%s`: %d of %d stacks released", v.Plan.Commit, len(t.Done), len(v.Ring.Stacks))
		if v.Baked > 0 {
			fmt.Fprintf(w, ", baked %s", v.Baked)
		}
		fmt.Fprintf(w, ", every stack healthy (%s).\n", strings.Join(healthGates(v.Ring), ", "))
		if len(t.Failed) > 0 {
			fmt.Fprintf(w, "\n%d stacks failed, within the plan's %s; they are left for a resume (`%s`):\n\n",
				len(t.Failed), percent(t.HaltAbove), ResumeCommand(planFile))
			writeFailedMarkdown(w, t)
		}
		return
	}
	fmt.Fprintf(w, "## Ring %s: HALTED\n\n", v.Ring.Name)
	fmt.Fprintf(w, "Commit `%s`. The next rings do not start.\n\n", v.Plan.Commit)
	for _, r := range v.Reasons() {
		fmt.Fprintf(w, "- %s\n", r)
	}
	if len(t.Failed) > 0 {
		fmt.Fprintf(w, "\n### Failed (%d of %d started)\n\n", len(t.Failed), t.Started())
		writeFailedMarkdown(w, t)
	}
	if len(t.NotStarted) > 0 {
		fmt.Fprintf(w, "\n### Not started (%d)\n\n%s\n", len(t.NotStarted), codeList(t.NotStarted))
	}
	if len(v.StackErrors) > 0 {
		fmt.Fprintf(w, "\n### Stack files that could not be read\n\n")
		for _, c := range sortedKeys(v.StackErrors) {
			fmt.Fprintf(w, "- `%s`: %s\n", c, mdEscape(v.StackErrors[c]))
		}
	}
	if v.Health != nil {
		if bad := v.Health.Unhealthy(); len(bad) > 0 {
			fmt.Fprintf(w, "\n### Not healthy (%d of %d)\n\n| stack | gate | problem |\n|---|---|---|\n", len(bad), len(v.Health.Stacks))
			for _, s := range bad {
				for _, p := range s.Problems {
					msg := mdEscape(p.Message)
					if p.Pending {
						msg += " (pending)"
					}
					fmt.Fprintf(w, "| `%s` | %s | %s |\n", s.Customer, p.Gate, msg)
				}
			}
		}
	}
	if l := v.later(); len(l) > 0 {
		fmt.Fprintf(w, "\n### Not started: the later rings\n\n%s\n", strings.Join(l, ", "))
	}
	fmt.Fprintf(w, "\n### To resume\n\n")
	for _, l := range v.Resume(planFile) {
		fmt.Fprintf(w, "- %s\n", mdEscape(l))
	}
}

func writeFailedMarkdown(w io.Writer, t Tally) {
	for _, c := range t.Failed {
		if e := t.Errors[c]; e != "" {
			fmt.Fprintf(w, "- `%s`: %s\n", c, mdEscape(firstLine(e)))
		} else {
			fmt.Fprintf(w, "- `%s`\n", c)
		}
	}
}

func codeList(items []string) string {
	out := make([]string, len(items))
	for i, s := range items {
		out[i] = "`" + s + "`"
	}
	return strings.Join(out, ", ")
}

// mdEscape keeps a message on its table row.
func mdEscape(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ", "\r", "").Replace(s)
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return line
}

// percent writes a fraction as a percentage with at most one decimal.
func percent(f float64) string { return strconv.FormatFloat(math.Round(f*1000)/10, 'f', -1, 64) + "%" }

func joinInts(ns []int) string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = strconv.Itoa(n)
	}
	return strings.Join(out, ", ")
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// Problems counts the health problems of a report by gate, for tests and
// logs.
func Problems(r *health.Report) map[string]int {
	out := map[string]int{}
	if r == nil {
		return out
	}
	for _, s := range r.Stacks {
		for _, p := range s.Problems {
			out[p.Gate]++
		}
	}
	return out
}
