/**
 * EventBridge Scheduler target: daily meal-plan generation and the weekly summary. Finds the
 * users whose plan is due (users table, index byPlanStatus) and enqueues one job per user, in
 * batches of ten (SQS SendMessageBatch's limit).
 */
import { log } from "./lib/http";

export interface ScheduleEvent {
    kind: "daily-meal-plan" | "weekly-summary";
}

export interface SchedulerDeps {
    /** User ids whose next plan is due at or before `nowIso`. */
    dueUsers: (nowIso: string) => Promise<string[]>;
    /** Send up to ten messages at once. */
    enqueueBatch: (messages: Record<string, unknown>[]) => Promise<void>;
    now: () => Date;
}

export function createSchedulerHandler(deps: SchedulerDeps) {
    return async (event: ScheduleEvent): Promise<{ enqueued: number }> => {
        if (event?.kind !== "daily-meal-plan" && event?.kind !== "weekly-summary") throw new Error(`unknown schedule kind ${event?.kind}`);
        const now = deps.now().toISOString();
        const users = await deps.dueUsers(now);
        const type = event.kind === "daily-meal-plan" ? "meal-plan" : "weekly-summary";
        for (let i = 0; i < users.length; i += 10) {
            await deps.enqueueBatch(users.slice(i, i + 10).map(userId => ({ type, userId, scheduledAt: now })));
        }
        log("schedule_enqueued", { kind: event.kind, users: users.length });
        return { enqueued: users.length };
    };
}

function defaultDeps(): SchedulerDeps {
    const env = process.env;
    let sqsClient: any;
    let ddbClient: any;
    return {
        now: () => new Date(),
        async dueUsers(nowIso) {
            const m = await import("@aws-sdk/client-dynamodb");
            ddbClient ??= new m.DynamoDBClient({});
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
            sqsClient ??= new m.SQSClient({});
            const out = await sqsClient.send(new m.SendMessageBatchCommand({
                QueueUrl: env.QUEUE_URL,
                Entries: messages.map((body, i) => ({ Id: String(i), MessageBody: JSON.stringify(body) })),
            }));
            if (out.Failed?.length) throw new Error(`${out.Failed.length} messages were not enqueued`);
        },
    };
}

export const handler = createSchedulerHandler(defaultDeps());
