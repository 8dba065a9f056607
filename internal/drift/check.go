package drift

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto/events"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/fhir-dr/fhir-dr/drconfig"
	"github.com/fhir-dr/fhir-dr/internal/engine"
	"github.com/fhir-dr/fhir-dr/stackfile"
)

// eventsGrace bounds the wait for the engine's last events after the
// refresh preview returned: the Automation API closes the event stream
// when the engine ran, but not when it never started.
const eventsGrace = 10 * time.Second

// Options configure Check.
type Options struct {
	// ProjectRoot holds stacks/, whose files say each customer's write
	// region. Required.
	ProjectRoot string
	// Parallel is the number of stacks checked at once. Optional;
	// defaults to 4.
	Parallel int
	// Log receives every stack's engine output, each line prefixed with
	// the stack's name. Optional.
	Log io.Writer
	// Now is the clock. Optional; defaults to time.Now.
	Now func() time.Time
}

// Check previews a refresh of every customer's stack through the release
// runner (engine.Run, opts.Parallel at a time), whose targets must be
// engine.RefreshPreviewers (engine.Auto's are), and classifies each. Nothing
// is written: not the state, not Azure. The results are in the order of
// customers; a stack interrupted or not started (ctx canceled) is
// KindFailed, saying so.
func Check(ctx context.Context, opener engine.Opener, customers []string, opts Options) []Stack {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	o := &observer{opener: opener, observed: map[string][]Observed{}}
	results := engine.Run(ctx, o, engine.Refresh, customers, engine.RunOptions{Parallel: opts.Parallel, Log: opts.Log})
	out := make([]Stack, len(results))
	for i, r := range results {
		err := r.Err
		switch {
		case r.Skipped:
			err = errors.New("not checked: the check was interrupted before it started")
		case r.Interrupted:
			err = fmt.Errorf("interrupted: %w", err)
		}
		var cfg *drconfig.Config
		if err == nil {
			file := filepath.Join(opts.ProjectRoot, stackfile.Path(r.Customer))
			if cfg, err = drconfig.LoadFile(file); err != nil {
				err = fmt.Errorf("%s: %w", stackfile.Path(r.Customer), err)
			}
		}
		o.mu.Lock()
		observed := o.observed[r.Customer]
		o.mu.Unlock()
		out[i] = Classify(r.Customer, cfg, observed, err, opts.Now())
	}
	return out
}

// observer is an engine.Opener whose targets preview a refresh, whatever
// operation the runner names, and keep what the engine observed.
type observer struct {
	opener   engine.Opener
	mu       sync.Mutex
	observed map[string][]Observed
}

// Open opens the customer's stack with the wrapped opener.
func (o *observer) Open(ctx context.Context, customer string) (engine.Target, error) {
	t, err := o.opener.Open(ctx, customer)
	if err != nil {
		return nil, err
	}
	rp, ok := t.(engine.RefreshPreviewer)
	if !ok {
		return nil, fmt.Errorf("%s: the target cannot preview a refresh", customer)
	}
	return &observingTarget{observer: o, customer: customer, target: rp}, nil
}

type observingTarget struct {
	observer *observer
	customer string
	target   engine.RefreshPreviewer
}

// Run previews a refresh; op is ignored: the check never writes.
func (t *observingTarget) Run(ctx context.Context, _ engine.Operation, log io.Writer) (map[string]int, error) {
	stream := make(chan events.EngineEvent)
	done := make(chan []Observed, 1)
	go func() {
		var observed []Observed
		for e := range stream {
			if ob, ok := observe(e); ok {
				observed = append(observed, ob)
			}
		}
		done <- observed
	}()
	changes, err := t.target.PreviewRefresh(ctx, log, stream)
	select {
	case observed := <-done:
		t.observer.mu.Lock()
		t.observer.observed[t.customer] = observed
		t.observer.mu.Unlock()
	case <-time.After(eventsGrace):
		// The stream stays open, and its reader waiting, only when the
		// engine never started: a goroutine per failed stack, for the
		// life of the process, rather than a wait without bound.
		if err == nil {
			err = errors.New("the engine's events did not end")
		}
	}
	return changes, err
}

// observe turns the engine's event about a refreshed resource into an
// Observed: the refresh reports each custom resource once, in a
// ResourceOutputsEvent whose op is the refresh's result, Old the state and
// New what Azure reported.
func observe(e events.EngineEvent) (Observed, bool) {
	out := e.ResOutputsEvent
	if out == nil {
		return Observed{}, false
	}
	m := out.Metadata
	if strings.HasPrefix(m.Type, "pulumi:") || m.Old == nil || !m.Old.Custom {
		return Observed{}, false // providers, the stack, components
	}
	o := Observed{URN: m.URN, Type: m.Type, Name: resource.URN(m.URN).Name(), Op: string(m.Op), Diffs: m.Diffs, State: m.Old.Inputs}
	if m.Op != apitype.OpDelete && m.New != nil {
		o.Azure, o.AzureOutputs = m.New.Inputs, m.New.Outputs
	}
	if len(m.DetailedDiff) > 0 {
		o.DetailedDiff = map[string]string{}
		for path, d := range m.DetailedDiff {
			o.DetailedDiff[path] = strings.TrimSuffix(string(d.Kind), "-replace")
		}
	}
	return o, true
}
