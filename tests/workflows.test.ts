/**
 * The GitHub workflows: valid against GitHub's workflow schema, and wired to what the bootstrap
 * creates and docs/ci-cd.md documents — the deploy role per stack through OIDC in the stack's
 * environment, and both state backends (Pulumi Cloud, or the bootstrap's S3 bucket), whose
 * selection script is run here on both paths and on broken settings.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { spawnSync } from "child_process";
import { expect } from "chai";
import * as yaml from "js-yaml";
import { validateWorkflow } from "@action-validator/core";
import { GITHUB_OIDC_AUDIENCE } from "../bootstrap/github-deploy-access";
import { resolveBootstrapSettings } from "../bootstrap/settings";
import { REPO_ROOT } from "../engine/paths";
import { STACKS } from "./harness";

const WORKFLOWS = path.join(REPO_ROOT, ".github", "workflows");
const files = fs.readdirSync(WORKFLOWS).filter(f => f.endsWith(".yml"));
const text = (f: string) => fs.readFileSync(path.join(WORKFLOWS, f), "utf8");
const load = (f: string) => yaml.load(text(f)) as any;
const SCRIPT = path.join(REPO_ROOT, ".github", "scripts", "pulumi-backend.sh");

/** Run the backend selection script as the workflow step does; returns its status, errors and outputs. */
function selectBackend(env: Record<string, string>): { status: number | null; errors: string[]; outputs: Record<string, string> } {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "gh-")), "output");
    fs.writeFileSync(out, "");
    const r = spawnSync("bash", [SCRIPT], { env: { PATH: process.env.PATH!, GITHUB_OUTPUT: out, ...env }, encoding: "utf8" });
    const outputs = Object.fromEntries(fs.readFileSync(out, "utf8").split("\n").filter(Boolean).map(l => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
    return { status: r.status, errors: r.stdout.split("\n").filter(l => l.startsWith("::error::")), outputs };
}

const ROLE = "arn:aws:iam::123456789012:role/github-deploy/ai-nutritionist-deploy-dev-role-82daea4";

describe("GitHub workflows", () => {
    for (const f of files) {
        it(`${f} is a valid GitHub workflow (schema)`, () => {
            expect(validateWorkflow(text(f)).errors, f).to.deep.equal([]);
        });
    }

    it("the schema check refuses a broken workflow (fixture)", () => {
        const broken = "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    stepz:\n      - run: echo\n";
        expect(validateWorkflow(broken).errors).to.not.deep.equal([]);
    });

    describe("pulumi.yml (the one job that touches the cloud)", () => {
        const wf = load("pulumi.yml");
        const job = wf.jobs.pulumi;
        const step = (uses: string) => job.steps.find((s: any) => String(s.uses ?? "").startsWith(uses));

        it("is reusable with a stack and a command", () => {
            expect(wf.on.workflow_call.inputs.stack.required).to.equal(true);
            expect(wf.on.workflow_call.inputs.command.required).to.equal(true);
        });

        it("runs in the environment named after the stack, the only OIDC subject its deploy role trusts", () => {
            expect(job.environment).to.equal("${{ inputs.stack }}");
            expect(wf.permissions["id-token"]).to.equal("write");
        });

        it("assumes the environment's AWS_ROLE_ARN with the audience the OIDC provider trusts", () => {
            const aws = step("aws-actions/configure-aws-credentials@");
            expect(aws.with["role-to-assume"]).to.equal("${{ vars.AWS_ROLE_ARN }}");
            // configure-aws-credentials' default audience is sts.amazonaws.com; set it only to that.
            expect(aws.with.audience ?? "sts.amazonaws.com").to.equal(GITHUB_OIDC_AUDIENCE);
            expect(aws.with["role-duration-seconds"]).to.be.at.most(2 * 3600); // the deploy roles' maximum session
        });

        it("runs the Pulumi CLI on Node 22 with the policy pack and its config", () => {
            expect(step("actions/setup-node@").with["node-version"]).to.equal(22);
            const pulumi = step("pulumi/actions@");
            expect(pulumi.with.policyPacks).to.equal("policy-pack");
            expect(pulumi.with.policyPackConfigs).to.equal("policy-config.json");
            expect(fs.existsSync(path.join(REPO_ROOT, pulumi.with.policyPacks, "PulumiPolicy.yaml"))).to.equal(true);
            expect(fs.existsSync(path.join(REPO_ROOT, pulumi.with.policyPackConfigs))).to.equal(true);
        });

        it("checks the settings before anything else, and takes stack name and backend URL from that check", () => {
            const check = job.steps.find((s: any) => s.id === "backend");
            expect(job.steps.indexOf(check)).to.equal(1); // right after checkout
            expect(check.run).to.equal("bash .github/scripts/pulumi-backend.sh");
            expect(check.env).to.include({
                STACK: "${{ inputs.stack }}",
                PULUMI_BACKEND: "${{ vars.PULUMI_BACKEND }}",
                PULUMI_ORG: "${{ vars.PULUMI_ORG }}",
                PULUMI_BACKEND_URL: "${{ vars.PULUMI_BACKEND_URL }}",
                AWS_ROLE_ARN: "${{ vars.AWS_ROLE_ARN }}",
            });
            const pulumi = step("pulumi/actions@");
            expect(pulumi.with["stack-name"]).to.equal("${{ steps.backend.outputs.stack-name }}");
            expect(pulumi.with["cloud-url"]).to.equal("${{ steps.backend.outputs.cloud-url }}");
            expect(pulumi.env.PULUMI_ACCESS_TOKEN).to.equal("${{ secrets.PULUMI_ACCESS_TOKEN }}");
        });
    });

    describe("both backends (the selection script)", () => {
        it("Pulumi Cloud (the default): stack <org>/<stack>, no login URL", () => {
            for (const backend of ["", "cloud"]) {
                const r = selectBackend({ STACK: "dev", PULUMI_BACKEND: backend, PULUMI_ORG: "acme", HAS_PULUMI_ACCESS_TOKEN: "true", AWS_ROLE_ARN: ROLE });
                expect(r.status, r.errors.join("\n")).to.equal(0);
                expect(r.outputs).to.deep.equal({ "stack-name": "acme/dev", "cloud-url": "" });
            }
        });

        it("S3: stack <stack>, login to the bootstrap's loginUrl", () => {
            const url = "s3://state-bucket-a9a7737?region=us-east-1&awssdk=v2";
            const r = selectBackend({ STACK: "prod", PULUMI_BACKEND: "s3", PULUMI_BACKEND_URL: url, AWS_ROLE_ARN: ROLE });
            expect(r.status, r.errors.join("\n")).to.equal(0);
            expect(r.outputs).to.deep.equal({ "stack-name": "prod", "cloud-url": url });
        });

        it("lists every missing or malformed setting, one ::error:: each, and writes no output", () => {
            const cloud = selectBackend({ STACK: "dev", PULUMI_BACKEND: "cloud", HAS_PULUMI_ACCESS_TOKEN: "false", AWS_ROLE_ARN: "" });
            expect(cloud.status).to.equal(1);
            expect(cloud.errors).to.have.length(3);
            expect(cloud.errors.join("\n")).to.match(/AWS_ROLE_ARN of environment 'dev'/).and.match(/PULUMI_ACCESS_TOKEN is not set/).and.match(/PULUMI_ORG is not set/);
            expect(cloud.outputs).to.deep.equal({});
            const s3 = selectBackend({ STACK: "dev", PULUMI_BACKEND: "s3", PULUMI_BACKEND_URL: "https://bucket", AWS_ROLE_ARN: ROLE });
            expect(s3.status).to.equal(1);
            expect(s3.errors).to.deep.equal(["::error::variable PULUMI_BACKEND_URL must be the bootstrap's loginUrl, s3://<bucket>?region=<region>&awssdk=v2 (PULUMI_BACKEND is s3); got 'https://bucket'"]);
            const other = selectBackend({ STACK: "dev", PULUMI_BACKEND: "gcs", AWS_ROLE_ARN: ROLE });
            expect(other.errors).to.deep.equal(["::error::variable PULUMI_BACKEND must be cloud or s3; got 'gcs'"]);
        });
    });

    describe("callers", () => {
        const calls = (f: string) => Object.values<any>(load(f).jobs).filter(j => j.uses === "./.github/workflows/pulumi.yml");

        it("preview.yml previews every stack on pull requests of this repository, after the offline checks", () => {
            const wf = load("preview.yml");
            expect(wf.jobs.offline.steps.some((s: any) => s.run === "bash .ci/run")).to.equal(true);
            const [preview] = calls("preview.yml");
            expect(preview.with.command).to.equal("preview");
            expect(preview.strategy.matrix.stack).to.deep.equal([...STACKS]);
            expect(preview.needs).to.equal("offline");
            expect(preview.secrets).to.equal("inherit");
        });

        it("deploy.yml deploys dev, then staging, then prod, after the offline checks", () => {
            const wf = load("deploy.yml");
            expect(calls("deploy.yml").map(j => [j.with.stack, j.with.command, j.needs])).to.deep.equal([
                ["dev", "up", "offline"], ["staging", "up", "dev"], ["prod", "up", "staging"],
            ]);
            expect(wf.on.push.branches).to.deep.equal(["main"]);
            // workflow_dispatch can start it on any branch: the first job (which all others need) refuses every ref but main.
            expect(wf.jobs.offline.if).to.equal("github.ref == 'refs/heads/main'");
        });

        it("the stacks the workflows use are the bootstrap's default deploy stacks, each with its settings file", () => {
            expect(resolveBootstrapSettings({ "aws:region": "us-east-1" }).deployStacks).to.deep.equal([...STACKS]);
            for (const s of STACKS) expect(fs.existsSync(path.join(REPO_ROOT, `Pulumi.${s}.yaml`)), s).to.equal(true);
        });

        it("a reusable workflow cannot get more than its callers grant: they grant id-token: write", () => {
            for (const f of ["preview.yml", "deploy.yml"]) expect(load(f).permissions["id-token"], f).to.equal("write");
        });
    });

    it("docs/ci-cd.md and the README document exactly the variables and secrets the workflows read", () => {
        const used = new Set<string>();
        for (const f of files) for (const m of text(f).matchAll(/\b(vars|secrets)\.([A-Z_]+)/g)) used.add(m[2]);
        const doc = fs.readFileSync(path.join(REPO_ROOT, "docs", "ci-cd.md"), "utf8");
        const documented = new Set([...doc.matchAll(/^\| `([A-Z_]+)` \| (variable|secret) \|/gm)].map(m => m[1]));
        expect([...documented].sort()).to.deep.equal([...used].sort());
        const readme = fs.readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");
        for (const name of used) expect(readme, name).to.contain(`\`${name}\``);
    });

    it("the bootstrap outputs the docs tell users to copy into the settings exist", () => {
        const doc = fs.readFileSync(path.join(REPO_ROOT, "docs", "ci-cd.md"), "utf8");
        const program = fs.readFileSync(path.join(REPO_ROOT, "bootstrap", "index.ts"), "utf8");
        for (const output of ["deployRoleArns", "loginUrl", "secretsProvider"]) {
            expect(doc, output).to.contain(output);
            expect(program, output).to.match(new RegExp(`export const ${output}\\b`));
        }
    });
});
