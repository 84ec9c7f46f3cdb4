/**
 * IAM and key-policy documents built as plain objects (nested Inputs resolved by
 * `pulumi.jsonStringify`), so they stay readable and the policy pack sees real JSON.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface Statement {
    Sid?: string;
    Effect: "Allow" | "Deny";
    Principal?: any;
    Action: string | string[];
    Resource?: pulumi.Input<string> | pulumi.Input<string>[];
    Condition?: Record<string, Record<string, pulumi.Input<string> | pulumi.Input<string>[] | boolean | undefined>>;
}

export function policyDocument(statements: Statement[]): pulumi.Output<string> {
    return pulumi.jsonStringify({ Version: "2012-10-17", Statement: statements });
}

/** The trust policy of a role that one AWS service assumes, limited to this account. */
export function assumeRolePolicy(service: string, accountId?: pulumi.Input<string>): pulumi.Output<string> {
    const statement: Statement = { Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" };
    if (accountId) statement.Condition = { StringEquals: { "aws:SourceAccount": accountId } };
    return policyDocument([statement]);
}

/** Account id and partition of the provider in scope, for ARNs and key policies. */
export function accountContext(opts: pulumi.InvokeOutputOptions): { accountId: pulumi.Output<string>; partition: pulumi.Output<string> } {
    return {
        accountId: aws.getCallerIdentityOutput({}, opts).accountId,
        partition: aws.getPartitionOutput({}, opts).partition,
    };
}

/** A statement that denies any request made without TLS (S3 and SQS resource policies). */
export function denyInsecureTransport(action: string, resources: pulumi.Input<string>[]): Statement {
    return {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: action,
        Resource: resources,
        Condition: { Bool: { "aws:SecureTransport": false } },
    };
}

/** An SNS topic policy: the named AWS services may publish from this account only, and nobody without TLS. */
export function topicPublishPolicy(topicArn: pulumi.Input<string>, services: string[], accountId: pulumi.Input<string>): pulumi.Output<string> {
    return policyDocument([
        {
            Sid: "AwsServicesPublish",
            Effect: "Allow",
            Principal: { Service: services },
            Action: "sns:Publish",
            Resource: topicArn,
            Condition: { StringEquals: { "aws:SourceAccount": accountId } },
        },
        denyInsecureTransport("sns:Publish", [topicArn]),
    ]);
}
