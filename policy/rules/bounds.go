package rules

import (
	"math"
	"strconv"
	"time"

	"github.com/fhir-dr/fhir-dr/drconfig"
	"github.com/fhir-dr/fhir-dr/internal/iprange"
	"github.com/fhir-dr/fhir-dr/objectives"
)

// The bounds the rules hold settings to, in one place. Azure's own limits
// come from azure-dr-facts.md (sections 3 and 4); the others are the
// product's. drconfig refuses the same values in a stack file; these are
// what the policy refuses in whatever the engine sends.

// Traffic Manager probe and DNS (azure-dr-facts.md section 4; the FHIR
// service, README "The FHIR service").
const (
	// ProbeProtocol, ProbePath and ProbePort are the only probe the full
	// tier accepts: HTTPS to the FHIR server's health endpoint on the port
	// its Service listens on.
	ProbeProtocol = "HTTPS"
	ProbePath     = drconfig.FHIRHealthPath
	ProbePort     = drconfig.FHIRServicePort
	// MaxTTLSeconds is the DNS TTL Azure accepts.
	MaxTTLSeconds = drconfig.MaxTTLSeconds
	// AdvisedMaxTTLSeconds is the TTL above which traffic-manager-ttl
	// advises: clients keep the failed primary that long.
	AdvisedMaxTTLSeconds = 60
)

// The bounds of settings a stack file also has come from their one
// declaration in drconfig.Settings, so a stack file and the engine's inputs
// are held to the same numbers.
var (
	probeInterval  = drconfig.Lookup("trafficManager.probe.intervalSeconds").Enum
	probeTimeout   = drconfig.Lookup("trafficManager.probe.timeoutSeconds").Range
	probeTolerated = drconfig.Lookup("trafficManager.probe.toleratedFailures").Range
	dnsTTL         = drconfig.Lookup("trafficManager.ttlSeconds").Range
	decisionTime   = drconfig.Lookup("dr.operatorDecisionTime").Range

	// ProbeIntervalSeconds and FastProbeIntervalSeconds are the two probe
	// intervals Azure accepts.
	ProbeIntervalSeconds, FastProbeIntervalSeconds = atoi(probeInterval[1]), atoi(probeInterval[0])
	// MinProbeTimeoutSeconds to MaxProbeTimeoutSeconds is the probe timeout
	// Azure accepts; MaxFastProbeTimeoutSeconds with fast probing, below the
	// interval.
	MinProbeTimeoutSeconds, MaxProbeTimeoutSeconds = int(probeTimeout.Min), int(probeTimeout.Max)
	MaxFastProbeTimeoutSeconds                     = FastProbeIntervalSeconds - 1
	// MinToleratedFailures to MaxToleratedFailures is the number of failed
	// probes Azure accepts.
	MinToleratedFailures, MaxToleratedFailures = int(probeTolerated.Min), int(probeTolerated.Max)
	// MinTTLSeconds is the smallest DNS TTL Azure accepts.
	MinTTLSeconds = int(dnsTTL.Min)
	// MinOperatorDecisionTime to MaxOperatorDecisionTime is the
	// dr.operatorDecisionTime rto-budget accepts: a decision slower than the
	// data tier's whole target meets no target.
	MinOperatorDecisionTime, MaxOperatorDecisionTime = time.Duration(decisionTime.Min), time.Duration(decisionTime.Max)
)

func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		panic("policy: drconfig declares a non-numeric value " + s)
	}
	return n
}

// The policy's budgets.
const (
	// MaxBudget is the largest RPO or RTO budget the policy config may set.
	MaxBudget = 7 * 24 * time.Hour
)

// Cosmos DB bounded staleness (azure-dr-facts.md section 3): Azure's API
// range, raised to the multi-region minimums the objectives model names.
const (
	MinBoundedStalenessIntervalSeconds = int(objectives.MinBoundedStalenessInterval / time.Second)
	MaxBoundedStalenessIntervalSeconds = 86_400
	MinBoundedStalenessPrefix          = objectives.MinBoundedStalenessPrefix
	MaxBoundedStalenessPrefix          = math.MaxInt32
)

// Network exposure.
const (
	// CosmosPublicNetworkAccess is the only publicNetworkAccess an account
	// may have in a stack with compute: the stamps reach it through private
	// endpoints.
	CosmosPublicNetworkAccess = "Disabled"
	// CosmosAzureDatacentersRule is the ipRules entry that admits every
	// Azure datacenter (any tenant's VMs and services), never allowed.
	CosmosAzureDatacentersRule = "0.0.0.0"
	// CosmosNetworkACLBypass is the only networkAclBypass allowed: no Azure
	// service passes the firewall.
	CosmosNetworkACLBypass = "None"
	// MinCosmosIPv4RuleBits is the widest firewall range an account may
	// admit: a /16 (65,536 addresses). The firewall takes IPv4 only.
	MinCosmosIPv4RuleBits = drconfig.MinAllowedIPRangeBits
)

// The AKS API server's authorized ranges are held to iprange.Parse (each
// a canonical CIDR range no wider than iprange.MinBitsIPv4 or
// iprange.MinBitsIPv6), the rule drconfig holds the stack file to; see
// checkAuthorizedRanges.
const (
	MinAPIServerRangeBitsIPv4 = iprange.MinBitsIPv4
	MinAPIServerRangeBitsIPv6 = iprange.MinBitsIPv6
)

// AKSNetworkPolicies are the network policy engines a cluster may run
// (networkProfile.networkPolicy); "none" or nothing leaves every pod open
// to every other.
var AKSNetworkPolicies = []string{"azure", "calico", "cilium"}

// Kubernetes pod security.
const (
	// PodSecurityEnforceLabel is the namespace label that enforces a Pod
	// Security Standard.
	PodSecurityEnforceLabel = "pod-security.kubernetes.io/enforce"
)

// PodSecurityLevels are the Pod Security Standards a namespace may enforce;
// "privileged" (or no label, which is the same) admits any pod.
var PodSecurityLevels = []string{"restricted", "baseline"}

// AllowedAddedCapabilities are the Linux capabilities a container may add
// (the restricted standard's only one).
var AllowedAddedCapabilities = []string{"NET_BIND_SERVICE"}

// SeccompProfiles are the seccomp profile types a pod may run with.
var SeccompProfiles = []string{"RuntimeDefault", "Localhost"}
