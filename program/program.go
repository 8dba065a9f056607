// Package program is the fhir-dr Pulumi program: it loads and validates the
// stack's configuration, declares the customer's deployment and exports its
// outputs. main.go runs it under the Pulumi engine; drctl runs the same
// function under a mock resource monitor to render plans offline.
package program

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/fhir-dr/fhir-dr/components"
	"github.com/fhir-dr/fhir-dr/drconfig"
)

// Run is the Pulumi program. Invalid configuration fails before any resource
// is registered, with every problem and the stack file named.
func Run(ctx *pulumi.Context) error {
	_, err := Deploy(ctx)
	return err
}

// Deploy runs the program and returns the exported outputs.
func Deploy(ctx *pulumi.Context) (pulumi.Map, error) {
	cfg, err := drconfig.FromContext(ctx)
	if err != nil {
		return nil, err
	}
	return DeployConfig(cfg)(ctx)
}

// DeployConfig returns the program (as Deploy) for a configuration that
// the caller has already loaded and validated from the same values the
// program runs with: drctl validates the whole stack file before it
// renders, and loading it a second time would find the same.
func DeployConfig(cfg *drconfig.Config) func(ctx *pulumi.Context) (pulumi.Map, error) {
	// The body is here rather than in a function of its own: the SDK
	// records the call stack of every registration, frame by frame.
	return func(ctx *pulumi.Context) (pulumi.Map, error) {
		dr, err := components.NewCustomerDR(ctx, cfg.Customer, &components.CustomerDRArgs{Config: cfg})
		if err != nil {
			return nil, err
		}
		for k, v := range dr.Outputs {
			ctx.Export(k, v)
		}
		return dr.Outputs, nil
	}
}
