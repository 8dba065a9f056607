package rules

import (
	"fmt"
	"slices"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

const namespaceType = "kubernetes:core/v1:Namespace"

var kubernetesRules = []Rule{{
	Name: "k8s-pod-unprivileged",
	Description: "Every pod the program declares (the FHIR server's included) runs unprivileged, as the restricted Pod Security " +
		"Standard asks: no privileged containers, no privilege escalation, non-root (runAsNonRoot, never runAsUser 0), " +
		"all capabilities dropped and none added but NET_BIND_SERVICE, a RuntimeDefault or Localhost seccomp profile, " +
		"and no host network, PID, IPC or hostPath volumes.",
	Level: Mandatory, Scope: ResourceScope,
	resource: checkPod,
}, {
	Name:        "k8s-namespace-pod-security",
	Description: "Every Kubernetes namespace the program declares enforces the restricted or baseline Pod Security Standard (label pod-security.kubernetes.io/enforce).",
	Level:       Mandatory, Scope: ResourceScope,
	resource: checkNamespace,
}}

// podSpecPath returns the path of the pod spec in a Kubernetes object of
// the given type token, false for objects that declare no pods.
func podSpecPath(token string) (string, bool) {
	if !strings.HasPrefix(token, "kubernetes:") {
		return "", false
	}
	switch token[strings.LastIndex(token, ":")+1:] {
	case "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "PodTemplate":
		return "spec.template.spec", true
	case "CronJob":
		return "spec.jobTemplate.spec.template.spec", true
	case "Pod":
		return "spec", true
	}
	return "", false
}

func checkPod(_ *env, r Resource) []string {
	path, ok := podSpecPath(r.Type)
	if !ok {
		return nil
	}
	if r.Type == "kubernetes:core/v1:PodTemplate" {
		path = "template.spec"
	}
	pod, ok := obj(r.Inputs, path)
	if !ok {
		return nil
	}
	var out []string
	for _, host := range []struct{ field, shares string }{{"hostNetwork", "network"}, {"hostPID", "process IDs"}, {"hostIPC", "IPC"}} {
		if v, ok := boolean(pod, host.field); ok && v {
			out = append(out, fmt.Sprintf("%s: its pods share the node's %s (%s); remove it", describe(r), host.shares, host.field))
		}
	}
	volumes, _ := arr(pod, "volumes")
	for _, v := range volumes {
		if !v.IsObject() {
			continue
		}
		if _, ok := v.ObjectValue()["hostPath"]; ok {
			name, _ := str(v.ObjectValue(), "name")
			out = append(out, fmt.Sprintf("%s: volume %q mounts the node's filesystem (hostPath); use a secret, configMap or emptyDir volume",
				describe(r), name))
		}
	}
	podSC, _ := obj(pod, "securityContext")
	podKnown := !unknown(pod, "securityContext")
	for _, list := range []string{"initContainers", "containers", "ephemeralContainers"} {
		containers, _ := arr(pod, list)
		for _, c := range containers {
			if c.IsObject() && !unknown(c.ObjectValue(), "securityContext") {
				out = append(out, checkContainer(r, c.ObjectValue(), podSC, podKnown)...)
			}
		}
	}
	return out
}

// checkContainer checks one container's security context, the pod's
// (podSC, known when podKnown) filling in what the container does not set.
func checkContainer(r Resource, c, podSC resource.PropertyMap, podKnown bool) []string {
	name, _ := str(c, "name")
	sc, _ := obj(c, "securityContext")
	at := fmt.Sprintf("%s: container %q", describe(r), name)
	// effective is the container's setting, else the pod's; known is
	// false when it is not yet known.
	effective := func(path string) (v resource.PropertyValue, set, known bool) {
		if unknown(sc, path) {
			return resource.PropertyValue{}, false, false
		}
		if v, ok := get(sc, path); ok {
			return v, true, true
		}
		if !podKnown || unknown(podSC, path) {
			return resource.PropertyValue{}, false, false
		}
		v, ok := get(podSC, path)
		return v, ok, true
	}
	var out []string
	if v, ok := boolean(sc, "privileged"); ok && v {
		out = append(out, at+" runs privileged; remove securityContext.privileged")
	}
	if v, ok := boolean(sc, "allowPrivilegeEscalation"); !(ok && !v) && !unknown(sc, "allowPrivilegeEscalation") {
		out = append(out, at+" may escalate its privileges; set securityContext.allowPrivilegeEscalation: false")
	}
	if v, set, known := effective("runAsNonRoot"); known && !(set && v.IsBool() && v.BoolValue()) {
		out = append(out, at+" may run as root; set securityContext.runAsNonRoot: true with the image's non-root runAsUser")
	}
	if v, set, known := effective("runAsUser"); known && set && v.IsNumber() && v.NumberValue() == 0 {
		out = append(out, at+" runs as root (runAsUser 0); run as the image's non-root user")
	}
	added, _ := arr(sc, "capabilities.add")
	for _, capability := range added {
		if capability.IsString() && slices.Contains(AllowedAddedCapabilities, strings.TrimPrefix(capability.StringValue(), "CAP_")) {
			continue
		}
		text := capability.String()
		if capability.IsString() {
			text = fmt.Sprintf("%q", capability.StringValue())
		}
		out = append(out, fmt.Sprintf("%s adds the capability %s; add none (%s at most)", at, text,
			strings.Join(AllowedAddedCapabilities, ", ")))
	}
	if !unknown(sc, "capabilities") && !unknown(sc, "capabilities.drop") {
		dropped, _ := arr(sc, "capabilities.drop")
		if !slices.ContainsFunc(dropped, func(v resource.PropertyValue) bool { return v.IsString() && v.StringValue() == "ALL" }) {
			out = append(out, at+" keeps the default capabilities; set securityContext.capabilities.drop: [ALL]")
		}
	}
	if v, set, known := effective("seccompProfile.type"); known &&
		!(set && v.IsString() && slices.Contains(SeccompProfiles, v.StringValue())) {
		out = append(out, fmt.Sprintf("%s runs without a seccomp profile; set securityContext.seccompProfile.type: %s", at, SeccompProfiles[0]))
	}
	return out
}

func checkNamespace(_ *env, r Resource) []string {
	path := fmt.Sprintf("metadata.labels[%q]", PodSecurityEnforceLabel)
	if r.Type != namespaceType || unknown(r.Inputs, path) || unknown(r.Inputs, "metadata.labels") {
		return nil
	}
	level, ok := str(r.Inputs, path)
	switch {
	case !ok:
		return []string{fmt.Sprintf("%s enforces no Pod Security Standard, so it admits privileged pods; label it %s: %s",
			describe(r), PodSecurityEnforceLabel, PodSecurityLevels[0])}
	case !slices.Contains(PodSecurityLevels, level):
		return []string{fmt.Sprintf("%s enforces the %q Pod Security Standard, which admits privileged pods; label it %s: %s (or %s)",
			describe(r), level, PodSecurityEnforceLabel, PodSecurityLevels[0], PodSecurityLevels[1])}
	}
	return nil
}
