/** Encryption at rest with customer-managed KMS keys, and key rotation. */
import { asList, customerKey, isTrue, read, resourcePolicy, UNKNOWN } from "./helpers";

/** A table's replicas (`replicas` of a Table) with where they are, for messages. */
export function replicasOf(props: any): { at: string; replica: any }[] {
    return asList(read(props, "replicas")).map((replica, i) => ({ at: `replicas[${i}] (${read(replica, "regionName") ?? "?"})`, replica }));
}

export const dynamodbEncryption = resourcePolicy({
    name: "dynamodb-encryption-cmk",
    description: "DynamoDB tables and their replicas (inline `replicas` or TableReplica) are encrypted with a customer-managed KMS key, not the AWS-owned or AWS-managed key.",
    types: ["aws:dynamodb/table:Table", "aws:dynamodb/tableReplica:TableReplica"],
    check: (props, violation, args) => {
        if (args.type === "aws:dynamodb/tableReplica:TableReplica") {
            if (!customerKey(read(props, "kmsKeyArn"))) violation("kmsKeyArn must name a customer-managed key (without it the replica uses the AWS-managed key alias/aws/dynamodb).");
            return;
        }
        const enabled = read(props, "serverSideEncryption", "enabled");
        const key = read(props, "serverSideEncryption", "kmsKeyArn");
        if (!isTrue(enabled)) violation("serverSideEncryption.enabled must be true: without it the table uses the AWS-owned key.");
        else if (!customerKey(key)) violation("serverSideEncryption.kmsKeyArn must name a customer-managed key.");
        for (const { at, replica } of replicasOf(props)) {
            if (!customerKey(read(replica, "kmsKeyArn"))) violation(`${at}.kmsKeyArn must name a customer-managed key in the replica's region (without it the replica uses alias/aws/dynamodb).`);
        }
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

export const ELASTICACHE_TYPES = {
    cluster: "aws:elasticache/cluster:Cluster",
    replicationGroup: "aws:elasticache/replicationGroup:ReplicationGroup",
    serverless: "aws:elasticache/serverlessCache:ServerlessCache",
} as const;

export const elasticacheEncryption = resourcePolicy({
    name: "elasticache-encryption-at-rest-cmk",
    description: "ElastiCache replication groups and serverless caches are encrypted at rest with a customer-managed KMS key; a standalone cache cluster (no replication group), which cannot encrypt at rest, is refused.",
    types: Object.values(ELASTICACHE_TYPES),
    check: (props, violation, args) => {
        if (args.type === ELASTICACHE_TYPES.cluster) {
            if (!read(props, "replicationGroupId")) violation("a standalone cache cluster cannot encrypt at rest: create a replication group (or a serverless cache) with atRestEncryptionEnabled and kmsKeyId.");
            return;
        }
        if (args.type === ELASTICACHE_TYPES.replicationGroup && !isTrue(read(props, "atRestEncryptionEnabled"))) violation("atRestEncryptionEnabled must be true.");
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
        const hasVars = vars === UNKNOWN || Object.keys(vars ?? {}).length > 0;
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
        if (!isTrue(read(props, "enableKeyRotation"))) violation("enableKeyRotation must be true (automatic yearly rotation).");
    },
});
