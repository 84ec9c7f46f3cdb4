import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface EncryptedLogGroupArgs {
    /** Name prefix; must fall under a prefix the logs key's policy admits (e.g. `/ai-nutritionist/dev/`). */
    namePrefix: string;
    /** KMS key ARN that encrypts the log data. */
    kmsKeyArn: pulumi.Input<string>;
    /** Retention in days (a value CloudWatch Logs accepts). */
    retentionInDays: number;
}

/** A CloudWatch log group encrypted with a customer-managed key and with a retention. */
export function encryptedLogGroup(name: string, args: EncryptedLogGroupArgs, opts: pulumi.CustomResourceOptions): aws.cloudwatch.LogGroup {
    return new aws.cloudwatch.LogGroup(name, {
        namePrefix: args.namePrefix,
        kmsKeyId: args.kmsKeyArn,
        retentionInDays: args.retentionInDays,
    }, opts);
}
