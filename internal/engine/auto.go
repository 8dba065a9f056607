package engine

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/opthistory"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/fhir-dr/fhir-dr/drconfig"
	"github.com/fhir-dr/fhir-dr/stackfile"
)

// DefaultGrace is how long an interrupted engine may take to finish the
// operations it has started before it is killed: Azure operations such as
// a Cosmos DB region change take minutes, and killing the engine mid-way
// leaves pending operations to clean up by hand.
const DefaultGrace = 30 * time.Minute

// Auto opens stacks through the Automation API, running the program inline.
// Each stack gets a workspace of its own under WorkRoot holding the
// project's Pulumi.yaml and the stack's stacks/Pulumi.<customer>.yaml (see
// workspace). The release uses it with the backend and credentials of its
// environment; a Session uses it with its throwaway backend and stand-ins.
type Auto struct {
	// ProjectRoot holds Pulumi.yaml and stacks/. Required.
	ProjectRoot string
	// WorkRoot is where the workspaces are made. Required.
	WorkRoot string
	// Program is the program, run inline. Required.
	Program pulumi.RunFunc
	// CLI is the Pulumi CLI. Optional; defaults to "pulumi" on PATH.
	CLI string
	// Env is added to the CLI's environment (backend, secrets, debug
	// providers). Optional.
	Env map[string]string
	// PolicyPacks are applied to previews and updates. Optional.
	PolicyPacks []string
	// PolicyPackConfigs configure them. Optional.
	PolicyPackConfigs []string
	// CreateStacks creates stacks that do not exist. The pipeline's stacks
	// are created at onboarding, so it leaves this off and a missing stack
	// is an error. Optional.
	CreateStacks bool
	// Grace is how long an interrupted engine may finish its operations.
	// Optional; defaults to DefaultGrace.
	Grace time.Duration
	// Message is the message every update records in the stack's history
	// (pulumi up --message): the staged release records its commit there,
	// so that a re-run reads what is already released (internal/rollout).
	// Optional; defaults to the CLI's own.
	Message string

	// cli is made once, on first use, for every stack.
	cliOnce sync.Once
	cli     *gracefulCLI
	cliErr  error
}

var _ Opener = (*Auto)(nil)

// command returns the CLI every workspace runs.
func (a *Auto) command() (*gracefulCLI, error) {
	a.cliOnce.Do(func() { a.cli, a.cliErr = newGracefulCLI(a.CLI, a.Grace, a.Env) })
	return a.cli, a.cliErr
}

// Open prepares the customer's workspace from its stack file under
// ProjectRoot and selects its stack.
func (a *Auto) Open(ctx context.Context, customer string) (Target, error) {
	stackFile := filepath.Join(a.ProjectRoot, stackfile.Path(customer))
	// Invalid configuration is reported with every problem before the
	// engine starts.
	if _, err := drconfig.LoadFile(stackFile); err != nil {
		return nil, err
	}
	config, err := os.ReadFile(stackFile)
	if err != nil {
		return nil, err
	}
	w, err := a.workspace(ctx, customer, config, a.Program)
	if err != nil {
		return nil, err
	}
	return &autoTarget{ws: w, message: a.Message}, nil
}

// autoTarget is a stack opened by Auto.
type autoTarget struct {
	ws *workspace
	// message is the update message of an up, "" for the CLI's own.
	message string
}

func (t *autoTarget) Run(ctx context.Context, op Operation, log io.Writer) (map[string]int, error) {
	if op == destroy {
		return nil, unknownOperation(op) // the release never destroys
	}
	var x extraOptions
	if t.message != "" {
		x.up = []optup.Option{optup.Message(t.message)}
	}
	out, err := t.ws.run(ctx, op, log, x)
	return out.counts(), err
}

// History is a Target that reads its stack's update history from the
// backend.
type History interface {
	// Updates returns the stack's last n updates (up, refresh, destroy,
	// ...), newest first.
	Updates(ctx context.Context, n int) ([]auto.UpdateSummary, error)
}

var _ History = (*autoTarget)(nil)

// Updates reads the stack's history, newest first.
func (t *autoTarget) Updates(ctx context.Context, n int) ([]auto.UpdateSummary, error) {
	updates, err := t.ws.stack.History(ctx, n, 1, opthistory.ShowSecrets(false))
	if err != nil {
		return nil, fmt.Errorf("%s: history: %w", t.ws.customer, err)
	}
	// The CLI lists the newest first; the file backend numbers no
	// versions (all 0), which the stable sort leaves in that order.
	slices.SortStableFunc(updates, func(a, b auto.UpdateSummary) int { return b.Version - a.Version })
	return updates, nil
}
