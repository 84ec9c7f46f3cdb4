import * as crypto from "crypto";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { EncryptedQueue } from "./encrypted-queue";
import { DynamoDbAction, EncryptedTable } from "./encrypted-table";
import { assumeRolePolicy, Statement } from "./iam";
import { encryptedLogGroup } from "./log-group";
import { RedisCache } from "./redis-cache";
import { ServiceFunction } from "./service-function";
import { ManagedWebAcl } from "./web-acl";
import { assertValidArgs } from "./validation";
import { reservedConcurrency } from "./concurrency";
import { destinationRegions, parseModelId } from "./bedrock-models";

export interface CachedLambdaApiArgs {
    /** API stage name (the environment). */
    stageName: string;
    /** Prefix of the web ACL's CloudWatch metric names (unique in the account). Defaults to `<stageName>-api`. */
    wafMetricPrefix?: string;
    /** The stack's region (service principals, Bedrock ARNs). */
    region: string;
    /** Key ARNs: data (tables, secrets, environment, Redis), logs, messaging (queues). */
    keys: { data: pulumi.Input<string>; logs: pulumi.Input<string>; messaging: pulumi.Input<string> };
    /** Retention and name prefixes of the log groups (the logs key admits only these prefixes). */
    logs: { retentionInDays: number; namePrefix: string; wafNamePrefix: string };
    /** Lambda instruction set. Defaults to "arm64". */
    architecture?: "arm64" | "x86_64";
    /** Memory of the request-path functions in MB. Defaults to 512. */
    memorySize?: number;
    /** Reserved concurrency of the inbound function (-1 = unreserved); billing gets a fifth, the worker half. Defaults to -1. */
    reservedConcurrency?: number;
    /**
     * Private subnets and security groups of the worker and the cache. Only the worker joins the VPC (it is
     * the one function that reaches the cache); the webhook functions stay outside it. Defaults to no VPC.
     */
    vpc?: { subnetIds: pulumi.Input<string[]>; functionSecurityGroupId: pulumi.Input<string>; cacheSecurityGroupId: pulumi.Input<string> };
    /** The cache in front of Bedrock (Valkey unless `engine` says redis); needs `vpc`. Defaults to no cache. */
    cache?: { nodeType: string; numNodes: number; snapshotRetentionDays?: number; ttlSeconds: number; replicationGroupId?: string; engine?: "valkey" | "redis" };
    /** The tables the functions read and write (grants come from each table's helper). */
    tables: { users: EncryptedTable; conversations: EncryptedTable; mealPlans: EncryptedTable; billingEvents: EncryptedTable; idempotency: EncryptedTable };
    /** CloudWatch namespace of the functions' Embedded Metric Format metrics. */
    metricsNamespace: string;
    /** Work queue consumed by the worker, and the queue for failed asynchronous invocations. */
    queue: EncryptedQueue;
    /** Outbox the worker puts its replies on (drained by the sender outside the VPC: ReplySender). */
    outbox: EncryptedQueue;
    /** Queue for failed asynchronous invocations of every function. */
    failureQueue: EncryptedQueue;
    /** Secrets Manager ARNs (values are read at run time). */
    secrets: { twilioAuthTokenArn: pulumi.Input<string>; stripeWebhookSecretArn: pulumi.Input<string> };
    /** Bedrock model or geographic inference profile id the worker may invoke; nothing else. */
    bedrockModelId: string;
    /** Account of the inference profile ARN. */
    accountId: pulumi.Input<string>;
    /** Days a conversation is kept (the worker sets its TTL). */
    conversationRetentionDays: number;
    /** Days a Stripe event is kept in the ledger (the billing function sets its TTL). Defaults to 400. */
    billingRetentionDays?: number;
    /** Stage throttling for every method and the usage plan's limits. */
    throttle: { rateLimit: number; burstLimit: number; quotaPerDay: number };
    /** WAF rate rule: requests per client IP per 5 minutes. */
    wafRateLimit: number;
    /** Origins admitted by CORS; none disables CORS. Defaults to none. */
    corsOrigins?: string[];
    /** Create the account-level API Gateway CloudWatch role (one per account and region). Defaults to true. */
    manageAccountLogRole?: boolean;
    /** Topic for ElastiCache failure events (through EventBridge). Defaults to none. */
    alertTopicArn?: pulumi.Input<string>;
}

