package review

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/fhir-dr/fhir-dr/azure/regions"
	"github.com/fhir-dr/fhir-dr/naming"
)

// A program change touches every stack of the fleet, most of them in the
// same way: the comment then shows the change once per kind, not once per
// stack. This file groups a report's stacks by the kind of their change.
//
// The kind (signature) of a stack's change is, with the customer's own id
// replaced by <customer> (and Azure region names in logical names by
// <region>):
//
//   - whether the stack is new or its file removed, the kinds of its
//     hazards and whether the engine refused it;
//   - its planned steps: operation, resource type and logical name, the
//     paths of the inputs that change and those that force a replacement;
//   - which of its DR figures (tier, RPO, RTO, cost) change;
//   - the old → new value of an input or a figure, where the stacks that
//     agree on all the above take few values of it (at most maxValueSplit,
//     and at most half as many as there are stacks): kubernetesVersion
//     "1.32" → "1.34" for some, "1.33" → "1.34" for the others. Values
//     that are mostly each stack's own, such as a cost or a tag naming the
//     customer's team, do not split the group: they are the stacks' own
//     details.
//
// What every stack of a group has alike (steps and their values, verdict,
// hazards, refusals, notes, figures) is the group's; what a stack has that
// not all others of its group have are its own details.

// customerToken replaces the customer's id in what is compared.
const customerToken = "<customer>"

// regionToken replaces an Azure region name in a logical name.
const regionToken = "<region>"

// maxValueSplit is the most values of one input a group is split by.
const maxValueSplit = 8

// Group is stacks of a report whose change is of one kind.
type Group struct {
	// Customers are the group's stacks, sorted.
	Customers []string `json:"customers"`
	// Result is what the stacks' change comes to, as result says it
	// ("ok", "**blocked**", ...), with "(see notes)" when any has notes.
	Result string `json:"result"`
	// Hazards are the kinds of the stacks' hazards, most severe first;
	// Refused is true when the engine refused them.
	Hazards []HazardKind `json:"hazards,omitempty"`
	Refused bool         `json:"refused,omitempty"`
	// Steps are the planned steps of each stack, by operation and
	// resource type.
	Steps []Step `json:"steps,omitempty"`
	// Common are the facts every stack of the group has alike; Own, by
	// customer, the facts of a stack that not all others have.
	Common []Fact            `json:"common,omitempty"`
	Own    map[string][]Fact `json:"own,omitempty"`
	// Rehearsed are the stacks of the group the engine rehearsed, with
	// why (StackReview.RehearsedBecause).
	Rehearsed map[string][]string `json:"rehearsed,omitempty"`

	stacks    []int // indices into Report.Stacks
	attention int   // the least attention of its stacks
}

// Step is the planned steps of one operation on one type of resource in
// each stack of a group, e.g. "update" of 2 AKS clusters.
type Step struct {
	Op    string `json:"op"`
	Type  string `json:"type"`
	Count int    `json:"count"`
	// Fields are the inputs that change, in the order of the plan; an
	// input whose value is not the same in every stack Varies.
	Fields []StepField `json:"fields,omitempty"`
	// Replaces are the inputs that force a replacement.
	Replaces []string `json:"replaces,omitempty"`
}

// StepField is one changed input of a Step.
type StepField struct {
	Path   string `json:"path"`
	Old    string `json:"old,omitempty"`
	New    string `json:"new,omitempty"`
	Varies bool   `json:"varies,omitempty"`
}

// FactKind says what a Fact is.
type FactKind string

// The facts of a stack's review, in the order the comment shows them.
const (
	FactVerdict FactKind = "verdict"
	FactHazard  FactKind = "hazard"
	FactRefusal FactKind = "refusal"
	FactNote    FactKind = "note"
	FactFigure  FactKind = "figure"
	FactInput   FactKind = "input"
)

// Fact is one thing a stack's review says, with the customer's id
// replaced by <customer>.
type Fact struct {
	Kind FactKind `json:"kind"`
	// Label is the hazard kind (verdict, hazard), the figure's name
	// (figure), or the resource's logical name (input); "" otherwise.
	Label string `json:"label,omitempty"`
	// Path is the input's path (input only).
	Path string `json:"path,omitempty"`
	// Text is the message, or the value: old → new.
	Text string `json:"text"`
}

