/**
 * Outbox sender: drains the outbox queue the worker fills with replies and sends each one over
 * Twilio or AWS End User Messaging SMS, at most once per reply key (see docs/handlers.md).
 */
import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import { flushMetrics, LambdaContextLike, observability } from "./lib/powertools";

export interface OutboxReply {
    type: "reply";
    key: string;
    channel: "twilio" | "aws-sms";
    to: string;
    body: string;
}

interface SqsRecord {
    messageId: string;
    body: string;
}

const { logger, metrics } = observability(process.env, "sender");

export const handler = async (event: { Records: SqsRecord[] }, context?: LambdaContextLike) => {
    const processor = new BatchProcessor(EventType.SQS, { logger });
    try {
        return await processPartialResponse(event as any, async (record: SqsRecord) => {
            const reply = JSON.parse(record.body) as OutboxReply;
            throw new Error(`sender not ready for ${reply.key}`);
        }, processor, { context: context as any, processInParallel: false, throwOnFullBatchFailure: false } as any);
    } finally {
        flushMetrics(metrics);
    }
};
