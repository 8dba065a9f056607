package drconfig

import (
	"fmt"
	"strings"
)

// Problem is one invalid setting.
type Problem struct {
	// Key is the full configuration key, e.g. "fhir-dr:dr.tier".
	Key string
	// Message says what is wrong and how to fix it.
	Message string
}

func (p Problem) String() string { return p.Key + ": " + p.Message }

// Problems is every problem found in a configuration; as an error it lists
// them all.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// Error is a configuration that cannot be deployed: the stack file and every
// problem in it.
type Error struct {
	// File is the stack file, e.g. "stacks/Pulumi.contoso.yaml".
	File string
	// Problems are the problems found, in key order of discovery.
	Problems Problems
}

func (e *Error) Error() string {
	var b strings.Builder
	noun := "problems"
	if len(e.Problems) == 1 {
		noun = "problem"
	}
	fmt.Fprintf(&b, "%s: %d configuration %s:", e.File, len(e.Problems), noun)
	for _, p := range e.Problems {
		b.WriteString("\n  " + p.String())
	}
	return b.String()
}

// problems collects problems during decoding and validation.
type problems struct{ list Problems }

func (ps *problems) add(key, format string, args ...any) {
	ps.list = append(ps.list, Problem{Key: key, Message: fmt.Sprintf(format, args...)})
}
