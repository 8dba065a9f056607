package runner

import (
	"bytes"
	"context"
	"fmt"
	"github.com/fhir-dr/fhir-dr/stackfile"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/blang/semver"
	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/opthistory"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optrefresh"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/fhir-dr/fhir-dr/drconfig"
)

// DefaultGrace is how long an interrupted engine may take to finish the
// operations it has started before it is killed: Azure operations such as
// a Cosmos DB region change take minutes, and killing the engine mid-way
// leaves pending operations to clean up by hand.
const DefaultGrace = 30 * time.Minute

// Auto opens stacks through the Automation API, running the program inline.
// Each stack gets a workspace of its own under WorkRoot holding the
// project's Pulumi.yaml and the stack's stacks/Pulumi.<customer>.yaml: the
// Automation API ignores stackConfigDir (pulumi/pulumi#10305) but the CLI it
// runs honours it, and separate workspaces make parallel runs safe
// (pulumi/pulumi#8186) without touching the checkout.
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
}

// History is a Target that reads its stack's update history from the
// backend.
type History interface {
	// Updates returns the stack's last n updates (up, refresh, destroy,
	// ...), newest first.
	Updates(ctx context.Context, n int) ([]auto.UpdateSummary, error)
}

// Open prepares the customer's workspace and selects its stack.
func (a *Auto) Open(ctx context.Context, customer string) (Target, error) {
	stackFile := filepath.Join(a.ProjectRoot, stackfile.Path(customer))
	// Invalid configuration is reported with every problem before the
	// engine starts.
	if _, err := drconfig.LoadFile(stackFile); err != nil {
		return nil, err
	}
	dir := filepath.Join(a.WorkRoot, customer)
	if err := os.MkdirAll(filepath.Join(dir, stackfile.Dir), 0o755); err != nil {
		return nil, err
	}
	for _, f := range []struct{ from, to string }{
		{filepath.Join(a.ProjectRoot, "Pulumi.yaml"), filepath.Join(dir, "Pulumi.yaml")},
		{stackFile, filepath.Join(dir, stackfile.Path(customer))},
	} {
		b, err := os.ReadFile(f.from)
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(f.to, b, 0o644); err != nil {
			return nil, err
		}
	}
	cli, err := newGracefulCLI(a.CLI, a.Grace)
	if err != nil {
		return nil, err
	}
	ws, err := auto.NewLocalWorkspace(ctx, auto.WorkDir(dir), auto.Program(a.Program), auto.Pulumi(cli), auto.EnvVars(a.Env))
	if err != nil {
		return nil, fmt.Errorf("%s: workspace: %w", customer, err)
	}
	var stack auto.Stack
	if a.CreateStacks {
		stack, err = auto.UpsertStack(ctx, customer, ws)
	} else {
		stack, err = auto.SelectStack(ctx, customer, ws)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: stack: %w", customer, err)
	}
	return &autoTarget{auto: a, stack: stack}, nil
}

type autoTarget struct {
	auto  *Auto
	stack auto.Stack
}

func (t *autoTarget) Run(ctx context.Context, op Operation, log io.Writer) (map[string]int, error) {
	switch op {
	case Preview:
		opts := []optpreview.Option{optpreview.Diff(), optpreview.Color("never"),
			optpreview.ProgressStreams(log), optpreview.ErrorProgressStreams(log)}
		if len(t.auto.PolicyPacks) > 0 {
			opts = append(opts, optpreview.PolicyPacks(t.auto.PolicyPacks...), optpreview.PolicyPackConfigs(t.auto.PolicyPackConfigs...))
		}
		res, err := t.stack.Preview(ctx, opts...)
		changes := map[string]int{}
		for k, v := range res.ChangeSummary {
			changes[string(k)] = v
		}
		return changes, err
	case Up:
		opts := []optup.Option{optup.Diff(), optup.Color("never"), optup.ProgressStreams(log), optup.ErrorProgressStreams(log)}
		if t.auto.Message != "" {
			opts = append(opts, optup.Message(t.auto.Message))
		}
		if len(t.auto.PolicyPacks) > 0 {
			opts = append(opts, optup.PolicyPacks(t.auto.PolicyPacks...), optup.PolicyPackConfigs(t.auto.PolicyPackConfigs...))
		}
		res, err := t.stack.Up(ctx, opts...)
		return summaryOf(res.Summary.ResourceChanges), err
	case Refresh:
		res, err := t.stack.Refresh(ctx, optrefresh.Color("never"), optrefresh.ProgressStreams(log), optrefresh.ErrorProgressStreams(log))
		return summaryOf(res.Summary.ResourceChanges), err
	}
	return nil, fmt.Errorf("unknown operation %q", op)
}

