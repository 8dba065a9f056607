package components

import (
	"errors"
	"fmt"
	"maps"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/fhir-dr/fhir-dr/azure/applicationinsights"
	"github.com/fhir-dr/fhir-dr/azure/monitor"
	"github.com/fhir-dr/fhir-dr/azure/operationalinsights"
	"github.com/fhir-dr/fhir-dr/detection"
	"github.com/fhir-dr/fhir-dr/naming"
)

// AlertTargets are the ARM IDs of what the rules watch.
type AlertTargets struct {
	// AccountID is the Cosmos DB account. Required.
	AccountID pulumi.StringInput
	// ProfileID is the Traffic Manager profile. Required with a rule on
	// the profile.
	ProfileID pulumi.StringInput
	// ClusterIDs are the stamps' AKS clusters, by role. Required with a
	// rule on a cluster.
	ClusterIDs map[naming.Role]pulumi.StringInput
	// Clusters are the clusters a cluster rule waits for, by role: Azure
	// refuses a rule on a resource that does not exist. Optional; needed
	// when ClusterIDs are not the clusters' outputs.
	Clusters map[naming.Role]pulumi.Resource
	// WebTestHosts are the host names the availability tests reach, by
	// the test's key. Required with web tests.
	WebTestHosts map[string]pulumi.StringInput
}

// AlertingArgs are the inputs of NewAlerting.
type AlertingArgs struct {
	// Customer is the customer id, part of every name. Required.
	Customer string
	// Rules are the alert rules to render (detection.Rules). Required.
	Rules []detection.Rule
	// WebTests are the availability tests the web test rules watch
	// (detection.WebTests). Optional; defaults to none, and then no
	// Application Insights component is declared either.
	WebTests []detection.WebTest
	// Availability says where from and how often the tests run. Required
	// with WebTests.
	Availability detection.Availability
	// Targets are the IDs of what the rules watch. Required.
	Targets AlertTargets
	// ResourceGroupName is the group of the rules, the action group and
	// the availability component. Required.
	ResourceGroupName pulumi.StringInput
	// Location is the region of the availability component and its
	// workspace. Required with WebTests.
	Location string
	// OnCallActionGroupID is the platform on-call's action group, which
	// every rule notifies. Required.
	OnCallActionGroupID string
	// Emails are the customer's receivers; when given, a per-customer
	// action group with them is declared and every rule notifies it too.
	// Optional; defaults to none.
	Emails []string
	// Tags are the tags of every taggable resource. Optional.
	Tags pulumi.StringMapInput
}

// AvailabilityRetentionDays is how long the availability component's
// workspace keeps test results: the least Log Analytics offers, since the
// tests feed alerts, not audits.
const AvailabilityRetentionDays = 30

// Alerting is a DR stack's detection and paging: its alert rules, the
// per-customer action group and, for the full tier, the availability tests
// with their Application Insights component.
type Alerting struct {
	pulumi.ResourceState

	// ActionGroupIDs are the action groups every rule notifies.
	ActionGroupIDs pulumi.StringArrayOutput
}

// NewAlerting renders the rules of package detection: one metric alert per
// rule, location global, enabled, scoped to the resource it watches, its
// actions every action group.
func NewAlerting(ctx *pulumi.Context, name string, args *AlertingArgs, opts ...pulumi.ResourceOption) (*Alerting, error) {
	if args == nil || args.Customer == "" || len(args.Rules) == 0 || args.ResourceGroupName == nil ||
		args.OnCallActionGroupID == "" || args.Targets.AccountID == nil {
		return nil, errors.New("alerting: Customer, Rules, ResourceGroupName, OnCallActionGroupID and Targets.AccountID are required")
	}
	if len(args.WebTests) > 0 && (args.Location == "" || len(args.Availability.Locations) == 0) {
		return nil, errors.New("alerting: web tests need Location and Availability.Locations")
	}
	a := &Alerting{}
	if err := ctx.RegisterComponentResource("fhir-dr:index:Alerting", name, a, opts...); err != nil {
		return nil, err
	}
	tags := args.Tags
	if tags == nil {
		tags = pulumi.StringMap{}
	}

	actions := pulumi.StringArray{pulumi.String(args.OnCallActionGroupID)}
	if len(args.Emails) > 0 {
		var receivers monitor.MicrosoftCommonEmailReceiverArray
		for i, e := range args.Emails {
			receivers = append(receivers, monitor.MicrosoftCommonEmailReceiverArgs{
				Name: pulumi.String(fmt.Sprintf("email-%d", i+1)), EmailAddress: pulumi.String(e), UseCommonAlertSchema: pulumi.Bool(true),
			})
		}
		group, err := monitor.NewActionGroup(ctx, "customer-action-group", &monitor.ActionGroupArgs{
			ActionGroupName:   pulumi.String(naming.ActionGroup(args.Customer)),
			ResourceGroupName: args.ResourceGroupName,
			Location:          pulumi.String("global"),
			GroupShortName:    pulumi.String(naming.ActionGroupShortName(args.Customer)),
			Enabled:           pulumi.Bool(true),
			EmailReceivers:    receivers,
			Tags:              tags,
		}, withParent(a)...)
		if err != nil {
			return nil, err
		}
		actions = append(actions, group.ID().ToStringOutput())
	}

	webTests, componentID, err := a.availability(ctx, args, tags)
	if err != nil {
		return nil, err
	}
	var alertActions monitor.MetricAlertActionArray
	for _, id := range actions {
		alertActions = append(alertActions, monitor.MetricAlertActionArgs{ActionGroupId: id})
	}
	for _, r := range args.Rules {
		scopes, criteria, err := ruleTarget(args, r, webTests, componentID)
		if err != nil {
			return nil, err
		}
		opts := withParent(a)
		if c, ok := args.Targets.Clusters[r.Role]; ok && r.Target == detection.TargetCluster {
			opts = append(opts, pulumi.DependsOn([]pulumi.Resource{c}))
		}
		if _, err := monitor.NewMetricAlert(ctx, r.Key, &monitor.MetricAlertArgs{
			RuleName:            pulumi.String(naming.AlertRule(args.Customer, r.Key)),
			ResourceGroupName:   args.ResourceGroupName,
			Location:            pulumi.String("global"),
			Description:         pulumi.String(r.Description + " (" + r.Reference.String() + ")"),
			Enabled:             pulumi.Bool(true),
			AutoMitigate:        pulumi.Bool(true),
			Severity:            pulumi.Int(r.Severity),
			Scopes:              scopes,
			WindowSize:          pulumi.String(detection.ISO8601(r.Window)),
			EvaluationFrequency: pulumi.String(detection.ISO8601(r.Frequency)),
			Criteria:            criteria,
			Actions:             alertActions,
			Tags:                tags,
		}, opts...); err != nil {
			return nil, err
		}
	}
	a.ActionGroupIDs = actions.ToStringArrayOutput()
	if err := ctx.RegisterResourceOutputs(a, pulumi.Map{"actionGroupIds": a.ActionGroupIDs}); err != nil {
		return nil, err
	}
	return a, nil
}

