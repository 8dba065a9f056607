// Package containerservice registers azure-native:containerservice resources
// by type token, shaped like the generated package
// github.com/pulumi/pulumi-azure-native-sdk/containerservice/v3. Only the
// inputs fhir-dr sets are declared; their names match the provider schema
// exactly.
package containerservice

import (
	"fmt"
	"maps"
	"reflect"
	"slices"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/fhir-dr/fhir-dr/azure/azurenative"
)

// ManagedClusterToken is the type token of ManagedCluster.
const ManagedClusterToken = "azure-native:containerservice:ManagedCluster"

// Values of the ResourceIdentityType enum.
const ResourceIdentityTypeSystemAssigned pulumi.String = "SystemAssigned"

// ManagedCluster is an AKS cluster.
type ManagedCluster struct {
	pulumi.CustomResourceState

	// Fqdn is the API server's FQDN (public clusters).
	Fqdn pulumi.StringOutput `pulumi:"fqdn"`
	// Identity is the cluster's (control plane) managed identity.
	Identity ManagedClusterIdentityResponsePtrOutput `pulumi:"identity"`
	// Name is the cluster's name.
	Name pulumi.StringOutput `pulumi:"name"`
	// OidcIssuerProfile holds the issuer URL workload identity federates
	// with.
	OidcIssuerProfile ManagedClusterOIDCIssuerProfileResponsePtrOutput `pulumi:"oidcIssuerProfile"`
}

// ManagedClusterArgs are the inputs of ManagedCluster.
type ManagedClusterArgs struct {
	// AadProfile configures Entra ID integration.
	AadProfile *ManagedClusterAADProfileArgs `pulumi:"aadProfile"`
	// AddonProfiles configure add-ons such as the monitoring agent.
	AddonProfiles ManagedClusterAddonProfileMap `pulumi:"addonProfiles"`
	// AgentPoolProfiles are the cluster's node pools.
	AgentPoolProfiles ManagedClusterAgentPoolProfileArray `pulumi:"agentPoolProfiles"`
	// ApiServerAccessProfile restricts access to the API server.
	ApiServerAccessProfile *ManagedClusterAPIServerAccessProfileArgs `pulumi:"apiServerAccessProfile"`
	// AutoUpgradeProfile sets the upgrade channels.
	AutoUpgradeProfile *ManagedClusterAutoUpgradeProfileArgs `pulumi:"autoUpgradeProfile"`
	// DisableLocalAccounts turns off the static admin kubeconfig.
	DisableLocalAccounts pulumi.BoolPtrInput `pulumi:"disableLocalAccounts"`
	// DnsPrefix is the API server's DNS prefix.
	DnsPrefix pulumi.StringPtrInput `pulumi:"dnsPrefix"`
	// EnableRBAC turns on Kubernetes RBAC.
	EnableRBAC pulumi.BoolPtrInput `pulumi:"enableRBAC"`
	// Identity is the cluster's managed identity.
	Identity *ManagedClusterIdentityArgs `pulumi:"identity"`
	// KubernetesVersion is the control plane's version.
	KubernetesVersion pulumi.StringPtrInput `pulumi:"kubernetesVersion"`
	// Location is the cluster's region.
	Location pulumi.StringPtrInput `pulumi:"location"`
	// NetworkProfile is the cluster's network configuration.
	NetworkProfile *ContainerServiceNetworkProfileArgs `pulumi:"networkProfile"`
	// NodeResourceGroup names the group AKS creates for the nodes.
	NodeResourceGroup pulumi.StringPtrInput `pulumi:"nodeResourceGroup"`
	// OidcIssuerProfile turns on the OIDC issuer (workload identity).
	OidcIssuerProfile *ManagedClusterOIDCIssuerProfileArgs `pulumi:"oidcIssuerProfile"`
	// ResourceGroupName is the group that holds the cluster. Required.
	ResourceGroupName pulumi.StringInput `pulumi:"resourceGroupName"`
	// ResourceName is the cluster's name.
	ResourceName pulumi.StringPtrInput `pulumi:"resourceName"`
	// SecurityProfile turns on security features such as workload
	// identity.
	SecurityProfile *ManagedClusterSecurityProfileArgs `pulumi:"securityProfile"`
	// Sku is the cluster's SKU (name and tier).
	Sku *ManagedClusterSKUArgs `pulumi:"sku"`
	// Tags are the cluster's tags.
	Tags pulumi.StringMapInput `pulumi:"tags"`
}

