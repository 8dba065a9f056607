package failover

import (
	"context"
	"errors"
	"fmt"
	"slices"
)

// current returns the account as ARM reports it, or, in a dry run, as the
// stack file says it is (known).
func (c *Client) current(ctx context.Context, accountID string, known Account) (Account, error) {
	if c.DryRun {
		return known, nil
	}
	return c.Get(ctx, accountID)
}

// Result is what Azure answered to a write-region change: what drctl
// records in the stack file, so that the review can check the change
// against the base and the release against Azure.
type Result struct {
	// AccountID is the account's ARM ID as Azure reported it.
	AccountID string
	// Before is the write region before the change, as Azure reported it.
	Before string
	// Locations are the failover policies Azure reported after the change.
	Locations []Location
	// OperationID is ARM's ID of the request that made the change
	// (failoverPriorityChange or offlineRegion).
	OperationID string
}

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

// Planned moves the write region to target with both regions healthy: no
// data is lost. Service-managed failover is turned off around the change,
// as Azure requires, and turned back on even if the change fails.
func (c *Client) Planned(ctx context.Context, accountID, target string, known Account) (Result, error) {
	acct, err := c.current(ctx, accountID, known)
	if err != nil {
		return Result{}, err
	}
	name, ok := acct.find(target)
	if !ok {
		return Result{}, fmt.Errorf("%s is not a region of the account", target)
	}
	if SameRegion(acct.WriteRegion(), target) {
		return Result{}, fmt.Errorf("%s already takes writes", name)
	}
	res := Result{AccountID: acct.ID, Before: acct.WriteRegion()}
	err = c.withoutServiceManagedFailover(ctx, accountID, acct, func() error {
		next := WithWriteRegion(acct, name)
		id, err := c.ChangePriorities(ctx, accountID, next)
		if err != nil {
			return err
		}
		res.OperationID = id
		after, err := c.verify(ctx, accountID, name, next)
		res.Locations = after.Locations
		if after.ID != "" {
			res.AccountID = after.ID
		}
		return err
	})
	return res, err
}

// withoutServiceManagedFailover runs change with service-managed failover
// off, as Azure requires for a priority change, and turns it back on
// whatever happened: an account without it is worse off in the next outage.
func (c *Client) withoutServiceManagedFailover(ctx context.Context, accountID string, acct Account, change func() error) (err error) {
	if !acct.AutomaticFailover {
		return change()
	}
	if err := c.SetAutomaticFailover(ctx, accountID, false); err != nil {
		return err
	}
	defer func() {
		err = errors.Join(err, c.SetAutomaticFailover(context.WithoutCancel(ctx), accountID, true))
	}()
	return change()
}

// Forced fails over from the write region down, which is unavailable, by
// taking it offline. It takes seconds and may lose writes that were not
// yet replicated. Nothing else is changed: control-plane changes during a
// regional outage delay recovery.
func (c *Client) Forced(ctx context.Context, accountID, down string, known Account) (Result, error) {
	acct, err := c.current(ctx, accountID, known)
	if err != nil {
		return Result{}, err
	}
	name, ok := acct.find(down)
	if !ok {
		return Result{}, fmt.Errorf("%s is not a region of the account", down)
	}
	if !SameRegion(acct.WriteRegion(), name) {
		return Result{}, fmt.Errorf("%s does not take writes (%s does): nothing to force", name, acct.WriteRegion())
	}
	if len(acct.Locations) < 2 {
		return Result{}, errors.New("the account has no other region to fail over to")
	}
	res := Result{AccountID: acct.ID, Before: acct.WriteRegion()}
	id, err := c.OfflineRegion(ctx, accountID, name)
	if err != nil {
		return res, err
	}
	res.OperationID = id
	after, err := c.verifyNot(ctx, accountID, name, acct)
	res.Locations = after.Locations
	if after.ID != "" {
		res.AccountID = after.ID
	}
	return res, err
}

// Drill runs the documented drill: service-managed failover off, planned
// failover to secondary, check, fail back, check, service-managed failover
// on. The account ends as it began.
func (c *Client) Drill(ctx context.Context, accountID, secondary string, known Account) error {
	acct, err := c.current(ctx, accountID, known)
	if err != nil {
		return err
	}
	name, ok := acct.find(secondary)
	if !ok {
		return fmt.Errorf("%s is not a region of the account", secondary)
	}
	original := acct.WriteRegion()
	if SameRegion(original, name) {
		return fmt.Errorf("%s already takes writes: fail back before a drill", name)
	}
	return c.withoutServiceManagedFailover(ctx, accountID, acct, func() error {
		next := WithWriteRegion(acct, name)
		if _, err := c.ChangePriorities(ctx, accountID, next); err != nil {
			return err
		}
		if _, err := c.verify(ctx, accountID, name, next); err != nil {
			return err
		}
		failedOver := acct
		failedOver.Locations = next
		back := WithWriteRegion(failedOver, original)
		if _, err := c.ChangePriorities(ctx, accountID, back); err != nil {
			return fmt.Errorf("failing back after the drill: %w; the account is failed over to %s", err, name)
		}
		_, err := c.verify(ctx, accountID, original, back)
		return err
	})
}

// verify reads the account after a change and checks that want takes
// writes; in a dry run it returns the planned priorities.
func (c *Client) verify(ctx context.Context, accountID, want string, planned []Location) (Account, error) {
	if c.DryRun {
		fmt.Fprintf(c.Out, "dry run: then check that %s takes writes\n", want)
		return Account{Locations: planned}, nil
	}
	acct, err := c.Get(ctx, accountID)
	if err != nil {
		return Account{}, err
	}
	if !SameRegion(acct.WriteRegion(), want) {
		return acct, fmt.Errorf("after the change %s takes writes, not %s", acct.WriteRegion(), want)
	}
	fmt.Fprintf(c.Out, "verified: %s takes writes\n", acct.WriteRegion())
	return acct, nil
}

func (c *Client) verifyNot(ctx context.Context, accountID, down string, before Account) (Account, error) {
	if c.DryRun {
		fmt.Fprintf(c.Out, "dry run: then check that %s no longer takes writes\n", down)
		return Account{Locations: WithWriteRegion(before, next(before, down))}, nil
	}
	acct, err := c.Get(ctx, accountID)
	if err != nil {
		return Account{}, err
	}
	if w := acct.WriteRegion(); w == "" || SameRegion(w, down) {
		return acct, fmt.Errorf("%s still takes writes", down)
	}
	fmt.Fprintf(c.Out, "verified: %s takes writes\n", acct.WriteRegion())
	return acct, nil
}

// next is the region that takes writes when down goes offline: the next by
// priority.
func next(a Account, down string) string {
	if locs := WithWriteRegion(a, down); len(locs) > 1 {
		return locs[1].Name
	}
	return ""
}
