// Package components holds fhir-dr's Pulumi component resources, one concern
// per file: the Cosmos DB account and its geo-replica (cosmos.go), a compute
// stamp (compute.go), the FHIR server workload in a stamp's cluster
// (fhir.go) and the workload identity it reaches Azure with (identity.go),
// the Traffic Manager failover profile (traffic.go), the audit log
// workspace (monitoring.go), detection and paging: the alert rules of package
// detection, the customer's action group and the availability tests
// (alerts.go), and CustomerDR (customer_dr.go), which composes
// them into one customer's DR deployment; roles.go holds the built-in Azure
// roles fhir-dr grants.
//
// Every component registers under a "fhir-dr:index:<Name>" type, parents its
// children to itself, and registers its outputs. Azure resources go through
// the thin azure-native layer under azure/; Kubernetes objects through the
// pulumi-kubernetes SDK.
package components

import "github.com/pulumi/pulumi/sdk/v3/go/pulumi"

// protectData is the option set of every resource that holds customer data:
// protect makes the engine refuse to delete or replace it (a config change
// that would do so fails the update), and retainOnDelete leaves it in Azure
// even if it is removed from state on purpose.
func protectData() []pulumi.ResourceOption {
	return []pulumi.ResourceOption{pulumi.Protect(true), pulumi.RetainOnDelete(true)}
}

// withParent appends the parent option to opts.
func withParent(parent pulumi.Resource, opts ...pulumi.ResourceOption) []pulumi.ResourceOption {
	return append([]pulumi.ResourceOption{pulumi.Parent(parent)}, opts...)
}

// adopt adds the import option for an existing resource's ARM ID to opts;
// an empty ID leaves them as they are. Pulumi imports a resource once: the
// import fails unless the declared inputs are exactly the resource's, so
// adoption never changes anything, and once the resource is in the state
// the option has no further effect.
func adopt(opts []pulumi.ResourceOption, id string) []pulumi.ResourceOption {
	if id == "" {
		return opts
	}
	return append(opts, pulumi.Import(pulumi.ID(id)))
}