/** What Powertools Idempotency's DynamoDB persistence layer sends (put in progress, read, complete, delete on failure). */
export const IDEMPOTENCY_ACTIONS: DynamoDbAction[] = ["dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"];

/** Worker timeout; the work queue's visibility timeout must be six times it. */
export const WORKER_TIMEOUT_SECONDS = 60;

export function validateCachedLambdaApiArgs(args: CachedLambdaApiArgs): string[] {
    const p: string[] = [];
    if (args.cache && !args.vpc) p.push("cache needs vpc: Redis lives in private subnets");
    if (args.throttle.burstLimit < args.throttle.rateLimit) p.push(`throttle.burstLimit must be at least rateLimit (got ${args.throttle.burstLimit} < ${args.throttle.rateLimit})`);
    for (const o of args.corsOrigins ?? []) if (!/^https?:\/\/[^/]+$/.test(o)) p.push(`corsOrigins: ${o} is not an origin (scheme://host[:port])`);
    if (args.wafRateLimit < 10) p.push(`wafRateLimit must be at least 10 (got ${args.wafRateLimit})`);
    return p;
}

interface Route { path: string; method: "GET" | "POST"; target: "inbound" | "billing" | "health"; }

export const ROUTES: Route[] = [
    { path: "webhooks/twilio/sms", method: "POST", target: "inbound" },
    { path: "webhooks/twilio/status", method: "POST", target: "inbound" },
    // The number's SMS fallback URL: Twilio requests it when the primary answered 503 (message not yet recorded).
    { path: "webhooks/twilio/fallback", method: "POST", target: "inbound" },
    { path: "webhooks/stripe", method: "POST", target: "billing" },
    { path: "health", method: "GET", target: "health" },
];

const ACCESS_LOG_FORMAT = JSON.stringify({
    requestId: "$context.requestId", ip: "$context.identity.sourceIp", requestTime: "$context.requestTime",
    httpMethod: "$context.httpMethod", resourcePath: "$context.resourcePath", status: "$context.status",
    protocol: "$context.protocol", responseLength: "$context.responseLength", latency: "$context.responseLatency",
    integrationLatency: "$context.integration.latency", integrationError: "$context.integration.error",
    wafResponse: "$context.wafResponseCode", xrayTraceId: "$context.xrayTraceId",
});

/**
 * The request path: a REST API (API Gateway v1, so a WAF can guard it) with the Twilio, Stripe,
 * delivery-status and health routes; a stage with JSON access logs, X-Ray, metrics, throttling
 * and a usage plan; CORS; a regional WAF; the inbound, billing and worker functions; and Redis
 * in front of Bedrock when a cache is asked for.
 */
export class CachedLambdaApi extends pulumi.ComponentResource {
    public readonly restApi: aws.apigateway.RestApi;
    public readonly stage: aws.apigateway.Stage;
    public readonly webAcl: ManagedWebAcl;
    public readonly inbound: ServiceFunction;
    public readonly billing: ServiceFunction;
    public readonly worker: ServiceFunction;
    public readonly cache?: RedisCache;
    public readonly invokeUrl: pulumi.Output<string>;
    public readonly webhookUrl: pulumi.Output<string>;
    public readonly statusCallbackUrl: pulumi.Output<string>;
    /** Twilio's "fallback URL" of the number: the same handler, requested when the primary URL failed. */
    public readonly fallbackUrl: pulumi.Output<string>;
    public readonly billingWebhookUrl: pulumi.Output<string>;
    public readonly healthUrl: pulumi.Output<string>;
    public readonly accessLogGroupName: pulumi.Output<string>;

