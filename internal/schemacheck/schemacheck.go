// Package schemacheck compares the committed azure-native schema facts
// (internal/azureschema) with the provider's own Pulumi package schema, the
// JSON `pulumi package get-schema azure-native@<version>` prints.
//
// For every resource, object type, enum and function the facts list, it
// checks that the inputs (and a function's outputs) are the same on both
// sides, that each input's type is the same (integer and number differ;
// arrays, maps, object and enum references and unions are compared in depth;
// an open enum, oneOf a string and an enum, is "string" in the facts), that
// the required inputs are the same, that the enum values are the same, and
// that the validation constraints (pattern, minLength, maxLength, minimum,
// maximum) the facts record are the provider's. Constraints the provider
// declares and the facts do not record are notes, not mismatches.
//
// The provider schema cannot be fetched offline (it comes from the provider
// plugin), so the check runs in the pull-request workflow (`make
// schema-check`); its tests use a hand-written schema document.
package schemacheck

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/fhir-dr/fhir-dr/internal/azureschema"
)

// Absent is what a Mismatch shows for the side that lacks the thing.
const Absent = "(absent)"

// Mismatch is one difference between the facts and the provider schema.
type Mismatch struct {
	// Kind is "package", "resource", "type", "enum" or "function".
	Kind string
	// Name is the resource or function token, or the type or enum key
	// ("module:Name").
	Name string
	// Field is the input or output, e.g. `input "locations"`, or empty.
	Field string
	// Aspect is what differs: "type", "required", "values", "version",
	// "discriminator", a constraint ("pattern", "minLength", ...), "unknown
	// expression" (a facts type the check does not understand), or empty
	// when one side lacks the field or entry.
	Aspect string
	// Facts and Provider are the two sides; Absent where one lacks it.
	Facts, Provider string
}

// String renders the mismatch on one line, e.g.
// `type cosmosdb:Location input "failoverPriority": type: facts integer, provider number`.
func (m Mismatch) String() string {
	var b strings.Builder
	b.WriteString(m.Kind + " " + m.Name)
	if m.Field != "" {
		b.WriteString(" " + m.Field)
	}
	b.WriteString(": ")
	if m.Aspect != "" {
		b.WriteString(m.Aspect + ": ")
	}
	fmt.Fprintf(&b, "facts %s, provider %s", m.Facts, m.Provider)
	return b.String()
}

// Note is something the provider schema has that the facts do not record
// and need not: a constraint, or an input of an object the facts list only
// in part.
type Note struct {
	// Kind, Name and Field are as in Mismatch.
	Kind, Name, Field string
	// Text says what the facts do not record.
	Text string
}

// String renders the note on one line.
func (n Note) String() string {
	s := n.Kind + " " + n.Name
	if n.Field != "" {
		s += " " + n.Field
	}
	return s + ": " + n.Text
}

// Report is the outcome of Compare.
type Report struct {
	// Package is the package name both sides agree on.
	Package string
	// FactsVersion and SchemaVersion are the provider versions of the two
	// sides.
	FactsVersion, SchemaVersion string
	// Resources, Types, Enums and Functions count what was compared.
	Resources, Types, Enums, Functions int
	// Mismatches are sorted by kind (package, resource, type, enum,
	// function) and then by text.
	Mismatches []Mismatch
	// Notes are sorted the same way.
	Notes []Note
}

// OK reports whether there are no mismatches.
func (r Report) OK() bool { return len(r.Mismatches) == 0 }

func (r Report) summary() string {
	return fmt.Sprintf("%s facts %s against the provider schema %s: %d resources, %d types, %d enums, %d functions",
		r.Package, r.FactsVersion, r.SchemaVersion, r.Resources, r.Types, r.Enums, r.Functions)
}

// String renders the report as plain text.
func (r Report) String() string {
	var b strings.Builder
	b.WriteString(r.summary() + "\n")
	if r.OK() {
		b.WriteString("no mismatches\n")
	} else {
		fmt.Fprintf(&b, "%d mismatches:\n", len(r.Mismatches))
		for _, m := range r.Mismatches {
			b.WriteString("  " + m.String() + "\n")
		}
	}
	if len(r.Notes) > 0 {
		fmt.Fprintf(&b, "%d notes (not failures):\n", len(r.Notes))
		for _, n := range r.Notes {
			b.WriteString("  " + n.String() + "\n")
		}
	}
	return b.String()
}

