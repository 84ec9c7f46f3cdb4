/**
 * EventBridge Scheduler target: daily meal-plan generation and the weekly summary. Finds the
 * users whose plan is due (users table, index byPlanStatus) and enqueues one job per user, in
 * batches of ten (SQS SendMessageBatch's limit). A run is identified by its kind and the
 * schedule's scheduled time (`<aws.scheduler.scheduled-time>`, the same on Scheduler's retries):
 * Powertools Idempotency makes a retried run that already finished a no-op, and every job carries
 * the run id so the worker answers each user once per run even if a half-finished run is retried.
 */
import type { Logger } from "@aws-lambda-powertools/logger";
import type { Metrics } from "@aws-lambda-powertools/metrics";
import { flushMetrics, idempotent, LambdaContextLike, MetricUnit, observability, sdkConfig } from "./lib/powertools";

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
    /** Send up to ten messages at once; resolves when every one is in the queue. */
    enqueueBatch: (messages: Record<string, unknown>[]) => Promise<void>;
    /** Run `fn` once per run id (defaults to running it every time). */
    once?: (fn: (run: ScheduleRun) => Promise<{ enqueued: number }>) => (run: ScheduleRun, context?: LambdaContextLike) => Promise<{ enqueued: number }>;
    now: () => Date;
    logger: Logger;
    metrics: Metrics;
}

export function createSchedulerHandler(deps: SchedulerDeps) {
    const { logger, metrics } = deps;
    const enqueueRun = async (run: ScheduleRun): Promise<{ enqueued: number }> => {
        const users = await deps.dueUsers(run.scheduledTime);
        const type = JOB_TYPES[run.kind];
        for (let i = 0; i < users.length; i += 10) {
            await deps.enqueueBatch(users.slice(i, i + 10).map(userId => ({ type, userId, runId: run.runId, scheduledAt: run.scheduledTime })));
        }
        metrics.addMetric("JobsEnqueued", MetricUnit.Count, users.length);
        logger.info("schedule enqueued", { kind: run.kind, runId: run.runId, users: users.length });
        return { enqueued: users.length };
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

export function schedulerDeps(env: SchedulerEnv = process.env): SchedulerDeps {
    let sqsClient: any;
    let ddbClient: any;
    return {
        ...observability(env, "scheduler"),
        now: () => new Date(),
        once: fn => idempotent(fn, { tableName: env.IDEMPOTENCY_TABLE, keyPath: "runId", expiresAfterSeconds: 2 * 86400 }),
        async dueUsers(nowIso) {
            const m = await import("@aws-sdk/client-dynamodb");
            ddbClient ??= new m.DynamoDBClient(sdkConfig(3000, 3));
            const ids: string[] = [];
            let start: any;
            do {
                const out: any = await ddbClient.send(new m.QueryCommand({
                    TableName: env.USERS_TABLE,
                    IndexName: "byPlanStatus",
                    KeyConditionExpression: "planStatus = :active AND nextPlanAt <= :now",
                    ExpressionAttributeValues: { ":active": { S: "active" }, ":now": { S: nowIso } },
                    ExclusiveStartKey: start,
                }));
                for (const item of out.Items ?? []) ids.push(item.userId.S);
                start = out.LastEvaluatedKey;
            } while (start);
            return ids;
        },
        async enqueueBatch(messages) {
            const m = await import("@aws-sdk/client-sqs");
            sqsClient ??= new m.SQSClient({ ...sdkConfig(3000, 3), useQueueUrlAsEndpoint: false });
            let entries = messages.map((body, i) => ({ Id: String(i), MessageBody: JSON.stringify(body) }));
            // SendMessageBatch may accept some entries and refuse others: resend only the refused, a bounded number of times.
            for (let attempt = 1; entries.length > 0; attempt++) {
                const out = await sqsClient.send(new m.SendMessageBatchCommand({ QueueUrl: env.QUEUE_URL, Entries: entries }));
                const failed = new Set((out.Failed ?? []).map((f: any) => f.Id));
                entries = entries.filter(e => failed.has(e.Id));
                if (entries.length > 0 && attempt >= 3) throw new Error(`${entries.length} messages were not enqueued`);
            }
        },
    };
}

export const handler = createSchedulerHandler(schedulerDeps());
