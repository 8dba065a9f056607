package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/fhir-dr/fhir-dr/internal/renderfleet"
	"github.com/fhir-dr/fhir-dr/program"
)

// renderFleetOptions are drctl render-fleet's flags.
type renderFleetOptions struct {
	root, out string
	parallel  int
}

// newRenderFleetCmd is drctl render-fleet, hidden: drctl diff builds the
// base revision's drctl and runs this to render the base's fleet with the
// base's own program, in one process (internal/renderfleet).
func newRenderFleetCmd() *cobra.Command {
	var o renderFleetOptions
	cmd := &cobra.Command{
		Use:   "render-fleet --root <dir> --out <file>",
		Short: "render every stack of a project offline, in one process, as " + renderfleet.Format + " (drctl diff runs it)",
		Long: `drctl render-fleet renders every stack file of the project at --root with this drctl's program under
mocks, concurrently, and writes the plans to --out ("-" for standard output) in the versioned format
` + renderfleet.Format + ` (JSON Lines: a header, then one line per stack, sorted): each stack's custom
resources with URN, type, name, parent, inputs and options, or the error that kept it from rendering. drctl
diff runs the base revision's own drctl render-fleet to compare a program change without running the
engine for every stack.`,
		Hidden: true,
		Args:   noArgs("the stacks are the project's at --root"),
		RunE: action(func(cmd *cobra.Command, _ []string) error {
			return runRenderFleet(o, cmd.OutOrStdout())
		}),
	}
	f := cmd.Flags()
	f.StringVar(&o.root, "root", "", "the project `dir` (holding Pulumi.yaml and stacks/). Required.")
	f.StringVar(&o.out, "out", "", "the `file` to write, - for standard output. Required.")
	newIntAtLeast(cmd, &o.parallel, "parallel", 0, 1, "stacks rendered at once (default: the number of CPUs)")
	_ = cmd.MarkFlagRequired("root")
	_ = cmd.MarkFlagRequired("out")
	return cmd
}

// runRenderFleet is drctl render-fleet. A stack that does not render is
// recorded in the output, not a failure of the command.
func runRenderFleet(o renderFleetOptions, stdout io.Writer) (err error) {
	if _, err := os.Stat(filepath.Join(o.root, "Pulumi.yaml")); err != nil {
		return fmt.Errorf("--root %s is not a project: %w", o.root, err)
	}
	w := stdout
	if o.out != "-" {
		f, err := os.Create(o.out)
		if err != nil {
			return err
		}
		defer func() {
			if cerr := f.Close(); err == nil {
				err = cerr
			}
		}()
		w = f
	}
	return renderfleet.Write(w, o.root, program.DeployConfig, o.parallel)
}
