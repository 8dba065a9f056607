// Package operationalinsights registers azure-native:operationalinsights
// resources by type token, shaped like the generated package
// github.com/pulumi/pulumi-azure-native-sdk/operationalinsights/v3. Only the
// inputs fhir-dr sets are declared; their names match the provider schema
// exactly.
package operationalinsights

import (
	"reflect"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/fhir-dr/fhir-dr/azure/azurenative"
)

// WorkspaceToken is the type token of Workspace.
const WorkspaceToken = "azure-native:operationalinsights:Workspace"

// Workspace is a Log Analytics workspace.
type Workspace struct {
	pulumi.CustomResourceState

	// CustomerId is the workspace's ID for agents and queries.
	CustomerId pulumi.StringOutput `pulumi:"customerId"`
	// Name is the workspace's name.
	Name pulumi.StringOutput `pulumi:"name"`
}

// WorkspaceArgs are the inputs of Workspace.
type WorkspaceArgs struct {
	// Location is the workspace's region.
	Location pulumi.StringPtrInput `pulumi:"location"`
	// ResourceGroupName is the group that holds the workspace. Required.
	ResourceGroupName pulumi.StringInput `pulumi:"resourceGroupName"`
	// RetentionInDays is how long logs are kept.
	RetentionInDays pulumi.IntPtrInput `pulumi:"retentionInDays"`
	// Sku is the pricing tier.
	Sku *WorkspaceSkuArgs `pulumi:"sku"`
	// Tags are the workspace's tags.
	Tags pulumi.StringMapInput `pulumi:"tags"`
	// WorkspaceName is the workspace's name.
	WorkspaceName pulumi.StringPtrInput `pulumi:"workspaceName"`
}

// ElementType makes WorkspaceArgs a pulumi.Input.
func (WorkspaceArgs) ElementType() reflect.Type {
	return reflect.TypeOf((*WorkspaceArgs)(nil)).Elem()
}

// WorkspaceSkuArgs are a workspace's pricing tier.
type WorkspaceSkuArgs struct {
	// Name is the SKU, e.g. PerGB2018. Required.
	Name pulumi.StringInput `pulumi:"name"`
}

// NewWorkspace registers a Log Analytics workspace.
func NewWorkspace(ctx *pulumi.Context, name string, args *WorkspaceArgs,
	opts ...pulumi.ResourceOption,
) (*Workspace, error) {
	if args == nil {
		args = &WorkspaceArgs{}
	}
	if err := azurenative.CheckRequired(WorkspaceToken,
		azurenative.Input{Name: "resourceGroupName", Set: args.ResourceGroupName != nil},
	); err != nil {
		return nil, err
	}
	if args.Sku != nil {
		if err := azurenative.CheckRequired(WorkspaceToken,
			azurenative.Input{Name: "sku.name", Set: args.Sku.Name != nil},
		); err != nil {
			return nil, err
		}
	}
	var res Workspace
	if err := azurenative.Register(ctx, WorkspaceToken, name, args, &res, opts...); err != nil {
		return nil, err
	}
	return &res, nil
}