// Summary is the group's kind of change in one line of plain text, e.g.
// "997 stacks, ok: updates 2 AKS clusters (kubernetesVersion: "1.33" → "1.34")".
func (g Group) Summary() string {
	var parts []string
	for _, s := range g.Steps {
		same := func(s string) string { return s }
		parts = append(parts, stepText(s, same, same))
	}
	for _, f := range g.Common {
		if f.Kind == FactFigure {
			parts = append(parts, f.Label+" "+f.Text)
		}
	}
	for _, name := range g.figuresVarying() {
		parts = append(parts, name+" changes, differently per stack")
	}
	out := fmt.Sprintf("%s, %s", stacksCount(len(g.Customers)), strings.Trim(g.Result, "*"))
	if len(g.Hazards) > 0 {
		var kinds []string
		for _, k := range g.Hazards {
			kinds = append(kinds, string(k))
		}
		out += " (" + strings.Join(kinds, ", ") + ")"
	}
	if len(parts) > 0 {
		out += ": " + strings.Join(parts, "; ")
	}
	return out
}

// figuresVarying are the figures that change in every stack of the group,
// each differently: they are the stacks' own facts.
func (g Group) figuresVarying() []string {
	var out []string
	for _, fs := range g.Own {
		for _, f := range fs {
			if f.Kind == FactFigure && !slices.Contains(out, f.Label) {
				out = append(out, f.Label)
			}
		}
	}
	slices.SortFunc(out, func(a, b string) int { return cmp.Compare(figureIndex(a), figureIndex(b)) })
	return out
}

func figureIndex(name string) int {
	return slices.IndexFunc(figures, func(f figure) bool { return f.name == name })
}

// stacksCount is "1 stack" or "<n> stacks", n with thousands separators.
func stacksCount(n int) string {
	if n == 1 {
		return "1 stack"
	}
	return thousands(n) + " stacks"
}

func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// stepText says a step in words, e.g. "updates 2 AKS clusters
// (kubernetesVersion: "1.33" → "1.34")"; show formats a path or a value,
// prose the words that come from the plan (its operation and type).
func stepText(s Step, show, prose func(string) string) string {
	label := typeLabel(s.Type)
	noun := label.one
	if s.Count != 1 {
		noun = label.many
	}
	verb := map[string]string{"create": "creates", "update": "updates", "replace": "replaces", "delete": "deletes",
		"import": "imports", "import-replacement": "imports and replaces"}[s.Op]
	if verb == "" {
		verb = s.Op
	}
	out := fmt.Sprintf("%s %d %s", prose(verb), s.Count, prose(noun))
	var fields []string
	for _, f := range s.Fields {
		switch {
		case f.Varies:
			fields = append(fields, show(f.Path)+" (differs per stack)")
		case f.Old == absent:
			fields = append(fields, show(f.Path)+" added: "+show(f.New))
		case f.New == absent:
			fields = append(fields, show(f.Path)+" removed: "+show(f.Old))
		default:
			fields = append(fields, show(f.Path)+": "+show(f.Old)+" → "+show(f.New))
		}
	}
	if len(s.Replaces) > 0 {
		var paths []string
		for _, p := range s.Replaces {
			paths = append(paths, show(p))
		}
		fields = append(fields, "replaced because of "+strings.Join(paths, ", "))
	}
	if len(fields) > 0 {
		out += " (" + strings.Join(fields, "; ") + ")"
	}
	return out
}

// resourceLabel names a resource type in the comment's prose.
type resourceLabel struct{ one, many string }

