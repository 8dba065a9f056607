package armrules

import (
	"fmt"
	"github.com/fhir-dr/fhir-dr/azure/regions"
	"slices"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// Violation is a request Azure rejects.
type Violation struct {
	// Path is the input the problem is about.
	Path string
	// Message says what Azure rejects and how to proceed.
	Message string
	// Kind classifies the violation for tools that explain it.
	Kind Kind
}

// Kind is the class of a Violation.
type Kind string

// The kinds of violations.
const (
	// KindRejected is any request Azure rejects on its own terms.
	KindRejected Kind = "rejected"
	// KindCombinedRegionChange is a region added or removed together with
	// other account changes: it must be split into two requests.
	KindCombinedRegionChange Kind = "combined-region-change"
	// KindWriteRegionMoved is the write region moved by an update instead
	// of a failover.
	KindWriteRegionMoved Kind = "write-region-moved"
	// KindWriteRegionRemoved is the write region removed without failing
	// over first.
	KindWriteRegionRemoved Kind = "write-region-removed"
	// KindRegionSwap is one region added and another removed in one
	// update: a region is replaced in two steps.
	KindRegionSwap Kind = "region-swap"
)

func (v Violation) String() string { return v.Path + ": " + v.Message }

// CheckDatabaseAccount returns the reasons Azure would reject the inputs of
// a Cosmos DB account, news, on their own (olds nil) or as an update of the
// account created from olds. Inputs that are not yet known are skipped.
func CheckDatabaseAccount(olds, news resource.PropertyMap) []Violation {
	var out []Violation
	newLocs, ok := locationsOf(news)
	if !ok {
		return nil
	}
	out = append(out, checkLocations(newLocs)...)
	out = append(out, checkConsistency(news, len(newLocs))...)
	if multi := news["enableMultipleWriteLocations"]; multi.IsBool() && multi.BoolValue() &&
		backupType(news) == "Continuous" {
		out = append(out, Violation{"backupPolicy", "continuous backup is not supported with multiple write locations", KindRejected})
	}
	if olds == nil {
		return out
	}
	oldLocs, ok := locationsOf(olds)
	if !ok {
		return out
	}
	return append(out, checkUpdate(olds, news, oldLocs, newLocs)...)
}

// location is one entry of an account's locations input.
type location struct {
	name          string // as declared
	key           string // normalized: "East US" and "eastus" are one region
	priority      int
	zoneRedundant bool
}

// locationsOf reads the locations input; ok is false when it is absent or
// not yet known.
func locationsOf(m resource.PropertyMap) ([]location, bool) {
	v := m["locations"]
	if !v.IsArray() || v.ContainsUnknowns() {
		return nil, false
	}
	var locs []location
	for _, e := range v.ArrayValue() {
		if !e.IsObject() {
			return nil, false
		}
		o := e.ObjectValue()
		l := location{priority: -1}
		if n := o["locationName"]; n.IsString() {
			l.name, l.key = n.StringValue(), regions.Normalize(n.StringValue())
		}
		if p := o["failoverPriority"]; p.IsNumber() {
			l.priority = int(p.NumberValue())
		}
		if z := o["isZoneRedundant"]; z.IsBool() {
			l.zoneRedundant = z.BoolValue()
		}
		locs = append(locs, l)
	}
	return locs, true
}

func writeRegion(locs []location) (location, bool) {
	for _, l := range locs {
		if l.priority == 0 {
			return l, true
		}
	}
	return location{}, false
}

func checkLocations(locs []location) []Violation {
	var out []Violation
	names := map[string]bool{}
	priorities := map[int]string{}
	for i, l := range locs {
		path := fmt.Sprintf("locations[%d]", i)
		switch {
		case l.key == "":
			out = append(out, Violation{path + ".locationName", "every location needs a locationName", KindRejected})
		case names[l.key]:
			out = append(out, Violation{path + ".locationName", fmt.Sprintf("region %s is listed twice", l.name), KindRejected})
		}
		names[l.key] = true
		if l.priority < 0 {
			out = append(out, Violation{path + ".failoverPriority", "every location needs a failoverPriority of 0 or more", KindRejected})
			continue
		}
		if other, dup := priorities[l.priority]; dup {
			msg := fmt.Sprintf("failover priority %d is given to both %s and %s: priorities must be unique", l.priority, other, l.name)
			if l.priority == 0 {
				msg += " (an account has one write region; multi-region writes are a separate setting)"
			}
			out = append(out, Violation{path + ".failoverPriority", msg, KindRejected})
		}
		priorities[l.priority] = l.name
	}
	if _, ok := writeRegion(locs); !ok && len(locs) > 0 {
		out = append(out, Violation{"locations", "no location has failover priority 0 (the write region)", KindRejected})
	}
	return out
}

func checkConsistency(news resource.PropertyMap, regions int) []Violation {
	policy := news["consistencyPolicy"]
	if !policy.IsObject() || policy.ContainsUnknowns() {
		return nil
	}
	p := policy.ObjectValue()
	level := p["defaultConsistencyLevel"]
	if !level.IsString() || level.StringValue() != "BoundedStaleness" {
		return nil
	}
	var out []Violation
	interval, prefix := p["maxIntervalInSeconds"], p["maxStalenessPrefix"]
	minInterval, minPrefix := 5.0, 1.0
	if regions > 1 {
		// Multi-region accounts need a looser bound (azure-dr-facts.md section 3).
		minInterval, minPrefix = 300, 100_000
	}
	if !interval.IsNumber() || interval.NumberValue() < minInterval || interval.NumberValue() > 86_400 {
		out = append(out, Violation{"consistencyPolicy.maxIntervalInSeconds",
			fmt.Sprintf("BoundedStaleness needs maxIntervalInSeconds between %.0f and 86400 for %d region(s)", minInterval, regions), KindRejected})
	}
	if !prefix.IsNumber() || prefix.NumberValue() < minPrefix || prefix.NumberValue() > 2_147_483_647 {
		out = append(out, Violation{"consistencyPolicy.maxStalenessPrefix",
			fmt.Sprintf("BoundedStaleness needs maxStalenessPrefix between %.0f and 2147483647 for %d region(s)", minPrefix, regions), KindRejected})
	}
	return out
}

func backupType(m resource.PropertyMap) string {
	if b := m["backupPolicy"]; b.IsObject() {
		if t := b.ObjectValue()["type"]; t.IsString() {
			return t.StringValue()
		}
	}
	return ""
}

// checkUpdate applies the rules of an update request (azure-dr-facts.md
// section 3): a location change travels alone, the write region changes only
// through a failover, zone redundancy is set when a region is added, and a
// backup-mode change travels alone and goes from periodic to continuous
// only.
func checkUpdate(olds, news resource.PropertyMap, oldLocs, newLocs []location) []Violation {
	var out []Violation
	oldByKey := map[string]location{}
	for _, l := range oldLocs {
		oldByKey[l.key] = l
	}
	newByKey := map[string]location{}
	for _, l := range newLocs {
		newByKey[l.key] = l
	}
	var added, removed []string
	for _, l := range newLocs {
		if _, ok := oldByKey[l.key]; !ok {
			added = append(added, l.name)
		}
	}
	for _, l := range oldLocs {
		if _, ok := newByKey[l.key]; !ok {
			removed = append(removed, l.name)
		}
	}

	oldWrite, hadWrite := writeRegion(oldLocs)
	newWrite, hasWrite := writeRegion(newLocs)
	switch {
	case hadWrite && slices.Contains(removed, oldWrite.name):
		out = append(out, Violation{"locations", fmt.Sprintf(
			"the write region %s cannot be removed: fail over to another region first (drctl failover), then remove it", oldWrite.name), KindWriteRegionRemoved})
	case hadWrite && hasWrite && oldWrite.key != newWrite.key:
		out = append(out, Violation{"locations", fmt.Sprintf(
			"the write region changes from %s to %s: Azure changes the write region only through a failover (failoverPriorityChange), not an account update",
			oldWrite.name, newWrite.name), KindWriteRegionMoved})
	}

	for i, l := range newLocs {
		if old, ok := oldByKey[l.key]; ok && old.zoneRedundant != l.zoneRedundant {
			out = append(out, Violation{fmt.Sprintf("locations[%d].isZoneRedundant", i), fmt.Sprintf(
				"zone redundancy of %s is %s and can only be chosen when the region is added: declare it as deployed "+
					"(fhir-dr: cosmos.zoneRedundant.primary, .secondary, or .retiring for a retiring secondary), "+
					"or remove the region and add it again", l.name, onOff(old.zoneRedundant)), KindRejected})
		}
	}

	if len(added) > 0 && len(removed) > 0 {
		out = append(out, Violation{"locations", fmt.Sprintf(
			"regions cannot be added (%s) and removed (%s) in one update: replace a region in two steps, "+
				"first add the new one while keeping the old, then remove the old one",
			strings.Join(added, ", "), strings.Join(removed, ", ")), KindRegionSwap})
	}
	others := changedInputs(olds, news, "locations")
	if len(added)+len(removed) > 0 && len(others) > 0 {
		out = append(out, Violation{"locations", fmt.Sprintf(
			"adding or removing regions (%s) cannot be combined with other account changes (%s) in one request: "+
				"make the other changes first, then change the regions on their own",
			describeRegionChange(added, removed), strings.Join(others, ", ")), KindCombinedRegionChange})
	}
	if oldType, newType := backupType(olds), backupType(news); oldType != "" && newType != "" && oldType != newType {
		if oldType == "Continuous" {
			// Azure: "Migration from periodic to continuous mode is one-way
			// and isn't reversible" (cosmos-db/migrate-continuous-backup).
			out = append(out, Violation{"backupPolicy", fmt.Sprintf("the backup mode cannot go back from Continuous to %s: "+
				"Azure migrates an account from periodic to continuous backups one way only", newType), KindRejected})
		} else if others := changedInputs(olds, news, "backupPolicy"); len(others) > 0 {
			out = append(out, Violation{"backupPolicy", fmt.Sprintf(
				"changing the backup mode from %s to %s cannot be combined with other account changes (%s)",
				oldType, newType, strings.Join(others, ", ")), KindRejected})
		}
	}
	return out
}

func describeRegionChange(added, removed []string) string {
	var parts []string
	if len(added) > 0 {
		parts = append(parts, "add "+strings.Join(added, ", "))
	}
	if len(removed) > 0 {
		parts = append(parts, "remove "+strings.Join(removed, ", "))
	}
	return strings.Join(parts, "; ")
}

// changedInputs lists the top-level inputs other than except whose known
// values differ, in sorted order.
func changedInputs(olds, news resource.PropertyMap, except resource.PropertyKey) []string {
	keys := map[resource.PropertyKey]bool{}
	for k := range olds {
		keys[k] = true
	}
	for k := range news {
		keys[k] = true
	}
	var out []string
	for k := range keys {
		if k == except || k == "__defaults" {
			continue
		}
		o, n := olds[k], news[k]
		if o.ContainsUnknowns() || n.ContainsUnknowns() {
			continue // cannot be judged before the value is known
		}
		if !o.DeepEquals(n) {
			out = append(out, string(k))
		}
	}
	slices.Sort(out)
	return out
}

func onOff(zoneRedundant bool) string {
	if zoneRedundant {
		return "on"
	}
	return "off"
}
