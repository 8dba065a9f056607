package testfleet

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fhir-dr/fhir-dr/stackfile"
)

// Template is one shape of the synthetic fleet: a fixture customer's stack
// file, optionally made to adopt an existing Cosmos DB account.
type Template struct {
	// Fixture is the fixture customer the stack files are derived from.
	Fixture string
	// Adopted adds primary.existingAccountId: an account of the customer's
	// own, in a resource group of its own. No fixture adopts one, and the
	// fleet must have every shape the program renders.
	Adopted bool
}

// Templates are the shapes Synthetic deals out in turn: every fixture as it
// is, and the two tiers of the fixtures without compute adopted (DR off,
// data tier).
var Templates = []Template{
	{Fixture: "adatum"}, {Fixture: "contoso"}, {Fixture: "fabrikam"}, {Fixture: "litware"},
	{Fixture: "northwind"}, {Fixture: "tailspin"},
	{Fixture: "adatum", Adopted: true}, {Fixture: "litware", Adopted: true},
}

// SyntheticCustomer is the customer id of the i-th stack of a synthetic
// fleet: its template's fixture with a four-digit number, e.g.
// "contoso0001" (at most 13 characters: within the customer pattern, and
// longer than an action group's short name, which is cut).
func SyntheticCustomer(i int) string {
	return fmt.Sprintf("%s%04d", Templates[i%len(Templates)].Fixture, i)
}

// Synthetic writes a fleet of n stack files under the project root dir
// (dir/stacks/, created) and returns their paths in customer order: the
// i-th is Templates[i mod len(Templates)] with customer
// SyntheticCustomer(i). Every name that must be one customer's alone is
// the customer's: the customer id, and with it the default Cosmos DB
// account and Traffic Manager names, the FHIR token audience, the export
// storage account and template registry the fixtures name, and the adopted
// account and its resource group. The fleet passes fleet.Check and drctl
// validate; TestSynthetic proves it, and that it has every plan shape of
// the fixtures.
func Synthetic(tb testing.TB, dir string, n int) []string {
	tb.Helper()
	if err := os.MkdirAll(filepath.Join(dir, stackfile.Dir), 0o755); err != nil {
		tb.Fatal(err)
	}
	fixtures := map[string][]byte{}
	for _, c := range Customers {
		fixtures[c] = Read(tb, c)
	}
	files := make([]string, n)
	for i := range n {
		customer := SyntheticCustomer(i)
		content := syntheticStack(fixtures, Templates[i%len(Templates)], customer)
		files[i] = filepath.Join(dir, stackfile.Path(customer))
		if err := os.WriteFile(files[i], content, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	return files
}

// syntheticStack is a template's stack file for customer. The fixture's
// id is replaced wherever it occurs: in the customer setting and in every
// name derived from it (audience, storage account, registry, CORS origin),
// all of which stay valid Azure names since customer only appends digits.
func syntheticStack(fixtures map[string][]byte, t Template, customer string) []byte {
	s := string(fixtures[t.Fixture])
	s = strings.ReplaceAll(s, t.Fixture, customer)
	s = fmt.Sprintf("# Synthetic stack %s, derived from the fixture %s.\n", customer, t.Fixture) + s
	if t.Adopted {
		if !strings.HasSuffix(s, "\n") {
			s += "\n"
		}
		s += fmt.Sprintf("  fhir-dr:primary:\n    existingAccountId: %s\n", AdoptedAccountID(customer))
	}
	return []byte(s)
}

// AdoptedAccountID is the existing Cosmos DB account a synthetic stack of
// customer adopts: its own account in its own resource group.
func AdoptedAccountID(customer string) string {
	return "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-" + customer +
		"-legacy/providers/Microsoft.DocumentDB/databaseAccounts/cosmos-" + customer + "-legacy"
}
