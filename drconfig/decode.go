package drconfig

import (
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"

	"github.com/texttheater/golang-levenshtein/levenshtein"
)

// decodeValues fills c from the flat Pulumi configuration map and reports
// every unknown key and ill-typed value, not just the first: an operator
// fixing a stack file should see the whole list at once.
func decodeValues(c *Config, values map[string]string, ps *problems) {
	cv := reflect.ValueOf(c).Elem()
	known := jsonFields(cv.Type())
	for _, key := range slices.Sorted(maps.Keys(values)) {
		ns, name, _ := strings.Cut(key, ":")
		switch ns {
		case Namespace:
		case "azure-native", "pulumi":
			// Provider and engine settings pass through to Pulumi.
			continue
		default:
			ps.add(key, "unknown configuration namespace %q: fhir-dr reads only %q keys", ns, Namespace+":")
			continue
		}
		idx, ok := known[name]
		if !ok {
			ps.add(key, "unknown key%s", suggest(name, known))
			continue
		}
		field := cv.Field(idx)
		raw := values[key]
		if field.Kind() == reflect.String {
			// Pulumi passes scalar top-level values as plain strings.
			field.SetString(raw)
			continue
		}
		decodeJSON(key, json.RawMessage(raw), field, ps)
	}
}

// decodeJSON decodes raw into v, descending into objects and lists so that
// unknown keys and type errors anywhere are reported with their full path.
func decodeJSON(path string, raw json.RawMessage, v reflect.Value, ps *problems) {
	if string(raw) == "null" {
		return
	}
	if u, ok := v.Addr().Interface().(json.Unmarshaler); ok {
		if err := u.UnmarshalJSON(raw); err != nil {
			ps.add(path, "%s", err.Error())
		}
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		elem := reflect.New(v.Type().Elem())
		before := len(ps.list)
		decodeJSON(path, raw, elem.Elem(), ps)
		if len(ps.list) == before {
			v.Set(elem)
		}
	case reflect.Struct:
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(raw, &obj); err != nil {
			ps.add(path, "must be an object with the keys %s", strings.Join(slices.Sorted(maps.Keys(jsonFields(v.Type()))), ", "))
			return
		}
		known := jsonFields(v.Type())
		for _, key := range slices.Sorted(maps.Keys(obj)) {
			idx, ok := known[key]
			if !ok {
				ps.add(path+"."+key, "unknown key%s", suggest(key, known))
				continue
			}
			decodeJSON(path+"."+key, obj[key], v.Field(idx), ps)
		}
	case reflect.Slice:
		var list []json.RawMessage
		if err := json.Unmarshal(raw, &list); err != nil {
			ps.add(path, "must be a list")
			return
		}
		out := reflect.MakeSlice(v.Type(), len(list), len(list))
		for i, item := range list {
			decodeJSON(fmt.Sprintf("%s[%d]", path, i), item, out.Index(i), ps)
		}
		v.Set(out)
	case reflect.Map:
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(raw, &obj); err != nil {
			ps.add(path, "must be an object")
			return
		}
		out := reflect.MakeMapWithSize(v.Type(), len(obj))
		for _, key := range slices.Sorted(maps.Keys(obj)) {
			elem := reflect.New(v.Type().Elem()).Elem()
			decodeJSON(path+"."+key, obj[key], elem, ps)
			out.SetMapIndex(reflect.ValueOf(key), elem)
		}
		v.Set(out)
	case reflect.String, reflect.Int, reflect.Bool:
		if err := json.Unmarshal(raw, v.Addr().Interface()); err != nil {
			ps.add(path, "must be %s, got %s", scalarNames[v.Kind()], raw)
		}
	default:
		// Unreachable for the Config types; a new field kind needs a case.
		ps.add(path, "cannot decode a value of Go kind %s", v.Kind())
	}
}

// scalarNames say what a scalar setting must be, by Go kind.
var scalarNames = map[reflect.Kind]string{
	reflect.String: "a string",
	reflect.Int:    "a whole number",
	reflect.Bool:   "true or false",
}

// fieldIndexes caches jsonFields: the settings are walked by name on every
// load, for defaults and for checks, and a fleet loads thousands of stacks.
var fieldIndexes sync.Map // reflect.Type -> map[string]int

// jsonFields maps the JSON names of t's fields to their indexes. The map is
// shared: callers must not change it.
func jsonFields(t reflect.Type) map[string]int {
	if m, ok := fieldIndexes.Load(t); ok {
		return m.(map[string]int)
	}
	m := make(map[string]int, t.NumField())
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			m[name] = i
		}
	}
	fieldIndexes.Store(t, m)
	return m
}

// suggest returns ` (did you mean "x"?)` for the known key closest to name,
// or "" when none is close.
func suggest(name string, known map[string]int) string {
	best, bestDist := "", 3
	for _, k := range slices.Sorted(maps.Keys(known)) {
		d := levenshtein.DistanceForStrings([]rune(strings.ToLower(name)), []rune(strings.ToLower(k)), levenshtein.DefaultOptions)
		if d < bestDist {
			best, bestDist = k, d
		}
	}
	if best == "" {
		return "; known keys: " + strings.Join(slices.Sorted(maps.Keys(known)), ", ")
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}
