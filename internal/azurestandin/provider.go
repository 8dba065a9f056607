// Package azurestandin is a stand-in for the azure-native provider: a test
// double for Azure that the real Pulumi engine talks to, offline, through
// PULUMI_DEBUG_PROVIDERS=azure-native:<port>. It is not Azure and it is not
// the azure-native plugin; nothing it returns was read from a cloud.
//
// It is strict where Azure is:
//
//   - Check rejects inputs the azure-native schema does not have, missing
//     required inputs, values of the wrong shape and enum values Azure does
//     not accept (internal/azureschema), and the Cosmos DB account requests
//     Azure rejects: a region added or removed together with other changes,
//     the write region removed or moved by an update, two write regions
//     (internal/armrules).
//   - Diff reports a replacement for the inputs Azure cannot change in place
//     (armrules.ReplaceRules), deleting first because ARM names are unique.
//   - Create refuses an ID that already exists, as azure-native does (import
//     it instead), and returns Azure-shaped IDs and the outputs the program
//     reads (internal/azurefake).
//   - Delete refuses what a CanNotDelete management lock guards: the locked
//     scope, everything inside it, and a resource group holding it.
//
// It keeps what it created in memory, a small fake cloud that Read answers
// from, and records every operation so that tests can assert on what the
// engine asked of it.
package azurestandin

import (
	"context"
	"fmt"
	"github.com/fhir-dr/fhir-dr/azure/regions"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/emptypb"

	"github.com/fhir-dr/fhir-dr/azure/authorization"
	"github.com/fhir-dr/fhir-dr/azure/containerservice"
	"github.com/fhir-dr/fhir-dr/azure/cosmosdb"
	"github.com/fhir-dr/fhir-dr/internal/armrules"
	"github.com/fhir-dr/fhir-dr/internal/azurefake"
	"github.com/fhir-dr/fhir-dr/internal/azureschema"
	"github.com/fhir-dr/fhir-dr/internal/standin"
)

// PackageName is the provider package the stand-in answers for.
const PackageName = "azure-native"

// OpKind is the kind of an operation the engine asked for.
type OpKind string

// The operations recorded.
const (
	OpCreate OpKind = "create"
	OpUpdate OpKind = "update"
	OpDelete OpKind = "delete"
	OpRead   OpKind = "read"
)

// Op is one operation that changed or read the fake cloud.
type Op struct {
	// Kind is what was done.
	Kind OpKind
	// Type is the resource's type token.
	Type string
	// Name is the resource's logical (Pulumi) name.
	Name string
	// ID is the resource's fake ARM ID.
	ID string
	// Changed are the top-level inputs an update changed, sorted.
	Changed []string
}

// Resource is what the fake cloud holds for one resource.
type Resource struct {
	// Type is the type token.
	Type string
	// Inputs are the inputs it was last written with.
	Inputs resource.PropertyMap
	// Outputs are the properties Azure would report.
	Outputs resource.PropertyMap
}

// Provider is the stand-in. The zero value is not usable; call New.
type Provider struct {
	standin.Base

	facts *azureschema.Facts

	mu    sync.Mutex
	cloud map[string]Resource
	ops   []Op
	// createDelay makes every Create take this long, to test what
	// happens while operations are in flight.
	createDelay time.Duration
	// onCreate, if set, is called when a Create starts.
	onCreate func(token, name string)
	// created counts the creates of each ID: a resource created again
	// under the same ID is a new one.
	created map[string]int
}

// New returns a stand-in with an empty fake cloud.
func New() (*Provider, error) {
	facts, err := azureschema.Load()
	if err != nil {
		return nil, err
	}
	return &Provider{
		Base:  standin.Base{Version: facts.Provider.Version},
		facts: facts, cloud: map[string]Resource{}, created: map[string]int{},
	}, nil
}

// Add puts a resource in the fake cloud as if it had been made outside
// Pulumi: the portal, a script, or the customer's existing deployment.
func (p *Provider) Add(id string, r Resource) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cloud[id] = r
}

