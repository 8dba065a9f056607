package schemacheck

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/fhir-dr/fhir-dr/internal/azureschema"
)

// expr is a parsed facts type expression: azureschema.Type, with "any"
// (which matches every provider type) told apart at any depth.
type expr struct {
	any     bool
	kind    azureschema.Kind
	name    string
	elem    *expr
	members []string
}

// parseExpr parses a facts type expression, failing on one the check does
// not understand.
func parseExpr(s string) (*expr, error) {
	t, err := azureschema.ParseType(s)
	if err != nil {
		return nil, fmt.Errorf("unknown expression %q: %w", s, err)
	}
	return fromType(t), nil
}

func fromType(t azureschema.Type) *expr {
	e := &expr{kind: t.Kind, name: t.Name, members: t.Members}
	switch {
	case t.Kind == azureschema.Scalar && t.Name == "any":
		return &expr{any: true}
	case t.Elem != nil:
		e.elem = fromType(*t.Elem)
	}
	return e
}

// refKind is what a $ref points at.
type refKind int

const (
	refUnknown refKind = iota
	refAny
	refJSON
	refArchive
	refAsset
	refEnum
	refObject
)

// resolve classifies a $ref and returns the facts key of its type
// ("module:Name" for a type of the package, else the full token). hint is
// the property's own "type", used when the schema lacks the type.
func (c *checker) resolve(ref, hint string) (refKind, string) {
	switch ref {
	case "pulumi.json#/Any":
		return refAny, ""
	case "pulumi.json#/Json":
		return refJSON, ""
	case "pulumi.json#/Archive":
		return refArchive, ""
	case "pulumi.json#/Asset":
		return refAsset, ""
	}
	_, token, ok := strings.Cut(ref, "#/types/")
	if !ok {
		return refUnknown, ref
	}
	if t, err := url.PathUnescape(token); err == nil {
		token = t
	}
	key := token
	if pkg, rest, ok := strings.Cut(token, ":"); ok && pkg == c.pkg {
		key = rest
	}
	if k, ok := c.doc.kinds[token]; ok {
		if k.Enum {
			return refEnum, key
		}
		return refObject, key
	}
	switch hint {
	case "string", "integer", "number", "boolean":
		return refEnum, key
	}
	return refObject, key
}

// openEnum reports whether p is an open enum, oneOf a plain string and one
// or more enum types, and returns the enums.
func (c *checker) openEnum(p *property) ([]string, bool) {
	if len(p.OneOf) < 2 {
		return nil, false
	}
	var enums []string
	plain := false
	for _, e := range p.OneOf {
		switch {
		case e.Ref == "" && e.Type == "string" && e.Items == nil && e.AdditionalProperties == nil && len(e.OneOf) == 0:
			plain = true
		case e.Ref != "" && len(e.OneOf) == 0:
			kind, key := c.resolve(e.Ref, e.Type)
			if kind != refEnum {
				return nil, false
			}
			enums = append(enums, key)
		default:
			return nil, false
		}
	}
	return enums, plain && len(enums) > 0
}

// unionMembers reports whether p is a union of object types, and returns
// their keys in schema order.
func (c *checker) unionMembers(p *property) ([]string, bool) {
	if len(p.OneOf) < 2 {
		return nil, false
	}
	var members []string
	for _, e := range p.OneOf {
		if e.Ref == "" || len(e.OneOf) > 0 {
			return nil, false
		}
		kind, key := c.resolve(e.Ref, e.Type)
		if kind != refObject {
			return nil, false
		}
		members = append(members, key)
	}
	return members, true
}

