package rollout

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/fhir-dr/fhir-dr/internal/engine"
)

// Status is what a run did with one stack.
type Status string

// The statuses of a stack in a run.
const (
	// Done is a stack this run deployed.
	Done Status = "done"
	// Failed is a stack whose deployment failed, or whose released commit
	// could not be read; it is deployed again by the next run.
	Failed Status = "failed"
	// SkippedDone is a stack that already had the commit released, read
	// from its history before anything was written: not deployed again.
	SkippedDone Status = "skipped-done"
	// NotStarted is a stack the run never started (interrupted, or its
	// ring halted before it).
	NotStarted Status = "not-started"
)

// StackResult is what happened to one stack.
type StackResult struct {
	// Customer is the stack.
	Customer string `json:"customer"`
	// Status is what happened.
	Status Status `json:"status"`
	// Error is the failure, for Failed; "" otherwise.
	Error string `json:"error"`
}

// ShardResult is what drctl rollout run writes with --results: one shard
// of one ring.
type ShardResult struct {
	// Ring and Shard say which shard of the plan ran.
	Ring  string `json:"ring"`
	Shard int    `json:"shard"`
	// Commit is the commit released.
	Commit string `json:"commit"`
	// Stacks are the shard's stacks, in the plan's order.
	Stacks []StackResult `json:"stacks"`
	// File is the file it was read from (ReadResults, ReadResultFiles),
	// for messages; not part of the file.
	File string `json:"-"`
}

// Deployer releases one stack at a time; the release's implementation is
// AutoDeployer (the Pulumi engine through internal/engine), tests use
// fakes. It is called from several goroutines at once.
type Deployer interface {
	// Released reports whether the stack's last update released commit
	// and succeeded, reading its history in the backend.
	Released(ctx context.Context, customer, commit string) (bool, error)
	// Up deploys the stack, recording commit in its history on success
	// (ReleaseMessage), writing the engine's output to log, and returns the
	// number of resources per kind of change.
	Up(ctx context.Context, customer, commit string, log io.Writer) (map[string]int, error)
}

// RunOptions configure Deploy.
type RunOptions struct {
	// Parallel is the number of stacks deployed at once. Optional;
	// defaults to 4.
	Parallel int
	// Log receives every stack's output, each line prefixed with its
	// name. Optional.
	Log io.Writer
}

// Deploy releases commit to stacks through the release runner
// (engine.Run), opts.Parallel at a time: a stack whose history says it
// already has commit is skipped, the others are deployed. Results are in
// the order of stacks. When ctx is canceled no further stack starts.
func Deploy(ctx context.Context, d Deployer, commit string, stacks []string, opts RunOptions) []StackResult {
	opener := &deployOpener{d: d, commit: commit, skipped: map[string]bool{}}
	runs := engine.Run(ctx, opener, engine.Up, stacks, engine.RunOptions{Parallel: opts.Parallel, Log: opts.Log})
	out := make([]StackResult, len(runs))
	for i, r := range runs {
		res := StackResult{Customer: r.Customer}
		switch {
		case r.Skipped:
			res.Status = NotStarted
		case r.Err != nil:
			res.Status, res.Error = Failed, r.Err.Error()
		case opener.wasSkipped(r.Customer):
			res.Status = SkippedDone
		default:
			res.Status = Done
		}
		out[i] = res
	}
	return out
}

// deployOpener adapts a Deployer to the release runner: each stack's run
// reads its released commit first and deploys only when it differs.
type deployOpener struct {
	d      Deployer
	commit string

	mu      sync.Mutex
	skipped map[string]bool
}

func (o *deployOpener) Open(_ context.Context, customer string) (engine.Target, error) {
	return &deployTarget{o: o, customer: customer}, nil
}

func (o *deployOpener) wasSkipped(customer string) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.skipped[customer]
}

type deployTarget struct {
	o        *deployOpener
	customer string
}

