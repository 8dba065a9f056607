//go:build integration

package main

import (
	"encoding/json"
	"github.com/fhir-dr/fhir-dr/internal/testfleet"
	"github.com/fhir-dr/fhir-dr/stackfile"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fhir-dr/fhir-dr/azure/cosmosdb"
	"github.com/fhir-dr/fhir-dr/internal/failover/fakearm"
	"github.com/fhir-dr/fhir-dr/internal/review"
)

// TestDiffHazards makes real stack-file changes in a clone of the project
// and reviews them against its HEAD through the real engine: each hazard is
// found and explained, a harmless change is shown as the engine plans it,
// and the exit status is 1.
func TestDiffHazards(t *testing.T) {
	clone := cloneProject(t)

	edit := func(customer string, change func(string) string) {
		path := filepath.Join(clone, stackfile.Path(customer))
		b, err := os.ReadFile(path)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(path, []byte(change(string(b))), 0o644))
	}
	replace := func(old, new string) func(string) string {
		return func(s string) string {
			require.Contains(t, s, old)
			return strings.Replace(s, old, new, 1)
		}
	}
	// Data loss: renaming the account replaces it.
	edit("litware", replace("  fhir-dr:cosmos:\n", "  fhir-dr:cosmos:\n    accountName: fhir-litware-new\n"))
	// Azure rejects a region added together with another account change.
	edit("adatum", func(s string) string {
		return s + "  fhir-dr:dr:\n    enabled: true\n    paging: {actionGroupId: /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-platform-oncall/providers/Microsoft.Insights/actionGroups/ag-fhir-oncall}\n    tier: data\n    ticket: SR-3001\n  fhir-dr:cosmos:\n    backup:\n      intervalMinutes: 120\n"
	})
	// Failing over by editing config.
	edit("fabrikam", func(s string) string {
		s = replace("fhir-dr:primaryRegion: brazilsouth", "fhir-dr:primaryRegion: southcentralus")(s)
		return replace("    tier: full\n", "    tier: full\n    secondaryRegion: brazilsouth\n")(s)
	})
	// A harmless change.
	edit("contoso", replace(`cost-center: "4711"`, `cost-center: "4712"`))
	// A stack file deleted.
	require.NoError(t, os.Remove(filepath.Join(clone, stackfile.Path("tailspin"))))
	t.Chdir(clone)

	code, stdout, stderr := runDrctl(t, "diff", "--base", "HEAD", "--json")
	assert.Equal(t, 1, code, stderr)
	assert.Contains(t, stderr, "drctl diff: the change must not be deployed as it is")
	var report review.Report
	require.NoError(t, json.Unmarshal([]byte(stdout), &report), stdout)
	assert.False(t, report.AllStacks)
	byCustomer := map[string]review.StackReview{}
	for _, s := range report.Stacks {
		byCustomer[s.Customer] = s
	}
	kinds := func(customer string) []review.HazardKind {
		var out []review.HazardKind
		for _, h := range byCustomer[customer].Hazards {
			out = append(out, h.Kind)
		}
		return out
	}
	assert.Len(t, report.Stacks, 5)
	assert.Equal(t, []review.HazardKind{review.DataLoss}, kinds("litware"))
	assert.Contains(t, byCustomer["litware"].EngineError, "marked for protection")
	assert.Equal(t, []review.HazardKind{review.SplitRequired}, kinds("adatum"))
	assert.Contains(t, byCustomer["adatum"].Hazards[0].Advice, "Split it into two pull requests")
	assert.Equal(t, byCustomer["adatum"].Hazards[0].Advice, byCustomer["adatum"].Verdict)
	assert.Contains(t, byCustomer["adatum"].EngineError, "cannot be combined with other account changes")
	assert.Contains(t, kinds("fabrikam"), review.WriteRegionByConfig)
	assert.Contains(t, kinds("fabrikam"), review.DataLoss, "the account's location moves too")
	assert.Equal(t, review.DataLoss, kinds("fabrikam")[0], "the most severe first")
	assert.Equal(t, "Revert this change: a new account, region or name needs a migration, not a config edit.", byCustomer["fabrikam"].Verdict)
	assert.Equal(t, []review.HazardKind{review.StackRemoved}, kinds("tailspin"))

	contoso := byCustomer["contoso"]
	assert.Empty(t, contoso.Hazards)
	assert.Empty(t, contoso.EngineError)
	assert.NotZero(t, contoso.Counts["update"])
	// Stack files alone: nothing is rendered, each changed stack is rehearsed.
	assert.False(t, report.Rendered)
	assert.Empty(t, report.Shapes)
	assert.True(t, contoso.Rehearsed)
	assert.Equal(t, []string{"its stack file changed"}, contoso.RehearsedBecause)
	assert.Empty(t, contoso.Shape)
	for _, c := range contoso.Changes {
		assert.Equal(t, "update", c.Op)
		assert.Contains(t, c.Fields, review.FieldChange{Path: "tags.cost-center", Old: `"4711"`, New: `"4712"`}, c.Name)
	}
	assert.NotEmpty(t, contoso.Before)
	assert.Equal(t, contoso.Before, contoso.After, "a tag change leaves the topology as it is")

	code, md, _ := runDrctl(t, "diff", "--base", "HEAD")
	assert.Equal(t, 1, code)
	assert.Contains(t, md, "| fabrikam | **blocked** |")
	assert.Contains(t, md, "| contoso | ok | full | ")
	assert.Contains(t, md, "| tailspin | stack file removed | full → — | ")
	assert.LessOrEqual(t, len(md), review.MaxComment)
}

