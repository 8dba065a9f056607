package drconfig

import (
	"bytes"
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

// ActionDrill is the action of the intent of a drill (drctl failover
// --drill); a drill leaves no write-region record.
const ActionDrill = "drill"

// IntentActions are the actions a failover intent may name.
var IntentActions = []string{ActionPlannedFailover, ActionForcedFailover, ActionFailback, ActionDrill}

// FailoverIntent is dr.failoverIntent: a write-region change drctl has
// started. drctl writes it before its first request that changes Azure and
// removes it in the same edit that records the change's success, so that a
// run interrupted anywhere (a fault, a timeout, Ctrl-C, a lost laptop)
// leaves in the stack file what was under way; re-running the same drctl
// command finishes it from the account's state.
type FailoverIntent struct {
	// Action is one of IntentActions.
	Action string `json:"action" yaml:"action"`
	// From and To are the write regions before and after (ARM names); a
	// drill goes to To and back to From.
	From string `json:"from" yaml:"from"`
	To   string `json:"to" yaml:"to"`
	// At is when it started, RFC 3339, UTC.
	At string `json:"at" yaml:"at"`
	// By is who runs it; Ticket the incident or change ticket.
	By     string `json:"by" yaml:"by"`
	Ticket string `json:"ticket" yaml:"ticket"`
	// ServiceManagedFailoverWasOn is whether service-managed failover was
	// on before the change, as Azure reported it: what the change, or the
	// run that finishes it, restores.
	ServiceManagedFailoverWasOn bool `json:"serviceManagedFailoverWasOn" yaml:"serviceManagedFailoverWasOn"`
}

// String is the intent in one line.
func (i *FailoverIntent) String() string {
	if i == nil {
		return ""
	}
	return fmt.Sprintf("%s %s -> %s started at %s by %s (%s)", i.Action, i.From, i.To, i.At, i.By, i.Ticket)
}

func (i *FailoverIntent) validate(ps *problems) {
	if i == nil {
		return
	}
	k := func(field string) string { return key("dr.failoverIntent." + field) }
	if !slices.Contains(IntentActions, i.Action) {
		ps.add(k("action"), "must be one of %s, got %q", strings.Join(IntentActions, ", "), i.Action)
	}
	if _, err := time.Parse(time.RFC3339, i.At); err != nil {
		ps.add(k("at"), "must be an RFC 3339 time, got %q", i.At)
	}
	if !ticketPattern.MatchString(i.Ticket) {
		ps.add(k("ticket"), "must be 2-64 letters, digits and . _ # / -, got %q", i.Ticket)
	}
	if i.By == "" {
		ps.add(k("by"), "required: who started the change")
	}
}

// The outcomes of a drill.
const (
	DrillPassed = "passed"
	DrillFailed = "failed"
)

// DrillRecord is dr.lastDrill: the customer's last drill as drctl
// failover --drill measured it against Azure.
type DrillRecord struct {
	// At is when the drill started, RFC 3339, UTC.
	At string `json:"at" yaml:"at"`
	// By is who ran it; Ticket the drill's ticket.
	By     string `json:"by" yaml:"by"`
	Ticket string `json:"ticket" yaml:"ticket"`
	// Outcome is DrillPassed or DrillFailed.
	Outcome string `json:"outcome" yaml:"outcome"`
	// Steps are the steps carried out, in order, with how long each took.
	Steps []DrillStep `json:"steps" yaml:"steps"`
}

// DrillStep is one measured step of a drill.
type DrillStep struct {
	// Name says what the step did.
	Name string `json:"name" yaml:"name"`
	// Seconds is how long it took, to the tenth of a second.
	Seconds float64 `json:"seconds" yaml:"seconds"`
}

// UnmarshalJSON reads the record strictly: an unknown key is an error.
// (The generic decoder knows no fractional numbers; Seconds is one.)
func (d *DrillRecord) UnmarshalJSON(b []byte) error {
	type plain DrillRecord
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var p plain
	if err := dec.Decode(&p); err != nil {
		return fmt.Errorf("the drill record drctl writes (at, by, ticket, outcome, steps[] {name, seconds}): %v", err)
	}
	*d = DrillRecord(p)
	return nil
}

func (d *DrillRecord) validate(ps *problems) {
	if d == nil {
		return
	}
	k := func(field string) string { return key("dr.lastDrill." + field) }
	if d.Outcome != DrillPassed && d.Outcome != DrillFailed {
		ps.add(k("outcome"), "must be %s or %s, got %q", DrillPassed, DrillFailed, d.Outcome)
	}
	if _, err := time.Parse(time.RFC3339, d.At); err != nil {
		ps.add(k("at"), "must be an RFC 3339 time, got %q", d.At)
	}
	if !ticketPattern.MatchString(d.Ticket) {
		ps.add(k("ticket"), "must be 2-64 letters, digits and . _ # / -, got %q", d.Ticket)
	}
	for i, s := range d.Steps {
		if s.Name == "" || s.Seconds < 0 {
			ps.add(key(fmt.Sprintf("dr.lastDrill.steps[%d]", i)), "must have a name and a duration of 0 seconds or more")
		}
	}
}

// StartFailover writes the intent into the stack file at path, before
// the first request that changes Azure.
func StartFailover(path string, intent FailoverIntent) error {
	return stackfile.SetDR(path, []string{"failoverIntent"}, []any{intent})
}

// FinishFailover records a write-region change Azure made and removes the
// intent, in one edit of the stack file at path.
func FinishFailover(path, region string, record WriteRegionRecord) error {
	return stackfile.SetDR(path, []string{"writeRegion", "writeRegionChange", "failoverIntent"}, []any{region, record, nil})
}

// RecordDrill records the drill in the stack file at path; when finished,
// it also removes the drill's intent, in the same edit.
func RecordDrill(path string, drill DrillRecord, finished bool) error {
	if finished {
		return stackfile.SetDR(path, []string{"lastDrill", "failoverIntent"}, []any{drill, nil})
	}
	return stackfile.SetDR(path, []string{"lastDrill"}, []any{drill})
}
