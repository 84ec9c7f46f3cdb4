/**
 * The offline plan and the policy pack on programs written the way other teams write them
 * (tests/programs/<name>/: each its own Pulumi project with its stack file, assets read relative to
 * its folder, default provider config, data sources, policy documents as objects and Outputs), planned
 * as `npm run plan -- <stack> --project <dir> --policy-config tests/programs/org-policy-config.json`
 * plans them, with the verdicts each must get. The plans run in this process (the planner the command
 * runs); a few runs of the command itself check what it prints and its exit codes.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { expect } from "chai";
import { Plan, ProgramError, REPO_ROOT, runPlan } from "../engine/planner";
import { PackConfig } from "../engine/policy-runner";
import { planWith, runScript } from "./harness";

const PROGRAMS = path.join(REPO_ROOT, "tests", "programs");
const ORG_CONFIG = path.join(PROGRAMS, "org-policy-config.json");
const org: PackConfig = JSON.parse(fs.readFileSync(ORG_CONFIG, "utf8"));

interface Fixture {
    dir: string;
    stack: string;
    mocks?: string;
    /** "<level> <policy>" → the logical names of the resources it reports. */
    verdicts: Record<string, string[]>;
}

const FIXTURES: Fixture[] = [
    { dir: "s3-folder", stack: "dev", verdicts: {
        "mandatory resource-policy-no-public-principal": ["bucket-policy"], "mandatory s3-bucket-encryption-cmk": ["s3-website-bucket"],
        "mandatory s3-bucket-tls-only": ["s3-website-bucket"], "mandatory s3-bucket-public-access-block": ["s3-website-bucket"],
        "advisory s3-bucket-versioning": ["s3-website-bucket"], "advisory s3-bucket-access-logging": ["s3-website-bucket"],
    } },
    { dir: "static-site", stack: "prod", verdicts: {
        "advisory cloudfront-default-certificate-tls": ["cdn"], "mandatory s3-bucket-encryption-cmk": ["logs"], "mandatory s3-bucket-tls-only": ["logs"],
        "mandatory s3-bucket-public-access-block": ["logs"], "advisory s3-bucket-versioning": ["logs"], "advisory s3-bucket-access-logging": ["logs"],
    } },
    { dir: "serverless-api", stack: "staging", verdicts: {
        "mandatory log-group-encryption-cmk": ["handler-logs"], "mandatory apigateway-stage-access-logs": ["v1"], "mandatory apigateway-stage-waf": ["v1"],
    } },
    { dir: "step-functions", stack: "dev", verdicts: {} },
    { dir: "ec2-webserver", stack: "dev", mocks: "mocks.yaml", verdicts: {
        "mandatory data-store-encryption-cmk": ["web-server"], "mandatory security-group-no-world-open-ports": ["web-secgrp"],
    } },
    { dir: "lambda-secrets", stack: "prod", verdicts: {} },
    { dir: "alb-web", stack: "test", mocks: "mocks.json", verdicts: { "mandatory lb-listener-https": ["public"] } },
    { dir: "function-url", stack: "dev", verdicts: { "mandatory lambda-function-url-auth": ["partner-hook"] } },
    { dir: "admin-roles", stack: "shared", verdicts: { "mandatory iam-no-wildcard-admin": ["deployer-lambda", "deployer-s3"] } },
    { dir: "dns-records", stack: "prod", mocks: "mocks.yaml", verdicts: {} },
    { dir: "athena-pipeline", stack: "prod", verdicts: {
        "mandatory s3-bucket-encryption-cmk": ["access-logs"], "advisory s3-bucket-versioning": ["access-logs"], "advisory s3-bucket-access-logging": ["access-logs"],
    } },
];

function plan(dir: string, stack: string, extra: { mocks?: string; preview?: boolean } = {}): Promise<Plan> {
    const projectDir = path.join(PROGRAMS, dir);
    return planWith({ stack, projectDir, policyConfig: org, mocksFile: extra.mocks && path.join(projectDir, extra.mocks), preview: extra.preview });
}

function verdicts(p: Plan): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const v of p.violations) (out[`${v.enforcementLevel} ${v.policy}`] ??= []).push(v.urn.slice(v.urn.lastIndexOf("::") + 2));
    for (const names of Object.values(out)) names.sort();
    return out;
}

