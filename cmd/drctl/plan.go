package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/spf13/cobra"

	"github.com/fhir-dr/fhir-dr/azure/applicationinsights"
	"github.com/fhir-dr/fhir-dr/azure/authorization"
	"github.com/fhir-dr/fhir-dr/azure/containerservice"
	"github.com/fhir-dr/fhir-dr/azure/cosmosdb"
	"github.com/fhir-dr/fhir-dr/azure/managedidentity"
	"github.com/fhir-dr/fhir-dr/azure/monitor"
	"github.com/fhir-dr/fhir-dr/azure/network"
	"github.com/fhir-dr/fhir-dr/azure/operationalinsights"
	"github.com/fhir-dr/fhir-dr/azure/privatedns"
	"github.com/fhir-dr/fhir-dr/azure/resources"
	"github.com/fhir-dr/fhir-dr/azure/trafficmanager"
	"github.com/fhir-dr/fhir-dr/components"
	"github.com/fhir-dr/fhir-dr/drconfig"
	"github.com/fhir-dr/fhir-dr/internal/pricing"
	"github.com/fhir-dr/fhir-dr/internal/render"
	"github.com/fhir-dr/fhir-dr/internal/topology"
	"github.com/fhir-dr/fhir-dr/objectives"
	"github.com/fhir-dr/fhir-dr/policy/analyzer"
	"github.com/fhir-dr/fhir-dr/policy/rules"
	"github.com/fhir-dr/fhir-dr/program"
	"github.com/fhir-dr/fhir-dr/stackfile"
)

// planOptions are drctl plan's flags.
type planOptions struct {
	stack, stackFile, policyConfig string
	asJSON, asMermaid              bool
}

// newPlanCmd is drctl plan.
func newPlanCmd() *cobra.Command {
	var o planOptions
	cmd := &cobra.Command{
		Use:   "plan (--stack <customer> | --stack-file <path>)",
		Short: "render a customer's stack offline, with the policy's verdict",
		Long: `drctl plan renders one customer's stack offline: it loads the stack file the way Pulumi does, runs the
real fhir-dr program under a mock resource monitor, and prints the resources it declares, the stack
outputs, the modeled recovery objectives, the detection and paging rules, the estimated monthly cost of
DR, and the verdict of the policy pack's rules (policy/rules), run in-process. It needs no cloud access and no credentials. Configuration
problems are listed on standard error. A policy config that disables rules says how many, and which.`,
		Example: `  drctl plan --stack contoso
  drctl plan --stack contoso --json
  drctl plan --stack-file /tmp/Pulumi.acme.yaml --mermaid`,
		Args: noArgs("the stack is named by --stack or --stack-file"),
		Annotations: map[string]string{exitAnnotation: "0 the stack is valid and keeps every mandatory rule; " +
			"1 invalid configuration, a mandatory rule broken, or a failure; 2 usage."},
		RunE: action(func(cmd *cobra.Command, _ []string) error {
			return exitWith(runPlan(o, cmd.OutOrStdout(), cmd.ErrOrStderr()))
		}),
	}
	f := cmd.Flags()
	f.StringVar(&o.stack, "stack", "", "the `customer` whose stack to render (stacks/Pulumi.<customer>.yaml)")
	f.StringVar(&o.stackFile, "stack-file", "", "the stack file to render, at any `path`; the stack name comes from the file name")
	f.BoolVar(&o.asJSON, "json", false, "print one JSON document: stack, resources, outputs, policy diagnostics, cost")
	f.BoolVar(&o.asMermaid, "mermaid", false, "print the DR topology as a Mermaid flowchart instead")
	f.StringVar(&o.policyConfig, "policy-config", "", "the policy pack config `file` (as given to pulumi --policy-pack-config); "+
		"default: the product's budgets, every rule at its default level")
	cmd.MarkFlagsMutuallyExclusive("stack", "stack-file")
	cmd.MarkFlagsOneRequired("stack", "stack-file")
	cmd.MarkFlagsMutuallyExclusive("json", "mermaid")
	_ = cmd.RegisterFlagCompletionFunc("stack", completeCustomerFlag)
	markFileFlag(cmd, "stack-file", "yaml")
	markFileFlag(cmd, "policy-config", "json")
	return cmd
}

