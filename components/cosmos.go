package components

import (
	"errors"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/fhir-dr/fhir-dr/azure/cosmosdb"
	"github.com/fhir-dr/fhir-dr/objectives"
)

// The FHIR server's Cosmos DB layout (microsoft/fhir-server, R4).
const (
	FHIRDatabaseName     = "health"
	FHIRContainerName    = "fhirR4"
	FHIRPartitionKeyPath = "/partitionKey"
)

// CosmosLocation is one region of the account.
type CosmosLocation struct {
	// Region is the ARM region name. Required.
	Region string
	// ZoneRedundant spreads the region's replicas over availability zones.
	// Optional; defaults to false.
	ZoneRedundant bool
	// FailoverPriority is 0 for the write region, 1 for the replica.
	// Required; unique within the account.
	FailoverPriority int
}

// BackupPolicy is the account's backup policy.
type BackupPolicy struct {
	// Continuous selects continuous backups (point-in-time restore)
	// instead of periodic ones. Optional; defaults to false (periodic).
	Continuous bool
	// IntervalMinutes is the periodic backup interval. Optional; defaults
	// to 240. Periodic only.
	IntervalMinutes pulumi.IntInput
	// RetentionHours is how long periodic backups are kept. Optional;
	// defaults to 8. Periodic only.
	RetentionHours pulumi.IntInput
	// StorageRedundancy of periodic backups. Optional; defaults to Geo, the
	// only redundancy that survives the loss of the region. Periodic only.
	StorageRedundancy pulumi.StringInput
	// Tier of continuous backups, Continuous7Days or Continuous30Days.
	// Optional; defaults to Continuous7Days. Continuous only.
	Tier pulumi.StringInput
}

// The backup policy's defaults.
const (
	DefaultBackupIntervalMinutes = 240
	DefaultBackupRetentionHours  = 8
	DefaultBackupRedundancy      = "Geo"
	DefaultContinuousTier        = "Continuous7Days"
)

// CosmosImport names existing resources to adopt instead of creating.
type CosmosImport struct {
	// Account, Database and Container are ARM IDs; empty creates.
	Account, Database, Container string
}

// CosmosAccountArgs are the inputs of NewCosmosAccount.
type CosmosAccountArgs struct {
	// Import adopts the customer's existing account, database and
	// container. Optional; by default they are created.
	Import CosmosImport
	// ResourceGroupName is the group that holds the account. Required.
	ResourceGroupName pulumi.StringInput
	// AccountName is the globally unique account name. Required.
	AccountName string
	// Locations are the account's regions, primary region first; their
	// FailoverPriority says which takes writes. Required; one or two.
	Locations []CosmosLocation
	// Consistency is the default consistency. Required.
	Consistency objectives.Consistency
	// Backup is the backup policy. Optional; defaults to geo-redundant
	// periodic backups every 240 minutes kept 8 hours.
	Backup BackupPolicy
	// Throughput is the FHIR database's manual RU/s. Optional; excludes
	// AutoscaleMaxThroughput.
	Throughput int
	// AutoscaleMaxThroughput is the FHIR database's autoscale ceiling.
	// Optional; excludes Throughput.
	AutoscaleMaxThroughput int
	// PrivateOnly turns the account's public network access off: only
	// private endpoints reach it. Optional; defaults to false (the public
	// endpoint is open, limited to AllowedIPRanges if any).
	PrivateOnly bool
	// AllowedIPRanges are the only IPv4 addresses or ranges that may reach
	// the public endpoint. Optional; defaults to none (no IP filter); not
	// with PrivateOnly.
	AllowedIPRanges []string
	// Tags are the tags of the account, database and container. Optional.
	Tags pulumi.StringMapInput
}

