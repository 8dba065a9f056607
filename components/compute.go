package components

import (
	"errors"
	"github.com/fhir-dr/fhir-dr/naming"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/fhir-dr/fhir-dr/azure/authorization"
	"github.com/fhir-dr/fhir-dr/azure/containerservice"
	"github.com/fhir-dr/fhir-dr/azure/network"
	"github.com/fhir-dr/fhir-dr/azure/privatedns"
)

// ComputeSpec is what the primary and the secondary stamp share. Both stamps
// are built from one value of it, so they cannot drift apart.
type ComputeSpec struct {
	// KubernetesVersion is the AKS version. Required.
	KubernetesVersion pulumi.StringInput
	// SkuTier is the AKS tier (Free, Standard, Premium). Optional; defaults
	// to Standard, the tier with an uptime SLA.
	SkuTier pulumi.StringInput
	// NodePools are the node pools. Required; at least one System pool.
	NodePools []NodePool
	// APIServer restricts access to the API server. Required: private or
	// authorized ranges.
	APIServer APIServerAccess
	// AdminGroupObjectIDs are Entra ID cluster admin groups. Optional.
	AdminGroupObjectIDs pulumi.StringArrayInput
}

// NodePool is one AKS node pool of the spec.
type NodePool struct {
	// Name is the pool's name. Required.
	Name string
	// Mode is System or User. Optional; defaults to System.
	Mode pulumi.StringInput
	// VMSize is the node VM size. Optional; defaults to Standard_D4ds_v5.
	VMSize pulumi.StringInput
	// Count is a fixed node count. Required unless MinCount and MaxCount
	// are set, which make the pool autoscale between them.
	Count int
	// MinCount and MaxCount are the autoscaler's floor and ceiling.
	// Optional; together, instead of Count.
	MinCount, MaxCount int
	// Zones are the availability zones the pool spreads over, used only in
	// a region that has zones. Optional; defaults to none (regional).
	Zones []string
}

// APIServerAccess restricts who reaches a cluster's Kubernetes API.
type APIServerAccess struct {
	// Private makes the API server reachable only from the cluster's
	// virtual network. Optional; without it AuthorizedIPRanges is required.
	Private bool
	// AuthorizedIPRanges are the only ranges that may reach a public API
	// server. Required unless Private.
	AuthorizedIPRanges pulumi.StringArrayInput
}

// StampNetwork is one stamp's address plan.
type StampNetwork struct {
	// AddressSpace is the virtual network's CIDR. Required.
	AddressSpace pulumi.StringInput
	// NodeSubnet is the node subnet's CIDR, inside AddressSpace. Required.
	NodeSubnet pulumi.StringInput
	// PrivateEndpointSubnet is the CIDR of the subnet of the private
	// endpoint to the Cosmos DB account, inside AddressSpace. Required with
	// ComputeStampArgs.CosmosAccountID.
	PrivateEndpointSubnet pulumi.StringInput
}

// The compute defaults.
const (
	DefaultAKSSkuTier = "Standard"
	DefaultPoolMode   = "System"
	DefaultVMSize     = "Standard_D4ds_v5"
)

// ComputeStampArgs are the inputs of NewComputeStamp: the shared spec plus
// the values that are specific to a region.
type ComputeStampArgs struct {
	// Spec is the shared cluster spec. Required.
	Spec ComputeSpec
	// Customer is the customer id, part of every name. Required.
	Customer string
	// Role is primary or secondary, part of every name. Required.
	Role naming.Role
	// Region is the stamp's Azure region. Required.
	Region string
	// AvailabilityZones reports whether Region has zones; node pool zones and
	// the ingress IP's zones are used only where it does. Optional; defaults
	// to false.
	AvailabilityZones bool
	// Network is the stamp's address plan. Required.
	Network StampNetwork
	// CosmosAccountID is the Cosmos DB account the stamp's FHIR service
	// reaches through a private endpoint in the stamp's VNet, with its own
	// private DNS zone. Optional; without it the stamp has no private
	// endpoint.
	CosmosAccountID pulumi.StringInput
	// ResourceGroupName is the group that holds the stamp. Required.
	ResourceGroupName pulumi.StringInput
	// Tags are the tags of every taggable resource of the stamp. Optional.
	Tags pulumi.StringMapInput
}

