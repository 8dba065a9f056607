//go:build integration

// Integration tests: the real Pulumi engine (make pulumi-cli) against the
// azure-native and kubernetes stand-ins, offline. Run with `make integration`.
package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"github.com/fhir-dr/fhir-dr/internal/testfleet"
	"github.com/fhir-dr/fhir-dr/stackfile"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fhir-dr/fhir-dr/azure/cosmosdb"
	"github.com/fhir-dr/fhir-dr/azure/operationalinsights"
	"github.com/fhir-dr/fhir-dr/azure/resources"
	"github.com/fhir-dr/fhir-dr/azure/trafficmanager"
	"github.com/fhir-dr/fhir-dr/drconfig"
	"github.com/fhir-dr/fhir-dr/internal/azurefake"
	"github.com/fhir-dr/fhir-dr/internal/azurestandin"
	"github.com/fhir-dr/fhir-dr/internal/kubestandin"
	"github.com/fhir-dr/fhir-dr/internal/render"
	"github.com/fhir-dr/fhir-dr/program"
)

const accountType = cosmosdb.DatabaseAccountToken

func projectRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	require.NoError(t, err)
	return root
}

// newSession starts a session whose engine output goes to the test log when
// the test fails.
func newSession(t *testing.T) *Session {
	t.Helper()
	var out bytes.Buffer
	s, err := NewSession(SessionOptions{ProjectRoot: projectRoot(t), Program: program.Run, Out: &out, PolicyPack: true})
	require.NoError(t, err)
	t.Cleanup(func() {
		if t.Failed() {
			t.Log(out.String())
		}
		assert.NoError(t, s.Close())
	})
	return s
}

func stackFile(t *testing.T, customer string) []byte {
	t.Helper()
	b, err := os.ReadFile(testfleet.Path(customer))
	require.NoError(t, err)
	return b
}

func exampleStacks(t *testing.T) []string {
	t.Helper()
	files, err := stackfile.List(testfleet.Root())
	require.NoError(t, err)
	var names []string
	for _, f := range files {
		name, err := stackfile.Stack(f)
		require.NoError(t, err)
		names = append(names, name)
	}
	require.Len(t, names, 6)
	return names
}

// TestExampleStacks: every example stack previews and deploys with the
// policy pack, previews again with no changes, and cannot be destroyed
// because its Cosmos DB account is protected; the account stays in state and
// in the (stand-in) cloud.
func TestExampleStacks(t *testing.T) {
	ctx := context.Background()
	s := newSession(t)
	for _, customer := range exampleStacks(t) {
		t.Run(customer, func(t *testing.T) {
			st, err := s.Stack(ctx, customer, stackFile(t, customer))
			require.NoError(t, err)

			// The engine plans exactly what the mocked render declares, plus
			// the stack itself.
			values, err := drconfig.ReadStackFile(testfleet.Path(customer))
			require.NoError(t, err)
			declared, err := render.Run(customer, values, program.Deploy)
			require.NoError(t, err)
			preview, err := st.Preview(ctx)
			require.NoError(t, err)
			creates := preview.Summary[apitype.OpCreate]
			assert.Equal(t, len(declared.Resources)+1, creates)
			for _, c := range preview.Changes {
				assert.Equal(t, apitype.OpCreate, c.Op, c.URN)
			}

			up, err := st.Up(ctx)
			require.NoError(t, err)
			assert.Equal(t, map[apitype.OpType]int{apitype.OpCreate: creates}, up.Summary)
			checkWorkload(t, s, customer, declared)

			again, err := st.Preview(ctx, optpreview.ExpectNoChanges())
			require.NoError(t, err)
			assert.Empty(t, again.Changes)
			assert.Equal(t, map[apitype.OpType]int{apitype.OpSame: creates}, again.Summary)

			_, err = st.Destroy(ctx)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "protected")

			state := exportState(t, st)
			account, ok := state[accountType]
			require.True(t, ok, "the account is still in state")
			assert.True(t, account.Protect)
			cloud, ok := s.Provider().Cloud()[account.ID]
			require.True(t, ok, "the account is still in the cloud")
			assert.Equal(t, accountType, cloud.Type)
		})
	}
}