// CosmosAccount is the customer's Cosmos DB account with its geo-replica and
// the FHIR server's database and container.
type CosmosAccount struct {
	pulumi.ResourceState

	// Account is the database account.
	Account *cosmosdb.DatabaseAccount
	// AccountID is the account's ARM ID.
	AccountID pulumi.IDOutput
	// DocumentEndpoint is the account's endpoint.
	DocumentEndpoint pulumi.StringOutput
}

// NewCosmosAccount declares the account, the FHIR database and container.
// All three are protected and retained on delete: no configuration change and
// no `pulumi destroy` can lose the customer's data.
func NewCosmosAccount(ctx *pulumi.Context, name string, args *CosmosAccountArgs,
	opts ...pulumi.ResourceOption,
) (*CosmosAccount, error) {
	if args == nil || args.ResourceGroupName == nil || args.AccountName == "" || len(args.Locations) == 0 {
		return nil, errors.New("cosmos account: ResourceGroupName, AccountName and Locations are required")
	}
	if args.PrivateOnly && len(args.AllowedIPRanges) > 0 {
		return nil, errors.New("cosmos account: AllowedIPRanges apply to the public endpoint, which PrivateOnly closes")
	}
	c := &CosmosAccount{}
	if err := ctx.RegisterComponentResource("fhir-dr:index:CosmosAccount", name, c, opts...); err != nil {
		return nil, err
	}

	locations := make(cosmosdb.LocationArray, len(args.Locations))
	for i, l := range args.Locations {
		locations[i] = cosmosdb.LocationArgs{
			LocationName:     pulumi.String(l.Region),
			FailoverPriority: pulumi.Int(l.FailoverPriority),
			IsZoneRedundant:  pulumi.Bool(l.ZoneRedundant),
		}
	}
	consistency := &cosmosdb.ConsistencyPolicyArgs{DefaultConsistencyLevel: pulumi.String(args.Consistency.Level)}
	if args.Consistency.Level == objectives.BoundedStaleness {
		consistency.MaxIntervalInSeconds = pulumi.Int(args.Consistency.MaxIntervalSeconds)
		consistency.MaxStalenessPrefix = pulumi.Float64(float64(args.Consistency.MaxStalenessPrefix))
	}

	account, err := cosmosdb.NewDatabaseAccount(ctx, "account", &cosmosdb.DatabaseAccountArgs{
		AccountName:              pulumi.String(args.AccountName),
		ResourceGroupName:        args.ResourceGroupName,
		Location:                 pulumi.String(args.Locations[0].Region),
		DatabaseAccountOfferType: cosmosdb.DatabaseAccountOfferTypeStandard,
		Locations:                locations,
		// Service-managed failover is on so a region loss recovers even if
		// nobody acts (the runbook's forced failover is faster). It is on
		// for a single-region account too: Azure rejects a location change
		// combined with any other property change, so enabling DR must
		// change nothing but the locations.
		EnableAutomaticFailover: pulumi.Bool(true),
		// Active/active is a non-goal: the replica is read-only until
		// failover.
		EnableMultipleWriteLocations:       pulumi.Bool(false),
		ConsistencyPolicy:                  consistency,
		DisableLocalAuth:                   pulumi.Bool(true),
		DisableKeyBasedMetadataWriteAccess: pulumi.Bool(true),
		MinimalTlsVersion:                  pulumi.String("Tls12"),
		BackupPolicy:                       backupPolicy(args.Backup),
		// Declared either way, so that what the account admits is in the
		// plan and the policy's view, never Azure's default.
		PublicNetworkAccess: publicAccess(args.PrivateOnly),
		IpRules:             ipRules(args.AllowedIPRanges),
		Tags:                args.Tags,
	}, withParent(c, adopt(protectData(), args.Import.Account)...)...)
	if err != nil {
		return nil, err
	}

	options := &cosmosdb.CreateUpdateOptionsArgs{}
	if args.AutoscaleMaxThroughput > 0 {
		options.AutoscaleSettings = &cosmosdb.AutoscaleSettingsArgs{MaxThroughput: pulumi.Int(args.AutoscaleMaxThroughput)}
	} else {
		options.Throughput = pulumi.Int(args.Throughput)
	}
	database, err := cosmosdb.NewSqlResourceSqlDatabase(ctx, FHIRDatabaseName, &cosmosdb.SqlResourceSqlDatabaseArgs{
		AccountName:       account.Name,
		ResourceGroupName: args.ResourceGroupName,
		DatabaseName:      pulumi.String(FHIRDatabaseName),
		Resource:          &cosmosdb.SqlDatabaseResourceArgs{Id: pulumi.String(FHIRDatabaseName)},
		// Shared database throughput is provisioned in every region of the
		// account alike, so both regions get the same RU/s.
		Options: options,
		Tags:    args.Tags,
	}, withParent(c, adopt(protectData(), args.Import.Database)...)...)
	if err != nil {
		return nil, err
	}

	if _, err := cosmosdb.NewSqlResourceSqlContainer(ctx, FHIRContainerName, &cosmosdb.SqlResourceSqlContainerArgs{
		AccountName:       account.Name,
		ResourceGroupName: args.ResourceGroupName,
		DatabaseName:      database.Name,
		ContainerName:     pulumi.String(FHIRContainerName),
		Resource: &cosmosdb.SqlContainerResourceArgs{
			Id: pulumi.String(FHIRContainerName),
			PartitionKey: &cosmosdb.ContainerPartitionKeyArgs{
				Paths: pulumi.StringArray{pulumi.String(FHIRPartitionKeyPath)},
			},
		},
		Tags: args.Tags,
	}, withParent(c, adopt(protectData(), args.Import.Container)...)...); err != nil {
		return nil, err
	}

	c.Account = account
	c.AccountID = account.ID()
	c.DocumentEndpoint = account.DocumentEndpoint
	if err := ctx.RegisterResourceOutputs(c, pulumi.Map{
		"accountId":        c.AccountID,
		"documentEndpoint": c.DocumentEndpoint,
	}); err != nil {
		return nil, err
	}
	return c, nil
}

