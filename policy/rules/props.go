package rules

import (
	"maps"
	"math"
	"slices"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// The getters below read a value at a property path ("a.b[0].c"). They
// report ok=false when the value is absent, of another kind, or not yet
// known (a preview): rules do not judge what they cannot see.

// paths caches parsed property paths: the rules read the same few paths
// of every resource of every stack.
var paths sync.Map // string -> resource.PropertyPath

func parsePath(path string) (resource.PropertyPath, error) {
	if p, ok := paths.Load(path); ok {
		return p.(resource.PropertyPath), nil
	}
	p, err := resource.ParsePropertyPath(path)
	if err != nil {
		return nil, err
	}
	paths.Store(path, p)
	return p, nil
}

func get(m resource.PropertyMap, path string) (resource.PropertyValue, bool) {
	p, err := parsePath(path)
	if err != nil {
		return resource.PropertyValue{}, false
	}
	v, ok := p.Get(resource.NewProperty(m))
	for ok && v.IsSecret() {
		v = v.SecretValue().Element
	}
	if !ok || v.IsNull() || !v.IsArray() && !v.IsObject() && v.ContainsUnknowns() {
		return resource.PropertyValue{}, false
	}
	return v, true
}

func str(m resource.PropertyMap, path string) (string, bool) {
	v, ok := get(m, path)
	if !ok || !v.IsString() {
		return "", false
	}
	return v.StringValue(), true
}

func boolean(m resource.PropertyMap, path string) (value, ok bool) {
	v, ok := get(m, path)
	if !ok || !v.IsBool() {
		return false, false
	}
	return v.BoolValue(), true
}

func num(m resource.PropertyMap, path string) (float64, bool) {
	v, ok := get(m, path)
	if !ok || !v.IsNumber() {
		return 0, false
	}
	return v.NumberValue(), true
}

// integer reads a number as an int, saturated to the int range (a float
// beyond it would convert to an arbitrary value) and truncated toward zero.
func integer(m resource.PropertyMap, path string) (int, bool) {
	v, ok := num(m, path)
	switch {
	case !ok || math.IsNaN(v):
		return 0, false
	case v >= math.MaxInt:
		return math.MaxInt, true
	case v <= math.MinInt:
		return math.MinInt, true
	}
	return int(v), true
}

func arr(m resource.PropertyMap, path string) ([]resource.PropertyValue, bool) {
	v, ok := get(m, path)
	if !ok || !v.IsArray() {
		return nil, false
	}
	return v.ArrayValue(), true
}

func obj(m resource.PropertyMap, path string) (resource.PropertyMap, bool) {
	v, ok := get(m, path)
	if !ok || !v.IsObject() {
		return nil, false
	}
	return v.ObjectValue(), true
}

// remove is an edit that deletes the value it is given.
func remove(resource.PropertyValue) (resource.PropertyValue, bool) {
	return resource.PropertyValue{}, false
}

// edit returns v with the value at path replaced by what f makes of it
// (keep false deletes the key; a list element becomes null, as
// PropertyPath.Delete leaves it). Only the objects and lists on the path
// are copied: v, the stack's inputs that every rule reads, stays as
// declared, and what is off the path is shared. Where path does not lead
// (a missing key or index above its last element, a value of another
// kind), v is returned as it is.
func edit(v resource.PropertyValue, path resource.PropertyPath, f func(resource.PropertyValue) (resource.PropertyValue, bool)) resource.PropertyValue {
	if len(path) == 0 {
		return v
	}
	switch {
	case v.IsArray():
		i, ok := path[0].(int)
		list := v.ArrayValue()
		if !ok || i < 0 || i >= len(list) {
			return v
		}
		out := slices.Clone(list)
		if len(path) > 1 {
			out[i] = edit(list[i], path[1:], f)
		} else if value, keep := f(list[i]); keep {
			out[i] = value
		} else {
			out[i] = resource.PropertyValue{}
		}
		return resource.NewProperty(out)
	case v.IsObject():
		k, ok := path[0].(string)
		if !ok {
			return v
		}
		m := v.ObjectValue()
		old, present := m[resource.PropertyKey(k)]
		if len(path) > 1 && !present {
			return v
		}
		out := make(resource.PropertyMap, len(m)+1)
		maps.Copy(out, m)
		if len(path) > 1 {
			out[resource.PropertyKey(k)] = edit(old, path[1:], f)
		} else if value, keep := f(old); keep {
			out[resource.PropertyKey(k)] = value
		} else {
			delete(out, resource.PropertyKey(k))
		}
		return resource.NewProperty(out)
	}
	return v
}

// unknown reports whether the value at path is not yet known.
func unknown(m resource.PropertyMap, path string) bool {
	p, err := parsePath(path)
	if err != nil {
		return false
	}
	v, ok := p.Get(resource.NewProperty(m))
	return ok && v.ContainsUnknowns()
}