// availability declares the Application Insights component, its own
// workspace and the standard web tests, and returns the tests' IDs by key
// and the component's ID.
func (a *Alerting) availability(ctx *pulumi.Context, args *AlertingArgs, tags pulumi.StringMapInput,
) (map[string]pulumi.StringOutput, pulumi.StringOutput, error) {
	tests := map[string]pulumi.StringOutput{}
	if len(args.WebTests) == 0 {
		return tests, pulumi.StringOutput{}, nil
	}
	// The component is workspace-based (classic ones are retired) and has
	// a small workspace of its own: its results are for alerts, not the
	// customer's audit logs, which keep their own retention.
	ws, err := operationalinsights.NewWorkspace(ctx, "availability-workspace", &operationalinsights.WorkspaceArgs{
		WorkspaceName:     pulumi.String(naming.AvailabilityWorkspace(args.Customer)),
		ResourceGroupName: args.ResourceGroupName,
		Location:          pulumi.String(args.Location),
		Sku:               &operationalinsights.WorkspaceSkuArgs{Name: pulumi.String("PerGB2018")},
		RetentionInDays:   pulumi.Int(AvailabilityRetentionDays),
		Tags:              tags,
	}, withParent(a)...)
	if err != nil {
		return nil, pulumi.StringOutput{}, err
	}
	component, err := applicationinsights.NewComponent(ctx, "availability", &applicationinsights.ComponentArgs{
		ResourceName:        pulumi.String(naming.AppInsights(args.Customer)),
		ResourceGroupName:   args.ResourceGroupName,
		Location:            pulumi.String(args.Location),
		Kind:                pulumi.String("web"),
		ApplicationType:     applicationinsights.ApplicationTypeWeb,
		WorkspaceResourceId: ws.ID().ToStringOutput(),
		IngestionMode:       applicationinsights.IngestionModeLogAnalytics,
		Tags:                tags,
	}, withParent(a)...)
	if err != nil {
		return nil, pulumi.StringOutput{}, err
	}
	componentID := component.ID().ToStringOutput()
	// Azure lists a web test under its component only with this tag.
	testTags := pulumi.All(tags, componentID).ApplyT(func(v []any) map[string]string {
		out := maps.Clone(v[0].(map[string]string))
		if out == nil {
			out = map[string]string{}
		}
		out["hidden-link:"+v[1].(string)] = "Resource"
		return out
	}).(pulumi.StringMapOutput)
	var locations applicationinsights.WebTestGeolocationArray
	for _, l := range args.Availability.Locations {
		locations = append(locations, applicationinsights.WebTestGeolocationArgs{Location: pulumi.String(l)})
	}
	for _, t := range args.WebTests {
		host, ok := args.Targets.WebTestHosts[t.Key]
		if !ok {
			return nil, pulumi.StringOutput{}, fmt.Errorf("alerting: no host for web test %s", t.Key)
		}
		name := naming.WebTest(args.Customer, t.Key)
		test, err := applicationinsights.NewWebTest(ctx, "webtest-"+t.Key, &applicationinsights.WebTestArgs{
			WebTestName:        pulumi.String(name),
			SyntheticMonitorId: pulumi.String(name),
			ResourceGroupName:  args.ResourceGroupName,
			Location:           pulumi.String(args.Location),
			Kind:               applicationinsights.WebTestKindStandard,
			WebTestKind:        applicationinsights.WebTestKindStandard,
			Description:        pulumi.String("fhir-dr: " + t.Description),
			Enabled:            pulumi.Bool(true),
			Frequency:          pulumi.Int(args.Availability.FrequencySeconds),
			Timeout:            pulumi.Int(detection.WebTestTimeoutSeconds),
			RetryEnabled:       pulumi.Bool(true),
			Locations:          locations,
			Request: &applicationinsights.WebTestPropertiesRequestArgs{
				RequestUrl:             healthURL(host),
				HttpVerb:               pulumi.String("GET"),
				FollowRedirects:        pulumi.Bool(false),
				ParseDependentRequests: pulumi.Bool(false),
			},
			ValidationRules: webTestValidation(t),
			Tags:            testTags,
		}, withParent(a)...)
		if err != nil {
			return nil, pulumi.StringOutput{}, err
		}
		tests[t.Key] = test.ID().ToStringOutput()
	}
	return tests, componentID, nil
}

