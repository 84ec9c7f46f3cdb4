/** Reports every finding that an exemption suppressed, with its reason, so none is silent. */
import { StackValidationPolicy } from "@pulumi/policy";
import { exemptedFindings } from "./helpers";

export const exemptionReport: StackValidationPolicy = {
    name: "exempted-findings",
    description: "Lists each finding suppressed by a policy exemption, with the exemption's reason (advisory; runs last).",
    enforcementLevel: "advisory",
    validateStack: (_args, report) => {
        for (const f of exemptedFindings) report(`EXEMPT from ${f.policy}: ${f.reason} (finding: ${f.message})`, f.urn);
    },
};
