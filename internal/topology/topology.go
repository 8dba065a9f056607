// Package topology draws a customer's DR deployment as a Mermaid flowchart:
// one box per Azure region with the Cosmos DB account's location there (its
// failover priority and whether it takes writes), the AKS cluster and its
// ingress IP, and the Traffic Manager profile with its endpoints, their
// priorities and status. GitHub renders Mermaid in pull-request comments,
// so reviewers see the before and after of a change.
//
// It reads resources as declared (the offline render) or as deployed (stack
// state), so the same picture serves both.
package topology

import (
	"fmt"
	"github.com/fhir-dr/fhir-dr/azure/regions"
	"github.com/fhir-dr/fhir-dr/naming"
	"slices"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"

	"github.com/fhir-dr/fhir-dr/azure/containerservice"
	"github.com/fhir-dr/fhir-dr/azure/cosmosdb"
	"github.com/fhir-dr/fhir-dr/azure/network"
	"github.com/fhir-dr/fhir-dr/azure/trafficmanager"
)

// Resource is one resource of the stack.
type Resource struct {
	// Type is the type token.
	Type string
	// Name is the logical name.
	Name string
	// Inputs are the resource's inputs.
	Inputs resource.PropertyMap
}

const (
	accountType = cosmosdb.DatabaseAccountToken
	clusterType = containerservice.ManagedClusterToken
	// The FHIR service's Deployment and autoscaler in a stamp's cluster.
	deploymentType = "kubernetes:apps/v1:Deployment"
	hpaType        = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"
	publicIPType   = network.PublicIPAddressToken
	profileType    = trafficmanager.ProfileToken
	endpointType   = trafficmanager.EndpointToken
)

// KnownAfterDeploy is how a value the engine knows only once the
// deployment has run is shown, in the diagrams and in the review comment.
const KnownAfterDeploy = "(known after deploy)"

// Unknown reports whether v is a value the engine knows only once the
// deployment has run: a computed value or an output, as the offline render
// declares them, or the sentinel string that stands for one in the engine's
// events and serialized inputs (plugin.UnknownStringValue). A value that
// holds unknowns deeper down is not itself unknown.
func Unknown(v resource.PropertyValue) bool {
	return v.IsComputed() || v.IsOutput() || v.IsString() && v.StringValue() == plugin.UnknownStringValue
}

func str(m resource.PropertyMap, path string) string {
	p, err := resource.ParsePropertyPath(path)
	if err != nil {
		return ""
	}
	v, ok := p.Get(resource.NewProperty(m))
	switch {
	case !ok:
		return ""
	case Unknown(v):
		return KnownAfterDeploy
	case v.IsString():
		return v.StringValue()
	case v.IsNumber():
		return fmt.Sprint(v.NumberValue())
	case v.IsBool():
		return fmt.Sprint(v.BoolValue())
	}
	return ""
}

// id turns a name into a Mermaid node id.
func id(parts ...string) string {
	var b strings.Builder
	for i, p := range parts {
		if i > 0 {
			b.WriteByte('_')
		}
		for _, r := range p {
			if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
				b.WriteRune(r)
			} else {
				b.WriteByte('_')
			}
		}
	}
	return b.String()
}

// label escapes text for a quoted Mermaid label.
func label(parts ...string) string {
	s := strings.Join(parts, "<br/>")
	return `"` + strings.ReplaceAll(s, `"`, "#quot;") + `"`
}

type region struct {
	name  string
	role  string // "write region", "read region", ...
	lines []string
}

