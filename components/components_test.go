package components_test

import (
	"encoding/json"
	"github.com/fhir-dr/fhir-dr/stackfile"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fhir-dr/fhir-dr/azure/authorization"
	"github.com/fhir-dr/fhir-dr/azure/azurenative"
	"github.com/fhir-dr/fhir-dr/azure/containerservice"
	"github.com/fhir-dr/fhir-dr/azure/cosmosdb"
	"github.com/fhir-dr/fhir-dr/azure/managedidentity"
	"github.com/fhir-dr/fhir-dr/azure/monitor"
	"github.com/fhir-dr/fhir-dr/azure/network"
	"github.com/fhir-dr/fhir-dr/azure/operationalinsights"
	"github.com/fhir-dr/fhir-dr/azure/resources"
	"github.com/fhir-dr/fhir-dr/azure/trafficmanager"
	"github.com/fhir-dr/fhir-dr/drconfig"
	"github.com/fhir-dr/fhir-dr/internal/render"
	"github.com/fhir-dr/fhir-dr/program"
)

// renderStack renders an example stack file from stacks/.
func renderStack(t *testing.T, stack string) *render.Plan {
	t.Helper()
	values, err := drconfig.ReadStackFile(filepath.Join("..", stackfile.Path(stack)))
	require.NoError(t, err)
	plan, err := render.Run(stack, values, program.Deploy)
	require.NoError(t, err)
	return plan
}

func get(t *testing.T, plan *render.Plan, typ, name string) render.Resource {
	t.Helper()
	r, ok := plan.Get(typ, name)
	require.Truef(t, ok, "%s %s is declared", typ, name)
	return r
}

// asJSON normalises input maps so that comparisons ignore Go number types.
func asJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

const (
	account     = cosmosdb.DatabaseAccountToken
	database    = cosmosdb.SqlResourceSqlDatabaseToken
	container   = cosmosdb.SqlResourceSqlContainerToken
	group       = resources.ResourceGroupToken
	cluster     = containerservice.ManagedClusterToken
	vnet        = network.VirtualNetworkToken
	subnet      = network.SubnetToken
	publicIP    = network.PublicIPAddressToken
	profile     = trafficmanager.ProfileToken
	endpoint    = trafficmanager.EndpointToken
	workspace   = operationalinsights.WorkspaceToken
	diag        = monitor.DiagnosticSettingToken
	identity    = managedidentity.UserAssignedIdentityToken
	federated   = managedidentity.FederatedIdentityCredentialToken
	sqlRole     = cosmosdb.SqlResourceSqlRoleAssignmentToken
	armRole     = authorization.RoleAssignmentToken
	roleDef     = "azure-native:authorization:RoleDefinition"
	lock        = "azure-native:authorization:ManagementLockByScope"
	pe          = "azure-native:network:PrivateEndpoint"
	dnsGroup    = "azure-native:network:PrivateDnsZoneGroup"
	dnsZone     = "azure-native:privatedns:PrivateZone"
	dnsLink     = "azure-native:privatedns:VirtualNetworkLink"
	k8sProv     = "pulumi:providers:kubernetes"
	namespace   = "kubernetes:core/v1:Namespace"
	svcAcct     = "kubernetes:core/v1:ServiceAccount"
	deploy      = "kubernetes:apps/v1:Deployment"
	service     = "kubernetes:core/v1:Service"
	pdb         = "kubernetes:policy/v1:PodDisruptionBudget"
	hpa         = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"
	alert       = monitor.MetricAlertToken
	actionGroup = monitor.ActionGroupToken
	appInsights = "azure-native:applicationinsights:Component"
	webTest     = "azure-native:applicationinsights:WebTest"
)

// taggable reports whether Azure resources of type typ carry tags.
func taggable(typ string) bool {
	if !strings.HasPrefix(typ, "azure-native:") {
		return false
	}
	return !slices.Contains([]string{subnet, endpoint, diag, federated, sqlRole, armRole, roleDef, lock, dnsGroup}, typ)
}

func tags(customer, ticket, tier, role, meter, multiplier string, extra map[string]any) map[string]any {
	t := map[string]any{
		"customer": customer, "dr-ticket": ticket, "dr-tier": tier, "dr-role": role,
		"billing-meter": meter, "billing-multiplier": multiplier, "managed-by": "fhir-dr",
	}
	for k, v := range extra {
		t[k] = v
	}
	return t
}