// runPlan is drctl plan; it returns the exit status.
func runPlan(o planOptions, stdout, stderr io.Writer) int {
	path := o.stackFile
	if o.stack != "" {
		root, err := projectRoot()
		if err != nil {
			fmt.Fprintln(stderr, "drctl plan:", err)
			return 1
		}
		path = filepath.Join(root, stackfile.Path(o.stack))
	}
	policy, err := loadPolicyConfig(o.policyConfig)
	if err != nil {
		fmt.Fprintln(stderr, "drctl plan:", err)
		return 1
	}
	result, err := planStack(path, policy)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	status := 0
	if len(rules.MandatoryOnly(result.Policy)) > 0 {
		status = 1
	}
	if o.asMermaid {
		fmt.Fprint(stdout, topology.Mermaid(result.Plan.Stack, topologyOf(result.Plan)))
		return status
	}
	cost, err := costOf(result.Config)
	if err != nil {
		fmt.Fprintln(stderr, "drctl plan:", err)
		return 1
	}
	// An unpriced size or tier is a warning, never a failure: the estimate
	// is a report.
	for _, w := range cost.Unpriced {
		fmt.Fprintf(stderr, "%s: warning: %s\n", result.File, w)
	}
	if o.asJSON {
		doc := planDocument{Plan: result.Plan, Policy: policyDiagnostics(result.Policy), DisabledRules: result.Disabled, Cost: cost,
			Detection: alertRules(result.Config)}
		b, err := json.MarshalIndent(doc, "", "  ")
		if err != nil {
			fmt.Fprintln(stderr, "drctl plan:", err)
			return 1
		}
		fmt.Fprintln(stdout, string(b))
		return status
	}
	printPlan(stdout, result, cost)
	if status != 0 {
		fmt.Fprintf(stderr, "%s: the policy refuses this stack (mandatory rules broken)\n", result.File)
	}
	return status
}

// topologyOf returns the plan's resources for a topology diagram.
func topologyOf(plan *render.Plan) []topology.Resource {
	var out []topology.Resource
	for _, r := range plan.Resources {
		out = append(out, topology.Resource{Type: r.Type, Name: r.Name, Inputs: resource.NewPropertyMapFromMap(r.Inputs)})
	}
	return out
}

// planDocument is the JSON form of a plan: the render, the policy's
// diagnostics and the estimated cost of DR.
type planDocument struct {
	*render.Plan
	Policy []policyDiagnostic `json:"policy"`
	// DisabledRules are the rules the policy config disabled: their
	// promises were not checked.
	DisabledRules []string     `json:"disabledRules,omitempty"`
	Cost          costEstimate `json:"cost"`
	// Detection are the stack's alert rules (package detection).
	Detection []alertRule `json:"detection"`
}

// costEstimate is what DR adds to the customer's monthly bill, from the
// dated price table (internal/pricing): a report, never part of the
// deployment.
type costEstimate struct {
	Currency   string `json:"currency"`
	PricesAsOf string `json:"pricesAsOf"`
	pricing.Estimate
}

// costOf estimates what DR adds for cfg.
func costOf(cfg *drconfig.Config) (costEstimate, error) {
	prices, err := pricing.Load()
	if err != nil {
		return costEstimate{}, err
	}
	return costEstimate{Currency: prices.Currency, PricesAsOf: prices.AsOf, Estimate: prices.DR(cfg)}, nil
}

type policyDiagnostic struct {
	Rule    string `json:"rule"`
	Level   string `json:"level"`
	URN     string `json:"urn,omitempty"`
	Message string `json:"message"`
}

func policyDiagnostics(ds []rules.Diagnostic) []policyDiagnostic {
	out := []policyDiagnostic{}
	for _, d := range ds {
		out = append(out, policyDiagnostic{Rule: d.Rule, Level: string(d.Level), URN: d.URN, Message: d.Message})
	}
	return out
}

