package engine

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

// skipConfirmations is the variable that makes the Pulumi CLI assume
// --yes.
const skipConfirmations = "PULUMI_SKIP_CONFIRMATIONS"

// PreviewRefresh runs `pulumi refresh --preview-only` on the stack.
func (t *autoTarget) PreviewRefresh(ctx context.Context, log io.Writer, stream chan<- events.EngineEvent) (map[string]int, error) {
	// PULUMI_SKIP_CONFIRMATIONS=true (CI, the offline rehearsal) makes
	// pulumi refresh assume --yes, which it refuses with --preview-only
	// ("--yes and --preview-only cannot be used together"). A preview
	// needs no confirmation: it runs with the variable off, the
	// workspace's value (it comes after the process's) restored after.
	ws := t.ws.stack.Workspace()
	prev, had := ws.GetEnvVars()[skipConfirmations]
	ws.SetEnvVar(skipConfirmations, "false")
	defer func() {
		if had {
			ws.SetEnvVar(skipConfirmations, prev)
		} else {
			ws.UnsetEnvVar(skipConfirmations)
		}
	}()
	res, err := t.ws.stack.PreviewRefresh(ctx, optrefresh.Color("never"), optrefresh.ProgressStreams(log),
		optrefresh.ErrorProgressStreams(log), optrefresh.EventStreams(stream))
	changes := map[string]int{}
	for k, v := range res.ChangeSummary {
		changes[string(k)] = v
	}
	return changes, err
}
