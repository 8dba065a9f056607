// Tests of the thin azure-native layer against the provider schema facts in
// internal/azureschema (read from the generated SDK at v3.23.0):
// input names and shapes, required inputs, constructor defaults and the
// version pin.
package azure_test

import (
	"encoding/json"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fhir-dr/fhir-dr/azure/authorization"
	"github.com/fhir-dr/fhir-dr/azure/azurenative"
	"github.com/fhir-dr/fhir-dr/azure/containerservice"
	"github.com/fhir-dr/fhir-dr/azure/cosmosdb"
	"github.com/fhir-dr/fhir-dr/azure/managedidentity"
	"github.com/fhir-dr/fhir-dr/azure/monitor"
	"github.com/fhir-dr/fhir-dr/azure/network"
	"github.com/fhir-dr/fhir-dr/azure/operationalinsights"
	"github.com/fhir-dr/fhir-dr/azure/resources"
	"github.com/fhir-dr/fhir-dr/azure/trafficmanager"
	"github.com/fhir-dr/fhir-dr/internal/azureschema"
	"github.com/fhir-dr/fhir-dr/internal/render"
)

type schemaFile struct {
	Provider struct {
		V3Latest string `json:"v3Latest"`
	} `json:"provider"`
	Resources map[string]struct {
		Required    []string          `json:"required"`
		SdkDefaults map[string]any    `json:"sdkDefaults"`
		Inputs      map[string]string `json:"inputs"`
	} `json:"resources"`
	Types map[string]struct {
		Required      []string          `json:"required"`
		Inputs        map[string]string `json:"inputs"`
		Discriminator map[string]string `json:"discriminator"`
	} `json:"types"`
}

func loadSchema(t *testing.T) schemaFile {
	t.Helper()
	var s schemaFile
	require.NoError(t, json.Unmarshal(azureschema.JSON(), &s))
	return s
}

// declared lists every resource of the layer with its Args type.
var declared = map[string]reflect.Type{
	resources.ResourceGroupToken:                     reflect.TypeFor[resources.ResourceGroupArgs](),
	cosmosdb.DatabaseAccountToken:                    reflect.TypeFor[cosmosdb.DatabaseAccountArgs](),
	cosmosdb.SqlResourceSqlDatabaseToken:             reflect.TypeFor[cosmosdb.SqlResourceSqlDatabaseArgs](),
	cosmosdb.SqlResourceSqlContainerToken:            reflect.TypeFor[cosmosdb.SqlResourceSqlContainerArgs](),
	network.VirtualNetworkToken:                      reflect.TypeFor[network.VirtualNetworkArgs](),
	network.SubnetToken:                              reflect.TypeFor[network.SubnetArgs](),
	network.PublicIPAddressToken:                     reflect.TypeFor[network.PublicIPAddressArgs](),
	containerservice.ManagedClusterToken:             reflect.TypeFor[containerservice.ManagedClusterArgs](),
	trafficmanager.ProfileToken:                      reflect.TypeFor[trafficmanager.ProfileArgs](),
	trafficmanager.EndpointToken:                     reflect.TypeFor[trafficmanager.EndpointArgs](),
	operationalinsights.WorkspaceToken:               reflect.TypeFor[operationalinsights.WorkspaceArgs](),
	monitor.DiagnosticSettingToken:                   reflect.TypeFor[monitor.DiagnosticSettingArgs](),
	managedidentity.UserAssignedIdentityToken:        reflect.TypeFor[managedidentity.UserAssignedIdentityArgs](),
	managedidentity.FederatedIdentityCredentialToken: reflect.TypeFor[managedidentity.FederatedIdentityCredentialArgs](),
	cosmosdb.SqlResourceSqlRoleAssignmentToken:       reflect.TypeFor[cosmosdb.SqlResourceSqlRoleAssignmentArgs](),
	authorization.RoleAssignmentToken:                reflect.TypeFor[authorization.RoleAssignmentArgs](),
}

// unionMembers are the Go types that may fill a union input.
var unionMembers = map[string]reflect.Type{
	"cosmosdb:PeriodicModeBackupPolicy":   reflect.TypeFor[cosmosdb.PeriodicModeBackupPolicyArgs](),
	"cosmosdb:ContinuousModeBackupPolicy": reflect.TypeFor[cosmosdb.ContinuousModeBackupPolicyArgs](),
}