var typeLabels = map[string]resourceLabel{
	"azure-native:containerservice:ManagedCluster":                  {"AKS cluster", "AKS clusters"},
	"azure-native:cosmosdb:DatabaseAccount":                         {"Cosmos DB account", "Cosmos DB accounts"},
	"azure-native:cosmosdb:SqlResourceSqlDatabase":                  {"Cosmos DB database", "Cosmos DB databases"},
	"azure-native:cosmosdb:SqlResourceSqlContainer":                 {"Cosmos DB container", "Cosmos DB containers"},
	"azure-native:cosmosdb:SqlResourceSqlRoleAssignment":            {"Cosmos DB role assignment", "Cosmos DB role assignments"},
	"azure-native:resources:ResourceGroup":                          {"resource group", "resource groups"},
	"azure-native:network:VirtualNetwork":                           {"virtual network", "virtual networks"},
	"azure-native:network:Subnet":                                   {"subnet", "subnets"},
	"azure-native:network:PublicIPAddress":                          {"public IP address", "public IP addresses"},
	"azure-native:network:PrivateEndpoint":                          {"private endpoint", "private endpoints"},
	"azure-native:network:PrivateDnsZoneGroup":                      {"private DNS zone group", "private DNS zone groups"},
	"azure-native:privatedns:PrivateZone":                           {"private DNS zone", "private DNS zones"},
	"azure-native:privatedns:VirtualNetworkLink":                    {"private DNS link", "private DNS links"},
	"azure-native:trafficmanager:Profile":                           {"Traffic Manager profile", "Traffic Manager profiles"},
	"azure-native:trafficmanager:Endpoint":                          {"Traffic Manager endpoint", "Traffic Manager endpoints"},
	"azure-native:monitor:MetricAlert":                              {"metric alert", "metric alerts"},
	"azure-native:monitor:ActivityLogAlert":                         {"activity log alert", "activity log alerts"},
	"azure-native:monitor:ScheduledQueryRule":                       {"log alert", "log alerts"},
	"azure-native:monitor:ActionGroup":                              {"action group", "action groups"},
	"azure-native:monitor:DiagnosticSetting":                        {"diagnostic setting", "diagnostic settings"},
	"azure-native:operationalinsights:Workspace":                    {"Log Analytics workspace", "Log Analytics workspaces"},
	"azure-native:applicationinsights:Component":                    {"Application Insights component", "Application Insights components"},
	"azure-native:applicationinsights:WebTest":                      {"availability test", "availability tests"},
	"azure-native:managedidentity:UserAssignedIdentity":             {"managed identity", "managed identities"},
	"azure-native:managedidentity:FederatedIdentityCredential":      {"federated credential", "federated credentials"},
	"azure-native:authorization:RoleAssignment":                     {"role assignment", "role assignments"},
	"azure-native:authorization:ManagementLockAtResourceGroupLevel": {"resource lock", "resource locks"},
	"azure-native:authorization:ManagementLockByScope":              {"resource lock", "resource locks"},
	"kubernetes:apps/v1:Deployment":                                 {"FHIR Deployment", "FHIR Deployments"},
}

// typeLabel names a type token; one the comment has no word for by its
// last part ("Namespace (kubernetes:core/v1:Namespace)").
func typeLabel(token string) resourceLabel {
	if l, ok := typeLabels[token]; ok {
		return l
	}
	name := token[strings.LastIndex(token, ":")+1:]
	return resourceLabel{name + " (" + token + ")", name + " resources (" + token + ")"}
}

// normalize replaces the customer's id in s, and the cut id of its action
// group's short name, with <customer>.
func normalize(s, customer string) string {
	if customer == "" || !strings.Contains(s, naming.ActionGroupShortName(customer)) {
		return s
	}
	s = strings.ReplaceAll(s, customer, customerToken)
	if short := naming.ActionGroupShortName(customer); short != customer {
		s = strings.ReplaceAll(s, short, customerToken)
	}
	return s
}

var regionNames = sync.OnceValue(func() map[string]bool {
	m := map[string]bool{}
	for _, n := range regions.Names() {
		m[n] = true
	}
	return m
})

// normalizeName is a logical name with the customer's id and every region
// name (a part between hyphens) replaced.
func normalizeName(name, customer string) string {
	name = normalize(name, customer)
	parts := strings.Split(name, "-")
	for i, p := range parts {
		if regionNames()[p] {
			parts[i] = regionToken
		}
	}
	return strings.Join(parts, "-")
}

// stackKind is one stack's change as grouping compares it.
type stackKind struct {
	key   string            // the signature without the values
	slots []string          // the value slots, sorted
	value map[string]string // value by slot
	facts []Fact
}

