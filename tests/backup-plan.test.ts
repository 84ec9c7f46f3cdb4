import { expect } from "chai";
import { validateBackupPlanArgs } from "../components/backup-plan";
import { patternMatches } from "../checks/event-patterns";
import { runPlan } from "../engine/planner";
import { maybe, ofType, one, out, parse, planStack } from "./harness";

describe("BackupPlan", () => {
    it("does not exist in dev (backups off)", async () => {
        expect(ofType(await planStack("dev"), "aws:backup/plan:Plan")).to.have.length(0);
    });

    it("encrypts the vault with the backup key", async () => {
        const plan = await planStack("staging");
        const vault = one(plan, "aws:backup/vault:Vault", "-backup-vault");
        expect(vault.inputs.kmsKeyArn).to.equal(out(one(plan, "aws:kms/key:Key", "-keys-backup-key")).arn);
    });

    it("runs daily at 04:00 UTC, moves to cold storage after 30 days and deletes no earlier than 90 days later", async () => {
        for (const stack of ["staging", "prod"]) {
            const rule = one(await planStack(stack), "aws:backup/plan:Plan", "-backup-plan").inputs.rules.find((r: any) => r.ruleName === "daily");
            expect(rule.schedule).to.equal("cron(0 4 * * ? *)");
            expect(rule.lifecycle.coldStorageAfter).to.equal(30);
            expect(rule.lifecycle.deleteAfter).to.be.at.least(rule.lifecycle.coldStorageAfter + 90);
        }
    });

    it("in prod copies every recovery point to a vault in us-west-2 with its own key there", async () => {
        const plan = await planStack("prod");
        const copyVault = one(plan, "aws:backup/vault:Vault", "-backup-copy");
        const copyKey = one(plan, "aws:kms/key:Key", "-backup-copy-key-key");
        const provider = plan.resources.find(r => r.urn === copyVault.provider)!;
        expect(provider.inputs.region).to.equal("us-west-2");
        expect(copyKey.provider).to.equal(copyVault.provider);
        expect(out(copyKey).arn).to.match(/^arn:aws:kms:us-west-2:/);
        expect(copyVault.inputs.kmsKeyArn).to.equal(out(copyKey).arn);
        const rules = one(plan, "aws:backup/plan:Plan", "-backup-plan").inputs.rules;
        for (const r of rules) expect(r.copyActions[0].destinationVaultArn, r.ruleName).to.equal(out(copyVault).arn);
        // Daily only: the cross-region RPO comes from the tables' global-table replica, not hourly copies.
        expect(rules.map((r: any) => r.ruleName)).to.deep.equal(["daily"]);
    });

    it("staging has no cross-region copy", async () => {
        const plan = await planStack("staging");
        expect(maybe(plan, "aws:backup/vault:Vault", "-backup-copy-vault")).to.equal(undefined);
        expect(one(plan, "aws:backup/plan:Plan", "-backup-plan").inputs.rules[0].copyActions).to.equal(undefined);
    });

    it("selects resources by the Backup tag and the stack's Stack tag (two stacks of one environment never back up each other)", async () => {
        const sel = one(await planStack("prod"), "aws:backup/selection:Selection", "-backup-selection");
        expect(sel.inputs.conditions[0].stringEquals).to.deep.equal([
            { key: "aws:ResourceTag/Backup", value: "daily" },
            { key: "aws:ResourceTag/Stack", value: "prod" },
        ]);
        const provider = (await planStack("prod")).resources.find(r => r.type === "pulumi:providers:aws" && r.name === "aws-main")!;
        const defaultTags = typeof provider.inputs.defaultTags === "string" ? parse(provider.inputs.defaultTags) : provider.inputs.defaultTags;
        expect(defaultTags.tags).to.include({ Stack: "prod", Environment: "prod" });
    });

    it("gives the backup role the AWS managed backup and restore policies", async () => {
        const plan = await planStack("prod");
        const arns = ofType(plan, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").filter(a => a.name.includes("-backup-role-")).map(a => a.inputs.policyArn);
        expect(arns).to.have.members([
            "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
            "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores",
        ]);
        expect(parse(one(plan, "aws:iam/role:Role", "-backup-role").inputs.assumeRolePolicy).Statement[0].Principal.Service).to.equal("backup.amazonaws.com");
    });

    it("alerts the critical topic on failed backup, copy and restore jobs", async () => {
        const plan = await planStack("prod");
        const rule = one(plan, "aws:cloudwatch/eventRule:EventRule", "-backup-failed-jobs");
        expect(parse(rule.inputs.eventPattern).$or.map((b: any) => b["detail-type"][0])).to.deep.equal(["Backup Job State Change", "Copy Job State Change", "Restore Job State Change"]);
        const target = one(plan, "aws:cloudwatch/eventTarget:EventTarget", "-backup-failed-jobs-alert");
        expect(target.inputs.arn).to.equal(out(one(plan, "aws:sns/topic:Topic", "-alerts-critical")).arn);
    });

    it("tests restores monthly and locks the prod vault in governance mode", async () => {
        const plan = await planStack("prod");
        expect(one(plan, "aws:backup/restoreTestingPlan:RestoreTestingPlan", "-backup-restore-test").inputs.scheduleExpression).to.equal("cron(0 6 1 * ? *)");
        expect(one(plan, "aws:backup/restoreTestingSelection:RestoreTestingSelection", "-restore-test-tables").inputs.protectedResourceType).to.equal("DynamoDB");
        const lock = one(plan, "aws:backup/vaultLockConfiguration:VaultLockConfiguration", "-backup-vault-lock");
        expect(lock.inputs.changeableForDays).to.equal(undefined);
        expect(lock.protect).to.equal(true);
        expect(maybe(await planStack("staging"), "aws:backup/vaultLockConfiguration:VaultLockConfiguration", "-backup-vault-lock")).to.equal(undefined);
    });

    it("compliance mode has a three-day grace period", async () => {
        const lock = one(await planStack("prod", { backupVaultLockMode: "compliance" }), "aws:backup/vaultLockConfiguration:VaultLockConfiguration", "-backup-vault-lock");
        expect(lock.inputs.changeableForDays).to.equal(3);
    });

    it("validation enforces delete-after >= cold-after + 90", () => {
        expect(validateBackupPlanArgs({ namePrefix: "x", stack: "dev", kmsKeyArn: "k", sourceKeyArns: [], coldStorageAfterDays: 30, deleteAfterDays: 100 }))
            .to.deep.equal(["deleteAfterDays must be at least coldStorageAfterDays + 90 = 120 (got 100)"]);
    });

    it("selects the restore-test tables as CreateRestoreTestingSelection requires: [\"*\"] with the tag conditions, restored under the tables' key", async () => {
        const plan = await planStack("staging");
        const sel = one(plan, "aws:backup/restoreTestingSelection:RestoreTestingSelection", "-restore-test-tables");
        expect(sel.inputs.protectedResourceArns).to.deep.equal(["*"]);
        expect(sel.inputs.protectedResourceConditions.stringEquals.map((c: any) => c.key)).to.include("aws:ResourceTag/Stack");
        const dataKey = one(plan, "aws:kms/key:Key", "-keys-data-key");
        expect(sel.inputs.restoreMetadataOverrides).to.deep.equal({ encryptionType: "KMS", kmsMasterKeyArn: out(dataKey).arn });
        expect(sel.inputs.validationWindowHours).to.be.within(1, 168);
    });

    it("the plan refuses a restore-testing selection AWS would refuse, listing every problem", async () => {
        let error: any;
        await runPlan({ stack: "dev", program: "tests/programs/bad-requests.ts", policyConfig: false }).catch(e => { error = e; });
        expect(error?.name).to.equal("RequestError");
        expect(error.problems).to.have.length(4);
        const text = error.problems.join("\n");
        expect(text).to.contain('"conditions-only": protectedResourceArns: is required: up to 30 ARNs, or ["*"] together with protectedResourceConditions');
        expect(text).to.contain('"conditions-only": validationWindowHours: must be 1-168 (got 200)');
        expect(text).to.contain('"mixed": protectedResourceArns: the wildcard stands alone');
        expect(text).to.contain('"arns-with-conditions": protectedResourceConditions: apply only with protectedResourceArns ["*"]');
    });

    it("a failed restore (the monthly restore test's too) reaches the critical topic: the rule matches restore jobs on detail.status", async () => {
        const rule = one(await planStack("prod"), "aws:cloudwatch/eventRule:EventRule", "-backup-failed-jobs");
        // AWS Backup's example events (https://docs.aws.amazon.com/aws-backup/latest/devguide/eventbridge.html, read 2026-12-04).
        const restore = (detail: object) => ({ source: "aws.backup", "detail-type": "Restore Job State Change", detail });
        expect(patternMatches(rule.inputs.eventPattern, restore({ restoreJobId: "1B234A56", resourceType: "DynamoDB", status: "FAILED" }))).to.equal(true);
        expect(patternMatches(rule.inputs.eventPattern, restore({ restoreJobId: "1B234A56", resourceType: "DynamoDB", status: "COMPLETED" }))).to.equal(false);
        expect(patternMatches(rule.inputs.eventPattern, { source: "aws.backup", "detail-type": "Backup Job State Change", detail: { backupJobId: "34176239", state: "FAILED" } })).to.equal(true);
    });
});
