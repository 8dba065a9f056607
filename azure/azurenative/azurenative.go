// Package azurenative is the shared core of fhir-dr's thin registration layer
// for the azure-native Pulumi provider.
//
// The generated azure-native Go SDK (github.com/pulumi/pulumi-azure-native-sdk)
// cannot be fetched in our build environment, so the sibling packages
// (resources, cosmosdb, network, ...) register resources by type token instead.
// They mirror the SDK's package, type and field names, so replacing them with
// the SDK later is a change of import paths. This package holds what the
// generated code gets from its utilities package: the pinned provider version
// and the required-input check.
package azurenative

import (
	"errors"
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Version is the azure-native provider release every registration is pinned
// to. The generated SDK adds pulumi.Version(<sdk version>) to each resource's
// options so that the engine loads exactly that plugin; we do the same. The
// release pipeline installs this version with
// `pulumi plugin install resource azure-native 3.23.0`.
const Version = "3.23.0"

// Input names an input of a resource and whether the caller set it; it feeds
// CheckRequired.
type Input struct {
	// Name is the input's wire name, as in the provider schema.
	Name string
	// Set reports whether the caller supplied a value.
	Set bool
}

// CheckRequired returns an error naming every required input of token that is
// not set, as the SDK's constructors do, so a missing input fails before the
// resource is registered rather than at deployment time.
func CheckRequired(token string, inputs ...Input) error {
	var missing []string
	for _, in := range inputs {
		if !in.Set {
			missing = append(missing, in.Name)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return fmt.Errorf("%s: missing required argument(s) %s", token, strings.Join(missing, ", "))
}

// Register registers a custom azure-native resource of the given type token
// with the provider version pinned. args must be one of the layer's *Args
// structs; res receives the resource's outputs.
func Register(ctx *pulumi.Context, token, name string, args pulumi.Input, res pulumi.CustomResource,
	opts ...pulumi.ResourceOption,
) error {
	if args == nil {
		return errors.New(token + ": missing resource arguments")
	}
	// The version goes first so that a caller's own pulumi.Version (as in the
	// SDK's PkgResourceDefaultOpts) still wins.
	opts = append([]pulumi.ResourceOption{pulumi.Version(Version)}, opts...)
	if err := ctx.RegisterResource(token, name, args, res, opts...); err != nil {
		return fmt.Errorf("registering %s %q: %w", token, name, err)
	}
	return nil
}
