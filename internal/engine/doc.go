// Package engine runs fhir-dr's stacks through the Pulumi engine with the
// Automation API, for the release and for the offline rehearsal alike: both
// prepare a customer's workspace and run its operations through the one
// workspace type (workspace.go), so a rehearsal exercises the code the
// release runs.
//
// The release: Run performs an operation (preview, up, refresh) over many
// customer stacks at once, the release pipeline's work inside one job. The
// CI system's job matrix spreads stacks over machines; within a job, Run
// bounds parallelism, prefixes every stack's log lines with its name,
// summarizes changes, durations and results, and on SIGINT/SIGTERM lets the
// engines finish what they are doing instead of killing them. Run talks to
// stacks through the small Target and Opener interfaces; Auto opens them
// with the backend and credentials of the environment, and tests use
// fakes.
//
// The rehearsal: a Session runs stacks offline, with the Pulumi CLI built
// from the Go module proxy (make pulumi-cli), a throwaway local file
// backend, and the azure-native and kubernetes stand-ins
// (internal/azurestandin, internal/kubestandin) in place of Azure and the
// clusters. It shows what the engine does with a change (config loading from
// stacks/, state, diffs, protect, replacements, dependency order) before
// anyone runs it against Azure. Its stacks run the current program inline,
// or an earlier revision's program (DeployRevision) to set up the state a
// change starts from; Session.Opener hands the session's stacks to Run, as
// the release opens them.
package engine
