package renderfleet

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fhir-dr/fhir-dr/internal/testfleet"
	"github.com/fhir-dr/fhir-dr/program"
	"github.com/fhir-dr/fhir-dr/stackfile"
)

// TestWriteRead: the fixture fleet written and read back is every stack,
// sorted, each as RenderStack renders it, behind the format's header.
func TestWriteRead(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, Write(&buf, testfleet.Root(), program.DeployConfig, 2))
	first, _, _ := strings.Cut(buf.String(), "\n")
	assert.Equal(t, `{"format":"fhir-dr/rendered-fleet/v1","stacks":6}`, first)
	var got []Stack
	require.NoError(t, Read(&buf, func(st Stack) error { got = append(got, st); return nil }))
	require.Len(t, got, len(testfleet.Customers))
	for i, c := range testfleet.Customers {
		want, cfg := RenderStack(testfleet.Path(c), program.DeployConfig)
		require.NotNil(t, cfg, c)
		assert.Equal(t, c, got[i].Customer)
		assert.Empty(t, got[i].Error, c)
		assert.Equal(t, want, got[i], c)
	}
	var account *Resource
	for i, r := range got[1].Resources {
		if r.Type == "azure-native:cosmosdb:DatabaseAccount" {
			account = &got[1].Resources[i]
		}
	}
	require.NotNil(t, account, "contoso's account")
	assert.Equal(t, "account", account.Name)
	assert.True(t, account.Protect)
	assert.True(t, account.RetainOnDelete)
	assert.Equal(t, "fhir-contoso", account.Inputs["accountName"])
	assert.Equal(t, "urn:pulumi:contoso::fhir-dr::fhir-dr:index:CustomerDR$fhir-dr:index:CosmosAccount::cosmos", account.Parent)
	assert.Equal(t, 60+12+2, len(got[1].Resources), "contoso's Azure resources, Kubernetes objects and the two clusters' providers; no components")
}

// TestRenderStackErrors: a stack file that does not validate is the
// stack's error, named by its place in the project, not a failure.
func TestRenderStackErrors(t *testing.T) {
	root := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(root, stackfile.Dir), 0o755))
	path := filepath.Join(root, stackfile.Path("bad"))
	require.NoError(t, os.WriteFile(path, []byte("config:\n  fhir-dr:customer: bad\n  fhir-dr:primaryRegion: mars\n"), 0o644))
	st, cfg := RenderStack(path, program.DeployConfig)
	assert.Nil(t, cfg)
	assert.Equal(t, "bad", st.Customer)
	assert.Empty(t, st.Resources)
	assert.Contains(t, st.Error, "stacks/Pulumi.bad.yaml")
	assert.Contains(t, st.Error, "mars")
	assert.NotContains(t, st.Error, root)
}

// TestReadRefuses: another format, and a fleet cut short, are refused.
func TestReadRefuses(t *testing.T) {
	none := func(Stack) error { return nil }
	err := Read(strings.NewReader(`{"format":"fhir-dr/rendered-fleet/v2","stacks":0}`+"\n"), none)
	assert.True(t, errors.Is(err, ErrFormat), err)
	err = Read(strings.NewReader("Error: unknown command \"render-fleet\" for \"drctl\"\n"), none)
	assert.True(t, errors.Is(err, ErrFormat), err)
	err = Read(strings.NewReader(`{"format":"fhir-dr/rendered-fleet/v1","stacks":2}`+"\n"+`{"customer":"a","resources":[]}`+"\n"), none)
	assert.EqualError(t, err, "renderfleet: reading stack 2 of 2: EOF")
}
