package components

import (
	"errors"
	"github.com/fhir-dr/fhir-dr/azure/regions"
	"github.com/fhir-dr/fhir-dr/naming"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/fhir-dr/fhir-dr/azure/authorization"
	"github.com/fhir-dr/fhir-dr/azure/resources"
	"github.com/fhir-dr/fhir-dr/detection"
	"github.com/fhir-dr/fhir-dr/drconfig"
)

// CustomerDRArgs are the inputs of NewCustomerDR.
type CustomerDRArgs struct {
	// Config is the customer's validated stack configuration. Required.
	Config *drconfig.Config
}

// CustomerDR is one customer's deployment: the Cosmos DB account (with its
// geo-replica when DR is enabled), and for the full tier the two compute
// stamps and the Traffic Manager profile, plus the audit log workspace.
type CustomerDR struct {
	pulumi.ResourceState

	// Outputs are the values the stack exports.
	Outputs pulumi.Map
}

// NewCustomerDR declares a customer's deployment from its configuration.
func NewCustomerDR(ctx *pulumi.Context, name string, args *CustomerDRArgs,
	opts ...pulumi.ResourceOption,
) (*CustomerDR, error) {
	if args == nil || args.Config == nil {
		return nil, errors.New("customer DR: Config is required")
	}
	cfg := args.Config
	dr := &CustomerDR{}
	if err := ctx.RegisterComponentResource("fhir-dr:index:CustomerDR", name, dr, opts...); err != nil {
		return nil, err
	}
	tags := func(role naming.Role) pulumi.StringMap { return pulumi.ToStringMap(cfg.ResourceTags(role)) }
	dataTags := pulumi.ToStringMap(cfg.DataTags())

	// The primary group holds the Cosmos DB account: deleting the group would
	// delete the account, so it is protected like the data itself.
	primaryRG, err := resources.NewResourceGroup(ctx, "primary-rg", &resources.ResourceGroupArgs{
		ResourceGroupName: pulumi.String(cfg.PrimaryResourceGroupName()),
		Location:          pulumi.String(cfg.PrimaryRegion),
		Tags:              dataTags,
	}, withParent(dr, adopt(protectData(), cfg.AdoptedIDs()["resourceGroup"])...)...)
	if err != nil {
		return nil, err
	}

	// The primary region takes writes (priority 0) unless the account has
	// failed over to the secondary; the array order stays the same, so a
	// recorded failover changes nothing but the priorities.
	primaryPriority, secondaryPriority := 0, 1
	if cfg.WriteRegionMoved() {
		primaryPriority, secondaryPriority = 1, 0
	}
	locations := []CosmosLocation{{
		Region: cfg.PrimaryRegion, ZoneRedundant: *cfg.Cosmos.ZoneRedundant.Primary, FailoverPriority: primaryPriority,
	}}
	if cfg.DR.Enabled {
		locations = append(locations, CosmosLocation{
			Region: cfg.DR.SecondaryRegion, ZoneRedundant: *cfg.Cosmos.ZoneRedundant.Secondary, FailoverPriority: secondaryPriority,
		})
	}
	if r := cfg.DR.RetiringSecondaryRegion; r != "" {
		// Azure adds and removes regions in separate updates: the old
		// secondary stays, last in line, until the next change removes it,
		// with the zone redundancy it is deployed with (Azure cannot
		// change it in place).
		locations = append(locations, CosmosLocation{Region: r, ZoneRedundant: *cfg.Cosmos.ZoneRedundant.Retiring, FailoverPriority: 2})
	}
	adopted := cfg.AdoptedIDs()
	cosmos, err := NewCosmosAccount(ctx, "cosmos", &CosmosAccountArgs{
		Import:                 CosmosImport{Account: adopted["account"], Database: adopted["database"], Container: adopted["container"]},
		ResourceGroupName:      primaryRG.Name,
		AccountName:            cfg.Cosmos.AccountName,
		Locations:              locations,
		Consistency:            cfg.Consistency(),
		Backup:                 backup(cfg.Cosmos.Backup),
		Throughput:             cfg.Cosmos.Throughput,
		AutoscaleMaxThroughput: cfg.Cosmos.AutoscaleMaxThroughput,
		// The full tier's stamps reach the account through private
		// endpoints in both regions; without them (data tier, DR off) the
		// service that uses the account runs outside fhir-dr, so the
		// public endpoint stays open, limited to its egress if given.
		PrivateOnly:     cfg.HasCompute(),
		AllowedIPRanges: cfg.Cosmos.AllowedIPRanges,
		Tags:            dataTags,
	}, pulumi.Parent(dr))
	if err != nil {
		return nil, err
	}
	accountID := cosmos.AccountID.ToStringOutput()
	logSources := []LogSource{{Name: "cosmos", ResourceID: accountID, CategoryGroups: []string{"allLogs"}}}

	outputs := pulumi.Map{
		"customer":          pulumi.String(cfg.Customer),
		"drEnabled":         pulumi.Bool(cfg.DR.Enabled),
		"tier":              pulumi.String(cfg.TierLabel()),
		"ticket":            pulumi.String(cfg.Ticket()),
		"primaryRegion":     pulumi.String(cfg.PrimaryRegion),
		"writeRegion":       pulumi.String(cfg.DR.WriteRegion),
		"cosmosEndpoint":    cosmos.DocumentEndpoint,
		"consistency":       pulumi.String(cfg.Consistency().Level),
		"billingMultiplier": pulumi.Int(cfg.BillingMultiplier()),
	}
	if cfg.DR.Enabled {
		o := cfg.Objectives()
		outputs["secondaryRegion"] = pulumi.String(cfg.DR.SecondaryRegion)
		outputs["rpoSeconds"] = pulumi.Int(int(o.RPO.Seconds()))
		outputs["rtoSeconds"] = pulumi.Int(int(o.RTO.Seconds()))
		outputs["serviceManagedRtoSeconds"] = pulumi.Int(int(o.ServiceManagedRTO.Seconds()))
	}

	// The data locks are created after everything that changes under the
	// account, so that nothing a change removes there meets a new lock.
	var lockAfter []pulumi.Resource
	// Alerting lives with the data tier's only group, the primary; with the
	// full tier, in the DR region's group with the profile, so that the
	// rules, the availability tests and their component can be managed
	// while the primary region is down. (Metric alert rules are global:
	// Azure Monitor evaluates them outside either region.)
	alertRG := primaryRG.Name
	targets := AlertTargets{AccountID: accountID}
	if cfg.HasCompute() {
		secondaryRG, err := resources.NewResourceGroup(ctx, "secondary-rg", &resources.ResourceGroupArgs{
			ResourceGroupName: pulumi.String(naming.SecondaryResourceGroup(cfg.Customer, cfg.DR.SecondaryRegion)),
			Location:          pulumi.String(cfg.DR.SecondaryRegion),
			Tags:              tags(naming.RoleSecondary),
		}, pulumi.Parent(dr))
		if err != nil {
			return nil, err
		}
		spec := computeSpec(cfg.Compute)
		stamps := map[naming.Role]*ComputeStamp{}
		for _, s := range []struct {
			role    naming.Role
			region  string
			network StampNetwork
			rg      pulumi.StringInput
		}{
			{naming.RolePrimary, cfg.PrimaryRegion, stampNetwork(cfg.Compute.Network.Primary), primaryRG.Name},
			{naming.RoleSecondary, cfg.DR.SecondaryRegion, stampNetwork(cfg.Compute.Network.Secondary), secondaryRG.Name},
		} {
			region, _ := regions.Lookup(s.region)
			stamp, err := NewComputeStamp(ctx, string(s.role), &ComputeStampArgs{
				Spec:              spec,
				Customer:          cfg.Customer,
				Role:              s.role,
				Region:            s.region,
				AvailabilityZones: region.AvailabilityZones,
				Network:           s.network,
				CosmosAccountID:   accountID,
				ResourceGroupName: s.rg,
				Tags:              tags(s.role),
			}, pulumi.Parent(dr))
			if err != nil {
				return nil, err
			}
			stamps[s.role] = stamp
			logSources = append(logSources, LogSource{
				Name:       string(s.role) + "-aks",
				ResourceID: stamp.ClusterID.ToStringOutput(),
				Categories: []string{"kube-audit-admin", "guard"},
			})
		}

		identity, err := deployFHIR(ctx, dr, cfg, cosmos, locations, stamps, primaryRG.Name, tags(naming.RolePrimary))
		if err != nil {
			return nil, err
		}
		lockAfter = append(lockAfter, identity.Members()...)

		// The profile lives in the DR region's group so that it can still be
		// managed while the primary region is down.
		tm, err := NewTrafficManager(ctx, "traffic", &TrafficManagerArgs{
			ResourceGroupName: secondaryRG.Name,
			ProfileName:       naming.TrafficManagerProfile(cfg.Customer),
			DNSName:           pulumi.String(cfg.TrafficManager.DNSName),
			Probe:             trafficProbe(cfg.TrafficManager.Probe),
			TTLSeconds:        pulumi.Int(*cfg.TrafficManager.TTLSeconds),
			Endpoints: []TrafficEndpoint{
				{Role: naming.RolePrimary, TargetResourceID: stamps[naming.RolePrimary].IngressIPID.ToStringOutput(), Priority: 1},
				{Role: naming.RoleSecondary, TargetResourceID: stamps[naming.RoleSecondary].IngressIPID.ToStringOutput(), Priority: 2},
			},
			Tags: tags(naming.RoleGlobal),
		}, pulumi.Parent(dr))
		if err != nil {
			return nil, err
		}
		profileID := tm.Profile.ID().ToStringOutput()
		logSources = append(logSources, LogSource{
			Name: "traffic", ResourceID: profileID, CategoryGroups: []string{"allLogs"},
		})
		alertRG = secondaryRG.Name
		targets.ProfileID = profileID
		// A cluster's ARM ID is its group's and its name: built so, the
		// rules' scopes stay known while a cluster is rebuilt (same ID), so
		// that a rebuild changes no rule; they wait for the cluster.
		groupIDs := map[naming.Role]pulumi.IDOutput{naming.RolePrimary: primaryRG.ID(), naming.RoleSecondary: secondaryRG.ID()}
		targets.ClusterIDs = map[naming.Role]pulumi.StringInput{}
		targets.Clusters = map[naming.Role]pulumi.Resource{}
		targets.WebTestHosts = map[string]pulumi.StringInput{"traffic-manager": tm.FQDN}
		for role, stamp := range stamps {
			targets.ClusterIDs[role] = pulumi.Sprintf("%s/providers/%s/%s", groupIDs[role], managedClusterType,
				naming.StampNames(cfg.Customer, role).Cluster())
			targets.Clusters[role] = stamp.Cluster
			targets.WebTestHosts[string(role)] = pulumi.String(naming.IngressFQDN(stamp.IngressDNSLabel, stamp.Region))
		}
		outputs["trafficManagerFqdn"] = tm.FQDN
		outputs["fhirImage"] = pulumi.String(cfg.FHIR.ImageRef())
		outputs["fhirReplicasPrimary"] = pulumi.Int(cfg.FHIR.Replicas.Primary)
		outputs["fhirReplicasStandby"] = pulumi.Int(cfg.FHIR.Replicas.Standby)
	}

	monitoring, err := NewMonitoring(ctx, "monitoring", &MonitoringArgs{
		ResourceGroupName: primaryRG.Name,
		WorkspaceName:     naming.Workspace(cfg.Customer),
		Location:          cfg.PrimaryRegion,
		RetentionDays:     cfg.Monitoring.RetentionDays,
		Sources:           logSources,
		Tags:              tags(naming.RolePrimary),
	}, pulumi.Parent(dr))
	if err != nil {
		return nil, err
	}
	if cfg.DR.Enabled {
		in := cfg.DetectionInputs()
		if _, err := NewAlerting(ctx, "alerting", &AlertingArgs{
			Customer:            cfg.Customer,
			Rules:               cfg.AlertRules(),
			WebTests:            detection.WebTests(in),
			Availability:        in.Availability,
			Targets:             targets,
			ResourceGroupName:   alertRG,
			Location:            cfg.DR.SecondaryRegion, // outlives the primary
			OnCallActionGroupID: cfg.DR.Paging.ActionGroupID,
			Emails:              cfg.DR.Paging.Emails,
			Tags:                tags(naming.RoleGlobal),
		}, pulumi.Parent(dr)); err != nil {
			return nil, err
		}
	}
	if err := lockData(ctx, dr, cfg, cosmos, monitoring, append(lockAfter, monitoring.Members()...)); err != nil {
		return nil, err
	}

	dr.Outputs = outputs
	if err := ctx.RegisterResourceOutputs(dr, outputs); err != nil {
		return nil, err
	}
	return dr, nil
}

