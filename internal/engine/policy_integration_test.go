//go:build integration

package engine

import (
	"context"
	"github.com/fhir-dr/fhir-dr/internal/testfleet"
	"os"
	"path/filepath"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fhir-dr/fhir-dr/program/programtest"
)

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
		"cosmos-dr-locations": {"litware", "account", programtest.SetIn(pulumi.Array{pulumi.Map{
			"locationName": pulumi.String("uksouth"), "failoverPriority": pulumi.Int(0), "isZoneRedundant": pulumi.Bool(true),
		}}, "locations")},
		"cosmos-automatic-failover":        {"litware", "account", programtest.SetIn(pulumi.Bool(false), "enableAutomaticFailover")},
		"cosmos-single-write-region":       {"litware", "account", programtest.SetIn(pulumi.Bool(true), "enableMultipleWriteLocations")},
		"cosmos-consistency-meets-rpo":     {"litware", "account", programtest.SetIn(pulumi.String("Eventual"), "consistencyPolicy", "defaultConsistencyLevel")},
		"cosmos-local-auth-disabled":       {"litware", "account", programtest.SetIn(pulumi.Bool(false), "disableLocalAuth")},
		"cosmos-tls12":                     {"litware", "account", programtest.SetIn(pulumi.String("Tls11"), "minimalTlsVersion")},
		"cosmos-equal-regional-throughput": {"litware", "account", programtest.SetIn(pulumi.Bool(true), "enablePerRegionPerPartitionAutoscale")},
		"cosmos-backup": {"litware", "account", programtest.SetIn(pulumi.Map{
			"type": pulumi.String("Periodic"),
			"periodicModeProperties": pulumi.Map{"backupIntervalInMinutes": pulumi.Int(240),
				"backupRetentionIntervalInHours": pulumi.Int(8), "backupStorageRedundancy": pulumi.String("Local")},
		}, "backupPolicy")},
		"cosmos-protected": {"litware", "account", func(args *pulumi.ResourceTransformArgs) { args.Opts.Protect = false }},
		"required-tags": {"litware", "workspace", programtest.SetIn(pulumi.StringMap{
			"customer": pulumi.String("litware"), "dr-role": pulumi.String("primary"), "managed-by": pulumi.String("fhir-dr"),
		}, "tags")},
		"rto-budget":                {"contoso", "profile", programtest.SetIn(pulumi.Int(3600), "dnsConfig", "ttl")},
		"traffic-manager-profile":   {"contoso", "profile", programtest.SetIn(pulumi.String("Weighted"), "trafficRoutingMethod")},
		"traffic-manager-endpoints": {"contoso", "secondary-endpoint", programtest.SetIn(pulumi.String("Disabled"), "endpointStatus")},
		"aks-mirrored":              {"contoso", "secondary-aks", programtest.SetIn(pulumi.String("1.32"), "kubernetesVersion")},
		"aks-hardened":              {"contoso", "primary-aks", programtest.SetIn(pulumi.Bool(false), "disableLocalAccounts")},
		"fhir-no-keys": {"contoso", "primary-fhir-deployment", func(args *pulumi.ResourceTransformArgs) {
			labels := args.Props["spec"].(pulumi.Map)["template"].(pulumi.Map)["metadata"].(pulumi.Map)["labels"].(pulumi.Map)
			delete(labels, "azure.workload.identity/use")
		}},
		"fhir-mirrored": {"contoso", "secondary-fhir-pdb", programtest.SetIn(pulumi.Map{
			"name": pulumi.String("fhir-server"), "namespace": pulumi.String("fhir"),
			"labels": pulumi.StringMap{"app.kubernetes.io/name": pulumi.String("fhir-server"), "edited-by-hand": pulumi.String("yes")},
		}, "metadata")},
	} {
		t.Run(rule, func(t *testing.T) {
			config, err := os.ReadFile(testfleet.Path(tc.customer))
			require.NoError(t, err)
			st, err := s.StackWith(ctx, tc.customer, config, programtest.Breaking(tc.resource, tc.change))
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
	config, err := os.ReadFile(testfleet.Path("contoso"))
	require.NoError(t, err)
	st, err := s.Stack(ctx, "contoso", config)
	require.NoError(t, err)
	_, err = st.Preview(ctx)
	require.NoError(t, err)

	policyConfig := filepath.Join(t.TempDir(), "policy.json")
	require.NoError(t, os.WriteFile(policyConfig, []byte(`{"rto-budget": {"rtoFullSeconds": 1140}}`), 0o644))
	_, err = st.Preview(ctx, optpreview.PolicyPackConfigs(policyConfig))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "rto-budget")
	assert.Contains(t, err.Error(), "the modeled RTO is 19m50s (detection 35s, DNS TTL 60 s, standby scale-out 8m30s), over the budget of 19m0s")
}
