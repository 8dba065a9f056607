package engine

import (
	"context"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optrefresh"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/fhir-dr/fhir-dr/stackfile"
)

// workspace is one customer's Automation API workspace with its stack
// selected: the one place where the release (Auto.Open) and the rehearsal
// (Session.Stack) prepare a workspace and run the engine's operations, so
// that a rehearsal runs what the release runs.
type workspace struct {
	customer string
	// dir holds Pulumi.yaml and stacks/Pulumi.<customer>.yaml.
	dir               string
	cli               auto.PulumiCommand
	env               map[string]string
	policyPacks       []string
	policyPackConfigs []string
	stack             auto.Stack
}

// workspace prepares the customer's workspace under a.WorkRoot, with the
// project's Pulumi.yaml and config as its stacks/Pulumi.<customer>.yaml,
// and selects the customer's stack (creating it when a.CreateStacks) to
// run program. The Automation API ignores stackConfigDir
// (pulumi/pulumi#10305) but the CLI it runs honours it; a directory per
// stack makes parallel runs safe (pulumi/pulumi#8186) without writing to
// the checkout.
func (a *Auto) workspace(ctx context.Context, customer string, config []byte, program pulumi.RunFunc) (*workspace, error) {
	cli, err := a.command()
	if err != nil {
		return nil, err
	}
	w := &workspace{
		customer: customer, dir: filepath.Join(a.WorkRoot, customer), cli: cli, env: a.Env,
		policyPacks: a.PolicyPacks, policyPackConfigs: a.PolicyPackConfigs,
	}
	if err := os.MkdirAll(filepath.Join(w.dir, stackfile.Dir), 0o755); err != nil {
		return nil, fmt.Errorf("%s: workspace: %w", customer, err)
	}
	project, err := os.ReadFile(filepath.Join(a.ProjectRoot, "Pulumi.yaml"))
	if err != nil {
		return nil, fmt.Errorf("%s: workspace: %w", customer, err)
	}
	if err := os.WriteFile(filepath.Join(w.dir, "Pulumi.yaml"), project, 0o644); err != nil {
		return nil, fmt.Errorf("%s: workspace: %w", customer, err)
	}
	if err := w.setConfig(config); err != nil {
		return nil, err
	}
	ws, err := auto.NewLocalWorkspace(ctx, auto.WorkDir(w.dir), auto.Program(program), auto.Pulumi(cli), auto.EnvVars(a.Env))
	if err != nil {
		return nil, fmt.Errorf("%s: workspace: %w", customer, err)
	}
	if a.CreateStacks {
		w.stack, err = auto.UpsertStack(ctx, customer, ws)
	} else {
		w.stack, err = auto.SelectStack(ctx, customer, ws)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: stack: %w", customer, err)
	}
	return w, nil
}

// configPath is where the CLI reads the stack's configuration.
func (w *workspace) configPath() string {
	return filepath.Join(w.dir, stackfile.Path(w.customer))
}

var saltLine = regexp.MustCompile(`(?m)^encryptionsalt: .*$`)

// withSalt returns config with the encryption salt the backend wrote into
// the stack's current configuration, unless config has one: the stack's
// secrets are encrypted with it, and a stack file from the checkout has
// none.
func (w *workspace) withSalt(config []byte) []byte {
	current, err := os.ReadFile(w.configPath())
	if err != nil {
		return config
	}
	if salt := saltLine.Find(current); salt != nil && !saltLine.Match(config) {
		return append(append(append([]byte{}, salt...), '\n'), config...)
	}
	return config
}

// setConfig replaces the stack's configuration with the stack file content
// config, keeping the encryption salt the backend wrote for the stack.
func (w *workspace) setConfig(config []byte) error {
	if err := os.WriteFile(w.configPath(), w.withSalt(config), 0o644); err != nil {
		return fmt.Errorf("%s: workspace: %w", w.customer, err)
	}
	return nil
}

// extraOptions are a caller's own options for one operation, applied after the
// workspace's.
type extraOptions struct {
	preview []optpreview.Option
	up      []optup.Option
}

// run performs op with the engine's diff, no colour, the engine's output to
// log and the policy packs of the workspace, and returns the engine's steps
// and summary. On failure the outcome holds what the engine reported before
// it failed.
func (w *workspace) run(ctx context.Context, op Operation, log io.Writer, x extraOptions) (Outcome, error) {
	switch op {
	case Preview, Up, Refresh, destroy:
	default:
		return Outcome{}, unknownOperation(op)
	}
	c := newCollector()
	var summary *map[string]int
	var err error
	switch op {
	case Preview:
		opts := []optpreview.Option{optpreview.Diff(), optpreview.Color("never"),
			optpreview.ProgressStreams(log), optpreview.ErrorProgressStreams(log), optpreview.EventStreams(c.events)}
		if len(w.policyPacks) > 0 {
			opts = append(opts, optpreview.PolicyPacks(w.policyPacks...), optpreview.PolicyPackConfigs(w.policyPackConfigs...))
		}
		var res auto.PreviewResult
		res, err = w.stack.Preview(ctx, append(opts, x.preview...)...)
		counts := map[string]int{}
		for k, v := range res.ChangeSummary {
			counts[string(k)] = v
		}
		summary = &counts
	case Up:
		opts := []optup.Option{optup.Diff(), optup.Color("never"),
			optup.ProgressStreams(log), optup.ErrorProgressStreams(log), optup.EventStreams(c.events)}
		if len(w.policyPacks) > 0 {
			opts = append(opts, optup.PolicyPacks(w.policyPacks...), optup.PolicyPackConfigs(w.policyPackConfigs...))
		}
		var res auto.UpResult
		res, err = w.stack.Up(ctx, append(opts, x.up...)...)
		summary = res.Summary.ResourceChanges
	case Refresh:
		var res auto.RefreshResult
		res, err = w.stack.Refresh(ctx, optrefresh.Color("never"), optrefresh.ProgressStreams(log),
			optrefresh.ErrorProgressStreams(log), optrefresh.EventStreams(c.events))
		summary = res.Summary.ResourceChanges
	case destroy:
		var res auto.DestroyResult
		res, err = w.stack.Destroy(ctx, optdestroy.Color("never"), optdestroy.ProgressStreams(log),
			optdestroy.ErrorProgressStreams(log), optdestroy.EventStreams(c.events))
		summary = res.Summary.ResourceChanges
	}
	return c.result(summary, err != nil), err
}

func unknownOperation(op Operation) error { return fmt.Errorf("unknown operation %q", op) }

// cliRun runs the CLI with args in dir with the workspace's environment,
// for what the Automation API has no call for.
func (w *workspace) cliRun(ctx context.Context, dir string, log io.Writer, args ...string) error {
	_, _, code, err := w.cli.Run(ctx, dir, nil, []io.Writer{log}, []io.Writer{log}, envList(w.env), args...)
	if err == nil && code != 0 {
		err = fmt.Errorf("exit status %d", code)
	}
	return err
}

// envList is env as KEY=value entries, sorted, for running the CLI
// directly.
func envList(env map[string]string) []string {
	list := make([]string, 0, len(env))
	for _, k := range slices.Sorted(maps.Keys(env)) {
		list = append(list, k+"="+env[k])
	}
	return list
}