// managedClusterType is the ARM type of an AKS cluster.
const managedClusterType = "Microsoft.ContainerService/managedClusters"

// deployFHIR declares the workload identity and the FHIR service in both
// stamps from one spec; only the replica count differs.
func deployFHIR(ctx *pulumi.Context, dr *CustomerDR, cfg *drconfig.Config, cosmos *CosmosAccount,
	locations []CosmosLocation, stamps map[naming.Role]*ComputeStamp, rg pulumi.StringInput, tags pulumi.StringMap,
) (*WorkloadIdentity, error) {
	roles := []naming.Role{naming.RolePrimary, naming.RoleSecondary}
	issuers := make([]ClusterIssuer, len(roles))
	for i, role := range roles {
		stamp := stamps[role]
		issuers[i] = ClusterIssuer{
			Name:      naming.StampNames(cfg.Customer, role).Cluster(),
			IssuerURL: stamp.Cluster.OidcIssuerProfile.IssuerURL().Elem(),
		}
	}
	// The identity lives with the data in the primary group, which never
	// moves: the secondary's group is named after its region and is
	// rebuilt when the secondary moves, and the identity must outlive that
	// because the primary uses it. Its region is only where its metadata
	// is kept; tokens come from Entra ID, which is global.
	identity, err := NewWorkloadIdentity(ctx, "fhir-identity", &WorkloadIdentityArgs{
		Customer:                cfg.Customer,
		ResourceGroupName:       rg,
		Location:                cfg.PrimaryRegion,
		CosmosResourceGroupName: pulumi.String(cfg.PrimaryResourceGroupName()),
		CosmosAccountName:       cfg.Cosmos.AccountName,
		CosmosAccountID:         cosmos.AccountID,
		Issuers:                 issuers,
		ExportStorageAccountID:  cfg.FHIR.Export.StorageAccountID,
		ConvertDataRegistryID:   cfg.FHIR.ConvertData.RegistryID,
		Tags:                    tags,
	}, pulumi.Parent(dr))
	if err != nil {
		return nil, err
	}
	regions := make([]string, len(locations))
	for i, l := range locations {
		regions[i] = l.Region
	}
	spec := FHIRSpec{
		Settings:         fhirSettings(cfg.FHIR),
		CosmosEndpoint:   cosmos.DocumentEndpoint,
		CosmosAccountID:  cosmos.AccountID.ToStringOutput(),
		Regions:          regions,
		IdentityClientID: identity.ClientID,
	}
	replicas := map[naming.Role]int{
		naming.RolePrimary:   cfg.FHIR.Replicas.Primary,
		naming.RoleSecondary: cfg.FHIR.Replicas.Standby,
	}
	for i, role := range roles {
		// Each service waits for its own cluster's credential and the
		// grants, never for the other stamp's: rebuilding one stamp must
		// not touch the other's pods.
		needs := append([]pulumi.Resource{identity.Federations[issuers[i].Name]}, identity.Grants...)
		// ... and for its stamp's private path to the account: the public
		// endpoint is closed.
		needs = append(needs, stamps[role].PrivateAccess...)
		if _, err := NewFHIRService(ctx, string(role)+"-fhir", &FHIRServiceArgs{
			Spec:      spec,
			Stamp:     stamps[role],
			Role:      role,
			Replicas:  replicas[role],
			DependsOn: needs,
		}, pulumi.Parent(dr)); err != nil {
			return nil, err
		}
	}
	return identity, nil
}

