import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { fitName } from "./naming";

type Name = pulumi.Input<string>;

export interface AlarmThresholds {
    /** API p95 latency, ms. Defaults to 500 (the seed's target). */
    apiLatencyP95Ms?: number;
    /** API 5xx rate, %. Defaults to 1. */
    api5xxRatePercent?: number;
    /** API 4xx rate, %. Defaults to 10. */
    api4xxRatePercent?: number;
    /** Lambda error rate, %. Defaults to 1. */
    lambdaErrorRatePercent?: number;
    /** Lambda p95 duration, ms. Defaults to 5000. */
    lambdaDurationP95Ms?: number;
    /** Redis cache hit rate below which to warn, %. Defaults to 80 (the seed's target). */
    cacheHitRatePercent?: number;
    /** Messages in a dead-letter queue. Defaults to 1. */
    dlqDepth?: number;
    /** Oldest message in the work queue, seconds. Defaults to 900. */
    queueAgeSeconds?: number;
    /** WAF blocked requests per 5 minutes (an attack or a misbehaving client). Defaults to 1000. */
    wafBlockedRequests?: number;
}

export interface ObservabilityArgs {
    /** Dashboard name and alarm-name prefix, e.g. `ai-nutritionist-prod`. */
    prefix: string;
    /** The stack's region (dashboard widgets, console URL, WAF metrics). */
    region: string;
    /** The alert routes. */
    topics: { critical: Name; warning: Name; info: Name };
    /** Alarm thresholds. Defaults as documented on AlarmThresholds. */
    thresholds?: AlarmThresholds;
    /** Resources that exist in the stack; alarms and widgets are made only for these. */
    functions: { label: string; name: Name; logGroupName: Name }[];
    /** The REST API (name and stage) and its access-log group. Defaults to none. */
    api?: { name: Name; stage: string; accessLogGroupName: Name };
    /** DynamoDB tables: throttle alarms and capacity widgets. */
    tables: { label: string; name: Name }[];
    /** Queues: depth alarms on dead-letter queues, age alarms on work queues. */
    queues: { label: string; name: Name; deadLetter: boolean }[];
    /**
     * Redis member cluster ids (the replication group's memberClusters: ElastiCache publishes node
     * metrics per member cluster, CacheClusterId `<group id>-001`…, never under the group's id) and
     * their count: CPU, memory, evictions, hit-rate alarms. Defaults to none.
     */
    cache?: { memberClusterIds: pulumi.Input<string[]>; numNodes: number };
    /** NAT gateway ids and count: error and drop alarms. Defaults to none. */
    nat?: { gatewayIds: pulumi.Output<string[]>; count: number };
    /** The API's web ACL: blocked-request spike alarm. Defaults to none. */
    waf?: { name: Name; metricPrefix: string };
    /** Backup vault (dashboard widget). Defaults to none. */
    backupVaultName?: Name;
    /** Bedrock model the worker calls: throttling and error alarms, token widgets. Defaults to none. */
    bedrockModelId?: string;
    /** Custom metrics to chart (namespace, name and the exact dimension set they are published with), e.g. the handlers' EMF metrics. Defaults to none. */
    customMetrics?: { namespace: string; metricName: string; dimensions: Record<string, string> }[];
    /** Alarms made elsewhere (Twilio) to show on the dashboard. */
    extraAlarmArns?: pulumi.Input<string>[];
    /**
     * Monthly budget in USD, its e-mail, and the cost-allocation tag that scopes it and the anomaly
     * monitor (e.g. `{ key: "Stack", value: "prod" }`). Budgets and Cost Explorer see a user tag only
     * once it is activated for cost allocation
     * (https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/activating-tags.html), so pass
     * `tag` only together with its key in `costAllocationTags`. Defaults to no tag: the budget and the
     * anomaly monitor cover the whole account. Without a tag the monitor is AWS's services monitor, of
     * which an account holds one (Cost Explorer refuses a second), so only the stack with
     * `ownsAccountMonitor` (default true) makes it and the alerts.
     */
    budget: { limitUsd: number; email?: string; tag?: { key: string; value: string }; ownsAccountMonitor?: boolean };
    /** Activate cost-allocation tags (account-wide; only the account owner stack). Defaults to none. */
    costAllocationTags?: string[];
    /** X-Ray sampling of the webhooks: fraction after the first request each second. Defaults to 0.05. */
    tracingSampleRate?: number;
}

