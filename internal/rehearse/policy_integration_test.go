//go:build integration

package rehearse

import (
	"context"
	"github.com/fhir-dr/fhir-dr/stackfile"
	"os"
	"path/filepath"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fhir-dr/fhir-dr/program"
)

// breaking returns the program with one resource changed by a transform:
// a change to the code that breaks a promise, as a careless commit might.
func breaking(resourceName string, change func(args *pulumi.ResourceTransformArgs)) pulumi.RunFunc {
	return func(ctx *pulumi.Context) error {
		err := ctx.RegisterResourceTransform(func(_ context.Context, args *pulumi.ResourceTransformArgs) *pulumi.ResourceTransformResult {
			if !args.Custom || args.Name != resourceName {
				return nil
			}
			change(args)
			return &pulumi.ResourceTransformResult{Props: args.Props, Opts: args.Opts}
		})
		if err != nil {
			return err
		}
		return program.Run(ctx)
	}
}

func setProp(key string, v pulumi.Input) func(*pulumi.ResourceTransformArgs) {
	return func(args *pulumi.ResourceTransformArgs) { args.Props[key] = v }
}

func setNested(key, field string, v pulumi.Input) func(*pulumi.ResourceTransformArgs) {
	return func(args *pulumi.ResourceTransformArgs) {
		m := pulumi.Map{}
		if old, ok := args.Props[key].(pulumi.Map); ok {
			for k, v := range old {
				m[k] = v
			}
		}
		m[field] = v
		args.Props[key] = m
	}
}

// TestPolicyPackThroughTheEngine: `pulumi preview --policy-pack` refuses a
// stack that breaks each mandatory rule, naming the rule. Stack files cannot
// break these rules (drconfig rejects such settings first, naming the key),
// so the breaks are made in the program, where the policy pack is the last
// line of defence.
func TestPolicyPackThroughTheEngine(t *testing.T) {
	ctx := context.Background()
	s := newSession(t)
	for rule, tc := range map[string]struct {
		customer, resource string
		change             func(*pulumi.ResourceTransformArgs)
	}{
		"cosmos-dr-locations": {"litware", "account", setProp("locations", pulumi.Array{pulumi.Map{
			"locationName": pulumi.String("uksouth"), "failoverPriority": pulumi.Int(0), "isZoneRedundant": pulumi.Bool(true),
		}})},
		"cosmos-automatic-failover":        {"litware", "account", setProp("enableAutomaticFailover", pulumi.Bool(false))},
		"cosmos-single-write-region":       {"litware", "account", setProp("enableMultipleWriteLocations", pulumi.Bool(true))},
		"cosmos-consistency-meets-rpo":     {"litware", "account", setNested("consistencyPolicy", "defaultConsistencyLevel", pulumi.String("Eventual"))},
		"cosmos-local-auth-disabled":       {"litware", "account", setProp("disableLocalAuth", pulumi.Bool(false))},
		"cosmos-tls12":                     {"litware", "account", setProp("minimalTlsVersion", pulumi.String("Tls11"))},
		"cosmos-equal-regional-throughput": {"litware", "account", setProp("enablePerRegionPerPartitionAutoscale", pulumi.Bool(true))},
		"cosmos-backup": {"litware", "account", setProp("backupPolicy", pulumi.Map{
			"type": pulumi.String("Periodic"),
			"periodicModeProperties": pulumi.Map{"backupIntervalInMinutes": pulumi.Int(240),
				"backupRetentionIntervalInHours": pulumi.Int(8), "backupStorageRedundancy": pulumi.String("Local")},
		})},
		"cosmos-protected": {"litware", "account", func(args *pulumi.ResourceTransformArgs) { args.Opts.Protect = false }},
		"required-tags": {"litware", "workspace", setProp("tags", pulumi.StringMap{
			"customer": pulumi.String("litware"), "dr-role": pulumi.String("primary"), "managed-by": pulumi.String("fhir-dr"),
		})},
		"rto-budget":                {"contoso", "profile", setNested("dnsConfig", "ttl", pulumi.Int(3600))},
		"traffic-manager-profile":   {"contoso", "profile", setProp("trafficRoutingMethod", pulumi.String("Weighted"))},
		"traffic-manager-endpoints": {"contoso", "secondary-endpoint", setProp("endpointStatus", pulumi.String("Disabled"))},
		"aks-mirrored":              {"contoso", "secondary-aks", setProp("kubernetesVersion", pulumi.String("1.32"))},
		"aks-hardened":              {"contoso", "primary-aks", setProp("disableLocalAccounts", pulumi.Bool(false))},
		"fhir-no-keys": {"contoso", "primary-fhir-deployment", func(args *pulumi.ResourceTransformArgs) {
			labels := args.Props["spec"].(pulumi.Map)["template"].(pulumi.Map)["metadata"].(pulumi.Map)["labels"].(pulumi.Map)
			delete(labels, "azure.workload.identity/use")
		}},
		"fhir-mirrored": {"contoso", "secondary-fhir-pdb", setProp("metadata", pulumi.Map{
			"name": pulumi.String("fhir-server"), "namespace": pulumi.String("fhir"),
			"labels": pulumi.StringMap{"app.kubernetes.io/name": pulumi.String("fhir-server"), "edited-by-hand": pulumi.String("yes")},
		})},
	} {
		t.Run(rule, func(t *testing.T) {
			config, err := os.ReadFile(filepath.Join(projectRoot(t), stackfile.Path(tc.customer)))
			require.NoError(t, err)
			st, err := s.StackWith(ctx, tc.customer, config, breaking(tc.resource, tc.change))
			require.NoError(t, err)
			_, err = st.Preview(ctx)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "fhir-dr@v1.0.0")
			assert.Contains(t, err.Error(), rule)
			assert.Contains(t, err.Error(), "mandatory")
		})
	}
}

// TestPolicyPackConfigThroughTheEngine: the pipeline's policy pack config
// reaches the pack through the engine: a tighter RTO budget refuses an
// example stack that the product budget accepts.
func TestPolicyPackConfigThroughTheEngine(t *testing.T) {
	ctx := context.Background()
	s := newSession(t)
	config, err := os.ReadFile(filepath.Join(projectRoot(t), stackfile.Path("contoso")))
	require.NoError(t, err)
	st, err := s.Stack(ctx, "contoso", config)
	require.NoError(t, err)
	_, err = st.Preview(ctx)
	require.NoError(t, err)

	policyConfig := filepath.Join(t.TempDir(), "policy.json")
	require.NoError(t, os.WriteFile(policyConfig, []byte(`{"rto-budget": {"rtoFullSeconds": 1200}}`), 0o644))
	_, err = st.Preview(ctx, optpreview.PolicyPackConfigs(policyConfig))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "rto-budget")
	assert.Contains(t, err.Error(), "the modeled RTO is 31m40s (detection 2m10s, DNS TTL 60 s, standby scale-out 8m30s), over the budget of 20m0s")
}