// TestTransitions walks a customer through its DR life: enable (data
// tier), tier change to full, a recorded failover and failback, a move of
// the secondary region in its two steps, back to the data tier, and
// disable. The Cosmos DB account
// is never replaced or deleted; each region change reaches the stand-in as
// an update of the account's locations alone; a tier change updates its
// public network access alone (closed for the full tier); the recorded
// failover and failback do not touch the account at all.
func TestTransitions(t *testing.T) {
	ctx := context.Background()
	s := newSession(t)
	base := "config:\n  fhir-dr:customer: adatum\n  fhir-dr:primaryRegion: eastus2\n"
	dr := func(fields string) string {
		return base + "  fhir-dr:dr:\n    enabled: true\n    paging: {actionGroupId: /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-platform-oncall/providers/Microsoft.Insights/actionGroups/ag-fhir-oncall}\n    ticket: SR-2001\n" + fields
	}
	private := "  fhir-dr:compute:\n    apiServer:\n      private: true\n" + fhirSettings
	failedOver := "    writeRegion: centralus\n    writeRegionChange: planned failover to centralus at 2026-11-25T18:00:00Z by ops (INC-1)\n"
	failedBack := "    writeRegionChange: failback to eastus2 at 2026-11-25T19:00:00Z by ops (INC-1)\n"
	steps := []struct {
		name          string
		config        string
		inCloud       string   // a write-region change made in Azure first, as drctl failover does
		accountUpdate []string // the inputs the account update changes; nil: no update
	}{
		{"no DR", base, "", nil},
		{"enable data tier", dr("    tier: data\n"), "", []string{"locations"}},
		// The full tier closes the public endpoint (its stamps reach the
		// account through private endpoints): an update of that alone.
		{"change to full tier", dr("    tier: full\n") + private, "", []string{"publicNetworkAccess"}},
		{"recorded failover", dr("    tier: full\n"+failedOver) + private, "centralus", nil},
		{"recorded failback", dr("    tier: full\n"+failedBack) + private, "eastus2", nil},
		{"region move, step 1: add the new region", dr("    tier: full\n    secondaryRegion: westus2\n    retiringSecondaryRegion: centralus\n"+failedBack) + private, "", []string{"locations"}},
		{"region move, step 2: remove the old region", dr("    tier: full\n    secondaryRegion: westus2\n"+failedBack) + private, "", []string{"locations"}},
		{"back to the data tier", dr("    tier: data\n    secondaryRegion: westus2\n" + failedBack), "", []string{"publicNetworkAccess"}},
		{"disable", base, "", []string{"locations"}},
	}
	st, err := s.Stack(ctx, "adatum", []byte(steps[0].config))
	require.NoError(t, err)
	for i, step := range steps {
		require.NoError(t, st.SetConfig([]byte(step.config)), step.name)
		if step.inCloud != "" {
			state := exportState(t, st)
			require.True(t, s.Provider().SetWriteRegion(state[accountType].ID, step.inCloud), step.name)
			_, err := st.Refresh(ctx)
			require.NoError(t, err, step.name)
		}
		preview, err := st.Preview(ctx)
		require.NoError(t, err, step.name)
		before := len(s.Provider().Ops())
		up, err := st.Up(ctx)
		require.NoError(t, err, step.name)
		assert.Equal(t, opsOf(preview.Changes), opsOf(up.Changes), "%s: up does what preview showed", step.name)

		for _, c := range up.Changes {
			if c.Type == accountType && i > 0 {
				assert.Equal(t, apitype.OpUpdate, c.Op, "%s: the account is only ever updated", step.name)
				assert.Equal(t, step.accountUpdate, c.Diffs, step.name)
			}
		}
		var accountOps []azurestandin.Op
		for _, op := range s.Provider().Ops()[before:] {
			if op.Type == accountType {
				accountOps = append(accountOps, op)
			}
		}
		switch {
		case i == 0:
			require.Len(t, accountOps, 1)
			assert.Equal(t, azurestandin.OpCreate, accountOps[0].Kind)
		case step.accountUpdate == nil:
			assert.Empty(t, accountOps, "%s: the account is not touched", step.name)
		default:
			require.Len(t, accountOps, 1, step.name)
			assert.Equal(t, azurestandin.OpUpdate, accountOps[0].Kind, step.name)
			assert.Equal(t, step.accountUpdate, accountOps[0].Changed, step.name)
		}
	}
	for _, op := range s.Provider().Ops() {
		if op.Type == accountType {
			assert.NotEqual(t, azurestandin.OpDelete, op.Kind, "the account is never deleted")
		}
	}
}

