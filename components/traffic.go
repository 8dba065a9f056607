package components

import (
	"errors"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/fhir-dr/fhir-dr/azure/trafficmanager"
	"github.com/fhir-dr/fhir-dr/drconfig"
)

// TrafficEndpoint is one endpoint of the profile.
type TrafficEndpoint struct {
	// Role is primary or secondary; it names the endpoint. Required.
	Role drconfig.Role
	// TargetResourceID is the DNS-labelled public IP the endpoint routes to.
	// Required.
	TargetResourceID pulumi.StringInput
	// Priority is 1 for the primary, 2 for the standby. Required.
	Priority int
}

// TrafficManagerArgs are the inputs of NewTrafficManager.
type TrafficManagerArgs struct {
	// ResourceGroupName is the group that holds the profile. Required.
	ResourceGroupName pulumi.StringInput
	// ProfileName is the profile's resource name. Required.
	ProfileName string
	// DNSName is the label of <label>.trafficmanager.net. Required.
	DNSName string
	// Probe is the endpoint health probe. Required.
	Probe drconfig.Probe
	// TTLSeconds is the DNS TTL. Required.
	TTLSeconds int
	// Endpoints are the endpoints in priority order. Required.
	Endpoints []TrafficEndpoint
	// Tags are the profile's tags. Optional.
	Tags pulumi.StringMapInput
}

// TrafficManager is the priority-routed failover profile in front of the two
// compute stamps.
type TrafficManager struct {
	pulumi.ResourceState

	// Profile is the Traffic Manager profile.
	Profile *trafficmanager.Profile
	// FQDN is <dnsName>.trafficmanager.net, the name customers use.
	FQDN pulumi.StringOutput
}

// NewTrafficManager declares the profile and its endpoints. Both endpoints
// stay Enabled: Traffic Manager never fails over to a Disabled endpoint, and
// priority routing keeps the standby idle while the primary is healthy.
func NewTrafficManager(ctx *pulumi.Context, name string, args *TrafficManagerArgs,
	opts ...pulumi.ResourceOption,
) (*TrafficManager, error) {
	if args == nil || args.ResourceGroupName == nil || args.ProfileName == "" || args.DNSName == "" || len(args.Endpoints) == 0 {
		return nil, errors.New("traffic manager: ResourceGroupName, ProfileName, DNSName and Endpoints are required")
	}
	t := &TrafficManager{}
	if err := ctx.RegisterComponentResource("fhir-dr:index:TrafficManager", name, t, opts...); err != nil {
		return nil, err
	}
	monitor := &trafficmanager.MonitorConfigArgs{
		Protocol:                  pulumi.String(args.Probe.Protocol),
		Port:                      pulumi.Float64(float64(args.Probe.Port)),
		IntervalInSeconds:         pulumi.Float64(float64(args.Probe.IntervalSeconds)),
		TimeoutInSeconds:          pulumi.Float64(float64(args.Probe.TimeoutSeconds)),
		ToleratedNumberOfFailures: pulumi.Float64(float64(*args.Probe.ToleratedFailures)),
	}
	if args.Probe.Path != "" {
		monitor.Path = pulumi.String(args.Probe.Path)
	}
	profile, err := trafficmanager.NewProfile(ctx, "profile", &trafficmanager.ProfileArgs{
		ProfileName:          pulumi.String(args.ProfileName),
		ResourceGroupName:    args.ResourceGroupName,
		Location:             pulumi.String("global"),
		ProfileStatus:        pulumi.String("Enabled"),
		TrafficRoutingMethod: pulumi.String("Priority"),
		DnsConfig: &trafficmanager.DnsConfigArgs{
			RelativeName: pulumi.String(args.DNSName),
			Ttl:          pulumi.Float64(float64(args.TTLSeconds)),
		},
		MonitorConfig: monitor,
		Tags:          args.Tags,
	}, withParent(t)...)
	if err != nil {
		return nil, err
	}
	for _, e := range args.Endpoints {
		if _, err := trafficmanager.NewEndpoint(ctx, string(e.Role)+"-endpoint", &trafficmanager.EndpointArgs{
			EndpointName:      pulumi.String(string(e.Role)),
			EndpointType:      pulumi.String("AzureEndpoints"),
			ProfileName:       profile.Name.Elem(),
			ResourceGroupName: args.ResourceGroupName,
			TargetResourceId:  e.TargetResourceID,
			Priority:          pulumi.Float64(float64(e.Priority)),
			EndpointStatus:    pulumi.String("Enabled"),
		}, withParent(t)...); err != nil {
			return nil, err
		}
	}
	t.Profile = profile
	t.FQDN = profile.DnsConfig.Fqdn().Elem()
	if err := ctx.RegisterResourceOutputs(t, pulumi.Map{"fqdn": t.FQDN}); err != nil {
		return nil, err
	}
	return t, nil
}
