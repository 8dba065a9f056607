package review

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/fhir-dr/fhir-dr/internal/topology"
)

// absent is how a FieldChange shows a value that is not there: Old of an
// added input or list element, New of a removed one.
const absent = "(none)"

// listKeys are the element fields that name a list's elements, tried in
// order: the Cosmos DB account's locations by locationName; containers,
// environment variables, ports, node pools, volumes and most else by name.
var listKeys = []string{"locationName", "name"}

// fieldChanges lists what differs between a resource's old and new inputs,
// element by element: a map input by key (path a.b), a list whose elements
// are objects with a natural key (listKeys) by that key (path
// locations[westus]), a list of plain values as the values added and
// removed (path a[]), any other list by position (path a[0]). A value
// added or removed as a whole is shown whole, never cut; a value the
// engine knows only after the deployment is shown as such
// (topology.KnownAfterDeploy).
func fieldChanges(old, new map[string]any) []FieldChange {
	if old == nil || new == nil {
		return nil
	}
	var out []FieldChange
	diffValue(&out, "", resource.NewProperty(resource.NewPropertyMapFromMap(old)), resource.NewProperty(resource.NewPropertyMapFromMap(new)))
	return out
}

// diffValue adds to out what differs between a and b at path.
func diffValue(out *[]FieldChange, path string, a, b resource.PropertyValue) {
	known := func(v resource.PropertyValue) bool { return !topology.Unknown(v) }
	switch {
	case a.IsObject() && b.IsObject() && known(a) && known(b):
		am, bm := a.ObjectValue(), b.ObjectValue()
		keys := map[resource.PropertyKey]bool{}
		for k := range am {
			keys[k] = true
		}
		for k := range bm {
			keys[k] = true
		}
		sorted := make([]string, 0, len(keys))
		for k := range keys {
			sorted = append(sorted, string(k))
		}
		slices.Sort(sorted)
		for _, k := range sorted {
			p := k
			if path != "" {
				p = path + "." + k
			}
			diffValue(out, p, am[resource.PropertyKey(k)], bm[resource.PropertyKey(k)])
		}
	case a.IsArray() && b.IsArray() && known(a) && known(b):
		diffList(out, path, a.ArrayValue(), b.ArrayValue())
	default:
		if as, bs := display(a), display(b); as != bs {
			*out = append(*out, FieldChange{Path: path, Old: as, New: bs})
		}
	}
}

// diffList adds to out what differs between the lists a and b at path.
func diffList(out *[]FieldChange, path string, a, b []resource.PropertyValue) {
	if key := naturalKey(a, b); key != "" {
		keyOf := func(v resource.PropertyValue) string { return v.ObjectValue()[resource.PropertyKey(key)].StringValue() }
		byKey := func(l []resource.PropertyValue) map[string]resource.PropertyValue {
			m := map[string]resource.PropertyValue{}
			for _, v := range l {
				m[keyOf(v)] = v
			}
			return m
		}
		am, bm := byKey(a), byKey(b)
		var aOrder, bOrder []string // of the elements in both
		for _, v := range a {
			k := keyOf(v)
			if w, ok := bm[k]; ok {
				aOrder = append(aOrder, k)
				diffValue(out, path+"["+k+"]", v, w)
			} else {
				*out = append(*out, FieldChange{Path: path + "[" + k + "]", Old: display(v), New: absent})
			}
		}
		for _, w := range b {
			k := keyOf(w)
			if _, ok := am[k]; ok {
				bOrder = append(bOrder, k)
			} else {
				*out = append(*out, FieldChange{Path: path + "[" + k + "]", Old: absent, New: display(w)})
			}
		}
		if !slices.Equal(aOrder, bOrder) {
			*out = append(*out, FieldChange{Path: path + " (order)", Old: strings.Join(aOrder, ", "), New: strings.Join(bOrder, ", ")})
		}
		return
	}
	if plain(a) && plain(b) {
		// A set of values: what was removed, what was added; a change of
		// order alone shows both lists.
		removed, added := multisetDiff(a, b)
		for _, v := range removed {
			*out = append(*out, FieldChange{Path: path + "[]", Old: v, New: absent})
		}
		for _, v := range added {
			*out = append(*out, FieldChange{Path: path + "[]", Old: absent, New: v})
		}
		if len(removed) == 0 && len(added) == 0 {
			if as, bs := display(resource.NewProperty(a)), display(resource.NewProperty(b)); as != bs {
				*out = append(*out, FieldChange{Path: path + " (order)", Old: as, New: bs})
			}
		}
		return
	}
	for i := range max(len(a), len(b)) {
		p := fmt.Sprintf("%s[%d]", path, i)
		switch {
		case i >= len(a):
			*out = append(*out, FieldChange{Path: p, Old: absent, New: display(b[i])})
		case i >= len(b):
			*out = append(*out, FieldChange{Path: p, Old: display(a[i]), New: absent})
		default:
			diffValue(out, p, a[i], b[i])
		}
	}
}

