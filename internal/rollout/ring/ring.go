// Package ring is the one declaration of the release rings of
// internal/rollout: their names and order, their bake times, the halt rule
// and the gates after each ring. drconfig's release.ring setting takes its
// values from here (which is why this is a package of its own: drconfig
// cannot import the rollout, whose runner reads the configuration), and so
// do the plan, the workflow and the README.
package ring

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Ring is one stage of a release.
type Ring struct {
	// Name is what a stack file's release.ring says.
	Name string
	// Bake is how long the ring runs on the new release before the gate
	// is checked and the next ring starts.
	Bake time.Duration
	// Doc says who belongs in the ring.
	Doc string
}

// rings are the rings in the order a release goes through them.
var rings = []Ring{
	{"canary", 60 * time.Minute, "a few stacks that cover the tiers, first to get every release"},
	{"early", 30 * time.Minute, "customers who take releases early"},
	{"wave-1", 15 * time.Minute, "a first share of the fleet"},
	{"wave-2", 15 * time.Minute, "a second share"},
	{"wave-3", 15 * time.Minute, "a third share"},
	{"broad", 0, "everyone else (the default)"},
}

// Default is the ring of a stack file that names none.
const Default = "broad"

// HaltPercent is the halt rule: a ring in which more than this percentage
// of its started stacks fail halts the rollout. Below ten stacks, that is
// any failure; a ring of 100 tolerates 10 failed stacks and halts at 11.
// Stacks not started (an interrupted run) count neither way.
const HaltPercent = 10

// All returns the rings in release order.
func All() []Ring { return slices.Clone(rings) }

// Names returns the names of the rings in release order: the values
// release.ring takes.
func Names() []string {
	names := make([]string, len(rings))
	for i, r := range rings {
		names[i] = r.Name
	}
	return names
}

// Lookup returns the ring named name.
func Lookup(name string) (Ring, error) {
	if i := Index(name); i >= 0 {
		return rings[i], nil
	}
	return Ring{}, fmt.Errorf("unknown ring %q: one of %s", name, strings.Join(Names(), ", "))
}

// Index is the position of a ring in release order, -1 if unknown.
func Index(name string) int {
	return slices.IndexFunc(rings, func(r Ring) bool { return r.Name == name })
}

// Halts reports whether a ring with started stacks of which failed failed
// halts the rollout: failed > HaltPercent% of started.
func Halts(started, failed int) bool {
	return HaltsAbove(started, failed, float64(HaltPercent)/100)
}

// HaltsAbove is the halt rule with the threshold a plan carries (its
// haltAbove, a fraction 0-1): failed > above × started. The tolerance
// keeps a share exactly at the threshold (1 of 10 at 0.1) from halting
// through floating-point rounding.
func HaltsAbove(started, failed int, above float64) bool {
	return failed > 0 && float64(failed) > above*float64(started)+1e-9
}

// Gates are the health checks after each ring's bake, by name, in the
// order they are checked (drctl rollout gate checks them against Azure).
var Gates = []string{
	// Every stack of the ring is up to date: its last update released the
	// commit and succeeded.
	"up-to-date",
	// The Traffic Manager endpoints of the ring's full-tier stacks are
	// online.
	"traffic-manager-endpoints-online",
	// The availability tests, where a stack has them, pass.
	"availability-tests-passing",
	// No DR alert rule of the ring's stacks is firing.
	"no-dr-alert-firing",
}
