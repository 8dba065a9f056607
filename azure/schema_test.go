// Tests of the generated azure-native layer against the schema facts it
// was generated with (internal/azureschema): input names and shapes,
// required inputs, constructor defaults and the version pin, for every
// resource in the registry. The generator's own tests (tools/azuregen)
// check that the facts and the code are read correctly from the package.
package azure_test

import (
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fhir-dr/fhir-dr/azure"
	"github.com/fhir-dr/fhir-dr/azure/azurenative"
	"github.com/fhir-dr/fhir-dr/azure/containerservice"
	"github.com/fhir-dr/fhir-dr/azure/cosmosdb"
	"github.com/fhir-dr/fhir-dr/azure/network"
	"github.com/fhir-dr/fhir-dr/azure/trafficmanager"
	"github.com/fhir-dr/fhir-dr/internal/azureschema"
	"github.com/fhir-dr/fhir-dr/internal/render"
)

func loadFacts(t *testing.T) *azureschema.Facts {
	t.Helper()
	f, err := azureschema.Load()
	require.NoError(t, err)
	return f
}

var scalarTypes = map[string][]reflect.Type{
	"string":         {reflect.TypeFor[pulumi.StringInput](), reflect.TypeFor[pulumi.StringPtrInput]()},
	"integer":        {reflect.TypeFor[pulumi.IntInput](), reflect.TypeFor[pulumi.IntPtrInput]()},
	"number":         {reflect.TypeFor[pulumi.Float64Input](), reflect.TypeFor[pulumi.Float64PtrInput]()},
	"boolean":        {reflect.TypeFor[pulumi.BoolInput](), reflect.TypeFor[pulumi.BoolPtrInput]()},
	"any":            {reflect.TypeFor[pulumi.Input]()},
	"map<string>":    {reflect.TypeFor[pulumi.StringMapInput]()},
	"array<string>":  {reflect.TypeFor[pulumi.StringArrayInput]()},
	"array<integer>": {reflect.TypeFor[pulumi.IntArrayInput]()},
	"array<number>":  {reflect.TypeFor[pulumi.Float64ArrayInput]()},
	"array<boolean>": {reflect.TypeFor[pulumi.BoolArrayInput]()},
	"array<any>":     {reflect.TypeFor[pulumi.ArrayInput]()},
	"map<any>":       {reflect.TypeFor[pulumi.MapInput]()},
}

