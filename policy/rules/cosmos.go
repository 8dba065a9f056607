package rules

import (
	"fmt"
	"github.com/fhir-dr/fhir-dr/internal/iprange"
	"slices"
	"strings"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/fhir-dr/fhir-dr/azure/regions"
	"github.com/fhir-dr/fhir-dr/objectives"
)

var cosmosRules = []Rule{
	{
		Name:        "cosmos-dr-locations",
		Description: "The Cosmos DB account of a DR stack has a write region (failover priority 0) and at least one other region, with unique regions and priorities.",
		Level:       Mandatory, Scope: ResourceScope,
		resource: drAccount(checkLocations),
	},
	{
		Name:        "cosmos-automatic-failover",
		Description: "The Cosmos DB account of a DR stack has service-managed failover on (enableAutomaticFailover).",
		Level:       Mandatory, Scope: ResourceScope,
		resource: drAccount(func(_ *env, r Resource) []string {
			if v, ok := boolean(r.Inputs, "enableAutomaticFailover"); ok && v || unknown(r.Inputs, "enableAutomaticFailover") {
				return nil
			}
			return []string{describe(r) + " does not fail over automatically; set enableAutomaticFailover: true"}
		}),
	},
	{
		Name:        "cosmos-single-write-region",
		Description: "The Cosmos DB account of a DR stack has one write region: multi-region writes (active/active) are not part of the product.",
		Level:       Mandatory, Scope: ResourceScope,
		resource: drAccount(func(_ *env, r Resource) []string {
			if v, ok := boolean(r.Inputs, "enableMultipleWriteLocations"); ok && v {
				return []string{describe(r) + " writes in several regions; set enableMultipleWriteLocations: false (active/active is a non-goal)"}
			}
			return nil
		}),
	},
	{
		Name:        "cosmos-consistency-meets-rpo",
		Description: "The Cosmos DB account of a DR stack uses a consistency whose regional-outage RPO meets the stack's target: Session, bounded staleness within the target and the multi-region limits, or Strong; never Eventual or Consistent Prefix.",
		Level:       Mandatory, Scope: ResourceScope,
		resource: drAccount(checkConsistency),
	},
	{
		Name:        "cosmos-local-auth-disabled",
		Description: "Every Cosmos DB account, DR or not, accepts Microsoft Entra ID only (disableLocalAuth), so no key can be leaked to bypass the audit trail.",
		Level:       Mandatory, Scope: ResourceScope,
		resource: anyAccount(func(_ *env, r Resource) []string {
			if v, ok := boolean(r.Inputs, "disableLocalAuth"); ok && v || unknown(r.Inputs, "disableLocalAuth") {
				return nil
			}
			return []string{describe(r) + " accepts account keys; set disableLocalAuth: true"}
		}),
	},
	{
		Name:        "cosmos-tls12",
		Description: "Every Cosmos DB account, DR or not, requires TLS 1.2.",
		Level:       Mandatory, Scope: ResourceScope,
		resource: anyAccount(func(_ *env, r Resource) []string {
			if v, ok := str(r.Inputs, "minimalTlsVersion"); ok && v == "Tls12" || unknown(r.Inputs, "minimalTlsVersion") {
				return nil
			}
			return []string{describe(r) + " allows TLS below 1.2; set minimalTlsVersion: Tls12"}
		}),
	},
	{
		Name:        "cosmos-backup",
		Description: "Every Cosmos DB account, DR or not, has geo-redundant periodic backup or continuous backup.",
		Level:       Mandatory, Scope: ResourceScope,
		resource: anyAccount(checkBackup),
	},
	{
		Name:        "cosmos-protected",
		Description: "Every Cosmos DB account, SQL database and container is protected, so no change can delete or replace the customer's data.",
		Level:       Mandatory, Scope: ResourceScope,
		resource: func(_ *env, r Resource) []string {
			if !slices.Contains(dataTypes, r.Type) || r.Protect {
				return nil
			}
			return []string{describe(r) + " is not protected; " + protectFix}
		},
	},
	{
		Name: "cosmos-resource-group-protected",
		Description: "The resource group that holds each Cosmos DB account is declared by the stack and protected: " +
			"deleting the group deletes the account.",
		Level: Mandatory, Scope: StackScope,
		stack: checkGroupProtected,
	},
	{
		Name: "cosmos-public-network-access",
		Description: "Every Cosmos DB account declares its publicNetworkAccess, never Azure's default; in a stack with compute " +
			"(the full tier) it is Disabled, the stamps reaching the account through private endpoints.",
		Level: Mandatory, Scope: StackScope,
		stack: checkPublicNetwork,
	},
	{
		Name: "cosmos-firewall",
		Description: "Every entry of a Cosmos DB account's firewall (ipRules) is a public IPv4 address or CIDR range as written, " +
			"at most a /16, never 0.0.0.0 (every Azure datacenter); and no Azure service bypasses it (networkAclBypass None).",
		Level: Mandatory, Scope: ResourceScope,
		resource: anyAccount(checkFirewall),
	},
	{
		Name:        "cosmos-equal-regional-throughput",
		Description: "A DR stack's throughput is provisioned on its databases or containers, which Cosmos DB gives every region alike; per-region throughput is off, so the secondary can carry the primary's load.",
		Level:       Mandatory, Scope: StackScope,
		stack: checkThroughput,
	},
	{
		Name:        "cosmos-zone-redundancy",
		Description: "Advisory: a Cosmos DB region in an Azure region with availability zones is zone-redundant.",
		Level:       Advisory, Scope: ResourceScope,
		resource: func(_ *env, r Resource) []string {
			if r.Type != accountType {
				return nil
			}
			var out []string
			locs, _ := arr(r.Inputs, "locations")
			for _, l := range locs {
				if !l.IsObject() {
					continue
				}
				name, _ := str(l.ObjectValue(), "locationName")
				zr, _ := boolean(l.ObjectValue(), "isZoneRedundant")
				if region, ok := regions.Lookup(regions.Normalize(name)); ok && region.AvailabilityZones && !zr {
					out = append(out, fmt.Sprintf("%s: region %s has availability zones but is not zone-redundant; "+
						"set cosmos.zoneRedundant for it when the region is (re)added", describe(r), name))
				}
			}
			return out
		},
	},
}

