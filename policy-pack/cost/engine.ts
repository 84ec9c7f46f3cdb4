/**
 * The pricing engine: a stack's monthly cost from its resources (type and properties, as a
 * `pulumi preview` or our offline plan shows them), a usage profile and the dated price tables.
 *
 * It imports nothing from outside policy-pack/, so the `cost-budget` policy can run it inside a
 * real preview, where the pack sees only resources. `npm run cost` (cli/cost.ts) runs the same
 * engine over a plan.
 *
 * Every resource ends up in exactly one place: priced (each line = quantity x a unit price from a
 * table that names its source), free (its type is in FREE_TYPES with the reason), or not estimated
 * (with the reason) — never silently zero.
 */
import { read, UNKNOWN } from "../policies/helpers";
import { PriceTable, priceTable } from "./prices";
import smsPrices from "./sms-prices.json";
import { UsageProfile, USAGE_DESCRIPTIONS } from "./usage";

export const HOURS_PER_MONTH = 730;
const DAYS_PER_MONTH = 30.4;
const SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600;
const KB_PER_GB = 1024 * 1024;

/** A resource as the engine reads it. `props` may be a preview proxy that throws on unknown values. */
export interface CostResource {
    urn: string;
    type: string;
    name: string;
    props: any;
    /** Region of the resource's provider; defaults to the stack's region. */
    region?: string;
    /** Parent URN (for the per-component view). */
    parent?: string | null;
}

export type CostKind = "fixed" | "usage";

export interface CostComponent {
    name: string;
    unit: string;
    quantity: number;
    unitPrice: number;
    monthly: number;
}

export interface CostLine extends CostComponent {
    kind: CostKind;
    key: string;
    region: string;
    service: string;
    description: string;
    source: string;
}

export interface ResourceCost {
    urn: string;
    type: string;
    name: string;
    fixedMonthly: number;
    usageMonthly: number;
    components: CostComponent[];
}

export interface NotEstimated {
    urn: string;
    type: string;
    reason: string;
}

/** The JSON contract of `npm run cost -- --json`. */
export interface CostEstimate {
    stack: string;
    currency: "USD";
    fixedMonthly: number;
    usageMonthly: number;
    totalMonthly: number;
    assumptions: Record<string, any>;
    resources: ResourceCost[];
    notEstimated: NotEstimated[];
}

/** The engine's full answer: the contract plus the lines with their sources, for reports. */
export interface EstimateDetail {
    estimate: CostEstimate;
    lines: Map<string, CostLine[]>;
    free: { urn: string; type: string; reason: string }[];
    derived: Derived;
    resources: CostResource[];
}

export interface EstimateOptions {
    stack: string;
    /** The stack's region (its default provider's). */
    region: string;
    usage: UsageProfile;
    /** Where each usage value came from (setting, YAML file, default), printed with it. */
    usageSources?: Partial<Record<keyof UsageProfile, string>>;
    /** The stack's environment (dev, staging, prod), when known. */
    environment?: string;
}

/** Types that cost nothing by themselves, with the reason. Priced elsewhere = the line is on another resource. */
export const FREE_TYPES: Readonly<Record<string, string>> = {
    "pulumi:providers:aws": "provider configuration, not a cloud resource",
    "pulumi:providers:awsx": "provider configuration, not a cloud resource",
    "pulumi:providers:random": "provider configuration, not a cloud resource",
    "random:index/randomPassword:RandomPassword": "generated in the Pulumi engine, not a cloud resource",
    "aws:accessanalyzer/analyzer:Analyzer": "external-access analyzers (type ACCOUNT/ORGANIZATION) have no charge",
    "aws:apigateway/account:Account": "account setting, no charge",
    "aws:apigateway/apiKey:ApiKey": "no charge; requests are priced on the REST API",
    "aws:apigateway/deployment:Deployment": "no charge; requests are priced on the REST API",
    "aws:apigateway/integration:Integration": "no charge; requests are priced on the REST API",
    "aws:apigateway/integrationResponse:IntegrationResponse": "no charge",
    "aws:apigateway/method:Method": "no charge; requests are priced on the REST API",
    "aws:apigateway/methodResponse:MethodResponse": "no charge",
    "aws:apigateway/methodSettings:MethodSettings": "no charge; execution logs are priced on their log group",
    "aws:apigateway/resource:Resource": "no charge",
    "aws:apigateway/response:Response": "no charge",
    "aws:apigateway/usagePlan:UsagePlan": "no charge",
    "aws:apigateway/usagePlanKey:UsagePlanKey": "no charge",
    "aws:backup/regionSettings:RegionSettings": "account setting, no charge",
    "aws:backup/restoreTestingSelection:RestoreTestingSelection": "restores are priced on the restore testing plan",
    "aws:backup/selection:Selection": "backup storage is priced on the backup plan",
    "aws:backup/vault:Vault": "a vault has no charge; the recovery points in it are priced on the backup plan",
    "aws:backup/vaultLockConfiguration:VaultLockConfiguration": "no charge",
    "aws:budgets/budget:Budget": "budgets without actions have no charge",
    "aws:cfg/deliveryChannel:DeliveryChannel": "no charge; delivered files are priced on the bucket",
    "aws:cfg/recorderStatus:RecorderStatus": "no charge; configuration items are priced on the recorder",
    "aws:cloudfront/originAccessControl:OriginAccessControl": "no charge",
    "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy": "no charge",
    "aws:cloudwatch/eventRule:EventRule": "rules on AWS service events have no charge",
    "aws:cloudwatch/eventTarget:EventTarget": "no charge; deliveries are priced on the target (SNS)",
    "aws:cloudwatch/queryDefinition:QueryDefinition": "a saved query has no charge (queries run by hand are billed per GB scanned)",
    "aws:costexplorer/anomalyMonitor:AnomalyMonitor": "Cost Anomaly Detection has no charge",
    "aws:costexplorer/anomalySubscription:AnomalySubscription": "Cost Anomaly Detection has no charge",
    "aws:costexplorer/costAllocationTag:CostAllocationTag": "activating a cost-allocation tag has no charge",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": "security groups have no charge",
    "aws:ec2/securityGroup:SecurityGroup": "security groups have no charge",
    "aws:ec2/flowLog:FlowLog": "delivery is priced on the destination log group (vended logs)",
    "aws:ec2/vpc:Vpc": "a VPC has no charge",
    "aws:ec2/subnet:Subnet": "subnets have no charge",
    "aws:ec2/routeTable:RouteTable": "route tables have no charge",
    "aws:ec2/routeTableAssociation:RouteTableAssociation": "no charge",
    "aws:ec2/route:Route": "no charge",
    "aws:ec2/internetGateway:InternetGateway": "internet gateways have no charge",
    "aws:elasticache/subnetGroup:SubnetGroup": "no charge",
    "aws:guardduty/detectorFeature:DetectorFeature": "priced per feature below when enabled",
    "aws:iam/role:Role": "IAM has no charge",
    "aws:iam/rolePolicy:RolePolicy": "IAM has no charge",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": "IAM has no charge",
    "aws:iam/policy:Policy": "IAM has no charge",
    "aws:kms/alias:Alias": "aliases have no charge",
    "aws:kms/keyPolicy:KeyPolicy": "no charge",
    "aws:lambda/eventSourceMapping:EventSourceMapping": "no charge; its SQS polling is priced on the queue",
    "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig": "no charge",
    "aws:lambda/permission:Permission": "no charge",
    "aws:pinpoint/smsvoicev2ConfigurationSet:Smsvoicev2ConfigurationSet": "no charge; messages are priced on the origination number",
    "aws:pinpoint/smsvoicev2EventDestination:Smsvoicev2EventDestination": "no charge; events published are priced on the SNS topic",
    "aws:pinpoint/smsvoicev2OptOutList:Smsvoicev2OptOutList": "no charge",
    "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock": "account setting, no charge",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": "no charge (transitions of our volumes are negligible)",
    "aws:s3/bucketLogging:BucketLogging": "no charge; log objects are priced on the target bucket",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": "no charge",
    "aws:s3/bucketPolicy:BucketPolicy": "no charge",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": "no charge",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": "no charge; KMS requests are priced on the key",
    "aws:s3/bucketVersioning:BucketVersioning": "no charge; stored versions are priced on the bucket",
    "aws:scheduler/scheduleGroup:ScheduleGroup": "no charge",
    "aws:secretsmanager/secretVersion:SecretVersion": "versions are included in the secret's price",
    "aws:securityhub/standardsSubscription:StandardsSubscription": "security checks are priced on the Security Hub account",
    "aws:sns/topicPolicy:TopicPolicy": "no charge",
    "aws:sns/topicSubscription:TopicSubscription": "e-mail deliveries of alert volumes stay within SNS's free 1,000 a month",
    "aws:sqs/queuePolicy:QueuePolicy": "no charge",
    "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy": "no charge",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "no charge",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "no charge",
    "aws:wafv2/webAclAssociation:WebAclAssociation": "no charge; requests are priced on the web ACL",
    "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration": "no charge; log delivery is priced on the destination log group",
};

