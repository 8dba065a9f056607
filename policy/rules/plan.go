package rules

import (
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/fhir-dr/fhir-dr/drconfig"
	"github.com/fhir-dr/fhir-dr/internal/render"
)

// FromPlan returns the stack of an offline render, as the policy sees it in
// drctl: every custom resource with its declared inputs and protect option.
// The stack shares the plan's property maps (the rules only read them).
func FromPlan(plan *render.Plan, cfg *drconfig.Config) Stack {
	s := Stack{Name: plan.Stack, Config: cfg}
	for _, r := range plan.Resources {
		if !r.Custom {
			continue
		}
		// The inputs as the monitor received them; Inputs, their plain
		// form, only for a plan built without them.
		inputs := r.Properties
		if inputs == nil {
			inputs = resource.NewPropertyMapFromMap(r.Inputs)
		}
		s.Resources = append(s.Resources, Resource{
			URN: r.URN, Type: r.Type, Name: r.Name, Protect: r.Protect,
			Inputs: inputs,
		})
	}
	return s
}
