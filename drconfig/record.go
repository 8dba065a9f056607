package drconfig

import (
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/fhir-dr/fhir-dr/stackfile"
)

// The actions of a write-region record.
const (
	// ActionPlannedFailover is drctl failover: priorities swapped with both
	// regions healthy.
	ActionPlannedFailover = "planned-failover"
	// ActionForcedFailover is drctl failover --forced: the write region
	// taken offline.
	ActionForcedFailover = "forced-failover"
	// ActionFailback is drctl failback.
	ActionFailback = "failback"
	// ActionObserved is drctl record: Azure moved the write region itself
	// (service-managed failover) and drctl read it from the account.
	ActionObserved = "observed"
)

// Actions are the actions a write-region record may name.
var Actions = []string{ActionPlannedFailover, ActionForcedFailover, ActionFailback, ActionObserved}

// WriteRegionRecord is dr.writeRegionChange: the record of the last change
// of the write region, written by drctl failover, failback or record right
// after Azure made the change, with what Azure answered. The review
// (drctl diff) checks a new record against the base revision and the
// deployed account before it accepts the new write region; see the README,
// "Reviewing a change without credentials".
type WriteRegionRecord struct {
	// Action is one of Actions.
	Action string `json:"action" yaml:"action"`
	// From and To are the write regions before and after (ARM names).
	From string `json:"from" yaml:"from"`
	To   string `json:"to" yaml:"to"`
	// At is when the change was made (or observed), RFC 3339, UTC.
	At string `json:"at" yaml:"at"`
	// By is who ran it; Ticket the incident or change ticket.
	By     string `json:"by" yaml:"by"`
	Ticket string `json:"ticket" yaml:"ticket"`
	// AccountID is the account's ARM ID as Azure reported it.
	AccountID string `json:"accountId" yaml:"accountId"`
	// FailoverPolicies are the account's failover priorities as Azure
	// reported them after the change.
	FailoverPolicies []FailoverPolicy `json:"failoverPolicies" yaml:"failoverPolicies"`
	// OperationID is the ARM request ID (x-ms-request-id) of the change,
	// or of the read that observed it.
	OperationID string `json:"operationId" yaml:"operationId"`

	// Legacy is a free-text record (a string instead of an object). No
	// stack file has one; it is read so that the review can say why it
	// does not verify. drctl never writes one.
	Legacy string `json:"-" yaml:"-"`
}

// FailoverPolicy is one region of an account's failover policies, in
// Azure's words.
type FailoverPolicy struct {
	LocationName     string `json:"locationName" yaml:"locationName"`
	FailoverPriority int    `json:"failoverPriority" yaml:"failoverPriority"`
}

var recordKeys = jsonFields(reflect.TypeOf(WriteRegionRecord{}))

// UnmarshalJSON reads the record object; a string is kept as Legacy.
func (r *WriteRegionRecord) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		*r = WriteRegionRecord{Legacy: s}
		return nil
	}
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(b, &keys); err != nil {
		return fmt.Errorf("must be the record drctl writes, an object with the keys %s", strings.Join(slices.Sorted(maps.Keys(recordKeys)), ", "))
	}
	for _, k := range slices.Sorted(maps.Keys(keys)) {
		if _, ok := recordKeys[k]; !ok {
			return fmt.Errorf("unknown key %q of the record drctl writes%s", k, suggest(k, recordKeys))
		}
	}
	type plain WriteRegionRecord
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return fmt.Errorf("the record drctl writes: %v", err)
	}
	*r = WriteRegionRecord(p)
	return nil
}

// Equal reports whether two records are the same (nil is no record).
func (r *WriteRegionRecord) Equal(o *WriteRegionRecord) bool {
	if r == nil || o == nil {
		return r == o
	}
	return r.Action == o.Action && r.From == o.From && r.To == o.To && r.At == o.At && r.By == o.By &&
		r.Ticket == o.Ticket && r.AccountID == o.AccountID && r.OperationID == o.OperationID && r.Legacy == o.Legacy &&
		slices.Equal(r.FailoverPolicies, o.FailoverPolicies)
}

// String is the record in one line.
func (r *WriteRegionRecord) String() string {
	switch {
	case r == nil:
		return ""
	case r.Legacy != "":
		return r.Legacy
	}
	return fmt.Sprintf("%s %s -> %s at %s by %s (%s)", r.Action, r.From, r.To, r.At, r.By, r.Ticket)
}

// validate checks the record's own shape; whether it is true (its regions,
// account and Azure's answer) is the review's business, against the base.
func (r *WriteRegionRecord) validate(ps *problems) {
	if r == nil || r.Legacy != "" {
		return
	}
	k := func(field string) string { return key("dr.writeRegionChange." + field) }
	if !slices.Contains(Actions, r.Action) {
		ps.add(k("action"), "must be one of %s, got %q", strings.Join(Actions, ", "), r.Action)
	}
	if _, err := time.Parse(time.RFC3339, r.At); err != nil {
		ps.add(k("at"), "must be an RFC 3339 time, got %q", r.At)
	}
	if !ticketPattern.MatchString(r.Ticket) {
		ps.add(k("ticket"), "must be 2-64 letters, digits and . _ # / -, got %q", r.Ticket)
	}
	if r.By == "" {
		ps.add(k("by"), "required: who made the change")
	}
}

// The hazard kinds a stack file may acknowledge (dr.acknowledge.hazards):
// the review's kinds of the same names.
const (
	AckServiceRemoved     = "service-removed"
	AckProtectionReduced  = "protection-reduced"
	acknowledgeTicketHint = "the ticket under which the customer agreed"
)

// Acknowledgeable are the hazard kinds dr.acknowledge may name.
var Acknowledgeable = []string{AckServiceRemoved, AckProtectionReduced}

// Acknowledgement is dr.acknowledge: hazards of this change the customer
// agreed to, under a ticket. The review accepts them only when the
// acknowledgement is new in the change (its ticket differs from the base's),
// so that one left in the file never covers a later change.
type Acknowledgement struct {
	// Ticket is the ticket under which the customer agreed. Required.
	Ticket string `json:"ticket"`
	// Hazards are the acknowledged hazard kinds, from Acknowledgeable.
	// Required.
	Hazards []string `json:"hazards"`
}

// Covers reports whether the acknowledgement names the hazard kind.
func (a *Acknowledgement) Covers(kind string) bool {
	return a != nil && slices.Contains(a.Hazards, kind)
}

func (a *Acknowledgement) validate(ps *problems) {
	if a == nil {
		return
	}
	if !ticketPattern.MatchString(a.Ticket) {
		ps.add(key("dr.acknowledge.ticket"), "required: %s, 2-64 letters, digits and . _ # / -, got %q", acknowledgeTicketHint, a.Ticket)
	}
	if len(a.Hazards) == 0 {
		ps.add(key("dr.acknowledge.hazards"), "required: the hazard kinds acknowledged, from %s", strings.Join(Acknowledgeable, ", "))
	}
	for i, h := range a.Hazards {
		if !slices.Contains(Acknowledgeable, h) {
			ps.add(key(fmt.Sprintf("dr.acknowledge.hazards[%d]", i)), "must be one of %s, got %q", strings.Join(Acknowledgeable, ", "), h)
		}
	}
}

// RecordWriteRegion sets dr.writeRegion and the record dr.writeRegionChange
// in the stack file at path, keeping its comments and the order of its other
// keys, as drctl failover, failback and record do after Azure made the
// change.
func RecordWriteRegion(path, region string, record WriteRegionRecord) error {
	return stackfile.SetDR(path, []string{"writeRegion", "writeRegionChange"}, []any{region, record})
}