// checkPublicNetwork requires Disabled in a stack with compute (the full
// tier by its configuration, or any AKS cluster or private endpoint the
// stack declares) and a declared value everywhere. The data tier and
// stacks without DR have no VNet of fhir-dr's for a private endpoint the
// platform's FHIR service could use (README "Network access to the data").
func checkPublicNetwork(e *env, s Stack) []finding {
	const path = "publicNetworkAccess"
	compute := e.full
	for _, r := range s.Resources {
		compute = compute || r.Type == clusterType || r.Type == privateEndpointType
	}
	var out []finding
	for _, r := range s.Resources {
		if r.Type != accountType || unknown(r.Inputs, path) {
			continue
		}
		v, ok := str(r.Inputs, path)
		switch {
		case !ok:
			out = append(out, finding{r.URN, fmt.Sprintf("%s does not declare %s, so Azure's default (Enabled) decides who can reach it; declare it (%s in a stack with compute)",
				describe(r), path, CosmosPublicNetworkAccess)})
		case compute && v != CosmosPublicNetworkAccess:
			out = append(out, finding{r.URN, fmt.Sprintf("%s is reachable from public networks in a stack with compute: %s is %q; "+
				"set %s: %s, the stamps reach it through private endpoints", describe(r), path, v, path, CosmosPublicNetworkAccess)})
		}
	}
	return out
}

func checkFirewall(_ *env, r Resource) []string {
	var out []string
	ipRules, _ := arr(r.Inputs, "ipRules")
	for i, rule := range ipRules {
		if rule.ContainsUnknowns() {
			continue
		}
		var text string
		var isString bool
		if rule.IsObject() {
			text, isString = str(rule.ObjectValue(), "ipAddressOrRange")
		}
		at := fmt.Sprintf("ipRules[%d]", i)
		p, fault := iprange.CheckFirewallRule(text)
		switch {
		case !isString || fault == iprange.FirewallNotIPv4:
			out = append(out, fmt.Sprintf("%s: %s %q is not an IPv4 address or CIDR range such as 203.0.113.0/24; "+
				"list the service's egress addresses only", describe(r), at, text))
		case fault == iprange.FirewallAzureDatacenters:
			out = append(out, fmt.Sprintf("%s: %s %s admits every Azure datacenter, any tenant's services included; remove it",
				describe(r), at, CosmosAzureDatacentersRule))
		case fault == iprange.FirewallTooWide:
			out = append(out, fmt.Sprintf("%s: %s %s is wider than a /%d; list the service's egress addresses only",
				describe(r), at, p, MinCosmosIPv4RuleBits))
		case fault == iprange.FirewallNotPublic:
			out = append(out, fmt.Sprintf("%s: %s %s is not a public address, and the firewall sees the public egress address; remove it",
				describe(r), at, p))
		}
	}
	if v, ok := str(r.Inputs, "networkAclBypass"); ok && v != CosmosNetworkACLBypass {
		out = append(out, fmt.Sprintf("%s: networkAclBypass is %q, which lets Azure services past the firewall; set it to %s",
			describe(r), v, CosmosNetworkACLBypass))
	}
	return out
}

