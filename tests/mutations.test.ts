/**
 * Mutation tests: take the real prod plan, break one property, and check that exactly the right
 * policy fires on exactly the right resource, and that nothing else changes.
 */
import * as fs from "fs";
import { expect } from "chai";
import { planJson, Plan } from "../engine/planner";
import { DEFAULT_POLICY_CONFIG, evaluatePolicies, PlanResource, PolicyViolation } from "../engine/policy-runner";
import { planStack } from "./harness";
import { deepFreeze } from "./freeze";
import taggable = require("../policy-pack/policies/taggable-types.json");

const CONFIG = JSON.parse(fs.readFileSync(DEFAULT_POLICY_CONFIG, "utf8"));
const key = (v: PolicyViolation) => `${v.enforcementLevel}|${v.policy}|${v.urn}|${v.message}`;

let plan: Plan;
let baseline: PlanResource[];
let baselineKeys: Set<string>;
let cachedSnapshot: string;

/** A deep copy of a plan's JSON: the cached plan's objects are shared by every test file. */
const clonePlanJson = (p: Plan): any => JSON.parse(JSON.stringify(planJson(p)));

function find(resources: PlanResource[], type: string, suffix: string): PlanResource {
    const r = resources.filter(x => x.type === type && x.name.endsWith(suffix));
    expect(r, `${type} *${suffix}`).to.have.length(1);
    return r[0];
}

/** Apply a mutation to a copy of the plan; return the violations that appeared and those that vanished. */
function mutate(fn: (resources: PlanResource[]) => void, config = CONFIG): { added: PolicyViolation[]; removed: string[] } {
    const copy: PlanResource[] = JSON.parse(JSON.stringify(baseline));
    fn(copy);
    const after = evaluatePolicies(copy, config);
    const afterKeys = new Set(after.map(key));
    return { added: after.filter(v => !baselineKeys.has(key(v))), removed: [...baselineKeys].filter(k => !afterKeys.has(k)) };
}

function expectOnly(result: { added: PolicyViolation[]; removed: string[] }, policy: string, urns: string[], level = "mandatory"): void {
    expect(result.removed, "nothing else changes").to.deep.equal([]);
    expect([...new Set(result.added.map(v => v.policy))], JSON.stringify(result.added)).to.deep.equal([policy]);
    expect([...new Set(result.added.map(v => v.urn))]).to.have.members(urns);
    expect(result.added.every(v => v.enforcementLevel === level)).to.equal(true);
}

