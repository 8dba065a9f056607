// Package trafficmanager registers azure-native:trafficmanager resources by
// type token, shaped like the generated package
// github.com/pulumi/pulumi-azure-native-sdk/trafficmanager/v3. Only the inputs
// fhir-dr sets are declared; their names match the provider schema exactly.
package trafficmanager

import (
	"reflect"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/fhir-dr/fhir-dr/azure/azurenative"
)

// Type tokens of the resources in this package.
const (
	ProfileToken  = "azure-native:trafficmanager:Profile"
	EndpointToken = "azure-native:trafficmanager:Endpoint"
)

// Profile is a Traffic Manager profile.
type Profile struct {
	pulumi.CustomResourceState

	// DnsConfig holds the profile's FQDN and TTL.
	DnsConfig DnsConfigResponseOutput `pulumi:"dnsConfig"`
	// Name is the profile's name.
	Name pulumi.StringOutput `pulumi:"name"`
}

// ProfileArgs are the inputs of Profile. Endpoints are declared as standalone
// Endpoint resources: mixing inline endpoints with Endpoint resources makes
// the two fight over the list.
type ProfileArgs struct {
	// DnsConfig sets the relative DNS name and the TTL.
	DnsConfig *DnsConfigArgs `pulumi:"dnsConfig"`
	// Location must be "global".
	Location pulumi.StringPtrInput `pulumi:"location"`
	// MonitorConfig sets the endpoint health probe.
	MonitorConfig *MonitorConfigArgs `pulumi:"monitorConfig"`
	// ProfileName is the profile's resource name.
	ProfileName pulumi.StringPtrInput `pulumi:"profileName"`
	// ProfileStatus is Enabled or Disabled.
	ProfileStatus pulumi.StringPtrInput `pulumi:"profileStatus"`
	// ResourceGroupName is the group that holds the profile. Required.
	ResourceGroupName pulumi.StringInput `pulumi:"resourceGroupName"`
	// Tags are the profile's tags.
	Tags pulumi.StringMapInput `pulumi:"tags"`
	// TrafficRoutingMethod is Priority, Weighted, Performance, ...
	TrafficRoutingMethod pulumi.StringPtrInput `pulumi:"trafficRoutingMethod"`
}

// ElementType makes ProfileArgs a pulumi.Input.
func (ProfileArgs) ElementType() reflect.Type {
	return reflect.TypeOf((*ProfileArgs)(nil)).Elem()
}

// DnsConfigArgs set a profile's DNS name and TTL.
type DnsConfigArgs struct {
	// RelativeName is the label of <name>.trafficmanager.net.
	RelativeName pulumi.StringPtrInput `pulumi:"relativeName"`
	// Ttl is the DNS TTL in seconds.
	Ttl pulumi.Float64PtrInput `pulumi:"ttl"`
}

// MonitorConfigArgs set a profile's health probe.
type MonitorConfigArgs struct {
	// IntervalInSeconds is 30, or 10 for fast probing.
	IntervalInSeconds pulumi.Float64PtrInput `pulumi:"intervalInSeconds"`
	// Path is the probed HTTP(S) path.
	Path pulumi.StringPtrInput `pulumi:"path"`
	// Port is the probed port.
	Port pulumi.Float64PtrInput `pulumi:"port"`
	// Protocol is HTTP, HTTPS or TCP.
	Protocol pulumi.StringPtrInput `pulumi:"protocol"`
	// TimeoutInSeconds is the probe timeout.
	TimeoutInSeconds pulumi.Float64PtrInput `pulumi:"timeoutInSeconds"`
	// ToleratedNumberOfFailures is the failures tolerated before an endpoint
	// is degraded.
	ToleratedNumberOfFailures pulumi.Float64PtrInput `pulumi:"toleratedNumberOfFailures"`
}

// DnsConfigResponse is a profile's DNS configuration as Azure reports it.
type DnsConfigResponse struct {
	// Fqdn is <relativeName>.trafficmanager.net.
	Fqdn *string `pulumi:"fqdn"`
	// RelativeName is the profile's DNS label.
	RelativeName *string `pulumi:"relativeName"`
	// Ttl is the DNS TTL in seconds.
	Ttl *float64 `pulumi:"ttl"`
}

