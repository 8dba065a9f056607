package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fhir-dr/fhir-dr/azure/azurenative"
	"github.com/fhir-dr/fhir-dr/azure/cosmosdb"
	"github.com/fhir-dr/fhir-dr/internal/testfleet"
	"github.com/fhir-dr/fhir-dr/policy/rules"
)

func runDrctl(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestPlanText(t *testing.T) {
	t.Chdir(testfleet.Root()) // the fixture fleet, never the operators' stacks/
	code, out, errOut := runDrctl(t, "plan", "--stack", "contoso")
	require.Equal(t, 0, code, errOut)
	for _, want := range []string{
		"Stack contoso (",
		"60 Azure resources and 12 Kubernetes objects in 10 components",
		"azure-native:cosmosdb:DatabaseAccount account [protected, retained, v" + azurenative.Version + "]",
		"locations=eastus(priority 0, zone-redundant),westus(priority 1) publicNetworkAccess=Disabled",
		"azure-native:trafficmanager:Endpoint secondary-endpoint [v" + azurenative.Version + "]",
		"endpointName=secondary endpointType=AzureEndpoints priority=2 endpointStatus=Enabled",
		"trafficManagerFqdn        contoso-fhir.trafficmanager.net",
		"RPO 15m0s: within the target 15m0s",
		"RTO by forced failover (runbook) 19m50s: within the target 1h0m0s",
		"8m30s  product  standby FHIR service scales out from 2 to 4 pods",
		"Detection and paging (12 rules, package detection)",
		"availability tests (3) every 300 s from us-va-ash-azr, us-ca-sjc-azr, emea-nl-ams-azr, emea-gb-db3-azr, apac-sg-sin-azr",
		"traffic-manager-endpoint-degraded 3m35s:",
		"availability-primary 9m10s:",
		"write path (detected by Traffic Manager endpoint degraded (traffic-manager-endpoint-degraded), the fastest paging rule):",
	} {
		assert.Contains(t, out, want)
	}
}

func TestPlanJSON(t *testing.T) {
	t.Chdir(testfleet.Root()) // the fixture fleet, never the operators' stacks/
	code, out, errOut := runDrctl(t, "plan", "--stack", "litware", "--json")
	require.Equal(t, 0, code, errOut)
	var doc struct {
		Stack     string `json:"stack"`
		Resources []struct {
			URN            string         `json:"urn"`
			Type           string         `json:"type"`
			Name           string         `json:"name"`
			Parent         string         `json:"parent"`
			Inputs         map[string]any `json:"inputs"`
			Protect        bool           `json:"protect"`
			RetainOnDelete bool           `json:"retainOnDelete"`
			Version        string         `json:"version"`
		} `json:"resources"`
		Outputs map[string]any `json:"outputs"`
		Policy  []struct {
			Rule    string `json:"rule"`
			Level   string `json:"level"`
			URN     string `json:"urn"`
			Message string `json:"message"`
		} `json:"policy"`
		Cost struct {
			Currency   string `json:"currency"`
			PricesAsOf string `json:"pricesAsOf"`
			Lines      []struct {
				Item    string  `json:"item"`
				Monthly float64 `json:"monthly"`
			} `json:"lines"`
			Total    float64  `json:"total"`
			Unpriced []string `json:"unpriced"`
		} `json:"cost"`
		Detection []struct {
			Key              string   `json:"key"`
			Signal           string   `json:"signal"`
			Condition        string   `json:"condition"`
			Window           string   `json:"window"`
			Frequency        string   `json:"frequency"`
			Severity         int      `json:"severity"`
			Pages            bool     `json:"pages"`
			Reference        string   `json:"reference"`
			Deviations       []string `json:"deviations"`
			DetectionSeconds *int     `json:"detectionSeconds"`
		} `json:"detection"`
	}
	dec := json.NewDecoder(strings.NewReader(out))
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(&doc))
	assert.Equal(t, "litware", doc.Stack)
	require.Len(t, doc.Resources, 16, "11 and the alerting component with the data tier's 4 rules")
	assert.Equal(t, "urn:pulumi:litware::fhir-dr::fhir-dr:index:CustomerDR::litware", doc.Resources[0].URN)
	var found bool
	for _, r := range doc.Resources {
		if r.Type == cosmosdb.DatabaseAccountToken {
			found = true
			assert.Equal(t, "urn:pulumi:litware::fhir-dr::fhir-dr:index:CustomerDR$fhir-dr:index:CosmosAccount$azure-native:cosmosdb:DatabaseAccount::account", r.URN)
			assert.Equal(t, "urn:pulumi:litware::fhir-dr::fhir-dr:index:CustomerDR$fhir-dr:index:CosmosAccount::cosmos", r.Parent)
			assert.True(t, r.Protect)
			assert.True(t, r.RetainOnDelete)
			assert.Equal(t, azurenative.Version, r.Version)
			assert.Equal(t, "fhir-litware", r.Inputs["accountName"])
		}
	}
	assert.True(t, found)
	assert.Equal(t, "data", doc.Outputs["tier"])
	assert.NotNil(t, doc.Policy)
	assert.Empty(t, doc.Policy)
	assert.Equal(t, "USD", doc.Cost.Currency)
	assert.Equal(t, "2026-11-25", doc.Cost.PricesAsOf)
	assert.Equal(t, 58.40, doc.Cost.Total)
	assert.Empty(t, doc.Cost.Unpriced)
	require.Len(t, doc.Detection, 4)
	unavailable := doc.Detection[3]
	assert.Equal(t, "cosmos-write-region-unavailable", unavailable.Key)
	assert.Equal(t, "Count > 10, StatusCode Include [503]", unavailable.Condition)
	assert.Equal(t, "PT5M", unavailable.Window)
	require.NotNil(t, unavailable.DetectionSeconds)
	assert.Equal(t, 180, *unavailable.DetectionSeconds)
	assert.Nil(t, doc.Detection[0].DetectionSeconds, "a failover detects nothing: it is Azure's answer to an outage")
}