// Mermaid returns the flowchart of the stack's resources.
func Mermaid(stack string, resources []Resource) string {
	byName := map[string]*region{}
	regionOf := func(name string) *region {
		key := regions.Normalize(name)
		if byName[key] == nil {
			byName[key] = &region{name: key}
		}
		return byName[key]
	}
	var edges, globals []string
	ipNode := map[string]string{} // public IP name -> node id

	byType := func(token string) []Resource {
		var out []Resource
		for _, r := range resources {
			if r.Type == token {
				out = append(out, r)
			}
		}
		slices.SortFunc(out, func(a, b Resource) int { return strings.Compare(a.Name, b.Name) })
		return out
	}

	for _, acct := range byType(accountType) {
		name := str(acct.Inputs, "accountName")
		locs := arr(acct.Inputs, "locations")
		slices.SortFunc(locs, func(a, b resource.PropertyMap) int {
			return strings.Compare(str(a, "failoverPriority"), str(b, "failoverPriority"))
		})
		var write string
		for _, l := range locs {
			loc, prio := str(l, "locationName"), str(l, "failoverPriority")
			r := regionOf(loc)
			node := id("cosmos", name, r.name)
			kind := "read replica"
			if prio == "0" {
				kind, write, r.role = "writes", node, "write region"
			} else if r.role == "" {
				r.role = "read region"
			}
			zr := ""
			if str(l, "isZoneRedundant") == "true" {
				zr = ", zone-redundant"
			}
			r.lines = append(r.lines, fmt.Sprintf("%s[(%s)]", node, label("Cosmos DB "+name, fmt.Sprintf("%s, failover priority %s%s", kind, prio, zr))))
		}
		for _, l := range locs {
			if node := id("cosmos", name, regionOf(str(l, "locationName")).name); write != "" && node != write {
				edges = append(edges, fmt.Sprintf("%s -. replication .-> %s", write, node))
			}
		}
	}
	for _, c := range byType(clusterType) {
		r := regionOf(str(c.Inputs, "location"))
		node := id("aks", c.Name)
		lines := []string{"AKS " + str(c.Inputs, "resourceName"), "Kubernetes " + str(c.Inputs, "kubernetesVersion")}
		// The FHIR service of the cluster's stamp.
		sameStamp := func(r Resource) bool {
			a, _, okA := naming.StampRole(c.Name)
			b, _, okB := naming.StampRole(r.Name)
			return okA && okB && a == b
		}
		for _, d := range byType(deploymentType) {
			if sameStamp(d) {
				image := str(d.Inputs, "spec.template.spec.containers[0].image")
				lines = append(lines, "FHIR server "+image[strings.LastIndexAny(image, "/")+1:])
			}
		}
		for _, h := range byType(hpaType) {
			if sameStamp(h) {
				lines = append(lines, fmt.Sprintf("%s-%s pods", str(h.Inputs, "spec.minReplicas"), str(h.Inputs, "spec.maxReplicas")))
			}
		}
		r.lines = append(r.lines, fmt.Sprintf("%s[%s]", node, label(lines...)))
	}
	for _, ip := range byType(publicIPType) {
		r := regionOf(str(ip.Inputs, "location"))
		node := id("ip", ip.Name)
		ipNode[str(ip.Inputs, "publicIpAddressName")] = node
		r.lines = append(r.lines, fmt.Sprintf("%s[/%s/]", node, label("ingress IP", str(ip.Inputs, "dnsSettings.domainNameLabel"))))
	}
	// Traffic reaches a region's cluster through the ingress IP there.
	for _, ip := range byType(publicIPType) {
		for _, c := range byType(clusterType) {
			if regionOf(str(ip.Inputs, "location")) == regionOf(str(c.Inputs, "location")) {
				edges = append(edges, fmt.Sprintf("%s --> %s", id("ip", ip.Name), id("aks", c.Name)))
			}
		}
	}
	for _, p := range byType(profileType) {
		node := id("tm", p.Name)
		globals = append(globals, fmt.Sprintf("%s{{%s}}", node, label(
			"Traffic Manager "+str(p.Inputs, "dnsConfig.relativeName")+".trafficmanager.net",
			str(p.Inputs, "trafficRoutingMethod")+" routing, "+str(p.Inputs, "monitorConfig.protocol")+" "+str(p.Inputs, "monitorConfig.path"),
			"TTL "+str(p.Inputs, "dnsConfig.ttl")+" s")))
		for _, e := range byType(endpointType) {
			target := str(e.Inputs, "targetResourceId")
			to, ok := ipNode[target[strings.LastIndex(target, "/")+1:]]
			if !ok {
				to = id("endpoint", e.Name)
				globals = append(globals, fmt.Sprintf("%s[%s]", to, label(e.Name+" target", target)))
			}
			text := fmt.Sprintf("priority %s, %s", str(e.Inputs, "priority"), str(e.Inputs, "endpointStatus"))
			arrow := fmt.Sprintf("%s -- %s --> %s", node, label(text), to)
			if str(e.Inputs, "priority") != "1" {
				arrow = fmt.Sprintf("%s -. %s .-> %s", node, label(text), to)
			}
			edges = append(edges, arrow)
		}
	}

	var b strings.Builder
	fmt.Fprintf(&b, "flowchart LR\n")
	fmt.Fprintf(&b, "  %%%% DR topology of %s\n", stack)
	keys := make([]string, 0, len(byName))
	for k := range byName {
		keys = append(keys, k)
	}
	// The write region first, then the others by name.
	slices.SortFunc(keys, func(a, c string) int {
		if (byName[a].role == "write region") != (byName[c].role == "write region") {
			if byName[a].role == "write region" {
				return -1
			}
			return 1
		}
		return strings.Compare(a, c)
	})
	for _, k := range keys {
		r := byName[k]
		title := r.name
		if r.role != "" {
			title += " (" + r.role + ")"
		}
		fmt.Fprintf(&b, "  subgraph %s[%s]\n", id("region", r.name), label(title))
		for _, l := range r.lines {
			fmt.Fprintf(&b, "    %s\n", l)
		}
		fmt.Fprintf(&b, "  end\n")
	}
	for _, g := range globals {
		fmt.Fprintf(&b, "  %s\n", g)
	}
	for _, e := range edges {
		fmt.Fprintf(&b, "  %s\n", e)
	}
	return b.String()
}

func arr(m resource.PropertyMap, key string) []resource.PropertyMap {
	v, ok := m[resource.PropertyKey(key)]
	if !ok || !v.IsArray() {
		return nil
	}
	var out []resource.PropertyMap
	for _, e := range v.ArrayValue() {
		if e.IsObject() {
			out = append(out, e.ObjectValue())
		}
	}
	return out
}
