import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { spawnSync } from "child_process";
import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import { createMocks, MOCK_ACCOUNT } from "../engine/mocks";
import { REPO_ROOT } from "../engine/paths";
import { runPlan } from "../engine/planner";
import { mandatory, ofType, one, planStack, planWith, STACKS } from "./harness";

/** The ARN shape each service uses (service, region or none, account or none). */
const ARN_SHAPES: Record<string, RegExp> = {
    "aws:kms/key:Key": /^arn:aws:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f-]{36}$/,
    "aws:dynamodb/table:Table": /^arn:aws:dynamodb:[a-z0-9-]+:\d{12}:table\/[\w.-]+$/,
    "aws:sqs/queue:Queue": /^arn:aws:sqs:[a-z0-9-]+:\d{12}:[\w-]+$/,
    "aws:sns/topic:Topic": /^arn:aws:sns:[a-z0-9-]+:\d{12}:[\w-]+$/,
    "aws:lambda/function:Function": /^arn:aws:lambda:[a-z0-9-]+:\d{12}:function:[\w-]+$/,
    "aws:iam/role:Role": /^arn:aws:iam::\d{12}:role\/[\w+=,.@-]+$/,
    "aws:cloudwatch/logGroup:LogGroup": /^arn:aws:logs:[a-z0-9-]+:\d{12}:log-group:[\w/.-]+$/,
    "aws:s3/bucket:Bucket": /^arn:aws:s3:::[a-z0-9.-]+$/,
    "aws:wafv2/webAcl:WebAcl": /^arn:aws:wafv2:[a-z0-9-]+:\d{12}:(regional|global)\/webacl\/[\w-]+\/[0-9a-f-]+$/,
    "aws:cloudfront/distribution:Distribution": /^arn:aws:cloudfront::\d{12}:distribution\/E[A-Z0-9]+$/,
    "aws:backup/vault:Vault": /^arn:aws:backup:[a-z0-9-]+:\d{12}:backup-vault:[\w-]+$/,
    "aws:secretsmanager/secret:Secret": /^arn:aws:secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w-]+-[a-z0-9]{6}$/,
    "aws:apigateway/stage:Stage": /^arn:aws:apigateway:[a-z0-9-]+::\/restapis\/\w+\/stages\/\w+$/,
};

