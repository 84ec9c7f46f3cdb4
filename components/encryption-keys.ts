import * as pulumi from "@pulumi/pulumi";
import { accountContext, Statement } from "./iam";
import { logsStatements, ManagedKey, servicePublishStatement } from "./managed-key";

export interface EncryptionKeysArgs {
    /** Prefix of every alias, e.g. `ai-nutritionist-prod`. */
    aliasPrefix: string;
    /** The stack's region (for the CloudWatch Logs service principal). */
    region: string;
    /** Prefixes of the log-group names this stack creates; the logs key is usable only for them. */
    logGroupPrefixes: string[];
    /** Waiting period before a scheduled deletion, 7-30 days. Defaults to 30. */
    deletionWindowInDays?: number;
    /**
     * One key per purpose (data, logs, messaging). False: one key serves all three, its policy the union
     * of theirs (every rotated key costs up to $3 a month: small stacks trade separation for that). Defaults to true.
     */
    keyPerPurpose?: boolean;
    /** Create the AWS Backup vault's key. Defaults to true. */
    backupKey?: boolean;
}

/**
 * AWS services that publish into our encrypted topics and queues and send aws:SourceAccount with
 * their KMS requests: alarms, budgets, cost anomaly alerts, backup events, SMS events, and SNS
 * delivering inbound SMS into the work queue. EventBridge is admitted by a statement of its own.
 */
export const MESSAGING_PUBLISHERS_WITH_SOURCE = [
    "cloudwatch.amazonaws.com", "budgets.amazonaws.com", "costalerts.amazonaws.com",
    "backup.amazonaws.com", "sms-voice.amazonaws.com", "sns.amazonaws.com",
];

/**
 * The stack's customer-managed keys, one per purpose, each rotated yearly:
 *
 * - `data`: DynamoDB tables, Secrets Manager secrets, Lambda environment variables, Redis.
 *   Used only through IAM grants of the roles that read the data; no service principal.
 * - `logs`: CloudWatch log groups (functions, API access logs, flow logs, WAF, CloudTrail) and
 *   the audit buckets. CloudWatch Logs may use it only for our log groups (encryption-context
 *   condition); CloudTrail and AWS Config only from this account.
 * - `messaging`: SNS topics and SQS queues. The AWS services that publish alarms, budget and
 *   anomaly alerts, backup events and SMS events into our topics may encrypt with it.
 * - `backup`: the AWS Backup vault (AWS Backup uses it through the backup role's grants).
 *
 * The site bucket's key lives in CdnSite: its policy names the distribution.
 */
export class EncryptionKeys extends pulumi.ComponentResource {
    public readonly data: ManagedKey;
    public readonly logs: ManagedKey;
    public readonly messaging: ManagedKey;
    /** The vault's key; absent when `backupKey` is false. */
    public readonly backup?: ManagedKey;
    public readonly accountId: pulumi.Output<string>;
    public readonly partition: pulumi.Output<string>;

    constructor(name: string, args: EncryptionKeysArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ai-nutritionist:security:EncryptionKeys", name, {}, opts);
        const { accountId, partition } = accountContext({ parent: this });
        this.accountId = accountId;
        this.partition = partition;
        const common = { accountId, partition, deletionWindowInDays: args.deletionWindowInDays };

        const trailArns = pulumi.interpolate`arn:${partition}:cloudtrail:*:${accountId}:trail/*`;
        const logGroupArns = args.logGroupPrefixes.map(p => pulumi.interpolate`arn:${partition}:logs:${args.region}:${accountId}:log-group:${p}*`);
        const logsStatementsAll: Statement[] = [
            ...logsStatements(args.region, logGroupArns),
            // As AWS documents for trails: encryption under the trail's encryption context, and
            // DescribeKey (which carries no encryption context) in a statement of its own; both scoped
            // by aws:SourceArn, the key CloudTrail recommends.
            // https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html
            {
                Sid: "CloudTrailEncryptsTrailsOfThisAccount",
                Effect: "Allow",
                Principal: { Service: "cloudtrail.amazonaws.com" },
                Action: "kms:GenerateDataKey*",
                Resource: "*",
                Condition: {
                    StringLike: {
                        "kms:EncryptionContext:aws:cloudtrail:arn": trailArns,
                        "aws:SourceArn": trailArns,
                    },
                },
            },
            {
                Sid: "CloudTrailDescribesKey",
                Effect: "Allow",
                Principal: { Service: "cloudtrail.amazonaws.com" },
                Action: "kms:DescribeKey",
                Resource: "*",
                Condition: { StringLike: { "aws:SourceArn": trailArns } },
            },
            servicePublishStatement("AwsConfigDelivers", ["config.amazonaws.com"], accountId),
        ];
        const messagingStatements: Statement[] = [
            servicePublishStatement("AwsServicesPublishAlerts", MESSAGING_PUBLISHERS_WITH_SOURCE, accountId),
            // EventBridge's KMS requests for an encrypted topic carry no aws:SourceAccount/aws:SourceArn
            // (AWS documents those keys as unsupported there), so a source condition would drop every event.
            // https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services
            { Sid: "EventBridgePublishesAlerts", Effect: "Allow", Principal: { Service: "events.amazonaws.com" }, Action: ["kms:GenerateDataKey*", "kms:Decrypt"], Resource: "*" },
        ];

        if (args.keyPerPurpose ?? true) {
            this.data = new ManagedKey(`${name}-data`, {
                ...common,
                description: "Application data: DynamoDB, Secrets Manager, Lambda environment, Redis",
                alias: `${args.aliasPrefix}-data`,
            }, { parent: this });
            this.logs = new ManagedKey(`${name}-logs`, {
                ...common,
                description: "Logs and audit: CloudWatch Logs, CloudTrail, AWS Config",
                alias: `${args.aliasPrefix}-logs`,
                serviceStatements: logsStatementsAll,
            }, { parent: this });
            this.messaging = new ManagedKey(`${name}-messaging`, {
                ...common,
                description: "Messaging: SNS topics and SQS queues",
                alias: `${args.aliasPrefix}-messaging`,
                serviceStatements: messagingStatements,
            }, { parent: this });
        } else {
            // One key, the union of the three policies: each service keeps its own conditions.
            const shared = new ManagedKey(`${name}-stack`, {
                ...common,
                description: "Application data, logs and messaging (one key for the stack)",
                alias: `${args.aliasPrefix}-stack`,
                serviceStatements: [...logsStatementsAll, ...messagingStatements],
            }, { parent: this });
            this.data = shared;
            this.logs = shared;
            this.messaging = shared;
        }

        if (args.backupKey ?? true) {
            this.backup = new ManagedKey(`${name}-backup`, {
                ...common,
                description: "AWS Backup vault recovery points",
                alias: `${args.aliasPrefix}-backup`,
            }, { parent: this });
        }

        this.registerOutputs({
            dataKeyArn: this.data.arn, logsKeyArn: this.logs.arn,
            messagingKeyArn: this.messaging.arn, backupKeyArn: this.backup?.arn,
        });
    }
}
