/**
 * Bootstrap: the encrypted, versioned home of the ai-nutritionist stacks' state, the KMS key of
 * their secrets provider and, when `githubRepository` is set, the GitHub OIDC provider with one
 * deploy role per stack for the workflows. Run once per account with the local file backend; see
 * docs/state-backend.md and docs/ci-cd.md.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { accountContext } from "../components/iam";
import { ManagedKey } from "../components/managed-key";
import { SecureBucket } from "../components/secure-bucket";
import { GithubDeployAccess } from "./github-deploy-access";
import { APP_PROJECT, resolveBootstrapSettings } from "./settings";

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

// GitHub Actions: the OIDC provider and a deploy role per stack, trusted only from that stack's environment.
const github = settings.githubRepository ? new GithubDeployAccess("ai-nutritionist-deploy", {
    repository: settings.githubRepository,
    stacks: settings.deployStacks,
    project: APP_PROJECT,
    existingOidcProviderArn: settings.githubOidcProviderArn || undefined,
    stateBucketArn: stateBucket.arn,
    stateKeyArn: stateKey.arn,
    secretsKeyArn: secretsKey.arn,
    accountId,
    partition,
    region: settings.region,
    deployManagedPolicies: settings.deployManagedPolicies,
}, { provider }) : undefined;

export const stateBucketName = stateBucket.name;
export const loginUrl = pulumi.interpolate`s3://${stateBucket.name}?region=${settings.region}&awssdk=v2`;
export const secretsProvider = pulumi.interpolate`awskms://${secretsKey.aliasName}?region=${settings.region}`;
export const stateKeyArn = stateKey.arn;
export const secretsKeyArn = secretsKey.arn;
/** Set each as the variable AWS_ROLE_ARN of the GitHub environment with the stack's name (docs/ci-cd.md). */
const disabled = "disabled: set ai-nutritionist-bootstrap:githubRepository";
export const deployRoleArns = github ? github.roleArns : disabled;
export const githubOidcProviderArn = github ? github.oidcProviderArn : disabled;
