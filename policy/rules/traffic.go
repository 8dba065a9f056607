package rules

import (
	"fmt"
	"strings"
	"time"

	"github.com/fhir-dr/fhir-dr/drconfig"
	"github.com/fhir-dr/fhir-dr/naming"
	"github.com/fhir-dr/fhir-dr/objectives"
)

var trafficRules = []Rule{
	{
		Name:        "traffic-manager-profile",
		Description: "A Traffic Manager profile is global, routes by priority and probes the FHIR server's /health/check over HTTPS on port 443 with settings Azure accepts (interval, timeout, tolerated failures, DNS TTL).",
		Level:       Mandatory, Scope: ResourceScope,
		resource: checkProfile,
	},
	{
		Name: "rto-budget",
		Description: "The modeled RTO of a DR stack is within its tier's budget: detection by the fastest paging rule the stack declares, " +
			"enabled (detection-paging); for the full tier with the Traffic Manager profile's probe timing and DNS TTL, " +
			"for the data tier with its rebuild estimate.",
		Level: Mandatory, Scope: StackScope,
		stack: checkRTOBudget,
	},
	{
		Name:        "traffic-manager-endpoints",
		Description: "A full-tier stack has exactly one priority-1 endpoint, in the primary region, and an Enabled standby endpoint at priority 2 in another region.",
		Level:       Mandatory, Scope: StackScope,
		stack: checkEndpoints,
	},
	{
		Name:        "traffic-manager-ttl",
		Description: "Advisory: a DNS TTL above 60 s delays failover for clients.",
		Level:       Advisory, Scope: ResourceScope,
		resource: func(_ *env, r Resource) []string {
			if ttl, ok := integer(r.Inputs, "dnsConfig.ttl"); r.Type == profileType && ok && ttl > AdvisedMaxTTLSeconds {
				return []string{fmt.Sprintf("%s has a DNS TTL of %d s; clients keep the failed primary that long after failover. "+
					"Consider trafficManager.ttlSeconds: %d or less", describe(r), ttl, AdvisedMaxTTLSeconds)}
			}
			return nil
		},
	},
}

func checkProfile(_ *env, r Resource) []string {
	if r.Type != profileType {
		return nil
	}
	var out []string
	expect := func(path, want, fix string) {
		if got, ok := str(r.Inputs, path); !ok && !unknown(r.Inputs, path) || ok && got != want {
			out = append(out, fmt.Sprintf("%s: %s is %q, want %q; %s", describe(r), path, got, want, fix))
		}
	}
	expect("location", "global", "Traffic Manager profiles are global resources")
	expect("trafficRoutingMethod", "Priority", "the standby must take traffic only when the primary is down")
	expect("monitorConfig.protocol", ProbeProtocol, "probe the FHIR server over HTTPS")
	expect("monitorConfig.path", ProbePath, "probe the FHIR server's health endpoint")
	if port, ok := integer(r.Inputs, "monitorConfig.port"); !ok && !unknown(r.Inputs, "monitorConfig.port") || ok && port != ProbePort {
		out = append(out, fmt.Sprintf("%s: probe port %s, want %d; the FHIR service listens on %d only",
			describe(r), orNone(port, ok), ProbePort, ProbePort))
	}

	interval, okI := integer(r.Inputs, "monitorConfig.intervalInSeconds")
	if okI && interval != ProbeIntervalSeconds && interval != FastProbeIntervalSeconds {
		out = append(out, fmt.Sprintf("%s: probe interval %d s; Azure accepts %d or %d", describe(r), interval,
			FastProbeIntervalSeconds, ProbeIntervalSeconds))
	}
	if timeout, ok := integer(r.Inputs, "monitorConfig.timeoutInSeconds"); ok {
		maxTimeout := MaxProbeTimeoutSeconds
		if okI && interval == FastProbeIntervalSeconds {
			maxTimeout = MaxFastProbeTimeoutSeconds
		}
		if timeout < MinProbeTimeoutSeconds || timeout > maxTimeout {
			out = append(out, fmt.Sprintf("%s: probe timeout %d s; Azure accepts %d to %d s with a %d s interval",
				describe(r), timeout, MinProbeTimeoutSeconds, maxTimeout, interval))
		}
	}
	if tolerated, ok := integer(r.Inputs, "monitorConfig.toleratedNumberOfFailures"); ok && (tolerated < MinToleratedFailures || tolerated > MaxToleratedFailures) {
		out = append(out, fmt.Sprintf("%s: %d tolerated failures; Azure accepts %d to %d", describe(r), tolerated,
			MinToleratedFailures, MaxToleratedFailures))
	}
	if ttl, ok := integer(r.Inputs, "dnsConfig.ttl"); ok && (ttl < MinTTLSeconds || ttl > MaxTTLSeconds) {
		out = append(out, fmt.Sprintf("%s: DNS TTL %d s; Azure accepts %d to %d s", describe(r), ttl, MinTTLSeconds, MaxTTLSeconds))
	}
	return out
}

// orNone formats an optional number for a message.
func orNone(v int, ok bool) string {
	if !ok {
		return "not set"
	}
	return fmt.Sprint(v)
}

