// Package resources registers azure-native:resources resources by type token,
// shaped like the generated package
// github.com/pulumi/pulumi-azure-native-sdk/resources/v3.
package resources

import (
	"reflect"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/fhir-dr/fhir-dr/azure/azurenative"
)

// ResourceGroupToken is the type token of ResourceGroup.
const ResourceGroupToken = "azure-native:resources:ResourceGroup"

// ResourceGroup is an Azure resource group.
type ResourceGroup struct {
	pulumi.CustomResourceState

	// Location is the Azure region of the group's metadata.
	Location pulumi.StringOutput `pulumi:"location"`
	// Name is the resource group name.
	Name pulumi.StringOutput `pulumi:"name"`
	// Tags are the group's tags.
	Tags pulumi.StringMapOutput `pulumi:"tags"`
}

// ResourceGroupArgs are the inputs of ResourceGroup.
type ResourceGroupArgs struct {
	// Location is the region that holds the group's metadata.
	Location pulumi.StringPtrInput `pulumi:"location"`
	// ManagedBy is the ID of the resource that manages this group.
	ManagedBy pulumi.StringPtrInput `pulumi:"managedBy"`
	// ResourceGroupName is the group's name; auto-named when omitted.
	ResourceGroupName pulumi.StringPtrInput `pulumi:"resourceGroupName"`
	// Tags are the group's tags.
	Tags pulumi.StringMapInput `pulumi:"tags"`
}

// ElementType makes ResourceGroupArgs a pulumi.Input for RegisterResource.
func (ResourceGroupArgs) ElementType() reflect.Type {
	return reflect.TypeOf((*ResourceGroupArgs)(nil)).Elem()
}

// NewResourceGroup registers a new resource group.
func NewResourceGroup(ctx *pulumi.Context, name string, args *ResourceGroupArgs,
	opts ...pulumi.ResourceOption,
) (*ResourceGroup, error) {
	if args == nil {
		args = &ResourceGroupArgs{}
	}
	var res ResourceGroup
	if err := azurenative.Register(ctx, ResourceGroupToken, name, args, &res, opts...); err != nil {
		return nil, err
	}
	return &res, nil
}
