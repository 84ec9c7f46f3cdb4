/**
 * GitHub Actions → AWS without stored keys: the account's GitHub OIDC identity provider and one
 * deploy role per stack, assumable only by a workflow job of one repository that runs in that
 * stack's GitHub environment.
 *
 * Sources: GitHub, "Configuring OpenID Connect in Amazon Web Services" (issuer
 * token.actions.githubusercontent.com, audience sts.amazonaws.com, subject
 * `repo:<owner>/<repo>:environment:<name>` for a job with an environment); AWS IAM User Guide,
 * "Create a role for OpenID Connect federation" (conditions on `<provider>:aud` and `:sub`).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { policyDocument, Statement } from "../components/iam";
import { assertValidArgs } from "../components/validation";

export const GITHUB_OIDC_HOST = "token.actions.githubusercontent.com";
export const GITHUB_OIDC_AUDIENCE = "sts.amazonaws.com";

/** IAM path of the deploy roles: keeps them out of every stack's `role/<project>-<stack>-*` scope. */
export const DEPLOY_ROLE_PATH = "/github-deploy/";

/**
 * The AWS managed policies the program's own roles attach (AWS Backup, API Gateway logging,
 * AWS Config). A deploy role may attach these and no other managed policy to its stack's roles.
 */
export const ATTACHABLE_MANAGED_POLICIES = [
    "service-role/AWSBackupServiceRolePolicyForBackup",
    "service-role/AWSBackupServiceRolePolicyForRestores",
    "service-role/AmazonAPIGatewayPushToCloudWatchLogs",
    "service-role/AWS_ConfigRole",
];

/** Longest role name IAM accepts (IAM API Reference, CreateRole: RoleName 1-64). */
const ROLE_NAME_MAX = 64;
/** Auto-naming adds `-` and 7 hex characters to the logical name. */
const AUTONAME_SUFFIX = 8;

export interface GithubDeployAccessArgs {
    /** The GitHub repository whose workflows deploy, as `owner/name` (exact case). Required. */
    repository: string;
    /** Stacks that get a deploy role; each is also the name of the GitHub environment its jobs run in. Required, at least one. */
    stacks: string[];
    /** Pulumi project of the stacks: names the state objects and the IAM scope `<project>-<stack>-*`. Required. */
    project: string;
    /** An existing GitHub OIDC provider of the account (IAM allows one per URL). Defaults to creating one. */
    existingOidcProviderArn?: string;
    /** The state bucket's ARN (S3 backend). Required. */
    stateBucketArn: pulumi.Input<string>;
    /** The state bucket's KMS key. Required. */
    stateKeyArn: pulumi.Input<string>;
    /** The secrets provider's KMS key (`awskms://`). Required. */
    secretsKeyArn: pulumi.Input<string>;
    /** AWS account of the roles. Required. */
    accountId: pulumi.Input<string>;
    /** AWS partition (`aws`, `aws-us-gov`, `aws-cn`). Required. */
    partition: pulumi.Input<string>;
    /** Region of the state bucket (for the `kms:ViaService` condition on the state key). Required. */
    region: string;
    /**
     * Managed policies granting the deploy itself. Defaults to `["PowerUserAccess"]`: every
     * service but IAM, Organizations and Account management; IAM comes from a scoped inline policy.
     */
    deployManagedPolicies?: string[];
    /** Longest session of a deploy, in hours (a first prod `up` with CloudFront and ElastiCache takes ~40 min). Defaults to 2. */
    maxSessionHours?: number;
}

/** Every problem of the arguments (empty when valid). */
export function validateGithubDeployAccessArgs(args: Pick<GithubDeployAccessArgs, "repository" | "stacks" | "project" | "existingOidcProviderArn" | "maxSessionHours">): string[] {
    const p: string[] = [];
    // GitHub owner names: letters, digits and single hyphens; repository names: letters, digits, . _ -
    if (!/^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}\/[A-Za-z0-9._-]{1,100}$/.test(args.repository)) {
        p.push(`repository must be <owner>/<name> as GitHub spells it (got ${JSON.stringify(args.repository)})`);
    }
    if (!args.stacks.length) p.push("stacks must name at least one stack");
    const seen = new Set<string>();
    const roleRoom = ROLE_NAME_MAX - AUTONAME_SUFFIX - `${args.project}-deploy--role`.length;
    for (const s of args.stacks) {
        if (seen.has(s)) p.push(`stacks lists ${s} twice`);
        seen.add(s);
        if (!/^[A-Za-z0-9_.-]+$/.test(s)) p.push(`stack ${JSON.stringify(s)} must use letters, digits, _ . - (a Pulumi stack and GitHub environment name)`);
        if (s.length > roleRoom) p.push(`stack ${s} is ${s.length} characters; its deploy role name allows ${roleRoom} (IAM role names are at most ${ROLE_NAME_MAX})`);
    }
    // The scope `<project>-<a>-*` would also cover the roles of a stack named `<a>-<more>`.
    for (const a of args.stacks) {
        for (const b of args.stacks) {
            if (a !== b && b.startsWith(`${a}-`)) p.push(`stack ${b} starts with ${a}-, so ${a}'s IAM scope ${args.project}-${a}-* would cover ${b}'s roles`);
        }
    }
    if (args.existingOidcProviderArn && !/^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\/token\.actions\.githubusercontent\.com$/.test(args.existingOidcProviderArn)) {
        p.push(`existingOidcProviderArn must be the ARN of the ${GITHUB_OIDC_HOST} provider (got ${args.existingOidcProviderArn})`);
    }
    const hours = args.maxSessionHours ?? 2;
    if (!Number.isInteger(hours) || hours < 1 || hours > 12) p.push(`maxSessionHours must be a whole number of hours 1-12 (got ${hours})`);
    return p;
}

