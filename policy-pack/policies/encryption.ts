/** Encryption at rest with customer-managed KMS keys, and key rotation. */
import { isSet, linked, read, resourcePolicy, stackPolicy, UNKNOWN } from "./helpers";

const AWS_MANAGED_ALIAS = /^alias\/aws\//;

/** A key reference that names a customer-managed key (an unknown ARN will be one of ours). */
function customerKey(v: unknown): boolean {
    if (v === UNKNOWN) return true;
    return typeof v === "string" && v !== "" && !AWS_MANAGED_ALIAS.test(v);
}

export const dynamodbEncryption = resourcePolicy({
    name: "dynamodb-encryption-cmk",
    description: "DynamoDB tables are encrypted with a customer-managed KMS key, not the AWS-owned key.",
    types: ["aws:dynamodb/table:Table"],
    check: (props, violation) => {
        const enabled = read(props, "serverSideEncryption", "enabled");
        const key = read(props, "serverSideEncryption", "kmsKeyArn");
        if (enabled !== true && enabled !== UNKNOWN) violation("serverSideEncryption.enabled must be true: without it the table uses the AWS-owned key.");
        else if (!customerKey(key)) violation("serverSideEncryption.kmsKeyArn must name a customer-managed key.");
    },
});

export const sqsEncryption = resourcePolicy({
    name: "sqs-encryption-cmk",
    description: "SQS queues are encrypted with a customer-managed KMS key (not SQS-managed SSE).",
    types: ["aws:sqs/queue:Queue"],
    check: (props, violation) => {
        if (!customerKey(read(props, "kmsMasterKeyId"))) violation("kmsMasterKeyId must name a customer-managed key (SQS-managed SSE and alias/aws/sqs give no key policy of ours).");
    },
});

export const snsEncryption = resourcePolicy({
    name: "sns-encryption-cmk",
    description: "SNS topics are encrypted with a customer-managed KMS key.",
    types: ["aws:sns/topic:Topic"],
    check: (props, violation) => {
        if (!customerKey(read(props, "kmsMasterKeyId"))) violation("kmsMasterKeyId must name a customer-managed key.");
    },
});

export const logGroupEncryption = resourcePolicy({
    name: "log-group-encryption-cmk",
    description: "CloudWatch log groups are encrypted with a customer-managed KMS key.",
    types: ["aws:cloudwatch/logGroup:LogGroup"],
    check: (props, violation) => {
        if (!customerKey(read(props, "kmsKeyId"))) violation("kmsKeyId must name a customer-managed key.");
    },
});

export const elasticacheEncryption = resourcePolicy({
    name: "elasticache-encryption-at-rest-cmk",
    description: "ElastiCache replication groups are encrypted at rest with a customer-managed KMS key.",
    types: ["aws:elasticache/replicationGroup:ReplicationGroup"],
    check: (props, violation) => {
        const atRest = read(props, "atRestEncryptionEnabled");
        if (atRest !== true && atRest !== "true" && atRest !== UNKNOWN) violation("atRestEncryptionEnabled must be true.");
        else if (!customerKey(read(props, "kmsKeyId"))) violation("kmsKeyId must name a customer-managed key.");
    },
});

export const backupVaultEncryption = resourcePolicy({
    name: "backup-vault-encryption-cmk",
    description: "AWS Backup vaults are encrypted with a customer-managed KMS key.",
    types: ["aws:backup/vault:Vault"],
    check: (props, violation) => {
        if (!customerKey(read(props, "kmsKeyArn"))) violation("kmsKeyArn must name a customer-managed key.");
    },
});

export const lambdaEnvironmentEncryption = resourcePolicy({
    name: "lambda-environment-encryption-cmk",
    description: "Lambda functions with environment variables encrypt them with a customer-managed KMS key.",
    types: ["aws:lambda/function:Function"],
    check: (props, violation) => {
        const vars = read(props, "environment", "variables");
        const hasVars = vars === UNKNOWN || (vars && typeof vars === "object" && Object.keys(vars).length > 0);
        if (hasVars && !customerKey(read(props, "kmsKeyArn"))) violation("kmsKeyArn must name a customer-managed key when the function has environment variables.");
    },
});

export const secretEncryption = resourcePolicy({
    name: "secrets-encryption-cmk",
    description: "Secrets Manager secrets are encrypted with a customer-managed KMS key.",
    types: ["aws:secretsmanager/secret:Secret"],
    check: (props, violation) => {
        if (!customerKey(read(props, "kmsKeyId"))) violation("kmsKeyId must name a customer-managed key (aws/secretsmanager cannot be shared or audited by key policy).");
    },
});

export const kmsRotation = resourcePolicy({
    name: "kms-key-rotation",
    description: "Symmetric customer-managed KMS keys rotate automatically.",
    types: ["aws:kms/key:Key"],
    check: (props, violation) => {
        const spec = read(props, "customerMasterKeySpec");
        const usage = read(props, "keyUsage");
        if ((spec && spec !== "SYMMETRIC_DEFAULT" && spec !== UNKNOWN) || (usage && usage !== "ENCRYPT_DECRYPT" && usage !== UNKNOWN)) return;
        const rotation = read(props, "enableKeyRotation");
        if (rotation !== true && rotation !== UNKNOWN) violation("enableKeyRotation must be true (automatic yearly rotation).");
    },
});

export const s3Encryption = stackPolicy({
    name: "s3-bucket-encryption-cmk",
    description: "Every S3 bucket has default encryption with a customer-managed KMS key (its BucketServerSideEncryptionConfiguration).",
    check: (resources, violation) => {
        const configs = resources.filter(r => r.type === "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration");
        for (const bucket of resources.filter(r => r.type === "aws:s3/bucket:Bucket")) {
            const mine = configs.filter(c => linked(c, "bucket", bucket, "bucket"));
            if (mine.length === 0) {
                violation("no BucketServerSideEncryptionConfiguration targets this bucket.", bucket.urn);
                continue;
            }
            const rules = mine.flatMap(c => {
                const r = read(c.props, "rules");
                return Array.isArray(r) ? r : [];
            });
            const kms = rules.some(r => {
                const algo = read(r, "applyServerSideEncryptionByDefault", "sseAlgorithm");
                const key = read(r, "applyServerSideEncryptionByDefault", "kmsMasterKeyId");
                return (algo === "aws:kms" || algo === "aws:kms:dsse") && isSet(key) && (key === UNKNOWN || !/^alias\/aws\//.test(key));
            });
            if (!kms) violation("default encryption must be aws:kms with a customer-managed kmsMasterKeyId.", bucket.urn);
        }
    },
});