// TestSecondaryMoveFromARegionWithoutZoneRedundancy moves the secondary of
// a customer whose old secondary was deployed without zone redundancy
// (cosmos.zoneRedundant.secondary: false in a region with zones), as
// northwind moving from swedencentral to norwayeast would. Azure cannot
// change a region's zone redundancy in place, so step one must declare the
// retiring region as it is deployed: cosmos.zoneRedundant.retiring carries
// the old secondary's value over. Without it the retiring region would be
// declared from its zone support, and the stand-in refuses the update as
// Azure does; with it, each step reaches the account as an update of its
// locations alone.
func TestSecondaryMoveFromARegionWithoutZoneRedundancy(t *testing.T) {
	ctx := context.Background()
	s := newSession(t)
	stack := func(dr, cosmos string) string {
		return "config:\n  fhir-dr:customer: northwind\n  fhir-dr:primaryRegion: westeurope\n" +
			"  fhir-dr:dr:\n    enabled: true\n    paging: {actionGroupId: /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-platform-oncall/providers/Microsoft.Insights/actionGroups/ag-fhir-oncall}\n    tier: data\n    ticket: SR-101002\n" + dr +
			"  fhir-dr:cosmos:\n    zoneRedundant:\n" + cosmos
	}
	deployed := stack("    secondaryRegion: swedencentral\n", "      secondary: false\n")
	st, err := s.Stack(ctx, "northwind", []byte(deployed))
	require.NoError(t, err)
	_, err = st.Up(ctx)
	require.NoError(t, err)

	move := "    secondaryRegion: norwayeast\n    retiringSecondaryRegion: swedencentral\n"
	// The region's zone support is not what is deployed: refused.
	require.NoError(t, st.SetConfig([]byte(stack(move, "      secondary: true\n"))))
	_, err = st.Preview(ctx)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "zone redundancy of swedencentral")

	for _, step := range []struct{ name, config, added, removed string }{
		{"step 1: add norwayeast, keep swedencentral as deployed", stack(move, "      secondary: true\n      retiring: false\n"), "norwayeast", ""},
		{"step 2: remove swedencentral", stack("    secondaryRegion: norwayeast\n", "      secondary: true\n"), "", "swedencentral"},
	} {
		require.NoError(t, st.SetConfig([]byte(step.config)), step.name)
		before := len(s.Provider().Ops())
		up, err := st.Up(ctx)
		require.NoError(t, err, step.name)
		var accountOps []azurestandin.Op
		for _, op := range s.Provider().Ops()[before:] {
			if op.Type == accountType {
				accountOps = append(accountOps, op)
			}
		}
		require.Len(t, accountOps, 1, step.name)
		assert.Equal(t, azurestandin.OpUpdate, accountOps[0].Kind, step.name)
		assert.Equal(t, []string{"locations"}, accountOps[0].Changed, step.name)
		for _, c := range up.Changes {
			if c.Type == accountType {
				assert.Equal(t, []string{"locations"}, c.Diffs, step.name)
			}
		}
	}
	account := s.Provider().Cloud()[exportState(t, st)[accountType].ID]
	assert.Equal(t, `[{"failoverPriority":0,"isZoneRedundant":true,"locationName":"westeurope"},`+
		`{"failoverPriority":1,"isZoneRedundant":true,"locationName":"norwayeast"}]`,
		mustJSONOf(t, account.Inputs["locations"].Mappable()))
}

func mustJSONOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

type stateResource struct {
	URN     string `json:"urn"`
	Type    string `json:"type"`
	ID      string `json:"id"`
	Protect bool   `json:"protect"`
}

// exportState returns the custom resources of the stack's state by type
// (the last of each type).
func exportState(t *testing.T, st *Stack) map[string]stateResource {
	t.Helper()
	d, err := st.Export(context.Background())
	require.NoError(t, err)
	var deployment struct {
		Resources []stateResource `json:"resources"`
	}
	require.NoError(t, json.Unmarshal(d.Deployment, &deployment))
	byType := map[string]stateResource{}
	for _, r := range deployment.Resources {
		byType[r.Type] = r
	}
	return byType
}