// The cost estimate is a report: a valid VM size the price table does not
// know renders every resource, and plan warns that the estimate leaves the
// pool out.
func TestPlanUnpricedVMSize(t *testing.T) {
	dir := t.TempDir()
	stack := func(name, vmSize string) string {
		path := filepath.Join(dir, "Pulumi."+name+".yaml")
		require.NoError(t, os.WriteFile(path, []byte("config:\n  fhir-dr:customer: acme\n  fhir-dr:primaryRegion: eastus\n"+
			"  fhir-dr:dr:\n    enabled: true\n    paging: {actionGroupId: /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-platform-oncall/providers/Microsoft.Insights/actionGroups/ag-fhir-oncall}\n    tier: full\n    ticket: SR-1\n"+
			"  fhir-dr:compute:\n    apiServer:\n      private: true\n    nodePools:\n"+
			"      - name: system\n        count: 2\n      - name: gpu\n        mode: User\n        vmSize: "+vmSize+"\n        count: 1\n"+
			fhirSettings), 0o644))
		return path
	}
	code, out, errOut := runDrctl(t, "plan", "--stack-file", stack("acme", "Standard_NC24ads_A100_v4"))
	require.Equal(t, 0, code, errOut)
	warning := "warning: no price for VM size Standard_NC24ads_A100_v4 (prices.json of 2026-11-25): " +
		"node pool gpu (1 nodes) is left out of the estimate"
	assert.Contains(t, errOut, "Pulumi.acme.yaml: "+warning+"\n")
	assert.Contains(t, out, "\nEstimated monthly cost of DR: at least ")
	assert.Contains(t, out, "  "+warning+"\n")
	assert.Contains(t, out, "Policy (fhir-dr 1.0.0, ")

	// Every resource is declared, exactly as with a priced size.
	unpriced, err := planStack(stack("acme", "Standard_NC24ads_A100_v4"), rules.DefaultConfig())
	require.NoError(t, err)
	priced, err := planStack(stack("acme", "Standard_D8ds_v5"), rules.DefaultConfig())
	require.NoError(t, err)
	require.Len(t, unpriced.Plan.Resources, len(priced.Plan.Resources))
	for i, r := range priced.Plan.Resources {
		assert.Equal(t, r.URN, unpriced.Plan.Resources[i].URN)
	}
	cluster := unpriced.Plan.Find("azure-native:containerservice:ManagedCluster")
	require.Len(t, cluster, 2)
	assert.Equal(t, "Standard_NC24ads_A100_v4", cluster[0].Inputs["agentPoolProfiles"].([]any)[1].(map[string]any)["vmSize"])
}