// kindOf computes a stack's kind.
func kindOf(s StackReview) stackKind {
	if s.Verdict == "" {
		s.Hazards = slices.Clone(s.Hazards)
		decide(&s)
	}
	c := s.Customer
	k := stackKind{value: map[string]string{}}
	var key []string
	switch {
	case s.Removed:
		key = append(key, "removed")
	case s.New:
		key = append(key, "new")
	}
	key = append(key, "hazards "+hazardKinds(s))
	if s.EngineError != "" {
		key = append(key, "refused")
	}
	if s.Verdict != "" {
		label := "refusal"
		if len(s.Hazards) > 0 {
			label = string(s.Hazards[0].Kind)
		}
		k.facts = append(k.facts, Fact{Kind: FactVerdict, Label: label, Text: normalize(s.Verdict, c)})
	}
	for _, h := range s.Hazards {
		k.facts = append(k.facts, Fact{Kind: FactHazard, Label: string(h.Kind), Text: normalize(h.Message, c)})
	}
	if s.EngineError != "" {
		lines := s.Refusals
		if len(lines) == 0 {
			lines = strings.Split(s.EngineError, "\n")
		}
		for _, l := range lines {
			k.facts = append(k.facts, Fact{Kind: FactRefusal, Text: normalize(l, c)})
		}
	}
	for _, n := range s.Notes {
		k.facts = append(k.facts, Fact{Kind: FactNote, Text: normalize(n, c)})
	}
	for _, f := range figures {
		if showFigure(f, s.Base, false) == showFigure(f, s.Head, false) {
			continue
		}
		key = append(key, "figure "+f.name)
		slot := "figure " + f.name
		text := figureCell(f, s.Base, s.Head, false)
		k.slots = append(k.slots, slot)
		k.value[slot] = text
		k.facts = append(k.facts, Fact{Kind: FactFigure, Label: f.name, Text: text})
	}
	var steps []string
	seen := map[string]int{}
	for _, ch := range s.Changes {
		if ch.Op == "same" {
			continue
		}
		name := normalizeName(ch.Name, c)
		step := ch.Op + " " + ch.Type + " " + name
		var paths []string
		for _, f := range ch.Fields {
			paths = append(paths, f.Path)
		}
		var replaces []string
		for _, p := range ch.Replaces {
			replaces = append(replaces, normalize(p, c))
		}
		step += " fields " + strings.Join(paths, ",") + " replaces " + strings.Join(replaces, ",")
		// Two steps alike (a name without the customer's id, twice) are
		// told apart by their order.
		n := seen[step]
		seen[step]++
		steps = append(steps, step)
		for _, f := range ch.Fields {
			slot := fmt.Sprintf("%s #%d %s", step, n, f.Path)
			text := normalize(f.Old, c) + " → " + normalize(f.New, c)
			k.slots = append(k.slots, slot)
			k.value[slot] = text
			k.facts = append(k.facts, Fact{Kind: FactInput, Label: name, Path: f.Path, Text: text})
		}
	}
	slices.Sort(steps)
	key = append(key, steps...)
	slices.Sort(k.slots)
	k.key = strings.Join(key, "\n")
	return k
}

// Groups groups the report's stacks by the kind of their change: the
// groups with hazards or refusals first, then by size (most stacks
// first), then by their first customer.
func Groups(r *Report) []Group {
	kinds := make([]stackKind, len(r.Stacks))
	byKey := map[string][]int{}
	var keys []string
	for i, s := range r.Stacks {
		kinds[i] = kindOf(s)
		k := kinds[i].key
		if _, ok := byKey[k]; !ok {
			keys = append(keys, k)
		}
		byKey[k] = append(byKey[k], i)
	}
	var groups []Group
	for _, k := range keys {
		members := byKey[k]
		for _, part := range refine(members, kinds[members[0]].slots, kinds) {
			groups = append(groups, newGroup(r, part, kinds))
		}
	}
	slices.SortStableFunc(groups, func(a, b Group) int {
		return cmp.Or(cmp.Compare(min(a.attention, 1), min(b.attention, 1)), cmp.Compare(len(b.stacks), len(a.stacks)),
			cmp.Compare(a.Customers[0], b.Customers[0]))
	})
	return groups
}