// ComputeStamp is one region's AKS environment: a virtual network and node
// subnet, the cluster, and the static public IP with a DNS label that the
// FHIR ingress uses and Traffic Manager targets.
type ComputeStamp struct {
	pulumi.ResourceState

	// Cluster is the AKS cluster.
	Cluster *containerservice.ManagedCluster
	// ClusterID is the cluster's ARM ID.
	ClusterID pulumi.IDOutput
	// IngressIP is the ingress public IP.
	IngressIP *network.PublicIPAddress
	// IngressIPID is the ingress public IP's ARM ID, the Traffic Manager
	// endpoint target.
	IngressIPID pulumi.IDOutput
	// IngressDNSLabel is the ingress IP's DNS label.
	IngressDNSLabel string
	// IngressIPName is the ingress public IP's resource name, which the
	// FHIR service's load balancer claims.
	IngressIPName string
	// ResourceGroupName is the group that holds the stamp.
	ResourceGroupName pulumi.StringInput
	// Region is the stamp's region.
	Region string
	// PrivateAccess are the private endpoint to the Cosmos DB account, its
	// DNS zone group and the zone's VNet link: what the FHIR pods need
	// before they can reach the account. Empty without CosmosAccountID.
	PrivateAccess []pulumi.Resource
}

// CosmosPrivateDNSZone is the private DNS zone of Cosmos DB's SQL API
// private endpoints (Azure Private Endpoint DNS configuration).
const CosmosPrivateDNSZone = "privatelink.documents.azure.com"