func opsOf(changes []Change) map[string]map[apitype.OpType]bool {
	m := map[string]map[apitype.OpType]bool{}
	for _, c := range changes {
		if m[c.URN] == nil {
			m[c.URN] = map[apitype.OpType]bool{}
		}
		m[c.URN][c.Op] = true
	}
	return m
}

// TestRefusedChanges: changes that would lose data or that Azure rejects
// fail the preview, naming the reason, and never reach the account.
func TestRefusedChanges(t *testing.T) {
	ctx := context.Background()
	s := newSession(t)
	base := "config:\n  fhir-dr:customer: adatum\n  fhir-dr:primaryRegion: eastus2\n"
	st, err := s.Stack(ctx, "adatum", []byte(base))
	require.NoError(t, err)
	_, err = st.Up(ctx)
	require.NoError(t, err)
	deployed := len(s.Provider().Ops())

	for name, tc := range map[string]struct {
		config string
		want   string
	}{
		"moving the primary region replaces the protected account": {
			"config:\n  fhir-dr:customer: adatum\n  fhir-dr:primaryRegion: centralus\n",
			"marked for protection",
		},
		"enabling DR together with another account change": {
			base + "  fhir-dr:dr:\n    enabled: true\n    paging: {actionGroupId: /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-platform-oncall/providers/Microsoft.Insights/actionGroups/ag-fhir-oncall}\n    tier: data\n    ticket: SR-2001\n" +
				"  fhir-dr:cosmos:\n    backup:\n      intervalMinutes: 120\n",
			"adding or removing regions (add centralus) cannot be combined with other account changes (backupPolicy)",
		},
	} {
		t.Run(name, func(t *testing.T) {
			require.NoError(t, st.SetConfig([]byte(tc.config)))
			_, err := st.Preview(ctx)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			// up goes ahead with the independent steps, as the real engine
			// does; the account itself is never written.
			_, err = st.Up(ctx)
			require.Error(t, err)
			for _, op := range s.Provider().Ops()[deployed:] {
				assert.NotEqual(t, accountType, op.Type, "%+v", op)
			}
		})
	}
}

// TestDeployRevision deploys a customer as committed, with that revision's
// own program built from git, then previews the working tree's change
// against it: enabling DR reaches the account as a locations-only update.
func TestDeployRevision(t *testing.T) {
	ctx := context.Background()
	// A clone of the project whose HEAD has adatum without DR, and whose
	// working tree enables it.
	clone := testfleet.CloneWithFixtures(t)
	enabled := "config:\n  fhir-dr:customer: adatum\n  fhir-dr:primaryRegion: eastus2\n" +
		"  fhir-dr:dr:\n    enabled: true\n    paging: {actionGroupId: /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-platform-oncall/providers/Microsoft.Insights/actionGroups/ag-fhir-oncall}\n    tier: data\n    ticket: SR-2001\n"
	require.NoError(t, os.WriteFile(filepath.Join(clone, stackfile.Path("adatum")), []byte(enabled), 0o644))

	var out bytes.Buffer
	s, err := NewSession(SessionOptions{ProjectRoot: clone, CLIRoot: CLIRoot(projectRoot(t)), Program: program.Run, Out: &out})
	require.NoError(t, err)
	t.Cleanup(func() {
		if t.Failed() {
			t.Log(out.String())
		}
		assert.NoError(t, s.Close())
	})
	st, err := s.Stack(ctx, "adatum", []byte(enabled))
	require.NoError(t, err)

	commit, err := s.DeployRevision(ctx, st, "HEAD")
	require.NoError(t, err)
	head, err := git(ctx, clone, "rev-parse", "HEAD")
	require.NoError(t, err)
	assert.Equal(t, strings.TrimSpace(head), commit)
	state := exportState(t, st)
	require.Contains(t, state, accountType, "the revision's program deployed the account")
	assert.NotContains(t, state, trafficmanager.ProfileToken)

	preview, err := st.Preview(ctx)
	require.NoError(t, err)
	changes := preview.Find(accountType)
	require.Len(t, changes, 1)
	assert.Equal(t, apitype.OpUpdate, changes[0].Op)
	assert.Equal(t, []string{"locations"}, changes[0].Diffs)

	_, err = s.DeployRevision(ctx, st, "no-such-revision")
	assert.ErrorContains(t, err, `"no-such-revision" is not a commit`)
	_, err = s.DeployRevision(ctx, &Stack{session: s, ws: &workspace{customer: "nobody", dir: st.ws.dir, cli: st.ws.cli, env: st.ws.env}}, "HEAD")
	assert.ErrorIs(t, err, ErrNotAtRevision)
}

