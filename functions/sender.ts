/**
 * Outbox sender: drains the outbox queue the worker fills with replies (OutboxReply, one per job
 * key) and sends each over Twilio or AWS End User Messaging SMS. It is the only function with
 * Twilio's token and sms-voice:SendTextMessage, and runs outside the VPC.
 *
 * At most once per key, never lost when the provider clearly refused (docs/handlers.md):
 * - Before sending, the attempt is recorded with a conditional write (`send#<key>` in the
 *   idempotency table, status "sending"); a "sent" record ends every later delivery of the key.
 * - One request per attempt and no automatic retry once the provider may have read it: Twilio by
 *   a single fetch, AWS SMS with the SDK's retries off (maxAttempts 1).
 * - A clear refusal (connection refused, an error answer that says nothing was created) releases
 *   the record and fails the queue record, so the redelivery sends.
 * - An ambiguous outcome (reset after sending, no answer in time, Twilio 5xx) leaves "sending".
 *   Twilio: the redelivery looks the message up (Messages list filtered by To and From, matched on
 *   the body and creation time) and marks it sent, or sends when it is not there. AWS SMS has no
 *   lookup: the record is parked ("ambiguous", SendsAmbiguous) and the queue record goes to the
 *   outbox DLQ for an operator, who checks the configuration set's delivery events (the send
 *   carries Context.replyKey) instead of risking a second copy.
 */
import { createHash } from "crypto";
import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import type { Logger } from "@aws-lambda-powertools/logger";
import type { Metrics } from "@aws-lambda-powertools/metrics";
import { client, deadline, Deadlines, httpStatus, neverSent } from "./lib/aws";
import { hashPhone } from "./lib/identity";
import { flushMetrics, idempotencyTableClient, LambdaContextLike, MetricUnit, observability, secretReader } from "./lib/powertools";
import type { OutboxReply } from "./worker";

export type { OutboxReply };

export interface SenderEnv {
    IDEMPOTENCY_TABLE?: string;
    TWILIO_ACCOUNT_SID?: string;
    TWILIO_FROM_NUMBER?: string;
    TWILIO_AUTH_TOKEN_SECRET_ARN?: string;
    /** Where Twilio posts delivery status (the API's …/webhooks/twilio/status). Optional. */
    TWILIO_STATUS_CALLBACK_URL?: string;
    /** Twilio's REST API base. Defaults to https://api.twilio.com (tests point it at their fake). */
    TWILIO_API_URL?: string;
    SMS_ORIGINATION_IDENTITY?: string;
    SMS_CONFIGURATION_SET?: string;
    POWERTOOLS_SERVICE_NAME?: string;
    POWERTOOLS_METRICS_NAMESPACE?: string;
}

/** What one send attempt came to. */
export type SendResult =
    | { outcome: "sent"; id?: string }
    /** The provider certainly created nothing: safe to send again. */
    | { outcome: "refused"; reason: string }
    /** The provider may have created the message. */
    | { outcome: "ambiguous"; reason: string; timedOut?: boolean };

export interface SendRecord {
    status: "sending" | "sent" | "ambiguous";
    /** 1 for the first attempt, +1 for each attempt after a reconciliation found nothing. */
    attempt: number;
    /** When the first attempt started (ms): a reconciliation looks for messages created since. */
    firstAttemptAt: number;
    /** Until when (ms) an attempt may still be in flight: no reconciliation before. */
    leaseUntil: number;
    channel: OutboxReply["channel"];
    id?: string;
}

