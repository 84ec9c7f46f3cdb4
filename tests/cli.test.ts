import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { spawn } from "child_process";
import { expect } from "chai";
import { REPO_ROOT } from "../engine/paths";
import { commandEnv, planStack, REGISTER, runScript } from "./harness";
import { checkWritable, describeFailure, didYouMean, editDistance, EXIT, jsonErrorOffset, lineColumn, parseCliArgs, parseJsonFile, readInput, shownPath, userPath, UsageError } from "../engine/cli";
import { listStacks } from "../engine/stack-config";
import { handlerNames } from "../cli/build-functions";
import { planJson } from "../engine/planner";
import { progress } from "../engine/progress";
import { renderPlan, shortType, treeWidth } from "../engine/render";

/**
 * A stack name no one can have added: longer than the stack-name cap, so `npm run new-stack`
 * refuses it and the program would too. The stacks the messages list are read, not assumed: a
 * stack the README's example adds (`npm run new-stack -- qa … --write`) changes nothing here.
 */
const NO_SUCH_STACK = "no-such-stack";
const STACK_LIST = listStacks(REPO_ROOT).join(", ");
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

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
        expect(() => parseCliArgs(["dev", "--jsn", "x"], opts, { min: 1, max: 1, names: "<stack>" })).to.throw(UsageError, /^unknown option --jsn; did you mean --json\?$/);
        expect(() => parseCliArgs(["dev", "--verbos"], opts, { min: 1, max: 1, names: "<stack>" })).to.throw(UsageError, /^unknown option --verbos; did you mean --verbose\?$/);
        expect(() => parseCliArgs(["dev", "--frobnicate"], opts, { min: 1, max: 1, names: "<stack>" })).to.throw(UsageError, /^unknown option --frobnicate$/);
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
        expect(() => readInput("-", "plan file")).to.throw(UsageError, /^plan file: - \(standard input\) is not read; give a file$/);
        expect(() => checkWritable("-", "plan")).not.to.throw();
    });

    it("names the line and column of a JSON syntax error, wherever V8's message places it", () => {
        const text = JSON.stringify({ project: "p", stack: "dev", resources: [{ a: 1 }, { b: 2 }] }, null, 2);
        const at = (bad: string) => {
            try {
                JSON.parse(bad);
            } catch (e: any) {
                const offset = jsonErrorOffset(bad, e.message);
                return offset === undefined ? undefined : lineColumn(bad, offset);
            }
            throw new Error("expected a syntax error");
        };
        expect(at(text.replace('"b": 2', '"b": x2')), "a token mid-text").to.deep.equal({ line: 9, column: 12 });
        expect(at(text.replace('"a": 1', '"a": 1,,')), "a position").to.deep.equal({ line: 6, column: 14 });
        expect(at(text.replace('"dev"', "dev")), "near the start").to.deep.equal({ line: 3, column: 12 });
        expect(at("{\n\"a\": x}"), "a short text, the token once").to.deep.equal({ line: 2, column: 6 });
        expect(at(text.slice(0, 40)), "cut short").to.deep.equal({ line: 4, column: 3 });
    });

    it("resolves a user's path against the folder npm was called from (INIT_CWD), and shows it as typed", () => {
        const dir = tmpDir();
        const sub = path.join(dir, "docs");
        fs.mkdirSync(sub);
        const before = process.env.INIT_CWD;
        process.env.INIT_CWD = sub;
        try {
            expect(userPath("../Pulumi.dev.yaml")).to.equal(path.join(dir, "Pulumi.dev.yaml"));
            expect(userPath("out.json")).to.equal(path.join(sub, "out.json"));
            expect(userPath("/abs/x.json")).to.equal(path.normalize("/abs/x.json"));
            expect(shownPath("../Pulumi.dev.yaml")).to.equal(path.join("..", "Pulumi.dev.yaml"));
            expect(shownPath(path.join(sub, "out.json")), "absolute inside the caller's folder").to.equal("out.json");
            expect(shownPath(path.join(dir, "x.json")), "absolute, outside the caller's folder").to.equal(path.join(dir, "x.json"));
            expect(shownPath("/elsewhere/x.json"), "far outside").to.equal(path.normalize("/elsewhere/x.json"));
            expect(() => readInput("missing.yaml", "--config file")).to.throw(UsageError, /^--config file missing\.yaml does not exist$/);
        } finally {
            if (before === undefined) delete process.env.INIT_CWD;
            else process.env.INIT_CWD = before;
        }
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
 * Every misuse case, run as `npm run <command>` runs it (a child process through the project's
 * loader, from the repository root), all at once: each prints one line (invalid settings: one line
 * per problem) and exits with its documented code (docs/cli.md), with no stack trace.
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
    const brokenJson = file("broken.json", '{\n  "project": "ai-nutritionist",\n  "stack": dev,\n  "resources": []\n}\n');
    const costJson = file("estimate.json", JSON.stringify({ stack: "dev", region: "us-east-1", fixedMonthly: 1, usageMonthly: 1, totalMonthly: 2, resources: [], assumptions: {} }));
    const badUsage = file("bad-usage.yaml", "messagesPerMonth: 1000\n  cacheHitRatePercent: [90\n");
    const typoUsage = file("typo-usage.yaml", "messagesPerMont: 1000\n");
    const badMocksYaml = file("bad-mocks.yaml", "aws:ec2/getAmi:getAmi:\n  id: [ami-1\n");
    const badMocksJson = file("bad-mocks.json", '{\n  "aws:ec2/getAmi:getAmi": { id: "ami-1" }\n}\n');
    // A plan of dev, for the cost cases that need no planning.
    const devPlan = path.join(dir, "dev-plan.json");
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
    // A program runs on its own dependencies: this one borrows the repository's.
    fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(brokenProject, "node_modules"), "dir");

    interface Case { name: string; command: string; args: string[]; code: number; line: RegExp; }
    const cases: Case[] = [
        { name: "plan: unknown stack", command: "plan", args: [NO_SUCH_STACK], code: 3, line: new RegExp(`^plan: unknown stack ${NO_SUCH_STACK}: there is no Pulumi\\.${NO_SUCH_STACK}\\.yaml \\(stacks: ${escape(STACK_LIST)}; \`npm run new-stack\` creates one\\)$`) },
        { name: "plan: misspelt stack", command: "plan", args: ["prd"], code: 3, line: /^plan: unknown stack prd: .*; did you mean prod\?/ },
        { name: "plan: missing --config file", command: "plan", args: ["dev", "--config", path.join(dir, "missing.yaml")], code: 3, line: /^plan: --config file .*missing\.yaml does not exist$/ },
        { name: "plan: YAML syntax error", command: "plan", args: ["dev", "--config", badYaml], code: 3, line: /^plan: --config file .*bad\.yaml: YAML syntax error at line 3, column \d+: / },
        { name: "plan: --json into a missing folder (before planning)", command: "plan", args: ["dev", "--json", path.join(dir, "no-such-dir", "plan.json")], code: 3, line: /^plan: cannot write --json file .*plan\.json: folder .*no-such-dir does not exist$/ },
        { name: "plan: --json onto a folder (before planning)", command: "plan", args: ["dev", "--json", dir], code: 3, line: /^plan: cannot write --json file .*: it is a folder$/ },
        { name: "plan: unknown option", command: "plan", args: ["dev", "--jsn", "x"], code: 3, line: /^plan: unknown option --jsn; did you mean --json\?$/ },
        { name: "plan: no stack", command: "plan", args: [], code: 3, line: new RegExp(`^plan: missing <stack> \\(stacks: ${escape(STACK_LIST)}\\)$`) },
        { name: "plan: a malformed --mocks YAML file, with its line", command: "plan", args: ["dev", "--mocks", badMocksYaml], code: 3, line: /^plan: --mocks file .*bad-mocks\.yaml: YAML syntax error at line 3, column 1: / },
        { name: "plan: a malformed --mocks JSON file, with its line", command: "plan", args: ["dev", "--mocks", badMocksJson], code: 3, line: /^plan: --mocks file .*bad-mocks\.json is not valid JSON at line 2, column 30: / },
        { name: "plan: --config from standard input", command: "plan", args: ["dev", "--config", "-"], code: 3, line: /^plan: --config file: - \(standard input\) is not read; give a file$/ },
        { name: "plan: a program bug", command: "plan", args: ["s", "--project", brokenProject], code: 4, line: /^plan: unexpected error: .*reading 'region'.* \(run again with --verbose for the stack trace\)$/ },
        { name: "policy: missing plan file", command: "policy", args: [path.join(dir, "missing.json")], code: 3, line: /^policy: plan file .*missing\.json does not exist$/ },
        { name: "policy: a JSON file that is not a plan", command: "policy", args: [notPlan], code: 3, line: /^policy: .*not-a-plan\.json is not a plan: it has no project, stack, resources; write one with `npm run plan -- <stack> --json <file>`$/ },
        { name: "policy: not JSON", command: "policy", args: [notJson], code: 3, line: /^policy: plan file .*not-json\.json is not valid JSON at line 1, column 1: Unexpected token/ },
        { name: "policy: a JSON syntax error, with its line", command: "policy", args: [brokenJson], code: 3, line: /^policy: plan file .*broken\.json is not valid JSON at line 3, column 12: / },
        { name: "policy: a cost estimate instead of a plan", command: "policy", args: [costJson], code: 3, line: /^policy: .*estimate\.json is a cost estimate \(npm run cost -- <stack> --json\), not a plan: the policy pack reads the plan contract/ },
        { name: "policy: a folder", command: "policy", args: [dir], code: 3, line: /^policy: plan file .* is a directory, not a file$/ },
        { name: "policy: --config without a value", command: "policy", args: [violating, "--config"], code: 3, line: /^policy: --config needs a value$/ },
        { name: "new-stack: unknown environment", command: "new-stack", args: ["qa", "--environment", "production"], code: 3, line: /^new-stack: --environment production: must be dev, staging or prod; did you mean prod\?$/ },
        { name: "new-stack: no environment", command: "new-stack", args: ["qa"], code: 3, line: /^new-stack: --environment is required \(dev, staging, prod\)$/ },
        { name: "new-stack: the stack exists", command: "new-stack", args: ["dev", "--environment", "dev", "--write"], code: 3, line: /^new-stack: Pulumi\.dev\.yaml exists; not overwriting/ },
        { name: "new-stack: a name over the stack-name cap", command: "new-stack", args: ["staging-euwest", "--environment", "staging", "--write"], code: 3, line: /^new-stack: stack name: must be at most 12 characters, .* \(got staging-euwest, 14 characters\)$/ },
        { name: "new-stack: misspelt option", command: "new-stack", args: ["qa", "--enviroment", "dev"], code: 3, line: /^new-stack: unknown option --enviroment; did you mean --environment\?$/ },
        { name: "docs: an argument", command: "docs", args: ["README.md"], code: 3, line: /^docs: unexpected argument README\.md$/ },
        { name: "cost:docs: an argument", command: "cost:docs", args: ["x"], code: 3, line: /^cost:docs: unexpected argument x$/ },
        { name: "bench: unknown option", command: "bench", args: ["--runs", "3"], code: 3, line: /^bench: unknown option --runs$/ },
        { name: "bench-plan: bad --runs", command: "bench-plan", args: ["--runs", "0"], code: 3, line: /^bench-plan: --runs 0: must be a whole number of at least 1$/ },
        { name: "cost: unknown stack", command: "cost", args: [NO_SUCH_STACK], code: 3, line: new RegExp(`^cost: no stack ${NO_SUCH_STACK}: Pulumi\\.${NO_SUCH_STACK}\\.yaml does not exist \\(stacks: ${escape(STACK_LIST)}\\)$`) },
        { name: "cost: no stack lists the stacks", command: "cost", args: [], code: 3, line: new RegExp(`^cost: missing <stack> \\(stacks: ${escape(STACK_LIST)}\\)$`) },
        { name: "cost: a malformed usage file, with its line", command: "cost", args: ["dev", "--plan", devPlan, "--usage", badUsage], code: 3, line: /^cost: usage file .*bad-usage\.yaml: YAML syntax error at line 2, column \d+: / },
        { name: "build:functions: unknown handler", command: "build:functions", args: ["workr"], code: 3, line: new RegExp(`^build:functions: no handler workr; did you mean worker\\? \\(handlers: ${handlerNames().join(", ")}\\)$`) },
        { name: "build:functions: --out -", command: "build:functions", args: ["--out", "-"], code: 3, line: /^build:functions: --out -: give a folder/ },
    ];
    const settingsCases: Case[] = [
        { name: "plan: a secret in plain text", command: "plan", args: ["dev", "--config", plainSecret], code: 2, line: /^  - ai-nutritionist:twilioAuthToken: is a secret but the settings file holds it in plain text; delete that line and run `pulumi config set --secret ai-nutritionist:twilioAuthToken <value>` \(got a plain value, not shown\)$/ },
        { name: "plan: a typo in a required key", command: "plan", args: ["dev", "--config", requiredTypo], code: 2, line: /^  - ai-nutritionist:natStrategy: is required, and the file sets ai-nutritionist:natStrategi instead: did you mean ai-nutritionist:natStrategy\? \(got nothing\)$/ },
        { name: "new-stack: a CIDR that overlaps an existing stack's", command: "new-stack", args: ["qa", "--environment", "dev", "--cidr", "10.20.128.0/17"], code: 2, line: /^  - ai-nutritionist:vpcCidr: overlaps 10\.20\.0\.0\/16 of stack staging; / },
        { name: "policy: a violating plan", command: "policy", args: [violating], code: 1, line: /^\s+\[mandatory\] dynamodb-/ },
        { name: "cost: a misspelt usage assumption names the one meant", command: "cost", args: ["dev", "--plan", devPlan, "--usage", typoUsage], code: 2, line: /^ {2}- .*typo-usage\.yaml: usage\.messagesPerMont: unknown assumption; did you mean messagesPerMonth\?$/ },
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
        fs.writeFileSync(devPlan, JSON.stringify(planJson(await planStack("dev"))));
        // All at once: most fail within a second, before any SDK loads.
        await Promise.all([...cases, ...settingsCases].map(c => new Promise<void>(resolve => {
            const child = spawn(process.execPath, ["-r", REGISTER, path.join(REPO_ROOT, SCRIPTS[c.command]), ...c.args], { cwd: REPO_ROOT, env: commandEnv(), stdio: ["ignore", "pipe", "pipe"] });
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

describe("paths from the caller's folder, and - for standard output", () => {
    // As from `cd sub && npm run cost -- dev --plan ../plan.json ...`: npm runs the script in the
    // repository root with INIT_CWD=sub.
    const dir = tmpDir();
    const sub = path.join(dir, "sub");
    fs.mkdirSync(sub);
    type Run = { status: number | null; stdout: string; stderr: string };
    /**
     * Run a command from `sub`. `slowReader`: its standard output goes through a shell pipe whose
     * reader starts a second late, as `| jq` on a busy machine would.
     */
    const fromSub = (script: string, args: string[], slowReader = false) => new Promise<Run>(resolve => {
        const argv = ["-r", REGISTER, path.join(REPO_ROOT, script), ...args];
        const quote = (a: string) => `'${a.replace(/'/g, "'\\''")}'`;
        const child = slowReader
            ? spawn("/bin/sh", ["-c", `${[process.execPath, ...argv].map(quote).join(" ")} | (sleep 1; cat)`], { cwd: REPO_ROOT, env: commandEnv(sub), stdio: ["ignore", "pipe", "pipe"] })
            : spawn(process.execPath, argv, { cwd: REPO_ROOT, env: commandEnv(sub), stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", d => (stdout += d));
        child.stderr.on("data", d => (stderr += d));
        child.on("close", status => resolve({ status, stdout, stderr }));
    });
    const runs: Record<string, Run> = {};
    before(async () => {
        fs.writeFileSync(path.join(dir, "plan.json"), JSON.stringify(planJson(await planStack("dev"))));
        fs.writeFileSync(path.join(dir, "usage.yaml"), "messagesPerMonth: 1000\n");
        fs.copyFileSync(path.join(REPO_ROOT, "Pulumi.dev.yaml"), path.join(dir, "dev.yaml"));
        // At once: none depends on another.
        const [written, missing, folder, stdout] = await Promise.all([
            fromSub("cli/cost.ts", ["dev", "--plan", "../plan.json", "--usage", "../usage.yaml", "--json", "out.json"]),
            fromSub("cli/plan.ts", ["dev", "--config", "../missing.yaml"]),
            fromSub("cli/plan.ts", ["dev", "--config", "../dev.yaml", "--json", "no-dir/plan.json"]),
            // More than a pipe holds (64 KB), read late: the command must not exit before it is all out.
            fromSub("cli/cost.ts", ["dev", "--plan", "../plan.json", "--json", "-"], true),
        ]);
        Object.assign(runs, { written, missing, folder, stdout });
        runs.policy = await fromSub("cli/policy.ts", ["out.json"]); // reads what the first wrote
    });

    it("cost reads ../plan.json and ../usage.yaml and writes out.json in the caller's folder, saying so", () => {
        const r = runs.written;
        expect(r.status, r.stderr).to.equal(0);
        expect(r.stdout).to.match(/\nEstimate written to out\.json\n$/);
        const estimate = JSON.parse(fs.readFileSync(path.join(sub, "out.json"), "utf8"));
        expect(estimate.assumptions.usage.messagesPerMonth).to.deep.include({ value: 1000, source: `file ${path.join("..", "usage.yaml")}` });
        expect(fs.existsSync(path.join(REPO_ROOT, "out.json")), "nothing in the repository root").to.equal(false);
    });

    it("plan refuses, before planning, paths that do not exist from the caller's folder, named as typed", () => {
        expect(runs.missing.stderr.trim()).to.equal(`plan: --config file ${path.join("..", "missing.yaml")} does not exist`);
        expect(runs.missing.status).to.equal(3);
        expect(runs.folder.stderr.trim()).to.equal(`plan: cannot write --json file ${path.join("no-dir", "plan.json")}: folder no-dir does not exist`);
        expect(runs.folder.stdout).to.equal("");
    });

    it("--json - writes the JSON alone to standard output and the report to standard error", () => {
        const r = runs.stdout;
        expect(r.status, r.stderr).to.equal(0); // the shell pipe's: cat's
        expect(r.stdout.length, "more than a pipe's 64 KB").to.be.greaterThan(65536);
        expect(JSON.parse(r.stdout).stack).to.equal("dev");
        expect(r.stderr).to.match(/^Monthly cost estimate: dev /);
        expect(fs.existsSync(path.join(sub, "-")), "no file named -").to.equal(false);
    });

    it("policy says what a cost estimate is and what it expected", () => {
        expect(runs.policy.status).to.equal(3);
        expect(runs.policy.stderr.trim()).to.match(/^policy: out\.json is a cost estimate \(npm run cost -- <stack> --json\), not a plan: the policy pack reads the plan contract \(project, stack, resources with their inputs\); write one with `npm run plan -- <stack> --json <file>`$/);
    });
});

describe("the plan's tree: Pulumi's short type names, fitted to the terminal", () => {
    it("shortens a type token as the Pulumi CLI does, only when the module's file is the type's name", () => {
        expect(shortType("aws:s3/bucketV2:BucketV2")).to.equal("aws:s3:BucketV2");
        expect(shortType("aws:cloudwatch/metricAlarm:MetricAlarm")).to.equal("aws:cloudwatch:MetricAlarm");
        expect(shortType("aws:ec2/getAmi:Other")).to.equal("aws:ec2/getAmi:Other");
        expect(shortType("ai-nutritionist:data:ServiceTables")).to.equal("ai-nutritionist:data:ServiceTables");
        expect(shortType("pulumi:providers:aws")).to.equal("pulumi:providers:aws");
    });

    it("takes the terminal's width, else COLUMNS, else none (a pipe keeps lines whole); --wide always none", () => {
        expect(treeWidth({ isTTY: true, columns: 100 }, false, {})).to.equal(100);
        expect(treeWidth({ isTTY: true, columns: 100 }, true, {})).to.equal(Infinity);
        expect(treeWidth({ isTTY: false }, false, { COLUMNS: "72" })).to.equal(72);
        expect(treeWidth({ isTTY: false }, false, {})).to.equal(Infinity);
        expect(treeWidth({ isTTY: false }, false, { COLUMNS: "wide" })).to.equal(Infinity);
    });

    it("at 80 columns every tree line fits, cut lines end with …; unlimited, every line is whole", async () => {
        const plan = await planStack("prod");
        const tree = (text: string) => text.split("\n").slice(2, text.split("\n").indexOf("Resources by type:") - 1);
        const narrow = tree(renderPlan(plan, { width: 80 }));
        const wide = tree(renderPlan(plan));
        expect(narrow).to.have.length(plan.resources.length + 1);
        expect(narrow.filter(l => l.length > 80)).to.deep.equal([]);
        expect(narrow.some(l => l.endsWith("…")), "prod has names longer than 80 columns").to.equal(true);
        narrow.forEach((l, i) => expect(l.endsWith("…") ? wide[i].startsWith(l.slice(0, -1)) : l === wide[i], l).to.equal(true));
        expect(wide.filter(l => l.includes("…"))).to.deep.equal([]);
        expect(wide.some(l => l.includes("aws:dynamodb/table:Table")), "full tokens").to.equal(false);
        expect(wide.some(l => /^\+ [│ ]*[├└]─ aws:dynamodb:Table  ai-nutritionist-prod-tables-users-table {2}\[protected\]$/.test(l)), "short type names in a Pulumi-style tree").to.equal(true);
    });
});

describe("progress of long commands", () => {
    const stream = (isTTY: boolean) => {
        const writes: string[] = [];
        return { writes, isTTY, columns: 40, write: (t: string) => writes.push(t) };
    };

    it("on a terminal: one status line with the seconds taken, rewritten in place, erased at the end", () => {
        const s = stream(true);
        let now = 0;
        const p = progress(s, () => now);
        p.step("planning prod offline");
        now = 3000;
        p.step("policy pack");
        p.clear();
        expect(s.writes).to.deep.equal(["\r\x1b[2Kplanning prod offline (0 s)", "\r\x1b[2Kpolicy pack (0 s)", "\r\x1b[2K"]);
    });

    it("cut to the terminal's width", () => {
        const s = stream(true);
        const p = progress(s, () => 0);
        p.step("x".repeat(100));
        p.clear();
        expect(s.writes[0].replace("\r\x1b[2K", "")).to.have.length(39);
    });

    it("in a pipe or a CI log: nothing at all", () => {
        const s = stream(false);
        const p = progress(s);
        p.step("planning prod offline");
        p.clear();
        expect(s.writes).to.deep.equal([]);
    });
});
