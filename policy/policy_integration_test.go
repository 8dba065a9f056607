//go:build integration

package main

import (
	"bufio"
	"context"
	"os/exec"
	"path/filepath"
	"strings"
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

// TestBinaryServesTheAnalyzer builds the policy pack, starts it as the engine
// does (the engine's address as the argument, the port read from standard
// output) and speaks the Analyzer protocol to it with a rendered example
// stack, one of whose clusters drifted from the other.
func TestBinaryServesTheAnalyzer(t *testing.T) {
	binary := filepath.Join(t.TempDir(), "fhir-dr-policy")
	build := exec.Command("go", "build", "-o", binary, ".")
	out, err := build.CombinedOutput()
	require.NoError(t, err, string(out))

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, "127.0.0.1:1")
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	port, err := bufio.NewReader(stdout).ReadString('\n')
	require.NoError(t, err)

	conn, err := grpc.NewClient("127.0.0.1:"+strings.TrimSpace(port), grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(t, err)
	defer conn.Close()
	client := pulumirpc.NewAnalyzerClient(conn)

	_, err = client.Handshake(ctx, &pulumirpc.AnalyzerHandshakeRequest{EngineAddress: "127.0.0.1:1"})
	require.NoError(t, err)
	info, err := client.GetAnalyzerInfo(ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, "fhir-dr", info.GetName())

	values, err := drconfig.ReadStackFile(filepath.Join("..", drconfig.StackFile("contoso")))
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
	require.Len(t, resp.GetDiagnostics(), 1)
	d := resp.GetDiagnostics()[0]
	assert.Equal(t, "aks-mirrored", d.GetPolicyName())
	assert.Equal(t, pulumirpc.EnforcementLevel_MANDATORY, d.GetEnforcementLevel())
	assert.Equal(t, `AKS cluster "secondary-aks" differs from the primary AKS cluster "primary-aks" in kubernetesVersion; `+
		`both clusters must come from one spec (compute.*), so change the spec rather than one cluster`, d.GetMessage())
	assert.True(t, strings.HasSuffix(d.GetUrn(), "::secondary-aks"), d.GetUrn())
}
