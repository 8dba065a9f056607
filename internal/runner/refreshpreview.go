package runner

import (
	"context"
	"io"

	"github.com/pulumi/pulumi/sdk/v3/go/auto/events"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optrefresh"
)

// RefreshPreviewer is a Target that can preview a refresh: `pulumi refresh
// --preview-only`, which reads every resource from the cloud and reports
// how it differs from the state without writing the state. Auto's targets
// are RefreshPreviewers; the drift check (internal/drift) runs them.
type RefreshPreviewer interface {
	// PreviewRefresh previews a refresh, writing the engine's output to
	// log and sending its events to stream, and returns the number of
	// resources per kind of change the refresh would make. The Automation
	// API closes stream when it has sent the last event; it may leave it
	// open when the engine never started.
	PreviewRefresh(ctx context.Context, log io.Writer, stream chan<- events.EngineEvent) (map[string]int, error)
}

var _ RefreshPreviewer = (*autoTarget)(nil)

// PreviewRefresh runs `pulumi refresh --preview-only` on the stack.
func (t *autoTarget) PreviewRefresh(ctx context.Context, log io.Writer, stream chan<- events.EngineEvent) (map[string]int, error) {
	res, err := t.stack.PreviewRefresh(ctx, optrefresh.Color("never"), optrefresh.ProgressStreams(log),
		optrefresh.ErrorProgressStreams(log), optrefresh.EventStreams(stream))
	changes := map[string]int{}
	for k, v := range res.ChangeSummary {
		changes[string(k)] = v
	}
	return changes, err
}