// TestOffboarding follows the documented sequence after DR is disabled:
// unprotect, destroy. Nothing of the customer's data or audit logs is
// deleted in the cloud; the stack is empty.
func TestOffboarding(t *testing.T) {
	ctx := context.Background()
	s := newSession(t)
	st, err := s.Stack(ctx, "adatum", stackFile(t, "adatum"))
	require.NoError(t, err)
	_, err = st.Up(ctx)
	require.NoError(t, err)
	before := len(s.Provider().Ops())

	require.NoError(t, st.UnprotectAll(ctx))
	_, err = st.Destroy(ctx)
	require.NoError(t, err)

	var deleted []string
	for _, op := range s.Provider().Ops()[before:] {
		if op.Kind == azurestandin.OpDelete {
			deleted = append(deleted, op.Name)
		}
	}
	// The locks go first: the diagnostic setting is inside the account's
	// locked scope, and the stand-in refuses deletes under a lock as Azure
	// does.
	require.Len(t, deleted, 3, "only the locks and the diagnostic setting are deleted")
	assert.ElementsMatch(t, []string{"data-lock", "audit-lock"}, deleted[:2])
	assert.Equal(t, "cosmos-diagnostics", deleted[2])
	kept := map[string]bool{}
	for _, r := range s.Provider().Cloud() {
		kept[r.Type] = true
	}
	for _, typ := range []string{accountType, cosmosdb.SqlResourceSqlDatabaseToken, cosmosdb.SqlResourceSqlContainerToken,
		resources.ResourceGroupToken, operationalinsights.WorkspaceToken} {
		assert.True(t, kept[typ], "%s stays in Azure", typ)
	}
	assert.Empty(t, exportState(t, st), "the stack is empty")
}

