// Command drctl is the fhir-dr operator tool.
//
// Its commands, by what they reach:
//
//	offline        plan, validate, diff, report, rehearse, changed
//	the release    preview, up, refresh, drift (Pulumi, many stacks at once),
//	               rollout plan|run|gate|status|resume (the release in rings)
//	Azure (ARM)    failover, failback, record
//	git history    audit
//	the tool       version, completion, help
//
// drctl help <command> (or drctl <command> --help) prints a command's
// usage and flags; README.md's "drctl command reference" is generated from
// the same definitions (go generate ./cmd/drctl; a test fails when it is
// stale). Flags may come before or after the arguments. Exit status, the
// same for every command: 0 done (no finding); 1 a finding or a failure,
// which the message names; 2 a usage mistake (an unknown command or flag,
// a missing or conflicting flag, a value out of bounds); failover and
// failback exit 130 when interrupted.
//
// plan renders one customer's stack offline: it loads the stack file the way
// Pulumi does, runs the real fhir-dr program under a mock resource monitor,
// and prints the resources it declares, the stack outputs and the modeled
// recovery objectives, and runs the policy pack's rules (policy/rules)
// in-process. It needs no cloud access and no credentials.
//
// rehearse runs one customer's stack through the real Pulumi engine, offline:
// the CLI built by `make pulumi-cli`, a throwaway local backend, and the
// azure-native stand-in (a test double for Azure) in place of the provider.
//
// failover, failback and record talk to Azure Resource Manager directly
// and plan from the account's state as Azure reports it (docs/runbook.md).
//
// Each command is one file, cmd/drctl/<command>.go, defining
// new<Command>Cmd; the commands are thin over the library packages. run
// builds the command tree anew for each call, so that tests run drctl in
// the process.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// The exit statuses of every command.
const (
	exitOK = 0
	// exitFailed is a finding (an invalid stack, a broken rule, a hazard,
	// a stack that failed) or a failure; the message names it.
	exitFailed = 1
	// exitUsage is a mistake in the command line.
	exitUsage = 2
	// exitInterrupted is a failover or failback stopped by Ctrl-C.
	exitInterrupted = 130
)

// exitStatus is the error of a command that has reported what happened
// itself and exits with this status.
type exitStatus int

func (e exitStatus) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

// exitWith is the error that makes a command exit with code: nil for 0.
func exitWith(code int) error {
	if code == exitOK {
		return nil
	}
	return exitStatus(code)
}

// usageError is a mistake in the command line a command found itself:
// drctl prints it, with where to find the usage (hint, if set), and exits
// 2.
type usageError struct {
	err  error
	hint string
}

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// usagef is a usageError.
func usagef(format string, a ...any) error {
	return usageError{err: fmt.Errorf(format, a...)}
}

// failure is an error a command's action returned without printing it:
// drctl prints it and exits 1.
type failure struct{ err error }

func (e failure) Error() string { return e.err.Error() }
func (e failure) Unwrap() error { return e.err }

// action adapts a command's action for cobra: its errors are told apart
// from cobra's own, which are all usage mistakes found before the action
// runs (unknown commands and flags, bad values, missing or conflicting
// flags, wrong arguments).
func action(f func(cmd *cobra.Command, args []string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		err := f(cmd, args)
		var code exitStatus
		var usage usageError
		switch {
		case err == nil, errors.As(err, &code), errors.As(err, &usage):
			return err
		}
		return failure{err}
	}
}

// run executes a drctl command line and returns the process exit status.
// It builds the command tree for each call and prints every error itself,
// so that the output is the same in tests as on a terminal.
func run(args []string, stdout, stderr io.Writer) int {
	root := newRootCmd()
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetIn(stdin)
	if len(args) == 0 {
		// No command: the overview, as a usage mistake.
		root.SetOut(stderr)
		_ = root.Help()
		return exitUsage
	}
	root.SetArgs(args)
	cmd, err := root.ExecuteC()
	return exitCode(cmd, err, stderr)
}

// exitCode prints err, if the command has not, and returns the exit
// status it means.
func exitCode(cmd *cobra.Command, err error, stderr io.Writer) int {
	var code exitStatus
	var fail failure
	var usage usageError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &code):
		return int(code)
	case errors.As(err, &fail):
		fmt.Fprintf(stderr, "%s: %v\n", cmd.CommandPath(), fail.err)
		return exitFailed
	case errors.As(err, &usage):
		fmt.Fprintf(stderr, "%s: %v\n", cmd.CommandPath(), usage.err)
		if usage.hint != "" {
			fmt.Fprintln(stderr, usage.hint)
			return exitUsage
		}
	default: // cobra's: a usage mistake
		fmt.Fprintf(stderr, "%s: %v\n", cmd.CommandPath(), err)
	}
	fmt.Fprintf(stderr, "Run '%s --help' for usage.\n", cmd.CommandPath())
	return exitUsage
}