/** The send records (`send#<key>`): every write is conditional, so two senders cannot both win. */
export interface SendStore {
    get(key: string): Promise<SendRecord | undefined>;
    /** Create the record in "sending"; false when it already exists. */
    claim(key: string, reply: OutboxReply, now: number, leaseUntil: number): Promise<boolean>;
    /** Start attempt `attempt + 1` of a "sending" record still at `attempt`; false when another sender did. */
    takeOver(key: string, attempt: number, leaseUntil: number): Promise<boolean>;
    /** Shorten or extend the lease of attempt `attempt`. */
    setLease(key: string, attempt: number, leaseUntil: number): Promise<void>;
    markSent(key: string, id: string | undefined, now: number): Promise<void>;
    /** "sending" at `attempt` → "ambiguous"; false when the record was not in that state. */
    park(key: string, attempt: number): Promise<boolean>;
    /** Delete the record of a refused attempt (only if still at `attempt` and "sending"). */
    release(key: string, attempt: number): Promise<void>;
}

export interface Providers {
    twilio: {
        /** False when the stack has no Twilio sender (account, number, token): replies are logged, not sent. */
        configured: boolean;
        send(reply: OutboxReply, signal: AbortSignal): Promise<SendResult>;
        /** The sid of a message to `reply.to` with `reply.body` created at or after `since` (ms), if any. */
        find(reply: OutboxReply, since: number, signal: AbortSignal): Promise<string | undefined>;
    };
    awsSms: {
        /** False when the stack has no End User Messaging origination identity. */
        configured: boolean;
        send(reply: OutboxReply, signal: AbortSignal): Promise<SendResult>;
    };
}

export interface SenderDeps {
    store: SendStore;
    providers: Providers;
    now?: () => number;
    logger: Logger;
    metrics: Metrics;
    /** Most time one send may take, in ms (the lease covers it). Defaults to 10000. */
    sendMs?: number;
    /** Time after an attempt that ended without an answer (our timeout) before a lookup is trusted, in ms. Defaults to 5000. */
    settleMs?: number;
    /** Time kept back at the end of the invocation, in ms. Defaults to 2000. */
    reserveMs?: number;
}

/** Deadline of the Twilio lookup before a resend, in ms (the sender's 30 s must hold a lookup and a send). */
export const LOOKUP_MS = 5000;

/** The send of this key may still be in flight in another invocation: try again later. */
export class SendInProgress extends Error {
    constructor(key: string, untilMs: number) {
        super(`send of ${key} may still be in flight for ${untilMs} ms`);
        this.name = "SendInProgress";
    }
}

/** The outcome of an earlier AWS SMS send is unknown: kept out of the way until an operator decides. */
export class SendParked extends Error {
    constructor(key: string) {
        super(`send of ${key} is parked: its outcome is unknown and AWS SMS cannot be asked`);
        this.name = "SendParked";
    }
}

/** The send failed; the queue record is retried. */
export class SendFailed extends Error {
    constructor(key: string, reason: string) {
        super(`send of ${key} failed: ${reason}`);
        this.name = "SendFailed";
    }
}

interface SqsRecord {
    messageId: string;
    body: string;
}

export function parseReply(body: string): OutboxReply {
    const r = JSON.parse(body);
    if (r?.type !== "reply" || typeof r.key !== "string" || r.key === "" || typeof r.to !== "string" || typeof r.body !== "string" || (r.channel !== "twilio" && r.channel !== "aws-sms")) {
        throw new Error("not an outbox reply");
    }
    return { type: "reply", key: r.key, channel: r.channel, to: r.to, body: r.body };
}