// protectFix says how to protect a resource that holds customer data.
const protectFix = "register it with pulumi.Protect(true) (and RetainOnDelete)"

// checkGroupProtected finds the resource group of each account, by the
// engine's dependency of its resourceGroupName input or else by name, and
// requires it to be protected.
func checkGroupProtected(_ *env, s Stack) []finding {
	byURN := map[string]Resource{}
	var groups []Resource
	for _, r := range s.Resources {
		byURN[r.URN] = r
		if r.Type == groupType {
			groups = append(groups, r)
		}
	}
	var out []finding
	reported := map[string]bool{}
	for _, a := range s.Resources {
		if a.Type != accountType {
			continue
		}
		g, ok := holdingGroup(a, groups, byURN)
		if !ok {
			if name, known := str(a.Inputs, "resourceGroupName"); known {
				out = append(out, finding{a.URN, fmt.Sprintf("%s is in resource group %q, which the stack does not declare; "+
					"declare the group, protected, since deleting it deletes the account", describe(a), name)})
			}
			continue
		}
		if g.Protect || reported[g.URN] {
			continue
		}
		reported[g.URN] = true
		out = append(out, finding{g.URN, fmt.Sprintf("%s holds %s and is not protected, and deleting the group deletes the account; %s",
			describe(g), describe(a), protectFix)})
	}
	return out
}

// holdingGroup returns the stack's resource group that holds account a.
func holdingGroup(a Resource, groups []Resource, byURN map[string]Resource) (Resource, bool) {
	for _, urn := range a.Dependencies["resourceGroupName"] {
		if r, ok := byURN[urn]; ok && r.Type == groupType {
			return r, true
		}
	}
	name, ok := str(a.Inputs, "resourceGroupName")
	if !ok {
		return Resource{}, false
	}
	for _, g := range groups {
		if n, _ := str(g.Inputs, "resourceGroupName"); strings.EqualFold(n, name) {
			return g, true
		}
	}
	return Resource{}, false
}

// anyAccount applies check to every Cosmos DB account, whether or not the
// stack is a DR stack and whether or not its configuration is known: the
// security rules hold for every account the program declares.
func anyAccount(check func(*env, Resource) []string) func(*env, Resource) []string {
	return func(e *env, r Resource) []string {
		if r.Type != accountType {
			return nil
		}
		return check(e, r)
	}
}

// drAccount applies check to the Cosmos DB account of a DR stack: the
// rules of replication and failover.
func drAccount(check func(*env, Resource) []string) func(*env, Resource) []string {
	return func(e *env, r Resource) []string {
		if r.Type != accountType || !e.dr {
			return nil
		}
		return check(e, r)
	}
}

func checkLocations(_ *env, r Resource) []string {
	locs, ok := arr(r.Inputs, "locations")
	if !ok {
		if unknown(r.Inputs, "locations") {
			return nil
		}
		return []string{describe(r) + " declares no locations; list the primary region at failover priority 0 and the secondary at 1"}
	}
	var out []string
	if len(locs) < 2 {
		out = append(out, fmt.Sprintf("%s has %d region(s); a DR account needs the primary (priority 0) and a secondary region (priority 1)", describe(r), len(locs)))
	}
	seen := map[string]bool{}
	priorities := map[int]bool{}
	writes := 0
	for _, l := range locs {
		if !l.IsObject() {
			continue
		}
		name, _ := str(l.ObjectValue(), "locationName")
		p, ok := num(l.ObjectValue(), "failoverPriority")
		key := regions.Normalize(name)
		if seen[key] {
			out = append(out, fmt.Sprintf("%s lists region %s twice; the secondary must be another region than the primary", describe(r), name))
		}
		seen[key] = true
		if !ok {
			continue
		}
		if priorities[int(p)] {
			out = append(out, fmt.Sprintf("%s gives failover priority %d to more than one region; priorities must be unique", describe(r), int(p)))
		}
		priorities[int(p)] = true
		if p == 0 {
			writes++
		}
	}
	if writes != 1 {
		out = append(out, fmt.Sprintf("%s has %d regions with failover priority 0; exactly one (the write region) is required", describe(r), writes))
	}
	return out
}

