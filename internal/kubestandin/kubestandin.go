// Package kubestandin is a stand-in for the kubernetes provider: a test
// double for the clusters that the real Pulumi engine talks to, offline,
// through PULUMI_DEBUG_PROVIDERS=kubernetes:<port> (next to the azure-native
// stand-in). It is not Kubernetes and not the kubernetes plugin; it checks
// the manifests the program sends and keeps them in memory.
//
// It is strict where the provider and the API server are:
//
//   - CheckConfig accepts only the kubeconfig fhir-dr builds: an Entra ID
//     exec user logging in with kubelogin's azurecli mode, no static
//     credential (internal/kubeconfig).
//   - Check refuses a manifest whose apiVersion and kind do not match its
//     type, a kind it does not know, a missing name or required field, and
//     the mistakes the API server would refuse: a Deployment whose selector
//     does not match its pod labels or whose containers lack a name or an
//     image, a probe on a port the container does not declare, a
//     PodDisruptionBudget with both or neither of minAvailable and
//     maxUnavailable, an autoscaler whose floor is above its ceiling.
//   - DiffConfig replaces the provider, and so every object, when the
//     kubeconfig points at another cluster or is not known yet.
//   - Diff replaces an object whose name or namespace changes (they are
//     immutable) and a Deployment whose selector changes.
package kubestandin

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/emptypb"

	"github.com/fhir-dr/fhir-dr/internal/kubeconfig"
	"github.com/fhir-dr/fhir-dr/internal/standin"
)

// PackageName is the provider package the stand-in answers for.
const PackageName = "kubernetes"

// Version is the kubernetes provider release the SDK in go.mod pins.
const Version = "4.32.0"

// Kind describes a Kubernetes kind the stand-in accepts.
type Kind struct {
	// APIVersion and Kind are what the manifest must say.
	APIVersion, Kind string
	// Namespaced kinds live in a namespace.
	Namespaced bool
	// Required are the paths that must be set.
	Required []string
}

// Kinds are the kinds fhir-dr declares, by type token.
var Kinds = map[string]Kind{
	"kubernetes:core/v1:Namespace":      {"v1", "Namespace", false, nil},
	"kubernetes:core/v1:ServiceAccount": {"v1", "ServiceAccount", true, nil},
	"kubernetes:core/v1:Service":        {"v1", "Service", true, []string{"spec.ports"}},
	"kubernetes:apps/v1:Deployment": {"apps/v1", "Deployment", true,
		[]string{"spec.selector", "spec.template.metadata.labels", "spec.template.spec.containers"}},
	"kubernetes:policy/v1:PodDisruptionBudget": {"policy/v1", "PodDisruptionBudget", true, []string{"spec.selector"}},
	"kubernetes:autoscaling/v2:HorizontalPodAutoscaler": {"autoscaling/v2", "HorizontalPodAutoscaler", true,
		[]string{"spec.scaleTargetRef.kind", "spec.scaleTargetRef.name", "spec.maxReplicas"}},
}

// OpKind is the kind of an operation the engine asked for.
type OpKind string

// The operations recorded.
const (
	OpCreate OpKind = "create"
	OpUpdate OpKind = "update"
	OpDelete OpKind = "delete"
)

// Op is one operation on the fake clusters.
type Op struct {
	// Kind is what was done.
	Kind OpKind
	// Type is the object's type token.
	Type string
	// Name is the object's logical (Pulumi) name.
	Name string
}

// Object is what the fake clusters hold for one object.
type Object struct {
	// Type is the type token.
	Type string
	// Inputs are the manifest as last applied.
	Inputs resource.PropertyMap
}

// Provider is the stand-in. The zero value is not usable; call New.
type Provider struct {
	standin.Base

	mu      sync.Mutex
	objects map[string]Object // by URN: two clusters hold objects of the same name
	ops     []Op
	servers map[string]bool // API servers of the kubeconfigs configured
}

// New returns a stand-in with empty clusters.
func New() *Provider {
	return &Provider{Base: standin.Base{Version: Version}, objects: map[string]Object{}, servers: map[string]bool{}}
}

// Ops returns the operations so far, in order.
func (p *Provider) Ops() []Op {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.ops)
}

