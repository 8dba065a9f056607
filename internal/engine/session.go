// Package rehearse runs fhir-dr through the real Pulumi engine, offline: the
// Pulumi CLI built from the Go module proxy (make pulumi-cli), a throwaway
// local file backend, and the azure-native stand-in provider
// (internal/azurestandin) in place of Azure. It shows what the engine does
// with a change (config loading from stacks/, state, diffs, protect,
// replacements, dependency order) before anyone runs it against Azure.
//
// A Session is one backend and one stand-in cloud; its stacks run the
// current program inline through the Automation API, or an earlier
// revision's program (DeployRevision) to set up the state a change starts
// from.
package rehearse

import (
	"context"
	"errors"
	"fmt"
	"github.com/fhir-dr/fhir-dr/stackfile"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"

	"github.com/blang/semver"
	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optrefresh"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/fhir-dr/fhir-dr/internal/azurestandin"
	"github.com/fhir-dr/fhir-dr/internal/kubestandin"
	"github.com/fhir-dr/fhir-dr/internal/standin"
)

// CLIVersion is the Pulumi CLI the rehearsal runs: the version of the SDK in
// go.mod, built by `make pulumi-cli` from tools/pulumi-cli.
const CLIVersion = "3.274.1"

// CLIRoot returns the directory `make pulumi-cli` installs the CLI under
// (the CLI is CLIRoot/bin/pulumi), below the project root.
func CLIRoot(projectRoot string) string {
	return filepath.Join(projectRoot, ".bin", "pulumi-v"+CLIVersion)
}

// passphrase encrypts the secrets of throwaway rehearsal state; it protects
// nothing and is not a secret.
const passphrase = "fhir-dr-rehearsal"

// Options configure a Session.
type Options struct {
	// ProjectRoot is the directory holding Pulumi.yaml and stacks/.
	// Required.
	ProjectRoot string
	// CLIRoot is the directory whose bin/pulumi is the CLI. Optional;
	// defaults to CLIRoot(ProjectRoot).
	CLIRoot string
	// Program is the current program. Required.
	Program pulumi.RunFunc
	// Out receives the engine's output. Optional; defaults to io.Discard.
	Out io.Writer
	// PolicyPack, when true, builds the policy pack (./policy) of
	// ProjectRoot and runs every preview and up with it, as the release
	// pipeline does. Optional; defaults to false.
	PolicyPack bool
}

// Session is one throwaway backend and one stand-in cloud.
type Session struct {
	opts     Options
	dir      string
	cli      auto.PulumiCommand
	provider *azurestandin.Provider
	server   *standin.Server
	kube     *kubestandin.Provider
	kubeSrv  *standin.Server
	// policyPack is the built policy pack binary, "" without one.
	policyPack string
}

// NewSession starts the stand-in and prepares an empty file backend in a
// temporary directory. Close removes it.
func NewSession(opts Options) (*Session, error) {
	if opts.ProjectRoot == "" || opts.Program == nil {
		return nil, errors.New("rehearse: ProjectRoot and Program are required")
	}
	if opts.CLIRoot == "" {
		opts.CLIRoot = CLIRoot(opts.ProjectRoot)
	}
	if opts.Out == nil {
		opts.Out = io.Discard
	}
	if _, err := os.Stat(filepath.Join(opts.CLIRoot, "bin", "pulumi")); err != nil {
		return nil, fmt.Errorf("rehearse: no Pulumi CLI at %s (run `make pulumi-cli`): %w", opts.CLIRoot, err)
	}
	cli, err := auto.NewPulumiCommand(&auto.PulumiCommandOptions{
		Root: opts.CLIRoot, Version: semver.MustParse(CLIVersion),
	})
	if err != nil {
		return nil, fmt.Errorf("rehearse: %w", err)
	}
	provider, err := azurestandin.New()
	if err != nil {
		return nil, err
	}
	server, err := provider.Serve()
	if err != nil {
		return nil, err
	}
	kube := kubestandin.New()
	kubeSrv, err := kube.Serve()
	if err != nil {
		_ = server.Close()
		return nil, err
	}
	s := &Session{opts: opts, cli: cli, provider: provider, server: server, kube: kube, kubeSrv: kubeSrv}
	dir, err := os.MkdirTemp("", "fhir-dr-rehearsal-")
	if err != nil {
		_ = s.Close()
		return nil, fmt.Errorf("rehearse: %w", err)
	}
	s.dir = dir
	for _, sub := range []string{"state", "home", "work"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			_ = s.Close()
			return nil, fmt.Errorf("rehearse: %w", err)
		}
	}
	if opts.PolicyPack {
		s.policyPack = filepath.Join(dir, "fhir-dr-policy")
		build := exec.Command("go", "build", "-o", s.policyPack, "./policy")
		build.Dir = opts.ProjectRoot
		if out, err := build.CombinedOutput(); err != nil {
			_ = s.Close()
			return nil, fmt.Errorf("rehearse: building the policy pack: %w\n%s", err, out)
		}
	}
	return s, nil
}

