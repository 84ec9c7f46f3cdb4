import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { assumeRolePolicy, policyDocument, topicPublishPolicy } from "./iam";
import { encryptedLogGroup } from "./log-group";

export interface SmsMessagingArgs {
    /** Key of the event topic; must admit sms-voice.amazonaws.com. */
    messagingKeyArn: pulumi.Input<string>;
    /** The account (confused-deputy conditions on sms-voice.amazonaws.com). */
    accountId: pulumi.Input<string>;
    /** Event log group: key, retention, name prefix. */
    logs: { kmsKeyArn: pulumi.Input<string>; retentionInDays: number; namePrefix: string };
    /** Buy an origination number (recurring monthly cost). Defaults to false. */
    requestPhoneNumber?: boolean;
    /** Number type when one is bought. Defaults to "TOLL_FREE". */
    numberType?: "TOLL_FREE" | "TEN_DLC" | "LONG_CODE" | "SIMULATOR";
    /** Country of the number. Defaults to "US". */
    isoCountryCode?: string;
    /** Protect the number from deletion. Defaults to true. */
    deletionProtection?: boolean;
    /** Alarm on delivery failures counted from the event log: metric namespace, failures per 5 minutes, topic. Defaults to none. */
    failureAlarm?: { namespace: string; threshold: number; topicArn: pulumi.Input<string> };
}

/** What the worker needs to answer over AWS SMS (present only when a number is bought). */
export interface AwsSmsChannel {
    phoneNumberArn: pulumi.Output<string>;
    configurationSetArn: pulumi.Output<string>;
    configurationSetName: pulumi.Output<string>;
    optOutListArn: pulumi.Output<string>;
}

/** Delivery failures that reach the event topic (every event goes to the log group). */
export const SMS_FAILURE_EVENTS = [
    "TEXT_INVALID", "TEXT_INVALID_MESSAGE", "TEXT_UNREACHABLE", "TEXT_CARRIER_UNREACHABLE", "TEXT_BLOCKED",
    "TEXT_CARRIER_BLOCKED", "TEXT_SPAM", "TEXT_UNKNOWN", "TEXT_TTL_EXPIRED", "TEXT_PROTECT_BLOCKED",
];

/**
 * AWS End User Messaging SMS (the seed's aws_sms.tf): a transactional configuration set whose
 * events go to CloudWatch Logs (all) and an encrypted SNS topic (failures), an opt-out list, and
 * an origination number only when explicitly asked for.
 */
export class SmsMessaging extends pulumi.ComponentResource {
    public readonly configurationSet: aws.pinpoint.Smsvoicev2ConfigurationSet;
    public readonly optOutList: aws.pinpoint.Smsvoicev2OptOutList;
    public readonly eventTopic: aws.sns.Topic;
    public readonly eventLogGroup: aws.cloudwatch.LogGroup;
    public readonly phoneNumber?: aws.pinpoint.Smsvoicev2PhoneNumber;
    public readonly failureAlarm?: aws.cloudwatch.MetricAlarm;
    /** Two-way SMS: inbound messages to the number are published here (only with a number). */
    public readonly inboundTopic?: aws.sns.Topic;
    /** The reply channel for the worker (only with a number). */
    public readonly channel?: AwsSmsChannel;
    /** The delivery-failure metric counted from the service's event log (not a handler's: no `service` dimension). */
    public readonly failureMetric?: { namespace: string; metricName: string; dimensions: Record<string, string> };
    private readonly baseName: string;

