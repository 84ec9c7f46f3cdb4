import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { IDEMPOTENCY_ACTIONS } from "./cached-lambda-api";
import { EncryptedQueue } from "./encrypted-queue";
import { EncryptedTable } from "./encrypted-table";
import { FunctionLogs, ServiceFunction } from "./service-function";
import { AwsSmsChannel } from "./sms-messaging";
import { assertValidArgs } from "./validation";

/** The sender's timeout; the outbox's visibility timeout is six times it. */
export const SENDER_TIMEOUT_SECONDS = 30;

export interface ReplySenderArgs {
    /** The outbox the worker fills (encrypted with the messaging key, visibility 6 x SENDER_TIMEOUT_SECONDS). */
    outbox: EncryptedQueue;
    /** Key ARNs: data (idempotency table, Twilio secret, environment), messaging (the outbox). */
    keys: { data: pulumi.Input<string>; messaging: pulumi.Input<string> };
    /** Log group key, retention and name prefix. */
    logs: FunctionLogs;
    /** CloudWatch namespace of the sender's Embedded Metric Format metrics. */
    metricsNamespace: string;
    /** Lambda instruction set. Defaults to "arm64". */
    architecture?: "arm64" | "x86_64";
    /** Send records (`send#` keys) live in the idempotency table. */
    idempotency: EncryptedTable;
    /** Twilio: the auth-token secret, and the account and sender number (not secrets; none = replies are logged, not sent). */
    twilio: { authTokenSecretArn: pulumi.Input<string>; accountSid?: string; fromNumber?: string; statusCallbackUrl?: pulumi.Input<string> };
    /** AWS End User Messaging two-way channel: replies to SMS that arrived on our number. Defaults to none. */
    awsSms?: AwsSmsChannel;
    /** The stack's region (the Secrets Manager service name in the key condition). */
    region: string;
    /** Most concurrent senders the outbox's event source mapping runs (2-1000). Defaults to 5. */
    maximumConcurrency?: number;
}

/** Pure validation; returns every problem. */
export function validateReplySenderArgs(args: ReplySenderArgs): string[] {
    const p: string[] = [];
    const c = args.maximumConcurrency ?? 5;
    if (!Number.isInteger(c) || c < 2 || c > 1000) p.push(`maximumConcurrency must be 2-1000 (got ${c})`);
    return p;
}

/**
 * The reply path's last step, outside the VPC: a small function that drains the outbox (batches of
 * ten, failed items reported back) and sends each reply through Twilio or AWS End User Messaging.
 * It holds the only Twilio and SMS permissions, so the VPC needs no internet route.
 */
export class ReplySender extends pulumi.ComponentResource {
    public readonly function: ServiceFunction;
    public readonly name: pulumi.Output<string>;
    /** POWERTOOLS_SERVICE_NAME of the sender's metrics. */
    public readonly serviceName: string;

    constructor(name: string, args: ReplySenderArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ai-nutritionist:messaging:ReplySender", name, {}, opts);
        assertValidArgs(name, validateReplySenderArgs(args), this);
        const child = { parent: this };

        this.function = new ServiceFunction(`${name}-function`, {
            handler: "sender",
            description: "Reply sender: drains the outbox, sends each reply once over Twilio or AWS SMS",
            architecture: args.architecture ?? "arm64",
            memorySize: 256,
            timeout: SENDER_TIMEOUT_SECONDS,
            metricsNamespace: args.metricsNamespace,
            environmentKmsKeyArn: args.keys.data,
            logs: args.logs,
            environment: {
                IDEMPOTENCY_TABLE: args.idempotency.name,
                TWILIO_AUTH_TOKEN_SECRET_ARN: args.twilio.authTokenSecretArn,
                ...(args.twilio.accountSid ? { TWILIO_ACCOUNT_SID: args.twilio.accountSid } : {}),
                ...(args.twilio.fromNumber ? { TWILIO_FROM_NUMBER: args.twilio.fromNumber } : {}),
                ...(args.twilio.statusCallbackUrl ? { TWILIO_STATUS_CALLBACK_URL: args.twilio.statusCallbackUrl } : {}),
                ...(args.awsSms ? { SMS_ORIGINATION_IDENTITY: args.awsSms.phoneNumberArn, SMS_CONFIGURATION_SET: args.awsSms.configurationSetName } : {}),
            },
            statements: [
                // What the SQS event source mapping calls with this role (AWSLambdaSQSQueueExecutionRole's actions).
                { Sid: "ConsumeOutbox", Effect: "Allow", Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"], Resource: args.outbox.arn },
                { Sid: "DecryptOutbox", Effect: "Allow", Action: "kms:Decrypt", Resource: args.keys.messaging },
                // Send records: Powertools Idempotency's put, read, complete and delete.
                ...args.idempotency.grantActions(IDEMPOTENCY_ACTIONS, { sidSuffix: "SendRecords" }),
                { Sid: "ReadTwilioToken", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: args.twilio.authTokenSecretArn },
                {
                    Sid: "DecryptTwilioToken", Effect: "Allow", Action: "kms:Decrypt", Resource: args.keys.data,
                    Condition: { StringEquals: { "kms:ViaService": `secretsmanager.${args.region}.amazonaws.com` } },
                },
                ...(args.awsSms ? [{
                    Sid: "ReplyOverAwsSms", Effect: "Allow" as const, Action: "sms-voice:SendTextMessage",
                    // SendTextMessage authorises phone numbers, pools, sender ids, configuration sets and protect
                    // configurations; an opt-out list is none of these.
                    Resource: [args.awsSms.phoneNumberArn, args.awsSms.configurationSetArn],
                }] : []),
            ],
        }, child);
        new aws.lambda.EventSourceMapping(`${name}-source`, {
            eventSourceArn: args.outbox.arn,
            functionName: this.function.name,
            batchSize: 10,
            maximumBatchingWindowInSeconds: 1,
            functionResponseTypes: ["ReportBatchItemFailures"],
            scalingConfig: { maximumConcurrency: args.maximumConcurrency ?? 5 },
        }, child);

        this.name = this.function.name;
        this.serviceName = this.function.serviceName;
        this.registerOutputs({ name: this.name, arn: this.function.arn });
    }
}
