/**
 * Queue worker: one SQS batch of inbound messages, meal-plan and weekly-summary jobs, processed
 * one record after another with Powertools Batch (partial batch failures: only failed records
 * return to the queue, and after maxReceiveCount they land in the DLQ).
 *
 * - Exactly one answer per job: Powertools Idempotency keyed on the job (the message id for an
 *   SMS, run + user for a scheduled job). The answer is saved under a key derived from the job,
 *   and the reply is the last step, so a retry after any failure re-does only what is missing.
 * - The worker sends no SMS itself: the reply, fitted to the SMS budget (lib/sms.ts), goes on the
 *   outbox queue keyed by the job, and the sender function (sender.ts, outside the VPC) sends it
 *   at most once per key. A job run twice therefore still reaches the user once.
 * - Deadlines: every record gets a time budget out of what is left of the invocation; records
 *   that no longer fit are returned to the queue untouched, so a batch never reaches the function
 *   timeout. Every AWS call has a per-attempt deadline (lib/aws.ts) and runs under the record's
 *   abort signal.
 * - Redis is a cache and nothing more: sub-second deadlines, one connection per container, and a
 *   breaker that skips it after a failure, so the answer then comes from Bedrock.
 */
import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import type { Logger } from "@aws-lambda-powertools/logger";
import type { Metrics } from "@aws-lambda-powertools/metrics";
import { client, Deadlines } from "./lib/aws";
import { Cache, cacheAside, Generated, redisCache } from "./lib/cache";
import { hashPhone } from "./lib/identity";
import { flushMetrics, idempotent, LambdaContextLike, MetricUnit, observability, secretReader } from "./lib/powertools";
import { MAX_OUTPUT_TOKENS, SMS_MAX_SEGMENTS, SYSTEM_PROMPT } from "./lib/prompt";
import { fitSms } from "./lib/sms";

export interface SqsRecord {
    messageId: string;
    body: string;
    attributes?: { SentTimestamp?: string; ApproximateReceiveCount?: string };
    [key: string]: unknown;
}

export interface SqsEvent {
    Records: SqsRecord[];
}

export interface BatchResult {
    batchItemFailures: { itemIdentifier: string }[];
}

export type Channel = "twilio" | "aws-sms";

/** A job as the worker runs it; `key` identifies it across redeliveries and retries. */
export type Job =
    | { key: string; type: "inbound-sms"; channel: Channel; messageSid: string; from: string; userKey: string; body: string; numMedia: number; receivedAt: string }
    | { key: string; type: "meal-plan" | "weekly-summary"; userId: string; runId: string; scheduledAt: string; diet?: string };

export interface WorkerEnv {
    BEDROCK_MODEL_ID?: string;
    CACHE_TTL_SECONDS?: string;
    CONVERSATIONS_TABLE?: string;
    MEAL_PLANS_TABLE?: string;
    CONVERSATION_RETENTION_DAYS?: string;
    IDEMPOTENCY_TABLE?: string;
    /** The outbox queue the sender function drains. */
    OUTBOX_QUEUE_URL?: string;
    REDIS_ENDPOINT?: string;
    REDIS_PORT?: string;
    REDIS_AUTH_SECRET_ARN?: string;
    POWERTOOLS_SERVICE_NAME?: string;
    POWERTOOLS_METRICS_NAMESPACE?: string;
}

export interface WorkerDeps {
    cache?: Cache;
    /** Ask the model; must give up when `signal` aborts. `cacheable` is false for an answer cut at the token limit. */
    generate: (prompt: string, signal: AbortSignal) => Promise<Generated>;
    /** Store the exchange under (userKey, receivedAt): a retry overwrites the same item. */
    saveConversation: (job: Extract<Job, { type: "inbound-sms" }>, reply: string, signal: AbortSignal) => Promise<void>;
    saveMealPlan: (userId: string, weekStart: string, plan: string, signal: AbortSignal) => Promise<void>;
    getMealPlan: (userId: string, weekStart: string, signal: AbortSignal) => Promise<string | undefined>;
    saveSummary: (userId: string, weekStart: string, summary: string, signal: AbortSignal) => Promise<void>;
    /** Put the reply on the outbox (the sender sends it once per `key`); must give up when `signal` aborts. */
    reply: (reply: OutboxReply, signal: AbortSignal) => Promise<void>;
    /** Run a job once per key (defaults to running it every time). */
    once?: (fn: (job: Job) => Promise<{ done: string }>) => (job: Job, context?: LambdaContextLike) => Promise<{ done: string }>;
    model: string;
    ttlSeconds: number;
    /** Most time one record may take, in ms. Defaults to 20000. */
    recordBudgetMs?: number;
    /** Time kept back at the end of the invocation, in ms. Defaults to 2000. */
    reserveMs?: number;
    /** A record is only started with at least this much time, in ms. Defaults to 3000. */
    minRecordMs?: number;
    logger: Logger;
    metrics: Metrics;
}

