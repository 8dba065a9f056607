package main

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/fhir-dr/fhir-dr/internal/testfleet"
	"github.com/fhir-dr/fhir-dr/policy/rules"
)

var updateRenderGolden = flag.Bool("update-render", false, "rewrite testdata/render/*.json from the current render")

// TestRenderGolden: what every fixture customer renders (each resource's
// type, name, parent, inputs with their secrecy, every option of its
// registration, the stack outputs) and what the policy says of it is
// exactly what testdata/render/<customer>.json holds. Work that only
// makes the render cheaper must leave these files unchanged; a change to
// what the program declares rewrites them (go test -run TestRenderGolden
// ./cmd/drctl -update-render) and shows in review.
func TestRenderGolden(t *testing.T) {
	for _, customer := range testfleet.Customers {
		t.Run(customer, func(t *testing.T) {
			file := filepath.Join("testdata", "render", customer+".json")
			got := renderGolden(t, testfleet.Path(customer))
			if *updateRenderGolden {
				require.NoError(t, os.MkdirAll(filepath.Dir(file), 0o755))
				require.NoError(t, os.WriteFile(file, got, 0o644))
			}
			want, err := os.ReadFile(file)
			require.NoError(t, err)
			// A resource that depends on a component (the data locks on
			// Monitoring) depends on the children the SDK has recorded for
			// it when the resource's registration expands it, and the SDK
			// records a child on the child's own registration goroutine:
			// now and then, under load, a render misses one. A change of
			// the program changes every render; a few tries tell the two
			// apart.
			for try := 1; try < 5 && string(got) != string(want); try++ {
				got = renderGolden(t, testfleet.Path(customer))
			}
			assert.Equal(t, string(want), string(got))
		})
	}
}

// renderGolden returns the render of a stack file as stable, indented JSON.
func renderGolden(t *testing.T, path string) []byte {
	t.Helper()
	sp, err := planStack(path, rules.DefaultConfig())
	require.NoError(t, err)
	type goldenResource struct {
		URN        string `json:"urn"`
		Custom     bool   `json:"custom"`
		ID         string `json:"id,omitempty"`
		Properties any    `json:"properties"`
		// Request is the registration without its object (Properties,
		// with secrets marked) and without the Go call stack it was made
		// from, which moves with any edit of the code.
		Request any `json:"request"`
	}
	doc := struct {
		Stack     string             `json:"stack"`
		Resources []goldenResource   `json:"resources"`
		Outputs   map[string]any     `json:"outputs"`
		Policy    []policyDiagnostic `json:"policy"`
	}{Stack: sp.Plan.Stack, Outputs: sp.Plan.Outputs, Policy: policyDiagnostics(sp.Policy)}
	for _, r := range sp.Plan.Resources {
		props, err := plugin.MarshalProperties(r.Properties, plugin.MarshalOptions{
			KeepUnknowns: true, KeepSecrets: true, KeepResources: true, KeepOutputValues: true,
		})
		require.NoError(t, err)
		req := proto.CloneOf(r.Request)
		req.Object, req.StackTrace, req.SourcePosition = nil, nil, nil
		slices.Sort(req.Dependencies)
		for _, d := range req.PropertyDependencies {
			slices.Sort(d.Urns)
		}
		b, err := protojson.Marshal(req)
		require.NoError(t, err)
		var plainReq any
		require.NoError(t, json.Unmarshal(b, &plainReq))
		doc.Resources = append(doc.Resources, goldenResource{URN: r.URN, Custom: r.Custom, ID: r.ID,
			Properties: props.AsMap(), Request: plainReq})
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	require.NoError(t, err)
	return append(b, '\n')
}
