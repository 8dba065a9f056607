package review

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const urn = "urn:pulumi:c::fhir-dr::fhir-dr:index:CustomerDR$fhir-dr:index:CosmosAccount$azure-native:cosmosdb:DatabaseAccount::account"

func account(name, location string, tags string, locs ...any) Resource {
	return Resource{URN: urn, Type: accountType, Name: "account", Inputs: resource.NewPropertyMapFromMap(map[string]any{
		"accountName": name, "location": location, "locations": locs, "tags": map[string]any{"t": tags},
	})}
}

func loc(name string, priority int) map[string]any {
	return map[string]any{"locationName": name, "failoverPriority": priority, "isZoneRedundant": false}
}

func TestHazards(t *testing.T) {
	single := account("fhir-c", "eastus", "a", loc("eastus", 0))
	dr := account("fhir-c", "eastus", "a", loc("eastus", 0), loc("westus", 1))
	for name, tc := range map[string]struct {
		base, current []Resource
		want          []Hazard
	}{
		"no account before":         {nil, []Resource{dr}, nil},
		"a region added on its own": {[]Resource{single}, []Resource{dr}, nil},
		"a tag changed on its own":  {[]Resource{dr}, []Resource{account("fhir-c", "eastus", "b", loc("eastus", 0), loc("westus", 1))}, nil},
		"the account no longer declared": {[]Resource{dr}, nil, []Hazard{{DataLoss, urn,
			"the Cosmos DB account fhir-c would be deleted with the customer's data", "Keep declaring it (it is protected, so the update would fail)."}}},
		"renamed": {[]Resource{dr}, []Resource{account("fhir-c2", "eastus", "a", loc("eastus", 0), loc("westus", 1))}, []Hazard{{DataLoss, urn,
			"the Cosmos DB account fhir-c would be replaced, losing the customer's data (accountName: part of the ARM resource ID)",
			"Revert this change: a new account, region or name needs a migration, not a config edit."}}},
		"a region added with a tag change": {[]Resource{single}, []Resource{account("fhir-c", "eastus", "b", loc("eastus", 0), loc("westus", 1))},
			[]Hazard{{SplitRequired, urn, "Azure rejects this update of the Cosmos DB account fhir-c: adding or removing regions (add westus) " +
				"cannot be combined with other account changes (tags) in one request",
				"Split it into two pull requests: first the other changes with the regions as they are, then, once that is deployed, " +
					"the region change on its own."}}},
		"the write region moved by config": {[]Resource{dr}, []Resource{account("fhir-c", "eastus", "a", loc("eastus", 1), loc("westus", 0))},
			[]Hazard{{WriteRegionByConfig, urn, "Cosmos DB account fhir-c: the write region changes from eastus to westus: Azure changes the " +
				"write region only through a failover (failoverPriorityChange), not an account update", "Move the write region with the failover " +
				"procedure (runbook, drctl failover), which records the new write region in the stack file; do not edit regions to do it."}}},
		"the secondary swapped in one step": {[]Resource{dr}, []Resource{account("fhir-c", "eastus", "a", loc("eastus", 0), loc("centralus", 1))},
			[]Hazard{{SplitRequired, urn, "Cosmos DB account fhir-c: regions cannot be added (centralus) and removed (westus) in one update",
				"Change the secondary region in two pull requests: first set dr.secondaryRegion to the new region and dr.retiringSecondaryRegion " +
					"to the old one (both are kept), then, once that is deployed, remove dr.retiringSecondaryRegion."}}},
		"the secondary removed while it is the write region": {
			[]Resource{account("fhir-c", "eastus", "a", loc("eastus", 1), loc("westus", 0))},
			[]Resource{account("fhir-c", "eastus", "a", loc("eastus", 0))},
			[]Hazard{{WriteRegionRemoved, urn, "Cosmos DB account fhir-c: the write region westus cannot be removed", "Fail over to another region first (runbook, drctl failover), " +
				"then remove the old write region in a later pull request."}}},
	} {
		t.Run(name, func(t *testing.T) {
			assert.Equal(t, tc.want, Hazards(tc.base, tc.current))
		})
	}
}