var scalarTypes = map[string][]reflect.Type{
	"string":        {reflect.TypeFor[pulumi.StringInput](), reflect.TypeFor[pulumi.StringPtrInput]()},
	"integer":       {reflect.TypeFor[pulumi.IntInput](), reflect.TypeFor[pulumi.IntPtrInput]()},
	"number":        {reflect.TypeFor[pulumi.Float64Input](), reflect.TypeFor[pulumi.Float64PtrInput]()},
	"boolean":       {reflect.TypeFor[pulumi.BoolInput](), reflect.TypeFor[pulumi.BoolPtrInput]()},
	"map<string>":   {reflect.TypeFor[pulumi.StringMapInput]()},
	"array<string>": {reflect.TypeFor[pulumi.StringArrayInput]()},
}

// TestInputNamesMatchSchema walks every type the layer declares, from each
// resource's Args down through nested objects, lists, maps and unions, and
// checks each `pulumi:"..."` tag against the schema: the name exists, the Go
// type has the schema's shape, nested types are named <Type>Args, and an
// input the schema requires is not a pointer input.
func TestInputNamesMatchSchema(t *testing.T) {
	s := loadSchema(t)
	visited := map[string]bool{}
	var checkStruct func(path string, goType reflect.Type, inputs map[string]string, required []string)
	checkField := func(path string, goType reflect.Type, schemaType string) {
		if strings.HasPrefix(schemaType, "enum<") {
			schemaType = "string"
		}
		if allowed, ok := scalarTypes[schemaType]; ok {
			assert.Containsf(t, allowed, goType, "%s: schema type %s", path, schemaType)
			return
		}
		if strings.HasPrefix(schemaType, "union<") {
			assert.Equalf(t, reflect.TypeFor[pulumi.Input](), goType, "%s: a union is a pulumi.Input", path)
			members := strings.Split(strings.TrimPrefix(strings.SplitN(schemaType, ">", 2)[0], "union<"), "|")
			for _, m := range members {
				memberType, ok := unionMembers[m]
				if assert.Truef(t, ok, "%s: union member %s has no Go type", path, m) {
					st := s.Types[m]
					checkStruct(path+"<"+m+">", memberType, st.Inputs, st.Required)
				}
			}
			return
		}
		var elem reflect.Type
		var ref string
		switch {
		case strings.HasPrefix(schemaType, "array<"):
			ref = strings.TrimSuffix(strings.TrimPrefix(schemaType, "array<"), ">")
			if !assert.Equalf(t, reflect.Slice, goType.Kind(), "%s: %s needs a slice", path, schemaType) {
				return
			}
			elem = goType.Elem()
		case strings.HasPrefix(schemaType, "map<"):
			ref = strings.TrimSuffix(strings.TrimPrefix(schemaType, "map<"), ">")
			if !assert.Equalf(t, reflect.Map, goType.Kind(), "%s: %s needs a map", path, schemaType) {
				return
			}
			elem = goType.Elem()
		default:
			ref = schemaType
			if !assert.Equalf(t, reflect.Pointer, goType.Kind(), "%s: object %s needs a *%sArgs", path, ref, ref) {
				return
			}
			elem = goType.Elem()
		}
		st, ok := s.Types[ref]
		if !assert.Truef(t, ok, "%s: schema type %s is not in the schema facts", path, ref) {
			return
		}
		_, name, _ := strings.Cut(ref, ":")
		assert.Equalf(t, name+"Args", elem.Name(), "%s: Go type for %s", path, ref)
		checkStruct(path, elem, st.Inputs, st.Required)
	}

	checkStruct = func(path string, goType reflect.Type, inputs map[string]string, required []string) {
		key := goType.PkgPath() + "." + goType.Name()
		if visited[key] {
			return
		}
		visited[key] = true
		require.Equalf(t, reflect.Struct, goType.Kind(), "%s", path)
		for i := range goType.NumField() {
			f := goType.Field(i)
			tag := f.Tag.Get("pulumi")
			fieldPath := path + "." + tag
			schemaType, ok := inputs[tag]
			if !assert.Truef(t, ok, "%s (%s.%s): no such input in the schema", fieldPath, goType.Name(), f.Name) {
				continue
			}
			if slices.Contains(required, tag) {
				assert.NotContainsf(t, []reflect.Type{
					reflect.TypeFor[pulumi.StringPtrInput](), reflect.TypeFor[pulumi.IntPtrInput](),
					reflect.TypeFor[pulumi.BoolPtrInput](), reflect.TypeFor[pulumi.Float64PtrInput](),
				}, f.Type, "%s is required: declare the non-pointer input", fieldPath)
			}
			checkField(fieldPath, f.Type, schemaType)
		}
	}

	for token, goType := range declared {
		res, ok := s.Resources[token]
		if !assert.Truef(t, ok, "%s is not in the schema", token) {
			continue
		}
		for _, req := range res.Required {
			_, declaredField := fieldByTag(goType, req)
			assert.Truef(t, declaredField, "%s: required input %s is not declared", token, req)
		}
		checkStruct(token, goType, res.Inputs, res.Required)
	}
	assert.Len(t, declared, len(s.Resources), "every schema resource has a Go type")
}

