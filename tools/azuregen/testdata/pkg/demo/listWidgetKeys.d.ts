import * as pulumi from "@pulumi/pulumi";
import * as outputs from "../types/output";
/**
 * The keys of a widget.
 *
 * Uses Azure REST API version 2030-01-01.
 */
export declare function listWidgetKeys(args: ListWidgetKeysArgs, opts?: pulumi.InvokeOptions): Promise<ListWidgetKeysResult>;
export interface ListWidgetKeysArgs {
    format?: string;
    resourceGroupName: string;
    widgetName: string;
}
export interface ListWidgetKeysResult {
    readonly keys: outputs.demo.KeyResponse[];
}
export declare function listWidgetKeysOutput(args: ListWidgetKeysOutputArgs, opts?: pulumi.InvokeOutputOptions): pulumi.Output<ListWidgetKeysResult>;
export interface ListWidgetKeysOutputArgs {
    format?: pulumi.Input<string | undefined>;
    resourceGroupName: pulumi.Input<string>;
    widgetName: pulumi.Input<string>;
}
