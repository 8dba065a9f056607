package analyzer

import (
	"context"
	"github.com/fhir-dr/fhir-dr/stackfile"
	"path/filepath"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/fhir-dr/fhir-dr/azure/containerservice"
	"github.com/fhir-dr/fhir-dr/drconfig"
	"github.com/fhir-dr/fhir-dr/internal/render"
	"github.com/fhir-dr/fhir-dr/policy/rules"
	"github.com/fhir-dr/fhir-dr/program"
)

func renderExample(t *testing.T, customer string) (*render.Plan, map[string]string) {
	t.Helper()
	values, err := drconfig.ReadStackFile(filepath.Join("..", "..", stackfile.Path(customer)))
	require.NoError(t, err)
	plan, err := render.Run(customer, values, program.Deploy)
	require.NoError(t, err)
	return plan, values
}

func toStruct(t *testing.T, m map[string]any) *structpb.Struct {
	t.Helper()
	s, err := plugin.MarshalProperties(resource.NewPropertyMapFromMap(m), plugin.MarshalOptions{})
	require.NoError(t, err)
	return s
}

// analyze feeds a rendered stack to the server as the engine does and
// returns every diagnostic's "rule: message".
func analyze(t *testing.T, s *Server, plan *render.Plan, values map[string]string, change func(name string, inputs map[string]any)) []string {
	t.Helper()
	ctx := context.Background()
	_, err := s.ConfigureStack(ctx, &pulumirpc.AnalyzerStackConfigureRequest{Stack: plan.Stack, Project: "fhir-dr", Config: values})
	require.NoError(t, err)
	var got []string
	var stack []*pulumirpc.AnalyzerResource
	for _, r := range plan.Resources {
		if !r.Custom {
			continue
		}
		if change != nil {
			change(r.Name, r.Inputs)
		}
		props := toStruct(t, r.Inputs)
		resp, err := s.Analyze(ctx, &pulumirpc.AnalyzeRequest{Type: r.Type, Urn: r.URN, Name: r.Name, Properties: props,
			Options: &pulumirpc.AnalyzerResourceOptions{Protect: r.Protect}})
		require.NoError(t, err)
		for _, d := range resp.GetDiagnostics() {
			got = append(got, d.GetPolicyName()+": "+d.GetMessage())
		}
		stack = append(stack, &pulumirpc.AnalyzerResource{Type: r.Type, Urn: r.URN, Name: r.Name, Properties: props,
			Options: &pulumirpc.AnalyzerResourceOptions{Protect: r.Protect}})
	}
	resp, err := s.AnalyzeStack(ctx, &pulumirpc.AnalyzeStackRequest{Resources: stack})
	require.NoError(t, err)
	for _, d := range resp.GetDiagnostics() {
		got = append(got, d.GetPolicyName()+": "+d.GetMessage())
	}
	return got
}

func TestExampleStacksPass(t *testing.T) {
	for _, customer := range []string{"adatum", "contoso", "fabrikam", "litware", "northwind", "tailspin"} {
		plan, values := renderExample(t, customer)
		assert.Empty(t, analyze(t, New(), plan, values, nil), customer)
	}
}

func TestViolationsAndConfig(t *testing.T) {
	plan, values := renderExample(t, "contoso")
	weaken := func(name string, inputs map[string]any) {
		if name == "account" {
			inputs["minimalTlsVersion"] = "Tls11"
		}
	}
	s := New()
	assert.Equal(t, []string{`cosmos-tls12: Cosmos DB account "account" allows TLS below 1.2; set minimalTlsVersion: Tls12`},
		analyze(t, s, plan, values, weaken))

	// A tighter RPO budget and the TLS rule disabled, through Configure.
	props, err := structpb.NewStruct(map[string]any{RPOSecondsProperty: 300})
	require.NoError(t, err)
	_, err = s.Configure(context.Background(), &pulumirpc.ConfigureAnalyzerRequest{PolicyConfig: map[string]*pulumirpc.PolicyConfig{
		"cosmos-tls12":                 {EnforcementLevel: pulumirpc.EnforcementLevel_DISABLED},
		"cosmos-consistency-meets-rpo": {EnforcementLevel: pulumirpc.EnforcementLevel_MANDATORY, Properties: props},
	}})
	require.NoError(t, err)
	assert.Equal(t, []string{`cosmos-consistency-meets-rpo: Cosmos DB account "account": Session consistency gives an RPO of 15m0s, ` +
		`over the stack's budget of 5m0s; use bounded staleness with maxIntervalInSeconds <= 300, or Strong`},
		analyze(t, s, plan, values, nil))

	_, err = s.Configure(context.Background(), &pulumirpc.ConfigureAnalyzerRequest{PolicyConfig: map[string]*pulumirpc.PolicyConfig{
		"no-such-rule": {EnforcementLevel: pulumirpc.EnforcementLevel_MANDATORY},
	}})
	assert.EqualError(t, err, `policy config: unknown rule "no-such-rule"`)
}

