package components

import (
	"errors"
	"github.com/fhir-dr/fhir-dr/naming"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/fhir-dr/fhir-dr/azure/trafficmanager"
)

// TrafficEndpoint is one endpoint of the profile.
type TrafficEndpoint struct {
	// Role is primary or secondary; it names the endpoint. Required.
	Role naming.Role
	// TargetResourceID is the DNS-labelled public IP the endpoint routes to.
	// Required.
	TargetResourceID pulumi.StringInput
	// Priority is 1 for the primary, 2 for the standby. Required.
	Priority int
}

// TrafficProbe is the profile's endpoint health probe.
type TrafficProbe struct {
	// Protocol is HTTP, HTTPS or TCP. Optional; defaults to HTTPS.
	Protocol string
	// Port is the probed port. Optional; defaults to 443.
	Port pulumi.IntInput
	// Path is the probed path. Optional; defaults to /health/check, the
	// FHIR server's health endpoint, for HTTP and HTTPS, and to none for
	// TCP.
	Path pulumi.StringInput
	// IntervalSeconds is 30, or 10 for fast probing. Optional; defaults to
	// 30.
	IntervalSeconds pulumi.IntInput
	// TimeoutSeconds is how long a probe waits. Optional; defaults to 10.
	TimeoutSeconds pulumi.IntInput
	// ToleratedFailures is how many failed probes mark an endpoint
	// degraded. Optional; defaults to 3.
	ToleratedFailures pulumi.IntInput
}

// The probe's defaults, Traffic Manager's and the FHIR server's.
const (
	DefaultProbeProtocol          = "HTTPS"
	DefaultProbePort              = 443
	DefaultProbeIntervalSeconds   = 30
	DefaultProbeTimeoutSeconds    = 10
	DefaultProbeToleratedFailures = 3
	DefaultTTLSeconds             = 60
)

// TrafficManagerArgs are the inputs of NewTrafficManager.
type TrafficManagerArgs struct {
	// ResourceGroupName is the group that holds the profile. Required.
	ResourceGroupName pulumi.StringInput
	// ProfileName is the profile's resource name. Required.
	ProfileName string
	// DNSName is the label of <label>.trafficmanager.net. Required.
	DNSName pulumi.StringInput
	// Probe is the endpoint health probe. Optional; defaults to HTTPS on
	// 443 of /health/check every 30 s, timing out after 10 s, 3 failures
	// tolerated.
	Probe TrafficProbe
	// TTLSeconds is the DNS TTL. Optional; defaults to 60.
	TTLSeconds pulumi.IntInput
	// Endpoints are the endpoints in priority order. Required.
	Endpoints []TrafficEndpoint
	// Tags are the profile's tags. Optional.
	Tags pulumi.StringMapInput
}

// withDefaults returns a copy of the probe with its defaults filled.
func (p TrafficProbe) withDefaults() TrafficProbe {
	if p.Protocol == "" {
		p.Protocol = DefaultProbeProtocol
	}
	if p.Port == nil {
		p.Port = pulumi.Int(DefaultProbePort)
	}
	if p.Path == nil && p.Protocol != "TCP" {
		p.Path = pulumi.String(FHIRHealthPath)
	}
	if p.IntervalSeconds == nil {
		p.IntervalSeconds = pulumi.Int(DefaultProbeIntervalSeconds)
	}
	if p.TimeoutSeconds == nil {
		p.TimeoutSeconds = pulumi.Int(DefaultProbeTimeoutSeconds)
	}
	if p.ToleratedFailures == nil {
		p.ToleratedFailures = pulumi.Int(DefaultProbeToleratedFailures)
	}
	return p
}

// number turns an integer input into the provider's "number" type; a
// value known here (from the configuration) stays a plain value.
func number(i pulumi.IntInput) pulumi.Float64Input {
	if v, ok := i.(pulumi.Int); ok {
		return pulumi.Float64(float64(v))
	}
	return i.ToIntOutput().ApplyT(func(v int) float64 { return float64(v) }).(pulumi.Float64Output)
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
	if args == nil || args.ResourceGroupName == nil || args.ProfileName == "" || args.DNSName == nil || len(args.Endpoints) == 0 {
		return nil, errors.New("traffic manager: ResourceGroupName, ProfileName, DNSName and Endpoints are required")
	}
	t := &TrafficManager{}
	if err := ctx.RegisterComponentResource("fhir-dr:index:TrafficManager", name, t, opts...); err != nil {
		return nil, err
	}
	probe := args.Probe.withDefaults()
	monitor := &trafficmanager.MonitorConfigArgs{
		Protocol:                  pulumi.String(probe.Protocol),
		Port:                      number(probe.Port),
		Path:                      probe.Path,
		IntervalInSeconds:         number(probe.IntervalSeconds),
		TimeoutInSeconds:          number(probe.TimeoutSeconds),
		ToleratedNumberOfFailures: number(probe.ToleratedFailures),
	}
	ttl := args.TTLSeconds
	if ttl == nil {
		ttl = pulumi.Int(DefaultTTLSeconds)
	}
	profile, err := trafficmanager.NewProfile(ctx, "profile", &trafficmanager.ProfileArgs{
		ProfileName:          pulumi.String(args.ProfileName),
		ResourceGroupName:    args.ResourceGroupName,
		Location:             pulumi.String("global"),
		ProfileStatus:        pulumi.String("Enabled"),
		TrafficRoutingMethod: pulumi.String("Priority"),
		DnsConfig: &trafficmanager.DnsConfigArgs{
			RelativeName: args.DNSName,
			Ttl:          number(ttl),
		},
		MonitorConfig: monitor,
		Tags:          args.Tags,
	}, withParent(t)...)
	if err != nil {
		return nil, err
	}
	profileName := profile.Name.Elem()
	for _, e := range args.Endpoints {
		if _, err := trafficmanager.NewEndpoint(ctx, string(e.Role)+"-endpoint", &trafficmanager.EndpointArgs{
			EndpointName:      pulumi.String(string(e.Role)),
			EndpointType:      pulumi.String("AzureEndpoints"),
			ProfileName:       profileName,
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