func fieldByTag(t reflect.Type, tag string) (reflect.StructField, bool) {
	for i := range t.NumField() {
		if t.Field(i).Tag.Get("pulumi") == tag {
			return t.Field(i), true
		}
	}
	return reflect.StructField{}, false
}

// TestRequiredInputs calls each constructor with empty arguments and checks
// that it fails, naming exactly the inputs the schema requires, before
// anything is registered.
func TestRequiredInputs(t *testing.T) {
	s := loadSchema(t)
	constructors := map[string]func(ctx *pulumi.Context) error{
		resources.ResourceGroupToken: func(ctx *pulumi.Context) error {
			_, err := resources.NewResourceGroup(ctx, "x", &resources.ResourceGroupArgs{})
			return err
		},
		cosmosdb.DatabaseAccountToken: func(ctx *pulumi.Context) error {
			_, err := cosmosdb.NewDatabaseAccount(ctx, "x", &cosmosdb.DatabaseAccountArgs{})
			return err
		},
		cosmosdb.SqlResourceSqlDatabaseToken: func(ctx *pulumi.Context) error {
			_, err := cosmosdb.NewSqlResourceSqlDatabase(ctx, "x", &cosmosdb.SqlResourceSqlDatabaseArgs{})
			return err
		},
		cosmosdb.SqlResourceSqlContainerToken: func(ctx *pulumi.Context) error {
			_, err := cosmosdb.NewSqlResourceSqlContainer(ctx, "x", &cosmosdb.SqlResourceSqlContainerArgs{})
			return err
		},
		network.VirtualNetworkToken: func(ctx *pulumi.Context) error {
			_, err := network.NewVirtualNetwork(ctx, "x", &network.VirtualNetworkArgs{})
			return err
		},
		network.SubnetToken: func(ctx *pulumi.Context) error {
			_, err := network.NewSubnet(ctx, "x", &network.SubnetArgs{})
			return err
		},
		network.PublicIPAddressToken: func(ctx *pulumi.Context) error {
			_, err := network.NewPublicIPAddress(ctx, "x", &network.PublicIPAddressArgs{})
			return err
		},
		containerservice.ManagedClusterToken: func(ctx *pulumi.Context) error {
			_, err := containerservice.NewManagedCluster(ctx, "x", &containerservice.ManagedClusterArgs{})
			return err
		},
		trafficmanager.ProfileToken: func(ctx *pulumi.Context) error {
			_, err := trafficmanager.NewProfile(ctx, "x", &trafficmanager.ProfileArgs{})
			return err
		},
		trafficmanager.EndpointToken: func(ctx *pulumi.Context) error {
			_, err := trafficmanager.NewEndpoint(ctx, "x", &trafficmanager.EndpointArgs{})
			return err
		},
		operationalinsights.WorkspaceToken: func(ctx *pulumi.Context) error {
			_, err := operationalinsights.NewWorkspace(ctx, "x", &operationalinsights.WorkspaceArgs{})
			return err
		},
		monitor.DiagnosticSettingToken: func(ctx *pulumi.Context) error {
			_, err := monitor.NewDiagnosticSetting(ctx, "x", &monitor.DiagnosticSettingArgs{})
			return err
		},
		managedidentity.UserAssignedIdentityToken: func(ctx *pulumi.Context) error {
			_, err := managedidentity.NewUserAssignedIdentity(ctx, "x", &managedidentity.UserAssignedIdentityArgs{})
			return err
		},
		managedidentity.FederatedIdentityCredentialToken: func(ctx *pulumi.Context) error {
			_, err := managedidentity.NewFederatedIdentityCredential(ctx, "x", &managedidentity.FederatedIdentityCredentialArgs{})
			return err
		},
		cosmosdb.SqlResourceSqlRoleAssignmentToken: func(ctx *pulumi.Context) error {
			_, err := cosmosdb.NewSqlResourceSqlRoleAssignment(ctx, "x", &cosmosdb.SqlResourceSqlRoleAssignmentArgs{})
			return err
		},
		authorization.RoleAssignmentToken: func(ctx *pulumi.Context) error {
			_, err := authorization.NewRoleAssignment(ctx, "x", &authorization.RoleAssignmentArgs{})
			return err
		},
	}
	require.Len(t, constructors, len(s.Resources))
	for token, construct := range constructors {
		t.Run(token, func(t *testing.T) {
			var constructErr error
			plan, err := render.Run("test", nil, func(ctx *pulumi.Context) (pulumi.Map, error) {
				constructErr = construct(ctx)
				return pulumi.Map{}, nil
			})
			require.NoError(t, err)
			required := s.Resources[token].Required
			if len(required) == 0 {
				assert.NoError(t, constructErr)
				return
			}
			assert.Empty(t, plan.Resources, "nothing is registered")
			assert.EqualError(t, constructErr, token+": missing required argument(s) "+strings.Join(required, ", "))
		})
	}
}

