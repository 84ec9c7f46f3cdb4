/** Operational guardrails: recovery, retention, tracing, logging, WAF, dead-letter queues, regions. */
import { PolicyResource } from "@pulumi/policy";
import { parseDocument } from "./documents";
import { replicasOf } from "./encryption";
import { asList, isTrue, linked, read, resourcePolicy, stackPolicy, UNKNOWN } from "./helpers";

export const dynamodbPitr = resourcePolicy({
    name: "dynamodb-pitr",
    description: "DynamoDB tables and their replicas (inline `replicas` or TableReplica) keep point-in-time recovery on.",
    types: ["aws:dynamodb/table:Table", "aws:dynamodb/tableReplica:TableReplica"],
    check: (props, violation, args) => {
        if (args.type === "aws:dynamodb/tableReplica:TableReplica") {
            if (!isTrue(read(props, "pointInTimeRecovery"))) violation("pointInTimeRecovery must be true (a replica's PITR is its own; the default is off).");
            return;
        }
        if (!isTrue(read(props, "pointInTimeRecovery", "enabled"))) violation("pointInTimeRecovery.enabled must be true (35-day restore window).");
        for (const { at, replica } of replicasOf(props)) {
            if (!isTrue(read(replica, "pointInTimeRecovery"))) violation(`${at}.pointInTimeRecovery must be true (a replica's PITR is its own; the default is off).`);
        }
    },
});

export const logRetention = resourcePolicy({
    name: "log-group-retention",
    description: "CloudWatch log groups have a retention (never 'forever').",
    types: ["aws:cloudwatch/logGroup:LogGroup"],
    check: (props, violation) => {
        const days = read(props, "retentionInDays");
        if (days !== UNKNOWN && !(typeof days === "number" && days > 0)) violation("retentionInDays must be set (logs are kept and billed forever otherwise).");
    },
});

export const lambdaTracing = resourcePolicy({
    name: "lambda-tracing",
    description: "Lambda functions trace with X-Ray (tracingConfig.mode Active).",
    types: ["aws:lambda/function:Function"],
    check: (props, violation) => {
        const mode = read(props, "tracingConfig", "mode");
        if (mode !== "Active" && mode !== UNKNOWN) violation(`tracingConfig.mode must be Active (got ${mode ?? "nothing"}).`);
    },
});

export const apiStageAccessLogs = resourcePolicy({
    name: "apigateway-stage-access-logs",
    description: "API Gateway stages write access logs.",
    types: ["aws:apigateway/stage:Stage", "aws:apigatewayv2/stage:Stage"],
    check: (props, violation) => {
        const dest = read(props, "accessLogSettings", "destinationArn");
        if (dest === undefined || dest === null || dest === "") violation("accessLogSettings.destinationArn must name a log group.");
    },
});

export const apiStageWaf = stackPolicy({
    name: "apigateway-stage-waf",
    description: "Every REST API stage is associated with a WAF web ACL.",
    types: ["aws:apigateway/stage:Stage", "aws:wafv2/webAclAssociation:WebAclAssociation"],
    check: (resources, violation) => {
        const associations = resources.filter(r => r.type === "aws:wafv2/webAclAssociation:WebAclAssociation");
        for (const stage of resources.filter(r => r.type === "aws:apigateway/stage:Stage")) {
            if (!associations.some(a => linked(a, "resourceArn", stage, "arn"))) violation("no WAF web ACL is associated with this stage.", stage.urn);
        }
    },
});

export const apiNoDataTrace = resourcePolicy({
    name: "apigateway-no-data-trace",
    description: "API Gateway does not log full requests and responses (dataTraceEnabled): REST method settings, HTTP/WebSocket stage default and route settings. Bodies carry personal data (phone numbers, messages) and secrets.",
    types: ["aws:apigateway/methodSettings:MethodSettings", "aws:apigatewayv2/stage:Stage"],
    check: (props, violation, args) => {
        const settings = args.type === "aws:apigateway/methodSettings:MethodSettings"
            ? [{ where: "settings", s: read(props, "settings") }]
            : [{ where: "defaultRouteSettings", s: read(props, "defaultRouteSettings") }, ...asList(read(props, "routeSettings")).map((s, i) => ({ where: `routeSettings[${i}]`, s }))];
        for (const { where, s } of settings) {
            if (read(s, "dataTraceEnabled") === true) violation(`${where}.dataTraceEnabled logs full request and response bodies: turn it off (use access logs).`);
        }
    },
});

