/**
 * The cost estimate: the JSON contract, coverage of every planned resource, sourced
 * prices, usage from settings and files, the budget policy, the CLI's --plan path and the
 * generated docs.
 */
import { expect } from "chai";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import { bedrockKey, CostEstimate, CostResource, CUSTOM_METRICS, estimate, FREE_TYPES, isComponentType, runsPerMonth } from "../policy-pack/cost/engine";
import { ANSWER_TOKENS, QUESTION_TOKENS, REPLY_SEGMENTS, SYSTEM_PROMPT_TOKENS } from "../policy-pack/cost/usage";
import { CHARS_PER_TOKEN, estimateTokens, MAX_OUTPUT_TOKENS, SMS_MAX_SEGMENTS, SYSTEM_PROMPT } from "../functions/lib/prompt";
import { NoPriceTableError, PRICE_TABLES } from "../policy-pack/cost/prices";
import { fromPolicyResources, stackFacts } from "../policy-pack/cost/stack";
import { costBudget, costBudgetRegion } from "../policy-pack/policies/cost-budget";
import { DEFAULT_USAGE, USAGE_DESCRIPTIONS } from "../policy-pack/cost/usage";
import { chartSvg, costsMarkdown, DOCS, isCacheResource, loadInputs } from "../generators/cost-docs";
import { CostInputError, costResources, estimatePlan, planCostLine, PlanLike, USAGE_SETTINGS } from "../engine/cost-report";
import { evaluatePolicies } from "../engine/policy-runner";
import { Plan, planJson, REPO_ROOT } from "../engine/planner";
import { loadStackConfig } from "../engine/stack-config";
import { mandatory, planStack, planWith, STACKS } from "./harness";

const asPlan = (p: Plan) => planJson(p) as PlanLike;
const configOf = (stack: string) => loadStackConfig(REPO_ROOT, stack).config;
const costOf = async (stack: string) => estimatePlan(asPlan(await planStack(stack)), { config: configOf(stack) });

const bootstrapPlan = () => planWith({ stack: "state", projectDir: path.join(REPO_ROOT, "bootstrap") });

