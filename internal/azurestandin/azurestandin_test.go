package azurestandin

import (
	"context"
	"encoding/base64"
	"github.com/fhir-dr/fhir-dr/stackfile"
	"maps"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fhir-dr/fhir-dr/azure/authorization"
	"github.com/fhir-dr/fhir-dr/azure/containerservice"
	"github.com/fhir-dr/fhir-dr/azure/cosmosdb"
	"github.com/fhir-dr/fhir-dr/drconfig"
	"github.com/fhir-dr/fhir-dr/internal/azurefake"
	"github.com/fhir-dr/fhir-dr/internal/azureschema"
	"github.com/fhir-dr/fhir-dr/internal/render"
	"github.com/fhir-dr/fhir-dr/internal/standin"
	"github.com/fhir-dr/fhir-dr/program"
)

func facts(t *testing.T) *azureschema.Facts {
	t.Helper()
	f, err := azureschema.Load()
	require.NoError(t, err)
	return f
}

// renderStack renders an example stack with the unit-test mocks.
func renderStack(t *testing.T, customer string) *render.Plan {
	t.Helper()
	path := filepath.Join("..", "..", stackfile.Path(customer))
	values, err := drconfig.ReadStackFile(path)
	require.NoError(t, err)
	plan, err := render.Run(customer, values, program.Deploy)
	require.NoError(t, err)
	return plan
}

// TestExampleStacksPassCheck: everything the program declares for the
// example stacks is accepted, so a failure in the rehearsal is news.
func TestExampleStacksPassCheck(t *testing.T) {
	f := facts(t)
	for _, customer := range []string{"contoso", "fabrikam", "northwind", "tailspin", "litware", "adatum"} {
		plan := renderStack(t, customer)
		checked := 0
		for _, r := range plan.Resources {
			if !strings.HasPrefix(r.Type, PackageName+":") {
				continue // components, and the kubernetes stand-in's
			}
			checked++
			assert.Empty(t, CheckInputs(f, r.Type, nil, resource.NewPropertyMapFromMap(r.Inputs)), "%s %s", customer, r.URN)
		}
		assert.NotZero(t, checked, customer)
	}
}

func accountInputs(t *testing.T) resource.PropertyMap {
	t.Helper()
	r, ok := renderStack(t, "contoso").Get(cosmosdb.DatabaseAccountToken, "account")
	require.True(t, ok)
	return resource.NewPropertyMapFromMap(r.Inputs)
}

func TestCheckRejects(t *testing.T) {
	f := facts(t)
	set := func(path string, v any) func(resource.PropertyMap) {
		return func(m resource.PropertyMap) {
			p, err := resource.ParsePropertyPath(path)
			require.NoError(t, err)
			require.True(t, p.Set(resource.NewProperty(m), resource.NewPropertyValue(v)), path)
		}
	}
	for name, tc := range map[string]struct {
		token  string
		change func(resource.PropertyMap)
		want   []Failure
	}{
		"unknown input": {cosmosdb.DatabaseAccountToken, set("enableAutoFailover", true), []Failure{
			{"enableAutoFailover", `unknown input "enableAutoFailover"`},
		}},
		"an input in the wrong case": {cosmosdb.DatabaseAccountToken, set("MinimalTlsVersion", "Tls12"), []Failure{
			{"MinimalTlsVersion", `unknown input "MinimalTlsVersion" (did you mean "minimalTlsVersion"?)`},
		}},
		"unknown nested input": {cosmosdb.DatabaseAccountToken, set("locations[0].priority", 0), []Failure{
			{"locations[0].priority", `unknown input "priority"`},
		}},
		"missing required input": {cosmosdb.DatabaseAccountToken, func(m resource.PropertyMap) {
			delete(m, "databaseAccountOfferType")
		}, []Failure{{"databaseAccountOfferType", `missing required input "databaseAccountOfferType"`}}},
		"bad enum value": {cosmosdb.DatabaseAccountToken, set("databaseAccountOfferType", "Premium"), []Failure{
			{"databaseAccountOfferType", `"Premium" is not a cosmosdb:DatabaseAccountOfferType value; allowed: Standard`},
		}},
		"wrong shape": {cosmosdb.DatabaseAccountToken, set("enableAutomaticFailover", "yes"), []Failure{
			{"enableAutomaticFailover", `expected boolean, got string "yes"`},
		}},
		"not an integer": {cosmosdb.DatabaseAccountToken, set("locations[1].failoverPriority", 1.5), []Failure{
			{"locations[1].failoverPriority", "expected integer, got number 1.5"},
		}},
		"union member not selected": {cosmosdb.DatabaseAccountToken, set("backupPolicy.type", "Hourly"), []Failure{
			{"backupPolicy", "the discriminator does not select any of cosmosdb:ContinuousModeBackupPolicy, cosmosdb:PeriodicModeBackupPolicy"},
		}},
		"two write regions": {cosmosdb.DatabaseAccountToken, set("locations[1].failoverPriority", 0), []Failure{
			{"locations[1].failoverPriority", "failover priority 0 is given to both eastus and westus: priorities must be unique " +
				"(an account has one write region; multi-region writes are a separate setting)"},
		}},
		"a resource without facts": {"azure-native:storage:StorageAccount", func(resource.PropertyMap) {}, []Failure{
			{"", "the stand-in has no schema facts for azure-native:storage:StorageAccount; add its token to azure/azuregen.txt and run make generate before declaring it"},
		}},
	} {
		t.Run(name, func(t *testing.T) {
			m := accountInputs(t)
			tc.change(m)
			assert.Equal(t, tc.want, CheckInputs(f, tc.token, nil, m))
		})
	}
}