const QUEUE = "aws:sqs/queue:Queue";
const DEAD_LETTER_KEY = /deadLetter|onFailure/i;

/** Whether a value holds, at any depth, a key such as deadLetterConfig or onFailure. */
function hasDeadLetterKey(v: any): boolean {
    return Object.keys(v ?? {}).some(k => DEAD_LETTER_KEY.test(k) || hasDeadLetterKey(read(v, k)));
}

/**
 * Whether another service sends its failures to the queue: a resource's input that depends on the
 * queue holds a dead-letter or on-failure setting (a function's deadLetterConfig, an invoke
 * config's onFailure destination, a schedule's or rule target's deadLetterConfig).
 */
function namedAsDeadLetter(inputsOn: Map<string, { r: PolicyResource; prop: string }[]>, queue: PolicyResource): boolean {
    return (inputsOn.get(queue.urn) ?? []).some(({ r, prop }) => DEAD_LETTER_KEY.test(prop) || hasDeadLetterKey(read(r.props, prop)));
}

/** Resource URN → the inputs (resource, property) that depend on it. */
function inputsDependingOn(resources: PolicyResource[]): Map<string, { r: PolicyResource; prop: string }[]> {
    const index = new Map<string, { r: PolicyResource; prop: string }[]>();
    for (const r of resources) {
        for (const [prop, deps] of Object.entries(r.propertyDependencies ?? {})) {
            for (const urn of new Set(deps.map(d => d.urn))) {
                const inputs = index.get(urn) ?? [];
                inputs.push({ r, prop });
                index.set(urn, inputs);
            }
        }
    }
    return index;
}
const REDRIVE_POLICY = "aws:sqs/redrivePolicy:RedrivePolicy";

export const sqsDeadLetter = stackPolicy({
    name: "sqs-queue-dead-letter",
    description: "Every SQS queue that is not itself a dead-letter queue (of a queue, or of a function, invoke config, schedule or rule target) sends failed messages to one (inline redrivePolicy or a RedrivePolicy resource), so a poison message is set aside, not retried until it expires (advisory by default).",
    enforcementLevel: "advisory",
    types: [QUEUE, REDRIVE_POLICY],
    check: (resources, violation) => {
        const queues = resources.filter(r => r.type === QUEUE);
        const redrives = resources.filter(r => r.type === REDRIVE_POLICY);
        const sources = [...queues, ...redrives];
        const inputsOn = inputsDependingOn(resources);
        const isDeadLetterQueue = (q: PolicyResource) => read(q.props, "redriveAllowPolicy") !== undefined || namedAsDeadLetter(inputsOn, q) || sources.some(s => {
            if ((s.propertyDependencies.redrivePolicy ?? []).some(d => d.urn === q.urn)) return true;
            const target = read(parseDocument(read(s.props, "redrivePolicy")), "deadLetterTargetArn");
            const name = read(q.props, "name");
            return typeof target === "string" && typeof name === "string" && target.endsWith(`:${name}`);
        });
        for (const queue of queues) {
            const redrive = read(queue.props, "redrivePolicy") !== undefined || redrives.some(r => linked(r, "queueUrl", queue, "url"));
            if (!redrive && !isDeadLetterQueue(queue)) violation("no dead-letter queue: set redrivePolicy (deadLetterTargetArn, maxReceiveCount) or add a RedrivePolicy.", queue.urn);
        }
    },
});

export const allowedRegions = resourcePolicy({
    name: "allowed-regions",
    description: "AWS providers and resources (v7's per-resource `region`) deploy only to the allowed regions (empty list: any region).",
    types: t => t === "pulumi:providers:aws" || t.startsWith("aws:"),
    config: {
        allowedRegions: { type: "array", items: { type: "string" }, default: [], description: "Regions resources may be deployed to; empty allows every region." },
    },
    check: (props, violation, _args, config) => {
        const region = read(props, "region");
        const allowed = config.allowedRegions as string[];
        if (typeof region === "string" && allowed.length > 0 && !allowed.includes(region)) violation(`region ${region} is not one of the allowed regions ${allowed.join(", ")}.`);
    },
});
