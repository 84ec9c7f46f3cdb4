import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface EncryptedLogGroupArgs {
    /** Name prefix; must fall under a prefix the logs key's policy admits (e.g. `/ai-nutritionist/dev/`). */
    namePrefix?: string;
    /** Exact name, for log groups a service writes to by name (API Gateway execution logs). Defaults to auto-naming from namePrefix. */
    name?: pulumi.Input<string>;
    /** KMS key ARN that encrypts the log data. */
    kmsKeyArn: pulumi.Input<string>;
    /** Retention in days (a value CloudWatch Logs accepts). */
    retentionInDays: number;
}

/** A CloudWatch log group encrypted with a customer-managed key and with a retention. */
export function encryptedLogGroup(name: string, args: EncryptedLogGroupArgs, opts: pulumi.CustomResourceOptions): aws.cloudwatch.LogGroup {
    return new aws.cloudwatch.LogGroup(name, {
        name: args.name,
        namePrefix: args.name === undefined ? args.namePrefix : undefined,
        kmsKeyId: args.kmsKeyArn,
        retentionInDays: args.retentionInDays,
    }, opts);
}