/** Managed rule groups with a subscription or per-request fee the tables do not hold. */
const PAID_RULE_GROUPS = ["AWSManagedRulesBotControlRuleSet", "AWSManagedRulesATPRuleSet", "AWSManagedRulesACFPRuleSet", "AWSManagedRulesAntiDDoSRuleSet"];

// --- Reading props that may be unknown during a preview ----------------------------------------

/** A nested prop, or undefined when absent or not known until the update runs (the pack's `read`). */
export function prop(obj: any, ...path: (string | number)[]): any {
    const v = read(obj, ...path);
    return v === UNKNOWN || v === "[unknown]" ? undefined : v;
}

function list(v: any): any[] {
    if (v === undefined || v === null) return [];
    if (Array.isArray(v)) return v;
    try {
        return Array.from(v as ArrayLike<any>);
    } catch {
        return [];
    }
}

function str(v: any): string {
    return typeof v === "string" ? v : "";
}

/** Component resources (ours and awsx's) have a type with no module/resource path. */
export function isComponentType(type: string): boolean {
    return !type.startsWith("pulumi:providers:") && !type.includes("/");
}

// --- Derived volumes ---------------------------------------------------------------------------

export type FunctionRole = "inbound" | "worker" | "sender" | "billing" | "scheduler" | "other";

/** When a handler publishes a custom metric: on every event of its kind, or only when something fails. */
export type MetricCadence = "perEvent" | "onFailure";

/**
 * The custom metrics each handler publishes (Powertools EMF, one `service` dimension each, so one
 * billed metric per name and handler). CloudWatch bills a custom metric per hour in which it is
 * published, so a per-event metric costs the share of hours with at least one event and a failure
 * metric the hours with failures (failureMetricHoursPerMonth). tests/cost.test.ts checks this list
 * against the handlers' addMetric calls.
 */
export const CUSTOM_METRICS: Readonly<Record<Exclude<FunctionRole, "other">, Readonly<Record<string, MetricCadence>>>> = {
    inbound: { InboundMessagesRecorded: "perEvent", InboundRecordFailures: "onFailure", TwilioSignatureFailures: "onFailure", TwilioDeliveryFailures: "onFailure" },
    worker: {
        RepliesQueued: "perEvent", CacheHits: "perEvent", CacheMisses: "perEvent", CacheSkipped: "perEvent",
        CacheErrors: "onFailure", BedrockThrottles: "onFailure", BedrockErrors: "onFailure", OutboxFailures: "onFailure", RecordsDeferred: "onFailure",
    },
    sender: { RepliesSent: "perEvent", TwilioDeliveryFailures: "onFailure", AwsSmsSendFailures: "onFailure", SendsReconciled: "onFailure", SendsAmbiguous: "onFailure" },
    billing: { StripeEventsRecorded: "perEvent", StripeSignatureFailures: "onFailure", StripeEventsTrimmed: "onFailure" },
    scheduler: { JobsEnqueued: "perEvent" },
};

/** A price outside the AWS bill (the SMS provider's), with its source and the date it was read. */
export interface ExternalPrice {
    provider: string;
    description: string;
    unit: string;
    usd: number;
    source: string;
    asOf: string;
}

/** Per-segment SMS prices of the providers outside AWS (policy-pack/cost/sms-prices.json). */
export const EXTERNAL_PRICES: Readonly<Record<string, ExternalPrice>> = smsPrices.prices;

export interface Derived {
    environment?: string;
    hasCache: boolean;
    answers: number;
    bedrockCalls: number;
    apiRequests: number;
    invocations: Record<FunctionRole, number>;
    scheduleRuns: number;
    tableStorageGB: Record<string, number>;
    dynamoRequests: number;
    /** GB a month each AWS service (or "internet") receives from the functions in the VPC. */
    vpcTrafficGB: Record<string, number>;
    /** Services with an interface endpoint, and how many AZs each spans. */
    interfaceEndpoints: Record<string, number>;
    natCount: number;
    inVpc: boolean;
    notes: string[];
}

export function functionRole(name: string): FunctionRole {
    if (/sender/.test(name)) return "sender";
    if (/inbound/.test(name)) return "inbound";
    if (/worker/.test(name)) return "worker";
    if (/billing/.test(name)) return "billing";
    if (/schedul/.test(name)) return "scheduler";
    return "other";
}

