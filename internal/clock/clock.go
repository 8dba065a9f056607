// Package clock holds the one "wait unless the context ends" of the
// project: the failover retries, the rollout's bakes and the gate's polls
// all wait with it, and tests replace it with a clock of their own where
// each takes a Sleep func.
package clock

import (
	"context"
	"time"
)

// Sleep waits d or until ctx ends, whichever is first; it returns ctx's
// error when ctx ended first, else nil.
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
