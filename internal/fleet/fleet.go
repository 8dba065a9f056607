// Package fleet checks what must hold across the customers' stacks, not
// within one: the names that are one customer's alone. A stack file can be
// valid on its own and still take another customer's Cosmos DB account
// (account names are global in Azure), Traffic Manager name or adopted
// account, or declare a customer other than its stack name; Check finds
// every such conflict in the whole fleet at once.
//
// It judges the resolved configuration (drconfig.LoadFile: defaults
// applied), so a default name (fhir-<customer>, <customer>-fhir) collides
// with an explicit one. Stacks that do not load are not judged: their own
// problems come first.
package fleet

import (
	"cmp"
	"fmt"
	"github.com/fhir-dr/fhir-dr/stackfile"
	"net/url"
	"path/filepath"
	"runtime"
	"slices"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/fhir-dr/fhir-dr/drconfig"
)

// Stack is one stack file and its resolved configuration.
type Stack struct {
	// File names the stack file in problems, e.g.
	// "stacks/Pulumi.contoso.yaml"; its base name is the stack name.
	File string
	// Config is the stack's configuration as drconfig.LoadFile returns
	// it. A stack without one is left out.
	Config *drconfig.Config
}

// Problem is one conflict between stacks, or one stack's conflict with its
// own name.
type Problem struct {
	// Files are every stack file involved, sorted.
	Files []string
	// Key is the setting in conflict, e.g. "fhir-dr:cosmos.accountName".
	Key string
	// Message says what conflicts and why it must not.
	Message string
}

// String is "<files>: <key>: <message>", such as
// "stacks/Pulumi.a.yaml and stacks/Pulumi.b.yaml: fhir-dr:cosmos.accountName: fhir-x is declared by both: ...".
func (p Problem) String() string {
	return listOf(p.Files) + ": " + p.Key + ": " + p.Message
}

// Involves reports whether file is one of the problem's stack files.
func (p Problem) Involves(file string) bool { return slices.Contains(p.Files, file) }

// Problems are every conflict found; as an error they list them all.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// Involving returns the problems that involve one of files.
func (ps Problems) Involving(files ...string) Problems {
	var out Problems
	for _, p := range ps {
		if slices.ContainsFunc(files, p.Involves) {
			out = append(out, p)
		}
	}
	return out
}

func key(path string) string { return drconfig.Namespace + ":" + path }

// Check returns every conflict among stacks: a stack whose customer is not
// its stack name, and customer ids, Cosmos DB account names, adopted
// accounts and their resource groups, and Traffic Manager names declared by
// more than one stack, and a FHIR token audience that is another
// customer's Traffic Manager name. Stacks without a configuration are left
// out. The problems come in that order, each kind sorted by value.
func Check(stacks []Stack) Problems {
	var in []Stack
	for _, s := range stacks {
		if s.Config != nil {
			in = append(in, s)
		}
	}
	slices.SortFunc(in, func(a, b Stack) int { return strings.Compare(a.File, b.File) })

	var ps Problems
	for _, s := range in {
		if name, err := stackfile.Stack(s.File); err == nil && name != s.Config.Customer {
			ps = append(ps, Problem{[]string{s.File}, key("customer"), fmt.Sprintf(
				"is %s, but the stack is %s: a stack is named after its customer, so customer %s's stack file is %s",
				s.Config.Customer, name, s.Config.Customer, filepath.Base(stackfile.Path(s.Config.Customer)))})
		}
	}
	for _, g := range groups(in, func(c *drconfig.Config) string { return c.Customer }) {
		ps = append(ps, Problem{g.files, key("customer"), fmt.Sprintf(
			"%s is declared by %s: a customer has one stack", g.value, quantity(g.files))})
	}
	ps = append(ps, accountNames(in)...)
	ps = append(ps, adoptedAccounts(in)...)
	ps = append(ps, adoptedResourceGroups(in)...)
	for _, g := range groups(in, func(c *drconfig.Config) string { return c.TrafficManager.DNSName }) {
		ps = append(ps, Problem{g.files, key("trafficManager.dnsName"), fmt.Sprintf(
			"%s is declared by %s: %s.trafficmanager.net is one global DNS name, for one customer", g.value, quantity(g.files), g.value)})
	}
	ps = append(ps, audiences(in)...)
	return ps
}

