import { expect } from "chai";
import * as fs from "fs";
import { DEFAULT_POLICY_CONFIG, evaluatePolicies, PlanResource, PolicyViolation, validatePackConfig } from "../scripts/lib/policy-runner";
import { policies } from "../policy-pack/policies";
import { DEFAULT_REQUIRED_TAGS } from "../policy-pack/policies/tagging";
import { REQUIRED_TAG_KEYS } from "../components/providers";
import { POLICY_NAMES_DOCUMENTED, policyTable } from "../scripts/policy-doc";
import { REPO_ROOT } from "../scripts/lib/paths";

const TAGS = { Project: "p", Environment: "dev", Owner: "o", CostCenter: "c", ManagedBy: "pulumi" };
const urn = (type: string, name: string) => `urn:pulumi:test::proj::${type}::${name}`;
const PROVIDER: PlanResource = {
    urn: urn("pulumi:providers:aws", "tagged"), type: "pulumi:providers:aws", name: "tagged", parent: null, custom: true, provider: null,
    protect: false, inputs: { region: "us-east-1", defaultTags: JSON.stringify({ tags: TAGS }) }, dependencies: [], propertyDependencies: {},
};
const BARE_PROVIDER: PlanResource = { ...PROVIDER, urn: urn("pulumi:providers:aws", "bare"), name: "bare", inputs: { region: "us-east-1" } };

function res(type: string, name: string, inputs: Record<string, any>, extra: Partial<PlanResource> = {}): PlanResource {
    return { urn: urn(type, name), type, name, parent: null, custom: true, provider: PROVIDER.urn, protect: false, inputs, dependencies: [], propertyDependencies: {}, ...extra };
}

function run(resources: PlanResource[], config = {}): PolicyViolation[] {
    return evaluatePolicies([PROVIDER, BARE_PROVIDER, ...resources], config);
}

function fired(resources: PlanResource[], policy: string, config = {}): PolicyViolation[] {
    return run(resources, config).filter(v => v.policy === policy);
}

const KEY = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-4333-a444-555555555555";
const tlsDeny = (action: string) => JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Deny", Principal: "*", Action: action, Resource: "*", Condition: { Bool: { "aws:SecureTransport": false } } }] });

