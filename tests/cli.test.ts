import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { spawn } from "child_process";
import { expect } from "chai";
import { REPO_ROOT } from "../engine/paths";
import { REGISTER, runScript } from "./harness";
import { checkWritable, describeFailure, didYouMean, editDistance, EXIT, parseCliArgs, parseJsonFile, readInput, UsageError } from "../engine/cli";

const tmpDir = () => fs.mkdtempSync(path.join(os.tmpdir(), "cli-"));

describe("the error boundary (engine/cli.ts)", () => {
    it("edit distance counts insertions, deletions and substitutions, ignoring case", () => {
        expect(editDistance("environment", "enviroment")).to.equal(1);
        expect(editDistance("natStrategy", "natstrategy")).to.equal(0);
        expect(editDistance("kitten", "sitting")).to.equal(3);
        expect(editDistance("", "abc")).to.equal(3);
    });

    it("suggests the nearest candidate only when it is a likely typo", () => {
        expect(didYouMean("enviroment", ["environment", "securityTier"])).to.equal("environment");
        expect(didYouMean("prodution", ["dev", "staging", "prod"])).to.equal("prod");
        expect(didYouMean("vpcCdir", ["vpcCidr", "vpcInterfaceEndpoints"])).to.equal("vpcCidr");
        expect(didYouMean("qa", ["dev", "staging", "prod"])).to.equal(undefined);
        expect(didYouMean("completelyDifferent", ["environment"])).to.equal(undefined);
    });

    it("parses options strictly: an unknown option, a missing value or a surplus argument is one usage line", () => {
        const opts = { json: { type: "string" as const } };
        expect(parseCliArgs(["dev", "--json", "x.json"], opts, { min: 1, max: 1, names: "<stack>" })).to.deep.equal({ values: { json: "x.json" }, positionals: ["dev"] });
        expect(() => parseCliArgs(["dev", "--jsn", "x"], opts, { min: 1, max: 1, names: "<stack>" })).to.throw(UsageError, /^unknown option --jsn$/);
        expect(() => parseCliArgs(["dev", "--json"], opts, { min: 1, max: 1, names: "<stack>" })).to.throw(UsageError, /^--json needs a value$/);
        expect(() => parseCliArgs([], opts, { min: 1, max: 1, names: "<stack>" })).to.throw(UsageError, /^missing <stack>$/);
        expect(() => parseCliArgs(["dev", "prod"], opts, { min: 1, max: 1, names: "<stack>" })).to.throw(UsageError, /^unexpected argument prod$/);
    });

    it("checks an output path before any work: missing folder, a folder in its place", () => {
        const dir = tmpDir();
        expect(() => checkWritable(path.join(dir, "plan.json"), "plan")).not.to.throw();
        expect(() => checkWritable(path.join(dir, "no-such-dir", "plan.json"), "plan")).to.throw(UsageError, /does not exist/);
        expect(() => checkWritable(dir, "plan")).to.throw(UsageError, /it is a folder/);
        const file = path.join(dir, "f");
        fs.writeFileSync(file, "");
        expect(() => checkWritable(path.join(file, "plan.json"), "plan")).to.throw(UsageError, /is not a folder/);
    });

    it("reads inputs: a missing file, a folder, invalid JSON are usage errors naming the file", () => {
        const dir = tmpDir();
        expect(() => readInput(path.join(dir, "x.json"), "plan file")).to.throw(UsageError, /^plan file .*x\.json does not exist$/);
        expect(() => readInput(dir, "plan file")).to.throw(UsageError, /is a directory/);
        fs.writeFileSync(path.join(dir, "bad.json"), "{ nope");
        expect(() => parseJsonFile(path.join(dir, "bad.json"), "plan file")).to.throw(UsageError, /is not valid JSON/);
    });

    it("maps failures to one exit code each, with a stack trace only when verbose", () => {
        const usage = describeFailure("plan", new UsageError("unknown stack \"qa\"\n(more)"), false);
        expect(usage).to.deep.equal({ lines: ["plan: unknown stack \"qa\" (more)"], code: EXIT.usage });
        const settings = Object.assign(new Error("Invalid stack settings (1 problem):\n  - x"), { name: "SettingsError" });
        expect(describeFailure("plan", settings, false)).to.deep.equal({ lines: [settings.message], code: EXIT.settings });
        const resource = Object.assign(new Error("ai-nutritionist-dev-api: invalid arguments:\n  - a"), { __pulumResourceError: true });
        expect(describeFailure("plan", resource, false).code).to.equal(EXIT.settings);
        const bug = describeFailure("plan", new TypeError("x is undefined"), false);
        expect(bug.code).to.equal(EXIT.internal);
        expect(bug.lines).to.deep.equal(["plan: unexpected error: x is undefined (run again with --verbose for the stack trace)"]);
        expect(describeFailure("plan", new TypeError("x is undefined"), true).lines.join("\n")).to.match(/\n\s+at /);
    });
});