// Remove takes a resource out of the fake cloud, as if it had been deleted
// outside Pulumi (or imported and cleaned up by hand): what fixes a failure
// Add caused on purpose.
func (p *Provider) Remove(id string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.cloud, id)
}

// SetWriteRegion does what a failover does to the Cosmos DB account id in
// the fake cloud: region takes failover priority 0 and the others follow
// in their order. It reports whether the account and region were found.
func (p *Provider) SetWriteRegion(id, region string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	r, ok := p.cloud[id]
	if !ok {
		return false
	}
	found := false
	for _, m := range []resource.PropertyMap{r.Inputs, r.Outputs} {
		v := m["locations"]
		if !v.IsArray() {
			continue
		}
		locs := v.ArrayValue()
		next := 1
		// Keep the others' relative order by their current priority.
		order := make([]int, len(locs))
		for i := range locs {
			order[i] = i
		}
		prio := func(i int) float64 {
			if pv := locs[i].ObjectValue()["failoverPriority"]; pv.IsNumber() {
				return pv.NumberValue()
			}
			return 0
		}
		slices.SortFunc(order, func(a, b int) int { return int(prio(a) - prio(b)) })
		updated := make([]resource.PropertyValue, len(locs))
		for _, i := range order {
			loc := locs[i].ObjectValue().Copy()
			name := loc["locationName"]
			if name.IsString() && regions.Same(name.StringValue(), region) {
				loc["failoverPriority"] = resource.NewProperty(0.0)
				found = true
			} else {
				loc["failoverPriority"] = resource.NewProperty(float64(next))
				next++
			}
			updated[i] = resource.NewProperty(loc)
		}
		m["locations"] = resource.NewProperty(updated)
	}
	p.cloud[id] = r
	return found
}

// SlowCreates makes every Create take d and calls started (if not nil) as
// each begins: for tests of interrupted runs.
func (p *Provider) SlowCreates(d time.Duration, started func(token, name string)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.createDelay, p.onCreate = d, started
}

// Ops returns the operations so far, in order.
func (p *Provider) Ops() []Op {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.ops)
}

// Cloud returns a copy of the fake cloud, keyed by ID.
func (p *Provider) Cloud() map[string]Resource {
	p.mu.Lock()
	defer p.mu.Unlock()
	return maps.Clone(p.cloud)
}

// Serve starts serving the stand-in on a free local port.
func (p *Provider) Serve() (*standin.Server, error) { return standin.Serve(PackageName, p) }

func nameOf(name, urn string) string {
	if name != "" {
		return name
	}
	return resource.URN(urn).Name()
}

// CheckConfig accepts the provider configuration as given: the stand-in
// needs no credentials, and the program sets none.
func (p *Provider) CheckConfig(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	return &pulumirpc.CheckResponse{Inputs: req.GetNews()}, nil
}

// DiffConfig reports no provider configuration change.
func (p *Provider) DiffConfig(context.Context, *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE}, nil
}

// Configure accepts any configuration.
func (p *Provider) Configure(context.Context, *pulumirpc.ConfigureRequest) (*pulumirpc.ConfigureResponse, error) {
	return &pulumirpc.ConfigureResponse{AcceptSecrets: true, SupportsPreview: true, AcceptResources: true}, nil
}

// Check validates a resource's inputs; see CheckInputs.
func (p *Provider) Check(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	token := standin.TypeOf(req.GetType(), req.GetUrn())
	news, err := standin.Unmarshal(req.GetNews())
	if err != nil {
		return nil, fmt.Errorf("check %s: %w", req.GetUrn(), err)
	}
	var olds resource.PropertyMap
	if req.GetOlds() != nil && len(req.GetOlds().GetFields()) > 0 {
		if olds, err = standin.Unmarshal(req.GetOlds()); err != nil {
			return nil, fmt.Errorf("check %s: %w", req.GetUrn(), err)
		}
	}
	resp := &pulumirpc.CheckResponse{Inputs: req.GetNews()}
	for _, f := range CheckInputs(p.facts, token, olds, news) {
		resp.Failures = append(resp.Failures, &pulumirpc.CheckFailure{
			Property: f.Path, Reason: "azure-native stand-in: " + f.Reason,
		})
	}
	return resp, nil
}

