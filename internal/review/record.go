package review

import (
	"fmt"
	"github.com/fhir-dr/fhir-dr/azure/armid"
	"github.com/fhir-dr/fhir-dr/azure/regions"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/fhir-dr/fhir-dr/drconfig"
)

// clockSkew is how far in the future a record's time may be: the operator's
// clock and CI's disagree a little.
const clockSkew = 5 * time.Minute

var (
	requestIDPattern = regexp.MustCompile(`^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$`)
)

// recordReview is what the review makes of the working tree's
// dr.writeRegionChange.
type recordReview struct {
	// Changed is true when the record is new in the change.
	Changed bool
	// Problems say why a new record does not verify; none when it does.
	Problems []string
}

// Verified reports whether the change brings a new record that verifies:
// then, and only then, the rehearsal makes the recorded change in the
// stand-in, as Azure made it already.
func (r recordReview) Verified() bool { return r.Changed && len(r.Problems) == 0 }

// reviewRecord checks a new write-region record of the working tree (cur)
// against the base: its stack file (base, nil when it has none or it does
// not load) and the account deployed from it (deployed, nil when none). A
// record is what drctl failover, failback or record wrote after Azure made
// the change: it moves the write region from the one the deployed account
// has to the one the working tree declares, names that account, carries
// Azure's failover priorities after the change (the new write region at 0,
// the account's regions) and ARM's request ID, and is not older than the
// base's.
//
// This proves consistency, not authorship: whoever copies what Azure
// answers can type a record that verifies. The release checks Azure itself
// (drctl record --verify) before it applies.
func reviewRecord(base, cur *drconfig.Config, deployed *Resource, now time.Time) recordReview {
	if cur == nil || cur.DR.WriteRegionChange == nil {
		return recordReview{}
	}
	rec := cur.DR.WriteRegionChange
	var baseRec *drconfig.WriteRegionRecord
	if base != nil {
		baseRec = base.DR.WriteRegionChange
	}
	if rec.Equal(baseRec) {
		return recordReview{} // the base's record: a region edit is judged as such
	}
	out := recordReview{Changed: true}
	add := func(format string, args ...any) { out.Problems = append(out.Problems, fmt.Sprintf(format, args...)) }
	if rec.Legacy != "" {
		add("it is free text, not the record drctl writes with Azure's answer")
		return out
	}
	if deployed == nil {
		add("no account is deployed at the base to check it against")
		return out
	}
	baseLocs := accountLocations(deployed)
	baseWrite := ""
	for _, l := range baseLocs {
		if l.priority == 0 {
			baseWrite = l.name
		}
	}

	switch {
	case !regions.Same(rec.From, baseWrite):
		add("from is %s, but %s takes writes at the base", rec.From, baseWrite)
	case regions.Same(rec.From, rec.To):
		add("from and to are both %s", rec.To)
	}
	if !regions.Same(rec.To, cur.DR.WriteRegion) {
		add("to is %s, but dr.writeRegion is %s", rec.To, cur.DR.WriteRegion)
	}
	switch rec.Action {
	case drconfig.ActionFailback:
		if !regions.Same(rec.To, cur.PrimaryRegion) {
			add("a failback moves writes to the primary %s, not %s", cur.PrimaryRegion, rec.To)
		}
	case drconfig.ActionPlannedFailover, drconfig.ActionForcedFailover:
		if !regions.Same(rec.To, cur.DR.SecondaryRegion) {
			add("a %s moves writes to the secondary %s, not %s", rec.Action, cur.DR.SecondaryRegion, rec.To)
		}
	}

	switch at, err := time.Parse(time.RFC3339, rec.At); {
	case err != nil:
		add("at %q is not an RFC 3339 time", rec.At)
	case at.After(now.Add(clockSkew)):
		add("at %s is in the future", rec.At)
	case baseRec != nil && baseRec.Legacy == "":
		if prev, err := time.Parse(time.RFC3339, baseRec.At); err == nil && at.Before(prev) {
			add("at %s is before the base's record (%s)", rec.At, baseRec.At)
		}
	}

	if !sameAccount(rec.AccountID, deployed.ID, cur.Primary.ExistingAccountID) {
		add("accountId %s is not the deployed account %s", rec.AccountID, accountInGroup(deployed.ID))
	}
	out.Problems = append(out.Problems, checkPolicies(rec, baseLocs)...)
	if !requestIDPattern.MatchString(rec.OperationID) {
		add("operationId %q is not an ARM request ID", rec.OperationID)
	}
	return out
}

