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

func TestFHIRServiceDefaults(t *testing.T) {
	plan := renderComponent(t, func(ctx *pulumi.Context) error {
		stamp, err := components.NewComputeStamp(ctx, "primary", &components.ComputeStampArgs{
			Spec: components.ComputeSpec{
				KubernetesVersion: pulumi.String("1.33"),
				NodePools:         []components.NodePool{{Name: "system", Count: 1}},
				APIServer:         components.APIServerAccess{Private: true},
			},
			Customer: "acme", Role: "primary", Region: "eastus",
			Network:           components.StampNetwork{AddressSpace: pulumi.String("10.0.0.0/16"), NodeSubnet: pulumi.String("10.0.0.0/20")},
			ResourceGroupName: pulumi.String("rg"),
		})
		if err != nil {
			return err
		}
		_, err = components.NewFHIRService(ctx, "primary-fhir", &components.FHIRServiceArgs{
			Spec: components.FHIRSpec{
				Settings: components.FHIRSettings{
					Image:     pulumi.String("mcr.microsoft.com/healthcareapis/r4-fhir-server:4.0.1"),
					Authority: pulumi.String("https://login.microsoftonline.com/t"),
					Audience:  pulumi.String("https://fhir.example"),
					CORS:      components.FHIRCORS{Origins: []string{"https://app.example"}},
				},
				CosmosEndpoint:   pulumi.String("https://acct.documents.azure.com:443/"),
				CosmosAccountID:  pulumi.String("/acct"),
				Regions:          []string{"eastus"},
				IdentityClientID: pulumi.String("client"),
			},
			Stamp: stamp, Role: "primary", Replicas: 2,
		})
		return err
	})
	objs := workload(t, plan, "primary")
	pod := objs["kubernetes:apps/v1:Deployment::fhir-deployment"].Inputs["spec"].(map[string]any)["template"].(map[string]any)["spec"].(map[string]any)
	c := pod["containers"].([]any)[0].(map[string]any)
	assert.JSONEq(t, `{"requests":{"cpu":"1","memory":"2Gi"},"limits":{"cpu":"2","memory":"4Gi"}}`, asJSON(t, c["resources"]))
	assert.JSONEq(t, `[{"name":"tls","secret":{"secretName":"fhir-tls"}},{"name":"tmp","emptyDir":{"sizeLimit":"1Gi"}}]`, asJSON(t, pod["volumes"]))
	env := map[string]string{}
	for _, e := range c["env"].([]any) {
		m := e.(map[string]any)
		env[m["name"].(string)] = m["value"].(string)
	}
	assert.Equal(t, "GET", env["FhirServer__Cors__Methods__0"])
	assert.Equal(t, "*", env["FhirServer__Cors__Headers__0"])
	assert.Equal(t, "1440", env["FhirServer__Cors__MaxAge"])
	assert.Equal(t, "false", env["FhirServer__Operations__Export__Enabled"])
	hpa := objs["kubernetes:autoscaling/v2:HorizontalPodAutoscaler::fhir-hpa"].Inputs["spec"].(map[string]any)
	assert.EqualValues(t, 2, hpa["minReplicas"])
	assert.EqualValues(t, 10, hpa["maxReplicas"])
}
