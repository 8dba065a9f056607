// Package rollout releases a change to the fleet in rings: each stack file
// names its ring (release.ring; the rings, their order, bake times, gates
// and the halt rule are declared once, in package ring), the rings go in
// that order, each ring is split into at most a given number of CI shards
// (never above GitHub's 256-job matrix limit), and after each ring a bake
// time and a health gate come before the next. A ring in which more than a
// tenth of the started stacks fail halts the rollout, naming the stacks
// that failed and those not started, and the one command that resumes it.
//
// The released commit is recorded in each stack's update history (the
// message "fhir-dr release <commit>"), and every run reads it before it
// deploys: a re-run, a resume or a re-run of the workflow never redeploys a
// stack that is done.
//
// The logic is here, over the Deployer interface (one stack at a time);
// AutoDeployer is the Pulumi engine through internal/engine, and the drctl
// rollout commands are thin over it.
package rollout
