// Command azuregen writes fhir-dr's typed azure-native layer (azure/<module>/
// zz_generated.go) and its schema facts (internal/azureschema/
// azure-native-inputs.json) from the official @pulumi/azure-native npm
// package, for the resource types and functions named in azure/azuregen.txt.
//
// The azure-native Go SDK cannot be fetched where fhir-dr is built, but the
// npm registry serves the same provider's Node.js SDK, generated from the
// same schema: its declaration files carry every input's wire name, which
// inputs are required, the enums, the output properties, the API version,
// and its JavaScript the SDK's defaults. The generator reads those forms
// strictly and fails on anything it does not understand.
//
// Usage (from the repository root; `make generate` runs it):
//
//	go run ./tools/azuregen [--pkg DIR] [--root DIR] [--out DIR]
//
// Without --pkg it runs `npm pack @pulumi/azure-native@<version>` into a
// cache outside the repository (the user cache directory) and unpacks it
// there once per version.
package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

func main() {
	if err := run(os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "azuregen:", err)
		os.Exit(1)
	}
}

func run(args []string, log io.Writer) error {
	flags := flag.NewFlagSet("azuregen", flag.ContinueOnError)
	pkgDir := flags.String("pkg", "", "an unpacked @pulumi/azure-native package (default: npm pack into the user cache)")
	root := flags.String("root", ".", "the repository root: the version pin and the list are read there")
	out := flags.String("out", "", "where to write azure/ and internal/azureschema/ (default: --root)")
	listFile := flags.String("list", "azure/azuregen.txt", "the list of tokens, relative to --root unless absolute")
	check := flags.Bool("check", false, "write nothing; fail if the files under --out differ from what would be generated")
	if err := flags.Parse(args); err != nil {
		return err
	}
	if *out == "" {
		*out = *root
	}
	version, err := pinnedVersion(*root)
	if err != nil {
		return err
	}
	if !filepath.IsAbs(*listFile) {
		*listFile = filepath.Join(*root, *listFile)
	}
	src, err := os.ReadFile(*listFile)
	if err != nil {
		return fmt.Errorf("reading the list: %w", err)
	}
	l, err := parseList(*listFile, string(src))
	if err != nil {
		return err
	}
	if *pkgDir == "" {
		if *pkgDir, err = fetchPackage(version, log); err != nil {
			return err
		}
	}
	if err := checkPackageVersion(*pkgDir, version); err != nil {
		return err
	}
	pkg, err := newPkgReader(*pkgDir)
	if err != nil {
		return err
	}
	m, err := buildModel(pkg, l, version)
	if err != nil {
		return err
	}
	files, err := m.render()
	if err != nil {
		return err
	}
	if *check {
		return checkFiles(*out, files)
	}
	return writeFiles(*out, files)
}

// checkFiles compares the generated files with what is under root: every
// file must match byte for byte, and no generated file may be left over
// from a type no longer listed.
func checkFiles(root string, files map[string][]byte) error {
	var problems []string
	for _, rel := range slices.Sorted(maps.Keys(files)) {
		have, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(rel)))
		switch {
		case errors.Is(err, fs.ErrNotExist):
			problems = append(problems, rel+": missing")
		case err != nil:
			return err
		case !bytes.Equal(have, files[rel]):
			problems = append(problems, rel+": differs from the generator's output (edited by hand, or the list or pin changed)")
		}
	}
	old, err := generatedOnDisk(root)
	if err != nil {
		return err
	}
	for _, path := range old {
		rel, _ := filepath.Rel(root, path)
		if _, ok := files[filepath.ToSlash(rel)]; !ok {
			problems = append(problems, filepath.ToSlash(rel)+": generated for a module no longer listed")
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("generated files are out of date; run `make generate` and commit the result:\n  %s",
			strings.Join(problems, "\n  "))
	}
	return nil
}

// generatedOnDisk lists the generated Go files under root/azure.
func generatedOnDisk(root string) ([]string, error) {
	old, err := filepath.Glob(filepath.Join(root, "azure", "*", generatedFile))
	if err != nil {
		return nil, err
	}
	top, err := filepath.Glob(filepath.Join(root, "azure", generatedFile))
	return append(old, top...), err
}

