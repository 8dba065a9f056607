//go:build integration

package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"github.com/fhir-dr/fhir-dr/stackfile"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/fhir-dr/fhir-dr/drconfig"
	"github.com/fhir-dr/fhir-dr/internal/render"
	"github.com/fhir-dr/fhir-dr/program"
)

var (
	buildOnce sync.Once
	binary    string
	buildErr  error
)

// TestMain removes the policy pack that startBinary built.
func TestMain(m *testing.M) {
	code := m.Run()
	if binary != "" {
		_ = os.RemoveAll(filepath.Dir(binary))
	}
	os.Exit(code)
}

// startBinary builds the policy pack once per test run, starts it as the
// engine does (the engine's address as the argument, the port read from
// standard output) and returns a client of its Analyzer service, after the
// handshake.
func startBinary(t *testing.T) (context.Context, pulumirpc.AnalyzerClient) {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "fhir-dr-policy-")
		if err != nil {
			buildErr = err
			return
		}
		binary = filepath.Join(dir, "fhir-dr-policy")
		if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("%w\n%s", err, out)
		}
	})
	require.NoError(t, buildErr)

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	cmd := exec.CommandContext(ctx, binary, "127.0.0.1:1")
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	port, err := bufio.NewReader(stdout).ReadString('\n')
	require.NoError(t, err)

	conn, err := grpc.NewClient("127.0.0.1:"+strings.TrimSpace(port), grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	client := pulumirpc.NewAnalyzerClient(conn)
	_, err = client.Handshake(ctx, &pulumirpc.AnalyzerHandshakeRequest{EngineAddress: "127.0.0.1:1"})
	require.NoError(t, err)
	return ctx, client
}

// TestBinaryServesTheAnalyzer speaks the Analyzer protocol to the built
// policy pack with a rendered example stack, one of whose clusters drifted
// from the other.
func TestBinaryServesTheAnalyzer(t *testing.T) {
	ctx, client := startBinary(t)
	info, err := client.GetAnalyzerInfo(ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, "fhir-dr", info.GetName())

	values, err := drconfig.ReadStackFile(filepath.Join("..", stackfile.Path("contoso")))
	require.NoError(t, err)
	plan, err := render.Run("contoso", values, program.Deploy)
	require.NoError(t, err)
	_, err = client.ConfigureStack(ctx, &pulumirpc.AnalyzerStackConfigureRequest{Stack: "contoso", Project: "fhir-dr", Config: values})
	require.NoError(t, err)

	var diagnostics []string
	var stack []*pulumirpc.AnalyzerResource
	for _, r := range plan.Resources {
		if !r.Custom {
			continue
		}
		if r.Name == "secondary-aks" {
			r.Inputs["kubernetesVersion"] = "1.32"
		}
		props, err := plugin.MarshalProperties(resource.NewPropertyMapFromMap(r.Inputs), plugin.MarshalOptions{})
		require.NoError(t, err)
		opts := &pulumirpc.AnalyzerResourceOptions{Protect: r.Protect}
		resp, err := client.Analyze(ctx, &pulumirpc.AnalyzeRequest{Type: r.Type, Urn: r.URN, Name: r.Name, Properties: props, Options: opts})
		require.NoError(t, err)
		for _, d := range resp.GetDiagnostics() {
			diagnostics = append(diagnostics, d.GetPolicyName())
		}
		stack = append(stack, &pulumirpc.AnalyzerResource{Type: r.Type, Urn: r.URN, Name: r.Name, Properties: props, Options: opts})
	}
	assert.Empty(t, diagnostics, "every resource on its own keeps the promises")

	resp, err := client.AnalyzeStack(ctx, &pulumirpc.AnalyzeStackRequest{Resources: stack})
	require.NoError(t, err)
	ds := resp.GetDiagnostics()
	require.Len(t, ds, 1)
	d := ds[0]
	assert.Equal(t, "aks-mirrored", d.GetPolicyName())
	assert.Equal(t, pulumirpc.EnforcementLevel_MANDATORY, d.GetEnforcementLevel())
	assert.Equal(t, `AKS cluster "secondary-aks" differs from the primary AKS cluster "primary-aks" in kubernetesVersion; `+
		`both clusters must come from one spec (compute.*), so change the spec rather than one cluster`, d.GetMessage())
	assert.True(t, strings.HasSuffix(d.GetUrn(), "::secondary-aks"), d.GetUrn())
}

