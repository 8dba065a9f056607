// Package naming makes and reads every name fhir-dr gives: the Azure names
// of a customer's resources and the logical names of the Pulumi resources
// the components declare. The components make names here, and the policy
// pack, the review and the topology diagram read them here, so a renamed
// resource cannot slip past a check that looks for it.
package naming

import "strings"

// Role says which part of the DR topology a resource belongs to.
type Role string

// The roles of resources.
const (
	RolePrimary   Role = "primary"
	RoleSecondary Role = "secondary"
	RoleGlobal    Role = "global"
)

// StampRoles are the roles of the two compute stamps, primary first.
var StampRoles = []Role{RolePrimary, RoleSecondary}

// StampResource is the logical name of a compute stamp's resource,
// "<role>-<rest>": "primary-aks", "secondary-fhir-hpa".
func StampResource(role Role, rest string) string { return string(role) + "-" + rest }

// StampRole splits a logical name made by StampResource into the stamp's
// role and the rest. ok is false for a name that belongs to no stamp.
func StampRole(name string) (role Role, rest string, ok bool) {
	for _, r := range StampRoles {
		if rest, ok := strings.CutPrefix(name, string(r)+"-"); ok {
			return r, rest, true
		}
	}
	return "", "", false
}

// Account is the default Cosmos DB account name of a customer.
func Account(customer string) string { return "fhir-" + customer }

// TrafficManagerLabel is the default DNS label of a customer's profile,
// <label>.trafficmanager.net.
func TrafficManagerLabel(customer string) string { return customer + "-fhir" }

// TrafficManagerFQDN is the profile's DNS name for a label.
func TrafficManagerFQDN(label string) string { return label + ".trafficmanager.net" }

// TrafficManagerProfile is the Azure name of a customer's profile.
func TrafficManagerProfile(customer string) string { return "tm-" + customer + "-fhir" }

// PrimaryResourceGroup is the group of a customer's data in the primary
// region (unless an adopted account brings its own).
func PrimaryResourceGroup(customer, region string) string {
	return "rg-" + customer + "-fhir-" + region
}

// SecondaryResourceGroup is the group of the standby stamp.
func SecondaryResourceGroup(customer, region string) string {
	return "rg-" + customer + "-fhir-dr-" + region
}

// Workspace is the Log Analytics workspace of a customer's audit logs.
func Workspace(customer string) string { return "log-" + customer + "-fhir" }

// Identity is the FHIR server's user-assigned identity.
func Identity(customer string) string { return "id-" + customer + "-fhir" }

// AlertRule is the Azure name of one of a customer's alert rules, by the
// rule's key in package detection.
func AlertRule(customer, key string) string { return "alert-" + customer + "-" + key }

// ActionGroup is the per-customer action group of the customer's own
// receivers.
func ActionGroup(customer string) string { return "ag-" + customer + "-fhir" }

// MaxActionGroupShortName is the longest short name Azure accepts for an
// action group (it prefixes SMS and email subjects).
const MaxActionGroupShortName = 12

// ActionGroupShortName is the action group's short name: the customer id,
// cut to MaxActionGroupShortName characters without a trailing hyphen.
func ActionGroupShortName(customer string) string {
	if len(customer) > MaxActionGroupShortName {
		customer = customer[:MaxActionGroupShortName]
	}
	return strings.TrimRight(customer, "-")
}

// AppInsights is the Application Insights component of a customer's
// availability tests.
func AppInsights(customer string) string { return "appi-" + customer + "-fhir" }

// AvailabilityWorkspace is the Log Analytics workspace the availability
// tests' component stores its results in, apart from the audit logs.
func AvailabilityWorkspace(customer string) string { return "log-" + customer + "-fhir-availability" }

// WebTest is the Azure name of an availability test, by its key in package
// detection.
func WebTest(customer, key string) string { return "webtest-" + customer + "-" + key }

// IngressFQDN is the DNS name Azure gives a public IP with a DNS label in a
// region: <label>.<region>.cloudapp.azure.com.
func IngressFQDN(label, region string) string { return label + "." + region + ".cloudapp.azure.com" }

// Stamp names the Azure resources of one compute stamp.
type Stamp struct{ base string }

// StampNames are the names of a customer's stamp in a role.
func StampNames(customer string, role Role) Stamp { return Stamp{customer + "-fhir-" + string(role)} }

// Base is what the stamp's names share, "<customer>-fhir-<role>": also the
// cluster's DNS prefix and the ingress IP's DNS label.
func (s Stamp) Base() string { return s.base }

// VirtualNetwork is the stamp's virtual network.
func (s Stamp) VirtualNetwork() string { return "vnet-" + s.base }

// Cluster is the stamp's AKS cluster.
func (s Stamp) Cluster() string { return "aks-" + s.base }

// NodeResourceGroup is the group AKS keeps the cluster's nodes in.
func (s Stamp) NodeResourceGroup() string { return "rg-" + s.base + "-aks-nodes" }

// IngressIP is the FHIR service's public IP.
func (s Stamp) IngressIP() string { return "pip-" + s.base + "-ingress" }

// PrivateEndpoint is the stamp's private endpoint to the Cosmos DB account.
func (s Stamp) PrivateEndpoint() string { return "pe-" + s.base + "-cosmos" }

// DNSZoneLink is the link of the stamp's private DNS zone to its network.
func (s Stamp) DNSZoneLink() string { return "link-vnet-" + s.base }

// Subnet names inside every stamp's network.
const (
	NodeSubnet            = "snet-aks-nodes"
	PrivateEndpointSubnet = "snet-private-endpoints"
)