// TestExampleStacks renders every stack file and checks the exact set of
// resources each declares and which of them are protected.
func TestExampleStacks(t *testing.T) {
	full := []string{
		"fhir-dr:index:CustomerDR", "fhir-dr:index:CosmosAccount", "fhir-dr:index:ComputeStamp", "fhir-dr:index:ComputeStamp",
		"fhir-dr:index:TrafficManager", "fhir-dr:index:Monitoring",
		"fhir-dr:index:WorkloadIdentity", "fhir-dr:index:FHIRService", "fhir-dr:index:FHIRService",
		group, group, account, database, container,
		vnet, subnet, cluster, publicIP, armRole, vnet, subnet, cluster, publicIP, armRole,
		subnet, pe, dnsZone, dnsLink, dnsGroup, subnet, pe, dnsZone, dnsLink, dnsGroup,
		profile, endpoint, endpoint, workspace, diag, diag, diag, diag, lock, lock,
		identity, federated, federated, sqlRole, roleDef, armRole,
		k8sProv, namespace, svcAcct, deploy, service, pdb, hpa,
		k8sProv, namespace, svcAcct, deploy, service, pdb, hpa,
		// Detection and paging: the rules of detection.Rules for the full
		// tier, the availability tests and their component and workspace.
		"fhir-dr:index:Alerting", appInsights, webTest, webTest, webTest, workspace,
		alert, alert, alert, alert, alert, alert, alert, alert, alert, alert, alert, alert,
	}
	noDR := []string{
		"fhir-dr:index:CustomerDR", "fhir-dr:index:CosmosAccount", "fhir-dr:index:Monitoring",
		group, account, database, container, workspace, diag, lock, lock,
	}
	// The data tier's rules watch the account only.
	dataOnly := append(slices.Clone(noDR), "fhir-dr:index:Alerting", alert, alert, alert, alert)
	want := map[string][]string{
		// Contoso's $export and $convert-data add a grant each.
		"contoso": append(slices.Clone(full), armRole, armRole), "fabrikam": full, "northwind": full, "tailspin": full,
		"litware": dataOnly, "adatum": noDR,
	}
	files, err := filepath.Glob("../stacks/Pulumi.*.yaml")
	require.NoError(t, err)
	require.Len(t, files, len(want), "every stack file has an expectation")
	for _, f := range files {
		stack, err := stackfile.Stack(f)
		require.NoError(t, err)
		t.Run(stack, func(t *testing.T) {
			_, err := drconfig.LoadFile(f)
			require.NoError(t, err)
			plan := renderStack(t, stack)
			var types []string
			var protected []string
			for _, r := range plan.Resources {
				types = append(types, r.Type)
				if r.Protect {
					// The locks go with the documented offboarding; the
					// data they guard stays.
					assert.Equal(t, r.Type != lock, r.RetainOnDelete, "%s is retained on delete too", r.Name)
					protected = append(protected, r.Type+"::"+r.Name)
				}
				switch {
				case strings.HasPrefix(r.Type, "azure-native:"):
					assert.Equal(t, azurenative.Version, r.Version)
				case strings.HasPrefix(r.Type, "kubernetes:"), r.Type == k8sProv:
					assert.Equal(t, "4.32.0", r.Version)
				}
			}
			sort.Strings(types)
			expected := slices.Clone(want[stack])
			sort.Strings(expected)
			assert.Equal(t, expected, types)
			assert.ElementsMatch(t, []string{
				group + "::primary-rg", account + "::account", database + "::health", container + "::fhirR4",
				lock + "::data-lock", lock + "::audit-lock",
			}, protected, "the customer's data, the group holding it and the locks guarding it are protected")
		})
	}
}

func TestCosmosAccountFullTier(t *testing.T) {
	plan := renderStack(t, "contoso")
	want := map[string]any{
		"accountName":       "fhir-contoso",
		"resourceGroupName": "rg-contoso-fhir-eastus",
		"location":          "eastus",
		"locations": []any{
			map[string]any{"locationName": "eastus", "failoverPriority": 0, "isZoneRedundant": true},
			map[string]any{"locationName": "westus", "failoverPriority": 1, "isZoneRedundant": false},
		},
		"databaseAccountOfferType":           "Standard",
		"createMode":                         "Default",
		"kind":                               "GlobalDocumentDB",
		"enableAutomaticFailover":            true,
		"enableMultipleWriteLocations":       false,
		"consistencyPolicy":                  map[string]any{"defaultConsistencyLevel": "Session"},
		"disableLocalAuth":                   true,
		"disableKeyBasedMetadataWriteAccess": true,
		"minimalTlsVersion":                  "Tls12",
		"backupPolicy": map[string]any{
			"type": "Periodic",
			"periodicModeProperties": map[string]any{
				"backupIntervalInMinutes": 240, "backupRetentionIntervalInHours": 8, "backupStorageRedundancy": "Geo",
			},
		},
		// The full tier's stamps reach it through private endpoints only.
		"publicNetworkAccess": "Disabled",
		"tags":                map[string]any{"customer": "contoso", "dr-role": "primary", "managed-by": "fhir-dr", "cost-center": "4711"},
	}
	assert.JSONEq(t, asJSON(t, want), asJSON(t, get(t, plan, account, "account").Inputs))

	db := get(t, plan, database, "health")
	assert.JSONEq(t, `{"maxThroughput":10000}`, asJSON(t, db.Inputs["options"].(map[string]any)["autoscaleSettings"]))
	assert.Equal(t, "fhir-contoso", db.Inputs["accountName"])
	c := get(t, plan, container, "fhirR4")
	assert.JSONEq(t, `{"id":"fhirR4","partitionKey":{"kind":"Hash","paths":["/partitionKey"]}}`, asJSON(t, c.Inputs["resource"]))
	assert.Equal(t, "health", c.Inputs["databaseName"])
}

