package schemacheck

import (
	"bytes"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fhir-dr/fhir-dr/internal/azureschema"
	"github.com/fhir-dr/fhir-dr/internal/schemacheck/schemachecktest"
)

const (
	account   = "azure-native:cosmosdb:DatabaseAccount"
	profile   = "azure-native:trafficmanager:Profile"
	userCreds = "azure-native:containerservice:listManagedClusterUserCredentials"
	backup    = `union<cosmosdb:PeriodicModeBackupPolicy|cosmosdb:ContinuousModeBackupPolicy> (discriminator field "type": "Periodic" | "Continuous")`
)

func ptr[T any](v T) *T { return &v }

// testFacts are the facts of testdata/schema.json, built afresh for each
// case to edit.
func testFacts() *azureschema.Facts {
	f := &azureschema.Facts{}
	f.Provider.Name = "azure-native"
	f.Provider.Version = "3.23.0" // testdata/schema.json's
	f.Resources = map[string]azureschema.Resource{
		account: {Token: account, APIVersion: "2025-10-15", Object: azureschema.Object{
			Inputs: map[string]string{
				"accountName":              "string",
				"backupPolicy":             backup,
				"consistencyPolicy":        "cosmosdb:ConsistencyPolicy",
				"databaseAccountOfferType": "enum<cosmosdb:DatabaseAccountOfferType>",
				"kind":                     "string",
				"location":                 "string",
				"locations":                "array<cosmosdb:Location>",
				"resourceGroupName":        "string",
				"tags":                     "map<string>",
			},
			Required:    []string{"resourceGroupName", "databaseAccountOfferType", "locations"},
			SDKDefaults: map[string]any{"kind": "GlobalDocumentDB"},
			Constraints: map[string]azureschema.Constraint{
				"accountName": {Pattern: `^[a-z0-9]+(-[a-z0-9]+)*$`, MinLength: ptr(3), MaxLength: ptr(44)},
			},
		}},
		profile: {Token: profile, APIVersion: "2022-04-01", Object: azureschema.Object{
			Inputs: map[string]string{
				"dnsConfig":            "trafficmanager:DnsConfig",
				"maxReturn":            "number",
				"profileName":          "string",
				"resourceGroupName":    "string",
				"trafficRoutingMethod": "string",
			},
			Required: []string{"resourceGroupName"},
		}},
	}
	f.Types = map[string]azureschema.Object{
		"cosmosdb:ConsistencyPolicy": {
			Inputs: map[string]string{
				"defaultConsistencyLevel": "enum<cosmosdb:DefaultConsistencyLevel>",
				"maxIntervalInSeconds":    "integer",
				"maxStalenessPrefix":      "number",
			},
			Required:    []string{"defaultConsistencyLevel"},
			Constraints: map[string]azureschema.Constraint{"maxIntervalInSeconds": {Minimum: ptr(5.0), Maximum: ptr(86400.0)}},
		},
		"cosmosdb:ContinuousModeBackupPolicy": {
			Inputs:        map[string]string{"continuousModeProperties": "cosmosdb:ContinuousModeProperties", "type": "string"},
			Required:      []string{"type"},
			Discriminator: map[string]string{"type": "Continuous"},
		},
		"cosmosdb:ContinuousModeProperties": {Inputs: map[string]string{"tier": "string"}, Required: []string{}},
		"cosmosdb:Location": {Inputs: map[string]string{
			"failoverPriority": "integer",
			"isZoneRedundant":  "boolean",
			"locationName":     "string",
		}},
		"cosmosdb:PeriodicModeBackupPolicy": {
			Inputs:        map[string]string{"periodicModeProperties": "cosmosdb:PeriodicModeProperties", "type": "string"},
			Required:      []string{"type"},
			Discriminator: map[string]string{"type": "Periodic"},
		},
		"cosmosdb:PeriodicModeProperties": {Inputs: map[string]string{
			"backupIntervalInMinutes":        "integer",
			"backupRetentionIntervalInHours": "integer",
			"backupStorageRedundancy":        "string",
		}},
		"trafficmanager:DnsConfig": {Inputs: map[string]string{"relativeName": "string", "ttl": "number"}},
	}
	f.Enums = map[string]azureschema.Enum{
		"containerservice:Format":             {Values: []string{"azure", "exec"}},
		"cosmosdb:BackupStorageRedundancy":    {Values: []string{"Zone", "Geo", "Local"}}, // the order does not matter
		"cosmosdb:ContinuousTier":             {Values: []string{"Continuous7Days", "Continuous30Days"}},
		"cosmosdb:DatabaseAccountKind":        {Values: []string{"GlobalDocumentDB", "MongoDB", "Parse"}},
		"cosmosdb:DatabaseAccountOfferType":   {Values: []string{"Standard"}},
		"cosmosdb:DefaultConsistencyLevel":    {Values: []string{"Eventual", "Session", "BoundedStaleness", "Strong", "ConsistentPrefix"}},
		"trafficmanager:TrafficRoutingMethod": {Values: []string{"Performance", "Priority", "Weighted", "Geographic", "MultiValue", "Subnet"}},
	}
	f.Functions = map[string]azureschema.Function{
		userCreds: {
			Object: azureschema.Object{
				Inputs: map[string]string{
					"format":            "string",
					"resourceGroupName": "string",
					"resourceName":      "string",
					"serverFqdn":        "string",
				},
				Required: []string{"resourceGroupName", "resourceName"},
			},
			Outputs: map[string]string{"kubeconfigs": "array<containerservice:CredentialResult>"},
		},
	}
	return f
}

