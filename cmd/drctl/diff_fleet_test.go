package main

import (
	"encoding/json"
	"github.com/fhir-dr/fhir-dr/stackfile"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fhir-dr/fhir-dr/internal/review"
)

// TestDiffFleetConflicts: a pull request whose stacks conflict with each
// other (a new stack taking another's account name, an edit taking
// another's Traffic Manager name) is refused with a fleet-conflict hazard
// on each stack involved, before any engine run: this test has no Pulumi
// CLI, and the review would fail to start one.
func TestDiffFleetConflicts(t *testing.T) {
	root := fixtureProject(t, "fleet", "alpha", "bravo", "kilo")
	write := func(stack, content string) {
		require.NoError(t, os.WriteFile(filepath.Join(root, stackfile.Path(stack)), []byte(content), 0o644))
	}
	write("bravo", "config:\n  fhir-dr:customer: bravo\n  fhir-dr:primaryRegion: westeurope\n")
	gitIn := func(args ...string) {
		out, err := exec.Command("git", append([]string{"-C", root, "-c", "user.name=t", "-c", "user.email=t@example.com"}, args...)...).CombinedOutput()
		require.NoError(t, err, string(out))
	}
	gitIn("init", "-q")
	gitIn("add", ".")
	gitIn("commit", "-qm", "base")
	write("lima", "config:\n  fhir-dr:customer: lima\n  fhir-dr:primaryRegion: eastus\n  fhir-dr:cosmos:\n    accountName: fhir-alpha\n")
	write("kilo", "config:\n  fhir-dr:customer: kilo\n  fhir-dr:primaryRegion: westeurope\n  fhir-dr:trafficManager:\n    dnsName: alpha-fhir\n")
	write("mike", "config:\n  fhir-dr:customer: lima\n  fhir-dr:primaryRegion: mars\n") // invalid: left out
	t.Chdir(root)

	code, stdout, stderr := runDrctl(t, "diff", "--base", "HEAD", "--json")
	assert.Equal(t, 1, code, stderr)
	assert.Contains(t, stderr, "drctl diff: the change must not be deployed as it is")
	var report review.Report
	require.NoError(t, json.Unmarshal([]byte(stdout), &report), stdout)
	const advice = "Give each stack what must be its customer's alone (customer id, Cosmos DB account, adopted account and resource group, " +
		"Traffic Manager name, token audience) and name its file after its customer; drctl validate lists every conflict."
	account := review.Hazard{Kind: review.FleetConflict, Message: "stacks/Pulumi.alpha.yaml and stacks/Pulumi.lima.yaml: fhir-dr:cosmos.accountName: " +
		"fhir-alpha is declared by both: Cosmos DB account names are global in Azure, so there is one such account, for one customer", Advice: advice}
	dns := review.Hazard{Kind: review.FleetConflict, Message: "stacks/Pulumi.alpha.yaml and stacks/Pulumi.kilo.yaml: fhir-dr:trafficManager.dnsName: " +
		"alpha-fhir is declared by both: alpha-fhir.trafficmanager.net is one global DNS name, for one customer", Advice: advice}
	// The figures of each revision's stack file: lima is new.
	require.Len(t, report.Stacks, 3)
	assert.NotNil(t, report.Stacks[0].Base)
	assert.NotNil(t, report.Stacks[0].Head)
	assert.Nil(t, report.Stacks[2].Base, "lima is new")
	assert.NotNil(t, report.Stacks[2].Head)
	for i := range report.Stacks {
		report.Stacks[i].Base, report.Stacks[i].Head = nil, nil
	}
	note := []string{"not rehearsed: the stacks conflict with each other, which the engine cannot see; " +
		"fix the fleet-wide conflicts first, and the review then runs the engine"}
	assert.Equal(t, []review.StackReview{
		{Customer: "alpha", Changes: []review.Change{}, Counts: map[string]int{}, Hazards: []review.Hazard{account, dns}, Notes: note, Verdict: advice},
		{Customer: "kilo", Changes: []review.Change{}, Counts: map[string]int{}, Hazards: []review.Hazard{dns}, Notes: note, Verdict: advice},
		{Customer: "lima", Changes: []review.Change{}, Counts: map[string]int{}, Hazards: []review.Hazard{account}, Notes: note, Verdict: advice},
	}, report.Stacks)

	code, md, _ := runDrctl(t, "diff", "--base", "HEAD")
	assert.Equal(t, 1, code)
	assert.Regexp(t, `\n\| alpha \| \*\*blocked\*\* \| [^|]+ \| [^|]+ \| [^|]+ \| [^|]+ \| 0 \| 0 \| 0 \| 0 \| fleet-conflict \|\n`, md)
	assert.Contains(t, md, "**Verdict** (<code>fleet-conflict</code>): Give each stack what must be its customer's alone")
	assert.Contains(t, md, "- <code>fleet-conflict</code> "+dns.Message+"\n")
}