// Resources known only from state are judged on their outputs, without
// the fields Azure computes.
func TestAnalyzeStackFromState(t *testing.T) {
	plan, values := renderExample(t, "contoso")
	s := New()
	_, err := s.ConfigureStack(context.Background(), &pulumirpc.AnalyzerStackConfigureRequest{Stack: "contoso", Config: values})
	require.NoError(t, err)
	var stack []*pulumirpc.AnalyzerResource
	for _, r := range plan.Resources {
		if !r.Custom {
			continue
		}
		outputs := map[string]any{}
		for k, v := range r.Inputs {
			outputs[k] = v
		}
		if r.Type == containerservice.ManagedClusterToken {
			// What Azure reports differs per region.
			outputs["fqdn"] = r.Name + ".hcp.azmk8s.io"
			outputs["provisioningState"] = "Succeeded"
		}
		stack = append(stack, &pulumirpc.AnalyzerResource{Type: r.Type, Urn: r.URN, Name: r.Name, Properties: toStruct(t, outputs),
			Options: &pulumirpc.AnalyzerResourceOptions{Protect: r.Protect && r.Name != "account"}})
	}
	resp, err := s.AnalyzeStack(context.Background(), &pulumirpc.AnalyzeStackRequest{Resources: stack})
	require.NoError(t, err)
	ds := resp.GetDiagnostics()
	require.Len(t, ds, 1)
	d := ds[0]
	assert.Equal(t, "cosmos-protected", d.GetPolicyName())
	assert.Equal(t, pulumirpc.EnforcementLevel_MANDATORY, d.GetEnforcementLevel())
	assert.Equal(t, Name, d.GetPolicyPackName())
	assert.Contains(t, d.GetUrn(), "::account")
}

// The resource group of an account whose resourceGroupName is not yet
// known (a preview that creates the group) is found through the engine's
// property dependencies.
func TestResourceGroupByDependency(t *testing.T) {
	plan, values := renderExample(t, "adatum")
	s := New()
	ctx := context.Background()
	_, err := s.ConfigureStack(ctx, &pulumirpc.AnalyzerStackConfigureRequest{Stack: "adatum", Config: values})
	require.NoError(t, err)
	var group string
	for _, r := range plan.Resources {
		if r.Name == "primary-rg" {
			group = r.URN
		}
	}
	require.NotEmpty(t, group)
	var stack []*pulumirpc.AnalyzerResource
	for _, r := range plan.Resources {
		if !r.Custom {
			continue
		}
		props := resource.NewPropertyMapFromMap(r.Inputs)
		var deps map[string]*pulumirpc.AnalyzerPropertyDependencies
		if r.Name == "account" {
			props["resourceGroupName"] = resource.MakeComputed(resource.NewStringProperty(""))
			deps = map[string]*pulumirpc.AnalyzerPropertyDependencies{"resourceGroupName": {Urns: []string{group}}}
		}
		st, err := plugin.MarshalProperties(props, plugin.MarshalOptions{KeepUnknowns: true})
		require.NoError(t, err)
		stack = append(stack, &pulumirpc.AnalyzerResource{Type: r.Type, Urn: r.URN, Name: r.Name, Properties: st,
			Options: &pulumirpc.AnalyzerResourceOptions{Protect: r.Protect && r.Name != "primary-rg"}, PropertyDependencies: deps})
	}
	resp, err := s.AnalyzeStack(ctx, &pulumirpc.AnalyzeStackRequest{Resources: stack})
	require.NoError(t, err)
	var got []string
	for _, d := range resp.GetDiagnostics() {
		got = append(got, d.GetPolicyName()+": "+d.GetUrn()+": "+d.GetMessage())
	}
	assert.Equal(t, []string{"cosmos-resource-group-protected: " + group + `: resource group "primary-rg" holds Cosmos DB account "account" ` +
		`and is not protected, and deleting the group deletes the account; register it with pulumi.Protect(true) (and RetainOnDelete)`}, got)
}