// TestDefaultsAndVersionPin registers each resource with its required inputs
// only and checks that the SDK's constructor defaults are filled and the
// provider version is pinned.
func TestDefaultsAndVersionPin(t *testing.T) {
	s := loadSchema(t)
	require.Equal(t, s.Provider.V3Latest, azurenative.Version)
	rg := pulumi.String("rg")
	plan, err := render.Run("test", nil, func(ctx *pulumi.Context) (pulumi.Map, error) {
		_, err := resources.NewResourceGroup(ctx, "rg", nil)
		require.NoError(t, err)
		_, err = cosmosdb.NewDatabaseAccount(ctx, "account", &cosmosdb.DatabaseAccountArgs{
			ResourceGroupName: rg, DatabaseAccountOfferType: cosmosdb.DatabaseAccountOfferTypeStandard,
			Locations: cosmosdb.LocationArray{{LocationName: pulumi.String("eastus")}},
		})
		require.NoError(t, err)
		_, err = cosmosdb.NewSqlResourceSqlDatabase(ctx, "db", &cosmosdb.SqlResourceSqlDatabaseArgs{
			ResourceGroupName: rg, AccountName: pulumi.String("a"), Resource: &cosmosdb.SqlDatabaseResourceArgs{Id: pulumi.String("db")},
		})
		require.NoError(t, err)
		_, err = cosmosdb.NewSqlResourceSqlContainer(ctx, "c", &cosmosdb.SqlResourceSqlContainerArgs{
			ResourceGroupName: rg, AccountName: pulumi.String("a"), DatabaseName: pulumi.String("db"),
			Resource: &cosmosdb.SqlContainerResourceArgs{
				Id:                       pulumi.String("c"),
				PartitionKey:             &cosmosdb.ContainerPartitionKeyArgs{Paths: pulumi.ToStringArray([]string{"/pk"})},
				IndexingPolicy:           &cosmosdb.IndexingPolicyArgs{},
				ConflictResolutionPolicy: &cosmosdb.ConflictResolutionPolicyArgs{},
			},
		})
		require.NoError(t, err)
		_, err = network.NewVirtualNetwork(ctx, "vnet", &network.VirtualNetworkArgs{ResourceGroupName: rg})
		require.NoError(t, err)
		_, err = network.NewSubnet(ctx, "subnet", &network.SubnetArgs{ResourceGroupName: rg, VirtualNetworkName: pulumi.String("v")})
		require.NoError(t, err)
		_, err = network.NewPublicIPAddress(ctx, "ip", &network.PublicIPAddressArgs{ResourceGroupName: rg})
		require.NoError(t, err)
		_, err = containerservice.NewManagedCluster(ctx, "aks", &containerservice.ManagedClusterArgs{
			ResourceGroupName: rg, NetworkProfile: &containerservice.ContainerServiceNetworkProfileArgs{},
		})
		require.NoError(t, err)
		_, err = trafficmanager.NewProfile(ctx, "tm", &trafficmanager.ProfileArgs{ResourceGroupName: rg})
		require.NoError(t, err)
		_, err = trafficmanager.NewEndpoint(ctx, "ep", &trafficmanager.EndpointArgs{
			ResourceGroupName: rg, ProfileName: pulumi.String("tm"), EndpointType: pulumi.String("AzureEndpoints"),
		})
		require.NoError(t, err)
		_, err = operationalinsights.NewWorkspace(ctx, "ws", &operationalinsights.WorkspaceArgs{ResourceGroupName: rg})
		require.NoError(t, err)
		_, err = monitor.NewDiagnosticSetting(ctx, "diag", &monitor.DiagnosticSettingArgs{ResourceUri: pulumi.String("/x")})
		require.NoError(t, err)
		_, err = managedidentity.NewUserAssignedIdentity(ctx, "id", &managedidentity.UserAssignedIdentityArgs{ResourceGroupName: rg})
		require.NoError(t, err)
		_, err = managedidentity.NewFederatedIdentityCredential(ctx, "fic", &managedidentity.FederatedIdentityCredentialArgs{
			ResourceGroupName: rg, ResourceName: pulumi.String("id"), Issuer: pulumi.String("https://issuer"),
			Subject: pulumi.String("system:serviceaccount:a:b"), Audiences: pulumi.ToStringArray([]string{"api://AzureADTokenExchange"}),
		})
		require.NoError(t, err)
		_, err = cosmosdb.NewSqlResourceSqlRoleAssignment(ctx, "sqlrole", &cosmosdb.SqlResourceSqlRoleAssignmentArgs{
			ResourceGroupName: rg, AccountName: pulumi.String("a"),
		})
		require.NoError(t, err)
		_, err = authorization.NewRoleAssignment(ctx, "role", &authorization.RoleAssignmentArgs{
			PrincipalId: pulumi.String("p"), RoleDefinitionId: pulumi.String("r"), Scope: pulumi.String("/x"),
		})
		require.NoError(t, err)
		return pulumi.Map{}, nil
	})
	require.NoError(t, err)
	require.Len(t, plan.Resources, len(s.Resources))
	for _, r := range plan.Resources {
		assert.Equalf(t, azurenative.Version, r.Version, "%s is pinned", r.Type)
		for k, v := range s.Resources[r.Type].SdkDefaults {
			assert.Equalf(t, v, r.Inputs[k], "%s default %s", r.Type, k)
		}
	}
	aks, _ := plan.Get(containerservice.ManagedClusterToken, "aks")
	assert.Equal(t, map[string]any{
		"dnsServiceIP": "10.0.0.10", "outboundType": "loadBalancer",
		"podCidr": "10.244.0.0/16", "serviceCidr": "10.0.0.0/16",
	}, aks.Inputs["networkProfile"])
	container, _ := plan.Get(cosmosdb.SqlResourceSqlContainerToken, "c")
	assert.Equal(t, map[string]any{
		"id":                       "c",
		"partitionKey":             map[string]any{"kind": "Hash", "paths": []any{"/pk"}},
		"indexingPolicy":           map[string]any{"indexingMode": "consistent"},
		"conflictResolutionPolicy": map[string]any{"mode": "LastWriterWins"},
	}, container.Inputs["resource"])
}