/**
 * The seed's "360° observability": a dashboard with its four views (application performance,
 * infrastructure health, security, cost), alarms on every resource that exists routed to the
 * critical and warning topics, Logs Insights queries, an X-Ray group and sampling rule, the
 * monthly budget with 50/80/100 % actual and 100 % forecast notifications, and cost anomaly
 * detection, scoped by an activated cost-allocation tag or else account-wide.
 */
export class Observability extends pulumi.ComponentResource {
    public readonly dashboard: aws.cloudwatch.Dashboard;
    public readonly dashboardUrl: pulumi.Output<string>;
    public readonly alarms: aws.cloudwatch.MetricAlarm[] = [];
    public readonly budget: aws.budgets.Budget;
    private readonly args: ObservabilityArgs;
    private readonly base: string;

    constructor(name: string, args: ObservabilityArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ai-nutritionist:observability:Observability", name, {}, opts);
        this.args = args;
        this.base = name;
        const t = {
            apiLatencyP95Ms: 500, api5xxRatePercent: 1, api4xxRatePercent: 10, lambdaErrorRatePercent: 1, lambdaDurationP95Ms: 5000,
            cacheHitRatePercent: 80, dlqDepth: 1, queueAgeSeconds: 900, wafBlockedRequests: 1000, ...args.thresholds,
        };
        const { critical, warning } = args.topics;

        for (const fn of args.functions) {
            const dims = { FunctionName: fn.name };
            this.rateAlarm(`${fn.label}-error-rate`, `Lambda ${fn.label}: error rate above ${t.lambdaErrorRatePercent}%`, "AWS/Lambda", "Errors", "Invocations", dims, t.lambdaErrorRatePercent, critical);
            this.alarm(`${fn.label}-throttles`, { alarmDescription: `Lambda ${fn.label}: throttled invocations`, namespace: "AWS/Lambda", metricName: "Throttles", dimensions: dims, statistic: "Sum", threshold: 1, comparisonOperator: "GreaterThanOrEqualToThreshold" }, warning);
            this.alarm(`${fn.label}-duration-p95`, { alarmDescription: `Lambda ${fn.label}: p95 duration above ${t.lambdaDurationP95Ms} ms`, namespace: "AWS/Lambda", metricName: "Duration", dimensions: dims, extendedStatistic: "p95", threshold: t.lambdaDurationP95Ms, comparisonOperator: "GreaterThanThreshold", evaluationPeriods: 3 }, warning);
        }
        if (args.api) {
            const dims = { ApiName: args.api.name, Stage: args.api.stage };
            this.rateAlarm("api-5xx-rate", `API: 5xx rate above ${t.api5xxRatePercent}%`, "AWS/ApiGateway", "5XXError", "Count", dims, t.api5xxRatePercent, critical);
            this.rateAlarm("api-4xx-rate", `API: 4xx rate above ${t.api4xxRatePercent}%`, "AWS/ApiGateway", "4XXError", "Count", dims, t.api4xxRatePercent, warning);
            this.alarm("api-latency-p95", { alarmDescription: `API: p95 latency above ${t.apiLatencyP95Ms} ms (the seed's target)`, namespace: "AWS/ApiGateway", metricName: "Latency", dimensions: dims, extendedStatistic: "p95", threshold: t.apiLatencyP95Ms, comparisonOperator: "GreaterThanThreshold", evaluationPeriods: 3 }, warning);
        }
        for (const table of args.tables) {
            this.alarm(`${table.label}-throttles`, {
                alarmDescription: `DynamoDB ${table.label}: throttled requests`,
                comparisonOperator: "GreaterThanOrEqualToThreshold", threshold: 1,
                metricQueries: [
                    { id: "r", metric: { namespace: "AWS/DynamoDB", metricName: "ReadThrottleEvents", dimensions: { TableName: table.name }, period: 300, stat: "Sum" } },
                    { id: "w", metric: { namespace: "AWS/DynamoDB", metricName: "WriteThrottleEvents", dimensions: { TableName: table.name }, period: 300, stat: "Sum" } },
                    // DynamoDB publishes each metric only when it has events: fill the absent one with 0.
                    { id: "throttles", expression: "FILL(r, 0) + FILL(w, 0)", label: "Throttle events", returnData: true },
                ],
            }, warning);
        }
        for (const q of args.queues) {
            const dims = { QueueName: q.name };
            if (q.deadLetter) {
                this.alarm(`${q.label}-depth`, { alarmDescription: `${q.label}: messages in a dead-letter queue`, namespace: "AWS/SQS", metricName: "ApproximateNumberOfMessagesVisible", dimensions: dims, statistic: "Maximum", threshold: t.dlqDepth, comparisonOperator: "GreaterThanOrEqualToThreshold" }, critical);
            } else {
                this.alarm(`${q.label}-oldest-message`, { alarmDescription: `${q.label}: oldest message older than ${t.queueAgeSeconds} s`, namespace: "AWS/SQS", metricName: "ApproximateAgeOfOldestMessage", dimensions: dims, statistic: "Maximum", threshold: t.queueAgeSeconds, comparisonOperator: "GreaterThanThreshold", evaluationPeriods: 2 }, warning);
            }
        }
        if (args.cache) {
            for (let i = 1; i <= args.cache.numNodes; i++) {
                const dims = { CacheClusterId: pulumi.output(args.cache.memberClusterIds).apply(ids => ids[i - 1]) };
                this.alarm(`redis-${i}-cpu`, { alarmDescription: `Redis node ${i}: engine CPU above 80%`, namespace: "AWS/ElastiCache", metricName: "EngineCPUUtilization", dimensions: dims, statistic: "Average", threshold: 80, comparisonOperator: "GreaterThanThreshold", evaluationPeriods: 3 }, warning);
                this.alarm(`redis-${i}-memory`, { alarmDescription: `Redis node ${i}: memory above 80%`, namespace: "AWS/ElastiCache", metricName: "DatabaseMemoryUsagePercentage", dimensions: dims, statistic: "Average", threshold: 80, comparisonOperator: "GreaterThanThreshold", evaluationPeriods: 3 }, warning);
                this.alarm(`redis-${i}-evictions`, { alarmDescription: `Redis node ${i}: evictions`, namespace: "AWS/ElastiCache", metricName: "Evictions", dimensions: dims, statistic: "Sum", threshold: 100, comparisonOperator: "GreaterThanThreshold" }, warning);
                this.alarm(`redis-${i}-hit-rate`, { alarmDescription: `Redis node ${i}: cache hit rate below ${t.cacheHitRatePercent}% (the seed's target)`, namespace: "AWS/ElastiCache", metricName: "CacheHitRate", dimensions: dims, statistic: "Average", threshold: t.cacheHitRatePercent, comparisonOperator: "LessThanThreshold", evaluationPeriods: 6, treatMissingData: "notBreaching" }, warning);
            }
        }
        if (args.nat) {
            for (let i = 0; i < args.nat.count; i++) {
                const dims = { NatGatewayId: args.nat.gatewayIds.apply(ids => ids[i]) };
                this.alarm(`nat-${i + 1}-port-allocation`, { alarmDescription: `NAT gateway ${i + 1}: port allocation errors`, namespace: "AWS/NATGateway", metricName: "ErrorPortAllocation", dimensions: dims, statistic: "Sum", threshold: 1, comparisonOperator: "GreaterThanOrEqualToThreshold" }, warning);
                this.alarm(`nat-${i + 1}-packets-dropped`, { alarmDescription: `NAT gateway ${i + 1}: dropped packets`, namespace: "AWS/NATGateway", metricName: "PacketsDropCount", dimensions: dims, statistic: "Sum", threshold: 100, comparisonOperator: "GreaterThanThreshold" }, warning);
            }
        }
        if (args.waf) {
            this.alarm("waf-blocked-spike", { alarmDescription: `WAF: more than ${t.wafBlockedRequests} blocked requests in 5 minutes (attack or flood)`, namespace: "AWS/WAFV2", metricName: "BlockedRequests", dimensions: { WebACL: args.waf.name, Region: args.region, Rule: "ALL" }, statistic: "Sum", threshold: t.wafBlockedRequests, comparisonOperator: "GreaterThanThreshold" }, critical);
        }

        if (args.bedrockModelId) {
            const dims = { ModelId: args.bedrockModelId };
            this.alarm("bedrock-throttles", { alarmDescription: "Bedrock: throttled invocations (the worker retries them through the queue)", namespace: "AWS/Bedrock", metricName: "InvocationThrottles", dimensions: dims, statistic: "Sum", threshold: 10, comparisonOperator: "GreaterThanThreshold", evaluationPeriods: 2 }, warning);
            this.alarm("bedrock-errors", { alarmDescription: "Bedrock: server errors", namespace: "AWS/Bedrock", metricName: "InvocationServerErrors", dimensions: dims, statistic: "Sum", threshold: 5, comparisonOperator: "GreaterThanThreshold" }, critical);
            // Model not found or past end of life, access denied, validation: every request fails, none is a server error.
            this.alarm("bedrock-client-errors", { alarmDescription: "Bedrock: client errors (model not found or end of life, access denied, validation): the worker cannot answer", namespace: "AWS/Bedrock", metricName: "InvocationClientErrors", dimensions: dims, statistic: "Sum", threshold: 1, comparisonOperator: "GreaterThanOrEqualToThreshold" }, critical);
        }

        this.queries();
        // X-Ray groups and sampling rules are account-wide: scope both to this stack's services, so two
        // stacks in one account do not sample or group each other's traces. API Gateway traces a stage
        // as service `<api name>/<stage>`, type AWS::ApiGateway::Stage
        // (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-configuring-xray-sampling-rules.html);
        // a Lambda function as its function name.
        const apiService = args.api ? pulumi.interpolate`${args.api.name}/${args.api.stage}` : undefined;
        const services = apiService ? [apiService] : args.functions.map(f => f.name);
        new aws.xray.Group(`${name}-slow-requests`, {
            groupName: fitName(`${args.prefix}-slow`, 32), // X-Ray group names: at most 32 (CreateGroup)
            filterExpression: pulumi.all(services).apply(names =>
                `(${names.map(n => `service(${JSON.stringify(n)})`).join(" OR ")}) AND responsetime > ${t.apiLatencyP95Ms / 1000}`),
            insightsConfiguration: { insightsEnabled: true, notificationsEnabled: true },
        }, { parent: this });
        if (apiService) {
            new aws.xray.SamplingRule(`${name}-sampling`, {
                ruleName: fitName(args.prefix, 32), // sampling rule names: at most 32 (SamplingRule)
                priority: 1000, version: 1, reservoirSize: 1, fixedRate: args.tracingSampleRate ?? 0.05,
                host: "*", httpMethod: "*", urlPath: "/webhooks/*", serviceName: apiService, serviceType: "AWS::ApiGateway::Stage", resourceArn: "*",
            }, { parent: this });
        }

        const scope = args.budget.tag;
        this.budget = new aws.budgets.Budget(`${name}-budget`, {
            // Budgets have no description: the name says what the budget covers.
            namePrefix: `${args.prefix}-${scope ? `${scope.key.toLowerCase()}-${scope.value}` : "account-wide"}-`,
            budgetType: "COST",
            limitAmount: args.budget.limitUsd.toFixed(2),
            limitUnit: "USD",
            timeUnit: "MONTHLY",
            costFilters: scope ? [{ name: "TagKeyValue", values: [`user:${scope.key}$${scope.value}`] }] : [],
            // The seed's routes: the 50 % mark is a budget report (info); 80 %, 100 % and the forecast are cost warnings.
            notifications: [
                { notificationType: "ACTUAL", threshold: 50, topic: args.topics.info },
                { notificationType: "ACTUAL", threshold: 80, topic: warning },
                { notificationType: "ACTUAL", threshold: 100, topic: warning },
                { notificationType: "FORECASTED", threshold: 100, topic: warning },
            ].map(({ topic, ...n }) => ({
                ...n,
                comparisonOperator: "GREATER_THAN",
                thresholdType: "PERCENTAGE",
                subscriberSnsTopicArns: [topic],
                subscriberEmailAddresses: args.budget.email ? [args.budget.email] : [],
            })),
        }, { parent: this });
        // A tag monitor (CUSTOM) needs an activated tag and, like activation, the management account;
        // account-wide it is the AWS services monitor (DIMENSIONAL SERVICE), one per account
        // (https://docs.aws.amazon.com/cost-management/latest/userguide/getting-started-ad.html).
        if (scope || (args.budget.ownsAccountMonitor ?? true)) {
            const monitor = new aws.costexplorer.AnomalyMonitor(`${name}-anomalies`, scope
                ? { monitorType: "CUSTOM", monitorSpecification: JSON.stringify({ Tags: { Key: scope.key, Values: [scope.value], MatchOptions: ["EQUALS"] } }) }
                : { monitorType: "DIMENSIONAL", monitorDimension: "SERVICE" },
            { parent: this });
            new aws.costexplorer.AnomalySubscription(`${name}-anomaly-alerts`, {
                frequency: "IMMEDIATE",
                monitorArnLists: [monitor.arn],
                subscribers: [{ type: "SNS", address: warning }],
                thresholdExpression: { dimension: { key: "ANOMALY_TOTAL_IMPACT_ABSOLUTE", matchOptions: ["GREATER_THAN_OR_EQUAL"], values: [String(Math.max(10, Math.round(args.budget.limitUsd * 0.05)))] } },
            }, { parent: this });
        }
        for (const tag of args.costAllocationTags ?? []) {
            new aws.costexplorer.CostAllocationTag(`${name}-cost-tag-${tag.toLowerCase()}`, { tagKey: tag, status: "Active" }, { parent: this });
        }

        const dashboardName = args.prefix;
        this.dashboard = new aws.cloudwatch.Dashboard(`${name}-dashboard`, {
            dashboardName,
            dashboardBody: this.dashboardBody([...this.alarms.map(a => a.arn), ...(args.extraAlarmArns ?? [])]),
        }, { parent: this });
        this.dashboardUrl = pulumi.interpolate`https://${args.region}.console.aws.amazon.com/cloudwatch/home?region=${args.region}#dashboards:name=${this.dashboard.dashboardName}`;
        this.registerOutputs({ dashboardUrl: this.dashboardUrl, alarmCount: this.alarms.length });
    }