// versionLine finds the pin in the hand-written azurenative package.
var versionLine = regexp.MustCompile(`(?m)^const Version = "([0-9]+\.[0-9]+\.[0-9]+)"$`)

// pinnedVersion reads the provider version from azure/azurenative, the one
// place it is written.
func pinnedVersion(root string) (string, error) {
	b, err := os.ReadFile(filepath.Join(root, "azure", "azurenative", "azurenative.go"))
	if err != nil {
		return "", fmt.Errorf("reading the version pin: %w", err)
	}
	m := versionLine.FindSubmatch(b)
	if m == nil {
		return "", errors.New("azure/azurenative/azurenative.go has no `const Version = \"x.y.z\"` line")
	}
	return string(m[1]), nil
}

func checkPackageVersion(dir, version string) error {
	b, err := os.ReadFile(filepath.Join(dir, "package.json"))
	if err != nil {
		return fmt.Errorf("%s is not an unpacked npm package: %w", dir, err)
	}
	if !strings.Contains(string(b), `"version": "`+version+`"`) {
		return fmt.Errorf("%s/package.json is not @pulumi/azure-native %s", dir, version)
	}
	return nil
}

// fetchPackage returns the unpacked package for version, fetching it with
// npm the first time.
func fetchPackage(version string, log io.Writer) (string, error) {
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no cache directory for the npm package (pass --pkg): %w", err)
	}
	dir := filepath.Join(cache, "fhir-dr", "azure-native-"+version)
	pkg := filepath.Join(dir, "package")
	if _, err := os.Stat(filepath.Join(pkg, "package.json")); err == nil {
		return pkg, nil
	}
	if _, err := exec.LookPath("npm"); err != nil {
		return "", errors.New("npm is not on PATH: it fetches @pulumi/azure-native (install Node.js and npm, or pass --pkg)")
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return "", err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dir), "fetch-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	fmt.Fprintf(log, "azuregen: npm pack @pulumi/azure-native@%s\n", version)
	cmd := exec.Command("npm", "pack", "--silent", "@pulumi/azure-native@"+version, "--pack-destination", tmp)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	outb, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("npm pack @pulumi/azure-native@%s failed (is the npm registry reachable?): %w\n%s",
			version, err, stderr.String())
	}
	tgz := filepath.Join(tmp, strings.TrimSpace(lastLine(string(outb))))
	unpacked := filepath.Join(tmp, "unpacked")
	if err := untar(tgz, unpacked); err != nil {
		return "", fmt.Errorf("unpacking %s: %w", tgz, err)
	}
	if err := os.RemoveAll(dir); err != nil {
		return "", err
	}
	if err := os.Rename(unpacked, dir); err != nil {
		return "", err
	}
	return pkg, nil
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// untar unpacks the package's .d.ts, .js and package.json files.
func untar(tgz, dst string) error {
	f, err := os.Open(tgz)
	if err != nil {
		return err
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return err
	}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		name := filepath.Clean(h.Name)
		if h.Typeflag != tar.TypeReg || strings.HasPrefix(name, "..") || filepath.IsAbs(name) ||
			!(strings.HasSuffix(name, ".d.ts") || strings.HasSuffix(name, ".js") || strings.HasSuffix(name, "package.json")) {
			continue
		}
		path := filepath.Join(dst, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		w, err := os.Create(path)
		if err != nil {
			return err
		}
		if _, err := io.Copy(w, tr); err != nil {
			w.Close()
			return err
		}
		if err := w.Close(); err != nil {
			return err
		}
	}
}

// writeFiles writes each file (path relative to root) and removes
// generated files of modules no longer listed.
func writeFiles(root string, files map[string][]byte) error {
	old, err := generatedOnDisk(root)
	if err != nil {
		return err
	}
	for _, path := range old {
		rel, _ := filepath.Rel(root, path)
		if _, keep := files[filepath.ToSlash(rel)]; !keep {
			if err := os.Remove(path); err != nil {
				return err
			}
		}
	}
	for rel, content := range files {
		path := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, content, 0o644); err != nil {
			return err
		}
	}
	return nil
}