// ElementType makes ManagedClusterArgs a pulumi.Input.
func (ManagedClusterArgs) ElementType() reflect.Type {
	return reflect.TypeOf((*ManagedClusterArgs)(nil)).Elem()
}

// ManagedClusterAADProfileArgs configure Entra ID integration.
type ManagedClusterAADProfileArgs struct {
	// AdminGroupObjectIDs are the Entra groups with cluster admin rights.
	AdminGroupObjectIDs pulumi.StringArrayInput `pulumi:"adminGroupObjectIDs"`
	// EnableAzureRBAC authorizes Kubernetes requests with Azure RBAC.
	EnableAzureRBAC pulumi.BoolPtrInput `pulumi:"enableAzureRBAC"`
	// Managed selects AKS-managed Entra ID integration.
	Managed pulumi.BoolPtrInput `pulumi:"managed"`
}

// ManagedClusterAddonProfileArgs configure one add-on.
type ManagedClusterAddonProfileArgs struct {
	// Config holds the add-on's settings.
	Config pulumi.StringMapInput `pulumi:"config"`
	// Enabled turns the add-on on. Required.
	Enabled pulumi.BoolInput `pulumi:"enabled"`
}

// ManagedClusterAddonProfileMap maps add-on names to their profiles.
type ManagedClusterAddonProfileMap map[string]ManagedClusterAddonProfileArgs

// ManagedClusterAgentPoolProfileArgs is one node pool.
type ManagedClusterAgentPoolProfileArgs struct {
	// AvailabilityZones are the zones the pool's nodes spread over.
	AvailabilityZones pulumi.StringArrayInput `pulumi:"availabilityZones"`
	// Count is the node count (the initial count with autoscaling).
	Count pulumi.IntPtrInput `pulumi:"count"`
	// EnableAutoScaling turns on the cluster autoscaler.
	EnableAutoScaling pulumi.BoolPtrInput `pulumi:"enableAutoScaling"`
	// MaxCount is the autoscaler's ceiling.
	MaxCount pulumi.IntPtrInput `pulumi:"maxCount"`
	// MinCount is the autoscaler's floor.
	MinCount pulumi.IntPtrInput `pulumi:"minCount"`
	// Mode is System or User.
	Mode pulumi.StringPtrInput `pulumi:"mode"`
	// Name is the pool's name. Required.
	Name pulumi.StringInput `pulumi:"name"`
	// OsSKU is the node OS image family.
	OsSKU pulumi.StringPtrInput `pulumi:"osSKU"`
	// OsType is Linux or Windows.
	OsType pulumi.StringPtrInput `pulumi:"osType"`
	// Type is the pool's VM orchestration type.
	Type pulumi.StringPtrInput `pulumi:"type"`
	// VmSize is the nodes' VM size.
	VmSize pulumi.StringPtrInput `pulumi:"vmSize"`
	// VnetSubnetID is the subnet the nodes join.
	VnetSubnetID pulumi.StringPtrInput `pulumi:"vnetSubnetID"`
}

// ManagedClusterAgentPoolProfileArray is a list of node pools.
type ManagedClusterAgentPoolProfileArray []ManagedClusterAgentPoolProfileArgs

// ManagedClusterAPIServerAccessProfileArgs restrict access to the API server.
type ManagedClusterAPIServerAccessProfileArgs struct {
	// AuthorizedIPRanges are the only ranges allowed to reach a public API
	// server.
	AuthorizedIPRanges pulumi.StringArrayInput `pulumi:"authorizedIPRanges"`
	// EnablePrivateCluster makes the API server private.
	EnablePrivateCluster pulumi.BoolPtrInput `pulumi:"enablePrivateCluster"`
}

// ManagedClusterAutoUpgradeProfileArgs set the upgrade channels.
type ManagedClusterAutoUpgradeProfileArgs struct {
	// NodeOSUpgradeChannel is the node image channel.
	NodeOSUpgradeChannel pulumi.StringPtrInput `pulumi:"nodeOSUpgradeChannel"`
	// UpgradeChannel is the Kubernetes version channel.
	UpgradeChannel pulumi.StringPtrInput `pulumi:"upgradeChannel"`
}

// ManagedClusterIdentityArgs is a cluster's managed identity.
type ManagedClusterIdentityArgs struct {
	// Type is one of the ResourceIdentityType values.
	Type pulumi.StringPtrInput `pulumi:"type"`
}

