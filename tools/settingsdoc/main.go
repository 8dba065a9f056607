// Command settingsdoc writes what the project derives from the settings
// declarations (drconfig.Settings): Pulumi.yaml and the configuration table
// of README.md. `go generate ./drconfig` runs it; drconfig's
// TestGeneratedDocs fails when the files differ from what it would write.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/fhir-dr/fhir-dr/drconfig"
)

func main() {
	root := flag.String("root", ".", "the project root")
	flag.Parse()
	if err := run(*root); err != nil {
		fmt.Fprintln(os.Stderr, "settingsdoc:", err)
		os.Exit(1)
	}
}

func run(root string) error {
	readmePath := filepath.Join(root, "README.md")
	readme, err := os.ReadFile(readmePath)
	if err != nil {
		return err
	}
	synced, err := drconfig.SyncDocs(string(readme))
	if err != nil {
		return err
	}
	if err := os.WriteFile(readmePath, []byte(synced), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(root, "Pulumi.yaml"), []byte(drconfig.PulumiYAML()), 0o644)
}
