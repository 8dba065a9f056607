package review

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/fhir-dr/fhir-dr/drconfig"
	"github.com/fhir-dr/fhir-dr/internal/azurefake"
	"github.com/fhir-dr/fhir-dr/internal/azurestandin"
	"github.com/fhir-dr/fhir-dr/internal/engine"
	"github.com/fhir-dr/fhir-dr/internal/render"
	"github.com/fhir-dr/fhir-dr/stackfile"
)

// seedAdopted gives the session's stand-in what a stack that adopts its
// account (primary.existingAccountId) imports: the resource group, account,
// database and container, exactly as the base's stack file declares them.
// In Azure they exist before the stack does; without them the base's first
// up, which imports them, fails, and with it the review of every stack.
// A stack that does not adopt, or whose base file does not load or render
// (the engine then says why), needs nothing.
func seedAdopted(ctx context.Context, session *engine.Session, opts Options, customer string) error {
	content, err := git(ctx, opts.ProjectRoot, "show", opts.commit+":"+filepath.ToSlash(stackfile.Path(customer)))
	if err != nil {
		return nil // not at the base: a new stack creates what it declares
	}
	values, err := valuesOf(customer, content)
	if err != nil {
		return nil
	}
	cfg, err := drconfig.Load(stackfile.Path(customer), values)
	if err != nil || !cfg.Adopted() {
		return nil
	}
	ids := map[string]bool{}
	for _, id := range cfg.AdoptedIDs() {
		ids[strings.ToLower(id)] = true
	}
	plan, err := render.Run(customer, values, opts.Deploy)
	if err != nil {
		return nil
	}
	seeded := 0
	for _, r := range plan.Resources {
		if !r.Custom {
			continue
		}
		inputs := resource.NewPropertyMapFromMap(r.Inputs)
		id, outputs := azurefake.Outputs(r.Type, r.Name, inputs)
		if ids[strings.ToLower(id)] {
			session.Provider().Add(id, azurestandin.Resource{Type: r.Type, Inputs: inputs, Outputs: outputs})
			seeded++
		}
	}
	if seeded != len(ids) {
		return fmt.Errorf("review: %s adopts %d existing resources, but the base declares %d of them", customer, len(ids), seeded)
	}
	return nil
}

// valuesOf reads stack file content as drconfig.ReadStackFile reads a file.
func valuesOf(customer, content string) (map[string]string, error) {
	return fromContent(customer, content, drconfig.ReadStackFile)
}
