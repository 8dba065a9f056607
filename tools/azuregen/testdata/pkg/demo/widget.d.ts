import * as pulumi from "@pulumi/pulumi";
import * as inputs from "../types/input";
import * as outputs from "../types/output";
import * as enums from "../types/enums";
/**
 * A widget of the demo service.
 *
 * Uses Azure REST API version 2030-01-01.
 *
 * Other available API versions: 2029-01-01.
 */
export declare class Widget extends pulumi.CustomResource {
    /**
     * Get an existing Widget resource's state with the given name, ID, and optional extra
     * properties used to qualify the lookup.
     */
    static get(name: string, id: pulumi.Input<pulumi.ID>, opts?: pulumi.CustomResourceOptions): Widget;
    static isInstance(obj: any): obj is Widget;
    /**
     * The resource name.
     */
    readonly name: pulumi.Output<string>;
    /**
     * The endpoint, once provisioned.
     */
    readonly endpoint: pulumi.Output<string | undefined>;
    readonly identity: pulumi.Output<outputs.demo.IdentityResponse | undefined>;
    readonly ratio: pulumi.Output<number | undefined>;
    readonly tags: pulumi.Output<{
        [key: string]: string;
    } | undefined>;
    /**
     * Create a Widget resource with the given unique name, arguments, and options.
     */
    constructor(name: string, args: WidgetArgs, opts?: pulumi.CustomResourceOptions);
}
/**
 * The set of arguments for constructing a Widget resource.
 */
export interface WidgetArgs {
    /**
     * The widget's kind.
     */
    kind?: pulumi.Input<string | enums.demo.WidgetKind | undefined>;
    tier: pulumi.Input<enums.demo.Tier>;
    count?: pulumi.Input<number | undefined>;
    ratio?: pulumi.Input<number | undefined>;
    enableRBAC?: pulumi.Input<boolean | undefined>;
    settings?: pulumi.Input<inputs.demo.SettingsArgs | undefined>;
    rules?: pulumi.Input<pulumi.Input<inputs.demo.RuleArgs>[] | undefined>;
    gadgets?: pulumi.Input<{
        [key: string]: pulumi.Input<inputs.demo.GadgetArgs>;
    } | undefined>;
    policy?: pulumi.Input<inputs.demo.PolicyAArgs | inputs.demo.PolicyBArgs | undefined>;
    blob?: any | undefined;
    grid?: pulumi.Input<pulumi.Input<pulumi.Input<inputs.demo.RuleArgs>[]>[] | undefined>;
    /**
     * The name of the resource group.
     */
    resourceGroupName: pulumi.Input<string>;
    tags?: pulumi.Input<{
        [key: string]: pulumi.Input<string>;
    } | undefined>;
}