    constructor(name: string, args: CachedLambdaApiArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ai-nutritionist:api:CachedLambdaApi", name, {}, opts);
        const problems = validateCachedLambdaApiArgs(args);
        assertValidArgs(name, problems, this);
        const child = { parent: this };
        // Derived in one place with the settings check against the account's quota (components/concurrency.ts).
        const reserved = reservedConcurrency(args.reservedConcurrency ?? -1);
        const logs = { kmsKeyArn: args.keys.logs, retentionInDays: args.logs.retentionInDays, namePrefix: args.logs.namePrefix };
        // Outside the VPC: the webhook functions call only AWS APIs, over the internet with TLS and IAM.
        const common = {
            architecture: args.architecture ?? "arm64",
            environmentKmsKeyArn: args.keys.data,
            logs,
            metricsNamespace: args.metricsNamespace,
            onFailure: { queueArn: args.failureQueue.arn, kmsKeyArn: args.keys.messaging },
        };
        const secretsViaService = pulumi.interpolate`secretsmanager.${args.region}.amazonaws.com`;
        const readSecrets = (sid: string, arns: pulumi.Input<string>[]): Statement[] => [
            { Sid: `${sid}Read`, Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: arns },
            { Sid: `${sid}Decrypt`, Effect: "Allow", Action: "kms:Decrypt", Resource: args.keys.data, Condition: { StringEquals: { "kms:ViaService": secretsViaService } } },
        ];
        const idempotency = args.tables.idempotency.grantActions(IDEMPOTENCY_ACTIONS);
        const sendToQueue: Statement[] = [
            { Sid: "EnqueueWork", Effect: "Allow", Action: "sqs:SendMessage", Resource: args.queue.arn },
            { Sid: "EncryptWork", Effect: "Allow", Action: ["kms:GenerateDataKey", "kms:Decrypt"], Resource: args.keys.messaging },
        ];

        if (args.cache && args.vpc) {
            this.cache = new RedisCache(`${name}-cache`, {
                engine: args.cache.engine,
                subnetIds: args.vpc.subnetIds,
                securityGroupId: args.vpc.cacheSecurityGroupId,
                kmsKeyArn: args.keys.data,
                replicationGroupId: args.cache.replicationGroupId,
                nodeType: args.cache.nodeType,
                numNodes: args.cache.numNodes,
                snapshotRetentionDays: args.cache.snapshotRetentionDays,
                slowLog: { kmsKeyArn: args.keys.logs, retentionInDays: args.logs.retentionInDays, namePrefix: `${args.logs.namePrefix}redis-slow-log-` },
                notificationTopicArn: args.alertTopicArn,
            }, child);
        }

        this.inbound = new ServiceFunction(`${name}-inbound`, {
            ...common,
            handler: "inbound",
            description: "Twilio inbound SMS and status callbacks: verify, enqueue, answer TwiML",
            memorySize: args.memorySize,
            timeout: 10,
            reservedConcurrency: reserved.inbound,
            environment: { QUEUE_URL: args.queue.url, TWILIO_AUTH_TOKEN_SECRET_ARN: args.secrets.twilioAuthTokenArn, IDEMPOTENCY_TABLE: args.tables.idempotency.name },
            statements: [...sendToQueue, ...idempotency, ...readSecrets("TwilioToken", [args.secrets.twilioAuthTokenArn])],
        }, child);

        this.billing = new ServiceFunction(`${name}-billing`, {
            ...common,
            handler: "billing",
            description: "Stripe webhook: verify the signature, record each event exactly once",
            memorySize: args.memorySize,
            timeout: 10,
            reservedConcurrency: reserved.billing,
            environment: { BILLING_EVENTS_TABLE: args.tables.billingEvents.name, STRIPE_WEBHOOK_SECRET_ARN: args.secrets.stripeWebhookSecretArn, BILLING_RETENTION_DAYS: String(args.billingRetentionDays ?? 400), IDEMPOTENCY_TABLE: args.tables.idempotency.name },
            // The ledger is append-only: a conditional PutItem, nothing else.
            statements: [...args.tables.billingEvents.grantActions(["dynamodb:PutItem"]), ...idempotency, ...readSecrets("StripeSecret", [args.secrets.stripeWebhookSecretArn])],
        }, child);

        const model = args.bedrockModelId;
        const { geography, foundationModelId } = parseModelId(model);
        const profileArn = pulumi.interpolate`arn:aws:bedrock:${args.region}:${args.accountId}:inference-profile/${model}`;
        this.worker = new ServiceFunction(`${name}-worker`, {
            ...common,
            // The one function in the VPC: it reaches the cache. Bedrock, the outbox and the cache's AUTH
            // secret through interface endpoints; DynamoDB through the gateway endpoint; no internet route.
            vpc: args.vpc ? { subnetIds: args.vpc.subnetIds, securityGroupIds: [args.vpc.functionSecurityGroupId] } : undefined,
            handler: "worker",
            description: "Queue worker: cache-aside in front of Bedrock, stores the answer, queues the reply",
            memorySize: Math.max(args.memorySize ?? 512, 512),
            timeout: WORKER_TIMEOUT_SECONDS,
            reservedConcurrency: reserved.worker,
            environment: {
                BEDROCK_MODEL_ID: model,
                CACHE_TTL_SECONDS: String(args.cache?.ttlSeconds ?? 86400),
                CONVERSATIONS_TABLE: args.tables.conversations.name,
                MEAL_PLANS_TABLE: args.tables.mealPlans.name,
                IDEMPOTENCY_TABLE: args.tables.idempotency.name,
                CONVERSATION_RETENTION_DAYS: String(args.conversationRetentionDays),
                OUTBOX_QUEUE_URL: args.outbox.url,
                ...(this.cache ? { REDIS_ENDPOINT: this.cache.endpoint, REDIS_PORT: this.cache.port.apply(String), REDIS_AUTH_SECRET_ARN: this.cache.authSecret.arn } : {}),
            },
            statements: [
                // What the SQS event source mapping calls with this role (AWS managed policy AWSLambdaSQSQueueExecutionRole).
                { Sid: "ConsumeWork", Effect: "Allow", Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"], Resource: args.queue.arn },
                { Sid: "DecryptWork", Effect: "Allow", Action: "kms:Decrypt", Resource: args.keys.messaging },
                // A geographic cross-Region profile routes each request to one of its destination Regions: the
                // role needs the profile and the foundation model in every one of them, the latter only through
                // this profile. https://docs.aws.amazon.com/bedrock/latest/userguide/cross-region-inference.html
                ...(geography ? [
                    { Sid: "InvokeThroughProfile", Effect: "Allow" as const, Action: "bedrock:InvokeModel", Resource: profileArn },
                    {
                        Sid: "InvokeModelInProfileRegions", Effect: "Allow" as const, Action: "bedrock:InvokeModel",
                        Resource: destinationRegions(model, args.region).map(r => `arn:aws:bedrock:${r}::foundation-model/${foundationModelId}`),
                        Condition: { StringEquals: { "bedrock:InferenceProfileArn": profileArn } },
                    },
                ] : [
                    { Sid: "InvokeModel", Effect: "Allow" as const, Action: "bedrock:InvokeModel", Resource: `arn:aws:bedrock:${args.region}::foundation-model/${model}` },
                ]),
                ...args.tables.conversations.grantActions(["dynamodb:PutItem"]),
                // Meal plans and summaries are written whole; the weekly summary reads the week's plan.
                ...args.tables.mealPlans.grantActions(["dynamodb:PutItem", "dynamodb:GetItem"]),
                ...idempotency,
                // Replies go on the outbox; the sender outside the VPC holds the only Twilio and SMS permissions.
                { Sid: "QueueReplies", Effect: "Allow", Action: "sqs:SendMessage", Resource: args.outbox.arn },
                { Sid: "EncryptReplies", Effect: "Allow", Action: ["kms:GenerateDataKey", "kms:Decrypt"], Resource: args.keys.messaging },
                ...(this.cache ? readSecrets("CacheAuth", [this.cache.authSecret.arn]) : []),
            ],
        }, child);
        new aws.lambda.EventSourceMapping(`${name}-worker-source`, {
            eventSourceArn: args.queue.arn,
            functionName: this.worker.name,
            batchSize: 5,
            maximumBatchingWindowInSeconds: 1,
            functionResponseTypes: ["ReportBatchItemFailures"],
            scalingConfig: { maximumConcurrency: reserved.worker < 0 ? 10 : reserved.worker },
        }, child);

        // --- API
        this.restApi = new aws.apigateway.RestApi(`${name}-api`, {
            description: "AI Nutritionist webhooks (Twilio, Stripe) and health",
            endpointConfiguration: { types: "REGIONAL" },
            apiKeySource: "HEADER",
        }, child);
        const origins = args.corsOrigins ?? [];
        const handlers = { inbound: this.inbound, billing: this.billing };
        const resources = new Map<string, aws.apigateway.Resource>();
        const resourceFor = (path: string): pulumi.Output<string> => {
            const parts = path.split("/");
            let parentId: pulumi.Output<string> = this.restApi.rootResourceId;
            for (let i = 0; i < parts.length; i++) {
                const sub = parts.slice(0, i + 1).join("/");
                let r = resources.get(sub);
                if (!r) {
                    r = new aws.apigateway.Resource(`${name}-${sub.replace(/\//g, "-")}`, { restApi: this.restApi.id, parentId, pathPart: parts[i] }, child);
                    resources.set(sub, r);
                }
                parentId = r.id;
            }
            return parentId;
        };
        const deploymentDeps: pulumi.Resource[] = [];
        for (const route of ROUTES) {
            const resourceId = resourceFor(route.path);
            const id = `${name}-${route.path.replace(/\//g, "-")}-${route.method.toLowerCase()}`;
            const method = new aws.apigateway.Method(id, {
                restApi: this.restApi.id,
                resourceId,
                httpMethod: route.method,
                authorization: "NONE", // Twilio and Stripe authenticate by signature, verified in the function.
                apiKeyRequired: route.target === "health",
            }, child);
            deploymentDeps.push(method);
            if (route.target === "health") {
                const integration = new aws.apigateway.Integration(`${id}-integration`, {
                    restApi: this.restApi.id, resourceId, httpMethod: method.httpMethod, type: "MOCK",
                    requestTemplates: { "application/json": "{\"statusCode\": 200}" },
                }, child);
                const response = new aws.apigateway.MethodResponse(`${id}-200`, {
                    restApi: this.restApi.id, resourceId, httpMethod: method.httpMethod, statusCode: "200",
                }, child);
                const integrationResponse = new aws.apigateway.IntegrationResponse(`${id}-integration-200`, {
                    restApi: this.restApi.id, resourceId, httpMethod: method.httpMethod, statusCode: response.statusCode,
                    responseTemplates: { "application/json": "{\"status\": \"ok\"}" },
                }, { parent: this, dependsOn: [integration] });
                deploymentDeps.push(integration, response, integrationResponse);
            } else {
                const fn = handlers[route.target];
                const integration = new aws.apigateway.Integration(`${id}-integration`, {
                    restApi: this.restApi.id, resourceId, httpMethod: method.httpMethod,
                    type: "AWS_PROXY", integrationHttpMethod: "POST", uri: fn.function.invokeArn,
                    timeoutMilliseconds: 10000,
                }, child);
                deploymentDeps.push(integration);
            }
        }
        for (const [target, fn] of Object.entries(handlers)) {
            new aws.lambda.Permission(`${name}-${target}-invoke`, {
                action: "lambda:InvokeFunction",
                function: fn.function.name,
                principal: "apigateway.amazonaws.com",
                sourceArn: pulumi.interpolate`${this.restApi.executionArn}/*/POST/webhooks/*`,
            }, child);
        }
        if (origins.length) deploymentDeps.push(...this.cors(name, [...resources.entries()], origins));

        const spec = crypto.createHash("sha256").update(JSON.stringify({ ROUTES, origins })).digest("hex");
        const deployment = new aws.apigateway.Deployment(`${name}-deployment`, {
            restApi: this.restApi.id,
            description: `routes ${spec.slice(0, 12)}`,
            triggers: { routes: spec },
        }, { parent: this, dependsOn: deploymentDeps });

        const accessLogs = encryptedLogGroup(`${name}-access-logs`, {
            namePrefix: `${args.logs.namePrefix}apigateway/access-`,
            kmsKeyArn: args.keys.logs,
            retentionInDays: args.logs.retentionInDays,
        }, child);
        this.accessLogGroupName = accessLogs.name;
        const stageDeps: pulumi.Resource[] = [];
        if (args.manageAccountLogRole ?? true) {
            const role = new aws.iam.Role(`${name}-cloudwatch-role`, {
                assumeRolePolicy: assumeRolePolicy("apigateway.amazonaws.com"),
                description: "API Gateway (account setting): write access and execution logs",
            }, child);
            const pushToLogs = new aws.iam.RolePolicyAttachment(`${name}-cloudwatch-role-policy`, {
                role: role.name,
                policyArn: "arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs",
            }, child);
            // API Gateway checks the role's permissions when the setting is made: attach the policy first.
            stageDeps.push(new aws.apigateway.Account(`${name}-account`, { cloudwatchRoleArn: role.arn }, { ...child, dependsOn: [pushToLogs] }));
        }
        // API Gateway writes execution logs to a group it names itself; create it first, encrypted and with a retention.
        stageDeps.push(encryptedLogGroup(`${name}-execution-logs`, {
            name: pulumi.interpolate`API-Gateway-Execution-Logs_${this.restApi.id}/${args.stageName}`,
            kmsKeyArn: args.keys.logs,
            retentionInDays: args.logs.retentionInDays,
        }, child));
        this.stage = new aws.apigateway.Stage(`${name}-stage`, {
            restApi: this.restApi.id,
            deployment: deployment.id,
            stageName: args.stageName,
            xrayTracingEnabled: true,
            accessLogSettings: { destinationArn: accessLogs.arn, format: ACCESS_LOG_FORMAT },
        }, { parent: this, dependsOn: stageDeps });
        new aws.apigateway.MethodSettings(`${name}-method-settings`, {
            restApi: this.restApi.id,
            stageName: this.stage.stageName,
            methodPath: "*/*",
            settings: {
                metricsEnabled: true,
                loggingLevel: "ERROR",
                dataTraceEnabled: false, // Full request logging would write phone numbers and messages to logs.
                throttlingRateLimit: args.throttle.rateLimit,
                throttlingBurstLimit: args.throttle.burstLimit,
            },
        }, child);
        const usagePlan = new aws.apigateway.UsagePlan(`${name}-usage-plan`, {
            description: "Clients with an API key (monitoring, partners): throttled and with a daily quota",
            apiStages: [{ apiId: this.restApi.id, stage: this.stage.stageName }],
            throttleSettings: { rateLimit: args.throttle.rateLimit, burstLimit: args.throttle.burstLimit },
            quotaSettings: { limit: args.throttle.quotaPerDay, period: "DAY" },
        }, child);
        const monitorKey = new aws.apigateway.ApiKey(`${name}-monitoring-key`, { description: "Uptime monitoring of /health", enabled: true }, child);
        new aws.apigateway.UsagePlanKey(`${name}-monitoring-key-plan`, { keyId: monitorKey.id, keyType: "API_KEY", usagePlanId: usagePlan.id }, child);

        this.webAcl = new ManagedWebAcl(`${name}-waf`, {
            scope: "REGIONAL",
            rateLimit: args.wafRateLimit,
            metricPrefix: args.wafMetricPrefix ?? `${args.stageName}-api`,
            logging: { kmsKeyArn: args.keys.logs, retentionInDays: args.logs.retentionInDays, namePrefix: `${args.logs.wafNamePrefix}-api-` },
        }, child);
        new aws.wafv2.WebAclAssociation(`${name}-waf-association`, { resourceArn: this.stage.arn, webAclArn: this.webAcl.arn }, child);

        this.invokeUrl = this.stage.invokeUrl;
        this.webhookUrl = pulumi.interpolate`${this.stage.invokeUrl}/webhooks/twilio/sms`;
        this.statusCallbackUrl = pulumi.interpolate`${this.stage.invokeUrl}/webhooks/twilio/status`;
        this.fallbackUrl = pulumi.interpolate`${this.stage.invokeUrl}/webhooks/twilio/fallback`;
        this.billingWebhookUrl = pulumi.interpolate`${this.stage.invokeUrl}/webhooks/stripe`;
        this.healthUrl = pulumi.interpolate`${this.stage.invokeUrl}/health`;
        this.registerOutputs({
            webhookUrl: this.webhookUrl, statusCallbackUrl: this.statusCallbackUrl, fallbackUrl: this.fallbackUrl, billingWebhookUrl: this.billingWebhookUrl,
            healthUrl: this.healthUrl, webAclArn: this.webAcl.arn, redisEndpoint: this.cache?.endpoint,
        });
    }

    /** OPTIONS on every resource and CORS headers on the 4xx/5xx gateway responses. */
    private cors(name: string, resources: [string, aws.apigateway.Resource][], origins: string[]): pulumi.Resource[] {
        const child = { parent: this };
        const created: pulumi.Resource[] = [];
        const allowHeaders = "'Content-Type,X-Api-Key,X-Twilio-Signature,Stripe-Signature'";
        // Echo the caller's Origin only when it is one of ours; otherwise the first origin stands.
        const echo = [
            "#set($origin = $input.params().header.get('Origin'))",
            `#if(${origins.map(o => `$origin == '${o}'`).join(" || ")})`,
            "#set($context.responseOverride.header.Access-Control-Allow-Origin = $origin)",
            "#end",
            "{}",
        ].join("\n");
        for (const [path, resource] of resources) {
            const id = `${name}-${path.replace(/\//g, "-")}-options`;
            const method = new aws.apigateway.Method(id, {
                restApi: this.restApi.id, resourceId: resource.id, httpMethod: "OPTIONS", authorization: "NONE",
            }, child);
            const integration = new aws.apigateway.Integration(`${id}-integration`, {
                restApi: this.restApi.id, resourceId: resource.id, httpMethod: method.httpMethod, type: "MOCK",
                requestTemplates: { "application/json": "{\"statusCode\": 200}" },
            }, child);
            const headers = ["Access-Control-Allow-Origin", "Access-Control-Allow-Methods", "Access-Control-Allow-Headers", "Vary"];
            const response = new aws.apigateway.MethodResponse(`${id}-200`, {
                restApi: this.restApi.id, resourceId: resource.id, httpMethod: method.httpMethod, statusCode: "200",
                responseParameters: Object.fromEntries(headers.map(h => [`method.response.header.${h}`, true])),
            }, child);
            const integrationResponse = new aws.apigateway.IntegrationResponse(`${id}-integration-200`, {
                restApi: this.restApi.id, resourceId: resource.id, httpMethod: method.httpMethod, statusCode: response.statusCode,
                responseParameters: {
                    "method.response.header.Access-Control-Allow-Origin": `'${origins[0]}'`,
                    "method.response.header.Access-Control-Allow-Methods": "'OPTIONS,GET,POST'",
                    "method.response.header.Access-Control-Allow-Headers": allowHeaders,
                    "method.response.header.Vary": "'Origin'",
                },
                responseTemplates: { "application/json": echo },
            }, { parent: this, dependsOn: [integration] });
            created.push(method, integration, response, integrationResponse);
        }
        for (const type of ["DEFAULT_4XX", "DEFAULT_5XX"]) {
            created.push(new aws.apigateway.Response(`${name}-${type.toLowerCase().replace("_", "-")}-cors`, {
                restApiId: this.restApi.id,
                responseType: type,
                responseParameters: {
                    "gatewayresponse.header.Access-Control-Allow-Origin": `'${origins[0]}'`,
                    "gatewayresponse.header.Access-Control-Allow-Headers": allowHeaders,
                    "gatewayresponse.header.Vary": "'Origin'",
                },
            }, child));
        }
        return created;
    }
}
