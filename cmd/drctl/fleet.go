package main

import (
	"fmt"
	"github.com/fhir-dr/fhir-dr/azure/regions"
	"github.com/fhir-dr/fhir-dr/stackfile"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"

	"golang.org/x/sync/errgroup"

	"github.com/fhir-dr/fhir-dr/drconfig"
	"github.com/fhir-dr/fhir-dr/internal/fleet"
	"github.com/fhir-dr/fhir-dr/policy/rules"
)

// stackResult is what validating one stack file found. It keeps the
// configuration and the verdict, not the rendered resources, so that a
// fleet of hundreds of stacks stays small in memory.
type stackResult struct {
	// File is the stack file.
	File string
	// Customer is the stack name.
	Customer string
	// Config is the validated configuration; nil when invalid.
	Config *drconfig.Config
	// Resources is the number of Azure resources the stack declares.
	Resources int
	// Err is the configuration or rendering error.
	Err error
	// Policy are the policy's diagnostics.
	Policy []rules.Diagnostic
	// Loaded is the configuration the fleet-wide checks judge: Config, or
	// the valid configuration of a stack that fails to render; nil when
	// invalid.
	Loaded *drconfig.Config
	// Conflicts are the fleet-wide problems the stack is part of.
	Conflicts fleet.Problems
}

// OK reports whether the stack is valid, keeps every mandatory rule and
// conflicts with no other stack.
func (r stackResult) OK() bool {
	return r.Err == nil && len(rules.MandatoryOnly(r.Policy)) == 0 && len(r.Conflicts) == 0
}

// Status is the one-word verdict.
func (r stackResult) Status() string {
	switch {
	case r.Err != nil:
		return "INVALID"
	case len(r.Conflicts) > 0:
		return "CONFLICT"
	case len(rules.MandatoryOnly(r.Policy)) > 0:
		return "POLICY"
	case len(r.Policy) > 0:
		return "ok (advisories)"
	}
	return "ok"
}

// stackFiles returns the stack files of the named customers, or of every
// stack under root when none is named, sorted.
func stackFiles(root string, customers []string) ([]string, error) {
	if len(customers) == 0 {
		files, err := stackfile.List(root)
		if err != nil {
			return nil, err
		}
		slices.Sort(files)
		return files, nil
	}
	var files []string
	for _, c := range customers {
		files = append(files, filepath.Join(root, stackfile.Path(c)))
	}
	return files, nil
}

// customerList is a --stacks value, "a, b,c": the customers named, blanks
// left out.
func customerList(s string) []string {
	var customers []string
	for _, c := range strings.Split(s, ",") {
		if c = strings.TrimSpace(c); c != "" {
			customers = append(customers, c)
		}
	}
	return customers
}

// validateFleet loads, validates, renders and policy-checks every file,
// workers at a time (the number of CPUs when workers < 1), and returns the
// results in the order of files. progress, if not nil, is called after each
// stack with the number done so far; it may be called concurrently.
func validateFleet(files []string, policy rules.Config, workers int, progress func(done int)) []stackResult {
	if workers < 1 {
		workers = runtime.GOMAXPROCS(0)
	}
	results := make([]stackResult, len(files))
	var done atomic.Int64
	var g errgroup.Group
	g.SetLimit(workers)
	for i, file := range files {
		g.Go(func() error {
			results[i] = validateStack(file, policy)
			if progress != nil {
				progress(int(done.Add(1)))
			}
			return nil
		})
	}
	_ = g.Wait() // validateStack reports its errors in the result
	return results
}

func validateStack(file string, policy rules.Config) stackResult {
	res := stackResult{File: file}
	name, err := stackfile.Stack(file)
	if err != nil {
		res.Err = err
		return res
	}
	res.Customer = name
	sp, err := planStack(file, policy)
	if err != nil {
		res.Err = err
		res.Loaded, _ = drconfig.LoadFile(file) // nil unless only rendering failed
		return res
	}
	res.Config, res.Loaded, res.Policy = sp.Config, sp.Config, sp.Policy
	for _, r := range sp.Plan.Resources {
		if r.Custom {
			res.Resources++
		}
	}
	return res
}

// checkFleet runs the fleet-wide checks (internal/fleet) over the
// validated stacks and records in each result the problems it is part of.
// When only some customers are validated (named), every other stack file
// of the project at root is loaded too, so that the named ones are checked
// against the whole fleet; it returns the problems that involve a
// validated stack.
func checkFleet(root string, results []stackResult, named bool) (fleet.Problems, error) {
	var stacks []fleet.Stack
	validated := map[string]bool{}
	for _, r := range results {
		rel := fleet.Rel(root, r.File)
		validated[rel] = true
		stacks = append(stacks, fleet.Stack{File: rel, Config: r.Loaded})
	}
	if named {
		all, err := fleet.Files(root)
		if err != nil {
			return nil, err
		}
		var others []string
		for _, f := range all {
			if !validated[fleet.Rel(root, f)] {
				others = append(others, f)
			}
		}
		stacks = append(stacks, fleet.Load(root, others)...)
	}
	var problems fleet.Problems
	for _, p := range fleet.Check(stacks) {
		if slices.ContainsFunc(p.Files, func(f string) bool { return validated[f] }) {
			problems = append(problems, p)
		}
	}
	for i := range results {
		results[i].Conflicts = problems.Involving(fleet.Rel(root, results[i].File))
	}
	return problems, nil
}

// secondaryLabel describes the secondary region: "westus (paired)" or
// "swedencentral (chosen)".
func secondaryLabel(cfg *drconfig.Config) string {
	if !cfg.DR.Enabled {
		return "-"
	}
	if region, ok := regions.Lookup(cfg.PrimaryRegion); ok && region.Pair == cfg.DR.SecondaryRegion {
		return cfg.DR.SecondaryRegion + " (paired)"
	}
	return cfg.DR.SecondaryRegion + " (chosen)"
}

// objectivesLabel returns the modeled RPO and RTO, or "-" without DR.
func objectivesLabel(cfg *drconfig.Config) (rpo, rto string) {
	if !cfg.DR.Enabled {
		return "-", "-"
	}
	o := cfg.Objectives()
	return fmt.Sprint(o.RPO), fmt.Sprint(o.RTO)
}
