import * as outputs from "../types/output";
export declare namespace demo {
    interface IdentityResponse {
        /**
         * The principal ID.
         */
        principalId: string;
        type?: string;
        delegations?: {
            [key: string]: outputs.demo.IdentityResponseDelegation;
        };
    }
    interface IdentityResponseDelegation {
        scope?: string;
    }
    interface KeyResponse {
        name: string;
        value: string;
    }
}
