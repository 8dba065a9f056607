// Package armrules records what Azure Resource Manager does with a change to
// a resource fhir-dr declares: which input changes it cannot make in place
// (the resource must be replaced), and which Cosmos DB account updates it
// rejects outright.
//
// It is one table, shared by the azure-native stand-in provider of the
// offline rehearsal (which answers Diff and Check from it) and by the
// pull-request diff tooling, so the two cannot disagree. The facts come from
// the Azure REST API specifications (properties whose x-ms-mutability is
// create-only, and the resource ID, which names the resource group, the
// parent resources and the resource itself) and from azure-dr-facts.md
// section 3 for Cosmos DB.
package armrules

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/fhir-dr/fhir-dr/azure/authorization"
	"github.com/fhir-dr/fhir-dr/azure/containerservice"
	"github.com/fhir-dr/fhir-dr/azure/cosmosdb"
	"github.com/fhir-dr/fhir-dr/azure/managedidentity"
	"github.com/fhir-dr/fhir-dr/azure/monitor"
	"github.com/fhir-dr/fhir-dr/azure/network"
	"github.com/fhir-dr/fhir-dr/azure/operationalinsights"
	"github.com/fhir-dr/fhir-dr/azure/privatedns"
	"github.com/fhir-dr/fhir-dr/azure/resources"
	"github.com/fhir-dr/fhir-dr/azure/trafficmanager"
)

// ReplaceRule says that a change at Path of a resource of type Token cannot
// be made in place.
type ReplaceRule struct {
	// Token is the azure-native type token.
	Token string
	// Path is the input path in Pulumi's property path syntax; "[*]" stands
	// for every element of a list.
	Path string
	// Reason says why Azure cannot change it in place.
	Reason string
}

// Reasons shared by many rules.
const (
	reasonID       = "part of the ARM resource ID"
	reasonLocation = "a resource's location is fixed when it is created"
	// reasonAssignment: Azure refuses to change who or what a role
	// assignment grants; it is deleted and created again.
	reasonAssignment = "a role assignment's grantee and grant cannot be changed"
)

