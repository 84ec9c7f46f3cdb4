import { expect } from "chai";
import { mandatory, ofType, one, out, parse, planStack } from "./harness";

describe("EncryptionKeys", () => {
    it("creates one rotated customer-managed key per purpose, each with an alias", async () => {
        const plan = await planStack("staging");
        for (const purpose of ["data", "logs", "messaging", "backup"]) {
            const key = one(plan, "aws:kms/key:Key", `-keys-${purpose}-key`);
            expect(key.inputs.enableKeyRotation, purpose).to.equal(true);
            const alias = one(plan, "aws:kms/alias:Alias", `-keys-${purpose}-alias`);
            expect(alias.inputs.name).to.equal(`alias/ai-nutritionist-staging-${purpose}`);
            expect(alias.inputs.targetKeyId).to.equal(out(key).keyId);
        }
    });

    it("dev (kmsKeyPerPurpose false): one rotated key for data, logs and messaging whose policy is the union of theirs; no backup key without AWS Backup", async () => {
        const dev = await planStack("dev");
        const keys = ofType(dev, "aws:kms/key:Key").filter(k => k.name.includes("-keys-"));
        expect(keys.map(k => k.name)).to.deep.equal(["ai-nutritionist-dev-keys-stack-key"]);
        expect(keys[0].inputs.enableKeyRotation).to.equal(true);
        expect(one(dev, "aws:kms/alias:Alias", "-keys-stack-alias").inputs.name).to.equal("alias/ai-nutritionist-dev-stack");
        const sids = (plan: typeof dev, suffix: string) => parse(one(plan, "aws:kms/key:Key", suffix).inputs.policy).Statement.map((s: any) => s.Sid);
        const staging = await planStack("staging");
        expect([...new Set(sids(dev, "-keys-stack-key"))]).to.have.members([...new Set([...sids(staging, "-keys-logs-key"), ...sids(staging, "-keys-messaging-key")])]);
        // Every table and queue of dev uses that key.
        const arn = out(keys[0]).arn;
        for (const t of ofType(dev, "aws:dynamodb/table:Table")) expect(t.inputs.serverSideEncryption.kmsKeyArn, t.name).to.equal(arn);
        for (const q of ofType(dev, "aws:sqs/queue:Queue")) expect(q.inputs.kmsMasterKeyId, q.name).to.equal(arn);
        // The same stack with per-purpose keys has three keys in their place.
        const split = await planStack("dev", { kmsKeyPerPurpose: "true" });
        expect(ofType(split, "aws:kms/key:Key").filter(k => k.name.includes("-keys-")).map(k => k.name.replace("ai-nutritionist-dev-keys-", "")).sort())
            .to.deep.equal(["data-key", "logs-key", "messaging-key"]);
    });

    it("protects the prod keys (and the prod backup vaults) from deletion; dev keys are not protected", async () => {
        const prod = await planStack("prod");
        for (const k of ofType(prod, "aws:kms/key:Key").filter(k => k.name.includes("-keys-"))) expect(k.protect, k.name).to.equal(true);
        for (const v of ofType(prod, "aws:backup/vault:Vault")) expect(v.protect, v.name).to.equal(true);
        for (const k of ofType(await planStack("dev"), "aws:kms/key:Key").filter(k => k.name.includes("-keys-"))) expect(k.protect, k.name).to.equal(false);
    });

    it("uses the environment's deletion window: 7 days in dev, 30 in prod", async () => {
        expect(one(await planStack("dev"), "aws:kms/key:Key", "-keys-stack-key").inputs.deletionWindowInDays).to.equal(7);
        expect(one(await planStack("prod"), "aws:kms/key:Key", "-keys-data-key").inputs.deletionWindowInDays).to.equal(30);
    });

    it("lets the account administer every key through IAM", async () => {
        const plan = await planStack("prod");
        for (const key of ofType(plan, "aws:kms/key:Key").filter(k => k.inputs.policy)) {
            const admin = parse(key.inputs.policy).Statement[0];
            expect(admin.Principal.AWS).to.equal("arn:aws:iam::123456789012:root");
            expect(admin.Action).to.equal("kms:*");
        }
    });

    it("lets CloudWatch Logs use the logs key only for this stack's log groups", async () => {
        const plan = await planStack("prod");
        const st = parse(one(plan, "aws:kms/key:Key", "-keys-logs-key").inputs.policy).Statement;
        const logs = st.find((s: any) => s.Sid === "CloudWatchLogsForOurLogGroups");
        expect(logs.Condition.ArnLike["kms:EncryptionContext:aws:logs:arn"]).to.deep.equal([
            "arn:aws:logs:us-east-1:123456789012:log-group:/ai-nutritionist/prod/*",
            "arn:aws:logs:us-east-1:123456789012:log-group:aws-waf-logs-ai-nutritionist-prod*",
            "arn:aws:logs:us-east-1:123456789012:log-group:API-Gateway-Execution-Logs_*",
        ]);
        // DescribeKey carries no encryption context: it has statements of its own (AWS's CloudTrail and Logs key policies).
        expect(logs.Action).to.not.include("kms:Describe*");
        expect(st.find((s: any) => s.Sid === "CloudWatchLogsDescribesKey")).to.deep.include({ Action: "kms:DescribeKey", Principal: { Service: "logs.us-east-1.amazonaws.com" } });
        const trail = st.find((s: any) => s.Sid === "CloudTrailEncryptsTrailsOfThisAccount");
        expect(trail.Action).to.equal("kms:GenerateDataKey*");
        expect(trail.Condition.StringLike["aws:SourceArn"]).to.equal("arn:aws:cloudtrail:*:123456789012:trail/*");
        expect(st.find((s: any) => s.Sid === "CloudTrailDescribesKey")).to.deep.include({ Action: "kms:DescribeKey", Condition: { StringLike: { "aws:SourceArn": "arn:aws:cloudtrail:*:123456789012:trail/*" } } });
    });

    it("every log group the stack creates falls under the logs key's allowed prefixes and uses that key", async () => {
        const plan = await planStack("prod");
        const logsKey = out(one(plan, "aws:kms/key:Key", "-keys-logs-key")).arn;
        for (const lg of ofType(plan, "aws:cloudwatch/logGroup:LogGroup")) {
            const name = lg.inputs.name ?? lg.inputs.namePrefix;
            expect(name, lg.name).to.satisfy((p: string) => p.startsWith("/ai-nutritionist/prod/") || p.startsWith("aws-waf-logs-ai-nutritionist-prod") || p.startsWith("API-Gateway-Execution-Logs_"));
            expect(lg.inputs.kmsKeyId, lg.name).to.equal(logsKey);
        }
    });

    it("lets the AWS services that publish alerts use the messaging key, from this account where they say so", async () => {
        const plan = await planStack("prod");
        const [, st, events] = parse(one(plan, "aws:kms/key:Key", "-keys-messaging-key").inputs.policy).Statement;
        expect(st.Principal.Service).to.include.members(["cloudwatch.amazonaws.com", "budgets.amazonaws.com", "costalerts.amazonaws.com", "backup.amazonaws.com", "sms-voice.amazonaws.com"]);
        expect(st.Action).to.deep.equal(["kms:GenerateDataKey*", "kms:Decrypt"]);
        expect(st.Condition.StringEquals["aws:SourceAccount"]).to.equal("123456789012");
        // EventBridge sends no aws:SourceAccount on these KMS calls: no condition that would drop its events.
        expect(events).to.deep.include({ Principal: { Service: "events.amazonaws.com" }, Action: ["kms:GenerateDataKey*", "kms:Decrypt"] });
        expect(events.Condition).to.equal(undefined);
    });

    it("the data and backup keys admit no service principal (used through the callers' IAM grants)", async () => {
        const plan = await planStack("prod");
        for (const purpose of ["data", "backup"]) {
            expect(parse(one(plan, "aws:kms/key:Key", `-keys-${purpose}-key`).inputs.policy).Statement, purpose).to.have.length(1);
        }
        expect(mandatory(plan)).to.deep.equal([]);
    });
});