// Updates reads the stack's history, newest first.
func (t *autoTarget) Updates(ctx context.Context, n int) ([]auto.UpdateSummary, error) {
	updates, err := t.stack.History(ctx, n, 1, opthistory.ShowSecrets(false))
	if err != nil {
		return nil, fmt.Errorf("%s: history: %w", t.stack.Name(), err)
	}
	// The CLI lists the newest first; the file backend numbers no
	// versions (all 0), which the stable sort leaves in that order.
	slices.SortStableFunc(updates, func(a, b auto.UpdateSummary) int { return b.Version - a.Version })
	return updates, nil
}

func summaryOf(changes *map[string]int) map[string]int {
	if changes == nil {
		return map[string]int{}
	}
	return *changes
}

// gracefulCLI runs the Pulumi CLI for the Automation API. Unlike the
// Automation API's own runner, which kills the CLI 10 seconds after an
// interrupt, it gives the engine Grace to finish the operations it started,
// so an interrupted run leaves a consistent state without pending
// operations. The CLI runs in its own process group, so that a terminal's
// Ctrl-C reaches it once, through the runner, and not twice (a second
// interrupt makes the CLI exit at once).
type gracefulCLI struct {
	path    string
	version semver.Version
	grace   time.Duration
}

var _ auto.PulumiCommand = (*gracefulCLI)(nil)

func newGracefulCLI(path string, grace time.Duration) (*gracefulCLI, error) {
	if path == "" {
		path = "pulumi"
	}
	if grace <= 0 {
		grace = DefaultGrace
	}
	out, err := exec.Command(path, "version").Output()
	if err != nil {
		return nil, fmt.Errorf("running %s version: %w", path, err)
	}
	v, err := semver.ParseTolerant(strings.TrimSpace(string(out)))
	if err != nil {
		return nil, fmt.Errorf("%s version %q: %w", path, strings.TrimSpace(string(out)), err)
	}
	return &gracefulCLI{path: path, version: v, grace: grace}, nil
}

func (c *gracefulCLI) Version() semver.Version { return c.version }

func (c *gracefulCLI) Run(ctx context.Context, workdir string, stdin io.Reader, additionalOutput, additionalErrorOutput []io.Writer,
	additionalEnv []string, args ...string,
) (string, string, int, error) {
	if !strings.Contains(strings.Join(args, " "), "--non-interactive") {
		args = append(args, "--non-interactive")
	}
	cmd := exec.CommandContext(ctx, c.path, args...)
	cmd.Dir = workdir
	cmd.Env = append(append(os.Environ(), additionalEnv...), "PULUMI_AUTOMATION_API=true")
	if filepath.IsAbs(c.path) {
		// Plugins bundled with the CLI are found next to it.
		cmd.Env = append(cmd.Env, "PATH="+filepath.Dir(c.path)+string(os.PathListSeparator)+os.Getenv("PATH"))
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout = io.MultiWriter(append(additionalOutput, &stdout)...)
	cmd.Stderr = io.MultiWriter(append(additionalErrorOutput, &stderr)...)
	cmd.Stdin = stdin
	ownProcessGroup(cmd)
	cmd.Cancel = func() error { return interrupt(cmd.Process) }
	cmd.WaitDelay = c.grace
	err := cmd.Run()
	code := -2
	if exitErr, ok := err.(*exec.ExitError); ok {
		code = exitErr.ExitCode()
	} else if err == nil {
		code = 0
	}
	return stdout.String(), stderr.String(), code, err
}
