package engine

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"golang.org/x/sync/errgroup"
)

// Operation is what to do to each stack.
type Operation string

// The operations.
const (
	Preview Operation = "preview"
	Up      Operation = "up"
	Refresh Operation = "refresh"
)

// destroy is the rehearsal's last offboarding step (Stack.Destroy). The
// release never destroys a customer's stack, so ParseOperation refuses it
// and the drctl commands cannot name it.
const destroy Operation = "destroy"

// ParseOperation returns the operation of a command name.
func ParseOperation(s string) (Operation, error) {
	switch op := Operation(s); op {
	case Preview, Up, Refresh:
		return op, nil
	}
	return "", fmt.Errorf("unknown operation %q (preview, up or refresh)", s)
}

// Target is one stack the runner can operate on.
type Target interface {
	// Run performs op, writing the engine's output to log, and returns the
	// number of resources per kind of change ("create", "update", ...).
	Run(ctx context.Context, op Operation, log io.Writer) (map[string]int, error)
}

// Opener opens a customer's stack.
type Opener interface {
	Open(ctx context.Context, customer string) (Target, error)
}

// Result is what happened to one stack.
type Result struct {
	// Customer is the stack.
	Customer string
	// Changes count the resources per kind of change.
	Changes map[string]int
	// Duration is how long the operation took.
	Duration time.Duration
	// Err is the failure, nil on success.
	Err error
	// Skipped is true when the run was interrupted before the stack
	// started.
	Skipped bool
	// Interrupted is true when the run was interrupted while the stack
	// was running: the engine finished the operations it had started.
	Interrupted bool
}

// Status is the result in a word.
func (r Result) Status() string {
	switch {
	case r.Skipped:
		return "skipped (interrupted)"
	case r.Interrupted:
		return "interrupted"
	case r.Err != nil:
		return "failed"
	}
	return "ok"
}

// RunOptions configure Run.
type RunOptions struct {
	// Parallel is the number of stacks run at once. Optional; defaults to 4.
	Parallel int
	// Log receives every stack's output, each line prefixed with the
	// stack's name. Optional.
	Log io.Writer
}

// Run performs op on every customer's stack, opts.Parallel at a time, and
// returns the results in the order of customers. When ctx is canceled, no
// further stack starts and running ones are interrupted (see Auto).
func Run(ctx context.Context, opener Opener, op Operation, customers []string, opts RunOptions) []Result {
	if opts.Parallel < 1 {
		opts.Parallel = 4
	}
	if opts.Log == nil {
		opts.Log = io.Discard
	}
	var mu sync.Mutex // serializes whole lines from concurrent stacks
	results := make([]Result, len(customers))
	var g errgroup.Group
	g.SetLimit(opts.Parallel)
	for i, customer := range customers {
		results[i] = Result{Customer: customer, Skipped: true}
		g.Go(func() error {
			if ctx.Err() != nil {
				return nil // interrupted before this stack started
			}
			log := &prefixWriter{prefix: "[" + customer + "] ", out: opts.Log, mu: &mu}
			start := time.Now()
			res := Result{Customer: customer}
			target, err := opener.Open(ctx, customer)
			if err == nil {
				res.Changes, err = target.Run(ctx, op, log)
			}
			log.flush()
			res.Duration, res.Err = time.Since(start), err
			res.Interrupted = err != nil && ctx.Err() != nil
			if err != nil {
				fmt.Fprintf(log, "%s failed: %v\n", op, err)
				log.flush()
			}
			results[i] = res
			return nil
		})
	}
	_ = g.Wait() // failures are per stack, in the results
	return results
}

// Failed reports whether any stack failed or was not run.
func Failed(results []Result) bool {
	return slices.ContainsFunc(results, func(r Result) bool { return r.Err != nil || r.Skipped })
}

// PrintSummary writes the summary table.
func PrintSummary(w io.Writer, op Operation, results []Result) {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "STACK\tCHANGES\tDURATION\tRESULT\n")
	failed := 0
	for _, r := range results {
		if r.Err != nil || r.Skipped {
			failed++
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.Customer, describeChanges(r.Changes), r.Duration.Round(100*time.Millisecond), r.Status())
	}
	_ = tw.Flush()
	fmt.Fprintf(w, "%s: %d stacks, %d failed\n", op, len(results), failed)
}

func describeChanges(changes map[string]int) string {
	var parts []string
	for _, op := range slices.Sorted(func(yield func(string) bool) {
		for k := range changes {
			if !yield(k) {
				return
			}
		}
	}) {
		if changes[op] > 0 && op != "same" {
			parts = append(parts, fmt.Sprintf("%d %s", changes[op], op))
		}
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, ", ")
}

// prefixWriter prefixes each complete line with the stack's name and
// writes it in one piece, so lines of concurrent stacks never interleave.
// The engine's stdout and stderr may write to it from two goroutines.
type prefixWriter struct {
	prefix string
	out    io.Writer
	mu     *sync.Mutex // shared by every stack's writer
	buf    []byte
}

func (p *prefixWriter) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.buf = append(p.buf, b...)
	for {
		i := slices.Index(p.buf, '\n')
		if i < 0 {
			return len(b), nil
		}
		p.emit(p.buf[:i+1])
		p.buf = p.buf[i+1:]
	}
}

// flush writes a last line that has no newline.
func (p *prefixWriter) flush() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.buf) > 0 {
		p.emit(append(p.buf, '\n'))
		p.buf = nil
	}
}

func (p *prefixWriter) emit(line []byte) {
	_, _ = io.WriteString(p.out, p.prefix)
	_, _ = p.out.Write(line)
}
