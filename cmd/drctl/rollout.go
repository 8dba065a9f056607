package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/fhir-dr/fhir-dr/drconfig"
	"github.com/fhir-dr/fhir-dr/internal/engine"
	"github.com/fhir-dr/fhir-dr/internal/rollout"
	"github.com/fhir-dr/fhir-dr/program"
)

// newRolloutCmd is drctl rollout: the staged release in rings. Each
// subcommand is a file of its own (rollout_<name>.go).
func newRolloutCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "rollout <command>",
		Short: "release a change in rings: plan, run a shard, gate a ring, status, resume",
		Long: `drctl rollout releases a change to the fleet in rings (each stack file's release.ring): canary, early,
wave-1, wave-2, wave-3, broad, in that order. Each ring is split into at most --max-shards CI jobs; after a
ring come its bake time and its gate (drctl rollout gate). A ring in which more than 10% of the started stacks fail halts the
rollout. Every stack records the released commit in its history, and every run reads it first, so a
re-run or a resume never deploys a stack that is done (README "Releasing in rings").`,
		Args:        noArgs(""),
		Annotations: map[string]string{exitAnnotation: "each subcommand's, below; without one, drctl rollout prints this help and exits 0."},
	}
	cmd.AddGroup(&cobra.Group{ID: "rollout", Title: "Commands:"})
	// drctl has one help command, at the top.
	cmd.SetUsageTemplate(strings.Replace(usageTemplate, "{{.CommandPath}} help <command>", "drctl help rollout <command>", 1))
	for _, sub := range []*cobra.Command{newRolloutPlanCmd(), newRolloutRunCmd(), newRolloutGateCmd(), newRolloutStatusCmd(), newRolloutResumeCmd()} {
		sub.GroupID = "rollout"
		cmd.AddCommand(sub)
	}
	return cmd
}

// ringOf reads a stack file's release ring, validating the whole file: a
// stack that cannot be released is reported before the rollout starts,
// with its file and keys.
func ringOf(stackFile string) (string, error) {
	cfg, err := drconfig.LoadFile(stackFile)
	if err != nil {
		return "", err
	}
	return cfg.Release.Ring, nil
}

// releaseFlags are the flags of the rollout commands that deploy or read
// the stacks through the engine, as drctl up has them.
type releaseFlags struct {
	policyPack, policyConfig string
	cli                      string
	create                   bool
}

func (f *releaseFlags) add(cmd *cobra.Command) {
	fs := cmd.Flags()
	fs.StringVar(&f.policyPack, "policy-pack", "", "the policy pack to enforce: the built `binary` (.bin/fhir-dr-policy)")
	fs.StringVar(&f.policyConfig, "policy-pack-config", "", "the policy pack config `file`")
	fs.StringVar(&f.cli, "pulumi", "", "the Pulumi CLI `binary` (default: pulumi on PATH)")
	fs.BoolVar(&f.create, "create-stacks", false, "create stacks that do not exist (offline rehearsals; the pipeline's stacks exist)")
	markFileFlag(cmd, "policy-pack-config", "json")
}

// deployer is the release's deployer of commit over the project at root;
// done removes its workspaces.
func (f *releaseFlags) deployer(root, commit string) (d *rollout.AutoDeployer, done func(), err error) {
	work, err := os.MkdirTemp("", "fhir-dr-rollout-")
	if err != nil {
		return nil, nil, err
	}
	a := &engine.Auto{ProjectRoot: root, WorkRoot: work, Program: program.Run, CLI: f.cli, CreateStacks: f.create}
	if f.policyPack != "" {
		a.PolicyPacks = []string{absPath(f.policyPack)}
		if f.policyConfig != "" {
			a.PolicyPackConfigs = []string{absPath(f.policyConfig)}
		}
	}
	return rollout.NewAutoDeployer(a, commit), func() { _ = os.RemoveAll(work) }, nil
}

// releaseDeployer is deployer for a command that deploys: it first
// refuses a checkout that is not commit (rollout.CheckCheckout), so that
// no deploying command can release another program than the plan's.
func (f *releaseFlags) releaseDeployer(ctx context.Context, root, commit string) (d *rollout.AutoDeployer, done func(), err error) {
	if err := rollout.CheckCheckout(ctx, root, commit); err != nil {
		return nil, nil, err
	}
	return f.deployer(root, commit)
}

// resumeCommand is the one command that finishes the rollout of plan with
// the same flags.
func (f *releaseFlags) resumeCommand(plan string) string {
	parts := []string{"drctl rollout resume --plan", shellWord(plan)}
	if f.policyPack != "" {
		parts = append(parts, "--policy-pack", shellWord(f.policyPack))
	}
	if f.policyConfig != "" {
		parts = append(parts, "--policy-pack-config", shellWord(f.policyConfig))
	}
	if f.cli != "" {
		parts = append(parts, "--pulumi", shellWord(f.cli))
	}
	if f.create {
		parts = append(parts, "--create-stacks")
	}
	return strings.Join(parts, " ")
}

// shellWord quotes s for a POSIX shell when it needs it.
func shellWord(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,@") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// readPlan reads --plan, naming the flag on failure.
func readPlan(path string) (rollout.Plan, error) {
	p, err := rollout.ReadPlan(path)
	if err != nil {
		return rollout.Plan{}, fmt.Errorf("--plan: %w", err)
	}
	return p, nil
}