// Objects returns a copy of what the clusters hold, by URN.
func (p *Provider) Objects() map[string]Object {
	p.mu.Lock()
	defer p.mu.Unlock()
	return maps.Clone(p.objects)
}

// Servers returns the API servers of the kubeconfigs the engine configured
// the provider with, sorted.
func (p *Provider) Servers() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Sorted(maps.Keys(p.servers))
}

// Serve starts serving the stand-in on a free local port.
func (p *Provider) Serve() (*standin.Server, error) { return standin.Serve(PackageName, p) }

// CheckConfig accepts only fhir-dr's Entra ID kubeconfig; an unknown one
// (a cluster still to be created, in preview) is accepted as is.
func (p *Provider) CheckConfig(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	news, err := standin.Unmarshal(req.GetNews())
	if err != nil {
		return nil, fmt.Errorf("kubernetes stand-in: check config: %w", err)
	}
	resp := &pulumirpc.CheckResponse{Inputs: req.GetNews()}
	config, known := plainString(news["kubeconfig"])
	switch {
	case !known:
	case config == "":
		resp.Failures = append(resp.Failures, &pulumirpc.CheckFailure{Property: "kubeconfig",
			Reason: "kubernetes stand-in: no kubeconfig: fhir-dr never falls back to the ambient ~/.kube/config"})
	default:
		if err := kubeconfig.Check(config); err != nil {
			resp.Failures = append(resp.Failures, &pulumirpc.CheckFailure{Property: "kubeconfig", Reason: "kubernetes stand-in: " + err.Error()})
		}
	}
	return resp, nil
}

// plainString returns a string property's value, seeing through secrets,
// and whether it is known.
func plainString(v resource.PropertyValue) (string, bool) {
	for v.IsSecret() {
		v = v.SecretValue().Element
	}
	switch {
	case v.IsComputed() || v.IsOutput() && !v.OutputValue().Known:
		return "", false
	case v.IsOutput():
		return plainString(v.OutputValue().Element)
	case v.IsString():
		return v.StringValue(), true
	}
	return "", true
}

// DiffConfig replaces the provider when its kubeconfig points at another
// cluster, or cannot be known yet (a cluster being created or replaced, in
// preview), as the kubernetes provider does: the objects must then be
// created again in the new cluster. New credentials for the same cluster
// change nothing.
func (p *Provider) DiffConfig(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	olds, news, err := standin.OldsAndNews(req)
	if err != nil {
		return nil, err
	}
	oldConfig, _ := plainString(olds["kubeconfig"])
	newConfig, known := plainString(news["kubeconfig"])
	if !known || clusterServer(oldConfig) != clusterServer(newConfig) {
		return &pulumirpc.DiffResponse{
			Changes: pulumirpc.DiffResponse_DIFF_SOME, Diffs: []string{"kubeconfig"}, Replaces: []string{"kubeconfig"},
		}, nil
	}
	return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE}, nil
}

// clusterServer is the API server a kubeconfig points at.
func clusterServer(config string) string {
	if m := serverPattern.FindStringSubmatch(config); m != nil {
		return m[1]
	}
	return ""
}

var serverPattern = regexp.MustCompile(`(?m)^\s*server:\s*(\S+)`)

// Configure records the cluster the kubeconfig points at.
func (p *Provider) Configure(_ context.Context, req *pulumirpc.ConfigureRequest) (*pulumirpc.ConfigureResponse, error) {
	args, err := standin.Unmarshal(req.GetArgs())
	if err != nil {
		return nil, fmt.Errorf("kubernetes stand-in: configure: %w", err)
	}
	if config, known := plainString(args["kubeconfig"]); known {
		if server := clusterServer(config); server != "" {
			p.mu.Lock()
			p.servers[server] = true
			p.mu.Unlock()
		}
	}
	return &pulumirpc.ConfigureResponse{AcceptSecrets: true, SupportsPreview: true, AcceptResources: true}, nil
}

// Check validates a manifest; see CheckManifest.
func (p *Provider) Check(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	token := standin.TypeOf(req.GetType(), req.GetUrn())
	news, err := standin.Unmarshal(req.GetNews())
	if err != nil {
		return nil, fmt.Errorf("kubernetes stand-in: check %s: %w", req.GetUrn(), err)
	}
	resp := &pulumirpc.CheckResponse{Inputs: req.GetNews()}
	for _, f := range CheckManifest(token, news) {
		resp.Failures = append(resp.Failures, &pulumirpc.CheckFailure{Property: f.Path, Reason: "kubernetes stand-in: " + f.Reason})
	}
	return resp, nil
}

