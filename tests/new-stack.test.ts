import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { expect } from "chai";
import * as yaml from "js-yaml";
import { NAMESPACE, resolveSettings } from "../config";
import { cidrsOverlap, ExistingStack, existingStacks, proposeStack } from "../cli/new-stack";
import { loadStackConfig } from "../engine/stack-config";
import { REPO_ROOT } from "../engine/paths";
import { mandatory, planWith, runScript, STACKS } from "./harness";
import { MAX_STACK_NAME_LENGTH } from "../components/naming";

/** A temporary copy of the project's settings: Pulumi.yaml and the three stacks of the repository. */
function projectCopy(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "new-stack-"));
    for (const f of ["Pulumi.yaml", ...STACKS.map(s => `Pulumi.${s}.yaml`)]) fs.copyFileSync(path.join(REPO_ROOT, f), path.join(dir, f));
    return dir;
}

const stack = (s: Partial<ExistingStack> & { stack: string }): ExistingStack => ({ environment: "dev", region: "us-east-1", vpcCidr: "10.10.0.0/16", ownsAccountBaseline: true, ...s });

describe("npm run new-stack", () => {
    it("CIDR overlap", () => {
        expect(cidrsOverlap("10.10.0.0/16", "10.10.128.0/17")).to.equal(true);
        expect(cidrsOverlap("10.10.0.0/16", "10.11.0.0/16")).to.equal(false);
        expect(cidrsOverlap("10.0.0.0/8", "10.200.0.0/16")).to.equal(true);
    });

    it("reads a project's stacks (the repository's three, in a copy that holds only them)", () => {
        const dir = projectCopy();
        const { stacks } = existingStacks(dir, "qa");
        expect(stacks.map(s => [s.stack, s.environment, s.vpcCidr])).to.deep.equal([["dev", "dev", "10.10.0.0/16"], ["prod", "prod", "10.30.0.0/16"], ["staging", "staging", "10.20.0.0/16"]]);
    });

    it("the README's example runs as written, in a copy of the project, and writes a stack the CLI accepts", () => {
        const example = /`npm run new-stack -- ([^`<[]+)`/.exec(fs.readFileSync(path.join(REPO_ROOT, "README.md"), "utf8"));
        expect(example, "README has a `npm run new-stack -- …` example").to.not.equal(null);
        const args = example![1].split(/\s+/);
        const dir = projectCopy();
        const r = runScript("cli/new-stack.ts", [...args, "--project", dir]);
        expect(r.status, r.stderr).to.equal(0);
        const stack = args[0];
        expect(r.stdout).to.contain(`wrote ${path.join(dir, `Pulumi.${stack}.yaml`)}`);
        const loaded = loadStackConfig(dir, stack);
        expect(loaded.cliProblems).to.deep.equal([]);
        expect(resolveSettings(loaded.config, undefined, stack).environment).to.equal(args[args.indexOf("--environment") + 1]);
    });

    it("refuses a stack name the program would refuse, before writing anything: over the cap, or not lower-case", () => {
        const dir = projectCopy();
        const long = runScript("cli/new-stack.ts", ["staging-euwest", "--environment", "staging", "--project", dir, "--write"]);
        expect(long.status).to.equal(3);
        expect(long.stderr.trim()).to.match(new RegExp(`^new-stack: stack name: must be at most ${MAX_STACK_NAME_LENGTH} characters, the room the tightest name cap leaves it .* \\(got staging-euwest, 14 characters\\)$`));
        const upper = runScript("cli/new-stack.ts", ["QA", "--environment", "staging", "--project", dir, "--write"]);
        expect(upper.status).to.equal(3);
        expect(upper.stderr).to.match(/^new-stack: stack name: must be lower-case letters/);
        expect(fs.readdirSync(dir).filter(f => /^Pulumi\..+\.yaml$/.test(f)).sort()).to.deep.equal(["Pulumi.dev.yaml", "Pulumi.prod.yaml", "Pulumi.staging.yaml"]);
    });

    it("proposes a CIDR that overlaps no existing stack's, never the profile's copy", () => {
        const existing = [stack({ stack: "dev" }), stack({ stack: "staging", environment: "staging", vpcCidr: "10.20.0.0/16" }), stack({ stack: "big", environment: "prod", vpcCidr: "10.16.0.0/12" })];
        const p = proposeStack({ stack: "dev2", environment: "dev" }, existing);
        expect(p.vpcCidr).to.equal("10.40.0.0/16");
        for (const s of existing) expect(cidrsOverlap(p.vpcCidr, s.vpcCidr), s.stack).to.equal(false);
        expect(p.notes.join("\n")).to.contain("vpcCidr 10.40.0.0/16: proposed");
    });

    it("refuses a given CIDR that overlaps an existing stack's, naming it", () => {
        expect(() => proposeStack({ stack: "x", environment: "dev", cidr: "10.10.64.0/18" }, [stack({ stack: "dev" })]))
            .to.throw(/ai-nutritionist:vpcCidr: overlaps 10\.10\.0\.0\/16 of stack dev/);
    });

    it("takes a given region, else proposes the region of the stacks of its environment, else us-east-1", () => {
        const existing = [stack({ stack: "dev", region: "eu-west-1" }), stack({ stack: "prod", environment: "prod", region: "us-west-2", vpcCidr: "10.30.0.0/16" })];
        expect(proposeStack({ stack: "d", environment: "dev", region: "ap-south-1" }, existing).region).to.equal("ap-south-1");
        expect(proposeStack({ stack: "d", environment: "dev" }, existing).region).to.equal("eu-west-1");
        expect(proposeStack({ stack: "s", environment: "staging" }, existing).region).to.equal("us-east-1");
    });

    it("sets ownsAccountBaseline false when another stack of the account owns the singletons of that region", () => {
        const existing = [stack({ stack: "dev" }), stack({ stack: "shared", environment: "prod", vpcCidr: "10.30.0.0/16" })];
        const sameEnv = proposeStack({ stack: "dev2", environment: "dev" }, existing);
        expect(sameEnv.ownsAccountBaseline).to.equal(false);
        expect(sameEnv.notes.join("\n")).to.contain("stack dev owns the account singletons of us-east-1");
        expect(proposeStack({ stack: "dev2", environment: "dev", ownAccount: true }, existing).ownsAccountBaseline).to.equal(true);
        expect(proposeStack({ stack: "dev2", environment: "dev", region: "eu-west-1" }, existing).ownsAccountBaseline, "other region").to.equal(true);
        expect(proposeStack({ stack: "s", environment: "staging" }, existing).ownsAccountBaseline, "own account").to.equal(true);
        expect(proposeStack({ stack: "s", environment: "staging", sameAccountAs: ["shared"] }, existing).ownsAccountBaseline).to.equal(false);
        const notOwner = [stack({ stack: "dev", ownsAccountBaseline: false })];
        expect(proposeStack({ stack: "dev2", environment: "dev" }, notOwner).ownsAccountBaseline, "nobody owns them yet").to.equal(true);
    });

    it("--write in a project: a complete file with those choices, which loads as the CLI requires and plans", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "new-stack-"));
        fs.copyFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
        fs.copyFileSync(path.join(REPO_ROOT, "Pulumi.dev.yaml"), path.join(dir, "Pulumi.dev.yaml"));
        const r = runScript("cli/new-stack.ts", ["dev2", "--environment", "dev", "--alert-email", "team@example.com", "--project", dir, "--write"]);
        expect(r.status, r.stderr).to.equal(0);
        const file = path.join(dir, "Pulumi.dev2.yaml");
        const text = fs.readFileSync(file, "utf8");
        const config = (yaml.load(text) as any).config;
        expect(config["aws:region"]).to.equal("us-east-1");
        expect(config[`${NAMESPACE}:vpcCidr`]).to.equal("10.20.0.0/16");
        expect(config[`${NAMESPACE}:ownsAccountBaseline`]).to.equal(false);
        expect(text).to.match(/^# - ownsAccountBaseline false: stack dev owns the account singletons of us-east-1/m);
        const loaded = loadStackConfig(dir, "dev2");
        expect(loaded.cliProblems).to.deep.equal([]);
        expect(resolveSettings(loaded.config).ownsAccountBaseline).to.equal(false);
        const plan = await planWith({ stack: "dev2", configFile: file });
        expect(mandatory(plan)).to.deep.equal([]);
        // The account's API Gateway logging role is a singleton: the dev stack creates it, dev2 does not.
        expect(plan.resources.some(r => r.type === "aws:apigateway/account:Account")).to.equal(false);
    });
});
