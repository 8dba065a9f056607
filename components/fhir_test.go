package components_test

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fhir-dr/fhir-dr/internal/render"
)

// flatten maps every leaf of v to its path, e.g. spec.ports[0].port.
func flatten(prefix string, v any, out map[string]any) {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			p := k
			if prefix != "" {
				p = prefix + "." + k
			}
			flatten(p, e, out)
		}
	case []any:
		for i, e := range t {
			flatten(fmt.Sprintf("%s[%d]", prefix, i), e, out)
		}
	default:
		out[prefix] = v
	}
}

// workload returns the Kubernetes objects of one stamp's FHIR service,
// keyed by type and name without the role prefix.
func workload(t *testing.T, plan *render.Plan, role string) map[string]render.Resource {
	t.Helper()
	parent := get(t, plan, "fhir-dr:index:FHIRService", role+"-fhir").URN
	out := map[string]render.Resource{}
	for _, r := range plan.Resources {
		if r.Parent == parent {
			out[r.Type+"::"+strings.TrimPrefix(r.Name, role+"-")] = r
		}
	}
	return out
}

// TestStandbyMirrorsPrimary proves the warm standby runs the primary's
// settings: every input of every Kubernetes object is the same in both
// stamps except the cluster (region), the preferred Cosmos DB region, the
// stamp's own ingress IP and group, and the replica floor.
func TestStandbyMirrorsPrimary(t *testing.T) {
	for _, stack := range []string{"contoso", "fabrikam", "northwind", "tailspin"} {
		t.Run(stack, func(t *testing.T) {
			plan := renderStack(t, stack)
			primary, standby := workload(t, plan, "primary"), workload(t, plan, "secondary")
			require.Len(t, primary, 7)
			require.Equal(t, slices.Sorted(maps.Keys(primary)), slices.Sorted(maps.Keys(standby)))
			var differ []string
			for key, p := range primary {
				a, b := map[string]any{}, map[string]any{}
				flatten("", p.Inputs, a)
				flatten("", standby[key].Inputs, b)
				for path := range union(a, b) {
					if fmt.Sprint(a[path]) != fmt.Sprint(b[path]) {
						differ = append(differ, key+" "+path)
					}
				}
			}
			// Name env entries by variable rather than by index.
			env := map[string]any{}
			flatten("", primary["kubernetes:apps/v1:Deployment::fhir-deployment"].Inputs, env)
			for i, d := range differ {
				if m := envIndex.FindStringSubmatch(d); m != nil {
					differ[i] = strings.Replace(d, "env["+m[1]+"]", fmt.Sprintf("env[%v]", env["spec.template.spec.containers[0].env["+m[1]+"].name"]), 1)
				}
			}
			// The replica floor may differ (fhir.replicas.standby), never
			// upwards.
			const floor = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler::fhir-hpa spec.minReplicas"
			differ = slices.DeleteFunc(differ, func(d string) bool { return d == floor })
			hpa := "kubernetes:autoscaling/v2:HorizontalPodAutoscaler::fhir-hpa"
			pf, sf := map[string]any{}, map[string]any{}
			flatten("", primary[hpa].Inputs, pf)
			flatten("", standby[hpa].Inputs, sf)
			assert.LessOrEqual(t, sf["spec.minReplicas"], pf["spec.minReplicas"])
			sort.Strings(differ)
			assert.Equal(t, []string{
				"kubernetes:apps/v1:Deployment::fhir-deployment spec.template.spec.containers[0].env[CosmosDb__PreferredLocations__0].value",
				"kubernetes:apps/v1:Deployment::fhir-deployment spec.template.spec.containers[0].env[CosmosDb__PreferredLocations__1].value",
				"kubernetes:core/v1:Service::fhir-service metadata.annotations.service.beta.kubernetes.io/azure-load-balancer-resource-group",
				"kubernetes:core/v1:Service::fhir-service metadata.annotations.service.beta.kubernetes.io/azure-pip-name",
				"pulumi:providers:kubernetes::k8s kubeconfig",
			}, differ)
		})
	}
}

var envIndex = regexp.MustCompile(`env\[(\d+)\]`)

func union(a, b map[string]any) map[string]bool {
	out := map[string]bool{}
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}