// replaceRules is the table. Keep it sorted by token; README "Offline
// rehearsal" shows it.
var replaceRules = []ReplaceRule{
	{authorization.RoleAssignmentToken, "scope", reasonID},
	{authorization.RoleAssignmentToken, "roleAssignmentName", reasonID},
	{authorization.RoleAssignmentToken, "principalId", reasonAssignment},
	{authorization.RoleAssignmentToken, "roleDefinitionId", reasonAssignment},
	{authorization.ManagementLockByScopeToken, "scope", reasonID},
	{authorization.ManagementLockByScopeToken, "lockName", reasonID},
	{authorization.RoleDefinitionToken, "scope", reasonID},
	{authorization.RoleDefinitionToken, "roleDefinitionId", reasonID},
	{containerservice.ManagedClusterToken, "resourceGroupName", reasonID},
	{containerservice.ManagedClusterToken, "resourceName", reasonID},
	{containerservice.ManagedClusterToken, "location", reasonLocation},
	{containerservice.ManagedClusterToken, "dnsPrefix", "the API server's DNS prefix cannot be updated once the cluster exists"},
	{containerservice.ManagedClusterToken, "fqdnSubdomain", "the FQDN subdomain cannot be updated once the cluster exists"},
	{containerservice.ManagedClusterToken, "nodeResourceGroup", "the node resource group cannot be updated once the cluster exists"},
	{containerservice.ManagedClusterToken, "apiServerAccessProfile.enablePrivateCluster", "a public cluster cannot become private in place"},
	{containerservice.ManagedClusterToken, "networkProfile.networkPlugin", "the network plugin is chosen at creation"},
	{containerservice.ManagedClusterToken, "networkProfile.serviceCidr", "the service CIDR is chosen at creation"},
	{containerservice.ManagedClusterToken, "networkProfile.dnsServiceIP", "the DNS service IP is chosen at creation"},
	{containerservice.ManagedClusterToken, "agentPoolProfiles[*].vnetSubnetID", "a node pool's subnet is chosen at creation"},

	{cosmosdb.DatabaseAccountToken, "resourceGroupName", reasonID},
	{cosmosdb.DatabaseAccountToken, "accountName", reasonID},
	{cosmosdb.DatabaseAccountToken, "location", reasonLocation},
	{cosmosdb.DatabaseAccountToken, "kind", "the account's API kind is fixed when it is created"},
	{cosmosdb.SqlResourceSqlContainerToken, "resourceGroupName", reasonID},
	{cosmosdb.SqlResourceSqlContainerToken, "accountName", reasonID},
	{cosmosdb.SqlResourceSqlContainerToken, "databaseName", reasonID},
	{cosmosdb.SqlResourceSqlContainerToken, "containerName", reasonID},
	{cosmosdb.SqlResourceSqlContainerToken, "resource.id", "the container's id is its name"},
	{cosmosdb.SqlResourceSqlContainerToken, "resource.partitionKey", "a container's partition key cannot be changed"},
	{cosmosdb.SqlResourceSqlDatabaseToken, "resourceGroupName", reasonID},
	{cosmosdb.SqlResourceSqlDatabaseToken, "accountName", reasonID},
	{cosmosdb.SqlResourceSqlDatabaseToken, "databaseName", reasonID},
	{cosmosdb.SqlResourceSqlDatabaseToken, "resource.id", "the database's id is its name"},

	{cosmosdb.SqlResourceSqlRoleAssignmentToken, "resourceGroupName", reasonID},
	{cosmosdb.SqlResourceSqlRoleAssignmentToken, "accountName", reasonID},
	{cosmosdb.SqlResourceSqlRoleAssignmentToken, "roleAssignmentId", reasonID},
	{cosmosdb.SqlResourceSqlRoleAssignmentToken, "principalId", reasonAssignment},
	{cosmosdb.SqlResourceSqlRoleAssignmentToken, "scope", reasonAssignment},
	{managedidentity.FederatedIdentityCredentialToken, "resourceGroupName", reasonID},
	{managedidentity.FederatedIdentityCredentialToken, "resourceName", reasonID},
	{managedidentity.FederatedIdentityCredentialToken, "federatedIdentityCredentialResourceName", reasonID},
	{managedidentity.UserAssignedIdentityToken, "resourceGroupName", reasonID},
	{managedidentity.UserAssignedIdentityToken, "resourceName", reasonID},
	{managedidentity.UserAssignedIdentityToken, "location", reasonLocation},
	{monitor.DiagnosticSettingToken, "resourceUri", reasonID},
	{monitor.DiagnosticSettingToken, "name", reasonID},

	{network.PrivateDnsZoneGroupToken, "resourceGroupName", reasonID},
	{network.PrivateDnsZoneGroupToken, "privateEndpointName", reasonID},
	{network.PrivateDnsZoneGroupToken, "privateDnsZoneGroupName", reasonID},
	{network.PrivateEndpointToken, "resourceGroupName", reasonID},
	{network.PrivateEndpointToken, "privateEndpointName", reasonID},
	{network.PrivateEndpointToken, "location", reasonLocation},
	{network.PrivateEndpointToken, "subnet.id", "a private endpoint's subnet is chosen at creation"},
	{network.PrivateEndpointToken, "privateLinkServiceConnections[*].privateLinkServiceId", "a private endpoint's target is chosen at creation"},
	{network.PrivateEndpointToken, "privateLinkServiceConnections[*].groupIds", "a private endpoint's target is chosen at creation"},
	{network.PublicIPAddressToken, "resourceGroupName", reasonID},
	{network.PublicIPAddressToken, "publicIpAddressName", reasonID},
	{network.PublicIPAddressToken, "location", reasonLocation},
	{network.PublicIPAddressToken, "zones", "a public IP's zones are chosen at creation"},
	{network.PublicIPAddressToken, "sku", "a public IP's SKU is chosen at creation"},
	{network.PublicIPAddressToken, "publicIPAddressVersion", "a public IP's IP version is chosen at creation"},
	{network.SubnetToken, "resourceGroupName", reasonID},
	{network.SubnetToken, "virtualNetworkName", reasonID},
	{network.SubnetToken, "subnetName", reasonID},
	{network.VirtualNetworkToken, "resourceGroupName", reasonID},
	{network.VirtualNetworkToken, "virtualNetworkName", reasonID},
	{network.VirtualNetworkToken, "location", reasonLocation},

	{operationalinsights.WorkspaceToken, "resourceGroupName", reasonID},
	{operationalinsights.WorkspaceToken, "workspaceName", reasonID},
	{operationalinsights.WorkspaceToken, "location", reasonLocation},

	{privatedns.PrivateZoneToken, "resourceGroupName", reasonID},
	{privatedns.PrivateZoneToken, "privateZoneName", reasonID},
	{privatedns.VirtualNetworkLinkToken, "resourceGroupName", reasonID},
	{privatedns.VirtualNetworkLinkToken, "privateZoneName", reasonID},
	{privatedns.VirtualNetworkLinkToken, "virtualNetworkLinkName", reasonID},
	{privatedns.VirtualNetworkLinkToken, "virtualNetwork.id", "a link's virtual network is chosen at creation"},

	{resources.ResourceGroupToken, "resourceGroupName", reasonID},
	{resources.ResourceGroupToken, "location", reasonLocation},

	{trafficmanager.EndpointToken, "resourceGroupName", reasonID},
	{trafficmanager.EndpointToken, "profileName", reasonID},
	{trafficmanager.EndpointToken, "endpointType", reasonID},
	{trafficmanager.EndpointToken, "endpointName", reasonID},
	{trafficmanager.ProfileToken, "resourceGroupName", reasonID},
	{trafficmanager.ProfileToken, "profileName", reasonID},
	{trafficmanager.ProfileToken, "dnsConfig.relativeName", "a profile's DNS name cannot be changed once it exists"},
}