// NewComputeStamp declares one region's stamp from the shared spec.
func NewComputeStamp(ctx *pulumi.Context, name string, args *ComputeStampArgs,
	opts ...pulumi.ResourceOption,
) (*ComputeStamp, error) {
	if args == nil || args.ResourceGroupName == nil || args.Customer == "" || args.Role == "" || args.Region == "" ||
		args.Spec.KubernetesVersion == nil || len(args.Spec.NodePools) == 0 || args.Network.AddressSpace == nil || args.Network.NodeSubnet == nil {
		return nil, errors.New("compute stamp: ResourceGroupName, Customer, Role, Region, the spec's KubernetesVersion and NodePools " +
			"and the network's AddressSpace and NodeSubnet are required")
	}
	if !args.Spec.APIServer.Private && args.Spec.APIServer.AuthorizedIPRanges == nil {
		return nil, errors.New("compute stamp: the API server must be private or limited to AuthorizedIPRanges")
	}
	if args.CosmosAccountID != nil && args.Network.PrivateEndpointSubnet == nil {
		return nil, errors.New("compute stamp: a private endpoint to the Cosmos DB account needs Network.PrivateEndpointSubnet")
	}
	s := &ComputeStamp{}
	if err := ctx.RegisterComponentResource("fhir-dr:index:ComputeStamp", name, s, opts...); err != nil {
		return nil, err
	}
	role := string(args.Role)
	names := naming.StampNames(args.Customer, args.Role)
	base := names.Base()

	vnet, err := network.NewVirtualNetwork(ctx, role+"-vnet", &network.VirtualNetworkArgs{
		VirtualNetworkName: pulumi.String(names.VirtualNetwork()),
		ResourceGroupName:  args.ResourceGroupName,
		Location:           pulumi.String(args.Region),
		AddressSpace: &network.AddressSpaceArgs{
			AddressPrefixes: pulumi.StringArray{args.Network.AddressSpace},
		},
		Tags: args.Tags,
	}, withParent(s)...)
	if err != nil {
		return nil, err
	}
	subnet, err := network.NewSubnet(ctx, role+"-nodes", &network.SubnetArgs{
		SubnetName:         pulumi.String(naming.NodeSubnet),
		ResourceGroupName:  args.ResourceGroupName,
		VirtualNetworkName: vnet.Name,
		AddressPrefix:      args.Network.NodeSubnet,
	}, withParent(s)...)
	if err != nil {
		return nil, err
	}

	cluster, err := containerservice.NewManagedCluster(ctx, role+"-aks", clusterArgs(args, base, subnet.ID()), withParent(s)...)
	if err != nil {
		return nil, err
	}
	if args.CosmosAccountID != nil {
		if s.PrivateAccess, err = cosmosPrivateAccess(ctx, s, args, base, vnet, subnet); err != nil {
			return nil, err
		}
	}

	s.IngressDNSLabel = base
	ipArgs := &network.PublicIPAddressArgs{
		PublicIpAddressName:      pulumi.String(names.IngressIP()),
		ResourceGroupName:        args.ResourceGroupName,
		Location:                 pulumi.String(args.Region),
		Sku:                      &network.PublicIPAddressSkuArgs{Name: pulumi.String("Standard"), Tier: pulumi.String("Regional")},
		PublicIPAllocationMethod: pulumi.String("Static"),
		PublicIPAddressVersion:   pulumi.String("IPv4"),
		DnsSettings:              &network.PublicIPAddressDnsSettingsArgs{DomainNameLabel: pulumi.String(base)},
		Tags:                     args.Tags,
	}
	if args.AvailabilityZones {
		ipArgs.Zones = pulumi.StringArray{pulumi.String("1"), pulumi.String("2"), pulumi.String("3")}
	}
	ip, err := network.NewPublicIPAddress(ctx, role+"-ingress-ip", ipArgs, withParent(s)...)
	if err != nil {
		return nil, err
	}
	// The IP lives in the stamp's group, not in the node group AKS owns, so
	// that it and its DNS label outlive the cluster. The cluster's load
	// balancer may claim it only with this grant; it is scoped to the one IP.
	if _, err := authorization.NewRoleAssignment(ctx, role+"-ingress-ip-network-contributor", &authorization.RoleAssignmentArgs{
		RoleAssignmentName: pulumi.String(stableGUID(args.Customer, role, "ingress-ip", RoleNetworkContributor)),
		PrincipalId:        cluster.Identity.PrincipalId().Elem(),
		PrincipalType:      authorization.PrincipalTypeServicePrincipal,
		RoleDefinitionId:   roleDefinitionID(ip.ID(), RoleNetworkContributor),
		Scope:              ip.ID().ToStringOutput(),
		Description:        pulumi.String("AKS " + base + " attaches its FHIR load balancer to the ingress IP"),
	}, withParent(s)...); err != nil {
		return nil, err
	}

	s.Cluster = cluster
	s.ClusterID = cluster.ID()
	s.IngressIPName = names.IngressIP()
	s.ResourceGroupName = args.ResourceGroupName
	s.Region = args.Region
	s.IngressIP = ip
	s.IngressIPID = ip.ID()
	if err := ctx.RegisterResourceOutputs(s, pulumi.Map{
		"clusterId":       s.ClusterID,
		"ingressIpId":     s.IngressIPID,
		"ingressDnsLabel": pulumi.String(s.IngressDNSLabel),
	}); err != nil {
		return nil, err
	}
	return s, nil
}

