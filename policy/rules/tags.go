package rules

import (
	"fmt"
	"github.com/fhir-dr/fhir-dr/naming"
	"slices"
	"strings"

	"github.com/fhir-dr/fhir-dr/drconfig"
	"github.com/fhir-dr/fhir-dr/internal/azureschema"
)

var tagRules = []Rule{
	{
		Name: "required-tags",
		Description: "Every taggable resource carries customer, dr-role and managed-by; every resource other than the customer's data " +
			"(primary resource group, Cosmos DB account, database, container) also carries the ticket, tier and billing tags, " +
			"and in a DR stack a real ticket.",
		Level: Mandatory, Scope: ResourceScope,
		resource: checkTags,
	},
}

// dataTypes are the customer's data resources: they keep DR-independent
// tags (drconfig.DataTags) so that DR transitions never have to touch them.
var dataTypes = []string{accountType, databaseType, containerType}

// isData reports whether r is one of the customer's data resources.
func isData(r Resource) bool {
	if slices.Contains(dataTypes, r.Type) {
		return true
	}
	role, _ := str(r.Inputs, "tags."+drconfig.TagRole)
	return r.Type == groupType && role == string(naming.RolePrimary)
}

// taggable reports whether the resource type has a tags input.
func taggable(token string) bool {
	facts, err := azureschema.Load()
	if err != nil {
		return false
	}
	res, ok := facts.Resources[token]
	if !ok {
		return strings.HasPrefix(token, "azure-native:") // unknown Azure types: assume taggable
	}
	_, ok = res.Inputs["tags"]
	return ok
}

func checkTags(e *env, r Resource) []string {
	if !strings.HasPrefix(r.Type, "azure-native:") || !taggable(r.Type) || unknown(r.Inputs, "tags") {
		return nil
	}
	tags, _ := obj(r.Inputs, "tags")
	required := drconfig.DataTagNames
	if !isData(r) {
		required = drconfig.RequiredTags
	}
	var missing []string
	for _, k := range required {
		if v, ok := str(tags, k); !ok || v == "" {
			missing = append(missing, k)
		}
	}
	var out []string
	if len(missing) > 0 {
		out = append(out, fmt.Sprintf("%s lacks the tags %s; register it with the tags of drconfig (ResourceTags or DataTags)",
			describe(r), strings.Join(missing, ", ")))
	}
	if ticket, ok := str(tags, drconfig.TagTicket); e.dr && !isData(r) && ok && (ticket == "none" || ticket == "") {
		out = append(out, fmt.Sprintf("%s is a DR resource without a ticket; set dr.ticket to the support ticket that asked for DR", describe(r)))
	}
	return out
}