// ContainerServiceNetworkProfileArgs is a cluster's network configuration.
type ContainerServiceNetworkProfileArgs struct {
	// DnsServiceIP defaults to 10.0.0.10.
	DnsServiceIP pulumi.StringPtrInput `pulumi:"dnsServiceIP"`
	// LoadBalancerSku is standard or basic.
	LoadBalancerSku pulumi.StringPtrInput `pulumi:"loadBalancerSku"`
	// NetworkDataplane is azure or cilium.
	NetworkDataplane pulumi.StringPtrInput `pulumi:"networkDataplane"`
	// NetworkPlugin is azure, kubenet or none.
	NetworkPlugin pulumi.StringPtrInput `pulumi:"networkPlugin"`
	// NetworkPluginMode is overlay for Azure CNI Overlay.
	NetworkPluginMode pulumi.StringPtrInput `pulumi:"networkPluginMode"`
	// NetworkPolicy is none, calico, azure or cilium.
	NetworkPolicy pulumi.StringPtrInput `pulumi:"networkPolicy"`
	// OutboundType defaults to loadBalancer.
	OutboundType pulumi.StringPtrInput `pulumi:"outboundType"`
	// PodCidr defaults to 10.244.0.0/16.
	PodCidr pulumi.StringPtrInput `pulumi:"podCidr"`
	// ServiceCidr defaults to 10.0.0.0/16.
	ServiceCidr pulumi.StringPtrInput `pulumi:"serviceCidr"`
}

// ManagedClusterOIDCIssuerProfileArgs turn on the OIDC issuer.
type ManagedClusterOIDCIssuerProfileArgs struct {
	// Enabled turns the issuer on.
	Enabled pulumi.BoolPtrInput `pulumi:"enabled"`
}

// ManagedClusterSecurityProfileArgs are a cluster's security features.
type ManagedClusterSecurityProfileArgs struct {
	// WorkloadIdentity installs the workload identity webhook.
	WorkloadIdentity *ManagedClusterSecurityProfileWorkloadIdentityArgs `pulumi:"workloadIdentity"`
}

// ManagedClusterSecurityProfileWorkloadIdentityArgs configure workload
// identity.
type ManagedClusterSecurityProfileWorkloadIdentityArgs struct {
	// Enabled turns workload identity on.
	Enabled pulumi.BoolPtrInput `pulumi:"enabled"`
}

// ManagedClusterSKUArgs are a cluster's SKU.
type ManagedClusterSKUArgs struct {
	// Name is Base or Automatic.
	Name pulumi.StringPtrInput `pulumi:"name"`
	// Tier is Free, Standard or Premium.
	Tier pulumi.StringPtrInput `pulumi:"tier"`
}

// NewManagedCluster registers an AKS cluster, filling the SDK's network
// profile defaults (dnsServiceIP 10.0.0.10, outboundType loadBalancer, podCidr
// 10.244.0.0/16, serviceCidr 10.0.0.0/16) when a network profile is given.
func NewManagedCluster(ctx *pulumi.Context, name string, args *ManagedClusterArgs,
	opts ...pulumi.ResourceOption,
) (*ManagedCluster, error) {
	if args == nil {
		args = &ManagedClusterArgs{}
	}
	required := []azurenative.Input{{Name: "resourceGroupName", Set: args.ResourceGroupName != nil}}
	for i, pool := range args.AgentPoolProfiles {
		required = append(required, azurenative.Input{
			Name: fmt.Sprintf("agentPoolProfiles[%d].name", i), Set: pool.Name != nil,
		})
	}
	for _, addon := range slices.Sorted(maps.Keys(args.AddonProfiles)) {
		required = append(required, azurenative.Input{
			Name: "addonProfiles." + addon + ".enabled", Set: args.AddonProfiles[addon].Enabled != nil,
		})
	}
	if err := azurenative.CheckRequired(ManagedClusterToken, required...); err != nil {
		return nil, err
	}
	if p := args.NetworkProfile; p != nil {
		if p.DnsServiceIP == nil {
			p.DnsServiceIP = pulumi.StringPtr("10.0.0.10")
		}
		if p.OutboundType == nil {
			p.OutboundType = pulumi.StringPtr("loadBalancer")
		}
		if p.PodCidr == nil {
			p.PodCidr = pulumi.StringPtr("10.244.0.0/16")
		}
		if p.ServiceCidr == nil {
			p.ServiceCidr = pulumi.StringPtr("10.0.0.0/16")
		}
	}
	var res ManagedCluster
	if err := azurenative.Register(ctx, ManagedClusterToken, name, args, &res, opts...); err != nil {
		return nil, err
	}
	return &res, nil
}