// TestDataLocks: CanNotDelete management locks guard the Cosmos DB account
// (and with it its database, container and resource group) and the audit
// log workspace against deletes from outside the program, in every stack.
// TestOffboarding (integration) checks that offboarding deletes them before
// the diagnostic setting inside the account's scope.
func TestDataLocks(t *testing.T) {
	for _, stack := range []string{"contoso", "litware", "adatum"} {
		t.Run(stack, func(t *testing.T) {
			plan := renderStack(t, stack)
			accountID := get(t, plan, account, "account").ID
			workspaceID := get(t, plan, workspace, "workspace").ID
			data := get(t, plan, lock, "data-lock")
			assert.JSONEq(t, asJSON(t, map[string]any{
				"lockName": "fhir-dr-data",
				"scope":    accountID,
				"level":    "CanNotDelete",
				"notes": "fhir-dr: the FHIR data of " + stack + " (Cosmos DB account fhir-" + stack + ", database health, container fhirR4). " +
					"Removed only by the offboarding procedure (docs/runbook.md, Offboard).",
			}), asJSON(t, data.Inputs))
			assert.Equal(t, accountID+"/providers/Microsoft.Authorization/locks/fhir-dr-data", data.ID)
			audit := get(t, plan, lock, "audit-lock")
			assert.JSONEq(t, asJSON(t, map[string]any{
				"lockName": "fhir-dr-audit-logs",
				"scope":    workspaceID,
				"level":    "CanNotDelete",
				"notes":    "fhir-dr: the audit logs of " + stack + ". Removed only by the offboarding procedure (docs/runbook.md, Offboard).",
			}), asJSON(t, audit.Inputs))
			for _, l := range []render.Resource{data, audit} {
				assert.True(t, l.Protect)
				assert.False(t, l.RetainOnDelete)
			}
		})
	}
}

func TestCosmosBoundedStalenessAndManualThroughput(t *testing.T) {
	plan := renderStack(t, "fabrikam")
	a := get(t, plan, account, "account")
	assert.JSONEq(t, `{"defaultConsistencyLevel":"BoundedStaleness","maxIntervalInSeconds":600,"maxStalenessPrefix":100000}`,
		asJSON(t, a.Inputs["consistencyPolicy"]))
	assert.JSONEq(t, `[{"locationName":"brazilsouth","failoverPriority":0,"isZoneRedundant":true},`+
		`{"locationName":"southcentralus","failoverPriority":1,"isZoneRedundant":true}]`, asJSON(t, a.Inputs["locations"]))
	assert.JSONEq(t, `{"throughput":4000}`, asJSON(t, get(t, plan, database, "health").Inputs["options"]))
}

func TestCosmosContinuousBackupAndChosenSecondary(t *testing.T) {
	plan := renderStack(t, "northwind")
	a := get(t, plan, account, "account")
	assert.JSONEq(t, `{"type":"Continuous","continuousModeProperties":{"tier":"Continuous30Days"}}`, asJSON(t, a.Inputs["backupPolicy"]))
	assert.JSONEq(t, `[{"locationName":"westeurope","failoverPriority":0,"isZoneRedundant":true},`+
		`{"locationName":"swedencentral","failoverPriority":1,"isZoneRedundant":true}]`, asJSON(t, a.Inputs["locations"]))
}