describe("offline plan", () => {
    it("waits for registrations started after the program's code returned (an apply, the next turn, a 15 ms timer)", async () => {
        const plan = await runPlan({ stack: "dev", program: "tests/programs/late-registrations.ts", policyConfig: false });
        expect(plan.resources.filter(r => r.type === "aws:sqs/queue:Queue").map(r => r.name).sort()).to.deep.equal(["a", "from-apply", "from-timer", "next-turn"]);
    });
    it("settles at once when nothing can call back into the program, and waits out a pending timer (outside mocha's own timers)", () => {
        const run = (code: string) => spawnSync(process.execPath, ["-r", path.join(REPO_ROOT, "engine", "register.js"), "-e", code], { cwd: REPO_ROOT, encoding: "utf8" });
        const settle = `const { settle, scheduled } = require("./engine/settle.ts"); let started = 0; const t0 = Date.now();`;
        const idle = run(`${settle} console.log(scheduled()); settle(() => 0, () => started).then(() => console.log(started, Date.now() - t0 < 20));`);
        expect(idle.stdout, idle.stderr).to.equal("false\n0 true\n");
        const timer = run(`${settle} setTimeout(() => { started++; }, 15); console.log(scheduled()); settle(() => 0, () => started).then(() => console.log(started, Date.now() - t0 >= 15));`);
        expect(timer.stdout, timer.stderr).to.equal("true\n1 true\n");
    });
    for (const stack of STACKS) {
        describe(stack, () => {
            it("plans with every resource in the JSON contract and no mandatory policy violation", async () => {
                const plan = await planStack(stack);
                expect(plan.project).to.equal("ai-nutritionist");
                expect(plan.stack).to.equal(stack);
                const urns = new Set(plan.resources.map(r => r.urn));
                expect(urns.size, "URNs are unique").to.equal(plan.resources.length);
                for (const r of plan.resources) {
                    expect(r).to.have.all.keys("urn", "type", "name", "parent", "custom", "provider", "providers", "protect", "inputs", "dependencies", "propertyDependencies", "outputs");
                    expect(r.urn).to.match(new RegExp(`^urn:pulumi:${stack}::ai-nutritionist::`));
                    if (r.parent !== null) expect(r.parent.endsWith("pulumi:pulumi:Stack::ai-nutritionist-" + stack) || urns.has(r.parent), `${r.name} parent`).to.equal(true);
                    if (r.provider !== null) expect(urns.has(r.provider), `${r.name} provider`).to.equal(true);
                    for (const d of r.dependencies) expect(urns.has(d), `${r.name} dependency ${d}`).to.equal(true);
                    for (const ds of Object.values(r.propertyDependencies)) for (const d of ds) expect(r.dependencies).to.include(d);
                }
                expect(mandatory(plan)).to.deep.equal([]);
            });
            it("returns realistic ARNs in each resource's own region and the fixed account", async () => {
                const plan = await planStack(stack);
                for (const [type, shape] of Object.entries(ARN_SHAPES)) {
                    for (const r of ofType(plan, type)) {
                        expect(r.outputs!.arn, `${type} ${r.name}`).to.match(shape);
                        if (/:(kms|dynamodb|sqs|sns|lambda|logs|backup|secretsmanager):/.test(r.outputs!.arn)) {
                            const region = plan.resources.find(p => p.urn === r.provider)?.inputs.region ?? "us-east-1";
                            expect(r.outputs!.arn.split(":")[3], `${r.name} region`).to.equal(region);
                            expect(r.outputs!.arn.split(":")[4]).to.equal(MOCK_ACCOUNT);
                        }
                    }
                }
            });
            it("exports the seed's outputs: webhook, billing webhook and dashboard URLs, and a resource summary", async () => {
                const { outputs } = await planStack(stack);
                expect(outputs.webhookUrl).to.match(new RegExp(`^https://\\w{10}\\.execute-api\\.us-east-1\\.amazonaws\\.com/${stack}/webhooks/twilio/sms$`));
                expect(outputs.billingWebhookUrl).to.match(new RegExp(`/${stack}/webhooks/stripe$`));
                expect(outputs.cloudwatchDashboardUrl).to.equal(`https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#dashboards:name=ai-nutritionist-${stack}`);
                expect(outputs.siteUrl).to.match(/^https:\/\/d\w+\.cloudfront\.net$/);
                expect(outputs.resourceSummary.environment).to.equal(stack);
            });
        });
    }

    it("every AWS resource and data source goes through an explicit, tagged provider (default providers are disabled)", async () => {
        const { loadStackConfig } = await import("../engine/stack-config");
        expect(JSON.parse(loadStackConfig(REPO_ROOT, "dev").config["pulumi:disable-default-providers"])).to.deep.equal(["aws"]);
        for (const stack of STACKS) {
            const plan = await planStack(stack);
            for (const r of plan.resources.filter(x => x.custom && x.type.startsWith("aws:"))) {
                expect(r.provider, `${stack} ${r.name}`).to.match(/pulumi:providers:aws::aws-/);
                const p = plan.resources.find(x => x.urn === r.provider)!;
                expect(JSON.parse(p.inputs.defaultTags).tags).to.include({ Environment: stack, ManagedBy: "pulumi" });
            }
            const calls = (plan.invokes ?? []).filter(i => i.token.startsWith("aws:"));
            expect(calls.length, "the program calls data sources").to.be.above(0);
            for (const call of calls) expect(call.provider, `${stack} ${call.token}`).to.match(/pulumi:providers:aws::aws-/);
        }
    });

    it("prod plans more than staging, and staging more than dev", async () => {
        const [dev, staging, prod] = await Promise.all(STACKS.map(s => planStack(s)));
        expect(prod.resources.length).to.be.greaterThan(staging.resources.length);
        expect(staging.resources.length).to.be.greaterThan(dev.resources.length);
    });

    it("records parents, providers, protect and the dependencies behind each input", async () => {
        const plan = await planStack("prod");
        const table = one(plan, "aws:dynamodb/table:Table", "-tables-users-table");
        const key = one(plan, "aws:kms/key:Key", "-keys-data-key");
        expect(table.protect).to.equal(true);
        expect(table.parent).to.match(/ai-nutritionist:data:EncryptedTable::ai-nutritionist-prod-tables-users$/);
        expect(table.provider).to.match(/pulumi:providers:aws::aws-main$/);
        expect(table.dependencies).to.include(key.urn);
        expect(table.propertyDependencies.serverSideEncryption).to.deep.equal([key.urn]);
        const fn = one(plan, "aws:lambda/function:Function", "-api-inbound-function");
        const policy = one(plan, "aws:iam/rolePolicy:RolePolicy", "-api-inbound-policy");
        expect(fn.dependencies, "explicit dependsOn").to.include(policy.urn);
    });

    it("a data source the mocks do not know throws, naming its token and function, and is remembered; a canned result answers it", async () => {
        const mocks = createMocks("us-east-1");
        expect(() => mocks.call({ token: "aws:ec2/getAmi:getAmi", inputs: { mostRecent: true } } as pulumi.runtime.MockCallArgs)).to.throw(/no answer for data source aws:ec2\/getAmi:getAmi \(aws\.ec2\.getAmi\); give one with --mocks <file>/);
        expect([...mocks.unanswered]).to.deep.equal([["aws:ec2/getAmi:getAmi", { mostRecent: true }]]);
        const canned = createMocks("us-east-1", undefined, { "aws:ec2/getAmi:getAmi": { id: "ami-0123456789abcdef0" } });
        expect(canned.call({ token: "aws:ec2/getAmi:getAmi", inputs: {} } as pulumi.runtime.MockCallArgs)).to.deep.equal({ id: "ami-0123456789abcdef0" });
        expect(canned.unanswered.size).to.equal(0);
    });

    it("npm run plan -- <stack> --json <file> writes the contract and exits 0", () => {
        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "plan-")), "dev.json");
        const r = spawnSync(process.execPath, ["-r", require.resolve("../engine/register.js"), "cli/plan.ts", "dev", "--json", file], { cwd: REPO_ROOT, encoding: "utf8" });
        expect(r.status, r.stderr).to.equal(0);
        expect(r.stdout).to.contain("+ pulumi:pulumi:Stack  ai-nutritionist-dev");
        expect(r.stdout).to.match(/Resources by type:/);
        const json = JSON.parse(fs.readFileSync(file, "utf8"));
        expect(json).to.have.all.keys("project", "stack", "resources", "outputs", "violations");
        expect(json.resources[0]).to.include.all.keys("urn", "type", "name", "parent", "custom", "provider", "protect", "inputs", "dependencies");
        expect(json.resources[0]).not.to.have.property("outputs");
        expect(json.outputs.webhookUrl).to.be.a("string");
    });
});

