package rules

import (
	"math"
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

// deepCopy copies m with every object and list in it, so that deleting
// and setting paths in the copy leaves m (the stack's inputs, which every
// rule reads, and the render's) as declared.
func deepCopy(m resource.PropertyMap) resource.PropertyMap {
	out := make(resource.PropertyMap, len(m))
	for k, v := range m {
		out[k] = deepCopyValue(v)
	}
	return out
}

func deepCopyValue(v resource.PropertyValue) resource.PropertyValue {
	switch {
	case v.IsObject():
		return resource.NewProperty(deepCopy(v.ObjectValue()))
	case v.IsArray():
		a := make([]resource.PropertyValue, len(v.ArrayValue()))
		for i, e := range v.ArrayValue() {
			a[i] = deepCopyValue(e)
		}
		return resource.NewProperty(a)
	case v.IsSecret():
		return resource.MakeSecret(deepCopyValue(v.SecretValue().Element))
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