func checkRTOBudget(e *env, s Stack) []finding {
	if !e.dr {
		return nil
	}
	if d := e.operatorDecision; d < MinOperatorDecisionTime || d > MaxOperatorDecisionTime {
		return []finding{{"", fmt.Sprintf("dr.operatorDecisionTime %s is outside %s to %s, which the RTO model accepts; "+
			"set the time on-call needs to confirm an outage and order the failover (default %s)",
			d, time.Duration(MinOperatorDecisionTime), time.Duration(MaxOperatorDecisionTime), drconfig.DefaultOperatorDecisionTime)}}
	}
	if !e.full {
		o := objectives.Model(objectives.Inputs{OperatorDecision: e.operatorDecision, Signals: declaredSignals(e, s, objectives.Probe{})})
		if o.RTO <= e.rto {
			return nil
		}
		return []finding{{"", fmt.Sprintf("the modeled RTO of the data tier is %s, over the budget of %s; "+
			"shorten dr.operatorDecisionTime or move the customer to the full tier", o.RTO, e.rto)}}
	}
	var out []finding
	standby, primary := fhirReplicaFloors(s)
	for _, r := range s.Resources {
		if r.Type != profileType {
			continue
		}
		probe := objectives.Probe{}
		known := true
		for path, dst := range map[string]*int{
			"monitorConfig.intervalInSeconds":         &probe.IntervalSeconds,
			"monitorConfig.timeoutInSeconds":          &probe.TimeoutSeconds,
			"monitorConfig.toleratedNumberOfFailures": &probe.ToleratedFailures,
			"dnsConfig.ttl":                           &probe.TTLSeconds,
		} {
			v, ok := integer(r.Inputs, path)
			known = known && ok // unknown or missing: traffic-manager-profile says so
			*dst = v
		}
		if !known {
			continue
		}
		o := objectives.Model(objectives.Inputs{
			Full: true, Probe: probe, OperatorDecision: e.operatorDecision,
			StandbyReplicas: standby, PrimaryReplicas: primary,
			Signals: declaredSignals(e, s, probe),
		})
		if o.RTO > e.rto {
			out = append(out, finding{r.URN, fmt.Sprintf("%s: the modeled RTO is %s (detection %s, DNS TTL %d s, standby scale-out %s), "+
				"over the budget of %s; probe faster (10 s interval, fewer tolerated failures), lower the TTL or run more standby pods",
				describe(r), o.RTO, probe.Detection(), probe.TTLSeconds, objectives.StandbyScaleOut(standby, primary), e.rto)})
		}
	}
	return out
}

func checkEndpoints(e *env, s Stack) []finding {
	if !e.full {
		return nil
	}
	ipRegion := map[string]string{} // public IP name -> location
	for _, r := range s.Resources {
		if r.Type == publicIPType {
			name, _ := str(r.Inputs, "publicIpAddressName")
			loc, _ := str(r.Inputs, "location")
			ipRegion[name] = loc
		}
	}
	primary := ""
	if s.Config != nil {
		primary = s.Config.PrimaryRegion
	}
	// regionOf returns the region of an endpoint's target, "" if unknown.
	regionOf := func(r Resource) string {
		id, ok := str(r.Inputs, "targetResourceId")
		if !ok {
			return ""
		}
		return ipRegion[id[strings.LastIndex(id, "/")+1:]]
	}

	var first, standby []Resource
	for _, r := range s.Resources {
		if r.Type != endpointType {
			continue
		}
		p, _ := num(r.Inputs, "priority")
		status, hasStatus := str(r.Inputs, "endpointStatus")
		enabled := !hasStatus || status == "Enabled"
		switch {
		case p == 1:
			first = append(first, r)
		case p == 2 && enabled:
			standby = append(standby, r)
		}
	}
	var out []finding
	switch len(first) {
	case 1:
		if region := regionOf(first[0]); primary != "" && region != "" && region != primary {
			out = append(out, finding{first[0].URN, fmt.Sprintf("%s at priority 1 targets %s, not the primary region %s; "+
				"point it at the primary stamp's ingress", describe(first[0]), region, primary)})
		}
	case 0:
		out = append(out, finding{"", "no Traffic Manager endpoint has priority 1; the primary stamp's ingress must be the priority-1 endpoint"})
	default:
		for _, r := range first {
			out = append(out, finding{r.URN, fmt.Sprintf("%s is one of %d priority-1 endpoints; exactly one, the primary, may have priority 1",
				describe(r), len(first))})
		}
	}
	if len(standby) == 0 {
		out = append(out, finding{"", "no Enabled Traffic Manager endpoint has priority 2; keep the standby Enabled at priority 2 " +
			"so that failover needs no one (a Disabled endpoint is never returned)"})
	}
	for _, r := range standby {
		if region := regionOf(r); region != "" && region == primary {
			out = append(out, finding{r.URN, fmt.Sprintf("%s, the standby, targets the primary region %s; point it at the secondary stamp's ingress",
				describe(r), region)})
		}
	}
	return out
}

// fhirReplicaFloors returns the autoscaler floors of the standby and the
// primary FHIR service; zero when the stack declares none.
func fhirReplicaFloors(s Stack) (standby, primary int) {
	for _, r := range s.Resources {
		if r.Type != hpaType {
			continue
		}
		v, ok := num(r.Inputs, "spec.minReplicas")
		role, _, isStamp := naming.StampRole(r.Name)
		switch {
		case !ok || !isStamp:
		case role == naming.RolePrimary:
			primary = int(v)
		default:
			standby = int(v)
		}
	}
	return standby, primary
}
