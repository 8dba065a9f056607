package kubestandin

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// Failure is one reason Check refuses a manifest.
type Failure struct {
	// Path is the field, e.g. "spec.selector".
	Path string
	// Reason says what is wrong.
	Reason string
}

// dnsLabel is a Kubernetes object name (RFC 1123 label).
var dnsLabel = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)

// CheckManifest returns every reason the API server (or the provider)
// would refuse the manifest of an object of type token. Values not yet
// known are accepted.
func CheckManifest(token string, m resource.PropertyMap) []Failure {
	kind, ok := Kinds[token]
	if !ok {
		return []Failure{{"", fmt.Sprintf("%s is not a kind the stand-in knows; add it to kubestandin.Kinds with its rules", token)}}
	}
	var fs []Failure
	fail := func(path, format string, args ...any) { fs = append(fs, Failure{path, fmt.Sprintf(format, args...)}) }
	for field, want := range map[string]string{"apiVersion": kind.APIVersion, "kind": kind.Kind} {
		if v, _ := lookup(m, field); !v.IsString() || v.StringValue() != want {
			fail(field, "must be %q for %s, got %v", want, token, describe(v))
		}
	}
	name, _ := lookup(m, "metadata.name")
	switch {
	case name.IsComputed():
	case !name.IsString() || !dnsLabel.MatchString(name.StringValue()):
		fail("metadata.name", "must be a DNS label (lowercase letters, digits, hyphens), got %v", describe(name))
	}
	_, hasNS := lookup(m, "metadata.namespace")
	switch {
	case kind.Namespaced && !hasNS:
		fail("metadata.namespace", "required: fhir-dr names the namespace of every namespaced object, never relying on the default")
	case !kind.Namespaced && hasNS:
		fail("metadata.namespace", "%s is cluster-scoped", kind.Kind)
	}
	for _, path := range kind.Required {
		v, ok := lookup(m, path)
		if !ok || v.IsNull() || v.IsArray() && len(v.ArrayValue()) == 0 || v.IsObject() && len(v.ObjectValue()) == 0 {
			fail(path, "required")
		}
	}
	switch token {
	case "kubernetes:apps/v1:Deployment":
		fs = append(fs, checkDeployment(m)...)
	case "kubernetes:policy/v1:PodDisruptionBudget":
		_, hasMin := lookup(m, "spec.minAvailable")
		_, hasMax := lookup(m, "spec.maxUnavailable")
		if hasMin == hasMax {
			fail("spec", "set exactly one of minAvailable and maxUnavailable")
		}
	case "kubernetes:autoscaling/v2:HorizontalPodAutoscaler":
		minR, okMin := lookup(m, "spec.minReplicas")
		maxR, okMax := lookup(m, "spec.maxReplicas")
		if okMin && okMax && minR.IsNumber() && maxR.IsNumber() &&
			(minR.NumberValue() < 1 || minR.NumberValue() > maxR.NumberValue()) {
			fail("spec.minReplicas", "need 1 <= minReplicas <= maxReplicas, got %v and %v", minR.NumberValue(), maxR.NumberValue())
		}
	case "kubernetes:core/v1:Service":
		for i, p := range list(m, "spec.ports") {
			if v, _ := lookup(p.ObjectValue(), "port"); !v.IsNumber() && !v.IsComputed() {
				fail(fmt.Sprintf("spec.ports[%d].port", i), "required")
			}
		}
	}
	return fs
}

func checkDeployment(m resource.PropertyMap) []Failure {
	var fs []Failure
	fail := func(path, format string, args ...any) { fs = append(fs, Failure{path, fmt.Sprintf(format, args...)}) }
	selector, _ := lookup(m, "spec.selector.matchLabels")
	labels, _ := lookup(m, "spec.template.metadata.labels")
	if selector.IsObject() && labels.IsObject() {
		for k, v := range selector.ObjectValue() {
			if got, ok := labels.ObjectValue()[k]; !ok || !got.DeepEquals(v) {
				fail("spec.selector.matchLabels."+string(k), "the pod template's labels do not match the selector")
			}
		}
	}
	for i, c := range list(m, "spec.template.spec.containers") {
		at := fmt.Sprintf("spec.template.spec.containers[%d]", i)
		obj := c.ObjectValue()
		for _, field := range []string{"name", "image"} {
			if v, ok := obj[resource.PropertyKey(field)]; !ok || !v.IsString() && !v.IsComputed() || v.IsString() && v.StringValue() == "" {
				fail(at+"."+field, "required")
			}
		}
		ports := map[string]bool{}
		for _, p := range list(obj, "ports") {
			if n, _ := lookup(p.ObjectValue(), "name"); n.IsString() {
				if len(n.StringValue()) > 15 {
					fail(at+".ports", "port name %q is longer than 15 characters", n.StringValue())
				}
				ports[n.StringValue()] = true
			}
		}
		for _, probe := range []string{"readinessProbe", "livenessProbe", "startupProbe"} {
			port, ok := lookup(obj, probe+".httpGet.port")
			if ok && port.IsString() && !ports[port.StringValue()] {
				fail(at+"."+probe+".httpGet.port", "names port %q, which the container does not declare", port.StringValue())
			}
		}
	}
	return fs
}

// lookup follows a dotted path through objects, seeing through secrets.
func lookup(m resource.PropertyMap, path string) (resource.PropertyValue, bool) {
	v := resource.NewProperty(m)
	for _, k := range strings.Split(path, ".") {
		for v.IsSecret() {
			v = v.SecretValue().Element
		}
		if !v.IsObject() {
			return resource.PropertyValue{}, false
		}
		next, ok := v.ObjectValue()[resource.PropertyKey(k)]
		if !ok {
			return resource.PropertyValue{}, false
		}
		v = next
	}
	return v, true
}

// list returns the array at path, nil if there is none.
func list(m resource.PropertyMap, path string) []resource.PropertyValue {
	v, ok := lookup(m, path)
	if !ok || !v.IsArray() {
		return nil
	}
	var out []resource.PropertyValue
	for _, e := range v.ArrayValue() {
		if e.IsObject() {
			out = append(out, e)
		}
	}
	return out
}

func describe(v resource.PropertyValue) string {
	switch {
	case v.IsString():
		return fmt.Sprintf("%q", v.StringValue())
	case v.IsNull() || v.V == nil:
		return "nothing"
	}
	return v.TypeString()
}