// Names of the management locks that guard the customer's data and audit
// logs against deletes outside the program.
const (
	DataLockName  = "fhir-dr-data"
	AuditLockName = "fhir-dr-audit-logs"
)

// lockData puts CanNotDelete management locks on the Cosmos DB account
// (inherited by its database and container, and the resource group cannot
// be deleted while it holds a locked resource) and on the audit log
// workspace. Pulumi's protect guards only against the program; a lock
// guards against every delete through Azure Resource Manager: the portal,
// the CLI, another deployment. The locks are on the resources rather than
// on the primary resource group, because a group lock is inherited by
// everything in the group, and the group also holds what normal changes
// delete (the primary stamp and the workload identity go with the full
// tier; a rebuilt cluster is deleted first).
//
// The locks are protected, so that no change can drop them, and not
// retained: the documented offboarding (unprotect, destroy) removes them,
// before the diagnostic setting inside the account's scope, which is why
// they depend on the monitoring (and on the workload identity, whose grant
// lives under the account); the data they guarded stays in Azure
// (retainOnDelete) for the customer's data-deletion ticket.
func lockData(ctx *pulumi.Context, dr *CustomerDR, cfg *drconfig.Config, cosmos *CosmosAccount, monitoring *Monitoring,
	after []pulumi.Resource,
) error {
	opts := withParent(dr, pulumi.Protect(true), pulumi.DependsOn(after))
	for _, l := range []struct {
		name, lockName, notes string
		scope                 pulumi.IDOutput
	}{
		{"data-lock", DataLockName, "fhir-dr: the FHIR data of " + cfg.Customer + " (Cosmos DB account " + cfg.Cosmos.AccountName +
			", database health, container fhirR4). Removed only by the offboarding procedure (docs/runbook.md, Offboard).", cosmos.AccountID},
		{"audit-lock", AuditLockName, "fhir-dr: the audit logs of " + cfg.Customer +
			". Removed only by the offboarding procedure (docs/runbook.md, Offboard).", monitoring.WorkspaceID},
	} {
		if _, err := authorization.NewManagementLockByScope(ctx, l.name, &authorization.ManagementLockByScopeArgs{
			LockName: pulumi.String(l.lockName),
			Scope:    l.scope.ToStringOutput(),
			Level:    authorization.LockLevelCanNotDelete,
			Notes:    pulumi.String(l.notes),
		}, opts...); err != nil {
			return err
		}
	}
	return nil
}

