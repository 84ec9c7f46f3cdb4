/**
 * A test program that builds single components with argument combinations the three stacks do
 * not use; COMPONENT_CASE selects the case. Planned by tests/components.test.ts through the same
 * planner as `npm run plan`.
 */
import * as aws from "@pulumi/aws";
import { CdnSite } from "../../components/cdn-site";
import { EncryptedQueue } from "../../components/encrypted-queue";
import { EncryptedTable } from "../../components/encrypted-table";
import { ManagedKey } from "../../components/managed-key";
import { SecureBucket } from "../../components/secure-bucket";
import { SecurityBaseline } from "../../components/security-baseline";
import { ManagedWebAcl } from "../../components/web-acl";

const provider = new aws.Provider("test-aws", {
    region: "us-east-1",
    defaultTags: { tags: { Project: "t", Environment: "dev", Owner: "o", CostCenter: "c", ManagedBy: "pulumi" } },
});
const opts = { providers: { aws: provider } };
const KEY = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-4333-a444-555555555555";
const CASE = process.env.COMPONENT_CASE;

const cases: Record<string, () => unknown> = {
    "table-options": () => new EncryptedTable("opts", {
        attributes: { id: "S" }, hashKey: "id", kmsKeyArn: KEY,
        streamViewType: "NEW_AND_OLD_IMAGES", tableClass: "STANDARD_INFREQUENT_ACCESS", pointInTimeRecovery: false, deletionProtection: false, backup: false,
    }, opts),
    "table-invalid": () => new EncryptedTable("bad", { attributes: { id: "S", stray: "N" }, hashKey: "pk", kmsKeyArn: KEY }, opts),
    "key-no-rotation": () => new ManagedKey("legacy", { description: "d", alias: "legacy", accountId: "123456789012", enableKeyRotation: false }, opts),
    "key-invalid-window": () => new ManagedKey("k", { description: "d", alias: "k", accountId: "123456789012", deletionWindowInDays: 3 }, opts),
    "bucket-policy-twice": () => {
        const b = new SecureBucket("twice", { encryption: { kmsKeyArn: KEY }, deferPolicy: true }, opts);
        b.attachPolicy([]);
        b.attachPolicy([]);
    },
    "queue-invalid": () => new EncryptedQueue("q", { kmsKeyArn: KEY, consumerTimeoutSeconds: 60, visibilityTimeoutSeconds: 60, maxReceiveCount: 0 }, opts),
    "waf-invalid": () => new ManagedWebAcl("w", { scope: "REGIONAL", rateLimit: 5, metricPrefix: "m" }, opts),
    "cdn-wrong-certificate": () => new CdnSite("site", {
        aliasPrefix: "t", accountId: "123456789012", usEast1Provider: provider,
        domain: { name: "app.example.com", certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/x" },
    }, opts),
    "hub-without-config": () => new SecurityBaseline("sec", {
        tier: "standard", enableAwsConfig: false, enableSecurityHub: true, region: "us-east-1", accountId: "123456789012",
        logsKeyArn: KEY, logs: { retentionInDays: 30, namePrefix: "/t/" },
    }, opts),
};

if (!CASE || !cases[CASE]) throw new Error(`COMPONENT_CASE must be one of ${Object.keys(cases).join(", ")}`);
cases[CASE]();