// stackPlan is a rendered stack with its configuration and what the
// policy says of it.
type stackPlan struct {
	File   string
	Config *drconfig.Config
	Plan   *render.Plan
	// Policy are the policy pack's diagnostics, evaluated in-process.
	Policy []rules.Diagnostic
	// Disabled are the rules the policy config disabled, not evaluated.
	Disabled []string
}

// planStack loads, validates and renders one stack file. The configuration
// is validated from the whole file before the program runs: the program
// reads its configuration key by key and, under mocks, cannot see keys it
// does not know, so this is where such typos are caught; and an invalid
// stack registers nothing.
func planStack(path string, policy rules.Config) (*stackPlan, error) {
	name, err := stackfile.Stack(path)
	if err != nil {
		return nil, err
	}
	values, err := drconfig.ReadStackFile(path)
	if err != nil {
		return nil, err
	}
	cfg, err := drconfig.Load(path, values)
	if err != nil {
		return nil, err
	}
	// The program runs with the configuration validated above, not
	// loaded again from the same values. It runs on a goroutine of its
	// own: the SDK records the whole call stack of every registration,
	// frame by frame, and the stack of a fresh goroutine starts at the
	// render rather than under the command line's (cobra's) frames.
	var plan *render.Plan
	done := make(chan struct{})
	go func() {
		defer close(done)
		plan, err = render.Run(name, values, program.DeployConfig(cfg))
	}()
	<-done
	if err != nil {
		return nil, fmt.Errorf("%s: rendering: %w", path, err)
	}
	diagnostics := rules.Check(policy, rules.FromPlan(plan, cfg))
	return &stackPlan{File: path, Config: cfg, Plan: plan, Policy: diagnostics, Disabled: policy.DisabledRules()}, nil
}

// projectRoot finds the directory of Pulumi.yaml from the working directory
// up.
func projectRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "Pulumi.yaml")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no Pulumi.yaml in the working directory or above: run drctl inside the fhir-dr project")
		}
		dir = parent
	}
}

func printPlan(w io.Writer, sp *stackPlan, cost costEstimate) {
	p := sp.Plan
	var azure, kube, components int
	for _, r := range p.Resources {
		switch {
		case strings.HasPrefix(r.Type, "azure-native:"):
			azure++
		case strings.HasPrefix(r.Type, "kubernetes:"):
			kube++
		case !r.Custom:
			components++
		}
	}
	fmt.Fprintf(w, "Stack %s (%s): %d Azure resources and %d Kubernetes objects in %d components\n\n",
		p.Stack, sp.File, azure, kube, components)

	fmt.Fprintln(w, "Resources")
	depth := map[string]int{}
	for _, r := range p.Resources {
		d := depth[r.Parent] + 1
		depth[r.URN] = d
		indent := strings.Repeat("  ", d)
		var flags []string
		if r.Protect {
			flags = append(flags, "protected")
		}
		if r.RetainOnDelete {
			flags = append(flags, "retained")
		}
		if r.Version != "" {
			flags = append(flags, "v"+r.Version)
		}
		line := fmt.Sprintf("%s%s %s", indent, r.Type, r.Name)
		if len(flags) > 0 {
			line += " [" + strings.Join(flags, ", ") + "]"
		}
		fmt.Fprintln(w, line)
		if summary := summarize(r); summary != "" {
			fmt.Fprintf(w, "%s    %s\n", indent, summary)
		}
	}

	fmt.Fprintln(w, "\nOutputs")
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	for _, k := range slices.Sorted(maps.Keys(p.Outputs)) {
		fmt.Fprintf(tw, "  %s\t%v\n", k, p.Outputs[k])
	}
	_ = tw.Flush()

	if !sp.Config.DR.Enabled {
		fmt.Fprintf(w, "\nRecovery objectives: DR is disabled; a single-region account has an RPO under %s and no regional failover.\n",
			objectives.SingleRegionRPO)
	} else {
		printObjectives(w, sp.Config.Objectives())
		printDetection(w, sp.Config)
	}
	printCost(w, sp.Config, cost)
	printPolicy(w, sp.Policy, sp.Disabled)
}

