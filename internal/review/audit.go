package review

import (
	"context"
	"fmt"
	"github.com/fhir-dr/fhir-dr/stackfile"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/fhir-dr/fhir-dr/drconfig"
)

// stackNamePattern is what a stack name given on the command line may be:
// never an option or a path that git would read differently.
var stackNamePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// Event is one DR change in a customer's history.
type Event struct {
	// Date is the commit's author date.
	Date time.Time `json:"date"`
	// Customer is the stack.
	Customer string `json:"customer"`
	// Kind is onboarded, enabled, disabled, tier-changed, failover,
	// failback, secondary-changed, ticket-changed, removed or invalid.
	Kind string `json:"event"`
	// Detail says what changed.
	Detail string `json:"detail"`
	// Ticket is the stack's ticket after the change.
	Ticket string `json:"ticket,omitempty"`
	// Author and Commit identify the change.
	Author string `json:"author"`
	Commit string `json:"commit"`
}

// Audit reads the git history of the customers' stack files (every stack
// when customers is empty) and returns their DR events, oldest first: the
// reviewed config changes are the audit trail of who changed what, when,
// under which ticket.
func Audit(ctx context.Context, root string, customers []string) ([]Event, error) {
	if len(customers) == 0 {
		out, err := git(ctx, root, "log", "--format=", "--name-only", "--", stackfile.Dir)
		if err != nil {
			return nil, err
		}
		seen := map[string]bool{}
		for _, path := range strings.Fields(out) {
			if name, err := stackfile.Stack(path); err == nil && !seen[name] {
				seen[name] = true
				customers = append(customers, name)
			}
		}
		slices.Sort(customers)
	}
	var events []Event
	for _, c := range customers {
		if !stackNamePattern.MatchString(c) {
			return nil, fmt.Errorf("audit: %q is not a stack name", c)
		}
		es, err := auditStack(ctx, root, c)
		if err != nil {
			return nil, err
		}
		events = append(events, es...)
	}
	slices.SortStableFunc(events, func(a, b Event) int { return a.Date.Compare(b.Date) })
	return events, nil
}

func auditStack(ctx context.Context, root, customer string) ([]Event, error) {
	path := filepath.ToSlash(stackfile.Path(customer))
	log, err := git(ctx, root, "log", "--reverse", "--format=%H%x1f%an <%ae>%x1f%aI", "--", path)
	if err != nil {
		return nil, err
	}
	var events []Event
	var prev *drconfig.Config
	for _, line := range strings.Split(strings.TrimSpace(log), "\n") {
		if line == "" {
			continue
		}
		f := strings.Split(line, "\x1f")
		if len(f) != 3 {
			continue
		}
		date, _ := time.Parse(time.RFC3339, f[2])
		base := Event{Date: date, Customer: customer, Author: f[1], Commit: f[0][:12]}
		content, err := git(ctx, root, "show", f[0]+":"+path)
		if err != nil {
			e := base
			e.Kind, e.Detail = "removed", "stack file deleted"
			events = append(events, e)
			prev = nil
			continue
		}
		cfg, err := loadContent(customer, content)
		if err != nil {
			e := base
			e.Kind, e.Detail = "invalid", "the stack file did not validate at this commit"
			events = append(events, e)
			continue
		}
		for _, e := range diffEvents(prev, cfg) {
			e.Date, e.Customer, e.Author, e.Commit, e.Ticket = base.Date, customer, base.Author, base.Commit, cfg.DR.Ticket
			events = append(events, e)
		}
		prev = cfg
	}
	return events, nil
}

// diffEvents names the DR changes from prev to cur (prev nil: the stack
// file is new).
func diffEvents(prev, cur *drconfig.Config) []Event {
	var out []Event
	add := func(kind, format string, args ...any) {
		out = append(out, Event{Kind: kind, Detail: fmt.Sprintf(format, args...)})
	}
	if prev == nil {
		add("onboarded", "primary %s", cur.PrimaryRegion)
		if cur.DR.Enabled {
			add("enabled", "%s tier, secondary %s", cur.DR.Tier, cur.DR.SecondaryRegion)
		}
		return out
	}
	switch {
	case !prev.DR.Enabled && cur.DR.Enabled:
		add("enabled", "%s tier, secondary %s", cur.DR.Tier, cur.DR.SecondaryRegion)
		return out
	case prev.DR.Enabled && !cur.DR.Enabled:
		add("disabled", "secondary %s removed", prev.DR.SecondaryRegion)
		return out
	case !cur.DR.Enabled:
		return out
	}
	if prev.DR.Tier != cur.DR.Tier {
		add("tier-changed", "%s -> %s", prev.DR.Tier, cur.DR.Tier)
	}
	if prev.DR.SecondaryRegion != cur.DR.SecondaryRegion {
		add("secondary-changed", "%s -> %s", prev.DR.SecondaryRegion, cur.DR.SecondaryRegion)
	}
	if prev.DR.WriteRegion != cur.DR.WriteRegion {
		kind := "failover"
		if cur.DR.WriteRegion == cur.PrimaryRegion {
			kind = "failback"
		}
		add(kind, "writes %s -> %s: %s", prev.DR.WriteRegion, cur.DR.WriteRegion, cur.DR.WriteRegionChange.String())
	}
	if len(out) == 0 && prev.DR.Ticket != cur.DR.Ticket {
		add("ticket-changed", "%s -> %s", prev.DR.Ticket, cur.DR.Ticket)
	}
	return out
}

// loadContent validates a stack file's content.
func loadContent(customer, content string) (*drconfig.Config, error) {
	return fromContent(customer, content, drconfig.LoadFile)
}

// fromContent gives read, which takes a stack file's path (the file's name
// is its stack's), stack file content such as git show prints, in a
// temporary project of its own.
func fromContent[T any](customer, content string, read func(path string) (T, error)) (T, error) {
	var zero T
	dir, err := os.MkdirTemp("", "fhir-dr-stack-")
	if err != nil {
		return zero, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, stackfile.Path(customer))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return zero, err
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		return zero, err
	}
	return read(path)
}