// Diff compares the deployed inputs with the new ones and says which
// changes replace the resource.
func (p *Provider) Diff(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	token := standin.TypeOf(req.GetType(), req.GetUrn())
	olds, news, err := standin.OldsAndNews(req)
	if err != nil {
		return nil, fmt.Errorf("diff: %w", err)
	}
	return DiffInputs(token, olds, news), nil
}

// DiffInputs is the Diff answer for a resource of type token whose inputs
// change from olds to news.
func DiffInputs(token string, olds, news resource.PropertyMap) *pulumirpc.DiffResponse {
	resp := &pulumirpc.DiffResponse{
		Changes:         pulumirpc.DiffResponse_DIFF_NONE,
		DetailedDiff:    map[string]*pulumirpc.PropertyDiff{},
		HasDetailedDiff: true,
	}
	diff := olds.Diff(news)
	if diff == nil {
		return resp
	}
	replaced := map[string]bool{}
	for _, r := range armrules.Replacements(token, olds, news) {
		top := topKey(r.Path)
		if !replaced[top] {
			resp.Replaces = append(resp.Replaces, top)
			replaced[top] = true
		}
		resp.DetailedDiff[r.Path] = &pulumirpc.PropertyDiff{Kind: pulumirpc.PropertyDiff_UPDATE_REPLACE, InputDiff: true}
	}
	for _, k := range diff.ChangedKeys() {
		key := string(k)
		resp.Diffs = append(resp.Diffs, key)
		if replaced[key] {
			continue
		}
		kind := pulumirpc.PropertyDiff_UPDATE
		switch {
		case diff.Added(k):
			kind = pulumirpc.PropertyDiff_ADD
		case diff.Deleted(k):
			kind = pulumirpc.PropertyDiff_DELETE
		}
		resp.DetailedDiff[key] = &pulumirpc.PropertyDiff{Kind: kind, InputDiff: true}
	}
	slices.Sort(resp.Diffs)
	resp.Changes = pulumirpc.DiffResponse_DIFF_SOME
	// ARM IDs are unique: a replacement that keeps the ID must delete the
	// old resource first; one with a new ID (a new name or group) is
	// created before the old one goes, as the engine prefers.
	if len(resp.Replaces) > 0 {
		oldID, _ := azurefake.Outputs(token, "", olds)
		newID, _ := azurefake.Outputs(token, "", news)
		resp.DeleteBeforeReplace = oldID == newID || news.ContainsUnknowns()
	}
	return resp
}

func topKey(path string) string {
	end := len(path)
	if i := strings.IndexAny(path, ".["); i >= 0 {
		end = i
	}
	return path[:end]
}

// Create adds a resource to the fake cloud.
func (p *Provider) Create(_ context.Context, req *pulumirpc.CreateRequest) (*pulumirpc.CreateResponse, error) {
	token, name := standin.TypeOf(req.GetType(), req.GetUrn()), nameOf(req.GetName(), req.GetUrn())
	inputs, err := standin.Unmarshal(req.GetProperties())
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", req.GetUrn(), err)
	}
	if req.GetPreview() {
		_, outs := azurefake.Outputs(token, name, inputs)
		props, err := standin.Marshal(unknownOutputs(inputs, outs))
		return &pulumirpc.CreateResponse{Properties: props}, err
	}
	id, outs := azurefake.Outputs(token, name, inputs)
	p.mu.Lock()
	delay, started := p.createDelay, p.onCreate
	p.mu.Unlock()
	if started != nil {
		started(token, name)
	}
	time.Sleep(delay)
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, exists := p.cloud[id]; exists {
		return nil, fmt.Errorf("azure-native stand-in: resource %s already exists; import it into the stack instead of creating it", id)
	}
	p.created[id]++
	if n := p.created[id]; n > 1 && token == containerservice.ManagedClusterToken {
		outs = azurefake.Rebuilt(outs, n)
	}
	p.cloud[id] = Resource{Type: token, Inputs: inputs, Outputs: outs}
	p.ops = append(p.ops, Op{Kind: OpCreate, Type: token, Name: name, ID: id})
	props, err := standin.Marshal(outs)
	return &pulumirpc.CreateResponse{Id: id, Properties: props}, err
}