describe("policy mutations on the prod plan", () => {
    before(async () => {
        plan = await planStack("prod");
        cachedSnapshot = JSON.stringify(planJson(plan));
        baseline = deepFreeze(clonePlanJson(plan).resources);
        baselineKeys = new Set(evaluatePolicies(baseline, CONFIG).map(key));
        expect([...baselineKeys].filter(k => k.startsWith("mandatory"))).to.deep.equal([]);
    });

    it("drop a table's key: dynamodb-encryption-cmk on that table", () => {
        let target = "";
        const r = mutate(rs => {
            const t = find(rs, "aws:dynamodb/table:Table", "-tables-conversations-table");
            delete t.inputs.serverSideEncryption.kmsKeyArn;
            target = t.urn;
        });
        expectOnly(r, "dynamodb-encryption-cmk", [target]);
    });

    it("turn rotation off: kms-key-rotation on that key", () => {
        let target = "";
        const r = mutate(rs => {
            const k = find(rs, "aws:kms/key:Key", "-keys-messaging-key");
            k.inputs.enableKeyRotation = false;
            target = k.urn;
        });
        expectOnly(r, "kms-key-rotation", [target]);
    });

    it("strip a tag from the copy region's provider: required-tags on exactly the taggable resources there", () => {
        let urns: string[] = [];
        const r = mutate(rs => {
            const p = find(rs, "pulumi:providers:aws", "aws-backup-copy");
            const dt = JSON.parse(p.inputs.defaultTags);
            delete dt.tags.CostCenter;
            p.inputs.defaultTags = JSON.stringify(dt);
            urns = rs.filter(x => x.provider === p.urn && taggable.types.includes(x.type)).map(x => x.urn);
        });
        expect(urns.length).to.be.greaterThan(1);
        expectOnly(r, "required-tags", urns);
    });

    it("attach AmazonS3FullAccess to a function's role: iam-no-wildcard-admin on that attachment", () => {
        let target = "";
        const r = mutate(rs => {
            const role = find(rs, "aws:iam/role:Role", "-api-worker-role");
            const attachment: PlanResource = {
                ...role, urn: role.urn.replace(/aws:iam\/role:Role::.*$/, "aws:iam/rolePolicyAttachment:RolePolicyAttachment::worker-s3"),
                type: "aws:iam/rolePolicyAttachment:RolePolicyAttachment", name: "worker-s3",
                inputs: { role: role.inputs.name ?? role.name, policyArn: "arn:aws:iam::aws:policy/AmazonS3FullAccess" }, dependencies: [role.urn], propertyDependencies: { role: [role.urn] },
            };
            rs.push(attachment);
            target = attachment.urn;
        });
        expectOnly(r, "iam-no-wildcard-admin", [target]);
    });

    it("add a function URL without auth to the worker: lambda-function-url-auth on that URL", () => {
        let target = "";
        const r = mutate(rs => {
            const fn = find(rs, "aws:lambda/function:Function", "-api-worker-function");
            const url: PlanResource = {
                ...fn, urn: fn.urn.replace(/aws:lambda\/function:Function::.*$/, "aws:lambda/functionUrl:FunctionUrl::worker-url"),
                type: "aws:lambda/functionUrl:FunctionUrl", name: "worker-url", protect: false,
                inputs: { functionName: fn.inputs.name ?? fn.name, authorizationType: "NONE" }, dependencies: [fn.urn], propertyDependencies: { functionName: [fn.urn] },
            };
            rs.push(url);
            target = url.urn;
        });
        expectOnly(r, "lambda-function-url-auth", [target]);
    });

    it("move the stack to a region without a price table: cost-budget-region (advisory) on the budget, never cost-budget", () => {
        let target = "";
        const r = mutate(rs => {
            for (const p of rs.filter(x => x.type === "pulumi:providers:aws" && x.inputs.region === "us-east-1")) p.inputs.region = "sa-east-1";
            target = rs.find(x => x.type === "aws:budgets/budget:Budget")!.urn;
        }, { ...CONFIG, "allowed-regions": "disabled" });
        expect(r.added.filter(v => v.policy === "cost-budget")).to.deep.equal([]);
        const region = r.added.filter(v => v.policy === "cost-budget-region");
        expect(region.map(v => [v.enforcementLevel, v.urn])).to.deep.equal([["advisory", target]]);
        expect(region[0].message).to.contain("no price table for region sa-east-1");
    });

    it("tag a resource with an unknown environment: required-tags on that resource", () => {
        let target = "";
        const r = mutate(rs => {
            const q = find(rs, "aws:sqs/queue:Queue", "-work-queue");
            q.inputs.tags = { Environment: "sandbox" };
            target = q.urn;
        });
        expectOnly(r, "required-tags", [target]);
    });

    it("open a bucket and drop the account's block: s3-bucket-public-access-block on that bucket", () => {
        let target = "";
        const r = mutate(rs => {
            rs.splice(rs.indexOf(find(rs, "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock", "-account-s3-block")), 1);
            const bucket = find(rs, "aws:s3/bucket:Bucket", "-site-content-bucket");
            const block = rs.find(x => x.type === "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock" && x.propertyDependencies?.bucket?.includes(bucket.urn))!;
            block.inputs.blockPublicPolicy = false;
            block.inputs.restrictPublicBuckets = false;
            target = bucket.urn;
        });
        expectOnly(r, "s3-bucket-public-access-block", [target]);
    });

    it("drop the TLS deny of a bucket policy: s3-bucket-tls-only on that bucket", () => {
        let target = "";
        const r = mutate(rs => {
            const bucket = find(rs, "aws:s3/bucket:Bucket", "-security-audit-bucket");
            const policy = rs.find(x => x.type === "aws:s3/bucketPolicy:BucketPolicy" && x.propertyDependencies?.bucket?.includes(bucket.urn))!;
            const doc = JSON.parse(policy.inputs.policy);
            doc.Statement = doc.Statement.filter((s: any) => s.Sid !== "DenyInsecureTransport");
            policy.inputs.policy = JSON.stringify(doc);
            target = bucket.urn;
        });
        expectOnly(r, "s3-bucket-tls-only", [target]);
    });

    it("drop the TLS deny of a queue policy: sqs-queue-tls-only on that queue", () => {
        let target = "";
        const r = mutate(rs => {
            const q = find(rs, "aws:sqs/queue:Queue", "-work-dlq");
            const policy = rs.find(x => x.type === "aws:sqs/queuePolicy:QueuePolicy" && x.propertyDependencies?.queueUrl?.includes(q.urn))!;
            policy.inputs.policy = JSON.stringify({ Version: "2012-10-17", Statement: [] });
            target = q.urn;
        });
        expectOnly(r, "sqs-queue-tls-only", [target]);
    });

    it("use SQS-managed encryption: sqs-encryption-cmk on that queue", () => {
        let target = "";
        const r = mutate(rs => {
            const q = find(rs, "aws:sqs/queue:Queue", "-failed-invocations-queue");
            delete q.inputs.kmsMasterKeyId;
            q.inputs.sqsManagedSseEnabled = true;
            target = q.urn;
        });
        expectOnly(r, "sqs-encryption-cmk", [target]);
    });

    it("drop a log group's retention: log-group-retention on that group", () => {
        let target = "";
        const r = mutate(rs => {
            const lg = find(rs, "aws:cloudwatch/logGroup:LogGroup", "-api-access-logs");
            delete lg.inputs.retentionInDays;
            target = lg.urn;
        });
        expectOnly(r, "log-group-retention", [target]);
    });

    it("turn tracing off: lambda-tracing on that function", () => {
        let target = "";
        const r = mutate(rs => {
            const fn = find(rs, "aws:lambda/function:Function", "-api-worker-function");
            fn.inputs.tracingConfig = { mode: "PassThrough" };
            target = fn.urn;
        });
        expectOnly(r, "lambda-tracing", [target]);
    });

    it("grant * on *: iam-no-wildcard-admin on that policy", () => {
        let target = "";
        const r = mutate(rs => {
            const p = find(rs, "aws:iam/rolePolicy:RolePolicy", "-api-inbound-policy");
            const doc = JSON.parse(p.inputs.policy);
            doc.Statement.push({ Effect: "Allow", Action: "*", Resource: "*" });
            p.inputs.policy = JSON.stringify(doc);
            target = p.urn;
        });
        expectOnly(r, "iam-no-wildcard-admin", [target]);
    });

    it("let anyone invoke a function: lambda-no-public-permission on that permission", () => {
        let target = "";
        const r = mutate(rs => {
            const p = find(rs, "aws:lambda/permission:Permission", "-api-billing-invoke");
            p.inputs.principal = "*";
            delete p.inputs.sourceArn;
            target = p.urn;
        });
        expectOnly(r, "lambda-no-public-permission", [target]);
    });

    it("allow plain HTTP viewers: cloudfront-viewer-https on the distribution", () => {
        let target = "";
        const r = mutate(rs => {
            const d = find(rs, "aws:cloudfront/distribution:Distribution", "-site-cdn");
            d.inputs.defaultCacheBehavior.viewerProtocolPolicy = "allow-all";
            target = d.urn;
        });
        expectOnly(r, "cloudfront-viewer-https", [target]);
    });

    it("turn Redis TLS off: elasticache-encryption-in-transit on the replication group", () => {
        let target = "";
        const r = mutate(rs => {
            const g = find(rs, "aws:elasticache/replicationGroup:ReplicationGroup", "-api-cache-redis");
            g.inputs.transitEncryptionEnabled = false;
            target = g.urn;
        });
        expectOnly(r, "elasticache-encryption-in-transit", [target]);
    });

    it("drop a topic's key: sns-encryption-cmk on that topic", () => {
        let target = "";
        const r = mutate(rs => {
            const t = find(rs, "aws:sns/topic:Topic", "-alerts-info");
            delete t.inputs.kmsMasterKeyId;
            target = t.urn;
        });
        expectOnly(r, "sns-encryption-cmk", [target]);
    });

    it("detach the API's WAF: apigateway-stage-waf on the stage", () => {
        let target = "";
        const r = mutate(rs => {
            const a = find(rs, "aws:wafv2/webAclAssociation:WebAclAssociation", "-api-waf-association");
            rs.splice(rs.indexOf(a), 1);
            target = find(rs, "aws:apigateway/stage:Stage", "-api-stage").urn;
        });
        expectOnly(r, "apigateway-stage-waf", [target]);
    });

    it("open Redis to the internet over IPv6: security-group-no-world-open-ports on that rule", () => {
        let target = "";
        const r = mutate(rs => {
            const rule = find(rs, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "-network-cache-from-functions");
            delete rule.inputs.referencedSecurityGroupId;
            rule.inputs.cidrIpv6 = "::/0";
            target = rule.urn;
        });
        expectOnly(r, "security-group-no-world-open-ports", [target]);
    });

    it("let everyone send to a queue: resource-policy-no-public-principal on that queue policy", () => {
        let target = "";
        const r = mutate(rs => {
            const p = find(rs, "aws:sqs/queuePolicy:QueuePolicy", "-work-queue-policy");
            const doc = JSON.parse(p.inputs.policy);
            doc.Statement.push({ Effect: "Allow", Principal: { AWS: "*" }, Action: "sqs:SendMessage", Resource: "*" });
            p.inputs.policy = JSON.stringify(doc);
            target = p.urn;
        });
        expectOnly(r, "resource-policy-no-public-principal", [target]);
    });

    it("give a role AdministratorAccess through managedPolicyArns: iam-no-wildcard-admin on that role", () => {
        let target = "";
        const r = mutate(rs => {
            const role = find(rs, "aws:iam/role:Role", "-api-worker-role");
            role.inputs.managedPolicyArns = ["arn:aws:iam::aws:policy/AdministratorAccess"];
            target = role.urn;
        });
        expectOnly(r, "iam-no-wildcard-admin", [target]);
    });

    it("misspell an action in a role policy: iam-policy-valid on that policy", () => {
        let target = "";
        const r = mutate(rs => {
            const p = find(rs, "aws:iam/rolePolicy:RolePolicy", "-api-inbound-policy");
            p.inputs.policy = p.inputs.policy.replace("sqs:SendMessage", "sqs:SendMesage");
            target = p.urn;
        });
        expectOnly(r, "iam-policy-valid", [target]);
    });

    it("Redis TLS preferred, then no AUTH: elasticache-encryption-in-transit, then elasticache-auth, on the group", () => {
        let target = "";
        const preferred = mutate(rs => {
            const g = find(rs, "aws:elasticache/replicationGroup:ReplicationGroup", "-api-cache-redis");
            g.inputs.transitEncryptionMode = "preferred";
            target = g.urn;
        });
        expectOnly(preferred, "elasticache-encryption-in-transit", [target]);
        expectOnly(mutate(rs => { delete find(rs, "aws:elasticache/replicationGroup:ReplicationGroup", "-api-cache-redis").inputs.authToken; }), "elasticache-auth", [target]);
    });

    it("log full API bodies: apigateway-no-data-trace on the method settings", () => {
        let target = "";
        const r = mutate(rs => {
            const m = find(rs, "aws:apigateway/methodSettings:MethodSettings", "-api-method-settings");
            m.inputs.settings.dataTraceEnabled = true;
            target = m.urn;
        });
        expectOnly(r, "apigateway-no-data-trace", [target]);
    });

    it("let API Gateway of any account invoke a function: lambda-no-public-permission on that permission (confused deputy)", () => {
        let target = "";
        const r = mutate(rs => {
            const p = find(rs, "aws:lambda/permission:Permission", "-api-inbound-invoke");
            delete p.inputs.sourceArn;
            target = p.urn;
        });
        expectOnly(r, "lambda-no-public-permission", [target]);
    });

    it("suspend a bucket's versioning: s3-bucket-versioning (advisory) on that bucket", () => {
        const r = mutate(rs => {
            find(rs, "aws:s3/bucketVersioning:BucketVersioning", "-site-content-versioning").inputs.versioningConfiguration.status = "Suspended";
        });
        expectOnly(r, "s3-bucket-versioning", [find(baseline, "aws:s3/bucket:Bucket", "-site-content-bucket").urn], "advisory");
    });

    it("a key ARN that is unknown (as in a real preview) still counts as a key: nothing changes", () => {
        const r = mutate(rs => {
            find(rs, "aws:dynamodb/table:Table", "-tables-users-table").inputs.serverSideEncryption.kmsKeyArn = "[unknown]";
            find(rs, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "-site-content-encryption").inputs.rules[0].applyServerSideEncryptionByDefault.kmsMasterKeyId = "[unknown]";
        });
        expect(r).to.deep.equal({ added: [], removed: [] });
    });

    it("without the exemptions, the log buckets' SSE-S3 becomes a mandatory violation and the exemption report goes", () => {
        const r = mutate(() => undefined, {});
        const logBuckets = ["-site-logs-bucket", "-security-audit-logs-bucket"].map(s => find(baseline, "aws:s3/bucket:Bucket", s).urn);
        expect(r.added.map(v => [v.policy, v.urn, v.enforcementLevel])).to.have.deep.members(logBuckets.map(urn => ["s3-bucket-encryption-cmk", urn, "mandatory"]));
        expect(r.removed).to.have.length(2);
        for (const removed of r.removed) expect(removed).to.match(/^advisory\|exempted-findings\|/);
    });

    it("no mutation reached the cached prod plan that other tests share", () => {
        expect(JSON.stringify(planJson(plan))).to.equal(cachedSnapshot);
    });
});