describe("cost estimate (npm run cost)", function () {
    this.timeout(300000);

    describe("JSON contract", () => {
        it("has exactly the contract's keys, in USD, with totals that add up", async () => {
            const e = (await costOf("prod")).detail.estimate;
            expect(Object.keys(e).sort()).to.deep.equal(["assumptions", "currency", "fixedMonthly", "notEstimated", "resources", "stack", "totalMonthly", "usageMonthly"]);
            expect(e.stack).to.equal("prod");
            expect(e.currency).to.equal("USD");
            for (const r of e.resources) {
                expect(Object.keys(r).sort()).to.deep.equal(["components", "fixedMonthly", "name", "type", "urn", "usageMonthly"]);
                for (const c of r.components) expect(Object.keys(c).sort()).to.deep.equal(["monthly", "name", "quantity", "unit", "unitPrice"]);
                const sum = r.components.reduce((n, c) => n + c.monthly, 0);
                expect(r.fixedMonthly + r.usageMonthly).to.be.closeTo(sum, 0.011);
            }
            for (const n of e.notEstimated) expect(Object.keys(n).sort()).to.deep.equal(["reason", "type", "urn"]);
            expect(e.totalMonthly).to.be.closeTo(e.fixedMonthly + e.usageMonthly, 0.001);
            const fixed = e.resources.reduce((n, r) => n + r.fixedMonthly, 0);
            const usage = e.resources.reduce((n, r) => n + r.usageMonthly, 0);
            expect(e.fixedMonthly).to.be.closeTo(fixed, 0.05);
            expect(e.usageMonthly).to.be.closeTo(usage, 0.05);
            expect(JSON.parse(JSON.stringify(e))).to.deep.equal(e);
        });

        it("every line is quantity x a unit price that names its source and date", async () => {
            for (const stack of STACKS) {
                const e = (await costOf(stack)).detail.estimate;
                for (const r of e.resources) {
                    for (const c of r.components) {
                        const p = e.assumptions.prices[c.name];
                        expect(p, `${r.name}: ${c.name}`).to.not.equal(undefined);
                        expect(p.source).to.match(/^https:\/\/aws\.amazon\.com\//);
                        expect(p.asOf).to.match(/^\d{4}-\d{2}-\d{2}$/);
                        expect(c.unitPrice).to.equal(p.usd);
                        expect(c.unit).to.equal(p.unit);
                        expect(c.monthly).to.be.closeTo(c.quantity * c.unitPrice, 1e-4 + c.monthly * 1e-4);
                    }
                }
            }
        });

        it("names every usage assumption with its value, description and source", async () => {
            const e = (await costOf("staging")).detail.estimate;
            expect(Object.keys(e.assumptions.usage).sort()).to.deep.equal(Object.keys(USAGE_DESCRIPTIONS).sort());
            expect(e.assumptions.usage.messagesPerMonth).to.deep.include({ value: 10000, source: "setting ai-nutritionist:usageMessagesPerMonth" });
            expect(e.assumptions.usage.activeUsers.source).to.equal("staging default");
        });
    });

    describe("coverage: never silently zero", () => {
        const plans = async () => [...await Promise.all(STACKS.map(s => planStack(s))), await bootstrapPlan()];

        it("every resource of every plan (dev, staging, prod, bootstrap) is priced, free with a reason, or not estimated with a reason", async () => {
            for (const plan of await plans()) {
                const { detail } = estimatePlan(asPlan(plan));
                const e = detail.estimate;
                const seen = new Map<string, string>();
                for (const r of e.resources) seen.set(r.urn, "priced");
                for (const f of detail.free) {
                    expect(seen.has(f.urn), f.urn).to.equal(false);
                    expect(f.reason.length).to.be.greaterThan(5);
                    seen.set(f.urn, "free");
                }
                for (const n of e.notEstimated.filter(x => x.type !== "bedrock:model")) {
                    expect(seen.has(n.urn), n.urn).to.equal(false);
                    expect(n.reason.length).to.be.greaterThan(5);
                    seen.set(n.urn, "not estimated");
                }
                const missing = plan.resources.filter(r => !seen.has(r.urn)).map(r => r.urn);
                expect(missing, `${plan.stack}: resources in no list`).to.deep.equal([]);
                expect(seen.size).to.equal(plan.resources.length);
            }
        });

        it("every resource type the plans contain has a rule: a price, a free reason, or a component (none falls to 'no pricing rule')", async () => {
            for (const plan of await plans()) {
                const e = estimatePlan(asPlan(plan)).detail.estimate;
                const unruled = e.notEstimated.filter(n => n.reason.startsWith("no pricing rule")).map(n => n.type);
                expect(unruled, plan.stack).to.deep.equal([]);
            }
        });

        it("a type the engine does not know is reported as not estimated, not priced at zero (bad fixture)", () => {
            const r: CostResource = { urn: "urn:pulumi:x::p::aws:sagemaker/endpoint:Endpoint::big", type: "aws:sagemaker/endpoint:Endpoint", name: "big", props: {} };
            const e = estimate([r], { stack: "x", region: "us-east-1", usage: DEFAULT_USAGE.prod }).estimate;
            expect(e.resources).to.deep.equal([]);
            expect(e.notEstimated).to.deep.equal([{ urn: r.urn, type: r.type, reason: "no pricing rule for aws:sagemaker/endpoint:Endpoint" }]);
        });

        it("a priced type whose unit price is missing from the table is not estimated (bad fixture: an unknown cache node type)", () => {
            const r: CostResource = { urn: "urn:x::cache", type: "aws:elasticache/replicationGroup:ReplicationGroup", name: "cache", props: { nodeType: "cache.x9.huge", numCacheClusters: 2 } };
            const e = estimate([r], { stack: "x", region: "us-east-1", usage: DEFAULT_USAGE.prod }).estimate;
            expect(e.totalMonthly).to.equal(0);
            expect(e.notEstimated[0].reason).to.contain("elasticache.node.cache.x9.huge");
        });

        it("FREE_TYPES and components are not cloud resources with a charge of their own", () => {
            expect(isComponentType("ai-nutritionist:network:SecureVpc")).to.equal(true);
            expect(isComponentType("aws:kms/key:Key")).to.equal(false);
            for (const [type, reason] of Object.entries(FREE_TYPES)) expect(reason, type).to.match(/\w{3,}/);
        });
    });

    describe("prices", () => {
        it("each table is dated and every unit price names an AWS pricing page", () => {
            for (const [region, t] of Object.entries(PRICE_TABLES)) {
                expect(t.region).to.equal(region);
                expect(t.asOf).to.match(/^\d{4}-\d{2}-\d{2}$/);
                for (const [key, p] of Object.entries(t.prices)) {
                    expect(p.source, key).to.match(/^https:\/\/aws\.amazon\.com\/[a-z0-9-]+\/pricing\/|^https:\/\/aws\.amazon\.com\/ec2\/pricing\//);
                    expect(p.usd, key).to.be.a("number").and.to.be.at.least(0);
                    expect(p.unit, key).to.match(/\w/);
                }
            }
        });

        it("has a table for every region a stack names (aws:region and the backup copy region)", () => {
            for (const stack of STACKS) {
                const c = configOf(stack);
                for (const region of [c["aws:region"], c["ai-nutritionist:backupCrossRegionDestination"]].filter(Boolean)) {
                    expect(PRICE_TABLES, `${stack}: ${region}`).to.have.property(region);
                }
            }
        });

        it("refuses a region with no table rather than guessing", () => {
            expect(() => estimate([], { stack: "x", region: "ap-southeast-2", usage: DEFAULT_USAGE.dev })).to.throw(NoPriceTableError, /no price table for region ap-southeast-2/);
            const r: CostResource = { urn: "urn:x::k", type: "aws:kms/key:Key", name: "k", props: {}, region: "ap-south-1" };
            expect(() => estimate([r], { stack: "x", region: "us-east-1", usage: DEFAULT_USAGE.dev })).to.throw(NoPriceTableError, /ap-south-1/);
        });
    });

    describe("what the stacks cost", () => {
        it("derives NAT gateways from the SecureVpc's awsx arguments: none in every stack, one per AZ with natStrategy perAz", async () => {
            const nat = (e: CostEstimate, name = "natGateway.hour") => e.resources.find(r => r.type === "awsx:ec2:Vpc")?.components.find(c => c.name === name)?.quantity ?? 0;
            for (const stack of STACKS) expect(nat((await costOf(stack)).detail.estimate), stack).to.equal(0);
            const perAz = estimatePlan(asPlan(await planStack("prod", { natStrategy: "perAz" })), { config: configOf("prod") }).detail.estimate;
            expect(nat(perAz)).to.equal(2 * 730);
            expect(nat(perAz, "publicIpv4.hour")).to.equal(2 * 730);
        });

        it("prices interface endpoints per AZ (two) and gateway endpoints as free, with the worker's traffic on the ones it calls", async () => {
            const { detail } = await costOf("prod");
            const eps = detail.estimate.resources.filter(r => r.type === "aws:ec2/vpcEndpoint:VpcEndpoint");
            expect(eps).to.have.length(3);
            for (const ep of eps) expect(ep.fixedMonthly).to.equal(14.6);
            expect(detail.free.filter(f => f.type === "aws:ec2/vpcEndpoint:VpcEndpoint")).to.have.length(2);
            const gb = detail.derived.vpcTrafficGB;
            expect(gb["bedrock-runtime"]).to.be.above(0);
            expect(gb.sqs).to.be.above(0); // the worker's SendMessage to the outbox
            expect(gb.secretsmanager).to.be.above(0); // the cache's AUTH token
            expect(gb.internet).to.equal(0); // replies leave through the sender outside the VPC
        });

        it("each tier is within half of the spec's estimate (prod $262.50, staging $125, dev $37.50)", async () => {
            const limits: Record<string, number> = { dev: 37.5, staging: 125, prod: 262.5 };
            for (const stack of STACKS) expect((await costOf(stack)).detail.estimate.totalMonthly, stack).to.be.at.most(limits[stack]);
        });

        it("Bedrock tokens follow the prompt the worker sends: a test fails when SYSTEM_PROMPT or the answer budget moves and the usage profile does not", () => {
            expect(SYSTEM_PROMPT_TOKENS, "policy-pack/cost/usage.ts SYSTEM_PROMPT_TOKENS").to.equal(estimateTokens(SYSTEM_PROMPT));
            expect(QUESTION_TOKENS).to.equal(Math.ceil(160 / CHARS_PER_TOKEN));
            expect(REPLY_SEGMENTS, "policy-pack/cost/usage.ts REPLY_SEGMENTS").to.equal(SMS_MAX_SEGMENTS);
            expect(ANSWER_TOKENS).to.equal(estimateTokens("x".repeat(SMS_MAX_SEGMENTS * 153)));
            expect(ANSWER_TOKENS).to.be.at.most(MAX_OUTPUT_TOKENS);
            for (const env of STACKS) {
                expect(DEFAULT_USAGE[env].inputTokensPerAnswer, env).to.equal(estimateTokens(SYSTEM_PROMPT) + QUESTION_TOKENS);
                expect(DEFAULT_USAGE[env].outputTokensPerAnswer, env).to.equal(ANSWER_TOKENS);
                expect(DEFAULT_USAGE[env].replySegmentsPerAnswer, env).to.equal(SMS_MAX_SEGMENTS);
            }
            // A longer prompt breaks the equality (bad fixture).
            expect(estimateTokens(SYSTEM_PROMPT + " Always add a recipe.")).to.not.equal(SYSTEM_PROMPT_TOKENS);
        });

        it("the custom metrics it bills are the ones the handlers publish (addMetric), per handler", () => {
            const files: Record<string, string> = { inbound: "inbound", worker: "worker", sender: "sender", billing: "billing", scheduler: "scheduler" };
            for (const [role, file] of Object.entries(files)) {
                const src = fs.readFileSync(path.join(REPO_ROOT, "functions", `${file}.ts`), "utf8");
                // Metric names passed to addMetric: a literal argument, or a branch of a conditional inside the call.
                const published = new Set<string>();
                for (const call of src.match(/addMetric\([^;]*?MetricUnit/g) ?? []) {
                    for (const m of call.matchAll(/(?:\(|\?\s*|:\s*)"([A-Z][A-Za-z]+)"/g)) published.add(m[1]);
                }
                const listed = Object.keys(CUSTOM_METRICS[role as keyof typeof CUSTOM_METRICS]);
                for (const name of published) expect(listed, `${role}: ${name} is published but not priced`).to.include(name);
                for (const name of listed) expect(src, `${role}: ${name} is priced but the handler never names it`).to.contain(`"${name}"`);
            }
        });

        it("bills custom metrics per hour published: a per-event metric nearly a full month in prod, a failure metric its failure hours", async () => {
            const e = (await costOf("prod")).detail.estimate;
            const sender = e.resources.find(r => r.name.endsWith("-sender-function-function"))!;
            const months = sender.components.find(c => c.name === "cloudwatch.customMetric")!.quantity;
            // RepliesSent every hour, four failure metrics 24 hours each.
            expect(months).to.be.closeTo(1 + 4 * 24 / 730, 0.001);
        });

        it("adds KMS rotation: $1 a key-month for each of a rotated key's first two rotations", async () => {
            const e = (await costOf("prod")).detail.estimate;
            const keys = e.resources.filter(r => r.type === "aws:kms/key:Key");
            expect(keys.length).to.be.above(3);
            for (const k of keys) {
                expect(k.components.find(c => c.name.startsWith("kms.keyRotation"))?.quantity, k.name).to.equal(2);
                expect(k.fixedMonthly, k.name).to.equal(3);
            }
            const one = estimate([{ urn: "k", type: "aws:kms/key:Key", name: "k", props: { enableKeyRotation: false } }], { stack: "x", region: "us-east-1", usage: DEFAULT_USAGE.prod });
            expect(one.estimate.fixedMonthly).to.equal(1);
        });

        it("prices SMS per segment: End User Messaging on its number, Twilio beside the estimate (outside the AWS bill, not in the totals)", async () => {
            const e = (await costOf("prod")).detail.estimate;
            const sms = e.assumptions.outsideAwsBill;
            const answers = e.assumptions.derived.answersPerMonth;
            expect(sms.lines.map((l: any) => l.name)).to.deep.equal(["twilio.sms.inbound.US", "twilio.sms.outbound.US", "twilio.carrierFee.outbound.US"]);
            expect(sms.lines[1].quantity).to.equal(answers * SMS_MAX_SEGMENTS);
            for (const l of sms.lines) {
                expect(l.source).to.match(/^https:\/\//);
                expect(l.asOf).to.match(/^\d{4}-\d\d-\d\d$/);
            }
            const total = e.resources.reduce((n, r) => n + r.fixedMonthly + r.usageMonthly, 0);
            expect(e.totalMonthly).to.be.closeTo(total, 0.05); // Twilio is not in it
            const withNumber = estimatePlan(asPlan(await planStack("prod", { smsRequestPhoneNumber: "true" })), { config: configOf("prod") }).detail.estimate;
            const number = withNumber.resources.find(r => r.type === "aws:pinpoint/smsvoicev2PhoneNumber:Smsvoicev2PhoneNumber")!;
            expect(number.components.find(c => c.name === "sms.outbound.US")!.quantity).to.equal(answers * SMS_MAX_SEGMENTS);
            expect(withNumber.assumptions.outsideAwsBill.lines).to.deep.equal([]);
        });

        it("prices the global-table replica: replicated writes, transfer, storage and PITR in the replica's region", async () => {
            const e = (await costOf("prod")).detail.estimate;
            const table = e.resources.find(r => r.name.endsWith("-tables-conversations-table"))!;
            const names = table.components.map(c => c.name);
            expect(names).to.include.members(["dynamodb.standard.write@us-west-2", "dataTransfer.interRegion", "dynamodb.standard.storage@us-west-2", "dynamodb.pitr@us-west-2"]);
            const write = (n: string) => table.components.find(c => c.name === n)!.quantity;
            expect(write("dynamodb.standard.write@us-west-2")).to.equal(write("dynamodb.standard.write"));
            expect(e.resources.find(r => r.name.endsWith("-tables-idempotency-table"))!.components.some(c => c.name.includes("@us-west-2"))).to.equal(false);
        });

        it("prices the idempotency and send records: two conditional writes per webhook call, answer, reply and Stripe event; a week of them stored", async () => {
            const e = (await costOf("prod")).detail.estimate;
            const u = DEFAULT_USAGE.prod;
            const table = e.resources.find(r => r.name.endsWith("-tables-idempotency-table"))!;
            const answers = e.assumptions.derived.answersPerMonth;
            const expected = 2 * (u.messagesPerMonth * (1 + u.statusCallbacksPerMessage) + 2 * answers + u.billingEventsPerMonth);
            expect(table.components.find(c => c.name === "dynamodb.standard.write")!.quantity).to.be.closeTo(expected / 1e6, 1e-6);
            expect(table.components.find(c => c.name === "dynamodb.standard.storage")!.quantity).to.be.closeTo(expected / 2 * u.itemKB * (7 / 30.4) / (1024 * 1024), 1e-6);
        });

        it("prices Valkey nodes below Redis OSS nodes, and a serverless Valkey cache from its 100 MB minimum", () => {
            const group = (engine: string): CostResource => ({ urn: "g", type: "aws:elasticache/replicationGroup:ReplicationGroup", name: "g", props: { engine, nodeType: "cache.t4g.micro", numCacheClusters: 2 } });
            const price = (r: CostResource) => estimate([r], { stack: "x", region: "us-east-1", usage: DEFAULT_USAGE.prod }).estimate.fixedMonthly;
            expect(price(group("valkey"))).to.be.closeTo(price(group("redis")) * 0.8, 0.01);
            const serverless = estimate([{ urn: "s", type: "aws:elasticache/serverlessCache:ServerlessCache", name: "s", props: { engine: "valkey" } }],
                { stack: "x", region: "us-east-1", usage: DEFAULT_USAGE.dev }).estimate;
            expect(serverless.fixedMonthly).to.be.closeTo(0.1 * 730 * 0.084, 0.01);
        });

        it("with a real preview's NAT gateway children, prices them instead of the awsx arguments (no double count)", () => {
            const vpc: CostResource = { urn: "urn:vpc", type: "awsx:ec2:Vpc", name: "vpc", props: { natGateways: { strategy: "OnePerAz" }, numberOfAvailabilityZones: 3 } };
            const ngw = (i: number): CostResource => ({ urn: `urn:ngw${i}`, type: "aws:ec2/natGateway:NatGateway", name: `ngw${i}`, props: {}, parent: "urn:vpc" });
            const eip = (i: number): CostResource => ({ urn: `urn:eip${i}`, type: "aws:ec2/eip:Eip", name: `eip${i}`, props: {}, parent: "urn:vpc" });
            const e = estimate([vpc, ngw(1), ngw(2), eip(1), eip(2)], { stack: "x", region: "us-east-1", usage: DEFAULT_USAGE.prod }).estimate;
            expect(e.fixedMonthly).to.be.closeTo(2 * 730 * 0.045 + 2 * 730 * 0.005, 0.01);
        });

        it("the cache cuts Bedrock calls by the cache hit rate (spec: 70% fewer)", async () => {
            const { detail } = await costOf("prod");
            const d = detail.estimate.assumptions.derived;
            expect(d.cache).to.equal(true);
            expect(d.bedrockCallsPerMonth).to.be.closeTo(d.answersPerMonth * 0.3, 1);
            const without = estimatePlan({ ...asPlan(await planStack("prod")), resources: asPlan(await planStack("prod")).resources.filter(r => !isCacheResource(costResources({ stack: "prod", resources: [r] })[0])) },
                { config: configOf("prod") }).detail.estimate.assumptions.derived;
            expect(without.bedrockCallsPerMonth).to.equal(d.answersPerMonth);
        });

        it("prices backups as full copies, with the cross-region copy in the destination region's table", async () => {
            const e = (await costOf("prod")).detail.estimate;
            const plan = e.resources.find(r => r.type === "aws:backup/plan:Plan")!;
            const names = plan.components.map(c => c.name);
            expect(names).to.include.members(["backup.dynamodb.warm", "backup.dynamodb.cold", "dataTransfer.interRegion", "backup.dynamodb.warm@us-west-2"]);
            expect(e.assumptions.priceTables).to.have.keys(["us-east-1", "us-west-2"]);
        });

        it("prices the stack's Bedrock model or inference profile, and reports an unknown one as not estimated", async () => {
            expect(bedrockKey("us.anthropic.claude-haiku-4-5-20251001-v1:0")).to.equal("bedrock.anthropic.claude-haiku-4-5");
            expect(bedrockKey("global.anthropic.claude-haiku-4-5-20251001-v1:0")).to.equal("bedrock.anthropic.claude-haiku-4-5.global");
            expect(bedrockKey("anthropic.claude-3-5-haiku-20241022-v1:0")).to.equal("bedrock.anthropic.claude-3-5-haiku");
            expect(bedrockKey("meta.llama3-70b-instruct-v1:0")).to.equal(undefined);
            const e = (await costOf("prod")).detail.estimate;
            const worker = e.resources.find(r => r.name.endsWith("-worker-function"))!;
            expect(worker.components.map(c => c.name).filter(n => n.startsWith("bedrock."))).to.have.length(2);
            const fn: CostResource = { urn: "urn:fn", type: "aws:lambda/function:Function", name: "x-worker-function", props: { environment: { variables: { BEDROCK_MODEL_ID: "meta.llama3-70b-instruct-v1:0" } } } };
            const odd = estimate([fn], { stack: "x", region: "us-east-1", usage: DEFAULT_USAGE.prod }).estimate;
            expect(odd.notEstimated).to.deep.equal([{ urn: "urn:fn", type: "bedrock:model", reason: "Bedrock model meta.llama3-70b-instruct-v1:0 is not in the price table" }]);
        });

        it("reads schedules: hourly, daily, weekly and rate expressions", () => {
            expect(runsPerMonth("cron(0 * * * ? *)")).to.be.closeTo(24 * 30.4, 0.01);
            expect(runsPerMonth("cron(0 4 * * ? *)")).to.be.closeTo(30.4, 0.01);
            expect(runsPerMonth("cron(0 6 ? * MON *)")).to.be.closeTo(30.4 / 7, 0.01);
            expect(runsPerMonth("cron(0 6 1 * ? *)")).to.equal(1);
            expect(runsPerMonth("rate(5 minutes)")).to.be.closeTo(8760, 0.01);
        });
    });

    describe("usage profile", () => {
        it("every usage* setting feeds its assumption", async () => {
            const plan = asPlan(await planStack("dev"));
            const config = { ...configOf("dev"), "ai-nutritionist:usageMessagesPerMonth": "50000", "ai-nutritionist:usageOutputTokensPerAnswer": "800" };
            const u = estimatePlan(plan, { config }).detail.estimate.assumptions.usage;
            expect(u.messagesPerMonth.value).to.equal(50000);
            expect(u.outputTokensPerAnswer.value).to.equal(800);
            expect(Object.values(USAGE_SETTINGS).every(k => u[k!].source.startsWith("setting "))).to.equal(true);
        });

        it("a YAML file overrides settings, and the output names the file", async () => {
            const file = path.join(os.tmpdir(), `usage-${process.pid}.yaml`);
            fs.writeFileSync(file, yaml.dump({ messagesPerMonth: 1000000, cacheHitRatePercent: 90 }));
            const base = await costOf("prod");
            const run = estimatePlan(asPlan(await planStack("prod")), { config: configOf("prod"), usageFile: file });
            expect(run.detail.estimate.assumptions.usage.messagesPerMonth).to.deep.include({ value: 1000000, source: `file ${file}` });
            expect(run.detail.estimate.usageMonthly).to.be.greaterThan(base.detail.estimate.usageMonthly * 3);
            expect(run.detail.estimate.fixedMonthly).to.equal(base.detail.estimate.fixedMonthly);
        });

        it("refuses unknown assumptions and bad values in the file, listing each (bad fixture)", async () => {
            const file = path.join(os.tmpdir(), `usage-bad-${process.pid}.yaml`);
            fs.writeFileSync(file, "messagesPerMonht: 5\ncacheHitRatePercent: 150\ninputTokensPerAnswer: many\n");
            let err: unknown;
            try {
                estimatePlan(asPlan(await planStack("dev")), { config: configOf("dev"), usageFile: file });
            } catch (e) {
                err = e;
            }
            expect(err).to.be.instanceOf(CostInputError);
            const problems = (err as CostInputError).problems.join("\n");
            expect(problems).to.contain("usage.messagesPerMonht: unknown assumption");
            expect(problems).to.contain("usage.inputTokensPerAnswer: must be a number");
            expect(problems).to.contain("usage.cacheHitRatePercent: must be at most 100");
        });
    });

    describe("budget guard (cost-budget policy)", () => {
        it("our three stacks are within their budgets", async () => {
            for (const stack of STACKS) {
                const plan = await planStack(stack);
                expect(plan.violations.filter(v => v.policy === "cost-budget"), stack).to.deep.equal([]);
            }
        });

        it("fails the preview of a stack whose estimate exceeds its monthlyBudgetLimit", async () => {
            const plan = await planStack("dev", { monthlyBudgetLimit: "20" });
            const v = mandatory(plan).filter(x => x.policy === "cost-budget");
            expect(v).to.have.length(1);
            expect(v[0].message).to.match(/estimated monthly cost \$\d+\.\d\d .* exceeds the budget of \$20/);
            expect(v[0].urn).to.match(/aws:budgets\/budget:Budget::ai-nutritionist-dev-observability-budget$/);
        });

        it("takes the budget and usage from the policy config when given", async () => {
            const plan = asPlan(await planStack("staging"));
            const over = evaluatePolicies(plan.resources, { "cost-budget": { monthlyBudget: 100, usageProfile: "environment" } }).filter(x => x.policy === "cost-budget");
            expect(over).to.have.length(1);
            const busy = evaluatePolicies(plan.resources, { "cost-budget": { usage: { messagesPerMonth: 2000000 } } }).filter(x => x.policy === "cost-budget");
            expect(busy).to.have.length(1);
            expect(busy[0].message).to.contain("exceeds the budget of $200");
            const bad = evaluatePolicies(plan.resources, { "cost-budget": { usage: { messagesPerMonht: 1 } } }).filter(x => x.policy === "cost-budget");
            expect(bad[0].message).to.contain("usage.messagesPerMonht: unknown assumption");
        });

        it("finds the region and environment from the resources' providers when a preview lists no provider resources", () => {
            const provider = { urn: "urn:prov", type: "pulumi:providers:aws", name: "main", props: { region: "us-east-1", defaultTags: { tags: { Environment: "staging" } } } };
            const key = { urn: "urn:key", type: "aws:kms/key:Key", name: "k", props: {}, provider };
            const budget = { urn: "urn:budget", type: "aws:budgets/budget:Budget", name: "b", props: { budgetType: "COST", timeUnit: "MONTHLY", limitAmount: "0.50" }, provider };
            const resources = fromPolicyResources([key, budget]);
            expect(resources.map(r => r.urn)).to.deep.equal(["urn:key", "urn:budget", "urn:prov"]);
            expect(stackFacts(resources)).to.deep.equal({ region: "us-east-1", environment: "staging", budget: 0.5, budgetUrn: "urn:budget" });
            const v: { message: string; urn?: string }[] = [];
            (costBudget as any).validateStack({ resources: [key, budget], getConfig: () => ({ usageProfile: "environment" }), notApplicable: () => undefined }, (message: string, urn?: string) => v.push({ message, urn }));
            expect(v).to.have.length(1);
            expect(v[0].message).to.match(/estimated monthly cost \$1\.03 .* at the staging usage profile\) exceeds the budget of \$0\.5/);
            expect(v[0].urn).to.equal("urn:budget");
        });

        it("refuses to guess when no provider names the region", () => {
            const provider = { urn: "urn:prov", type: "pulumi:providers:aws", name: "main", props: { defaultTags: { tags: { Environment: "staging" } } } };
            const key = { urn: "urn:key", type: "aws:kms/key:Key", name: "k", props: {}, provider };
            const budget = { urn: "urn:budget", type: "aws:budgets/budget:Budget", name: "b", props: { budgetType: "COST", timeUnit: "MONTHLY", limitAmount: "1000" }, provider };
            expect(stackFacts(fromPolicyResources([key, budget])).region).to.equal(undefined);
            const v: { message: string; urn?: string }[] = [];
            (costBudgetRegion as any).validateStack({ resources: [key, budget], getConfig: () => ({ usageProfile: "environment" }), notApplicable: () => undefined }, (message: string, urn?: string) => v.push({ message, urn }));
            expect(v).to.deep.equal([{ message: "cost-budget cannot check the budget of $1000: the stack's region is unknown (no AWS provider in the preview sets a region)", urn: "urn:budget" }]);
        });

        it("refuses to guess in a region with no price table: an advisory, never a block", async () => {
            // The staging plan moved to a region without a table (its providers' region).
            const moved = asPlan(await planStack("staging")).resources.map(r => r.type === "pulumi:providers:aws" ? { ...r, inputs: { ...r.inputs, region: "ap-southeast-2" } } : r);
            const config = { "cost-budget": { usageProfile: "environment" }, "cost-budget-region": { usageProfile: "environment" } };
            const violations = evaluatePolicies(moved, config);
            expect(violations.filter(x => x.policy === "cost-budget")).to.deep.equal([]);
            const v = violations.filter(x => x.policy === "cost-budget-region");
            expect(v).to.have.length(1);
            expect(v[0].enforcementLevel).to.equal("advisory");
            expect(v[0].message).to.contain("no price table for region ap-southeast-2");
        });

        it("imports nothing from outside policy-pack/ (the pack publishes on its own)", () => {
            const dir = path.join(REPO_ROOT, "policy-pack");
            const files = ["policies/cost-budget.ts", ...fs.readdirSync(path.join(dir, "cost")).filter(f => f.endsWith(".ts")).map(f => `cost/${f}`)];
            for (const f of files) {
                const text = fs.readFileSync(path.join(dir, f), "utf8");
                for (const m of text.matchAll(/from "(\.[^"]+)"/g)) {
                    expect(path.resolve(path.dirname(path.join(dir, f)), m[1]).startsWith(dir + path.sep), `${f}: ${m[1]}`).to.equal(true);
                }
            }
        });
    });

    describe("CLI and docs", () => {
        it("--plan prices a plan file without running the program, and --json writes the contract", async () => {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cost-"));
            const planFile = path.join(dir, "plan.json");
            fs.writeFileSync(planFile, JSON.stringify(planJson(await planStack("staging"))));
            const out = path.join(dir, "cost.json");
            const cli = (...a: string[]) => spawnSync(process.execPath, ["-r", "./engine/register.js", "cli/cost.ts", ...a], { cwd: REPO_ROOT, encoding: "utf8" });
            const r = spawnSync(process.execPath, ["-r", "./engine/register.js", "cli/cost.ts", "staging", "--plan", planFile, "--json", out],
                { cwd: REPO_ROOT, encoding: "utf8" });
            expect(r.status, r.stderr).to.equal(0);
            expect(r.stdout).to.match(/fixed \$\d+\.\d\d {3}usage \$\d+\.\d\d {3}total \$\d+\.\d\d {3}budget \$200\.00/);
            expect(r.stdout).to.contain("Unit prices used:");
            expect(r.stdout).to.contain("https://aws.amazon.com/privatelink/pricing/");
            expect(r.stdout).to.match(/Outside the AWS bill \(not in the totals\): \$\d+\.\d\d a month/);
            const written = JSON.parse(fs.readFileSync(out, "utf8"));
            expect(written).to.deep.equal((await costOf("staging")).detail.estimate);
            const wrong = cli("prod", "--plan", planFile);
            expect(wrong.status).to.equal(3);
            expect(wrong.stderr.trim()).to.equal(`cost: plan file ${planFile} is a plan of stack staging, not prod`);
            // A stack over its budget exits 1 (a broken check), after printing the estimate.
            const low = JSON.parse(fs.readFileSync(planFile, "utf8"));
            for (const res of low.resources) if (res.type === "aws:budgets/budget:Budget") res.inputs.limitAmount = "10.00";
            fs.writeFileSync(planFile, JSON.stringify(low));
            const over = cli("staging", "--plan", planFile);
            expect(over.status).to.equal(1);
            expect(over.stdout).to.contain("budget $10.00").and.to.contain("OVER BUDGET");
        });

        it("npm run plan's estimate line: total, fixed and usage, and the stack's budget; refused for a region with no table", async () => {
            const line = planCostLine(asPlan(await planStack("prod")), { projectDir: REPO_ROOT, mainProject: true });
            const e = (await costOf("prod")).detail.estimate;
            expect(line).to.equal(`Estimated monthly cost: $${e.totalMonthly.toFixed(2)} (fixed $${e.fixedMonthly.toFixed(2)}, usage $${e.usageMonthly.toFixed(2)} at the prod usage profile); ` +
                `budget $1000.00 (${Math.round(e.totalMonthly / 10)}%)${e.notEstimated.length ? `; ${e.notEstimated.length} not estimated` : ""}. Details: npm run cost -- prod`);
            // The hint names what the plan was of: its settings file, another project.
            expect(planCostLine(asPlan(await planStack("prod")), { projectDir: REPO_ROOT, configFile: "Pulumi.prod.yaml", mainProject: true })).to.match(/\. Details: npm run cost -- prod --config Pulumi\.prod\.yaml$/);
            const spaced = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "cost-")), "it's here.yaml");
            fs.copyFileSync(path.join(REPO_ROOT, "Pulumi.prod.yaml"), spaced);
            expect(planCostLine(asPlan(await planStack("prod")), { projectDir: REPO_ROOT, configFile: spaced, mainProject: true }).endsWith(` --config '${spaced.replace("'", "'\\''")}'`)).to.equal(true);
            const state = await planWith({ stack: "state", projectDir: path.join(REPO_ROOT, "bootstrap") });
            expect(planCostLine(asPlan(state), { projectDir: path.join(REPO_ROOT, "bootstrap"), mainProject: false })).to.match(/\. Details: npm run cost -- state --project bootstrap$/);
            // The staging plan moved to a region without a table (its providers' region).
            const staging = asPlan(await planStack("staging"));
            const moved = { ...staging, resources: staging.resources.map(r => r.type === "pulumi:providers:aws" ? { ...r, inputs: { ...r.inputs, region: "ap-southeast-2" } } : r) };
            const unpriced = planCostLine(moved, { projectDir: REPO_ROOT, mainProject: false });
            expect(unpriced).to.match(/^Estimated monthly cost: refused — no price table for region ap-southeast-2/);
        });

        it("docs/costs.md and docs/cost-chart.svg are the generated ones (npm run cost:docs)", async () => {
            const plans = Object.fromEntries(await Promise.all(STACKS.map(async s => [s, asPlan(await planStack(s))]))) as any;
            const inputs = loadInputs(plans);
            expect(fs.readFileSync(DOCS.markdown, "utf8")).to.equal(costsMarkdown(inputs));
            expect(fs.readFileSync(DOCS.chart, "utf8")).to.equal(chartSvg(inputs));
        });
    });
});