/** An outbox message: one reply to send, identified by its job (the sender sends each key once). */
export interface OutboxReply {
    type: "reply";
    key: string;
    channel: Channel;
    to: string;
    /** Already fitted to the SMS budget (SMS_MAX_SEGMENTS segments). */
    body: string;
}

/** What the user gets for a message with no text (a picture-only MMS, an empty SMS). */
export const NO_TEXT_REPLY = "Thanks! I can only read text for now. Tell me in words what you ate or what you'd like, e.g. \"high-protein breakfast ideas\".";

/** A record that did not fit in the invocation's remaining time: returned to the queue untouched. */
export class DeadlineDeferred extends Error {
    constructor(remainingMs: number) {
        super(`not started: ${remainingMs} ms left in the invocation`);
        this.name = "DeadlineDeferred";
    }
}

/** Monday (UTC) of the week of an ISO time, as YYYY-MM-DD. */
export function weekStart(iso: string): string {
    const d = new Date(iso);
    d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
    return d.toISOString().slice(0, 10);
}

/**
 * A queue message as a job: our own jobs (inbound Twilio SMS, meal plans, weekly summaries), or an
 * AWS End User Messaging two-way SMS delivered raw from its SNS topic.
 */
export function toJob(record: SqsRecord): Job {
    const msg = JSON.parse(record.body);
    const sentAt = record.attributes?.SentTimestamp ? new Date(Number(record.attributes.SentTimestamp)).toISOString() : undefined;
    if (typeof msg.originationNumber === "string" && typeof msg.messageBody === "string") {
        const messageSid = String(msg.inboundMessageId ?? record.messageId);
        return {
            key: `sms:aws-sms:${messageSid}`, type: "inbound-sms", channel: "aws-sms", messageSid,
            from: msg.originationNumber, userKey: hashPhone(msg.originationNumber), body: msg.messageBody, numMedia: 0,
            receivedAt: sentAt ?? new Date().toISOString(),
        };
    }
    if (msg.type === "inbound-sms") {
        if (typeof msg.messageSid !== "string" || typeof msg.from !== "string") throw new Error("inbound-sms job without messageSid or from");
        return {
            key: `sms:twilio:${msg.messageSid}`, type: "inbound-sms", channel: "twilio", messageSid: msg.messageSid,
            from: msg.from, userKey: msg.userKey ?? hashPhone(msg.from), body: String(msg.body ?? ""), numMedia: Number(msg.numMedia ?? 0) || 0,
            receivedAt: msg.receivedAt ?? sentAt ?? new Date().toISOString(),
        };
    }
    if (msg.type === "meal-plan" || msg.type === "weekly-summary") {
        if (typeof msg.userId !== "string") throw new Error(`${msg.type} job without userId`);
        const scheduledAt = String(msg.scheduledAt ?? sentAt ?? new Date().toISOString());
        const runId = String(msg.runId ?? scheduledAt);
        return { key: `${msg.type}:${runId}:${msg.userId}`, type: msg.type, userId: msg.userId, runId, scheduledAt, diet: msg.diet };
    }
    throw new Error(`unknown job type ${msg.type}`);
}

export function mealPlanPrompt(diet?: string): string {
    return `Create a healthy, budget-friendly 7-day meal plan${diet ? ` for a ${diet} diet` : ""}. Keep each day under 3 lines for SMS.`;
}

export function summaryPrompt(plan: string | undefined): string {
    return plan
        ? `Summarise this week's meal plan in at most 3 short SMS lines and add one practical tip for next week:\n${plan}`
        : "Write one short, practical healthy-eating tip for the coming week, at most 3 SMS lines.";
}

/** Bedrock errors that retrying will not fix (model gone, access, request shape). */
const PERMANENT_BEDROCK = new Set(["ResourceNotFoundException", "AccessDeniedException", "ValidationException"]);

