package rules

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/stretchr/testify/assert"
)

// Every kind of object that declares pods is judged, at its own pod spec
// path; values not yet known are not.
func TestPodSpecOfEveryWorkload(t *testing.T) {
	privileged := map[string]any{"containers": []any{map[string]any{"name": "c", "securityContext": map[string]any{
		"privileged": true, "allowPrivilegeEscalation": false, "runAsNonRoot": true,
		"capabilities": map[string]any{"drop": []any{"ALL"}}, "seccompProfile": map[string]any{"type": "RuntimeDefault"},
	}}}}
	for token, inputs := range map[string]map[string]any{
		"kubernetes:core/v1:Pod":             {"spec": privileged},
		"kubernetes:batch/v1:Job":            {"spec": map[string]any{"template": map[string]any{"spec": privileged}}},
		"kubernetes:batch/v1:CronJob":        {"spec": map[string]any{"jobTemplate": map[string]any{"spec": map[string]any{"template": map[string]any{"spec": privileged}}}}},
		"kubernetes:apps/v1:DaemonSet":       {"spec": map[string]any{"template": map[string]any{"spec": privileged}}},
		"kubernetes:apps/v1:StatefulSet":     {"spec": map[string]any{"template": map[string]any{"spec": privileged}}},
		"kubernetes:core/v1:PodTemplate":     {"template": map[string]any{"spec": privileged}},
		"kubernetes:apps/v1beta2:ReplicaSet": {"spec": map[string]any{"template": map[string]any{"spec": privileged}}},
	} {
		r := Resource{Type: token, Name: "w", Inputs: resource.NewPropertyMapFromMap(inputs)}
		assert.Equal(t, []string{token + ` "w": container "c" runs privileged; remove securityContext.privileged`}, checkPod(nil, r), token)
	}

	computed := resource.MakeComputed(resource.NewStringProperty(""))
	pending := Resource{Type: "kubernetes:core/v1:Pod", Name: "p", Inputs: resource.PropertyMap{
		"spec": resource.NewProperty(resource.PropertyMap{
			"securityContext": computed,
			"containers": resource.NewProperty([]resource.PropertyValue{
				resource.NewProperty(resource.PropertyMap{"name": resource.NewProperty("a"), "securityContext": computed}),
				resource.NewProperty(resource.PropertyMap{"name": resource.NewProperty("b"), "securityContext": resource.NewProperty(resource.PropertyMap{
					"allowPrivilegeEscalation": resource.NewProperty(false),
					"capabilities":             computed,
				})}),
			}),
		}),
	}}
	assert.Empty(t, checkPod(nil, pending), "nothing is judged before it is known")

	assert.Empty(t, checkPod(nil, Resource{Type: "kubernetes:core/v1:Service", Inputs: resource.PropertyMap{}}))
	assert.Empty(t, checkNamespace(nil, Resource{Type: namespaceType, Inputs: resource.PropertyMap{
		"metadata": resource.NewProperty(resource.PropertyMap{"labels": computed}),
	}}))
}
