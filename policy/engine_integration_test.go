//go:build integration

package main

import (
	"bytes"
	"context"
	"github.com/fhir-dr/fhir-dr/internal/testfleet"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fhir-dr/fhir-dr/internal/engine"
	"github.com/fhir-dr/fhir-dr/program"
	"github.com/fhir-dr/fhir-dr/program/programtest"
)

// TestNewRulesThroughTheEngine: `pulumi preview --policy-pack` refuses a
// program that breaks each rule issue 14 added or widened, naming the rule
// and the problem, through the real engine and the stand-ins.
func TestNewRulesThroughTheEngine(t *testing.T) {
	ctx := context.Background()
	root, err := filepath.Abs("..")
	require.NoError(t, err)
	var out bytes.Buffer
	s, err := engine.NewSession(engine.SessionOptions{ProjectRoot: root, Program: program.Run, Out: &out, PolicyPack: true})
	require.NoError(t, err)
	t.Cleanup(func() {
		if t.Failed() {
			t.Log(out.String())
		}
		assert.NoError(t, s.Close())
	})
	unprotect := func(args *pulumi.ResourceTransformArgs) { args.Opts.Protect = false }
	for name, tc := range map[string]struct {
		customer, resource string
		change             func(*pulumi.ResourceTransformArgs)
		// policyConfig is the policy pack config, if any.
		policyConfig string
		// stackFile changes the stack file's text, if set.
		stackFile func(string) string
		rule      string
		message   string
	}{
		"local auth without DR": {customer: "adatum", resource: "account", change: programtest.SetIn(pulumi.Bool(false), "disableLocalAuth"),
			rule: "cosmos-local-auth-disabled", message: `Cosmos DB account "account" accepts account keys; set disableLocalAuth: true`},
		"local backups without DR": {customer: "adatum", resource: "account", change: programtest.SetIn(pulumi.String("Local"), "backupPolicy", "periodicModeProperties", "backupStorageRedundancy"),
			rule: "cosmos-backup", message: `Cosmos DB account "account" keeps periodic backups with "Local" redundancy`},
		"unprotected database": {customer: "adatum", resource: "health", change: unprotect,
			rule: "cosmos-protected", message: `Cosmos DB database "health" is not protected`},
		"unprotected container": {customer: "adatum", resource: "fhirR4", change: unprotect,
			rule: "cosmos-protected", message: `Cosmos DB container "fhirR4" is not protected`},
		"unprotected resource group": {customer: "adatum", resource: "primary-rg", change: unprotect,
			rule: "cosmos-resource-group-protected", message: `resource group "primary-rg" holds Cosmos DB account "account" and is not protected`},
		"ipRules 0.0.0.0": {customer: "litware", resource: "account",
			change: programtest.SetIn(pulumi.Array{pulumi.Map{"ipAddressOrRange": pulumi.String("0.0.0.0")}}, "ipRules"),
			rule:   "cosmos-firewall", message: `Cosmos DB account "account": ipRules[0] 0.0.0.0 admits every Azure datacenter`},
		"public network access in a stack with compute": {customer: "contoso", resource: "account",
			change: programtest.SetIn(pulumi.String("Enabled"), "publicNetworkAccess"), rule: "cosmos-public-network-access",
			message: `Cosmos DB account "account" is reachable from public networks in a stack with compute: publicNetworkAccess is "Enabled"`},
		"a DNS TTL over 60 s, made mandatory by the policy pack config": {customer: "contoso", resource: "profile",
			change: programtest.SetIn(pulumi.Float64(300), "dnsConfig", "ttl"), policyConfig: `{"traffic-manager-ttl": "mandatory"}`,
			rule: "traffic-manager-ttl", message: `Traffic Manager profile "profile" has a DNS TTL of 300 s`},
		"API server ranges that admit the internet": {customer: "contoso", resource: "primary-aks",
			change: programtest.SetIn(pulumi.StringArray{pulumi.String("0.0.0.0/1"), pulumi.String("128.0.0.0/1")}, "apiServerAccessProfile", "authorizedIPRanges"),
			rule:   "aks-hardened", message: `AKS cluster "primary-aks" has its API server open to the internet: its authorized IP ranges together admit 0.0.0.0/0`},
		"Kubernetes RBAC off": {customer: "contoso", resource: "primary-aks", change: programtest.SetIn(pulumi.Bool(false), "enableRBAC"),
			rule: "aks-hardened", message: `AKS cluster "primary-aks": enableRBAC is not true`},
		"no network policy": {customer: "contoso", resource: "primary-aks", change: programtest.SetIn(pulumi.String("none"), "networkProfile", "networkPolicy"),
			rule: "aks-network-policy", message: `AKS cluster "primary-aks": networkProfile.networkPolicy is "none"`},
		"workload identity off": {customer: "contoso", resource: "primary-aks",
			change: programtest.SetIn(pulumi.Bool(false), "securityProfile", "workloadIdentity", "enabled"),
			rule:   "aks-workload-identity", message: `AKS cluster "primary-aks": securityProfile.workloadIdentity.enabled is not true`},
		"FHIR pods on the host network": {customer: "contoso", resource: "primary-fhir-deployment",
			change: programtest.SetIn(pulumi.Bool(true), "spec", "template", "spec", "hostNetwork"),
			rule:   "k8s-pod-unprivileged", message: `kubernetes:apps/v1:Deployment "primary-fhir-deployment": its pods share the node's network (hostNetwork)`},
		"a privileged namespace": {customer: "contoso", resource: "primary-fhir-namespace",
			change: programtest.SetIn(pulumi.String("privileged"), "metadata", "labels", "pod-security.kubernetes.io/enforce"),
			rule:   "k8s-namespace-pod-security", message: `kubernetes:core/v1:Namespace "primary-fhir-namespace" enforces the "privileged" Pod Security Standard`},
		"probe on another port": {customer: "contoso", resource: "profile", change: programtest.SetIn(pulumi.Float64(8443), "monitorConfig", "port"),
			rule: "traffic-manager-profile", message: `Traffic Manager profile "profile": probe port 8443, want 443`},
		// The configuration or the policy refuses it: never a negative RTO
		// that meets the target.
		"an operator decision time that overflows the RTO": {customer: "litware",
			stackFile: func(s string) string {
				return strings.Replace(s, "    tier: data\n", "    tier: data\n    operatorDecisionTime: 2562047h40m\n", 1)
			},
			rule: "", message: "operatorDecisionTime"},
	} {
		t.Run(name, func(t *testing.T) {
			config, err := os.ReadFile(testfleet.Path(tc.customer))
			require.NoError(t, err)
			if tc.stackFile != nil {
				changed := tc.stackFile(string(config))
				require.NotEqual(t, string(config), changed)
				config = []byte(changed)
			}
			st, err := s.StackWith(ctx, tc.customer, config, programtest.Breaking(tc.resource, tc.change))
			require.NoError(t, err)
			var opts []optpreview.Option
			if tc.policyConfig != "" {
				// Not under t.TempDir(): the CLI splits a flag's value at
				// commas, which test names may hold.
				dir, err := os.MkdirTemp("", "fhir-dr-policy-config-")
				require.NoError(t, err)
				t.Cleanup(func() { _ = os.RemoveAll(dir) })
				path := filepath.Join(dir, "policy.json")
				require.NoError(t, os.WriteFile(path, []byte(tc.policyConfig), 0o644))
				opts = append(opts, optpreview.PolicyPackConfigs(path))
			}
			previewCtx, cancel := context.WithTimeout(ctx, 10*time.Minute)
			defer cancel()
			_, err = st.Preview(previewCtx, opts...)
			require.Error(t, err)
			if tc.rule != "" {
				assert.Contains(t, err.Error(), "fhir-dr@v1.0.0")
				assert.Contains(t, err.Error(), tc.rule)
				assert.Contains(t, err.Error(), "mandatory")
			}
			assert.Contains(t, err.Error(), tc.message)
		})
	}
}