/** Runs a month of a schedule expression: cron(m h dom mon dow yr) or rate(n unit). */
export function runsPerMonth(expr: string): number {
    const rate = /^rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)$/.exec(expr.trim());
    if (rate) {
        const n = Number(rate[1]);
        const per = rate[2].startsWith("minute") ? 60 : rate[2].startsWith("hour") ? 3600 : 86400;
        return SECONDS_PER_MONTH / (n * per);
    }
    const cron = /^cron\((.+)\)$/.exec(expr.trim());
    if (!cron) return DAYS_PER_MONTH;
    const [min, hour, dom, , dow] = cron[1].trim().split(/\s+/);
    const count = (f: string, full: number) => f === "*" ? full : f.startsWith("*/") ? Math.ceil(full / Number(f.slice(2))) : f.split(",").length;
    const perHour = count(min, 60);
    const perDay = count(hour, 24) * perHour;
    if ((dom === "*" || dom === "?") && (dow === "*" || dow === "?")) return perDay * DAYS_PER_MONTH;
    if (dom === "*" || dom === "?") return perDay * dow.split(",").length * (DAYS_PER_MONTH / 7);
    return perDay * dom.split(",").length;
}

/** Table by role, from its logical name. */
function tableRole(name: string): "conversations" | "users" | "meal-plans" | "billing-events" | "idempotency" | "other" {
    for (const r of ["conversations", "users", "meal-plans", "billing-events", "idempotency"] as const) if (name.includes(r)) return r;
    return "other";
}

/** Days an idempotency or send record lives before its TTL (Powertools Idempotency expiry; send records a week at most). */
const IDEMPOTENCY_RECORD_DAYS = 7;

/** The service an interface endpoint serves: the part of the service name after the region. */
export function endpointService(serviceName: string): string {
    const m = /^com\.amazonaws\.[a-z0-9-]+\.(.+)$/.exec(serviceName);
    return m ? m[1] : serviceName;
}

function derive(resources: CostResource[], usage: UsageProfile, environment: string | undefined): Derived {
    const notes: string[] = [];
    const ofType = (t: string) => resources.filter(r => r.type === t);
    const hasCache = ofType("aws:elasticache/replicationGroup:ReplicationGroup").length + ofType("aws:elasticache/cluster:Cluster").length > 0;
    const answers = usage.messagesPerMonth + usage.activeUsers * usage.mealPlansPerUserPerMonth;
    const hit = hasCache ? usage.cacheHitRatePercent / 100 : 0;
    const bedrockCalls = answers * (1 - hit);
    const webhooks = usage.messagesPerMonth * (1 + usage.statusCallbacksPerMessage);
    const apiRequests = ofType("aws:apigateway/restApi:RestApi").length ? webhooks + usage.billingEventsPerMonth + usage.healthChecksPerMonth : 0;
    const scheduleRuns = ofType("aws:scheduler/schedule:Schedule").reduce((n, r) => n + runsPerMonth(str(prop(r.props, "scheduleExpression"))), 0);
    const functions = ofType("aws:lambda/function:Function");
    const invocations: Record<FunctionRole, number> = {
        inbound: webhooks, worker: answers, sender: functions.some(f => functionRole(f.name) === "sender") ? answers : 0,
        billing: usage.billingEventsPerMonth, scheduler: scheduleRuns, other: 0,
    };
    for (const f of functions) if (functionRole(f.name) === "other") notes.push(`function ${f.name}: no traffic model, priced at 0 invocations`);

    // Table storage: a month of writes kept for retainedMonths (users: one item each).
    const tableStorageGB: Record<string, number> = {};
    let dynamoRequests = 0;
    for (const t of ofType("aws:dynamodb/table:Table")) {
        const { reads, writes } = tableTraffic(tableRole(t.name), usage);
        dynamoRequests += reads + writes;
        const role = tableRole(t.name);
        tableStorageGB[t.urn] = role === "users" ? usage.activeUsers * usage.itemKB / KB_PER_GB
            // Records expire within a week: the table holds a week of them (each written twice: in progress, then complete).
            : role === "idempotency" ? writes / 2 * usage.itemKB * (IDEMPOTENCY_RECORD_DAYS / DAYS_PER_MONTH) / KB_PER_GB
            : writes * usage.itemKB * usage.retainedMonths / KB_PER_GB;
    }

    const vpcFunctions = functions.filter(f => list(prop(f.props, "vpcConfig", "subnetIds")).length > 0);
    const inVpc = vpcFunctions.length > 0;
    const vpcs = ofType("awsx:ec2:Vpc");
    const azFallback = Number(prop(vpcs[0]?.props, "numberOfAvailabilityZones")) || 2;
    const interfaceEndpoints: Record<string, number> = {};
    for (const e of ofType("aws:ec2/vpcEndpoint:VpcEndpoint")) {
        if (prop(e.props, "vpcEndpointType") !== "Interface") continue;
        const subnets = list(prop(e.props, "subnetIds"));
        interfaceEndpoints[endpointService(str(prop(e.props, "serviceName")))] = subnets.length || azFallback;
    }
    const natGateways = ofType("aws:ec2/natGateway:NatGateway");
    const natCount = natGateways.length || vpcs.reduce((n, v) => n + vpcNatCount(v), 0);

    // What the functions in the VPC send through their network interfaces, from what each one's
    // environment says it calls. Lambda ships logs and traces through its own platform, not the
    // function's ENI (and decrypts the environment itself); DynamoDB and S3 use gateway endpoints.
    const kb = (n: number, size: number) => n * size / KB_PER_GB;
    const env = (f: CostResource) => Object.keys(prop(f.props, "environment", "variables") ?? {});
    const calls = (pattern: RegExp) => vpcFunctions.filter(f => env(f).some(k => pattern.test(k)));
    const vpcTrafficGB: Record<string, number> = {};
    if (inVpc) {
        const perCall = (f: CostResource) => invocations[functionRole(f.name)];
        vpcTrafficGB["bedrock-runtime"] = calls(/^BEDROCK_MODEL_ID$/).length ? kb(bedrockCalls, usage.bedrockKBPerCall) : 0;
        vpcTrafficGB.sqs = calls(/QUEUE_URL$/).reduce((n, f) => n + kb(perCall(f), usage.apiCallKB), 0);
        vpcTrafficGB.secretsmanager = vpcFunctions.reduce((n, f) => n + kb(env(f).filter(k => /SECRET_ARN$/.test(k)).length * usage.secretReadsPerSecret, usage.apiCallKB), 0);
        vpcTrafficGB.kms = 0;
        vpcTrafficGB.logs = 0;
        vpcTrafficGB.xray = 0;
        vpcTrafficGB.internet = calls(/^TWILIO_ACCOUNT_SID$|^SMS_ORIGINATION_IDENTITY$/).reduce((n, f) => n + kb(perCall(f), usage.twilioKBPerMessage), 0);
    }
    if (inVpc) notes.push(`functions in the VPC (${vpcFunctions.map(f => functionRole(f.name)).join(", ")}): Lambda delivers their logs and traces itself (kms, logs and xray endpoints carry no function traffic); DynamoDB and S3 go through free gateway endpoints`);

    return {
        environment, hasCache, answers, bedrockCalls, apiRequests, invocations, scheduleRuns, tableStorageGB, dynamoRequests,
        vpcTrafficGB, interfaceEndpoints, natCount, inVpc, notes,
    };
}