// Provider is the stand-in: its Ops and Cloud show what the engine did.
func (s *Session) Provider() *azurestandin.Provider { return s.provider }

// Kubernetes is the kubernetes stand-in: what the clusters hold.
func (s *Session) Kubernetes() *kubestandin.Provider { return s.kube }

// Close stops the stand-ins and removes the backend.
func (s *Session) Close() error {
	err := errors.Join(s.server.Close(), s.kubeSrv.Close())
	if s.dir != "" {
		err = errors.Join(err, os.RemoveAll(s.dir))
	}
	return err
}

// Env is the environment a Pulumi CLI needs to run against this session's
// backend and stand-in, for tools that drive the CLI themselves.
func (s *Session) Env() map[string]string { return s.env() }

// CLIPath is the Pulumi CLI the session runs.
func (s *Session) CLIPath() string { return filepath.Join(s.opts.CLIRoot, "bin", "pulumi") }

// envList is env as KEY=value entries, sorted, for running the CLI
// directly.
func (s *Session) envList() []string {
	env := s.env()
	list := make([]string, 0, len(env))
	for _, k := range slices.Sorted(maps.Keys(env)) {
		list = append(list, k+"="+env[k])
	}
	return list
}

// env is the environment of every CLI run: the throwaway backend, a private
// PULUMI_HOME so no login, plugin or credential of the machine is used, the
// stand-in in place of the azure-native plugin, and no plugin downloads.
func (s *Session) env() map[string]string {
	return map[string]string{
		"PULUMI_BACKEND_URL":                          "file://" + filepath.Join(s.dir, "state"),
		"PULUMI_HOME":                                 filepath.Join(s.dir, "home"),
		"PULUMI_CONFIG_PASSPHRASE":                    passphrase,
		"PULUMI_DEBUG_PROVIDERS":                      standin.DebugProviders(s.server, s.kubeSrv),
		"PULUMI_SKIP_UPDATE_CHECK":                    "true",
		"PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
		"PULUMI_SKIP_CONFIRMATIONS":                   "true",
	}
}

// Stack is one customer's stack in the session.
type Stack struct {
	session *Session
	name    string
	dir     string
	stack   auto.Stack
}

// Stack creates (or selects) the customer's stack, with the stack file
// content config as its configuration.
func (s *Session) Stack(ctx context.Context, customer string, config []byte) (*Stack, error) {
	return s.StackWith(ctx, customer, config, s.opts.Program)
}

