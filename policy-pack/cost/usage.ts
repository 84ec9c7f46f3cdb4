/**
 * The usage profile of a cost estimate: how much traffic a stack serves in a month. Fixed costs
 * (hours, keys, alarms) come from the resources alone; usage costs come from these volumes.
 *
 * The spec names no traffic volumes, only tiers ($75 / $250 / $525 a month, dev $20-40) and the
 * cache's "70% fewer Bedrock calls"; the defaults below are this project's planning volumes and
 * every estimate prints the values it used. config.ts exposes the main ones as stack settings
 * (usage* keys); `npm run cost -- <stack> --usage file.yaml` overrides any of them.
 */

export type EnvironmentName = "dev" | "staging" | "prod";

/**
 * What one Bedrock call sends and receives, as the worker builds it (functions/lib/prompt.ts; the pack
 * is published alone, so it keeps the numbers and tests/cost.test.ts checks them against that file):
 * the system prompt and the question in, at most MAX_OUTPUT_TOKENS out.
 */
/** Tokens of the worker's SYSTEM_PROMPT (estimateTokens: four characters a token). */
export const SYSTEM_PROMPT_TOKENS = 58;
/** Tokens of a question: one GSM-7 SMS segment of 160 characters at four characters a token. */
export const QUESTION_TOKENS = 40;
/** SMS segments a reply may use (SMS_MAX_SEGMENTS): the estimate assumes every reply uses all of them. */
export const REPLY_SEGMENTS = 3;
/**
 * Output tokens of an answer that fills the budget the system prompt asks for: REPLY_SEGMENTS x 153 GSM-7
 * characters at four characters a token (the worker's maxTokens, MAX_OUTPUT_TOKENS, caps it above that).
 */
export const ANSWER_TOKENS = Math.ceil(REPLY_SEGMENTS * 153 / 4);

export interface UsageProfile {
    /** Inbound SMS questions a month (each is answered once). */
    messagesPerMonth: number;
    /** Share (%) of answers served from the Redis cache when the stack has one (spec: 70% fewer Bedrock calls). */
    cacheHitRatePercent: number;
    /** Bedrock input tokens per answer (system prompt and question). */
    inputTokensPerAnswer: number;
    /** Bedrock output tokens per answer. */
    outputTokensPerAnswer: number;
    /** Log bytes a function writes per invocation (CloudWatch Logs ingestion). */
    logBytesPerInvocation: number;
    /** Twilio status callbacks per reply (each is one more API request and inbound invocation). */
    statusCallbacksPerMessage: number;
    /** Stripe webhook events a month. */
    billingEventsPerMonth: number;
    /** Users with a weekly meal plan (one Bedrock answer per plan). */
    activeUsers: number;
    /** Meal plans generated per active user per month. */
    mealPlansPerUserPerMonth: number;
    /** Worker duration (ms) of an answer that calls Bedrock. */
    workerBedrockMs: number;
    /** Worker duration (ms) of an answer served from the cache. */
    workerCachedMs: number;
    /** Duration (ms) of the webhook functions (inbound, billing). */
    webhookMs: number;
    /** Duration (ms) of one scheduler run. */
    schedulerMs: number;
    /** DynamoDB item size (KB) written per conversation turn, meal plan, user or billing event. */
    itemKB: number;
    /** Months of data the tables hold (conversation retention; drives storage, PITR and backups). */
    retainedMonths: number;
    /** Bytes per API access-log line. */
    accessLogBytesPerRequest: number;
    /** Bytes per WAF log record (full request logging). */
    wafLogBytesPerRequest: number;
    /** VPC flow-log volume (GB a month) when the stack has a VPC. */
    flowLogGBPerMonth: number;
    /** CloudTrail management events a month in the account/region (GuardDuty analyses them). */
    cloudTrailEventsPerMonth: number;
    /** Log volume (MB a month) of each log group with no traffic model (slow log, SMS events, ...). */
    otherLogMBPerMonth: number;
    /** Compressed share of ingested log bytes that CloudWatch Logs stores (archived size / ingested). */
    logStorageRatio: number;
    /** Web-site requests a month (CloudFront and its WAF). */
    siteRequestsPerMonth: number;
    /** Average bytes CloudFront serves per site request. */
    siteKBPerRequest: number;
    /** Uptime checks of /health a month (API key clients). */
    healthChecksPerMonth: number;
    /** Bytes exchanged with Bedrock per uncached answer (request + response). */
    bedrockKBPerCall: number;
    /** Bytes exchanged with Twilio per message (send the reply, fetch nothing else). */
    twilioKBPerMessage: number;
    /** Bytes per SQS message and per Secrets Manager / KMS call through the VPC. */
    apiCallKB: number;
    /** Secrets Manager reads per secret a month (functions cache secrets per execution environment). */
    secretReadsPerSecret: number;
    /** KMS requests per customer-managed key a month (data keys for SQS/SNS/DynamoDB/Logs). */
    kmsRequestsPerKey: number;
    /** AWS Config configuration items recorded a month. */
    configItemsPerMonth: number;
    /** AWS Config rule evaluations per rule a month. */
    configEvaluationsPerRule: number;
    /** Security Hub security checks a month. */
    securityChecksPerMonth: number;
    /** S3 data events a month that GuardDuty S3 protection analyses. */
    s3DataEventsPerMonth: number;
    /** GB a month of Lambda network activity that GuardDuty Lambda protection analyses. */
    lambdaNetworkGBPerMonth: number;
    /** GB a month stored in each S3 bucket (site, logs, audit). */
    s3GBPerBucket: number;
    /** Alarm notifications and other SNS publishes a month. */
    snsPublishesPerMonth: number;
    /** SQS requests a month of each Lambda event-source mapping's pollers on an idle queue. */
    emptyReceivesPerQueue: number;
    /** SMS segments per reply (Twilio and End User Messaging bill per segment). */
    replySegmentsPerAnswer: number;
    /** SMS segments per inbound question. */
    questionSegmentsPerMessage: number;
    /** Sender function ms per reply (one Twilio or End User Messaging API call). */
    senderMs: number;
    /** Automatic rotations billed per rotated KMS key: each adds $1 a key-month, for the first two only (2 = a key older than two years). */
    kmsRotationsPerKey: number;
    /** Hours a month in which a failure-only custom metric is published (custom metrics are billed per hour published). */
    failureMetricHoursPerMonth: number;
}