func (t *deployTarget) Run(ctx context.Context, _ engine.Operation, log io.Writer) (map[string]int, error) {
	released, err := t.o.d.Released(ctx, t.customer, t.o.commit)
	if err != nil {
		return nil, fmt.Errorf("reading the released commit from the stack's history: %w", err)
	}
	if released {
		t.o.mu.Lock()
		t.o.skipped[t.customer] = true
		t.o.mu.Unlock()
		fmt.Fprintf(log, "already released at %s: not deployed again\n", short(t.o.commit))
		return map[string]int{}, nil
	}
	return t.o.d.Up(ctx, t.customer, t.o.commit, log)
}

// RunShard releases one shard of the plan.
func RunShard(ctx context.Context, d Deployer, p Plan, ring string, shard int, opts RunOptions) (ShardResult, error) {
	stacks, err := p.Shard(ring, shard)
	if err != nil {
		return ShardResult{}, err
	}
	return ShardResult{Ring: ring, Shard: shard, Commit: p.Commit, Stacks: Deploy(ctx, d, p.Commit, stacks, opts)}, nil
}

// WriteResults writes a shard's results as JSON.
func WriteResults(path string, r ShardResult) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("writing the results: %w", err)
	}
	return nil
}

// ReadResults reads the shard results (*.json, at any depth: a workflow
// downloads each job's artifact into a directory of its own) under dir
// that belong to the plan's commit; results of another commit are an
// error, since mixing them would report stacks done that are not. A dir
// that does not exist is an error: drctl rollout status --results is told
// where the results are.
func ReadResults(dir string, p Plan) ([]ShardResult, error) {
	if _, err := os.Lstat(dir); err != nil {
		return nil, fmt.Errorf("reading the results: %w", err)
	}
	all, err := readResultFiles(dir)
	var out []ShardResult
	var errs []error
	for _, r := range all {
		if r.Commit != p.Commit {
			errs = append(errs, fmt.Errorf("%s: results of commit %s, the plan releases %s", r.File, short(r.Commit), short(p.Commit)))
			continue
		}
		out = append(out, r)
	}
	if err != nil {
		errs = append([]error{err}, errs...)
	}
	return out, errors.Join(errs...)
}

// ReadResultFiles reads every shard results file (*.json, at any depth)
// under dir, of whatever commit or ring, each with its File, sorted by
// File: the gate judges them against the plan itself, noting what does
// not belong. A dir that does not exist holds none: no shard of the ring
// wrote one (every job cancelled or never run). A file that is not a
// shard result is an error naming it.
func ReadResultFiles(dir string) ([]ShardResult, error) {
	if _, err := os.Lstat(dir); errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	out, err := readResultFiles(dir)
	slices.SortFunc(out, func(a, b ShardResult) int { return strings.Compare(a.File, b.File) })
	return out, err
}

// readResultFiles reads the shard results under dir in the order of the
// walk, every file that is not one an error; a walk that fails returns
// no results.
func readResultFiles(dir string) ([]ShardResult, error) {
	var out []ShardResult
	var errs []error
	walk := filepath.WalkDir(dir, func(path string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".json") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			errs = append(errs, err)
			return nil
		}
		var r ShardResult
		if err := json.Unmarshal(b, &r); err != nil {
			errs = append(errs, fmt.Errorf("%s: not a shard result: %w", path, err))
			return nil
		}
		if r.Ring == "" || r.Commit == "" {
			errs = append(errs, fmt.Errorf("%s: not a results file of drctl rollout run (no ring or commit)", path))
			return nil
		}
		r.File = path
		out = append(out, r)
		return nil
	})
	if walk != nil {
		return nil, fmt.Errorf("reading the results: %w", walk)
	}
	return out, errors.Join(errs...)
}

// Counts are a ring's stacks by status.
type Counts map[Status]int

// Started is the number of stacks the run started: done, skipped as done
// or failed.
func (c Counts) Started() int { return c[Done] + c[SkippedDone] + c[Failed] }

// count tallies results.
func count(results []StackResult) Counts {
	c := Counts{}
	for _, r := range results {
		c[r.Status]++
	}
	return c
}

// customers are the customers of the results with one of the statuses.
func customers(results []StackResult, statuses ...Status) []string {
	var out []string
	for _, r := range results {
		if slices.Contains(statuses, r.Status) {
			out = append(out, r.Customer)
		}
	}
	return out
}
