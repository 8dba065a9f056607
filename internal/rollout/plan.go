package rollout

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/fhir-dr/fhir-dr/internal/rollout/ring"
	"github.com/fhir-dr/fhir-dr/internal/shard"
	"github.com/fhir-dr/fhir-dr/stackfile"
)

// DefaultMaxShards is the number of shards a ring is split into at most,
// unless told otherwise: 32 jobs at a time is what the CI runners' pool
// and Azure's per-subscription request limits take comfortably.
const DefaultMaxShards = 32

// Plan is a staged release: the commit, and the stacks to release in their
// rings, in order. Its JSON form is what drctl rollout plan --json prints
// and what the release workflow and drctl rollout run, status and resume
// read.
type Plan struct {
	// Commit is the full SHA of the commit released.
	Commit string `json:"commit"`
	// MaxShards is the most shards any ring has.
	MaxShards int `json:"maxShards"`
	// HaltAbove is the halt rule as a fraction: a ring in which more
	// than this share of the started stacks fail halts the rollout.
	HaltAbove float64 `json:"haltAbove"`
	// Rings are the rings that have stacks, in release order.
	Rings []PlanRing `json:"rings"`
}

// PlanRing is one ring of a plan.
type PlanRing struct {
	// Name is the ring.
	Name string `json:"name"`
	// Stacks are the ring's customers, sorted.
	Stacks []string `json:"stacks"`
	// Shards are the ring's stacks dealt into at most MaxShards CI jobs
	// (shard.Split).
	Shards [][]string `json:"shards"`
	// BakeSeconds is how long the ring bakes before its gate.
	BakeSeconds int `json:"bakeSeconds"`
	// Gates are the checks after the bake, before the next ring.
	Gates []string `json:"gates"`
}

// Bake is the ring's bake time.
func (r PlanRing) Bake() time.Duration { return time.Duration(r.BakeSeconds) * time.Second }

// Member is a stack of the release and its ring.
type Member struct {
	// Customer is the stack.
	Customer string
	// Ring is the ring its stack file names; "" is ring.Default.
	Ring string
}

// commitPattern is a full git object name (SHA-1 or SHA-256).
var commitPattern = regexp.MustCompile(`^([0-9a-f]{40}|[0-9a-f]{64})$`)

// NewPlan groups the members into their rings, in release order, and
// splits each ring into at most maxShards shards. Rings with no stacks are
// left out.
func NewPlan(commit string, members []Member, maxShards int) (Plan, error) {
	if !commitPattern.MatchString(commit) {
		return Plan{}, fmt.Errorf("rollout: the commit must be a full git SHA, got %q", commit)
	}
	if maxShards < 1 || maxShards > shard.GitHubMatrixLimit {
		return Plan{}, fmt.Errorf("rollout: --max-shards must be 1-%d, got %d", shard.GitHubMatrixLimit, maxShards)
	}
	all := ring.All()
	byRing := make([][]string, len(all))
	seen := map[string]bool{}
	var errs []error
	for _, m := range members {
		name := m.Ring
		if name == "" {
			name = ring.Default
		}
		i := ring.Index(name)
		switch {
		case i < 0:
			errs = append(errs, fmt.Errorf("%s: %w", m.Customer, errUnknownRing(name)))
			continue
		case seen[m.Customer]:
			errs = append(errs, fmt.Errorf("%s: listed twice", m.Customer))
			continue
		}
		seen[m.Customer] = true
		byRing[i] = append(byRing[i], m.Customer)
	}
	if len(errs) > 0 {
		return Plan{}, errors.Join(errs...)
	}
	p := Plan{Commit: commit, MaxShards: maxShards, HaltAbove: float64(ring.HaltPercent) / 100, Rings: []PlanRing{}}
	for i, stacks := range byRing {
		if len(stacks) == 0 {
			continue
		}
		slices.Sort(stacks)
		shards, err := shard.Split(stacks, maxShards)
		if err != nil {
			return Plan{}, err
		}
		p.Rings = append(p.Rings, PlanRing{
			Name: all[i].Name, Stacks: stacks, Shards: shards,
			BakeSeconds: int(all[i].Bake / time.Second), Gates: slices.Clone(ring.Gates),
		})
	}
	return p, nil
}

func errUnknownRing(name string) error {
	return fmt.Errorf("unknown ring %q: one of %s", name, strings.Join(ring.Names(), ", "))
}

// LoadMembers reads the ring of every stack file with ringOf (the stack
// file's release.ring, "" for the default) and reports every file that
// cannot be read at once, each error naming its file.
func LoadMembers(files []string, ringOf func(stackFile string) (string, error)) ([]Member, error) {
	var members []Member
	var errs []error
	for _, f := range files {
		customer, err := stackfile.Stack(filepath.Base(f))
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", f, err))
			continue
		}
		ring, err := ringOf(f)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		members = append(members, Member{Customer: customer, Ring: ring})
	}
	return members, errors.Join(errs...)
}

// Stacks are every stack of the plan, in release order.
func (p Plan) Stacks() []string {
	var out []string
	for _, r := range p.Rings {
		out = append(out, r.Stacks...)
	}
	return out
}

// Ring returns the plan's ring named name.
func (p Plan) Ring(name string) (PlanRing, error) {
	for _, r := range p.Rings {
		if r.Name == name {
			return r, nil
		}
	}
	return PlanRing{}, fmt.Errorf("the plan has no ring %q; its rings: %s", name, strings.Join(p.RingNames(), ", "))
}

// RingNames are the names of the plan's rings, in order.
func (p Plan) RingNames() []string {
	names := make([]string, len(p.Rings))
	for i, r := range p.Rings {
		names[i] = r.Name
	}
	return names
}

