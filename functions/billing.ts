/**
 * Stripe billing webhook (POST /webhooks/stripe). Verifies Stripe-Signature (v1 HMAC-SHA256,
 * five-minute tolerance) and records each event exactly once: a conditional write keyed by the
 * event id, so a redelivered event changes nothing and still gets a 200.
 */
import { ApiEvent, ApiResult, header, json, log, rawBody } from "./lib/http";
import { cachedSecrets, SecretFetcher, secretsManagerFetcher } from "./lib/secrets";
import { verifyStripeSignature } from "./lib/signatures";

export interface BillingEventRecord {
    eventId: string;
    type: string;
    customerId: string;
    createdAt: string;
    expiresAt: number;
    payload: string;
}

export interface BillingDeps {
    getSecret: SecretFetcher;
    /** Write the record unless one with the same eventId exists; false when it existed. */
    recordOnce: (record: BillingEventRecord) => Promise<boolean>;
    now: () => number;
    env: { STRIPE_WEBHOOK_SECRET_ARN?: string; BILLING_RETENTION_DAYS?: string };
}

export function createBillingHandler(deps: BillingDeps) {
    return async (event: ApiEvent): Promise<ApiResult> => {
        const secretArn = deps.env.STRIPE_WEBHOOK_SECRET_ARN;
        if (!secretArn) throw new Error("STRIPE_WEBHOOK_SECRET_ARN is not set");
        const payload = rawBody(event);
        const secret = await deps.getSecret(secretArn);
        const nowSeconds = Math.floor(deps.now() / 1000);
        const verdict = verifyStripeSignature(payload, header(event, "stripe-signature"), secret, nowSeconds);
        if (!verdict.ok) {
            log("stripe_signature_invalid", { reason: verdict.reason });
            return json(400, { error: "invalid signature" });
        }
        let body: any;
        try {
            body = JSON.parse(payload);
        } catch {
            return json(400, { error: "invalid JSON" });
        }
        if (typeof body?.id !== "string" || typeof body?.type !== "string") return json(400, { error: "not a Stripe event" });
        const retentionDays = Number(deps.env.BILLING_RETENTION_DAYS ?? "400");
        const object = body.data?.object ?? {};
        const created = typeof body.created === "number" ? body.created : nowSeconds;
        const fresh = await deps.recordOnce({
            eventId: body.id,
            type: body.type,
            customerId: String(object.customer ?? object.id ?? "unknown"),
            createdAt: new Date(created * 1000).toISOString(),
            expiresAt: nowSeconds + retentionDays * 86400,
            payload,
        });
        log(fresh ? "stripe_event_recorded" : "stripe_event_duplicate", { eventId: body.id, type: body.type });
        return json(200, { received: true, duplicate: !fresh });
    };
}

function dynamoRecorder(tableName: string | undefined) {
    let client: any;
    return async (r: BillingEventRecord): Promise<boolean> => {
        if (!tableName) throw new Error("BILLING_EVENTS_TABLE is not set");
        const ddb = await import("@aws-sdk/client-dynamodb");
        client ??= new ddb.DynamoDBClient({});
        try {
            await client.send(new ddb.PutItemCommand({
                TableName: tableName,
                Item: {
                    eventId: { S: r.eventId }, type: { S: r.type }, customerId: { S: r.customerId },
                    createdAt: { S: r.createdAt }, expiresAt: { N: String(r.expiresAt) }, payload: { S: r.payload },
                },
                ConditionExpression: "attribute_not_exists(eventId)",
            }));
            return true;
        } catch (e: any) {
            if (e?.name === "ConditionalCheckFailedException") return false;
            throw e;
        }
    };
}

export const handler = createBillingHandler({
    getSecret: cachedSecrets(secretsManagerFetcher()),
    recordOnce: dynamoRecorder(process.env.BILLING_EVENTS_TABLE),
    now: () => Date.now(),
    env: process.env,
});