func backupPolicy(b BackupPolicy) pulumi.Input {
	orDefault := func(v, def pulumi.Input) pulumi.Input {
		if v == nil {
			return def
		}
		return v
	}
	if b.Continuous {
		return cosmosdb.ContinuousModeBackupPolicyArgs{
			Type: pulumi.String("Continuous"),
			ContinuousModeProperties: &cosmosdb.ContinuousModePropertiesArgs{
				Tier: orDefault(b.Tier, pulumi.String(DefaultContinuousTier)).(pulumi.StringInput),
			},
		}
	}
	return cosmosdb.PeriodicModeBackupPolicyArgs{
		Type: pulumi.String("Periodic"),
		PeriodicModeProperties: &cosmosdb.PeriodicModePropertiesArgs{
			BackupIntervalInMinutes:        orDefault(b.IntervalMinutes, pulumi.Int(DefaultBackupIntervalMinutes)).(pulumi.IntInput),
			BackupRetentionIntervalInHours: orDefault(b.RetentionHours, pulumi.Int(DefaultBackupRetentionHours)).(pulumi.IntInput),
			BackupStorageRedundancy:        orDefault(b.StorageRedundancy, pulumi.String(DefaultBackupRedundancy)).(pulumi.StringInput),
		},
	}
}

func publicAccess(privateOnly bool) pulumi.StringInput {
	if privateOnly {
		return cosmosdb.PublicNetworkAccessDisabled
	}
	return cosmosdb.PublicNetworkAccessEnabled
}

// ipRules is the account's IP filter; nil (no filter) without ranges.
func ipRules(ranges []string) cosmosdb.IpAddressOrRangeArray {
	var rules cosmosdb.IpAddressOrRangeArray
	for _, r := range ranges {
		rules = append(rules, cosmosdb.IpAddressOrRangeArgs{IpAddressOrRange: pulumi.String(r)})
	}
	return rules
}
