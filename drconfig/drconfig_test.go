package drconfig

import (
	"github.com/fhir-dr/fhir-dr/naming"
	"github.com/fhir-dr/fhir-dr/stackfile"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDefaults(t *testing.T) {
	c, err := Load("stacks/Pulumi.x.yaml", map[string]string{
		"fhir-dr:customer":      "acme",
		"fhir-dr:primaryRegion": "eastus",
		"fhir-dr:dr":            `{"enabled":true,"paging":{"actionGroupId":"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-platform-oncall/providers/Microsoft.Insights/actionGroups/ag-fhir-oncall"},"tier":"data","ticket":"SR-1"}`,
	})
	require.NoError(t, err)
	assert.Equal(t, "westus", c.DR.SecondaryRegion, "paired region")
	assert.Equal(t, 15*time.Minute, c.DR.RPO.Duration)
	assert.Equal(t, 15*time.Minute, c.DR.OperatorDecisionTime.Duration)
	assert.Equal(t, Cosmos{
		AccountName:            "fhir-acme",
		AutoscaleMaxThroughput: 4000,
		ZoneRedundant:          PerRegionBool{Primary: ptr(true), Secondary: ptr(false)},
		Backup:                 Backup{Type: "Periodic", IntervalMinutes: 240, RetentionHours: 8, StorageRedundancy: "Geo"},
	}, c.Cosmos)
	assert.Equal(t, Compute{
		KubernetesVersion: "1.33",
		SkuTier:           "Standard",
		NodePools:         []NodePool{{Name: "system", Mode: "System", VMSize: "Standard_D4ds_v5", MinCount: 2, MaxCount: 5, Zones: []string{"1", "2", "3"}}},
		Network: PerRegionNetwork{
			Primary:   Network{AddressSpace: "10.50.0.0/16", NodeSubnet: "10.50.0.0/20", PrivateEndpointSubnet: "10.50.16.0/24"},
			Secondary: Network{AddressSpace: "10.51.0.0/16", NodeSubnet: "10.51.0.0/20", PrivateEndpointSubnet: "10.51.16.0/24"},
		},
	}, c.Compute)
	assert.Equal(t, TrafficManager{
		DNSName:    "acme-fhir",
		Probe:      Probe{Protocol: "HTTPS", Port: 443, Path: "/health/check", IntervalSeconds: 10, TimeoutSeconds: 5, ToleratedFailures: ptr(2)},
		TTLSeconds: ptr(60),
	}, c.TrafficManager)
	assert.Equal(t, 90, c.Monitoring.RetentionDays)
	assert.Equal(t, map[string]string{
		"customer": "acme", "dr-ticket": "SR-1", "dr-tier": "data", "dr-role": "secondary",
		"billing-meter": "fhir-dr-data", "billing-multiplier": "2", "managed-by": "fhir-dr",
	}, c.ResourceTags(naming.RoleSecondary))
}

func TestZeroValuesAreKept(t *testing.T) {
	c, err := Load("f", map[string]string{
		"fhir-dr:customer":       "acme",
		"fhir-dr:primaryRegion":  "eastus",
		"fhir-dr:dr":             `{"enabled":true,"paging":{"actionGroupId":"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-platform-oncall/providers/Microsoft.Insights/actionGroups/ag-fhir-oncall"},"tier":"full","ticket":"SR-1","rpo":"0s"}`,
		"fhir-dr:compute":        `{"apiServer":{"private":true}}`,
		"fhir-dr:trafficManager": `{"probe":{"toleratedFailures":0},"ttlSeconds":0}`,
		"fhir-dr:fhir":           fhirJSON(`"cors":{"origins":["https://app.example"],"maxAge":0}`),
	})
	require.NoError(t, err)
	assert.Equal(t, 0, *c.FHIR.CORS.MaxAge)
	assert.Equal(t, 0, *c.TrafficManager.Probe.ToleratedFailures)
	assert.Equal(t, 0, *c.TrafficManager.TTLSeconds)
	assert.Equal(t, "Strong", c.Consistency().Level)
}

// TestUnknownKeys checks that Load, which drctl and the
// pipeline use on stack files, reports unknown keys at every depth.
func TestUnknownKeys(t *testing.T) {
	_, err := Load("stacks/Pulumi.x.yaml", map[string]string{
		"fhir-dr:customer":      "acme",
		"fhir-dr:primaryRegion": "eastus",
		"fhir-dr:cosmo":         `{}`,
		"fhir-dr:compute":       `{"nodePools":[{"name":"system","count":3,"vmsize":"Standard_D4ds_v5"}]}`,
		"azure-native:location": "eastus",
	})
	require.Error(t, err)
	assert.Equal(t, `stacks/Pulumi.x.yaml: 2 configuration problems:
  fhir-dr:compute.nodePools[0].vmsize: unknown key (did you mean "vmSize"?)
  fhir-dr:cosmo: unknown key (did you mean "cosmos"?)`, err.Error())
}

func TestLoadFileAndStackName(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "Pulumi.acme.yaml")
	require.NoError(t, os.WriteFile(path, []byte(`config:
  fhir-dr:customer: acme
  primaryRegion: eastus
  fhir-dr:dr:
    enabled: true
    paging: {actionGroupId: /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-platform-oncall/providers/Microsoft.Insights/actionGroups/ag-fhir-oncall}
    tier: full
    ticket: SR-7
  fhir-dr:compute:
    apiServer:
      private: true
  fhir:
    version: "4.0.1"
    auth:
      authority: https://login.microsoftonline.com/t
      audience: https://fhir.example
`), 0o600))
	c, err := LoadFile(path)
	require.NoError(t, err, "bare keys are namespaced with the project, as Pulumi does")
	assert.Equal(t, "eastus", c.PrimaryRegion)
	assert.Equal(t, TierFull, c.DR.Tier)

	name, err := stackfile.Stack(path)
	require.NoError(t, err)
	assert.Equal(t, "acme", name)
	_, err = stackfile.Stack(filepath.Join(dir, "acme.yaml"))
	assert.EqualError(t, err, filepath.Join(dir, "acme.yaml")+": a stack file is named Pulumi.<stack>.yaml")
	_, err = LoadFile(filepath.Join(dir, "Pulumi.missing.yaml"))
	assert.ErrorContains(t, err, "reading stack file")
}