func TestAnalyzerInfo(t *testing.T) {
	info, err := New().GetAnalyzerInfo(context.Background(), nil)
	require.NoError(t, err)
	assert.Equal(t, Name, info.GetName())
	assert.True(t, info.GetSupportsConfig())
	byName := map[string]*pulumirpc.PolicyInfo{}
	for _, p := range info.GetPolicies() {
		byName[p.GetName()] = p
	}
	assert.Len(t, byName, len(rules.All()))
	assert.Len(t, byName, 28)
	assert.Equal(t, pulumirpc.EnforcementLevel_ADVISORY, byName["traffic-manager-ttl"].GetEnforcementLevel())
	assert.Equal(t, pulumirpc.PolicyType_POLICY_TYPE_STACK, byName["aks-mirrored"].GetPolicyType())
	assert.Contains(t, byName["rto-budget"].GetConfigSchema().GetProperties().AsMap(), RTOFullSecondsProperty)
}

func TestParseConfigFile(t *testing.T) {
	cfg, err := ParseConfigFile([]byte(`{
		"all": "advisory",
		"cosmos-protected": "mandatory",
		"cosmos-consistency-meets-rpo": {"enforcementLevel": "mandatory", "rpoSeconds": 600},
		"rto-budget": {"rtoFullSeconds": 1800}
	}`))
	require.NoError(t, err)
	assert.Equal(t, rules.Mandatory, cfg.Levels["cosmos-protected"])
	assert.Equal(t, rules.Mandatory, cfg.Levels["cosmos-consistency-meets-rpo"])
	assert.Equal(t, rules.Advisory, cfg.Levels["aks-mirrored"])
	assert.Equal(t, rules.Advisory, cfg.Levels["rto-budget"], "a properties-only object keeps the level of all")
	assert.Equal(t, 10*time.Minute, cfg.RPO)
	assert.Equal(t, 30*time.Minute, cfg.RTOFull)
	assert.Equal(t, rules.DefaultConfig().RTOData, cfg.RTOData)

	for doc, want := range map[string]string{
		`{"cosmos-tls13": "mandatory"}`: `policy config: unknown rule "cosmos-tls13"`,
		`{"cosmos-tls12": "strict"}`:    `policy config: rule "cosmos-tls12": unknown enforcement level "strict"`,
		`{"cosmos-tls12": 3}`:           `policy config: "cosmos-tls12": want a level or an object`,
		`[`:                             `policy config: unexpected end of JSON input`,
		// 2e10 s is 2e19 ns: it wrapped to a budget of about 18 days.
		`{"rto-budget": {"rtoFullSeconds": 2e10}}`:              `policy config: rule "rto-budget": rtoFullSeconds must be a whole number of seconds from 0 to 604800, got 2e+10`,
		`{"rto-budget": {"rtoDataSeconds": -60}}`:               `policy config: rule "rto-budget": rtoDataSeconds must be a whole number of seconds from 0 to 604800, got -60`,
		`{"cosmos-consistency-meets-rpo": {"rpoSeconds": 1.5}}`: `policy config: rule "cosmos-consistency-meets-rpo": rpoSeconds must be a whole number of seconds from 0 to 604800, got 1.5`,
	} {
		_, err := ParseConfigFile([]byte(doc))
		assert.EqualError(t, err, want, doc)
	}
}