// The policy runs in-process: its advisories are shown, and a mandatory
// rule broken under the pipeline's policy config fails the plan.
func TestPlanPolicy(t *testing.T) {
	t.Chdir(testfleet.Root()) // the fixture fleet, never the operators' stacks/
	policyHeader := "Policy (fhir-dr 1.0.0, " + strconv.Itoa(len(rules.All())) + " rules): "
	code, out, errOut := runDrctl(t, "plan", "--stack", "contoso")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, policyHeader+"every promise kept")

	dir := t.TempDir()
	stack := filepath.Join(dir, "Pulumi.slowdns.yaml")
	require.NoError(t, os.WriteFile(stack, []byte("config:\n  fhir-dr:customer: slowdns\n  fhir-dr:primaryRegion: eastus\n"+
		"  fhir-dr:dr:\n    enabled: true\n    paging: {actionGroupId: /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-platform-oncall/providers/Microsoft.Insights/actionGroups/ag-fhir-oncall}\n    tier: full\n    ticket: SR-1\n"+
		"  fhir-dr:compute:\n    apiServer:\n      private: true\n"+fhirSettings+
		"  fhir-dr:trafficManager:\n    ttlSeconds: 300\n"), 0o644))
	code, out, errOut = runDrctl(t, "plan", "--stack-file", stack)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, policyHeader+"0 mandatory, 1 advisory\n"+
		`  [advisory] traffic-manager-ttl: Traffic Manager profile "profile" has a DNS TTL of 300 s; clients keep the failed primary `+
		"that long after failover. Consider trafficManager.ttlSeconds: 60 or less\n")

	config := filepath.Join(dir, "policy.json")
	require.NoError(t, os.WriteFile(config, []byte(`{"rto-budget": {"rtoFullSeconds": 1140}}`), 0o644))
	code, out, errOut = runDrctl(t, "plan", "--stack", "contoso", "--policy-config", config)
	assert.Equal(t, 1, code)
	assert.Contains(t, out, policyHeader+"1 mandatory, 0 advisory\n"+
		`  [mandatory] rto-budget: Traffic Manager profile "profile": the modeled RTO is 19m50s (detection 35s, DNS TTL 60 s, standby scale-out 8m30s), `)
	assert.Contains(t, errOut, "stacks/Pulumi.contoso.yaml: the policy refuses this stack (mandatory rules broken)")

	require.NoError(t, os.WriteFile(config, []byte(`{"no-such-rule": "mandatory"}`), 0o644))
	code, _, errOut = runDrctl(t, "plan", "--stack", "contoso", "--policy-config", config)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, `policy.json: policy config: unknown rule "no-such-rule"`)
}

func TestPlanStackFileAndInvalidConfig(t *testing.T) {
	t.Chdir(testfleet.Root()) // the fixture fleet, never the operators' stacks/
	dir := t.TempDir()
	good := filepath.Join(dir, "Pulumi.acme.yaml")
	require.NoError(t, os.WriteFile(good, []byte("config:\n  fhir-dr:customer: acme\n  fhir-dr:primaryRegion: eastus\n"), 0o600))
	code, out, _ := runDrctl(t, "plan", "--stack-file", good)
	assert.Equal(t, 0, code)
	assert.Contains(t, out, "Stack acme ("+good+")")

	bad := filepath.Join(dir, "Pulumi.broken.yaml")
	require.NoError(t, os.WriteFile(bad, []byte(`config:
  fhir-dr:customer: broken
  fhir-dr:primaryRegion: italynorth
  fhir-dr:dr:
    enabled: true
    paging: {actionGroupId: /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-platform-oncall/providers/Microsoft.Insights/actionGroups/ag-fhir-oncall}
    tier: full
`), 0o600))
	code, out, errOut := runDrctl(t, "plan", "--stack-file", bad, "--json")
	assert.Equal(t, 1, code)
	assert.Empty(t, out, "no resources are printed")
	assert.Equal(t, bad+`: 6 configuration problems:
  fhir-dr:dr.ticket: is required when DR is enabled: the support ticket that asked for it
  fhir-dr:dr.secondaryRegion: is required: italynorth has no Azure paired region; name the DR region explicitly
  fhir-dr:compute.apiServer: the API server must not be open to the internet: set private: true or authorizedIPRanges
  fhir-dr:fhir.version: is required for the full tier: the image tag or sha256 digest the primary runs
  fhir-dr:fhir.auth.authority: is required for the full tier: the token issuer the primary FHIR service trusts
  fhir-dr:fhir.auth.audience: is required for the full tier: the audience tokens for the FHIR service carry
`, errOut)

	code, _, errOut = runDrctl(t, "plan", "--stack", "nosuchcustomer")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "Pulumi.nosuchcustomer.yaml")

	code, _, _ = runDrctl(t, "plan")
	assert.Equal(t, 2, code)
	code, _, _ = runDrctl(t, "bogus")
	assert.Equal(t, 2, code)
}