export function createWorker(deps: WorkerDeps) {
    const { logger, metrics } = deps;
    const recordBudgetMs = deps.recordBudgetMs ?? 20_000;
    const reserveMs = deps.reserveMs ?? 2_000;
    const minRecordMs = deps.minRecordMs ?? 3_000;

    const ask = async (prompt: string, signal: AbortSignal) => {
        const answer = await cacheAside(deps.cache, prompt, deps.model, deps.ttlSeconds, async p => {
            try {
                return await deps.generate(p, signal);
            } catch (e: any) {
                const name = e?.name ?? "Error";
                metrics.addMetric(name === "ThrottlingException" ? "BedrockThrottles" : "BedrockErrors", MetricUnit.Count, 1);
                logger.error("bedrock call failed", { errorName: name, permanent: PERMANENT_BEDROCK.has(name), error: String(e?.message ?? e) });
                throw e;
            }
        }, e => logger.warn("cache unavailable; answering from Bedrock", { error: String((e as Error)?.message ?? e) }));
        metrics.addMetric(answer.lookup === "hit" ? "CacheHits" : answer.lookup === "miss" ? "CacheMisses" : answer.lookup === "error" ? "CacheErrors" : "CacheSkipped", MetricUnit.Count, 1);
        return answer;
    };

    const send = async (job: Extract<Job, { type: "inbound-sms" }>, body: string, signal: AbortSignal) => {
        try {
            await deps.reply({ type: "reply", key: job.key, channel: job.channel, to: job.from, body }, signal);
        } catch (e) {
            metrics.addMetric("OutboxFailures", MetricUnit.Count, 1);
            throw e;
        }
        metrics.addMetric("RepliesQueued", MetricUnit.Count, 1);
    };

    let signal: AbortSignal = AbortSignal.timeout(recordBudgetMs);
    const run = async (job: Job): Promise<{ done: string }> => {
        if (job.type === "inbound-sms") {
            const text = fitSms(job.body.trim() === "" ? NO_TEXT_REPLY : (await ask(job.body, signal)).text, SMS_MAX_SEGMENTS);
            await deps.saveConversation(job, text, signal);
            await send(job, text, signal);
            return { done: "answered" };
        }
        if (job.type === "meal-plan") {
            const answer = await ask(mealPlanPrompt(job.diet), signal);
            await deps.saveMealPlan(job.userId, weekStart(job.scheduledAt), answer.text, signal);
            return { done: "meal-plan" };
        }
        const week = weekStart(job.scheduledAt);
        const plan = await deps.getMealPlan(job.userId, week, signal);
        const answer = await ask(summaryPrompt(plan), signal);
        await deps.saveSummary(job.userId, week, answer.text, signal);
        return { done: "weekly-summary" };
    };
    const runOnce = deps.once ? deps.once(run) : run;

    return async (event: SqsEvent, context?: LambdaContextLike): Promise<BatchResult> => {
        if (context) logger.addContext(context as any);
        const started = Date.now();
        const remaining = () => context ? context.getRemainingTimeInMillis() : Number.MAX_SAFE_INTEGER - (Date.now() - started);
        const processor = new BatchProcessor(EventType.SQS, { logger });
        const recordHandler = async (record: SqsRecord) => {
            const left = remaining() - reserveMs;
            if (left < minRecordMs) {
                metrics.addMetric("RecordsDeferred", MetricUnit.Count, 1);
                throw new DeadlineDeferred(left + reserveMs);
            }
            signal = AbortSignal.timeout(Math.min(recordBudgetMs, left));
            const job = toJob(record);
            logger.appendKeys({ correlationId: job.key });
            try {
                const result = await runOnce(job, context);
                logger.info("job done", { messageId: record.messageId, job: job.key, result: result.done });
                return result;
            } catch (e: any) {
                logger.error("job failed", { messageId: record.messageId, job: job.key, errorName: e?.name, error: String(e?.message ?? e) });
                throw e;
            } finally {
                logger.removeKeys(["correlationId"]);
            }
        };
        try {
            return await processPartialResponse(event as any, recordHandler as any, processor, { context: context as any, processInParallel: false, throwOnFullBatchFailure: false });
        } finally {
            flushMetrics(metrics);
        }
    };
}

/** DynamoDB and the outbox: 700 ms per attempt, three attempts (idempotent writes; a repeated outbox message is dropped by the sender's key). */
export const DATA_DEADLINES: Deadlines = { attemptMs: 700, maxAttempts: 3 };
/** Bedrock Converse: 15 s per attempt, two attempts (throttling backs off); the record's budget caps both. */
export const BEDROCK_DEADLINES: Deadlines = { attemptMs: 15_000, maxAttempts: 2 };
/**
 * How long an unfinished job keeps a redelivery away: longer than the work queue's visibility
 * timeout (360 s), shorter than two of them, so a job whose invocation died is retried well before
 * maxReceiveCount (5) sends it to the DLQ.
 */