/** The subject GitHub puts in the token of a job that runs in `environment` of `repository`. */
export function githubEnvironmentSubject(repository: string, environment: string): string {
    return `repo:${repository}:environment:${environment}`;
}

/** Trust policy of a stack's deploy role: this provider, this audience, this repository and environment only. */
export function deployTrustStatements(providerArn: pulumi.Input<string>, repository: string, stack: string): Statement[] {
    return [{
        Sid: "GithubEnvironmentOnly",
        Effect: "Allow",
        Principal: { Federated: providerArn },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
            StringEquals: {
                [`${GITHUB_OIDC_HOST}:aud`]: GITHUB_OIDC_AUDIENCE,
                [`${GITHUB_OIDC_HOST}:sub`]: githubEnvironmentSubject(repository, stack),
            },
        },
    }];
}

export interface DeployPolicyInputs {
    project: string;
    stack: string;
    accountId: pulumi.Input<string>;
    partition: pulumi.Input<string>;
    region: string;
    stateBucketArn: pulumi.Input<string>;
    stateKeyArn: pulumi.Input<string>;
    secretsKeyArn: pulumi.Input<string>;
}

/**
 * The inline policy of a stack's deploy role: what the managed deploy policy leaves out (IAM for
 * the stack's own roles) or must never allow (changing or deleting the bootstrap's bucket and keys).
 */
export function deployInlineStatements(i: DeployPolicyInputs): Statement[] {
    const iamArn = (kind: string, rest: string) => pulumi.interpolate`arn:${i.partition}:iam::${i.accountId}:${kind}/${rest}`;
    const stackRoles = iamArn("role", `${i.project}-${i.stack}-*`);
    const stateObjects = (prefix: string) => pulumi.interpolate`${i.stateBucketArn}/.pulumi/${prefix}`;
    return [
        {
            // Pulumi's S3 ("diy") backend keeps each stack under .pulumi/{stacks,history,backups,locks}/<project>/<stack>.
            Sid: "StateOfThisStack",
            Effect: "Allow",
            Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
            Resource: [
                stateObjects(`stacks/${i.project}/${i.stack}.json*`),
                stateObjects(`history/${i.project}/${i.stack}/*`),
                stateObjects(`backups/${i.project}/${i.stack}/*`),
                stateObjects(`locks/${i.project}/${i.stack}/*`),
            ],
        },
        { Sid: "StateBackendMetadata", Effect: "Allow", Action: "s3:GetObject", Resource: stateObjects("meta.yaml") },
        { Sid: "ListState", Effect: "Allow", Action: ["s3:ListBucket", "s3:GetBucketLocation"], Resource: i.stateBucketArn },
        {
            // The bucket is SSE-KMS: S3 calls the state key on the caller's behalf.
            Sid: "StateKeyThroughS3",
            Effect: "Allow",
            Action: ["kms:Decrypt", "kms:GenerateDataKey"],
            Resource: i.stateKeyArn,
            Condition: { StringEquals: { "kms:ViaService": `s3.${i.region}.amazonaws.com` } },
        },
        {
            // The awskms:// secrets provider wraps the stack's data key with this key.
            Sid: "SecretsProviderKey",
            Effect: "Allow",
            Action: ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"],
            Resource: i.secretsKeyArn,
        },
        {
            Sid: "IamReadForRefresh",
            Effect: "Allow",
            Action: ["iam:GetRole", "iam:GetRolePolicy", "iam:ListRolePolicies", "iam:ListAttachedRolePolicies", "iam:ListRoleTags", "iam:ListInstanceProfilesForRole", "iam:GetPolicy", "iam:GetPolicyVersion"],
            Resource: "*",
        },
        {
            Sid: "RolesOfThisStack",
            Effect: "Allow",
            Action: ["iam:CreateRole", "iam:DeleteRole", "iam:UpdateRole", "iam:UpdateRoleDescription", "iam:UpdateAssumeRolePolicy", "iam:TagRole", "iam:UntagRole",
                "iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:PassRole"],
            Resource: stackRoles,
        },
        {
            Sid: "OnlyTheManagedPoliciesTheStackUses",
            Effect: "Allow",
            Action: ["iam:AttachRolePolicy", "iam:DetachRolePolicy"],
            Resource: stackRoles,
            Condition: { ArnEquals: { "iam:PolicyARN": ATTACHABLE_MANAGED_POLICIES.map(p => pulumi.interpolate`arn:${i.partition}:iam::aws:policy/${p}`) } },
        },
        {
            Sid: "NeverTheStateBucketSettings",
            Effect: "Deny",
            Action: ["s3:DeleteBucket", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy", "s3:PutBucketVersioning", "s3:PutLifecycleConfiguration",
                "s3:PutEncryptionConfiguration", "s3:PutBucketPublicAccessBlock", "s3:PutBucketOwnershipControls", "s3:PutBucketAcl"],
            Resource: i.stateBucketArn,
        },
        { Sid: "NeverErasedStateHistory", Effect: "Deny", Action: "s3:DeleteObjectVersion", Resource: pulumi.interpolate`${i.stateBucketArn}/*` },
        {
            Sid: "NeverTheBootstrapKeys",
            Effect: "Deny",
            Action: ["kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:DisableKeyRotation", "kms:PutKeyPolicy", "kms:CreateGrant", "kms:RevokeGrant", "kms:RetireGrant"],
            Resource: [i.stateKeyArn, i.secretsKeyArn],
        },
    ];
}