function vpcNatCount(vpc: CostResource): number {
    const strategy = str(prop(vpc.props, "natGateways", "strategy")) || "OnePerAz"; // awsx's default
    const azs = Number(prop(vpc.props, "numberOfAvailabilityZones")) || 3; // awsx's default
    return strategy === "None" ? 0 : strategy === "Single" ? 1 : azs;
}

function tableTraffic(role: ReturnType<typeof tableRole>, u: UsageProfile): { reads: number; writes: number } {
    const plans = u.activeUsers * u.mealPlansPerUserPerMonth;
    switch (role) {
        case "conversations": return { writes: 2 * u.messagesPerMonth, reads: u.messagesPerMonth };
        case "users": return { writes: u.activeUsers, reads: u.messagesPerMonth + plans };
        case "meal-plans": return { writes: plans, reads: u.messagesPerMonth };
        case "billing-events": return { writes: u.billingEventsPerMonth, reads: 0 };
        // Powertools Idempotency (put in progress, then complete) for every webhook call, every answer the worker
        // makes and every Stripe event, and the sender's send record per reply: two conditional writes each.
        case "idempotency": {
            const webhooks = u.messagesPerMonth * (1 + u.statusCallbacksPerMessage);
            const answers = u.messagesPerMonth + plans;
            return { writes: 2 * (webhooks + 2 * answers + u.billingEventsPerMonth), reads: 0 };
        }
        default: return { writes: 0, reads: 0 };
    }
}

// --- Pricers -----------------------------------------------------------------------------------

interface Item {
    kind: CostKind;
    key: string;
    quantity: number;
    /** Price in this region instead of the resource's. */
    region?: string;
}

type Priced = Item[] | { free: string } | { notEstimated: string };

interface Ctx {
    usage: UsageProfile;
    d: Derived;
    resources: CostResource[];
}

const fixed = (key: string, quantity: number, region?: string): Item => ({ kind: "fixed", key, quantity, region });
const use = (key: string, quantity: number, region?: string): Item => ({ kind: "usage", key, quantity, region });

/** The region of an ARN, if it is one. */
function arnRegion(arn: string): string | undefined {
    const m = /^arn:aws[a-z-]*:[a-z0-9-]+:([a-z0-9-]*):/.exec(arn);
    return m && m[1] ? m[1] : undefined;
}

/** Price-table key of a Bedrock model or inference profile id (us./eu./apac. profiles bill as in-Region; global. has its own price). */
export function bedrockKey(modelId: string): string | undefined {
    const global = modelId.startsWith("global.");
    const base = modelId.replace(/^(us|eu|apac|global)\./, "");
    if (/^anthropic\.claude-haiku-4-5/.test(base)) return `bedrock.anthropic.claude-haiku-4-5${global ? ".global" : ""}`;
    if (global) return undefined;
    if (/^anthropic\.claude-3-5-haiku/.test(base)) return "bedrock.anthropic.claude-3-5-haiku";
    if (/^anthropic\.claude-3-haiku/.test(base)) return "bedrock.anthropic.claude-3-haiku";
    if (/^anthropic\.claude-3-5-sonnet/.test(base)) return "bedrock.anthropic.claude-3-5-sonnet";
    return undefined;
}

function logGroupIngest(r: CostResource, c: Ctx): { gb: number; vended: boolean } {
    const n = str(prop(r.props, "name")) || str(prop(r.props, "namePrefix")) || r.name;
    const u = c.usage;
    const gb = (count: number, bytes: number) => count * bytes / (1024 * KB_PER_GB);
    const lambda = /\/lambda\/([a-z-]+)/.exec(n);
    if (lambda) return { gb: gb(c.d.invocations[functionRole(lambda[1])], u.logBytesPerInvocation), vended: false };
    if (/apigateway\/access/.test(n)) return { gb: gb(c.d.apiRequests, u.accessLogBytesPerRequest), vended: false };
    if (/^aws-waf-logs-/.test(n)) return { gb: gb(/site/.test(n) ? u.siteRequestsPerMonth : c.d.apiRequests, u.wafLogBytesPerRequest), vended: true };
    if (/flow-logs/.test(n)) return { gb: u.flowLogGBPerMonth, vended: true };
    if (/cloudtrail/.test(n)) return { gb: gb(u.cloudTrailEventsPerMonth + c.d.dynamoRequests, 1500), vended: false };
    return { gb: u.otherLogMBPerMonth / 1024, vended: false };
}

