// Package analyzer serves fhir-dr's policy (policy/rules) over Pulumi's
// Analyzer gRPC interface, so that `pulumi preview --policy-pack <binary>`
// enforces it.
//
// The engine calls Analyze with each resource's inputs as it registers it,
// and AnalyzeStack with the whole stack's outputs at the end. Resource rules
// run in Analyze; stack rules run in AnalyzeStack on the inputs remembered
// from Analyze (outputs carry fields Azure computes, which would make two
// regions' clusters differ). Resources known only from state (`pulumi policy
// analyze`) are judged on their outputs, reduced to the schema's inputs.
package analyzer

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/fhir-dr/fhir-dr/stackfile"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/fhir-dr/fhir-dr/drconfig"
	"github.com/fhir-dr/fhir-dr/internal/azureschema"
	"github.com/fhir-dr/fhir-dr/policy/rules"
)

// Name is the policy pack's name.
const Name = "fhir-dr"

// Version is the policy pack's version.
const Version = "1.0.0"

// Budget properties of the policy pack config.
const (
	// RPOSecondsProperty is set on cosmos-consistency-meets-rpo.
	RPOSecondsProperty = "rpoSeconds"
	// RTOFullSecondsProperty and RTODataSecondsProperty are set on
	// rto-budget.
	RTOFullSecondsProperty = "rtoFullSeconds"
	RTODataSecondsProperty = "rtoDataSeconds"
)

// Server is the analyzer.
type Server struct {
	pulumirpc.UnimplementedAnalyzerServer

	mu     sync.Mutex
	cfg    rules.Config
	stack  rules.Stack
	inputs map[string]rules.Resource // by URN, from Analyze
}

// New returns an analyzer with the default configuration.
func New() *Server {
	return &Server{cfg: rules.DefaultConfig(), inputs: map[string]rules.Resource{}}
}

// Handshake accepts the engine.
func (s *Server) Handshake(context.Context, *pulumirpc.AnalyzerHandshakeRequest) (*pulumirpc.AnalyzerHandshakeResponse, error) {
	return &pulumirpc.AnalyzerHandshakeResponse{}, nil
}

// GetPluginInfo reports the pack's version.
func (s *Server) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: Version}, nil
}

// ConfigureStack receives the stack's name and configuration: the DR
// intent the rules check the resources against.
func (s *Server) ConfigureStack(_ context.Context, req *pulumirpc.AnalyzerStackConfigureRequest) (*pulumirpc.AnalyzerStackConfigureResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stack.Name = req.GetStack()
	// An invalid configuration fails the program itself with every
	// problem listed; the rules then infer the intent from the resources.
	if cfg, err := drconfig.Load(stackfile.Path(req.GetStack()), req.GetConfig()); err == nil {
		s.stack.Config = cfg
	}
	return &pulumirpc.AnalyzerStackConfigureResponse{}, nil
}

// GetAnalyzerInfo describes the rules and their configuration.
func (s *Server) GetAnalyzerInfo(context.Context, *emptypb.Empty) (*pulumirpc.AnalyzerInfo, error) {
	info := &pulumirpc.AnalyzerInfo{
		Name: Name, DisplayName: "fhir-dr: the DR product's promises", Version: Version, SupportsConfig: true,
		Description: "Refuses any DR stack that breaks the product's promises: geo-replicated, protected Cosmos DB data " +
			"within the RPO budget, a working Traffic Manager failover within the RTO budget, mirrored and hardened clusters, " +
			"and the billing and ticket tags.",
	}
	for _, r := range rules.All() {
		pi := &pulumirpc.PolicyInfo{
			Name: r.Name, DisplayName: r.Name, Description: r.Description, EnforcementLevel: toRPC(r.Level),
			PolicyType: pulumirpc.PolicyType_POLICY_TYPE_RESOURCE,
		}
		if r.Scope == rules.StackScope {
			pi.PolicyType = pulumirpc.PolicyType_POLICY_TYPE_STACK
		}
		if schema := configSchema(r.Name); schema != nil {
			pi.ConfigSchema = schema
		}
		info.Policies = append(info.Policies, pi)
	}
	return info, nil
}

func configSchema(rule string) *pulumirpc.PolicyConfigSchema {
	var props []string
	switch rule {
	case "cosmos-consistency-meets-rpo":
		props = []string{RPOSecondsProperty}
	case "rto-budget":
		props = []string{RTOFullSecondsProperty, RTODataSecondsProperty}
	default:
		return nil
	}
	schema := map[string]any{}
	for _, p := range props {
		schema[p] = map[string]any{"type": "integer", "minimum": 0, "maximum": int(rules.MaxBudget.Seconds())}
	}
	st, err := structpb.NewStruct(schema)
	if err != nil {
		return nil
	}
	return &pulumirpc.PolicyConfigSchema{Properties: st}
}

