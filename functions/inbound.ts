/**
 * Twilio inbound SMS and status callbacks (POST /webhooks/twilio/sms, /webhooks/twilio/fallback,
 * /webhooks/twilio/status). Verifies X-Twilio-Signature per Twilio's algorithm (full URL with its
 * query string, repeated keys, either port form), answers 403 to a forgery, and acknowledges a
 * message (empty TwiML) only once it is durably in the work queue. Recording is idempotent on
 * Twilio's MessageSid, so a redelivery is acknowledged without a second job. When the queue, the
 * idempotency table or Secrets Manager fails, it answers 503: Twilio then requests the number's
 * fallback URL (the same handler, `statusCallbackUrl`'s sibling output `fallbackUrl`), which
 * records it or fails again (docs/handlers.md).
 */
import type { Logger } from "@aws-lambda-powertools/logger";
import type { Metrics } from "@aws-lambda-powertools/metrics";
import { ApiEvent, ApiResult, first, formParams, header, publicUrls, rawBody } from "./lib/http";
import { hashPhone } from "./lib/identity";
import { client, deadline, Deadlines } from "./lib/aws";
import { flushMetrics, idempotentOutcome, isInProgress, LambdaContextLike, MetricUnit, observability, secretReader } from "./lib/powertools";
import { verifyTwilioSignature } from "./lib/signatures";

export { hashPhone };

export interface InboundMessage extends Record<string, unknown> {
    type: "inbound-sms";
    channel: "twilio";
    messageSid: string;
    from: string;
    userKey: string;
    body: string;
    numMedia: number;
    receivedAt: string;
}

export interface InboundEnv {
    TWILIO_AUTH_TOKEN_SECRET_ARN?: string;
    QUEUE_URL?: string;
    IDEMPOTENCY_TABLE?: string;
    POWERTOOLS_SERVICE_NAME?: string;
    POWERTOOLS_METRICS_NAMESPACE?: string;
}

export interface InboundDeps {
    getSecret: (secretId: string) => Promise<string>;
    /** Put the message in the work queue once per MessageSid; resolves when it is there, `fresh` when this call put it. */
    record: (message: InboundMessage, context?: LambdaContextLike) => Promise<{ fresh: boolean }>;
    env: InboundEnv;
    logger: Logger;
    metrics: Metrics;
    now?: () => Date;
}

const TWIML = { statusCode: 200, headers: { "content-type": "text/xml" }, body: "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response></Response>" };
const RETRY = { statusCode: 503, headers: { "content-type": "text/plain", "retry-after": "1" }, body: "Try again" };
const FAILED_STATUSES = new Set(["failed", "undelivered"]);

/** The path without trailing slashes: API Gateway REST keeps a trailing slash, and `/status/` is still the status callback. */
export function routePath(path: string): string {
    return path.replace(/\/+$/, "") || "/";
}

/** SendMessage: 700 ms per attempt, three attempts, 2 s for the call. A repeat is dropped by the worker's MessageSid key. */
export const SQS_DEADLINES: Deadlines = { attemptMs: 700, maxAttempts: 3 };
export const SQS_CALL_MS = 2000;

export function createInboundHandler(deps: InboundDeps) {
    const { logger, metrics } = deps;
    return async (event: ApiEvent, context?: LambdaContextLike): Promise<ApiResult> => {
        if (context) logger.addContext(context as any);
        try {
            const secretArn = deps.env.TWILIO_AUTH_TOKEN_SECRET_ARN;
            if (!secretArn) throw new Error("TWILIO_AUTH_TOKEN_SECRET_ARN is not set");
            const params = formParams(rawBody(event));
            const messageSid = first(params, "MessageSid");
            logger.appendKeys({ correlationId: messageSid });
            let authToken: string;
            try {
                authToken = await deps.getSecret(secretArn);
            } catch (e) {
                logger.error("auth token unavailable", e as Error);
                metrics.addMetric("InboundRecordFailures", MetricUnit.Count, 1);
                return RETRY;
            }
            if (!verifyTwilioSignature(authToken, publicUrls(event), params, header(event, "x-twilio-signature"))) {
                logger.warn("twilio signature invalid", { path: event.path });
                metrics.addMetric("TwilioSignatureFailures", MetricUnit.Count, 1);
                return { statusCode: 403, headers: { "content-type": "text/plain" }, body: "Forbidden" };
            }
            if (routePath(event.path).endsWith("/status")) {
                const status = first(params, "MessageStatus") ?? first(params, "SmsStatus") ?? "";
                if (FAILED_STATUSES.has(status)) {
                    logger.warn("twilio delivery failed", { messageSid, status, errorCode: first(params, "ErrorCode") });
                    metrics.addMetric("TwilioDeliveryFailures", MetricUnit.Count, 1);
                } else {
                    logger.info("twilio delivery status", { messageSid, status });
                }
                return TWIML;
            }
            const from = first(params, "From");
            if (!from || !messageSid) {
                logger.warn("twilio message without From or MessageSid: nothing to answer");
                return TWIML;
            }
            const message: InboundMessage = {
                type: "inbound-sms",
                channel: "twilio",
                messageSid,
                from,
                userKey: hashPhone(from),
                body: first(params, "Body") ?? "",
                numMedia: Number(first(params, "NumMedia") ?? "0") || 0,
                receivedAt: (deps.now?.() ?? new Date()).toISOString(),
            };
            let fresh: boolean;
            try {
                ({ fresh } = await deps.record(message, context));
            } catch (e) {
                // Not acknowledged: Twilio requests the fallback URL (and logs error 11200); MessageSid keeps it single.
                logger.error(isInProgress(e) ? "same MessageSid is being recorded" : "message not recorded", e as Error);
                metrics.addMetric("InboundRecordFailures", MetricUnit.Count, 1);
                return RETRY;
            }
            // A redelivery (Twilio's retry, the fallback URL) is acknowledged but not counted again.
            if (fresh) metrics.addMetric("InboundMessagesRecorded", MetricUnit.Count, 1);
            logger.info(fresh ? "message recorded" : "message already recorded", { messageSid });
            return TWIML;
        } finally {
            flushMetrics(metrics);
            logger.resetKeys();
        }
    };
}

/** The work queue as the record step: SendMessage through the SDK (deadlines per attempt and per call), once per MessageSid. */
export function inboundDeps(env: InboundEnv = process.env): InboundDeps {
    let sqsClient: any;
    const enqueue = async (message: InboundMessage) => {
        if (!env.QUEUE_URL) throw new Error("QUEUE_URL is not set");
        const sqs = await import("@aws-sdk/client-sqs");
        // The regional endpoint (the queue URL's own host in this region), so AWS_ENDPOINT_URL and VPC endpoint DNS apply.
        sqsClient ??= client(sqs.SQSClient, SQS_DEADLINES, { useQueueUrlAsEndpoint: false });
        const out = await sqsClient.send(new sqs.SendMessageCommand({ QueueUrl: env.QUEUE_URL, MessageBody: JSON.stringify(message) }), { abortSignal: deadline(SQS_CALL_MS) });
        return { messageId: out.MessageId as string };
    };
    return {
        ...observability(env, "inbound"),
        getSecret: secretReader(),
        // Twilio retries for minutes; a day covers its retries and the fallback.
        record: idempotentOutcome(enqueue, { tableName: env.IDEMPOTENCY_TABLE, keyPath: "messageSid", expiresAfterSeconds: 86400 }),
        env,
    };
}

export const handler = createInboundHandler(inboundDeps());
