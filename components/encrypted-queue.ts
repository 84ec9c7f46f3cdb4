import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { denyInsecureTransport, policyDocument, Statement } from "./iam";
import { assertValidArgs } from "./validation";

export interface EncryptedQueueArgs {
    /** Customer-managed key of the queue and its DLQ. */
    kmsKeyArn: pulumi.Input<string>;
    /** Timeout of the consuming function, in seconds; the visibility timeout must be at least six times it. Defaults to none (not consumed by Lambda). */
    consumerTimeoutSeconds?: number;
    /** Visibility timeout in seconds. Defaults to six times consumerTimeoutSeconds, or 30. */
    visibilityTimeoutSeconds?: number;
    /** Receives before a message moves to the DLQ. Defaults to 5. */
    maxReceiveCount?: number;
    /** Give the queue a dead-letter queue. Defaults to true. */
    deadLetterQueue?: boolean;
    /** Retention of the queue, in seconds. Defaults to 4 days. */
    messageRetentionSeconds?: number;
    /** AWS services that may send to the queue, each only from the given source ARNs (e.g. an SNS topic). Defaults to none. */
    allowedSenders?: { service: string; sourceArns: pulumi.Input<string>[] }[];
}

/** Pure validation; returns every problem. */
export function validateEncryptedQueueArgs(args: EncryptedQueueArgs): string[] {
    const p: string[] = [];
    const consumer = args.consumerTimeoutSeconds;
    const visibility = args.visibilityTimeoutSeconds ?? (consumer !== undefined ? consumer * 6 : 30);
    if (consumer !== undefined && visibility < consumer * 6) p.push(`visibilityTimeoutSeconds must be at least 6 x the consumer's timeout = ${consumer * 6} (got ${visibility})`);
    if (visibility > 43200) p.push(`visibilityTimeoutSeconds must be at most 43200 (got ${visibility})`);
    const receives = args.maxReceiveCount ?? 5;
    if (receives < 1 || receives > 1000) p.push(`maxReceiveCount must be 1-1000 (got ${receives})`);
    return p;
}

/**
 * An SQS queue encrypted with a customer-managed key, with a dead-letter queue (same key, 14-day
 * retention) after a set number of receives, and policies that deny any request without TLS.
 */
export class EncryptedQueue extends pulumi.ComponentResource {
    public readonly queue: aws.sqs.Queue;
    public readonly deadLetterQueue?: aws.sqs.Queue;
    public readonly arn: pulumi.Output<string>;
    public readonly url: pulumi.Output<string>;
    public readonly name: pulumi.Output<string>;

    constructor(name: string, args: EncryptedQueueArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ai-nutritionist:messaging:EncryptedQueue", name, {}, opts);
        const problems = validateEncryptedQueueArgs(args);
        assertValidArgs(name, problems, this);
        const visibility = args.visibilityTimeoutSeconds ?? (args.consumerTimeoutSeconds !== undefined ? args.consumerTimeoutSeconds * 6 : 30);
        const encryption = { kmsMasterKeyId: args.kmsKeyArn, kmsDataKeyReusePeriodSeconds: 300 };

        if (args.deadLetterQueue ?? true) {
            this.deadLetterQueue = new aws.sqs.Queue(`${name}-dlq`, {
                ...encryption,
                messageRetentionSeconds: 14 * 86400,
            }, { parent: this });
            this.tlsOnly(`${name}-dlq`, this.deadLetterQueue);
        }
        this.queue = new aws.sqs.Queue(`${name}-queue`, {
            ...encryption,
            visibilityTimeoutSeconds: visibility,
            messageRetentionSeconds: args.messageRetentionSeconds ?? 4 * 86400,
            receiveWaitTimeSeconds: 20,
            redrivePolicy: this.deadLetterQueue
                ? pulumi.jsonStringify({ deadLetterTargetArn: this.deadLetterQueue.arn, maxReceiveCount: args.maxReceiveCount ?? 5 })
                : undefined,
        }, { parent: this });
        this.tlsOnly(`${name}-queue`, this.queue, (args.allowedSenders ?? []).map((s, i) => ({
            Sid: `AllowSender${i}`,
            Effect: "Allow" as const,
            Principal: { Service: s.service },
            Action: "sqs:SendMessage",
            Resource: this.queue.arn,
            Condition: { ArnEquals: { "aws:SourceArn": s.sourceArns } },
        })));
        if (this.deadLetterQueue) {
            new aws.sqs.RedriveAllowPolicy(`${name}-dlq-redrive-allow`, {
                queueUrl: this.deadLetterQueue.url,
                redriveAllowPolicy: pulumi.jsonStringify({ redrivePermission: "byQueue", sourceQueueArns: [this.queue.arn] }),
            }, { parent: this });
        }
        this.arn = this.queue.arn;
        this.url = this.queue.url;
        this.name = this.queue.name;
        this.registerOutputs({ arn: this.arn, url: this.url, deadLetterQueueArn: this.deadLetterQueue?.arn });
    }

    private tlsOnly(name: string, queue: aws.sqs.Queue, statements: Statement[] = []): void {
        new aws.sqs.QueuePolicy(`${name}-policy`, {
            queueUrl: queue.url,
            policy: policyDocument([denyInsecureTransport("sqs:*", [queue.arn]), ...statements]),
        }, { parent: this });
    }
}
