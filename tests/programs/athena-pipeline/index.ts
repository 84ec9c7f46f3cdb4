// The analytics team's query stack: an encrypted results bucket, a Glue database, an Athena workgroup,
// and a monthly cost budget from the stack's config.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

const config = new pulumi.Config();
const key = new aws.kms.Key("analytics-key", { enableKeyRotation: true });
const logs = new aws.s3.Bucket("access-logs", {
    serverSideEncryptionConfiguration: { rule: { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } } },
});
const results = new aws.s3.Bucket("results", {
    versioning: { enabled: true },
    logging: { targetBucket: logs.bucket, targetPrefix: "results/" },
    serverSideEncryptionConfiguration: { rule: { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: key.arn } } },
});
for (const [name, bucket] of [["results", results], ["access-logs", logs]] as const) {
    new aws.s3.BucketPublicAccessBlock(`${name}-block`, {
        bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true,
    });
    new aws.s3.BucketPolicy(`${name}-tls`, {
        bucket: bucket.id,
        policy: pulumi.jsonStringify({ Version: "2012-10-17", Statement: [{ Sid: "TlsOnly", Effect: "Deny", Principal: "*", Action: "s3:*",
            Resource: [bucket.arn, pulumi.interpolate`${bucket.arn}/*`], Condition: { Bool: { "aws:SecureTransport": "false" } } }] }),
    });
}

const database = new aws.glue.CatalogDatabase("clickstream", { name: "clickstream" });
const workgroup = new aws.athena.Workgroup("analysts", {
    configuration: {
        enforceWorkgroupConfiguration: true,
        resultConfiguration: {
            outputLocation: pulumi.interpolate`s3://${results.bucket}/athena/`,
            encryptionConfiguration: { encryptionOption: "SSE_KMS", kmsKeyArn: key.arn },
        },
    },
});
new aws.budgets.Budget("monthly", {
    budgetType: "COST",
    timeUnit: "MONTHLY",
    limitAmount: config.require("monthlyBudgetUsd"),
    limitUnit: "USD",
});

export const databaseName = database.name;
export const workgroupName = workgroup.name;
