// Package programtest breaks the program on purpose: the integration tests
// that watch the policy pack refuse a change to the code that breaks a
// promise, as a careless commit might, make that change with it.
package programtest

import (
	"context"
	"maps"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/fhir-dr/fhir-dr/program"
)

// Breaking returns the program with the custom resource of the given
// logical name changed by change before it is registered; a nil change
// leaves the program as it is.
func Breaking(resourceName string, change func(args *pulumi.ResourceTransformArgs)) pulumi.RunFunc {
	return func(ctx *pulumi.Context) error {
		if change != nil {
			err := ctx.RegisterResourceTransform(func(_ context.Context, args *pulumi.ResourceTransformArgs) *pulumi.ResourceTransformResult {
				if !args.Custom || args.Name != resourceName {
					return nil
				}
				change(args)
				return &pulumi.ResourceTransformResult{Props: args.Props, Opts: args.Opts}
			})
			if err != nil {
				return err
			}
		}
		return program.Run(ctx)
	}
}

// SetIn sets the input at the path of keys ("networkProfile",
// "networkPolicy"), copying the objects on the way so that what they hold
// besides stays as it was.
func SetIn(v pulumi.Input, keys ...string) func(*pulumi.ResourceTransformArgs) {
	return func(args *pulumi.ResourceTransformArgs) {
		m := args.Props
		for _, k := range keys[:len(keys)-1] {
			next := pulumi.Map{}
			if old, ok := m[k].(pulumi.Map); ok {
				maps.Copy(next, old)
			}
			m[k] = next
			m = next
		}
		m[keys[len(keys)-1]] = v
	}
}