func setPath(t *testing.T, m resource.PropertyMap, path string, v any) {
	t.Helper()
	p, err := resource.ParsePropertyPath(path)
	require.NoError(t, err)
	require.True(t, p.Set(resource.NewProperty(m), resource.NewPropertyValue(v)), path)
}

// analyzeThroughBinary renders an example stack and runs it through the
// binary as the engine does (ConfigureStack, Configure, Analyze for each
// resource, AnalyzeStack), after values and change altered it. It returns
// each diagnostic as "<level> <rule> <resource>: <message>".
func analyzeThroughBinary(t *testing.T, customer string, values func(map[string]string), policy map[string]*pulumirpc.PolicyConfig,
	change func(t *testing.T, name string, inputs resource.PropertyMap, opts *pulumirpc.AnalyzerResourceOptions),
) []string {
	t.Helper()
	ctx, client := startBinary(t)
	config, err := drconfig.ReadStackFile(filepath.Join("..", stackfile.Path(customer)))
	require.NoError(t, err)
	plan, err := render.Run(customer, config, program.Deploy)
	require.NoError(t, err)
	if values != nil {
		values(config)
	}
	_, err = client.ConfigureStack(ctx, &pulumirpc.AnalyzerStackConfigureRequest{Stack: customer, Project: "fhir-dr", Config: config})
	require.NoError(t, err)
	if policy != nil {
		_, err = client.Configure(ctx, &pulumirpc.ConfigureAnalyzerRequest{PolicyConfig: policy})
		require.NoError(t, err)
	}
	var got []string
	collect := func(ds []*pulumirpc.AnalyzeDiagnostic) {
		for _, d := range ds {
			level := strings.ToLower(d.GetEnforcementLevel().String())
			got = append(got, level+" "+d.GetPolicyName()+" "+resource.URN(d.GetUrn()).Name()+": "+d.GetMessage())
		}
	}
	var stack []*pulumirpc.AnalyzerResource
	for _, r := range plan.Resources {
		if !r.Custom {
			continue
		}
		inputs := resource.NewPropertyMapFromMap(r.Inputs)
		opts := &pulumirpc.AnalyzerResourceOptions{Protect: r.Protect}
		if change != nil {
			change(t, r.Name, inputs, opts)
		}
		props, err := plugin.MarshalProperties(inputs, plugin.MarshalOptions{KeepUnknowns: true})
		require.NoError(t, err)
		resp, err := client.Analyze(ctx, &pulumirpc.AnalyzeRequest{Type: r.Type, Urn: r.URN, Name: r.Name, Properties: props, Options: opts})
		require.NoError(t, err)
		collect(resp.GetDiagnostics())
		stack = append(stack, &pulumirpc.AnalyzerResource{Type: r.Type, Urn: r.URN, Name: r.Name, Properties: props, Options: opts})
	}
	resp, err := client.AnalyzeStack(ctx, &pulumirpc.AnalyzeStackRequest{Resources: stack})
	require.NoError(t, err)
	collect(resp.GetDiagnostics())
	return got
}