// ReplaceRules returns the table, sorted by token.
func ReplaceRules() []ReplaceRule { return slices.Clone(replaceRules) }

// Replacement is one input change that forces a replacement.
type Replacement struct {
	// Path is the concrete input path that changed, e.g.
	// "agentPoolProfiles[0].vnetSubnetID".
	Path string
	// Reason is the rule's reason.
	Reason string
}

// Replacements returns the changes between the old and new inputs of a
// resource of type token that Azure cannot make in place. A new value that
// is not yet known (a preview in which something it depends on is
// replaced) counts as a change, so that the preview shows the replacement
// the update will make.
func Replacements(token string, olds, news resource.PropertyMap) []Replacement {
	var out []Replacement
	oldV, newV := resource.NewProperty(olds), resource.NewProperty(news)
	for _, rule := range replaceRules {
		if rule.Token != token {
			continue
		}
		segments, err := parsePattern(rule.Path)
		if err != nil {
			continue // the table is a constant: TestReplaceRulesParse guards it
		}
		for _, path := range expand(segments, oldV, newV) {
			o, _ := path.Get(oldV)
			n, _ := path.Get(newV)
			switch {
			case o.ContainsUnknowns() || o.DeepEquals(n):
				continue
			case n.ContainsUnknowns():
				// Not known until deployment (a resource it depends on is
				// replaced): plan for the replacement, as providers do.
				out = append(out, Replacement{Path: path.String(), Reason: rule.Reason + " (not known before deployment)"})
			default:
				out = append(out, Replacement{Path: path.String(), Reason: rule.Reason})
			}
		}
	}
	return out
}

// expand turns a pattern into the concrete paths that exist in both the old
// and the new value for each "[*]": elements added or removed are a change
// of the list, not of an element.
func expand(pattern []any, oldV, newV resource.PropertyValue) []resource.PropertyPath {
	paths := []resource.PropertyPath{{}}
	for _, seg := range pattern {
		if seg != "*" {
			for i := range paths {
				paths[i] = append(paths[i], seg)
			}
			continue
		}
		var next []resource.PropertyPath
		for _, p := range paths {
			o, _ := p.Get(oldV)
			n, _ := p.Get(newV)
			if !o.IsArray() || !n.IsArray() {
				continue
			}
			for i := range min(len(o.ArrayValue()), len(n.ArrayValue())) {
				next = append(next, append(slices.Clone(p), i))
			}
		}
		paths = next
	}
	return paths
}

// parsePattern splits "a.b[*].c" into ["a", "b", "*", "c"].
func parsePattern(pattern string) ([]any, error) {
	var segs []any
	for part := range strings.SplitSeq(pattern, ".") {
		name, rest, _ := strings.Cut(part, "[")
		if name == "" {
			return nil, fmt.Errorf("armrules: bad path %q", pattern)
		}
		segs = append(segs, name)
		for rest != "" {
			idx, after, ok := strings.Cut(rest, "]")
			if !ok {
				return nil, fmt.Errorf("armrules: bad path %q", pattern)
			}
			if idx == "*" {
				segs = append(segs, "*")
			} else if n, err := strconv.Atoi(idx); err == nil {
				segs = append(segs, n)
			} else {
				return nil, fmt.Errorf("armrules: bad path %q", pattern)
			}
			rest = strings.TrimPrefix(after, "[")
		}
	}
	return segs, nil
}
