package components

import (
	"errors"
	"fmt"
	"github.com/fhir-dr/fhir-dr/azure/regions"
	"github.com/fhir-dr/fhir-dr/naming"
	"strconv"

	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	appsv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apps/v1"
	autoscalingv2 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/autoscaling/v2"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	policyv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/policy/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/fhir-dr/fhir-dr/azure/containerservice"
	"github.com/fhir-dr/fhir-dr/drconfig"
	"github.com/fhir-dr/fhir-dr/internal/kubeconfig"
)

// Facts of the FHIR server container (microsoft/fhir-server: Dockerfile,
// appsettings.json) and of fhir-dr's deployment of it.
const (
	// FHIRAppName is the name of the FHIR server's Kubernetes objects.
	FHIRAppName = "fhir-server"
	// FHIRHealthPath is the server's anonymous health endpoint: 200 when
	// Healthy or Degraded, 503 when Unhealthy.
	FHIRHealthPath = "/health/check"
	// FHIRContainerPort is the HTTPS port Kestrel listens on in the pod.
	FHIRContainerPort = 8443
	// FHIRDatabase and FHIRContainer are the server's Cosmos DB database and
	// its R4 container.
	FHIRDatabase  = "health"
	FHIRContainer = "fhirR4"
	// fhirRunAsUser is the .NET base image's non-root user. The image names
	// its user, so the kubelet can check runAsNonRoot only with a number.
	fhirRunAsUser = 1654
	// fhirCertDir is where the TLS secret is mounted.
	fhirCertDir = "/certs"
	// fhirTempDir is the pod's only writable directory (the root file
	// system is read-only), and fhirTempSize its limit.
	fhirTempDir  = "/tmp"
	fhirTempSize = "1Gi"
	// fhirCPUTarget is the CPU utilisation the autoscaler holds.
	fhirCPUTarget = 60
)

// FHIRSettings are the FHIR server's own settings.
type FHIRSettings struct {
	// Image is the image reference the pods run: a repository with a pinned
	// tag or digest. Required.
	Image pulumi.StringInput
	// Authority is the https token issuer the server trusts. Required.
	Authority pulumi.StringInput
	// Audience is the audience tokens for the server carry. Required.
	Audience pulumi.StringInput
	// SmartProxy turns on the server's SMART on FHIR proxy for Entra ID.
	// Optional; defaults to false.
	SmartProxy bool
	// CORS lets browser applications of the listed origins call the
	// server. Optional; defaults to no CORS.
	CORS FHIRCORS
	// ExportStorageURI is the blob endpoint $export writes to, e.g.
	// https://<account>.blob.core.windows.net. Optional; $export is off
	// without it.
	ExportStorageURI string
	// ConvertDataRegistryServer is the login server $convert-data pulls
	// templates from, e.g. <registry>.azurecr.io. Optional; $convert-data is
	// off without it.
	ConvertDataRegistryServer string
	// MaxReplicas is the autoscaler's ceiling in either stamp. Optional;
	// defaults to 10.
	MaxReplicas pulumi.IntInput
	// Requests are each pod's reserved CPU and memory. Optional; defaults
	// to 1 CPU and 2Gi.
	Requests Quantities
	// Limits are the most a pod may use. Optional; defaults to 2 CPU and
	// 4Gi.
	Limits Quantities
	// TLSSecretName is the Kubernetes TLS secret (namespace fhir) the server
	// presents. Optional; defaults to fhir-tls.
	TLSSecretName pulumi.StringInput
}

// FHIRCORS is the server's CORS policy.
type FHIRCORS struct {
	// Origins are the allowed origins. Optional; no CORS without them.
	Origins []string
	// Methods are the allowed HTTP methods. Optional; defaults to GET,
	// POST, PUT, PATCH, DELETE and OPTIONS.
	Methods []string
	// Headers are the allowed request headers. Optional; defaults to "*".
	Headers []string
	// MaxAge is how long browsers may cache a preflight answer, in
	// seconds. Optional; defaults to 1440.
	MaxAge *int
}

// Quantities are Kubernetes CPU and memory quantities.
type Quantities struct {
	// CPU is cores ("2", "0.5") or millicores ("500m"). Optional; see the
	// field that holds it for the default.
	CPU pulumi.StringInput
	// Memory is bytes with an optional suffix ("4Gi"). Optional; see the
	// field that holds it for the default.
	Memory pulumi.StringInput
}