func TestFieldChanges(t *testing.T) {
	old := map[string]any{"a": 1.0, "tags": map[string]any{"x": "1", "y": "2"}, "ranges": []any{"10.0.0.0/8", "192.0.2.0/24"}}
	new := map[string]any{"a": 1.0, "tags": map[string]any{"x": "3"}, "ranges": []any{"10.0.0.0/8", "198.51.100.0/24"}, "b": true}
	assert.Equal(t, []FieldChange{
		{"b", "(none)", "true"},
		{"ranges[]", `"192.0.2.0/24"`, "(none)"},
		{"ranges[]", "(none)", `"198.51.100.0/24"`},
		{"tags.x", `"1"`, `"3"`},
		{"tags.y", `"2"`, "(none)"},
	}, fieldChanges(old, new))
	assert.Nil(t, fieldChanges(nil, new), "a create lists no fields")
	assert.Equal(t, []FieldChange{{"ranges (order)", `["b","a"]`, `["a","b"]`}},
		fieldChanges(map[string]any{"ranges": []any{"b", "a"}}, map[string]any{"ranges": []any{"a", "b"}}))
}

// unknown is the sentinel that stands for a value not known before the
// deployment in the engine's events.
const unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"

// A secondary move as the engine reports it: the account's locations keyed
// by region, the Deployment's containers and environment by name, whole
// values never cut, unknowns said to be so.
func TestFieldChangesOfASecondaryMove(t *testing.T) {
	location := func(name string, priority float64) map[string]any {
		return map[string]any{"failoverPriority": priority, "isZoneRedundant": true, "locationName": name}
	}
	assert.Equal(t, []FieldChange{
		{"locations[spaincentral].failoverPriority", "1", "2"},
		{"locations[swedencentral]", "(none)", `{"failoverPriority":1,"isZoneRedundant":true,"locationName":"swedencentral"}`},
	}, fieldChanges(
		map[string]any{"locations": []any{location("italynorth", 0), location("spaincentral", 1)}},
		map[string]any{"locations": []any{location("italynorth", 0), location("swedencentral", 1), location("spaincentral", 2)}}))
	assert.Equal(t, []FieldChange{
		{"locations[ukwest]", `{"failoverPriority":1,"isZoneRedundant":true,"locationName":"ukwest"}`, "(none)"},
	}, fieldChanges(
		map[string]any{"locations": []any{location("uksouth", 0), location("ukwest", 1)}},
		map[string]any{"locations": []any{location("uksouth", 0)}}), "the removed region is named")

	env := func(kv ...string) []any {
		var out []any
		for i := 0; i < len(kv); i += 2 {
			out = append(out, map[string]any{"name": kv[i], "value": kv[i+1]})
		}
		return out
	}
	long := strings.Repeat("https://+:8443;", 20)
	deployment := func(e []any) map[string]any {
		return map[string]any{"spec": map[string]any{"template": map[string]any{"spec": map[string]any{"containers": []any{
			map[string]any{"name": "fhir-server", "image": "fhir:1", "env": e},
		}}}}}
	}
	assert.Equal(t, []FieldChange{
		{"spec.template.spec.containers[fhir-server].env[CosmosDb__PreferredLocations__1].value", `"spaincentral"`, `"swedencentral"`},
		{"spec.template.spec.containers[fhir-server].env[CosmosDb__PreferredLocations__2]", "(none)",
			`{"name":"CosmosDb__PreferredLocations__2","value":"spaincentral"}`},
	}, fieldChanges(
		deployment(env("ASPNETCORE_URLS", long, "CosmosDb__PreferredLocations__1", "spaincentral")),
		deployment(env("ASPNETCORE_URLS", long, "CosmosDb__PreferredLocations__1", "swedencentral", "CosmosDb__PreferredLocations__2", "spaincentral"))),
		"a change deep in a long list is found")

	assert.Equal(t, []FieldChange{
		{"resourceGroupName", `"rg-t-fhir-dr-spaincentral"`, "(known after deploy)"},
		{"subnets[0].id", `"x"`, "(known after deploy)"},
		{"subnets[1]", "(none)", `{"id":(known after deploy)}`},
	}, fieldChanges(
		map[string]any{"resourceGroupName": "rg-t-fhir-dr-spaincentral", "subnets": []any{map[string]any{"id": "x"}}},
		map[string]any{"resourceGroupName": unknown, "subnets": []any{map[string]any{"id": unknown}, map[string]any{"id": unknown}}}))

	id := "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-tailspin-fhir-dr-spaincentral/providers/Microsoft.Network/publicIPAddresses/pip-tailspin-fhir-secondary-ingress"
	assert.Equal(t, []FieldChange{{"targetResourceId", `"` + id + `"`, `"` + strings.Replace(id, "spaincentral", "swedencentral", 1) + `"`}},
		fieldChanges(map[string]any{"targetResourceId": id}, map[string]any{"targetResourceId": strings.Replace(id, "spaincentral", "swedencentral", 1)}),
		"a long value is shown whole")
}