describe("stack secrets", () => {
    it("a secure: value in the settings file becomes a Secrets Manager value, never plain text in the plan", async () => {
        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "secrets-")), "Pulumi.dev.yaml");
        fs.writeFileSync(file, fs.readFileSync(path.join(REPO_ROOT, "Pulumi.dev.yaml"), "utf8") +
            "  ai-nutritionist:twilioAuthToken:\n    secure: AAABAKz1ZW5jcnlwdGVk\n  ai-nutritionist:twilioAccountSid: AC0123456789abcdef0123456789abcdef\n  ai-nutritionist:twilioPhoneNumber: \"+15550100200\"\n");
        const plan = await planWith({ stack: "dev", configFile: file });
        const version = one(plan, "aws:secretsmanager/secretVersion:SecretVersion", "-secrets-twilioAuthToken-value");
        expect(version.inputs.secretString).to.equal("[secret]");
        expect(JSON.stringify(plan.resources)).not.to.contain("offline-plan-placeholder-secret");
        expect(ofType(plan, "aws:secretsmanager/secretVersion:SecretVersion").filter(v => /stripe/.test(v.name))).to.have.length(0);
        const sender = one(plan, "aws:lambda/function:Function", "-sender-function-function").inputs.environment.variables;
        expect(sender).to.include({ TWILIO_ACCOUNT_SID: "AC0123456789abcdef0123456789abcdef", TWILIO_FROM_NUMBER: "+15550100200" });
    });
});
