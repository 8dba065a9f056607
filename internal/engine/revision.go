package engine

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/fhir-dr/fhir-dr/stackfile"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"

	"github.com/fhir-dr/fhir-dr/internal/gitexec"
)

// ErrNotAtRevision is returned by DeployRevision when the revision has no
// stack file for the customer: nothing was deployed for it then.
var ErrNotAtRevision = errors.New("the customer has no stack file at that revision")

// DeployRevision deploys st as it was at the git revision ref: that
// revision's own program, Pulumi.yaml and stack file, built with `go build`
// and run by the real engine, so that a change can then be previewed
// against the state it would meet. It returns the full commit hash.
func (s *Session) DeployRevision(ctx context.Context, st *Stack, ref string) (string, error) {
	commit, err := gitexec.Commit(ctx, s.opts.ProjectRoot, ref)
	if err != nil {
		return "", fmt.Errorf("rehearse: %w", err)
	}
	dir := filepath.Join(s.dir, "revisions", commit)
	binary := dir + ".program"
	_, statErr := os.Stat(binary)
	built := statErr == nil // the session deployed this revision before
	if !built {
		if err := extract(ctx, s.opts.ProjectRoot, commit, dir); err != nil {
			return commit, err
		}
	}
	stackFile := filepath.Join(dir, stackfile.Path(st.ws.customer))
	config, err := os.ReadFile(stackFile)
	if errors.Is(err, os.ErrNotExist) {
		return commit, ErrNotAtRevision
	} else if err != nil {
		return commit, fmt.Errorf("rehearse: %w", err)
	}
	if err := os.WriteFile(stackFile, st.ws.withSalt(config), 0o644); err != nil {
		return commit, fmt.Errorf("rehearse: %w", err)
	}

	if !built {
		build := exec.CommandContext(ctx, "go", "build", "-o", binary, ".")
		build.Dir = dir
		build.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=readonly")
		if out, err := build.CombinedOutput(); err != nil {
			return commit, fmt.Errorf("rehearse: building the program at %s: %w\n%s", commit[:12], err, out)
		}
	}

	host, err := startBinaryHost(binary, dir, s.opts.Out)
	if err != nil {
		return commit, err
	}
	defer host.close()
	if err := st.ws.cliRun(ctx, dir, s.opts.Out,
		"up", "--yes", "--skip-preview", "--diff", "--color=never", "--non-interactive",
		"--stack", st.ws.customer, "--client="+host.address, "--exec-kind=auto.inline"); err != nil {
		return commit, fmt.Errorf("rehearse %s: up at %s failed: %w", st.ws.customer, commit[:12], err)
	}
	return commit, nil
}

func git(ctx context.Context, dir string, args ...string) (string, error) {
	return gitexec.Output(ctx, dir, args...)
}

// extract writes the tree of commit into dir.
func extract(ctx context.Context, root, commit, dir string) error {
	cmd := exec.CommandContext(ctx, "git", "archive", "--format=tar", commit)
	cmd.Dir = root
	archive, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("rehearse: git archive %s: %w", commit, err)
	}
	r := tar.NewReader(bytes.NewReader(archive))
	for {
		h, err := r.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("rehearse: reading the archive of %s: %w", commit, err)
		}
		target := filepath.Join(dir, filepath.FromSlash(h.Name))
		if !strings.HasPrefix(target, filepath.Clean(dir)+string(os.PathSeparator)) {
			return fmt.Errorf("rehearse: archive entry %q leaves the tree", h.Name)
		}
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(target, 0o755); err != nil {
				return fmt.Errorf("rehearse: %w", err)
			}
		case tar.TypeReg:
			if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
				return fmt.Errorf("rehearse: %w", err)
			}
			b, err := io.ReadAll(r)
			if err != nil {
				return fmt.Errorf("rehearse: %w", err)
			}
			if err := os.WriteFile(target, b, os.FileMode(h.Mode)&0o777); err != nil {
				return fmt.Errorf("rehearse: %w", err)
			}
		}
	}
}

// binaryHost is a minimal Go language host for a program that is already
// built: the engine calls Run, and it starts the binary with the
// environment pulumi.Run reads, as pulumi-language-go does after `go build`.
// The real language host is not served by the module proxy.
type binaryHost struct {
	pulumirpc.UnimplementedLanguageRuntimeServer
	binary, dir string
	out         io.Writer
	address     string
	cancel      chan bool
	done        <-chan error
}

func startBinaryHost(binary, dir string, out io.Writer) (*binaryHost, error) {
	h := &binaryHost{binary: binary, dir: dir, out: out, cancel: make(chan bool)}
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: h.cancel,
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, h)
			return nil
		},
	})
	if err != nil {
		return nil, fmt.Errorf("rehearse: language host: %w", err)
	}
	h.address, h.done = fmt.Sprintf("127.0.0.1:%d", handle.Port), handle.Done
	return h, nil
}

func (h *binaryHost) close() {
	close(h.cancel)
	<-h.done
}

// GetRequiredPlugins reports none: the program's providers are attached.
func (h *binaryHost) GetRequiredPlugins(context.Context, *pulumirpc.GetRequiredPluginsRequest) (*pulumirpc.GetRequiredPluginsResponse, error) {
	return &pulumirpc.GetRequiredPluginsResponse{}, nil
}

// GetPluginInfo reports the host's version.
func (h *binaryHost) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: "1.0.0"}, nil
}

// InstallDependencies has nothing to do: the program is built.
func (h *binaryHost) InstallDependencies(*pulumirpc.InstallDependenciesRequest,
	pulumirpc.LanguageRuntime_InstallDependenciesServer,
) error {
	return nil
}

// Run runs the program binary against the engine's resource monitor.
func (h *binaryHost) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	config, err := json.Marshal(req.GetConfig())
	if err != nil {
		return nil, err
	}
	secretKeys, err := json.Marshal(req.GetConfigSecretKeys())
	if err != nil {
		return nil, err
	}
	engine := ""
	if len(req.GetArgs()) > 0 {
		engine = req.GetArgs()[0] // how the engine passes its address to an attached host
	}
	cmd := exec.CommandContext(ctx, h.binary)
	cmd.Dir = h.dir
	cmd.Stdout, cmd.Stderr = h.out, h.out
	cmd.Env = append(os.Environ(),
		pulumi.EnvProject+"="+req.GetProject(),
		pulumi.EnvStack+"="+req.GetStack(),
		pulumi.EnvOrganization+"="+req.GetOrganization(),
		pulumi.EnvConfig+"="+string(config),
		pulumi.EnvConfigSecretKeys+"="+string(secretKeys),
		pulumi.EnvDryRun+"="+strconv.FormatBool(req.GetDryRun()),
		pulumi.EnvParallel+"="+strconv.Itoa(int(req.GetParallel())),
		pulumi.EnvMonitor+"="+req.GetMonitorAddress(),
		pulumi.EnvEngine+"="+engine,
	)
	if err := cmd.Run(); err != nil {
		// The program has reported its errors to the engine already.
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("the program at this revision failed: %v", err)}, nil
	}
	return &pulumirpc.RunResponse{}, nil
}