/**
 * Every misuse case of issue 14, run as `npm run <command>` runs it (a child process through the
 * project's loader), all at once: each prints one line (invalid settings: one line per problem)
 * and exits with its documented code (docs/cli.md), with no stack trace.
 */
describe("misuse of the commands: one line, the documented exit code, no stack trace", () => {
    const dir = tmpDir();
    const file = (name: string, text: string) => {
        const f = path.join(dir, name);
        fs.mkdirSync(path.dirname(f), { recursive: true });
        fs.writeFileSync(f, text);
        return f;
    };
    const dev = fs.readFileSync(path.join(REPO_ROOT, "Pulumi.dev.yaml"), "utf8");
    const badYaml = file("bad.yaml", "config:\n  aws:region: us-east-1\n   ai-nutritionist:environment: [dev\n");
    const notPlan = file("not-a-plan.json", JSON.stringify({ hello: "world" }));
    const notJson = file("not-json.json", "plan: yes");
    const violating = file("violating.json", JSON.stringify({
        project: "ai-nutritionist", stack: "dev",
        resources: [{ urn: "urn:pulumi:dev::ai-nutritionist::aws:dynamodb/table:Table::t", type: "aws:dynamodb/table:Table", name: "t", parent: null, custom: true, provider: null, providers: {}, protect: false, inputs: {}, dependencies: [], propertyDependencies: {} }],
    }));
    const plainSecret = file("plain-secret.yaml", `${dev}  ai-nutritionist:twilioAuthToken: hunter2-in-plain-text\n`);
    const requiredTypo = file("required-typo.yaml", dev.replace("ai-nutritionist:natStrategy:", "ai-nutritionist:natStrategi:"));
    const brokenProject = path.join(dir, "broken-project");
    file("broken-project/Pulumi.yaml", "name: broken\nruntime: nodejs\n");
    file("broken-project/Pulumi.s.yaml", "config: {}\n");
    file("broken-project/index.ts", "const settings: any = undefined;\nexport const x = settings.region;\n");

    interface Case { name: string; command: string; args: string[]; code: number; line: RegExp; }
    const cases: Case[] = [
        { name: "plan: unknown stack", command: "plan", args: ["qa"], code: 3, line: /^plan: unknown stack qa: there is no Pulumi\.qa\.yaml \(stacks: dev, prod, staging; `npm run new-stack` creates one\)$/ },
        { name: "plan: misspelt stack", command: "plan", args: ["prd"], code: 3, line: /^plan: unknown stack prd: .*; did you mean prod\?/ },
        { name: "plan: missing --config file", command: "plan", args: ["dev", "--config", path.join(dir, "missing.yaml")], code: 3, line: /^plan: --config file .*missing\.yaml does not exist$/ },
        { name: "plan: YAML syntax error", command: "plan", args: ["dev", "--config", badYaml], code: 3, line: /^plan: --config file .*bad\.yaml: YAML syntax error at line 3, column \d+: / },
        { name: "plan: --json into a missing folder (before planning)", command: "plan", args: ["dev", "--json", path.join(dir, "no-such-dir", "plan.json")], code: 3, line: /^plan: cannot write --json file .*plan\.json: folder .*no-such-dir does not exist$/ },
        { name: "plan: --json onto a folder (before planning)", command: "plan", args: ["dev", "--json", dir], code: 3, line: /^plan: cannot write --json file .*: it is a folder$/ },
        { name: "plan: unknown option", command: "plan", args: ["dev", "--jsn", "x"], code: 3, line: /^plan: unknown option --jsn$/ },
        { name: "plan: no stack", command: "plan", args: [], code: 3, line: /^plan: missing <stack>/ },
        { name: "plan: a program bug", command: "plan", args: ["s", "--project", brokenProject], code: 4, line: /^plan: unexpected error: .*reading 'region'.* \(run again with --verbose for the stack trace\)$/ },
        { name: "policy: missing plan file", command: "policy", args: [path.join(dir, "missing.json")], code: 3, line: /^policy: plan file .*missing\.json does not exist$/ },
        { name: "policy: a JSON file that is not a plan", command: "policy", args: [notPlan], code: 3, line: /^policy: .*not-a-plan\.json is not a plan: it has no project, stack, resources; write one with `npm run plan -- <stack> --json <file>`$/ },
        { name: "policy: not JSON", command: "policy", args: [notJson], code: 3, line: /^policy: plan file .*not-json\.json is not valid JSON: / },
        { name: "policy: a folder", command: "policy", args: [dir], code: 3, line: /^policy: plan file .* is a directory, not a file$/ },
        { name: "policy: --config without a value", command: "policy", args: [violating, "--config"], code: 3, line: /^policy: --config needs a value$/ },
        { name: "new-stack: unknown environment", command: "new-stack", args: ["qa", "--environment", "production"], code: 3, line: /^new-stack: --environment production: must be dev, staging or prod; did you mean prod\?$/ },
        { name: "new-stack: no environment", command: "new-stack", args: ["qa"], code: 3, line: /^new-stack: --environment is required \(dev, staging, prod\)$/ },
        { name: "new-stack: the stack exists", command: "new-stack", args: ["dev", "--environment", "dev", "--write"], code: 3, line: /^new-stack: .*Pulumi\.dev\.yaml exists; not overwriting/ },
        { name: "docs: an argument", command: "docs", args: ["README.md"], code: 3, line: /^docs: unexpected argument README\.md$/ },
        { name: "cost:docs: an argument", command: "cost:docs", args: ["x"], code: 3, line: /^cost:docs: unexpected argument x$/ },
        { name: "bench: unknown option", command: "bench", args: ["--runs", "3"], code: 3, line: /^bench: unknown option --runs$/ },
        { name: "bench-plan: bad --runs", command: "bench-plan", args: ["--runs", "0"], code: 3, line: /^bench-plan: --runs 0: must be a whole number of at least 1$/ },
        { name: "cost: unknown stack", command: "cost", args: ["qa"], code: 3, line: /^cost: .*qa/ },
        { name: "build:functions: unknown handler", command: "build:functions", args: ["workr"], code: 3, line: /^build:functions: no handler workr; did you mean worker\? \(handlers: billing, inbound, scheduler, worker\)$/ },
    ];
    const settingsCases: Case[] = [
        { name: "plan: a secret in plain text", command: "plan", args: ["dev", "--config", plainSecret], code: 2, line: /^  - ai-nutritionist:twilioAuthToken: is a secret but the settings file holds it in plain text; delete that line and run `pulumi config set --secret ai-nutritionist:twilioAuthToken <value>` \(got a plain value, not shown\)$/ },
        { name: "plan: a typo in a required key", command: "plan", args: ["dev", "--config", requiredTypo], code: 2, line: /^  - ai-nutritionist:natStrategy: is required, and the file sets ai-nutritionist:natStrategi instead: did you mean ai-nutritionist:natStrategy\? \(got nothing\)$/ },
        { name: "new-stack: a CIDR that overlaps an existing stack's", command: "new-stack", args: ["qa", "--environment", "dev", "--cidr", "10.20.128.0/17"], code: 2, line: /^  - ai-nutritionist:vpcCidr: overlaps 10\.20\.0\.0\/16 of stack staging; / },
        { name: "policy: a violating plan", command: "policy", args: [violating], code: 1, line: /^\s+\[mandatory\] dynamodb-/ },
    ];
    const SCRIPTS: Record<string, string> = {
        plan: "cli/plan.ts", policy: "cli/policy.ts", "new-stack": "cli/new-stack.ts", docs: "generators/update-readme.ts",
        bench: "cli/bench.ts", "bench-plan": "cli/bench-plan.ts", cost: "cli/cost.ts", "build:functions": "cli/build-functions.ts",
        "cost:docs": "generators/cost-docs.ts",
    };

    it("each command's npm script is the one script tested here, so `npm run <command> -- <args>` hands it the arguments", () => {
        // A chained script (`a && npm run b`) gives `-- <args>` to its last command only: the first never sees them.
        const scripts = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")).scripts as Record<string, string>;
        for (const [command, file] of Object.entries(SCRIPTS)) {
            expect(scripts[command], command).to.equal(`node -r ./engine/register.js ${file}`);
        }
    });
    const results = new Map<string, { code: number | null; stdout: string; stderr: string }>();

    before(async () => {
        // All at once: most fail within a second, before any SDK loads.
        await Promise.all([...cases, ...settingsCases].map(c => new Promise<void>(resolve => {
            const child = spawn(process.execPath, ["-r", REGISTER, path.join(REPO_ROOT, SCRIPTS[c.command]), ...c.args], { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] });
            let stdout = "";
            let stderr = "";
            child.stdout.on("data", d => (stdout += d));
            child.stderr.on("data", d => (stderr += d));
            child.on("close", code => {
                results.set(c.name, { code, stdout, stderr });
                resolve();
            });
        })));
    });

    for (const c of cases) {
        it(`${c.name}: exit ${c.code}, one line`, () => {
            const r = results.get(c.name)!;
            const lines = r.stderr.trimEnd().split("\n");
            expect(lines, r.stderr).to.have.length(1);
            expect(lines[0]).to.match(c.line);
            expect(r.code, r.stderr).to.equal(c.code);
            if (c.command === "plan" && c.code === 3) expect(r.stdout, "nothing was planned").to.equal("");
        });
    }
    for (const c of settingsCases) {
        it(`${c.name}: exit ${c.code}, the problem named, no stack trace`, () => {
            const r = results.get(c.name)!;
            expect(r.code, r.stderr).to.equal(c.code);
            expect((c.code === 1 ? r.stdout : r.stderr).split("\n").some(l => c.line.test(l)), r.stderr + r.stdout).to.equal(true);
            expect(r.stderr).not.to.match(/\n\s+at /);
            expect(r.stderr + r.stdout).not.to.contain("hunter2");
        });
    }

    it("the --json destination is refused before the plan runs, and nothing is written", () => {
        expect(fs.existsSync(path.join(dir, "no-such-dir"))).to.equal(false);
    });

    it("--verbose adds the stack trace of an unexpected error", () => {
        const r = runScript("cli/plan.ts", ["s", "--project", brokenProject, "--verbose"]);
        expect(r.status).to.equal(4);
        expect(r.stderr).to.match(/^plan: unexpected error: /);
        expect(r.stderr).to.match(/\n\s+at .*broken-project[\\/]index\.ts:2:/);
    });

    it("npm run build:functions writes every handler's bundle, each exporting its handler", () => {
        const out = path.join(dir, "functions");
        const r = runScript("cli/build-functions.ts", ["--out", out]);
        expect(r.status, r.stderr).to.equal(0);
        for (const name of ["billing", "inbound", "scheduler", "worker"]) {
            const file = path.join(out, name, "index.js");
            expect(r.stdout).to.match(new RegExp(`^${name} +[\\d.]+ KB`, "m"));
            expect(typeof require(file).handler, name).to.equal("function");
        }
    });
});