// TestFHIRWorkload checks the exact Kubernetes objects and Azure grants of
// contoso's FHIR service.
func TestFHIRWorkload(t *testing.T) {
	plan := renderStack(t, "contoso")
	objs := workload(t, plan, "secondary")

	clusterURN := get(t, plan, cluster, "secondary-aks").URN
	for key, obj := range objs {
		if strings.HasPrefix(key, "kubernetes:") {
			assert.Equal(t, clusterURN, obj.DeletedWith, "%s goes with its cluster", key)
		}
	}
	primaryEnv := map[string]any{}
	flatten("", workload(t, plan, "primary")["kubernetes:apps/v1:Deployment::fhir-deployment"].Inputs, primaryEnv)
	assert.Equal(t, "CosmosDb__PreferredLocations__0", primaryEnv["spec.template.spec.containers[0].env[11].name"])
	assert.Equal(t, "eastus", primaryEnv["spec.template.spec.containers[0].env[11].value"], "the primary reads from its own region first")

	deployment := objs["kubernetes:apps/v1:Deployment::fhir-deployment"]
	assert.Equal(t, "4.32.0", deployment.Version)
	spec := deployment.Inputs["spec"].(map[string]any)
	assert.NotContains(t, spec, "replicas", "the autoscaler owns the replica count")
	pod := spec["template"].(map[string]any)
	assert.JSONEq(t, `{"labels":{"app.kubernetes.io/name":"fhir-server","azure.workload.identity/use":"true"}}`, asJSON(t, pod["metadata"]))
	podSpec := pod["spec"].(map[string]any)
	assert.Equal(t, "fhir-server", podSpec["serviceAccountName"])
	assert.JSONEq(t, `{"runAsNonRoot":true,"runAsUser":1654,"runAsGroup":1654,"seccompProfile":{"type":"RuntimeDefault"}}`,
		asJSON(t, podSpec["securityContext"]))
	assert.JSONEq(t, `[{"name":"tls","secret":{"secretName":"fhir-tls"}},{"name":"tmp","emptyDir":{"sizeLimit":"1Gi"}}]`,
		asJSON(t, podSpec["volumes"]))
	c := podSpec["containers"].([]any)[0].(map[string]any)
	assert.Equal(t, "mcr.microsoft.com/healthcareapis/r4-fhir-server:main-20260821-1", c["image"])
	assert.JSONEq(t, `[{"name":"https","containerPort":8443,"protocol":"TCP"}]`, asJSON(t, c["ports"]))
	probe := func(period, timeout, failures int) string {
		return fmt.Sprintf(`{"httpGet":{"path":"/health/check","port":"https","scheme":"HTTPS"},"periodSeconds":%d,"timeoutSeconds":%d,"failureThreshold":%d}`,
			period, timeout, failures)
	}
	assert.JSONEq(t, probe(10, 5, 3), asJSON(t, c["readinessProbe"]))
	assert.JSONEq(t, probe(30, 20, 6), asJSON(t, c["livenessProbe"]))
	assert.JSONEq(t, `{"requests":{"cpu":"1","memory":"2Gi"},"limits":{"cpu":"2","memory":"4Gi"}}`, asJSON(t, c["resources"]))
	// The root file system is read-only; the server writes only to /tmp
	// (request bodies Kestrel buffers, the .NET runtime's diagnostics).
	assert.JSONEq(t, `{"allowPrivilegeEscalation":false,"capabilities":{"drop":["ALL"]},"readOnlyRootFilesystem":true}`,
		asJSON(t, c["securityContext"]))
	assert.JSONEq(t, `[{"name":"tls","mountPath":"/certs","readOnly":true},{"name":"tmp","mountPath":"/tmp"}]`, asJSON(t, c["volumeMounts"]))

	env := map[string]string{}
	var order []string
	for _, e := range c["env"].([]any) {
		m := e.(map[string]any)
		env[m["name"].(string)] = m["value"].(string)
		order = append(order, m["name"].(string))
	}
	account := get(t, plan, account, "account").ID
	assert.Equal(t, map[string]string{
		"ASPNETCORE_URLS": "https://+:8443",
		"ASPNETCORE_Kestrel__Certificates__Default__Path":    "/certs/tls.crt",
		"ASPNETCORE_Kestrel__Certificates__Default__KeyPath": "/certs/tls.key",
		"DataStore":                                                        "CosmosDb",
		"CosmosDb__Host":                                                   "https://fhir-contoso.documents.azure.com:443/",
		"CosmosDb__DatabaseId":                                             "health",
		"CosmosDb__UseManagedIdentity":                                     "true",
		"CosmosDb__AllowDatabaseCreation":                                  "false",
		"CosmosDb__AllowCollectionSetup":                                   "true",
		"FhirServer__ResourceManager__DataStoreResourceId":                 account,
		"FhirServer__CosmosDb__CollectionId":                               "fhirR4",
		"CosmosDb__PreferredLocations__0":                                  "westus",
		"CosmosDb__PreferredLocations__1":                                  "eastus",
		"FhirServer__Security__Enabled":                                    "true",
		"FhirServer__Security__Authentication__Authority":                  "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47",
		"FhirServer__Security__Authentication__Audience":                   "https://contoso-fhir.trafficmanager.net",
		"FhirServer__Security__EnableAadSmartOnFhirProxy":                  "true",
		"FhirServer__Cors__Origins__0":                                     "https://portal.contoso-health.example",
		"FhirServer__Cors__Methods__0":                                     "GET",
		"FhirServer__Cors__Methods__1":                                     "POST",
		"FhirServer__Cors__Methods__2":                                     "PUT",
		"FhirServer__Cors__Methods__3":                                     "PATCH",
		"FhirServer__Cors__Methods__4":                                     "DELETE",
		"FhirServer__Cors__Methods__5":                                     "OPTIONS",
		"FhirServer__Cors__Headers__0":                                     "*",
		"FhirServer__Cors__MaxAge":                                         "600",
		"FhirServer__Operations__Export__Enabled":                          "true",
		"FhirServer__Operations__Export__StorageAccountUri":                "https://stcontosofhirexport.blob.core.windows.net",
		"FhirServer__Operations__ConvertData__Enabled":                     "true",
		"FhirServer__Operations__ConvertData__ContainerRegistryServers__0": "acrcontosotemplates.azurecr.io",
	}, env)
	assert.Equal(t, []string{"ASPNETCORE_URLS", "ASPNETCORE_Kestrel__Certificates__Default__Path"}, order[:2])
	assert.NotContains(t, env, "CosmosDb__Key", "no keys: local auth is off")

	service := objs["kubernetes:core/v1:Service::fhir-service"]
	assert.JSONEq(t, `{
		"metadata":{"name":"fhir-server","namespace":"fhir","labels":{"app.kubernetes.io/name":"fhir-server"},
			"annotations":{"service.beta.kubernetes.io/azure-load-balancer-resource-group":"rg-contoso-fhir-dr-westus",
				"service.beta.kubernetes.io/azure-pip-name":"pip-contoso-fhir-secondary-ingress"}},
		"spec":{"type":"LoadBalancer","selector":{"app.kubernetes.io/name":"fhir-server"},
			"ports":[{"name":"https","port":443,"targetPort":"https","protocol":"TCP"}]},
		"apiVersion":"v1","kind":"Service"}`, asJSON(t, service.Inputs))
	assert.Equal(t, "pip-contoso-fhir-secondary-ingress", get(t, plan, publicIP, "secondary-ingress-ip").Inputs["publicIpAddressName"],
		"the Service claims the Traffic Manager endpoint's IP")

	assert.JSONEq(t, `{"apiVersion":"policy/v1","kind":"PodDisruptionBudget",
		"metadata":{"name":"fhir-server","namespace":"fhir","labels":{"app.kubernetes.io/name":"fhir-server"}},
		"spec":{"maxUnavailable":1,"selector":{"matchLabels":{"app.kubernetes.io/name":"fhir-server"}}}}`,
		asJSON(t, objs["kubernetes:policy/v1:PodDisruptionBudget::fhir-pdb"].Inputs))
	hpaSpec := objs["kubernetes:autoscaling/v2:HorizontalPodAutoscaler::fhir-hpa"].Inputs["spec"]
	assert.JSONEq(t, `{"scaleTargetRef":{"apiVersion":"apps/v1","kind":"Deployment","name":"fhir-server"},
		"minReplicas":2,"maxReplicas":12,
		"metrics":[{"type":"Resource","resource":{"name":"cpu","target":{"type":"Utilization","averageUtilization":60}}}],
		"behavior":{"scaleUp":{"stabilizationWindowSeconds":0,"selectPolicy":"Max","policies":[
			{"type":"Percent","value":100,"periodSeconds":15},{"type":"Pods","value":4,"periodSeconds":15}]}}}`, asJSON(t, hpaSpec))
	assert.Equal(t, 4.0, workload(t, plan, "primary")["kubernetes:autoscaling/v2:HorizontalPodAutoscaler::fhir-hpa"].Inputs["spec"].(map[string]any)["minReplicas"])

	idn := get(t, plan, identity, "fhir-identity")
	sa := objs["kubernetes:core/v1:ServiceAccount::fhir-service-account"]
	assert.JSONEq(t, `{"name":"fhir-server","namespace":"fhir","labels":{"app.kubernetes.io/name":"fhir-server"},
		"annotations":{"azure.workload.identity/client-id":"`+clientID(t, plan, idn)+`"}}`, asJSON(t, sa.Inputs["metadata"]))
	ns := objs["kubernetes:core/v1:Namespace::fhir-namespace"]
	assert.JSONEq(t, `{"name":"fhir","labels":{"pod-security.kubernetes.io/enforce":"restricted","app.kubernetes.io/part-of":"fhir-dr"}}`,
		asJSON(t, ns.Inputs["metadata"]))

	// The provider uses the cluster user's Entra ID kubeconfig, switched to
	// the pipeline's Azure CLI login; no admin credential.
	provider := objs["pulumi:providers:kubernetes::k8s"]
	assert.Equal(t, "true", fmt.Sprint(provider.Inputs["enableServerSideApply"]))
	assert.Equal(t, "true", fmt.Sprint(provider.Inputs["skipUpdateUnreachable"]))
	kubeconfig := fmt.Sprint(provider.Inputs["kubeconfig"])
	assert.Contains(t, kubeconfig, "name: aks-contoso-fhir-secondary")
	assert.Contains(t, kubeconfig, "command: kubelogin")
	assert.Contains(t, kubeconfig, "- azurecli")
	assert.NotContains(t, kubeconfig, "devicecode")
	assert.NotContains(t, kubeconfig, "client-certificate")
}

