class Gadget extends pulumi.CustomResource {
    static __pulumiType = 'azure-native:demo:Gadget';
    constructor(name, argsOrState, opts) {
        if (!opts.id) {
            resourceInputs["resourceGroupName"] = args?.resourceGroupName;
            resourceInputs["name"] = undefined /*out*/;
        }
        else {
        }
    }
}