/** A copy of a folder made of hard links (fast; a file of its own path for Node's module cache). */
function linkTree(from: string, to: string): void {
    fs.mkdirSync(to, { recursive: true });
    for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
        const [src, dst] = [path.join(from, entry.name), path.join(to, entry.name)];
        if (entry.isDirectory()) linkTree(src, dst);
        else if (entry.isSymbolicLink()) fs.symlinkSync(fs.readlinkSync(src), dst);
        else fs.linkSync(src, dst);
    }
}

const named = (p: Plan, name: string) => {
    const found = p.resources.filter(r => r.name === name);
    expect(found, name).to.have.length(1);
    return found[0];
};

describe("other teams' programs (tests/programs)", () => {
    for (const f of FIXTURES) {
        it(`${f.dir}: ${Object.keys(f.verdicts).length ? Object.keys(f.verdicts).join(", ") : "no finding"}`, async () => {
            const p = await plan(f.dir, f.stack, { mocks: f.mocks });
            expect(p.project).to.equal(f.dir);
            expect(verdicts(p)).to.deep.equal(f.verdicts);
        });
    }

    it("the default provider is modelled from the stack's config and seen by the pack: region, profile and defaultTags (no required-tags finding)", async () => {
        const p = await plan("s3-folder", "dev");
        const provider = named(p, "default_7_48_0");
        expect(provider.urn).to.equal("urn:pulumi:dev::s3-folder::pulumi:providers:aws::default_7_48_0");
        expect(provider.inputs).to.deep.equal({
            region: "us-west-2", profile: "web-dev", version: "7.48.0",
            defaultTags: { tags: { Project: "s3-folder", Environment: "development", Owner: "web-team", CostCenter: "4100", ManagedBy: "pulumi" } },
        });
        const aws = p.resources.filter(r => r.type.startsWith("aws:"));
        expect(aws.map(r => r.provider)).to.deep.equal(aws.map(() => provider.urn));
        expect(p.resources.indexOf(provider)).to.equal(0);
        expect(named(p, "s3-website-bucket").outputs!.arn).to.match(/^arn:aws:s3:::s3-website-bucket-[0-9a-f]{7}$/);
        // Its files read from www/ relative to the program: two objects, their content digests, no tags required of them.
        const objects = p.resources.filter(r => r.type === "aws:s3/bucketObject:BucketObject");
        expect(objects.map(o => [o.name, o.inputs.contentType])).to.deep.equal([["index.html", "text/html"], ["site.css", "text/css"]]);
        expect(objects[0].inputs.source).to.deep.equal({ asset: "www/index.html" });
    });

    it("allowed-regions sees the region of the default provider (aws:region in the stack's config)", async () => {
        const euOnly = { ...org, "allowed-regions": { allowedRegions: ["eu-west-1", "eu-central-1"] } };
        const p = await planWith({ stack: "dev", projectDir: path.join(PROGRAMS, "s3-folder"), policyConfig: euOnly });
        expect(p.violations.filter(v => v.policy === "allowed-regions").map(v => [v.urn, v.message])).to.deep.equal([
            ["urn:pulumi:dev::s3-folder::pulumi:providers:aws::default_7_48_0", "region us-west-2 is not one of the allowed regions eu-west-1, eu-central-1."],
        ]);
    });

    it("each resource is in its provider's region; an explicit provider is used as given (no default provider)", async () => {
        const site = await plan("static-site", "prod");
        expect(named(site, "content-key").outputs!.arn).to.match(/^arn:aws:kms:eu-west-1:123456789012:key\//);
        expect(site.outputs.readme).to.equal(fs.readFileSync(path.join(PROGRAMS, "static-site", "Pulumi.README.md"), "utf8"));
        const payments = await plan("lambda-secrets", "prod");
        expect(payments.resources.filter(r => r.type === "pulumi:providers:aws").map(r => r.name)).to.deep.equal(["payments"]);
        expect(named(payments, "payments-key").outputs!.arn).to.match(/^arn:aws:kms:eu-central-1:/);
        // Pulumi.yaml main: src/ (its package.json main), files read relative to src/, a secure value hidden.
        expect(named(payments, "charge").inputs.code).to.have.nested.property("archive.handler\\.js.asset");
        const version = payments.resources.filter(r => r.type === "aws:secretsmanager/secretVersion:SecretVersion");
        expect(version.map(v => [v.name, v.inputs.secretString])).to.deep.equal([["api-key", "[secret]"]]);
    });

    it("iam.getPolicyDocument is computed offline; documents built from Outputs resolve", async () => {
        const p = await plan("step-functions", "dev");
        expect(JSON.parse(named(p, "sfn-role").inputs.assumeRolePolicy)).to.deep.equal({
            Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", Principal: { Service: "states.amazonaws.com" } }],
        });
        const invoke = JSON.parse(named(p, "sfn-invoke").inputs.policy);
        expect(invoke.Statement[0].Resource).to.deep.equal([named(p, "hello").outputs!.arn, named(p, "world").outputs!.arn]);
        expect(JSON.parse(named(p, "workflow").inputs.definition).States.Hello.Resource).to.equal(named(p, "hello").outputs!.arn);
    });

    it("canned data-source results (--mocks, JSON or YAML) feed the program", async () => {
        expect(named(await plan("ec2-webserver", "dev", { mocks: "mocks.yaml" }), "web-server").inputs.ami).to.equal("ami-0a1b2c3d4e5f67890");
        expect(named(await plan("dns-records", "prod", { mocks: "mocks.yaml" }), "www").inputs).to.include({ zoneId: "Z0123456789ABCDEFGHIJ", name: "www.example.org" });
        expect(named(await plan("alb-web", "test", { mocks: "mocks.json" }), "storefront").inputs.subnets).to.deep.equal(["subnet-0aaaaaaaaaaaaaaa1", "subnet-0bbbbbbbbbbbbbbb2"]);
    });

    it("an exported async function is the program, its result the outputs", async () => {
        const p = await plan("function-url", "dev");
        // The URLs are outputs the mocks do not model: unknown in a preview, each on its own.
        expect(p.outputs).to.deep.equal({ partnerUrl: "[unknown]", internalUrl: "[unknown]" });
    });

    it("preview (the default): an output the mocks do not model is unknown; as an update it is undefined, and the document reads \"undefined\"", async () => {
        const preview = await plan("admin-roles", "shared");
        expect(named(preview, "consumer-read").inputs.policy).to.equal("[unknown]");
        const update = await plan("admin-roles", "shared", { preview: false });
        expect(JSON.parse(named(update, "consumer-read").inputs.policy).Statement[0].Resource).to.equal("undefined");
        expect(verdicts(update)["mandatory iam-policy-valid"]).to.deep.equal(["consumer-read"]);
        expect(verdicts(preview)["mandatory iam-policy-valid"]).to.equal(undefined);
    });

    it("cost-budget holds a stack to its Budget where the org configures a usage profile, in a priced region (eu-central-1)", async () => {
        const p = await plan("athena-pipeline", "prod");
        const tight = { ...org, "cost-budget": { usageProfile: "none", monthlyBudget: 0.5 } };
        const [finding] = (await planWith({ stack: "prod", projectDir: path.join(PROGRAMS, "athena-pipeline"), policyConfig: tight })).violations.filter(v => v.policy === "cost-budget");
        expect(finding.enforcementLevel).to.equal("mandatory");
        expect(finding.message).to.match(/^estimated monthly cost \$\d+\.\d\d \(fixed \$\d+\.\d\d, usage \$\d+\.\d\d at the none usage profile\) exceeds the budget of \$0\.5;/);
        expect(p.violations.filter(v => v.policy.startsWith("cost-budget"))).to.deep.equal([]);
        // Without a usage profile configured (this repository's defaults would price it as this service), it does not apply.
        const unconfigured = await planWith({ stack: "prod", projectDir: path.join(PROGRAMS, "athena-pipeline"), policyConfig: { "cost-budget": { monthlyBudget: 0.5 } } });
        expect(unconfigured.violations.filter(v => v.policy.startsWith("cost-budget"))).to.deep.equal([]);
    });

    it("a data source nobody answers is named with how to answer it; a rejected promise nobody handled fails the plan in one line", async () => {
        const error = await runPlan({ stack: "dev", projectDir: path.join(PROGRAMS, "ec2-webserver"), policyConfig: org }).then(() => undefined, e => e);
        expect(error?.name).to.equal("UsageError");
        expect(error.message).to.equal("the offline plan has no answer for data source aws.ec2.getAmi (aws:ec2/getAmi:getAmi): give the result in a JSON or YAML file keyed by token and pass it with --mocks <file>, e.g. {\"aws:ec2/getAmi:getAmi\": {<the outputs the program reads>}}");
        const broken = await runPlan({ stack: "dev", projectDir: path.join(PROGRAMS, "broken-program"), policyConfig: org }).then(() => undefined, e => e);
        expect(broken).to.be.instanceOf(ProgramError);
        expect(broken.message).to.match(/^the program .*broken-program[\\/]index\.ts failed: quota lookup failed for sqs: no such endpoint$/);
    });

    describe("npm run plan -- <stack> --project <dir>", () => {
        const plan = (args: string[], cwd?: string) => runScript("cli/plan.ts", args, { cwd });

        it("exits 1 on a mandatory finding, 3 naming an unanswered data source, 4 in one line for a failing program: never a stack trace", () => {
            const violating = plan(["dev", "--project", "tests/programs/function-url", "--policy-config", ORG_CONFIG]);
            expect(violating.status, violating.stderr).to.equal(1);
            expect(violating.stdout).to.contain("[mandatory] lambda-function-url-auth: authorizationType NONE");
            const unanswered = plan(["dev", "--project", "tests/programs/ec2-webserver"]);
            expect(unanswered.status).to.equal(3);
            expect(unanswered.stderr.trim().split("\n")).to.deep.equal([`plan: ${"the offline plan has no answer for data source aws.ec2.getAmi (aws:ec2/getAmi:getAmi): give the result in a JSON or YAML file keyed by token and pass it with --mocks <file>, e.g. {\"aws:ec2/getAmi:getAmi\": {<the outputs the program reads>}}"}`]);
            const broken = plan(["dev", "--project", "tests/programs/broken-program"]);
            expect(broken.status).to.equal(4);
            expect(broken.stderr.trim().split("\n")).to.have.length(1);
            expect(broken.stderr).to.match(/^plan: unexpected error: the program .*index\.ts failed: quota lookup failed for sqs: no such endpoint \(run again with --verbose/);
        });

        it("runs a program outside the repository on its own copy of @pulumi/pulumi and @pulumi/aws; without one, says how to install it (exit 3)", function () {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "foreign-"));
            try {
                fs.cpSync(path.join(PROGRAMS, "step-functions"), dir, { recursive: true });
                const bare = plan(["dev", "--project", dir]);
                expect(bare.status).to.equal(3);
                expect(bare.stderr.trim()).to.equal(`plan: ${dir} has no node_modules with @pulumi/pulumi: run \`npm install\` in ${dir} first (the plan runs the program on its own dependencies)`);
                // Its own copies (hard links: distinct module paths, as an install of its own gives); their dependencies link to ours.
                const modules = path.join(dir, "node_modules");
                fs.mkdirSync(path.join(modules, "@pulumi"), { recursive: true });
                for (const pkg of ["pulumi", "aws"]) linkTree(path.join(REPO_ROOT, "node_modules", "@pulumi", pkg), path.join(modules, "@pulumi", pkg));
                for (const entry of fs.readdirSync(path.join(REPO_ROOT, "node_modules"))) {
                    if (entry !== "@pulumi" && !entry.startsWith(".")) fs.symlinkSync(path.join(REPO_ROOT, "node_modules", entry), path.join(modules, entry));
                }
                const own = plan(["dev", "--project", dir, "--json", path.join(dir, "out.json")]);
                expect(own.status, own.stderr).to.equal(0);
                const json = JSON.parse(fs.readFileSync(path.join(dir, "out.json"), "utf8"));
                expect(json.resources.map((r: { name: string }) => r.name)).to.include.members(["default_7_48_0", "hello", "world", "workflow"]);
            } finally {
                fs.rmSync(dir, { recursive: true, force: true });
            }
        });
    });
});