// Configure applies the policy pack config: enforcement levels per rule and
// the RPO/RTO budgets.
func (s *Server) Configure(_ context.Context, req *pulumirpc.ConfigureAnalyzerRequest) (*emptypb.Empty, error) {
	settings := map[string]ruleSettings{}
	for name, pc := range req.GetPolicyConfig() {
		settings[name] = ruleSettings{Level: fromRPC(pc.GetEnforcementLevel()), Properties: pc.GetProperties().AsMap()}
	}
	cfg, err := configFrom(settings)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.cfg = cfg
	s.mu.Unlock()
	return &emptypb.Empty{}, nil
}

// ruleSettings are one rule's settings in the policy pack config.
type ruleSettings struct {
	Level      rules.Level
	Properties map[string]any
}

func configFrom(settings map[string]ruleSettings) (rules.Config, error) {
	cfg := rules.DefaultConfig()
	cfg.Levels = map[string]rules.Level{}
	var problems []string
	for name, rs := range settings {
		if rs.Level != "" {
			cfg.Levels[name] = rs.Level
		}
		// A budget is whole seconds up to rules.MaxBudget, so that it
		// converts to a duration without wrapping around.
		seconds := func(key string, dst *time.Duration) {
			v, ok := rs.Properties[key].(float64)
			switch {
			case !ok:
			case v < 0 || v > rules.MaxBudget.Seconds() || v != math.Trunc(v):
				problems = append(problems, fmt.Sprintf("rule %q: %s must be a whole number of seconds from 0 to %d, got %v",
					name, key, int(rules.MaxBudget.Seconds()), v))
			default:
				*dst = time.Duration(v) * time.Second
			}
		}
		switch name {
		case "cosmos-consistency-meets-rpo":
			seconds(RPOSecondsProperty, &cfg.RPO)
		case "rto-budget":
			seconds(RTOFullSecondsProperty, &cfg.RTOFull)
			seconds(RTODataSecondsProperty, &cfg.RTOData)
		}
	}
	if len(problems) > 0 {
		slices.Sort(problems)
		return rules.Config{}, fmt.Errorf("policy config: %s", strings.Join(problems, "; "))
	}
	if err := cfg.Validate(); err != nil {
		return rules.Config{}, err
	}
	return cfg, nil
}

// ParseConfigFile reads a policy pack config file, the JSON document given to
// `pulumi preview --policy-pack-config`, so that drctl applies the same
// levels and budgets as the pipeline. Each key is a rule name, or "all" for
// every rule; each value is an enforcement level, or an object with
// "enforcementLevel" and the rule's properties.
func ParseConfigFile(data []byte) (rules.Config, error) {
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		return rules.Config{}, fmt.Errorf("policy config: %w", err)
	}
	settings := map[string]ruleSettings{}
	apply := func(name string, v any) error {
		switch v := v.(type) {
		case string:
			settings[name] = ruleSettings{Level: rules.Level(v)}
		case map[string]any:
			rs := ruleSettings{Level: settings[name].Level, Properties: v} // the level of "all" unless given
			if l, ok := v["enforcementLevel"].(string); ok {
				rs.Level = rules.Level(l)
			}
			settings[name] = rs
		default:
			return fmt.Errorf("policy config: %q: want a level or an object", name)
		}
		return nil
	}
	if all, ok := doc["all"]; ok {
		for _, r := range rules.All() {
			if err := apply(r.Name, all); err != nil {
				return rules.Config{}, err
			}
		}
	}
	for name, v := range doc {
		if name == "all" {
			continue
		}
		if err := apply(name, v); err != nil {
			return rules.Config{}, err
		}
	}
	return configFrom(settings)
}

// Analyze runs the resource rules on one resource's inputs.
func (s *Server) Analyze(_ context.Context, req *pulumirpc.AnalyzeRequest) (*pulumirpc.AnalyzeResponse, error) {
	props, err := unmarshal(req.GetProperties())
	if err != nil {
		return nil, fmt.Errorf("analyze %s: %w", req.GetUrn(), err)
	}
	r := rules.Resource{URN: req.GetUrn(), Type: req.GetType(), Name: req.GetName(), Inputs: props,
		Protect: req.GetOptions().GetProtect()}
	s.mu.Lock()
	s.inputs[r.URN] = r
	cfg, stack := s.cfg, s.stack
	s.mu.Unlock()
	return respond(rules.CheckResource(cfg, stack, r)), nil
}

