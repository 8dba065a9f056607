package review

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"

	"github.com/fhir-dr/fhir-dr/azure/trafficmanager"
	"github.com/fhir-dr/fhir-dr/naming"
)

const (
	endpointType  = trafficmanager.EndpointToken
	serviceType   = "kubernetes:core/v1:Service"
	namespaceType = "kubernetes:core/v1:Namespace"
)

// servingParts are the resources on the path of the customer's requests,
// named as the notes name them: a replaced one stops the service it is
// part of until the new one is ready. (Deleting the service is the
// service-removed hazard's business.)
var servingParts = map[string]string{
	profileType:    "Traffic Manager profile",
	endpointType:   "Traffic Manager endpoint",
	publicIPType:   "ingress IP",
	clusterType:    "AKS cluster",
	namespaceType:  "FHIR namespace",
	serviceType:    "FHIR load balancer Service",
	deploymentType: "FHIR Deployment",
}

// serviceNotes say what the plan does to the FHIR service, from the
// planned steps themselves rather than from the kind of config change: a
// part of the live service (the Traffic Manager profile, which is the
// customer's endpoint, or the primary stamp's endpoint, ingress IP,
// cluster, namespace, Service or Deployment) replaced interrupts it; the
// same in the standby stamp leaves no standby for a while; an update of
// the primary's Deployment's pod template rolls its pods. Such changes are
// in order when released at the right time, so they are notes, not
// hazards.
func serviceNotes(changes []Change) []string {
	var primaryDown, standbyDown, rolled []string
	for _, c := range changes {
		part, serving := servingParts[c.Type]
		if !serving {
			continue
		}
		role, _, stamped := naming.StampRole(c.Name)
		// What belongs to no stamp (the profile) serves every request.
		standby := stamped && role == naming.RoleSecondary
		switch apitype.OpType(c.Op) {
		case apitype.OpReplace:
			what := fmt.Sprintf("%s %s replaced", part, c.Name)
			if standby {
				standbyDown = append(standbyDown, what)
			} else {
				primaryDown = append(primaryDown, what)
			}
		case apitype.OpUpdate:
			if c.Type == deploymentType && !standby && templateChanged(c) {
				rolled = append(rolled, c.Name)
			}
		}
	}
	roll := ""
	if len(rolled) > 0 {
		roll = fmt.Sprintf("the primary's %s %s rolled: the pod template changes (see the plan), so Kubernetes replaces the pods one at a time",
			plural(len(rolled), "FHIR Deployment", "FHIR Deployments"), list(rolled)+plural(len(rolled), " is", " are"))
	}
	primary, standby := list(primaryDown), list(standbyDown)
	switch {
	case primary != "" && standby != "":
		return []string{fmt.Sprintf("service outage: this change takes down what serves the customer now (%s) and the standby (%s) at once: "+
			"until the new ones are ready the customer has neither the primary service nor a standby%s; "+
			"release it in a maintenance window agreed with the customer", primary, standby, also(roll))}
	case primary != "":
		return []string{fmt.Sprintf("service interruption: this change takes down what serves the customer now (%s): "+
			"the service is interrupted until the new ones are ready%s; release it in a maintenance window", primary, also(roll))}
	case standby != "" && roll != "":
		return []string{fmt.Sprintf("no standby for a while: this change takes down the standby (%s); at the same time %s, "+
			"with no standby to take over if the new ones fail", standby, roll)}
	case standby != "":
		return []string{fmt.Sprintf("no standby for a while: this change takes down the standby (%s); "+
			"nothing that serves the customer now is replaced or rolled", standby)}
	case roll != "":
		return []string{roll + "; the old pods keep serving until the new ones are ready"}
	}
	return nil
}

func also(s string) string {
	if s == "" {
		return ""
	}
	return "; and " + s
}

// templateChanged reports whether an update changes a Deployment's pod
// template, which makes Kubernetes replace its pods; an update whose
// inputs the plan does not show is taken to.
func templateChanged(c Change) bool {
	if len(c.Fields) == 0 {
		return true
	}
	for _, f := range c.Fields {
		if strings.HasPrefix(f.Path, "spec.template.") || f.Path == "spec.template" || f.Path == "spec" {
			return true
		}
	}
	return false
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// list joins items as a sentence does: "a", "a and b", "a, b and c".
func list(items []string) string {
	if len(items) <= 1 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}