// group is a value claimed by more than one stack.
type group struct {
	// value is the value as the first stack declares it.
	value string
	// files are the stacks that claim it, and configs their
	// configurations, in the order of files.
	files   []string
	configs []*drconfig.Config
}

// groups returns the values (compared case-insensitively: Azure names and
// ARM IDs are) that more than one stack declares, sorted; stacks whose
// value is "" claim nothing.
func groups(stacks []Stack, value func(*drconfig.Config) string) []group {
	byValue := map[string]*group{}
	for _, s := range stacks {
		v := value(s.Config)
		if v == "" {
			continue
		}
		g, ok := byValue[strings.ToLower(v)]
		if !ok {
			g = &group{value: v}
			byValue[strings.ToLower(v)] = g
		}
		g.files = append(g.files, s.File)
		g.configs = append(g.configs, s.Config)
	}
	var out []group
	for _, g := range byValue {
		if len(g.files) > 1 {
			out = append(out, *g)
		}
	}
	slices.SortFunc(out, func(a, b group) int { return cmp.Compare(strings.ToLower(a.value), strings.ToLower(b.value)) })
	return out
}

// accountNames: Cosmos DB account names are global in Azure. An account
// that every stack of the group adopts by the same ID is reported by
// adoptedAccounts instead.
func accountNames(stacks []Stack) Problems {
	var ps Problems
	for _, g := range groups(stacks, func(c *drconfig.Config) string { return c.Cosmos.AccountName }) {
		var adopters []string
		ids := map[string]bool{}
		for i, c := range g.configs {
			if c.Adopted() {
				adopters = append(adopters, g.files[i])
				ids[strings.ToLower(c.Primary.ExistingAccountID)] = true
			}
		}
		if len(adopters) == len(g.files) && len(ids) == 1 {
			continue
		}
		msg := fmt.Sprintf("%s is declared by %s: Cosmos DB account names are global in Azure, so there is one such account, for one customer",
			g.value, quantity(g.files))
		if len(adopters) > 0 {
			msg += fmt.Sprintf("; %s would adopt it (%s)", listOf(adopters), key("primary.existingAccountId"))
		}
		ps = append(ps, Problem{g.files, key("cosmos.accountName"), msg})
	}
	return ps
}

// adoptedAccounts: one existing account is adopted by one stack.
func adoptedAccounts(stacks []Stack) Problems {
	var ps Problems
	for _, g := range groups(stacks, func(c *drconfig.Config) string { return c.Primary.ExistingAccountID }) {
		ps = append(ps, Problem{g.files, key("primary.existingAccountId"), fmt.Sprintf(
			"%s is adopted by %s: an account belongs to one customer's stack", g.value, quantity(g.files))})
	}
	return ps
}

// adoptedResourceGroups: an adopted account's resource group is imported
// (and tagged) by the stack that adopts it, so it must be no other stack's:
// neither the group of another adopted account nor one another stack
// creates for its own account.
func adoptedResourceGroups(stacks []Stack) Problems {
	var ps Problems
	for _, g := range groups(stacks, func(c *drconfig.Config) string { return c.AdoptedIDs()["resourceGroup"] }) {
		ids := map[string]bool{}
		for _, c := range g.configs {
			ids[strings.ToLower(c.Primary.ExistingAccountID)] = true
		}
		if len(ids) == 1 {
			continue // the same account: adoptedAccounts says so
		}
		ps = append(ps, Problem{g.files, key("primary.existingAccountId"), fmt.Sprintf(
			"the resource group %s is adopted by %s: each would import it and tag it as its own; a resource group belongs to one customer's stack",
			g.value, quantity(g.files))})
	}
	created := map[string]Stack{}
	for _, s := range stacks {
		if !s.Config.Adopted() {
			created[strings.ToLower(s.Config.PrimaryResourceGroupName())] = s
		}
	}
	for _, s := range stacks {
		if !s.Config.Adopted() {
			continue
		}
		rg := s.Config.PrimaryResourceGroupName()
		if other, ok := created[strings.ToLower(rg)]; ok {
			ps = append(ps, Problem{sorted(s.File, other.File), key("primary.existingAccountId"), fmt.Sprintf(
				"%s adopts an account in the resource group %s, which %s creates for customer %s's data: a resource group belongs to one customer's stack",
				s.File, rg, other.File, other.Config.Customer)})
		}
	}
	return ps
}