// BenchmarkPlanStack measures one full-tier stack end to end in the
// process: read the stack file, validate, render under mocks, policy-check;
// and reports it as a multiple of the floor (floor_test.go), rendered in
// blocks between the stack's with the timer stopped.
func BenchmarkPlanStack(b *testing.B) {
	path := floorStack
	f := floorOf(b, path)
	ratio := floorRatio{b: b, block: planStackBlock, floor: func() {
		if _, err := f.render(); err != nil {
			b.Fatal(err)
		}
	}}
	b.ReportAllocs()
	for b.Loop() {
		ratio.work(func() {
			if _, err := planStack(path, rules.DefaultConfig()); err != nil {
				b.Fatal(err)
			}
		})
	}
	ratio.report()
}

// planStackBlock is BenchmarkPlanStack's block: about 150 ms of renders
// each way, several garbage collections, and enough rounds in a second's
// benchmark for a median.
const planStackBlock = 16

func TestPlanMermaid(t *testing.T) {
	t.Chdir(testfleet.Root()) // the fixture fleet, never the operators' stacks/
	code, out, errOut := runDrctl(t, "plan", "--stack", "northwind", "--mermaid")
	require.Equal(t, 0, code, errOut)
	assert.True(t, strings.HasPrefix(out, "flowchart LR\n  %% DR topology of northwind\n"), out)
	assert.Contains(t, out, `subgraph region_swedencentral["swedencentral (read region)"]`)
	assert.Contains(t, out, `tm_profile -. "priority 2, Enabled" .-> ip_secondary_ingress_ip`)
}

// fhirSettings are the fhir settings the full tier requires.
const fhirSettings = "  fhir-dr:fhir:\n    version: \"4.0.1\"\n    auth:\n      authority: https://login.microsoftonline.com/t\n      audience: https://fhir.example\n"

// TestStackTracesStartInTheComponents: the SDK records the call stack of
// every registration from the caller of the function that calls
// RegisterResource, for the engine to say where a resource was declared.
// It must start where fhir-dr declares the resource (a component, or the
// program), never in the generated azure-native layer.
func TestStackTracesStartInTheComponents(t *testing.T) {
	sp, err := planStack(testfleet.Path("contoso"), rules.DefaultConfig())
	require.NoError(t, err)
	root := testfleet.RepoRoot()
	for _, r := range sp.Plan.Resources {
		frames := r.Request.GetStackTrace().GetFrames()
		require.NotEmpty(t, frames, r.URN)
		uri := frames[0].GetPc().GetUri()
		rel, ok := strings.CutPrefix(uri, "file://"+root+"/")
		if !ok {
			rel, ok = strings.CutPrefix(uri, "file:///"+strings.TrimPrefix(root, "/")+"/")
		}
		require.True(t, ok, "%s: declared outside the repository, at %s", r.URN, uri)
		dir := strings.SplitN(rel, "/", 2)[0]
		assert.Contains(t, []string{"components", "program"}, dir, "%s: declared at %s", r.URN, rel)
	}
}