func printCost(w io.Writer, cfg *drconfig.Config, c costEstimate) {
	if !cfg.DR.Enabled {
		return
	}
	bound := ""
	if !c.Complete() {
		bound = "at least "
	}
	fmt.Fprintf(w, "\nEstimated monthly cost of DR: %s%.2f %s (list prices of %s; internal/pricing/prices.json)\n",
		bound, c.Total, c.Currency, c.PricesAsOf)
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	for _, l := range c.Lines {
		fmt.Fprintf(tw, "  %.2f\t%s\n", l.Monthly, l.Item)
	}
	_ = tw.Flush()
	for _, u := range c.Unpriced {
		fmt.Fprintf(w, "  warning: %s\n", u)
	}
}

// printPolicy prints the policy's verdict: its diagnostics, and the rules
// the policy config disabled, which were not checked.
func printPolicy(w io.Writer, ds []rules.Diagnostic, disabled []string) {
	all := len(rules.All())
	switch {
	case len(disabled) == all:
		fmt.Fprintf(w, "\nPolicy (%s %s, %d rules): all %d rules disabled by the policy config: nothing was checked\n",
			analyzer.Name, analyzer.Version, all, all)
		return
	case len(disabled) > 0:
		fmt.Fprintf(w, "\nPolicy (%s %s, %d rules; %d disabled by the policy config: %s): ", analyzer.Name, analyzer.Version, all,
			len(disabled), strings.Join(disabled, ", "))
		if len(ds) == 0 {
			fmt.Fprintf(w, "no finding from the other %d\n", all-len(disabled))
			return
		}
	default:
		fmt.Fprintf(w, "\nPolicy (%s %s, %d rules): ", analyzer.Name, analyzer.Version, all)
		if len(ds) == 0 {
			fmt.Fprintln(w, "every promise kept")
			return
		}
	}
	fmt.Fprintf(w, "%d mandatory, %d advisory\n", len(rules.MandatoryOnly(ds)), len(ds)-len(rules.MandatoryOnly(ds)))
	for _, d := range ds {
		fmt.Fprintf(w, "  [%s] %s: %s\n", d.Level, d.Rule, d.Message)
	}
}

func printObjectives(w io.Writer, o objectives.Objectives) {
	fmt.Fprintf(w, "\nRecovery objectives (outage modeled: %s)\n", o.Outage)
	verdict := func(total, target time.Duration, word string) string {
		if total > target {
			return fmt.Sprintf("EXCEEDS %s %s", word, target)
		}
		return fmt.Sprintf("within %s %s", word, target)
	}
	// who marks the RTO's terms as the product's or the operator's.
	terms := func(terms []objectives.Term, who bool) {
		tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
		for _, t := range terms {
			switch {
			case !who:
				fmt.Fprintf(tw, "    %s\t%s\t(%s)\n", t.Duration, t.Name, t.Source)
			case t.Human:
				fmt.Fprintf(tw, "    %s\thuman\t%s\t(%s)\n", t.Duration, t.Name, t.Source)
			default:
				fmt.Fprintf(tw, "    %s\tproduct\t%s\t(%s)\n", t.Duration, t.Name, t.Source)
			}
		}
		_ = tw.Flush()
	}
	fmt.Fprintf(w, "  RPO %s: %s\n", o.RPO, verdict(o.RPO, o.TargetRPO, "the target"))
	terms(o.RPOTerms, false)
	fmt.Fprintf(w, "  RTO by forced failover (runbook) %s: %s; the product's part %s", o.RTO, verdict(o.RTO, o.TargetRTO, "the target"), o.ProductRTO)
	if len(o.TrafficTerms) > 0 {
		fmt.Fprintf(w, ", %s", verdict(o.ProductRTO, objectives.ProductRTOAim, "fhir-dr's aim"))
	}
	fmt.Fprintln(w)
	detected := "no paging rule declared"
	if o.Detection != "" {
		detected = "detected by " + o.Detection + ", the fastest paging rule"
	}
	fmt.Fprintf(w, "   write path (%s):\n", detected)
	terms(o.RTOTerms, true)
	if len(o.TrafficTerms) > 0 {
		fmt.Fprintln(w, "   traffic path (at the same time, needs nobody):")
		terms(o.TrafficTerms, true)
	}
	fmt.Fprintf(w, "  RTO waiting for service-managed failover (at least; for information) %s\n", o.ServiceManagedRTO)
	terms(o.ServiceManagedRTOTerms, false)
}