/**
 * GitHub Actions deploy access: the account's GitHub OIDC provider (audience sts.amazonaws.com)
 * and, per stack, a role under /github-deploy/ that only a job of the named repository running in
 * the GitHub environment of that stack can assume; it may use that stack's state and the secrets
 * key, deploy with the managed deploy policy (PowerUserAccess by default), manage only the IAM
 * roles of its stack, and never change or delete the state bucket and keys.
 */
export class GithubDeployAccess extends pulumi.ComponentResource {
    public readonly oidcProviderArn: pulumi.Output<string>;
    /** Stack → ARN of its deploy role. */
    public readonly roleArns: Record<string, pulumi.Output<string>>;

    constructor(name: string, args: GithubDeployAccessArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ai-nutritionist:ci:GithubDeployAccess", name, {}, opts);
        assertValidArgs(name, validateGithubDeployAccessArgs(args), this);

        this.oidcProviderArn = args.existingOidcProviderArn
            ? pulumi.output(args.existingOidcProviderArn)
            : new aws.iam.OpenIdConnectProvider(`${name}-github-oidc`, {
                url: `https://${GITHUB_OIDC_HOST}`,
                clientIdLists: [GITHUB_OIDC_AUDIENCE],
                // No thumbprintLists: IAM verifies GitHub's certificate against its own trusted CAs
                // (@pulumi/aws iam.OpenIdConnectProvider docs; AWS IAM User Guide, OIDC providers).
            }, { parent: this }).arn;

        const managed = args.deployManagedPolicies ?? ["PowerUserAccess"];
        this.roleArns = {};
        for (const stack of args.stacks) {
            const role = new aws.iam.Role(`${name}-${stack}-role`, {
                path: DEPLOY_ROLE_PATH,
                description: `GitHub Actions deploy of stack ${stack} from ${args.repository} (environment ${stack})`,
                assumeRolePolicy: policyDocument(deployTrustStatements(this.oidcProviderArn, args.repository, stack)),
                maxSessionDuration: (args.maxSessionHours ?? 2) * 3600,
            }, { parent: this });
            new aws.iam.RolePolicy(`${name}-${stack}-policy`, {
                role: role.id,
                policy: policyDocument(deployInlineStatements({ ...args, stack })),
            }, { parent: this });
            managed.forEach((policy, n) => new aws.iam.RolePolicyAttachment(`${name}-${stack}-managed-${n}`, {
                role: role.name,
                policyArn: pulumi.interpolate`arn:${args.partition}:iam::aws:policy/${policy}`,
            }, { parent: this }));
            this.roleArns[stack] = role.arn;
        }
        this.registerOutputs({ oidcProviderArn: this.oidcProviderArn, roleArns: this.roleArns });
    }
}
