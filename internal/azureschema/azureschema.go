// Package azureschema holds the azure-native provider schema facts fhir-dr is
// checked against: for each resource and object type it registers, the input
// names and their types, the required inputs and the SDK constructor
// defaults, and the allowed values of each enum.
//
// The facts were read from the generated azure-native Go SDK at the version
// in Provider.V3Latest and are embedded from azure-native-inputs.json. Two
// test doubles use them: the registration-layer test in azure/, which checks
// that every Args type matches, and the azure-native stand-in provider of the
// offline rehearsal, which rejects inputs Azure would reject.
package azureschema

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"sync"
)

//go:embed azure-native-inputs.json
var factsJSON []byte

// JSON returns the embedded facts file as it is stored.
func JSON() []byte { return factsJSON }

// Facts are the schema facts of the resources fhir-dr registers.
type Facts struct {
	// Provider names the provider and the SDK version the facts were read
	// from.
	Provider struct {
		Name     string `json:"name"`
		V3Latest string `json:"v3Latest"`
	} `json:"provider"`
	// Resources are keyed by type token, e.g.
	// "azure-native:cosmosdb:DatabaseAccount".
	Resources map[string]Resource `json:"resources"`
	// Types are the object types, keyed "module:Name".
	Types map[string]Object `json:"types"`
	// Enums are keyed "module:Name".
	Enums map[string]Enum `json:"enums"`
	// Functions are the invokes, keyed by token.
	Functions map[string]Function `json:"functions"`
}

// Function is one provider function (invoke).
type Function struct {
	Object
	// Outputs maps each result field to its type expression.
	Outputs map[string]string `json:"outputs"`
}

// Resource is one resource type.
type Resource struct {
	// Token is the resource's type token.
	Token string `json:"token"`
	// APIVersion is the Azure REST API version the SDK calls.
	APIVersion string `json:"apiVersion"`
	Object
}

// Object is the input shape of a resource or an object type.
type Object struct {
	// Inputs maps each input name to its type expression (see ParseType).
	Inputs map[string]string `json:"inputs"`
	// Required are the inputs that must be set.
	Required []string `json:"required"`
	// SDKDefaults are the values the SDK's constructor fills when an input
	// is left unset.
	SDKDefaults map[string]any `json:"sdkDefaults"`
	// Discriminator is set on the members of a union: the field and the
	// value that select this member, e.g. {"type": "Periodic"}.
	Discriminator map[string]string `json:"discriminator"`
}

// Enum is the set of values an enum input accepts.
type Enum struct {
	// Values are the allowed values, as Azure spells them.
	Values []string `json:"values"`
}

// Load returns the embedded facts, parsed once.
var Load = sync.OnceValues(func() (*Facts, error) {
	var f Facts
	if err := json.Unmarshal(factsJSON, &f); err != nil {
		return nil, fmt.Errorf("azureschema: parse azure-native-inputs.json: %w", err)
	}
	return &f, nil
})

// Kind is the kind of a type expression.
type Kind int

// The kinds of type expressions.
const (
	// Scalar is "string", "boolean", "integer" or "number".
	Scalar Kind = iota
	// Array is "array<T>".
	Array
	// Map is "map<T>" (string keys).
	Map
	// EnumRef is "enum<module:Name>": a string from Facts.Enums.
	EnumRef
	// ObjectRef is "module:Name": an object from Facts.Types.
	ObjectRef
	// Union is "union<module:A|module:B> (discriminator ...)": one of the
	// member object types, chosen by its Discriminator.
	Union
)

// Type is a parsed type expression.
type Type struct {
	// Kind says which of the other fields are set.
	Kind Kind
	// Name is the scalar name, or the enum or object type's key.
	Name string
	// Elem is the element type of an Array or Map.
	Elem *Type
	// Members are the object type keys of a Union.
	Members []string
}

var unionExpr = regexp.MustCompile(`^union<([a-z]+:[A-Za-z]+(?:\|[a-z]+:[A-Za-z]+)+)>( \(.*\))?$`)

// ParseType parses a type expression of the facts file.
func ParseType(expr string) (Type, error) {
	switch {
	case expr == "string" || expr == "boolean" || expr == "integer" || expr == "number":
		return Type{Kind: Scalar, Name: expr}, nil
	case strings.HasPrefix(expr, "array<") && strings.HasSuffix(expr, ">"):
		elem, err := ParseType(expr[len("array<") : len(expr)-1])
		return Type{Kind: Array, Elem: &elem}, err
	case strings.HasPrefix(expr, "map<") && strings.HasSuffix(expr, ">"):
		elem, err := ParseType(expr[len("map<") : len(expr)-1])
		return Type{Kind: Map, Elem: &elem}, err
	case strings.HasPrefix(expr, "enum<") && strings.HasSuffix(expr, ">"):
		return Type{Kind: EnumRef, Name: expr[len("enum<") : len(expr)-1]}, nil
	case strings.HasPrefix(expr, "union<"):
		m := unionExpr.FindStringSubmatch(expr)
		if m == nil {
			return Type{}, fmt.Errorf("azureschema: malformed union %q", expr)
		}
		return Type{Kind: Union, Members: strings.Split(m[1], "|")}, nil
	case strings.Count(expr, ":") == 1 && !strings.ContainsAny(expr, "<> "):
		return Type{Kind: ObjectRef, Name: expr}, nil
	}
	return Type{}, fmt.Errorf("azureschema: unknown type expression %q", expr)
}
