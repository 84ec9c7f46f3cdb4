// The security team's CI roles: a deployer with broad managed policies (caught), a reader with a
// read-only one, and a stream consumer whose inline policy names the stream's ARN (an Output).
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

const trust: aws.iam.PolicyDocument = {
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Federated: "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" },
        Action: "sts:AssumeRoleWithWebIdentity", Condition: { StringLike: { "token.actions.githubusercontent.com:sub": "repo:example/app:*" } } }],
};

const deployer = new aws.iam.Role("deployer", { assumeRolePolicy: trust });
new aws.iam.RolePolicyAttachment("deployer-lambda", { role: deployer.name, policyArn: "arn:aws:iam::aws:policy/AWSLambda_FullAccess" });
new aws.iam.RolePolicyAttachment("deployer-s3", { role: deployer.name, policyArn: aws.iam.ManagedPolicy.AmazonS3FullAccess });

const reader = new aws.iam.Role("reader", { assumeRolePolicy: trust, managedPolicyArns: [aws.iam.ManagedPolicy.ReadOnlyAccess] });

const key = new aws.kms.Key("events-key", { enableKeyRotation: true });
const stream = new aws.kinesis.Stream("events", { shardCount: 1, encryptionType: "KMS", kmsKeyId: key.arn });
const consumer = new aws.iam.Role("consumer", { assumeRolePolicy: trust });
new aws.iam.RolePolicy("consumer-read", {
    role: consumer.id,
    policy: pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: ["kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:DescribeStream"], Resource: pulumi.interpolate`${stream.arn}` }],
    }),
});

export const roles = { deployer: deployer.arn, reader: reader.arn, consumer: consumer.arn };
