package components

import (
	"errors"
	"github.com/fhir-dr/fhir-dr/naming"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/fhir-dr/fhir-dr/azure/authorization"
	"github.com/fhir-dr/fhir-dr/azure/cosmosdb"
	"github.com/fhir-dr/fhir-dr/azure/managedidentity"
)

// Workload identity constants shared by the identity and the pods that use
// it.
const (
	// FHIRNamespace is the Kubernetes namespace of the FHIR service.
	FHIRNamespace = "fhir"
	// FHIRServiceAccount is the service account the FHIR pods run as; its
	// tokens are what the identity's federated credentials accept.
	FHIRServiceAccount = "fhir-server"
	// TokenExchangeAudience is the audience of Entra ID workload identity
	// federation.
	TokenExchangeAudience = "api://AzureADTokenExchange"
)

// ClusterIssuer is a cluster whose service account tokens the identity
// accepts.
type ClusterIssuer struct {
	// Name names the federated credential, e.g. the cluster's name.
	// Required.
	Name string
	// IssuerURL is the cluster's OIDC issuer URL. Required.
	IssuerURL pulumi.StringInput
}

// WorkloadIdentityArgs are the inputs of NewWorkloadIdentity.
type WorkloadIdentityArgs struct {
	// Customer is the customer id, part of every name. Required.
	Customer string
	// ResourceGroupName is the identity's group. Required.
	ResourceGroupName pulumi.StringInput
	// Location is the identity's region. Required.
	Location string
	// CosmosResourceGroupName is the Cosmos DB account's group. Required.
	CosmosResourceGroupName pulumi.StringInput
	// CosmosAccountName is the account's name. Required.
	CosmosAccountName string
	// CosmosAccountID is the account's ARM ID. Required.
	CosmosAccountID pulumi.IDOutput
	// Issuers are the clusters whose FHIR service account may use the
	// identity. Required.
	Issuers []ClusterIssuer
	// ExportStorageAccountID is the $export storage account. Optional.
	ExportStorageAccountID string
	// ConvertDataRegistryID is the $convert-data registry. Optional.
	ConvertDataRegistryID string
	// Tags are the identity's tags. Optional.
	Tags pulumi.StringMapInput
}

// WorkloadIdentity is the one Entra ID identity both FHIR services use to
// reach Cosmos DB (whose keys are disabled), the export account and the
// template registry. There is one for both stamps so that the standby's
// settings are the primary's, client ID included; each cluster has its own
// federated credential, so a stamp that is rebuilt (a secondary region
// move) replaces its own credential and nothing the other stamp uses.
type WorkloadIdentity struct {
	pulumi.ResourceState

	// Identity is the user-assigned identity.
	Identity *managedidentity.UserAssignedIdentity
	// ClientID is the identity's client ID, which the pods' service
	// account names.
	ClientID pulumi.StringOutput
	// Federations are the federated credentials by ClusterIssuer name.
	Federations map[string]pulumi.Resource
	// Grants are the role assignments every FHIR service needs.
	Grants []pulumi.Resource

	// members are the resources the component declared (see Members).
	members []pulumi.Resource
}

// Members returns the resources the component declared. Depend on them,
// not on the component: the SDK expands a component in DependsOn to the
// children registered so far, and children register on goroutines of
// their own, so the expansion would vary from run to run.
func (w *WorkloadIdentity) Members() []pulumi.Resource { return w.members }