// unknownOutputs is a preview's answer: the inputs, and every output the
// provider computes marked unknown.
func unknownOutputs(inputs, outs resource.PropertyMap) resource.PropertyMap {
	res := inputs.Copy()
	for k, v := range outs {
		if _, isInput := inputs[k]; !isInput {
			res[k] = resource.MakeComputed(resource.NewProperty(""))
		} else if !v.DeepEquals(inputs[k]) {
			res[k] = resource.MakeComputed(resource.NewProperty(""))
		}
	}
	return res
}

// Read returns what the fake cloud holds for an ID; an empty ID means the
// resource is gone.
func (p *Provider) Read(_ context.Context, req *pulumirpc.ReadRequest) (*pulumirpc.ReadResponse, error) {
	token, name := standin.TypeOf(req.GetType(), req.GetUrn()), nameOf(req.GetName(), req.GetUrn())
	p.mu.Lock()
	r, ok := p.cloud[req.GetId()]
	if ok {
		p.ops = append(p.ops, Op{Kind: OpRead, Type: token, Name: name, ID: req.GetId()})
	}
	p.mu.Unlock()
	if !ok {
		return &pulumirpc.ReadResponse{}, nil
	}
	props, err := standin.Marshal(r.Outputs)
	if err != nil {
		return nil, err
	}
	inputs, err := standin.Marshal(r.Inputs)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.ReadResponse{Id: req.GetId(), Properties: props, Inputs: inputs}, nil
}

