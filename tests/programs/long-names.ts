/**
 * A test program whose names cannot fit (tests/naming.test.ts): the plan must fail listing each with its
 * limit and computed length, as `pulumi preview` (the provider's auto-naming) and `pulumi up` (AWS) would.
 */
import * as aws from "@pulumi/aws";

const provider = new aws.Provider("test-aws", { region: "us-east-1" });
const opts = { provider };

// Auto-named: the provider refuses at preview (logical name + "-" + 7 hex over its cap of 40).
new aws.elasticache.ReplicationGroup("ai-nutritionist-staging-api-cache-redis", { description: "d", nodeType: "cache.t4g.micro" }, opts);
// Auto-named under the provider's cap (255) but over AWS's 64 for a target id: refused at `pulumi up`.
const rule = new aws.cloudwatch.EventRule("r", { eventPattern: "{}" }, opts);
new aws.cloudwatch.EventTarget("ai-nutritionist-staging-security-config-noncompliant-target", { rule: rule.name, arn: "arn:aws:sns:us-east-1:123456789012:t" }, opts);
// Explicit names over AWS's caps.
new aws.xray.Group("group", { groupName: "ai-nutritionist-a-very-long-stack-slow", filterExpression: "responsetime > 5" }, opts);
new aws.xray.SamplingRule("rule", {
    ruleName: "ai-nutritionist-a-very-long-stack-name", priority: 1, version: 1, reservoirSize: 1, fixedRate: 0.05,
    host: "*", httpMethod: "*", urlPath: "*", serviceName: "*", serviceType: "*", resourceArn: "*",
}, opts);
// An explicit name with characters AWS refuses, and a name prefix that leaves no room for its 26-character suffix.
new aws.sqs.Queue("queue", { name: "work queue" }, opts);
new aws.iam.Role("role", { namePrefix: "ai-nutritionist-a-very-long-stack-role-", assumeRolePolicy: "{}" }, opts);