// trafficProbe maps the resolved probe settings to the component's.
func trafficProbe(p drconfig.Probe) TrafficProbe {
	probe := TrafficProbe{
		Protocol:          p.Protocol,
		Port:              pulumi.Int(p.Port),
		IntervalSeconds:   pulumi.Int(p.IntervalSeconds),
		TimeoutSeconds:    pulumi.Int(p.TimeoutSeconds),
		ToleratedFailures: pulumi.Int(*p.ToleratedFailures),
	}
	if p.Path != "" {
		probe.Path = pulumi.String(p.Path)
	}
	return probe
}

// backup maps the resolved backup settings to the component's.
func backup(b drconfig.Backup) BackupPolicy {
	if b.Type == "Continuous" {
		return BackupPolicy{Continuous: true, Tier: pulumi.String(b.Tier)}
	}
	return BackupPolicy{
		IntervalMinutes:   pulumi.Int(b.IntervalMinutes),
		RetentionHours:    pulumi.Int(b.RetentionHours),
		StorageRedundancy: pulumi.String(b.StorageRedundancy),
	}
}

// computeSpec maps the resolved compute settings to the stamps' shared spec.
func computeSpec(c drconfig.Compute) ComputeSpec {
	spec := ComputeSpec{
		KubernetesVersion: pulumi.String(c.KubernetesVersion),
		SkuTier:           pulumi.String(c.SkuTier),
		APIServer:         APIServerAccess{Private: c.APIServer.Private},
	}
	if !c.APIServer.Private {
		spec.APIServer.AuthorizedIPRanges = pulumi.ToStringArray(c.APIServer.AuthorizedIPRanges)
	}
	if len(c.AdminGroupObjectIDs) > 0 {
		spec.AdminGroupObjectIDs = pulumi.ToStringArray(c.AdminGroupObjectIDs)
	}
	for _, p := range c.NodePools {
		spec.NodePools = append(spec.NodePools, NodePool{
			Name: p.Name, Mode: pulumi.String(p.Mode), VMSize: pulumi.String(p.VMSize),
			Count: p.Count, MinCount: p.MinCount, MaxCount: p.MaxCount, Zones: p.Zones,
		})
	}
	return spec
}

