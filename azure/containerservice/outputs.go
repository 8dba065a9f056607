package containerservice

import (
	"reflect"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/fhir-dr/fhir-dr/azure/azurenative"
)

// ManagedClusterIdentityResponse is the cluster identity Azure reports.
type ManagedClusterIdentityResponse struct {
	// PrincipalId is the system-assigned identity's object ID.
	PrincipalId string `pulumi:"principalId"`
	// TenantId is the identity's tenant.
	TenantId string `pulumi:"tenantId"`
	// Type is the identity type.
	Type string `pulumi:"type"`
}

// ManagedClusterIdentityResponsePtrOutput is an output of the cluster
// identity.
type ManagedClusterIdentityResponsePtrOutput struct{ *pulumi.OutputState }

// ElementType is *ManagedClusterIdentityResponse.
func (ManagedClusterIdentityResponsePtrOutput) ElementType() reflect.Type {
	return reflect.TypeFor[*ManagedClusterIdentityResponse]()
}

// PrincipalId is the identity's object ID.
func (o ManagedClusterIdentityResponsePtrOutput) PrincipalId() pulumi.StringPtrOutput {
	return o.ApplyT(func(v *ManagedClusterIdentityResponse) *string {
		if v == nil {
			return nil
		}
		return &v.PrincipalId
	}).(pulumi.StringPtrOutput)
}

// ManagedClusterOIDCIssuerProfileResponse is the OIDC issuer Azure reports.
type ManagedClusterOIDCIssuerProfileResponse struct {
	// Enabled reports whether the issuer is on.
	Enabled *bool `pulumi:"enabled"`
	// IssuerURL is the issuer's URL.
	IssuerURL string `pulumi:"issuerURL"`
}

// ManagedClusterOIDCIssuerProfileResponsePtrOutput is an output of the
// OIDC issuer profile.
type ManagedClusterOIDCIssuerProfileResponsePtrOutput struct{ *pulumi.OutputState }

// ElementType is *ManagedClusterOIDCIssuerProfileResponse.
func (ManagedClusterOIDCIssuerProfileResponsePtrOutput) ElementType() reflect.Type {
	return reflect.TypeFor[*ManagedClusterOIDCIssuerProfileResponse]()
}

// IssuerURL is the issuer's URL.
func (o ManagedClusterOIDCIssuerProfileResponsePtrOutput) IssuerURL() pulumi.StringPtrOutput {
	return o.ApplyT(func(v *ManagedClusterOIDCIssuerProfileResponse) *string {
		if v == nil {
			return nil
		}
		return &v.IssuerURL
	}).(pulumi.StringPtrOutput)
}

// ListManagedClusterUserCredentialsToken is the function token of
// listManagedClusterUserCredentials.
const ListManagedClusterUserCredentialsToken = "azure-native:containerservice:listManagedClusterUserCredentials"

// Values of the kubeconfig format argument.
const (
	// FormatExec asks for a kubeconfig whose user runs kubelogin, the
	// Entra ID exec credential plugin.
	FormatExec = "exec"
	// FormatAzure asks for the deprecated azure auth-provider kubeconfig.
	FormatAzure = "azure"
)

// ListManagedClusterUserCredentialsArgs are the plain arguments of
// listManagedClusterUserCredentials.
type ListManagedClusterUserCredentialsArgs struct {
	// Format is the kubeconfig format, FormatExec or FormatAzure.
	Format *string `pulumi:"format"`
	// ResourceGroupName is the cluster's group. Required.
	ResourceGroupName string `pulumi:"resourceGroupName"`
	// ResourceName is the cluster's name. Required.
	ResourceName string `pulumi:"resourceName"`
	// ServerFqdn picks the API server FQDN to put in the kubeconfig.
	ServerFqdn *string `pulumi:"serverFqdn"`
}

// ListManagedClusterUserCredentialsOutputArgs are the arguments of
// listManagedClusterUserCredentials as inputs.
type ListManagedClusterUserCredentialsOutputArgs struct {
	// Format is the kubeconfig format, FormatExec or FormatAzure.
	Format pulumi.StringPtrInput `pulumi:"format"`
	// ResourceGroupName is the cluster's group. Required.
	ResourceGroupName pulumi.StringInput `pulumi:"resourceGroupName"`
	// ResourceName is the cluster's name. Required.
	ResourceName pulumi.StringInput `pulumi:"resourceName"`
	// ServerFqdn picks the API server FQDN to put in the kubeconfig.
	ServerFqdn pulumi.StringPtrInput `pulumi:"serverFqdn"`
}

// ElementType is ListManagedClusterUserCredentialsArgs.
func (ListManagedClusterUserCredentialsOutputArgs) ElementType() reflect.Type {
	return reflect.TypeFor[ListManagedClusterUserCredentialsArgs]()
}

// CredentialResultResponse is one kubeconfig.
type CredentialResultResponse struct {
	// Name is the credential's name, e.g. clusterUser.
	Name string `pulumi:"name"`
	// Value is the kubeconfig file, base64-encoded.
	Value string `pulumi:"value"`
}

// ListManagedClusterUserCredentialsResult is the result of
// listManagedClusterUserCredentials.
type ListManagedClusterUserCredentialsResult struct {
	// Kubeconfigs are the cluster user's kubeconfigs.
	Kubeconfigs []CredentialResultResponse `pulumi:"kubeconfigs"`
}

// ListManagedClusterUserCredentialsResultOutput is an output of the result.
type ListManagedClusterUserCredentialsResultOutput struct{ *pulumi.OutputState }

// ElementType is ListManagedClusterUserCredentialsResult.
func (ListManagedClusterUserCredentialsResultOutput) ElementType() reflect.Type {
	return reflect.TypeFor[ListManagedClusterUserCredentialsResult]()
}

// ListManagedClusterUserCredentialsOutput lists a cluster's user
// credentials: a kubeconfig that authenticates as the caller's own Entra ID
// identity, never as a cluster admin. The result is a secret.
func ListManagedClusterUserCredentialsOutput(ctx *pulumi.Context, args ListManagedClusterUserCredentialsOutputArgs,
	opts ...pulumi.InvokeOption,
) ListManagedClusterUserCredentialsResultOutput {
	opts = append([]pulumi.InvokeOption{pulumi.Version(azurenative.Version)}, opts...)
	out := ctx.InvokeOutput(ListManagedClusterUserCredentialsToken, args, ListManagedClusterUserCredentialsResultOutput{},
		pulumi.InvokeOutputOptions{InvokeOptions: opts})
	return pulumi.ToSecret(out).(ListManagedClusterUserCredentialsResultOutput)
}

func init() {
	pulumi.RegisterOutputType(ManagedClusterIdentityResponsePtrOutput{})
	pulumi.RegisterOutputType(ManagedClusterOIDCIssuerProfileResponsePtrOutput{})
	pulumi.RegisterOutputType(ListManagedClusterUserCredentialsResultOutput{})
}
