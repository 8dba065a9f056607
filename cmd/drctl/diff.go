package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/fhir-dr/fhir-dr/internal/gitexec"
	"github.com/fhir-dr/fhir-dr/internal/review"
	"github.com/fhir-dr/fhir-dr/program"
)

func runDiff(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("drctl diff", flag.ContinueOnError)
	fs.SetOutput(stderr)
	base := fs.String("base", "", "git revision to compare the working tree with, e.g. the pull request's base. Required.")
	asJSON := fs.Bool("json", false, "print the review as JSON instead of the Markdown comment")
	engineLog := fs.String("engine-log", "", "file to write the engine's own output to")
	parallel := fs.Int("parallel", 0, "stacks reviewed at once (default: the number of CPUs)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *base == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "drctl diff: --base <git-revision> is required")
		return 2
	}
	if err := gitexec.CheckRevision(*base); err != nil {
		fmt.Fprintln(stderr, "drctl diff: --base:", err)
		return 2
	}
	root, err := projectRoot()
	if err != nil {
		fmt.Fprintln(stderr, "drctl diff:", err)
		return 1
	}
	opts := review.Options{ProjectRoot: root, Base: *base, Program: program.Run, Deploy: program.Deploy, Parallel: *parallel}
	if *engineLog != "" {
		f, err := os.Create(*engineLog)
		if err != nil {
			fmt.Fprintln(stderr, "drctl diff:", err)
			return 1
		}
		defer f.Close()
		opts.EngineLog = f
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	report, err := review.Run(ctx, opts)
	if err != nil {
		fmt.Fprintln(stderr, "drctl diff:", err)
		return 1
	}
	if *asJSON {
		b, err := json.MarshalIndent(report, "", "  ")
		if err != nil {
			fmt.Fprintln(stderr, "drctl diff:", err)
			return 1
		}
		fmt.Fprintln(stdout, string(b))
	} else {
		fmt.Fprint(stdout, review.Markdown(report, 0))
	}
	if report.Hazardous() {
		fmt.Fprintln(stderr, "drctl diff: the change must not be deployed as it is (hazards or engine refusals above)")
		return 1
	}
	return 0
}
