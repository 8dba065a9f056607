export declare const Tier: {
    /**
     * The free tier.
     */
    readonly Free: "Free";
    readonly Standard: "Standard";
};
/**
 * A tier.
 */
export type Tier = (typeof Tier)[keyof typeof Tier];
export declare const WidgetKind: {
    readonly Basic: "Basic";
    readonly Fancy: "Fancy";
};
export type WidgetKind = (typeof WidgetKind)[keyof typeof WidgetKind];