// TestCheckTypeWithoutFacts: the generated facts hold every type their
// resources reach, so a missing one means a broken facts file.
func TestCheckTypeWithoutFacts(t *testing.T) {
	f := *facts(t)
	f.Types = maps.Clone(f.Types)
	delete(f.Types, "cosmosdb:RestoreParameters")
	m := accountInputs(t)
	m["restoreParameters"] = resource.NewObjectProperty(resource.PropertyMap{"restoreSource": resource.NewStringProperty("x")})
	assert.Equal(t, []Failure{{"restoreParameters",
		"the stand-in has no schema facts for type cosmosdb:RestoreParameters; the facts are incomplete: run make generate"}},
		CheckInputs(&f, cosmosdb.DatabaseAccountToken, nil, m))
}

func TestCheckAcceptsUnknownsAndSecrets(t *testing.T) {
	m := accountInputs(t)
	m["resourceGroupName"] = resource.MakeComputed(resource.NewProperty(""))
	m["databaseAccountOfferType"] = resource.MakeSecret(resource.NewProperty("Standard"))
	assert.Empty(t, CheckInputs(facts(t), cosmosdb.DatabaseAccountToken, nil, m))
	m["databaseAccountOfferType"] = resource.MakeSecret(resource.NewProperty("Free"))
	assert.Equal(t, []Failure{{"databaseAccountOfferType", `"Free" is not a cosmosdb:DatabaseAccountOfferType value; allowed: Standard`}},
		CheckInputs(facts(t), cosmosdb.DatabaseAccountToken, nil, m))
}

func TestDiffInputs(t *testing.T) {
	olds := accountInputs(t)
	t.Run("no change", func(t *testing.T) {
		d := DiffInputs(cosmosdb.DatabaseAccountToken, olds, olds.Copy())
		assert.Equal(t, pulumirpc.DiffResponse_DIFF_NONE, d.Changes)
	})
	t.Run("in place", func(t *testing.T) {
		news := olds.Copy()
		news["tags"] = resource.NewProperty(resource.PropertyMap{"a": resource.NewProperty("b")})
		d := DiffInputs(cosmosdb.DatabaseAccountToken, olds, news)
		assert.Equal(t, pulumirpc.DiffResponse_DIFF_SOME, d.Changes)
		assert.Equal(t, []string{"tags"}, d.Diffs)
		assert.Empty(t, d.Replaces)
		assert.False(t, d.DeleteBeforeReplace)
		assert.Equal(t, map[string]*pulumirpc.PropertyDiff{"tags": {Kind: pulumirpc.PropertyDiff_UPDATE, InputDiff: true}}, d.DetailedDiff)
	})
	t.Run("replace", func(t *testing.T) {
		news := olds.Copy()
		news["location"] = resource.NewProperty("northeurope")
		delete(news, "tags")
		d := DiffInputs(cosmosdb.DatabaseAccountToken, olds, news)
		assert.Equal(t, []string{"location", "tags"}, d.Diffs)
		assert.Equal(t, []string{"location"}, d.Replaces)
		assert.True(t, d.DeleteBeforeReplace)
		assert.Equal(t, map[string]*pulumirpc.PropertyDiff{
			"location": {Kind: pulumirpc.PropertyDiff_UPDATE_REPLACE, InputDiff: true},
			"tags":     {Kind: pulumirpc.PropertyDiff_DELETE, InputDiff: true},
		}, d.DetailedDiff)
	})
}