// Markdown renders the report for a pull-request comment or a job summary.
func (r Report) Markdown() string {
	var b strings.Builder
	b.WriteString("### azure-native schema check\n\n" + r.summary() + ".\n\n")
	if r.OK() {
		b.WriteString("No mismatches.\n")
	} else {
		fmt.Fprintf(&b, "**%d mismatches**\n\n", len(r.Mismatches))
		for _, m := range r.Mismatches {
			b.WriteString("- " + code(m.String()) + "\n")
		}
	}
	if len(r.Notes) > 0 {
		fmt.Fprintf(&b, "\n**%d notes** (not failures)\n\n", len(r.Notes))
		for _, n := range r.Notes {
			b.WriteString("- " + code(n.String()) + "\n")
		}
	}
	return b.String()
}

// code wraps s in a Markdown code span long enough for the backticks in it.
func code(s string) string {
	fence := "`"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		s = " " + s + " "
	}
	return fence + s + fence
}

// Compare reads a provider package schema from schema and compares the
// facts with it, the provider version included (facts without one are
// compared without it, with a note). The error is for a schema that cannot
// be read; every difference is a Mismatch in the report.
func Compare(facts *azureschema.Facts, schema io.Reader) (Report, error) {
	if facts == nil {
		return Report{}, fmt.Errorf("schemacheck: no facts")
	}
	pkg := facts.Provider.Name
	if pkg == "" {
		pkg = "azure-native"
	}
	want := wanted{resources: map[string]bool{}, types: map[string]bool{}, functions: map[string]bool{}}
	for token := range facts.Resources {
		want.resources[token] = true
	}
	for token := range facts.Functions {
		want.functions[token] = true
	}
	for key := range facts.Types {
		want.types[pkg+":"+key] = true
	}
	for key := range facts.Enums {
		want.types[pkg+":"+key] = true
	}
	doc, err := readDocument(schema, want)
	if err != nil {
		return Report{}, fmt.Errorf("schemacheck: read the provider schema: %w", err)
	}
	if doc.name != pkg {
		return Report{}, fmt.Errorf("schemacheck: the schema is of package %q, the facts of %q", doc.name, pkg)
	}
	c := &checker{facts: facts, doc: doc, pkg: pkg}
	c.report = Report{
		Package:       pkg,
		FactsVersion:  facts.Provider.Version,
		SchemaVersion: doc.version,
		Resources:     len(facts.Resources),
		Types:         len(facts.Types),
		Enums:         len(facts.Enums),
		Functions:     len(facts.Functions),
	}
	switch {
	case c.report.FactsVersion == "":
		c.note(Note{Kind: "package", Name: pkg, Text: "the facts record no provider version: the versions are not compared"})
	case strings.TrimPrefix(doc.version, "v") != strings.TrimPrefix(c.report.FactsVersion, "v"):
		c.mismatch(Mismatch{Kind: "package", Name: pkg, Aspect: "version", Facts: c.report.FactsVersion, Provider: orAbsent(doc.version)})
	}
	if err := c.compare(); err != nil {
		return Report{}, fmt.Errorf("schemacheck: %w", err)
	}
	rank := map[string]int{"package": 0, "resource": 1, "type": 2, "enum": 3, "function": 4}
	slices.SortFunc(c.report.Mismatches, func(a, b Mismatch) int {
		if d := rank[a.Kind] - rank[b.Kind]; d != 0 {
			return d
		}
		return strings.Compare(a.String(), b.String())
	})
	slices.SortFunc(c.report.Notes, func(a, b Note) int {
		if d := rank[a.Kind] - rank[b.Kind]; d != 0 {
			return d
		}
		return strings.Compare(a.String(), b.String())
	})
	return c.report, nil
}

// checker holds one comparison.
type checker struct {
	facts  *azureschema.Facts
	doc    *document
	pkg    string
	report Report
}

func (c *checker) mismatch(m Mismatch) { c.report.Mismatches = append(c.report.Mismatches, m) }

func (c *checker) note(n Note) { c.report.Notes = append(c.report.Notes, n) }

