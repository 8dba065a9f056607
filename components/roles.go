package components

import (
	"crypto/sha256"
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Built-in Azure role definition GUIDs fhir-dr grants (Azure built-in roles
// reference).
const (
	// RoleNetworkContributor lets the AKS control plane attach the ingress
	// IP to its load balancer.
	RoleNetworkContributor = "4d97b98b-1d4f-4787-a291-c67834d212e7"
	// RoleStorageBlobDataContributor lets $export write to the export
	// account.
	RoleStorageBlobDataContributor = "ba92f5b4-2d11-453d-a403-e96b0029c9fe"
	// RoleAcrPull lets $convert-data pull templates from the registry.
	RoleAcrPull = "7f951dda-4ed3-4680-a7ca-43fe172d538d"
	// CosmosDataContributor is the Cosmos DB built-in data-plane role
	// "Cosmos DB Built-in Data Contributor": read and write items.
	CosmosDataContributor = "00000000-0000-0000-0000-000000000002"
)

// roleDefinitionID is the full ID of a built-in role in the subscription of
// the resource scopeID.
func roleDefinitionID(scopeID pulumi.IDOutput, role string) pulumi.StringOutput {
	return scopeID.ApplyT(func(id pulumi.ID) string {
		return builtInRoleID(string(id), role)
	}).(pulumi.StringOutput)
}

// builtInRoleID is the full ID of a built-in role in the subscription of
// the resource scopeID.
func builtInRoleID(scopeID, role string) string {
	return subscriptionOf(scopeID) + "/providers/Microsoft.Authorization/roleDefinitions/" + role
}

// scopeID is the ARM ID of a grant's scope: an output, or known from the
// configuration, when the IDs derived from it are known too.
type scopeID struct {
	// id is the ID.
	id pulumi.StringInput
	// known is the ID known from the configuration, output the ID
	// otherwise.
	known  string
	output pulumi.IDOutput
}

// knownID is a scope known from the configuration.
func knownID(id string) scopeID { return scopeID{id: pulumi.String(id), known: id} }

// outputID is a scope known once id is.
func outputID(id pulumi.IDOutput) scopeID { return scopeID{id: id.ToStringOutput(), output: id} }

// roleDefinitionID is the full ID of a built-in role in the scope's
// subscription.
func (s scopeID) roleDefinitionID(role string) pulumi.StringInput {
	if s.known != "" {
		return pulumi.String(builtInRoleID(s.known, role))
	}
	return roleDefinitionID(s.output, role)
}

// resourceGroupOf returns the /subscriptions/<id>/resourceGroups/<name>
// prefix of an ARM ID.
func resourceGroupOf(id string) string {
	parts := strings.SplitN(strings.TrimPrefix(id, "/"), "/", 5)
	if len(parts) < 4 {
		return ""
	}
	return "/" + strings.Join(parts[:4], "/")
}

// subscriptionOf returns the /subscriptions/<id> prefix of an ARM ID.
func subscriptionOf(id string) string {
	parts := strings.SplitN(strings.TrimPrefix(id, "/"), "/", 3)
	if len(parts) < 2 {
		return ""
	}
	return "/" + parts[0] + "/" + parts[1]
}

// stableGUID derives a role assignment name from what the assignment is
// for. ARM names assignments by GUID; left to azure-native the GUID would be
// random, so the offline plan and the pull-request diff would change on
// every run. A name computed from the customer and the purpose is the same
// every time.
func stableGUID(parts ...string) string {
	sum := sha256.Sum256([]byte("fhir-dr/" + strings.Join(parts, "/")))
	b := sum[:16]
	b[6] = b[6]&0x0f | 0x50 // version 5 layout: name-based
	b[8] = b[8]&0x3f | 0x80 // RFC 4122 variant
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
