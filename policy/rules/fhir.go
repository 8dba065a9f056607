package rules

import (
	"fmt"
	"github.com/fhir-dr/fhir-dr/naming"
	"maps"
	"slices"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// fhirStampSpecific are the paths of the FHIR service's Kubernetes objects
// that legitimately differ between the stamps, by type: the preferred
// Cosmos DB regions, the stamp's own ingress IP and its group, and the
// autoscaler's floor (the replica count).
var fhirStampSpecific = map[string][]string{
	"kubernetes:core/v1:Service": {
		`metadata.annotations["service.beta.kubernetes.io/azure-load-balancer-resource-group"]`,
		`metadata.annotations["service.beta.kubernetes.io/azure-pip-name"]`,
	},
	hpaType: {"spec.minReplicas"},
}

// preferredLocationsEnv prefixes the environment variables that name the
// preferred Cosmos DB regions.
const preferredLocationsEnv = "CosmosDb__PreferredLocations__"

var fhirRules = []Rule{{
	Name: "fhir-mirrored",
	Description: "The primary and the standby FHIR service run the same settings: every Kubernetes object is identical in both " +
		"stamps except the preferred Cosmos DB regions, the stamp's own ingress IP and group, and the autoscaler's floor.",
	Level: Mandatory, Scope: StackScope,
	stack: checkFHIRMirror,
}, {
	Name: "fhir-no-keys",
	Description: "The FHIR server reaches Cosmos DB with its workload identity, never with an account key: its pods use " +
		"workload identity and it is given no key.",
	Level: Mandatory, Scope: ResourceScope,
	resource: checkNoKeys,
}}

// checkNoKeys refuses a FHIR server Deployment that could use an account
// key: the account has keys disabled, and a key in a manifest is a secret
// in the state and in the cluster.
func checkNoKeys(_ *env, r Resource) []string {
	if r.Type != "kubernetes:apps/v1:Deployment" {
		return nil
	}
	var out []string
	if use, _ := str(r.Inputs, `spec.template.metadata.labels["azure.workload.identity/use"]`); use != "true" {
		out = append(out, fmt.Sprintf(`%s: its pods do not use workload identity; label them azure.workload.identity/use: "true"`, describe(r)))
	}
	containers, _ := arr(r.Inputs, "spec.template.spec.containers")
	for _, c := range containers {
		if !c.IsObject() {
			continue
		}
		env, _ := arr(c.ObjectValue(), "env")
		managedIdentity := false
		for _, v := range env {
			if !v.IsObject() {
				continue
			}
			name, _ := str(v.ObjectValue(), "name")
			value, _ := str(v.ObjectValue(), "value")
			switch {
			case strings.EqualFold(name, "CosmosDb__Key") || strings.Contains(strings.ToLower(value), "accountkey="):
				out = append(out, fmt.Sprintf("%s: %s gives the server a Cosmos DB key; remove it, the workload identity is the only credential", describe(r), name))
			case name == "CosmosDb__UseManagedIdentity":
				managedIdentity = value == "true"
			}
		}
		if !managedIdentity {
			out = append(out, fmt.Sprintf("%s: set CosmosDb__UseManagedIdentity=true so the server uses its workload identity", describe(r)))
		}
	}
	return out
}

func checkFHIRMirror(e *env, s Stack) []finding {
	if !e.full {
		return nil
	}
	objects := map[naming.Role]map[string]Resource{naming.RolePrimary: {}, naming.RoleSecondary: {}}
	deployments := map[naming.Role]bool{}
	for _, r := range s.Resources {
		role, rest, ok := naming.StampRole(r.Name)
		if !ok || !strings.HasPrefix(r.Type, "kubernetes:") {
			continue
		}
		objects[role][r.Type+" "+rest] = r
		deployments[role] = deployments[role] || r.Type == "kubernetes:apps/v1:Deployment"
	}
	var out []finding
	for _, role := range []naming.Role{naming.RolePrimary, naming.RoleSecondary} {
		if !deployments[role] {
			out = append(out, finding{"", fmt.Sprintf("the %s stamp runs no FHIR server Deployment; both stamps run the FHIR service", role)})
		}
	}
	if len(out) > 0 {
		return out
	}
	for _, key := range slices.Sorted(maps.Keys(objects[naming.RolePrimary])) {
		p := objects[naming.RolePrimary][key]
		sb, ok := objects[naming.RoleSecondary][key]
		if !ok {
			out = append(out, finding{p.URN, fmt.Sprintf("%s has no counterpart in the standby stamp", describe(p))})
			continue
		}
		diffs := differingPaths("", resource.NewProperty(fhirSpecOf(p)), resource.NewProperty(fhirSpecOf(sb)))
		if len(diffs) > 0 {
			out = append(out, finding{sb.URN, fmt.Sprintf("%s differs from the primary's in %s; both stamps run the FHIR service "+
				"from one spec (fhir.*), so change the spec rather than one stamp", describe(sb), strings.Join(diffs, ", "))})
		}
	}
	for _, key := range slices.Sorted(maps.Keys(objects[naming.RoleSecondary])) {
		if _, ok := objects[naming.RolePrimary][key]; !ok {
			r := objects[naming.RoleSecondary][key]
			out = append(out, finding{r.URN, fmt.Sprintf("%s has no counterpart in the primary stamp", describe(r))})
		}
	}
	return out
}

// fhirSpecOf returns an object's inputs without its stamp-specific values.
func fhirSpecOf(r Resource) resource.PropertyMap {
	spec := resource.NewProperty(r.Inputs)
	for _, path := range fhirStampSpecific[r.Type] {
		if p, err := parsePath(path); err == nil {
			spec = edit(spec, p, remove)
		}
	}
	if r.Type != "kubernetes:apps/v1:Deployment" {
		return spec.ObjectValue()
	}
	containers, _ := arr(spec.ObjectValue(), "spec.template.spec.containers")
	for i, c := range containers {
		if !c.IsObject() {
			continue
		}
		// Keyed by variable, so that a difference names the setting.
		env, _ := arr(c.ObjectValue(), "env")
		byName := resource.PropertyMap{}
		for _, v := range env {
			if !v.IsObject() {
				continue
			}
			name, _ := str(v.ObjectValue(), "name")
			if strings.HasPrefix(name, preferredLocationsEnv) {
				continue
			}
			byName[resource.PropertyKey(name)] = v.ObjectValue()["value"]
		}
		if p, err := parsePath(fmt.Sprintf("spec.template.spec.containers[%d].env", i)); err == nil {
			spec = edit(spec, p, func(resource.PropertyValue) (resource.PropertyValue, bool) {
				return resource.NewProperty(byName), true
			})
		}
	}
	return spec.ObjectValue()
}
