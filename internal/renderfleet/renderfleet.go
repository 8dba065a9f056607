// Package renderfleet renders every stack of a project in one process, under
// the mocks of internal/render, and reads and writes the rendered plans in a
// versioned format: what drctl diff compares between two revisions of the
// program without running the engine for every stack.
//
// The format (Format) is JSON Lines: a header line {"format":
// "fhir-dr/rendered-fleet/v1", "stacks": <n>}, then one line per stack,
// sorted by customer, each a Stack. A stack's line is written as soon as it
// and every stack before it are rendered, so a reader holds one stack at a
// time and the writer a bounded window of them, whatever the fleet's size.
// A later revision that changes the meaning of a field changes Format; a
// reader refuses a format it does not know.
package renderfleet

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"slices"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/fhir-dr/fhir-dr/drconfig"
	"github.com/fhir-dr/fhir-dr/internal/render"
	"github.com/fhir-dr/fhir-dr/stackfile"
)

// Format is the format marker of the header line.
const Format = "fhir-dr/rendered-fleet/v1"

// Header is the first line of a rendered fleet.
type Header struct {
	// Format is always Format.
	Format string `json:"format"`
	// Stacks is the number of stack lines that follow.
	Stacks int `json:"stacks"`
}

// Stack is one customer's rendered plan.
type Stack struct {
	// Customer is the stack's name (its file's, stacks/Pulumi.<customer>.yaml).
	Customer string `json:"customer"`
	// Error says why the stack has no plan: its stack file does not load or
	// validate, or the program failed. "" when Resources is the plan.
	Error string `json:"error,omitempty"`
	// Resources are the custom resources the program declares, in the
	// render's tree order (components are left out: they have no inputs
	// Azure sees).
	Resources []Resource `json:"resources"`
}

// Resource is one declared custom resource.
type Resource struct {
	URN  string `json:"urn"`
	Type string `json:"type"`
	Name string `json:"name"`
	// Parent is the parent's URN.
	Parent string `json:"parent,omitempty"`
	// Inputs are the inputs in their plain (JSON) form.
	Inputs map[string]any `json:"inputs"`
	// Protect, RetainOnDelete and DeletedWith are the resource options.
	Protect        bool   `json:"protect,omitempty"`
	RetainOnDelete bool   `json:"retainOnDelete,omitempty"`
	DeletedWith    string `json:"deletedWith,omitempty"`
}

// Program returns the program to render a loaded, validated configuration
// with: program.DeployConfig.
type Program func(cfg *drconfig.Config) func(ctx *pulumi.Context) (pulumi.Map, error)

// RenderStack renders the stack file at path with program and returns its
// plan and its configuration (nil when it does not load). A stack file
// that does not load, and a program that fails, are the Stack's Error,
// which names the file as stacks/Pulumi.<customer>.yaml wherever the
// project is. The inputs are in the form a reader of the format gets
// (a JSON round trip), so a plan rendered here and one read from another
// revision's drctl compare equal when they declare the same.
func RenderStack(path string, program Program) (Stack, *drconfig.Config) {
	name, err := stackfile.Stack(path)
	if err != nil {
		return Stack{Customer: filepath.Base(path), Error: err.Error()}, nil
	}
	st := Stack{Customer: name}
	label := filepath.ToSlash(stackfile.Path(name))
	values, err := drconfig.ReadStackFile(path)
	if err != nil {
		st.Error = fmt.Sprintf("%s: %v", label, err)
		return st, nil
	}
	cfg, err := drconfig.Load(label, values)
	if err != nil {
		st.Error = err.Error()
		return st, nil
	}
	plan, err := render.Run(name, values, program(cfg))
	if err != nil {
		st.Error = fmt.Sprintf("%s: rendering: %v", label, err)
		return st, cfg
	}
	for _, r := range plan.Resources {
		if !r.Custom {
			continue
		}
		st.Resources = append(st.Resources, Resource{
			URN: r.URN, Type: r.Type, Name: r.Name, Parent: r.Parent, Inputs: r.Inputs,
			Protect: r.Protect, RetainOnDelete: r.RetainOnDelete, DeletedWith: r.DeletedWith,
		})
	}
	b, err := json.Marshal(st)
	if err == nil {
		var plain Stack
		if err = json.Unmarshal(b, &plain); err == nil {
			return plain, cfg
		}
	}
	return Stack{Customer: name, Error: fmt.Sprintf("%s: encoding the plan: %v", label, err)}, cfg
}

