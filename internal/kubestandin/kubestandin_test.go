package kubestandin

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fhir-dr/fhir-dr/drconfig"
	"github.com/fhir-dr/fhir-dr/internal/render"
	"github.com/fhir-dr/fhir-dr/internal/standin"
	"github.com/fhir-dr/fhir-dr/internal/testfleet"
	"github.com/fhir-dr/fhir-dr/program"
)

func renderStack(t *testing.T, stack string) *render.Plan {
	t.Helper()
	values, err := drconfig.ReadStackFile(testfleet.Path(stack))
	require.NoError(t, err)
	plan, err := render.Run(stack, values, program.Deploy)
	require.NoError(t, err)
	return plan
}

// TestExampleStacksPassCheck: every Kubernetes object of every example
// stack is one the stand-in accepts, and the stand-in knows every kind
// the program declares.
func TestExampleStacksPassCheck(t *testing.T) {
	checked := 0
	for _, stack := range []string{"contoso", "fabrikam", "northwind", "tailspin"} {
		for _, r := range renderStack(t, stack).Resources {
			if !strings.HasPrefix(r.Type, PackageName+":") {
				continue
			}
			checked++
			assert.Empty(t, CheckManifest(r.Type, resource.NewPropertyMapFromMap(r.Inputs)), "%s %s", stack, r.URN)
		}
	}
	assert.Equal(t, 4*2*6, checked)
}

func deployment(t *testing.T) resource.PropertyMap {
	t.Helper()
	r, ok := renderStack(t, "contoso").Get("kubernetes:apps/v1:Deployment", "primary-fhir-deployment")
	require.True(t, ok)
	return resource.NewPropertyMapFromMap(r.Inputs)
}

func set(m resource.PropertyMap, path string, v any) {
	keys := strings.Split(path, ".")
	cur := m
	for _, k := range keys[:len(keys)-1] {
		next := cur[resource.PropertyKey(k)]
		if strings.HasSuffix(k, "]") {
			panic("use plain keys")
		}
		cur = next.ObjectValue()
	}
	if v == nil {
		delete(cur, resource.PropertyKey(keys[len(keys)-1]))
		return
	}
	cur[resource.PropertyKey(keys[len(keys)-1])] = resource.NewPropertyValue(v)
}

func TestCheckRejects(t *testing.T) {
	container := func(m resource.PropertyMap) resource.PropertyMap {
		return m["spec"].ObjectValue()["template"].ObjectValue()["spec"].ObjectValue()["containers"].ArrayValue()[0].ObjectValue()
	}
	for name, tc := range map[string]struct {
		token  string
		change func(resource.PropertyMap)
		want   []Failure
	}{
		"wrong kind": {"kubernetes:apps/v1:Deployment", func(m resource.PropertyMap) { set(m, "kind", "StatefulSet") },
			[]Failure{{"kind", `must be "Deployment" for kubernetes:apps/v1:Deployment, got "StatefulSet"`}}},
		"unknown kind": {"kubernetes:batch/v1:Job", func(resource.PropertyMap) {},
			[]Failure{{"", "kubernetes:batch/v1:Job is not a kind the stand-in knows; add it to kubestandin.Kinds with its rules"}}},
		"no namespace": {"kubernetes:apps/v1:Deployment", func(m resource.PropertyMap) { set(m, "metadata.namespace", nil) },
			[]Failure{{"metadata.namespace", "required: fhir-dr names the namespace of every namespaced object, never relying on the default"}}},
		"bad name": {"kubernetes:apps/v1:Deployment", func(m resource.PropertyMap) { set(m, "metadata.name", "FHIR_server") },
			[]Failure{{"metadata.name", `must be a DNS label (lowercase letters, digits, hyphens), got "FHIR_server"`}}},
		"selector mismatch": {"kubernetes:apps/v1:Deployment", func(m resource.PropertyMap) {
			set(m, "spec.selector.matchLabels", map[string]any{"app": "other"})
		}, []Failure{{"spec.selector.matchLabels.app", "the pod template's labels do not match the selector"}}},
		"no image, probe on an undeclared port": {"kubernetes:apps/v1:Deployment", func(m resource.PropertyMap) {
			c := container(m)
			delete(c, "image")
			c["ports"] = resource.NewPropertyValue([]any{map[string]any{"name": "http", "containerPort": 8080}})
		}, []Failure{
			{"spec.template.spec.containers[0].image", "required"},
			{"spec.template.spec.containers[0].readinessProbe.httpGet.port", `names port "https", which the container does not declare`},
			{"spec.template.spec.containers[0].livenessProbe.httpGet.port", `names port "https", which the container does not declare`},
		}},
		"no containers": {"kubernetes:apps/v1:Deployment", func(m resource.PropertyMap) {
			set(m, "spec.template.spec.containers", []any{})
		}, []Failure{{"spec.template.spec.containers", "required"}}},
	} {
		t.Run(name, func(t *testing.T) {
			m := deployment(t)
			tc.change(m)
			assert.Equal(t, tc.want, CheckManifest(tc.token, m))
		})
	}

	pdb := resource.NewPropertyMapFromMap(map[string]any{
		"apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
		"metadata": map[string]any{"name": "x", "namespace": "fhir"},
		"spec":     map[string]any{"selector": map[string]any{"matchLabels": map[string]any{"a": "b"}}, "minAvailable": 1, "maxUnavailable": 1},
	})
	assert.Equal(t, []Failure{{"spec", "set exactly one of minAvailable and maxUnavailable"}},
		CheckManifest("kubernetes:policy/v1:PodDisruptionBudget", pdb))
	hpa := resource.NewPropertyMapFromMap(map[string]any{
		"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
		"metadata": map[string]any{"name": "x", "namespace": "fhir"},
		"spec":     map[string]any{"scaleTargetRef": map[string]any{"kind": "Deployment", "name": "x"}, "minReplicas": 5, "maxReplicas": 3},
	})
	assert.Equal(t, []Failure{{"spec.minReplicas", "need 1 <= minReplicas <= maxReplicas, got 5 and 3"}},
		CheckManifest("kubernetes:autoscaling/v2:HorizontalPodAutoscaler", hpa))
	ns := resource.NewPropertyMapFromMap(map[string]any{
		"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": "fhir", "namespace": "default"},
	})
	assert.Equal(t, []Failure{{"metadata.namespace", "Namespace is cluster-scoped"}}, CheckManifest("kubernetes:core/v1:Namespace", ns))
}