func editResource(f *azureschema.Facts, token string, edit func(*azureschema.Object)) {
	r := f.Resources[token]
	edit(&r.Object)
	f.Resources[token] = r
}

func editType(f *azureschema.Facts, key string, edit func(*azureschema.Object)) {
	t := f.Types[key]
	edit(&t)
	f.Types[key] = t
}

func editFunction(f *azureschema.Facts, token string, edit func(*azureschema.Function)) {
	fn := f.Functions[token]
	edit(&fn)
	f.Functions[token] = fn
}

// compareTestdata compares f with testdata/schema.json (version 3.23.0, as
// testFacts).
func compareTestdata(t *testing.T, f *azureschema.Facts) Report {
	t.Helper()
	file, err := os.Open(filepath.Join("testdata", "schema.json"))
	require.NoError(t, err)
	defer file.Close()
	r, err := Compare(f, file)
	require.NoError(t, err)
	return r
}

func strs[T interface{ String() string }](xs []T) []string {
	out := []string{}
	for _, x := range xs {
		out = append(out, x.String())
	}
	return out
}

// wantNotes are the constraints of testdata/schema.json the test facts do
// not record.
var wantNotes = []string{
	`type cosmosdb:ConsistencyPolicy input "maxStalenessPrefix": constraints not recorded in the facts: minimum 1, maximum 2147483647`,
	`type cosmosdb:Location input "failoverPriority": constraints not recorded in the facts: minimum 0`,
	`type cosmosdb:PeriodicModeProperties input "backupIntervalInMinutes": constraints not recorded in the facts: minimum 0`,
	`type cosmosdb:PeriodicModeProperties input "backupRetentionIntervalInHours": constraints not recorded in the facts: minimum 0`,
	`function azure-native:containerservice:listManagedClusterUserCredentials input "resourceGroupName": constraints not recorded in the facts: minLength 1, maxLength 90`,
	`function azure-native:containerservice:listManagedClusterUserCredentials input "resourceName": constraints not recorded in the facts: pattern ^[a-zA-Z0-9]$|^[a-zA-Z0-9][-_a-zA-Z0-9]{0,61}[a-zA-Z0-9]$, minLength 1, maxLength 63`,
}

func TestCompareMatches(t *testing.T) {
	r := compareTestdata(t, testFacts())
	assert.Empty(t, strs(r.Mismatches))
	assert.True(t, r.OK())
	assert.Equal(t, wantNotes, strs(r.Notes))
	assert.Equal(t, Report{
		Package: "azure-native", FactsVersion: "3.23.0", SchemaVersion: "3.23.0",
		Resources: 2, Types: 7, Enums: 7, Functions: 1,
		Notes: r.Notes,
	}, r)
	assert.Equal(t, `azure-native facts 3.23.0 against the provider schema 3.23.0: 2 resources, 7 types, 7 enums, 1 functions
no mismatches
6 notes (not failures):
  `+strings.Join(wantNotes, "\n  ")+"\n", r.String())
}