func (c *checker) compare() error {
	for _, token := range sortedKeys(c.facts.Resources) {
		r := c.facts.Resources[token]
		raw, ok := c.doc.resources[token]
		if !ok {
			c.mismatch(Mismatch{Kind: "resource", Name: token, Facts: inputCount(r.Inputs), Provider: Absent})
			continue
		}
		var spec resourceSpec
		if err := json.Unmarshal(raw, &spec); err != nil {
			return fmt.Errorf("resource %s: %w", token, err)
		}
		c.compareObject("resource", token, r.Object, spec.InputProperties, spec.RequiredInputs)
	}
	for _, key := range sortedKeys(c.facts.Types) {
		t := c.facts.Types[key]
		spec, ok, err := c.typeSpec(key)
		if err != nil {
			return err
		}
		switch {
		case !ok:
			c.mismatch(Mismatch{Kind: "type", Name: key, Facts: "object", Provider: Absent})
			continue
		case len(spec.Enum) > 0:
			c.mismatch(Mismatch{Kind: "type", Name: key, Facts: "object", Provider: "enum"})
			continue
		}
		c.compareObject("type", key, t, spec.Properties, spec.Required)
		c.compareDiscriminator(key, t, spec.Properties)
	}
	for _, key := range sortedKeys(c.facts.Enums) {
		if err := c.compareEnum(key, c.facts.Enums[key]); err != nil {
			return err
		}
	}
	for _, token := range sortedKeys(c.facts.Functions) {
		f := c.facts.Functions[token]
		raw, ok := c.doc.functions[token]
		if !ok {
			c.mismatch(Mismatch{Kind: "function", Name: token, Facts: inputCount(f.Inputs), Provider: Absent})
			continue
		}
		var spec functionSpec
		if err := json.Unmarshal(raw, &spec); err != nil {
			return fmt.Errorf("function %s: %w", token, err)
		}
		if spec.Inputs == nil {
			spec.Inputs = &objectSpec{}
		}
		if spec.Outputs == nil {
			spec.Outputs = &objectSpec{}
		}
		c.compareObject("function", token, f.Object, spec.Inputs.Properties, spec.Inputs.Required)
		c.compareFields("function", token, "output", f.Outputs, spec.Outputs.Properties, true)
	}
	return nil
}

// typeSpec decodes the schema's type of a facts key.
func (c *checker) typeSpec(key string) (typeSpec, bool, error) {
	var spec typeSpec
	raw, ok := c.doc.types[c.pkg+":"+key]
	if !ok {
		return spec, false, nil
	}
	if err := json.Unmarshal(raw, &spec); err != nil {
		return spec, false, fmt.Errorf("type %s: %w", key, err)
	}
	return spec, true, nil
}

// compareObject compares the inputs, their types, the required inputs and
// the constraints of one resource, type or function.
func (c *checker) compareObject(kind, name string, o azureschema.Object, props map[string]property, required []string) {
	c.compareFields(kind, name, "input", o.Inputs, props, false)

	factsRequired, providerRequired := set(o.Required), set(required)
	for _, input := range sortedKeys(union(factsRequired, providerRequired)) {
		if factsRequired[input] != providerRequired[input] {
			c.mismatch(Mismatch{Kind: kind, Name: name, Field: field("input", input), Aspect: "required",
				Facts: requiredness(factsRequired[input]), Provider: requiredness(providerRequired[input])})
		}
	}

	for _, input := range sortedKeys(props) {
		if _, ok := o.Inputs[input]; !ok {
			continue // reported as an input the facts lack
		}
		provider := constraintOf(props[input])
		recorded, ok := o.Constraints[input]
		switch {
		case ok:
			c.compareConstraint(kind, name, input, recorded, provider)
		case provider != (azureschema.Constraint{}):
			c.note(Note{Kind: kind, Name: name, Field: field("input", input),
				Text: "constraints not recorded in the facts: " + renderConstraint(provider)})
		}
	}
	for _, input := range sortedKeys(o.Constraints) {
		if _, ok := props[input]; !ok {
			c.mismatch(Mismatch{Kind: kind, Name: name, Field: field("input", input), Aspect: "constraints",
				Facts: renderConstraint(o.Constraints[input]), Provider: Absent})
		}
	}
}

// compareFields compares the names and types of inputs or outputs.
func (c *checker) compareFields(kind, name, word string, facts map[string]string, props map[string]property, output bool) {
	for _, f := range sortedKeys(facts) {
		s := facts[f]
		p, ok := props[f]
		if !ok {
			c.mismatch(Mismatch{Kind: kind, Name: name, Field: field(word, f), Facts: s, Provider: Absent})
			continue
		}
		e, err := parseExpr(s)
		if err != nil {
			c.mismatch(Mismatch{Kind: kind, Name: name, Field: field(word, f), Aspect: "unknown expression", Facts: s, Provider: c.render(&p)})
			continue
		}
		if !c.matches(e, &p, output) {
			c.mismatch(Mismatch{Kind: kind, Name: name, Field: field(word, f), Aspect: "type", Facts: s, Provider: c.render(&p)})
		}
	}
	for _, f := range sortedKeys(props) {
		if _, ok := facts[f]; ok {
			continue
		}
		p := props[f]
		c.mismatch(Mismatch{Kind: kind, Name: name, Field: field(word, f), Facts: Absent, Provider: c.render(&p)})
	}
}

