package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
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

// SessionOptions configure a Session.
type SessionOptions struct {
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

// Session is one throwaway backend and one stand-in cloud. Its stacks are
// opened by an Auto, as the release's are, so every preview and up of a
// rehearsal runs the release's workspace code.
type Session struct {
	opts SessionOptions
	dir  string
	// auto opens the session's stacks as the release opens its own, with
	// the session's CLI, backend, stand-ins and policy pack.
	auto     *Auto
	provider *azurestandin.Provider
	server   *standin.Server
	kube     *kubestandin.Provider
	kubeSrv  *standin.Server
}

// NewSession starts the stand-in and prepares an empty file backend in a
// temporary directory. Close removes it.
func NewSession(opts SessionOptions) (*Session, error) {
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
	s := &Session{opts: opts, provider: provider, server: server, kube: kube, kubeSrv: kubeSrv}
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
	s.auto = &Auto{
		ProjectRoot: opts.ProjectRoot, WorkRoot: filepath.Join(dir, "work"), Program: opts.Program,
		CLI: s.CLIPath(), Env: s.env(), CreateStacks: true,
	}
	if _, err := s.auto.command(); err != nil {
		_ = s.Close()
		return nil, fmt.Errorf("rehearse: %w", err)
	}
	if opts.PolicyPack {
		pack := filepath.Join(dir, "fhir-dr-policy")
		build := exec.Command("go", "build", "-o", pack, "./policy")
		build.Dir = opts.ProjectRoot
		if out, err := build.CombinedOutput(); err != nil {
			_ = s.Close()
			return nil, fmt.Errorf("rehearse: building the policy pack: %w\n%s", err, out)
		}
		s.auto.PolicyPacks = []string{pack}
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

// Opener opens the customers' stacks from their stack files under
// ProjectRoot in this session, through the very Auto the release runs
// (with the session's backend, stand-ins and policy pack, creating
// stacks): Run over it rehearses a release.
func (s *Session) Opener() Opener { return s.auto }

// Stack is one customer's stack in the session.
type Stack struct {
	session *Session
	ws      *workspace
}

// Stack creates (or selects) the customer's stack, with the stack file
// content config as its configuration.
func (s *Session) Stack(ctx context.Context, customer string, config []byte) (*Stack, error) {
	return s.StackWith(ctx, customer, config, s.opts.Program)
}

// StackWith is Stack with another program than the session's, such as one
// that breaks a rule on purpose.
func (s *Session) StackWith(ctx context.Context, customer string, config []byte, program pulumi.RunFunc) (*Stack, error) {
	w, err := s.auto.workspace(ctx, customer, config, program)
	if err != nil {
		return nil, fmt.Errorf("rehearse %w", err)
	}
	return &Stack{session: s, ws: w}, nil
}

// Name is the stack's name.
func (st *Stack) Name() string { return st.ws.customer }

// SetConfig replaces the stack's configuration with the stack file content
// config, keeping the encryption salt the backend wrote for the stack.
func (st *Stack) SetConfig(config []byte) error {
	if err := st.ws.setConfig(config); err != nil {
		return fmt.Errorf("rehearse %w", err)
	}
	return nil
}

// run performs op as the release does (Target.Run), with the caller's
// extra options, printing the engine's output to the session's output.
func (st *Stack) run(ctx context.Context, op Operation, x extraOptions) (Outcome, error) {
	out, err := st.ws.run(ctx, op, st.session.opts.Out, x)
	if err != nil {
		return out, fmt.Errorf("rehearse %s: %s: %w", st.ws.customer, op, err)
	}
	return out, nil
}

// Preview runs `pulumi preview --diff`, printing the engine's diff to the
// session's output. Extra options come after the defaults.
func (st *Stack) Preview(ctx context.Context, extra ...optpreview.Option) (Outcome, error) {
	return st.run(ctx, Preview, extraOptions{preview: extra})
}

// Up runs `pulumi up --diff`. Extra options come after the defaults.
func (st *Stack) Up(ctx context.Context, extra ...optup.Option) (Outcome, error) {
	return st.run(ctx, Up, extraOptions{up: extra})
}

// Refresh runs `pulumi refresh`: the state takes what the (stand-in)
// cloud holds, as after a change made outside Pulumi.
func (st *Stack) Refresh(ctx context.Context) (Outcome, error) {
	return st.run(ctx, Refresh, extraOptions{})
}

// UnprotectAll runs `pulumi state unprotect --all`: the first step of
// offboarding a customer, after which destroy leaves the retained
// resources in Azure and removes only what DR added.
func (st *Stack) UnprotectAll(ctx context.Context) error {
	if err := st.ws.cliRun(ctx, st.ws.dir, st.session.opts.Out,
		"state", "unprotect", "--all", "--yes", "--stack", st.ws.customer); err != nil {
		return fmt.Errorf("rehearse %s: state unprotect: %w", st.ws.customer, err)
	}
	return nil
}

// Destroy runs `pulumi destroy`.
func (st *Stack) Destroy(ctx context.Context) (Outcome, error) {
	return st.run(ctx, destroy, extraOptions{})
}

// Export returns the stack's state.
func (st *Stack) Export(ctx context.Context) (apitype.UntypedDeployment, error) {
	return st.ws.stack.Export(ctx)
}
