import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { encryptedLogGroup } from "./log-group";
import { assertValidArgs } from "./validation";

export interface ManagedWebAclArgs {
    /** REGIONAL (API Gateway) or CLOUDFRONT (must be created through a us-east-1 provider). */
    scope: "REGIONAL" | "CLOUDFRONT";
    /** Requests per client IP per 5 minutes before the rate rule blocks. */
    rateLimit: number;
    /** CloudWatch metric name prefix. */
    metricPrefix: string;
    /** Log every request to an encrypted log group (`aws-waf-logs-…`). Defaults to no logging. */
    logging?: { kmsKeyArn: pulumi.Input<string>; retentionInDays: number; namePrefix: string };
    /** Managed rules whose action is only counted (false positives for our callers). Defaults to SizeRestrictions_BODY: Stripe events can exceed 8 KB. */
    countOnlyRules?: string[];
}

/** The AWS managed rule groups every ACL carries, in priority order. */
export const MANAGED_RULE_GROUPS = ["AWSManagedRulesAmazonIpReputationList", "AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet"];

/** Pure validation of ManagedWebAclArgs; returns every problem. */
export function validateManagedWebAclArgs(args: ManagedWebAclArgs): string[] {
    const p: string[] = [];
    if (!Number.isInteger(args.rateLimit) || args.rateLimit < 10 || args.rateLimit > 2000000000) p.push(`rateLimit must be an integer of at least 10 (got ${args.rateLimit})`);
    if (!/^[\w-]{1,128}$/.test(args.metricPrefix)) p.push(`metricPrefix must be 1-128 letters, digits, _ or - (got ${args.metricPrefix})`);
    if (args.logging && !args.logging.namePrefix.startsWith("aws-waf-logs-")) p.push(`logging.namePrefix must start with aws-waf-logs- (WAF's rule) (got ${args.logging.namePrefix})`);
    return p;
}

/**
 * A WAFv2 web ACL: AWS managed rules (IP reputation, common, known bad inputs), a rate-based
 * rule per client IP, CloudWatch metrics and sampled requests on every rule, and logging.
 */
export class ManagedWebAcl extends pulumi.ComponentResource {
    public readonly webAcl: aws.wafv2.WebAcl;
    public readonly arn: pulumi.Output<string>;
    public readonly name: pulumi.Output<string>;

    constructor(name: string, args: ManagedWebAclArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ai-nutritionist:security:ManagedWebAcl", name, {}, opts);
        const problems = validateManagedWebAclArgs(args);
        assertValidArgs(name, problems, this);
        const visibility = (metric: string) => ({ cloudwatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: `${args.metricPrefix}-${metric}` });
        const countOnly = args.countOnlyRules ?? ["SizeRestrictions_BODY"];
        const managed = MANAGED_RULE_GROUPS.map((group, priority) => ({
            name: group,
            priority,
            overrideAction: { none: {} },
            statement: {
                managedRuleGroupStatement: {
                    vendorName: "AWS",
                    name: group,
                    ruleActionOverrides: group === "AWSManagedRulesCommonRuleSet" && countOnly.length
                        ? countOnly.map(rule => ({ name: rule, actionToUse: { count: {} } }))
                        : undefined,
                },
            },
            visibilityConfig: visibility(group),
        }));
        this.webAcl = new aws.wafv2.WebAcl(`${name}-acl`, {
            scope: args.scope,
            description: `${args.metricPrefix}: managed rules and per-IP rate limit`,
            defaultAction: { allow: {} },
            rules: [
                ...managed,
                {
                    name: "rate-limit-per-ip",
                    priority: managed.length,
                    action: { block: {} },
                    statement: { rateBasedStatement: { limit: args.rateLimit, aggregateKeyType: "IP", evaluationWindowSec: 300 } },
                    visibilityConfig: visibility("rate-limit-per-ip"),
                },
            ],
            visibilityConfig: visibility("all"),
        }, { parent: this });

        if (args.logging) {
            const logGroup = encryptedLogGroup(`${name}-logs`, {
                namePrefix: args.logging.namePrefix,
                kmsKeyArn: args.logging.kmsKeyArn,
                retentionInDays: args.logging.retentionInDays,
            }, { parent: this });
            new aws.wafv2.WebAclLoggingConfiguration(`${name}-logging`, {
                resourceArn: this.webAcl.arn,
                logDestinationConfigs: [logGroup.arn],
                redactedFields: [{ singleHeader: { name: "authorization" } }, { singleHeader: { name: "cookie" } }],
            }, { parent: this });
        }
        this.arn = this.webAcl.arn;
        this.name = this.webAcl.name;
        this.registerOutputs({ arn: this.arn, name: this.name });
    }
}