// Shard returns the stacks of shard i of ring name.
func (p Plan) Shard(name string, i int) ([]string, error) {
	r, err := p.Ring(name)
	if err != nil {
		return nil, err
	}
	if i < 0 || i >= len(r.Shards) {
		return nil, fmt.Errorf("ring %s has shards 0-%d, not %d", name, len(r.Shards)-1, i)
	}
	return r.Shards[i], nil
}

// ReadPlan reads and checks a plan written by drctl rollout plan --json.
func ReadPlan(path string) (Plan, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Plan{}, fmt.Errorf("reading the plan: %w", err)
	}
	var p Plan
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return Plan{}, fmt.Errorf("%s: not a rollout plan: %w", path, err)
	}
	if err := p.check(); err != nil {
		return Plan{}, fmt.Errorf("%s: %w", path, err)
	}
	return p, nil
}

// check verifies what the commands rely on: a commit, a halt threshold
// that is a fraction, known rings in order, each stack once, shards that
// deal exactly the ring's stacks and stay within the limit, bake times
// that are not negative and gates this drctl knows.
func (p Plan) check() error {
	var errs []error
	if !commitPattern.MatchString(p.Commit) {
		errs = append(errs, fmt.Errorf("commit: must be a full git SHA, got %q", p.Commit))
	}
	if p.MaxShards < 1 || p.MaxShards > shard.GitHubMatrixLimit {
		errs = append(errs, fmt.Errorf("maxShards: must be 1-%d, got %d", shard.GitHubMatrixLimit, p.MaxShards))
	}
	if p.HaltAbove < 0 || p.HaltAbove > 1 {
		errs = append(errs, fmt.Errorf("haltAbove %v is not a fraction between 0 and 1", p.HaltAbove))
	}
	for _, r := range p.Rings {
		if r.BakeSeconds < 0 {
			errs = append(errs, fmt.Errorf("ring %s: bakeSeconds %d is negative", r.Name, r.BakeSeconds))
		}
		for _, g := range r.Gates {
			if !slices.Contains(ring.Gates, g) {
				errs = append(errs, fmt.Errorf("ring %s: unknown gate %q (this drctl knows %s)", r.Name, g, strings.Join(ring.Gates, ", ")))
			}
		}
	}
	last := -1
	seen := map[string]string{}
	for _, r := range p.Rings {
		i := ring.Index(r.Name)
		switch {
		case i < 0:
			errs = append(errs, fmt.Errorf("rings: %w", errUnknownRing(r.Name)))
			continue
		case i <= last:
			errs = append(errs, fmt.Errorf("rings: %s is out of order (the order is %s)", r.Name, strings.Join(ring.Names(), ", ")))
		}
		last = i
		if len(r.Shards) > p.MaxShards {
			errs = append(errs, fmt.Errorf("rings %s: %d shards, more than maxShards %d", r.Name, len(r.Shards), p.MaxShards))
		}
		for _, s := range r.Stacks {
			if other, ok := seen[s]; ok {
				errs = append(errs, fmt.Errorf("rings %s: stack %s is also in ring %s", r.Name, s, other))
			}
			seen[s] = r.Name
		}
		var dealt []string
		for _, sh := range r.Shards {
			dealt = append(dealt, sh...)
		}
		if !slices.Equal(slices.Sorted(slices.Values(dealt)), slices.Sorted(slices.Values(r.Stacks))) {
			errs = append(errs, fmt.Errorf("rings %s: the shards do not hold exactly the ring's stacks", r.Name))
		}
	}
	return errors.Join(errs...)
}

// WriteJSON writes the plan as the workflow reads it.
func (p Plan) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(p)
}

// WriteText writes the plan for people: the order, the batches and the
// gates.
func (p Plan) WriteText(w io.Writer) {
	total := len(p.Stacks())
	if total == 0 {
		fmt.Fprintf(w, "Release of %s: no stacks to release.\n", short(p.Commit))
		return
	}
	fmt.Fprintf(w, "Release of %s: %d stacks in %d rings, at most %d shards (CI jobs) per ring.\n",
		short(p.Commit), total, len(p.Rings), p.MaxShards)
	fmt.Fprintf(w, "A ring in which more than %d%% of the started stacks fail halts the rollout.\n\n", ring.HaltPercent)
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "STEP\tRING\tSTACKS\tSHARDS\tBAKE\tTHEN")
	for i, r := range p.Rings {
		then := "gate, then ring " + ""
		if i+1 < len(p.Rings) {
			then += p.Rings[i+1].Name
		} else {
			then = "gate, then done"
		}
		fmt.Fprintf(tw, "%d\t%s\t%d\t%d\t%s\t%s\n", i+1, r.Name, len(r.Stacks), len(r.Shards), formatBake(r.Bake()), then)
	}
	_ = tw.Flush()
	fmt.Fprintf(w, "\nThe gate after each ring: %s.\n", strings.Join(ring.Gates, ", "))
	for _, r := range p.Rings {
		fmt.Fprintf(w, "\n%s:\n", r.Name)
		for i, sh := range r.Shards {
			fmt.Fprintf(w, "  shard %d: %s\n", i, strings.Join(sh, ", "))
		}
	}
}

// formatBake writes a bake time the short way ("1h", "30m", "none").
func formatBake(d time.Duration) string {
	switch {
	case d == 0:
		return "none"
	case d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d%time.Minute == 0:
		return fmt.Sprintf("%dm", d/time.Minute)
	}
	return d.String()
}

// short is a commit's abbreviation for people.
func short(commit string) string {
	if len(commit) > 12 {
		return commit[:12]
	}
	return commit
}