// compareDiscriminator checks the constant value of a union member's
// discriminator field.
func (c *checker) compareDiscriminator(key string, t azureschema.Object, props map[string]property) {
	for _, f := range sortedKeys(t.Discriminator) {
		p, ok := props[f]
		if !ok || p.Const == nil {
			continue // a missing field is reported as such; no const, nothing to compare
		}
		if fmt.Sprint(p.Const) != t.Discriminator[f] {
			c.mismatch(Mismatch{Kind: "type", Name: key, Field: field("input", f), Aspect: "discriminator",
				Facts: strconv.Quote(t.Discriminator[f]), Provider: strconv.Quote(fmt.Sprint(p.Const))})
		}
	}
}

// compareEnum compares the values of one enum.
func (c *checker) compareEnum(key string, e azureschema.Enum) error {
	facts := "[" + strings.Join(e.Values, " ") + "]"
	spec, ok, err := c.typeSpec(key)
	switch {
	case err != nil:
		return err
	case !ok:
		c.mismatch(Mismatch{Kind: "enum", Name: key, Aspect: "values", Facts: facts, Provider: Absent})
		return nil
	case len(spec.Enum) == 0:
		c.mismatch(Mismatch{Kind: "enum", Name: key, Facts: "enum " + facts, Provider: "object (not an enum)"})
		return nil
	}
	var values []string
	for _, v := range spec.Enum {
		var s string
		if err := json.Unmarshal(v.Value, &s); err != nil {
			s = strings.TrimSpace(string(v.Value)) // an integer or boolean enum
		}
		values = append(values, s)
	}
	if !maps.Equal(set(e.Values), set(values)) {
		c.mismatch(Mismatch{Kind: "enum", Name: key, Aspect: "values", Facts: facts, Provider: "[" + strings.Join(values, " ") + "]"})
	}
	return nil
}

// compareConstraint compares the constraints the facts record for an input
// with the provider's, one mismatch per differing key.
func (c *checker) compareConstraint(kind, name, input string, facts, provider azureschema.Constraint) {
	m := func(aspect, f, p string) {
		if f != p {
			c.mismatch(Mismatch{Kind: kind, Name: name, Field: field("input", input), Aspect: aspect, Facts: f, Provider: p})
		}
	}
	m("pattern", orNone(facts.Pattern), orNone(provider.Pattern))
	m("minLength", intOrNone(facts.MinLength), intOrNone(provider.MinLength))
	m("maxLength", intOrNone(facts.MaxLength), intOrNone(provider.MaxLength))
	m("minimum", floatOrNone(facts.Minimum), floatOrNone(provider.Minimum))
	m("maximum", floatOrNone(facts.Maximum), floatOrNone(provider.Maximum))
}

// constraintOf returns the validation keys of a provider property.
func constraintOf(p property) azureschema.Constraint {
	length := func(f *float64) *int {
		if f == nil {
			return nil
		}
		n := int(*f)
		return &n
	}
	return azureschema.Constraint{
		Pattern:   p.Pattern,
		MinLength: length(p.MinLength),
		MaxLength: length(p.MaxLength),
		Minimum:   p.Minimum,
		Maximum:   p.Maximum,
	}
}

func renderConstraint(k azureschema.Constraint) string {
	var parts []string
	if k.Pattern != "" {
		parts = append(parts, "pattern "+k.Pattern)
	}
	if k.MinLength != nil {
		parts = append(parts, "minLength "+intOrNone(k.MinLength))
	}
	if k.MaxLength != nil {
		parts = append(parts, "maxLength "+intOrNone(k.MaxLength))
	}
	if k.Minimum != nil {
		parts = append(parts, "minimum "+floatOrNone(k.Minimum))
	}
	if k.Maximum != nil {
		parts = append(parts, "maximum "+floatOrNone(k.Maximum))
	}
	if len(parts) == 0 {
		return "(none)"
	}
	return strings.Join(parts, ", ")
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

func orAbsent(s string) string {
	if s == "" {
		return Absent
	}
	return s
}

func intOrNone(n *int) string {
	if n == nil {
		return "(none)"
	}
	return strconv.Itoa(*n)
}

func floatOrNone(f *float64) string {
	if f == nil {
		return "(none)"
	}
	return strconv.FormatFloat(*f, 'f', -1, 64)
}

func field(word, name string) string { return word + " " + strconv.Quote(name) }

func requiredness(required bool) string {
	if required {
		return "required"
	}
	return "optional"
}

func inputCount(inputs map[string]string) string {
	return fmt.Sprintf("%d inputs", len(inputs))
}

func set(values []string) map[string]bool {
	s := make(map[string]bool, len(values))
	for _, v := range values {
		s[v] = true
	}
	return s
}

func union(a, b map[string]bool) map[string]bool {
	u := maps.Clone(a)
	maps.Copy(u, b)
	return u
}

func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}