// Diff replaces an object whose identity or immutable fields change.
func (p *Provider) Diff(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	token := standin.TypeOf(req.GetType(), req.GetUrn())
	olds, news, err := standin.OldsAndNews(req)
	if err != nil {
		return nil, err
	}
	resp := &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE}
	diff := olds.Diff(news)
	if diff == nil {
		return resp, nil
	}
	resp.Changes = pulumirpc.DiffResponse_DIFF_SOME
	for _, k := range diff.ChangedKeys() {
		resp.Diffs = append(resp.Diffs, string(k))
	}
	slices.Sort(resp.Diffs)
	immutable := []string{"metadata.name", "metadata.namespace"}
	if token == "kubernetes:apps/v1:Deployment" {
		immutable = append(immutable, "spec.selector")
	}
	for _, path := range immutable {
		o, _ := lookup(olds, path)
		n, _ := lookup(news, path)
		if !o.DeepEquals(n) {
			top, _, _ := strings.Cut(path, ".")
			if !slices.Contains(resp.Replaces, top) {
				resp.Replaces = append(resp.Replaces, top)
			}
		}
	}
	// The new object has the old one's name: it must go first.
	resp.DeleteBeforeReplace = len(resp.Replaces) > 0
	return resp, nil
}

// Create applies a manifest to the fake cluster.
func (p *Provider) Create(_ context.Context, req *pulumirpc.CreateRequest) (*pulumirpc.CreateResponse, error) {
	token := standin.TypeOf(req.GetType(), req.GetUrn())
	inputs, err := standin.Unmarshal(req.GetProperties())
	if err != nil {
		return nil, err
	}
	if !req.GetPreview() {
		p.store(req.GetUrn(), token, inputs, OpCreate)
	}
	return &pulumirpc.CreateResponse{Id: objectID(inputs), Properties: req.GetProperties()}, nil
}

// Update applies a changed manifest.
func (p *Provider) Update(_ context.Context, req *pulumirpc.UpdateRequest) (*pulumirpc.UpdateResponse, error) {
	token := standin.TypeOf(req.GetType(), req.GetUrn())
	news, err := standin.Unmarshal(req.GetNews())
	if err != nil {
		return nil, err
	}
	if !req.GetPreview() {
		p.store(req.GetUrn(), token, news, OpUpdate)
	}
	return &pulumirpc.UpdateResponse{Properties: req.GetNews()}, nil
}

func (p *Provider) store(urn, token string, inputs resource.PropertyMap, kind OpKind) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.objects[urn] = Object{Type: token, Inputs: inputs}
	p.ops = append(p.ops, Op{Kind: kind, Type: token, Name: resource.URN(urn).Name()})
}

// Read returns the object as the cluster holds it; gone if it is not there.
func (p *Provider) Read(_ context.Context, req *pulumirpc.ReadRequest) (*pulumirpc.ReadResponse, error) {
	p.mu.Lock()
	obj, ok := p.objects[req.GetUrn()]
	p.mu.Unlock()
	if !ok {
		return &pulumirpc.ReadResponse{}, nil
	}
	props, err := standin.Marshal(obj.Inputs)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.ReadResponse{Id: req.GetId(), Properties: props, Inputs: props}, nil
}

// Delete removes an object.
func (p *Provider) Delete(_ context.Context, req *pulumirpc.DeleteRequest) (*emptypb.Empty, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.objects, req.GetUrn())
	p.ops = append(p.ops, Op{Kind: OpDelete, Type: standin.TypeOf(req.GetType(), req.GetUrn()), Name: resource.URN(req.GetUrn()).Name()})
	return &emptypb.Empty{}, nil
}

// objectID is namespace/name, or name for a cluster-scoped object, as the
// kubernetes provider names its resources.
func objectID(m resource.PropertyMap) string {
	name, _ := lookup(m, "metadata.name")
	ns, _ := lookup(m, "metadata.namespace")
	if !name.IsString() {
		return ""
	}
	if ns.IsString() && ns.StringValue() != "" {
		return ns.StringValue() + "/" + name.StringValue()
	}
	return name.StringValue()
}
