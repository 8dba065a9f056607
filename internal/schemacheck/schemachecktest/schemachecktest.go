// Package schemachecktest writes the provider package schema a set of facts
// describes, for the tests of schemacheck and of its command: comparing
// facts with the schema written from them must find nothing, whatever type
// expressions the facts use.
package schemachecktest

import (
	"encoding/json"
	"fmt"
	"maps"
	"strings"

	"github.com/fhir-dr/fhir-dr/internal/azureschema"
)

// Schema returns the package schema JSON, at the given provider version,
// the facts describe: their resources, object types, enums and functions, each input with the
// constraints the facts record, stub object types for the types the facts
// refer to without listing, and "...Response" types for function outputs.
func Schema(facts *azureschema.Facts, version string) ([]byte, error) {
	w := &writer{facts: facts, pkg: facts.Provider.Name, types: map[string]any{}}
	if w.pkg == "" {
		w.pkg = "azure-native"
	}
	resources := map[string]any{}
	for token, r := range facts.Resources {
		props, err := w.properties(r.Object, false)
		if err != nil {
			return nil, fmt.Errorf("schemachecktest: %s: %w", token, err)
		}
		resources[token] = map[string]any{"type": "object", "inputProperties": props, "requiredInputs": r.Required}
	}
	for key, t := range facts.Types {
		props, err := w.properties(t, false)
		if err != nil {
			return nil, fmt.Errorf("schemachecktest: %s: %w", key, err)
		}
		for field, value := range t.Discriminator {
			if p, ok := props[field]; ok {
				p["const"] = value
			}
		}
		w.types[w.pkg+":"+key] = map[string]any{"type": "object", "properties": props, "required": t.Required}
	}
	for key, e := range facts.Enums {
		var values []any
		for _, v := range e.Values {
			values = append(values, map[string]any{"value": v})
		}
		w.types[w.pkg+":"+key] = map[string]any{"type": "string", "enum": values}
	}
	functions := map[string]any{}
	for token, f := range facts.Functions {
		inputs, err := w.properties(f.Object, false)
		if err != nil {
			return nil, fmt.Errorf("schemachecktest: %s: %w", token, err)
		}
		outputs := map[string]map[string]any{}
		for name, expr := range f.Outputs {
			if outputs[name], err = w.property(expr, true); err != nil {
				return nil, fmt.Errorf("schemachecktest: %s output %s: %w", token, name, err)
			}
		}
		functions[token] = map[string]any{
			"inputs":  map[string]any{"type": "object", "properties": inputs, "required": f.Required},
			"outputs": map[string]any{"type": "object", "properties": outputs},
		}
	}
	return json.MarshalIndent(map[string]any{
		"name":      w.pkg,
		"version":   version,
		"resources": resources,
		"types":     w.types,
		"functions": functions,
	}, "", " ")
}

type writer struct {
	facts *azureschema.Facts
	pkg   string
	types map[string]any
}

func (w *writer) properties(o azureschema.Object, output bool) (map[string]map[string]any, error) {
	props := map[string]map[string]any{}
	for name, expr := range o.Inputs {
		p, err := w.property(expr, output)
		if err != nil {
			return nil, fmt.Errorf("input %s: %w", name, err)
		}
		if k, ok := o.Constraints[name]; ok {
			b, err := json.Marshal(k)
			if err != nil {
				return nil, err
			}
			var m map[string]any
			if err := json.Unmarshal(b, &m); err != nil {
				return nil, err
			}
			maps.Copy(p, m)
		}
		props[name] = p
	}
	return props, nil
}

// ref returns the $ref of an object type, adding a stub for a type the
// facts do not list.
func (w *writer) ref(key string, output bool) string {
	if output {
		key += "Response"
	}
	token := w.pkg + ":" + key
	if _, ok := w.types[token]; !ok {
		if _, listed := w.facts.Types[key]; !listed {
			w.types[token] = map[string]any{"type": "object", "properties": map[string]any{}}
		}
	}
	return "#/types/" + token
}

func (w *writer) property(expr string, output bool) (map[string]any, error) {
	switch {
	case expr == "any":
		return map[string]any{"$ref": "pulumi.json#/Any"}, nil
	case strings.HasPrefix(expr, "array<") && strings.HasSuffix(expr, ">"):
		items, err := w.property(expr[len("array<"):len(expr)-1], output)
		return map[string]any{"type": "array", "items": items}, err
	case strings.HasPrefix(expr, "map<") && strings.HasSuffix(expr, ">"):
		elem, err := w.property(expr[len("map<"):len(expr)-1], output)
		return map[string]any{"type": "object", "additionalProperties": elem}, err
	}
	t, err := azureschema.ParseType(expr)
	if err != nil {
		return nil, err
	}
	switch t.Kind {
	case azureschema.Scalar:
		return map[string]any{"type": t.Name}, nil
	case azureschema.EnumRef:
		if _, ok := w.facts.Enums[t.Name]; !ok {
			w.types[w.pkg+":"+t.Name] = map[string]any{"type": "string", "enum": []any{map[string]any{"value": "x"}}}
		}
		return map[string]any{"type": "string", "$ref": "#/types/" + w.pkg + ":" + t.Name}, nil
	case azureschema.ObjectRef:
		return map[string]any{"type": "object", "$ref": w.ref(t.Name, output)}, nil
	case azureschema.Union:
		var oneOf []any
		var field string
		mapping := map[string]string{}
		for _, m := range t.Members {
			ref := w.ref(m, output)
			oneOf = append(oneOf, map[string]any{"type": "object", "$ref": ref})
			for f, v := range w.facts.Types[m].Discriminator {
				field = f
				mapping[v] = ref
			}
		}
		p := map[string]any{"oneOf": oneOf}
		if field != "" {
			p["discriminator"] = map[string]any{"propertyName": field, "mapping": mapping}
		}
		return p, nil
	}
	return nil, fmt.Errorf("unknown type expression %q", expr)
}