// keyInputs are the inputs plan shows for each resource type.
var keyInputs = map[string][]string{
	resources.ResourceGroupToken:                        {"resourceGroupName", "location"},
	cosmosdb.DatabaseAccountToken:                       {"accountName", "location", "locations", "publicNetworkAccess", "consistencyPolicy.defaultConsistencyLevel", "consistencyPolicy.maxIntervalInSeconds", "enableAutomaticFailover", "enableMultipleWriteLocations", "backupPolicy.type", "backupPolicy.periodicModeProperties.backupStorageRedundancy", "backupPolicy.continuousModeProperties.tier"},
	cosmosdb.SqlResourceSqlDatabaseToken:                {"databaseName", "options.throughput", "options.autoscaleSettings.maxThroughput"},
	cosmosdb.SqlResourceSqlContainerToken:               {"containerName", "resource.partitionKey.paths"},
	network.VirtualNetworkToken:                         {"virtualNetworkName", "location", "addressSpace.addressPrefixes"},
	network.SubnetToken:                                 {"subnetName", "addressPrefix"},
	network.PublicIPAddressToken:                        {"publicIpAddressName", "location", "dnsSettings.domainNameLabel", "zones"},
	containerservice.ManagedClusterToken:                {"resourceName", "location", "kubernetesVersion", "agentPoolProfiles", "apiServerAccessProfile.enablePrivateCluster", "apiServerAccessProfile.authorizedIPRanges"},
	trafficmanager.ProfileToken:                         {"profileName", "location", "trafficRoutingMethod", "dnsConfig.relativeName", "dnsConfig.ttl", "monitorConfig.protocol", "monitorConfig.port", "monitorConfig.path", "monitorConfig.intervalInSeconds", "monitorConfig.timeoutInSeconds", "monitorConfig.toleratedNumberOfFailures"},
	trafficmanager.EndpointToken:                        {"endpointName", "endpointType", "priority", "endpointStatus"},
	operationalinsights.WorkspaceToken:                  {"workspaceName", "location", "retentionInDays"},
	monitor.DiagnosticSettingToken:                      {"name", "resourceUri"},
	managedidentity.UserAssignedIdentityToken:           {"resourceName", "location"},
	managedidentity.FederatedIdentityCredentialToken:    {"federatedIdentityCredentialResourceName", "subject"},
	cosmosdb.SqlResourceSqlRoleAssignmentToken:          {"roleDefinitionId", "scope"},
	authorization.RoleAssignmentToken:                   {"roleDefinitionId", "scope"},
	authorization.RoleDefinitionToken:                   {"roleName"},
	authorization.ManagementLockByScopeToken:            {"lockName", "level", "scope"},
	network.PrivateEndpointToken:                        {"privateEndpointName", "location"},
	network.PrivateDnsZoneGroupToken:                    {"privateDnsZoneGroupName"},
	privatedns.PrivateZoneToken:                         {"privateZoneName"},
	privatedns.VirtualNetworkLinkToken:                  {"virtualNetworkLinkName"},
	monitor.MetricAlertToken:                            {"ruleName", "severity", "windowSize", "evaluationFrequency", "enabled"},
	monitor.ActionGroupToken:                            {"actionGroupName", "groupShortName", "enabled"},
	applicationinsights.ComponentToken:                  {"resourceName", "location"},
	applicationinsights.WebTestToken:                    {"webTestName", "webTestKind", "frequency", "request.requestUrl"},
	"kubernetes:core/v1:Namespace":                      {"metadata.name"},
	"kubernetes:core/v1:ServiceAccount":                 {"metadata.name"},
	"kubernetes:apps/v1:Deployment":                     {"metadata.name", "spec.template.spec.containers"},
	"kubernetes:core/v1:Service":                        {"metadata.name", "spec.type", "spec.ports"},
	"kubernetes:policy/v1:PodDisruptionBudget":          {"metadata.name", "spec.maxUnavailable"},
	"kubernetes:autoscaling/v2:HorizontalPodAutoscaler": {"metadata.name", "spec.minReplicas", "spec.maxReplicas"},
}