// TestAdoptExistingCustomer: a customer who ran before asking for DR has a
// resource group, account, database and container. The stack file names
// the account; the first up imports the four (nothing is created or
// updated in their place), the next preview shows no changes, and enabling
// DR then adds the secondary region as usual. An existing account that
// differs from the declaration is refused, not changed.
func TestAdoptExistingCustomer(t *testing.T) {
	ctx := context.Background()
	s := newSession(t)
	const accountID = "/subscriptions/" + azurefake.SubscriptionID + "/resourceGroups/rg-legacy-fhir/providers/Microsoft.DocumentDB/databaseAccounts/adatum-fhir-prod"
	config := "config:\n  fhir-dr:customer: adatum\n  fhir-dr:primaryRegion: eastus2\n" +
		"  fhir-dr:primary:\n    existingAccountId: " + accountID + "\n"

	// The customer's resources as they exist: exactly what the stack file
	// declares for them.
	values := map[string]string{"fhir-dr:customer": "adatum", "fhir-dr:primaryRegion": "eastus2",
		"fhir-dr:primary": `{"existingAccountId":"` + accountID + `"}`}
	declared, err := render.Run("adatum", values, program.Deploy)
	require.NoError(t, err)
	existing := map[string]string{}
	seeded := map[string]azurestandin.Resource{}
	for _, name := range []string{"primary-rg", "account", "health", "fhirR4"} {
		i := slices.IndexFunc(declared.Resources, func(r render.Resource) bool { return r.Name == name && r.Custom })
		require.GreaterOrEqual(t, i, 0, name)
		r := declared.Resources[i]
		inputs := resource.NewPropertyMapFromMap(r.Inputs)
		id, outputs := azurefake.Outputs(r.Type, r.Name, inputs)
		seeded[id] = azurestandin.Resource{Type: r.Type, Inputs: inputs, Outputs: outputs}
		s.Provider().Add(id, seeded[id])
		existing[id] = name
	}
	require.Contains(t, existing, accountID)

	st, err := s.Stack(ctx, "adatum", []byte(config))
	require.NoError(t, err)
	preview, err := st.Preview(ctx)
	require.NoError(t, err)
	imports := map[string]bool{}
	for _, c := range preview.Changes {
		if c.Op == apitype.OpImport {
			imports[c.Name] = true
		}
	}
	assert.Equal(t, map[string]bool{"primary-rg": true, "account": true, "health": true, "fhirR4": true}, imports)

	before := len(s.Provider().Ops())
	_, err = st.Up(ctx)
	require.NoError(t, err)
	for _, op := range s.Provider().Ops()[before:] {
		if _, adopted := existing[op.ID]; adopted {
			assert.Equal(t, azurestandin.OpRead, op.Kind, "%s is only read: %+v", op.Name, op)
		}
	}
	again, err := st.Preview(ctx, optpreview.ExpectNoChanges())
	require.NoError(t, err)
	assert.Empty(t, again.Changes)

	// Enabling DR afterwards changes the account's locations only.
	enabled := config + "  fhir-dr:dr:\n    enabled: true\n    paging: {actionGroupId: /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-platform-oncall/providers/Microsoft.Insights/actionGroups/ag-fhir-oncall}\n    tier: data\n    ticket: SR-3\n"
	require.NoError(t, st.SetConfig([]byte(enabled)))
	up, err := st.Up(ctx)
	require.NoError(t, err)
	for _, c := range up.Find(accountType) {
		assert.Equal(t, apitype.OpUpdate, c.Op)
		assert.Equal(t, []string{"locations"}, c.Diffs)
	}

	// An existing account whose settings differ from the stack file.
	s2 := newSession(t)
	for id, name := range existing {
		r := seeded[id]
		inputs := r.Inputs.Copy()
		outputs := r.Outputs
		if name == "account" {
			inputs["minimalTlsVersion"] = resource.NewProperty("Tls11")
			_, outputs = azurefake.Outputs(r.Type, name, inputs)
		}
		s2.Provider().Add(id, azurestandin.Resource{Type: r.Type, Inputs: inputs, Outputs: outputs})
	}
	st2, err := s2.Stack(ctx, "adatum", []byte(config))
	require.NoError(t, err)
	// The engine would import it and then update it to the declared
	// settings in the same run: the surprise update adoption must not
	// make. The preview shows it (drctl diff calls it adopt-mismatch).
	mismatch, err := st2.Preview(ctx)
	require.NoError(t, err)
	ops := map[apitype.OpType][]string{}
	for _, c := range mismatch.Find(accountType) {
		ops[c.Op] = c.Diffs
	}
	assert.Contains(t, ops, apitype.OpImport)
	assert.Equal(t, []string{"minimalTlsVersion"}, ops[apitype.OpUpdate])
}

// fhirSettings are the fhir settings the full tier requires.
const fhirSettings = "  fhir-dr:fhir:\n    version: \"4.0.1\"\n    auth:\n      authority: https://login.microsoftonline.com/t\n      audience: https://fhir.example\n"

// checkWorkload: after an up, the kubernetes stand-in holds exactly the
// Kubernetes objects the render declares, applied through providers
// configured with the two clusters' own API servers.
func checkWorkload(t *testing.T, s *Session, customer string, declared *render.Plan) {
	t.Helper()
	want := map[string]bool{}
	for _, r := range declared.Resources {
		if strings.HasPrefix(r.Type, "kubernetes:") {
			want[r.URN] = true
		}
	}
	got := map[string]bool{}
	for urn, obj := range s.Kubernetes().Objects() {
		if strings.HasPrefix(urn, "urn:pulumi:"+customer+"::") {
			got[urn] = true
			r, ok := declared.Get(obj.Type, resource.URN(urn).Name())
			if assert.True(t, ok, urn) {
				want, err := json.Marshal(r.Inputs)
				require.NoError(t, err)
				got, err := json.Marshal(obj.Inputs.Mappable())
				require.NoError(t, err)
				assert.JSONEq(t, string(want), string(got), "the cluster holds the declared manifest: %s", urn)
			}
		}
	}
	if len(want) == 0 {
		assert.Empty(t, got, "no workload without compute")
		return
	}
	assert.Equal(t, want, got)
	for _, role := range []string{"primary", "secondary"} {
		id := "/subscriptions/" + azurefake.SubscriptionID
		for _, r := range declared.Resources {
			if r.Name == role+"-aks" {
				id = r.ID
			}
		}
		cluster, ok := s.Provider().Cloud()[id]
		require.True(t, ok, id)
		assert.Contains(t, s.Kubernetes().Servers(), "https://"+cluster.Outputs["fqdn"].StringValue()+":443",
			"the %s provider talks to its own cluster", role)
	}
}

