// Command schemacheck compares the committed azure-native schema facts
// (internal/azureschema) with the provider's own package schema:
//
//	pulumi package get-schema azure-native@<version> > schema.json
//	go run ./tools/schemacheck --schema schema.json
//
// Without --schema, or with --schema -, it reads the schema from stdin. It
// prints the report and exits 0 when the two agree, 1 on mismatches and 2
// on a usage or read error. `make schema-check` runs both steps.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/fhir-dr/fhir-dr/internal/azureschema"
	"github.com/fhir-dr/fhir-dr/internal/schemacheck"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run is the command with its arguments and streams; it returns the exit
// code.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("schemacheck", flag.ContinueOnError)
	flags.SetOutput(stderr)
	schemaPath := flags.String("schema", "-", "the provider schema JSON (`pulumi package get-schema azure-native@<version>`); - is stdin")
	markdown := flags.Bool("markdown", false, "print the report as Markdown")
	flags.Usage = func() {
		fmt.Fprintln(stderr, "usage: schemacheck [--schema FILE] [--markdown]")
		flags.PrintDefaults()
	}
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if flags.NArg() > 0 {
		fmt.Fprintf(stderr, "schemacheck: unexpected arguments %q\n", flags.Args())
		flags.Usage()
		return 2
	}

	report, err := check(*schemaPath, stdin)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	if *markdown {
		fmt.Fprint(stdout, report.Markdown())
	} else {
		fmt.Fprint(stdout, report.String())
	}
	if !report.OK() {
		return 1
	}
	return 0
}

func check(schemaPath string, stdin io.Reader) (schemacheck.Report, error) {
	facts, err := azureschema.Load()
	if err != nil {
		return schemacheck.Report{}, err
	}
	schema := stdin
	if schemaPath != "-" {
		f, err := os.Open(schemaPath)
		if err != nil {
			return schemacheck.Report{}, fmt.Errorf("schemacheck: %w", err)
		}
		defer f.Close()
		schema = f
	}
	return schemacheck.Compare(facts, schema)
}
