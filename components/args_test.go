package components_test

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fhir-dr/fhir-dr/components"
	"github.com/fhir-dr/fhir-dr/internal/render"
	"github.com/fhir-dr/fhir-dr/objectives"
)

// renderComponent renders a program that declares one component.
func renderComponent(t *testing.T, declare func(ctx *pulumi.Context) error) *render.Plan {
	t.Helper()
	plan, err := render.Run("args", nil, func(ctx *pulumi.Context) (pulumi.Map, error) {
		return pulumi.Map{}, declare(ctx)
	})
	require.NoError(t, err)
	return plan
}

// The components carry their own defaults: a caller that sets only what
// is required gets them, without drconfig.
func TestTrafficManagerDefaults(t *testing.T) {
	plan := renderComponent(t, func(ctx *pulumi.Context) error {
		_, err := components.NewTrafficManager(ctx, "traffic", &components.TrafficManagerArgs{
			ResourceGroupName: pulumi.String("rg"),
			ProfileName:       "tm",
			DNSName:           pulumi.String("label"),
			Endpoints:         []components.TrafficEndpoint{{Role: "primary", TargetResourceID: pulumi.String("/ip"), Priority: 1}},
		})
		return err
	})
	p := get(t, plan, profile, "profile")
	assert.JSONEq(t, `{"relativeName":"label","ttl":60}`, asJSON(t, p.Inputs["dnsConfig"]))
	assert.JSONEq(t, `{"protocol":"HTTPS","port":443,"path":"/health/check","intervalInSeconds":30,"timeoutInSeconds":10,"toleratedNumberOfFailures":3}`,
		asJSON(t, p.Inputs["monitorConfig"]))

	tcp := renderComponent(t, func(ctx *pulumi.Context) error {
		_, err := components.NewTrafficManager(ctx, "traffic", &components.TrafficManagerArgs{
			ResourceGroupName: pulumi.String("rg"), ProfileName: "tm", DNSName: pulumi.String("label"),
			Probe:     components.TrafficProbe{Protocol: "TCP", Port: pulumi.Int(8443)},
			Endpoints: []components.TrafficEndpoint{{Role: "primary", TargetResourceID: pulumi.String("/ip"), Priority: 1}},
		})
		return err
	})
	assert.JSONEq(t, `{"protocol":"TCP","port":8443,"intervalInSeconds":30,"timeoutInSeconds":10,"toleratedNumberOfFailures":3}`,
		asJSON(t, get(t, tcp, profile, "profile").Inputs["monitorConfig"]), "no path for TCP")
}

func TestCosmosAccountDefaults(t *testing.T) {
	declare := func(backup components.BackupPolicy) *render.Plan {
		return renderComponent(t, func(ctx *pulumi.Context) error {
			_, err := components.NewCosmosAccount(ctx, "cosmos", &components.CosmosAccountArgs{
				ResourceGroupName: pulumi.String("rg"),
				AccountName:       "acct",
				Locations:         []components.CosmosLocation{{Region: "eastus"}},
				Consistency:       objectives.Consistency{Level: objectives.Session},
				Backup:            backup,
			})
			return err
		})
	}
	a := get(t, declare(components.BackupPolicy{}), account, "account")
	assert.JSONEq(t, `{"type":"Periodic","periodicModeProperties":{"backupIntervalInMinutes":240,"backupRetentionIntervalInHours":8,"backupStorageRedundancy":"Geo"}}`,
		asJSON(t, a.Inputs["backupPolicy"]))
	assert.Equal(t, "Enabled", a.Inputs["publicNetworkAccess"], "the public endpoint is open unless PrivateOnly")
	assert.JSONEq(t, `{"type":"Continuous","continuousModeProperties":{"tier":"Continuous7Days"}}`,
		asJSON(t, get(t, declare(components.BackupPolicy{Continuous: true}), account, "account").Inputs["backupPolicy"]))
}

func TestComputeStampDefaults(t *testing.T) {
	args := func() *components.ComputeStampArgs {
		return &components.ComputeStampArgs{
			Spec: components.ComputeSpec{
				KubernetesVersion: pulumi.String("1.33"),
				NodePools:         []components.NodePool{{Name: "system", Count: 1}},
				APIServer:         components.APIServerAccess{Private: true},
			},
			Customer: "acme", Role: "primary", Region: "eastus",
			Network:           components.StampNetwork{AddressSpace: pulumi.String("10.0.0.0/16"), NodeSubnet: pulumi.String("10.0.0.0/20")},
			ResourceGroupName: pulumi.String("rg"),
		}
	}
	plan := renderComponent(t, func(ctx *pulumi.Context) error {
		_, err := components.NewComputeStamp(ctx, "primary", args())
		return err
	})
	c := get(t, plan, cluster, "primary-aks").Inputs
	assert.JSONEq(t, `{"name":"Base","tier":"Standard"}`, asJSON(t, c["sku"]))
	pool := c["agentPoolProfiles"].([]any)[0].(map[string]any)
	assert.Equal(t, "System", pool["mode"])
	assert.Equal(t, "Standard_D4ds_v5", pool["vmSize"])
	assert.NotContains(t, pool, "availabilityZones", "no zones unless asked for and the region has them")
	assert.NotContains(t, c["aadProfile"], "adminGroupObjectIDs")
	assert.Empty(t, plan.Find(pe), "no private endpoint without CosmosAccountID")

	for name, change := range map[string]func(*components.ComputeStampArgs){
		"public API server without ranges": func(a *components.ComputeStampArgs) { a.Spec.APIServer = components.APIServerAccess{} },
		"private endpoint without subnet":  func(a *components.ComputeStampArgs) { a.CosmosAccountID = pulumi.String("/acct") },
		"no node pools":                    func(a *components.ComputeStampArgs) { a.Spec.NodePools = nil },
	} {
		a := args()
		change(a)
		_, err := render.Run("args", nil, func(ctx *pulumi.Context) (pulumi.Map, error) {
			_, err := components.NewComputeStamp(ctx, "primary", a)
			return pulumi.Map{}, err
		})
		assert.ErrorContains(t, err, "compute stamp: ", name)
	}
}