/** [policy, violating resources, compliant resources] */
const CASES: [string, PlanResource[], PlanResource[]][] = [
    ["dynamodb-encryption-cmk",
        [res("aws:dynamodb/table:Table", "t", { serverSideEncryption: { enabled: false } })],
        [res("aws:dynamodb/table:Table", "t", { serverSideEncryption: { enabled: true, kmsKeyArn: KEY }, pointInTimeRecovery: { enabled: true } })]],
    ["sqs-encryption-cmk",
        [res("aws:sqs/queue:Queue", "q", { sqsManagedSseEnabled: true, policy: tlsDeny("sqs:*") })],
        [res("aws:sqs/queue:Queue", "q", { kmsMasterKeyId: KEY, policy: tlsDeny("sqs:*") })]],
    ["sns-encryption-cmk",
        [res("aws:sns/topic:Topic", "t", { kmsMasterKeyId: "alias/aws/sns" })],
        [res("aws:sns/topic:Topic", "t", { kmsMasterKeyId: KEY })]],
    ["log-group-encryption-cmk",
        [res("aws:cloudwatch/logGroup:LogGroup", "l", { retentionInDays: 30 })],
        [res("aws:cloudwatch/logGroup:LogGroup", "l", { retentionInDays: 30, kmsKeyId: KEY })]],
    ["elasticache-encryption-at-rest-cmk",
        [res("aws:elasticache/replicationGroup:ReplicationGroup", "r", { atRestEncryptionEnabled: true, transitEncryptionEnabled: true })],
        [res("aws:elasticache/replicationGroup:ReplicationGroup", "r", { atRestEncryptionEnabled: true, kmsKeyId: KEY, transitEncryptionEnabled: true })]],
    ["backup-vault-encryption-cmk",
        [res("aws:backup/vault:Vault", "v", {})],
        [res("aws:backup/vault:Vault", "v", { kmsKeyArn: KEY })]],
    ["lambda-environment-encryption-cmk",
        [res("aws:lambda/function:Function", "f", { environment: { variables: { A: "b" } }, tracingConfig: { mode: "Active" } })],
        [res("aws:lambda/function:Function", "f", { environment: { variables: { A: "b" } }, kmsKeyArn: KEY, tracingConfig: { mode: "Active" } })]],
    ["secrets-encryption-cmk",
        [res("aws:secretsmanager/secret:Secret", "s", {})],
        [res("aws:secretsmanager/secret:Secret", "s", { kmsKeyId: KEY })]],
    ["kms-key-rotation",
        [res("aws:kms/key:Key", "k", { enableKeyRotation: false })],
        [res("aws:kms/key:Key", "k", { enableKeyRotation: true }), res("aws:kms/key:Key", "asym", { customerMasterKeySpec: "RSA_2048", keyUsage: "SIGN_VERIFY" })]],
    ["elasticache-encryption-in-transit",
        [res("aws:elasticache/replicationGroup:ReplicationGroup", "r", { atRestEncryptionEnabled: true, kmsKeyId: KEY, transitEncryptionEnabled: false })],
        [res("aws:elasticache/replicationGroup:ReplicationGroup", "r", { atRestEncryptionEnabled: true, kmsKeyId: KEY, transitEncryptionEnabled: true })]],
    ["cloudfront-viewer-https",
        [res("aws:cloudfront/distribution:Distribution", "d", { defaultCacheBehavior: { viewerProtocolPolicy: "allow-all" }, viewerCertificate: { acmCertificateArn: "arn:aws:acm:us-east-1:1:certificate/x", minimumProtocolVersion: "TLSv1", sslSupportMethod: "sni-only" } })],
        [res("aws:cloudfront/distribution:Distribution", "d", { defaultCacheBehavior: { viewerProtocolPolicy: "redirect-to-https" }, viewerCertificate: { acmCertificateArn: "arn:aws:acm:us-east-1:1:certificate/x", minimumProtocolVersion: "TLSv1.2_2021", sslSupportMethod: "sni-only" } })]],
    ["dynamodb-pitr",
        [res("aws:dynamodb/table:Table", "t", { serverSideEncryption: { enabled: true, kmsKeyArn: KEY }, pointInTimeRecovery: { enabled: false } })],
        [res("aws:dynamodb/table:Table", "t", { serverSideEncryption: { enabled: true, kmsKeyArn: KEY }, pointInTimeRecovery: { enabled: true } })]],
    ["log-group-retention",
        [res("aws:cloudwatch/logGroup:LogGroup", "l", { kmsKeyId: KEY })],
        [res("aws:cloudwatch/logGroup:LogGroup", "l", { kmsKeyId: KEY, retentionInDays: 14 })]],
    ["lambda-tracing",
        [res("aws:lambda/function:Function", "f", { tracingConfig: { mode: "PassThrough" } })],
        [res("aws:lambda/function:Function", "f", { tracingConfig: { mode: "Active" } })]],
    ["apigateway-stage-access-logs",
        [res("aws:apigateway/stage:Stage", "s", {})],
        [res("aws:apigateway/stage:Stage", "s", { accessLogSettings: { destinationArn: "arn:aws:logs:us-east-1:1:log-group:x" } })]],
    ["iam-no-wildcard-admin",
        [res("aws:iam/rolePolicy:RolePolicy", "p", { policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] }) }),
         res("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "a", { policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" })],
        [res("aws:iam/rolePolicy:RolePolicy", "p", { policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: ["xray:PutTraceSegments"], Resource: "*" }] }) })]],
    ["lambda-no-public-permission",
        [res("aws:lambda/permission:Permission", "p", { principal: "*", action: "lambda:InvokeFunction" })],
        [res("aws:lambda/permission:Permission", "p", { principal: "apigateway.amazonaws.com", sourceArn: "arn:aws:execute-api:us-east-1:1:api/*" })]],
    ["required-tags",
        [res("aws:sqs/queue:Queue", "q", { kmsMasterKeyId: KEY }, { provider: BARE_PROVIDER.urn }),
         res("aws:sns/topic:Topic", "t", { kmsMasterKeyId: KEY, tags: { Environment: "qa" } })],
        [res("aws:sqs/queue:Queue", "q", { kmsMasterKeyId: KEY }),
         res("aws:sns/topic:Topic", "t", { kmsMasterKeyId: KEY, tags: TAGS }, { provider: BARE_PROVIDER.urn }),
         res("aws:iam/rolePolicy:RolePolicy", "not-taggable", { policy: "{}" }, { provider: BARE_PROVIDER.urn })]],
];

