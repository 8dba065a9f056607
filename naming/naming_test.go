package naming

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestStampRole(t *testing.T) {
	for name, want := range map[string]struct {
		role Role
		rest string
		ok   bool
	}{
		"primary-aks":        {RolePrimary, "aks", true},
		"secondary-fhir-hpa": {RoleSecondary, "fhir-hpa", true},
		"primary":            {"", "", false},
		"global-profile":     {"", "", false},
		"fhir-identity":      {"", "", false},
	} {
		role, rest, ok := StampRole(name)
		assert.Equal(t, want.role, role, name)
		assert.Equal(t, want.rest, rest, name)
		assert.Equal(t, want.ok, ok, name)
	}
}

// TestStampNames pins the Azure names of a stamp: they are in every
// customer's deployed state, and a change renames (replaces) resources.
func TestStampNames(t *testing.T) {
	s := StampNames("contoso", RoleSecondary)
	assert.Equal(t, []string{
		"contoso-fhir-secondary", "vnet-contoso-fhir-secondary", "aks-contoso-fhir-secondary",
		"rg-contoso-fhir-secondary-aks-nodes", "pip-contoso-fhir-secondary-ingress", "pe-contoso-fhir-secondary-cosmos",
		"link-vnet-contoso-fhir-secondary",
	}, []string{s.Base(), s.VirtualNetwork(), s.Cluster(), s.NodeResourceGroup(), s.IngressIP(), s.PrivateEndpoint(), s.DNSZoneLink()})
	assert.Equal(t, "secondary-aks", StampResource(RoleSecondary, "aks"))
	assert.Equal(t, "rg-contoso-fhir-eastus", PrimaryResourceGroup("contoso", "eastus"))
	assert.Equal(t, "rg-contoso-fhir-dr-westus", SecondaryResourceGroup("contoso", "westus"))
	assert.Equal(t, "contoso-fhir.trafficmanager.net", TrafficManagerFQDN(TrafficManagerLabel("contoso")))
}
