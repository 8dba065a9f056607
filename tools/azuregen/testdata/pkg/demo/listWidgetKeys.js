function listWidgetKeys(args, opts) {
    return pulumi.runtime.invoke("azure-native:demo:listWidgetKeys", {
        "format": args.format,
    }, opts);
}
function listWidgetKeysOutput(args, opts) {
    return pulumi.runtime.invokeOutput("azure-native:demo:listWidgetKeys", {
        "format": args.format,
    }, opts);
}
