package schemacheck

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
)

// The parts of a Pulumi package schema (pkg/codegen/schema PackageSpec) the
// check reads. Everything else (descriptions, language sections, aliases,
// output properties of resources) is skipped unread.

// property is a PropertySpec: a TypeSpec plus the validation keys the check
// compares when present.
type property struct {
	Type                 string         `json:"type"`
	Ref                  string         `json:"$ref"`
	Items                *property      `json:"items"`
	AdditionalProperties *property      `json:"additionalProperties"`
	OneOf                []property     `json:"oneOf"`
	Discriminator        *discriminator `json:"discriminator"`
	Const                any            `json:"const"`

	Pattern   string   `json:"pattern"`
	MinLength *float64 `json:"minLength"`
	MaxLength *float64 `json:"maxLength"`
	Minimum   *float64 `json:"minimum"`
	Maximum   *float64 `json:"maximum"`
}

// discriminator is a DiscriminatorSpec: the field that selects a member of
// a union and, per value, the $ref of the member.
type discriminator struct {
	PropertyName string            `json:"propertyName"`
	Mapping      map[string]string `json:"mapping"`
}

// objectSpec is an ObjectTypeSpec: a function's inputs or outputs.
type objectSpec struct {
	Properties map[string]property `json:"properties"`
	Required   []string            `json:"required"`
}

// typeSpec is a ComplexTypeSpec: an object type or, with Enum, an enum.
type typeSpec struct {
	Type       string              `json:"type"`
	Properties map[string]property `json:"properties"`
	Required   []string            `json:"required"`
	Enum       []struct {
		Value json.RawMessage `json:"value"`
	} `json:"enum"`
}

// resourceSpec is the input half of a ResourceSpec.
type resourceSpec struct {
	InputProperties map[string]property `json:"inputProperties"`
	RequiredInputs  []string            `json:"requiredInputs"`
}

// functionSpec is a FunctionSpec.
type functionSpec struct {
	Inputs  *objectSpec `json:"inputs"`
	Outputs *objectSpec `json:"outputs"`
}

// typeKind is what the check knows of every type in the schema, named by
// the facts or not: whether it is an enum (for resolving $refs).
type typeKind struct {
	// Type is the type's "type": "object", or an enum's underlying type.
	Type string
	// Enum is true for an enum type.
	Enum bool
}

// document is the decoded subset of a package schema.
type document struct {
	name, version string
	// resources, types and functions hold the undecoded entries the facts
	// name, keyed by full token.
	resources, types, functions map[string]json.RawMessage
	// kinds holds every type of the schema.
	kinds map[string]typeKind
}

// wanted are the full tokens whose entries readDocument keeps.
type wanted struct {
	resources, types, functions map[string]bool
}

// readDocument streams a package schema, keeping only the entries want
// names (the real azure-native schema is hundreds of megabytes) and the kind
// of every type.
func readDocument(r io.Reader, want wanted) (*document, error) {
	doc := &document{
		resources: map[string]json.RawMessage{},
		types:     map[string]json.RawMessage{},
		functions: map[string]json.RawMessage{},
		kinds:     map[string]typeKind{},
	}
	dec := json.NewDecoder(bufio.NewReaderSize(r, 1<<20))
	if err := expectDelim(dec, '{'); err != nil {
		return nil, err
	}
	for dec.More() {
		key, err := readKey(dec)
		if err != nil {
			return nil, err
		}
		switch key {
		case "name":
			err = dec.Decode(&doc.name)
		case "version":
			err = dec.Decode(&doc.version)
		case "resources":
			err = eachEntry(dec, keep(want.resources, doc.resources))
		case "functions":
			err = eachEntry(dec, keep(want.functions, doc.functions))
		case "types":
			keepType := keep(want.types, doc.types)
			err = eachEntry(dec, func(token string, raw json.RawMessage) error {
				var k struct {
					Type string            `json:"type"`
					Enum []json.RawMessage `json:"enum"`
				}
				if err := json.Unmarshal(raw, &k); err != nil {
					return fmt.Errorf("type %s: %w", token, err)
				}
				doc.kinds[token] = typeKind{Type: k.Type, Enum: len(k.Enum) > 0}
				return keepType(token, raw)
			})
		default:
			var skip json.RawMessage
			err = dec.Decode(&skip)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", key, err)
		}
	}
	if err := expectDelim(dec, '}'); err != nil {
		return nil, err
	}
	if doc.name == "" {
		return nil, fmt.Errorf("not a Pulumi package schema: no package name")
	}
	return doc, nil
}

// keep returns an entry callback that stores the entries named in want.
func keep(want map[string]bool, into map[string]json.RawMessage) func(string, json.RawMessage) error {
	return func(token string, raw json.RawMessage) error {
		if want[token] {
			into[token] = raw
		}
		return nil
	}
}

// eachEntry reads one JSON object, calling f with each member.
func eachEntry(dec *json.Decoder, f func(key string, raw json.RawMessage) error) error {
	if err := expectDelim(dec, '{'); err != nil {
		return err
	}
	for dec.More() {
		key, err := readKey(dec)
		if err != nil {
			return err
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return fmt.Errorf("%s: %w", key, err)
		}
		if err := f(key, raw); err != nil {
			return err
		}
	}
	return expectDelim(dec, '}')
}

func readKey(dec *json.Decoder) (string, error) {
	tok, err := dec.Token()
	if err != nil {
		return "", err
	}
	key, ok := tok.(string)
	if !ok {
		return "", fmt.Errorf("want an object key, got %v", tok)
	}
	return key, nil
}

func expectDelim(dec *json.Decoder, want json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return fmt.Errorf("want %q, got %v", want, tok)
	}
	return nil
}
