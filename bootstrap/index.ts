/**
 * Bootstrap: the encrypted, versioned home of the ai-nutritionist stacks' state and the KMS key
 * of their secrets provider. Run once per account with the local file backend; see README,
 * "State and secrets".
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { accountContext } from "../components/iam";
import { ManagedKey } from "../components/managed-key";
import { SecureBucket } from "../components/secure-bucket";
import { resolveBootstrapSettings } from "./settings";

const settings = resolveBootstrapSettings(pulumi.runtime.allConfig());
const provider = new aws.Provider("aws-bootstrap", {
    region: settings.region as aws.Region,
    defaultTags: { tags: { Project: "ai-nutritionist", Environment: "prod", Owner: settings.owner, CostCenter: settings.costCenter, ManagedBy: "pulumi", Purpose: "pulumi-state" } },
});
const opts = { provider, protect: true };
const { accountId, partition } = accountContext({ provider });

const stateKey = new ManagedKey("state-key", {
    description: "Pulumi state bucket of the ai-nutritionist stacks",
    alias: "ai-nutritionist-pulumi-state",
    accountId,
    partition,
}, opts);

const stateBucket = new SecureBucket("state", {
    encryption: { kmsKeyArn: stateKey.arn },
    versioning: true,
    noncurrentVersionExpirationDays: settings.stateVersionRetentionDays,
    protect: true,
}, opts);

const secretsKey = new ManagedKey("secrets-key", {
    description: "Pulumi secrets provider of the ai-nutritionist stacks (awskms://)",
    alias: "ai-nutritionist-pulumi-secrets",
    accountId,
    partition,
}, opts);

export const stateBucketName = stateBucket.name;
export const loginUrl = pulumi.interpolate`s3://${stateBucket.name}?region=${settings.region}&awssdk=v2`;
export const secretsProvider = pulumi.interpolate`awskms://${secretsKey.aliasName}?region=${settings.region}`;
export const stateKeyArn = stateKey.arn;
export const secretsKeyArn = secretsKey.arn;