    private alarm(id: string, spec: Omit<aws.cloudwatch.MetricAlarmArgs, "alarmActions" | "okActions">, topic: Name): aws.cloudwatch.MetricAlarm {
        const alarm = new aws.cloudwatch.MetricAlarm(`${this.base}-${id}`, {
            period: spec.metricQueries ? undefined : 300,
            evaluationPeriods: 1,
            treatMissingData: "notBreaching",
            ...spec,
            alarmActions: [topic],
            okActions: [topic],
        }, { parent: this });
        this.alarms.push(alarm);
        return alarm;
    }

    /** An alarm on 100 × part / total over 5 minutes (no alarm while there is no traffic). */
    private rateAlarm(id: string, description: string, namespace: string, part: string, total: string, dimensions: Record<string, Name>, percent: number, topic: Name): void {
        this.alarm(id, {
            alarmDescription: description,
            comparisonOperator: "GreaterThanThreshold",
            threshold: percent,
            metricQueries: [
                { id: "part", metric: { namespace, metricName: part, dimensions, period: 300, stat: "Sum" } },
                { id: "total", metric: { namespace, metricName: total, dimensions, period: 300, stat: "Sum" } },
                { id: "rate", expression: "IF(FILL(total, 0) > 0, 100 * FILL(part, 0) / FILL(total, 1), 0)", label: `${part} %`, returnData: true },
            ],
        }, topic);
    }