// "any" in the facts matches whatever the provider has.
func TestCompareAnyMatchesAnything(t *testing.T) {
	f := testFacts()
	editResource(f, account, func(o *azureschema.Object) {
		o.Inputs["backupPolicy"] = "any"
		o.Inputs["tags"] = "map<any>"
		o.Inputs["locations"] = "array<any>"
		o.Inputs["kind"] = "any"
	})
	assert.Empty(t, strs(compareTestdata(t, f).Mismatches))
}

func TestCompareMismatches(t *testing.T) {
	for name, c := range map[string]struct {
		edit func(*azureschema.Facts)
		want []string
	}{
		"missing input": {
			edit: func(f *azureschema.Facts) {
				editResource(f, account, func(o *azureschema.Object) { o.Inputs["enableFreeTier"] = "boolean" })
			},
			want: []string{`resource azure-native:cosmosdb:DatabaseAccount input "enableFreeTier": facts boolean, provider (absent)`},
		},
		"extra input": {
			edit: func(f *azureschema.Facts) {
				editResource(f, account, func(o *azureschema.Object) { delete(o.Inputs, "tags") })
			},
			want: []string{`resource azure-native:cosmosdb:DatabaseAccount input "tags": facts (absent), provider map<string>`},
		},
		"integer vs number": {
			edit: func(f *azureschema.Facts) {
				editType(f, "cosmosdb:Location", func(o *azureschema.Object) { o.Inputs["failoverPriority"] = "number" })
				editResource(f, profile, func(o *azureschema.Object) { o.Inputs["maxReturn"] = "integer" })
			},
			want: []string{
				`resource azure-native:trafficmanager:Profile input "maxReturn": type: facts integer, provider number`,
				`type cosmosdb:Location input "failoverPriority": type: facts number, provider integer`,
			},
		},
		"required differs": {
			edit: func(f *azureschema.Facts) {
				editResource(f, account, func(o *azureschema.Object) {
					o.Required = []string{"databaseAccountOfferType", "resourceGroupName", "location"}
				})
			},
			want: []string{
				`resource azure-native:cosmosdb:DatabaseAccount input "location": required: facts required, provider optional`,
				`resource azure-native:cosmosdb:DatabaseAccount input "locations": required: facts optional, provider required`,
			},
		},
		"enum value differs": {
			edit: func(f *azureschema.Facts) {
				f.Enums["cosmosdb:DefaultConsistencyLevel"] = azureschema.Enum{Values: []string{"Eventual", "Session", "BoundedStaleness", "Strongest", "ConsistentPrefix"}}
			},
			want: []string{`enum cosmosdb:DefaultConsistencyLevel: values: facts [Eventual Session BoundedStaleness Strongest ConsistentPrefix], provider [Eventual Session BoundedStaleness Strong ConsistentPrefix]`},
		},
		"enum missing a value": {
			edit: func(f *azureschema.Facts) {
				f.Enums["containerservice:Format"] = azureschema.Enum{Values: []string{"azure"}}
			},
			want: []string{`enum containerservice:Format: values: facts [azure], provider [azure exec]`},
		},
		"union member differs": {
			edit: func(f *azureschema.Facts) {
				editResource(f, account, func(o *azureschema.Object) {
					o.Inputs["backupPolicy"] = "union<cosmosdb:PeriodicModeBackupPolicy|cosmosdb:IncrementalModeBackupPolicy>"
				})
			},
			want: []string{`resource azure-native:cosmosdb:DatabaseAccount input "backupPolicy": type: facts union<cosmosdb:PeriodicModeBackupPolicy|cosmosdb:IncrementalModeBackupPolicy>, provider union<cosmosdb:ContinuousModeBackupPolicy|cosmosdb:PeriodicModeBackupPolicy> (discriminator field "type": "Continuous" | "Periodic")`},
		},
		"discriminator value differs": {
			edit: func(f *azureschema.Facts) {
				editType(f, "cosmosdb:PeriodicModeBackupPolicy", func(o *azureschema.Object) { o.Discriminator = map[string]string{"type": "Periodical"} })
			},
			want: []string{
				`resource azure-native:cosmosdb:DatabaseAccount input "backupPolicy": type: facts ` + backup + `, provider union<cosmosdb:ContinuousModeBackupPolicy|cosmosdb:PeriodicModeBackupPolicy> (discriminator field "type": "Continuous" | "Periodic")`,
				`type cosmosdb:PeriodicModeBackupPolicy input "type": discriminator: facts "Periodical", provider "Periodic"`,
			},
		},
		"pattern differs": {
			edit: func(f *azureschema.Facts) {
				editResource(f, account, func(o *azureschema.Object) {
					o.Constraints["accountName"] = azureschema.Constraint{Pattern: "^[a-z0-9-]+$", MinLength: ptr(3), MaxLength: ptr(44)}
				})
			},
			want: []string{`resource azure-native:cosmosdb:DatabaseAccount input "accountName": pattern: facts ^[a-z0-9-]+$, provider ^[a-z0-9]+(-[a-z0-9]+)*$`},
		},
		"bounds differ": {
			edit: func(f *azureschema.Facts) {
				editType(f, "cosmosdb:ConsistencyPolicy", func(o *azureschema.Object) {
					o.Constraints["maxIntervalInSeconds"] = azureschema.Constraint{Minimum: ptr(1.0)}
				})
				editType(f, "cosmosdb:Location", func(o *azureschema.Object) {
					o.Constraints = map[string]azureschema.Constraint{"locationName": {MaxLength: ptr(10)}}
				})
			},
			want: []string{
				`type cosmosdb:ConsistencyPolicy input "maxIntervalInSeconds": maximum: facts (none), provider 86400`,
				`type cosmosdb:ConsistencyPolicy input "maxIntervalInSeconds": minimum: facts 1, provider 5`,
				`type cosmosdb:Location input "locationName": maxLength: facts 10, provider (none)`,
			},
		},
		"function input differs": {
			edit: func(f *azureschema.Facts) {
				editFunction(f, userCreds, func(fn *azureschema.Function) { fn.Inputs["format"] = "enum<containerservice:Format>" })
			},
			want: []string{`function azure-native:containerservice:listManagedClusterUserCredentials input "format": type: facts enum<containerservice:Format>, provider oneOf[string, enum<containerservice:Format>]`},
		},
		"function output differs": {
			edit: func(f *azureschema.Facts) {
				editFunction(f, userCreds, func(fn *azureschema.Function) {
					fn.Outputs = map[string]string{"kubeconfigs": "array<containerservice:Credential>", "expiry": "string"}
				})
			},
			want: []string{
				`function azure-native:containerservice:listManagedClusterUserCredentials output "expiry": facts string, provider (absent)`,
				`function azure-native:containerservice:listManagedClusterUserCredentials output "kubeconfigs": type: facts array<containerservice:Credential>, provider array<containerservice:CredentialResultResponse>`,
			},
		},
		"strict enum vs string": {
			edit: func(f *azureschema.Facts) {
				editResource(f, account, func(o *azureschema.Object) { o.Inputs["databaseAccountOfferType"] = "string" })
				editType(f, "cosmosdb:ContinuousModeProperties", func(o *azureschema.Object) { o.Inputs["tier"] = "enum<cosmosdb:ContinuousTier>" })
			},
			want: []string{
				`resource azure-native:cosmosdb:DatabaseAccount input "databaseAccountOfferType": type: facts string, provider enum<cosmosdb:DatabaseAccountOfferType>`,
				`type cosmosdb:ContinuousModeProperties input "tier": type: facts enum<cosmosdb:ContinuousTier>, provider oneOf[string, enum<cosmosdb:ContinuousTier>]`,
			},
		},
		"element and object types differ": {
			edit: func(f *azureschema.Facts) {
				editResource(f, account, func(o *azureschema.Object) {
					o.Inputs["locations"] = "array<cosmosdb:Locations>"
					o.Inputs["tags"] = "map<integer>"
					o.Inputs["consistencyPolicy"] = "cosmosdb:ConsistencyPolicyResponse"
				})
			},
			want: []string{
				`resource azure-native:cosmosdb:DatabaseAccount input "consistencyPolicy": type: facts cosmosdb:ConsistencyPolicyResponse, provider cosmosdb:ConsistencyPolicy`,
				`resource azure-native:cosmosdb:DatabaseAccount input "locations": type: facts array<cosmosdb:Locations>, provider array<cosmosdb:Location>`,
				`resource azure-native:cosmosdb:DatabaseAccount input "tags": type: facts map<integer>, provider map<string>`,
			},
		},
		"unknown expression": {
			edit: func(f *azureschema.Facts) {
				editType(f, "trafficmanager:DnsConfig", func(o *azureschema.Object) { o.Inputs["ttl"] = "float64" })
			},
			want: []string{`type trafficmanager:DnsConfig input "ttl": unknown expression: facts float64, provider number`},
		},
		"entries the provider lacks": {
			edit: func(f *azureschema.Facts) {
				f.Resources["azure-native:cosmosdb:Cassandra"] = azureschema.Resource{Object: azureschema.Object{Inputs: map[string]string{"a": "string"}}}
				f.Types["cosmosdb:Capacity"] = azureschema.Object{}
				f.Types["cosmosdb:DatabaseAccountKind"] = azureschema.Object{}
				f.Enums["cosmosdb:Location"] = azureschema.Enum{Values: []string{"x"}}
				f.Enums["cosmosdb:ServerVersion"] = azureschema.Enum{Values: []string{"4.2"}}
				f.Functions["azure-native:cosmosdb:listKeys"] = azureschema.Function{}
			},
			want: []string{
				`resource azure-native:cosmosdb:Cassandra: facts 1 inputs, provider (absent)`,
				`type cosmosdb:Capacity: facts object, provider (absent)`,
				`type cosmosdb:DatabaseAccountKind: facts object, provider enum`,
				`enum cosmosdb:Location: facts enum [x], provider object (not an enum)`,
				`enum cosmosdb:ServerVersion: values: facts [4.2], provider (absent)`,
				`function azure-native:cosmosdb:listKeys: facts 0 inputs, provider (absent)`,
			},
		},
	} {
		t.Run(name, func(t *testing.T) {
			f := testFacts()
			c.edit(f)
			r := compareTestdata(t, f)
			assert.Equal(t, c.want, strs(r.Mismatches))
			assert.False(t, r.OK())
		})
	}
}