// TestBinaryRefusesTheHoles: issue 14's policy holes, each through the
// built binary. Every one passed the policy before.
func TestBinaryRefusesTheHoles(t *testing.T) {
	type change = func(t *testing.T, name string, inputs resource.PropertyMap, opts *pulumirpc.AnalyzerResourceOptions)
	on := func(resourceName, path string, v any) change {
		return func(t *testing.T, name string, inputs resource.PropertyMap, _ *pulumirpc.AnalyzerResourceOptions) {
			if name == resourceName {
				setPath(t, inputs, path, v)
			}
		}
	}
	onClusters := func(path string, v any) change {
		return func(t *testing.T, name string, inputs resource.PropertyMap, _ *pulumirpc.AnalyzerResourceOptions) {
			if name == "primary-aks" || name == "secondary-aks" {
				setPath(t, inputs, path, v)
			}
		}
	}
	onStamps := func(suffix, path string, v any) change {
		return func(t *testing.T, name string, inputs resource.PropertyMap, _ *pulumirpc.AnalyzerResourceOptions) {
			if name == "primary-"+suffix || name == "secondary-"+suffix {
				setPath(t, inputs, path, v)
			}
		}
	}
	unprotect := func(names ...string) change {
		return func(_ *testing.T, name string, _ resource.PropertyMap, opts *pulumirpc.AnalyzerResourceOptions) {
			if slices.Contains(names, name) {
				opts.Protect = false
			}
		}
	}
	const (
		apiFix  = "set compute.apiServer.private: true or compute.apiServer.authorizedIPRanges to the operators' ranges"
		profile = `Traffic Manager profile "profile"`
	)
	open := func(cluster, all string) string {
		return "mandatory aks-hardened " + cluster + `: AKS cluster "` + cluster +
			`" has its API server open to the internet: its authorized IP ranges together admit ` + all + "; " + apiFix
	}
	// rangeProblem is what aks-hardened says of one range of both clusters.
	rangeProblem := func(i int, problem string) []string {
		var out []string
		for _, cluster := range []string{"primary-aks", "secondary-aks"} {
			out = append(out, fmt.Sprintf(`mandatory aks-hardened %s: AKS cluster %q: apiServerAccessProfile.authorizedIPRanges[%d]: %s`,
				cluster, cluster, i, problem))
		}
		return out
	}
	wide := func(i int, r string, bits int) []string {
		return rangeProblem(i, fmt.Sprintf("%s opens the API server to a large part of the internet: list the operators' egress ranges, /%d or narrower", r, bits))
	}
	join := func(lists ...[]string) []string { return slices.Concat(lists...) }
	overflow := 2562047*time.Hour + 40*time.Minute
	for name, tc := range map[string]struct {
		customer string
		values   func(map[string]string)
		policy   map[string]*pulumirpc.PolicyConfig
		change   change
		want     []string
	}{
		"TCP probe": {customer: "contoso", change: func(t *testing.T, name string, inputs resource.PropertyMap, _ *pulumirpc.AnalyzerResourceOptions) {
			if name == "profile" {
				setPath(t, inputs, "monitorConfig.protocol", "TCP")
				p, _ := resource.ParsePropertyPath("monitorConfig.path")
				p.Delete(resource.NewProperty(inputs))
			}
		}, want: []string{
			"mandatory traffic-manager-profile profile: " + profile + `: monitorConfig.protocol is "TCP", want "HTTPS"; probe the FHIR server over HTTPS`,
			"mandatory traffic-manager-profile profile: " + profile + `: monitorConfig.path is "", want "/health/check"; probe the FHIR server's health endpoint`,
		}},
		"probe on port 80": {customer: "contoso", change: on("profile", "monitorConfig.port", 80), want: []string{
			"mandatory traffic-manager-profile profile: " + profile + `: probe port 80, want 443; the FHIR service listens on 443 only`,
		}},
		"a TTL beyond any duration": {customer: "contoso", change: on("profile", "dnsConfig.ttl", 1e19), want: []string{
			"mandatory traffic-manager-profile profile: " + profile + `: DNS TTL 9223372036854775807 s; Azure accepts 0 to 2147483647 s`,
			"advisory traffic-manager-ttl profile: " + profile + ` has a DNS TTL of 9223372036854775807 s; clients keep the failed primary that long after failover. Consider trafficManager.ttlSeconds: 60 or less`,
			"mandatory rto-budget profile: " + profile + `: the modeled RTO is 2562047h47m16.854775807s (detection 35s, DNS TTL 9223372036854775807 s, standby scale-out 8m30s), over the budget of 1h0m0s; probe faster (10 s interval, fewer tolerated failures), lower the TTL or run more standby pods`,
		}},
		"API server ranges 0.0.0.0/1 and 128.0.0.0/1": {customer: "contoso",
			change: onClusters("apiServerAccessProfile.authorizedIPRanges", []any{"0.0.0.0/1", "128.0.0.0/1"}),
			want: join([]string{open("primary-aks", "0.0.0.0/0"), open("secondary-aks", "0.0.0.0/0")},
				wide(0, "0.0.0.0/1", 8), wide(1, "128.0.0.0/1", 8))},
		"API server range ::/0": {customer: "contoso", change: onClusters("apiServerAccessProfile.authorizedIPRanges", []any{"::/0"}),
			want: join([]string{open("primary-aks", "::/0"), open("secondary-aks", "::/0")}, wide(0, "::/0", 32))},
		"API server ranges ::/1 and 8000::/1": {customer: "contoso",
			change: onClusters("apiServerAccessProfile.authorizedIPRanges", []any{"::/1", "8000::/1"}),
			want: join([]string{open("primary-aks", "::/0"), open("secondary-aks", "::/0")},
				wide(0, "::/1", 32), wide(1, "8000::/1", 32))},
		"API server range with a space": {customer: "contoso", change: onClusters("apiServerAccessProfile.authorizedIPRanges", []any{"0.0.0.0/0 "}),
			want: rangeProblem(0, `must be a CIDR range such as 203.0.113.0/24, got "0.0.0.0/0 "`)},
		"an API server range wider than a /8": {customer: "contoso", change: onClusters("apiServerAccessProfile.authorizedIPRanges", []any{"16.0.0.0/4"}),
			want: wide(0, "16.0.0.0/4", 8)},
		"an operator decision time that overflows the RTO": {customer: "litware", values: func(v map[string]string) {
			var dr map[string]any
			require.NoError(t, json.Unmarshal([]byte(v["fhir-dr:dr"]), &dr))
			dr["operatorDecisionTime"] = overflow.String()
			b, err := json.Marshal(dr)
			require.NoError(t, err)
			v["fhir-dr:dr"] = string(b)
		}, want: []string{"mandatory rto-budget : dr.operatorDecisionTime 2562047h40m0s is outside 0s to 2h0m0s, which the RTO model accepts; " +
			"set the time on-call needs to confirm an outage and order the failover (default 15m0s)"}},
		"local auth on an account without DR": {customer: "adatum", change: on("account", "disableLocalAuth", false), want: []string{
			`mandatory cosmos-local-auth-disabled account: Cosmos DB account "account" accepts account keys; set disableLocalAuth: true`,
		}},
		"unprotected database, container and resource group": {customer: "adatum", change: unprotect("health", "fhirR4", "primary-rg"), want: []string{
			`mandatory cosmos-protected health: Cosmos DB database "health" is not protected; register it with pulumi.Protect(true) (and RetainOnDelete)`,
			`mandatory cosmos-protected fhirR4: Cosmos DB container "fhirR4" is not protected; register it with pulumi.Protect(true) (and RetainOnDelete)`,
			`mandatory cosmos-resource-group-protected primary-rg: resource group "primary-rg" holds Cosmos DB account "account" and is not protected, ` +
				`and deleting the group deletes the account; register it with pulumi.Protect(true) (and RetainOnDelete)`,
		}},
		"a firewall that admits Azure datacenters": {customer: "litware",
			change: on("account", "ipRules", []any{map[string]any{"ipAddressOrRange": "0.0.0.0"}}), want: []string{
				`mandatory cosmos-firewall account: Cosmos DB account "account": ipRules[0] 0.0.0.0 admits every Azure datacenter, any tenant's services included; remove it`,
			}},
		"public network access in a stack with compute": {customer: "contoso", change: on("account", "publicNetworkAccess", "Enabled"), want: []string{
			`mandatory cosmos-public-network-access account: Cosmos DB account "account" is reachable from public networks in a stack with compute: ` +
				`publicNetworkAccess is "Enabled"; set publicNetworkAccess: Disabled, the stamps reach it through private endpoints`,
		}},
		"a TTL above the maximum, made mandatory": {customer: "contoso",
			policy: map[string]*pulumirpc.PolicyConfig{"traffic-manager-ttl": {EnforcementLevel: pulumirpc.EnforcementLevel_MANDATORY}},
			change: on("profile", "dnsConfig.ttl", 2147483648), want: []string{
				"mandatory traffic-manager-profile profile: " + profile + `: DNS TTL 2147483648 s; Azure accepts 0 to 2147483647 s`,
				"mandatory traffic-manager-ttl profile: " + profile + ` has a DNS TTL of 2147483648 s; clients keep the failed primary that long after failover. Consider trafficManager.ttlSeconds: 60 or less`,
				"mandatory rto-budget profile: " + profile + `: the modeled RTO is 596523h23m13s (detection 35s, DNS TTL 2147483648 s, standby scale-out 8m30s), over the budget of 1h0m0s; probe faster (10 s interval, fewer tolerated failures), lower the TTL or run more standby pods`,
			}},
		"Kubernetes RBAC off": {customer: "contoso", change: onClusters("enableRBAC", false), want: []string{
			`mandatory aks-hardened primary-aks: AKS cluster "primary-aks": enableRBAC is not true; Kubernetes RBAC must be on; without it every authenticated identity is cluster admin`,
			`mandatory aks-hardened secondary-aks: AKS cluster "secondary-aks": enableRBAC is not true; Kubernetes RBAC must be on; without it every authenticated identity is cluster admin`,
		}},
		"no network policy": {customer: "contoso", change: onClusters("networkProfile.networkPolicy", "none"), want: []string{
			`mandatory aks-network-policy primary-aks: AKS cluster "primary-aks": networkProfile.networkPolicy is "none", so every pod can reach every other; set it to azure, calico, cilium`,
			`mandatory aks-network-policy secondary-aks: AKS cluster "secondary-aks": networkProfile.networkPolicy is "none", so every pod can reach every other; set it to azure, calico, cilium`,
		}},
		"workload identity off": {customer: "contoso", change: onClusters("securityProfile.workloadIdentity.enabled", false), want: []string{
			`mandatory aks-workload-identity primary-aks: AKS cluster "primary-aks": securityProfile.workloadIdentity.enabled is not true; pods reach Azure with workload identity, never with keys`,
			`mandatory aks-workload-identity secondary-aks: AKS cluster "secondary-aks": securityProfile.workloadIdentity.enabled is not true; pods reach Azure with workload identity, never with keys`,
		}},
		"a privileged FHIR container": {customer: "contoso",
			change: onStamps("fhir-deployment", "spec.template.spec.containers[0].securityContext.privileged", true), want: []string{
				`mandatory k8s-pod-unprivileged primary-fhir-deployment: kubernetes:apps/v1:Deployment "primary-fhir-deployment": container "fhir-server" runs privileged; remove securityContext.privileged`,
				`mandatory k8s-pod-unprivileged secondary-fhir-deployment: kubernetes:apps/v1:Deployment "secondary-fhir-deployment": container "fhir-server" runs privileged; remove securityContext.privileged`,
			}},
		"a privileged namespace": {customer: "contoso",
			change: onStamps("fhir-namespace", `metadata.labels["pod-security.kubernetes.io/enforce"]`, "privileged"), want: []string{
				`mandatory k8s-namespace-pod-security primary-fhir-namespace: kubernetes:core/v1:Namespace "primary-fhir-namespace" enforces the "privileged" Pod Security Standard, ` +
					`which admits privileged pods; label it pod-security.kubernetes.io/enforce: restricted (or baseline)`,
				`mandatory k8s-namespace-pod-security secondary-fhir-namespace: kubernetes:core/v1:Namespace "secondary-fhir-namespace" enforces the "privileged" Pod Security Standard, ` +
					`which admits privileged pods; label it pod-security.kubernetes.io/enforce: restricted (or baseline)`,
			}},
	} {
		t.Run(name, func(t *testing.T) {
			if tc.values != nil {
				// The policy judges what the configuration lets through; a
				// configuration that refuses the value never reaches it.
				config, err := drconfig.ReadStackFile(filepath.Join("..", stackfile.Path(tc.customer)))
				require.NoError(t, err)
				tc.values(config)
				if _, err := drconfig.Load(stackfile.Path(tc.customer), config); err != nil {
					assert.ErrorContains(t, err, "operatorDecisionTime", "drconfig refuses it first, naming the key")
					return
				}
			}
			got := analyzeThroughBinary(t, tc.customer, tc.values, tc.policy, tc.change)
			assert.ElementsMatch(t, tc.want, got)
		})
	}
}