// healthURL is the URL of the health check on host; a host known here
// (from the configuration) makes a plain value.
func healthURL(host pulumi.StringInput) pulumi.StringInput {
	if h, ok := host.(pulumi.String); ok {
		return pulumi.String("https://" + string(h) + detection.HealthPath)
	}
	return pulumi.Sprintf("https://%s%s", host, detection.HealthPath)
}

// SSLCertificateMinDays is how many days of validity the Traffic Manager
// test demands of the certificate, so that an expiring one pages before
// clients fail.
const SSLCertificateMinDays = 14

// webTestValidation expects the health check's 200 and, where the name
// matches the certificate (through Traffic Manager), a valid certificate.
func webTestValidation(t detection.WebTest) *applicationinsights.WebTestPropertiesValidationRulesArgs {
	v := &applicationinsights.WebTestPropertiesValidationRulesArgs{ExpectedHttpStatusCode: pulumi.Int(200)}
	if t.SSLCheck {
		v.SSLCheck = pulumi.Bool(true)
		v.SSLCertRemainingLifetimeCheck = pulumi.Int(SSLCertificateMinDays)
	} else {
		// The stamps' certificate names the customer's host and the
		// Traffic Manager name, not the ingress IP's cloudapp name.
		v.SSLCheck = pulumi.Bool(false)
	}
	return v
}

// ruleTarget returns a rule's scopes and criteria.
func ruleTarget(args *AlertingArgs, r detection.Rule, webTests map[string]pulumi.StringOutput, componentID pulumi.StringOutput,
) (pulumi.StringArray, pulumi.Input, error) {
	if r.Target == detection.TargetWebTest {
		test, ok := webTests[r.WebTest]
		if !ok {
			return nil, nil, fmt.Errorf("alerting: rule %s watches web test %s, which is not declared", r.Key, r.WebTest)
		}
		return pulumi.StringArray{test, componentID}, &monitor.WebtestLocationAvailabilityCriteriaArgs{
			OdataType:           pulumi.String("Microsoft.Azure.Monitor.WebtestLocationAvailabilityCriteria"),
			WebTestId:           test,
			ComponentId:         componentID,
			FailedLocationCount: pulumi.Float64(float64(r.FailedLocations)),
		}, nil
	}
	var scope pulumi.StringInput
	switch r.Target {
	case detection.TargetAccount:
		scope = args.Targets.AccountID
	case detection.TargetProfile:
		scope = args.Targets.ProfileID
	case detection.TargetCluster:
		scope = args.Targets.ClusterIDs[r.Role]
	}
	if scope == nil {
		return nil, nil, fmt.Errorf("alerting: rule %s watches the %s, whose ID is not given", r.Key, strings.TrimSpace(string(r.Role)+" "+string(r.Target)))
	}
	var dims monitor.MetricDimensionArray
	for _, d := range r.Dimensions {
		dims = append(dims, monitor.MetricDimensionArgs{
			Name: pulumi.String(d.Name), Operator: pulumi.String(d.Operator), Values: pulumi.ToStringArray(d.Values),
		})
	}
	return pulumi.StringArray{scope}, &monitor.MetricAlertSingleResourceMultipleMetricCriteriaArgs{
		OdataType: pulumi.String("Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria"),
		AllOf: monitor.MetricCriteriaArray{{
			CriterionType:   pulumi.String("StaticThresholdCriterion"),
			Name:            pulumi.String(strings.ReplaceAll(r.Key, "-", "_")),
			MetricNamespace: pulumi.String(r.Namespace),
			MetricName:      pulumi.String(r.Metric),
			TimeAggregation: pulumi.String(r.Aggregation),
			Operator:        pulumi.String(r.Operator),
			Threshold:       pulumi.Float64(r.Threshold),
			Dimensions:      dims,
		}},
	}, nil
}