// clientID is the fake client ID of the identity, as azurefake computes it.
func clientID(t *testing.T, plan *render.Plan, idn render.Resource) string {
	t.Helper()
	for _, r := range plan.Resources {
		if r.Type == svcAcct {
			a := r.Inputs["metadata"].(map[string]any)["annotations"].(map[string]any)
			id := a["azure.workload.identity/client-id"].(string)
			require.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-`, id)
			return id
		}
	}
	t.Fatalf("no service account for %s", idn.Name)
	return ""
}

// TestWorkloadIdentityGrants checks the identity, its federated
// credentials and every grant.
func TestWorkloadIdentityGrants(t *testing.T) {
	plan := renderStack(t, "contoso")
	assert.JSONEq(t, asJSON(t, map[string]any{
		"resourceName": "id-contoso-fhir", "resourceGroupName": "rg-contoso-fhir-eastus", "location": "eastus",
		"tags": tags("contoso", "SR-100234", "full", "primary", "fhir-dr-full", "2", map[string]any{"cost-center": "4711"}),
	}), asJSON(t, get(t, plan, identity, "fhir-identity").Inputs))

	primaryFed := get(t, plan, federated, "aks-contoso-fhir-primary-federation")
	secondaryFed := get(t, plan, federated, "aks-contoso-fhir-secondary-federation")
	for role, fed := range map[string]render.Resource{"primary": primaryFed, "secondary": secondaryFed} {
		region := map[string]string{"primary": "eastus", "secondary": "westus"}[role]
		assert.Equal(t, "aks-contoso-fhir-"+role, fed.Inputs["federatedIdentityCredentialResourceName"])
		assert.Equal(t, "id-contoso-fhir", fed.Inputs["resourceName"])
		assert.Equal(t, "system:serviceaccount:fhir:fhir-server", fed.Inputs["subject"])
		assert.Equal(t, []any{"api://AzureADTokenExchange"}, fed.Inputs["audiences"])
		assert.Regexp(t, `^https://`+region+`\.oic\.prod-aks\.azure\.com/`, fed.Inputs["issuer"], "the cluster's own issuer")
	}

	accountID := get(t, plan, account, "account").ID
	data := get(t, plan, sqlRole, "fhir-cosmos-data")
	assert.Equal(t, accountID, data.Inputs["scope"])
	assert.Equal(t, accountID+"/sqlRoleDefinitions/00000000-0000-0000-0000-000000000002", data.Inputs["roleDefinitionId"])
	assert.Equal(t, "fhir-contoso", data.Inputs["accountName"])
	assert.Equal(t, "rg-contoso-fhir-eastus", data.Inputs["resourceGroupName"])
	assert.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, data.Inputs["roleAssignmentId"])

	// The data-plane grant lives under the account, which the data lock
	// guards: it is retained rather than deleted when the full tier goes,
	// and named after the identity, so a new identity never meets it.
	assert.True(t, data.RetainOnDelete)
	assert.False(t, data.Protect)

	// No control-plane role on the account: the internet-facing identity
	// cannot change or delete it (no Cosmos DB Operator). The server's
	// container setup (stored procedures and container settings, which the
	// data plane does not cover) gets a custom role with exactly those
	// actions, and no delete.
	sub := "/subscriptions/00000000-0000-0000-0000-000000000000"
	defs := plan.Find(roleDef)
	require.Len(t, defs, 1)
	def := defs[0]
	assert.Equal(t, "fhir-container-setup", def.Name)
	setupRole := def.Inputs["roleDefinitionId"].(string)
	assert.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, setupRole)
	assert.JSONEq(t, asJSON(t, map[string]any{
		"roleDefinitionId": setupRole,
		"roleName":         "fhir-dr FHIR container setup (contoso)",
		"description": "The FHIR server's container setup (microsoft/fhir-server ResourceManagerCollectionSetup): read the account, " +
			"create and update the fhirR4 container and its stored procedures. Nothing else: no account change, no delete, no keys.",
		"roleType":         "CustomRole",
		"scope":            sub + "/resourceGroups/rg-contoso-fhir-eastus",
		"assignableScopes": []string{sub + "/resourceGroups/rg-contoso-fhir-eastus"},
		"permissions": []any{map[string]any{"actions": []string{
			"Microsoft.DocumentDB/databaseAccounts/read",
			"Microsoft.DocumentDB/databaseAccounts/sqlDatabases/read",
			"Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers/read",
			"Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers/write",
			"Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers/storedProcedures/read",
			"Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers/storedProcedures/write",
		}}},
	}), asJSON(t, def.Inputs))

	grants := map[string][2]string{}
	for _, r := range plan.Find(armRole) {
		assert.Equal(t, "ServicePrincipal", r.Inputs["principalType"], r.Name)
		def := r.Inputs["roleDefinitionId"].(string)
		require.True(t, strings.HasPrefix(def, sub+"/providers/Microsoft.Authorization/roleDefinitions/"), def)
		grants[r.Name] = [2]string{def[strings.LastIndex(def, "/")+1:], r.Inputs["scope"].(string)}
	}
	assert.Equal(t, map[string][2]string{
		"primary-ingress-ip-network-contributor":   {"4d97b98b-1d4f-4787-a291-c67834d212e7", get(t, plan, publicIP, "primary-ingress-ip").ID},
		"secondary-ingress-ip-network-contributor": {"4d97b98b-1d4f-4787-a291-c67834d212e7", get(t, plan, publicIP, "secondary-ingress-ip").ID},
		"fhir-cosmos-setup":                        {setupRole, sub + "/resourceGroups/rg-contoso-fhir-eastus"},
		"fhir-export": {"ba92f5b4-2d11-453d-a403-e96b0029c9fe",
			sub + "/resourceGroups/rg-contoso-exports/providers/Microsoft.Storage/storageAccounts/stcontosofhirexport"},
		"fhir-convert-data": {"7f951dda-4ed3-4680-a7ca-43fe172d538d",
			sub + "/resourceGroups/rg-contoso-templates/providers/Microsoft.ContainerRegistry/registries/acrcontosotemplates"},
	}, grants)
}