    private queries(): void {
        const a = this.args;
        const fnGroups = a.functions.map(f => f.logGroupName);
        new aws.cloudwatch.QueryDefinition(`${this.base}-errors-query`, {
            name: `${a.prefix}/errors`,
            logGroupNames: fnGroups,
            queryString: [
                // Powertools Logger's top-level keys (functions/lib/powertools.ts).
                "fields @timestamp, @log, level, service, message, correlationId, error.name, error.message",
                "| filter level in [\"ERROR\", \"WARN\"]",
                "| sort @timestamp desc",
                "| limit 200",
            ].join("\n"),
        }, { parent: this });
        new aws.cloudwatch.QueryDefinition(`${this.base}-slow-functions-query`, {
            name: `${a.prefix}/slow-invocations`,
            logGroupNames: fnGroups,
            queryString: [
                "filter @type = \"REPORT\" or type = \"platform.report\"",
                "| fields @timestamp, @log, coalesce(@duration, record.metrics.durationMs) as durationMs",
                "| sort durationMs desc",
                "| limit 50",
            ].join("\n"),
        }, { parent: this });
        if (a.api) {
            new aws.cloudwatch.QueryDefinition(`${this.base}-slow-requests-query`, {
                name: `${a.prefix}/slow-requests`,
                logGroupNames: [a.api.accessLogGroupName],
                queryString: [
                    "fields @timestamp, httpMethod, resourcePath, status, latency, integrationLatency, requestId",
                    `| filter latency > ${a.thresholds?.apiLatencyP95Ms ?? 500}`,
                    "| sort latency desc",
                    "| limit 100",
                ].join("\n"),
            }, { parent: this });
        }
    }