// NewWorkloadIdentity declares the identity, its federated credentials and
// its role assignments.
func NewWorkloadIdentity(ctx *pulumi.Context, name string, args *WorkloadIdentityArgs,
	opts ...pulumi.ResourceOption,
) (*WorkloadIdentity, error) {
	if args == nil || args.Customer == "" || args.ResourceGroupName == nil || args.Location == "" ||
		args.CosmosResourceGroupName == nil || args.CosmosAccountName == "" || len(args.Issuers) == 0 {
		return nil, errors.New("workload identity: Customer, ResourceGroupName, Location, the Cosmos DB account and Issuers are required")
	}
	w := &WorkloadIdentity{}
	if err := ctx.RegisterComponentResource("fhir-dr:index:WorkloadIdentity", name, w, opts...); err != nil {
		return nil, err
	}
	id, err := managedidentity.NewUserAssignedIdentity(ctx, "fhir-identity", &managedidentity.UserAssignedIdentityArgs{
		ResourceName:      pulumi.String(naming.Identity(args.Customer)),
		ResourceGroupName: args.ResourceGroupName,
		Location:          pulumi.String(args.Location),
		Tags:              args.Tags,
	}, withParent(w)...)
	if err != nil {
		return nil, err
	}

	w.Federations = map[string]pulumi.Resource{}
	// Entra ID refuses concurrent writes of federated credentials on one
	// identity, so each waits for the one before.
	var previous pulumi.Resource
	for _, issuer := range args.Issuers {
		fedOpts := withParent(w)
		if previous != nil {
			fedOpts = append(fedOpts, pulumi.DependsOn([]pulumi.Resource{previous}))
		}
		fed, err := managedidentity.NewFederatedIdentityCredential(ctx, issuer.Name+"-federation", &managedidentity.FederatedIdentityCredentialArgs{
			FederatedIdentityCredentialResourceName: pulumi.String(issuer.Name),
			ResourceName:                            id.Name,
			ResourceGroupName:                       args.ResourceGroupName,
			Issuer:                                  issuer.IssuerURL,
			Subject:                                 pulumi.String("system:serviceaccount:" + FHIRNamespace + ":" + FHIRServiceAccount),
			Audiences:                               pulumi.StringArray{pulumi.String(TokenExchangeAudience)},
		}, fedOpts...)
		if err != nil {
			return nil, err
		}
		previous = fed
		w.Federations[issuer.Name] = fed
	}

	accountID := args.CosmosAccountID.ToStringOutput()
	// Reading and writing the FHIR data is a data-plane grant (Cosmos DB
	// RBAC), scoped to the account. It lives under the account, which the
	// data lock guards against deletes: it is retained rather than
	// deleted when the identity goes (a grant to a deleted principal grants
	// nothing), and it is named after the principal, so that a new identity
	// never meets a retained grant's name.
	data, err := cosmosdb.NewSqlResourceSqlRoleAssignment(ctx, "fhir-cosmos-data", &cosmosdb.SqlResourceSqlRoleAssignmentArgs{
		AccountName:       pulumi.String(args.CosmosAccountName),
		ResourceGroupName: args.CosmosResourceGroupName,
		RoleAssignmentId: id.PrincipalId.ApplyT(func(principal string) string {
			return stableGUID(args.Customer, "fhir", "cosmos-data", CosmosDataContributor, principal)
		}).(pulumi.StringOutput),
		RoleDefinitionId: pulumi.Sprintf("%s/sqlRoleDefinitions/%s", accountID, CosmosDataContributor),
		Scope:            accountID,
		PrincipalId:      id.PrincipalId,
		// Replaced delete-first: a stack deployed before the data lock
		// holds this grant under its old name, not retained, and deletes
		// it before the lock is created (the locks wait for the identity);
		// once retained, a replaced grant is never deleted at all.
	}, withParent(w, pulumi.RetainOnDelete(true), pulumi.DeleteBeforeReplace(true))...)
	if err != nil {
		return nil, err
	}
	w.Grants = append(w.Grants, data)

	// The server's own setup step (AllowCollectionSetup) completes its
	// container through Resource Manager: the indexing policy and TTL, and
	// its stored procedures, which are management operations Cosmos DB's
	// data-plane RBAC does not cover. It gets exactly those actions, and no
	// delete and no account change, on the account's group (an assignment
	// there is outside the data lock, so it can be removed), instead of
	// Cosmos DB Operator, which can change every account setting.
	setup, err := containerSetupRole(ctx, w, args)
	if err != nil {
		return nil, err
	}

	type grant struct {
		purpose, role string
		scope         scopeID
		opts          []pulumi.ResourceOption
	}
	grants := []grant{{"cosmos-setup", setup.guid, outputID(setup.scope), []pulumi.ResourceOption{
		pulumi.DependsOn([]pulumi.Resource{setup.definition}),
		// Stacks deployed before issue 14 hold Cosmos DB Operator on the
		// account under this name: it is replaced, deleted first, before
		// the data lock on the account exists.
		pulumi.Aliases([]pulumi.Alias{{Name: pulumi.String("fhir-cosmos-operator")}}),
		pulumi.DeleteBeforeReplace(true),
	}}}
	// The scopes of these grants are known from the configuration.
	if s := args.ExportStorageAccountID; s != "" {
		grants = append(grants, grant{"export", RoleStorageBlobDataContributor, knownID(s), nil})
	}
	if r := args.ConvertDataRegistryID; r != "" {
		grants = append(grants, grant{"convert-data", RoleAcrPull, knownID(r), nil})
	}
	for _, g := range grants {
		grant, err := authorization.NewRoleAssignment(ctx, "fhir-"+g.purpose, &authorization.RoleAssignmentArgs{
			RoleAssignmentName: pulumi.String(stableGUID(args.Customer, "fhir", g.purpose, g.role)),
			PrincipalId:        id.PrincipalId,
			PrincipalType:      authorization.PrincipalTypeServicePrincipal,
			RoleDefinitionId:   g.scope.roleDefinitionID(g.role),
			Scope:              g.scope.id,
			Description:        pulumi.String("FHIR service of " + args.Customer + " (fhir-dr): " + g.purpose),
		}, withParent(w, g.opts...)...)
		if err != nil {
			return nil, err
		}
		w.Grants = append(w.Grants, grant)
	}

	w.Identity = id
	w.ClientID = id.ClientId
	w.members = append(w.members, id, setup.definition)
	for _, issuer := range args.Issuers {
		w.members = append(w.members, w.Federations[issuer.Name])
	}
	w.members = append(w.members, w.Grants...)
	if err := ctx.RegisterResourceOutputs(w, pulumi.Map{
		"clientId":    id.ClientId,
		"principalId": id.PrincipalId,
	}); err != nil {
		return nil, err
	}
	return w, nil
}

