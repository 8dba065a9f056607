//go:build integration

package engine

import (
	"bytes"
	"context"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fhir-dr/fhir-dr/internal/azurestandin"
	"github.com/fhir-dr/fhir-dr/internal/testfleet"
	"github.com/fhir-dr/fhir-dr/program"
)

// TestRehearsalTakesTheReleasePath: a session's stacks are opened by the
// release's own Auto. Run, the release orchestration, deploys two fixture
// stacks through the session's Opener into its backend and stand-ins with
// the exact counts of a release; the session's Stack of one of them
// previews the same creates before, and finds nothing to change after, in
// the same workspace.
func TestRehearsalTakesTheReleasePath(t *testing.T) {
	ctx := context.Background()
	var out bytes.Buffer
	// The fixture project (testdata: Pulumi.yaml and stacks/), never the
	// operators' stacks/.
	s, err := NewSession(SessionOptions{ProjectRoot: testfleet.Root(), CLIRoot: CLIRoot(projectRoot(t)),
		Program: program.Run, Out: &out})
	require.NoError(t, err)
	t.Cleanup(func() {
		if t.Failed() {
			t.Log(out.String())
		}
		assert.NoError(t, s.Close())
	})
	opener, ok := s.Opener().(*Auto)
	require.True(t, ok, "the session opens stacks with the release's Auto")
	assert.Equal(t, s.auto, opener)

	st, err := s.Stack(ctx, "contoso", stackFile(t, "contoso"))
	require.NoError(t, err)
	preview, err := st.Preview(ctx)
	require.NoError(t, err)
	assert.Equal(t, map[apitype.OpType]int{apitype.OpCreate: 85}, preview.Summary)
	for _, c := range preview.Changes {
		assert.Equal(t, apitype.OpCreate, c.Op, c.URN)
	}

	var log bytes.Buffer
	customers := []string{"contoso", "litware"}
	results := Run(ctx, s.Opener(), Up, customers, RunOptions{Parallel: 2, Log: &log})
	require.Len(t, results, 2)
	for i, r := range results {
		assert.Equal(t, customers[i], r.Customer)
		require.NoError(t, r.Err, r.Customer)
	}
	assert.Equal(t, map[string]int{"create": 85}, results[0].Changes)
	assert.Equal(t, map[string]int{"create": 17}, results[1].Changes)
	assert.False(t, Failed(results))
	assert.Contains(t, log.String(), "[contoso] Updating (contoso):")
	creates := 0
	for _, op := range s.Provider().Ops() {
		if op.Kind == azurestandin.OpCreate {
			creates++
		}
	}
	assert.Positive(t, creates, "the release reached the session's stand-in")

	again, err := st.Preview(ctx, optpreview.ExpectNoChanges())
	require.NoError(t, err, "the rehearsal sees what the release deployed")
	assert.Empty(t, again.Changes)
	assert.Equal(t, map[apitype.OpType]int{apitype.OpSame: 85}, again.Summary)

	previews := Run(ctx, s.Opener(), Preview, customers, RunOptions{Parallel: 2})
	assert.Equal(t, map[string]int{"same": 85}, previews[0].Changes)
	assert.Equal(t, map[string]int{"same": 17}, previews[1].Changes)
	assert.False(t, Failed(previews))
}