const PRICERS: Record<string, (r: CostResource, c: Ctx) => Priced> = {
    "awsx:ec2:Vpc": (r, c) => {
        if (c.resources.some(x => x.type === "aws:ec2/natGateway:NatGateway")) return { free: "component; its NAT gateways are priced as resources" };
        const nats = vpcNatCount(r);
        if (nats === 0) return { free: "no NAT gateways (strategy None); subnets and route tables have no charge" };
        return [
            fixed("natGateway.hour", nats * HOURS_PER_MONTH),
            fixed("publicIpv4.hour", nats * HOURS_PER_MONTH),
            use("natGateway.gb", natGB(c)),
        ];
    },
    "aws:ec2/natGateway:NatGateway": (_r, c) => [fixed("natGateway.hour", HOURS_PER_MONTH), use("natGateway.gb", natGB(c) / Math.max(1, c.d.natCount))],
    "aws:ec2/eip:Eip": () => [fixed("publicIpv4.hour", HOURS_PER_MONTH)],
    "aws:ec2/vpcEndpoint:VpcEndpoint": (r, c) => {
        if (prop(r.props, "vpcEndpointType") !== "Interface") return { free: "gateway endpoints (S3, DynamoDB) have no charge" };
        const svc = endpointService(str(prop(r.props, "serviceName")));
        return [fixed("vpcEndpoint.interface.azHour", c.d.interfaceEndpoints[svc] * HOURS_PER_MONTH), use("vpcEndpoint.interface.gb", c.d.vpcTrafficGB[svc] ?? 0)];
    },
    "aws:elasticache/replicationGroup:ReplicationGroup": r => {
        const type = str(prop(r.props, "nodeType"));
        const groups = Number(prop(r.props, "numNodeGroups")) || 0;
        const nodes = Number(prop(r.props, "numCacheClusters")) || (groups ? groups * ((Number(prop(r.props, "replicasPerNodeGroup")) || 0) + 1) : 1);
        // Valkey nodes are priced below Redis OSS nodes of the same type.
        const engine = str(prop(r.props, "engine")) === "valkey" ? "valkey." : "";
        return [fixed(`elasticache.node.${engine}${type}`, nodes * HOURS_PER_MONTH)];
    },
    "aws:elasticache/serverlessCache:ServerlessCache": (r, c) => {
        const engine = str(prop(r.props, "engine")) || "valkey";
        // Cached answers: one per distinct question within the TTL, at most a month of them; billed from a
        // minimum of 100 MB (Valkey) or 1 GB (Redis OSS, Memcached).
        const stored = Math.max(engine === "valkey" ? 0.1 : 1, c.d.bedrockCalls * c.usage.itemKB / KB_PER_GB);
        // One ECPU per KB read or written: a lookup on every answer, a write on every miss.
        const ecpus = (c.d.answers + c.d.bedrockCalls) * Math.max(1, c.usage.itemKB);
        return [fixed(`elasticache.serverless.${engine}.storage`, stored * HOURS_PER_MONTH), use(`elasticache.serverless.${engine}.ecpu`, ecpus / 1e6)];
    },
    "aws:kms/key:Key": (r, c) => [
        fixed("kms.key", 1),
        // Each automatic rotation adds $1 a key-month, for the first two rotations only.
        ...(prop(r.props, "enableKeyRotation") === true ? [fixed("kms.keyRotation", Math.min(2, c.usage.kmsRotationsPerKey))] : []),
        use("kms.requests", c.usage.kmsRequestsPerKey / 10000),
    ],
    "aws:secretsmanager/secret:Secret": (_r, c) => [fixed("secretsmanager.secret", 1), use("secretsmanager.calls", c.usage.secretReadsPerSecret / 10000)],
    "aws:cloudwatch/metricAlarm:MetricAlarm": r => {
        const queries = list(prop(r.props, "metricQueries"));
        const metrics = queries.length ? queries.filter(q => prop(q, "metric") !== undefined).length : 1;
        const periods = [Number(prop(r.props, "period")) || 60, ...queries.map(q => Number(prop(q, "metric", "period")) || 60)];
        return [fixed(Math.min(...periods) < 60 ? "cloudwatch.alarmMetric.highResolution" : "cloudwatch.alarmMetric", metrics)];
    },
    "aws:cloudwatch/dashboard:Dashboard": () => [fixed("cloudwatch.dashboard", 1)],
    // A filter with a default value publishes whenever its group logs (a metric-month); without one, only in
    // the hours its pattern matches (a failure count: failureMetricHoursPerMonth).
    "aws:cloudwatch/logMetricFilter:LogMetricFilter": (r, c) => prop(r.props, "metricTransformation", "defaultValue") !== undefined
        ? [fixed("cloudwatch.customMetric", 1)]
        : [use("cloudwatch.customMetric", Math.min(1, c.usage.failureMetricHoursPerMonth / HOURS_PER_MONTH))],
    "aws:cloudwatch/logGroup:LogGroup": (r, c) => {
        const { gb, vended } = logGroupIngest(r, c);
        const retention = Number(prop(r.props, "retentionInDays")) || 0;
        const months = retention > 0 ? retention / DAYS_PER_MONTH : 12;
        return [use(vended ? "logs.ingest.vended" : "logs.ingest", gb), use("logs.storage", gb * c.usage.logStorageRatio * months)];
    },
    "aws:wafv2/webAcl:WebAcl": (r, c) => {
        const rules = list(prop(r.props, "rules"));
        const paid = rules.map(x => str(prop(x, "statement", "managedRuleGroupStatement", "name"))).filter(n => PAID_RULE_GROUPS.includes(n));
        if (paid.length) return { notEstimated: `managed rule group(s) ${paid.join(", ")} carry subscription and request fees the price table does not hold` };
        const requests = prop(r.props, "scope") === "CLOUDFRONT" ? c.usage.siteRequestsPerMonth : c.d.apiRequests;
        // CloudFront-scope ACLs are billed in us-east-1.
        const region = prop(r.props, "scope") === "CLOUDFRONT" ? "us-east-1" : undefined;
        return [fixed("wafv2.webAcl", 1, region), fixed("wafv2.rule", rules.length, region), use("wafv2.requests", requests / 1e6, region)];
    },
    "aws:lambda/function:Function": (r, c) => {
        const role = functionRole(r.name);
        const arch = list(prop(r.props, "architectures"))[0] === "arm64" ? "arm64" : "x86_64";
        const gbMemory = (Number(prop(r.props, "memorySize")) || 128) / 1024;
        const n = c.d.invocations[role];
        const u = c.usage;
        const ms = role === "worker"
            ? (c.d.bedrockCalls * u.workerBedrockMs + (c.d.answers - c.d.bedrockCalls) * u.workerCachedMs) / Math.max(1, c.d.answers)
            : role === "scheduler" ? u.schedulerMs : role === "sender" ? u.senderMs : u.webhookMs;
        const items = [use(`lambda.gbSecond.${arch}`, n * ms / 1000 * gbMemory), use("lambda.requests", n / 1e6)];
        const metrics = customMetricMonths(role, n, c);
        if (metrics > 0) items.push(use("cloudwatch.customMetric", metrics));
        return items;
    },
    "aws:apigateway/restApi:RestApi": (_r, c) => [use("apigateway.rest.requests", c.d.apiRequests / 1e6)],
    "aws:apigateway/stage:Stage": r => prop(r.props, "cacheClusterEnabled") === true
        ? { notEstimated: "API Gateway cache hours are not in the price table" }
        : { free: "no charge without a stage cache; requests are priced on the REST API" },
    "aws:dynamodb/table:Table": (r, c) => {
        const ia = prop(r.props, "tableClass") === "STANDARD_INFREQUENT_ACCESS";
        const cls = ia ? "ia" : "standard";
        const gb = c.d.tableStorageGB[r.urn] ?? 0;
        const { reads, writes } = tableTraffic(tableRole(r.name), c.usage);
        const items: Item[] = [];
        if (prop(r.props, "billingMode") === "PROVISIONED") {
            items.push(fixed("dynamodb.provisioned.wcu", (Number(prop(r.props, "writeCapacity")) || 1) * HOURS_PER_MONTH));
            items.push(fixed("dynamodb.provisioned.rcu", (Number(prop(r.props, "readCapacity")) || 1) * HOURS_PER_MONTH));
        } else {
            items.push(use(`dynamodb.${cls}.write`, writes / 1e6), use(`dynamodb.${cls}.read`, reads / 1e6));
        }
        items.push(use(`dynamodb.${cls}.storage`, gb));
        if (prop(r.props, "pointInTimeRecovery", "enabled") === true) items.push(use("dynamodb.pitr", gb));
        // Global-table replicas: every write is replicated (a replicated write unit in each replica's region,
        // priced as a write unit on demand), sent across regions, and stored again there.
        for (const replica of list(prop(r.props, "replicas"))) {
            const region = str(prop(replica, "regionName"));
            if (!region) continue;
            items.push(use(`dynamodb.${cls}.write`, writes / 1e6, region));
            items.push(use("dataTransfer.interRegion", writes * c.usage.itemKB / KB_PER_GB));
            items.push(use(`dynamodb.${cls}.storage`, gb, region));
            if (prop(replica, "pointInTimeRecovery") === true) items.push(use("dynamodb.pitr", gb, region));
        }
        return items;
    },
    "aws:sqs/queue:Queue": (r, c) => {
        // The work queue feeds the worker, the outbox the sender; dead-letter queues see failures only.
        const consumer: FunctionRole | undefined = /work-queue/.test(r.name) ? "worker" : /outbox-queue/.test(r.name) ? "sender" : undefined;
        if (!consumer) return [use("sqs.requests", 0)];
        const pollers = c.resources.filter(x => x.type === "aws:lambda/eventSourceMapping:EventSourceMapping" && functionRole(x.name) === consumer).length;
        // Send, receive and delete per message, plus the pollers' long polls.
        return [use("sqs.requests", (c.d.answers * 3 + pollers * c.usage.emptyReceivesPerQueue) / 1e6)];
    },
    "aws:sns/topic:Topic": (_r, c) => {
        const topics = c.resources.filter(x => x.type === "aws:sns/topic:Topic").length;
        return [use("sns.publishes", c.usage.snsPublishesPerMonth / topics / 1e6)];
    },
    "aws:xray/samplingRule:SamplingRule": (r, c) => {
        const requests = c.d.apiRequests + c.d.answers;
        const reservoir = Math.min(requests, (Number(prop(r.props, "reservoirSize")) || 0) * SECONDS_PER_MONTH);
        const traced = reservoir + (requests - reservoir) * (Number(prop(r.props, "fixedRate")) || 0);
        return [use("xray.traces", traced / 1e6)];
    },
    "aws:xray/group:Group": r => prop(r.props, "insightsConfiguration", "insightsEnabled") === true
        ? { notEstimated: "X-Ray Insights is billed per trace it processes; that price is not in the table" }
        : { free: "groups have no charge" },
    "aws:cloudfront/distribution:Distribution": (_r, c) => [
        use("cloudfront.dataOut", c.usage.siteRequestsPerMonth * c.usage.siteKBPerRequest / KB_PER_GB),
        use("cloudfront.httpsRequests", c.usage.siteRequestsPerMonth / 10000),
    ],
    "aws:cfg/recorder:Recorder": (_r, c) => [use("config.item", c.usage.configItemsPerMonth)],
    "aws:cfg/rule:Rule": (_r, c) => [use("config.evaluation", c.usage.configEvaluationsPerRule)],
    "aws:guardduty/detector:Detector": (r, c) => prop(r.props, "enable") === false ? { free: "detector disabled" } : [
        use("guardduty.cloudtrail", c.usage.cloudTrailEventsPerMonth / 1e6),
        use("guardduty.flowDns", c.d.inVpc ? c.usage.flowLogGBPerMonth : 0),
    ],
    "aws:securityhub/account:Account": (_r, c) => [use("securityhub.check", c.usage.securityChecksPerMonth)],
    "aws:cloudtrail/trail:Trail": (r, c) => {
        const selectors = JSON.stringify(prop(r.props, "advancedEventSelectors") ?? prop(r.props, "eventSelectors") ?? []);
        const dynamo = /AWS::DynamoDB::Table/.test(selectors) ? c.d.dynamoRequests : 0;
        // The first copy of management events is free; data events are billed.
        return [use("cloudtrail.dataEvents", dynamo / 1e5)];
    },
    "aws:s3/bucket:Bucket": (_r, c) => [use("s3.standard.storage", c.usage.s3GBPerBucket)],
    "aws:s3/bucketV2:BucketV2": (_r, c) => [use("s3.standard.storage", c.usage.s3GBPerBucket)],
    "aws:backup/plan:Plan": (r, c) => {
        const gb = backupSourceGB(c);
        const items: Item[] = [];
        for (const rule of list(prop(r.props, "rules"))) {
            const runs = runsPerMonth(str(prop(rule, "schedule")) || "cron(0 5 ? * * *)");
            items.push(...retained(runs, gb, prop(rule, "lifecycle")));
            for (const copy of list(prop(rule, "copyActions"))) {
                const dest = arnRegion(str(prop(copy, "destinationVaultArn")));
                items.push(use("dataTransfer.interRegion", runs * gb));
                items.push(...retained(runs, gb, prop(copy, "lifecycle"), dest));
            }
        }
        return items;
    },
    "aws:backup/restoreTestingPlan:RestoreTestingPlan": (r, c) =>
        [use("backup.dynamodb.restore", runsPerMonth(str(prop(r.props, "scheduleExpression")) || "cron(0 5 1 * ? *)") * backupSourceGB(c))],
    "aws:scheduler/schedule:Schedule": r => [use("scheduler.invocations", runsPerMonth(str(prop(r.props, "scheduleExpression"))) / 1e6)],
    "aws:pinpoint/smsvoicev2PhoneNumber:Smsvoicev2PhoneNumber": (r, c) => {
        const type = str(prop(r.props, "numberType")) || "TOLL_FREE";
        const country = str(prop(r.props, "isoCountryCode")) || "US";
        // Replies leave through the number, billed per message part (segment).
        return [fixed(`sms.number.${type}`, 1), use(`sms.outbound.${country}`, type === "SIMULATOR" ? 0 : c.d.answers * c.usage.replySegmentsPerAnswer)];
    },
    "aws:guardduty/detectorFeature:DetectorFeature": (r, c) => {
        if (prop(r.props, "status") !== "ENABLED") return { free: "feature disabled" };
        const name = str(prop(r.props, "name"));
        if (name === "S3_DATA_EVENTS") return [use("guardduty.s3Events", c.usage.s3DataEventsPerMonth / 1e6)];
        if (name === "LAMBDA_NETWORK_LOGS") return [use("guardduty.lambdaNetwork", c.usage.lambdaNetworkGBPerMonth)];
        return { notEstimated: `GuardDuty feature ${name || "(unknown)"} is not in the price table` };
    },
};

