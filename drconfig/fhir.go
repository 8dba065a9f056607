package drconfig

import (
	"fmt"
	"github.com/fhir-dr/fhir-dr/azure/armid"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// FHIR is the FHIR server workload. One value of it is deployed to both
// compute stamps, so the standby runs exactly the primary's settings; only
// the replica count, the region and the preferred Cosmos DB region differ.
type FHIR struct {
	// Image is the container image repository, without tag.
	Image string `json:"image"`
	// Version is the image tag, or a sha256 digest. A moving tag such as
	// "latest" is refused: the two clusters pull at different times and would
	// run different builds.
	Version string `json:"version"`
	// FHIRVersion is the FHIR release the server speaks.
	FHIRVersion string `json:"fhirVersion"`
	// Auth is the OAuth 2.0 authority and audience the server validates tokens
	// against.
	Auth FHIRAuth `json:"auth"`
	// SmartProxy turns on the server's SMART on FHIR proxy for Entra ID.
	SmartProxy bool `json:"smartProxy"`
	// CORS lets browser applications of the listed origins call the server.
	CORS FHIRCORS `json:"cors"`
	// Export turns on $export to a storage account.
	Export FHIRExport `json:"export"`
	// ConvertData turns on $convert-data with templates from a container
	// registry.
	ConvertData FHIRConvertData `json:"convertData"`
	// Replicas are the pod counts of the primary and the warm standby.
	Replicas FHIRReplicas `json:"replicas"`
	// Resources are each pod's CPU and memory requests and limits.
	Resources FHIRResources `json:"resources"`
	// TLS names the certificate the server presents.
	TLS FHIRTLS `json:"tls"`
}

// FHIRAuth is the server's token validation.
type FHIRAuth struct {
	// Authority is the token issuer's https URL, e.g.
	// https://login.microsoftonline.com/<tenant>.
	Authority string `json:"authority"`
	// Audience is the audience tokens must carry, usually the FHIR service's
	// URL or application ID URI.
	Audience string `json:"audience"`
}

// FHIRCORS is the server's CORS policy.
type FHIRCORS struct {
	// Origins are the allowed origins, such as https://app.contoso.com.
	Origins []string `json:"origins"`
	// Methods are the allowed HTTP methods.
	Methods []string `json:"methods"`
	// Headers are the allowed request headers, or "*".
	Headers []string `json:"headers"`
	// MaxAge is how long, in seconds, browsers may cache a preflight answer.
	MaxAge *int `json:"maxAge"`
}

// FHIRExport configures $export.
type FHIRExport struct {
	// StorageAccountID is the ARM ID of the storage account exports are
	// written to. The workload's identity is granted Storage Blob Data
	// Contributor on it.
	StorageAccountID string `json:"storageAccountId"`
}

// FHIRConvertData configures $convert-data.
type FHIRConvertData struct {
	// RegistryID is the ARM ID of the Azure container registry that holds the
	// conversion templates. The workload's identity is granted AcrPull on it.
	RegistryID string `json:"registryId"`
}

// FHIRReplicas are the pod counts of the two stamps. The horizontal pod
// autoscaler keeps each stamp at or above its count and scales either up
// to Max under load, which is how the standby grows when it takes over.
type FHIRReplicas struct {
	// Primary is the primary stamp's pod count.
	Primary int `json:"primary"`
	// Standby is the warm standby's pod count, 1 to Primary.
	Standby int `json:"standby"`
	// Max is the autoscaler's ceiling in either stamp, Primary to 100.
	Max int `json:"max"`
}

// FHIRResources are a pod's requests and limits.
type FHIRResources struct {
	// Requests are what the scheduler reserves.
	Requests FHIRQuantities `json:"requests"`
	// Limits are the most a pod may use.
	Limits FHIRQuantities `json:"limits"`
}

// FHIRQuantities are Kubernetes CPU and memory quantities.
type FHIRQuantities struct {
	// CPU is cores ("2", "0.5") or millicores ("500m").
	CPU string `json:"cpu"`
	// Memory is bytes with an optional suffix ("4Gi", "512Mi").
	Memory string `json:"memory"`
}

// FHIRTLS is the server certificate.
type FHIRTLS struct {
	// SecretName is the Kubernetes TLS secret (tls.crt, tls.key) in the fhir
	// namespace that the server presents on port 443. The platform's
	// certificate pipeline puts it into both clusters; fhir-dr never holds a
	// private key.
	SecretName string `json:"secretName"`
}

const (
	fhirReplicasKey            = "fhir.replicas"
	fhirResourcesKey           = "fhir.resources"
	fhirStorageAccountProvider = "Microsoft.Storage/storageAccounts"
	fhirRegistryProvider       = "Microsoft.ContainerRegistry/registries"
)

var (
	tagPattern    = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$`)
	digestPattern = regexp.MustCompile(`^sha256:[a-f0-9]{64}$`)
	cpuPattern    = regexp.MustCompile(`^([0-9]+)(m|\.[0-9]{1,3})?$`)
	memoryPattern = regexp.MustCompile(`^([0-9]+)(Ki|Mi|Gi|Ti|k|M|G|T)?$`)
	movingTags    = []string{"latest", "main", "master", "stable", "edge", "nightly"}
)

// validateFHIR checks the FHIR workload. Its settings are checked in every
// tier, so that a mistake shows before the full tier is switched on, but
// the required ones are required only where a workload is deployed.
func (c *Config) validateFHIR(ps *problems) {
	f := c.FHIR
	switch {
	case f.Version == "":
	case slices.Contains(movingTags, strings.ToLower(f.Version)):
		ps.add(key("fhir.version"), "%q is a moving tag: pin a version or a sha256 digest, so both regions run the same build", f.Version)
	case strings.HasPrefix(f.Version, "sha256:") && !digestPattern.MatchString(f.Version):
		ps.add(key("fhir.version"), "a digest is sha256: and 64 lowercase hex digits, got %q", f.Version)
	case !strings.HasPrefix(f.Version, "sha256:") && !tagPattern.MatchString(f.Version):
		ps.add(key("fhir.version"), "must be an image tag or a sha256 digest, got %q", f.Version)
	}
	c.validateFHIRAuth(ps)
	validateCORS(ps, f.CORS)
	if id := f.Export.StorageAccountID; id != "" {
		if _, ok := ResourceName(id, fhirStorageAccountProvider); !ok {
			ps.add(key("fhir.export.storageAccountId"), "must be a storage account ID, %s, got %q",
				armid.Format(fhirStorageAccountProvider), id)
		}
	}
	if id := f.ConvertData.RegistryID; id != "" {
		if _, ok := ResourceName(id, fhirRegistryProvider); !ok {
			ps.add(key("fhir.convertData.registryId"), "must be a container registry ID, %s, got %q",
				armid.Format(fhirRegistryProvider), id)
		}
	}
	validateReplicas(ps, f.Replicas)
	validateResources(ps, f.Resources)
}

func (c *Config) validateFHIRAuth(ps *problems) {
	a := c.FHIR.Auth
	switch u, err := url.Parse(a.Authority); {
	case a.Authority == "":
	case err != nil || u.Scheme != "https" || u.Host == "":
		ps.add(key("fhir.auth.authority"), "must be an https URL such as https://login.microsoftonline.com/<tenant>, got %q", a.Authority)
	}
}

func validateCORS(ps *problems, cors FHIRCORS) {
	for i, o := range cors.Origins {
		at := key(fmt.Sprintf("fhir.cors.origins[%d]", i))
		if o == "*" {
			ps.add(at, "any origin (*) is refused for health data: list the applications' origins")
			continue
		}
		u, err := url.Parse(o)
		local := u != nil && (u.Hostname() == "localhost" || u.Hostname() == "127.0.0.1")
		if err != nil || u.Host == "" || u.Path != "" || u.RawQuery != "" || u.Fragment != "" ||
			!(u.Scheme == "https" || u.Scheme == "http" && local) {
			ps.add(at, "must be an origin such as https://app.example.com (http only for localhost), got %q", o)
		}
	}
}

func validateReplicas(ps *problems, r FHIRReplicas) {
	if r.Standby > r.Primary {
		ps.add(key(fhirReplicasKey+".standby"), "must not exceed the primary's %d, got %d", r.Primary, r.Standby)
	}
	if r.Max < r.Primary {
		ps.add(key(fhirReplicasKey+".max"), "must be at least the primary's %d, got %d", r.Primary, r.Max)
	}
}

func validateResources(ps *problems, r FHIRResources) {
	reqCPU, okReqCPU := milliCPU(r.Requests.CPU)
	limCPU, okLimCPU := milliCPU(r.Limits.CPU)
	reqMem, okReqMem := memoryBytes(r.Requests.Memory)
	limMem, okLimMem := memoryBytes(r.Limits.Memory)
	for _, q := range []struct {
		at, value, want string
		ok              bool
	}{
		{"requests.cpu", r.Requests.CPU, `cores or millicores such as "1" or "500m"`, okReqCPU},
		{"limits.cpu", r.Limits.CPU, `cores or millicores such as "2" or "1500m"`, okLimCPU},
		{"requests.memory", r.Requests.Memory, `bytes with a suffix such as "2Gi"`, okReqMem},
		{"limits.memory", r.Limits.Memory, `bytes with a suffix such as "4Gi"`, okLimMem},
	} {
		if !q.ok {
			ps.add(key(fhirResourcesKey+"."+q.at), "must be a positive quantity, %s, got %q", q.want, q.value)
		}
	}
	if okReqCPU && okLimCPU && reqCPU > limCPU {
		ps.add(key(fhirResourcesKey+".requests.cpu"), "%s exceeds the limit %s", r.Requests.CPU, r.Limits.CPU)
	}
	if okReqMem && okLimMem && reqMem > limMem {
		ps.add(key(fhirResourcesKey+".requests.memory"), "%s exceeds the limit %s", r.Requests.Memory, r.Limits.Memory)
	}
}

// milliCPU parses a Kubernetes CPU quantity into millicores.
func milliCPU(q string) (int64, bool) {
	m := cpuPattern.FindStringSubmatch(q)
	if m == nil {
		return 0, false
	}
	whole, err := strconv.ParseInt(m[1], 10, 64)
	if err != nil {
		return 0, false
	}
	var milli int64
	switch {
	case m[2] == "m":
		milli = whole
	case m[2] == "":
		milli = whole * 1000
	default:
		frac := (m[2][1:] + "00")[:3]
		f, _ := strconv.ParseInt(frac, 10, 64)
		milli = whole*1000 + f
	}
	return milli, milli > 0
}

// memoryBytes parses a Kubernetes memory quantity into bytes.
func memoryBytes(q string) (int64, bool) {
	m := memoryPattern.FindStringSubmatch(q)
	if m == nil {
		return 0, false
	}
	n, err := strconv.ParseInt(m[1], 10, 64)
	if err != nil {
		return 0, false
	}
	scale := map[string]int64{"": 1, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12,
		"Ki": 1 << 10, "Mi": 1 << 20, "Gi": 1 << 30, "Ti": 1 << 40}[m[2]]
	return n * scale, n > 0
}

// ImageRef is the image reference both stamps run: repository:tag, or
// repository@sha256:... for a digest.
func (f FHIR) ImageRef() string {
	if strings.HasPrefix(f.Version, "sha256:") {
		return f.Image + "@" + f.Version
	}
	return f.Image + ":" + f.Version
}

// ExportStorageURI is the blob endpoint of the export storage account, or
// "" when $export is off.
func (f FHIR) ExportStorageURI() string {
	name, ok := ResourceName(f.Export.StorageAccountID, fhirStorageAccountProvider)
	if !ok {
		return ""
	}
	return "https://" + name + ".blob.core.windows.net"
}

// ConvertDataRegistryServer is the login server of the $convert-data
// registry, or "" when $convert-data is off.
func (f FHIR) ConvertDataRegistryServer() string {
	name, ok := ResourceName(f.ConvertData.RegistryID, fhirRegistryProvider)
	if !ok {
		return ""
	}
	return strings.ToLower(name) + ".azurecr.io"
}

// ResourceName returns the name in an ARM resource ID of the given
// provider type, such as Microsoft.Storage/storageAccounts, and whether the
// ID has that form.
func ResourceName(id, providerType string) (string, bool) {
	r, err := armid.ParseType(id, providerType)
	if err != nil || !armid.IsUUID(r.Subscription) {
		return "", false
	}
	return r.Name(), true
}