    constructor(name: string, args: SmsMessagingArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ai-nutritionist:messaging:SmsMessaging", name, {}, opts);
        this.baseName = name;
        const child = { parent: this };
        this.configurationSet = new aws.pinpoint.Smsvoicev2ConfigurationSet(`${name}-config-set`, { defaultMessageType: "TRANSACTIONAL" }, child);
        this.optOutList = new aws.pinpoint.Smsvoicev2OptOutList(`${name}-opt-out`, {}, child);

        this.eventLogGroup = encryptedLogGroup(`${name}-events`, {
            namePrefix: args.logs.namePrefix,
            kmsKeyArn: args.logs.kmsKeyArn,
            retentionInDays: args.logs.retentionInDays,
        }, child);
        const role = new aws.iam.Role(`${name}-events-role`, {
            assumeRolePolicy: assumeRolePolicy("sms-voice.amazonaws.com", args.accountId),
            description: "End User Messaging: write SMS events to CloudWatch Logs",
        }, child);
        new aws.iam.RolePolicy(`${name}-events-role-policy`, {
            role: role.id,
            policy: policyDocument([{ Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"], Resource: [this.eventLogGroup.arn, pulumi.interpolate`${this.eventLogGroup.arn}:*`] }]),
        }, child);
        new aws.pinpoint.Smsvoicev2EventDestination(`${name}-to-logs`, {
            configurationSetName: this.configurationSet.name,
            eventDestinationName: "cloudwatch-logs",
            matchingEventTypes: ["ALL"],
            cloudwatchLogsDestination: { iamRoleArn: role.arn, logGroupArn: this.eventLogGroup.arn },
        }, child);

        if (args.failureAlarm) {
            const metric = { name: "SmsDeliveryFailures", namespace: args.failureAlarm.namespace };
            this.failureMetric = { namespace: metric.namespace, metricName: metric.name, dimensions: {} };
            new aws.cloudwatch.LogMetricFilter(`${name}-failures-metric`, {
                logGroupName: this.eventLogGroup.name,
                pattern: `{ ${SMS_FAILURE_EVENTS.map(e => `($.eventType = "${e}")`).join(" || ")} }`,
                // No default value: the metric is published (and billed) only in hours with a failure; the alarm
                // treats the missing data as not breaching.
                metricTransformation: { ...metric, value: "1", unit: "Count" },
            }, child);
            this.failureAlarm = new aws.cloudwatch.MetricAlarm(`${name}-failures-alarm`, {
                alarmDescription: "AWS End User Messaging: SMS delivery failures",
                namespace: metric.namespace,
                metricName: metric.name,
                statistic: "Sum",
                period: 300,
                evaluationPeriods: 1,
                threshold: args.failureAlarm.threshold,
                comparisonOperator: "GreaterThanOrEqualToThreshold",
                treatMissingData: "notBreaching",
                alarmActions: [args.failureAlarm.topicArn],
                okActions: [args.failureAlarm.topicArn],
            }, child);
        }

        this.eventTopic = new aws.sns.Topic(`${name}-failures`, { kmsMasterKeyId: args.messagingKeyArn, displayName: "SMS delivery failures" }, child);
        new aws.sns.TopicPolicy(`${name}-failures-policy`, {
            arn: this.eventTopic.arn,
            policy: topicPublishPolicy(this.eventTopic.arn, ["sms-voice.amazonaws.com"], args.accountId),
        }, child);
        new aws.pinpoint.Smsvoicev2EventDestination(`${name}-to-sns`, {
            configurationSetName: this.configurationSet.name,
            eventDestinationName: "sns-failures",
            matchingEventTypes: SMS_FAILURE_EVENTS,
            snsDestination: { topicArn: this.eventTopic.arn },
        }, child);

        if (args.requestPhoneNumber ?? false) {
            // Two-way SMS: messages to our number arrive on this topic, then in the work queue.
            this.inboundTopic = new aws.sns.Topic(`${name}-inbound`, { kmsMasterKeyId: args.messagingKeyArn, displayName: "Inbound SMS (End User Messaging)" }, child);
            new aws.sns.TopicPolicy(`${name}-inbound-policy`, {
                arn: this.inboundTopic.arn,
                policy: topicPublishPolicy(this.inboundTopic.arn, ["sms-voice.amazonaws.com"], args.accountId),
            }, child);
            this.phoneNumber = new aws.pinpoint.Smsvoicev2PhoneNumber(`${name}-number`, {
                isoCountryCode: args.isoCountryCode ?? "US",
                messageType: "TRANSACTIONAL",
                numberCapabilities: ["SMS"],
                numberType: args.numberType ?? "TOLL_FREE",
                optOutListName: this.optOutList.name,
                deletionProtectionEnabled: args.deletionProtection ?? true,
                twoWayChannelEnabled: true,
                twoWayChannelArn: this.inboundTopic.arn,
            }, { parent: this, protect: args.deletionProtection ?? true });
            this.channel = {
                phoneNumberArn: this.phoneNumber.arn,
                configurationSetArn: this.configurationSet.arn,
                configurationSetName: this.configurationSet.name,
                optOutListArn: this.optOutList.arn,
            };
        }
        this.registerOutputs({
            configurationSetName: this.configurationSet.name, optOutListName: this.optOutList.name,
            eventTopicArn: this.eventTopic.arn, phoneNumber: this.phoneNumber?.phoneNumber,
        });
    }

    /** Deliver inbound SMS to a queue (raw End User Messaging JSON). The queue must admit the topic (EncryptedQueue allowedSenders). */
    public deliverInboundTo(queueArn: pulumi.Input<string>): aws.sns.TopicSubscription | undefined {
        if (!this.inboundTopic) return undefined;
        return new aws.sns.TopicSubscription(`${this.baseName}-inbound-to-queue`, {
            topic: this.inboundTopic.arn,
            protocol: "sqs",
            endpoint: queueArn,
            rawMessageDelivery: true,
        }, { parent: this });
    }
}
