/**
 * Request shapes the provider passes through but AWS refuses at `pulumi up` (or awsx refuses at
 * `pulumi preview`, or AWS accepts and then never acts on, like an event pattern that cannot match).
 * The mocks check every resource against them (engine/mocks.ts), so the offline plan fails where the
 * deploy would.
 */

import { eventPatternProblems } from "./event-patterns";
import { awsxVpcProblems } from "../components/vpc-layout";

type Rule = (inputs: any) => string[];

const ARN_WILDCARD = "*";

export const API_RULES: Record<string, { rule: Rule; source: string }> = {
    // CreateRestoreTestingSelection: a selection is a list of up to 30 protected-resource ARNs, or the wildcard
    // ["*"] optionally narrowed by tag conditions; conditions without the wildcard select nothing and are refused.
    "aws:backup/restoreTestingSelection:RestoreTestingSelection": {
        source: "https://docs.aws.amazon.com/aws-backup/latest/devguide/API_RestoreTestingSelectionForCreate.html",
        rule: i => {
            const p: string[] = [];
            const arns: unknown[] | undefined = i.protectedResourceArns;
            const c = i.protectedResourceConditions ?? {};
            const conditions = [...(c.stringEquals ?? []), ...(c.stringNotEquals ?? [])];
            if (!arns || arns.length === 0) {
                p.push(`protectedResourceArns: is required: up to 30 ARNs, or ["${ARN_WILDCARD}"]${conditions.length ? " together with protectedResourceConditions" : ""} (got ${JSON.stringify(arns ?? null)})`);
            } else if (arns.includes(ARN_WILDCARD) && arns.length > 1) {
                p.push(`protectedResourceArns: the wildcard stands alone, not with ARNs (got ${JSON.stringify(arns)})`);
            } else if (!arns.includes(ARN_WILDCARD) && arns.length > 30) {
                p.push(`protectedResourceArns: at most 30 ARNs (got ${arns.length})`);
            }
            if (conditions.length && arns && !(arns.length === 1 && arns[0] === ARN_WILDCARD)) {
                p.push(`protectedResourceConditions: apply only with protectedResourceArns ["${ARN_WILDCARD}"] (got ${JSON.stringify(arns)})`);
            }
            const hours = i.validationWindowHours;
            if (hours !== undefined && !(Number.isInteger(hours) && hours >= 1 && hours <= 168)) {
                p.push(`validationWindowHours: must be 1-168 (got ${hours})`);
            }
            return p;
        },
    },
    // PutRule accepts a pattern on any field, but one on a field the event never carries (or on values the
    // field never takes) never matches: the rule's target is never invoked. Checked against the events' schemas.
    "aws:cloudwatch/eventRule:EventRule": {
        source: "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html",
        rule: i => typeof i.eventPattern === "string" ? eventPatternProblems(i.eventPattern).map(p => `eventPattern: ${p}`) : [],
    },
    // awsx's Vpc is a remote component: the mocks never run its subnet allocator, which refuses at preview a
    // layout whose subnets do not fit each AZ's share of the VPC. Reproduced in components/vpc-layout.ts.
    "awsx:ec2:Vpc": {
        source: "pulumi-awsx awsx/ec2/subnetDistributorNew.ts (allocateSubnetCidrBlocks) and awsx/ec2/vpc.ts",
        rule: i => awsxVpcProblems(i),
    },
};

/** Every problem AWS would raise for a resource's request (empty for types without a rule). */
export function apiProblems(type: string, name: string, inputs: any): string[] {
    const r = API_RULES[type];
    return r ? r.rule(inputs).map(p => `${type} "${name}": ${p} (${r.source})`) : [];
}