/**
 * Custom-metric months a handler's metrics are billed for: per-event metrics for the share of hours
 * with at least one event (events spread evenly: 1 - e^(-events per hour)), failure metrics for the
 * hours with failures.
 */
function customMetricMonths(role: FunctionRole, events: number, c: Ctx): number {
    if (role === "other" || events <= 0) return 0;
    const perEvent = 1 - Math.exp(-events / HOURS_PER_MONTH);
    const onFailure = Math.min(1, c.usage.failureMetricHoursPerMonth / HOURS_PER_MONTH);
    // The worker reports hits, misses and cache errors with a cache, CacheSkipped without one.
    const cacheMetrics = ["CacheHits", "CacheMisses", "CacheErrors"];
    const published = Object.entries(CUSTOM_METRICS[role]).filter(([name]) => role !== "worker" ||
        (c.d.hasCache ? name !== "CacheSkipped" : !cacheMetrics.includes(name)));
    return published.reduce((n, [, cadence]) => n + (cadence === "perEvent" ? perEvent : onFailure), 0);
}

/** Resource types the engine puts a price on. */
export const PRICED_TYPES: readonly string[] = Object.keys(PRICERS);

function natGB(c: Ctx): number {
    if (c.d.natCount === 0) return 0;
    return Object.entries(c.d.vpcTrafficGB).filter(([svc]) => !(svc in c.d.interfaceEndpoints)).reduce((n, [, gb]) => n + gb, 0);
}

