import * as path from "path";
import { expect } from "chai";
import { resolveBootstrapSettings } from "../bootstrap/settings";
import { SettingsError } from "../config";
import { Plan } from "../engine/planner";
import { REPO_ROOT } from "../engine/paths";
import { mandatory, ofType, one, out, parse, planWith } from "./harness";

describe("bootstrap (state backend and secrets provider)", () => {
    let plan: Plan;
    before(async () => {
        plan = await planWith({ stack: "state", projectDir: path.join(REPO_ROOT, "bootstrap") });
    });

    it("plans offline with no mandatory policy violation", () => {
        expect(plan.project).to.equal("ai-nutritionist-bootstrap");
        expect(mandatory(plan)).to.deep.equal([]);
    });

    it("creates a protected, versioned state bucket encrypted with its own rotated key", () => {
        const bucket = one(plan, "aws:s3/bucket:Bucket", "state-bucket");
        expect(bucket.protect).to.equal(true);
        const name = out(bucket).bucket;
        const key = one(plan, "aws:kms/key:Key", "state-key-key");
        expect(key.inputs.enableKeyRotation).to.equal(true);
        const enc = ofType(plan, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").find(r => r.inputs.bucket === name)!;
        expect(enc.inputs.rules[0].applyServerSideEncryptionByDefault).to.deep.equal({ sseAlgorithm: "aws:kms", kmsMasterKeyId: out(key).arn });
        expect(ofType(plan, "aws:s3/bucketVersioning:BucketVersioning")[0].inputs.versioningConfiguration.status).to.equal("Enabled");
        const lc = ofType(plan, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")[0];
        expect(lc.inputs.rules[0].noncurrentVersionExpiration.noncurrentDays).to.equal(365);
    });

    it("blocks every kind of public access and denies non-TLS requests", () => {
        const block = ofType(plan, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")[0];
        expect(block.inputs).to.include({ blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
        const policy = parse(ofType(plan, "aws:s3/bucketPolicy:BucketPolicy")[0].inputs.policy);
        expect(policy.Statement[0].Condition).to.deep.equal({ Bool: { "aws:SecureTransport": false } });
    });

    it("creates the secrets-provider key with an alias and rotation, and exports the login and provider URLs", () => {
        const key = one(plan, "aws:kms/key:Key", "secrets-key-key");
        expect(key.inputs.enableKeyRotation).to.equal(true);
        expect(key.protect).to.equal(true);
        expect(one(plan, "aws:kms/alias:Alias", "secrets-key-alias").inputs.name).to.equal("alias/ai-nutritionist-pulumi-secrets");
        expect(plan.outputs.secretsProvider).to.equal("awskms://alias/ai-nutritionist-pulumi-secrets?region=us-east-1");
        expect(plan.outputs.loginUrl).to.match(/^s3:\/\/state-bucket-\w+\?region=us-east-1/);
    });

    it("validates its settings like the main stacks", () => {
        expect(() => resolveBootstrapSettings({ "aws:region": "nowhere", "ai-nutritionist-bootstrap:stateVersionRetentionDays": "7", "ai-nutritionist-bootstrap:ownr": "x" }))
            .to.throw(SettingsError).with.property("problems").that.has.length(3);
    });
});
