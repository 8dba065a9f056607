// Package rules is fhir-dr's policy: the promises every DR stack must keep,
// whoever wrote the change, checked against the resources a stack declares.
//
// The same rules run in two places. The policy pack binary (../, served to
// `pulumi preview --policy-pack`) evaluates resource rules as the engine
// registers each resource and stack rules over the whole stack; `drctl plan`
// evaluates both in-process over the offline render, so a pull request is
// checked without credentials.
//
// Each rule has a name, a default enforcement level and a description, and
// each diagnostic names the resource and says how to fix it. Config sets the
// enforcement level per rule and the RPO/RTO budgets; its defaults are the
// product targets.
package rules

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/fhir-dr/fhir-dr/azure/containerservice"
	"github.com/fhir-dr/fhir-dr/azure/cosmosdb"
	"github.com/fhir-dr/fhir-dr/azure/network"
	"github.com/fhir-dr/fhir-dr/azure/resources"
	"github.com/fhir-dr/fhir-dr/azure/trafficmanager"
	"github.com/fhir-dr/fhir-dr/drconfig"
	"github.com/fhir-dr/fhir-dr/objectives"
)

// Level is an enforcement level, as Pulumi names them.
type Level string

// The enforcement levels.
const (
	// Mandatory diagnostics fail the preview or update.
	Mandatory Level = "mandatory"
	// Advisory diagnostics are reported and do not fail anything.
	Advisory Level = "advisory"
	// Disabled rules are not evaluated.
	Disabled Level = "disabled"
)

// Resource is one resource of a stack as the policy sees it.
type Resource struct {
	// URN is the resource's URN.
	URN string
	// Type is its type token.
	Type string
	// Name is its logical name.
	Name string
	// Inputs are its declared inputs (or, for resources only known from
	// state, its outputs, which azure-native echoes for the fields checked).
	Inputs resource.PropertyMap
	// Protect is the resource's protect option.
	Protect bool
	// Dependencies are the URNs each input depends on, by input name, as
	// the engine reports them for the whole stack (AnalyzeStack); nil
	// where they are not known, as in drctl's offline render.
	Dependencies map[string][]string
}

// Stack is what a stack rule sees.
type Stack struct {
	// Name is the stack (customer) name.
	Name string
	// Config is the stack's configuration, nil when the analyzer was not
	// given it; the DR intent is then inferred from the resources.
	Config *drconfig.Config
	// Resources are the stack's resources.
	Resources []Resource
}

// Diagnostic is one broken promise.
type Diagnostic struct {
	// Rule is the rule's name.
	Rule string
	// URN is the resource the diagnostic is about; empty for the stack.
	URN string
	// Level is the rule's enforcement level.
	Level Level
	// Message names the resource, the problem and the fix.
	Message string
}

func (d Diagnostic) String() string {
	return fmt.Sprintf("[%s] %s: %s", d.Level, d.Rule, d.Message)
}

// Scope says what a rule looks at.
type Scope int

// The scopes.
const (
	// ResourceScope rules look at one resource at a time.
	ResourceScope Scope = iota
	// StackScope rules look at the whole stack.
	StackScope
)

// Rule is one policy.
type Rule struct {
	// Name is the rule's name, used in config and diagnostics.
	Name string
	// Description says what the rule enforces.
	Description string
	// Level is the default enforcement level.
	Level Level
	// Scope says whether check sees one resource or the stack.
	Scope Scope
	// resource checks one resource; set for ResourceScope.
	resource func(e *env, r Resource) []string
	// stack checks the stack; set for StackScope. It returns messages keyed
	// by the URN they are about ("" for the stack).
	stack func(e *env, s Stack) []finding
}

type finding struct {
	urn, message string
}

// All returns every rule, in a stable order.
func All() []Rule {
	return slices.Clone(allRules())
}