// TestWorkloadChanges: a new FHIR server version rolls out to both stamps
// as in-place updates of the two Deployments and nothing else. Rebuilt
// clusters (a public API server made private, which AKS cannot do in
// place; the spec is shared, so both stamps) get their workload again
// through new providers, without the engine trying to delete objects from
// the clusters being replaced, and no data resource is touched.
func TestWorkloadChanges(t *testing.T) {
	ctx := context.Background()
	s := newSession(t)
	config := string(stackFile(t, "contoso"))
	st, err := s.Stack(ctx, "contoso", []byte(config))
	require.NoError(t, err)
	_, err = st.Up(ctx)
	require.NoError(t, err)

	rollout := strings.Replace(config, `version: "main-20260821-1"`, `version: "main-20261120-2"`, 1)
	require.NotEqual(t, config, rollout)
	require.NoError(t, st.SetConfig([]byte(rollout)))
	preview, err := st.Preview(ctx)
	require.NoError(t, err)
	up, err := st.Up(ctx)
	require.NoError(t, err)
	assert.Equal(t, opsOf(preview.Changes), opsOf(up.Changes))
	changed := map[string]apitype.OpType{}
	for _, c := range up.Changes {
		changed[resource.URN(c.URN).Name()] = c.Op
	}
	assert.Equal(t, map[string]apitype.OpType{
		"primary-fhir-deployment": apitype.OpUpdate, "secondary-fhir-deployment": apitype.OpUpdate,
	}, changed, "only the Deployments change, in place")
	for urn, obj := range s.Kubernetes().Objects() {
		if obj.Type == "kubernetes:apps/v1:Deployment" {
			assert.Contains(t, fmt.Sprint(obj.Inputs.Mappable()), "r4-fhir-server:main-20261120-2", urn)
		}
	}

	private := strings.Replace(rollout, "    apiServer:\n      authorizedIPRanges:\n        - 203.0.113.0/24\n",
		"    apiServer:\n      private: true\n", 1)
	require.NotEqual(t, rollout, private)
	require.NoError(t, st.SetConfig([]byte(private)))
	preview, err = st.Preview(ctx)
	require.NoError(t, err)
	up, err = st.Up(ctx)
	require.NoError(t, err, "a rebuilt cluster gets its workload again")
	assert.Equal(t, opsOf(preview.Changes), opsOf(up.Changes))
	rebuilt := map[string]bool{}
	for _, c := range up.Changes {
		name := resource.URN(c.URN).Name()
		switch {
		case c.Op == apitype.OpCreateReplacement:
			rebuilt[name] = true
		case slices.Contains([]string{accountType, cosmosdb.SqlResourceSqlDatabaseToken,
			cosmosdb.SqlResourceSqlContainerToken}, c.Type):
			t.Errorf("%s: data resource touched (%s)", c.URN, c.Op)
		}
	}
	for _, role := range []string{"primary", "secondary"} {
		for _, name := range []string{"-aks", "-k8s", "-fhir-namespace", "-fhir-deployment", "-fhir-service", "-fhir-hpa"} {
			assert.True(t, rebuilt[role+name], "%s%s is rebuilt", role, name)
		}
	}
	var k8sDeletes []kubestandin.Op
	for _, op := range s.Kubernetes().Ops() {
		if op.Kind == kubestandin.OpDelete {
			k8sDeletes = append(k8sDeletes, op)
		}
	}
	assert.Empty(t, k8sDeletes, "objects go with their cluster: nothing is deleted from a cluster being replaced")
	again, err := st.Preview(ctx, optpreview.ExpectNoChanges())
	require.NoError(t, err)
	assert.Empty(t, again.Changes)
	checkWorkload(t, s, "contoso", mustRender(t, "contoso", private))
}

// mustRender renders a stack from stack file content.
func mustRender(t *testing.T, customer, config string) *render.Plan {
	t.Helper()
	path := filepath.Join(t.TempDir(), stackfile.Path(customer))
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, []byte(config), 0o644))
	values, err := drconfig.ReadStackFile(path)
	require.NoError(t, err)
	plan, err := render.Run(customer, values, program.Deploy)
	require.NoError(t, err)
	return plan
}