export function createSender(deps: SenderDeps) {
    const { logger, metrics, store, providers } = deps;
    const now = deps.now ?? (() => Date.now());
    const sendMs = deps.sendMs ?? 10_000;
    const settleMs = deps.settleMs ?? 5_000;
    const reserveMs = deps.reserveMs ?? 2_000;
    const failures = (channel: OutboxReply["channel"]) => channel === "twilio" ? "TwilioDeliveryFailures" : "AwsSmsSendFailures";

    const attempt = async (reply: OutboxReply, n: number) => {
        let result: SendResult;
        try {
            result = await (reply.channel === "twilio" ? providers.twilio.send(reply, deadline(sendMs)) : providers.awsSms.send(reply, deadline(sendMs)));
        } catch (e) {
            // Providers report every outcome of the request itself; a throw happened before it (settings, the token).
            result = { outcome: "refused", reason: `not sent: ${String((e as Error)?.message ?? e)}` };
        }
        if (result.outcome === "sent") {
            metrics.addMetric("RepliesSent", MetricUnit.Count, 1);
            logger.info("reply sent", { key: reply.key, channel: reply.channel, id: result.id, attempt: n });
            // The message exists: a failing "sent" write must not fail the queue record (its redelivery would reconcile or park).
            for (let i = 1; ; i++) {
                try {
                    await store.markSent(reply.key, result.id, now());
                    return;
                } catch (e) {
                    if (i >= 2) {
                        logger.error("reply sent but its record not updated", { key: reply.key, error: String((e as Error)?.message ?? e) });
                        return;
                    }
                }
            }
        }
        metrics.addMetric(failures(reply.channel), MetricUnit.Count, 1);
        if (result.outcome === "refused") {
            logger.warn("reply refused by the provider; released for a retry", { key: reply.key, channel: reply.channel, reason: result.reason });
            await store.release(reply.key, n);
            throw new SendFailed(reply.key, result.reason);
        }
        metrics.addMetric("SendsAmbiguous", MetricUnit.Count, 1);
        if (reply.channel === "aws-sms") {
            logger.error("AWS SMS send outcome unknown; parked, not resent", { key: reply.key, reason: result.reason });
            await store.park(reply.key, n);
            throw new SendParked(reply.key);
        }
        logger.warn("Twilio send outcome unknown; the redelivery looks it up", { key: reply.key, reason: result.reason });
        // The exchange is over on our side; after our own timeout Twilio may still be creating it.
        await store.setLease(reply.key, n, now() + (result.timedOut ? settleMs : 0)).catch(() => undefined);
        throw new SendFailed(reply.key, result.reason);
    };

    const deliver = async (reply: OutboxReply) => {
        if (!(reply.channel === "twilio" ? providers.twilio : providers.awsSms).configured) {
            // A stack without a sender for this channel (a dev stack without Twilio): logged, acknowledged, nothing recorded.
            logger.warn("reply not sent: no sender configured for the channel", { key: reply.key, channel: reply.channel });
            return;
        }
        for (let round = 0; round < 2; round++) {
            const rec = await store.get(reply.key);
            if (!rec) {
                if (!(await store.claim(reply.key, reply, now(), now() + sendMs + 1000))) continue;
                return attempt(reply, 1);
            }
            if (rec.status === "sent") {
                logger.info("reply already sent", { key: reply.key, id: rec.id });
                return;
            }
            if (rec.status === "ambiguous") throw new SendParked(reply.key);
            if (now() < rec.leaseUntil) throw new SendInProgress(reply.key, rec.leaseUntil - now());
            if (reply.channel === "aws-sms") {
                // An earlier attempt never finished (its invocation died mid-send): the outcome cannot be asked.
                if (await store.park(reply.key, rec.attempt)) {
                    metrics.addMetric("SendsAmbiguous", MetricUnit.Count, 1);
                    logger.error("AWS SMS send outcome unknown; parked, not resent", { key: reply.key, attempt: rec.attempt });
                }
                throw new SendParked(reply.key);
            }
            const found = await providers.twilio.find(reply, rec.firstAttemptAt - 60_000, deadline(Math.min(sendMs, LOOKUP_MS)));
            if (found) {
                await store.markSent(reply.key, found, now());
                metrics.addMetric("SendsReconciled", MetricUnit.Count, 1);
                logger.info("reply found at Twilio; not sent again", { key: reply.key, id: found });
                return;
            }
            if (!(await store.takeOver(reply.key, rec.attempt, now() + sendMs + 1000))) continue;
            logger.info("reply not found at Twilio; sending", { key: reply.key, attempt: rec.attempt + 1 });
            return attempt(reply, rec.attempt + 1);
        }
        throw new SendInProgress(reply.key, sendMs);
    };

    return async (event: { Records: SqsRecord[] }, context?: LambdaContextLike): Promise<{ batchItemFailures: { itemIdentifier: string }[] }> => {
        if (context) logger.addContext(context as any);
        const processor = new BatchProcessor(EventType.SQS, { logger });
        const recordHandler = async (record: SqsRecord) => {
            const left = context ? context.getRemainingTimeInMillis() - reserveMs : Number.MAX_SAFE_INTEGER;
            // Not started without time for a whole send: an attempt cut by the function timeout would be ambiguous.
            if (left < sendMs * 2) throw new Error(`not started: ${left + reserveMs} ms left in the invocation`);
            const reply = parseReply(record.body);
            try {
                await deliver(reply);
            } catch (e: any) {
                logger.error("reply not sent", { messageId: record.messageId, key: reply.key, errorName: e?.name, error: String(e?.message ?? e) });
                throw e;
            }
        };
        try {
            // Replies are independent: sent side by side so a batch of ten fits the function timeout.
            return await processPartialResponse(event as any, recordHandler as any, processor, { context: context as any, processInParallel: true, throwOnFullBatchFailure: false } as any);
        } finally {
            flushMetrics(metrics);
        }
    };
}