// AnalyzeStack runs the stack rules, and the resource rules on resources
// that were not analyzed one by one.
func (s *Server) AnalyzeStack(_ context.Context, req *pulumirpc.AnalyzeStackRequest) (*pulumirpc.AnalyzeResponse, error) {
	s.mu.Lock()
	cfg, stack := s.cfg, s.stack
	seen := make(map[string]rules.Resource, len(s.inputs))
	for k, v := range s.inputs {
		seen[k] = v
	}
	s.mu.Unlock()

	var fromState []rules.Resource
	for _, ar := range req.GetResources() {
		if r, ok := seen[ar.GetUrn()]; ok {
			r.Protect = ar.GetOptions().GetProtect()
			r.Dependencies = dependencies(ar)
			stack.Resources = append(stack.Resources, r)
			continue
		}
		outputs, err := unmarshal(ar.GetProperties())
		if err != nil {
			return nil, fmt.Errorf("analyze stack %s: %w", ar.GetUrn(), err)
		}
		r := rules.Resource{URN: ar.GetUrn(), Type: ar.GetType(), Name: ar.GetName(),
			Inputs: InputsOnly(ar.GetType(), outputs), Protect: ar.GetOptions().GetProtect(), Dependencies: dependencies(ar)}
		stack.Resources = append(stack.Resources, r)
		fromState = append(fromState, r)
	}
	var ds []rules.Diagnostic
	for _, r := range fromState {
		ds = append(ds, rules.CheckResource(cfg, stack, r)...)
	}
	return respond(append(ds, rules.CheckStack(cfg, stack)...)), nil
}

// dependencies returns the URNs each input of ar depends on, by input name.
func dependencies(ar *pulumirpc.AnalyzerResource) map[string][]string {
	if len(ar.GetPropertyDependencies()) == 0 {
		return nil
	}
	deps := map[string][]string{}
	for k, v := range ar.GetPropertyDependencies() {
		deps[k] = v.GetUrns()
	}
	return deps
}

// InputsOnly reduces a resource's outputs to the inputs of its type in the
// azure-native schema facts, recursively, dropping what Azure computes (IDs,
// FQDNs, provisioning states). Types without facts are kept as they are.
func InputsOnly(token string, outputs resource.PropertyMap) resource.PropertyMap {
	facts, err := azureschema.Load()
	if err != nil {
		return outputs
	}
	res, ok := facts.Resources[token]
	if !ok {
		return outputs
	}
	return filterObject(facts, outputs, res.Object)
}

func filterObject(facts *azureschema.Facts, m resource.PropertyMap, shape azureschema.Object) resource.PropertyMap {
	out := resource.PropertyMap{}
	for k, v := range m {
		expr, ok := shape.Inputs[string(k)]
		if !ok {
			continue
		}
		t, err := azureschema.ParseType(expr)
		if err != nil {
			out[k] = v
			continue
		}
		out[k] = filterValue(facts, v, t)
	}
	return out
}

func filterValue(facts *azureschema.Facts, v resource.PropertyValue, t azureschema.Type) resource.PropertyValue {
	switch {
	case t.Kind == azureschema.ObjectRef && v.IsObject():
		if shape, ok := facts.Types[t.Name]; ok {
			return resource.NewProperty(filterObject(facts, v.ObjectValue(), shape))
		}
	case t.Kind == azureschema.Array && v.IsArray():
		var elems []resource.PropertyValue
		for _, e := range v.ArrayValue() {
			elems = append(elems, filterValue(facts, e, *t.Elem))
		}
		return resource.NewProperty(elems)
	}
	return v
}

func respond(ds []rules.Diagnostic) *pulumirpc.AnalyzeResponse {
	resp := &pulumirpc.AnalyzeResponse{}
	descriptions := map[string]string{}
	for _, r := range rules.All() {
		descriptions[r.Name] = r.Description
	}
	for _, d := range ds {
		resp.Diagnostics = append(resp.Diagnostics, &pulumirpc.AnalyzeDiagnostic{
			PolicyName: d.Rule, PolicyPackName: Name, PolicyPackVersion: Version,
			Description: descriptions[d.Rule], Message: d.Message, EnforcementLevel: toRPC(d.Level), Urn: d.URN,
		})
	}
	return resp
}

func unmarshal(s *structpb.Struct) (resource.PropertyMap, error) {
	if s == nil {
		return resource.PropertyMap{}, nil
	}
	return plugin.UnmarshalProperties(s, plugin.MarshalOptions{KeepUnknowns: true, KeepSecrets: true, SkipNulls: true})
}

func toRPC(l rules.Level) pulumirpc.EnforcementLevel {
	switch l {
	case rules.Mandatory:
		return pulumirpc.EnforcementLevel_MANDATORY
	case rules.Disabled:
		return pulumirpc.EnforcementLevel_DISABLED
	}
	return pulumirpc.EnforcementLevel_ADVISORY
}

func fromRPC(l pulumirpc.EnforcementLevel) rules.Level {
	switch l {
	case pulumirpc.EnforcementLevel_MANDATORY:
		return rules.Mandatory
	case pulumirpc.EnforcementLevel_DISABLED:
		return rules.Disabled
	}
	return rules.Advisory
}
