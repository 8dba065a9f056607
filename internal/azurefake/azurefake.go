// Package azurefake computes the outputs Azure would report for the
// azure-native resources fhir-dr declares: ARM IDs, names and the endpoints
// the program reads (Cosmos DB documentEndpoint, Traffic Manager FQDN, public
// IP address, AKS FQDN). It is a test double for the cloud, used to render
// plans offline; nothing it returns was ever read from Azure.
package azurefake

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/fhir-dr/fhir-dr/azure/applicationinsights"
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

// SubscriptionID is the fake subscription every ID is placed in.
const SubscriptionID = "00000000-0000-0000-0000-000000000000"

// providerPaths maps type tokens to their ARM provider path and the input
// that holds the resource's own name.
var providerPaths = map[string]struct{ path, nameInput string }{
	cosmosdb.DatabaseAccountToken:         {"Microsoft.DocumentDB/databaseAccounts", "accountName"},
	network.VirtualNetworkToken:           {"Microsoft.Network/virtualNetworks", "virtualNetworkName"},
	network.PublicIPAddressToken:          {"Microsoft.Network/publicIPAddresses", "publicIpAddressName"},
	containerservice.ManagedClusterToken:  {"Microsoft.ContainerService/managedClusters", "resourceName"},
	trafficmanager.ProfileToken:           {"Microsoft.Network/trafficManagerProfiles", "profileName"},
	operationalinsights.WorkspaceToken:    {"Microsoft.OperationalInsights/workspaces", "workspaceName"},
	cosmosdb.SqlResourceSqlDatabaseToken:  {"", "databaseName"},
	cosmosdb.SqlResourceSqlContainerToken: {"", "containerName"},
	network.SubnetToken:                   {"", "subnetName"},
	trafficmanager.EndpointToken:          {"", "endpointName"},
	monitor.DiagnosticSettingToken:        {"", "name"},
	resources.ResourceGroupToken:          {"", "resourceGroupName"},
	managedidentity.UserAssignedIdentityToken: {
		"Microsoft.ManagedIdentity/userAssignedIdentities", "resourceName",
	},
	managedidentity.FederatedIdentityCredentialToken: {"", "federatedIdentityCredentialResourceName"},
	cosmosdb.SqlResourceSqlRoleAssignmentToken:       {"", "roleAssignmentId"},
	authorization.RoleAssignmentToken:                {"", "roleAssignmentName"},
	authorization.RoleDefinitionToken:                {"", "roleDefinitionId"},
	network.PrivateEndpointToken:                     {"Microsoft.Network/privateEndpoints", "privateEndpointName"},
	network.PrivateDnsZoneGroupToken:                 {"", "privateDnsZoneGroupName"},
	privatedns.PrivateZoneToken:                      {"Microsoft.Network/privateDnsZones", "privateZoneName"},
	privatedns.VirtualNetworkLinkToken:               {"", "virtualNetworkLinkName"},
	authorization.ManagementLockByScopeToken:         {"", "lockName"},
	monitor.MetricAlertToken:                         {"Microsoft.Insights/metricAlerts", "ruleName"},
	monitor.ActionGroupToken:                         {"Microsoft.Insights/actionGroups", "actionGroupName"},
	applicationinsights.ComponentToken:               {"Microsoft.Insights/components", "resourceName"},
	applicationinsights.WebTestToken:                 {"Microsoft.Insights/webtests", "webTestName"},
}