// The facts' version must be the schema's; without one, the versions are
// not compared (a note).
func TestCompareVersion(t *testing.T) {
	at := func(version string) *azureschema.Facts {
		f := testFacts()
		f.Provider.Version = version
		return f
	}
	r := compareTestdata(t, at("3.22.0"))
	assert.Equal(t, []string{`package azure-native: version: facts 3.22.0, provider 3.23.0`}, strs(r.Mismatches))

	r = compareTestdata(t, at("v3.23.0"))
	assert.Empty(t, strs(r.Mismatches), "a leading v does not matter")

	r, err := Compare(at(""), strings.NewReader(`{"name": "azure-native"}`))
	require.NoError(t, err)
	assert.Equal(t, "package azure-native: the facts record no provider version: the versions are not compared", r.Notes[0].String())

	r, err = Compare(testFacts(), strings.NewReader(`{"name": "azure-native"}`))
	require.NoError(t, err)
	assert.Equal(t, "package azure-native: version: facts 3.23.0, provider (absent)", r.Mismatches[0].String())
}

func TestCompareErrors(t *testing.T) {
	for name, c := range map[string]struct{ schema, want string }{
		"empty":            {"", "schemacheck: read the provider schema: EOF"},
		"not an object":    {"[]", `schemacheck: read the provider schema: want "{", got [`},
		"no name":          {`{"version": "3.23.0"}`, "schemacheck: read the provider schema: not a Pulumi package schema: no package name"},
		"another package":  {`{"name": "azure"}`, `schemacheck: the schema is of package "azure", the facts of "azure-native"`},
		"truncated":        {`{"name": "azure-native", "types": {"azure-native:a:B": {"type": "obj`, "schemacheck: read the provider schema: types: azure-native:a:B: unexpected EOF"},
		"bad resource":     {`{"name": "azure-native", "resources": {"` + account + `": {"inputProperties": []}}}`, "schemacheck: resource azure-native:cosmosdb:DatabaseAccount: json: cannot unmarshal"},
		"bad type section": {`{"name": "azure-native", "types": {"azure-native:a:B": []}}`, "schemacheck: read the provider schema: types: type azure-native:a:B: json: cannot unmarshal"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Compare(testFacts(), strings.NewReader(c.schema))
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
		})
	}
	_, err := Compare(nil, strings.NewReader("{}"))
	assert.EqualError(t, err, "schemacheck: no facts")
}

