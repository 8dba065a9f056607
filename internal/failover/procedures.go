package failover

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// RestoreTimeout is the default of Client.RestoreTimeout.
const RestoreTimeout = time.Minute

// StepKind says what a step of a plan does.
type StepKind int

// The kinds of step.
const (
	// SetServiceManagedFailover turns enableAutomaticFailover on or off
	// (PATCH of the account).
	SetServiceManagedFailover StepKind = iota
	// MoveWrites changes the failover priorities (failoverPriorityChange)
	// and waits until Region takes writes.
	MoveWrites
	// TakeOffline takes Region offline (offlineRegion).
	TakeOffline
	// BringOnline brings Region back online as a read region
	// (onlineRegion).
	BringOnline
	// Verify reads the account and checks that Region takes writes and is
	// online.
	Verify
)

// Step is one step of a plan.
type Step struct {
	// Kind says what it does.
	Kind StepKind
	// Name says it in words; a drill's record names its steps so.
	Name string
	// On is the setting a SetServiceManagedFailover step makes.
	On bool
	// Region is the region the step moves writes to, takes offline,
	// brings online or checks.
	Region string
	// Locations are the priorities a MoveWrites step sets.
	Locations []Location
}

// Request is the request the step sends, as a dry run shows it.
func (s Step) Request(accountID string) string {
	line := func(method, action string, body any) string {
		b, _ := json.Marshal(body)
		path := accountID
		if action != "" {
			path += "/" + action
		}
		return fmt.Sprintf("%s %s?api-version=%s %s", method, path, APIVersion, b)
	}
	switch s.Kind {
	case SetServiceManagedFailover:
		return line(http.MethodPatch, "", automaticFailoverBody(s.On))
	case MoveWrites:
		return line(http.MethodPost, "failoverPriorityChange", prioritiesBody(s.Locations))
	case TakeOffline:
		return line(http.MethodPost, "offlineRegion", regionBody(s.Region))
	case BringOnline:
		return line(http.MethodPost, "onlineRegion", regionBody(s.Region))
	default:
		return fmt.Sprintf("GET %s?api-version=%s, then check that %s takes writes", accountID, APIVersion, s.Region)
	}
}

// done reports whether the account shows the step's effect.
func (s Step) done(a Account) bool {
	switch s.Kind {
	case SetServiceManagedFailover:
		return a.AutomaticFailover == s.On
	case MoveWrites:
		return SameRegion(a.WriteRegion(), s.Region)
	case TakeOffline:
		return !a.Online(s.Region) && !SameRegion(a.WriteRegion(), s.Region)
	case BringOnline:
		return a.Online(s.Region)
	default:
		return false
	}
}

// assume returns the account as the step leaves it, for the state as last
// known when it cannot be read again.
func (s Step) assume(a Account) Account {
	a.Regions = slices.Clone(a.Regions)
	setOnline := func(online bool) {
		for i := range a.Regions {
			if SameRegion(a.Regions[i].Name, s.Region) {
				a.Regions[i].Online = online
			}
		}
	}
	switch s.Kind {
	case SetServiceManagedFailover:
		a.AutomaticFailover = s.On
	case MoveWrites:
		a.Locations, a.Writes = s.Locations, s.Region
	case TakeOffline:
		if n := next(a, s.Region); SameRegion(a.WriteRegion(), s.Region) && n != "" {
			a.Locations, a.Writes = WithWriteRegion(a, n), n
		}
		setOnline(false)
	case BringOnline:
		setOnline(true)
	}
	return a
}

func serviceManaged(on bool) Step {
	return Step{Kind: SetServiceManagedFailover, On: on, Name: "service-managed failover " + onOff(on)}
}

func moveWrites(a Account, region string) Step {
	locs := WithWriteRegion(a, region)
	return Step{Kind: MoveWrites, Region: region, Locations: locs, Name: fmt.Sprintf("priority change until %s takes writes", region)}
}