// Outputs returns the ID and the output properties of a resource of type
// token declared with inputs under the logical name. Outputs start as a copy
// of the inputs, as azure-native echoes them.
func Outputs(token, logicalName string, inputs resource.PropertyMap) (string, resource.PropertyMap) {
	out := inputs.Copy()
	str := func(k string) string {
		if v, ok := inputs[resource.PropertyKey(k)]; ok && v.IsString() {
			return v.StringValue()
		}
		return ""
	}
	info := providerPaths[token]
	name := str(info.nameInput)
	if name == "" {
		name = logicalName
	}
	rg := "/subscriptions/" + SubscriptionID + "/resourceGroups/" + str("resourceGroupName")
	id := rg + "/providers/" + info.path + "/" + name

	switch token {
	case resources.ResourceGroupToken:
		id = "/subscriptions/" + SubscriptionID + "/resourceGroups/" + name
	case cosmosdb.DatabaseAccountToken:
		out["documentEndpoint"] = resource.NewProperty("https://" + name + ".documents.azure.com:443/")
	case cosmosdb.SqlResourceSqlDatabaseToken:
		id = rg + "/providers/Microsoft.DocumentDB/databaseAccounts/" + str("accountName") + "/sqlDatabases/" + name
	case cosmosdb.SqlResourceSqlContainerToken:
		id = rg + "/providers/Microsoft.DocumentDB/databaseAccounts/" + str("accountName") +
			"/sqlDatabases/" + str("databaseName") + "/containers/" + name
	case network.SubnetToken:
		id = rg + "/providers/Microsoft.Network/virtualNetworks/" + str("virtualNetworkName") + "/subnets/" + name
	case network.PublicIPAddressToken:
		// 203.0.113.0/24 is TEST-NET-3: never a real address.
		out["ipAddress"] = resource.NewProperty(fmt.Sprintf("203.0.113.%d", 1+hash(id)%254))
		if dns, ok := inputs["dnsSettings"]; ok && dns.IsObject() {
			settings := dns.ObjectValue().Copy()
			if label := settings["domainNameLabel"]; label.IsString() {
				settings["fqdn"] = resource.NewProperty(label.StringValue() + "." + str("location") + ".cloudapp.azure.com")
			}
			out["dnsSettings"] = resource.NewProperty(settings)
		}
	case containerservice.ManagedClusterToken:
		out["fqdn"] = resource.NewProperty(fmt.Sprintf("%s-%08x.hcp.%s.azmk8s.io", str("dnsPrefix"), hash(id), str("location")))
		out["identity"] = resource.NewProperty(resource.PropertyMap{
			"type":        resource.NewProperty("SystemAssigned"),
			"principalId": resource.NewProperty(guid("principal:" + id)),
			"tenantId":    resource.NewProperty(TenantID),
		})
		if oidc, ok := inputs["oidcIssuerProfile"]; ok && oidc.IsObject() {
			profile := oidc.ObjectValue().Copy()
			profile["issuerURL"] = resource.NewProperty(fmt.Sprintf("https://%s.oic.prod-aks.azure.com/%s/%s/",
				str("location"), TenantID, guid("issuer:"+id)))
			out["oidcIssuerProfile"] = resource.NewProperty(profile)
		}
	case managedidentity.UserAssignedIdentityToken:
		out["clientId"] = resource.NewProperty(guid("client:" + id))
		out["principalId"] = resource.NewProperty(guid("principal:" + id))
		out["tenantId"] = resource.NewProperty(TenantID)
	case managedidentity.FederatedIdentityCredentialToken:
		id = rg + "/providers/Microsoft.ManagedIdentity/userAssignedIdentities/" + str("resourceName") +
			"/federatedIdentityCredentials/" + name
	case cosmosdb.SqlResourceSqlRoleAssignmentToken:
		id = rg + "/providers/Microsoft.DocumentDB/databaseAccounts/" + str("accountName") + "/sqlRoleAssignments/" + name
	case authorization.RoleAssignmentToken:
		id = str("scope") + "/providers/Microsoft.Authorization/roleAssignments/" + name
	case network.PrivateDnsZoneGroupToken:
		id = rg + "/providers/Microsoft.Network/privateEndpoints/" + str("privateEndpointName") + "/privateDnsZoneGroups/" + name
	case privatedns.VirtualNetworkLinkToken:
		id = rg + "/providers/Microsoft.Network/privateDnsZones/" + str("privateZoneName") + "/virtualNetworkLinks/" + name
	case authorization.RoleDefinitionToken:
		id = str("scope") + "/providers/Microsoft.Authorization/roleDefinitions/" + name
	case authorization.ManagementLockByScopeToken:
		id = str("scope") + "/providers/Microsoft.Authorization/locks/" + name
	case trafficmanager.ProfileToken:
		if dns, ok := inputs["dnsConfig"]; ok && dns.IsObject() {
			cfg := dns.ObjectValue().Copy()
			if rel := cfg["relativeName"]; rel.IsString() {
				cfg["fqdn"] = resource.NewProperty(rel.StringValue() + ".trafficmanager.net")
			}
			out["dnsConfig"] = resource.NewProperty(cfg)
		}
	case trafficmanager.EndpointToken:
		// ARM spells the segment like the endpoint type, lower camel case:
		// "AzureEndpoints" -> "azureEndpoints".
		segment := str("endpointType")
		if segment != "" {
			segment = strings.ToLower(segment[:1]) + segment[1:]
		}
		id = rg + "/providers/Microsoft.Network/trafficManagerProfiles/" + str("profileName") + "/" + segment + "/" + name
	case operationalinsights.WorkspaceToken:
		out["customerId"] = resource.NewProperty(guid(id))
	case monitor.DiagnosticSettingToken:
		id = str("resourceUri") + "/providers/Microsoft.Insights/diagnosticSettings/" + name
	}
	out["name"] = resource.NewProperty(name)
	out["id"] = resource.NewProperty(id)
	return id, out
}

