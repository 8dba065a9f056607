package armid

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const sub = "00000000-0000-0000-0000-000000000001"

func TestParse(t *testing.T) {
	id, err := Parse("/subscriptions/" + sub + "/resourcegroups/rg-Contoso/providers/microsoft.documentdb/databaseAccounts/fhir-contoso/sqlDatabases/health")
	require.NoError(t, err)
	assert.Equal(t, ID{Subscription: sub, ResourceGroup: "rg-Contoso", Namespace: "microsoft.documentdb",
		Types: []string{"databaseAccounts", "sqlDatabases"}, Names: []string{"fhir-contoso", "health"}}, id)
	assert.True(t, id.Is("Microsoft.DocumentDB/databaseAccounts/sqlDatabases"), "types compare without case")
	assert.False(t, id.Is("Microsoft.DocumentDB/databaseAccounts"))
	assert.Equal(t, "health", id.Name())
	assert.Equal(t, "/subscriptions/"+sub+"/resourceGroups/rg-Contoso", id.ResourceGroupID())

	account, err := ParseType("/subscriptions/"+sub+"/resourceGroups/rg/providers/Microsoft.DocumentDB/databaseAccounts/a", "Microsoft.DocumentDB/databaseAccounts")
	require.NoError(t, err)
	assert.Equal(t, "/subscriptions/"+sub+"/resourceGroups/rg/providers/Microsoft.DocumentDB/databaseAccounts/a/sqlDatabases/health",
		account.Child("sqlDatabases", "health").String())
	assert.Equal(t, []string{"a"}, account.Names, "Child leaves its parent alone")

	for _, bad := range []string{
		"", "fhir-contoso", "/subscriptions//resourceGroups/rg/providers/Microsoft.DocumentDB/databaseAccounts/a",
		"/subscriptions/" + sub + "/resourceGroups//providers/Microsoft.DocumentDB/databaseAccounts/a",
		"/subscriptions/" + sub + "/resourceGroups/rg/providers/Microsoft.DocumentDB/databaseAccounts",
		"/subscriptions/" + sub + "/resourceGroups/rg/providers/Microsoft.DocumentDB/databaseAccounts/",
		"subscriptions/" + sub + "/resourceGroups/rg/providers/Microsoft.DocumentDB/databaseAccounts/a",
	} {
		_, err := Parse(bad)
		assert.Error(t, err, bad)
	}
	fake, err := Parse("/subscriptions/sub-1/resourceGroups/rg/providers/Microsoft.DocumentDB/databaseAccounts/a")
	require.NoError(t, err, "a test double's subscription")
	assert.False(t, IsUUID(fake.Subscription))
	assert.True(t, IsUUID(sub))
	_, err = ParseType("/subscriptions/"+sub+"/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/a", "Microsoft.DocumentDB/databaseAccounts")
	assert.EqualError(t, err, `"/subscriptions/`+sub+`/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/a" is not the ID of a Microsoft.DocumentDB/databaseAccounts`)
}