func verify(region string) Step {
	return Step{Kind: Verify, Region: region, Name: fmt.Sprintf("verify %s takes writes", region)}
}

// Plan is what a procedure will send, derived from the account's state as
// Azure reported it. An empty plan means there is nothing left to do.
type Plan struct {
	// Account is the state the plan was derived from.
	Account Account
	// Steps are the steps, in order.
	Steps []Step
	// Restore is whether service-managed failover is to be on at the end:
	// if the plan fails or is interrupted, Execute turns it back on.
	Restore bool
}

// Empty reports whether Azure is where the procedure would leave it.
func (p Plan) Empty() bool { return len(p.Steps) == 0 }

// WithWriteRegion returns the account's locations with target at priority
// 0 and the others after it in their current order.
func WithWriteRegion(a Account, target string) []Location {
	others := slices.Clone(a.Locations)
	slices.SortFunc(others, func(x, y Location) int { return x.Priority - y.Priority })
	out := []Location{}
	for _, l := range others {
		if SameRegion(l.Name, target) {
			out = append([]Location{{Name: l.Name, Priority: 0}}, out...)
		}
	}
	for _, l := range others {
		if !SameRegion(l.Name, target) {
			out = append(out, Location{Name: l.Name, Priority: len(out)})
		}
	}
	return out
}

// PlanPlanned plans moving the write region to target with both regions
// healthy: no data is lost. Service-managed failover is turned off for the
// priority change, as Azure requires, and on at the end when restoreOn
// (what it was before the procedure started). When target takes writes
// already, only what is left is planned: turning service-managed failover
// back on, or nothing.
func PlanPlanned(a Account, target string, restoreOn bool) (Plan, error) {
	return planMove(a, target, restoreOn, false)
}

func planMove(a Account, target string, restoreOn, comingOnline bool) (Plan, error) {
	name, ok := a.find(target)
	if !ok {
		return Plan{}, fmt.Errorf("%s is not a region of the account", target)
	}
	plan := Plan{Account: a, Restore: restoreOn}
	auto := a.AutomaticFailover
	if !SameRegion(a.WriteRegion(), name) {
		if !a.Online(name) && !comingOnline {
			return Plan{}, fmt.Errorf("%s is not online (%s): a planned change of the write region needs it healthy", name, a.Summary())
		}
		if auto {
			plan.Steps = append(plan.Steps, serviceManaged(false))
			auto = false
		}
		plan.Steps = append(plan.Steps, moveWrites(a, name), verify(name))
	}
	if restoreOn && !auto {
		plan.Steps = append(plan.Steps, serviceManaged(true))
	}
	return plan, nil
}

// PlanFailback plans moving the write region back to primary. A primary
// a forced failover took offline is brought online first when online is
// set, and refused otherwise.
func PlanFailback(a Account, primary string, online, restoreOn bool) (Plan, error) {
	name, ok := a.find(primary)
	if !ok {
		return Plan{}, fmt.Errorf("%s is not a region of the account", primary)
	}
	var first []Step
	if !a.Online(name) {
		if !online {
			return Plan{}, fmt.Errorf("%s is offline (%s): add --online to bring it back as a read region first", name, a.Summary())
		}
		first = append(first, Step{Kind: BringOnline, Region: name, Name: fmt.Sprintf("bring %s online", name)})
	}
	plan, err := planMove(a, name, restoreOn, len(first) > 0)
	plan.Steps = append(first, plan.Steps...)
	return plan, err
}

