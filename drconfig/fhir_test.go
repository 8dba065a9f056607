package drconfig

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fhirJSON is a valid fhir setting with extra JSON members appended.
func fhirJSON(extra string) string {
	s := `{"version":"4.0.1","auth":{"authority":"https://login.microsoftonline.com/t","audience":"https://fhir.example"}`
	if extra != "" {
		s += "," + extra
	}
	return s + "}"
}

func fullTier(fhir string) map[string]string {
	return map[string]string{
		"fhir-dr:customer":      "acme",
		"fhir-dr:primaryRegion": "eastus",
		"fhir-dr:dr":            `{"enabled":true,"paging":{"actionGroupId":"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-platform-oncall/providers/Microsoft.Insights/actionGroups/ag-fhir-oncall"},"tier":"full","ticket":"SR-1"}`,
		"fhir-dr:compute":       `{"apiServer":{"private":true}}`,
		"fhir-dr:fhir":          fhir,
	}
}

func TestFHIRDefaults(t *testing.T) {
	c, err := Load("f", fullTier(fhirJSON("")))
	require.NoError(t, err)
	f := c.FHIR
	assert.Equal(t, "mcr.microsoft.com/healthcareapis/r4-fhir-server:4.0.1", f.ImageRef())
	assert.Equal(t, "R4", f.FHIRVersion)
	assert.False(t, f.SmartProxy)
	assert.Empty(t, f.CORS.Origins)
	assert.Nil(t, f.CORS.Methods, "no CORS defaults without origins")
	assert.Equal(t, FHIRReplicas{Primary: 3, Standby: 3, Max: 10}, f.Replicas, "the standby runs the primary's pods")
	assert.Equal(t, FHIRResources{
		Requests: FHIRQuantities{CPU: "1", Memory: "2Gi"},
		Limits:   FHIRQuantities{CPU: "2", Memory: "4Gi"},
	}, f.Resources)
	assert.Equal(t, "fhir-tls", f.TLS.SecretName)
	assert.Empty(t, f.ExportStorageURI())
	assert.Empty(t, f.ConvertDataRegistryServer())

	c, err = Load("f", fullTier(fhirJSON(`"version":"sha256:`+strings.Repeat("ab", 32)+`",`+
		`"cors":{"origins":["https://app.example","http://localhost:3000"]},`+
		`"export":{"storageAccountId":"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/stexport"},`+
		`"convertData":{"registryId":"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/AcrTemplates"},`+
		`"replicas":{"primary":12}`)))
	require.NoError(t, err)
	f = c.FHIR
	assert.Equal(t, "mcr.microsoft.com/healthcareapis/r4-fhir-server@sha256:"+strings.Repeat("ab", 32), f.ImageRef())
	assert.Equal(t, []string{"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}, f.CORS.Methods)
	assert.Equal(t, []string{"*"}, f.CORS.Headers)
	assert.Equal(t, 1440, *f.CORS.MaxAge)
	assert.Equal(t, "https://stexport.blob.core.windows.net", f.ExportStorageURI())
	assert.Equal(t, "acrtemplates.azurecr.io", f.ConvertDataRegistryServer())
	assert.Equal(t, FHIRReplicas{Primary: 12, Standby: 12, Max: 12}, f.Replicas, "the ceiling is at least the primary's count")
}

// TestFHIRRequiredOnlyForFullTier: a data-tier stack needs no workload.
func TestFHIRRequiredOnlyForFullTier(t *testing.T) {
	_, err := Load("f", map[string]string{
		"fhir-dr:customer":      "acme",
		"fhir-dr:primaryRegion": "eastus",
		"fhir-dr:dr":            `{"enabled":true,"paging":{"actionGroupId":"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-platform-oncall/providers/Microsoft.Insights/actionGroups/ag-fhir-oncall"},"tier":"data","ticket":"SR-1"}`,
	})
	require.NoError(t, err)
}

// TestBadFHIRConfig lists, for each bad fhir setting, every problem the
// operator sees.
func TestBadFHIRConfig(t *testing.T) {
	for _, tc := range []struct {
		name, fhir string
		want       []string
	}{
		{"missing", `{}`, []string{
			"fhir-dr:fhir.version: is required for the full tier: the image tag or sha256 digest the primary runs",
			"fhir-dr:fhir.auth.authority: is required for the full tier: the token issuer the primary FHIR service trusts",
			"fhir-dr:fhir.auth.audience: is required for the full tier: the audience tokens for the FHIR service carry",
		}},
		{"unknown keys", fhirJSON(`"replica":{"primary":2},"cors":{"origin":["https://a.example"]}`), []string{
			`fhir-dr:fhir.cors.origin: unknown key (did you mean "origins"?)`,
			`fhir-dr:fhir.replica: unknown key (did you mean "replicas"?)`,
		}},
		{"moving tag", fhirJSON(`"version":"latest"`), []string{
			`fhir-dr:fhir.version: "latest" is a moving tag: pin a version or a sha256 digest, so both regions run the same build`,
		}},
		{"bad digest and image", fhirJSON(`"version":"sha256:abc","image":"mcr.microsoft.com/x:1"`), []string{
			`fhir-dr:fhir.image: must be an image repository without tag, such as mcr.microsoft.com/healthcareapis/r4-fhir-server, got "mcr.microsoft.com/x:1"`,
			`fhir-dr:fhir.version: a digest is sha256: and 64 lowercase hex digits, got "sha256:abc"`,
		}},
		{"other FHIR release", fhirJSON(`"fhirVersion":"R5"`), []string{
			`fhir-dr:fhir.fhirVersion: must be R4, got "R5": the Cosmos DB container is fhirR4; another release is a data migration, not a setting`,
		}},
		{"http authority", fhirJSON(`"auth":{"authority":"http://login.example","audience":"a"}`), []string{
			`fhir-dr:fhir.auth.authority: must be an https URL such as https://login.microsoftonline.com/<tenant>, got "http://login.example"`,
		}},
		{"cors", fhirJSON(`"cors":{"origins":["*","https://a.example/path","http://b.example"],"methods":["GET","FETCH"],"headers":["X Bad"],"maxAge":90000}`), []string{
			`fhir-dr:fhir.cors.origins[0]: any origin (*) is refused for health data: list the applications' origins`,
			`fhir-dr:fhir.cors.origins[1]: must be an origin such as https://app.example.com (http only for localhost), got "https://a.example/path"`,
			`fhir-dr:fhir.cors.origins[2]: must be an origin such as https://app.example.com (http only for localhost), got "http://b.example"`,
			`fhir-dr:fhir.cors.methods[1]: must be GET, HEAD, POST, PUT, PATCH, DELETE or OPTIONS, got "FETCH"`,
			`fhir-dr:fhir.cors.headers[0]: must be a header name or *, got "X Bad"`,
			`fhir-dr:fhir.cors.maxAge: must be from 0 to 86400, got 90000`,
		}},
		{"cors without origins", fhirJSON(`"cors":{"maxAge":60}`), []string{
			`fhir-dr:fhir.cors.maxAge: applies only with fhir.cors.origins`,
		}},
		{"resource IDs", fhirJSON(`"export":{"storageAccountId":"stexport"},"convertData":{"registryId":"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/x"}`), []string{
			`fhir-dr:fhir.export.storageAccountId: must be a storage account ID, /subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.Storage/storageAccounts/<name>, got "stexport"`,
			`fhir-dr:fhir.convertData.registryId: must be a container registry ID, /subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.ContainerRegistry/registries/<name>, got "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/x"`,
		}},
		{"replicas", fhirJSON(`"replicas":{"primary":2,"standby":3,"max":200}`), []string{
			`fhir-dr:fhir.replicas.standby: must not exceed the primary's 2, got 3`,
			`fhir-dr:fhir.replicas.max: must be from 1 to 100, got 200`,
		}},
		{"no standby", fhirJSON(`"replicas":{"standby":-1}`), []string{
			`fhir-dr:fhir.replicas.standby: must be from 1 to 100, got -1`,
		}},
		{"resources", fhirJSON(`"resources":{"requests":{"cpu":"3","memory":"8Gi"},"limits":{"cpu":"two","memory":"4Gb"}}`), []string{
			`fhir-dr:fhir.resources.limits.cpu: must be a positive quantity, cores or millicores such as "2" or "1500m", got "two"`,
			`fhir-dr:fhir.resources.limits.memory: must be a positive quantity, bytes with a suffix such as "4Gi", got "4Gb"`,
		}},
		{"requests above limits", fhirJSON(`"resources":{"requests":{"cpu":"2500m","memory":"8Gi"},"limits":{"cpu":"2.5","memory":"4Gi"}}`), []string{
			`fhir-dr:fhir.resources.requests.memory: 8Gi exceeds the limit 4Gi`,
		}},
		{"tls secret", fhirJSON(`"tls":{"secretName":"Fhir_TLS"}`), []string{
			`fhir-dr:fhir.tls.secretName: must be a Kubernetes name (lowercase letters, digits, hyphens), got "Fhir_TLS"`,
		}},
		{"wrong types", `{"version":4,"smartProxy":"yes","replicas":{"primary":"3"}}`, []string{
			"fhir-dr:fhir.replicas.primary: must be a whole number, got \"3\"",
			"fhir-dr:fhir.smartProxy: must be true or false, got \"yes\"",
			"fhir-dr:fhir.version: must be a string, got 4",
			"fhir-dr:fhir.version: is required for the full tier: the image tag or sha256 digest the primary runs",
			"fhir-dr:fhir.auth.authority: is required for the full tier: the token issuer the primary FHIR service trusts",
			"fhir-dr:fhir.auth.audience: is required for the full tier: the audience tokens for the FHIR service carry",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load("stacks/Pulumi.acme.yaml", fullTier(tc.fhir))
			var cfgErr *Error
			require.ErrorAs(t, err, &cfgErr)
			var got []string
			for _, p := range cfgErr.Problems {
				got = append(got, p.String())
			}
			assert.Equal(t, tc.want, got)
		})
	}
}

// TestFHIRProbe: the service serves HTTPS on 443 and its health check is
// the only path worth probing, so the probe must match; a TCP probe passes
// while the server is unhealthy, and the policy pack refuses it.
func TestFHIRProbe(t *testing.T) {
	values := fullTier(fhirJSON(""))
	values["fhir-dr:trafficManager"] = `{"probe":{"protocol":"HTTP","port":80}}`
	_, err := Load("f", values)
	require.EqualError(t, err, "f: 2 configuration problems:\n"+
		"  fhir-dr:trafficManager.probe.protocol: must be HTTPS: the FHIR service serves HTTPS only\n"+
		"  fhir-dr:trafficManager.probe.port: must be 443, got 80")
	values["fhir-dr:trafficManager"] = `{"probe":{"protocol":"TCP","path":"/metadata"}}`
	_, err = Load("f", values)
	require.EqualError(t, err, "f: 2 configuration problems:\n"+
		"  fhir-dr:trafficManager.probe.protocol: must be HTTPS: a TCP probe passes while the FHIR server is unhealthy; probe its health check\n"+
		"  fhir-dr:trafficManager.probe.path: must be /health/check, got \"/metadata\"")
	// A data-tier stack has no profile, but the same probe settings are
	// refused there too: they would be wrong the day it moves to full.
	values = map[string]string{"fhir-dr:customer": "acme", "fhir-dr:primaryRegion": "eastus",
		"fhir-dr:trafficManager": `{"probe":{"protocol":"TCP"}}`}
	_, err = Load("f", values)
	require.EqualError(t, err, "f: 1 configuration problem:\n"+
		"  fhir-dr:trafficManager.probe.protocol: must be HTTPS: a TCP probe passes while the FHIR server is unhealthy; probe its health check")
}

func TestQuantities(t *testing.T) {
	for q, want := range map[string]int64{"1": 1000, "500m": 500, "0.5": 500, "2.25": 2250, "1.1234": -1, "0": -1, "": -1, "1e3": -1} {
		got, ok := milliCPU(q)
		if want < 0 {
			assert.False(t, ok, q)
			continue
		}
		assert.True(t, ok, q)
		assert.Equal(t, want, got, q)
	}
	for q, want := range map[string]int64{"2Gi": 2 << 30, "512Mi": 512 << 20, "1G": 1e9, "100": 100, "0Gi": -1, "1.5Gi": -1} {
		got, ok := memoryBytes(q)
		if want < 0 {
			assert.False(t, ok, q)
			continue
		}
		assert.True(t, ok, q)
		assert.Equal(t, want, got, q)
	}
}