func TestDataTierAndDisabled(t *testing.T) {
	litware := renderStack(t, "litware")
	a := get(t, litware, account, "account")
	// No stamp, no private path: the service that uses the account runs
	// outside fhir-dr, so the public endpoint stays open, declared so.
	assert.Equal(t, "Enabled", a.Inputs["publicNetworkAccess"])
	assert.NotContains(t, a.Inputs, "ipRules")
	assert.Empty(t, litware.Find(pe))
	// The service's egress, when given, is the only way in.
	values, err := drconfig.ReadStackFile(filepath.Join("..", stackfile.Path("litware")))
	require.NoError(t, err)
	values["fhir-dr:cosmos"] = `{"throughput":1000,"allowedIPRanges":["203.0.113.0/24","198.51.100.7"]}`
	filtered, err := render.Run("litware", values, program.Deploy)
	require.NoError(t, err)
	f := get(t, filtered, account, "account")
	assert.Equal(t, "Enabled", f.Inputs["publicNetworkAccess"])
	assert.JSONEq(t, `[{"ipAddressOrRange":"203.0.113.0/24"},{"ipAddressOrRange":"198.51.100.7"}]`, asJSON(t, f.Inputs["ipRules"]))
	assert.JSONEq(t, `[{"locationName":"uksouth","failoverPriority":0,"isZoneRedundant":true},`+
		`{"locationName":"ukwest","failoverPriority":1,"isZoneRedundant":false}]`, asJSON(t, a.Inputs["locations"]))
	assert.Equal(t, map[string]any{"customer": "litware", "dr-role": "primary", "managed-by": "fhir-dr"}, a.Inputs["tags"],
		"the same whatever the DR state")
	assert.Empty(t, litware.Find(cluster))
	assert.Empty(t, litware.Find(profile))
	assert.NotContains(t, litware.Outputs, "trafficManagerFqdn")
	assert.EqualValues(t, 900, litware.Outputs["rpoSeconds"])
	assert.EqualValues(t, (3+15+60)*60+30+45, litware.Outputs["rtoSeconds"], "detected by the 503 rule in 3 minutes")

	adatum := renderStack(t, "adatum")
	a = get(t, adatum, account, "account")
	assert.JSONEq(t, `[{"locationName":"eastus2","failoverPriority":0,"isZoneRedundant":true}]`, asJSON(t, a.Inputs["locations"]))
	assert.Equal(t, true, a.Inputs["enableAutomaticFailover"], "unchanged by enabling DR later")
	assert.Equal(t, map[string]any{"customer": "adatum", "dr-role": "primary", "managed-by": "fhir-dr"}, a.Inputs["tags"])
	assert.Equal(t, false, adatum.Outputs["drEnabled"])
	assert.NotContains(t, adatum.Outputs, "rpoSeconds")
}

// TestCosmosPrivateAccess: each stamp reaches the account through a private
// endpoint (SQL API) in a subnet of its own VNet, and resolves the account
// through a private DNS zone of its own linked to that VNet, filled by the
// endpoint's zone group; the account's public endpoint is closed.
func TestCosmosPrivateAccess(t *testing.T) {
	plan := renderStack(t, "contoso")
	accountID := get(t, plan, account, "account").ID
	sub := "/subscriptions/00000000-0000-0000-0000-000000000000"
	for role, want := range map[string]struct{ region, rg, prefix string }{
		"primary":   {"eastus", "rg-contoso-fhir-eastus", "10.50.16.0/24"},
		"secondary": {"westus", "rg-contoso-fhir-dr-westus", "10.51.16.0/24"},
	} {
		base := "contoso-fhir-" + role
		tagMap := tags("contoso", "SR-100234", "full", role, "fhir-dr-full", "2", map[string]any{"cost-center": "4711"})
		net := get(t, plan, vnet, role+"-vnet")
		sn := get(t, plan, subnet, role+"-private-endpoints")
		assert.JSONEq(t, asJSON(t, map[string]any{
			"subnetName": "snet-private-endpoints", "resourceGroupName": want.rg, "virtualNetworkName": "vnet-" + base,
			"addressPrefix": want.prefix, "privateEndpointNetworkPolicies": "Disabled", "privateLinkServiceNetworkPolicies": "Enabled",
		}), asJSON(t, sn.Inputs), role)
		endpointRes := get(t, plan, pe, role+"-cosmos-endpoint")
		assert.JSONEq(t, asJSON(t, map[string]any{
			"privateEndpointName": "pe-" + base + "-cosmos", "resourceGroupName": want.rg, "location": want.region,
			"subnet": map[string]any{"id": sn.ID, "privateEndpointNetworkPolicies": "Disabled", "privateLinkServiceNetworkPolicies": "Enabled"},
			"privateLinkServiceConnections": []any{map[string]any{
				"name": "cosmos-sql", "privateLinkServiceId": accountID, "groupIds": []any{"Sql"},
			}},
			"tags": tagMap,
		}), asJSON(t, endpointRes.Inputs), role)
		zone := get(t, plan, dnsZone, role+"-cosmos-dns")
		assert.JSONEq(t, asJSON(t, map[string]any{
			"privateZoneName": "privatelink.documents.azure.com", "resourceGroupName": want.rg, "location": "global", "tags": tagMap,
		}), asJSON(t, zone.Inputs), role)
		assert.Equal(t, sub+"/resourceGroups/"+want.rg+"/providers/Microsoft.Network/privateDnsZones/privatelink.documents.azure.com", zone.ID)
		assert.JSONEq(t, asJSON(t, map[string]any{
			"virtualNetworkLinkName": "link-vnet-" + base, "privateZoneName": "privatelink.documents.azure.com",
			"resourceGroupName": want.rg, "location": "global", "virtualNetwork": map[string]any{"id": net.ID},
			"registrationEnabled": false, "tags": tagMap,
		}), asJSON(t, get(t, plan, dnsLink, role+"-cosmos-dns-link").Inputs), role)
		assert.JSONEq(t, asJSON(t, map[string]any{
			"privateDnsZoneGroupName": "default", "privateEndpointName": "pe-" + base + "-cosmos", "resourceGroupName": want.rg,
			"privateDnsZoneConfigs": []any{map[string]any{"name": "privatelink-documents-azure-com", "privateDnsZoneId": zone.ID}},
		}), asJSON(t, get(t, plan, dnsGroup, role+"-cosmos-dns-group").Inputs), role)
	}
	// A stack's own address plan: the /24 after its node subnet.
	fabrikam := renderStack(t, "fabrikam")
	assert.Equal(t, "10.60.16.0/24", get(t, fabrikam, subnet, "primary-private-endpoints").Inputs["addressPrefix"])
	assert.Equal(t, "10.61.16.0/24", get(t, fabrikam, subnet, "secondary-private-endpoints").Inputs["addressPrefix"])
}