func bigReport(stacks int) *Report {
	r := &Report{Base: "main", BaseCommit: strings.Repeat("a", 40)}
	for i := range stacks {
		s := StackReview{Customer: fmt.Sprintf("customer%04d", i), Counts: map[string]int{"update": 1}, After: strings.Repeat("x", 2000) + "\n",
			Base: &Figures{Tier: "data", RPOSeconds: 900, RTOSeconds: 7200, ProductRTOSeconds: 3700, TargetRPOSeconds: 900, TargetRTOSeconds: 7200,
				MonthlyDRCost: 1234.5, Currency: "USD"},
			Head: &Figures{Tier: "full", RPOSeconds: 600, RTOSeconds: 3000, ProductRTOSeconds: 200, TargetRPOSeconds: 900, TargetRTOSeconds: 3600,
				MonthlyDRCost: 2234.5, Currency: "USD"}}
		s.Changes = []Change{{Op: "update", Type: accountType, Name: "account", Fields: []FieldChange{{"locations", "[1]", "[1,2]"}}}}
		if i == 3 {
			s.Hazards = []Hazard{{SplitRequired, urn, "Azure rejects it", "split it"}}
		}
		r.Stacks = append(r.Stacks, s)
	}
	return r
}

// TestMarkdownFitsTheCommentLimit: the flat comment (at most flatMax
// stacks; bigger reports are grouped, groups_test.go) of stacks with long
// details still fits, shortened as it says.
func TestMarkdownFitsTheCommentLimit(t *testing.T) {
	const row3 = "| customer0003 | **blocked** | data → full | 15m → 10m \\(−5m\\) | 2h → 50m \\(−1h10m\\) | 1,234.50 → 2,234.50 \\(+1,000.00\\) | " +
		"0 | 1 | 0 | 0 | split-required |\n"
	md := flat(bigReport(100), 0)
	assert.LessOrEqual(t, len(md), MaxComment)
	assert.True(t, strings.HasPrefix(md, CommentMarker+"\n## fhir-dr: what this change does to customers' DR\n"))
	assert.Contains(t, md, "| Stack | Result | Tier | RPO | RTO | DR cost/month (USD) | Create | Update | Replace | Delete | Hazards |\n")
	assert.Contains(t, md, row3)
	assert.Contains(t, md, "| customer0099 | ok | data → full | 15m → 10m \\(−5m\\) | 2h → 50m \\(−1h10m\\) | 1,234.50 → 2,234.50 \\(+1,000.00\\) | "+
		"0 | 1 | 0 | 0 |  |\n", "every stack has its summary row")
	assert.Regexp(t, `\n> The details of \d+ stack\(s\) are shortened to stay within GitHub's 65536-character comment limit \(each says what it leaves out\): `+
		`customer\d{4}(, customer\d{4})*\. Run <code>drctl diff --base main</code> for everything\.\n`, md)
	assert.Regexp(t, `\n> The details of \d+ stack\(s\) are left out to stay within GitHub's 65536-character comment limit: `+
		`customer\d{4}(, customer\d{4})*( and \d+ more)?\. Run <code>drctl diff --base main</code> for everything\.\n`, md)
	assert.Contains(t, md, "<details><summary><b>customer0000</b>: ok</summary>")
	assert.Contains(t, md, "<details><summary><b>customer0003</b>: **blocked**</summary>\n\n**Verdict** (<code>split-required</code>): split it\n\n")
	assert.Contains(t, md, `<code>locations</code>: <code>\[1\]</code> → <code>\[1,2\]</code>`)
	assert.NotContains(t, md, "...", "nothing is cut")

	small := flat(bigReport(2), 0)
	assert.NotContains(t, small, "left out")
	assert.NotContains(t, small, "shortened")
	assert.Equal(t, 2, strings.Count(small, "<details>"))

	// A summary table too long for the limit gives way to a count of the
	// stacks that need no attention; the blocked one keeps its row and its
	// verdict.
	huge := flat(bigReport(3000), 0)
	assert.LessOrEqual(t, len(huge), MaxComment)
	assert.Contains(t, huge, row3)
	assert.Contains(t, huge, "<details><summary><b>customer0003</b>: **blocked**</summary>\n\n"+
		"_The topology diagrams are left out to fit the comment limit._\n\n**Verdict** (<code>split-required</code>): split it\n\n")
	assert.Regexp(t, "\n> \\d+ more stack\\(s\\) are not in the table, to stay within GitHub's 65536-character comment limit: \\d+ ok\\. "+
		"Run <code>drctl diff --base main</code> for every row\\.\n> customer\\d{4}(, customer\\d{4})* and \\d+ more\n", huge)
	assert.NotContains(t, huge, "...", "nothing is cut")

	tiny := flat(bigReport(50), 8000)
	assert.LessOrEqual(t, len(tiny), 8000)
	assert.Contains(t, tiny, row3)
}