// PlanForced plans the forced failover from down, the write region, to
// target: down is taken offline and the next region by priority, which
// must be target, takes writes. Service-managed failover is left as it is:
// control-plane changes during a regional outage delay recovery. When
// target takes writes already, nothing is left to do.
func PlanForced(a Account, down, target string) (Plan, error) {
	downName, ok := a.find(down)
	if !ok {
		return Plan{}, fmt.Errorf("%s is not a region of the account", down)
	}
	targetName, ok := a.find(target)
	if !ok {
		return Plan{}, fmt.Errorf("%s is not a region of the account", target)
	}
	plan := Plan{Account: a, Restore: a.AutomaticFailover}
	switch w := a.WriteRegion(); {
	case SameRegion(w, targetName):
		return plan, nil
	case !SameRegion(w, downName):
		return Plan{}, fmt.Errorf("%s does not take writes (%s does): nothing to force", downName, orUnknown(w))
	}
	if n := next(a, downName); !SameRegion(n, targetName) {
		return Plan{}, fmt.Errorf("taking %s offline would move writes to %s, the next by failover priority, not %s", downName, orUnknown(n), targetName)
	}
	plan.Steps = []Step{{Kind: TakeOffline, Region: downName, Name: fmt.Sprintf("take %s offline", downName)}, verify(targetName)}
	return plan, nil
}

// PlanDrill plans the documented drill: service-managed failover off,
// priority change to secondary, check, priority change back to primary,
// check, service-managed failover on (when restoreOn). Resuming an
// interrupted drill plans only what brings the account back: writes to
// primary and service-managed failover as it was.
func PlanDrill(a Account, primary, secondary string, restoreOn, resume bool) (Plan, error) {
	p, ok := a.find(primary)
	if !ok {
		return Plan{}, fmt.Errorf("%s is not a region of the account", primary)
	}
	s, ok := a.find(secondary)
	if !ok {
		return Plan{}, fmt.Errorf("%s is not a region of the account", secondary)
	}
	if resume {
		return planMove(a, p, restoreOn, false)
	}
	if SameRegion(a.WriteRegion(), s) {
		return Plan{}, fmt.Errorf("%s already takes writes: fail back before a drill", s)
	}
	for _, r := range []string{p, s} {
		if !a.Online(r) {
			return Plan{}, fmt.Errorf("%s is not online (%s): a drill needs both regions healthy", r, a.Summary())
		}
	}
	plan := Plan{Account: a, Restore: restoreOn}
	if a.AutomaticFailover {
		plan.Steps = append(plan.Steps, serviceManaged(false))
	}
	failedOver := a
	failedOver.Locations = WithWriteRegion(a, s)
	plan.Steps = append(plan.Steps, moveWrites(a, s), verify(s), moveWrites(failedOver, p), verify(p))
	if restoreOn {
		plan.Steps = append(plan.Steps, serviceManaged(true))
	}
	return plan, nil
}

// next is the region that takes writes when down goes offline: the next by
// priority.
func next(a Account, down string) string {
	if locs := WithWriteRegion(a, down); len(locs) > 1 {
		return locs[1].Name
	}
	return ""
}

// Executed is one step carried out, or tried.
type Executed struct {
	// Step is the step.
	Step Step
	// Took is how long it took, until its check or its error.
	Took time.Duration
	// RequestID is ARM's ID of the step's request, if Azure accepted it.
	RequestID string
	// Err is why it failed; nil when it succeeded.
	Err error
}

// Outcome is what Execute did.
type Outcome struct {
	// Steps are the steps tried, in order, ending with the restoration of
	// service-managed failover if Execute turned it back on after a
	// failure.
	Steps []Executed
	// Account is the account as last read (by a check, or after an
	// error); the plan's when nothing was read.
	Account Account
	// OperationID is ARM's request ID of the plan's change of the write
	// region (failoverPriorityChange or offlineRegion); "" when it had
	// none.
	OperationID string
}