// TestDiffRecordedFailover: a stack file updated by drctl failover is no
// hazard: the review verifies the record against the base, the rehearsal
// makes the failover in the stand-in, refreshes, and the release changes
// nothing of the account. A hand-typed record, a failback too, is a hazard.
func TestDiffRecordedFailover(t *testing.T) {
	clone := cloneProject(t)
	t.Chdir(clone)
	arm := fakearm.New(t, "/subscriptions/sub-1/resourceGroups/rg-contoso-fhir-eastus/providers/Microsoft.DocumentDB/databaseAccounts/fhir-contoso")
	t.Setenv("AZURE_ARM_ENDPOINT", arm.URL) // drctl failover reaches the fake, without a credential
	t.Setenv("AZURE_SUBSCRIPTION_ID", "")
	oldPoll := pollFrequency
	pollFrequency = time.Millisecond
	t.Cleanup(func() { pollFrequency = oldPoll })
	commit := func(msg string) {
		out, err := exec.Command("git", "-C", clone, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qam", msg).CombinedOutput()
		require.NoError(t, err, string(out))
	}
	review1 := func(base string) (int, review.StackReview) {
		t.Helper()
		code, stdout, stderr := runDrctl(t, "diff", "--base", base, "--json")
		var report review.Report
		require.NoError(t, json.Unmarshal([]byte(stdout), &report), stdout+stderr)
		require.Len(t, report.Stacks, 1)
		return code, report.Stacks[0]
	}
	kinds := func(s review.StackReview) []review.HazardKind {
		var out []review.HazardKind
		for _, h := range s.Hazards {
			out = append(out, h.Kind)
		}
		return out
	}

	code, _, stderr := runDrctl(t, "failover", "contoso", "--ticket", "INC-42", "--subscription", "sub-1", "--operator", "ops")
	require.Equal(t, 0, code, stderr)
	code, s := review1("HEAD")
	require.Equal(t, 0, code, s)
	assert.Empty(t, s.Hazards)
	assert.Empty(t, s.EngineError)
	require.Len(t, s.Notes, 1)
	assert.Regexp(t, `^recorded write-region change, verified against the base: planned-failover eastus -> westus at \S+ by ops \(INC-42\), `+
		`Azure request `+fakearm.RequestID(4)+`\. Azure made it already`, s.Notes[0])
	for _, c := range s.Changes {
		assert.NotEqual(t, cosmosdb.DatabaseAccountToken, c.Type, "the account already is as recorded: %+v", c)
	}
	assert.Contains(t, s.After, `subgraph region_westus["westus (write region)"]`)
	assert.Contains(t, s.Before, `subgraph region_westus["westus (write region)"]`, "the state after the failover")
	commit("record failover")

	// Moving the write region back by hand, reusing the record, is a hazard.
	require.NoError(t, stackfile.SetDR(filepath.Join(clone, stackfile.Path("contoso")), []string{"writeRegion"}, []any{"eastus"}))
	code, s = review1("HEAD")
	assert.Equal(t, 1, code)
	assert.Equal(t, []review.HazardKind{review.WriteRegionByConfig}, kinds(s))
	// Against the revision before the failover, the regions are the base's,
	// but the record claims a failover that this change does not make.
	code, s = review1("HEAD~1")
	assert.Equal(t, 1, code)
	assert.Equal(t, []review.HazardKind{review.WriteRegionUnverified}, kinds(s))
	if assert.Len(t, s.Hazards, 1) {
		assert.Contains(t, s.Hazards[0].Message, "(to is westus, but dr.writeRegion is eastus)")
	}

	// So is a failback with a hand-typed record.
	require.NoError(t, stackfile.SetDR(filepath.Join(clone, stackfile.Path("contoso")), []string{"writeRegion", "writeRegionChange"}, []any{"eastus", "failback to eastus at 2026-11-26T09:00:00Z by ops (INC-42)"}))
	code, s = review1("HEAD")
	assert.Equal(t, 1, code)
	assert.Equal(t, []review.HazardKind{review.WriteRegionUnverified, review.WriteRegionByConfig}, kinds(s))
	assert.Empty(t, s.Notes)

	// drctl failback's record verifies.
	require.NoError(t, exec.Command("git", "-C", clone, "checkout", "-q", ".").Run())
	code, _, stderr = runDrctl(t, "failback", "contoso", "--ticket", "INC-42", "--subscription", "sub-1", "--operator", "ops")
	require.Equal(t, 0, code, stderr)
	code, s = review1("HEAD")
	require.Equal(t, 0, code, s)
	assert.Empty(t, s.Hazards)
	require.Len(t, s.Notes, 1)
	assert.Contains(t, s.Notes[0], "recorded write-region change, verified against the base: failback westus -> eastus")
}

// injection is stack-file text that tries to break out of the review
// comment: close its collapsible section, forge its marker, open a code
// span, a table cell, mention someone and link elsewhere.
const injection = "x</details>\n<!-- fhir-dr:diff -->\n`code` | cell @mention [link](x)"

// TestDiffReviewHoles reviews, in one clone and one engine run, the changes
// that lost data protection or a live service without a word (issue 14):
// a write region moved with a hand-typed record, the full tier dropped,
// backups and the audit trail kept for less time; and a service removal the
// stack file acknowledges.
func TestDiffReviewHoles(t *testing.T) {
	clone := cloneProject(t)
	edit := func(customer string, change func(string) string) {
		path := filepath.Join(clone, stackfile.Path(customer))
		b, err := os.ReadFile(path)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(path, []byte(change(string(b))), 0o644))
	}
	replace := func(old, new string) func(string) string {
		return func(s string) string {
			require.Contains(t, s, old)
			return strings.Replace(s, old, new, 1)
		}
	}
	git := func(args ...string) {
		out, err := exec.Command("git", append([]string{"-C", clone, "-c", "user.name=t", "-c", "user.email=t@example.com"}, args...)...).CombinedOutput()
		require.NoError(t, err, string(out))
	}
	// The base keeps litware's periodic backups for 48 hours.
	edit("litware", replace("    throughput: 1000\n", "    throughput: 1000\n    backup:\n      retentionHours: 48\n"))
	git("commit", "-qam", "litware: 48 hours of backups")

	// A failover typed into the stack file, with a record nobody wrote.
	edit("contoso", replace("    ticket: SR-100234\n", "    ticket: SR-100234\n    writeRegion: westus\n    writeRegionChange: "+strconv.Quote(injection)+"\n"))
	// The full tier dropped: both clusters, FHIR services and the profile go.
	edit("fabrikam", replace("    tier: full\n", "    tier: data\n"))
	// The full tier dropped, acknowledged by the customer. (Disabling DR
	// from the full tier is two steps: it also reopens the account's public
	// endpoint, which Azure refuses together with a region change.)
	edit("tailspin", replace("    tier: full\n", "    tier: data\n    acknowledge:\n      ticket: SR-101999\n      hazards: [service-removed]\n"))
	// Continuous backups kept 7 days instead of 30.
	edit("northwind", replace("      tier: Continuous30Days\n", "      tier: Continuous7Days\n"))
	// Periodic backups kept 24 hours instead of 48, audit logs 30 days instead of 90.
	edit("litware", replace("      retentionHours: 48\n", "      retentionHours: 24\n  fhir-dr:monitoring:\n    retentionDays: 30\n"))
	t.Chdir(clone)

	code, stdout, stderr := runDrctl(t, "diff", "--base", "HEAD", "--json")
	assert.Equal(t, 1, code, stderr)
	var report review.Report
	require.NoError(t, json.Unmarshal([]byte(stdout), &report), stdout)
	byCustomer := map[string]review.StackReview{}
	for _, s := range report.Stacks {
		byCustomer[s.Customer] = s
	}
	kinds := func(customer string) []review.HazardKind {
		var out []review.HazardKind
		for _, h := range byCustomer[customer].Hazards {
			out = append(out, h.Kind)
		}
		return out
	}
	messages := func(customer string) []string {
		var out []string
		for _, h := range byCustomer[customer].Hazards {
			out = append(out, h.Message)
		}
		return out
	}
	// message is the ith hazard message, "" when there is none.
	message := func(customer string, i int) string {
		if ms := messages(customer); i < len(ms) {
			return ms[i]
		}
		return ""
	}
	note := func(customer string, i int) string {
		if ns := byCustomer[customer].Notes; i < len(ns) {
			return ns[i]
		}
		return ""
	}
	require.Len(t, report.Stacks, 5)

	// Hole 1: a hand-typed record moves nothing in the rehearsal; the
	// write region moved by config is a hazard again.
	contoso := byCustomer["contoso"]
	assert.Equal(t, []review.HazardKind{review.WriteRegionUnverified, review.WriteRegionByConfig}, kinds("contoso"))
	assert.Equal(t, "dr.writeRegionChange does not verify against the base (it is free text, not the record drctl writes with Azure's answer): "+
		"only the record drctl failover, failback or record writes moves the write region, so the rehearsal does not move it. "+
		"Record: "+injection, message("contoso", 0))
	assert.Empty(t, contoso.Notes)

	// Hole 2: the live service and its DNS names go only with an
	// acknowledgement.
	assert.Equal(t, []review.HazardKind{review.ServiceRemoved, review.ServiceRemoved, review.ServiceRemoved}, kinds("fabrikam"))
	assert.Equal(t, "the customer's live FHIR service in brazilsouth would be deleted: AKS cluster aks-fabrikam-fhir-primary, "+
		"FHIR Deployment fhir/fhir-server, public IP pip-fabrikam-fhir-primary-ingress with the DNS name fabrikam-fhir-primary.brazilsouth.cloudapp.azure.com. "+
		dnsLabelNote, message("fabrikam", 0))
	assert.Equal(t, dnsLabelAdvice+" "+ackHint("service-removed"), byCustomer["fabrikam"].Hazards[0].Advice)
	assert.Equal(t, byCustomer["fabrikam"].Hazards[0].Advice, byCustomer["fabrikam"].Verdict)
	assert.Equal(t, "the standby FHIR service in southcentralus would be deleted: AKS cluster aks-fabrikam-fhir-secondary, "+
		"FHIR Deployment fhir/fhir-server, public IP pip-fabrikam-fhir-secondary-ingress with the DNS name fabrikam-fhir-secondary.southcentralus.cloudapp.azure.com. "+
		dnsLabelNote, message("fabrikam", 1))
	assert.Equal(t, "the Traffic Manager profile tm-fabrikam-fhir would be deleted, releasing fabrikam-fhir.trafficmanager.net, the customer's "+
		"FHIR endpoint and token audience. "+trafficManagerNote, message("fabrikam", 2))
	assert.Equal(t, trafficManagerAdvice+" "+ackHint("service-removed"), byCustomer["fabrikam"].Hazards[2].Advice)
	assert.Empty(t, byCustomer["fabrikam"].EngineError)

	tailspin := byCustomer["tailspin"]
	assert.Empty(t, tailspin.Hazards)
	assert.Empty(t, tailspin.EngineError)
	assert.Len(t, tailspin.Notes, 3)
	assert.True(t, strings.HasPrefix(note("tailspin", 0), "acknowledged under SR-101999: the customer's live FHIR service in italynorth would be deleted"), note("tailspin", 0))
	assert.True(t, strings.HasPrefix(note("tailspin", 2), "acknowledged under SR-101999: the Traffic Manager profile tm-tailspin-fhir would be deleted, releasing tailspin-fhir.trafficmanager.net"), note("tailspin", 2))
	assert.True(t, strings.HasSuffix(note("tailspin", 2), trafficManagerNote+" "+trafficManagerAdvice), "what to do before the release still holds: "+note("tailspin", 2))

	// Hole 3: less protection is a hazard.
	assert.Equal(t, []string{"the Cosmos DB account fhir-northwind would keep backups for 7 days (Continuous7Days) instead of 30 days (Continuous30Days): " +
		"backups older than that are deleted at once and can no longer be restored."}, messages("northwind"))
	assert.Equal(t, ackHint("protection-reduced"), byCustomer["northwind"].Verdict)
	assert.Equal(t, []review.HazardKind{review.ProtectionReduced}, kinds("northwind"))
	assert.Equal(t, []string{
		"the Cosmos DB account fhir-litware would keep backups for 24 hours (periodic) instead of 48 hours (periodic): " +
			"backups older than that are deleted at once and can no longer be restored.",
		"the Log Analytics workspace log-litware-fhir would keep the audit logs for 30 days instead of 90: " +
			"older logs, the customer's audit trail, are deleted at once.",
	}, messages("litware"))

	// The comment quotes the hand-typed record without letting it out.
	md := review.Markdown(&report, 0)
	assert.Equal(t, 1, strings.Count(md, review.CommentMarker), "only the comment's own marker")
	assert.Equal(t, strings.Count(md, "<details>"), strings.Count(md, "</details>"), "no section closed early")
	for _, raw := range []string{"`code`", "@mention", "[link](x)", "x</details>"} {
		assert.NotContains(t, md, raw)
	}
	assert.NotRegexp(t, `[^\\]\| cell`, md, "no table cell opened")
	assert.Contains(t, md, "Record: x&lt;/details&gt; &lt;\\!-- fhir-dr:diff --&gt; \\`code\\` \\| cell @\u2060mention \\[link\\]\\(x\\)")
}

