/**
 * EventBridge Scheduler target: daily meal-plan generation and the weekly summary. Finds the
 * users whose plan is due (users table, index byPlanStatus) and enqueues one job per user, in
 * batches of ten (SQS SendMessageBatch's limit). A run is identified by its kind and the
 * schedule's scheduled time (`<aws.scheduler.scheduled-time>`, the same on Scheduler's retries):
 * Powertools Idempotency makes a retried run that already finished a no-op; a run that failed half
 * way records which users it already enqueued (one progress item per run, updated after each
 * batch), so its retry enqueues only the rest. Every job also carries the run id, so the worker
 * answers each user once per run even if a progress write was lost.
 */
import type { Logger } from "@aws-lambda-powertools/logger";
import type { Metrics } from "@aws-lambda-powertools/metrics";
import { client, deadline, Deadlines } from "./lib/aws";
import { flushMetrics, idempotent, idempotencyTableClient, LambdaContextLike, MetricUnit, observability } from "./lib/powertools";

export type ScheduleKind = "daily-meal-plan" | "weekly-summary";

export interface ScheduleEvent {
    kind: ScheduleKind;
    /** `<aws.scheduler.scheduled-time>`; the invocation time when absent (a manual run). */
    scheduledTime?: string;
}

export interface ScheduleRun extends Record<string, unknown> {
    runId: string;
    kind: ScheduleKind;
    scheduledTime: string;
}

/** The job type the worker handles for each schedule kind. */
export const JOB_TYPES: Record<ScheduleKind, "meal-plan" | "weekly-summary"> = { "daily-meal-plan": "meal-plan", "weekly-summary": "weekly-summary" };

export interface SchedulerEnv {
    USERS_TABLE?: string;
    QUEUE_URL?: string;
    IDEMPOTENCY_TABLE?: string;
    POWERTOOLS_SERVICE_NAME?: string;
    POWERTOOLS_METRICS_NAMESPACE?: string;
}

export interface SchedulerDeps {
    /** User ids whose next plan is due at or before `nowIso`. */
    dueUsers: (nowIso: string) => Promise<string[]>;
    /** Send up to ten messages at once; resolves when every one is in the queue, else throws a BatchNotEnqueued. */
    enqueueBatch: (messages: Record<string, unknown>[]) => Promise<void>;
    /** Which users of a run are already in the queue (defaults to none: no progress kept). */
    progress?: RunProgress;
    /** Run `fn` once per run id (defaults to running it every time). */
    once?: (fn: (run: ScheduleRun) => Promise<{ enqueued: number }>) => (run: ScheduleRun, context?: LambdaContextLike) => Promise<{ enqueued: number }>;
    now: () => Date;
    logger: Logger;
    metrics: Metrics;
}

/** The users of a run whose jobs are in the queue, kept across retries of the run. */
export interface RunProgress {
    done(runId: string): Promise<Set<string>>;
    add(runId: string, userIds: string[]): Promise<void>;
}

/** Some messages of a batch were not enqueued; `enqueued` lists the users whose jobs were. */
export class BatchNotEnqueued extends Error {
    constructor(public readonly enqueued: string[], failed: number) {
        super(`${failed} messages were not enqueued`);
        this.name = "BatchNotEnqueued";
    }
}

export function createSchedulerHandler(deps: SchedulerDeps) {
    const { logger, metrics } = deps;
    const remember = async (runId: string, userIds: string[]) => {
        if (!deps.progress || userIds.length === 0) return;
        try {
            await deps.progress.add(runId, userIds);
        } catch (e) {
            // Not fatal: a retry of this run would enqueue these users again and the worker drops the repeats.
            logger.warn("run progress not saved", { runId, users: userIds.length, error: String((e as Error)?.message ?? e) });
        }
    };
    const enqueueRun = async (run: ScheduleRun): Promise<{ enqueued: number }> => {
        const due = await deps.dueUsers(run.scheduledTime);
        const done = deps.progress ? await deps.progress.done(run.runId) : new Set<string>();
        const users = [...new Set(due)].filter(u => !done.has(u));
        const type = JOB_TYPES[run.kind];
        let enqueued = 0;
        try {
            for (let i = 0; i < users.length; i += 10) {
                const ids = users.slice(i, i + 10);
                try {
                    await deps.enqueueBatch(ids.map(userId => ({ type, userId, runId: run.runId, scheduledAt: run.scheduledTime })));
                } catch (e) {
                    if (e instanceof BatchNotEnqueued) {
                        enqueued += e.enqueued.length;
                        await remember(run.runId, e.enqueued);
                    }
                    throw e;
                }
                enqueued += ids.length;
                await remember(run.runId, ids);
            }
        } finally {
            // Only jobs this invocation put in the queue: a retried run does not count its predecessor's.
            metrics.addMetric("JobsEnqueued", MetricUnit.Count, enqueued);
        }
        logger.info("schedule enqueued", { kind: run.kind, runId: run.runId, users: users.length, alreadyEnqueued: done.size });
        return { enqueued: enqueued + done.size };
    };
    const runOnce = deps.once ? deps.once(enqueueRun) : enqueueRun;
    return async (event: ScheduleEvent, context?: LambdaContextLike): Promise<{ enqueued: number }> => {
        if (!event || !(event.kind in JOB_TYPES)) throw new Error(`unknown schedule kind ${event?.kind}`);
        const at = event.scheduledTime && !Number.isNaN(Date.parse(event.scheduledTime)) ? new Date(event.scheduledTime) : deps.now();
        const scheduledTime = at.toISOString();
        try {
            return await runOnce({ runId: `${event.kind}:${scheduledTime}`, kind: event.kind, scheduledTime }, context);
        } finally {
            flushMetrics(metrics);
        }
    };
}

