package cosmosdb

import (
	"reflect"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/fhir-dr/fhir-dr/azure/azurenative"
)

// SqlResourceSqlRoleAssignment grants a Cosmos DB data-plane role, the only
// way to reach an account whose keys are disabled.
type SqlResourceSqlRoleAssignment struct {
	pulumi.CustomResourceState

	// Name is the assignment's name (a GUID).
	Name pulumi.StringOutput `pulumi:"name"`
}

// SqlResourceSqlRoleAssignmentArgs are the inputs of
// SqlResourceSqlRoleAssignment.
type SqlResourceSqlRoleAssignmentArgs struct {
	// AccountName is the account's name. Required.
	AccountName pulumi.StringInput `pulumi:"accountName"`
	// PrincipalId is the grantee's object ID.
	PrincipalId pulumi.StringPtrInput `pulumi:"principalId"`
	// ResourceGroupName is the account's group. Required.
	ResourceGroupName pulumi.StringInput `pulumi:"resourceGroupName"`
	// RoleAssignmentId is the assignment's GUID; auto-named when omitted.
	RoleAssignmentId pulumi.StringPtrInput `pulumi:"roleAssignmentId"`
	// RoleDefinitionId is the role's ID,
	// <account ID>/sqlRoleDefinitions/<GUID>.
	RoleDefinitionId pulumi.StringPtrInput `pulumi:"roleDefinitionId"`
	// Scope is the account ID, or a database or container path under it.
	Scope pulumi.StringPtrInput `pulumi:"scope"`
}

// ElementType makes SqlResourceSqlRoleAssignmentArgs a pulumi.Input.
func (SqlResourceSqlRoleAssignmentArgs) ElementType() reflect.Type {
	return reflect.TypeFor[SqlResourceSqlRoleAssignmentArgs]()
}

// NewSqlResourceSqlRoleAssignment registers a data-plane role assignment.
func NewSqlResourceSqlRoleAssignment(ctx *pulumi.Context, name string, args *SqlResourceSqlRoleAssignmentArgs,
	opts ...pulumi.ResourceOption,
) (*SqlResourceSqlRoleAssignment, error) {
	if args == nil {
		args = &SqlResourceSqlRoleAssignmentArgs{}
	}
	if err := azurenative.CheckRequired(SqlResourceSqlRoleAssignmentToken,
		azurenative.Input{Name: "accountName", Set: args.AccountName != nil},
		azurenative.Input{Name: "resourceGroupName", Set: args.ResourceGroupName != nil},
	); err != nil {
		return nil, err
	}
	var res SqlResourceSqlRoleAssignment
	if err := azurenative.Register(ctx, SqlResourceSqlRoleAssignmentToken, name, args, &res, opts...); err != nil {
		return nil, err
	}
	return &res, nil
}