// naturalKey is the field of listKeys that names every element of both
// lists, once in each; "" when none does.
func naturalKey(a, b []resource.PropertyValue) string {
	if len(a) == 0 && len(b) == 0 {
		return ""
	}
next:
	for _, key := range listKeys {
		for _, l := range [][]resource.PropertyValue{a, b} {
			seen := map[string]bool{}
			for _, v := range l {
				if !v.IsObject() || topology.Unknown(v) {
					return ""
				}
				k, ok := v.ObjectValue()[resource.PropertyKey(key)]
				if !ok || !k.IsString() || topology.Unknown(k) || seen[k.StringValue()] {
					continue next
				}
				seen[k.StringValue()] = true
			}
		}
		return key
	}
	return ""
}

// plain reports whether every element of l is a known string, number or
// bool.
func plain(l []resource.PropertyValue) bool {
	for _, v := range l {
		if topology.Unknown(v) || !v.IsString() && !v.IsNumber() && !v.IsBool() {
			return false
		}
	}
	return true
}

// multisetDiff returns the displayed values of a that b lacks and of b that
// a lacks, counting repeats, in list order.
func multisetDiff(a, b []resource.PropertyValue) (removed, added []string) {
	count := map[string]int{}
	for _, v := range b {
		count[display(v)]++
	}
	for _, v := range a {
		if d := display(v); count[d] > 0 {
			count[d]--
		} else {
			removed = append(removed, d)
		}
	}
	count = map[string]int{}
	for _, v := range a {
		count[display(v)]++
	}
	for _, v := range b {
		if d := display(v); count[d] > 0 {
			count[d]--
		} else {
			added = append(added, d)
		}
	}
	return removed, added
}

// display renders a value whole as compact JSON, with its keys sorted; a
// value not known before the deployment, at any depth, is
// topology.KnownAfterDeploy, and an absent one absent.
func display(v resource.PropertyValue) string {
	if v.IsNull() {
		return absent
	}
	var b strings.Builder
	writeValue(&b, v)
	return b.String()
}

func writeValue(b *strings.Builder, v resource.PropertyValue) {
	switch {
	case topology.Unknown(v):
		b.WriteString(topology.KnownAfterDeploy)
	case v.IsSecret():
		b.WriteString(`"[secret]"`)
	case v.IsObject():
		m := v.ObjectValue()
		b.WriteByte('{')
		for i, k := range m.StableKeys() {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSON(b, string(k))
			b.WriteByte(':')
			writeValue(b, m[k])
		}
		b.WriteByte('}')
	case v.IsArray():
		b.WriteByte('[')
		for i, e := range v.ArrayValue() {
			if i > 0 {
				b.WriteByte(',')
			}
			writeValue(b, e)
		}
		b.WriteByte(']')
	case v.IsNull():
		b.WriteString("null")
	case v.IsString():
		writeJSON(b, v.StringValue())
	case v.IsNumber():
		writeJSON(b, v.NumberValue())
	case v.IsBool():
		writeJSON(b, v.BoolValue())
	default:
		writeJSON(b, v.Mappable())
	}
}

// writeJSON writes v as JSON, leaving < > & as they are: the comment
// escapes them (md), and \u003c would hide what a value holds.
func writeJSON(b *strings.Builder, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		fmt.Fprint(b, v)
		return
	}
	b.Write(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
}