// DnsConfigResponseOutput is an output of DnsConfigResponse.
type DnsConfigResponseOutput struct{ *pulumi.OutputState }

// ElementType returns the type of DnsConfigResponse.
func (DnsConfigResponseOutput) ElementType() reflect.Type {
	return reflect.TypeOf((*DnsConfigResponse)(nil)).Elem()
}

// Fqdn returns the profile's FQDN.
func (o DnsConfigResponseOutput) Fqdn() pulumi.StringPtrOutput {
	return o.ApplyT(func(v DnsConfigResponse) *string { return v.Fqdn }).(pulumi.StringPtrOutput)
}

func init() {
	pulumi.RegisterOutputType(DnsConfigResponseOutput{})
}

// NewProfile registers a Traffic Manager profile.
func NewProfile(ctx *pulumi.Context, name string, args *ProfileArgs,
	opts ...pulumi.ResourceOption,
) (*Profile, error) {
	if args == nil {
		args = &ProfileArgs{}
	}
	if err := azurenative.CheckRequired(ProfileToken,
		azurenative.Input{Name: "resourceGroupName", Set: args.ResourceGroupName != nil},
	); err != nil {
		return nil, err
	}
	var res Profile
	if err := azurenative.Register(ctx, ProfileToken, name, args, &res, opts...); err != nil {
		return nil, err
	}
	return &res, nil
}

// Endpoint is an endpoint of a Traffic Manager profile.
type Endpoint struct {
	pulumi.CustomResourceState

	// Name is the endpoint's name.
	Name pulumi.StringPtrOutput `pulumi:"name"`
}

// EndpointArgs are the inputs of Endpoint.
type EndpointArgs struct {
	// EndpointName is the endpoint's name.
	EndpointName pulumi.StringPtrInput `pulumi:"endpointName"`
	// EndpointStatus is Enabled or Disabled; a Disabled endpoint is never
	// returned, not even on failover.
	EndpointStatus pulumi.StringPtrInput `pulumi:"endpointStatus"`
	// EndpointType is AzureEndpoints, ExternalEndpoints or NestedEndpoints.
	// Required.
	EndpointType pulumi.StringInput `pulumi:"endpointType"`
	// Priority is the endpoint's rank under Priority routing (1 = first).
	Priority pulumi.Float64PtrInput `pulumi:"priority"`
	// ProfileName is the profile that holds the endpoint. Required.
	ProfileName pulumi.StringInput `pulumi:"profileName"`
	// ResourceGroupName is the profile's group. Required.
	ResourceGroupName pulumi.StringInput `pulumi:"resourceGroupName"`
	// TargetResourceId is the Azure resource behind an AzureEndpoints
	// endpoint.
	TargetResourceId pulumi.StringPtrInput `pulumi:"targetResourceId"`
}

// ElementType makes EndpointArgs a pulumi.Input.
func (EndpointArgs) ElementType() reflect.Type {
	return reflect.TypeOf((*EndpointArgs)(nil)).Elem()
}

// NewEndpoint registers a Traffic Manager endpoint.
func NewEndpoint(ctx *pulumi.Context, name string, args *EndpointArgs,
	opts ...pulumi.ResourceOption,
) (*Endpoint, error) {
	if args == nil {
		args = &EndpointArgs{}
	}
	if err := azurenative.CheckRequired(EndpointToken,
		azurenative.Input{Name: "endpointType", Set: args.EndpointType != nil},
		azurenative.Input{Name: "profileName", Set: args.ProfileName != nil},
		azurenative.Input{Name: "resourceGroupName", Set: args.ResourceGroupName != nil},
	); err != nil {
		return nil, err
	}
	var res Endpoint
	if err := azurenative.Register(ctx, EndpointToken, name, args, &res, opts...); err != nil {
		return nil, err
	}
	return &res, nil
}
