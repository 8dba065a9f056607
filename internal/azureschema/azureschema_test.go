package azureschema

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEveryTypeExpressionParses(t *testing.T) {
	f, err := Load()
	require.NoError(t, err)
	require.Len(t, f.Resources, 29, "the resources of azure/azuregen.txt")
	objects := map[string]Object{}
	for token, r := range f.Resources {
		assert.Equal(t, token, r.Token)
		assert.NotEmpty(t, r.APIVersion, token)
		objects[token] = r.Object
	}
	for name, o := range f.Types {
		objects[name] = o
	}
	for owner, o := range objects {
		for input, expr := range o.Inputs {
			_, err := ParseType(expr)
			assert.NoError(t, err, "%s.%s", owner, input)
		}
	}
}

func TestParseType(t *testing.T) {
	for expr, want := range map[string]Type{
		"string":                                 {Kind: Scalar, Name: "string"},
		"array<cosmosdb:Location>":               {Kind: Array, Elem: &Type{Kind: ObjectRef, Name: "cosmosdb:Location"}},
		"map<string>":                            {Kind: Map, Elem: &Type{Kind: Scalar, Name: "string"}},
		"enum<cosmosdb:DefaultConsistencyLevel>": {Kind: EnumRef, Name: "cosmosdb:DefaultConsistencyLevel"},
		`union<cosmosdb:A|cosmosdb:B> (discriminator field "type": "A" | "B")`: {Kind: Union, Members: []string{"cosmosdb:A", "cosmosdb:B"}},
		"array<array<string>>": {Kind: Array, Elem: &Type{Kind: Array, Elem: &Type{Kind: Scalar, Name: "string"}}},
	} {
		got, err := ParseType(expr)
		require.NoError(t, err, expr)
		assert.Equal(t, want, got, expr)
	}
	for _, bad := range []string{"", "strin", "array<", "union<>x", "a b:c"} {
		_, err := ParseType(bad)
		assert.Error(t, err, bad)
	}
}