// TestInvokeUserCredentials: the stand-in lists a cluster's user
// kubeconfig only for a cluster in its cloud, pointing at that cluster's
// API server, and refuses arguments the function does not have.
func TestInvokeUserCredentials(t *testing.T) {
	p, err := New()
	require.NoError(t, err)
	invoke := func(args resource.PropertyMap) (*pulumirpc.InvokeResponse, error) {
		s, err := standin.Marshal(args)
		require.NoError(t, err)
		return p.Invoke(context.Background(), &pulumirpc.InvokeRequest{Tok: containerservice.ListManagedClusterUserCredentialsToken, Args: s})
	}
	args := resource.PropertyMap{
		"resourceGroupName": resource.NewProperty("rg"), "resourceName": resource.NewProperty("aks"),
		"format": resource.NewProperty("exec"),
	}
	_, err = invoke(args)
	require.ErrorContains(t, err, "ResourceNotFound: managed cluster /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks does not exist")

	id, outs := azurefake.Outputs(containerservice.ManagedClusterToken, "aks", resource.PropertyMap{
		"resourceGroupName": resource.NewProperty("rg"), "resourceName": resource.NewProperty("aks"),
		"dnsPrefix": resource.NewProperty("aks"), "location": resource.NewProperty("eastus"),
	})
	p.Add(id, Resource{Type: containerservice.ManagedClusterToken, Outputs: outs})
	resp, err := invoke(args)
	require.NoError(t, err)
	ret, err := standin.Unmarshal(resp.GetReturn())
	require.NoError(t, err)
	value := ret["kubeconfigs"].ArrayValue()[0].ObjectValue()["value"].StringValue()
	config, err := base64.StdEncoding.DecodeString(value)
	require.NoError(t, err)
	assert.Contains(t, string(config), "server: https://"+outs["fqdn"].StringValue()+":443")

	args["clusterName"] = resource.NewProperty("aks")
	resp, err = invoke(args)
	require.NoError(t, err)
	require.Len(t, resp.GetFailures(), 1)
	assert.Equal(t, "clusterName", resp.GetFailures()[0].GetProperty())
}

// TestDeleteUnderLock: a CanNotDelete lock refuses the delete of the locked
// resource, of its children and extension resources, and of the group that
// holds it, as Azure does; other resources of the group, and the lock
// itself, can be deleted.
func TestDeleteUnderLock(t *testing.T) {
	p, err := New()
	require.NoError(t, err)
	rg := "/subscriptions/" + azurefake.SubscriptionID + "/resourceGroups/rg"
	accountID := rg + "/providers/Microsoft.DocumentDB/databaseAccounts/acct"
	lockID := accountID + "/providers/Microsoft.Authorization/locks/fhir-dr-data"
	p.Add(lockID, Resource{Type: authorization.ManagementLockByScopeToken, Inputs: resource.PropertyMap{
		"scope": resource.NewProperty(accountID), "level": resource.NewProperty("CanNotDelete"), "lockName": resource.NewProperty("fhir-dr-data"),
	}})
	del := func(token, id string) error {
		_, err := p.Delete(context.Background(), &pulumirpc.DeleteRequest{
			Id: id, Type: token, Urn: "urn:pulumi:s::fhir-dr::" + token + "::x",
		})
		return err
	}
	for token, id := range map[string]string{
		cosmosdb.DatabaseAccountToken:              accountID,
		cosmosdb.SqlResourceSqlDatabaseToken:       accountID + "/sqlDatabases/health",
		cosmosdb.SqlResourceSqlRoleAssignmentToken: accountID + "/sqlRoleAssignments/x",
		"azure-native:resources:ResourceGroup":     rg,
	} {
		assert.EqualError(t, del(token, id), "azure-native stand-in: ScopeLocked: the scope '"+id+"' cannot perform delete operation "+
			"because following scope(s) are locked: '"+accountID+"'. Please remove the lock and try again", token)
	}
	assert.NoError(t, del(authorization.RoleAssignmentToken, rg+"/providers/Microsoft.Authorization/roleAssignments/y"),
		"an assignment on the group is outside the account's lock")
	assert.NoError(t, del(authorization.ManagementLockByScopeToken, lockID))
	assert.NoError(t, del(cosmosdb.DatabaseAccountToken, accountID), "once the lock is gone")
}

// TestAlertingPassesCheck: the per-customer action group (dr.paging.emails,
// which no example stack sets) and the metric alerts are accepted too.
func TestAlertingPassesCheck(t *testing.T) {
	values, err := drconfig.ReadStackFile(filepath.Join("testdata", "Pulumi.standinalerts.yaml"))
	require.NoError(t, err)
	plan, err := render.Run("standinalerts", values, program.Deploy)
	require.NoError(t, err)
	f := facts(t)
	groups := 0
	for _, r := range plan.Resources {
		if !strings.HasPrefix(r.Type, PackageName+":") {
			continue
		}
		if r.Type == "azure-native:monitor:ActionGroup" {
			groups++
		}
		assert.Empty(t, CheckInputs(f, r.Type, nil, resource.NewPropertyMapFromMap(r.Inputs)), r.URN)
	}
	assert.Equal(t, 1, groups)
}
