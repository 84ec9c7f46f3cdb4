import { expect } from "chai";
import { Plan, runPlan } from "../engine/planner";
import { validateCdnSiteArgs } from "../components/cdn-site";
import { validateManagedKeyArgs } from "../components/managed-key";
import { validateSecurityBaselineArgs } from "../components/security-baseline";
import { validateManagedWebAclArgs } from "../components/web-acl";
import { mandatory, one } from "./harness";

async function planCase(name: string): Promise<Plan> {
    process.env.COMPONENT_CASE = name;
    try {
        return await runPlan({ stack: "dev", program: "tests/programs/components.ts" });
    } finally {
        delete process.env.COMPONENT_CASE;
    }
}

async function planError(name: string): Promise<string> {
    try {
        await planCase(name);
    } catch (e: any) {
        return String(e?.message ?? e);
    }
    throw new Error(`case ${name} planned without error`);
}

describe("component options and validation", () => {
    it("EncryptedTable: stream, table class and explicit opt-outs reach the table, and the policy pack flags the PITR opt-out", async () => {
        const plan = await planCase("table-options");
        const t = one(plan, "aws:dynamodb/table:Table", "opts-table");
        expect(t.inputs).to.include({ streamEnabled: true, streamViewType: "NEW_AND_OLD_IMAGES", tableClass: "STANDARD_INFREQUENT_ACCESS", deletionProtectionEnabled: false });
        expect(t.inputs.pointInTimeRecovery).to.deep.equal({ enabled: false });
        expect(t.inputs.tags).to.equal(undefined);
        expect(t.protect).to.equal(false);
        expect(mandatory(plan).map(v => [v.policy, v.urn])).to.deep.equal([["dynamodb-pitr", t.urn]]);
    });

    it("EncryptedTable: every argument problem is listed at once", async () => {
        const msg = await planError("table-invalid");
        expect(msg).to.contain("key attribute pk has no type in attributes");
        expect(msg).to.contain("attribute id is not a key of the table or an index");
        expect(msg).to.contain("attribute stray is not a key of the table or an index");
    });

    it("ManagedKey: turning rotation off is an explicit opt-out the policy pack flags", async () => {
        const plan = await planCase("key-no-rotation");
        const key = one(plan, "aws:kms/key:Key", "legacy-key");
        expect(key.inputs.enableKeyRotation).to.equal(false);
        expect(mandatory(plan).map(v => [v.policy, v.urn])).to.deep.equal([["kms-key-rotation", key.urn]]);
    });

    it("ManagedKey: rejects a deletion window outside 7-30 days", async () => {
        expect(await planError("key-invalid-window")).to.contain("deletionWindowInDays must be 7-30 (got 3)");
    });

    it("SecureBucket: the policy can be attached only once", async () => {
        expect(await planError("bucket-policy-twice")).to.contain("the bucket policy is already attached");
    });

    it("EncryptedQueue: lists every problem", async () => {
        const msg = await planError("queue-invalid");
        expect(msg).to.contain("visibilityTimeoutSeconds must be at least 6 x the consumer's timeout = 360 (got 60)");
        expect(msg).to.contain("maxReceiveCount must be 1-1000 (got 0)");
    });

    it("ManagedWebAcl: rejects a rate limit below WAF's minimum", async () => {
        expect(await planError("waf-invalid")).to.contain("rateLimit must be an integer of at least 10 (got 5)");
    });

    it("CdnSite: a certificate outside us-east-1 is refused (CloudFront reads certificates only there)", async () => {
        expect(await planError("cdn-wrong-certificate")).to.contain("CloudFront needs the certificate in us-east-1");
    });

    it("the validators list every problem at once", () => {
        expect(validateManagedKeyArgs({ description: "d", alias: "aws/x", accountId: "1", deletionWindowInDays: 60 })).to.have.length(2);
        expect(validateManagedWebAclArgs({ scope: "REGIONAL", rateLimit: 1, metricPrefix: "bad prefix", logging: { kmsKeyArn: "k", retentionInDays: 1, namePrefix: "/waf/" } })).to.have.length(3);
        expect(validateCdnSiteArgs({ aliasPrefix: "a", accountId: "1", usEast1Provider: undefined as any, domain: { name: "not a domain", certificateArn: "arn:aws:acm:eu-west-1:1:certificate/x" }, logRetentionDays: 0 })).to.have.length(3);
        expect(validateSecurityBaselineArgs({ tier: "platinum" as any, enableSecurityHub: true, enableAwsConfig: false, region: "us-east-1", accountId: "1", logsKeyArn: "k", logs: { retentionInDays: 1, namePrefix: "/" } })).to.have.length(2);
    });

    it("SecurityBaseline: Security Hub without AWS Config is refused", async () => {
        expect(await planError("hub-without-config")).to.contain("Security Hub needs AWS Config");
    });
});
