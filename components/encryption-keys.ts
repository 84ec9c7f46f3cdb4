import * as pulumi from "@pulumi/pulumi";
import { accountContext } from "./iam";
import { logsStatement, ManagedKey, servicePublishStatement } from "./managed-key";

export interface EncryptionKeysArgs {
    /** Prefix of every alias, e.g. `ai-nutritionist-prod`. */
    aliasPrefix: string;
    /** The stack's region (for the CloudWatch Logs service principal). */
    region: string;
    /** Prefixes of the log-group names this stack creates; the logs key is usable only for them. */
    logGroupPrefixes: string[];
    /** Waiting period before a scheduled deletion, 7-30 days. Defaults to 30. */
    deletionWindowInDays?: number;
}

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
    public readonly backup: ManagedKey;
    public readonly accountId: pulumi.Output<string>;
    public readonly partition: pulumi.Output<string>;

    constructor(name: string, args: EncryptionKeysArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ai-nutritionist:security:EncryptionKeys", name, {}, opts);
        const { accountId, partition } = accountContext({ parent: this });
        this.accountId = accountId;
        this.partition = partition;
        const common = { accountId, partition, deletionWindowInDays: args.deletionWindowInDays };

        this.data = new ManagedKey(`${name}-data`, {
            ...common,
            description: "Application data: DynamoDB, Secrets Manager, Lambda environment, Redis",
            alias: `${args.aliasPrefix}-data`,
        }, { parent: this });

        const logGroupArns = args.logGroupPrefixes.map(p => pulumi.interpolate`arn:${partition}:logs:${args.region}:${accountId}:log-group:${p}*`);
        this.logs = new ManagedKey(`${name}-logs`, {
            ...common,
            description: "Logs and audit: CloudWatch Logs, CloudTrail, AWS Config",
            alias: `${args.aliasPrefix}-logs`,
            serviceStatements: [
                logsStatement(args.region, logGroupArns),
                {
                    Sid: "CloudTrailEncryptsTrailsOfThisAccount",
                    Effect: "Allow",
                    Principal: { Service: "cloudtrail.amazonaws.com" },
                    Action: ["kms:GenerateDataKey*", "kms:DescribeKey"],
                    Resource: "*",
                    Condition: {
                        StringEquals: { "aws:SourceAccount": accountId },
                        StringLike: { "kms:EncryptionContext:aws:cloudtrail:arn": pulumi.interpolate`arn:${partition}:cloudtrail:*:${accountId}:trail/*` },
                    },
                },
                servicePublishStatement("AwsConfigDelivers", ["config.amazonaws.com"], accountId),
            ],
        }, { parent: this });

        this.messaging = new ManagedKey(`${name}-messaging`, {
            ...common,
            description: "Messaging: SNS topics and SQS queues",
            alias: `${args.aliasPrefix}-messaging`,
            serviceStatements: [
                servicePublishStatement("AwsServicesPublishAlerts", [
                    "cloudwatch.amazonaws.com", "events.amazonaws.com", "budgets.amazonaws.com",
                    "costalerts.amazonaws.com", "backup.amazonaws.com", "sms-voice.amazonaws.com",
                    // SNS delivers inbound SMS into the encrypted work queue.
                    "sns.amazonaws.com",
                ], accountId),
            ],
        }, { parent: this });

        this.backup = new ManagedKey(`${name}-backup`, {
            ...common,
            description: "AWS Backup vault recovery points",
            alias: `${args.aliasPrefix}-backup`,
        }, { parent: this });

        this.registerOutputs({
            dataKeyArn: this.data.arn, logsKeyArn: this.logs.arn,
            messagingKeyArn: this.messaging.arn, backupKeyArn: this.backup.arn,
        });
    }
}
