// Package cosmosdb registers azure-native:cosmosdb resources by type token,
// shaped like the generated package
// github.com/pulumi/pulumi-azure-native-sdk/cosmosdb/v3. Only the inputs
// fhir-dr sets are declared; their names match the provider schema exactly.
package cosmosdb

import (
	"reflect"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/fhir-dr/fhir-dr/azure/azurenative"
)

// Type tokens of the resources in this package.
const (
	DatabaseAccountToken         = "azure-native:cosmosdb:DatabaseAccount"
	SqlResourceSqlDatabaseToken  = "azure-native:cosmosdb:SqlResourceSqlDatabase"
	SqlResourceSqlContainerToken = "azure-native:cosmosdb:SqlResourceSqlContainer"
	// SqlResourceSqlRoleAssignmentToken is the token of a data-plane role
	// assignment.
	SqlResourceSqlRoleAssignmentToken = "azure-native:cosmosdb:SqlResourceSqlRoleAssignment"
)

// Values of the DatabaseAccountOfferType enum.
const DatabaseAccountOfferTypeStandard pulumi.String = "Standard"

// Values of the DefaultConsistencyLevel enum.
const (
	DefaultConsistencyLevelEventual         pulumi.String = "Eventual"
	DefaultConsistencyLevelSession          pulumi.String = "Session"
	DefaultConsistencyLevelBoundedStaleness pulumi.String = "BoundedStaleness"
	DefaultConsistencyLevelStrong           pulumi.String = "Strong"
	DefaultConsistencyLevelConsistentPrefix pulumi.String = "ConsistentPrefix"
)

// DatabaseAccount is a Cosmos DB account.
type DatabaseAccount struct {
	pulumi.CustomResourceState

	// DocumentEndpoint is the account's connection endpoint.
	DocumentEndpoint pulumi.StringOutput `pulumi:"documentEndpoint"`
	// Name is the account name.
	Name pulumi.StringOutput `pulumi:"name"`
}

// DatabaseAccountArgs are the inputs of DatabaseAccount.
type DatabaseAccountArgs struct {
	// AccountName is the globally unique account name.
	AccountName pulumi.StringPtrInput `pulumi:"accountName"`
	// BackupPolicy is a PeriodicModeBackupPolicyArgs or a
	// ContinuousModeBackupPolicyArgs.
	BackupPolicy pulumi.Input `pulumi:"backupPolicy"`
	// ConsistencyPolicy is the default consistency of the account.
	ConsistencyPolicy *ConsistencyPolicyArgs `pulumi:"consistencyPolicy"`
	// CreateMode defaults to "Default".
	CreateMode pulumi.StringPtrInput `pulumi:"createMode"`
	// DatabaseAccountOfferType is always "Standard". Required.
	DatabaseAccountOfferType pulumi.StringInput `pulumi:"databaseAccountOfferType"`
	// DisableKeyBasedMetadataWriteAccess stops key-based metadata writes.
	DisableKeyBasedMetadataWriteAccess pulumi.BoolPtrInput `pulumi:"disableKeyBasedMetadataWriteAccess"`
	// DisableLocalAuth turns off key authentication (Entra ID only).
	DisableLocalAuth pulumi.BoolPtrInput `pulumi:"disableLocalAuth"`
	// EnableAutomaticFailover turns on service-managed failover.
	EnableAutomaticFailover pulumi.BoolPtrInput `pulumi:"enableAutomaticFailover"`
	// EnableMultipleWriteLocations turns on multi-region writes.
	EnableMultipleWriteLocations pulumi.BoolPtrInput `pulumi:"enableMultipleWriteLocations"`
	// Kind defaults to "GlobalDocumentDB".
	Kind pulumi.StringPtrInput `pulumi:"kind"`
	// Location is the region of the account's metadata.
	Location pulumi.StringPtrInput `pulumi:"location"`
	// Locations are the account's regions with their failover priorities.
	// Required.
	Locations LocationArray `pulumi:"locations"`
	// MinimalTlsVersion is the lowest TLS version the account accepts.
	MinimalTlsVersion pulumi.StringPtrInput `pulumi:"minimalTlsVersion"`
	// PublicNetworkAccess is Enabled, Disabled or SecuredByPerimeter.
	PublicNetworkAccess pulumi.StringPtrInput `pulumi:"publicNetworkAccess"`
	// ResourceGroupName is the group that holds the account. Required.
	ResourceGroupName pulumi.StringInput `pulumi:"resourceGroupName"`
	// Tags are the account's tags.
	Tags pulumi.StringMapInput `pulumi:"tags"`
}