// setupRole is the custom role of the FHIR server's container setup.
type setupRole struct {
	definition pulumi.Resource
	// guid is the role definition's name.
	guid string
	// scope is the account's resource group, where the role is assignable
	// and assigned.
	scope pulumi.IDOutput
}

// ContainerSetupActions are the Resource Manager actions of the FHIR
// server's container setup (microsoft/fhir-server,
// ResourceManagerCollectionSetup): it reads the account (its location),
// the database and the container, creates or updates the container with
// its indexing policy and TTL, and lists and installs its stored
// procedures. It creates no database (AllowDatabaseCreation is off) and
// sets no container throughput (the database's is shared).
var ContainerSetupActions = []string{
	"Microsoft.DocumentDB/databaseAccounts/read",
	"Microsoft.DocumentDB/databaseAccounts/sqlDatabases/read",
	"Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers/read",
	"Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers/write",
	"Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers/storedProcedures/read",
	"Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers/storedProcedures/write",
}

// containerSetupRole declares the custom role with ContainerSetupActions,
// assignable on the account's resource group.
func containerSetupRole(ctx *pulumi.Context, parent pulumi.Resource, args *WorkloadIdentityArgs) (setupRole, error) {
	scope := args.CosmosAccountID.ApplyT(func(id pulumi.ID) pulumi.ID {
		return pulumi.ID(resourceGroupOf(string(id)))
	}).(pulumi.IDOutput)
	scopeString := scope.ToStringOutput()
	guid := stableGUID(args.Customer, "fhir", "container-setup-role")
	def, err := authorization.NewRoleDefinition(ctx, "fhir-container-setup", &authorization.RoleDefinitionArgs{
		RoleDefinitionId: pulumi.String(guid),
		RoleName:         pulumi.String("fhir-dr FHIR container setup (" + args.Customer + ")"),
		Description: pulumi.String("The FHIR server's container setup (microsoft/fhir-server ResourceManagerCollectionSetup): " +
			"read the account, create and update the fhirR4 container and its stored procedures. " +
			"Nothing else: no account change, no delete, no keys."),
		RoleType:         pulumi.String("CustomRole"),
		Scope:            scopeString,
		AssignableScopes: pulumi.StringArray{scopeString},
		Permissions:      authorization.PermissionArray{{Actions: pulumi.ToStringArray(ContainerSetupActions)}},
	}, withParent(parent)...)
	if err != nil {
		return setupRole{}, err
	}
	return setupRole{definition: def, guid: guid, scope: scope}, nil
}