// allRules is every rule, in a stable order, gathered once: checking a
// stack walks the list once per resource.
var allRules = sync.OnceValue(func() []Rule {
	var all []Rule
	for _, group := range [][]Rule{cosmosRules, trafficRules, aksRules, fhirRules, kubernetesRules, tagRules, detectionRules} {
		all = append(all, group...)
	}
	return all
})

// Config configures the rules.
type Config struct {
	// Levels override rules' default enforcement levels, by rule name.
	Levels map[string]Level
	// RPO is the largest RPO budget a DR stack may have. Optional;
	// defaults to the product target, 15 minutes. A stack's own tighter
	// dr.rpo applies too.
	RPO time.Duration
	// RTOFull and RTOData are the RTO budgets of the full and data tiers.
	// Optional; default to the product targets, 60 and 120 minutes.
	RTOFull, RTOData time.Duration
}

// DefaultConfig returns the configuration with the product targets.
func DefaultConfig() Config {
	return Config{RPO: objectives.TargetRPO, RTOFull: objectives.TargetRTOFull, RTOData: objectives.TargetRTOData}
}

// DisabledRules returns the names of the rules c disables, in the order of
// All: their promises are not checked.
func (c Config) DisabledRules() []string {
	var out []string
	for _, r := range All() {
		if c.level(r) == Disabled {
			out = append(out, r.Name)
		}
	}
	return out
}

func (c Config) level(r Rule) Level {
	if l, ok := c.Levels[r.Name]; ok {
		return l
	}
	return r.Level
}

// Validate reports unknown rule names and levels in c.
func (c Config) Validate() error {
	var problems []string
	for name, l := range c.Levels {
		if !slices.ContainsFunc(allRules(), func(r Rule) bool { return r.Name == name }) {
			problems = append(problems, fmt.Sprintf("unknown rule %q", name))
		}
		if l != Mandatory && l != Advisory && l != Disabled {
			problems = append(problems, fmt.Sprintf("rule %q: unknown enforcement level %q", name, l))
		}
	}
	if c.RPO < 0 || c.RTOFull <= 0 || c.RTOData <= 0 {
		problems = append(problems, "budgets must be positive")
	}
	if len(problems) > 0 {
		slices.Sort(problems)
		return fmt.Errorf("policy config: %s", strings.Join(problems, "; "))
	}
	return nil
}

// env is what rules know about the stack besides the resource at hand.
type env struct {
	cfg   Config
	stack Stack
	// dr and full say whether the stack is a DR stack and of the full tier.
	dr, full bool
	// rpo and rto are the budgets that apply to this stack.
	rpo, rto time.Duration
	// operatorDecision is the modeled operator time.
	operatorDecision time.Duration
}

func newEnv(cfg Config, s Stack) *env {
	e := &env{cfg: cfg, stack: s, rpo: cfg.RPO, operatorDecision: drconfig.DefaultOperatorDecisionTime}
	if c := s.Config; c != nil {
		e.dr, e.full = c.DR.Enabled, c.HasCompute()
		if c.DR.RPO != nil && c.DR.RPO.Duration < e.rpo {
			e.rpo = c.DR.RPO.Duration
		}
		if c.DR.OperatorDecisionTime != nil {
			e.operatorDecision = c.DR.OperatorDecisionTime.Duration
		}
	} else {
		// Without the configuration, the resources say it: a replicated
		// account is DR, a Traffic Manager profile is the full tier.
		for _, r := range s.Resources {
			switch r.Type {
			case accountType:
				if locs, ok := arr(r.Inputs, "locations"); ok && len(locs) > 1 {
					e.dr = true
				}
			case profileType:
				e.full = true
			}
		}
		e.full = e.full && e.dr
	}
	e.rto = cfg.RTOData
	if e.full {
		e.rto = cfg.RTOFull
	}
	return e
}

// CheckResource evaluates the resource rules on one resource of stack s.
func CheckResource(cfg Config, s Stack, r Resource) []Diagnostic {
	return checkResource(nil, newEnv(cfg, s), r)
}

