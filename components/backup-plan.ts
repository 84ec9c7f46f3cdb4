import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { fitName } from "./naming";
import { assumeRolePolicy, policyDocument } from "./iam";
import { ManagedKey } from "./managed-key";
import { assertValidArgs } from "./validation";

export type VaultLockMode = "none" | "governance" | "compliance";

/**
 * The EventBridge pattern of the failed-jobs alert: backup jobs that failed, were aborted, expired or completed
 * only in part, copy jobs that failed or completed only in part, and restore jobs (the monthly restore test's
 * too) that failed or were aborted. Each job type is matched on the field its events carry (see the rule below).
 */
export const FAILED_JOBS_EVENT_PATTERN = {
    source: ["aws.backup"],
    $or: [
        { "detail-type": ["Backup Job State Change"], detail: { state: ["FAILED", "ABORTED", "EXPIRED", "PARTIAL"] } },
        { "detail-type": ["Copy Job State Change"], detail: { state: ["FAILED", "PARTIAL"] } },
        { "detail-type": ["Restore Job State Change"], detail: { status: ["FAILED", "ABORTED"] } },
    ],
};

export interface BackupPlanArgs {
    /** Prefix of names that AWS requires (restore-testing plan) and of the copy key's alias. */
    namePrefix: string;
    /** Key of the primary vault. */
    kmsKeyArn: pulumi.Input<string>;
    /** Keys the backup role must use to read the protected resources (e.g. the tables' data key). */
    sourceKeyArns: pulumi.Input<string>[];
    /** Resources carrying this tag (and the stack's `Stack` tag) are backed up. Defaults to { Backup: "daily" }. */
    selectionTag?: { key: string; value: string };
    /**
     * The stack's name: a protected resource must also carry it as its `Stack` tag (the providers' defaultTags), so
     * two stacks sharing an account — even of one environment — never back up or restore-test each other's tables.
     */
    stack: string;
    /** Daily schedule. Defaults to "cron(0 4 * * ? *)" (04:00 UTC, the seed's time). */
    schedule?: string;
    /** Days before cold storage; 0 = never. Defaults to 30. */
    coldStorageAfterDays?: number;
    /** Days a recovery point is kept; at least cold storage + 90. Defaults to 120. */
    deleteAfterDays?: number;
    /** Also back up hourly, kept this many days (and copied), for a one-hour RPO across regions. Defaults to 0 (off). */
    hourlyRetentionDays?: number;
    /** Copy every recovery point to a vault in another region (its own provider and key). Defaults to no copy. */
    copyTo?: { provider: aws.Provider; region: string; accountId: pulumi.Input<string>; deletionWindowInDays?: number };
    /** Vault Lock mode. Defaults to "none". */
    vaultLock?: VaultLockMode;
    /** Topic that receives failed backup, copy and restore-test jobs. Defaults to none. */
    alertTopicArn?: pulumi.Input<string>;
    /** Monthly restore testing of the latest recovery point. Defaults to true. */
    restoreTesting?: boolean;
    /** Turn on DynamoDB advanced backup (needed for cold storage and cross-region copy); an account/region setting. Defaults to true. */
    manageRegionSettings?: boolean;
}

/** Pure validation; returns every problem. */
export function validateBackupPlanArgs(args: BackupPlanArgs): string[] {
    const p: string[] = [];
    const cold = args.coldStorageAfterDays ?? 30;
    const del = args.deleteAfterDays ?? 120;
    if (cold < 0) p.push(`coldStorageAfterDays must be >= 0 (got ${cold})`);
    if (cold > 0 && del < cold + 90) p.push(`deleteAfterDays must be at least coldStorageAfterDays + 90 = ${cold + 90} (got ${del})`);
    if (del < 1) p.push(`deleteAfterDays must be >= 1 (got ${del})`);
    const hourly = args.hourlyRetentionDays ?? 0;
    if (hourly < 0 || hourly > del) p.push(`hourlyRetentionDays must be 0-${del} (got ${hourly})`);
    if (args.copyTo && args.copyTo.region === undefined) p.push("copyTo needs a region");
    return p;
}

/**
 * AWS Backup for the stack: an encrypted vault, a daily plan (04:00 UTC) with cold storage and
 * expiry, an optional hourly rule, cross-region copies to a vault with its own key, tag-based
 * selection, a role with the AWS managed backup and restore policies, failed-job alerts,
 * monthly restore testing and, where asked, Vault Lock.
 */