func checkConsistency(e *env, r Resource) []string {
	level, ok := str(r.Inputs, "consistencyPolicy.defaultConsistencyLevel")
	if !ok {
		if unknown(r.Inputs, "consistencyPolicy") {
			return nil
		}
		return []string{describe(r) + " has no consistency policy; set consistencyPolicy.defaultConsistencyLevel (Session meets a 15-minute RPO)"}
	}
	var rpo time.Duration
	switch level {
	case objectives.Strong:
		rpo = 0
	case objectives.Session:
		rpo = objectives.SessionRPO
	case objectives.BoundedStaleness:
		interval, okI := integer(r.Inputs, "consistencyPolicy.maxIntervalInSeconds")
		prefix, okP := integer(r.Inputs, "consistencyPolicy.maxStalenessPrefix")
		if !okI || !okP || interval < MinBoundedStalenessIntervalSeconds || interval > MaxBoundedStalenessIntervalSeconds ||
			prefix < MinBoundedStalenessPrefix || prefix > MaxBoundedStalenessPrefix {
			return []string{fmt.Sprintf("%s: bounded staleness on a multi-region account needs maxIntervalInSeconds from %d to %d "+
				"and maxStalenessPrefix from %d to %d", describe(r), MinBoundedStalenessIntervalSeconds, MaxBoundedStalenessIntervalSeconds,
				MinBoundedStalenessPrefix, MaxBoundedStalenessPrefix)}
		}
		rpo = time.Duration(interval) * time.Second
	default:
		return []string{fmt.Sprintf("%s uses %s consistency, which this product never uses for DR; use Session (RPO 15 min), "+
			"bounded staleness or Strong", describe(r), level)}
	}
	if rpo > e.rpo {
		return []string{fmt.Sprintf("%s: %s consistency gives an RPO of %s, over the stack's budget of %s; "+
			"use bounded staleness with maxIntervalInSeconds <= %d, or Strong", describe(r), level, rpo, e.rpo, int(e.rpo.Seconds()))}
	}
	return nil
}

func checkBackup(_ *env, r Resource) []string {
	typ, ok := str(r.Inputs, "backupPolicy.type")
	if !ok {
		if unknown(r.Inputs, "backupPolicy") {
			return nil
		}
		return []string{describe(r) + " declares no backup policy; set cosmos.backup (Periodic with Geo redundancy, or Continuous)"}
	}
	if typ == "Continuous" {
		return nil
	}
	if red, _ := str(r.Inputs, "backupPolicy.periodicModeProperties.backupStorageRedundancy"); red != "Geo" {
		return []string{fmt.Sprintf("%s keeps periodic backups with %q redundancy, which a regional outage can take; "+
			"set backupStorageRedundancy: Geo or use continuous backup", describe(r), red)}
	}
	return nil
}

func checkThroughput(e *env, s Stack) []finding {
	if !e.dr {
		return nil
	}
	var out []finding
	provisioned := false
	for _, r := range s.Resources {
		switch r.Type {
		case accountType:
			if v, ok := boolean(r.Inputs, "enablePerRegionPerPartitionAutoscale"); ok && v {
				out = append(out, finding{r.URN, describe(r) + " scales throughput per region, so the secondary may have less than the primary; " +
					"set enablePerRegionPerPartitionAutoscale: false"})
			}
		case databaseType, containerType:
			if hasThroughput(r.Inputs) {
				provisioned = true
			}
		}
	}
	if !provisioned {
		out = append(out, finding{"", "no Cosmos DB database or container of the stack provisions throughput " +
			"(options.throughput or options.autoscaleSettings.maxThroughput); declare it on the health database"})
	}
	return out
}

func hasThroughput(m resource.PropertyMap) bool {
	if _, ok := num(m, "options.throughput"); ok {
		return true
	}
	_, ok := num(m, "options.autoscaleSettings.maxThroughput")
	return ok || unknown(m, "options")
}
