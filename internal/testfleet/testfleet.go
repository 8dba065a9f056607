// Package testfleet is the tests' own fleet of stack files: frozen copies of
// the example stacks (adatum, contoso, fabrikam, litware, northwind,
// tailspin) in testdata/stacks/ at the repository root, and nothing else.
//
// Tests that pin what a particular customer renders (resource counts,
// inputs, totals, report rows) read these, never the operators' stacks/:
// operators add and edit customers there after support tickets, and that
// must never need a test edit. Tests that run over stacks/ check only what
// holds for any valid stack file (see TestOperatorsStacks in package
// components and TestOperatorsFleet in cmd/drctl).
//
// testdata/ is a project root of its own (testdata/Pulumi.yaml links to the
// project's), so a tool run with Root() as its working directory sees the
// fixture fleet as its stacks/. It is read-only: a test that writes to a
// stack file copies the fleet with Project first.
package testfleet

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/fhir-dr/fhir-dr/stackfile"
)

// Customers are the customers of the fixture fleet, sorted.
var Customers = []string{"adatum", "contoso", "fabrikam", "litware", "northwind", "tailspin"}

// RepoRoot returns the absolute path of the repository root.
func RepoRoot() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		panic("testfleet: no caller information")
	}
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// Root returns the absolute path of the fixture project: testdata/ at the
// repository root, with Pulumi.yaml and stacks/.
func Root() string {
	return filepath.Join(RepoRoot(), "testdata")
}

// Dir returns the absolute path of the fixture fleet's stack files.
func Dir() string {
	return filepath.Join(Root(), stackfile.Dir)
}

// Path returns the absolute path of a fixture customer's stack file.
func Path(customer string) string {
	return filepath.Join(Root(), stackfile.Path(customer))
}

// Read returns the content of a fixture customer's stack file.
func Read(tb testing.TB, customer string) []byte {
	tb.Helper()
	b, err := os.ReadFile(Path(customer))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// OperatorStacks returns the customers of the operators' stacks/ at the
// repository root, whatever they are today, sorted.
func OperatorStacks(tb testing.TB) []string {
	tb.Helper()
	return Stacks(tb, RepoRoot())
}

// Stacks returns the customers of the stack files under the project root,
// sorted.
func Stacks(tb testing.TB, root string) []string {
	tb.Helper()
	names, err := stackfile.Customers(root)
	if err != nil {
		tb.Fatal(err)
	}
	return names
}

// Clone clones the committed project (HEAD of the repository, not the
// working tree's uncommitted state) into a temporary directory, links the
// checkout's .bin (the prebuilt Pulumi CLI) into it, and returns its root.
func Clone(tb testing.TB) string {
	tb.Helper()
	clone := tb.TempDir()
	Git(tb, "", "clone", "--quiet", "--no-local", RepoRoot(), clone)
	bin := filepath.Join(RepoRoot(), ".bin")
	if _, err := os.Stat(bin); err == nil {
		if err := os.Symlink(bin, filepath.Join(clone, ".bin")); err != nil {
			tb.Fatal(err)
		}
	}
	return clone
}

// CloneWithFixtures is Clone whose HEAD has the fixture fleet as its
// stacks/ (one more commit), whatever the operators' stacks/ holds: tests
// that edit stack files in a clone and review them against HEAD pin what
// they see.
func CloneWithFixtures(tb testing.TB) string {
	tb.Helper()
	clone := Clone(tb)
	files, err := stackfile.List(clone)
	if err != nil {
		tb.Fatal(err)
	}
	for _, f := range files {
		if err := os.Remove(f); err != nil {
			tb.Fatal(err)
		}
	}
	for _, c := range Customers {
		if err := os.WriteFile(filepath.Join(clone, stackfile.Path(c)), Read(tb, c), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	Git(tb, clone, "add", "-A", stackfile.Dir)
	Git(tb, clone, "commit", "--quiet", "--allow-empty", "-m", "stacks: the fixture fleet")
	return clone
}

// Git runs git in dir (the working directory when dir is empty), failing
// the test with its output if it fails, and returns its output.
func Git(tb testing.TB, dir string, args ...string) string {
	tb.Helper()
	if dir != "" {
		args = append([]string{"-C", dir}, args...)
	}
	args = append([]string{"-c", "user.name=fhir-dr tests", "-c", "user.email=tests@fhir-dr.invalid", "-c", "commit.gpgsign=false"}, args...)
	out, err := exec.Command("git", args...).CombinedOutput()
	if err != nil {
		tb.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// Main runs a package's tests (from its TestMain) with git's own repository
// variables unset, so that the tests' git commands stay in their own
// repositories: run from a git hook or "git rebase -x", those variables
// would point every "git -C <clone>" at the project's repository instead.
func Main(m *testing.M) {
	for _, v := range []string{"GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_COMMON_DIR"} {
		os.Unsetenv(v)
	}
	os.Exit(m.Run())
}
