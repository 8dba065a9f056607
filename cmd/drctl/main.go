// Command drctl is the fhir-dr operator tool.
//
// Usage:
//
//	drctl plan --stack <customer> [--json | --mermaid] [--policy-config <file>]
//	drctl plan --stack-file <path> [--json | --mermaid] [--policy-config <file>]
//	drctl rehearse --stack <customer> [--from <git-revision>]
//	drctl validate [--parallel N] [--policy-config <file>] [customer ...]
//	drctl diff --base <git-revision> [--json] [--engine-log <file>] [--parallel N]
//	drctl report [--format table|csv|json] [customer ...]
//	drctl preview|up|refresh --stacks a,b | --changed-since <git-revision> [--parallel N] [--policy-pack <binary>]
//	drctl changed --base <git-revision>
//	drctl failover <customer> --ticket <id> [--forced [--accept-data-loss] [--yes] | --drill] [--dry-run] [azure flags]
//	drctl failback <customer> --ticket <id> [--online] [--dry-run] [azure flags]
//	drctl record <customer> --ticket <id> [azure flags]
//	drctl record <customer> --verify [--before-release] [azure flags]
//	drctl audit [--json] [customer ...]
//
// The azure flags of failover, failback and record: --subscription <id>
// (default $AZURE_SUBSCRIPTION_ID), --cloud AzurePublic|AzureUSGovernment|AzureChina,
// --try-timeout <duration> (30s), --timeout <duration> (failover and
// failback 10m, record 2m), --max-retry-after <duration> (2m), and, for tests
// only, --arm-endpoint http://127.0.0.1:PORT (default $AZURE_ARM_ENDPOINT): a
// loopback stand-in for Resource Manager, to which no credential is sent.
//
// plan renders one customer's stack offline: it loads the stack file the way
// Pulumi does, runs the real fhir-dr program under a mock resource monitor,
// and prints the resources it declares, the stack outputs and the modeled
// recovery objectives, and runs the policy pack's rules (policy/rules)
// in-process. It needs no cloud access and no credentials.
// Invalid configuration, or a mandatory policy rule broken, exits with
// status 1; configuration problems are listed on standard error.
//
// rehearse runs one customer's stack through the real Pulumi engine, offline:
// the CLI built by `make pulumi-cli`, a throwaway local backend, and the
// azure-native stand-in (a test double for Azure) in place of the provider.
// With --from it first deploys the stack as it was at that git revision, with
// that revision's own program, then previews and applies the working tree,
// printing the engine's own diff and a summary, with the policy pack built
// from the working tree. It exits with status 1 when the engine, a stand-in
// check or a policy fails.
package main

import (
	"fmt"
	"io"
	"os"
)

const usage = `drctl: the fhir-dr operator tool

Commands:
  plan       render a customer's stack offline (drctl plan --help)
  rehearse   run a change through the real engine against the azure-native
             stand-in, offline (drctl rehearse --help)
  validate   validate, render and policy-check every stack (or the named
             ones) concurrently; one row per stack (drctl validate --help)
  diff       what a change since a git revision does to each affected stack,
             with hazard checks, as a pull-request comment (drctl diff --help)
  report     the fleet inventory with the estimated monthly cost of DR
             (drctl report --format table|csv|json)
  preview, up, refresh
             the release runner: the Pulumi operation on many stacks at once
             (drctl up --stacks a,b | --changed-since <rev> [--parallel N])
  changed    the stacks a change since a git revision touches, as JSON for a
             CI job matrix (drctl changed --base <rev>)
  failover   move a customer's Cosmos DB writes to the secondary region:
             planned, --forced (outage; --accept-data-loss) or --drill (timed,
             recorded in dr.lastDrill); plans from the account's state in
             Azure, records dr.failoverIntent before its first write and the
             change after it; re-run the same command to finish an
             interrupted one (drctl failover <customer> --ticket <id>
             [--dry-run] [--cloud C] [--timeout D] [--try-timeout D]
             [--max-retry-after D]; drctl failover --help for the bounds)
  failback   move writes back to the primary region and record it
             ([--online] after a forced failover)
  record     record in the stack file the write region Azure reports, after a
             failover nobody ran from here (service-managed); --verify
             [--before-release] checks it, and fails while a failover is in
             progress
  audit      the DR events of the stack files' git history: who enabled,
             disabled, changed, failed over what, when, for which ticket
             (drctl audit [customer ...] [--json])
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run executes a drctl command and returns the process exit status.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "plan":
		return runPlan(args[1:], stdout, stderr)
	case "rehearse":
		return runRehearse(args[1:], stdout, stderr)
	case "validate":
		return runValidate(args[1:], stdout, stderr)
	case "diff":
		return runDiff(args[1:], stdout, stderr)
	case "report":
		return runReport(args[1:], stdout, stderr)
	case "preview", "up", "refresh":
		return runStacks(args[0], args[1:], stdout, stderr)
	case "changed":
		return runChanged(args[1:], stdout, stderr)
	case "failover", "failback":
		return runFailover(args[0], args[1:], stdout, stderr)
	case "audit":
		return runAudit(args[1:], stdout, stderr)
	case "record":
		return runRecord(args[1:], stdout, stderr)
	case "-h", "--help", "help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "drctl: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
}
