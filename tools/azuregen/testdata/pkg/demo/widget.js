"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
class Widget extends pulumi.CustomResource {
    static get(name, id, opts) {
        return new Widget(name, undefined, { ...opts, id: id });
    }
    static __pulumiType = 'azure-native:demo:Widget';
    constructor(name, argsOrState, opts) {
        let resourceInputs = {};
        opts = opts || {};
        if (!opts.id) {
            if (args?.resourceGroupName === undefined && !opts.urn) {
                throw new Error("Missing required property 'resourceGroupName'");
            }
            resourceInputs["blob"] = args?.blob;
            resourceInputs["count"] = (args?.count) ?? 3;
            resourceInputs["enableRBAC"] = (args?.enableRBAC) ?? false;
            resourceInputs["gadgets"] = args?.gadgets;
            resourceInputs["grid"] = args?.grid;
            resourceInputs["kind"] = (args?.kind) ?? "Basic";
            resourceInputs["policy"] = args?.policy;
            resourceInputs["ratio"] = args?.ratio;
            resourceInputs["resourceGroupName"] = args?.resourceGroupName;
            resourceInputs["rules"] = args?.rules;
            resourceInputs["settings"] = args ? pulumi.output(args.settings).apply(v => v === undefined ? undefined : inputs.demo.settingsArgsProvideDefaults(v)) : undefined;
            resourceInputs["tags"] = args?.tags;
            resourceInputs["tier"] = args?.tier;
            resourceInputs["endpoint"] = undefined /*out*/;
            resourceInputs["name"] = undefined /*out*/;
        }
        else {
            resourceInputs["name"] = undefined /*out*/;
        }
    }
}
exports.Widget = Widget;
