package rules

import (
	"fmt"
	"github.com/fhir-dr/fhir-dr/azure/regions"
	"github.com/fhir-dr/fhir-dr/naming"
	"slices"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/fhir-dr/fhir-dr/drconfig"
)

// regionSpecific are the ManagedCluster inputs that legitimately differ
// between the primary and the secondary cluster: names and places. Everything
// else is the one spec both are built from.
var regionSpecific = []string{
	"location", "resourceName", "resourceGroupName", "dnsPrefix", "nodeResourceGroup",
	"agentPoolProfiles[*].vnetSubnetID",
	// Zones exist in some regions only (eastus has them, westus does not).
	"agentPoolProfiles[*].availabilityZones",
	"tags." + drconfig.TagRole,
}

var aksRules = []Rule{
	{
		Name:        "aks-mirrored",
		Description: "The primary and secondary AKS clusters of a stack are built from one spec: identical except names, location, subnets and zones.",
		Level:       Mandatory, Scope: StackScope,
		stack: checkMirror,
	},
	{
		Name:        "aks-hardened",
		Description: "Every AKS cluster uses Microsoft Entra ID with Azure RBAC, has local accounts off, and its API server is private or limited to authorized IP ranges.",
		Level:       Mandatory, Scope: ResourceScope,
		resource: checkHardened,
	},
	{
		Name:        "aks-zone-redundancy",
		Description: "Advisory: node pools in a region with availability zones are spread across them.",
		Level:       Advisory, Scope: ResourceScope,
		resource: func(_ *env, r Resource) []string {
			if r.Type != clusterType {
				return nil
			}
			loc, _ := str(r.Inputs, "location")
			region, ok := regions.Lookup(loc)
			if !ok || !region.AvailabilityZones {
				return nil
			}
			var out []string
			pools, _ := arr(r.Inputs, "agentPoolProfiles")
			for _, p := range pools {
				if !p.IsObject() {
					continue
				}
				if zones, _ := arr(p.ObjectValue(), "availabilityZones"); len(zones) == 0 {
					name, _ := str(p.ObjectValue(), "name")
					out = append(out, fmt.Sprintf("%s: node pool %q is in one zone of %s, which has availability zones; "+
						"set its zones (compute.nodePools[].zones)", describe(r), name, loc))
				}
			}
			return out
		},
	},
}

func checkHardened(_ *env, r Resource) []string {
	if r.Type != clusterType {
		return nil
	}
	var out []string
	want := func(path string, fix string) {
		if v, ok := boolean(r.Inputs, path); !(ok && v) && !unknown(r.Inputs, path) {
			out = append(out, fmt.Sprintf("%s: %s is not true; %s", describe(r), path, fix))
		}
	}
	want("aadProfile.managed", "use Microsoft Entra ID integration")
	want("aadProfile.enableAzureRBAC", "authorize with Azure RBAC")
	want("disableLocalAccounts", "turn local accounts off so every access is audited")
	if private, _ := boolean(r.Inputs, "apiServerAccessProfile.enablePrivateCluster"); !private && !unknown(r.Inputs, "apiServerAccessProfile") {
		ranges, _ := arr(r.Inputs, "apiServerAccessProfile.authorizedIPRanges")
		open := len(ranges) == 0
		for _, v := range ranges {
			if v.IsString() && (v.StringValue() == "0.0.0.0/0" || v.StringValue() == "*") {
				open = true
			}
		}
		if open {
			out = append(out, describe(r)+" has its API server open to the internet; set compute.apiServer.private: true "+
				"or compute.apiServer.authorizedIPRanges to the operators' ranges")
		}
	}
	return out
}

func checkMirror(_ *env, s Stack) []finding {
	var clusters []Resource
	for _, r := range s.Resources {
		if r.Type == clusterType {
			clusters = append(clusters, r)
		}
	}
	if len(clusters) < 2 {
		return nil
	}
	byRole := map[string]Resource{}
	for _, c := range clusters {
		role, _ := str(c.Inputs, "tags."+drconfig.TagRole)
		byRole[role] = c
	}
	primary, okP := byRole[string(naming.RolePrimary)]
	secondary, okS := byRole[string(naming.RoleSecondary)]
	if !okP || !okS || len(clusters) != 2 {
		return []finding{{"", fmt.Sprintf("the stack has %d AKS clusters; a DR stack has exactly one tagged %s=primary and one %s=secondary",
			len(clusters), drconfig.TagRole, drconfig.TagRole)}}
	}
	a, b := specOf(primary.Inputs), specOf(secondary.Inputs)
	diffs := differingPaths("", resource.NewProperty(a), resource.NewProperty(b))
	if len(diffs) == 0 {
		return nil
	}
	return []finding{{secondary.URN, fmt.Sprintf("%s differs from the primary %s in %s; both clusters must come from one spec (compute.*), "+
		"so change the spec rather than one cluster", describe(secondary), describe(primary), strings.Join(diffs, ", "))}}
}

// specOf returns the inputs without the region-specific values.
func specOf(m resource.PropertyMap) resource.PropertyMap {
	spec := m.Copy()
	root := resource.NewProperty(spec)
	for _, path := range regionSpecific {
		if before, after, ok := strings.Cut(path, "[*]."); ok {
			list, _ := arr(spec, before)
			for i := range list {
				if p, err := resource.ParsePropertyPath(fmt.Sprintf("%s[%d].%s", before, i, after)); err == nil {
					p.Delete(root)
				}
			}
			continue
		}
		if p, err := resource.ParsePropertyPath(path); err == nil {
			p.Delete(root)
		}
	}
	return spec
}

// differingPaths lists the paths below prefix where a and b differ, sorted;
// values not yet known are not compared.
func differingPaths(prefix string, a, b resource.PropertyValue) []string {
	containers := a.IsObject() && b.IsObject() || a.IsArray() && b.IsArray()
	if !containers && (a.ContainsUnknowns() || b.ContainsUnknowns()) {
		return nil
	}
	switch {
	case a.IsObject() && b.IsObject():
		keys := map[resource.PropertyKey]bool{}
		for k := range a.ObjectValue() {
			keys[k] = true
		}
		for k := range b.ObjectValue() {
			keys[k] = true
		}
		var out []string
		for k := range keys {
			out = append(out, differingPaths(join(prefix, string(k)), a.ObjectValue()[k], b.ObjectValue()[k])...)
		}
		slices.Sort(out)
		return out
	case a.IsArray() && b.IsArray() && len(a.ArrayValue()) == len(b.ArrayValue()):
		var out []string
		for i := range a.ArrayValue() {
			out = append(out, differingPaths(fmt.Sprintf("%s[%d]", prefix, i), a.ArrayValue()[i], b.ArrayValue()[i])...)
		}
		return out
	case a.DeepEquals(b):
		return nil
	}
	return []string{prefix}
}

func join(prefix, key string) string {
	if prefix == "" {
		return key
	}
	return prefix + "." + key
}