// stampNetwork maps a region's resolved address plan to the stamp's.
func stampNetwork(n drconfig.Network) StampNetwork {
	return StampNetwork{
		AddressSpace:          pulumi.String(n.AddressSpace),
		NodeSubnet:            pulumi.String(n.NodeSubnet),
		PrivateEndpointSubnet: pulumi.String(n.PrivateEndpointSubnet),
	}
}

// fhirSettings maps the resolved fhir settings to the FHIR service's.
func fhirSettings(f drconfig.FHIR) FHIRSettings {
	return FHIRSettings{
		Image:                     pulumi.String(f.ImageRef()),
		Authority:                 pulumi.String(f.Auth.Authority),
		Audience:                  pulumi.String(f.Auth.Audience),
		SmartProxy:                f.SmartProxy,
		CORS:                      FHIRCORS{Origins: f.CORS.Origins, Methods: f.CORS.Methods, Headers: f.CORS.Headers, MaxAge: f.CORS.MaxAge},
		ExportStorageURI:          f.ExportStorageURI(),
		ConvertDataRegistryServer: f.ConvertDataRegistryServer(),
		MaxReplicas:               pulumi.Int(f.Replicas.Max),
		Requests:                  Quantities{CPU: pulumi.String(f.Resources.Requests.CPU), Memory: pulumi.String(f.Resources.Requests.Memory)},
		Limits:                    Quantities{CPU: pulumi.String(f.Resources.Limits.CPU), Memory: pulumi.String(f.Resources.Limits.Memory)},
		TLSSecretName:             pulumi.String(f.TLS.SecretName),
	}
}
