package review

import (
	"cmp"
	"fmt"
	"github.com/fhir-dr/fhir-dr/naming"
	"slices"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/fhir-dr/fhir-dr/azure/network"
	"github.com/fhir-dr/fhir-dr/azure/trafficmanager"
)

const (
	deploymentType = "kubernetes:apps/v1:Deployment"
	publicIPType   = network.PublicIPAddressToken
	profileType    = trafficmanager.ProfileToken
)

// dnsLabelNote and trafficManagerNote say what releasing a DNS name risks,
// dnsLabelAdvice and trafficManagerAdvice what to do about it; the
// README's hazard table says the same.
const (
	dnsLabelNote = "Its DNS name is released, and Azure keeps no reservation for it: anyone can then create a public IP with that label in that region " +
		"and receive the traffic of every record that still points at it (dangling DNS, subdomain takeover)."
	dnsLabelAdvice     = "Have the customer remove such records first."
	trafficManagerNote = "Azure keeps no reservation for a deleted Traffic Manager name: anyone can create a profile with it and receive the " +
		"traffic of every client and CNAME that still uses it (dangling DNS, subdomain takeover)."
	trafficManagerAdvice = "Before the release, have the customer remove their CNAMEs to it and stop using it as an endpoint and audience, " +
		"or keep the profile, disabled, for a quarantine period instead of deleting it (runbook, \"Change tier\")."
)

// ackHint says how a stack file acknowledges a hazard of the kind.
func ackHint(kind HazardKind) string {
	return fmt.Sprintf("If the customer agreed to it, acknowledge it in this change: dr.acknowledge: {ticket: <the ticket>, hazards: [%s]}.", kind)
}

// serviceHazards finds the live service a change removes: a stamp's FHIR
// service (its cluster, its FHIR Deployment, its DNS-labelled ingress IP),
// deleted; and the DNS names it releases, the Traffic Manager profile's
// (the customer's FHIR endpoint and token audience) and the ingress IPs',
// deleted or renamed.
func serviceHazards(base, current []Resource) []Hazard {
	byURN := map[string]Resource{}
	for _, r := range current {
		byURN[r.URN] = r
	}
	// A stamp's parts, by kind: cluster, Deployment, public IP.
	type stamp struct {
		urn, region string
		parts       [3][]string
		dns         bool
	}
	stamps := map[naming.Role]*stamp{}
	var roles []naming.Role
	var profiles []Hazard
	stampOf := func(r Resource) *stamp {
		role, _, ok := naming.StampRole(r.Name)
		if !ok {
			role = naming.Role(r.Name)
		}
		s := stamps[role]
		if s == nil {
			s = &stamp{urn: r.URN}
			stamps[role] = s
			roles = append(roles, role)
		}
		return s
	}
	for _, old := range base {
		cur, kept := byURN[old.URN]
		switch old.Type {
		case clusterType:
			if !kept {
				s := stampOf(old)
				s.region = str(old.Inputs, "location")
				s.parts[0] = append(s.parts[0], "AKS cluster "+orName(str(old.Inputs, "resourceName"), old.Name))
			}
		case deploymentType:
			if !kept {
				s := stampOf(old)
				name := str(old.Inputs, "metadata", "name")
				if ns := str(old.Inputs, "metadata", "namespace"); ns != "" && name != "" {
					name = ns + "/" + name
				}
				s.parts[1] = append(s.parts[1], "FHIR Deployment "+orName(name, old.Name))
			}
		case publicIPType:
			label := str(old.Inputs, "dnsSettings", "domainNameLabel")
			if label == "" {
				continue
			}
			fqdn := label + "." + str(old.Inputs, "location") + ".cloudapp.azure.com"
			name := orName(str(old.Inputs, "publicIpAddressName"), old.Name)
			switch {
			case !kept:
				s := stampOf(old)
				if s.region == "" {
					s.region = str(old.Inputs, "location")
				}
				s.parts[2] = append(s.parts[2], fmt.Sprintf("public IP %s with the DNS name %s", name, fqdn))
				s.dns = true
			case str(cur.Inputs, "dnsSettings", "domainNameLabel") != label && known(cur.Inputs, "dnsSettings"):
				profiles = append(profiles, Hazard{Kind: ServiceRemoved, URN: old.URN,
					Message: fmt.Sprintf("the public IP %s would give up its DNS name %s. %s", name, fqdn, dnsLabelNote),
					Advice:  dnsLabelAdvice + " " + ackHint(ServiceRemoved)})
			}
		case profileType:
			label := str(old.Inputs, "dnsConfig", "relativeName")
			name := orName(str(old.Inputs, "profileName"), old.Name)
			fqdn := label + ".trafficmanager.net"
			switch {
			case !kept:
				profiles = append(profiles, Hazard{Kind: ServiceRemoved, URN: old.URN, Message: fmt.Sprintf(
					"the Traffic Manager profile %s would be deleted, releasing %s, the customer's FHIR endpoint and token audience. %s",
					name, fqdn, trafficManagerNote), Advice: trafficManagerAdvice + " " + ackHint(ServiceRemoved)})
			case str(cur.Inputs, "dnsConfig", "relativeName") != label && known(cur.Inputs, "dnsConfig"):
				profiles = append(profiles, Hazard{Kind: ServiceRemoved, URN: old.URN, Message: fmt.Sprintf(
					"the Traffic Manager profile %s would be replaced with the name %s.trafficmanager.net, releasing %s, the customer's "+
						"FHIR endpoint and token audience. %s", name, str(cur.Inputs, "dnsConfig", "relativeName"), fqdn,
					trafficManagerNote), Advice: trafficManagerAdvice + " " + ackHint(ServiceRemoved)})
			}
		}
	}
	// The primary first, then the standby.
	slices.SortStableFunc(roles, func(a, b naming.Role) int { return cmp.Compare(roleRank(a), roleRank(b)) })
	var out []Hazard
	for _, role := range roles {
		s := stamps[role]
		parts := slices.Concat(s.parts[:]...)
		what := "the customer's live FHIR service"
		if role == naming.RoleSecondary {
			what = "the standby FHIR service"
		}
		where := ""
		if s.region != "" {
			where = " in " + s.region
		}
		h := Hazard{Kind: ServiceRemoved, URN: s.urn, Message: fmt.Sprintf("%s%s would be deleted: %s.", what, where, strings.Join(parts, ", ")),
			Advice: ackHint(ServiceRemoved)}
		if s.dns {
			h.Message += " " + dnsLabelNote
			h.Advice = dnsLabelAdvice + " " + h.Advice
		}
		out = append(out, h)
	}
	return append(out, profiles...)
}

func roleRank(r naming.Role) int {
	switch r {
	case naming.RolePrimary:
		return 0
	case naming.RoleSecondary:
		return 1
	}
	return 2
}

// str reads a string at path in m, "" when absent, not a string or unknown.
func str(m resource.PropertyMap, path ...string) string {
	for i, k := range path {
		v, ok := m[resource.PropertyKey(k)]
		if !ok {
			return ""
		}
		if i == len(path)-1 {
			if v.IsString() {
				return v.StringValue()
			}
			return ""
		}
		if !v.IsObject() {
			return ""
		}
		m = v.ObjectValue()
	}
	return ""
}

// known reports whether the input k is declared with a known value.
func known(m resource.PropertyMap, k string) bool {
	v, ok := m[resource.PropertyKey(k)]
	return ok && !v.ContainsUnknowns()
}

func orName(name, logical string) string {
	if name == "" {
		return logical
	}
	return name
}