// Update rewrites a resource in place. The Cosmos DB rules are applied
// again, as Azure applies them to the request itself.
func (p *Provider) Update(_ context.Context, req *pulumirpc.UpdateRequest) (*pulumirpc.UpdateResponse, error) {
	token, name := standin.TypeOf(req.GetType(), req.GetUrn()), nameOf(req.GetName(), req.GetUrn())
	olds, news, err := standin.OldsAndNews(req)
	if err != nil {
		return nil, fmt.Errorf("update: %w", err)
	}
	_, outs := azurefake.Outputs(token, name, news)
	if req.GetPreview() {
		// An in-place update keeps the resource's ID and name: outputs are
		// known unless an input is not.
		if news.ContainsUnknowns() {
			outs = unknownOutputs(news, outs)
		}
		props, err := standin.Marshal(outs)
		return &pulumirpc.UpdateResponse{Properties: props}, err
	}
	if token == cosmosdb.DatabaseAccountToken {
		if v := armrules.CheckDatabaseAccount(olds, news); len(v) > 0 {
			return nil, fmt.Errorf("azure-native stand-in: the account update is rejected: %s", v[0])
		}
	}
	var changed []string
	if d := olds.Diff(news); d != nil {
		for _, k := range d.ChangedKeys() {
			changed = append(changed, string(k))
		}
		slices.Sort(changed)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cloud[req.GetId()] = Resource{Type: token, Inputs: news, Outputs: outs}
	p.ops = append(p.ops, Op{Kind: OpUpdate, Type: token, Name: name, ID: req.GetId(), Changed: changed})
	props, err := standin.Marshal(outs)
	return &pulumirpc.UpdateResponse{Properties: props}, err
}

// Delete removes a resource from the fake cloud. As in Azure, a
// CanNotDelete management lock refuses the delete of the locked scope, of
// everything inside it, and of a scope that holds it (a resource group
// with a locked resource).
func (p *Provider) Delete(_ context.Context, req *pulumirpc.DeleteRequest) (*emptypb.Empty, error) {
	token, name := standin.TypeOf(req.GetType(), req.GetUrn()), nameOf(req.GetName(), req.GetUrn())
	p.mu.Lock()
	defer p.mu.Unlock()
	if token != authorization.ManagementLockByScopeToken {
		if locks := p.locksOn(req.GetId()); len(locks) > 0 {
			return nil, fmt.Errorf("azure-native stand-in: ScopeLocked: the scope '%s' cannot perform delete operation because "+
				"following scope(s) are locked: '%s'. Please remove the lock and try again", req.GetId(), strings.Join(locks, "', '"))
		}
	}
	delete(p.cloud, req.GetId())
	p.ops = append(p.ops, Op{Kind: OpDelete, Type: token, Name: name, ID: req.GetId()})
	return &emptypb.Empty{}, nil
}

// locksOn returns the scopes of the CanNotDelete locks that refuse
// deleting id. p.mu is held.
func (p *Provider) locksOn(id string) []string {
	target := strings.ToLower(id)
	var scopes []string
	for _, r := range p.cloud {
		if r.Type != authorization.ManagementLockByScopeToken {
			continue
		}
		level, scope := r.Inputs["level"], r.Inputs["scope"]
		if !level.IsString() || level.StringValue() != "CanNotDelete" || !scope.IsString() {
			continue
		}
		s := strings.ToLower(scope.StringValue())
		if target == s || strings.HasPrefix(target, s+"/") || strings.HasPrefix(s, target+"/") {
			scopes = append(scopes, scope.StringValue())
		}
	}
	slices.Sort(scopes)
	return scopes
}

// Invoke answers listManagedClusterUserCredentials for a cluster in the
// fake cloud, as AKS does: the arguments must be the function's, the
// cluster must exist (so the program must wait for it), and the kubeconfig
// names its API server.
func (p *Provider) Invoke(_ context.Context, req *pulumirpc.InvokeRequest) (*pulumirpc.InvokeResponse, error) {
	args, err := standin.Unmarshal(req.GetArgs())
	if err != nil {
		return nil, fmt.Errorf("invoke %s: %w", req.GetTok(), err)
	}
	fn, ok := p.facts.Functions[req.GetTok()]
	if !ok {
		return nil, fmt.Errorf("azure-native stand-in: function %s is not modeled", req.GetTok())
	}
	var failures []*pulumirpc.CheckFailure
	for k := range args {
		if _, known := fn.Inputs[string(k)]; !known {
			failures = append(failures, &pulumirpc.CheckFailure{Property: string(k), Reason: "azure-native stand-in: no such argument"})
		}
	}
	for _, k := range fn.Required {
		if v, set := args[resource.PropertyKey(k)]; !set || v.IsNull() {
			failures = append(failures, &pulumirpc.CheckFailure{Property: k, Reason: "azure-native stand-in: required"})
		}
	}
	if len(failures) > 0 {
		return &pulumirpc.InvokeResponse{Failures: failures}, nil
	}
	rg, name, err := azurefake.UserCredentialsArgs(req.GetTok(), args)
	if err != nil {
		return nil, fmt.Errorf("azure-native stand-in: %w", err)
	}
	id, _ := azurefake.Outputs(containerservice.ManagedClusterToken, name, resource.PropertyMap{
		"resourceGroupName": resource.NewProperty(rg), "resourceName": resource.NewProperty(name),
	})
	p.mu.Lock()
	cluster, exists := p.cloud[id]
	p.mu.Unlock()
	if !exists {
		return nil, fmt.Errorf("azure-native stand-in: ResourceNotFound: managed cluster %s does not exist", id)
	}
	server := azurefake.ClusterServer(rg, name)
	if fqdn := cluster.Outputs["fqdn"]; fqdn.IsString() {
		server = "https://" + fqdn.StringValue() + ":443"
	}
	out := azurefake.UserCredentials(rg, name, server)
	ret, err := standin.Marshal(out)
	return &pulumirpc.InvokeResponse{Return: ret}, err
}
