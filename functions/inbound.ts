/**
 * Twilio inbound SMS and status callbacks (POST /webhooks/twilio/sms, /webhooks/twilio/status).
 * Verifies X-Twilio-Signature, answers 403 to a forgery, enqueues the message for the worker and
 * answers empty TwiML at once: the reply is sent by the worker when Bedrock has answered.
 */
import { ApiEvent, ApiResult, formParams, header, log, publicUrl, rawBody } from "./lib/http";
import { hashPhone } from "./lib/identity";

export { hashPhone };
import { cachedSecrets, SecretFetcher, secretsManagerFetcher } from "./lib/secrets";
import { verifyTwilioSignature } from "./lib/signatures";

export interface InboundDeps {
    getSecret: SecretFetcher;
    enqueue: (message: Record<string, unknown>) => Promise<void>;
    env: { TWILIO_AUTH_TOKEN_SECRET_ARN?: string };
}

const TWIML = { statusCode: 200, headers: { "content-type": "text/xml" }, body: "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response></Response>" };
const FAILED_STATUSES = new Set(["failed", "undelivered"]);

export function createInboundHandler(deps: InboundDeps) {
    return async (event: ApiEvent): Promise<ApiResult> => {
        const secretArn = deps.env.TWILIO_AUTH_TOKEN_SECRET_ARN;
        if (!secretArn) throw new Error("TWILIO_AUTH_TOKEN_SECRET_ARN is not set");
        const params = formParams(rawBody(event));
        const authToken = await deps.getSecret(secretArn);
        if (!verifyTwilioSignature(authToken, publicUrl(event), params, header(event, "x-twilio-signature"))) {
            log("twilio_signature_invalid", { path: event.path, requestId: event.requestContext?.requestId });
            return { statusCode: 403, headers: { "content-type": "text/plain" }, body: "Forbidden" };
        }
        if (event.path.endsWith("/status")) {
            const status = params.MessageStatus ?? params.SmsStatus ?? "";
            if (FAILED_STATUSES.has(status)) log("twilio_delivery_failed", { messageSid: params.MessageSid, status, errorCode: params.ErrorCode });
            else log("twilio_delivery_status", { messageSid: params.MessageSid, status });
            return TWIML;
        }
        if (!params.From || params.Body === undefined) {
            log("twilio_message_malformed", { messageSid: params.MessageSid });
            return TWIML;
        }
        await deps.enqueue({
            type: "inbound-sms",
            channel: "twilio",
            messageSid: params.MessageSid,
            from: params.From,
            userKey: hashPhone(params.From),
            body: params.Body,
            receivedAt: new Date().toISOString(),
        });
        log("twilio_message_enqueued", { messageSid: params.MessageSid });
        return TWIML;
    };
}

function sqsEnqueuer(queueUrl: string | undefined) {
    let client: any;
    return async (message: Record<string, unknown>) => {
        if (!queueUrl) throw new Error("QUEUE_URL is not set");
        const sqs = await import("@aws-sdk/client-sqs");
        client ??= new sqs.SQSClient({});
        await client.send(new sqs.SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(message) }));
    };
}

export const handler = createInboundHandler({
    getSecret: cachedSecrets(secretsManagerFetcher()),
    enqueue: sqsEnqueuer(process.env.QUEUE_URL),
    env: process.env,
});