// StackWith is Stack with another program than the session's, such as one
// that breaks a rule on purpose.
func (s *Session) StackWith(ctx context.Context, customer string, config []byte, program pulumi.RunFunc) (*Stack, error) {
	dir := filepath.Join(s.dir, "work", customer)
	if err := os.MkdirAll(filepath.Join(dir, stackfile.Dir), 0o755); err != nil {
		return nil, fmt.Errorf("rehearse: %w", err)
	}
	project, err := os.ReadFile(filepath.Join(s.opts.ProjectRoot, "Pulumi.yaml"))
	if err != nil {
		return nil, fmt.Errorf("rehearse: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "Pulumi.yaml"), project, 0o644); err != nil {
		return nil, fmt.Errorf("rehearse: %w", err)
	}
	st := &Stack{session: s, name: customer, dir: dir}
	if err := st.SetConfig(config); err != nil {
		return nil, err
	}
	ws, err := auto.NewLocalWorkspace(ctx,
		auto.WorkDir(dir), auto.Program(program), auto.Pulumi(s.cli), auto.EnvVars(s.env()))
	if err != nil {
		return nil, fmt.Errorf("rehearse %s: workspace: %w", customer, err)
	}
	// The Automation API ignores stackConfigDir (pulumi/pulumi#10305); the
	// CLI it runs does not, and reads stacks/Pulumi.<customer>.yaml here.
	if st.stack, err = auto.UpsertStack(ctx, customer, ws); err != nil {
		return nil, fmt.Errorf("rehearse %s: stack: %w", customer, err)
	}
	return st, nil
}

// Name is the stack's name.
func (st *Stack) Name() string { return st.name }

// configPath is where the CLI reads the stack's configuration.
func (st *Stack) configPath() string {
	return filepath.Join(st.dir, stackfile.Path(st.name))
}

var saltLine = regexp.MustCompile(`(?m)^encryptionsalt: .*$`)

// withSalt returns config with the encryption salt the backend wrote into
// the stack's current configuration, unless config has one: the stack's
// secrets are encrypted with it.
func (st *Stack) withSalt(config []byte) []byte {
	current, err := os.ReadFile(st.configPath())
	if err != nil {
		return config
	}
	if salt := saltLine.Find(current); salt != nil && !saltLine.Match(config) {
		return append(append(append([]byte{}, salt...), '\n'), config...)
	}
	return config
}

// SetConfig replaces the stack's configuration with the stack file content
// config, keeping the encryption salt the backend wrote for the stack.
func (st *Stack) SetConfig(config []byte) error {
	if err := os.WriteFile(st.configPath(), st.withSalt(config), 0o644); err != nil {
		return fmt.Errorf("rehearse %s: %w", st.name, err)
	}
	return nil
}

// Preview runs `pulumi preview --diff`, printing the engine's diff to the
// session's output. Extra options come after the defaults.
func (st *Stack) Preview(ctx context.Context, extra ...optpreview.Option) (Result, error) {
	out, c := st.session.opts.Out, newCollector()
	opts := []optpreview.Option{optpreview.Diff(), optpreview.Color("never"),
		optpreview.ProgressStreams(out), optpreview.ErrorProgressStreams(out), optpreview.EventStreams(c.events)}
	if pack := st.session.policyPack; pack != "" {
		opts = append(opts, optpreview.PolicyPacks(pack))
	}
	res, err := st.stack.Preview(ctx, append(opts, extra...)...)
	if err != nil {
		return c.result(nil), fmt.Errorf("rehearse %s: preview: %w", st.name, err)
	}
	summary := map[string]int{}
	for op, n := range res.ChangeSummary {
		summary[string(op)] = n
	}
	return c.result(summary), nil
}

// Up runs `pulumi up --diff`.
func (st *Stack) Up(ctx context.Context, extra ...optup.Option) (Result, error) {
	out, c := st.session.opts.Out, newCollector()
	opts := []optup.Option{optup.Diff(), optup.Color("never"),
		optup.ProgressStreams(out), optup.ErrorProgressStreams(out), optup.EventStreams(c.events)}
	if pack := st.session.policyPack; pack != "" {
		opts = append(opts, optup.PolicyPacks(pack))
	}
	res, err := st.stack.Up(ctx, append(opts, extra...)...)
	if err != nil {
		return c.result(nil), fmt.Errorf("rehearse %s: up: %w", st.name, err)
	}
	return c.result(derefSummary(res.Summary.ResourceChanges)), nil
}

// Refresh runs `pulumi refresh`: the state takes what the (stand-in)
// cloud holds, as after a change made outside Pulumi.
func (st *Stack) Refresh(ctx context.Context) (Result, error) {
	out, c := st.session.opts.Out, newCollector()
	res, err := st.stack.Refresh(ctx, optrefresh.Color("never"), optrefresh.ProgressStreams(out),
		optrefresh.ErrorProgressStreams(out), optrefresh.EventStreams(c.events))
	if err != nil {
		return c.result(nil), fmt.Errorf("rehearse %s: refresh: %w", st.name, err)
	}
	return c.result(derefSummary(res.Summary.ResourceChanges)), nil
}

// UnprotectAll runs `pulumi state unprotect --all`: the first step of
// offboarding a customer, after which destroy leaves the retained
// resources in Azure and removes only what DR added.
func (st *Stack) UnprotectAll(ctx context.Context) error {
	out := st.session.opts.Out
	if _, _, code, err := st.session.cli.Run(ctx, st.dir, nil, []io.Writer{out}, []io.Writer{out}, st.session.envList(),
		"state", "unprotect", "--all", "--yes", "--stack", st.name); err != nil || code != 0 {
		return fmt.Errorf("rehearse %s: state unprotect: exit %d: %w", st.name, code, err)
	}
	return nil
}

// Destroy runs `pulumi destroy`.
func (st *Stack) Destroy(ctx context.Context) (Result, error) {
	out, c := st.session.opts.Out, newCollector()
	res, err := st.stack.Destroy(ctx, optdestroy.Color("never"),
		optdestroy.ProgressStreams(out), optdestroy.ErrorProgressStreams(out), optdestroy.EventStreams(c.events))
	if err != nil {
		return c.result(nil), fmt.Errorf("rehearse %s: destroy: %w", st.name, err)
	}
	return c.result(derefSummary(res.Summary.ResourceChanges)), nil
}

func derefSummary(changes *map[string]int) map[string]int {
	if changes == nil {
		return nil
	}
	return *changes
}

// Export returns the stack's state.
func (st *Stack) Export(ctx context.Context) (apitype.UntypedDeployment, error) {
	return st.stack.Export(ctx)
}