// regionSpecific removes the values that legitimately differ between the
// primary and the secondary stamp (present or not), returning what it removed.
func regionSpecific(t *testing.T, inputs map[string]any, paths ...string) (map[string]any, map[string]any) {
	t.Helper()
	var copyOf map[string]any
	require.NoError(t, json.Unmarshal([]byte(asJSON(t, inputs)), &copyOf))
	replaced := map[string]any{}
	for _, path := range paths {
		replace(copyOf, strings.Split(path, "."), path, replaced)
	}
	return copyOf, replaced
}

func replace(node any, keys []string, path string, replaced map[string]any) {
	switch n := node.(type) {
	case map[string]any:
		if keys[0] == "*" {
			return
		}
		if len(keys) == 1 {
			if v, ok := n[keys[0]]; ok {
				replaced[path] = v
				delete(n, keys[0])
			}
			return
		}
		replace(n[keys[0]], keys[1:], path, replaced)
	case []any:
		if keys[0] != "*" {
			return
		}
		for i := range n {
			replace(n[i], keys[1:], path, replaced)
		}
	}
}

// TestMirror proves that the secondary stamp is the primary's mirror: for
// every full-tier example stack, each secondary resource's inputs equal the
// primary's once the region-specific values (location, names, address
// ranges, zones, subnet, role tag) are set aside, and those values are the
// ones the configuration asks for.
func TestMirror(t *testing.T) {
	regional := map[string][]string{
		cluster: {"location", "resourceName", "dnsPrefix", "nodeResourceGroup", "resourceGroupName", "tags.dr-role",
			"agentPoolProfiles.*.vnetSubnetID", "agentPoolProfiles.*.availabilityZones"},
		vnet:     {"location", "virtualNetworkName", "resourceGroupName", "addressSpace.addressPrefixes", "tags.dr-role"},
		subnet:   {"resourceGroupName", "virtualNetworkName", "addressPrefix"},
		publicIP: {"location", "publicIpAddressName", "resourceGroupName", "dnsSettings.domainNameLabel", "zones", "tags.dr-role"},
		pe:       {"location", "privateEndpointName", "resourceGroupName", "subnet.id", "tags.dr-role"},
		dnsZone:  {"resourceGroupName", "tags.dr-role"},
		dnsLink:  {"virtualNetworkLinkName", "resourceGroupName", "virtualNetwork.id", "tags.dr-role"},
		dnsGroup: {"privateEndpointName", "resourceGroupName", "privateDnsZoneConfigs.*.privateDnsZoneId"},
	}
	suffix := map[string]string{cluster: "-aks", vnet: "-vnet", subnet: "-nodes", publicIP: "-ingress-ip",
		pe: "-cosmos-endpoint", dnsZone: "-cosmos-dns", dnsLink: "-cosmos-dns-link", dnsGroup: "-cosmos-dns-group"}
	for _, stack := range []string{"contoso", "fabrikam", "northwind", "tailspin"} {
		t.Run(stack, func(t *testing.T) {
			cfg, err := drconfig.LoadFile(filepath.Join("..", stackfile.Path(stack)))
			require.NoError(t, err)
			plan := renderStack(t, stack)
			for typ, paths := range regional {
				p, pRegional := regionSpecific(t, get(t, plan, typ, "primary"+suffix[typ]).Inputs, paths...)
				s, sRegional := regionSpecific(t, get(t, plan, typ, "secondary"+suffix[typ]).Inputs, paths...)
				assert.Equalf(t, p, s, "%s: the secondary mirrors the primary", typ)
				if _, ok := pRegional["location"]; ok {
					assert.Equal(t, cfg.PrimaryRegion, pRegional["location"])
					assert.Equal(t, cfg.DR.SecondaryRegion, sRegional["location"])
				}
			}
			pv := get(t, plan, vnet, "primary-vnet").Inputs["addressSpace"]
			sv := get(t, plan, vnet, "secondary-vnet").Inputs["addressSpace"]
			assert.JSONEq(t, asJSON(t, map[string]any{"addressPrefixes": []string{cfg.Compute.Network.Primary.AddressSpace}}), asJSON(t, pv))
			assert.JSONEq(t, asJSON(t, map[string]any{"addressPrefixes": []string{cfg.Compute.Network.Secondary.AddressSpace}}), asJSON(t, sv))
			assert.Equal(t, "rg-"+cfg.Customer+"-fhir-dr-"+cfg.DR.SecondaryRegion, get(t, plan, cluster, "secondary-aks").Inputs["resourceGroupName"])
		})
	}
}