// roleNames name the built-in roles fhir-dr grants, by GUID.
var roleNames = map[string]string{
	components.RoleNetworkContributor:         "Network Contributor",
	components.RoleStorageBlobDataContributor: "Storage Blob Data Contributor",
	components.RoleAcrPull:                    "AcrPull",
	components.CosmosDataContributor:          "Cosmos DB Built-in Data Contributor",
}

// summarize returns "key=value ..." for a resource's key inputs.
func summarize(r render.Resource) string {
	var parts []string
	for _, path := range keyInputs[r.Type] {
		v, ok := lookup(r.Inputs, path)
		if !ok {
			continue
		}
		parts = append(parts, path+"="+formatValue(path, v))
	}
	return strings.Join(parts, " ")
}

func lookup(m map[string]any, path string) (any, bool) {
	var cur any = m
	for _, k := range strings.Split(path, ".") {
		obj, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = obj[k]; !ok {
			return nil, false
		}
	}
	return cur, true
}

func formatValue(path string, v any) string {
	switch path {
	case "locations":
		var locs []string
		for _, l := range asList(v) {
			m, _ := l.(map[string]any)
			s := fmt.Sprintf("%v(priority %v", m["locationName"], m["failoverPriority"])
			if zr, _ := m["isZoneRedundant"].(bool); zr {
				s += ", zone-redundant"
			}
			locs = append(locs, s+")")
		}
		return strings.Join(locs, ",")
	case "agentPoolProfiles":
		var pools []string
		for _, p := range asList(v) {
			m, _ := p.(map[string]any)
			size := fmt.Sprint(m["count"])
			if auto, _ := m["enableAutoScaling"].(bool); auto {
				size = fmt.Sprintf("%v-%v", m["minCount"], m["maxCount"])
			}
			s := fmt.Sprintf("%v:%v:%v:%s", m["name"], m["mode"], m["vmSize"], size)
			if z, ok := m["availabilityZones"]; ok {
				s += ":zones" + formatValue("", z)
			}
			pools = append(pools, s)
		}
		return strings.Join(pools, ",")
	case "resourceUri", "scope":
		s := fmt.Sprint(v)
		if i := strings.LastIndex(s, "/providers/"); i >= 0 {
			return "…" + s[i:]
		}
		return s
	case "roleDefinitionId":
		s := fmt.Sprint(v)
		role := s[strings.LastIndex(s, "/")+1:]
		if name, ok := roleNames[role]; ok {
			return strconv.Quote(name)
		}
		return role
	case "spec.template.spec.containers":
		var images []string
		for _, c := range asList(v) {
			m, _ := c.(map[string]any)
			images = append(images, fmt.Sprint(m["image"]))
		}
		return strings.Join(images, ",")
	case "spec.ports":
		var ports []string
		for _, p := range asList(v) {
			m, _ := p.(map[string]any)
			ports = append(ports, fmt.Sprintf("%v/%v", m["port"], m["protocol"]))
		}
		return strings.Join(ports, ",")
	}
	if list := asList(v); list != nil {
		parts := make([]string, len(list))
		for i, e := range list {
			parts[i] = fmt.Sprint(e)
		}
		return "[" + strings.Join(parts, ",") + "]"
	}
	return fmt.Sprint(v)
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}
