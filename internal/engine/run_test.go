package engine

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeOpener opens fake stacks that log two lines, wait, and return their
// scripted changes or error.
type fakeOpener struct {
	running, peak atomic.Int32
	wait          time.Duration
	fail          map[string]error
	openFail      map[string]error
	started       chan string
	mu            sync.Mutex
	ops           []string
}

func (f *fakeOpener) Open(_ context.Context, customer string) (Target, error) {
	if err := f.openFail[customer]; err != nil {
		return nil, err
	}
	return fakeTarget{f, customer}, nil
}

type fakeTarget struct {
	f        *fakeOpener
	customer string
}

func (t fakeTarget) Run(ctx context.Context, op Operation, log io.Writer) (map[string]int, error) {
	f := t.f
	n := f.running.Add(1)
	defer f.running.Add(-1)
	for {
		p := f.peak.Load()
		if n <= p || f.peak.CompareAndSwap(p, n) {
			break
		}
	}
	f.mu.Lock()
	f.ops = append(f.ops, string(op)+" "+t.customer)
	f.mu.Unlock()
	if f.started != nil {
		f.started <- t.customer
	}
	fmt.Fprintf(log, "%s of %s begins\n", op, t.customer)
	fmt.Fprint(log, "no newline at the end")
	select {
	case <-time.After(f.wait):
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if err := f.fail[t.customer]; err != nil {
		return nil, err
	}
	return map[string]int{"create": 2, "update": 1, "same": 5}, nil
}

func TestRunBoundsParallelismAndPrefixesLogs(t *testing.T) {
	f := &fakeOpener{wait: 20 * time.Millisecond, fail: map[string]error{"c": errors.New("engine said no")},
		openFail: map[string]error{"e": errors.New("stacks/Pulumi.e.yaml: 1 configuration problem")}}
	var log bytes.Buffer
	customers := []string{"a", "b", "c", "d", "e", "f"}
	results := Run(context.Background(), f, Up, customers, RunOptions{Parallel: 2, Log: &log})

	assert.LessOrEqual(t, f.peak.Load(), int32(2))
	assert.Equal(t, int32(2), f.peak.Load(), "runs two at once")
	require.Len(t, results, 6)
	for i, r := range results {
		assert.Equal(t, customers[i], r.Customer)
	}
	assert.Equal(t, "ok", results[0].Status())
	assert.Equal(t, map[string]int{"create": 2, "update": 1, "same": 5}, results[0].Changes)
	assert.Equal(t, "failed", results[2].Status())
	assert.EqualError(t, results[2].Err, "engine said no")
	assert.Equal(t, "failed", results[4].Status())
	assert.True(t, Failed(results))

	for _, line := range strings.Split(strings.TrimSuffix(log.String(), "\n"), "\n") {
		assert.Regexp(t, `^\[[a-f]\] `, line)
	}
	assert.Contains(t, log.String(), "[a] up of a begins\n")
	assert.Contains(t, log.String(), "[a] no newline at the end\n", "a last line without newline is flushed whole")
	assert.Contains(t, log.String(), "[c] up failed: engine said no\n")
	assert.Contains(t, log.String(), "[e] up failed: stacks/Pulumi.e.yaml: 1 configuration problem\n")

	var summary bytes.Buffer
	PrintSummary(&summary, Up, results)
	assert.Regexp(t, `(?m)^a +2 create, 1 update +\d+(\.\d)?m?s +ok$`, summary.String())
	assert.Regexp(t, `(?m)^c +- +\d+(\.\d)?m?s +failed$`, summary.String())
	assert.True(t, strings.HasSuffix(summary.String(), "up: 6 stacks, 2 failed\n"), summary.String())
}

func TestRunStopsStartingStacksWhenInterrupted(t *testing.T) {
	f := &fakeOpener{wait: time.Minute, started: make(chan string, 10)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan []Result)
	go func() { done <- Run(ctx, f, Up, []string{"a", "b", "c", "d"}, RunOptions{Parallel: 2}) }()
	<-f.started
	<-f.started
	cancel()
	results := <-done
	var statuses []string
	for _, r := range results {
		statuses = append(statuses, r.Status())
	}
	assert.Equal(t, []string{"interrupted", "interrupted", "skipped (interrupted)", "skipped (interrupted)"}, statuses)
	assert.Len(t, f.ops, 2, "no stack starts after the interrupt")
	assert.True(t, Failed(results))
}

func TestParseOperation(t *testing.T) {
	for _, s := range []string{"preview", "up", "refresh"} {
		op, err := ParseOperation(s)
		require.NoError(t, err)
		assert.Equal(t, Operation(s), op)
	}
	_, err := ParseOperation("destroy")
	assert.EqualError(t, err, `unknown operation "destroy" (preview, up or refresh)`)
}
