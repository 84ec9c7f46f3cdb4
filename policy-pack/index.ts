/** The CrossGuard policy pack. Loading this module starts the policy server (as `pulumi preview --policy-pack` expects). */
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

new PolicyPack("ai-nutritionist-guardrails", {
    description: "Encryption (customer-managed KMS keys, TLS) and tagging guardrails for the AI Nutritionist stacks.",
    enforcementLevel: "mandatory",
    policies,
});