/** GB of the tables AWS Backup protects (tables tagged for backup, or all). */
function backupSourceGB(c: Ctx): number {
    const tables = c.resources.filter(r => r.type === "aws:dynamodb/table:Table");
    const tagged = tables.filter(t => prop(t.props, "tags", "Backup") !== undefined);
    return (tagged.length ? tagged : tables).reduce((n, t) => n + (c.d.tableStorageGB[t.urn] ?? 0), 0);
}

/**
 * Steady-state storage of recovery points: DynamoDB backups are full copies, so `runs` a month
 * kept `days` each hold runs/day x days x GB at any time.
 */
function retained(runs: number, gb: number, lifecycle: any, region?: string): Item[] {
    const del = Number(prop(lifecycle, "deleteAfter")) || 0;
    const cold = Number(prop(lifecycle, "coldStorageAfter")) || 0;
    const keepDays = del || 365 * 10; // no expiry: ten years in the model
    const warmDays = cold > 0 ? Math.min(cold, keepDays) : keepDays;
    const coldDays = cold > 0 ? Math.max(0, keepDays - cold) : 0;
    const perDay = runs / DAYS_PER_MONTH;
    const items = [use("backup.dynamodb.warm", perDay * warmDays * gb, region)];
    if (coldDays > 0) items.push(use("backup.dynamodb.cold", perDay * coldDays * gb, region));
    return items;
}

// --- The estimate ------------------------------------------------------------------------------

const round2 = (n: number) => Math.round(n * 100) / 100;
const round6 = (n: number) => Math.round(n * 1e6) / 1e6;

/** Name of a price line: the table key, qualified with the region when it is not the stack's. */
function lineName(key: string, region: string, stackRegion: string): string {
    return region === stackRegion ? key : `${key}@${region}`;
}

export function estimate(resources: CostResource[], opts: EstimateOptions): EstimateDetail {
    // Refuse before pricing anything when a region has no table.
    const tables = new Map<string, PriceTable>();
    const tableFor = (region: string) => {
        if (!tables.has(region)) tables.set(region, priceTable(region));
        return tables.get(region)!;
    };
    tableFor(opts.region);

    const d = derive(resources, opts.usage, opts.environment);
    const ctx: Ctx = { usage: opts.usage, d, resources };
    const lines = new Map<string, CostLine[]>();
    const free: EstimateDetail["free"] = [];
    const notEstimated: NotEstimated[] = [];
    const out: ResourceCost[] = [];
    const prices: Record<string, any> = {};

    // Bedrock is billed per call, not per resource: the worker function carries it.
    const bedrockModel = (f: CostResource) => str(prop(f.props, "environment", "variables", "BEDROCK_MODEL_ID"));

    for (const r of resources) {
        let priced: Priced;
        const pricer = PRICERS[r.type];
        if (pricer) priced = pricer(r, ctx);
        else if (r.type in FREE_TYPES) priced = { free: FREE_TYPES[r.type] };
        else if (isComponentType(r.type)) priced = { free: "component resource: its children are priced" };
        else priced = { notEstimated: `no pricing rule for ${r.type}` };

        if (!Array.isArray(priced)) {
            if ("free" in priced) free.push({ urn: r.urn, type: r.type, reason: priced.free });
            else notEstimated.push({ urn: r.urn, type: r.type, reason: priced.notEstimated });
            continue;
        }
        const items = [...priced];
        if (r.type === "aws:lambda/function:Function" && bedrockModel(r)) {
            const key = bedrockKey(bedrockModel(r));
            if (!key) {
                notEstimated.push({ urn: r.urn, type: "bedrock:model", reason: `Bedrock model ${bedrockModel(r)} is not in the price table` });
            } else {
                items.push(use(`${key}.input`, d.bedrockCalls * opts.usage.inputTokensPerAnswer / 1000));
                items.push(use(`${key}.output`, d.bedrockCalls * opts.usage.outputTokensPerAnswer / 1000));
            }
        }
        const region = r.region ?? opts.region;
        const missing = items.filter(i => !(i.key in tableFor(i.region ?? region).prices));
        if (missing.length) {
            notEstimated.push({ urn: r.urn, type: r.type, reason: `no unit price for ${missing.map(m => m.key).join(", ")} in the ${missing[0].region ?? region} table` });
            continue;
        }
        const resLines: CostLine[] = items.map(i => {
            const reg = i.region ?? region;
            const t = tableFor(reg);
            const p = t.prices[i.key];
            const name = lineName(i.key, reg, opts.region);
            // A price read later than its table carries its own date.
            prices[name] = { region: reg, description: p.description, unit: p.unit, usd: p.usd, source: p.source, asOf: (p as { asOf?: string }).asOf ?? t.asOf };
            return {
                kind: i.kind, key: i.key, region: reg, service: p.service, description: p.description, source: p.source,
                name, unit: p.unit, quantity: round6(i.quantity), unitPrice: p.usd, monthly: i.quantity * p.usd,
            };
        });
        lines.set(r.urn, resLines);
        const sum = (k: CostKind) => resLines.filter(l => l.kind === k).reduce((n, l) => n + l.monthly, 0);
        out.push({
            urn: r.urn, type: r.type, name: r.name,
            fixedMonthly: round2(sum("fixed")), usageMonthly: round2(sum("usage")),
            components: resLines.map(l => ({ name: l.name, unit: l.unit, quantity: l.quantity, unitPrice: l.unitPrice, monthly: round6(l.monthly) })),
        });
    }

    const all = [...lines.values()].flat();
    const total = (k: CostKind) => all.filter(l => l.kind === k).reduce((n, l) => n + l.monthly, 0);
    const fixedMonthly = round2(total("fixed"));
    const usageMonthly = round2(total("usage"));
    const usageAssumptions = Object.fromEntries(Object.entries(opts.usage).map(([k, v]) => [k, {
        value: v, description: USAGE_DESCRIPTIONS[k as keyof UsageProfile], source: opts.usageSources?.[k as keyof UsageProfile] ?? "default",
    }]));
    const table = tableFor(opts.region);
    const freeByType = new Map<string, { type: string; count: number; reason: string }>();
    for (const f of free) {
        const k = `${f.type}|${f.reason}`;
        freeByType.set(k, { type: f.type, count: (freeByType.get(k)?.count ?? 0) + 1, reason: f.reason });
    }
    const estimateOut: CostEstimate = {
        stack: opts.stack,
        currency: "USD",
        fixedMonthly,
        usageMonthly,
        totalMonthly: round2(fixedMonthly + usageMonthly),
        assumptions: {
            region: opts.region,
            environment: opts.environment ?? null,
            priceTables: Object.fromEntries([...tables.values()].map(t => [t.region, { asOf: t.asOf, note: t.note }])),
            hoursPerMonth: HOURS_PER_MONTH,
            basis: `${table.note} Monthly = quantity x unit price; a month is ${HOURS_PER_MONTH} hours.`,
            usage: usageAssumptions,
            derived: {
                cache: d.hasCache,
                answersPerMonth: round2(d.answers),
                bedrockCallsPerMonth: round2(d.bedrockCalls),
                apiRequestsPerMonth: round2(d.apiRequests),
                invocationsPerMonth: Object.fromEntries(Object.entries(d.invocations).map(([k, v]) => [k, round2(v)])),
                dynamodbStorageGB: round6(Object.values(d.tableStorageGB).reduce((a, b) => a + b, 0)),
                natGateways: d.natCount,
                interfaceEndpoints: d.interfaceEndpoints,
                vpcTrafficGBPerMonth: Object.fromEntries(Object.entries(d.vpcTrafficGB).map(([k, v]) => [k, round6(v)])),
                notes: d.notes,
            },
            prices,
            free: [...freeByType.values()].sort((a, b) => a.type.localeCompare(b.type)),
            outsideAwsBill: outsideAwsBill(resources, d, opts.usage),
        },
        resources: out,
        notEstimated,
    };
    return { estimate: estimateOut, lines, free, derived: d, resources };
}