// ElementType makes DatabaseAccountArgs a pulumi.Input for RegisterResource.
func (DatabaseAccountArgs) ElementType() reflect.Type {
	return reflect.TypeOf((*DatabaseAccountArgs)(nil)).Elem()
}

// LocationArgs is one region of a database account.
type LocationArgs struct {
	// FailoverPriority is 0 for the write region; unique per account.
	FailoverPriority pulumi.IntPtrInput `pulumi:"failoverPriority"`
	// IsZoneRedundant spreads the region's replicas across zones.
	IsZoneRedundant pulumi.BoolPtrInput `pulumi:"isZoneRedundant"`
	// LocationName is the region's ARM name.
	LocationName pulumi.StringPtrInput `pulumi:"locationName"`
}

// LocationArray is a list of LocationArgs.
type LocationArray []LocationArgs

// ConsistencyPolicyArgs is the default consistency of an account.
type ConsistencyPolicyArgs struct {
	// DefaultConsistencyLevel is one of the DefaultConsistencyLevel values.
	// Required.
	DefaultConsistencyLevel pulumi.StringInput `pulumi:"defaultConsistencyLevel"`
	// MaxIntervalInSeconds bounds staleness in time (BoundedStaleness).
	MaxIntervalInSeconds pulumi.IntPtrInput `pulumi:"maxIntervalInSeconds"`
	// MaxStalenessPrefix bounds staleness in operations (BoundedStaleness).
	MaxStalenessPrefix pulumi.Float64PtrInput `pulumi:"maxStalenessPrefix"`
}

// PeriodicModeBackupPolicyArgs selects periodic backups; Type must be
// "Periodic".
type PeriodicModeBackupPolicyArgs struct {
	// PeriodicModeProperties are the interval, retention and redundancy.
	PeriodicModeProperties *PeriodicModePropertiesArgs `pulumi:"periodicModeProperties"`
	// Type is the union discriminator, "Periodic". Required.
	Type pulumi.StringInput `pulumi:"type"`
}

// ElementType lets PeriodicModeBackupPolicyArgs fill the backupPolicy union.
func (PeriodicModeBackupPolicyArgs) ElementType() reflect.Type {
	return reflect.TypeOf((*PeriodicModeBackupPolicyArgs)(nil)).Elem()
}

// PeriodicModePropertiesArgs configure periodic backups.
type PeriodicModePropertiesArgs struct {
	// BackupIntervalInMinutes is the time between two backups.
	BackupIntervalInMinutes pulumi.IntPtrInput `pulumi:"backupIntervalInMinutes"`
	// BackupRetentionIntervalInHours is how long each backup is kept.
	BackupRetentionIntervalInHours pulumi.IntPtrInput `pulumi:"backupRetentionIntervalInHours"`
	// BackupStorageRedundancy is Geo, Zone or Local.
	BackupStorageRedundancy pulumi.StringPtrInput `pulumi:"backupStorageRedundancy"`
}

// ContinuousModeBackupPolicyArgs selects continuous backups; Type must be
// "Continuous".
type ContinuousModeBackupPolicyArgs struct {
	// ContinuousModeProperties holds the retention tier.
	ContinuousModeProperties *ContinuousModePropertiesArgs `pulumi:"continuousModeProperties"`
	// Type is the union discriminator, "Continuous". Required.
	Type pulumi.StringInput `pulumi:"type"`
}

// ElementType lets ContinuousModeBackupPolicyArgs fill the backupPolicy union.
func (ContinuousModeBackupPolicyArgs) ElementType() reflect.Type {
	return reflect.TypeOf((*ContinuousModeBackupPolicyArgs)(nil)).Elem()
}

// ContinuousModePropertiesArgs configure continuous backups.
type ContinuousModePropertiesArgs struct {
	// Tier is Continuous7Days or Continuous30Days.
	Tier pulumi.StringPtrInput `pulumi:"tier"`
}

// NewDatabaseAccount registers a Cosmos DB account, checking the required
// inputs and filling the SDK's defaults (createMode Default, kind
// GlobalDocumentDB).
func NewDatabaseAccount(ctx *pulumi.Context, name string, args *DatabaseAccountArgs,
	opts ...pulumi.ResourceOption,
) (*DatabaseAccount, error) {
	if args == nil {
		args = &DatabaseAccountArgs{}
	}
	if err := azurenative.CheckRequired(DatabaseAccountToken,
		azurenative.Input{Name: "databaseAccountOfferType", Set: args.DatabaseAccountOfferType != nil},
		azurenative.Input{Name: "locations", Set: args.Locations != nil},
		azurenative.Input{Name: "resourceGroupName", Set: args.ResourceGroupName != nil},
	); err != nil {
		return nil, err
	}
	if args.CreateMode == nil {
		args.CreateMode = pulumi.StringPtr("Default")
	}
	if args.Kind == nil {
		args.Kind = pulumi.StringPtr("GlobalDocumentDB")
	}
	var res DatabaseAccount
	if err := azurenative.Register(ctx, DatabaseAccountToken, name, args, &res, opts...); err != nil {
		return nil, err
	}
	return &res, nil
}