// cosmosPrivateAccess declares the stamp's private path to the Cosmos DB
// account, as the Azure Mission-Critical "Connected" design does: a subnet
// for private endpoints, a private endpoint for the account's SQL API, and
// a private DNS zone linked to the stamp's VNet that the endpoint's zone
// group keeps filled with an address for each of the account's regions.
//
// Each stamp has a zone of its own, linked to its own VNet only: the two
// VNets are not peered, and one zone shared by both stamps' endpoints would
// hold one address per name, the last endpoint's, which the other stamp
// cannot reach.
func cosmosPrivateAccess(ctx *pulumi.Context, s *ComputeStamp, args *ComputeStampArgs, base string,
	vnet *network.VirtualNetwork, nodes *network.Subnet,
) ([]pulumi.Resource, error) {
	role := string(args.Role)
	// Azure refuses concurrent writes to the subnets of one VNet.
	subnet, err := network.NewSubnet(ctx, role+"-private-endpoints", &network.SubnetArgs{
		SubnetName:         pulumi.String(naming.PrivateEndpointSubnet),
		ResourceGroupName:  args.ResourceGroupName,
		VirtualNetworkName: vnet.Name,
		AddressPrefix:      args.Network.PrivateEndpointSubnet,
	}, withParent(s, pulumi.DependsOn([]pulumi.Resource{nodes}))...)
	if err != nil {
		return nil, err
	}
	endpoint, err := network.NewPrivateEndpoint(ctx, role+"-cosmos-endpoint", &network.PrivateEndpointArgs{
		PrivateEndpointName: pulumi.String(naming.StampNames(args.Customer, args.Role).PrivateEndpoint()),
		ResourceGroupName:   args.ResourceGroupName,
		Location:            pulumi.String(args.Region),
		Subnet:              &network.SubnetTypeArgs{Id: subnet.ID().ToStringOutput()},
		PrivateLinkServiceConnections: network.PrivateLinkServiceConnectionArray{{
			Name:                 pulumi.String("cosmos-sql"),
			PrivateLinkServiceId: args.CosmosAccountID,
			GroupIds:             pulumi.StringArray{pulumi.String("Sql")},
		}},
		Tags: args.Tags,
	}, withParent(s)...)
	if err != nil {
		return nil, err
	}
	zone, err := privatedns.NewPrivateZone(ctx, role+"-cosmos-dns", &privatedns.PrivateZoneArgs{
		PrivateZoneName:   pulumi.String(CosmosPrivateDNSZone),
		ResourceGroupName: args.ResourceGroupName,
		Location:          pulumi.String("global"),
		Tags:              args.Tags,
	}, withParent(s)...)
	if err != nil {
		return nil, err
	}
	link, err := privatedns.NewVirtualNetworkLink(ctx, role+"-cosmos-dns-link", &privatedns.VirtualNetworkLinkArgs{
		VirtualNetworkLinkName: pulumi.String(naming.StampNames(args.Customer, args.Role).DNSZoneLink()),
		PrivateZoneName:        zone.Name,
		ResourceGroupName:      args.ResourceGroupName,
		Location:               pulumi.String("global"),
		VirtualNetwork:         &privatedns.SubResourceArgs{Id: vnet.ID().ToStringOutput()},
		RegistrationEnabled:    pulumi.Bool(false),
		Tags:                   args.Tags,
	}, withParent(s)...)
	if err != nil {
		return nil, err
	}
	group, err := network.NewPrivateDnsZoneGroup(ctx, role+"-cosmos-dns-group", &network.PrivateDnsZoneGroupArgs{
		PrivateDnsZoneGroupName: pulumi.String("default"),
		PrivateEndpointName:     endpoint.Name,
		ResourceGroupName:       args.ResourceGroupName,
		PrivateDnsZoneConfigs: network.PrivateDnsZoneConfigArray{{
			Name:             pulumi.String("privatelink-documents-azure-com"),
			PrivateDnsZoneId: zone.ID().ToStringOutput(),
		}},
	}, withParent(s)...)
	if err != nil {
		return nil, err
	}
	return []pulumi.Resource{endpoint, link, group}, nil
}