// refine splits stacks of one signature by the value of a slot that they
// take a few values of (at most maxValueSplit, and at most half as many as
// there are stacks: values that are mostly each stack's own do not split),
// the slots in order; the parts are refined by the remaining slots.
func refine(members []int, slots []string, kinds []stackKind) [][]int {
	for i, slot := range slots {
		byValue := map[string][]int{}
		var values []string
		for _, m := range members {
			v := kinds[m].value[slot]
			if _, ok := byValue[v]; !ok {
				values = append(values, v)
			}
			byValue[v] = append(byValue[v], m)
		}
		if d := len(values); d > 1 && d <= maxValueSplit && 2*d <= len(members) {
			var out [][]int
			for _, v := range values {
				out = append(out, refine(byValue[v], slots[i+1:], kinds)...)
			}
			return out
		}
	}
	return [][]int{members}
}

// newGroup makes the group of stacks (indices into r.Stacks, one
// signature), its common facts and each stack's own.
func newGroup(r *Report, stacks []int, kinds []stackKind) Group {
	first := r.Stacks[stacks[0]]
	g := Group{stacks: stacks, attention: attention(first), Own: map[string][]Fact{}, Rehearsed: map[string][]string{}}
	notes := false
	for _, i := range stacks {
		s := r.Stacks[i]
		g.Customers = append(g.Customers, s.Customer)
		g.attention = min(g.attention, attention(s))
		notes = notes || len(s.Notes) > 0
		if s.Rehearsed {
			g.Rehearsed[s.Customer] = s.RehearsedBecause
		}
	}
	plain := first
	plain.Notes = nil
	g.Result = result(plain)
	if notes && g.Result == "ok" {
		g.Result = "ok (see notes)"
	}
	if k := hazardKinds(first); k != "" {
		for _, h := range strings.Split(k, ", ") {
			g.Hazards = append(g.Hazards, HazardKind(h))
		}
	}
	g.Refused = first.EngineError != ""

	// Common facts: those every stack has (as often).
	count := map[Fact]int{}
	for n, i := range stacks {
		mine := map[Fact]int{}
		for _, f := range kinds[i].facts {
			mine[f]++
		}
		if n == 0 {
			count = mine
			continue
		}
		for f, c := range count {
			if m := min(c, mine[f]); m > 0 {
				count[f] = m
			} else {
				delete(count, f)
			}
		}
	}
	left := maps.Clone(count)
	for _, f := range kinds[stacks[0]].facts {
		if left[f] > 0 {
			g.Common = append(g.Common, f)
			left[f]--
		}
	}
	for _, i := range stacks {
		left := maps.Clone(count)
		for _, f := range kinds[i].facts {
			if left[f] > 0 {
				left[f]--
				continue
			}
			g.Own[r.Stacks[i].Customer] = append(g.Own[r.Stacks[i].Customer], f)
		}
	}
	g.Steps = steps(r.Stacks[stacks[0]], g.Common)
	return g
}

// steps sums up the changes of a group's first stack by operation and
// type, in the order of its plan; an input is shown with its value where
// that is one of the group's common facts, else as varying.
func steps(s StackReview, common []Fact) []Step {
	commonInput := map[Fact]bool{}
	for _, f := range common {
		if f.Kind == FactInput {
			commonInput[f] = true
		}
	}
	var out []Step
	index := map[string]int{}
	for _, ch := range s.Changes {
		if ch.Op == "same" {
			continue
		}
		k := ch.Op + " " + ch.Type
		i, ok := index[k]
		if !ok {
			i = len(out)
			index[k] = i
			out = append(out, Step{Op: ch.Op, Type: ch.Type})
		}
		st := &out[i]
		st.Count++
		name := normalizeName(ch.Name, s.Customer)
		for _, f := range ch.Fields {
			old, new := normalize(f.Old, s.Customer), normalize(f.New, s.Customer)
			field := StepField{Path: f.Path, Old: old, New: new}
			if !commonInput[Fact{Kind: FactInput, Label: name, Path: f.Path, Text: old + " → " + new}] {
				field = StepField{Path: f.Path, Varies: true}
			}
			// The resources of a step that change an input alike show it
			// once.
			if !slices.Contains(st.Fields, field) {
				st.Fields = append(st.Fields, field)
			}
		}
		for _, p := range ch.Replaces {
			if p = normalize(p, s.Customer); !slices.Contains(st.Replaces, p) {
				st.Replaces = append(st.Replaces, p)
			}
		}
	}
	return out
}