// The FHIR server's defaults.
const (
	DefaultFHIRMaxReplicas   = 10
	DefaultFHIRCPURequest    = "1"
	DefaultFHIRMemoryRequest = "2Gi"
	DefaultFHIRCPULimit      = "2"
	DefaultFHIRMemoryLimit   = "4Gi"
	DefaultFHIRTLSSecretName = "fhir-tls"
	DefaultCORSMaxAge        = 1440
)

// DefaultCORSMethods are the methods allowed when CORS origins are set.
var DefaultCORSMethods = []string{"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}

// withDefaults returns a copy of the settings with their defaults filled.
func (f FHIRSettings) withDefaults() FHIRSettings {
	if f.MaxReplicas == nil {
		f.MaxReplicas = pulumi.Int(DefaultFHIRMaxReplicas)
	}
	quantity := func(v pulumi.StringInput, def string) pulumi.StringInput {
		if v == nil {
			return pulumi.String(def)
		}
		return v
	}
	f.Requests.CPU = quantity(f.Requests.CPU, DefaultFHIRCPURequest)
	f.Requests.Memory = quantity(f.Requests.Memory, DefaultFHIRMemoryRequest)
	f.Limits.CPU = quantity(f.Limits.CPU, DefaultFHIRCPULimit)
	f.Limits.Memory = quantity(f.Limits.Memory, DefaultFHIRMemoryLimit)
	f.TLSSecretName = quantity(f.TLSSecretName, DefaultFHIRTLSSecretName)
	if len(f.CORS.Origins) > 0 {
		if f.CORS.Methods == nil {
			f.CORS.Methods = DefaultCORSMethods
		}
		if f.CORS.Headers == nil {
			f.CORS.Headers = []string{"*"}
		}
		if f.CORS.MaxAge == nil {
			maxAge := DefaultCORSMaxAge
			f.CORS.MaxAge = &maxAge
		}
	}
	return f
}

// FHIRSpec is what the primary and the standby FHIR service share. Both
// stamps' workloads are built from one value of it, so they cannot drift.
type FHIRSpec struct {
	// Settings are the server's settings. Required: Image, Authority and
	// Audience.
	Settings FHIRSettings
	// CosmosEndpoint is the account's document endpoint. Required.
	CosmosEndpoint pulumi.StringInput
	// CosmosAccountID is the account's ARM ID, for the server's setup step.
	// Required.
	CosmosAccountID pulumi.StringInput
	// Regions are the account's regions; each stamp prefers its own, then
	// the others in this order. Required.
	Regions []string
	// IdentityClientID is the workload identity's client ID. Required.
	IdentityClientID pulumi.StringInput
}

// FHIRServiceArgs are the inputs of NewFHIRService.
type FHIRServiceArgs struct {
	// Spec is the shared workload spec. Required.
	Spec FHIRSpec
	// Stamp is the compute stamp the service runs in. Required.
	Stamp *ComputeStamp
	// Role is primary or secondary, part of the resource names. Required.
	Role naming.Role
	// Replicas is the stamp's pod count, the autoscaler's floor. Required.
	Replicas int
	// DependsOn are resources the pods need before they start, such as the
	// workload identity's federated credentials. Optional.
	DependsOn []pulumi.Resource
}

// FHIRService is the FHIR server in one stamp's cluster: a namespace, the
// service account bound to the workload identity, the Deployment, the
// LoadBalancer Service on the stamp's DNS-labelled public IP (the Traffic
// Manager endpoint), a PodDisruptionBudget and a HorizontalPodAutoscaler.
type FHIRService struct {
	pulumi.ResourceState

	// Provider is the Kubernetes provider of the stamp's cluster.
	Provider *kubernetes.Provider
	// Deployment is the FHIR server Deployment.
	Deployment *appsv1.Deployment
}

// NewFHIRService declares the FHIR workload in a stamp's cluster.
func NewFHIRService(ctx *pulumi.Context, name string, args *FHIRServiceArgs,
	opts ...pulumi.ResourceOption,
) (*FHIRService, error) {
	if args == nil || args.Stamp == nil || args.Role == "" || args.Replicas < 1 ||
		args.Spec.CosmosEndpoint == nil || args.Spec.CosmosAccountID == nil || args.Spec.IdentityClientID == nil || len(args.Spec.Regions) == 0 ||
		args.Spec.Settings.Image == nil || args.Spec.Settings.Authority == nil || args.Spec.Settings.Audience == nil {
		return nil, errors.New("FHIR service: Stamp, Role, Replicas and the Spec's Cosmos DB, identity, regions, image, authority and audience are required")
	}
	spec := args.Spec
	spec.Settings = spec.Settings.withDefaults()
	f := &FHIRService{}
	if err := ctx.RegisterComponentResource("fhir-dr:index:FHIRService", name, f, opts...); err != nil {
		return nil, err
	}
	role := string(args.Role)
	stamp := args.Stamp

	provider, err := clusterProvider(ctx, role+"-k8s", stamp, f)
	if err != nil {
		return nil, err
	}
	// The objects live and die with their cluster: when the cluster goes
	// (a rebuild, offboarding, or a region lost for good) there is nothing
	// to delete them from, so the engine does not try.
	k8s := func(extra ...pulumi.ResourceOption) []pulumi.ResourceOption {
		return append(withParent(f, pulumi.Provider(provider), pulumi.DeletedWith(stamp.Cluster)), extra...)
	}

	ns, err := corev1.NewNamespace(ctx, role+"-fhir-namespace", &corev1.NamespaceArgs{
		Metadata: &metav1.ObjectMetaArgs{
			Name: pulumi.String(FHIRNamespace),
			// The pods meet the restricted Pod Security Standard; the
			// namespace enforces it so nothing weaker slips in.
			Labels: pulumi.StringMap{
				"pod-security.kubernetes.io/enforce": pulumi.String("restricted"),
				"app.kubernetes.io/part-of":          pulumi.String("fhir-dr"),
			},
		},
	}, k8s()...)
	if err != nil {
		return nil, err
	}
	// The namespace's name, waiting for the namespace: one output for
	// every object in it.
	namespace := ns.Metadata.Name().Elem()
	meta := func() *metav1.ObjectMetaArgs {
		return &metav1.ObjectMetaArgs{Name: pulumi.String(FHIRAppName), Namespace: namespace, Labels: appLabels()}
	}

	sa, err := corev1.NewServiceAccount(ctx, role+"-fhir-service-account", &corev1.ServiceAccountArgs{
		Metadata: &metav1.ObjectMetaArgs{
			Name:      pulumi.String(FHIRServiceAccount),
			Namespace: namespace,
			Labels:    appLabels(),
			Annotations: pulumi.StringMap{
				"azure.workload.identity/client-id": args.Spec.IdentityClientID,
			},
		},
	}, k8s()...)
	if err != nil {
		return nil, err
	}

	deployment, err := appsv1.NewDeployment(ctx, role+"-fhir-deployment", &appsv1.DeploymentArgs{
		Metadata: meta(),
		Spec:     deploymentSpec(spec, stamp.Region, sa),
	}, k8s(pulumi.DependsOn(args.DependsOn))...)
	if err != nil {
		return nil, err
	}

	if _, err := corev1.NewService(ctx, role+"-fhir-service", &corev1.ServiceArgs{
		Metadata: &metav1.ObjectMetaArgs{
			Name:      pulumi.String(FHIRAppName),
			Namespace: namespace,
			Labels:    appLabels(),
			// The load balancer takes the stamp's static, DNS-labelled IP,
			// which lives in the stamp's group rather than the node group.
			Annotations: pulumi.StringMap{
				"service.beta.kubernetes.io/azure-load-balancer-resource-group": stamp.ResourceGroupName,
				"service.beta.kubernetes.io/azure-pip-name":                     pulumi.String(stamp.IngressIPName),
			},
		},
		Spec: &corev1.ServiceSpecArgs{
			Type:     pulumi.String("LoadBalancer"),
			Selector: appLabels(),
			Ports: corev1.ServicePortArray{corev1.ServicePortArgs{
				Name:       pulumi.String("https"),
				Port:       pulumi.Int(drconfig.FHIRServicePort),
				TargetPort: pulumi.String("https"),
				Protocol:   pulumi.String("TCP"),
			}},
		},
	}, k8s()...); err != nil {
		return nil, err
	}

	// One pod at a time may go for node upgrades and drains, so an AKS
	// upgrade never takes the service down, yet a one-pod standby can
	// still be drained.
	if _, err := policyv1.NewPodDisruptionBudget(ctx, role+"-fhir-pdb", &policyv1.PodDisruptionBudgetArgs{
		Metadata: meta(),
		Spec: &policyv1.PodDisruptionBudgetSpecArgs{
			MaxUnavailable: pulumi.Int(1),
			Selector:       &metav1.LabelSelectorArgs{MatchLabels: appLabels()},
		},
	}, k8s()...); err != nil {
		return nil, err
	}

	if _, err := autoscalingv2.NewHorizontalPodAutoscaler(ctx, role+"-fhir-hpa", &autoscalingv2.HorizontalPodAutoscalerArgs{
		Metadata: meta(),
		Spec:     autoscalerSpec(args.Replicas, spec.Settings.MaxReplicas, deployment),
	}, k8s()...); err != nil {
		return nil, err
	}

	f.Provider = provider
	f.Deployment = deployment
	if err := ctx.RegisterResourceOutputs(f, pulumi.Map{
		"namespace":   ns.Metadata.Name(),
		"minReplicas": pulumi.Int(args.Replicas),
	}); err != nil {
		return nil, err
	}
	return f, nil
}

// clusterProvider is the Kubernetes provider of a stamp's cluster, built
// from the cluster user's (Entra ID) kubeconfig; AKS local accounts are off,
// so no admin credential exists to use.
func clusterProvider(ctx *pulumi.Context, name string, stamp *ComputeStamp, parent pulumi.Resource) (*kubernetes.Provider, error) {
	// The result holds kubeconfigs: kept secret from the start.
	creds := pulumi.ToSecret(containerservice.ListManagedClusterUserCredentialsOutput(ctx, containerservice.ListManagedClusterUserCredentialsOutputArgs{
		ResourceGroupName: stamp.ResourceGroupName,
		// The cluster's own output, so the credentials are listed only once
		// the cluster exists.
		ResourceName: stamp.Cluster.Name,
		Format:       pulumi.String(containerservice.FormatExec),
	})).(containerservice.ListManagedClusterUserCredentialsResultOutput)
	config := creds.ApplyT(func(r containerservice.ListManagedClusterUserCredentialsResult) (string, error) {
		if len(r.Kubeconfigs) == 0 {
			return "", fmt.Errorf("cluster %s returned no user kubeconfig", stamp.IngressDNSLabel)
		}
		return kubeconfig.FromAKS(r.Kubeconfigs[0].Value)
	}).(pulumi.StringOutput)
	return kubernetes.NewProvider(ctx, name, &kubernetes.ProviderArgs{
		Kubeconfig:            pulumi.ToSecret(config).(pulumi.StringOutput),
		EnableServerSideApply: pulumi.Bool(true),
		// While a region is down its cluster cannot be reached; an update
		// of the other stamp must still go through.
		SkipUpdateUnreachable: pulumi.Bool(true),
	}, withParent(parent)...)
}

// appLabels select the FHIR server's pods.
func appLabels() pulumi.StringMap {
	return pulumi.StringMap{"app.kubernetes.io/name": pulumi.String(FHIRAppName)}
}

// deploymentSpec is the FHIR server Deployment of a stamp in region. The
// replica count is left to the autoscaler, which owns it.
func deploymentSpec(spec FHIRSpec, region string, sa *corev1.ServiceAccount) *appsv1.DeploymentSpecArgs {
	c := spec.Settings
	podLabels := appLabels()
	podLabels["azure.workload.identity/use"] = pulumi.String("true")
	probe := func(period, timeout, failures int) *corev1.ProbeArgs {
		return &corev1.ProbeArgs{
			HttpGet: &corev1.HTTPGetActionArgs{
				Path:   pulumi.String(FHIRHealthPath),
				Port:   pulumi.String("https"),
				Scheme: pulumi.String("HTTPS"),
			},
			PeriodSeconds:    pulumi.Int(period),
			TimeoutSeconds:   pulumi.Int(timeout),
			FailureThreshold: pulumi.Int(failures),
		}
	}
	return &appsv1.DeploymentSpecArgs{
		Selector: &metav1.LabelSelectorArgs{MatchLabels: appLabels()},
		// Keep every serving pod until its replacement is ready.
		Strategy: &appsv1.DeploymentStrategyArgs{
			Type:          pulumi.String("RollingUpdate"),
			RollingUpdate: &appsv1.RollingUpdateDeploymentArgs{MaxUnavailable: pulumi.Int(0), MaxSurge: pulumi.Int(1)},
		},
		Template: &corev1.PodTemplateSpecArgs{
			Metadata: &metav1.ObjectMetaArgs{Labels: podLabels},
			Spec: &corev1.PodSpecArgs{
				ServiceAccountName: sa.Metadata.Name().Elem(),
				SecurityContext: &corev1.PodSecurityContextArgs{
					RunAsNonRoot:   pulumi.Bool(true),
					RunAsUser:      pulumi.Int(fhirRunAsUser),
					RunAsGroup:     pulumi.Int(fhirRunAsUser),
					SeccompProfile: &corev1.SeccompProfileArgs{Type: pulumi.String("RuntimeDefault")},
				},
				TopologySpreadConstraints: corev1.TopologySpreadConstraintArray{corev1.TopologySpreadConstraintArgs{
					MaxSkew:           pulumi.Int(1),
					TopologyKey:       pulumi.String("topology.kubernetes.io/zone"),
					WhenUnsatisfiable: pulumi.String("ScheduleAnyway"),
					LabelSelector:     &metav1.LabelSelectorArgs{MatchLabels: appLabels()},
				}},
				Containers: corev1.ContainerArray{corev1.ContainerArgs{
					Name:  pulumi.String(FHIRAppName),
					Image: c.Image,
					Ports: corev1.ContainerPortArray{corev1.ContainerPortArgs{
						Name: pulumi.String("https"), ContainerPort: pulumi.Int(FHIRContainerPort), Protocol: pulumi.String("TCP"),
					}},
					Env: fhirEnv(spec, region),
					Resources: &corev1.ResourceRequirementsArgs{
						Requests: pulumi.StringMap{"cpu": c.Requests.CPU, "memory": c.Requests.Memory},
						Limits:   pulumi.StringMap{"cpu": c.Limits.CPU, "memory": c.Limits.Memory},
					},
					// Readiness takes a pod out of the load balancer after
					// 30 s of failures. Liveness restarts it only after 3
					// minutes: the health check fails while Cosmos DB fails
					// over, and restarting every pod then would lengthen
					// the outage, not end it.
					ReadinessProbe: probe(10, 5, 3),
					LivenessProbe:  probe(30, 20, 6),
					SecurityContext: &corev1.SecurityContextArgs{
						AllowPrivilegeEscalation: pulumi.Bool(false),
						Capabilities:             &corev1.CapabilitiesArgs{Drop: pulumi.StringArray{pulumi.String("ALL")}},
						// Nothing in the image is written at run time: a
						// compromised server cannot change its own code.
						ReadOnlyRootFilesystem: pulumi.Bool(true),
					},
					VolumeMounts: corev1.VolumeMountArray{
						corev1.VolumeMountArgs{Name: pulumi.String("tls"), MountPath: pulumi.String(fhirCertDir), ReadOnly: pulumi.Bool(true)},
						// The one writable place: request bodies Kestrel
						// buffers to disk, the .NET runtime's diagnostics.
						corev1.VolumeMountArgs{Name: pulumi.String("tmp"), MountPath: pulumi.String(fhirTempDir)},
					},
				}},
				Volumes: corev1.VolumeArray{
					corev1.VolumeArgs{
						Name:   pulumi.String("tls"),
						Secret: &corev1.SecretVolumeSourceArgs{SecretName: c.TLSSecretName},
					},
					corev1.VolumeArgs{
						Name:     pulumi.String("tmp"),
						EmptyDir: &corev1.EmptyDirVolumeSourceArgs{SizeLimit: pulumi.String(fhirTempSize)},
					},
				},
			},
		},
	}
}

// fhirEnv is the FHIR server's configuration as environment variables
// (appsettings.json keys, "__" between levels). Only the preferred Cosmos
// DB regions depend on the stamp: each reads from its own region first.
func fhirEnv(spec FHIRSpec, region string) corev1.EnvVarArray {
	c := spec.Settings
	var env corev1.EnvVarArray
	set := func(name string, value pulumi.StringInput) {
		env = append(env, corev1.EnvVarArgs{Name: pulumi.String(name), Value: value})
	}
	str := func(name, value string) { set(name, pulumi.String(value)) }
	list := func(prefix string, values []string) {
		for i, v := range values {
			str(prefix+"__"+strconv.Itoa(i), v)
		}
	}

	// Kestrel serves HTTPS with the platform-provisioned certificate.
	str("ASPNETCORE_URLS", "https://+:"+strconv.Itoa(FHIRContainerPort))
	str("ASPNETCORE_Kestrel__Certificates__Default__Path", fhirCertDir+"/tls.crt")
	str("ASPNETCORE_Kestrel__Certificates__Default__KeyPath", fhirCertDir+"/tls.key")

	str("DataStore", "CosmosDb")
	set("CosmosDb__Host", spec.CosmosEndpoint)
	str("CosmosDb__DatabaseId", FHIRDatabase)
	// Keys are disabled on the account: the workload identity it is.
	str("CosmosDb__UseManagedIdentity", "true")
	// fhir-dr creates the database with its throughput; the server only
	// checks and completes its container, through Resource Manager.
	str("CosmosDb__AllowDatabaseCreation", "false")
	str("CosmosDb__AllowCollectionSetup", "true")
	set("FhirServer__ResourceManager__DataStoreResourceId", spec.CosmosAccountID)
	str("FhirServer__CosmosDb__CollectionId", FHIRContainer)
	// The Cosmos DB SDK maps ARM region names (eastus) to its own spelling.
	list("CosmosDb__PreferredLocations", preferredRegions(region, spec.Regions))

	str("FhirServer__Security__Enabled", "true")
	set("FhirServer__Security__Authentication__Authority", c.Authority)
	set("FhirServer__Security__Authentication__Audience", c.Audience)
	str("FhirServer__Security__EnableAadSmartOnFhirProxy", strconv.FormatBool(c.SmartProxy))

	if len(c.CORS.Origins) > 0 {
		list("FhirServer__Cors__Origins", c.CORS.Origins)
		list("FhirServer__Cors__Methods", c.CORS.Methods)
		list("FhirServer__Cors__Headers", c.CORS.Headers)
		str("FhirServer__Cors__MaxAge", strconv.Itoa(*c.CORS.MaxAge))
	}

	exportURI := c.ExportStorageURI
	str("FhirServer__Operations__Export__Enabled", strconv.FormatBool(exportURI != ""))
	if exportURI != "" {
		str("FhirServer__Operations__Export__StorageAccountUri", exportURI)
	}
	registry := c.ConvertDataRegistryServer
	str("FhirServer__Operations__ConvertData__Enabled", strconv.FormatBool(registry != ""))
	if registry != "" {
		list("FhirServer__Operations__ConvertData__ContainerRegistryServers", []string{registry})
	}
	return env
}

// preferredRegions puts region first, then the account's other regions in
// their order.
func preferredRegions(region string, accountRegions []string) []string {
	out := []string{region}
	for _, r := range accountRegions {
		if !regions.Same(r, region) {
			out = append(out, r)
		}
	}
	return out
}

// autoscalerSpec scales the Deployment between the stamp's replica count
// and the shared ceiling on CPU. Scale-up is immediate: when the standby
// takes over, it grows as fast as the autoscaler allows.
func autoscalerSpec(minReplicas int, maxReplicas pulumi.IntInput, deployment *appsv1.Deployment) *autoscalingv2.HorizontalPodAutoscalerSpecArgs {
	return &autoscalingv2.HorizontalPodAutoscalerSpecArgs{
		ScaleTargetRef: &autoscalingv2.CrossVersionObjectReferenceArgs{
			ApiVersion: pulumi.String("apps/v1"),
			Kind:       pulumi.String("Deployment"),
			Name:       deployment.Metadata.Name().Elem(),
		},
		MinReplicas: pulumi.Int(minReplicas),
		MaxReplicas: maxReplicas,
		Metrics: autoscalingv2.MetricSpecArray{autoscalingv2.MetricSpecArgs{
			Type: pulumi.String("Resource"),
			Resource: &autoscalingv2.ResourceMetricSourceArgs{
				Name:   pulumi.String("cpu"),
				Target: &autoscalingv2.MetricTargetArgs{Type: pulumi.String("Utilization"), AverageUtilization: pulumi.Int(fhirCPUTarget)},
			},
		}},
		Behavior: &autoscalingv2.HorizontalPodAutoscalerBehaviorArgs{
			ScaleUp: &autoscalingv2.HPAScalingRulesArgs{
				StabilizationWindowSeconds: pulumi.Int(0),
				SelectPolicy:               pulumi.String("Max"),
				Policies: autoscalingv2.HPAScalingPolicyArray{
					autoscalingv2.HPAScalingPolicyArgs{Type: pulumi.String("Percent"), Value: pulumi.Int(100), PeriodSeconds: pulumi.Int(15)},
					autoscalingv2.HPAScalingPolicyArgs{Type: pulumi.String("Pods"), Value: pulumi.Int(4), PeriodSeconds: pulumi.Int(15)},
				},
			},
		},
	}
}
