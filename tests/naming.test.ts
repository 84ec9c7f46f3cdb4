/**
 * Names as the Pulumi AWS provider and AWS make them (components/naming.ts, engine/mocks.ts): one table
 * of limits covering every type we create, a plan that fails on any name that cannot fit, and stack-scoped
 * names (two stacks of one environment share no fixed name).
 */
import { expect } from "chai";
import * as path from "path";
import { resolveSettings, stackNameProblems } from "../config";
import { fitName, MAX_STACK_NAME_LENGTH, NAME_RULES, valuesAt } from "../components/naming";
import { validateRedisCacheArgs } from "../components/redis-cache";
import { nameResource } from "../engine/mocks";
import { loadStackConfig } from "../engine/stack-config";
import { Plan, REPO_ROOT, runPlan } from "../engine/planner";
import { planStack, planWith, STACKS } from "./harness";

/** Every account-scoped name and name prefix a plan sets explicitly (auto-names get random suffixes). */
export function fixedNames(plan: Plan): Map<string, string> {
    const out = new Map<string, string>();
    for (const r of plan.resources) {
        const rule = NAME_RULES[r.type];
        if (!rule) continue;
        for (const [field, spec] of Object.entries(rule.fields)) {
            if (spec.scope !== "account") continue;
            for (const v of valuesAt(r.inputs, field)) if (typeof v === "string") out.set(v, `${r.type} ${r.name} ${field}`);
            const prefix = rule.namePrefix && rule.auto?.property === field ? r.inputs[`${field}Prefix`] : undefined;
            if (typeof prefix === "string") out.set(`${prefix}*`, `${r.type} ${r.name} ${field}Prefix`);
        }
    }
    return out;
}

async function planError(p: Promise<unknown>): Promise<any> {
    try {
        await p;
    } catch (e) {
        return e;
    }
    throw new Error("planned without error");
}