func TestClusterInputs(t *testing.T) {
	plan := renderStack(t, "contoso")
	want := map[string]any{
		"resourceName":      "aks-contoso-fhir-primary",
		"resourceGroupName": "rg-contoso-fhir-eastus",
		"location":          "eastus",
		"dnsPrefix":         "contoso-fhir-primary",
		"nodeResourceGroup": "rg-contoso-fhir-primary-aks-nodes",
		"kubernetesVersion": "1.33",
		"sku":               map[string]any{"name": "Base", "tier": "Standard"},
		"identity":          map[string]any{"type": "SystemAssigned"},
		"aadProfile": map[string]any{
			"managed": true, "enableAzureRBAC": true,
			"adminGroupObjectIDs": []any{"6f1c2a9e-3b4d-4e8f-9a0b-1c2d3e4f5a6b"},
		},
		"enableRBAC":             true,
		"disableLocalAccounts":   true,
		"apiServerAccessProfile": map[string]any{"authorizedIPRanges": []any{"203.0.113.0/24"}},
		"agentPoolProfiles": []any{
			map[string]any{
				"name": "system", "mode": "System", "vmSize": "Standard_D4ds_v5", "osType": "Linux", "osSKU": "AzureLinux",
				"type": "VirtualMachineScaleSets", "enableAutoScaling": true, "minCount": 2, "maxCount": 5, "count": 2,
				"availabilityZones": []any{"1", "2", "3"},
				"vnetSubnetID":      "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-contoso-fhir-eastus/providers/Microsoft.Network/virtualNetworks/vnet-contoso-fhir-primary/subnets/snet-aks-nodes",
			},
			map[string]any{
				"name": "fhir", "mode": "User", "vmSize": "Standard_D8ds_v5", "osType": "Linux", "osSKU": "AzureLinux",
				"type": "VirtualMachineScaleSets", "enableAutoScaling": true, "minCount": 2, "maxCount": 10, "count": 2,
				"availabilityZones": []any{"1", "2", "3"},
				"vnetSubnetID":      "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-contoso-fhir-eastus/providers/Microsoft.Network/virtualNetworks/vnet-contoso-fhir-primary/subnets/snet-aks-nodes",
			},
		},
		"networkProfile": map[string]any{
			"networkPlugin": "azure", "networkPluginMode": "overlay", "networkDataplane": "cilium", "networkPolicy": "cilium",
			"loadBalancerSku": "standard", "outboundType": "loadBalancer",
			"podCidr": "10.244.0.0/16", "serviceCidr": "10.0.0.0/16", "dnsServiceIP": "10.0.0.10",
		},
		"oidcIssuerProfile":  map[string]any{"enabled": true},
		"securityProfile":    map[string]any{"workloadIdentity": map[string]any{"enabled": true}},
		"autoUpgradeProfile": map[string]any{"upgradeChannel": "patch", "nodeOSUpgradeChannel": "NodeImage"},
		"tags":               tags("contoso", "SR-100234", "full", "primary", "fhir-dr-full", "2", map[string]any{"cost-center": "4711"}),
	}
	assert.JSONEq(t, asJSON(t, want), asJSON(t, get(t, plan, cluster, "primary-aks").Inputs))
	// westus has no availability zones: the secondary's pools are regional.
	for _, pool := range get(t, plan, cluster, "secondary-aks").Inputs["agentPoolProfiles"].([]any) {
		assert.NotContains(t, pool, "availabilityZones")
	}
	assert.JSONEq(t, `{"enablePrivateCluster":true}`, asJSON(t, get(t, renderStack(t, "fabrikam"), cluster, "primary-aks").Inputs["apiServerAccessProfile"]))
}

