package engine

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto/events"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/stretchr/testify/assert"
)

// TestCollector: the engine's steps other than "same" become changes, the
// top-level inputs of a detailed diff stand in for missing diff keys, and
// the summary keeps every operation.
func TestCollector(t *testing.T) {
	c := newCollector()
	urn := "urn:pulumi:contoso::fhir-dr::azure-native:cosmosdb:DatabaseAccount::account"
	c.events <- events.EngineEvent{EngineEvent: apitype.EngineEvent{ResourcePreEvent: &apitype.ResourcePreEvent{
		Metadata: apitype.StepEventMetadata{Op: apitype.OpSame, URN: urn + "-same", Type: "t"},
	}}}
	c.events <- events.EngineEvent{EngineEvent: apitype.EngineEvent{ResourcePreEvent: &apitype.ResourcePreEvent{
		Metadata: apitype.StepEventMetadata{Op: apitype.OpImport, URN: urn, Type: "azure-native:cosmosdb:DatabaseAccount",
			DetailedDiff: map[string]apitype.PropertyDiff{"locations[1].locationName": {}, "tags.customer": {}, "locations[0]": {}},
			New:          &apitype.StepEventStateMetadata{Inputs: map[string]any{"accountName": "fhir-contoso"}}},
	}}}
	close(c.events)
	summary := map[string]int{"same": 1, "import": 1}
	out := c.result(&summary, false)
	assert.Equal(t, Outcome{
		Changes: []Change{{Op: apitype.OpImport, URN: urn, Type: "azure-native:cosmosdb:DatabaseAccount", Name: "account",
			Diffs: []string{"locations", "tags"}, New: map[string]any{"accountName": "fhir-contoso"}}},
		Summary: map[apitype.OpType]int{apitype.OpSame: 1, apitype.OpImport: 1},
	}, out)
	assert.Equal(t, map[string]int{"same": 1, "import": 1}, out.counts())
	assert.Len(t, out.Find("azure-native:cosmosdb:DatabaseAccount"), 1)
}

// TestCollectorAfterAnEarlyFailure: when the CLI failed before it opened
// the event stream, nothing closes it; the wait is bounded and the outcome
// keeps the summary.
func TestCollectorAfterAnEarlyFailure(t *testing.T) {
	defer func(wait time.Duration) { streamWait = wait }(streamWait)
	streamWait = 10 * time.Millisecond
	c := newCollector()
	out := c.result(nil, true)
	assert.Equal(t, Outcome{Summary: map[apitype.OpType]int{}}, out)
}

// TestReleaseNeverDestroys: the release's targets refuse the rehearsal's
// destroy.
func TestReleaseNeverDestroys(t *testing.T) {
	_, err := (&autoTarget{ws: &workspace{}}).Run(context.Background(), destroy, io.Discard)
	assert.EqualError(t, err, `unknown operation "destroy"`)
	_, err = (&workspace{}).run(context.Background(), "import", io.Discard, extraOptions{})
	assert.EqualError(t, err, `unknown operation "import"`)
}