export const USAGE_DESCRIPTIONS: Record<keyof UsageProfile, string> = {
    messagesPerMonth: "Inbound SMS questions a month (each answered once)",
    cacheHitRatePercent: "Answers served from Redis when the stack has a cache (%; spec: 70% fewer Bedrock calls)",
    inputTokensPerAnswer: "Bedrock input tokens per answer",
    outputTokensPerAnswer: "Bedrock output tokens per answer",
    logBytesPerInvocation: "Log bytes per function invocation",
    statusCallbacksPerMessage: "Twilio status callbacks per reply",
    billingEventsPerMonth: "Stripe webhook events a month",
    activeUsers: "Users with meal plans",
    mealPlansPerUserPerMonth: "Meal plans per user a month (one Bedrock answer each)",
    workerBedrockMs: "Worker ms per answer that calls Bedrock",
    workerCachedMs: "Worker ms per answer served from the cache",
    webhookMs: "Webhook function ms (inbound, billing)",
    schedulerMs: "Scheduler ms per run",
    itemKB: "DynamoDB item size (KB)",
    retainedMonths: "Months of data the tables hold",
    accessLogBytesPerRequest: "Bytes per API access-log line",
    wafLogBytesPerRequest: "Bytes per WAF log record",
    flowLogGBPerMonth: "VPC flow logs (GB a month)",
    cloudTrailEventsPerMonth: "CloudTrail management events a month",
    otherLogMBPerMonth: "MB a month of each other log group",
    logStorageRatio: "Stored (compressed) / ingested log bytes",
    siteRequestsPerMonth: "Web-site requests a month",
    siteKBPerRequest: "KB served per site request",
    healthChecksPerMonth: "/health checks a month",
    bedrockKBPerCall: "KB exchanged with Bedrock per call",
    twilioKBPerMessage: "KB exchanged with Twilio per message",
    apiCallKB: "KB per SQS/Secrets Manager/KMS call",
    secretReadsPerSecret: "Reads per secret a month",
    kmsRequestsPerKey: "KMS requests per key a month",
    configItemsPerMonth: "AWS Config items recorded a month",
    configEvaluationsPerRule: "AWS Config evaluations per rule a month",
    securityChecksPerMonth: "Security Hub checks a month",
    s3DataEventsPerMonth: "S3 data events a month (GuardDuty)",
    lambdaNetworkGBPerMonth: "Lambda network GB a month (GuardDuty)",
    s3GBPerBucket: "GB stored per S3 bucket",
    snsPublishesPerMonth: "SNS publishes a month",
    emptyReceivesPerQueue: "SQS polls a month per event-source mapping (long polling, idle queue)",
    replySegmentsPerAnswer: "SMS segments per reply",
    questionSegmentsPerMessage: "SMS segments per inbound question",
    senderMs: "Sender function ms per reply",
    kmsRotationsPerKey: "Rotations billed per rotated KMS key (at most 2)",
    failureMetricHoursPerMonth: "Hours a month a failure-only custom metric is published",
};