func TestTrafficManager(t *testing.T) {
	plan := renderStack(t, "contoso")
	assert.JSONEq(t, asJSON(t, map[string]any{
		"profileName":          "tm-contoso-fhir",
		"resourceGroupName":    "rg-contoso-fhir-dr-westus",
		"location":             "global",
		"profileStatus":        "Enabled",
		"trafficRoutingMethod": "Priority",
		"dnsConfig":            map[string]any{"relativeName": "contoso-fhir", "ttl": 60},
		"monitorConfig": map[string]any{
			"protocol": "HTTPS", "port": 443, "path": "/health/check",
			"intervalInSeconds": 10, "timeoutInSeconds": 5, "toleratedNumberOfFailures": 2,
		},
		"tags": tags("contoso", "SR-100234", "full", "global", "fhir-dr-full", "2", map[string]any{"cost-center": "4711"}),
	}), asJSON(t, get(t, plan, profile, "profile").Inputs))
	for role, priority := range map[string]int{"primary": 1, "secondary": 2} {
		ip := get(t, plan, publicIP, role+"-ingress-ip")
		assert.JSONEq(t, asJSON(t, map[string]any{
			"endpointName":      role,
			"endpointType":      "AzureEndpoints",
			"profileName":       "tm-contoso-fhir",
			"resourceGroupName": "rg-contoso-fhir-dr-westus",
			"targetResourceId":  ip.ID,
			"priority":          priority,
			"endpointStatus":    "Enabled",
		}), asJSON(t, get(t, plan, endpoint, role+"-endpoint").Inputs))
		assert.Equal(t, "Static", ip.Inputs["publicIPAllocationMethod"])
		assert.JSONEq(t, `{"name":"Standard","tier":"Regional"}`, asJSON(t, ip.Inputs["sku"]))
		assert.JSONEq(t, asJSON(t, map[string]any{"domainNameLabel": "contoso-fhir-" + role}), asJSON(t, ip.Inputs["dnsSettings"]))
	}
	tailspin := renderStack(t, "tailspin")
	assert.JSONEq(t, `{"protocol":"HTTPS","port":443,"path":"/health/check","intervalInSeconds":10,"timeoutInSeconds":5,"toleratedNumberOfFailures":2}`,
		asJSON(t, get(t, tailspin, profile, "profile").Inputs["monitorConfig"]))
}

func TestMonitoringAndTags(t *testing.T) {
	plan := renderStack(t, "contoso")
	ws := get(t, plan, workspace, "workspace")
	assert.JSONEq(t, asJSON(t, map[string]any{
		"workspaceName": "log-contoso-fhir", "resourceGroupName": "rg-contoso-fhir-eastus", "location": "eastus",
		"sku": map[string]any{"name": "PerGB2018"}, "retentionInDays": 90,
		"tags": tags("contoso", "SR-100234", "full", "primary", "fhir-dr-full", "2", map[string]any{"cost-center": "4711"}),
	}), asJSON(t, ws.Inputs))
	exported := map[string]string{}
	for _, d := range plan.Find(diag) {
		assert.Equal(t, "fhir-dr-audit", d.Inputs["name"])
		assert.Equal(t, ws.ID, d.Inputs["workspaceId"])
		assert.Equal(t, "Dedicated", d.Inputs["logAnalyticsDestinationType"])
		assert.JSONEq(t, `[{"category":"AllMetrics","enabled":true}]`, asJSON(t, d.Inputs["metrics"]))
		exported[d.Inputs["resourceUri"].(string)] = asJSON(t, d.Inputs["logs"])
	}
	allLogs := `[{"categoryGroup":"allLogs","enabled":true}]`
	aksAudit := `[{"category":"kube-audit-admin","enabled":true},{"category":"guard","enabled":true}]`
	assert.Equal(t, map[string]string{
		get(t, plan, account, "account").ID:       allLogs,
		get(t, plan, profile, "profile").ID:       allLogs,
		get(t, plan, cluster, "primary-aks").ID:   aksAudit,
		get(t, plan, cluster, "secondary-aks").ID: aksAudit,
	}, exported)

	// The customer's data resources carry only tags that do not depend on
	// the DR state; every other taggable resource carries the customer,
	// ticket, tier, role and billing tags.
	data := map[string]bool{"primary-rg": true, "account": true, "health": true, "fhirR4": true}
	dataTags := map[string]any{"customer": "contoso", "dr-role": "primary", "managed-by": "fhir-dr", "cost-center": "4711"}
	for _, r := range plan.Resources {
		if !r.Custom || !taggable(r.Type) {
			continue
		}
		tagMap, ok := r.Inputs["tags"].(map[string]any)
		require.Truef(t, ok, "%s %s has tags", r.Type, r.Name)
		if data[r.Name] {
			assert.Equalf(t, dataTags, tagMap, "%s %s", r.Type, r.Name)
			continue
		}
		for _, k := range drconfig.RequiredTags {
			assert.Containsf(t, tagMap, k, "%s %s", r.Type, r.Name)
		}
	}
}