/** Lowercase, NFKC, typographic quotes and dashes as ASCII, whitespace collapsed: how a body is compared with Twilio's copy. */
export function comparableBody(body: string): string {
    return body.normalize("NFKC").replace(/[\u2018\u2019\u201A\u2032]/g, "'").replace(/[\u201C\u201D\u201E\u2033]/g, "\"")
        .replace(/[\u2013\u2014]/g, "-").replace(/\u2026/g, "...").replace(/\s+/g, " ").trim();
}

/** Twilio's Messages API: one POST per attempt, never retried here; the list for reconciliation. */
export function twilioProvider(env: SenderEnv, getSecret: (id: string) => Promise<string>): Providers["twilio"] {
    const base = () => {
        if (!env.TWILIO_ACCOUNT_SID || !env.TWILIO_FROM_NUMBER || !env.TWILIO_AUTH_TOKEN_SECRET_ARN) throw new Error("Twilio sender not configured (TWILIO_ACCOUNT_SID, TWILIO_FROM_NUMBER, TWILIO_AUTH_TOKEN_SECRET_ARN)");
        return `${env.TWILIO_API_URL ?? "https://api.twilio.com"}/2010-04-01/Accounts/${env.TWILIO_ACCOUNT_SID}/Messages.json`;
    };
    const auth = async () => `Basic ${Buffer.from(`${env.TWILIO_ACCOUNT_SID}:${await getSecret(env.TWILIO_AUTH_TOKEN_SECRET_ARN!)}`).toString("base64")}`;
    return {
        configured: Boolean(env.TWILIO_ACCOUNT_SID && env.TWILIO_FROM_NUMBER && env.TWILIO_AUTH_TOKEN_SECRET_ARN),
        async send(reply, signal) {
            const url = base();
            const authorization = await auth();
            const form: Record<string, string> = { To: reply.to, From: env.TWILIO_FROM_NUMBER!, Body: reply.body };
            if (env.TWILIO_STATUS_CALLBACK_URL) form.StatusCallback = env.TWILIO_STATUS_CALLBACK_URL;
            let res: Response;
            try {
                res = await fetch(url, { method: "POST", headers: { authorization, "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(form).toString(), signal });
            } catch (e) {
                if (neverSent(e)) return { outcome: "refused", reason: `not connected: ${String((e as any)?.cause?.code ?? (e as Error)?.message)}` };
                return { outcome: "ambiguous", reason: signal.aborted ? `no answer within the deadline` : `connection lost: ${String((e as any)?.cause?.code ?? (e as Error)?.message)}`, timedOut: signal.aborted };
            }
            if (res.ok) {
                const body = await res.json().catch(() => undefined) as { sid?: string } | undefined;
                return { outcome: "sent", id: body?.sid };
            }
            const detail = await res.text().catch(() => "");
            // 4xx: validation, auth, rate limit: nothing was created. 5xx: Twilio may have created it (error 20500).
            if (res.status < 500) return { outcome: "refused", reason: `Twilio answered ${res.status} ${detail.slice(0, 200)}` };
            return { outcome: "ambiguous", reason: `Twilio answered ${res.status}` };
        },
        async find(reply, since, signal) {
            // To and From, newest first. Not DateSent: a message still queued at Twilio has none yet.
            const url = `${base()}?${new URLSearchParams({ To: reply.to, From: env.TWILIO_FROM_NUMBER!, PageSize: "50" })}`;
            const res = await fetch(url, { headers: { authorization: await auth() }, signal });
            if (!res.ok) throw new Error(`Twilio message lookup answered ${res.status}`);
            const page = await res.json() as { messages?: { sid: string; body?: string; date_created?: string; direction?: string }[] };
            const wanted = comparableBody(reply.body);
            const hit = (page.messages ?? []).find(m => !String(m.direction ?? "outbound").startsWith("inbound")
                && comparableBody(m.body ?? "") === wanted && (m.date_created === undefined || Date.parse(m.date_created) >= Math.floor(since / 1000) * 1000));
            return hit?.sid;
        },
    };
}

/**
 * AWS End User Messaging SMS: one attempt (the SDK's retries off) of up to 9 s, inside the sender's
 * 10 s send deadline: a slow answer is waited for rather than turned into an ambiguous outcome.
 */
export const AWS_SMS_DEADLINES: Deadlines = { attemptMs: 9000, maxAttempts: 1 };

export function awsSmsProvider(env: SenderEnv): Providers["awsSms"] {
    let sms: any;
    return {
        configured: Boolean(env.SMS_ORIGINATION_IDENTITY),
        async send(reply, signal) {
            if (!env.SMS_ORIGINATION_IDENTITY) throw new Error("SMS_ORIGINATION_IDENTITY is not set");
            const m = await import("@aws-sdk/client-pinpoint-sms-voice-v2");
            sms ??= client(m.PinpointSMSVoiceV2Client, AWS_SMS_DEADLINES);
            try {
                const out = await sms.send(new m.SendTextMessageCommand({
                    DestinationPhoneNumber: reply.to,
                    OriginationIdentity: env.SMS_ORIGINATION_IDENTITY,
                    ConfigurationSetName: env.SMS_CONFIGURATION_SET,
                    MessageBody: reply.body,
                    MessageType: "TRANSACTIONAL",
                    Context: { replyKey: reply.key },
                }), { abortSignal: signal });
                return { outcome: "sent", id: out.MessageId };
            } catch (e: any) {
                // An error answer from the service means the request failed (the SDK would retry it); no answer is ambiguous.
                if (neverSent(e) || httpStatus(e) !== undefined) return { outcome: "refused", reason: `${e?.name}: ${e?.message}` };
                return { outcome: "ambiguous", reason: `${e?.name}: ${e?.message}`, timedOut: e?.name === "TimeoutError" || e?.name === "AbortError" };
            }
        },
    };
}

/** The send records in the idempotency table; kept a week (the outbox keeps a message four days, plus the DLQ redrive window). */
export function dynamoSendStore(tableName: string | undefined, ttlSeconds = 7 * 86400): SendStore {
    const ddb = idempotencyTableClient(tableName);
    const id = (key: string) => ({ id: { S: `send#${key}` } });
    const call = async (make: (m: any) => any): Promise<any> => {
        const { m, c } = await ddb();
        return c.send(make(m), { abortSignal: deadline(2500) });
    };
    const conditional = async (make: (m: any) => any): Promise<boolean> => {
        try {
            await call(make);
            return true;
        } catch (e: any) {
            if (e?.name === "ConditionalCheckFailedException") return false;
            throw e;
        }
    };
    const n = (v: number) => ({ N: String(v) });
    return {
        async get(key) {
            const out = await call(m => new m.GetItemCommand({ TableName: tableName, Key: id(key), ConsistentRead: true }));
            const item = out.Item;
            if (!item) return undefined;
            return {
                status: item.status.S, attempt: Number(item.attempt.N), firstAttemptAt: Number(item.firstAttemptAt.N),
                leaseUntil: Number(item.leaseUntil?.N ?? 0), channel: item.channel.S, id: item.messageId?.S,
            };
        },
        claim(key, reply, now, leaseUntil) {
            return conditional(m => new m.PutItemCommand({
                TableName: tableName,
                Item: {
                    ...id(key), status: { S: "sending" }, attempt: n(1), firstAttemptAt: n(now), leaseUntil: n(leaseUntil), channel: { S: reply.channel },
                    // The number as its hash, like every table: the record only has to prove which reply it is.
                    toHash: { S: hashPhone(reply.to) }, bodySha256: { S: createHash("sha256").update(reply.body).digest("hex") },
                    expiration: n(Math.floor(now / 1000) + ttlSeconds),
                },
                ConditionExpression: "attribute_not_exists(id)",
            }));
        },
        takeOver(key, attempt, leaseUntil) {
            return conditional(m => new m.UpdateItemCommand({
                TableName: tableName, Key: id(key),
                UpdateExpression: "SET attempt = :next, leaseUntil = :lease",
                ConditionExpression: "#s = :sending AND attempt = :at",
                ExpressionAttributeNames: { "#s": "status" },
                ExpressionAttributeValues: { ":next": n(attempt + 1), ":lease": n(leaseUntil), ":sending": { S: "sending" }, ":at": n(attempt) },
            }));
        },
        async setLease(key, attempt, leaseUntil) {
            await conditional(m => new m.UpdateItemCommand({
                TableName: tableName, Key: id(key),
                UpdateExpression: "SET leaseUntil = :lease",
                ConditionExpression: "#s = :sending AND attempt = :at",
                ExpressionAttributeNames: { "#s": "status" },
                ExpressionAttributeValues: { ":lease": n(leaseUntil), ":sending": { S: "sending" }, ":at": n(attempt) },
            }));
        },
        async markSent(key, messageId, now) {
            await call(m => new m.UpdateItemCommand({
                TableName: tableName, Key: id(key),
                UpdateExpression: messageId ? "SET #s = :sent, sentAt = :now, messageId = :id" : "SET #s = :sent, sentAt = :now",
                ExpressionAttributeNames: { "#s": "status" },
                ExpressionAttributeValues: { ":sent": { S: "sent" }, ":now": n(now), ...(messageId ? { ":id": { S: messageId } } : {}) },
            }));
        },
        park(key, attempt) {
            return conditional(m => new m.UpdateItemCommand({
                TableName: tableName, Key: id(key),
                UpdateExpression: "SET #s = :ambiguous",
                ConditionExpression: "#s = :sending AND attempt = :at",
                ExpressionAttributeNames: { "#s": "status" },
                ExpressionAttributeValues: { ":ambiguous": { S: "ambiguous" }, ":sending": { S: "sending" }, ":at": n(attempt) },
            }));
        },
        async release(key, attempt) {
            await conditional(m => new m.DeleteItemCommand({
                TableName: tableName, Key: id(key),
                ConditionExpression: "#s = :sending AND attempt = :at",
                ExpressionAttributeNames: { "#s": "status" },
                ExpressionAttributeValues: { ":sending": { S: "sending" }, ":at": n(attempt) },
            }));
        },
    };
}

export function senderDeps(env: SenderEnv = process.env): SenderDeps {
    const getSecret = secretReader();
    return {
        ...observability(env, "sender"),
        store: dynamoSendStore(env.IDEMPOTENCY_TABLE),
        providers: { twilio: twilioProvider(env, getSecret), awsSms: awsSmsProvider(env) },
    };
}

export const handler = createSender(senderDeps());