// SqlResourceSqlDatabase is a Cosmos DB for NoSQL database.
type SqlResourceSqlDatabase struct {
	pulumi.CustomResourceState

	// Name is the database's resource name.
	Name pulumi.StringOutput `pulumi:"name"`
}

// SqlResourceSqlDatabaseArgs are the inputs of SqlResourceSqlDatabase.
type SqlResourceSqlDatabaseArgs struct {
	// AccountName is the account that holds the database. Required.
	AccountName pulumi.StringInput `pulumi:"accountName"`
	// DatabaseName is the database's name.
	DatabaseName pulumi.StringPtrInput `pulumi:"databaseName"`
	// Options carry the provisioned or autoscale throughput.
	Options *CreateUpdateOptionsArgs `pulumi:"options"`
	// Resource is the database definition. Required.
	Resource *SqlDatabaseResourceArgs `pulumi:"resource"`
	// ResourceGroupName is the account's group. Required.
	ResourceGroupName pulumi.StringInput `pulumi:"resourceGroupName"`
	// Tags are the database's tags.
	Tags pulumi.StringMapInput `pulumi:"tags"`
}

// ElementType makes SqlResourceSqlDatabaseArgs a pulumi.Input.
func (SqlResourceSqlDatabaseArgs) ElementType() reflect.Type {
	return reflect.TypeOf((*SqlResourceSqlDatabaseArgs)(nil)).Elem()
}

// SqlDatabaseResourceArgs is a database definition.
type SqlDatabaseResourceArgs struct {
	// Id is the database name. Required.
	Id pulumi.StringInput `pulumi:"id"`
}

// CreateUpdateOptionsArgs carry a database's or container's throughput.
type CreateUpdateOptionsArgs struct {
	// AutoscaleSettings sets autoscale throughput; excludes Throughput.
	AutoscaleSettings *AutoscaleSettingsArgs `pulumi:"autoscaleSettings"`
	// Throughput is the manual RU/s; excludes AutoscaleSettings.
	Throughput pulumi.IntPtrInput `pulumi:"throughput"`
}

// AutoscaleSettingsArgs set autoscale throughput.
type AutoscaleSettingsArgs struct {
	// MaxThroughput is the autoscale ceiling in RU/s.
	MaxThroughput pulumi.IntPtrInput `pulumi:"maxThroughput"`
}

// NewSqlResourceSqlDatabase registers a Cosmos DB for NoSQL database.
func NewSqlResourceSqlDatabase(ctx *pulumi.Context, name string, args *SqlResourceSqlDatabaseArgs,
	opts ...pulumi.ResourceOption,
) (*SqlResourceSqlDatabase, error) {
	if args == nil {
		args = &SqlResourceSqlDatabaseArgs{}
	}
	if err := azurenative.CheckRequired(SqlResourceSqlDatabaseToken,
		azurenative.Input{Name: "accountName", Set: args.AccountName != nil},
		azurenative.Input{Name: "resource", Set: args.Resource != nil},
		azurenative.Input{Name: "resourceGroupName", Set: args.ResourceGroupName != nil},
	); err != nil {
		return nil, err
	}
	var res SqlResourceSqlDatabase
	if err := azurenative.Register(ctx, SqlResourceSqlDatabaseToken, name, args, &res, opts...); err != nil {
		return nil, err
	}
	return &res, nil
}

// SqlResourceSqlContainer is a Cosmos DB for NoSQL container.
type SqlResourceSqlContainer struct {
	pulumi.CustomResourceState

	// Name is the container's resource name.
	Name pulumi.StringOutput `pulumi:"name"`
}