// TestProjectFileDeclaresEveryKey loads Pulumi.yaml with the SDK's loader
// (which validates it against Pulumi's project schema) and checks that its
// config section declares exactly the keys Config reads.
func TestProjectFileDeclaresEveryKey(t *testing.T) {
	project, err := workspace.LoadProject("../Pulumi.yaml")
	require.NoError(t, err)
	assert.Equal(t, Namespace, project.Name.String())
	assert.Equal(t, stackfile.Dir, project.StackConfigDir)
	assert.Equal(t, "go", project.Runtime.Name())
	var declared []string
	for k := range project.Config {
		declared = append(declared, Namespace+":"+k)
	}
	assert.ElementsMatch(t, knownKeys(), declared)
	for _, required := range []string{"customer", "primaryRegion"} {
		assert.Nil(t, project.Config[required].Default, "%s is required: no default", required)
	}
}

func TestAccountID(t *testing.T) {
	cfg, err := LoadFile(filepath.Join("..", stackfile.Path("contoso")))
	require.NoError(t, err)
	assert.Equal(t, "/subscriptions/sub/resourceGroups/rg-contoso-fhir-eastus/providers/Microsoft.DocumentDB/databaseAccounts/fhir-contoso",
		cfg.AccountID("sub"))
}

// TestAccountIDCase: ARM IDs are case-insensitive, and the portal and the
// CLI write "resourcegroups" as often as "resourceGroups"; one parser
// (azure/armid) reads them all, for adoption as for $export.
func TestAccountIDCase(t *testing.T) {
	const id = "/subscriptions/00000000-0000-0000-0000-000000000001/resourcegroups/rg-legacy/providers/microsoft.documentdb/databaseAccounts/fhir-legacy"
	c, err := Load("f", map[string]string{
		"fhir-dr:customer": "acme", "fhir-dr:primaryRegion": "eastus",
		"fhir-dr:primary": `{"existingAccountId":"` + id + `"}`,
	})
	require.NoError(t, err)
	assert.Equal(t, "fhir-legacy", c.Cosmos.AccountName)
	assert.Equal(t, "rg-legacy", c.PrimaryResourceGroupName())
	assert.Equal(t, map[string]string{
		"resourceGroup": "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-legacy",
		"account":       id,
		"database":      "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-legacy/providers/microsoft.documentdb/databaseAccounts/fhir-legacy/sqlDatabases/health",
		"container":     "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-legacy/providers/microsoft.documentdb/databaseAccounts/fhir-legacy/sqlDatabases/health/containers/fhirR4",
	}, c.AdoptedIDs())
}

func TestSubnetAfter(t *testing.T) {
	for in, want := range map[string]any{
		"10.50.0.0/20":     "10.50.16.0/24",
		"10.60.0.0/24":     "10.60.1.0/24",
		"10.60.0.128/25":   "10.60.1.0/24",
		"255.255.255.0/24": nil,
		"not a range":      nil,
		"10.50.0.1/20":     nil,
	} {
		assert.Equal(t, want, subnetAfter(in, 24), in)
	}
}