export interface ExternalLine {
    name: string;
    provider: string;
    description: string;
    unit: string;
    quantity: number;
    unitPrice: number;
    monthly: number;
    source: string;
    asOf: string;
}

/**
 * What the SMS provider outside AWS bills for the same traffic, per segment (not part of the totals):
 * Twilio carries questions and replies unless the stack has its own End User Messaging number, whose
 * replies are priced on the number's resource.
 */
export function outsideAwsBill(resources: CostResource[], d: Derived, usage: UsageProfile): { totalMonthly: number; lines: ExternalLine[] } {
    const hasApi = resources.some(r => r.type === "aws:apigateway/restApi:RestApi");
    const ownNumber = resources.some(r => r.type === "aws:pinpoint/smsvoicev2PhoneNumber:Smsvoicev2PhoneNumber" && prop(r.props, "numberType") !== "SIMULATOR");
    const lines: ExternalLine[] = [];
    const line = (key: string, quantity: number) => {
        const p = EXTERNAL_PRICES[key];
        lines.push({ name: key, provider: p.provider, description: p.description, unit: p.unit, quantity: round6(quantity), unitPrice: p.usd, monthly: round6(quantity * p.usd), source: p.source, asOf: p.asOf });
    };
    if (hasApi && !ownNumber) {
        const inbound = usage.messagesPerMonth * usage.questionSegmentsPerMessage;
        const outbound = d.answers * usage.replySegmentsPerAnswer;
        line("twilio.sms.inbound.US", inbound);
        line("twilio.sms.outbound.US", outbound);
        line("twilio.carrierFee.outbound.US", outbound);
    }
    return { totalMonthly: round2(lines.reduce((n, l) => n + l.monthly, 0)), lines };
}

/** Per-AZ-hour endpoint cost against NAT processing: what each interface endpoint costs or saves a month. */
export interface EndpointCheck {
    service: string;
    azs: number;
    endpointMonthly: number;
    gbPerMonth: number;
    /** What the same traffic would cost through the NAT gateways instead. */
    natMonthlyInstead: number;
    /** GB a month at which the endpoint pays for itself against NAT data processing. */
    breakEvenGB: number;
}

export function endpointChecks(detail: EstimateDetail, region: string): EndpointCheck[] {
    const p = priceTable(region).prices;
    const hour = p["vpcEndpoint.interface.azHour"].usd;
    const epGb = p["vpcEndpoint.interface.gb"].usd;
    const natGb = p["natGateway.gb"].usd;
    return Object.entries(detail.derived.interfaceEndpoints).map(([service, azs]) => {
        const gb = detail.derived.vpcTrafficGB[service] ?? 0;
        return {
            service, azs,
            endpointMonthly: azs * HOURS_PER_MONTH * hour + gb * epGb,
            gbPerMonth: gb,
            natMonthlyInstead: gb * natGb,
            breakEvenGB: azs * HOURS_PER_MONTH * hour / (natGb - epGb),
        };
    });
}

/** Lines grouped by service (from the price table), fixed and usage. */
export function byService(detail: EstimateDetail): { service: string; fixed: number; usage: number }[] {
    const m = new Map<string, { service: string; fixed: number; usage: number }>();
    for (const l of [...detail.lines.values()].flat()) {
        const e = m.get(l.service) ?? { service: l.service, fixed: 0, usage: 0 };
        e[l.kind] += l.monthly;
        m.set(l.service, e);
    }
    return [...m.values()].sort((a, b) => b.fixed + b.usage - a.fixed - a.usage);
}

/** Lines grouped by the top-level component each resource belongs to. */
export function byComponent(detail: EstimateDetail): { component: string; type: string; fixed: number; usage: number }[] {
    const byUrn = new Map(detail.resources.map(r => [r.urn, r]));
    const top = (r: CostResource): CostResource => {
        let cur = r;
        let best = isComponentType(r.type) ? r : undefined;
        while (cur.parent && byUrn.has(cur.parent)) {
            cur = byUrn.get(cur.parent)!;
            if (isComponentType(cur.type)) best = cur;
        }
        return best ?? r;
    };
    const m = new Map<string, { component: string; type: string; fixed: number; usage: number }>();
    for (const [urn, ls] of detail.lines) {
        const owner = top(byUrn.get(urn)!);
        const e = m.get(owner.urn) ?? { component: owner.name, type: owner.type, fixed: 0, usage: 0 };
        for (const l of ls) e[l.kind] += l.monthly;
        m.set(owner.urn, e);
    }
    return [...m.values()].sort((a, b) => b.fixed + b.usage - a.fixed - a.usage);
}