// SqlResourceSqlContainerArgs are the inputs of SqlResourceSqlContainer.
type SqlResourceSqlContainerArgs struct {
	// AccountName is the account that holds the container. Required.
	AccountName pulumi.StringInput `pulumi:"accountName"`
	// ContainerName is the container's name.
	ContainerName pulumi.StringPtrInput `pulumi:"containerName"`
	// DatabaseName is the database that holds the container. Required.
	DatabaseName pulumi.StringInput `pulumi:"databaseName"`
	// Options carry dedicated throughput, if any.
	Options *CreateUpdateOptionsArgs `pulumi:"options"`
	// Resource is the container definition. Required.
	Resource *SqlContainerResourceArgs `pulumi:"resource"`
	// ResourceGroupName is the account's group. Required.
	ResourceGroupName pulumi.StringInput `pulumi:"resourceGroupName"`
	// Tags are the container's tags.
	Tags pulumi.StringMapInput `pulumi:"tags"`
}

// ElementType makes SqlResourceSqlContainerArgs a pulumi.Input.
func (SqlResourceSqlContainerArgs) ElementType() reflect.Type {
	return reflect.TypeOf((*SqlResourceSqlContainerArgs)(nil)).Elem()
}

// SqlContainerResourceArgs is a container definition.
type SqlContainerResourceArgs struct {
	// ConflictResolutionPolicy applies to multi-write accounts.
	ConflictResolutionPolicy *ConflictResolutionPolicyArgs `pulumi:"conflictResolutionPolicy"`
	// DefaultTtl is the default time to live of items, -1 for none.
	DefaultTtl pulumi.IntPtrInput `pulumi:"defaultTtl"`
	// Id is the container name. Required.
	Id pulumi.StringInput `pulumi:"id"`
	// IndexingPolicy is the container's indexing policy.
	IndexingPolicy *IndexingPolicyArgs `pulumi:"indexingPolicy"`
	// PartitionKey is the container's partition key.
	PartitionKey *ContainerPartitionKeyArgs `pulumi:"partitionKey"`
}

// ConflictResolutionPolicyArgs is a container's conflict resolution.
type ConflictResolutionPolicyArgs struct {
	// ConflictResolutionPath is the path compared by LastWriterWins.
	ConflictResolutionPath pulumi.StringPtrInput `pulumi:"conflictResolutionPath"`
	// Mode defaults to LastWriterWins.
	Mode pulumi.StringPtrInput `pulumi:"mode"`
}

// IndexingPolicyArgs is a container's indexing policy.
type IndexingPolicyArgs struct {
	// Automatic indexes every item.
	Automatic pulumi.BoolPtrInput `pulumi:"automatic"`
	// IndexingMode defaults to consistent.
	IndexingMode pulumi.StringPtrInput `pulumi:"indexingMode"`
}

// ContainerPartitionKeyArgs is a container's partition key.
type ContainerPartitionKeyArgs struct {
	// Kind defaults to Hash.
	Kind pulumi.StringPtrInput `pulumi:"kind"`
	// Paths are the partition key paths.
	Paths pulumi.StringArrayInput `pulumi:"paths"`
	// Version is the partition key format version (1 or 2).
	Version pulumi.IntPtrInput `pulumi:"version"`
}

// NewSqlResourceSqlContainer registers a Cosmos DB for NoSQL container,
// filling the SDK's nested defaults (conflict resolution LastWriterWins,
// indexing mode consistent, partition key kind Hash) where those objects are
// given.
func NewSqlResourceSqlContainer(ctx *pulumi.Context, name string, args *SqlResourceSqlContainerArgs,
	opts ...pulumi.ResourceOption,
) (*SqlResourceSqlContainer, error) {
	if args == nil {
		args = &SqlResourceSqlContainerArgs{}
	}
	if err := azurenative.CheckRequired(SqlResourceSqlContainerToken,
		azurenative.Input{Name: "accountName", Set: args.AccountName != nil},
		azurenative.Input{Name: "databaseName", Set: args.DatabaseName != nil},
		azurenative.Input{Name: "resource", Set: args.Resource != nil},
		azurenative.Input{Name: "resourceGroupName", Set: args.ResourceGroupName != nil},
	); err != nil {
		return nil, err
	}
	if r := args.Resource; r != nil {
		if p := r.ConflictResolutionPolicy; p != nil && p.Mode == nil {
			p.Mode = pulumi.StringPtr("LastWriterWins")
		}
		if p := r.IndexingPolicy; p != nil && p.IndexingMode == nil {
			p.IndexingMode = pulumi.StringPtr("consistent")
		}
		if p := r.PartitionKey; p != nil && p.Kind == nil {
			p.Kind = pulumi.StringPtr("Hash")
		}
	}
	var res SqlResourceSqlContainer
	if err := azurenative.Register(ctx, SqlResourceSqlContainerToken, name, args, &res, opts...); err != nil {
		return nil, err
	}
	return &res, nil
}