// audiences: a FHIR service that trusts tokens for another customer's
// Traffic Manager name would accept that customer's tokens.
func audiences(stacks []Stack) Problems {
	byDNS := map[string][]Stack{}
	for _, s := range stacks {
		dns := strings.ToLower(s.Config.TrafficManager.DNSName)
		byDNS[dns] = append(byDNS[dns], s)
	}
	var ps Problems
	for _, s := range stacks {
		label, ok := trafficManagerLabel(s.Config.FHIR.Auth.Audience)
		if !ok || label == strings.ToLower(s.Config.TrafficManager.DNSName) {
			continue // not a Traffic Manager name, or its own (a shared one is a dnsName problem)
		}
		for _, other := range byDNS[label] {
			ps = append(ps, Problem{sorted(s.File, other.File), key("fhir.auth.audience"), fmt.Sprintf(
				"in %s is %s.trafficmanager.net, the Traffic Manager name of customer %s (%s): its FHIR service would accept tokens meant for %s; "+
					"use the customer's own name, %s.trafficmanager.net",
				s.File, other.Config.TrafficManager.DNSName, other.Config.Customer, other.File, other.Config.Customer, s.Config.TrafficManager.DNSName)})
		}
	}
	return ps
}

// trafficManagerLabel returns the lowercase DNS label of an audience that
// names a Traffic Manager profile (https://<label>.trafficmanager.net/,
// with or without scheme and path).
func trafficManagerLabel(audience string) (string, bool) {
	host, _, _ := strings.Cut(audience, "/")
	if u, err := url.Parse(audience); err == nil && u.Host != "" {
		host = u.Hostname()
	}
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	label, ok := strings.CutSuffix(host, ".trafficmanager.net")
	if !ok || label == "" || strings.Contains(label, ".") {
		return "", false
	}
	return label, true
}

func sorted(files ...string) []string {
	slices.Sort(files)
	return slices.Compact(files)
}

// listOf joins names as "a", "a and b", "a, b and c".
func listOf(names []string) string {
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// quantity is "both" or "all <n>" of the files.
func quantity(files []string) string {
	if len(files) == 2 {
		return "both"
	}
	return fmt.Sprintf("all %d", len(files))
}

// Files returns the stack files of the project at root, sorted.
func Files(root string) ([]string, error) {
	files, err := stackfile.List(root)
	slices.Sort(files)
	return files, err
}

// Load reads and resolves files (drconfig.LoadFile) concurrently and
// returns them as stacks named by their path relative to root. A file
// that does not load has no Config: its problems are its own to report.
func Load(root string, files []string) []Stack {
	stacks := make([]Stack, len(files))
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, f := range files {
		g.Go(func() error {
			stacks[i].File = Rel(root, f)
			stacks[i].Config, _ = drconfig.LoadFile(f)
			return nil
		})
	}
	_ = g.Wait() // nothing fails: a stack that does not load has no Config
	return stacks
}

// Rel names a stack file relative to the project root, as problems do.
func Rel(root, file string) string {
	if rel, err := filepath.Rel(root, file); err == nil && !strings.HasPrefix(rel, "..") {
		return filepath.ToSlash(rel)
	}
	return file
}

// CheckProject checks every stack file of the project at root.
func CheckProject(root string) (Problems, error) {
	files, err := Files(root)
	if err != nil {
		return nil, err
	}
	return Check(Load(root, files)), nil
}