export const JOB_IN_PROGRESS_SECONDS = 420;

export function workerDeps(env: WorkerEnv = process.env): WorkerDeps {
    const model = env.BEDROCK_MODEL_ID ?? "";
    const getSecret = secretReader();
    let bedrock: any;
    let ddb: any;
    let sqs: any;
    const dynamo = async () => {
        const m = await import("@aws-sdk/client-dynamodb");
        ddb ??= client(m.DynamoDBClient, DATA_DEADLINES);
        return { m, client: ddb };
    };
    const obs = observability(env, "worker");
    return {
        ...obs,
        model,
        ttlSeconds: Number(env.CACHE_TTL_SECONDS ?? "86400"),
        cache: env.REDIS_ENDPOINT && env.REDIS_AUTH_SECRET_ARN
            ? redisCache({ host: env.REDIS_ENDPOINT, port: Number(env.REDIS_PORT ?? "6379"), getToken: () => getSecret(env.REDIS_AUTH_SECRET_ARN!) })
            : undefined,
        // SQS keeps a message four days; a week of records covers every redelivery and the DLQ redrive window.
        once: fn => idempotent(fn, { tableName: env.IDEMPOTENCY_TABLE, keyPath: "key", expiresAfterSeconds: 7 * 86400, inProgressSeconds: JOB_IN_PROGRESS_SECONDS }),
        async generate(prompt, signal) {
            const m = await import("@aws-sdk/client-bedrock-runtime");
            bedrock ??= client(m.BedrockRuntimeClient, BEDROCK_DEADLINES);
            const out = await bedrock.send(new m.ConverseCommand({
                modelId: model,
                system: [{ text: SYSTEM_PROMPT }],
                messages: [{ role: "user", content: [{ text: prompt }] }],
                inferenceConfig: { maxTokens: MAX_OUTPUT_TOKENS, temperature: 0.4 },
            }), { abortSignal: signal });
            const text = out.output?.message?.content?.map((c: any) => c.text ?? "").join("") ?? "";
            if (!text) throw new Error("Bedrock returned no text");
            // Cut at the token limit: still worth sending (fitted to the SMS budget), never worth serving to others.
            return { text, cacheable: out.stopReason !== "max_tokens" };
        },
        async saveConversation(job, reply, signal) {
            const { m, client } = await dynamo();
            const expiresAt = Math.floor(Date.parse(job.receivedAt) / 1000) + Number(env.CONVERSATION_RETENTION_DAYS ?? "90") * 86400;
            await client.send(new m.PutItemCommand({
                TableName: env.CONVERSATIONS_TABLE,
                Item: { userId: { S: job.userKey }, sentAt: { S: job.receivedAt }, messageSid: { S: job.messageSid }, incoming: { S: job.body }, reply: { S: reply }, expiresAt: { N: String(expiresAt) } },
            }), { abortSignal: signal });
        },
        async saveMealPlan(userId, week, plan, signal) {
            const { m, client } = await dynamo();
            await client.send(new m.PutItemCommand({ TableName: env.MEAL_PLANS_TABLE, Item: { userId: { S: userId }, weekStart: { S: week }, plan: { S: plan } } }), { abortSignal: signal });
        },
        async getMealPlan(userId, week, signal) {
            const { m, client } = await dynamo();
            const out = await client.send(new m.GetItemCommand({ TableName: env.MEAL_PLANS_TABLE, Key: { userId: { S: userId }, weekStart: { S: week } } }), { abortSignal: signal });
            return out.Item?.plan?.S;
        },
        async saveSummary(userId, week, summary, signal) {
            const { m, client } = await dynamo();
            await client.send(new m.PutItemCommand({ TableName: env.MEAL_PLANS_TABLE, Item: { userId: { S: userId }, weekStart: { S: `${week}#summary` }, summary: { S: summary } } }), { abortSignal: signal });
        },
        async reply(reply, signal) {
            if (!env.OUTBOX_QUEUE_URL) throw new Error("OUTBOX_QUEUE_URL is not set");
            const m = await import("@aws-sdk/client-sqs");
            sqs ??= client(m.SQSClient, DATA_DEADLINES, { useQueueUrlAsEndpoint: false });
            await sqs.send(new m.SendMessageCommand({ QueueUrl: env.OUTBOX_QUEUE_URL, MessageBody: JSON.stringify(reply) }), { abortSignal: signal });
        },
    };
}

export const handler = createWorker(workerDeps());