// TestInputNamesMatchSchema walks every Args type of the registry, from
// each resource down through nested objects, lists, maps and union members,
// and checks each `pulumi:"..."` tag against the facts: every input of the
// schema is declared and nothing else, the Go type has the schema's shape,
// nested types are named <Type>Args (or <Type>TypeArgs where a resource has
// the name), and a required input is not a pointer input.
func TestInputNamesMatchSchema(t *testing.T) {
	f := loadFacts(t)
	visited := map[reflect.Type]bool{}
	var checkStruct func(path string, goType reflect.Type, shape azureschema.Object)
	checkRef := func(path, ref string, elem reflect.Type) {
		shape, ok := f.Types[ref]
		if !assert.Truef(t, ok, "%s: schema type %s is not in the facts", path, ref) {
			return
		}
		_, name, _ := strings.Cut(ref, ":")
		assert.Containsf(t, []string{name + "Args", name + "TypeArgs"}, elem.Name(), "%s: Go type for %s", path, ref)
		checkStruct(path, elem, shape)
	}
	checkField := func(path string, goType reflect.Type, expr string) {
		parsed, err := azureschema.ParseType(expr)
		if !assert.NoError(t, err, path) {
			return
		}
		if key, ok := scalarKey(parsed); ok {
			if allowed, ok := scalarTypes[key]; assert.Truef(t, ok, "%s: no Go type for %s", path, expr) {
				assert.Containsf(t, allowed, goType, "%s: schema type %s", path, expr)
			}
			return
		}
		switch parsed.Kind {
		case azureschema.Union:
			assert.Equalf(t, reflect.TypeFor[pulumi.Input](), goType, "%s: a union is a pulumi.Input", path)
			for _, member := range parsed.Members {
				assert.NotEmptyf(t, f.Types[member].Discriminator, "%s: union member %s has a discriminator", path, member)
			}
		case azureschema.ObjectRef:
			if assert.Equalf(t, reflect.Pointer, goType.Kind(), "%s: object %s needs a pointer", path, expr) {
				checkRef(path, parsed.Name, goType.Elem())
			}
		case azureschema.Array, azureschema.Map:
			want := reflect.Slice
			if parsed.Kind == azureschema.Map {
				want = reflect.Map
			}
			if parsed.Elem.Kind != azureschema.ObjectRef {
				// Lists of lists and of unions are untyped containers.
				assert.Containsf(t, []reflect.Type{reflect.TypeFor[pulumi.ArrayInput](), reflect.TypeFor[pulumi.MapInput]()}, goType, path)
				return
			}
			if assert.Equalf(t, want, goType.Kind(), "%s: %s", path, expr) {
				checkRef(path, parsed.Elem.Name, goType.Elem())
			}
		default:
			t.Errorf("%s: unexpected schema type %s", path, expr)
		}
	}
	checkStruct = func(path string, goType reflect.Type, shape azureschema.Object) {
		if visited[goType] {
			return
		}
		visited[goType] = true
		require.Equalf(t, reflect.Struct, goType.Kind(), "%s", path)
		declared := map[string]bool{}
		for i := range goType.NumField() {
			field := goType.Field(i)
			tag := field.Tag.Get("pulumi")
			declared[tag] = true
			expr, ok := shape.Inputs[tag]
			if !assert.Truef(t, ok, "%s.%s (%s.%s): no such input in the schema", path, tag, goType.Name(), field.Name) {
				continue
			}
			if slices.Contains(shape.Required, tag) {
				assert.NotContainsf(t, []reflect.Type{
					reflect.TypeFor[pulumi.StringPtrInput](), reflect.TypeFor[pulumi.IntPtrInput](),
					reflect.TypeFor[pulumi.BoolPtrInput](), reflect.TypeFor[pulumi.Float64PtrInput](),
				}, field.Type, "%s.%s is required: declare the non-pointer input", path, tag)
			}
			checkField(path+"."+tag, field.Type, expr)
		}
		assert.ElementsMatchf(t, slices.Sorted(maps.Keys(shape.Inputs)), slices.Sorted(maps.Keys(declared)),
			"%s (%s): every input of the schema is declared", path, goType.Name())
	}
	tokens := map[string]bool{}
	for _, r := range azure.Resources {
		tokens[r.Token] = true
		res, ok := f.Resources[r.Token]
		if assert.Truef(t, ok, "%s is not in the facts", r.Token) {
			checkStruct(r.Token, r.Args, res.Object)
		}
	}
	assert.Equal(t, slices.Sorted(maps.Keys(f.Resources)), slices.Sorted(maps.Keys(tokens)), "every resource of the facts is generated")
}

// scalarKey names a scalar, or a list or map of scalars, as scalarTypes
// does: an enum is a string.
func scalarKey(t azureschema.Type) (string, bool) {
	switch t.Kind {
	case azureschema.Scalar:
		return t.Name, true
	case azureschema.EnumRef:
		return "string", true
	case azureschema.Array, azureschema.Map:
		elem, ok := scalarKey(*t.Elem)
		if !ok {
			return "", false
		}
		if t.Kind == azureschema.Array {
			return "array<" + elem + ">", true
		}
		return "map<" + elem + ">", true
	}
	return "", false
}

// TestRequiredInputs calls each constructor with empty arguments and checks
// that it fails, naming exactly the inputs the schema requires, before
// anything is registered.
func TestRequiredInputs(t *testing.T) {
	f := loadFacts(t)
	for _, r := range azure.Resources {
		t.Run(r.Token, func(t *testing.T) {
			var constructErr error
			plan, err := render.Run("test", nil, func(ctx *pulumi.Context) (pulumi.Map, error) {
				constructErr = r.New(ctx, "x", nil)
				return pulumi.Map{}, nil
			})
			require.NoError(t, err)
			required := f.Resources[r.Token].Required
			if len(required) == 0 {
				assert.NoError(t, constructErr)
				return
			}
			assert.Empty(t, plan.Resources, "nothing is registered")
			assert.EqualError(t, constructErr, r.Token+": missing required argument(s) "+strings.Join(required, ", "))
			var missing *azurenative.MissingInputsError
			assert.ErrorAs(t, constructErr, &missing)
		})
	}
}