/** Users table query and SendMessageBatch: 2 s per attempt, three attempts (reads; a repeated batch is dropped by the worker's run + user key). */
export const SCHEDULER_DEADLINES: Deadlines = { attemptMs: 2000, maxAttempts: 3 };
export const SCHEDULER_CALL_MS = 6000;

/** Run progress in the idempotency table (item `run#<runId>`, a string set of user ids), kept as long as the run's idempotency record. */
export function runProgress(tableName: string | undefined, ttlSeconds: number): RunProgress {
    const ddb = idempotencyTableClient(tableName);
    return {
        async done(runId) {
            const { m, c } = await ddb();
            const out = await c.send(new m.GetItemCommand({ TableName: tableName, Key: { id: { S: `run#${runId}` } }, ConsistentRead: true }), { abortSignal: deadline(2000) });
            return new Set<string>(out.Item?.enqueued?.SS ?? []);
        },
        async add(runId, userIds) {
            const { m, c } = await ddb();
            await c.send(new m.UpdateItemCommand({
                TableName: tableName,
                Key: { id: { S: `run#${runId}` } },
                UpdateExpression: "ADD enqueued :ids SET expiration = :exp",
                ExpressionAttributeValues: { ":ids": { SS: userIds }, ":exp": { N: String(Math.floor(Date.now() / 1000) + ttlSeconds) } },
            }), { abortSignal: deadline(2000) });
        },
    };
}

export function schedulerDeps(env: SchedulerEnv = process.env): SchedulerDeps {
    let sqsClient: any;
    let ddbClient: any;
    return {
        progress: runProgress(env.IDEMPOTENCY_TABLE, 2 * 86400),
        ...observability(env, "scheduler"),
        now: () => new Date(),
        once: fn => idempotent(fn, { tableName: env.IDEMPOTENCY_TABLE, keyPath: "runId", expiresAfterSeconds: 2 * 86400 }),
        async dueUsers(nowIso) {
            const m = await import("@aws-sdk/client-dynamodb");
            ddbClient ??= client(m.DynamoDBClient, SCHEDULER_DEADLINES);
            const ids: string[] = [];
            let start: any;
            do {
                const out: any = await ddbClient.send(new m.QueryCommand({
                    TableName: env.USERS_TABLE,
                    IndexName: "byPlanStatus",
                    KeyConditionExpression: "planStatus = :active AND nextPlanAt <= :now",
                    ExpressionAttributeValues: { ":active": { S: "active" }, ":now": { S: nowIso } },
                    ExclusiveStartKey: start,
                }), { abortSignal: deadline(SCHEDULER_CALL_MS) });
                for (const item of out.Items ?? []) ids.push(item.userId.S);
                start = out.LastEvaluatedKey;
            } while (start);
            return ids;
        },
        async enqueueBatch(messages) {
            const m = await import("@aws-sdk/client-sqs");
            sqsClient ??= client(m.SQSClient, SCHEDULER_DEADLINES, { useQueueUrlAsEndpoint: false });
            let entries = messages.map((body, i) => ({ Id: String(i), MessageBody: JSON.stringify(body) }));
            const accepted: string[] = [];
            // SendMessageBatch may accept some entries and refuse others: resend only the refused, a bounded number of times.
            for (let attempt = 1; entries.length > 0; attempt++) {
                let out: any;
                try {
                    out = await sqsClient.send(new m.SendMessageBatchCommand({ QueueUrl: env.QUEUE_URL, Entries: entries }), { abortSignal: deadline(SCHEDULER_CALL_MS) });
                } catch (e) {
                    if (accepted.length > 0) throw new BatchNotEnqueued(accepted, entries.length);
                    throw e;
                }
                const failed = new Set((out.Failed ?? []).map((f: any) => f.Id));
                for (const e of entries) if (!failed.has(e.Id)) accepted.push(String(messages[Number(e.Id)].userId));
                entries = entries.filter(e => failed.has(e.Id));
                if (entries.length > 0 && attempt >= 3) throw new BatchNotEnqueued(accepted, entries.length);
            }
        },
    };
}

export const handler = createSchedulerHandler(schedulerDeps());