// TestFunctionArgsMatchSchema checks the invoke's argument and result names
// against the function facts.
func TestFunctionArgsMatchSchema(t *testing.T) {
	var s struct {
		Functions map[string]struct {
			Inputs   map[string]string `json:"inputs"`
			Required []string          `json:"required"`
			Outputs  map[string]string `json:"outputs"`
		} `json:"functions"`
	}
	require.NoError(t, json.Unmarshal(azureschema.JSON(), &s))
	fn, ok := s.Functions[containerservice.ListManagedClusterUserCredentialsToken]
	require.True(t, ok)
	for _, goType := range []reflect.Type{
		reflect.TypeFor[containerservice.ListManagedClusterUserCredentialsArgs](),
		reflect.TypeFor[containerservice.ListManagedClusterUserCredentialsOutputArgs](),
	} {
		var tags []string
		for i := range goType.NumField() {
			tags = append(tags, goType.Field(i).Tag.Get("pulumi"))
		}
		assert.ElementsMatch(t, slices.Sorted(maps.Keys(fn.Inputs)), tags, goType.Name())
		for _, req := range fn.Required {
			f, ok := fieldByTag(goType, req)
			require.True(t, ok, req)
			assert.NotEqual(t, reflect.Pointer, f.Type.Kind(), "%s.%s is required", goType.Name(), req)
		}
	}
	result := reflect.TypeFor[containerservice.ListManagedClusterUserCredentialsResult]()
	_, ok = fieldByTag(result, "kubeconfigs")
	assert.True(t, ok)
	assert.Equal(t, map[string]string{"kubeconfigs": "array<containerservice:CredentialResult>"}, fn.Outputs)
}