// TestNestedRequiredInputs checks that required inputs of nested objects,
// list elements, map values and union members are named with their path.
func TestNestedRequiredInputs(t *testing.T) {
	var errs []error
	_, err := render.Run("test", nil, func(ctx *pulumi.Context) (pulumi.Map, error) {
		_, err := containerservice.NewManagedCluster(ctx, "aks", &containerservice.ManagedClusterArgs{
			ResourceGroupName: pulumi.String("rg"),
			AgentPoolProfiles: containerservice.ManagedClusterAgentPoolProfileArray{{Name: pulumi.String("system")}, {}},
			AddonProfiles:     containerservice.ManagedClusterAddonProfileMap{"b": {}, "a": {}},
		})
		errs = append(errs, err)
		_, err = cosmosdb.NewDatabaseAccount(ctx, "account", &cosmosdb.DatabaseAccountArgs{
			ResourceGroupName: pulumi.String("rg"), DatabaseAccountOfferType: cosmosdb.DatabaseAccountOfferTypeStandard,
			Locations:    cosmosdb.LocationArray{},
			BackupPolicy: &cosmosdb.ContinuousModeBackupPolicyArgs{},
		})
		errs = append(errs, err)
		return pulumi.Map{}, nil
	})
	require.NoError(t, err)
	require.Len(t, errs, 2)
	assert.EqualError(t, errs[0], containerservice.ManagedClusterToken+
		": missing required argument(s) addonProfiles.a.enabled, addonProfiles.b.enabled, agentPoolProfiles[1].name")
	assert.EqualError(t, errs[1], cosmosdb.DatabaseAccountToken+": missing required argument(s) backupPolicy.type")
}

// TestDefaultsAndVersionPin registers each resource with exactly its
// required inputs and checks that the SDK's constructor defaults are filled
// and the provider version is pinned; nested defaults are checked on the
// objects that carry them.
func TestDefaultsAndVersionPin(t *testing.T) {
	f := loadFacts(t)
	require.Equal(t, f.Provider.Version, azurenative.Version)
	rg := pulumi.String("rg")
	plan, err := render.Run("test", nil, func(ctx *pulumi.Context) (pulumi.Map, error) {
		for _, r := range azure.Resources {
			args := reflect.New(r.Args)
			fillRequired(t, f, args.Elem(), f.Resources[r.Token].Object, rg)
			require.NoError(t, r.New(ctx, strings.ReplaceAll(r.Token, ":", "-"), args.Interface()), r.Token)
		}
		_, err := network.NewSubnet(ctx, "subnet-set", &network.SubnetArgs{ResourceGroupName: rg, VirtualNetworkName: rg,
			PrivateEndpointNetworkPolicies: pulumi.String("Enabled")})
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
		profile := &containerservice.ContainerServiceNetworkProfileArgs{}
		_, err = containerservice.NewManagedCluster(ctx, "aks", &containerservice.ManagedClusterArgs{
			ResourceGroupName: rg, NetworkProfile: profile,
		})
		require.NoError(t, err)
		assert.Nil(t, profile.DnsServiceIP, "the caller's arguments are not changed")
		return pulumi.Map{}, nil
	})
	require.NoError(t, err)
	require.Len(t, plan.Resources, len(azure.Resources)+3)
	for _, r := range plan.Resources {
		assert.Equalf(t, azurenative.Version, r.Version, "%s is pinned", r.Type)
		if r.Name == "subnet-set" || r.Name == "c" || r.Name == "aks" {
			continue
		}
		res := f.Resources[r.Type]
		for k, v := range res.SDKDefaults {
			if slices.Contains(res.Required, k) {
				// The SDK checks required inputs first: such a default
				// never applies.
				continue
			}
			assert.Equalf(t, v, r.Inputs[k], "%s default %s", r.Type, k)
		}
	}
	subnet, _ := plan.Get(network.SubnetToken, "subnet-set")
	assert.Equal(t, "Enabled", subnet.Inputs["privateEndpointNetworkPolicies"], "a set input keeps its value")
	assert.Equal(t, "Enabled", subnet.Inputs["privateLinkServiceNetworkPolicies"])
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
	assert.Equal(t, map[string]string{"conflictResolutionPolicy": "cosmosdb:ConflictResolutionPolicy",
		"indexingPolicy": "cosmosdb:IndexingPolicy", "partitionKey": "cosmosdb:ContainerPartitionKey"},
		f.Types["cosmosdb:SqlContainerResource"].SDKNestedDefaults)
	tm, ok := f.Resources[trafficmanager.EndpointToken]
	require.True(t, ok)
	assert.Equal(t, "number", tm.Inputs["priority"], "the provider types int64 as number")
}