// Execute carries out the plan's steps in order, each bounded by ctx. A
// step whose request fails (Azure's answer lost, retries exhausted) is
// checked against the account re-read: if Azure shows it done, Execute
// carries on. When a step fails or ctx ends, no further step starts; if
// the plan is to leave service-managed failover on, Execute then turns it
// on with a context of its own (restore, bounded by Client.RestoreTimeout),
// because an account without it is worse off in the next outage.
func (c *Client) Execute(ctx, restore context.Context, accountID string, plan Plan) (Outcome, error) {
	out := Outcome{Account: plan.Account}
	turnedOff := false
	for _, s := range plan.Steps {
		fmt.Fprintf(c.Out, "%s ...\n", s.Name)
		start := time.Now()
		id, err := c.run(ctx, accountID, s, &out)
		if err != nil && ctx.Err() == nil && s.Kind != Verify {
			// The answer may be lost while Azure did it: look.
			if acct, rerr := c.Get(ctx, accountID); rerr == nil {
				out.Account = acct
				if s.done(acct) {
					fmt.Fprintf(c.Out, "%s: Azure answered %v; the account shows it done: carrying on\n", s.Name, firstLine(err))
					err = nil
				}
			}
		}
		e := Executed{Step: s, Took: time.Since(start), RequestID: id, Err: err}
		out.Steps = append(out.Steps, e)
		if err != nil && id != "" && s.Kind != Verify {
			// Azure accepted the request: as far as is known, it will
			// carry it out.
			out.Account = s.assume(out.Account)
		}
		if err != nil {
			err = fmt.Errorf("%s: %w", s.Name, err)
			if ctx.Err() != nil && !errors.Is(err, ctx.Err()) {
				err = fmt.Errorf("%w (%w)", err, ctx.Err())
			}
			if plan.Restore && (turnedOff || !out.Account.AutomaticFailover || s.Kind == SetServiceManagedFailover) {
				err = errors.Join(err, c.restore(restore, accountID, &out))
			}
			return out, err
		}
		fmt.Fprintf(c.Out, "%s: done (%s)\n", s.Name, e.Took.Round(100*time.Millisecond))
		if s.Kind != Verify {
			out.Account = s.assume(out.Account)
		}
		switch s.Kind {
		case SetServiceManagedFailover:
			turnedOff = !s.On
		case MoveWrites, TakeOffline:
			out.OperationID = id
		}
	}
	return out, nil
}

// restore turns service-managed failover back on after a failure, on its
// own bounded context.
func (c *Client) restore(parent context.Context, accountID string, out *Outcome) error {
	ctx, cancel := context.WithTimeout(parent, c.RestoreTimeout)
	defer cancel()
	s := serviceManaged(true)
	s.Name = "restore service-managed failover"
	fmt.Fprintf(c.Out, "%s ...\n", s.Name)
	start := time.Now()
	id, err := c.SetAutomaticFailover(ctx, accountID, true)
	out.Steps = append(out.Steps, Executed{Step: s, Took: time.Since(start), RequestID: id, Err: err})
	if err != nil {
		return fmt.Errorf("turning service-managed failover back on: %w", err)
	}
	out.Account.AutomaticFailover = true
	fmt.Fprintf(c.Out, "%s: done\n", s.Name)
	return nil
}

func (c *Client) run(ctx context.Context, accountID string, s Step, out *Outcome) (string, error) {
	switch s.Kind {
	case SetServiceManagedFailover:
		return c.SetAutomaticFailover(ctx, accountID, s.On)
	case MoveWrites:
		return c.ChangePriorities(ctx, accountID, s.Locations)
	case TakeOffline:
		return c.OfflineRegion(ctx, accountID, s.Region)
	case BringOnline:
		return c.OnlineRegion(ctx, accountID, s.Region)
	}
	acct, err := c.Get(ctx, accountID)
	if err != nil {
		return "", err
	}
	out.Account = acct
	switch {
	case !SameRegion(acct.WriteRegion(), s.Region):
		return acct.RequestID, fmt.Errorf("%s takes writes, not %s", orUnknown(acct.WriteRegion()), s.Region)
	case !acct.Online(s.Region):
		return acct.RequestID, fmt.Errorf("%s takes writes but is not online (%s)", s.Region, acct.Summary())
	}
	fmt.Fprintf(c.Out, "verified: %s takes writes\n", acct.WriteRegion())
	return acct.RequestID, nil
}

// firstLine is the first line of an error: azcore's errors span many.
func firstLine(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}