func TestMarkdownWithoutChanges(t *testing.T) {
	md := Markdown(&Report{Base: "main", BaseCommit: "abc"}, 0)
	assert.Contains(t, md, "No customer stack is affected.")
	md = Markdown(&Report{Base: "main", Stacks: []StackReview{{Customer: "c", Counts: map[string]int{}}}}, 0)
	assert.Contains(t, md, "| c | no changes | — | — | — | — | 0 | 0 | 0 | 0 |  |")
	assert.NotContains(t, md, "<details>")
}

// gitRepo makes a repository with one commit holding files.
func gitRepo(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for path, content := range files {
		require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(dir, path)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, path), []byte(content), 0o644))
	}
	for _, args := range [][]string{{"init", "-q"}, {"add", "."},
		{"-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "base"}} {
		_, err := git(context.Background(), dir, args...)
		require.NoError(t, err)
	}
	return dir
}

func TestChangedStacks(t *testing.T) {
	ctx := context.Background()
	dir := gitRepo(t, map[string]string{
		"Pulumi.yaml": "name: fhir-dr\n", "main.go": "package main\n", "README.md": "x\n",
		"stacks/Pulumi.a.yaml": "a\n", "stacks/Pulumi.b.yaml": "b\n", "stacks/Pulumi.c.yaml": "c\n",
	})
	c, err := ChangedStacks(ctx, dir, "HEAD")
	require.NoError(t, err)
	assert.Equal(t, Changed{}, c)

	require.NoError(t, os.WriteFile(filepath.Join(dir, "stacks/Pulumi.a.yaml"), []byte("a2\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "stacks/Pulumi.d.yaml"), []byte("d\n"), 0o644))
	require.NoError(t, os.Remove(filepath.Join(dir, "stacks/Pulumi.c.yaml")))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "README.md"), []byte("y\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "main_test.go"), []byte("package main\n"), 0o644))
	c, err = ChangedStacks(ctx, dir, "HEAD")
	require.NoError(t, err)
	assert.Equal(t, Changed{Stacks: []string{"a", "d"}, Removed: []string{"c"}, Edited: []string{"a", "d"}}, c, "docs and tests do not change what is deployed")

	require.NoError(t, os.WriteFile(filepath.Join(dir, "main.go"), []byte("package main\n// x\n"), 0o644))
	c, err = ChangedStacks(ctx, dir, "HEAD")
	require.NoError(t, err)
	assert.Equal(t, Changed{Stacks: []string{"a", "b", "d"}, Removed: []string{"c"}, Edited: []string{"a", "d"}, All: true, Reason: "main.go"}, c,
		"a program change reviews every stack; a and d changed their own files too")

	_, err = ChangedStacks(ctx, dir, "no-such-ref")
	assert.ErrorContains(t, err, `"no-such-ref" is not a commit`)

	// A base git would read as an option never reaches it: git diff
	// --output=x writes a file.
	target := filepath.Join(t.TempDir(), "x")
	_, err = ChangedStacks(ctx, dir, "--output="+target)
	assert.EqualError(t, err, `"--output=`+target+`" is not a git revision: it starts with "-"`)
	assert.NoFileExists(t, target)
}

func TestEngineError(t *testing.T) {
	err := fmt.Errorf("failed to run preview: exit status 1\ncode: 1\nstdout: Previewing update (litware):\n" +
		"    fhir-dr@v1.0.0 [mandatory]  cosmos-tls12  (azure-native:cosmosdb:DatabaseAccount: account)Cosmos DB account \"account\" allows TLS below 1.2\n" +
		"error: unable to replace resource \"urn:x\"\nas it is currently marked for protection.\nerror: preview failed\n\n" +
		"stderr: error: unable to replace resource \"urn:x\"\nas it is currently marked for protection.\nerror: preview failed\n")
	assert.Equal(t, "fhir-dr@v1.0.0 [mandatory]  cosmos-tls12  (azure-native:cosmosdb:DatabaseAccount: account)Cosmos DB account \"account\" allows TLS below 1.2\n"+
		"error: unable to replace resource \"urn:x\" as it is currently marked for protection.\n"+
		"error: preview failed", engineError(err))
	assert.Equal(t, "something else", engineError(fmt.Errorf("something else\nmore")))
}

// The engine's refusals as it prints them (a primary-region move), and as
// the comment shows them: no dump of Go maps, no advice to unprotect.
func TestRefusals(t *testing.T) {
	const value = "{[{map[failoverPriority:{0} isZoneRedundant:{true} locationName:{eastus2}]} {map[failoverPriority:{1} isZoneRedundant:{true} locationName:{centralus}]}]}"
	assert.Equal(t, []string{
		"primary-rg (azure-native:resources:ResourceGroup) is protected: the engine refuses to replace it",
		"account (azure-native:cosmosdb:DatabaseAccount), locations: the write region brazilsouth cannot be removed",
		"account (azure-native:cosmosdb:DatabaseAccount), locations: regions cannot be added (eastus2, centralus) and removed (brazilsouth, southcentralus) in one update",
		"account (azure-native:cosmosdb:DatabaseAccount), locations: adding or removing regions (add eastus2, centralus; remove brazilsouth, southcentralus) " +
			"cannot be combined with other account changes (location) in one request",
		"policy cosmos-tls12 (mandatory), account (azure-native:cosmosdb:DatabaseAccount): Cosmos DB account \"account\" allows TLS below 1.2",
		"audit-lock (azure-native:authorization:ManagementLockByScope) is protected: the engine refuses to replace it as part of replacing " +
			"workspace (azure-native:operationalinsights:Workspace)",
		"something else",
	}, refusals(strings.Join([]string{
		`error: unable to replace resource "urn:pulumi:fabrikam::fhir-dr::fhir-dr:index:CustomerDR$azure-native:resources:ResourceGroup::primary-rg" ` +
			"as it is currently marked for protection. To unprotect the resource, remove the `protect` flag from the resource in your Pulumi program and run `pulumi up`",
		"error: azure-native:cosmosdb:DatabaseAccount resource 'account': property locations value " + value +
			" has a problem: azure-native stand-in: the write region brazilsouth cannot be removed: fail over to another region first (drctl failover), then remove it",
		"error: azure-native:cosmosdb:DatabaseAccount resource 'account': property locations value " + value +
			" has a problem: azure-native stand-in: regions cannot be added (eastus2, centralus) and removed (brazilsouth, southcentralus) in one update: " +
			"replace a region in two steps, first add the new one while keeping the old, then remove the old one",
		"error: azure-native:cosmosdb:DatabaseAccount resource 'account': property locations value " + value +
			" has a problem: azure-native stand-in: adding or removing regions (add eastus2, centralus; remove brazilsouth, southcentralus) cannot be " +
			"combined with other account changes (location) in one request: make the other changes first, then change the regions on their own",
		"fhir-dr@v1.0.0 [mandatory]  cosmos-tls12  (azure-native:cosmosdb:DatabaseAccount: account)Cosmos DB account \"account\" allows TLS below 1.2",
		`error: unable to replace resource "urn:pulumi:eta::fhir-dr::fhir-dr:index:CustomerDR$azure-native:authorization:ManagementLockByScope::audit-lock" ` +
			`as part of replacing "urn:pulumi:eta::fhir-dr::fhir-dr:index:CustomerDR$fhir-dr:index:Monitoring$azure-native:operationalinsights:Workspace::workspace" ` +
			"as it is currently marked for protection. To unprotect the resource, remove the `protect` flag from the resource in your Pulumi program and run `pulumi up`, " +
			"or use the command: `pulumi state unprotect 'urn:pulumi:eta::fhir-dr::fhir-dr:index:CustomerDR$azure-native:authorization:ManagementLockByScope::audit-lock'`",
		"error: something else",
		"error: preview failed",
	}, "\n")))
	assert.Equal(t, []string{"preview failed"}, refusals("error: preview failed"))
	assert.Nil(t, refusals(""))
}

func TestServiceNotes(t *testing.T) {
	replace := func(typ, name string) Change { return Change{Op: "replace", Type: typ, Name: name} }
	update := func(typ, name string, paths ...string) Change {
		c := Change{Op: "update", Type: typ, Name: name}
		for _, p := range paths {
			c.Fields = append(c.Fields, FieldChange{Path: p, Old: "1", New: "2"})
		}
		return c
	}
	assert.Empty(t, serviceNotes([]Change{update(deploymentType, "primary-fhir-deployment", "spec.replicas"), update(clusterType, "secondary-aks", "tags.x")}),
		"an update outside the pod template interrupts nothing")
	assert.Empty(t, serviceNotes([]Change{replace("kubernetes:core/v1:ServiceAccount", "primary-fhir-service-account"), replace(workspaceType, "workspace")}))
	assert.Equal(t, []string{"service outage: this change takes down what serves the customer now (AKS cluster primary-aks replaced) and the standby " +
		"(FHIR Deployment secondary-fhir-deployment replaced) at once: until the new ones are ready the customer has neither the primary service nor a standby; " +
		"release it in a maintenance window agreed with the customer"},
		serviceNotes([]Change{replace(clusterType, "primary-aks"), replace(deploymentType, "secondary-fhir-deployment")}))
	assert.Equal(t, []string{"service interruption: this change takes down what serves the customer now (FHIR Deployment primary-fhir-deployment replaced): " +
		"the service is interrupted until the new ones are ready; release it in a maintenance window"},
		serviceNotes([]Change{replace(deploymentType, "primary-fhir-deployment")}))
	assert.Equal(t, []string{"no standby for a while: this change takes down the standby (AKS cluster secondary-aks replaced); " +
		"nothing that serves the customer now is replaced or rolled"}, serviceNotes([]Change{replace(clusterType, "secondary-aks")}))
	assert.Equal(t, []string{"the primary's FHIR Deployment primary-fhir-deployment is rolled: the pod template changes (see the plan), so Kubernetes " +
		"replaces the pods one at a time; the old pods keep serving until the new ones are ready"},
		serviceNotes([]Change{update(deploymentType, "primary-fhir-deployment", "spec.template.spec.containers[fhir-server].image")}))

	// Moving the secondary region of a full-tier stack, as the engine
	// plans it: the profile lives in the standby's resource group, so it
	// and both endpoints are replaced, and the primary's pods learn the
	// new region order.
	move := []Change{
		replace("azure-native:resources:ResourceGroup", "secondary-rg"),
		update(accountType, "account", "locations[swedencentral]"),
		update(clusterType, "primary-aks", "tags.billing-multiplier"),
		replace(publicIPType, "secondary-ingress-ip"),
		replace(profileType, "profile"),
		replace(clusterType, "secondary-aks"),
		replace(endpointType, "primary-endpoint"),
		replace(endpointType, "secondary-endpoint"),
		update(deploymentType, "primary-fhir-deployment", "spec.template.spec.containers[fhir-server].env[CosmosDb__PreferredLocations__1].value"),
		replace(namespaceType, "secondary-fhir-namespace"),
		replace(serviceType, "secondary-fhir-service"),
		replace(deploymentType, "secondary-fhir-deployment"),
	}
	assert.Equal(t, []string{"service outage: this change takes down what serves the customer now (Traffic Manager profile profile replaced and " +
		"Traffic Manager endpoint primary-endpoint replaced) and the standby (ingress IP secondary-ingress-ip replaced, AKS cluster secondary-aks replaced, " +
		"Traffic Manager endpoint secondary-endpoint replaced, FHIR namespace secondary-fhir-namespace replaced, FHIR load balancer Service " +
		"secondary-fhir-service replaced and FHIR Deployment secondary-fhir-deployment replaced) at once: until the new ones are ready the customer " +
		"has neither the primary service nor a standby; and the primary's FHIR Deployment primary-fhir-deployment is rolled: the pod template changes " +
		"(see the plan), so Kubernetes replaces the pods one at a time; release it in a maintenance window agreed with the customer"}, serviceNotes(move))
}

// A primary-region move: the most severe hazard (data loss) decides what
// to do; the others are facts in order of severity.
func TestDecide(t *testing.T) {
	s := StackReview{Hazards: []Hazard{
		{ProtectionReduced, "w", "the workspace would be replaced", ackHint(ProtectionReduced)},
		{SplitRequired, urn, "regions cannot be added and removed in one update", "Change the secondary region in two pull requests."},
		{DataLoss, urn, "the account would be replaced", "Revert this change."},
		{WriteRegionRemoved, urn, "the write region cannot be removed", "Fail over first."},
		{SplitRequired, urn, "adding regions cannot be combined", "Split it into two pull requests."},
	}, EngineError: "error: x"}
	decide(&s)
	assert.Equal(t, "Revert this change.", s.Verdict)
	var kinds []HazardKind
	for _, h := range s.Hazards {
		kinds = append(kinds, h.Kind)
	}
	assert.Equal(t, []HazardKind{DataLoss, WriteRegionRemoved, ProtectionReduced, SplitRequired, SplitRequired}, kinds)
	assert.Equal(t, "regions cannot be added and removed in one update", s.Hazards[3].Message, "one kind keeps its order")

	refused := StackReview{EngineError: "error: x"}
	decide(&refused)
	assert.Equal(t, refusedAdvice, refused.Verdict)
	fine := StackReview{}
	decide(&fine)
	assert.Empty(t, fine.Verdict)
	noAdvice := StackReview{Hazards: []Hazard{{Kind: FleetConflict, Message: "a and b: the same account"}}}
	decide(&noAdvice)
	assert.Equal(t, "a and b: the same account", noAdvice.Verdict)
}
