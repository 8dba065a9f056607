package review

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fhir-dr/fhir-dr/drconfig"
	"github.com/fhir-dr/fhir-dr/internal/pricing"
)

func readFixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "figures", name))
	require.NoError(t, err)
	return string(b)
}

// The figures of each revision come from its own stack file: the base's
// from git, the head's from the working tree; a new stack has none at the
// base, a removed one none at the head.
func TestFigures(t *testing.T) {
	dir := gitRepo(t, map[string]string{"stacks/Pulumi.acme.yaml": readFixture(t, "base.yaml"), "stacks/Pulumi.gone.yaml": readFixture(t, "base.yaml")})
	require.NoError(t, os.WriteFile(filepath.Join(dir, "stacks/Pulumi.acme.yaml"), []byte(readFixture(t, "head.yaml")), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "stacks/Pulumi.new.yaml"), []byte(readFixture(t, "base.yaml")), 0o644))
	r := &Report{Stacks: []StackReview{{Customer: "acme"}, {Customer: "gone", Removed: true}, {Customer: "new", New: true}}}
	require.NoError(t, addFigures(context.Background(), r, dir, "HEAD"))

	// The model's figures are objectives' business (and change with it):
	// here, that each revision's come from its own stack file.
	data, full := fixtureFigures(t, "base.yaml"), fixtureFigures(t, "head.yaml")
	assert.Equal(t, "data", data.Tier)
	assert.Equal(t, 900, data.RPOSeconds)
	assert.Equal(t, 58.4, data.MonthlyDRCost)
	assert.Equal(t, "full", full.Tier)
	assert.Equal(t, 600, full.RPOSeconds, "the head's rpo: 10m")
	assert.Equal(t, 3600, full.TargetRTOSeconds)
	assert.Equal(t, "USD", full.Currency)

	assert.Equal(t, data, r.Stacks[0].Base)
	assert.Equal(t, full, r.Stacks[0].Head)
	assert.Equal(t, data, r.Stacks[1].Base)
	assert.Nil(t, r.Stacks[1].Head)
	assert.Nil(t, r.Stacks[2].Base)
	assert.Equal(t, data, r.Stacks[2].Head)

	assert.Equal(t, "data → full", figureCell(figures[0], r.Stacks[0].Base, r.Stacks[0].Head, true))
	assert.Equal(t, "15m → 10m (−5m)", figureCell(figures[1], r.Stacks[0].Base, r.Stacks[0].Head, true))
	assert.Equal(t, "— → 15m", figureCell(figures[1], nil, data, true), "no delta from nothing")
	assert.Equal(t, "data → —", figureCell(figures[0], data, nil, true))
	none := &Figures{Tier: "none", Currency: "USD"}
	assert.Equal(t, "15m (target 15m) → no DR", figureCell(figures[1], data, none, false))
	assert.Equal(t, "58.40 USD → 0.00 USD (−58.40)", figureCell(figures[4], data, none, false))
	assert.Equal(t, "1h5m", duration(65*time.Minute))
	assert.Equal(t, "45s", duration(45*time.Second))
	assert.Equal(t, "2h", duration(2*time.Hour))
	assert.Equal(t, "1,234,567.05", money(1234567.05, "", false))
}

// The base figures of a fleet come from one git process, however many
// stacks the review has, and each stack's from its own file at the base:
// none for a stack the base does not have (new) or whose file there does
// not load, the base's for a changed and a removed one.
func TestFiguresReadTheBaseInOneGit(t *testing.T) {
	base, head := readFixture(t, "base.yaml"), readFixture(t, "head.yaml")
	broken := "config:\n  fhir-dr:customer: broken\n  fhir-dr:dr: {enabled: maybe}\n"
	dir := gitRepo(t, map[string]string{
		"stacks/Pulumi.kept.yaml":    base,
		"stacks/Pulumi.changed.yaml": base,
		"stacks/Pulumi.gone.yaml":    head,
		"stacks/Pulumi.broken.yaml":  broken,
		"stacks/Pulumi.mended.yaml":  broken,
	})
	write := func(customer, content string) {
		require.NoError(t, os.WriteFile(filepath.Join(dir, "stacks", "Pulumi."+customer+".yaml"), []byte(content), 0o644))
	}
	write("changed", head)
	write("mended", base)
	write("new", head)
	require.NoError(t, os.Remove(filepath.Join(dir, "stacks/Pulumi.gone.yaml")))
	r := &Report{Stacks: []StackReview{{Customer: "broken"}, {Customer: "changed"}, {Customer: "gone", Removed: true},
		{Customer: "kept"}, {Customer: "mended"}, {Customer: "new", New: true}}}

	// Every git the review starts goes through a wrapper that counts it.
	realGit, err := exec.LookPath("git")
	require.NoError(t, err)
	bin, calls := t.TempDir(), filepath.Join(t.TempDir(), "calls")
	require.NoError(t, os.WriteFile(filepath.Join(bin, "git"),
		[]byte("#!/bin/sh\necho \"$*\" >> '"+calls+"'\nexec '"+realGit+"' \"$@\"\n"), 0o755))
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))

	require.NoError(t, addFigures(context.Background(), r, dir, "HEAD"))
	log, err := os.ReadFile(calls)
	require.NoError(t, err)
	assert.Equal(t, "cat-file --batch\n", string(log), "one git for the base figures of six stacks")

	data, full := fixtureFigures(t, "base.yaml"), fixtureFigures(t, "head.yaml")
	require.NotEqual(t, data, full)
	for _, c := range []struct {
		customer   string
		base, head *Figures
	}{
		{"broken", nil, nil},
		{"changed", data, full},
		{"gone", full, nil},
		{"kept", data, data},
		{"mended", nil, data},
		{"new", nil, full},
	} {
		var got *StackReview
		for i := range r.Stacks {
			if r.Stacks[i].Customer == c.customer {
				got = &r.Stacks[i]
			}
		}
		require.NotNil(t, got, c.customer)
		assert.Equal(t, c.base, got.Base, "%s at the base", c.customer)
		assert.Equal(t, c.head, got.Head, "%s at the head", c.customer)
	}
}

// A git that fails is the review's error, not a fleet without base figures.
func TestFiguresGitFails(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("GIT_CEILING_DIRECTORIES", filepath.Dir(dir))
	r := &Report{Stacks: []StackReview{{Customer: "acme"}}}
	err := addFigures(context.Background(), r, dir, "HEAD")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "review: reading the stack files at HEAD: git cat-file --batch: exit status 128: fatal: not a git repository")
}

// fixtureFigures are the figures of a stack file of testdata/figures.
func fixtureFigures(t *testing.T, name string) *Figures {
	t.Helper()
	prices, err := pricing.Load()
	require.NoError(t, err)
	cfg, err := drconfig.LoadFile(filepath.Join("testdata", "figures", name))
	require.NoError(t, err)
	return figuresOf(cfg, prices)
}