// The acknowledgement hint and the DNS notes and advice the
// service-removed hazards carry, as the README states them.
func ackHint(kind string) string {
	return "If the customer agreed to it, acknowledge it in this change: dr.acknowledge: {ticket: <the ticket>, hazards: [" + kind + "]}."
}

const (
	dnsLabelNote = "Its DNS name is released, and Azure keeps no reservation for it: anyone can then create a public IP with that label in that region " +
		"and receive the traffic of every record that still points at it (dangling DNS, subdomain takeover)."
	dnsLabelAdvice     = "Have the customer remove such records first."
	trafficManagerNote = "Azure keeps no reservation for a deleted Traffic Manager name: anyone can create a profile with it and receive the " +
		"traffic of every client and CNAME that still uses it (dangling DNS, subdomain takeover)."
	trafficManagerAdvice = "Before the release, have the customer remove their CNAMEs to it and stop using it as an endpoint and audience, " +
		"or keep the profile, disabled, for a quarantine period instead of deleting it (runbook, \"Change tier\")."
)

// TestDiffReviewComment reviews, as a reviewer reads it, the comment on
// two changes of stacks this test brings (testdata/diff): a full-tier
// stack's secondary region moved as the runbook says (the new region added,
// the old one retiring), and a data-tier stack's primary region moved.
// The comment shows no unknown-value sentinel, says what the move does to
// what serves the customer, shows the lists element by element, the tier,
// RPO, RTO and cost before and after, and one verdict per stack.
func TestDiffReviewComment(t *testing.T) {
	clone := cloneProject(t)
	git := func(args ...string) {
		out, err := exec.Command("git", append([]string{"-C", clone, "-c", "user.name=t", "-c", "user.email=t@example.com"}, args...)...).CombinedOutput()
		require.NoError(t, err, string(out))
	}
	fixture := func(customer string) string {
		b, err := os.ReadFile(filepath.Join("testdata", "diff", "Pulumi."+customer+".yaml"))
		require.NoError(t, err)
		return string(b)
	}
	write := func(customer, content string) {
		require.NoError(t, os.WriteFile(filepath.Join(clone, stackfile.Path(customer)), []byte(content), 0o644))
	}
	replace := func(s, old, new string) string {
		require.Contains(t, s, old)
		return strings.Replace(s, old, new, 1)
	}
	write("zeta", fixture("zeta"))
	write("eta", fixture("eta"))
	git("add", "stacks")
	git("commit", "-qm", "zeta and eta")
	write("zeta", replace(fixture("zeta"), "    secondaryRegion: spaincentral\n",
		"    secondaryRegion: swedencentral\n    retiringSecondaryRegion: spaincentral\n"))
	write("eta", replace(fixture("eta"), "fhir-dr:primaryRegion: uksouth", "fhir-dr:primaryRegion: westeurope"))
	t.Chdir(clone)

	code, stdout, stderr := runDrctl(t, "diff", "--base", "HEAD", "--json")
	assert.Equal(t, 1, code, stderr)
	var report review.Report
	require.NoError(t, json.Unmarshal([]byte(stdout), &report), stdout)
	require.Len(t, report.Stacks, 2)
	eta, zeta := report.Stacks[0], report.Stacks[1]
	require.Equal(t, "zeta", zeta.Customer)
	change := func(s review.StackReview, name string) review.Change {
		for _, c := range s.Changes {
			if c.Name == name {
				return c
			}
		}
		t.Fatalf("%s: no change of %s", s.Customer, name)
		return review.Change{}
	}

	// The secondary move: in order, but it takes down what serves the
	// customer: the profile lives in the standby's resource group.
	assert.Empty(t, zeta.Hazards)
	assert.Empty(t, zeta.EngineError)
	assert.Empty(t, zeta.Verdict)
	require.Len(t, zeta.Notes, 1)
	assert.True(t, strings.HasPrefix(zeta.Notes[0], "service outage: this change takes down what serves the customer now "+
		"(Traffic Manager profile profile replaced and Traffic Manager endpoint primary-endpoint replaced) and the standby ("), zeta.Notes[0])
	assert.Contains(t, zeta.Notes[0], "; and the primary's FHIR Deployment primary-fhir-deployment is rolled: the pod template changes")
	assert.NotContains(t, zeta.Notes[0], "the primary is not affected")
	assert.Equal(t, []review.FieldChange{
		{Path: "locations[spaincentral].failoverPriority", Old: "1", New: "2"},
		{Path: "locations[swedencentral]", Old: "(none)", New: `{"failoverPriority":1,"isZoneRedundant":true,"locationName":"swedencentral"}`},
	}, change(zeta, "account").Fields)
	assert.Contains(t, change(zeta, "primary-fhir-deployment").Fields, review.FieldChange{
		Path: "spec.template.spec.containers[fhir-server].env[CosmosDb__PreferredLocations__1].value", Old: `"spaincentral"`, New: `"swedencentral"`})
	assert.Contains(t, change(zeta, "primary-endpoint").Fields, review.FieldChange{Path: "profileName", Old: `"tm-zeta-fhir"`, New: "(known after deploy)"})
	require.NotNil(t, zeta.Base)
	require.NotNil(t, zeta.Head)
	assert.Equal(t, "full", zeta.Base.Tier)
	assert.Equal(t, "full", zeta.Head.Tier)
	assert.Greater(t, zeta.Head.MonthlyDRCost, zeta.Base.MonthlyDRCost, "the retiring region is billed until the move completes")

	// The primary move: data loss decides; Azure's refusals are facts.
	require.NotEmpty(t, eta.Hazards)
	assert.Equal(t, review.DataLoss, eta.Hazards[0].Kind)
	assert.Equal(t, "Revert this change: a new account, region or name needs a migration, not a config edit.", eta.Verdict)
	assert.Contains(t, eta.Refusals, "primary-rg (azure-native:resources:ResourceGroup) is protected: the engine refuses to replace it")
	for _, r := range eta.Refusals {
		assert.NotContains(t, r, "map[", "no Go map dumps")
		assert.NotContains(t, r, "remove the `protect` flag")
	}

	code, md, _ := runDrctl(t, "diff", "--base", "HEAD")
	assert.Equal(t, 1, code)
	assert.LessOrEqual(t, len(md), review.MaxComment)
	assert.NotContains(t, md, "04da6b54-80e4-46f7-96ec-b56ff0331ba9")
	assert.Contains(t, md, `\(known after deploy\)`)
	assert.NotContains(t, md, "...", "no value is cut")
	assert.Contains(t, md, "<code>locations\\[swedencentral\\]</code> added: ")
	assert.Contains(t, md, "| zeta | ok (see notes) | full | 15m | ")
	assert.Regexp(t, `\| eta \| \*\*blocked\*\* \| data \| 15m \| [^|]+ \| [0-9.,\\]+ \| `, md)
	assert.Contains(t, md, "**Verdict** (<code>data-loss</code>): Revert this change")
	assert.NotContains(t, md, "Split it into two pull requests", "no advice against the verdict")
	assert.NotContains(t, md, "Change the secondary region in two pull requests")
	assert.Contains(t, md, "| DR cost per month | ")
}

// TestDiffRefusesOptionRefs: a base that git would read as an option is
// refused before git sees it (git diff --output=x writes a file).
func TestDiffRefusesOptionRefs(t *testing.T) {
	clone := cloneProject(t)
	t.Chdir(clone)
	target := filepath.Join(t.TempDir(), "x")
	for _, args := range [][]string{
		{"diff", "--base=--output=" + target},
		{"diff", "--base", "--output=" + target},
		{"changed", "--base=--output=" + target},
		{"up", "--changed-since=--output=" + target},
	} {
		code, _, stderr := runDrctl(t, args...)
		assert.NotEqual(t, 0, code, args)
		assert.Contains(t, stderr, `"--output=`+target+`" is not a git revision: it starts with "-"`, args)
		assert.NoFileExists(t, target, args)
	}
}

// cloneProject clones the committed project into a temporary directory
// that uses this checkout's Pulumi CLI, with the fixture fleet committed as
// its stacks/ (testfleet), so that what the tests edit and pin is theirs.
func cloneProject(t *testing.T) string {
	t.Helper()
	return testfleet.CloneWithFixtures(t)
}