// clusterArgs builds the cluster's inputs from the shared spec; only the
// names, the region, the subnet and the zones differ between stamps.
func clusterArgs(args *ComputeStampArgs, base string, subnetID pulumi.IDOutput) *containerservice.ManagedClusterArgs {
	spec := args.Spec
	nodeSubnetID := subnetID.ToStringOutput()
	pools := make(containerservice.ManagedClusterAgentPoolProfileArray, len(spec.NodePools))
	for i, p := range spec.NodePools {
		mode, vmSize := p.Mode, p.VMSize
		if mode == nil {
			mode = pulumi.String(DefaultPoolMode)
		}
		if vmSize == nil {
			vmSize = pulumi.String(DefaultVMSize)
		}
		pool := containerservice.ManagedClusterAgentPoolProfileArgs{
			Name:         pulumi.String(p.Name),
			Mode:         mode,
			VmSize:       vmSize,
			OsType:       pulumi.String("Linux"),
			OsSKU:        pulumi.String("AzureLinux"),
			Type:         pulumi.String("VirtualMachineScaleSets"),
			VnetSubnetID: nodeSubnetID,
		}
		if p.MinCount != 0 || p.MaxCount != 0 {
			pool.EnableAutoScaling = pulumi.Bool(true)
			pool.MinCount = pulumi.Int(p.MinCount)
			pool.MaxCount = pulumi.Int(p.MaxCount)
			pool.Count = pulumi.Int(p.MinCount)
		} else {
			pool.EnableAutoScaling = pulumi.Bool(false)
			pool.Count = pulumi.Int(p.Count)
		}
		if args.AvailabilityZones && len(p.Zones) > 0 {
			pool.AvailabilityZones = pulumi.ToStringArray(p.Zones)
		}
		pools[i] = pool
	}

	apiAccess := &containerservice.ManagedClusterAPIServerAccessProfileArgs{}
	if spec.APIServer.Private {
		apiAccess.EnablePrivateCluster = pulumi.Bool(true)
	} else {
		apiAccess.AuthorizedIPRanges = spec.APIServer.AuthorizedIPRanges
	}
	aad := &containerservice.ManagedClusterAADProfileArgs{
		Managed:             pulumi.Bool(true),
		EnableAzureRBAC:     pulumi.Bool(true),
		AdminGroupObjectIDs: spec.AdminGroupObjectIDs,
	}
	tier := spec.SkuTier
	if tier == nil {
		tier = pulumi.String(DefaultAKSSkuTier)
	}

	return &containerservice.ManagedClusterArgs{
		ResourceName:      pulumi.String(naming.StampNames(args.Customer, args.Role).Cluster()),
		ResourceGroupName: args.ResourceGroupName,
		Location:          pulumi.String(args.Region),
		DnsPrefix:         pulumi.String(base),
		NodeResourceGroup: pulumi.String(naming.StampNames(args.Customer, args.Role).NodeResourceGroup()),
		KubernetesVersion: spec.KubernetesVersion,
		Sku:               &containerservice.ManagedClusterSKUArgs{Name: pulumi.String("Base"), Tier: tier},
		Identity:          &containerservice.ManagedClusterIdentityArgs{Type: containerservice.ResourceIdentityTypeSystemAssigned},
		// Entra ID with Azure RBAC and no local accounts: every access to the
		// cluster is an audited Entra identity, never a shared admin
		// kubeconfig.
		AadProfile:             aad,
		EnableRBAC:             pulumi.Bool(true),
		DisableLocalAccounts:   pulumi.Bool(true),
		ApiServerAccessProfile: apiAccess,
		AgentPoolProfiles:      pools,
		NetworkProfile: &containerservice.ContainerServiceNetworkProfileArgs{
			NetworkPlugin:     pulumi.String("azure"),
			NetworkPluginMode: pulumi.String("overlay"),
			NetworkDataplane:  pulumi.String("cilium"),
			NetworkPolicy:     pulumi.String("cilium"),
			LoadBalancerSku:   pulumi.String("standard"),
		},
		// The OIDC issuer lets the FHIR workload reach Cosmos DB with
		// workload identity, since the account has key auth disabled.
		OidcIssuerProfile: &containerservice.ManagedClusterOIDCIssuerProfileArgs{Enabled: pulumi.Bool(true)},
		SecurityProfile: &containerservice.ManagedClusterSecurityProfileArgs{
			WorkloadIdentity: &containerservice.ManagedClusterSecurityProfileWorkloadIdentityArgs{Enabled: pulumi.Bool(true)},
		},
		AutoUpgradeProfile: &containerservice.ManagedClusterAutoUpgradeProfileArgs{
			UpgradeChannel:       pulumi.String("patch"),
			NodeOSUpgradeChannel: pulumi.String("NodeImage"),
		},
		Tags: args.Tags,
	}
}