// checkPolicies compares the failover priorities Azure answered with the
// record's new write region and the deployed account's regions.
func checkPolicies(rec *drconfig.WriteRegionRecord, deployed []deployedLocation) []string {
	var out []string
	var names []string
	priorities := map[int]bool{}
	write := ""
	for _, p := range rec.FailoverPolicies {
		names = append(names, p.LocationName)
		if priorities[p.FailoverPriority] {
			out = append(out, fmt.Sprintf("Azure's answer gives priority %d twice", p.FailoverPriority))
		}
		priorities[p.FailoverPriority] = true
		if p.FailoverPriority == 0 && write == "" {
			write = p.LocationName
		}
	}
	if len(rec.FailoverPolicies) == 0 {
		return append(out, "it carries no failoverPolicies (Azure's answer)")
	}
	if !regions.Same(write, rec.To) {
		out = append(out, fmt.Sprintf("Azure's answer has %s at priority 0, not %s", orNone(write), rec.To))
	}
	var want []string
	for _, l := range deployed {
		want = append(want, l.name)
	}
	if !sameRegions(names, want) {
		out = append(out, fmt.Sprintf("Azure's answer lists the regions %s, the account has %s", strings.Join(names, ", "), strings.Join(want, ", ")))
	}
	return out
}

func orNone(s string) string {
	if s == "" {
		return "no region"
	}
	return s
}

func sameRegions(a, b []string) bool {
	norm := func(in []string) []string {
		out := make([]string, 0, len(in))
		for _, r := range in {
			out = append(out, regions.Normalize(r))
		}
		slices.Sort(out)
		return out
	}
	return slices.Equal(norm(a), norm(b))
}

// sameAccount reports whether the record's account ID names the deployed
// account. Offline, the deployed ID is the stand-in's, in a fake
// subscription, so only the resource group and the name are compared;
// an adopted account's ID (primary.existingAccountId) is compared whole.
// ARM IDs are case-insensitive.
func sameAccount(recorded, deployed, adopted string) bool {
	r, err := armid.ParseType(recorded, cosmosAccountType)
	if err != nil {
		return false
	}
	if adopted != "" {
		return armid.Equal(recorded, adopted)
	}
	d, err := armid.ParseType(deployed, cosmosAccountType)
	return err == nil && strings.EqualFold(r.ResourceGroup, d.ResourceGroup) && strings.EqualFold(r.Name(), d.Name())
}

// accountInGroup names the deployed account by group and name: offline,
// its subscription is the stand-in's.
func accountInGroup(id string) string {
	d, err := armid.ParseType(id, cosmosAccountType)
	if err != nil {
		return id
	}
	return "/resourceGroups/" + d.ResourceGroup + "/providers/" + cosmosAccountType + "/" + d.Name()
}

// cosmosAccountType is the ARM type of a Cosmos DB account.
const cosmosAccountType = "Microsoft.DocumentDB/databaseAccounts"

// deployedLocation is one of an account's locations.
type deployedLocation struct {
	name     string
	priority int
}

func accountLocations(r *Resource) []deployedLocation {
	v := r.Inputs["locations"]
	if !v.IsArray() {
		return nil
	}
	var out []deployedLocation
	for _, e := range v.ArrayValue() {
		if !e.IsObject() {
			continue
		}
		o := e.ObjectValue()
		l := deployedLocation{priority: -1}
		if n := o["locationName"]; n.IsString() {
			l.name = n.StringValue()
		}
		if p := o["failoverPriority"]; p.IsNumber() {
			l.priority = int(p.NumberValue())
		}
		out = append(out, l)
	}
	return out
}

// recordHazard is the hazard of a new record that does not verify.
func recordHazard(urn string, rec *drconfig.WriteRegionRecord, problems []string) Hazard {
	return Hazard{Kind: WriteRegionUnverified, URN: urn, Message: fmt.Sprintf("dr.writeRegionChange does not verify against the base (%s): "+
		"only the record drctl failover, failback or record writes moves the write region, so the rehearsal does not move it. Record: %s",
		strings.Join(problems, "; "), rec),
		Advice: "Move the write region with drctl failover or failback, or record one Azure made with drctl record; do not type the record."}
}

// intentHazard is the hazard of a stack file that carries a failover
// intent, nil when it carries none.
func intentHazard(cfg *drconfig.Config) *Hazard {
	if cfg == nil || cfg.DR.FailoverIntent == nil {
		return nil
	}
	i := cfg.DR.FailoverIntent
	command := "drctl failover " + cfg.Customer + " --ticket " + i.Ticket
	switch i.Action {
	case drconfig.ActionFailback:
		command = "drctl failback " + cfg.Customer + " --ticket " + i.Ticket
	case drconfig.ActionForcedFailover:
		command += " --forced"
	case drconfig.ActionDrill:
		command += " --drill"
	}
	return &Hazard{Kind: FailoverInProgress,
		Message: fmt.Sprintf("dr.failoverIntent: a write-region change is in progress (%s); "+
			"Azure may be anywhere between %s and %s taking writes, and the release gate refuses the stack", i, i.From, i.To),
		Advice: fmt.Sprintf("Finish it first (%s), then commit the stack file it records.", command)}
}