func marshal(t *testing.T, m resource.PropertyMap) *pulumirpc.CheckRequest {
	t.Helper()
	s, err := standin.Marshal(m)
	require.NoError(t, err)
	return &pulumirpc.CheckRequest{News: s}
}

func TestCheckConfig(t *testing.T) {
	p := New()
	ctx := context.Background()
	r, ok := renderStack(t, "contoso").Get("pulumi:providers:kubernetes", "primary-k8s")
	require.True(t, ok)
	resp, err := p.CheckConfig(ctx, marshal(t, resource.NewPropertyMapFromMap(r.Inputs)))
	require.NoError(t, err)
	assert.Empty(t, resp.GetFailures(), "the program's kubeconfig is accepted")

	admin := "apiVersion: v1\nusers:\n- name: clusterAdmin\n  user:\n    client-certificate-data: eA==\n    client-key-data: eA==\n"
	resp, err = p.CheckConfig(ctx, marshal(t, resource.PropertyMap{"kubeconfig": resource.MakeSecret(resource.NewProperty(admin))}))
	require.NoError(t, err)
	require.Len(t, resp.GetFailures(), 1)
	assert.Contains(t, resp.GetFailures()[0].GetReason(), "static credential")

	resp, err = p.CheckConfig(ctx, marshal(t, resource.PropertyMap{}))
	require.NoError(t, err)
	require.Len(t, resp.GetFailures(), 1)
	assert.Contains(t, resp.GetFailures()[0].GetReason(), "never falls back to the ambient")

	resp, err = p.CheckConfig(ctx, marshal(t, resource.PropertyMap{"kubeconfig": resource.MakeComputed(resource.NewProperty(""))}))
	require.NoError(t, err)
	assert.Empty(t, resp.GetFailures(), "unknown in preview")
}

func TestDiff(t *testing.T) {
	p := New()
	old := deployment(t)
	diff := func(news resource.PropertyMap) *pulumirpc.DiffResponse {
		o, err := standin.Marshal(old)
		require.NoError(t, err)
		n, err := standin.Marshal(news)
		require.NoError(t, err)
		resp, err := p.Diff(context.Background(), &pulumirpc.DiffRequest{
			Type: "kubernetes:apps/v1:Deployment", Urn: "urn:pulumi:s::p::kubernetes:apps/v1:Deployment::d", OldInputs: o, News: n,
		})
		require.NoError(t, err)
		return resp
	}
	assert.Equal(t, pulumirpc.DiffResponse_DIFF_NONE, diff(deployment(t)).GetChanges())

	image := deployment(t)
	image["spec"].ObjectValue()["template"].ObjectValue()["spec"].ObjectValue()["containers"].ArrayValue()[0].ObjectValue()["image"] =
		resource.NewProperty("mcr.microsoft.com/healthcareapis/r4-fhir-server:4.0.2")
	resp := diff(image)
	assert.Equal(t, pulumirpc.DiffResponse_DIFF_SOME, resp.GetChanges())
	assert.Empty(t, resp.GetReplaces(), "a new image rolls out in place")

	renamed := deployment(t)
	set(renamed, "metadata.namespace", "fhir2")
	set(renamed, "spec.selector.matchLabels", map[string]any{"app": "x"})
	resp = diff(renamed)
	assert.Equal(t, []string{"metadata", "spec"}, resp.GetReplaces())
	assert.True(t, resp.GetDeleteBeforeReplace())
}

// TestVersionIsTheSDKs: the stand-in reports the plugin version the
// kubernetes SDK in go.mod asks the engine for.
func TestVersionIsTheSDKs(t *testing.T) {
	gomod, err := os.ReadFile(filepath.Join("..", "..", "go.mod"))
	require.NoError(t, err)
	assert.Contains(t, string(gomod), "github.com/pulumi/pulumi-kubernetes/sdk/v4 v"+Version+"\n")
	r, ok := renderStack(t, "contoso").Get("kubernetes:apps/v1:Deployment", "primary-fhir-deployment")
	require.True(t, ok)
	assert.Equal(t, Version, r.Version)
}