// After a recorded failover the secondary takes writes: only the
// priorities change, the array order and everything else stay.
func TestFailedOverAccount(t *testing.T) {
	values, err := drconfig.ReadStackFile(filepath.Join("..", stackfile.Path("contoso")))
	require.NoError(t, err)
	values["fhir-dr:dr"] = `{"enabled":true,"paging":{"actionGroupId":"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-platform-oncall/providers/Microsoft.Insights/actionGroups/ag-fhir-oncall"},"tier":"full","ticket":"SR-100234","writeRegion":"westus",` +
		`"writeRegionChange":"planned failover to westus at 2026-11-25T18:00:00Z by ops for SR-100999"}`
	failedOver, err := render.Run("contoso", values, program.Deploy)
	require.NoError(t, err)
	normal := renderStack(t, "contoso")

	a := get(t, failedOver, account, "account")
	assert.JSONEq(t, `[{"locationName":"eastus","failoverPriority":1,"isZoneRedundant":true},`+
		`{"locationName":"westus","failoverPriority":0,"isZoneRedundant":false}]`, asJSON(t, a.Inputs["locations"]))
	assert.Equal(t, "westus", failedOver.Outputs["writeRegion"])
	delete(a.Inputs, "locations")
	b := get(t, normal, account, "account")
	delete(b.Inputs, "locations")
	assert.Equal(t, b.Inputs, a.Inputs, "nothing else of the account changes")
	// Traffic still goes to the primary first: the profile is unchanged.
	assert.Equal(t, get(t, normal, profile, "profile").Inputs, get(t, failedOver, profile, "profile").Inputs)
}

// During a region move the old secondary stays as a third region until the
// next change removes it; the new one takes its place as priority 1.
func TestRegionMove(t *testing.T) {
	values, err := drconfig.ReadStackFile(filepath.Join("..", stackfile.Path("litware")))
	require.NoError(t, err)
	values["fhir-dr:dr"] = `{"enabled":true,"paging":{"actionGroupId":"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-platform-oncall/providers/Microsoft.Insights/actionGroups/ag-fhir-oncall"},"tier":"data","ticket":"SR-7","secondaryRegion":"northeurope","retiringSecondaryRegion":"ukwest"}`
	plan, err := render.Run("litware", values, program.Deploy)
	require.NoError(t, err)
	assert.JSONEq(t, `[{"locationName":"uksouth","failoverPriority":0,"isZoneRedundant":true},`+
		`{"locationName":"northeurope","failoverPriority":1,"isZoneRedundant":true},`+
		`{"locationName":"ukwest","failoverPriority":2,"isZoneRedundant":false}]`, asJSON(t, get(t, plan, account, "account").Inputs["locations"]))
	assert.EqualValues(t, 3, plan.Outputs["billingMultiplier"])

	// The retiring region keeps the zone redundancy it is deployed with,
	// not its region's zone support: northwind's old secondary
	// swedencentral (a region with zones) was deployed without.
	values, err = drconfig.ReadStackFile(filepath.Join("..", stackfile.Path("northwind")))
	require.NoError(t, err)
	values["fhir-dr:dr"] = `{"enabled":true,"paging":{"actionGroupId":"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-platform-oncall/providers/Microsoft.Insights/actionGroups/ag-fhir-oncall"},"tier":"full","ticket":"SR-101002","secondaryRegion":"norwayeast","retiringSecondaryRegion":"swedencentral"}`
	values["fhir-dr:cosmos"] = `{"autoscaleMaxThroughput":20000,"backup":{"type":"Continuous","tier":"Continuous30Days"},"zoneRedundant":{"retiring":false}}`
	plan, err = render.Run("northwind", values, program.Deploy)
	require.NoError(t, err)
	assert.JSONEq(t, `[{"locationName":"westeurope","failoverPriority":0,"isZoneRedundant":true},`+
		`{"locationName":"norwayeast","failoverPriority":1,"isZoneRedundant":true},`+
		`{"locationName":"swedencentral","failoverPriority":2,"isZoneRedundant":false}]`, asJSON(t, get(t, plan, account, "account").Inputs["locations"]))
	// Left out, the retiring region has the default its secondary setting
	// had: zone-redundant where the region has zones.
	values["fhir-dr:cosmos"] = `{"autoscaleMaxThroughput":20000,"backup":{"type":"Continuous","tier":"Continuous30Days"}}`
	plan, err = render.Run("northwind", values, program.Deploy)
	require.NoError(t, err)
	assert.JSONEq(t, `{"locationName":"swedencentral","failoverPriority":2,"isZoneRedundant":true}`,
		asJSON(t, get(t, plan, account, "account").Inputs["locations"].([]any)[2]))
}

// The date DR was granted, from the stack file, is stamped on the DR
// resources and never on the customer's data.
func TestEnabledAtTag(t *testing.T) {
	values, err := drconfig.ReadStackFile(filepath.Join("..", stackfile.Path("litware")))
	require.NoError(t, err)
	values["fhir-dr:dr"] = `{"enabled":true,"paging":{"actionGroupId":"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-platform-oncall/providers/Microsoft.Insights/actionGroups/ag-fhir-oncall"},"tier":"data","ticket":"SR-101511","enabledAt":"2026-03-02"}`
	plan, err := render.Run("litware", values, program.Deploy)
	require.NoError(t, err)
	assert.Equal(t, "2026-03-02", get(t, plan, workspace, "workspace").Inputs["tags"].(map[string]any)["dr-enabled-at"])
	assert.NotContains(t, get(t, plan, account, "account").Inputs["tags"], "dr-enabled-at")
}
