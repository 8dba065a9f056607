// Package render runs the fhir-dr program offline under a mock resource
// monitor and records what it declares: every resource with its type, name,
// parent, inputs and options, and the stack outputs. drctl plan prints it;
// the tests assert on it. Outputs that only Azure knows (IDs, endpoints) come
// from the azurefake test double.
package render

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"

	"github.com/fhir-dr/fhir-dr/internal/azurefake"
)

// Project is the Pulumi project name.
const Project = "fhir-dr"

// Resource is one registered resource.
type Resource struct {
	// URN is the resource's URN as the engine would compute it.
	URN string `json:"urn"`
	// Type is the type token.
	Type string `json:"type"`
	// Name is the logical name.
	Name string `json:"name"`
	// Parent is the parent's URN.
	Parent string `json:"parent,omitempty"`
	// Custom is true for provider resources, false for components.
	Custom bool `json:"-"`
	// Inputs are the inputs as sent to the resource monitor.
	Inputs map[string]any `json:"inputs"`
	// Protect and RetainOnDelete are the resource options.
	Protect        bool `json:"protect"`
	RetainOnDelete bool `json:"retainOnDelete"`
	// Version is the pinned provider version, "" for components.
	Version string `json:"version,omitempty"`
	// DeletedWith is the URN of the resource whose deletion takes this one
	// along, if any.
	DeletedWith string `json:"deletedWith,omitempty"`
	// ID is the (fake) ARM ID of a custom resource.
	ID string `json:"-"`
	// Properties are the inputs as the monitor received them (Inputs is
	// their plain form): what the policy reads.
	Properties resource.PropertyMap `json:"-"`
	// Request is the registration as the monitor received it, every
	// option included: what registering the same resources again needs
	// (cmd/drctl's floor benchmark).
	Request *pulumirpc.RegisterResourceRequest `json:"-"`
}

// Plan is what a program run declared.
type Plan struct {
	// Stack is the stack name.
	Stack string `json:"stack"`
	// Resources are the resources in registration order.
	Resources []Resource `json:"resources"`
	// Outputs are the stack outputs.
	Outputs map[string]any `json:"outputs"`
}

// Program is a Pulumi program that returns its exported outputs.
type Program func(ctx *pulumi.Context) (pulumi.Map, error)

// Run runs program for stack with the flat configuration values and returns
// what it declared. The program's error is returned as is, together with
// the (possibly partial) plan.
func Run(stack string, values map[string]string, program Program) (*Plan, error) {
	mocks := &monitor{stack: stack}
	plan := &Plan{Stack: stack, Outputs: map[string]any{}}
	var outputsMu sync.Mutex
	// The program runs on a goroutine of its own: the SDK records the
	// whole call stack of every registration, frame by frame, and a fresh
	// goroutine's stack starts here rather than under the caller's (the
	// command line's, a test's). Everything rendered, the floor benchmark
	// included, pays the same.
	var err error
	done := make(chan struct{})
	go func() {
		defer close(done)
		err = runProgram(stack, values, program, mocks, plan, &outputsMu)
	}()
	<-done
	mocks.mu.Lock()
	plan.Resources = treeOrder(mocks.resources)
	mocks.mu.Unlock()
	return plan, err
}

// runProgram is Run's program run under the mocks.
func runProgram(stack string, values map[string]string, program Program, mocks *monitor, plan *Plan, outputsMu *sync.Mutex) error {
	return pulumi.RunErr(func(ctx *pulumi.Context) error {
		outputs, err := program(ctx)
		if err != nil {
			return err
		}
		outputs.ToMapOutput().ApplyT(func(m map[string]any) error {
			outputsMu.Lock()
			defer outputsMu.Unlock()
			plan.Outputs = m
			return nil
		})
		return nil
	}, pulumi.WithMocks(Project, stack, mocks), withConfig(values))
}

// treeOrder orders resources depth-first from the top, siblings by type and
// name. The SDK registers resources concurrently, so the order in which the
// monitor sees them varies from run to run; plans must not.
func treeOrder(rs []Resource) []Resource {
	byURN := make(map[string]bool, len(rs))
	for _, r := range rs {
		byURN[r.URN] = true
	}
	children := map[string][]Resource{}
	for _, r := range rs {
		parent := r.Parent
		if !byURN[parent] {
			parent = ""
		}
		children[parent] = append(children[parent], r)
	}
	out := make([]Resource, 0, len(rs))
	var walk func(parent string)
	walk = func(parent string) {
		kids := children[parent]
		slices.SortFunc(kids, func(a, b Resource) int {
			return cmp.Or(cmp.Compare(a.Type, b.Type), cmp.Compare(a.Name, b.Name))
		})
		for _, k := range kids {
			out = append(out, k)
			walk(k.URN)
		}
	}
	walk("")
	return out
}

func withConfig(values map[string]string) pulumi.RunOption {
	return func(info *pulumi.RunInfo) { info.Config = values }
}

// monitor is the mock resource monitor that records registrations.
type monitor struct {
	stack     string
	mu        sync.Mutex
	resources []Resource
}

func (m *monitor) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	req := args.RegisterRPC
	parent := req.GetParent()
	r := Resource{
		URN:            urn(m.stack, parent, args.TypeToken, args.Name),
		Type:           args.TypeToken,
		Name:           args.Name,
		Parent:         parent,
		Custom:         args.Custom,
		Inputs:         args.Inputs.Mappable(),
		Protect:        req.GetProtect(),
		RetainOnDelete: req.GetRetainOnDelete(),
		Version:        req.GetVersion(),
		DeletedWith:    req.GetDeletedWith(),
		Properties:     args.Inputs,
		Request:        req,
	}
	var id string
	state := args.Inputs
	if args.Custom {
		id, state = azurefake.Outputs(args.TypeToken, args.Name, args.Inputs)
		r.ID = id
	}
	m.mu.Lock()
	m.resources = append(m.resources, r)
	m.mu.Unlock()
	return id, state, nil
}

func (m *monitor) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	out, err := azurefake.Invoke(args.Token, args.Args)
	if err != nil {
		return nil, fmt.Errorf("render: %w", err)
	}
	return out, nil
}

// urn computes a URN the way the engine (and the SDK's mock monitor) does.
func urn(stack, parent, typ, name string) string {
	var parentType tokens.Type
	if p := resource.URN(parent); p != "" && p.QualifiedType() != resource.RootStackType {
		parentType = p.QualifiedType()
	}
	return string(resource.NewURN(tokens.QName(stack), tokens.PackageName(Project), parentType, tokens.Type(typ), name))
}

// Find returns the resources of the given type.
func (p *Plan) Find(typ string) []Resource {
	var out []Resource
	for _, r := range p.Resources {
		if r.Type == typ {
			out = append(out, r)
		}
	}
	return out
}

// Get returns the resource with the given type and name.
func (p *Plan) Get(typ, name string) (Resource, bool) {
	for _, r := range p.Resources {
		if r.Type == typ && r.Name == name {
			return r, true
		}
	}
	return Resource{}, false
}

// JSON returns the plan as indented JSON.
func (p *Plan) JSON() ([]byte, error) {
	return json.MarshalIndent(p, "", "  ")
}