// Render renders the stack files (paths; Write sorts them by customer
// first) with at most parallel at once (the number of CPUs when < 1) and
// calls yield with each stack in the order of files, as soon as it and
// every one before it are done: at most 2*parallel rendered stacks are
// held at once. An error from yield stops the rendering and is returned.
func Render(files []string, program Program, parallel int, yield func(Stack, *drconfig.Config) error) error {
	if parallel < 1 {
		parallel = runtime.GOMAXPROCS(0)
	}
	type result struct {
		st  Stack
		cfg *drconfig.Config
	}
	pending := make(chan chan result, 2*parallel)
	workers := make(chan struct{}, parallel)
	stop := make(chan struct{})
	go func() {
		defer close(pending)
		for _, f := range files {
			slot := make(chan result, 1)
			select {
			case workers <- struct{}{}:
			case <-stop:
				return
			}
			go func() {
				st, cfg := RenderStack(f, program)
				<-workers
				slot <- result{st, cfg}
			}()
			select {
			case pending <- slot:
			case <-stop:
				return
			}
		}
	}()
	for slot := range pending {
		r := <-slot
		if err := yield(r.st, r.cfg); err != nil {
			close(stop)
			for range pending { // let the producer see stop
			}
			return err
		}
	}
	return nil
}

// Write renders every stack file of the project at root (Render) and
// writes the rendered fleet to w.
func Write(w io.Writer, root string, program Program, parallel int) error {
	files, err := stackfile.List(root)
	if err != nil {
		return fmt.Errorf("renderfleet: %w", err)
	}
	sortByCustomer(files)
	bw := bufio.NewWriterSize(w, 1<<20)
	enc := json.NewEncoder(bw)
	if err := enc.Encode(Header{Format: Format, Stacks: len(files)}); err != nil {
		return fmt.Errorf("renderfleet: %w", err)
	}
	err = Render(files, program, parallel, func(st Stack, _ *drconfig.Config) error {
		return enc.Encode(st)
	})
	if err == nil {
		err = bw.Flush()
	}
	if err != nil {
		return fmt.Errorf("renderfleet: writing: %w", err)
	}
	return nil
}

// ErrFormat is returned by Read for input that is not a rendered fleet of
// Format.
var ErrFormat = errors.New("not a rendered fleet of format " + Format)

// Read reads a rendered fleet from r and calls yield with each stack, in
// the order written, one at a time. It refuses another format, and a fleet
// cut short (fewer stacks than its header says).
func Read(r io.Reader, yield func(Stack) error) error {
	dec := json.NewDecoder(bufio.NewReaderSize(r, 1<<20))
	var h Header
	if err := dec.Decode(&h); err != nil {
		return fmt.Errorf("renderfleet: reading the header: %w: %w", ErrFormat, err)
	}
	if h.Format != Format {
		return fmt.Errorf("renderfleet: the header says format %q: %w", h.Format, ErrFormat)
	}
	for i := range h.Stacks {
		var st Stack
		if err := dec.Decode(&st); err != nil {
			return fmt.Errorf("renderfleet: reading stack %d of %d: %w", i+1, h.Stacks, err)
		}
		if err := yield(st); err != nil {
			return err
		}
	}
	return nil
}

// sortByCustomer sorts stack file paths by their stack name.
func sortByCustomer(files []string) {
	name := func(f string) string { n, _ := stackfile.Stack(f); return n }
	slices.SortFunc(files, func(a, b string) int {
		na, nb := name(a), name(b)
		switch {
		case na < nb:
			return -1
		case na > nb:
			return 1
		}
		return 0
	})
}
