package azurestandin

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/fhir-dr/fhir-dr/azure/cosmosdb"
	"github.com/fhir-dr/fhir-dr/internal/armrules"
	"github.com/fhir-dr/fhir-dr/internal/azureschema"
)

// Failure is one reason Check refuses a resource's inputs.
type Failure struct {
	// Path is the input path, e.g. "locations[1].failoverPriority".
	Path string
	// Reason says what is wrong.
	Reason string
}

// CheckInputs returns every reason the inputs of a resource of type token
// would be rejected: inputs the schema does not have, required inputs that
// are missing, values of the wrong shape, enum values Azure does not accept,
// and for a Cosmos DB account the rules of armrules.CheckDatabaseAccount
// (olds are the inputs of the deployed account, nil on create). Values that
// are not yet known are accepted: they are checked again when known.
func CheckInputs(facts *azureschema.Facts, token string, olds, news resource.PropertyMap) []Failure {
	res, ok := facts.Resources[token]
	if !ok {
		return []Failure{{Path: "", Reason: fmt.Sprintf(
			"the stand-in has no schema facts for %s; add its token to azure/azuregen.txt and run make generate before declaring it", token)}}
	}
	c := checker{facts: facts}
	c.object("", news, res.Object)
	if token == cosmosdb.DatabaseAccountToken {
		for _, v := range armrules.CheckDatabaseAccount(olds, news) {
			c.fail(v.Path, "%s", v.Message)
		}
	}
	return c.failures
}

type checker struct {
	facts    *azureschema.Facts
	failures []Failure
}

func (c *checker) fail(path, format string, args ...any) {
	c.failures = append(c.failures, Failure{Path: path, Reason: fmt.Sprintf(format, args...)})
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// plain unwraps secrets: Azure sees the value.
func plain(v resource.PropertyValue) resource.PropertyValue {
	for v.IsSecret() {
		v = v.SecretValue().Element
	}
	return v
}

func (c *checker) object(path string, m resource.PropertyMap, shape azureschema.Object) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, string(k))
	}
	sort.Strings(keys)
	for _, k := range keys {
		if strings.HasPrefix(k, "__") {
			continue // engine bookkeeping, never sent to Azure
		}
		expr, ok := shape.Inputs[k]
		if !ok {
			c.fail(join(path, k), "unknown input %q%s", k, suggest(k, shape.Inputs))
			continue
		}
		t, err := azureschema.ParseType(expr)
		if err != nil {
			c.fail(join(path, k), "%v", err)
			continue
		}
		c.value(join(path, k), m[resource.PropertyKey(k)], t)
	}
	for _, req := range shape.Required {
		if v := plain(m[resource.PropertyKey(req)]); v.IsNull() && !v.IsComputed() {
			c.fail(join(path, req), "missing required input %q", req)
		}
	}
}

func (c *checker) value(path string, v resource.PropertyValue, t azureschema.Type) {
	v = plain(v)
	if v.IsNull() || v.ContainsUnknowns() && !v.IsArray() && !v.IsObject() {
		return
	}
	switch t.Kind {
	case azureschema.Scalar:
		ok := false
		switch t.Name {
		case "string":
			ok = v.IsString()
		case "boolean":
			ok = v.IsBool()
		case "number":
			ok = v.IsNumber()
		case "integer":
			ok = v.IsNumber() && v.NumberValue() == math.Trunc(v.NumberValue())
		case "any":
			ok = true
		}
		if !ok {
			c.fail(path, "expected %s, got %s", t.Name, describe(v))
		}
	case azureschema.EnumRef:
		enum, known := c.facts.Enums[t.Name]
		switch {
		case !v.IsString():
			c.fail(path, "expected a %s value, got %s", t.Name, describe(v))
		case !known:
			c.fail(path, "the stand-in has no values for enum %s", t.Name)
		case !slices.Contains(enum.Values, v.StringValue()):
			c.fail(path, "%q is not a %s value; allowed: %s", v.StringValue(), t.Name, strings.Join(enum.Values, ", "))
		}
	case azureschema.Array:
		if !v.IsArray() {
			c.fail(path, "expected a list, got %s", describe(v))
			return
		}
		for i, e := range v.ArrayValue() {
			c.value(fmt.Sprintf("%s[%d]", path, i), e, *t.Elem)
		}
	case azureschema.Map:
		if !v.IsObject() {
			c.fail(path, "expected a map, got %s", describe(v))
			return
		}
		m := v.ObjectValue()
		for _, k := range m.StableKeys() {
			c.value(join(path, string(k)), m[k], *t.Elem)
		}
	case azureschema.ObjectRef:
		if !v.IsObject() {
			c.fail(path, "expected a %s object, got %s", t.Name, describe(v))
			return
		}
		shape, known := c.facts.Types[t.Name]
		if !known {
			c.fail(path, "the stand-in has no schema facts for type %s; the facts are incomplete: run make generate", t.Name)
			return
		}
		c.object(path, v.ObjectValue(), shape)
	case azureschema.Union:
		if !v.IsObject() {
			c.fail(path, "expected one of %s, got %s", strings.Join(t.Members, ", "), describe(v))
			return
		}
		m := v.ObjectValue()
		for _, member := range t.Members {
			shape := c.facts.Types[member]
			if matchesDiscriminator(m, shape.Discriminator) {
				c.object(path, m, shape)
				return
			}
		}
		c.fail(path, "the discriminator does not select any of %s", strings.Join(t.Members, ", "))
	}
}

func matchesDiscriminator(m resource.PropertyMap, d map[string]string) bool {
	if len(d) == 0 {
		return false
	}
	for field, want := range d {
		if v := plain(m[resource.PropertyKey(field)]); !v.IsString() || v.StringValue() != want {
			return false
		}
	}
	return true
}

func describe(v resource.PropertyValue) string {
	switch {
	case v.IsString():
		return fmt.Sprintf("string %q", v.StringValue())
	case v.IsNumber():
		return fmt.Sprintf("number %v", v.NumberValue())
	case v.IsBool():
		return fmt.Sprintf("boolean %v", v.BoolValue())
	case v.IsArray():
		return "a list"
	case v.IsObject():
		return "an object"
	}
	return v.TypeString()
}

// suggest returns a did-you-mean hint: the input that differs only in case,
// as Azure's own names often do from a guess ("publicIPAddressName").
func suggest(k string, inputs map[string]string) string {
	for name := range inputs {
		if strings.EqualFold(name, k) {
			return fmt.Sprintf(" (did you mean %q?)", name)
		}
	}
	return ""
}