func TestReportRendering(t *testing.T) {
	f := testFacts()
	editType(f, "cosmosdb:Location", func(o *azureschema.Object) { o.Inputs["failoverPriority"] = "number" })
	f.Provider.Version = "3.22.0"
	r := compareTestdata(t, f)
	assert.Equal(t, `azure-native facts 3.22.0 against the provider schema 3.23.0: 2 resources, 7 types, 7 enums, 1 functions
2 mismatches:
  package azure-native: version: facts 3.22.0, provider 3.23.0
  type cosmosdb:Location input "failoverPriority": type: facts number, provider integer
6 notes (not failures):
  `+strings.Join(wantNotes, "\n  ")+"\n", r.String())

	md := r.Markdown()
	assert.True(t, strings.HasPrefix(md, "### azure-native schema check\n\nazure-native facts 3.22.0 against the provider schema 3.23.0: 2 resources, 7 types, 7 enums, 1 functions.\n\n**2 mismatches**\n\n"), md)
	assert.Contains(t, md, "- `type cosmosdb:Location input \"failoverPriority\": type: facts number, provider integer`\n")
	assert.Contains(t, md, "\n**6 notes** (not failures)\n\n")

	assert.Equal(t, "``a`b``", code("a`b"))
	assert.Equal(t, "`` `a ``", code("`a"))
}

