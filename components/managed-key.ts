import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { policyDocument, Statement } from "./iam";
import { assertValidArgs } from "./validation";

export interface ManagedKeyArgs {
    /** What the key protects, shown in the console. */
    description: string;
    /** Alias without the `alias/` prefix, e.g. `ai-nutritionist-prod-data`. */
    alias: string;
    /** Account that administers the key through IAM (the account root principal). */
    accountId: pulumi.Input<string>;
    /** Partition for ARNs. Defaults to "aws". */
    partition?: pulumi.Input<string>;
    /** Statements for the service principals that use the key, added after the administration statement. Defaults to none. */
    serviceStatements?: Statement[];
    /**
     * Leave the key policy to a separate `aws.kms.KeyPolicy` (needed when a statement names a
     * resource that itself depends on the key, such as a CloudFront distribution). Defaults to false.
     */
    deferPolicy?: boolean;
    /** Waiting period before a scheduled deletion, 7-30 days. Defaults to 30. */
    deletionWindowInDays?: number;
    /** Automatic yearly rotation. Defaults to true; turning it off is flagged by the policy pack. */
    enableKeyRotation?: boolean;
}

/** Pure validation of ManagedKeyArgs; returns every problem. */
export function validateManagedKeyArgs(args: ManagedKeyArgs): string[] {
    const p: string[] = [];
    const window = args.deletionWindowInDays ?? 30;
    if (!Number.isInteger(window) || window < 7 || window > 30) p.push(`deletionWindowInDays must be 7-30 (got ${window})`);
    if (!/^[a-zA-Z0-9/_-]+$/.test(args.alias) || args.alias.startsWith("aws/")) p.push(`alias must use letters, digits, / _ - and not start with aws/ (got ${args.alias})`);
    return p;
}

/**
 * A customer-managed symmetric KMS key with rotation on, an alias, and a key policy that lets
 * the account administer it through IAM and only the named service principals use it.
 */
export class ManagedKey extends pulumi.ComponentResource {
    public readonly key: aws.kms.Key;
    public readonly alias: aws.kms.Alias;
    public readonly arn: pulumi.Output<string>;
    public readonly keyId: pulumi.Output<string>;
    public readonly aliasName: pulumi.Output<string>;
    private readonly args: ManagedKeyArgs;

    constructor(name: string, args: ManagedKeyArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ai-nutritionist:security:ManagedKey", name, {}, opts);
        this.args = args;
        const problems = validateManagedKeyArgs(args);
        assertValidArgs(name, problems, this);
        const window = args.deletionWindowInDays ?? 30;
        this.key = new aws.kms.Key(`${name}-key`, {
            description: args.description,
            enableKeyRotation: args.enableKeyRotation ?? true,
            deletionWindowInDays: window,
            policy: args.deferPolicy ? undefined : this.policy(args.serviceStatements ?? []),
        }, { parent: this });
        this.alias = new aws.kms.Alias(`${name}-alias`, {
            name: `alias/${args.alias}`,
            targetKeyId: this.key.keyId,
        }, { parent: this });
        this.arn = this.key.arn;
        this.keyId = this.key.keyId;
        this.aliasName = this.alias.name;
        this.registerOutputs({ arn: this.arn, keyId: this.keyId, aliasName: this.aliasName });
    }

    /** The key policy document: account administration plus the given service statements. */
    public policy(serviceStatements: Statement[]): pulumi.Output<string> {
        const partition = this.args.partition ?? "aws";
        return policyDocument([
            {
                Sid: "AccountAdministersThroughIam",
                Effect: "Allow",
                Principal: { AWS: pulumi.interpolate`arn:${partition}:iam::${this.args.accountId}:root` },
                Action: "kms:*",
                Resource: "*",
            },
            ...serviceStatements,
        ]);
    }
}

/**
 * CloudWatch Logs may use the key only for log groups whose ARN matches one of the prefixes.
 * The cryptographic actions carry the log group's ARN as encryption context; DescribeKey carries
 * no encryption context, so it is its own statement (metadata only, no use of the key).
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
 */
export function logsStatements(region: pulumi.Input<string>, logGroupArnPatterns: pulumi.Input<string>[]): Statement[] {
    const principal = { Service: pulumi.interpolate`logs.${region}.amazonaws.com` };
    return [
        {
            Sid: "CloudWatchLogsForOurLogGroups",
            Effect: "Allow",
            Principal: principal,
            Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*"],
            Resource: "*",
            Condition: { ArnLike: { "kms:EncryptionContext:aws:logs:arn": logGroupArnPatterns } },
        },
        { Sid: "CloudWatchLogsDescribesKey", Effect: "Allow", Principal: principal, Action: "kms:DescribeKey", Resource: "*" },
    ];
}

/** AWS services that publish to or deliver into resources encrypted with the key, from this account only. */
export function servicePublishStatement(sid: string, services: string[], accountId: pulumi.Input<string>, actions = ["kms:GenerateDataKey*", "kms:Decrypt"]): Statement {
    return {
        Sid: sid,
        Effect: "Allow",
        Principal: { Service: services },
        Action: actions,
        Resource: "*",
        Condition: { StringEquals: { "aws:SourceAccount": accountId } },
    };
}
