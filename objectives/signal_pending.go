package objectives

import "time"

// TEMPORARY (branch detection): the shape the lead engineer is adding to
// objectives on main (objectives.Signal, MetricPublication, PagingDelivery).
// Deleted when main is merged.

// Signal is one detection path: the named, sourced terms until it fires.
type Signal struct {
	Name  string
	Terms []Term
}

// MetricPublication is fhir-dr's estimate of the delay before a platform
// metric's completed time grain is visible to alert rules.
const MetricPublication = time.Minute

// PagingDelivery is fhir-dr's estimate of an action group's delivery.
const PagingDelivery = 2 * time.Minute
