import * as pulumi from "@pulumi/pulumi";
import * as inputs from "../types/input";
import * as enums from "../types/enums";
export declare namespace demo {
    /**
     * Settings of a widget.
     */
    interface SettingsArgs {
        mode?: pulumi.Input<string | undefined>;
        limits?: pulumi.Input<inputs.demo.LimitsArgs | undefined>;
    }
    /**
     * settingsArgsProvideDefaults sets the appropriate defaults for SettingsArgs
     */
    function settingsArgsProvideDefaults(val: SettingsArgs): SettingsArgs;
    interface LimitsArgs {
        max?: pulumi.Input<number | undefined>;
    }
    function limitsArgsProvideDefaults(val: LimitsArgs): LimitsArgs;
    interface RuleArgs {
        name: pulumi.Input<string>;
        values?: pulumi.Input<pulumi.Input<string>[] | undefined>;
    }
    interface GadgetArgs {
        enabled: pulumi.Input<boolean>;
    }
    interface PolicyAArgs {
        /**
         * Expected value is 'A'.
         */
        type: pulumi.Input<"A">;
        everyMinutes?: pulumi.Input<number | undefined>;
    }
    interface PolicyBArgs {
        type: pulumi.Input<"B">;
        tier?: pulumi.Input<enums.demo.Tier | undefined>;
    }
}
export declare namespace other {
    interface SettingsArgs {
        unrelated?: pulumi.Input<string | undefined>;
    }
}
