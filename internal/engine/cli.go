package engine

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/blang/semver"
	"github.com/pulumi/pulumi/sdk/v3/go/auto"
)

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

// newGracefulCLI asks the CLI at path its version, with env (the
// environment every run of it gets: a rehearsal's private PULUMI_HOME).
func newGracefulCLI(path string, grace time.Duration, env map[string]string) (*gracefulCLI, error) {
	if path == "" {
		path = "pulumi"
	}
	if grace <= 0 {
		grace = DefaultGrace
	}
	version := exec.Command(path, "version")
	version.Env = append(os.Environ(), envList(env)...)
	out, err := version.Output()
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
