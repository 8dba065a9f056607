// Package network registers azure-native:network resources by type token,
// shaped like the generated package
// github.com/pulumi/pulumi-azure-native-sdk/network/v3. Only the inputs
// fhir-dr sets are declared; their names match the provider schema exactly.
package network

import (
	"reflect"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/fhir-dr/fhir-dr/azure/azurenative"
)

// Type tokens of the resources in this package.
const (
	VirtualNetworkToken  = "azure-native:network:VirtualNetwork"
	SubnetToken          = "azure-native:network:Subnet"
	PublicIPAddressToken = "azure-native:network:PublicIPAddress"
)

// VirtualNetwork is an Azure virtual network.
type VirtualNetwork struct {
	pulumi.CustomResourceState

	// Name is the network's name.
	Name pulumi.StringOutput `pulumi:"name"`
}

// VirtualNetworkArgs are the inputs of VirtualNetwork. Subnets are declared
// as standalone Subnet resources; mixing them with inline subnets makes the
// two fight over the list.
type VirtualNetworkArgs struct {
	// AddressSpace holds the network's address prefixes.
	AddressSpace *AddressSpaceArgs `pulumi:"addressSpace"`
	// EnableDdosProtection defaults to false.
	EnableDdosProtection pulumi.BoolPtrInput `pulumi:"enableDdosProtection"`
	// EnableVmProtection defaults to false.
	EnableVmProtection pulumi.BoolPtrInput `pulumi:"enableVmProtection"`
	// Location is the network's region.
	Location pulumi.StringPtrInput `pulumi:"location"`
	// ResourceGroupName is the group that holds the network. Required.
	ResourceGroupName pulumi.StringInput `pulumi:"resourceGroupName"`
	// Tags are the network's tags.
	Tags pulumi.StringMapInput `pulumi:"tags"`
	// VirtualNetworkName is the network's name.
	VirtualNetworkName pulumi.StringPtrInput `pulumi:"virtualNetworkName"`
}

// ElementType makes VirtualNetworkArgs a pulumi.Input.
func (VirtualNetworkArgs) ElementType() reflect.Type {
	return reflect.TypeOf((*VirtualNetworkArgs)(nil)).Elem()
}

// AddressSpaceArgs are a network's address prefixes.
type AddressSpaceArgs struct {
	// AddressPrefixes are CIDR ranges.
	AddressPrefixes pulumi.StringArrayInput `pulumi:"addressPrefixes"`
}

// NewVirtualNetwork registers a virtual network, filling the SDK's defaults
// (DDoS and VM protection off).
func NewVirtualNetwork(ctx *pulumi.Context, name string, args *VirtualNetworkArgs,
	opts ...pulumi.ResourceOption,
) (*VirtualNetwork, error) {
	if args == nil {
		args = &VirtualNetworkArgs{}
	}
	if err := azurenative.CheckRequired(VirtualNetworkToken,
		azurenative.Input{Name: "resourceGroupName", Set: args.ResourceGroupName != nil},
	); err != nil {
		return nil, err
	}
	if args.EnableDdosProtection == nil {
		args.EnableDdosProtection = pulumi.BoolPtr(false)
	}
	if args.EnableVmProtection == nil {
		args.EnableVmProtection = pulumi.BoolPtr(false)
	}
	var res VirtualNetwork
	if err := azurenative.Register(ctx, VirtualNetworkToken, name, args, &res, opts...); err != nil {
		return nil, err
	}
	return &res, nil
}

// Subnet is a subnet of a virtual network.
type Subnet struct {
	pulumi.CustomResourceState

	// Name is the subnet's name.
	Name pulumi.StringOutput `pulumi:"name"`
}

// SubnetArgs are the inputs of Subnet.
type SubnetArgs struct {
	// AddressPrefix is the subnet's CIDR range.
	AddressPrefix pulumi.StringPtrInput `pulumi:"addressPrefix"`
	// DefaultOutboundAccess grants implicit outbound internet access.
	DefaultOutboundAccess pulumi.BoolPtrInput `pulumi:"defaultOutboundAccess"`
	// PrivateEndpointNetworkPolicies defaults to Disabled.
	PrivateEndpointNetworkPolicies pulumi.StringPtrInput `pulumi:"privateEndpointNetworkPolicies"`
	// PrivateLinkServiceNetworkPolicies defaults to Enabled.
	PrivateLinkServiceNetworkPolicies pulumi.StringPtrInput `pulumi:"privateLinkServiceNetworkPolicies"`
	// ResourceGroupName is the network's group. Required.
	ResourceGroupName pulumi.StringInput `pulumi:"resourceGroupName"`
	// SubnetName is the subnet's name.
	SubnetName pulumi.StringPtrInput `pulumi:"subnetName"`
	// VirtualNetworkName is the network that holds the subnet. Required.
	VirtualNetworkName pulumi.StringInput `pulumi:"virtualNetworkName"`
}