function bucketSet(opts: { sse?: any; policy?: string; block?: Record<string, boolean>; linkByDependency?: boolean } = {}): PlanResource[] {
    const bucket = res("aws:s3/bucket:Bucket", "b", {}, {});
    const link = (type: string, name: string, inputs: any) => res(type, name, opts.linkByDependency ? inputs : { bucket: "b-123", ...inputs },
        opts.linkByDependency ? { propertyDependencies: { bucket: [bucket.urn] }, dependencies: [bucket.urn] } : {});
    bucket.inputs = opts.linkByDependency ? {} : { bucket: "b-123" };
    return [
        bucket,
        link("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "b-enc", { rules: [{ applyServerSideEncryptionByDefault: opts.sse ?? { sseAlgorithm: "aws:kms", kmsMasterKeyId: KEY } }] }),
        link("aws:s3/bucketPolicy:BucketPolicy", "b-policy", { policy: opts.policy ?? tlsDeny("s3:*") }),
        link("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "b-block", opts.block ?? { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true }),
    ];
}

describe("policy pack", () => {
    for (const [policy, violating, compliant] of CASES) {
        describe(policy, () => {
            it("fires on the violating fixture, on the right resource", () => {
                const v = fired(violating, policy);
                expect([...new Set(v.map(x => x.urn))], JSON.stringify(v)).to.have.members(violating.map(r => r.urn));
                expect(v.every(x => x.enforcementLevel === "mandatory")).to.equal(true);
            });
            it("passes the compliant fixture", () => {
                expect(fired(compliant, policy)).to.deep.equal([]);
            });
        });
    }

    describe("S3 (split resources linked by their bucket input)", () => {
        for (const linkByDependency of [false, true]) {
            const how = linkByDependency ? "through property dependencies (unknown names in a preview)" : "through equal bucket names";
            it(`a complete bucket passes, linked ${how}`, () => {
                expect(run(bucketSet({ linkByDependency })).filter(v => v.policy.startsWith("s3-"))).to.deep.equal([]);
            });
        }
        it("s3-bucket-encryption-cmk fires for SSE-S3 and for a bucket without configuration", () => {
            expect(fired(bucketSet({ sse: { sseAlgorithm: "AES256" } }), "s3-bucket-encryption-cmk").map(v => v.urn)).to.deep.equal([urn("aws:s3/bucket:Bucket", "b")]);
            expect(fired([res("aws:s3/bucket:Bucket", "lonely", { bucket: "x" })], "s3-bucket-encryption-cmk")).to.have.length(1);
        });
        it("s3-bucket-tls-only fires when no policy denies insecure transport", () => {
            const allowAll = JSON.stringify({ Statement: [{ Effect: "Allow", Principal: { Service: "cloudfront.amazonaws.com" }, Action: "s3:GetObject", Resource: "*" }] });
            expect(fired(bucketSet({ policy: allowAll }), "s3-bucket-tls-only")).to.have.length(1);
        });
        it("s3-bucket-public-access-block fires when any of the four settings is off", () => {
            const v = fired(bucketSet({ block: { blockPublicAcls: true, blockPublicPolicy: false, ignorePublicAcls: true, restrictPublicBuckets: true } }), "s3-bucket-public-access-block");
            expect(v.map(x => x.message)).to.deep.equal(["public access block settings off: blockPublicPolicy."]);
        });
    });

    describe("sqs-queue-tls-only and apigateway-stage-waf (stack policies)", () => {
        it("a queue policy resource linked by queueUrl satisfies the TLS rule; none fires", () => {
            const q = res("aws:sqs/queue:Queue", "q", { kmsMasterKeyId: KEY });
            const p = res("aws:sqs/queuePolicy:QueuePolicy", "qp", { queueUrl: "u", policy: tlsDeny("sqs:*") }, { propertyDependencies: { queueUrl: [q.urn] } });
            expect(fired([q, p], "sqs-queue-tls-only")).to.deep.equal([]);
            expect(fired([q], "sqs-queue-tls-only").map(v => v.urn)).to.deep.equal([q.urn]);
        });
        it("a stage needs a WAF association", () => {
            const s = res("aws:apigateway/stage:Stage", "s", { accessLogSettings: { destinationArn: "x" } });
            const a = res("aws:wafv2/webAclAssociation:WebAclAssociation", "a", { resourceArn: "arn", webAclArn: "w" }, { propertyDependencies: { resourceArn: [s.urn] } });
            expect(fired([s, a], "apigateway-stage-waf")).to.deep.equal([]);
            expect(fired([s], "apigateway-stage-waf").map(v => v.urn)).to.deep.equal([s.urn]);
        });
    });

    describe("unknown values (a real preview)", () => {
        it("an unknown key ARN counts as a key", () => {
            const t = res("aws:dynamodb/table:Table", "t", { serverSideEncryption: { enabled: true, kmsKeyArn: "[unknown]" }, pointInTimeRecovery: { enabled: true } });
            expect(run([t]).filter(v => v.urn === t.urn)).to.deep.equal([]);
        });
        it("an unknown provider tag set is not judged; an unknown tag value is not a missing tag", () => {
            const p = { ...PROVIDER, urn: urn("pulumi:providers:aws", "later"), inputs: { defaultTags: "[unknown]" } };
            const q = res("aws:sqs/queue:Queue", "q", { kmsMasterKeyId: KEY, policy: tlsDeny("sqs:*") }, { provider: p.urn });
            const t = res("aws:sns/topic:Topic", "t", { kmsMasterKeyId: KEY, tags: { ...TAGS, Owner: "[unknown]" } }, { provider: BARE_PROVIDER.urn });
            expect(evaluatePolicies([p, BARE_PROVIDER, q, t]).filter(v => v.policy === "required-tags")).to.deep.equal([]);
        });
        it("a prop the policy needs that is still unknown is not judged", () => {
            const f = res("aws:lambda/function:Function", "f", { tracingConfig: "[unknown]" });
            const v = run([f]).filter(x => x.policy === "lambda-tracing");
            expect(v).to.deep.equal([]);
        });
    });

    describe("configuration", () => {
        it("required tag keys and environments come from the pack's config", () => {
            const q = res("aws:sqs/queue:Queue", "q", { kmsMasterKeyId: KEY, policy: tlsDeny("sqs:*") });
            const v = fired([q], "required-tags", { "required-tags": { requiredTags: ["Project", "DataClassification"], allowedEnvironments: ["prod"] } });
            expect(v.map(x => x.message)).to.deep.equal(["missing required tag DataClassification (neither on the resource nor in its provider's defaultTags).", "tag Environment=dev is not one of prod."]);
        });
        it("a policy can be disabled or downgraded by config", () => {
            const k = res("aws:kms/key:Key", "k", { enableKeyRotation: false });
            expect(fired([k], "kms-key-rotation", { "kms-key-rotation": "disabled" })).to.deep.equal([]);
            expect(fired([k], "kms-key-rotation", { "kms-key-rotation": { enforcementLevel: "advisory" } })[0].enforcementLevel).to.equal("advisory");
            expect(fired([k], "kms-key-rotation", { "kms-key-rotation": "remediate" })[0].enforcementLevel, "as the engine reports it").to.equal("mandatory");
        });
        it("an exemption needs a reason, suppresses exactly one resource, and shows in the report", () => {
            const a = res("aws:kms/key:Key", "legacy-key", { enableKeyRotation: false });
            const b = res("aws:kms/key:Key", "other-key", { enableKeyRotation: false });
            const config = { "kms-key-rotation": { exemptions: [{ resource: "legacy-*", reason: "imported key material cannot rotate automatically" }] } };
            const v = run([a, b], config);
            expect(v.filter(x => x.policy === "kms-key-rotation").map(x => x.urn)).to.deep.equal([b.urn]);
            const report = v.filter(x => x.policy === "exempted-findings");
            expect(report).to.have.length(1);
            expect(report[0]).to.include({ enforcementLevel: "advisory", urn: a.urn });
            expect(report[0].message).to.contain("imported key material cannot rotate automatically");
            const noReason = { "kms-key-rotation": { exemptions: [{ resource: "legacy-*", reason: "" }] } };
            expect(fired([a], "kms-key-rotation", noReason)).to.have.length(1);
        });
        it("the pack config is validated like `pulumi policy validate-config`: every problem listed", () => {
            expect(validatePackConfig({
                "kms-rotation": "mandatory",
                "kms-key-rotation": { enforcementLevel: "strict" as any, exemptions: [{ resource: "k*", reason: "old" }, { reason: "no resource given here" }] } as any,
                "required-tags": { requiredTag: ["x"] } as any,
            })).to.deep.equal([
                "kms-rotation: no such policy in the pack",
                'kms-key-rotation.enforcementLevel: must be one of advisory, mandatory, remediate, disabled (got "strict")',
                'kms-key-rotation.exemptions[0].reason: a reason of at least 10 characters is required (got "old")',
                "kms-key-rotation.exemptions[1].resource: is required",
                "required-tags.requiredTag: not a setting of this policy (known: exemptions, requiredTags, allowedEnvironments)",
            ]);
            expect(validatePackConfig(JSON.parse(fs.readFileSync(DEFAULT_POLICY_CONFIG, "utf8")))).to.deep.equal([]);
        });
        it("every policy has a config schema that accepts exemptions", () => {
            for (const p of policies.filter(x => x.name !== "exempted-findings")) {
                expect(p.configSchema?.properties, p.name).to.have.property("exemptions");
            }
        });
    });

    it("the default required tags are the ones the stack's providers set", () => {
        expect(DEFAULT_REQUIRED_TAGS).to.deep.equal([...REQUIRED_TAG_KEYS]);
    });

    it("docs/policies.md's policy table is the generated one", () => {
        expect(fs.readFileSync(require("path").join(REPO_ROOT, "docs", "policies.md"), "utf8")).to.contain(policyTable());
    });

    it("every policy is documented in the docs/policies.md table and has fixtures both ways here", () => {
        const names = policies.map(p => p.name);
        expect(POLICY_NAMES_DOCUMENTED).to.have.members(names);
        const tested = new Set([...CASES.map(c => c[0]), "s3-bucket-encryption-cmk", "s3-bucket-tls-only", "s3-bucket-public-access-block", "sqs-queue-tls-only", "apigateway-stage-waf", "exempted-findings"]);
        expect([...tested]).to.have.members(names);
    });
});
