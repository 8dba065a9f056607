import * as pulumi from "@pulumi/pulumi";
/**
 * A gadget: a resource whose name an input type shares.
 *
 * Uses Azure REST API version 2030-01-01.
 */
export declare class Gadget extends pulumi.CustomResource {
    readonly name: pulumi.Output<string>;
}
export interface GadgetArgs {
    resourceGroupName: pulumi.Input<string>;
}
