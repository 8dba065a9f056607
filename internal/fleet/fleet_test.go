package fleet

import (
	"fmt"
	"github.com/fhir-dr/fhir-dr/stackfile"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fhir-dr/fhir-dr/drconfig"
)

// stack resolves a stack named name from its flat configuration; every
// stack has a customer (name unless given) and a primary region.
func stack(t *testing.T, name string, values map[string]string) Stack {
	t.Helper()
	v := map[string]string{"fhir-dr:customer": name, "fhir-dr:primaryRegion": "eastus"}
	for k, val := range values {
		v[k] = val
	}
	file := "stacks/Pulumi." + name + ".yaml"
	cfg, err := drconfig.Load(file, v)
	require.NoError(t, err)
	return Stack{File: file, Config: cfg}
}

const (
	accountA = "/subscriptions/00000000-0000-0000-0000-00000000000a/resourceGroups/rg-x/providers/Microsoft.DocumentDB/databaseAccounts/fhir-xen"
	accountB = "/subscriptions/00000000-0000-0000-0000-00000000000A/resourceGroups/RG-X/providers/Microsoft.DocumentDB/databaseAccounts/fhir-xen"
)

func TestCheck(t *testing.T) {
	full := func(audience string) map[string]string {
		return map[string]string{
			"fhir-dr:dr":      `{"enabled":true,"paging":{"actionGroupId":"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-platform-oncall/providers/Microsoft.Insights/actionGroups/ag-fhir-oncall"},"tier":"full","ticket":"SR-1"}`,
			"fhir-dr:compute": `{"apiServer":{"private":true}}`,
			"fhir-dr:fhir":    `{"version":"4.0.1","auth":{"authority":"https://login.microsoftonline.com/t","audience":"` + audience + `"}}`,
		}
	}
	for name, tc := range map[string]struct {
		stacks func(t *testing.T) []Stack
		want   []string
	}{
		"distinct stacks": {func(t *testing.T) []Stack {
			return []Stack{stack(t, "ann", nil), stack(t, "bob", full("https://bob-fhir.trafficmanager.net")), stack(t, "cat", nil)}
		}, nil},
		"a stack without a configuration is left out": {func(t *testing.T) []Stack {
			return []Stack{stack(t, "ann", nil), {File: "stacks/Pulumi.bob.yaml"}}
		}, nil},
		"the customer is not the stack name": {func(t *testing.T) []Stack {
			return []Stack{stack(t, "ann", map[string]string{"fhir-dr:customer": "bob"})}
		}, []string{
			"stacks/Pulumi.ann.yaml: fhir-dr:customer: is bob, but the stack is ann: a stack is named after its customer, so customer bob's stack file is Pulumi.bob.yaml",
		}},
		"three stacks of one customer, and the default names that come with it": {func(t *testing.T) []Stack {
			return []Stack{
				stack(t, "xen", nil),
				stack(t, "yew", map[string]string{"fhir-dr:customer": "xen"}),
				stack(t, "zed", map[string]string{"fhir-dr:customer": "xen", "fhir-dr:cosmos": `{"accountName":"fhir-zed"}`}),
			}
		}, []string{
			"stacks/Pulumi.yew.yaml: fhir-dr:customer: is xen, but the stack is yew: a stack is named after its customer, so customer xen's stack file is Pulumi.xen.yaml",
			"stacks/Pulumi.zed.yaml: fhir-dr:customer: is xen, but the stack is zed: a stack is named after its customer, so customer xen's stack file is Pulumi.xen.yaml",
			"stacks/Pulumi.xen.yaml, stacks/Pulumi.yew.yaml and stacks/Pulumi.zed.yaml: fhir-dr:customer: xen is declared by all 3: a customer has one stack",
			"stacks/Pulumi.xen.yaml and stacks/Pulumi.yew.yaml: fhir-dr:cosmos.accountName: fhir-xen is declared by both: " +
				"Cosmos DB account names are global in Azure, so there is one such account, for one customer",
			"stacks/Pulumi.xen.yaml, stacks/Pulumi.yew.yaml and stacks/Pulumi.zed.yaml: fhir-dr:trafficManager.dnsName: xen-fhir is declared by all 3: " +
				"xen-fhir.trafficmanager.net is one global DNS name, for one customer",
		}},
		"an account name that is another customer's default": {func(t *testing.T) []Stack {
			return []Stack{stack(t, "xen", nil), stack(t, "yew", map[string]string{"fhir-dr:cosmos": `{"accountName":"fhir-xen"}`})}
		}, []string{
			"stacks/Pulumi.xen.yaml and stacks/Pulumi.yew.yaml: fhir-dr:cosmos.accountName: fhir-xen is declared by both: " +
				"Cosmos DB account names are global in Azure, so there is one such account, for one customer",
		}},
		"adopting the account another stack creates": {func(t *testing.T) []Stack {
			return []Stack{stack(t, "xen", nil), stack(t, "yew", map[string]string{"fhir-dr:primary": `{"existingAccountId":"` + accountA + `"}`})}
		}, []string{
			"stacks/Pulumi.xen.yaml and stacks/Pulumi.yew.yaml: fhir-dr:cosmos.accountName: fhir-xen is declared by both: " +
				"Cosmos DB account names are global in Azure, so there is one such account, for one customer; " +
				"stacks/Pulumi.yew.yaml would adopt it (fhir-dr:primary.existingAccountId)",
		}},
		"one account adopted twice, its ID spelt in another case": {func(t *testing.T) []Stack {
			return []Stack{
				stack(t, "ann", map[string]string{"fhir-dr:primary": `{"existingAccountId":"` + accountA + `"}`}),
				stack(t, "bob", map[string]string{"fhir-dr:primary": `{"existingAccountId":"` + accountB + `"}`}),
			}
		}, []string{
			"stacks/Pulumi.ann.yaml and stacks/Pulumi.bob.yaml: fhir-dr:primary.existingAccountId: " + accountA +
				" is adopted by both: an account belongs to one customer's stack",
		}},
		"two accounts adopted in one resource group": {func(t *testing.T) []Stack {
			return []Stack{
				stack(t, "ann", map[string]string{"fhir-dr:primary": `{"existingAccountId":"` + accountA + `"}`}),
				stack(t, "bob", map[string]string{"fhir-dr:primary": `{"existingAccountId":"/subscriptions/00000000-0000-0000-0000-00000000000a/resourceGroups/rg-x/providers/Microsoft.DocumentDB/databaseAccounts/fhir-bob"}`}),
			}
		}, []string{
			"stacks/Pulumi.ann.yaml and stacks/Pulumi.bob.yaml: fhir-dr:primary.existingAccountId: the resource group " +
				"/subscriptions/00000000-0000-0000-0000-00000000000a/resourceGroups/rg-x is adopted by both: " +
				"each would import it and tag it as its own; a resource group belongs to one customer's stack",
		}},
		"an account adopted in the resource group another stack creates": {func(t *testing.T) []Stack {
			return []Stack{
				stack(t, "ann", nil),
				stack(t, "bob", map[string]string{"fhir-dr:primary": `{"existingAccountId":"/subscriptions/00000000-0000-0000-0000-00000000000a/resourceGroups/RG-ANN-FHIR-EASTUS/providers/Microsoft.DocumentDB/databaseAccounts/fhir-bob"}`}),
			}
		}, []string{
			"stacks/Pulumi.ann.yaml and stacks/Pulumi.bob.yaml: fhir-dr:primary.existingAccountId: stacks/Pulumi.bob.yaml adopts an account " +
				"in the resource group RG-ANN-FHIR-EASTUS, which stacks/Pulumi.ann.yaml creates for customer ann's data: a resource group belongs to one customer's stack",
		}},
		"a Traffic Manager name declared twice": {func(t *testing.T) []Stack {
			return []Stack{stack(t, "xen", nil), stack(t, "yew", map[string]string{"fhir-dr:trafficManager": `{"dnsName":"xen-fhir"}`})}
		}, []string{
			"stacks/Pulumi.xen.yaml and stacks/Pulumi.yew.yaml: fhir-dr:trafficManager.dnsName: xen-fhir is declared by both: " +
				"xen-fhir.trafficmanager.net is one global DNS name, for one customer",
		}},
		"an audience that is another customer's Traffic Manager name": {func(t *testing.T) []Stack {
			return []Stack{stack(t, "ann", full("https://BOB-FHIR.trafficmanager.net/")), stack(t, "bob", full("api://bob-fhir.trafficmanager.net"))}
		}, []string{
			"stacks/Pulumi.ann.yaml and stacks/Pulumi.bob.yaml: fhir-dr:fhir.auth.audience: in stacks/Pulumi.ann.yaml is bob-fhir.trafficmanager.net, " +
				"the Traffic Manager name of customer bob (stacks/Pulumi.bob.yaml): its FHIR service would accept tokens meant for bob; " +
				"use the customer's own name, ann-fhir.trafficmanager.net",
		}},
	} {
		t.Run(name, func(t *testing.T) {
			var got []string
			for _, p := range Check(tc.stacks(t)) {
				got = append(got, p.String())
			}
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestTrafficManagerLabel(t *testing.T) {
	for audience, want := range map[string]string{
		"https://contoso-fhir.trafficmanager.net":      "contoso-fhir",
		"https://Contoso-FHIR.trafficmanager.net./x":   "contoso-fhir",
		"contoso-fhir.trafficmanager.net/":             "contoso-fhir",
		"api://contoso-fhir.trafficmanager.net":        "contoso-fhir",
		"https://fhir.contoso.example":                 "",
		"https://a.b.trafficmanager.net":               "",
		"https://trafficmanager.net":                   "",
		"https://contoso-fhir.trafficmanager.net.evil": "",
	} {
		got, ok := trafficManagerLabel(audience)
		assert.Equal(t, want, got, audience)
		assert.Equal(t, want != "", ok, audience)
	}
}

// TestCheckProject loads a project's stack files: the ones that load are
// judged, named relative to the project root; the others are left out.
func TestCheckProject(t *testing.T) {
	root := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(root, "stacks"), 0o755))
	for name, content := range map[string]string{
		"ann": "config:\n  fhir-dr:customer: ann\n  fhir-dr:primaryRegion: eastus\n",
		"bob": "config:\n  fhir-dr:customer: bob\n  fhir-dr:primaryRegion: eastus\n  fhir-dr:cosmos:\n    accountName: fhir-ann\n",
		"cat": "config:\n  fhir-dr:customer: ann\n  fhir-dr:primaryRegion: mars\n",
	} {
		require.NoError(t, os.WriteFile(filepath.Join(root, stackfile.Path(name)), []byte(content), 0o644))
	}
	ps, err := CheckProject(root)
	require.NoError(t, err)
	require.Len(t, ps, 1, ps.Error())
	assert.Equal(t, []string{"stacks/Pulumi.ann.yaml", "stacks/Pulumi.bob.yaml"}, ps[0].Files)
	assert.Equal(t, "fhir-dr:cosmos.accountName", ps[0].Key)
	assert.Len(t, ps.Involving("stacks/Pulumi.bob.yaml"), 1)
	assert.Empty(t, ps.Involving("stacks/Pulumi.cat.yaml"))
}

// BenchmarkCheckProject loads and checks a fleet of 1,000 stack files, as
// drctl diff does before any engine run.
func BenchmarkCheckProject(b *testing.B) {
	root := b.TempDir()
	require.NoError(b, os.MkdirAll(filepath.Join(root, "stacks"), 0o755))
	for i := range 1000 {
		name := fmt.Sprintf("customer%04d", i)
		content := "config:\n  fhir-dr:customer: " + name + "\n  fhir-dr:primaryRegion: eastus\n  fhir-dr:dr:\n    enabled: true\n    paging: {actionGroupId: /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-platform-oncall/providers/Microsoft.Insights/actionGroups/ag-fhir-oncall}\n" +
			"    tier: full\n    ticket: SR-1\n  fhir-dr:compute:\n    apiServer:\n      private: true\n  fhir-dr:fhir:\n" +
			"    version: \"4.0.1\"\n    auth:\n      authority: https://login.microsoftonline.com/t\n" +
			"      audience: https://" + name + "-fhir.trafficmanager.net\n"
		require.NoError(b, os.WriteFile(filepath.Join(root, stackfile.Path(name)), []byte(content), 0o644))
	}
	for b.Loop() {
		ps, err := CheckProject(root)
		require.NoError(b, err)
		require.Empty(b, ps)
	}
}