// fillRequired sets every required input of an Args value, nested
// objects' included, to a placeholder of its Go type.
func fillRequired(t *testing.T, f *azureschema.Facts, args reflect.Value, shape azureschema.Object, s pulumi.String) {
	t.Helper()
	for i := range args.NumField() {
		field := args.Type().Field(i)
		name := field.Tag.Get("pulumi")
		if !slices.Contains(shape.Required, name) {
			continue
		}
		var v reflect.Value
		switch field.Type {
		case reflect.TypeFor[pulumi.StringInput]():
			v = reflect.ValueOf(s)
		case reflect.TypeFor[pulumi.IntInput]():
			v = reflect.ValueOf(pulumi.Int(1))
		case reflect.TypeFor[pulumi.Float64Input]():
			v = reflect.ValueOf(pulumi.Float64(1))
		case reflect.TypeFor[pulumi.BoolInput]():
			v = reflect.ValueOf(pulumi.Bool(true))
		case reflect.TypeFor[pulumi.StringArrayInput]():
			v = reflect.ValueOf(pulumi.StringArray{s})
		case reflect.TypeFor[pulumi.Input]():
			// A union or an untyped value: any non-nil input.
			v = reflect.ValueOf(pulumi.Map{})
		default:
			switch field.Type.Kind() {
			case reflect.Pointer:
				v = reflect.New(field.Type.Elem())
				parsed, err := azureschema.ParseType(shape.Inputs[name])
				require.NoError(t, err)
				fillRequired(t, f, v.Elem(), f.Types[parsed.Name], s)
			case reflect.Slice:
				v = reflect.MakeSlice(field.Type, 0, 0)
			case reflect.Map:
				v = reflect.MakeMap(field.Type)
			default:
				t.Fatalf("%s.%s: no placeholder for %s", args.Type(), name, field.Type)
			}
		}
		args.Field(i).Set(v)
	}
}

// TestFunctionArgsMatchSchema checks every generated invoke's argument and
// result names against the function facts.
func TestFunctionArgsMatchSchema(t *testing.T) {
	f := loadFacts(t)
	fn, ok := f.Functions[containerservice.ListManagedClusterUserCredentialsToken]
	require.True(t, ok)
	require.Len(t, f.Functions, 1, "extend this test for a new function")
	for _, goType := range []reflect.Type{
		reflect.TypeFor[containerservice.ListManagedClusterUserCredentialsArgs](),
		reflect.TypeFor[containerservice.ListManagedClusterUserCredentialsOutputArgs](),
	} {
		var tags []string
		for i := range goType.NumField() {
			tags = append(tags, goType.Field(i).Tag.Get("pulumi"))
			if slices.Contains(fn.Required, tags[i]) {
				assert.NotEqual(t, reflect.Pointer, goType.Field(i).Type.Kind(), "%s.%s is required", goType.Name(), tags[i])
			}
		}
		assert.ElementsMatch(t, slices.Sorted(maps.Keys(fn.Inputs)), tags, goType.Name())
	}
	assert.Equal(t, []string{"resourceGroupName", "resourceName"}, fn.Required)
	assert.Equal(t, map[string]string{"kubeconfigs": "array<containerservice:CredentialResult>"}, fn.Outputs)
}