// render writes a provider type in the notation of the facts: "string",
// "array<T>", "map<T>", "enum<module:Name>", "module:Name",
// "union<module:A|module:B> (discriminator ...)", "any"; an open enum is
// "oneOf[string, enum<module:Name>]".
func (c *checker) render(p *property) string {
	if p == nil {
		return "any"
	}
	if len(p.OneOf) > 0 {
		if enums, ok := c.openEnum(p); ok {
			parts := []string{"string"}
			for _, e := range enums {
				parts = append(parts, "enum<"+e+">")
			}
			return "oneOf[" + strings.Join(parts, ", ") + "]"
		}
		if members, ok := c.unionMembers(p); ok {
			s := "union<" + strings.Join(members, "|") + ">"
			if d := p.Discriminator; d != nil {
				var values []string
				for _, m := range members {
					for _, v := range sortedKeys(d.Mapping) {
						if _, key := c.resolve(d.Mapping[v], ""); key == m {
							values = append(values, fmt.Sprintf("%q", v))
						}
					}
				}
				s += fmt.Sprintf(" (discriminator field %q: %s)", d.PropertyName, strings.Join(values, " | "))
			}
			return s
		}
		var parts []string
		for i := range p.OneOf {
			parts = append(parts, c.render(&p.OneOf[i]))
		}
		return "oneOf[" + strings.Join(parts, ", ") + "]"
	}
	if p.Ref != "" {
		switch kind, key := c.resolve(p.Ref, p.Type); kind {
		case refAny:
			return "any"
		case refJSON:
			return "json"
		case refArchive:
			return "archive"
		case refAsset:
			return "asset"
		case refEnum:
			return "enum<" + key + ">"
		case refObject:
			return key
		}
		return "ref " + p.Ref
	}
	switch p.Type {
	case "array":
		return "array<" + c.render(p.Items) + ">"
	case "object":
		return "map<" + c.render(p.AdditionalProperties) + ">"
	case "":
		return "(untyped)"
	}
	return p.Type
}

// matches reports whether the provider type p is the facts type f. In
// function outputs (output), the provider's object types carry the suffix
// "Response" the facts omit.
func (c *checker) matches(f *expr, p *property, output bool) bool {
	if f.any {
		return true
	}
	if p == nil {
		return false
	}
	if len(p.OneOf) > 0 {
		switch f.kind {
		case azureschema.Scalar:
			_, open := c.openEnum(p)
			return open && f.name == "string"
		case azureschema.Union:
			members, ok := c.unionMembers(p)
			return ok && sameMembers(f.members, members, output) && c.discriminatorMatches(f.members, p, output)
		}
		return false
	}
	if p.Ref != "" {
		kind, key := c.resolve(p.Ref, p.Type)
		switch f.kind {
		case azureschema.EnumRef:
			return kind == refEnum && key == f.name
		case azureschema.ObjectRef:
			return kind == refObject && sameObject(f.name, key, output)
		}
		return false
	}
	switch f.kind {
	case azureschema.Scalar:
		return p.Type == f.name
	case azureschema.Array:
		return p.Type == "array" && c.matches(f.elem, p.Items, output)
	case azureschema.Map:
		return p.Type == "object" && c.matches(f.elem, p.AdditionalProperties, output)
	}
	return false
}

// discriminatorMatches checks a union's discriminator against the
// Discriminator the facts record on its member types: the same field, and
// each member's value mapped to that member.
func (c *checker) discriminatorMatches(members []string, p *property, output bool) bool {
	for _, m := range members {
		t, ok := c.facts.Types[m]
		if !ok {
			continue // not in the facts: nothing to compare
		}
		if len(t.Discriminator) == 0 {
			if p.Discriminator != nil {
				return false
			}
			continue
		}
		if p.Discriminator == nil {
			return false
		}
		for field, value := range t.Discriminator {
			ref, ok := p.Discriminator.Mapping[value]
			if field != p.Discriminator.PropertyName || !ok {
				return false
			}
			if _, key := c.resolve(ref, ""); !sameObject(m, key, output) {
				return false
			}
		}
	}
	return true
}

// sameObject compares a facts object type with a provider one.
func sameObject(facts, provider string, output bool) bool {
	if output {
		return strings.TrimSuffix(facts, "Response") == strings.TrimSuffix(provider, "Response")
	}
	return facts == provider
}

func sameMembers(facts, provider []string, output bool) bool {
	if len(facts) != len(provider) {
		return false
	}
	for _, f := range facts {
		if !slices.ContainsFunc(provider, func(p string) bool { return sameObject(f, p, output) }) {
			return false
		}
	}
	return true
}