const COMMON: Omit<UsageProfile, "messagesPerMonth" | "billingEventsPerMonth" | "activeUsers" | "retainedMonths" | "flowLogGBPerMonth" |
    "cloudTrailEventsPerMonth" | "siteRequestsPerMonth" | "configItemsPerMonth" | "securityChecksPerMonth" | "s3DataEventsPerMonth"> = {
    cacheHitRatePercent: 70,
    inputTokensPerAnswer: SYSTEM_PROMPT_TOKENS + QUESTION_TOKENS,
    outputTokensPerAnswer: ANSWER_TOKENS,
    logBytesPerInvocation: 1500,
    statusCallbacksPerMessage: 2,
    mealPlansPerUserPerMonth: 4,
    workerBedrockMs: 4000,
    workerCachedMs: 150,
    webhookMs: 120,
    schedulerMs: 3000,
    itemKB: 1,
    accessLogBytesPerRequest: 600,
    wafLogBytesPerRequest: 1500,
    otherLogMBPerMonth: 10,
    logStorageRatio: 0.15,
    siteKBPerRequest: 50,
    healthChecksPerMonth: 8640,
    bedrockKBPerCall: 12,
    twilioKBPerMessage: 4,
    apiCallKB: 2,
    secretReadsPerSecret: 5000,
    kmsRequestsPerKey: 10000,
    configEvaluationsPerRule: 150,
    lambdaNetworkGBPerMonth: 0.5,
    s3GBPerBucket: 1,
    snsPublishesPerMonth: 200,
    emptyReceivesPerQueue: 657000,
    replySegmentsPerAnswer: REPLY_SEGMENTS,
    questionSegmentsPerMessage: 1,
    senderMs: 400,
    kmsRotationsPerKey: 2,
    failureMetricHoursPerMonth: 24,
};

/** Planning volumes per environment. */
export const DEFAULT_USAGE: Record<EnvironmentName, UsageProfile> = {
    dev: { ...COMMON, messagesPerMonth: 2000, billingEventsPerMonth: 50, activeUsers: 20, retainedMonths: 1, flowLogGBPerMonth: 0.5,
        cloudTrailEventsPerMonth: 50000, siteRequestsPerMonth: 2000, configItemsPerMonth: 500, securityChecksPerMonth: 2000, s3DataEventsPerMonth: 20000 },
    staging: { ...COMMON, messagesPerMonth: 10000, billingEventsPerMonth: 200, activeUsers: 100, retainedMonths: 3, flowLogGBPerMonth: 1,
        cloudTrailEventsPerMonth: 100000, siteRequestsPerMonth: 10000, configItemsPerMonth: 1500, securityChecksPerMonth: 5000, s3DataEventsPerMonth: 50000 },
    prod: { ...COMMON, messagesPerMonth: 100000, billingEventsPerMonth: 3000, activeUsers: 2000, retainedMonths: 12, flowLogGBPerMonth: 5,
        cloudTrailEventsPerMonth: 300000, siteRequestsPerMonth: 200000, configItemsPerMonth: 3000, securityChecksPerMonth: 15000, s3DataEventsPerMonth: 200000 },
};

/** A stack with no recognised environment (the state bootstrap): no application traffic. */
export const NO_TRAFFIC: UsageProfile = {
    ...DEFAULT_USAGE.dev, messagesPerMonth: 0, billingEventsPerMonth: 0, activeUsers: 0, siteRequestsPerMonth: 0, healthChecksPerMonth: 0,
    flowLogGBPerMonth: 0, snsPublishesPerMonth: 0, secretReadsPerSecret: 0, kmsRequestsPerKey: 1000, s3DataEventsPerMonth: 0,
};

export function defaultUsage(environment: string | undefined): UsageProfile {
    return environment && environment in DEFAULT_USAGE ? { ...DEFAULT_USAGE[environment as EnvironmentName] } : { ...NO_TRAFFIC };
}

/** Merge overrides into a profile; lists every unknown key or non-numeric value. */
export function applyUsage(base: UsageProfile, overrides: Record<string, unknown> | undefined): { usage: UsageProfile; problems: string[] } {
    const usage = { ...base };
    const problems: string[] = [];
    for (const [k, v] of Object.entries(overrides ?? {})) {
        if (!(k in USAGE_DESCRIPTIONS)) problems.push(`usage.${k}: unknown assumption (known: ${Object.keys(USAGE_DESCRIPTIONS).join(", ")})`);
        else if (typeof v !== "number" || !Number.isFinite(v) || v < 0) problems.push(`usage.${k}: must be a number >= 0 (got ${JSON.stringify(v)})`);
        else (usage as any)[k] = v;
    }
    if (usage.kmsRotationsPerKey > 2) problems.push(`usage.kmsRotationsPerKey: rotations after the second are not billed, so at most 2 (got ${usage.kmsRotationsPerKey})`);
    if (usage.cacheHitRatePercent > 100) problems.push(`usage.cacheHitRatePercent: must be at most 100 (got ${usage.cacheHitRatePercent})`);
    return { usage, problems };
}
