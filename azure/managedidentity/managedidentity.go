// Package managedidentity registers azure-native:managedidentity resources by
// type token, shaped like the generated package
// github.com/pulumi/pulumi-azure-native-sdk/managedidentity/v3.
package managedidentity

import (
	"reflect"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/fhir-dr/fhir-dr/azure/azurenative"
)

// Type tokens of the resources in this package.
const (
	UserAssignedIdentityToken        = "azure-native:managedidentity:UserAssignedIdentity"
	FederatedIdentityCredentialToken = "azure-native:managedidentity:FederatedIdentityCredential"
)

// UserAssignedIdentity is a user-assigned managed identity.
type UserAssignedIdentity struct {
	pulumi.CustomResourceState

	// ClientId is the identity's application (client) ID.
	ClientId pulumi.StringOutput `pulumi:"clientId"`
	// Name is the identity's name.
	Name pulumi.StringOutput `pulumi:"name"`
	// PrincipalId is the identity's service principal object ID.
	PrincipalId pulumi.StringOutput `pulumi:"principalId"`
	// TenantId is the identity's tenant.
	TenantId pulumi.StringOutput `pulumi:"tenantId"`
}

// UserAssignedIdentityArgs are the inputs of UserAssignedIdentity.
type UserAssignedIdentityArgs struct {
	// Location is the identity's region.
	Location pulumi.StringPtrInput `pulumi:"location"`
	// ResourceGroupName is the group that holds the identity. Required.
	ResourceGroupName pulumi.StringInput `pulumi:"resourceGroupName"`
	// ResourceName is the identity's name; auto-named when omitted.
	ResourceName pulumi.StringPtrInput `pulumi:"resourceName"`
	// Tags are the identity's tags.
	Tags pulumi.StringMapInput `pulumi:"tags"`
}

// ElementType makes UserAssignedIdentityArgs a pulumi.Input.
func (UserAssignedIdentityArgs) ElementType() reflect.Type {
	return reflect.TypeFor[UserAssignedIdentityArgs]()
}

// NewUserAssignedIdentity registers a user-assigned managed identity.
func NewUserAssignedIdentity(ctx *pulumi.Context, name string, args *UserAssignedIdentityArgs,
	opts ...pulumi.ResourceOption,
) (*UserAssignedIdentity, error) {
	if args == nil {
		args = &UserAssignedIdentityArgs{}
	}
	if err := azurenative.CheckRequired(UserAssignedIdentityToken,
		azurenative.Input{Name: "resourceGroupName", Set: args.ResourceGroupName != nil},
	); err != nil {
		return nil, err
	}
	var res UserAssignedIdentity
	if err := azurenative.Register(ctx, UserAssignedIdentityToken, name, args, &res, opts...); err != nil {
		return nil, err
	}
	return &res, nil
}

// FederatedIdentityCredential lets tokens of an external issuer, such as a
// Kubernetes service account's, stand for a user-assigned identity.
type FederatedIdentityCredential struct {
	pulumi.CustomResourceState

	// Name is the credential's name.
	Name pulumi.StringOutput `pulumi:"name"`
	// Subject is the token subject the credential accepts.
	Subject pulumi.StringOutput `pulumi:"subject"`
}

// FederatedIdentityCredentialArgs are the inputs of
// FederatedIdentityCredential.
type FederatedIdentityCredentialArgs struct {
	// Audiences are the accepted token audiences. Required.
	Audiences pulumi.StringArrayInput `pulumi:"audiences"`
	// FederatedIdentityCredentialResourceName is the credential's name;
	// auto-named when omitted.
	FederatedIdentityCredentialResourceName pulumi.StringPtrInput `pulumi:"federatedIdentityCredentialResourceName"`
	// Issuer is the issuer's URL. Required.
	Issuer pulumi.StringInput `pulumi:"issuer"`
	// ResourceGroupName is the identity's group. Required.
	ResourceGroupName pulumi.StringInput `pulumi:"resourceGroupName"`
	// ResourceName is the identity's name. Required.
	ResourceName pulumi.StringInput `pulumi:"resourceName"`
	// Subject is the accepted token subject. Required.
	Subject pulumi.StringInput `pulumi:"subject"`
}

// ElementType makes FederatedIdentityCredentialArgs a pulumi.Input.
func (FederatedIdentityCredentialArgs) ElementType() reflect.Type {
	return reflect.TypeFor[FederatedIdentityCredentialArgs]()
}

// NewFederatedIdentityCredential registers a federated identity credential.
func NewFederatedIdentityCredential(ctx *pulumi.Context, name string, args *FederatedIdentityCredentialArgs,
	opts ...pulumi.ResourceOption,
) (*FederatedIdentityCredential, error) {
	if args == nil {
		args = &FederatedIdentityCredentialArgs{}
	}
	if err := azurenative.CheckRequired(FederatedIdentityCredentialToken,
		azurenative.Input{Name: "audiences", Set: args.Audiences != nil},
		azurenative.Input{Name: "issuer", Set: args.Issuer != nil},
		azurenative.Input{Name: "resourceGroupName", Set: args.ResourceGroupName != nil},
		azurenative.Input{Name: "resourceName", Set: args.ResourceName != nil},
		azurenative.Input{Name: "subject", Set: args.Subject != nil},
	); err != nil {
		return nil, err
	}
	var res FederatedIdentityCredential
	if err := azurenative.Register(ctx, FederatedIdentityCredentialToken, name, args, &res, opts...); err != nil {
		return nil, err
	}
	return &res, nil
}
