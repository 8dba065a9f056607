// Package authorization registers azure-native:authorization resources by
// type token, shaped like the generated package
// github.com/pulumi/pulumi-azure-native-sdk/authorization/v3.
package authorization

import (
	"reflect"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/fhir-dr/fhir-dr/azure/azurenative"
)

// RoleAssignmentToken is the type token of RoleAssignment.
const RoleAssignmentToken = "azure-native:authorization:RoleAssignment"

// Values of the PrincipalType enum.
const PrincipalTypeServicePrincipal pulumi.String = "ServicePrincipal"

// RoleAssignment grants an Azure RBAC role to a principal at a scope.
type RoleAssignment struct {
	pulumi.CustomResourceState

	// Name is the assignment's name (a GUID).
	Name pulumi.StringOutput `pulumi:"name"`
	// Scope is the assignment's scope.
	Scope pulumi.StringOutput `pulumi:"scope"`
}

// RoleAssignmentArgs are the inputs of RoleAssignment.
type RoleAssignmentArgs struct {
	// Description says why the role is granted.
	Description pulumi.StringPtrInput `pulumi:"description"`
	// PrincipalId is the object ID of the grantee. Required.
	PrincipalId pulumi.StringInput `pulumi:"principalId"`
	// PrincipalType is the grantee's kind; setting it avoids failures
	// while a new identity replicates through Entra ID.
	PrincipalType pulumi.StringPtrInput `pulumi:"principalType"`
	// RoleAssignmentName is the assignment's GUID; auto-named when omitted.
	RoleAssignmentName pulumi.StringPtrInput `pulumi:"roleAssignmentName"`
	// RoleDefinitionId is the role's full ID. Required.
	RoleDefinitionId pulumi.StringInput `pulumi:"roleDefinitionId"`
	// Scope is the resource ID the role applies to. Required.
	Scope pulumi.StringInput `pulumi:"scope"`
}

// ElementType makes RoleAssignmentArgs a pulumi.Input.
func (RoleAssignmentArgs) ElementType() reflect.Type {
	return reflect.TypeFor[RoleAssignmentArgs]()
}

// NewRoleAssignment registers a role assignment.
func NewRoleAssignment(ctx *pulumi.Context, name string, args *RoleAssignmentArgs,
	opts ...pulumi.ResourceOption,
) (*RoleAssignment, error) {
	if args == nil {
		args = &RoleAssignmentArgs{}
	}
	if err := azurenative.CheckRequired(RoleAssignmentToken,
		azurenative.Input{Name: "principalId", Set: args.PrincipalId != nil},
		azurenative.Input{Name: "roleDefinitionId", Set: args.RoleDefinitionId != nil},
		azurenative.Input{Name: "scope", Set: args.Scope != nil},
	); err != nil {
		return nil, err
	}
	var res RoleAssignment
	if err := azurenative.Register(ctx, RoleAssignmentToken, name, args, &res, opts...); err != nil {
		return nil, err
	}
	return &res, nil
}
