package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"

	"github.com/fhir-dr/fhir-dr/azure/azurenative"
	"github.com/fhir-dr/fhir-dr/internal/engine"
	"github.com/fhir-dr/fhir-dr/internal/kubestandin"
	"github.com/fhir-dr/fhir-dr/policy/analyzer"
)

// readBuildInfo is runtime/debug.ReadBuildInfo; tests replace it.
var readBuildInfo = debug.ReadBuildInfo

// versionInfo is what drctl version reports.
type versionInfo struct {
	// Module is drctl's module and its version ("(devel)" when built from
	// a checkout).
	Module debug.Module
	// Revision, Time and Modified are the VCS facts the build recorded;
	// Revision is empty when it recorded none (-buildvcs=false, go run).
	Revision, Time string
	Modified       bool
	// GoVersion is the toolchain that built drctl.
	GoVersion string
}

// buildVersion reads drctl's build information.
func buildVersion() versionInfo {
	v := versionInfo{Module: debug.Module{Path: "github.com/fhir-dr/fhir-dr", Version: "(devel)"}, GoVersion: runtime.Version()}
	info, ok := readBuildInfo()
	if !ok {
		return v
	}
	if info.Main.Path != "" {
		v.Module.Path = info.Main.Path
	}
	if info.Main.Version != "" {
		v.Module.Version = info.Main.Version
	}
	if info.GoVersion != "" {
		v.GoVersion = info.GoVersion
	}
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			v.Revision = s.Value
		case "vcs.time":
			v.Time = s.Value
		case "vcs.modified":
			v.Modified = s.Value == "true"
		}
	}
	return v
}

// versionText is drctl version's output.
func versionText(v versionInfo) string {
	revision := "unknown: the build recorded no VCS information (go run, or -buildvcs=false)"
	if v.Revision != "" {
		revision = v.Revision
		if v.Time != "" {
			revision += " (" + v.Time + ")"
		}
		if v.Modified {
			revision += ", with uncommitted changes"
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "drctl %s\n", v.Module.Version)
	rows := [][2]string{
		{"module", v.Module.Path + " " + v.Module.Version},
		{"revision", revision},
		{"go", v.GoVersion},
		{"azure-native", azurenative.Version + " (the provider every Azure resource pins)"},
		{"kubernetes", kubestandin.Version + " (the provider the kubernetes SDK pins)"},
		{"pulumi", engine.CLIVersion + " (the SDK, and the CLI of the offline rehearsal)"},
		{"policy pack", analyzer.Name + " " + analyzer.Version},
	}
	for _, r := range rows {
		fmt.Fprintf(&b, "  %-13s %s\n", r[0], r[1])
	}
	return b.String()
}

// newVersionCmd is drctl version.
func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "drctl's module version and VCS revision, and the provider and Pulumi versions it pins",
		Long: `drctl version prints drctl's module version and the VCS revision it was built from (runtime/debug's build
information: a binary built with go build in a checkout records them; go run does not), the Go toolchain,
and the versions the repository pins: the azure-native and kubernetes providers, the Pulumi SDK and CLI,
and the policy pack. drctl --version prints the same.`,
		Args: noArgs(""),
		RunE: action(func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprint(cmd.OutOrStdout(), versionText(buildVersion()))
			return err
		}),
	}
}
