package topology_test

import (
	"github.com/fhir-dr/fhir-dr/stackfile"
	"path/filepath"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fhir-dr/fhir-dr/azure/trafficmanager"
	"github.com/fhir-dr/fhir-dr/drconfig"
	"github.com/fhir-dr/fhir-dr/internal/render"
	"github.com/fhir-dr/fhir-dr/internal/topology"
	"github.com/fhir-dr/fhir-dr/program"
)

func resources(t *testing.T, customer string) []topology.Resource {
	t.Helper()
	values, err := drconfig.ReadStackFile(filepath.Join("..", "..", stackfile.Path(customer)))
	require.NoError(t, err)
	plan, err := render.Run(customer, values, program.Deploy)
	require.NoError(t, err)
	var out []topology.Resource
	for _, r := range plan.Resources {
		out = append(out, topology.Resource{Type: r.Type, Name: r.Name, Inputs: resource.NewPropertyMapFromMap(r.Inputs)})
	}
	return out
}

func TestFullTier(t *testing.T) {
	assert.Equal(t, `flowchart LR
  %% DR topology of contoso
  subgraph region_eastus["eastus (write region)"]
    cosmos_fhir_contoso_eastus[("Cosmos DB fhir-contoso<br/>writes, failover priority 0, zone-redundant")]
    aks_primary_aks["AKS aks-contoso-fhir-primary<br/>Kubernetes 1.33<br/>FHIR server r4-fhir-server:main-20260821-1<br/>4-12 pods"]
    ip_primary_ingress_ip[/"ingress IP<br/>contoso-fhir-primary"/]
  end
  subgraph region_westus["westus (read region)"]
    cosmos_fhir_contoso_westus[("Cosmos DB fhir-contoso<br/>read replica, failover priority 1")]
    aks_secondary_aks["AKS aks-contoso-fhir-secondary<br/>Kubernetes 1.33<br/>FHIR server r4-fhir-server:main-20260821-1<br/>2-12 pods"]
    ip_secondary_ingress_ip[/"ingress IP<br/>contoso-fhir-secondary"/]
  end
  tm_profile{{"Traffic Manager contoso-fhir.trafficmanager.net<br/>Priority routing, HTTPS /health/check<br/>TTL 60 s"}}
  cosmos_fhir_contoso_eastus -. replication .-> cosmos_fhir_contoso_westus
  ip_primary_ingress_ip --> aks_primary_aks
  ip_secondary_ingress_ip --> aks_secondary_aks
  tm_profile -- "priority 1, Enabled" --> ip_primary_ingress_ip
  tm_profile -. "priority 2, Enabled" .-> ip_secondary_ingress_ip
`, topology.Mermaid("contoso", resources(t, "contoso")))
}

func TestDataTierAndNoDR(t *testing.T) {
	assert.Equal(t, `flowchart LR
  %% DR topology of litware
  subgraph region_uksouth["uksouth (write region)"]
    cosmos_fhir_litware_uksouth[("Cosmos DB fhir-litware<br/>writes, failover priority 0, zone-redundant")]
  end
  subgraph region_ukwest["ukwest (read region)"]
    cosmos_fhir_litware_ukwest[("Cosmos DB fhir-litware<br/>read replica, failover priority 1")]
  end
  cosmos_fhir_litware_uksouth -. replication .-> cosmos_fhir_litware_ukwest
`, topology.Mermaid("litware", resources(t, "litware")))
	assert.Equal(t, `flowchart LR
  %% DR topology of adatum
  subgraph region_eastus2["eastus2 (write region)"]
    cosmos_fhir_adatum_eastus2[("Cosmos DB fhir-adatum<br/>writes, failover priority 0, zone-redundant")]
  end
`, topology.Mermaid("adatum", resources(t, "adatum")))
}

// Values not known before deployment are said to be so; quotes are escaped.
func TestUnknownsAndEscaping(t *testing.T) {
	got := topology.Mermaid("x", []topology.Resource{{
		Type: trafficmanager.ProfileToken, Name: "profile",
		Inputs: resource.PropertyMap{
			"dnsConfig":            resource.NewProperty(resource.PropertyMap{"relativeName": resource.NewProperty(`a"b`)}),
			"trafficRoutingMethod": resource.MakeComputed(resource.NewProperty("")),
			// The engine's events and serialized inputs carry an unknown
			// as this sentinel string.
			"monitorConfig": resource.NewProperty(resource.PropertyMap{"protocol": resource.NewProperty("04da6b54-80e4-46f7-96ec-b56ff0331ba9")}),
		},
	}})
	assert.Contains(t, got, `tm_profile{{"Traffic Manager a#quot;b.trafficmanager.net<br/>(known after deploy) routing, (known after deploy) <br/>TTL  s"}}`)
}
