// Package armid reads and writes Azure Resource Manager resource IDs, the
// one parser of them in fhir-dr. ARM treats the segment names
// ("resourceGroups", "providers") and the provider namespace and types
// case-insensitively, and so does Parse; names keep their case.
package armid

import (
	"fmt"
	"regexp"
	"strings"
)

// ID is a resource in a resource group:
// /subscriptions/<sub>/resourceGroups/<group>/providers/<namespace>/<type>/<name>[/<type>/<name>...].
type ID struct {
	// Subscription is the subscription's id: a UUID in Azure; Parse takes
	// any segment, so test doubles may name theirs ("sub-1"), and callers
	// that judge user input check it with IsUUID.
	Subscription string
	// ResourceGroup is the resource group's name.
	ResourceGroup string
	// Namespace is the resource provider, "Microsoft.DocumentDB".
	Namespace string
	// Types and Names are the resource's type segments and names, parent
	// first: ["databaseAccounts"], ["fhir-contoso"].
	Types, Names []string
}

var uuid = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// IsUUID reports whether s is a UUID, the form of Azure's subscription ids
// and object ids.
func IsUUID(s string) bool { return uuid.MatchString(s) }

// Format describes the ID of a resource of the given type for messages.
func Format(resourceType string) string {
	return "/subscriptions/<id>/resourceGroups/<group>/providers/" + resourceType + "/<name>"
}

// Parse reads a resource ID in a resource group.
func Parse(s string) (ID, error) {
	parts := strings.Split(s, "/")
	// "", "subscriptions", sub, "resourceGroups", rg, "providers", ns, type, name, ...
	if len(parts) < 9 || len(parts)%2 == 0 || parts[0] != "" ||
		!strings.EqualFold(parts[1], "subscriptions") || parts[2] == "" ||
		!strings.EqualFold(parts[3], "resourceGroups") || parts[4] == "" ||
		!strings.EqualFold(parts[5], "providers") || parts[6] == "" {
		return ID{}, fmt.Errorf("%q is not an Azure resource ID", s)
	}
	id := ID{Subscription: parts[2], ResourceGroup: parts[4], Namespace: parts[6]}
	for i := 7; i < len(parts); i += 2 {
		if parts[i] == "" || parts[i+1] == "" {
			return ID{}, fmt.Errorf("%q is not an Azure resource ID", s)
		}
		id.Types = append(id.Types, parts[i])
		id.Names = append(id.Names, parts[i+1])
	}
	return id, nil
}

// ParseType reads the ID of a top-level resource of resourceType
// ("Microsoft.DocumentDB/databaseAccounts").
func ParseType(s, resourceType string) (ID, error) {
	id, err := Parse(s)
	if err != nil {
		return ID{}, err
	}
	if !id.Is(resourceType) {
		return ID{}, fmt.Errorf("%q is not the ID of a %s", s, resourceType)
	}
	return id, nil
}

// Is reports whether the ID names a resource of resourceType
// ("Microsoft.Storage/storageAccounts").
func (id ID) Is(resourceType string) bool {
	return strings.EqualFold(id.Namespace+"/"+strings.Join(id.Types, "/"), resourceType)
}

// Name is the resource's own name, the last one.
func (id ID) Name() string { return id.Names[len(id.Names)-1] }

// ResourceGroupID is the ID of the resource's group.
func (id ID) ResourceGroupID() string { return ResourceGroup(id.Subscription, id.ResourceGroup) }

// String writes the ID the way ARM does.
func (id ID) String() string {
	var b strings.Builder
	b.WriteString(id.ResourceGroupID() + "/providers/" + id.Namespace)
	for i := range id.Types {
		b.WriteString("/" + id.Types[i] + "/" + id.Names[i])
	}
	return b.String()
}

// Child is the ID of a child resource.
func (id ID) Child(resourceType, name string) ID {
	c := id
	c.Types = append(append([]string(nil), id.Types...), resourceType)
	c.Names = append(append([]string(nil), id.Names...), name)
	return c
}

// Equal reports whether two IDs name the same resource: ARM compares IDs
// without regard to case.
func Equal(a, b string) bool { return strings.EqualFold(a, b) }

// ResourceGroup is the ID of a resource group.
func ResourceGroup(subscription, group string) string {
	return "/subscriptions/" + subscription + "/resourceGroups/" + group
}
