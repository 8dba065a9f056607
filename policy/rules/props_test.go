package rules

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEdit(t *testing.T) {
	inputs := func() resource.PropertyMap {
		return resource.NewPropertyMapFromMap(map[string]any{
			"location": "eastus",
			"tags":     map[string]any{"role": "primary", "owner": "fhir"},
			"pools": []any{
				map[string]any{"subnet": "a", "count": 3},
				map[string]any{"subnet": "b", "count": 3},
			},
		})
	}
	declared := inputs()
	path := func(s string) resource.PropertyPath {
		p, err := resource.ParsePropertyPath(s)
		require.NoError(t, err)
		return p
	}
	v := resource.NewProperty(declared)
	v = edit(v, path("location"), remove)
	v = edit(v, path("tags.role"), remove)
	v = edit(v, path("pools[1].subnet"), remove)
	v = edit(v, path("pools[0]"), remove)
	v = edit(v, path("tags.owner"), func(old resource.PropertyValue) (resource.PropertyValue, bool) {
		return resource.NewProperty(old.StringValue() + "-team"), true
	})
	assert.Equal(t, map[string]any{
		"tags":  map[string]any{"owner": "fhir-team"},
		"pools": []any{nil, map[string]any{"count": float64(3)}},
	}, v.ObjectValue().Mappable())
	assert.True(t, inputs().DeepEquals(declared), "the declared inputs are left as they were")

	// Where the path does not lead, nothing is copied or changed.
	for _, p := range []string{"missing.key", "pools[2].subnet", "location.nested", "tags[0]", "pools.subnet"} {
		got := edit(resource.NewProperty(declared), path(p), remove)
		assert.True(t, got.DeepEquals(resource.NewProperty(declared)), p)
	}
	// Off the path, values are shared, not copied.
	got := edit(resource.NewProperty(declared), path("pools[0].subnet"), remove)
	assert.Equal(t, declared["tags"].ObjectValue(), got.ObjectValue()["tags"].ObjectValue())
	declared["tags"].ObjectValue()["shared"] = resource.NewProperty(true)
	assert.Contains(t, got.ObjectValue()["tags"].ObjectValue(), resource.PropertyKey("shared"))
}
