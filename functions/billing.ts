/**
 * Stripe billing webhook (POST /webhooks/stripe). Verifies Stripe-Signature (v1 HMAC-SHA256,
 * five-minute tolerance) and records each event exactly once: Powertools Idempotency on the event
 * id, and a conditional write keyed by the event id in the ledger, so a redelivered event changes
 * nothing and still gets a 200. An event too big for a DynamoDB item (400 KB) is kept trimmed to
 * what the ledger needs, with its size and SHA-256, and acknowledged; a `created` outside the
 * dates JavaScript can represent is recorded with the receive time and flagged.
 */
import { createHash } from "crypto";
import type { Logger } from "@aws-lambda-powertools/logger";
import type { Metrics } from "@aws-lambda-powertools/metrics";
import { ApiEvent, ApiResult, header, json, rawBody } from "./lib/http";
import { client, deadline, Deadlines } from "./lib/aws";
import { flushMetrics, idempotentOutcome, LambdaContextLike, MetricUnit, observability, secretReader } from "./lib/powertools";
import { verifyStripeSignature } from "./lib/signatures";

export interface BillingEventRecord extends Record<string, unknown> {
    eventId: string;
    type: string;
    customerId: string;
    createdAt: string;
    expiresAt: number;
    payload: string;
    /** Set when the payload was trimmed to the ledger fields (the event exceeded MAX_INLINE_PAYLOAD_BYTES). */
    payloadTrimmed?: boolean;
    /** Size and SHA-256 of the payload as Stripe signed it. */
    payloadBytes: number;
    payloadSha256: string;
    /** Set when `created` was missing or out of range and `createdAt` is the receive time. */
    createdOutOfRange?: boolean;
}

export interface BillingEnv {
    STRIPE_WEBHOOK_SECRET_ARN?: string;
    BILLING_RETENTION_DAYS?: string;
    BILLING_EVENTS_TABLE?: string;
    IDEMPOTENCY_TABLE?: string;
    POWERTOOLS_SERVICE_NAME?: string;
    POWERTOOLS_METRICS_NAMESPACE?: string;
}

export interface BillingDeps {
    getSecret: (secretId: string) => Promise<string>;
    /** Write the record once per event id; `fresh` when this call wrote it (false for a redelivery). */
    recordOnce: (record: BillingEventRecord, context?: LambdaContextLike) => Promise<{ fresh: boolean }>;
    now: () => number;
    env: BillingEnv;
    logger: Logger;
    metrics: Metrics;
}

/** Payloads up to this size are stored whole; DynamoDB items are limited to 400 KB including the other attributes. */
export const MAX_INLINE_PAYLOAD_BYTES = 300_000;
/** The object fields the ledger keeps from a trimmed event. */
const LEDGER_FIELDS = ["id", "object", "customer", "subscription", "invoice", "status", "currency", "amount", "amount_due", "amount_paid", "amount_total", "amount_refunded", "period_start", "period_end", "current_period_start", "current_period_end", "cancel_at_period_end"];
/** The largest epoch milliseconds a JavaScript Date holds (ECMAScript time values, ±8.64e15). */
const MAX_DATE_MS = 8.64e15;

/** The ledger's view of an event too big to store whole. */
export function trimEvent(body: any): string {
    const object = body.data?.object ?? {};
    const kept = Object.fromEntries(LEDGER_FIELDS.filter(f => f in object && (typeof object[f] !== "object" || object[f] === null)).map(f => [f, object[f]]));
    return JSON.stringify({ id: body.id, type: body.type, created: body.created, livemode: body.livemode, api_version: body.api_version, data: { object: kept } });
}

/** The answer when the event could not be recorded: Stripe retries any non-2xx answer. */
const RETRY = { statusCode: 503, headers: { "content-type": "application/json", "retry-after": "1" }, body: JSON.stringify({ error: "try again" }) };

