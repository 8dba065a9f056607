package rules

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/fhir-dr/fhir-dr/azure/regions"
	"github.com/fhir-dr/fhir-dr/drconfig"
	"github.com/fhir-dr/fhir-dr/internal/iprange"
	"github.com/fhir-dr/fhir-dr/naming"
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
		Description: "Every AKS cluster uses Microsoft Entra ID with Azure RBAC and Kubernetes RBAC, has local accounts off, and its API server is private or limited to authorized CIDR ranges, each canonical and no wider than a /8 (IPv6 /32), that together do not admit the whole internet.",
		Level:       Mandatory, Scope: ResourceScope,
		resource: checkHardened,
	},
	{
		Name:        "aks-network-policy",
		Description: "Every AKS cluster enforces Kubernetes network policies (networkProfile.networkPolicy azure, calico or cilium).",
		Level:       Mandatory, Scope: ResourceScope,
		resource: checkNetworkPolicy,
	},
	{
		Name:        "aks-workload-identity",
		Description: "Every AKS cluster has its OIDC issuer and workload identity on, so pods reach Azure with Entra ID tokens, never keys.",
		Level:       Mandatory, Scope: ResourceScope,
		resource: checkWorkloadIdentity,
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
	out = append(out, wantTrue(r, "aadProfile.managed", "use Microsoft Entra ID integration")...)
	out = append(out, wantTrue(r, "aadProfile.enableAzureRBAC", "authorize with Azure RBAC")...)
	out = append(out, wantTrue(r, "enableRBAC", "Kubernetes RBAC must be on; without it every authenticated identity is cluster admin")...)
	out = append(out, wantTrue(r, "disableLocalAccounts", "turn local accounts off so every access is audited")...)
	if private, _ := boolean(r.Inputs, "apiServerAccessProfile.enablePrivateCluster"); !private && !unknown(r.Inputs, "apiServerAccessProfile") {
		out = append(out, checkAuthorizedRanges(r)...)
	}
	return out
}

// checkAuthorizedRanges refuses a public API server whose authorized
// ranges admit the whole internet or a large part of it: none at all, any
// range iprange.Parse refuses (the rule drconfig holds the stack file's
// ranges to: a canonical CIDR range as written, no wider than a /8 or an
// IPv6 /32), and ranges whose union is every IPv4 or IPv6 address
// (0.0.0.0/1 with 128.0.0.0/1 as much as 0.0.0.0/0).
func checkAuthorizedRanges(r Resource) []string {
	const fix = "set compute.apiServer.private: true or compute.apiServer.authorizedIPRanges to the operators' ranges"
	ranges, _ := arr(r.Inputs, "apiServerAccessProfile.authorizedIPRanges")
	if len(ranges) == 0 {
		return []string{describe(r) + " has its API server open to the internet; " + fix}
	}
	var out []string
	var prefixes []netip.Prefix
	for i, v := range ranges {
		at := fmt.Sprintf("%s: apiServerAccessProfile.authorizedIPRanges[%d]", describe(r), i)
		switch {
		case v.ContainsUnknowns():
		case !v.IsString():
			out = append(out, fmt.Sprintf("%s: must be a CIDR range such as 203.0.113.0/24, got %v", at, v.V))
		default:
			if _, err := iprange.Parse(v.StringValue()); err != nil {
				out = append(out, fmt.Sprintf("%s: %v", at, err))
			}
			// The union counts every range that is a range at all, too
			// wide or not.
			if p, ok := iprange.Read(v.StringValue(), false); ok {
				prefixes = append(prefixes, p)
			}
		}
	}
	if all, ok := iprange.CoversInternet(prefixes); ok {
		out = append(out, fmt.Sprintf("%s has its API server open to the internet: its authorized IP ranges together admit %s; %s",
			describe(r), all, fix))
	}
	return out
}

// wantTrue returns a diagnostic unless the boolean at path is true or not
// yet known.
func wantTrue(r Resource, path, fix string) []string {
	if v, ok := boolean(r.Inputs, path); ok && v || unknown(r.Inputs, path) {
		return nil
	}
	return []string{fmt.Sprintf("%s: %s is not true; %s", describe(r), path, fix)}
}

func checkNetworkPolicy(_ *env, r Resource) []string {
	const path = "networkProfile.networkPolicy"
	if r.Type != clusterType || unknown(r.Inputs, path) {
		return nil
	}
	got := "not set"
	if v, ok := str(r.Inputs, path); ok {
		if slices.Contains(AKSNetworkPolicies, v) {
			return nil
		}
		got = fmt.Sprintf("%q", v)
	}
	return []string{fmt.Sprintf("%s: %s is %s, so every pod can reach every other; set it to %s",
		describe(r), path, got, strings.Join(AKSNetworkPolicies, ", "))}
}

func checkWorkloadIdentity(_ *env, r Resource) []string {
	if r.Type != clusterType {
		return nil
	}
	return append(
		wantTrue(r, "oidcIssuerProfile.enabled", "the workload identity's federated credentials trust the cluster's OIDC issuer"),
		wantTrue(r, "securityProfile.workloadIdentity.enabled", "pods reach Azure with workload identity, never with keys")...)
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
	spec := resource.NewProperty(m)
	for _, path := range regionSpecific {
		if before, after, ok := strings.Cut(path, "[*]."); ok {
			list, _ := arr(spec.ObjectValue(), before)
			for i := range list {
				if p, err := parsePath(fmt.Sprintf("%s[%d].%s", before, i, after)); err == nil {
					spec = edit(spec, p, remove)
				}
			}
			continue
		}
		if p, err := parsePath(path); err == nil {
			spec = edit(spec, p, remove)
		}
	}
	return spec.ObjectValue()
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