describe("npm run policy", () => {
    const run = (file: string, ...extra: string[]) => require("child_process").spawnSync(process.execPath,
        ["-r", require.resolve("../engine/register.js"), "cli/policy.ts", file, ...extra], { cwd: require("../engine/paths").REPO_ROOT, encoding: "utf8" });
    const tmp = (name: string, value: unknown) => {
        const file = require("path").join(fs.mkdtempSync(require("path").join(require("os").tmpdir(), "policy-")), name);
        fs.writeFileSync(file, JSON.stringify(value));
        return file;
    };

    it("exits 0 on a compliant plan, 1 on a mandatory violation (naming policy and URN), 2 on an invalid pack config", async () => {
        const json: any = clonePlanJson(await planStack("prod"));
        const clean = run(tmp("prod.json", json));
        expect(clean.status, clean.stderr).to.equal(0);
        expect(clean.stdout).to.match(/\n0 mandatory, \d+ advisory\n/);

        const table = json.resources.find((r: any) => r.type === "aws:dynamodb/table:Table");
        table.inputs.pointInTimeRecovery.enabled = false;
        const broken = run(tmp("broken.json", json));
        expect(broken.status).to.equal(1);
        expect(broken.stdout).to.contain(`[mandatory] dynamodb-pitr: pointInTimeRecovery.enabled must be true`);
        expect(broken.stdout).to.contain(table.urn);

        const badConfig = run(tmp("prod.json", planJson(await planStack("prod"))), "--config", tmp("config.json", { "no-such-policy": "mandatory" }));
        expect(badConfig.status).to.equal(2);
        expect(badConfig.stderr).to.contain("no-such-policy: no such policy in the pack");
    });
});