export function createBillingHandler(deps: BillingDeps) {
    const { logger, metrics } = deps;
    return async (event: ApiEvent, context?: LambdaContextLike): Promise<ApiResult> => {
        if (context) logger.addContext(context as any);
        try {
            const secretArn = deps.env.STRIPE_WEBHOOK_SECRET_ARN;
            if (!secretArn) throw new Error("STRIPE_WEBHOOK_SECRET_ARN is not set");
            const payload = rawBody(event);
            let secret: string;
            try {
                secret = await deps.getSecret(secretArn);
            } catch (e) {
                logger.error("webhook secret unavailable", e as Error);
                return RETRY;
            }
            const nowSeconds = Math.floor(deps.now() / 1000);
            const verdict = verifyStripeSignature(payload, header(event, "stripe-signature"), secret, nowSeconds);
            if (!verdict.ok) {
                logger.warn("stripe signature invalid", { reason: verdict.reason });
                metrics.addMetric("StripeSignatureFailures", MetricUnit.Count, 1);
                return json(400, { error: "invalid signature" });
            }
            let body: any;
            try {
                body = JSON.parse(payload);
            } catch {
                return json(400, { error: "invalid JSON" });
            }
            if (typeof body?.id !== "string" || typeof body?.type !== "string") return json(400, { error: "not a Stripe event" });
            logger.appendKeys({ correlationId: body.id });
            const retentionDays = Number(deps.env.BILLING_RETENTION_DAYS ?? "400");
            const object = body.data?.object ?? {};
            const createdOk = Number.isSafeInteger(body.created) && body.created >= 0 && body.created * 1000 <= MAX_DATE_MS;
            if (!createdOk) logger.warn("stripe event created out of range; using the receive time", { created: String(body.created) });
            const bytes = Buffer.byteLength(payload, "utf8");
            const trimmed = bytes > MAX_INLINE_PAYLOAD_BYTES;
            if (trimmed) {
                logger.warn("stripe event too big for the ledger; keeping the ledger fields", { bytes });
                metrics.addMetric("StripeEventsTrimmed", MetricUnit.Count, 1);
            }
            const record: BillingEventRecord = {
                eventId: body.id,
                type: body.type,
                customerId: String(object.customer ?? object.id ?? "unknown"),
                createdAt: new Date((createdOk ? body.created : nowSeconds) * 1000).toISOString(),
                expiresAt: nowSeconds + retentionDays * 86400,
                payload: trimmed ? trimEvent(body) : payload,
                payloadBytes: bytes,
                payloadSha256: createHash("sha256").update(payload, "utf8").digest("hex"),
                ...(trimmed ? { payloadTrimmed: true } : {}),
                ...(createdOk ? {} : { createdOutOfRange: true }),
            };
            let fresh: boolean;
            try {
                ({ fresh } = await deps.recordOnce(record, context));
            } catch (e) {
                // Not acknowledged: Stripe retries (for up to three days); the idempotency record was released.
                logger.error("stripe event not recorded", e as Error);
                return RETRY;
            }
            logger.info(fresh ? "stripe event recorded" : "stripe event duplicate", { eventId: body.id, type: body.type });
            if (fresh) metrics.addMetric("StripeEventsRecorded", MetricUnit.Count, 1);
            return json(200, { received: true });
        } finally {
            flushMetrics(metrics);
            logger.resetKeys();
        }
    };
}

/** The ledger write: 700 ms per attempt, three attempts, 2 s for the call; conditional, so a retry cannot write twice. */
export const LEDGER_DEADLINES: Deadlines = { attemptMs: 700, maxAttempts: 3 };
export const LEDGER_CALL_MS = 2000;

/** The ledger write: a conditional PutItem keyed by the event id (false when the event was already there). */
function ledgerWriter(env: BillingEnv) {
    let ddbClient: any;
    return async (r: BillingEventRecord): Promise<boolean> => {
        if (!env.BILLING_EVENTS_TABLE) throw new Error("BILLING_EVENTS_TABLE is not set");
        const ddb = await import("@aws-sdk/client-dynamodb");
        ddbClient ??= client(ddb.DynamoDBClient, LEDGER_DEADLINES);
        const item: Record<string, any> = {
            eventId: { S: r.eventId }, type: { S: r.type }, customerId: { S: r.customerId },
            createdAt: { S: r.createdAt }, expiresAt: { N: String(r.expiresAt) }, payload: { S: r.payload },
            payloadBytes: { N: String(r.payloadBytes) }, payloadSha256: { S: r.payloadSha256 },
        };
        if (r.payloadTrimmed) item.payloadTrimmed = { BOOL: true };
        if (r.createdOutOfRange) item.createdOutOfRange = { BOOL: true };
        try {
            await ddbClient.send(new ddb.PutItemCommand({ TableName: env.BILLING_EVENTS_TABLE, Item: item, ConditionExpression: "attribute_not_exists(eventId)" }), { abortSignal: deadline(LEDGER_CALL_MS) });
            return true;
        } catch (e: any) {
            if (e?.name === "ConditionalCheckFailedException") return false;
            throw e;
        }
    };
}

export function billingDeps(env: BillingEnv = process.env): BillingDeps {
    // Stripe retries for up to three days; four days of idempotency records cover them.
    const write = ledgerWriter(env);
    const once = idempotentOutcome(write, { tableName: env.IDEMPOTENCY_TABLE, keyPath: "eventId", expiresAfterSeconds: 4 * 86400 });
    // Fresh when this call ran the write. The ledger item may already be there all the same: the
    // SDK's retry of a write whose answer was lost, or an earlier delivery that wrote it and then
    // failed before acknowledging. Neither was counted, so this one is.
    const recordOnce = async (r: BillingEventRecord, c?: LambdaContextLike) => ({ fresh: (await once(r, c)).fresh });
    return {
        ...observability(env, "billing"),
        getSecret: secretReader(),
        recordOnce,
        now: () => Date.now(),
        env,
    };
}

export const handler = createBillingHandler(billingDeps());