// checkResource appends the diagnostics of the resource rules on r to out.
func checkResource(out []Diagnostic, e *env, r Resource) []Diagnostic {
	for _, rule := range allRules() {
		level := e.cfg.level(rule)
		if rule.Scope != ResourceScope || level == Disabled {
			continue
		}
		for _, msg := range rule.resource(e, r) {
			out = append(out, Diagnostic{Rule: rule.Name, URN: r.URN, Level: level, Message: msg})
		}
	}
	return out
}

// CheckStack evaluates the stack rules on s.
func CheckStack(cfg Config, s Stack) []Diagnostic {
	return checkStack(nil, newEnv(cfg, s))
}

// checkStack appends the diagnostics of the stack rules on e's stack to
// out.
func checkStack(out []Diagnostic, e *env) []Diagnostic {
	for _, rule := range allRules() {
		level := e.cfg.level(rule)
		if rule.Scope != StackScope || level == Disabled {
			continue
		}
		for _, f := range rule.stack(e, e.stack) {
			out = append(out, Diagnostic{Rule: rule.Name, URN: f.urn, Level: level, Message: f.message})
		}
	}
	return out
}

// Check evaluates every rule on s: the resource rules on each resource,
// then the stack rules.
func Check(cfg Config, s Stack) []Diagnostic {
	// What the rules know of the stack is the same for every resource.
	e := newEnv(cfg, s)
	// The stack rules run each on a goroutine of its own, alongside the
	// resource rules: they only read the stack, and drctl plan waits for
	// them. The diagnostics keep their order: resource rules first, then
	// stack rules in rule order.
	var stackRules []Rule
	for _, rule := range allRules() {
		if rule.Scope == StackScope && e.cfg.level(rule) != Disabled {
			stackRules = append(stackRules, rule)
		}
	}
	findings := make([][]finding, len(stackRules))
	var wg sync.WaitGroup
	for i, rule := range stackRules {
		wg.Go(func() { findings[i] = rule.stack(e, e.stack) })
	}
	var out []Diagnostic
	for _, r := range s.Resources {
		out = checkResource(out, e, r)
	}
	wg.Wait()
	for i, rule := range stackRules {
		level := e.cfg.level(rule)
		for _, f := range findings[i] {
			out = append(out, Diagnostic{Rule: rule.Name, URN: f.urn, Level: level, Message: f.message})
		}
	}
	return out
}

// MandatoryOnly returns the mandatory diagnostics of ds.
func MandatoryOnly(ds []Diagnostic) []Diagnostic {
	var out []Diagnostic
	for _, d := range ds {
		if d.Level == Mandatory {
			out = append(out, d)
		}
	}
	return out
}

// describe names a resource in messages: its type's short name and logical
// name, e.g. "Cosmos DB account \"account\"".
func describe(r Resource) string {
	kind := r.Type
	if k, ok := kinds[r.Type]; ok {
		kind = k
	}
	return fmt.Sprintf("%s %q", kind, r.Name)
}

// The resource types the rules know.
const (
	accountType   = cosmosdb.DatabaseAccountToken
	databaseType  = cosmosdb.SqlResourceSqlDatabaseToken
	containerType = cosmosdb.SqlResourceSqlContainerToken
	profileType   = trafficmanager.ProfileToken
	hpaType       = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"
	endpointType  = trafficmanager.EndpointToken
	clusterType   = containerservice.ManagedClusterToken
	publicIPType  = network.PublicIPAddressToken
	groupType     = resources.ResourceGroupToken
	// privateEndpointType is the private endpoint through which a stamp
	// reaches the account.
	privateEndpointType = network.PrivateEndpointToken
)

var kinds = map[string]string{
	accountType:     "Cosmos DB account",
	databaseType:    "Cosmos DB database",
	containerType:   "Cosmos DB container",
	profileType:     "Traffic Manager profile",
	endpointType:    "Traffic Manager endpoint",
	clusterType:     "AKS cluster",
	publicIPType:    "public IP",
	groupType:       "resource group",
	metricAlertType: "metric alert",
}