export class BackupPlan extends pulumi.ComponentResource {
    public readonly vault: aws.backup.Vault;
    public readonly plan: aws.backup.Plan;
    public readonly role: aws.iam.Role;
    public readonly copyVault?: aws.backup.Vault;
    public readonly copyKey?: ManagedKey;
    public readonly vaultName: pulumi.Output<string>;

    constructor(name: string, args: BackupPlanArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ai-nutritionist:backup:BackupPlan", name, {}, opts);
        const problems = validateBackupPlanArgs(args);
        assertValidArgs(name, problems, this);

        const cold = args.coldStorageAfterDays ?? 30;
        const deleteAfter = args.deleteAfterDays ?? 120;
        const hourly = args.hourlyRetentionDays ?? 0;
        const tag = args.selectionTag ?? { key: "Backup", value: "daily" };
        const lifecycle = { coldStorageAfter: cold > 0 ? cold : undefined, deleteAfter };

        if (args.manageRegionSettings ?? true) {
            new aws.backup.RegionSettings(`${name}-region-settings`, {
                resourceTypeOptInPreference: { DynamoDB: true },
                resourceTypeManagementPreference: { DynamoDB: true },
            }, { parent: this });
        }

        this.vault = new aws.backup.Vault(`${name}-vault`, { kmsKeyArn: args.kmsKeyArn }, { parent: this });
        this.vaultName = this.vault.name;

        let copyActions: aws.types.input.backup.PlanRuleCopyAction[] | undefined;
        if (args.copyTo) {
            const copyOpts = { parent: this, provider: args.copyTo.provider };
            this.copyKey = new ManagedKey(`${name}-copy-key`, {
                description: `AWS Backup copies from the primary region (${args.namePrefix})`,
                alias: `${args.namePrefix}-backup-copy`,
                accountId: args.copyTo.accountId,
                deletionWindowInDays: args.copyTo.deletionWindowInDays,
            }, copyOpts);
            // Logical name kept short: the vault is auto-named and AWS caps vault names at 50 (CreateBackupVault).
            this.copyVault = new aws.backup.Vault(`${name}-copy`, { kmsKeyArn: this.copyKey.arn },
                { ...copyOpts, aliases: [{ name: `${name}-copy-vault` }] });
            copyActions = [{ destinationVaultArn: this.copyVault.arn, lifecycle }];
        }

        const rules: aws.types.input.backup.PlanRule[] = [{
            ruleName: "daily",
            targetVaultName: this.vault.name,
            schedule: args.schedule ?? "cron(0 4 * * ? *)",
            startWindow: 60,
            completionWindow: 360,
            lifecycle,
            copyActions,
            recoveryPointTags: { Rule: "daily" },
        }];
        if (hourly > 0) {
            rules.push({
                ruleName: "hourly",
                targetVaultName: this.vault.name,
                schedule: "cron(0 * * * ? *)",
                startWindow: 60,
                completionWindow: 120,
                lifecycle: { deleteAfter: hourly },
                copyActions: copyActions?.map(c => ({ ...c, lifecycle: { deleteAfter: hourly } })),
                recoveryPointTags: { Rule: "hourly" },
            });
        }
        this.plan = new aws.backup.Plan(`${name}-plan`, { rules }, { parent: this });

        this.role = new aws.iam.Role(`${name}-role`, {
            assumeRolePolicy: assumeRolePolicy("backup.amazonaws.com"),
            description: "AWS Backup: back up and restore the tagged tables",
        }, { parent: this });
        for (const [role, policy] of [["backup", "AWSBackupServiceRolePolicyForBackup"], ["restores", "AWSBackupServiceRolePolicyForRestores"]]) {
            new aws.iam.RolePolicyAttachment(`${name}-role-${role}`, {
                role: this.role.name,
                policyArn: `arn:aws:iam::aws:policy/service-role/${policy}`,
            }, { parent: this });
        }
        const keyArns = [args.kmsKeyArn, ...args.sourceKeyArns, ...(this.copyKey ? [this.copyKey.arn] : [])];
        new aws.iam.RolePolicy(`${name}-role-keys`, {
            role: this.role.id,
            policy: policyDocument([{
                Sid: "UseBackupAndSourceKeys",
                Effect: "Allow",
                Action: ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*", "kms:DescribeKey", "kms:CreateGrant"],
                Resource: keyArns,
            }]),
        }, { parent: this });

        new aws.backup.Selection(`${name}-selection`, {
            // Unique only inside its plan; AWS caps selection names at 50 (BackupSelection).
            name: "tagged-tables",
            planId: this.plan.id,
            iamRoleArn: this.role.arn,
            resources: ["arn:aws:dynamodb:*:*:table/*"],
            conditions: [{
                stringEquals: [
                    { key: `aws:ResourceTag/${tag.key}`, value: tag.value },
                    { key: "aws:ResourceTag/Stack", value: args.stack },
                ],
            }],
        }, { parent: this });

        if (args.restoreTesting ?? true) {
            const testPlan = new aws.backup.RestoreTestingPlan(`${name}-restore-test`, {
                // Letters, digits and underscores, at most 50 (RestoreTestingPlanForCreate).
                name: fitName(`${args.namePrefix.replace(/[^A-Za-z0-9]/g, "_")}_monthly_restore_test`, 50, "_"),
                scheduleExpression: "cron(0 6 1 * ? *)",
                startWindowHours: 24,
                recoveryPointSelection: {
                    algorithm: "LATEST_WITHIN_WINDOW",
                    includeVaults: [this.vault.arn],
                    recoveryPointTypes: ["SNAPSHOT"],
                    selectionWindowDays: 7,
                },
            }, { parent: this });
            // CreateRestoreTestingSelection: tag conditions select only together with the wildcard ARN list
            // (ProtectedResourceArns ["*"]); otherwise up to 30 explicit ARNs. Restored test tables are encrypted
            // with the tables' own key (DynamoDB restore metadata encryptionType/kmsMasterKeyArn; AWS Backup would
            // otherwise infer an AWS-owned key), and AWS deletes them after the validation window (1-168 hours).
            // https://docs.aws.amazon.com/aws-backup/latest/devguide/API_RestoreTestingSelectionForCreate.html,
            // https://docs.aws.amazon.com/aws-backup/latest/devguide/restore-testing-inferred-metadata.html
            new aws.backup.RestoreTestingSelection(`${name}-restore-test-tables`, {
                name: "tables",
                restoreTestingPlanName: testPlan.name,
                protectedResourceType: "DynamoDB",
                iamRoleArn: this.role.arn,
                protectedResourceArns: ["*"],
                restoreMetadataOverrides: args.sourceKeyArns.length
                    ? { encryptionType: "KMS", kmsMasterKeyArn: args.sourceKeyArns[0] }
                    : undefined,
                protectedResourceConditions: {
                    stringEquals: [
                        { key: `aws:ResourceTag/${tag.key}`, value: tag.value },
                        { key: "aws:ResourceTag/Stack", value: args.stack },
                    ],
                },
                validationWindowHours: 4,
            }, { parent: this });
        }

        const lock = args.vaultLock ?? "none";
        if (lock !== "none") {
            new aws.backup.VaultLockConfiguration(`${name}-vault-lock`, {
                backupVaultName: this.vault.name,
                minRetentionDays: hourly > 0 ? hourly : deleteAfter,
                maxRetentionDays: Math.max(deleteAfter, 365),
                // Compliance mode becomes immutable after this grace period; governance has none.
                changeableForDays: lock === "compliance" ? 3 : undefined,
            }, { parent: this, protect: true });
        }

        if (args.alertTopicArn) {
            const rule = new aws.cloudwatch.EventRule(`${name}-failed-jobs`, {
                description: "AWS Backup backup, copy and restore jobs that failed",
                // Backup and copy jobs report their outcome in detail.state, restore jobs in detail.status (as
                // DescribeBackupJob.State / DescribeRestoreJob.Status do); a restore job's detail.state is only ever
                // CREATED. https://docs.aws.amazon.com/aws-backup/latest/devguide/eventbridge.html (read 2026-12-04)
                eventPattern: JSON.stringify(FAILED_JOBS_EVENT_PATTERN),
            }, { parent: this });
            new aws.cloudwatch.EventTarget(`${name}-failed-jobs-alert`, { rule: rule.name, arn: args.alertTopicArn }, { parent: this });
        }

        this.registerOutputs({ vaultName: this.vaultName, planId: this.plan.id, copyVaultArn: this.copyVault?.arn });
    }
}
