// Package monitor registers azure-native:monitor resources by type token,
// shaped like the generated package
// github.com/pulumi/pulumi-azure-native-sdk/monitor/v3. Only the inputs
// fhir-dr sets are declared; their names match the provider schema exactly.
package monitor

import (
	"fmt"
	"reflect"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/fhir-dr/fhir-dr/azure/azurenative"
)

// DiagnosticSettingToken is the type token of DiagnosticSetting.
const DiagnosticSettingToken = "azure-native:monitor:DiagnosticSetting"

// DiagnosticSetting exports a resource's logs and metrics.
type DiagnosticSetting struct {
	pulumi.CustomResourceState

	// Name is the setting's name.
	Name pulumi.StringOutput `pulumi:"name"`
}

// DiagnosticSettingArgs are the inputs of DiagnosticSetting.
type DiagnosticSettingArgs struct {
	// LogAnalyticsDestinationType is Dedicated for resource-specific tables.
	LogAnalyticsDestinationType pulumi.StringPtrInput `pulumi:"logAnalyticsDestinationType"`
	// Logs select the log categories to export.
	Logs LogSettingsArray `pulumi:"logs"`
	// Metrics select the metric categories to export.
	Metrics MetricSettingsArray `pulumi:"metrics"`
	// Name is the setting's name.
	Name pulumi.StringPtrInput `pulumi:"name"`
	// ResourceUri is the ID of the exported resource. Required.
	ResourceUri pulumi.StringInput `pulumi:"resourceUri"`
	// WorkspaceId is the destination Log Analytics workspace.
	WorkspaceId pulumi.StringPtrInput `pulumi:"workspaceId"`
}

// ElementType makes DiagnosticSettingArgs a pulumi.Input.
func (DiagnosticSettingArgs) ElementType() reflect.Type {
	return reflect.TypeOf((*DiagnosticSettingArgs)(nil)).Elem()
}

// LogSettingsArgs select a log category or category group.
type LogSettingsArgs struct {
	// Category is a log category of the resource type.
	Category pulumi.StringPtrInput `pulumi:"category"`
	// CategoryGroup is a group such as allLogs or audit.
	CategoryGroup pulumi.StringPtrInput `pulumi:"categoryGroup"`
	// Enabled turns the export on. Required.
	Enabled pulumi.BoolInput `pulumi:"enabled"`
}

// LogSettingsArray is a list of LogSettingsArgs.
type LogSettingsArray []LogSettingsArgs

// MetricSettingsArgs select a metric category.
type MetricSettingsArgs struct {
	// Category is a metric category, e.g. AllMetrics.
	Category pulumi.StringPtrInput `pulumi:"category"`
	// Enabled turns the export on. Required.
	Enabled pulumi.BoolInput `pulumi:"enabled"`
}

// MetricSettingsArray is a list of MetricSettingsArgs.
type MetricSettingsArray []MetricSettingsArgs

// NewDiagnosticSetting registers a diagnostic setting.
func NewDiagnosticSetting(ctx *pulumi.Context, name string, args *DiagnosticSettingArgs,
	opts ...pulumi.ResourceOption,
) (*DiagnosticSetting, error) {
	if args == nil {
		args = &DiagnosticSettingArgs{}
	}
	required := []azurenative.Input{{Name: "resourceUri", Set: args.ResourceUri != nil}}
	for i, l := range args.Logs {
		required = append(required, azurenative.Input{Name: fmt.Sprintf("logs[%d].enabled", i), Set: l.Enabled != nil})
	}
	for i, m := range args.Metrics {
		required = append(required, azurenative.Input{Name: fmt.Sprintf("metrics[%d].enabled", i), Set: m.Enabled != nil})
	}
	if err := azurenative.CheckRequired(DiagnosticSettingToken, required...); err != nil {
		return nil, err
	}
	var res DiagnosticSetting
	if err := azurenative.Register(ctx, DiagnosticSettingToken, name, args, &res, opts...); err != nil {
		return nil, err
	}
	return &res, nil
}