// The same comparison gives the same report, whatever the map order.
func TestCompareIsDeterministic(t *testing.T) {
	f := testFacts()
	for key, o := range f.Types {
		for input := range o.Inputs {
			o.Inputs[input] = "boolean"
		}
		f.Types[key] = o
	}
	first := compareTestdata(t, f).String()
	for range 10 {
		assert.Equal(t, first, compareTestdata(t, f).String())
	}
}

// Every type expression of the embedded facts is one the comparer
// understands.
func TestEmbeddedFactsExpressionsUnderstood(t *testing.T) {
	f, err := azureschema.Load()
	require.NoError(t, err)
	check := func(owner, what string, fields map[string]string) {
		for name, s := range fields {
			_, err := parseExpr(s)
			assert.NoError(t, err, "%s %s %s", owner, what, name)
		}
	}
	n := 0
	for token, r := range f.Resources {
		check(token, "input", r.Inputs)
		n += len(r.Inputs)
	}
	for key, o := range f.Types {
		check(key, "input", o.Inputs)
		n += len(o.Inputs)
	}
	for token, fn := range f.Functions {
		check(token, "input", fn.Inputs)
		check(token, "output", fn.Outputs)
		n += len(fn.Inputs) + len(fn.Outputs)
	}
	assert.Greater(t, n, 100)
}

// The embedded facts match the schema written from them: every expression
// in them is compared, not just parsed, and none comes out as a mismatch or
// an unknown expression.
func TestEmbeddedFactsAgainstTheirOwnSchema(t *testing.T) {
	f, err := azureschema.Load()
	require.NoError(t, err)
	schema, err := schemachecktest.Schema(f, f.Provider.Version)
	require.NoError(t, err)
	r, err := Compare(f, bytes.NewReader(schema))
	require.NoError(t, err)
	assert.Empty(t, strs(r.Mismatches))
	assert.Regexp(t, `^\d+\.\d+\.\d+$`, r.FactsVersion, "the embedded facts record their version")
	assert.Equal(t, len(f.Resources), r.Resources)
	assert.Equal(t, len(f.Functions), r.Functions)

	// A change to one expression is caught: the first integer input of an
	// object type becomes a number.
	g := *f
	g.Types = maps.Clone(f.Types)
	var key, input string
	for _, k := range slices.Sorted(maps.Keys(g.Types)) {
		for _, in := range slices.Sorted(maps.Keys(g.Types[k].Inputs)) {
			if key == "" && g.Types[k].Inputs[in] == "integer" {
				key, input = k, in
			}
		}
	}
	require.NotEmpty(t, key, "an integer input")
	o := g.Types[key]
	o.Inputs = maps.Clone(o.Inputs)
	o.Inputs[input] = "number"
	g.Types[key] = o
	r, err = Compare(&g, bytes.NewReader(schema))
	require.NoError(t, err)
	assert.Equal(t, []string{`type ` + key + ` input "` + input + `": type: facts number, provider integer`}, strs(r.Mismatches))
}