// ElementType makes SubnetArgs a pulumi.Input.
func (SubnetArgs) ElementType() reflect.Type {
	return reflect.TypeOf((*SubnetArgs)(nil)).Elem()
}

// NewSubnet registers a subnet, filling the SDK's defaults for the private
// endpoint and private link service network policies.
func NewSubnet(ctx *pulumi.Context, name string, args *SubnetArgs,
	opts ...pulumi.ResourceOption,
) (*Subnet, error) {
	if args == nil {
		args = &SubnetArgs{}
	}
	if err := azurenative.CheckRequired(SubnetToken,
		azurenative.Input{Name: "resourceGroupName", Set: args.ResourceGroupName != nil},
		azurenative.Input{Name: "virtualNetworkName", Set: args.VirtualNetworkName != nil},
	); err != nil {
		return nil, err
	}
	if args.PrivateEndpointNetworkPolicies == nil {
		args.PrivateEndpointNetworkPolicies = pulumi.StringPtr("Disabled")
	}
	if args.PrivateLinkServiceNetworkPolicies == nil {
		args.PrivateLinkServiceNetworkPolicies = pulumi.StringPtr("Enabled")
	}
	var res Subnet
	if err := azurenative.Register(ctx, SubnetToken, name, args, &res, opts...); err != nil {
		return nil, err
	}
	return &res, nil
}

// PublicIPAddress is a public IP address.
type PublicIPAddress struct {
	pulumi.CustomResourceState

	// IpAddress is the allocated address.
	IpAddress pulumi.StringPtrOutput `pulumi:"ipAddress"`
	// Name is the address resource's name.
	Name pulumi.StringOutput `pulumi:"name"`
}

// PublicIPAddressArgs are the inputs of PublicIPAddress.
type PublicIPAddressArgs struct {
	// DnsSettings give the address a DNS label.
	DnsSettings *PublicIPAddressDnsSettingsArgs `pulumi:"dnsSettings"`
	// Location is the address's region.
	Location pulumi.StringPtrInput `pulumi:"location"`
	// PublicIPAddressVersion is IPv4 or IPv6.
	PublicIPAddressVersion pulumi.StringPtrInput `pulumi:"publicIPAddressVersion"`
	// PublicIPAllocationMethod is Static or Dynamic.
	PublicIPAllocationMethod pulumi.StringPtrInput `pulumi:"publicIPAllocationMethod"`
	// PublicIpAddressName is the address resource's name.
	PublicIpAddressName pulumi.StringPtrInput `pulumi:"publicIpAddressName"`
	// ResourceGroupName is the group that holds the address. Required.
	ResourceGroupName pulumi.StringInput `pulumi:"resourceGroupName"`
	// Sku is the address's SKU.
	Sku *PublicIPAddressSkuArgs `pulumi:"sku"`
	// Tags are the address's tags.
	Tags pulumi.StringMapInput `pulumi:"tags"`
	// Zones are the availability zones the address spans.
	Zones pulumi.StringArrayInput `pulumi:"zones"`
}

// ElementType makes PublicIPAddressArgs a pulumi.Input.
func (PublicIPAddressArgs) ElementType() reflect.Type {
	return reflect.TypeOf((*PublicIPAddressArgs)(nil)).Elem()
}

// PublicIPAddressDnsSettingsArgs give an address a DNS label.
type PublicIPAddressDnsSettingsArgs struct {
	// DomainNameLabel is the label of <label>.<region>.cloudapp.azure.com.
	DomainNameLabel pulumi.StringPtrInput `pulumi:"domainNameLabel"`
}

// PublicIPAddressSkuArgs are a public IP address's SKU.
type PublicIPAddressSkuArgs struct {
	// Name is Basic or Standard.
	Name pulumi.StringPtrInput `pulumi:"name"`
	// Tier is Regional or Global.
	Tier pulumi.StringPtrInput `pulumi:"tier"`
}

// NewPublicIPAddress registers a public IP address.
func NewPublicIPAddress(ctx *pulumi.Context, name string, args *PublicIPAddressArgs,
	opts ...pulumi.ResourceOption,
) (*PublicIPAddress, error) {
	if args == nil {
		args = &PublicIPAddressArgs{}
	}
	if err := azurenative.CheckRequired(PublicIPAddressToken,
		azurenative.Input{Name: "resourceGroupName", Set: args.ResourceGroupName != nil},
	); err != nil {
		return nil, err
	}
	var res PublicIPAddress
	if err := azurenative.Register(ctx, PublicIPAddressToken, name, args, &res, opts...); err != nil {
		return nil, err
	}
	return &res, nil
}