    private dashboardBody(alarmArns: pulumi.Input<string>[]): pulumi.Output<string> {
        const a = this.args;
        const region = a.region;
        const parts: pulumi.Input<unknown>[] = [
            pulumi.all(a.functions.map(f => f.name)),
            pulumi.output(a.api?.name ?? ""),
            pulumi.all(a.tables.map(t => t.name)),
            pulumi.all(a.queues.map(q => q.name)),
            pulumi.output(a.cache?.memberClusterIds ?? []),
            a.nat ? a.nat.gatewayIds : pulumi.output([] as string[]),
            pulumi.output(a.waf?.name ?? ""),
            pulumi.output(a.backupVaultName ?? ""),
            pulumi.all(alarmArns),
        ];
        return pulumi.all(parts).apply(values => {
            const [fns, api, tables, queues, cache, nats, waf, vault, alarms] =
                values as unknown as [string[], string, string[], string[], string[], string[], string, string, string[]];
            const v = { fns, api, tables, queues, cache, nats, waf, vault, alarms };
            const widgets: object[] = [];
            let y = 0;
            const header = (text: string) => { widgets.push({ type: "text", x: 0, y, width: 24, height: 1, properties: { markdown: `## ${text}` } }); y += 1; };
            let x = 0;
            const chart = (title: string, metrics: any[][], extra: object = {}) => {
                widgets.push({ type: "metric", x, y, width: 8, height: 6, properties: { title, region, view: "timeSeries", stat: "Sum", period: 300, metrics, ...extra } });
                x += 8;
                if (x >= 24) { x = 0; y += 6; }
            };
            const endRow = () => { if (x > 0) { x = 0; y += 6; } };

            header("Application performance");
            chart("Lambda invocations and errors", v.fns.flatMap(fn => [["AWS/Lambda", "Invocations", "FunctionName", fn], ["AWS/Lambda", "Errors", "FunctionName", fn]]));
            chart("Lambda duration p95 (ms)", v.fns.map(fn => ["AWS/Lambda", "Duration", "FunctionName", fn, { stat: "p95" }]));
            if (v.api) {
                chart("API requests, 4xx, 5xx", [["AWS/ApiGateway", "Count", "ApiName", v.api, "Stage", a.api!.stage], [".", "4XXError", ".", ".", ".", "."], [".", "5XXError", ".", ".", ".", "."]]);
                chart("API latency p95 (ms, target 500)", [["AWS/ApiGateway", "Latency", "ApiName", v.api, "Stage", a.api!.stage, { stat: "p95" }]], { annotations: { horizontal: [{ value: 500, label: "target" }] } });
            }
            chart("DynamoDB consumed capacity", v.tables.flatMap(t => [["AWS/DynamoDB", "ConsumedReadCapacityUnits", "TableName", t], ["AWS/DynamoDB", "ConsumedWriteCapacityUnits", "TableName", t]]));
            chart("DynamoDB throttles", v.tables.flatMap(t => [["AWS/DynamoDB", "ReadThrottleEvents", "TableName", t], ["AWS/DynamoDB", "WriteThrottleEvents", "TableName", t]]));
            endRow();

            header("Infrastructure health");
            chart("Queues and dead-letter queues (visible)", v.queues.map(q => ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", q, { stat: "Maximum" }]));
            if (v.cache.length) {
                const nodes = v.cache;
                chart("Redis CPU and memory (%)", nodes.flatMap(n => [["AWS/ElastiCache", "EngineCPUUtilization", "CacheClusterId", n, { stat: "Average" }], ["AWS/ElastiCache", "DatabaseMemoryUsagePercentage", "CacheClusterId", n, { stat: "Average" }]]));
                chart("Redis cache hit rate (%, target 80)", nodes.map(n => ["AWS/ElastiCache", "CacheHitRate", "CacheClusterId", n, { stat: "Average" }]), { annotations: { horizontal: [{ value: 80, label: "target" }] } });
            }
            if (v.nats.length) chart("NAT gateways: errors and drops", v.nats.flatMap(n => [["AWS/NATGateway", "ErrorPortAllocation", "NatGatewayId", n], ["AWS/NATGateway", "PacketsDropCount", "NatGatewayId", n]]));
            if (v.vault) chart("Backup jobs", [["AWS/Backup", "NumberOfBackupJobsCompleted"], ["AWS/Backup", "NumberOfBackupJobsFailed"], ["AWS/Backup", "NumberOfCopyJobsFailed"]]);
            endRow();

            header("Security");
            if (v.waf) chart("WAF allowed and blocked", [["AWS/WAFV2", "AllowedRequests", "WebACL", v.waf, "Region", region, "Rule", "ALL"], [".", "BlockedRequests", ".", ".", ".", ".", ".", "."]]);
            if (a.customMetrics?.length) chart("Handlers: Twilio, SMS, Stripe, Bedrock and cache (EMF)", a.customMetrics.map(m => [m.namespace, m.metricName, ...Object.entries(m.dimensions).flat()]));
            widgets.push({ type: "alarm", x, y, width: 24 - x, height: 6, properties: { title: "Alarms", alarms: v.alarms.slice(0, 100) } });
            y += 6;
            x = 0;

            header("Cost");
            const model = a.bedrockModelId ? ["ModelId", a.bedrockModelId] : [];
            chart("Bedrock invocations and tokens", [["AWS/Bedrock", "Invocations", ...model], ["AWS/Bedrock", "InputTokenCount", ...model], ["AWS/Bedrock", "OutputTokenCount", ...model]]);
            chart("Estimated charges (USD, us-east-1 billing metric)", [["AWS/Billing", "EstimatedCharges", "Currency", "USD", { stat: "Maximum", region: "us-east-1" }]], { period: 21600 });
            chart("Lambda GB-seconds proxy: duration sum (ms)", v.fns.map(fn => ["AWS/Lambda", "Duration", "FunctionName", fn]));
            return JSON.stringify({ widgets });
        });
    }
}