// Rebuilt returns the outputs of a cluster created again under the same ID
// for the n-th time: AKS gives a new cluster a new API server FQDN and a new
// OIDC issuer, so its kubeconfig and its federated credentials change.
func Rebuilt(outs resource.PropertyMap, n int) resource.PropertyMap {
	out := outs.Copy()
	if v := out["fqdn"]; v.IsString() {
		out["fqdn"] = resource.NewProperty(strings.Replace(v.StringValue(), ".hcp.", fmt.Sprintf("-r%d.hcp.", n), 1))
	}
	if v := out["oidcIssuerProfile"]; v.IsObject() {
		profile := v.ObjectValue().Copy()
		if u := profile["issuerURL"]; u.IsString() {
			profile["issuerURL"] = resource.NewProperty(strings.TrimSuffix(u.StringValue(), "/") + fmt.Sprintf("-r%d/", n))
		}
		out["oidcIssuerProfile"] = resource.NewProperty(profile)
	}
	return out
}

// TenantID is the fake Entra ID tenant.
const TenantID = "11111111-1111-1111-1111-111111111111"

// guid derives a fake GUID from s.
func guid(s string) string {
	h := sha256.Sum256([]byte(s))
	return fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}

// Invoke answers the functions fhir-dr calls, for clusters it has not
// created: a cluster's API server is made up from its group and name.
func Invoke(token string, args resource.PropertyMap) (resource.PropertyMap, error) {
	rg, name, err := UserCredentialsArgs(token, args)
	if err != nil {
		return nil, err
	}
	return UserCredentials(rg, name, ClusterServer(rg, name)), nil
}

// UserCredentialsArgs checks the arguments of a call of token, which must
// be listManagedClusterUserCredentials with format exec, and returns the
// cluster's group and name.
func UserCredentialsArgs(token string, args resource.PropertyMap) (rg, name string, err error) {
	if token != containerservice.ListManagedClusterUserCredentialsToken {
		return "", "", fmt.Errorf("azurefake: function %s is not modeled", token)
	}
	str := func(k resource.PropertyKey) string {
		if v := args[k]; v.IsString() {
			return v.StringValue()
		}
		return ""
	}
	rg, name = str("resourceGroupName"), str("resourceName")
	if rg == "" || name == "" {
		return "", "", fmt.Errorf("azurefake: %s needs resourceGroupName and resourceName", token)
	}
	if f := str("format"); f != "exec" {
		return "", "", fmt.Errorf("azurefake: %s: only format exec is modeled, got %q", token, f)
	}
	return rg, name, nil
}

// ClusterServer is the API server URL of a cluster the fake has no
// outputs for.
func ClusterServer(rg, name string) string {
	return fmt.Sprintf("https://%s-%08x.hcp.azmk8s.io:443", name, hash(rg+"/"+name))
}

// UserCredentials is what listManagedClusterUserCredentials returns for
// the cluster rg/name whose API server is server: AKS's kubeconfig for an
// Entra ID cluster with format exec (kubelogin with device-code login),
// base64-encoded.
func UserCredentials(rg, name, server string) resource.PropertyMap {
	return resource.PropertyMap{"kubeconfigs": resource.NewProperty([]resource.PropertyValue{
		resource.NewProperty(resource.PropertyMap{
			"name":  resource.NewProperty("clusterUser"),
			"value": resource.NewProperty(base64.StdEncoding.EncodeToString([]byte(UserKubeconfig(rg, name, server)))),
		}),
	})}
}

// UserKubeconfig is the kubeconfig AKS hands an Entra ID cluster's user.
func UserKubeconfig(rg, cluster, server string) string {
	user := "clusterUser_" + rg + "_" + cluster
	return `apiVersion: v1
kind: Config
clusters:
- name: ` + cluster + `
  cluster:
    certificate-authority-data: ZmFrZS1jYQ==
    server: ` + server + `
contexts:
- name: ` + cluster + `
  context:
    cluster: ` + cluster + `
    user: ` + user + `
current-context: ` + cluster + `
users:
- name: ` + user + `
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: kubelogin
      args: [get-token, --environment, AzurePublicCloud, --server-id, 6dae42f8-4368-4678-94ff-3960e28e3630,
        --client-id, 80faf920-1908-4b52-b5ef-a8e7bedfc67a, --tenant-id, ` + TenantID + `, --login, devicecode]
      installHint: install kubelogin
`
}

func hash(s string) uint32 {
	h := sha256.Sum256([]byte(s))
	return binary.BigEndian.Uint32(h[:4])
}