describe("names", () => {
    describe("the table of limits", () => {
        it("covers every resource type of every stack, of bootstrap and of the optional features", async () => {
            const plans = [
                ...await Promise.all(STACKS.map(s => planStack(s))),
                await planStack("staging", { tableBillingMode: "PROVISIONED", smsRequestPhoneNumber: "true", activateCostAllocationTags: "true" }),
                await planWith({ stack: "state", projectDir: path.join(REPO_ROOT, "bootstrap") }),
            ];
            const types = new Set(plans.flatMap(p => p.resources.filter(r => r.custom).map(r => r.type)));
            expect([...types].filter(t => !NAME_RULES[t]), "types without a NAME_RULES entry").to.deep.equal([]);
            expect(types.size).to.be.greaterThan(90);
        });

        it("cites a source for every limit: the provider's resources.go for auto-names, AWS's reference for names", () => {
            for (const [type, rule] of Object.entries(NAME_RULES)) {
                if (rule.none) {
                    expect(Object.keys(rule.fields), type).to.have.length(0);
                    continue;
                }
                expect(Object.keys(rule.fields).length, type).to.be.greaterThan(0);
                if (rule.auto) {
                    expect(rule.auto.source, type).to.match(/^pulumi\/pulumi-aws provider\/resources\.go: /);
                    expect(rule.fields[rule.auto.property], `${type}: AWS's limit of the auto-named ${rule.auto.property}`).to.not.equal(undefined);
                }
                for (const [field, f] of Object.entries(rule.fields)) expect(f.source, `${type} ${field}`).to.match(/^https:\/\/docs\.aws\.amazon\.com\//);
            }
        });
    });

    describe("auto-naming as the provider does it", () => {
        it("appends - and 7 hex characters to the logical name, lower-casing where the provider lowers it", () => {
            const bucket = nameResource("aws:s3/bucket:Bucket", "Site-Logs", {}, "seed");
            expect(bucket.names.bucket).to.match(/^site-logs-[0-9a-f]{7}$/);
            const table = nameResource("aws:dynamodb/table:Table", "Users", {}, "seed");
            expect(table.names.name).to.match(/^Users-[0-9a-f]{7}$/);
            expect(nameResource("aws:kms/alias:Alias", "k", {}, "seed").names.name).to.match(/^alias\/k-[0-9a-f]{7}$/);
            expect(nameResource("aws:cloudwatch/logGroup:LogGroup", "l", { namePrefix: "/app/" }, "seed").names.name).to.match(/^\/app\/[0-9a-f]{26}$/);
            expect([bucket.problems, table.problems]).to.deep.equal([[], []]);
        });

        it("refuses, never truncates, a logical name too long for the provider's cap, naming the limit and the computed length", () => {
            const { names, problems } = nameResource("aws:elasticache/replicationGroup:ReplicationGroup", "ai-nutritionist-staging-api-cache-redis", {}, "seed");
            expect(problems).to.have.length(1);
            expect(problems[0]).to.contain("ai-nutritionist-staging-api-cache-redis").and.contain("maximum length 40").and.contain("computed 47");
            expect(names.replicationGroupId).to.have.length(47);
        });

        it("refuses an X-Ray sampling rule's service name (API `<name>/<stage>`) longer than X-Ray's 64", () => {
            const rule = (serviceName: string) => nameResource("aws:xray/samplingRule:SamplingRule", "r", { ruleName: "r", serviceName }, "seed").problems;
            expect(rule(`${"a".repeat(56)}/staging`)).to.deep.equal([]);
            expect(rule(`${"a".repeat(57)}/staging`)).to.have.length(1);
            expect(rule(`${"a".repeat(57)}/staging`)[0]).to.contain("serviceName").and.contain("is 65 characters; AWS allows at most 64");
        });

        it("refuses a name the provider accepts but AWS does not (EventBridge target ids: provider 255, AWS 64)", () => {
            const { problems } = nameResource("aws:cloudwatch/eventTarget:EventTarget", "ai-nutritionist-staging-security-config-noncompliant-target", {}, "seed");
            expect(problems).to.have.length(1);
            expect(problems[0]).to.contain("is 67 characters; AWS allows at most 64");
        });

        it("fails the plan listing every name that cannot fit, auto and explicit, with its limit and length", async () => {
            const e = await planError(runPlan({ stack: "dev", program: "tests/programs/long-names.ts", policyConfig: false }));
            expect(e.name).to.equal("NamingError");
            const text = e.problems.join("\n");
            expect(e.problems).to.have.length(6);
            expect(text).to.contain("name 'ai-nutritionist-staging-api-cache-redis-' plus 7 random chars is longer than maximum length 40 (computed 47");
            expect(text).to.contain("targetId: \"ai-nutritionist-staging-security-config-noncompliant-target-");
            expect(text).to.contain("\"ai-nutritionist-a-very-long-stack-slow\" is 38 characters; AWS allows at most 32");
            expect(text).to.contain("\"ai-nutritionist-a-very-long-stack-name\" is 38 characters; AWS allows at most 32");
            expect(text).to.contain("\"work queue\" has characters or a shape AWS refuses");
            expect(text).to.contain("namePrefix \"ai-nutritionist-a-very-long-stack-role-\" plus 26 unique chars is 65 characters; AWS allows at most 64");
        });
    });

    describe("our names", () => {
        for (const stack of STACKS) {
            it(`${stack}: every name fits its type's limits`, async () => {
                const plan = await planStack(stack);
                const problems = plan.resources.flatMap(r => nameResource(r.type, r.name, r.inputs, "check").problems);
                expect(problems).to.deep.equal([]);
            });
        }

        it("shortens a name over its cap with a stable hash of the whole name, never a bare cut", () => {
            const a = fitName("ai-nutritionist-feature-abc-slow", 24);
            const b = fitName("ai-nutritionist-feature-abd-slow", 24);
            expect(a).to.have.length.at.most(24).and.not.equal(b);
            expect(a).to.equal(fitName("ai-nutritionist-feature-abc-slow", 24));
            expect(a).to.match(/^ai-nutritionist-f.*-[0-9a-f]{6}$/);
            expect(fitName("short", 24)).to.equal("short");
        });

        it("RedisCache refuses a replication group id AWS would, from the same table", () => {
            const base = { subnetIds: [], securityGroupId: "sg", kmsKeyArn: "k", slowLog: { kmsKeyArn: "k", retentionInDays: 7, namePrefix: "/x/" } };
            expect(validateRedisCacheArgs({ ...base, replicationGroupId: "ai-nutritionist-prod-cache" })).to.deep.equal([]);
            const p = validateRedisCacheArgs({ ...base, replicationGroupId: "ai-nutritionist-staging-api-cache-redis-x" });
            expect(p).to.have.length(1);
            expect(p[0]).to.contain("is 41 characters; AWS allows at most 40");
            expect(validateRedisCacheArgs({ ...base, replicationGroupId: "Cache--1-" })[0]).to.contain("has characters or a shape AWS refuses");
        });

        it("the Redis replication group has an explicit id, so its nodes' CacheClusterId is <id>-001 …", async () => {
            const plan = await planStack("prod");
            const rg = plan.resources.find(r => r.type === "aws:elasticache/replicationGroup:ReplicationGroup")!;
            expect(rg.inputs.replicationGroupId).to.equal("ai-nutritionist-prod-cache");
            expect(rg.outputs!.memberClusters).to.deep.equal(["ai-nutritionist-prod-cache-001", "ai-nutritionist-prod-cache-002"]);
        });
    });

    describe("stack-scoped names", () => {
        it(`plans every stack's settings under a stack name of ${MAX_STACK_NAME_LENGTH} characters`, async () => {
            const stack = "q".repeat(MAX_STACK_NAME_LENGTH);
            await planWith({ stack, configFile: path.join(REPO_ROOT, "Pulumi.prod.yaml"), policyConfig: false });
            await planWith({ stack, configFile: path.join(REPO_ROOT, "Pulumi.dev.yaml"), policyConfig: false });
        });

        it("refuses a longer stack name at settings time, naming the cap", async () => {
            const stack = "q".repeat(MAX_STACK_NAME_LENGTH + 1);
            const e = await planError(runPlan({ stack, configFile: path.join(REPO_ROOT, "Pulumi.prod.yaml"), policyConfig: false }));
            expect(e.name).to.equal("SettingsError");
            expect(e.message).to.contain(`stack name: must be at most ${MAX_STACK_NAME_LENGTH} characters`).and.contain("Lambda's 64").and.contain(`${MAX_STACK_NAME_LENGTH + 1} characters)`);
        });

        it("refuses stack names S3 and ElastiCache cannot carry, listing every problem", () => {
            expect(stackNameProblems("qa")).to.deep.equal([]);
            expect(stackNameProblems("QA_Stack.Name-Too-Long")).to.have.length(2);
            const { config } = loadStackConfig(REPO_ROOT, "staging");
            expect(() => resolveSettings(config, undefined, "Bad_Name")).to.throw("stack name: must be lower-case letters");
        });

        it("a qa stack planned from staging's settings shares no fixed name with staging", async () => {
            const staging = fixedNames(await planStack("staging"));
            const qa = fixedNames(await planWith({ stack: "qa", configFile: path.join(REPO_ROOT, "Pulumi.staging.yaml"), overrides: { "ai-nutritionist:ownsAccountBaseline": "false" } }));
            expect(qa.size).to.be.greaterThan(10);
            expect([...qa.keys()].filter(n => staging.has(n)).map(n => `${n} (${qa.get(n)})`)).to.deep.equal([]);
            // The comparison does see shared names when there are some: staging planned again as "staging".
            const again = fixedNames(await planWith({ stack: "staging", configFile: path.join(REPO_ROOT, "Pulumi.staging.yaml"), overrides: { "ai-nutritionist:ownsAccountBaseline": "false" } }));
            expect([...again.keys()].filter(n => staging.has(n)).length).to.be.greaterThan(10);
        });
    });
});
