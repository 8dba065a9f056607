"use strict";
var demo;
(function (demo) {
    /**
     * settingsArgsProvideDefaults sets the appropriate defaults for SettingsArgs
     */
    function settingsArgsProvideDefaults(val) {
        return {
            ...val,
            limits: pulumi.output(val.limits).apply(v => v === undefined ? undefined : inputs.demo.limitsArgsProvideDefaults(v)),
            mode: (val.mode) ?? "auto",
        };
    }
    demo.settingsArgsProvideDefaults = settingsArgsProvideDefaults;
    function limitsArgsProvideDefaults(val) {
        return {
            ...val,
            max: (val.max) ?? 10,
        };
    }
    demo.limitsArgsProvideDefaults = limitsArgsProvideDefaults;
})(demo = exports.demo || (exports.demo = {}));
