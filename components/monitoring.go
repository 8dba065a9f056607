package components

import (
	"errors"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/fhir-dr/fhir-dr/azure/monitor"
	"github.com/fhir-dr/fhir-dr/azure/operationalinsights"
)

// DiagnosticsName is the name of every diagnostic setting fhir-dr creates.
const DiagnosticsName = "fhir-dr-audit"

// LogSource is a resource whose logs are exported to the workspace.
type LogSource struct {
	// Name names the diagnostic setting resource. Required.
	Name string
	// ResourceID is the exported resource's ARM ID. Required.
	ResourceID pulumi.StringInput
	// CategoryGroups are log category groups such as allLogs. Optional.
	CategoryGroups []string
	// Categories are single log categories. Optional.
	Categories []string
}

// MonitoringArgs are the inputs of NewMonitoring.
type MonitoringArgs struct {
	// ResourceGroupName is the group that holds the workspace. Required.
	ResourceGroupName pulumi.StringInput
	// WorkspaceName is the workspace's name. Required.
	WorkspaceName string
	// Location is the workspace's region. Required.
	Location string
	// RetentionDays is how long logs are kept. Required.
	RetentionDays int
	// Sources are the resources whose logs and metrics are exported.
	// Optional.
	Sources []LogSource
	// Tags are the workspace's tags. Optional.
	Tags pulumi.StringMapInput
}

// Monitoring is the Log Analytics workspace that receives the Cosmos DB
// account's, the clusters' and the Traffic Manager profile's logs: the audit
// logs customers export.
type Monitoring struct {
	pulumi.ResourceState

	// WorkspaceID is the workspace's ARM ID.
	WorkspaceID pulumi.IDOutput

	// members are the resources the component declared (see Members).
	members []pulumi.Resource
}

// Members returns the resources the component declared; depend on them,
// not on the component (see WorkloadIdentity.Members).
func (m *Monitoring) Members() []pulumi.Resource { return m.members }

// NewMonitoring declares the workspace and one diagnostic setting per source.
func NewMonitoring(ctx *pulumi.Context, name string, args *MonitoringArgs,
	opts ...pulumi.ResourceOption,
) (*Monitoring, error) {
	if args == nil || args.ResourceGroupName == nil || args.WorkspaceName == "" || args.Location == "" {
		return nil, errors.New("monitoring: ResourceGroupName, WorkspaceName and Location are required")
	}
	m := &Monitoring{}
	if err := ctx.RegisterComponentResource("fhir-dr:index:Monitoring", name, m, opts...); err != nil {
		return nil, err
	}
	ws, err := operationalinsights.NewWorkspace(ctx, "workspace", &operationalinsights.WorkspaceArgs{
		WorkspaceName:     pulumi.String(args.WorkspaceName),
		ResourceGroupName: args.ResourceGroupName,
		Location:          pulumi.String(args.Location),
		Sku:               &operationalinsights.WorkspaceSkuArgs{Name: pulumi.String("PerGB2018")},
		RetentionInDays:   pulumi.Int(args.RetentionDays),
		Tags:              args.Tags,
	}, withParent(m, pulumi.RetainOnDelete(true))...) // audit logs outlive the stack
	if err != nil {
		return nil, err
	}
	m.members = append(m.members, ws)
	workspaceID := ws.ID().ToStringOutput()
	for _, src := range args.Sources {
		var logs monitor.DiagnosticsLogSettingsArray
		for _, g := range src.CategoryGroups {
			logs = append(logs, monitor.DiagnosticsLogSettingsArgs{CategoryGroup: pulumi.String(g), Enabled: pulumi.Bool(true)})
		}
		for _, c := range src.Categories {
			logs = append(logs, monitor.DiagnosticsLogSettingsArgs{Category: pulumi.String(c), Enabled: pulumi.Bool(true)})
		}
		setting, err := monitor.NewDiagnosticSetting(ctx, src.Name+"-diagnostics", &monitor.DiagnosticSettingArgs{
			Name:        pulumi.String(DiagnosticsName),
			ResourceUri: src.ResourceID,
			WorkspaceId: workspaceID,
			// Resource-specific tables keep each source's schema.
			LogAnalyticsDestinationType: pulumi.String("Dedicated"),
			Logs:                        logs,
			Metrics: monitor.DiagnosticsMetricSettingsArray{
				{Category: pulumi.String("AllMetrics"), Enabled: pulumi.Bool(true)},
			},
		}, withParent(m)...)
		if err != nil {
			return nil, err
		}
		m.members = append(m.members, setting)
	}
	m.WorkspaceID = ws.ID()
	if err := ctx.RegisterResourceOutputs(m, pulumi.Map{"workspaceId": m.WorkspaceID}); err != nil {
		return nil, err
	}
	return m, nil
}
