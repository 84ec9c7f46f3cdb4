/**
 * The offline plan: run the Pulumi program under recording mocks and return what a preview
 * would register. The plan command (cli/plan.ts) and the test harness (tests/harness.ts)
 * both call `runPlan`, so the tests assert on exactly what `npm run plan` shows.
 *
 * Any Pulumi TypeScript/JavaScript program can be planned (`projectDir`): it runs in its own folder,
 * on the @pulumi/pulumi of its own node_modules (the mocks are installed into that copy), with its
 * stack config, as a preview by default; the engine's default providers are modelled from the config.
 *
 * Recording happens at the resource monitor, where the engine would receive each
 * registration: type, name, parent, provider, protect, the dependency URNs the runtime
 * computed (explicit `dependsOn` plus every resource whose outputs feed the inputs) and the
 * resolved inputs.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { loadStackConfig } from "./stack-config";
import { resolveSettings, SettingsError } from "../config";
import { CannedResults, createMocks, functionName } from "./mocks";
import { settle } from "./settle";
import { fail, parseJsonFile, parseYamlFile, shownPath } from "./cli";
import { REPO_ROOT } from "./paths";
import type { Plan, PlannedResource } from "./plan-types";
import { DEFAULT_POLICY_CONFIG, evaluatePolicies, PackConfig, validatePackConfig } from "./policy-runner";

export type { Plan, PlannedResource, Violation } from "./plan-types";

export interface PlanOptions {
    /** Stack name: selects `Pulumi.<stack>.yaml`. */
    stack: string;
    /** Use this settings file (same format) instead of `Pulumi.<stack>.yaml`. */
    configFile?: string;
    /** Extra `namespace:key` → raw value overrides, applied last (tests). */
    overrides?: Record<string, string | undefined>;
    /** Folder holding Pulumi.yaml. Defaults to the repository root. */
    projectDir?: string;
    /** Program entry point relative to projectDir. Defaults to index.ts. */
    program?: string;
    /** Policy pack config (as for --policy-pack-config); defaults to policy-config.json. `false` skips the pack. */
    policyConfig?: PackConfig | false;
    /**
     * Keep stack traces of errors raised while the program runs (`--verbose`). Off by default: the
     * Pulumi runtime captures a stack trace for every promise it creates, only to describe leaked
     * promises, which cost ~0.3 s of a 1.5 s prod plan. Source positions of resources are unaffected
     * (the runtime lifts the limit itself for them); error messages are kept.
     */
    stackTraces?: boolean;
    /**
     * Run as `pulumi preview` does (isDryRun true): an output the mocks do not model is unknown, not
     * undefined, and so is every input computed from it. Defaults to true; false runs as an update.
     */
    preview?: boolean;
    /** A JSON or YAML file of canned data-source results, keyed by token (`--mocks`). */
    mocksFile?: string;
}

export { REPO_ROOT };

/** Thrown when AWS would refuse a resource's request (checks/api-rules.ts); `problems` lists every one. */
export class RequestError extends Error {
    constructor(public readonly problems: string[]) {
        super(`Requests AWS would refuse (${problems.length}):\n` + problems.map(p => `  - ${p}`).join("\n"));
        this.name = "RequestError";
        this.stack = this.message;
    }
}

/** Thrown when a physical name cannot fit its type's limits; `problems` lists every one. */
export class NamingError extends Error {
    constructor(public readonly problems: string[]) {
        super(`Names that cannot fit (${problems.length}):\n` + problems.map(p => `  - ${p}`).join("\n"));
        this.name = "NamingError";
        this.stack = this.message;
    }
}

const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SIGS = {
    secret: "1b47061264138c4ac30d75fd1eb44270",
    asset: "c44067f5952c0a294b673a41bacd8c17",
    archive: "0def7320c3a5731c473e5ecbe6d01bc7",
    resource: "5cf8f73096256a8f31e491e813e4eb8e",
    output: "d0e6a833031e9bbcd3f4e8bde6ca49a4",
};
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/**
 * Turn the wire form of a resource's inputs into plain JSON: secrets become "[secret]", assets
 * and archives a content digest, resource references their URN.
 */
export function plainInputs(v: any): any {
    if (v === UNKNOWN) return "[unknown]";
    if (Array.isArray(v)) return v.map(plainInputs);
    if (v && typeof v === "object") {
        switch (v[SIG_KEY]) {
            case SIGS.secret: return "[secret]";
            case SIGS.output: return v.secret ? "[secret]" : "value" in v ? plainInputs(v.value) : "[unknown]";
            case SIGS.resource: return v.urn;
            case SIGS.asset: return v.text !== undefined
                ? { asset: `sha256:${crypto.createHash("sha256").update(v.text).digest("hex")}`, bytes: Buffer.byteLength(v.text) }
                : { asset: v.path ?? v.uri };
            case SIGS.archive: return v.assets ? { archive: plainInputs(v.assets) } : { archive: v.path ?? v.uri };
        }
        return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined).map(([k, x]) => [k, plainInputs(x)]));
    }
    return v;
}

/** A provider reference is `<urn>::<id>`; the plan names providers by URN. */
function providerUrn(ref: string): string | null {
    return ref ? ref.slice(0, ref.lastIndexOf("::")) : null;
}

function providerMap(req: any): Record<string, string> {
    const out: Record<string, string> = {};
    req.getProvidersMap().forEach((ref: string, pkg: string) => {
        out[pkg] = providerUrn(ref)!;
    });
    return out;
}

function propertyDependencies(req: any): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    const map = req.getPropertydependenciesMap();
    map.forEach((deps: any, key: string) => {
        const urns = [...new Set<string>(deps.getUrnsList())].sort();
        if (urns.length) out[key] = urns;
    });
    return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * Forget the program's modules so the next plan runs it afresh. The planner's own modules and the
 * policy pack stay (the pack is not part of the program; evaluatePolicies resets its per-run state,
 * and its catalogue lookups are worth keeping between the plans of one process).
 */
const ENGINE_DIRS = ["engine", "checks", "cli", "generators", "policy-pack"];

function forgetProgram(projectDir: string): void {
    for (const file of Object.keys(require.cache)) {
        if (file.startsWith(projectDir) && !file.includes(`${path.sep}node_modules${path.sep}`) &&
            !ENGINE_DIRS.some(dir => file.startsWith(path.join(REPO_ROOT, dir) + path.sep))) {
            delete require.cache[file];
        }
    }
}

/**
 * Model the engine's default providers: a custom resource registered without a provider is created
 * by `pulumi:providers:<pkg>::default_<version>`, whose inputs are the stack's `<pkg>:*` config
 * (aws:region, aws:defaultTags, aws:profile, …). The engine shows it to the policy pack as any
 * explicit provider; the plan lists it before its first user.
 */
function withDefaultProviders(records: PlannedResource[], ctx: {
    project: string; stack: string; config: Record<string, string>; objectKeys: Set<string>; secretKeys: Set<string>; versions: Map<PlannedResource, string>;
}): void {
    const created = new Map<string, PlannedResource>();
    const out: PlannedResource[] = [];
    for (const r of records) {
        if (r.custom && r.provider === null && !r.type.startsWith("pulumi:")) {
            const pkg = r.type.split(":")[0];
            const version = ctx.versions.get(r) ?? "";
            const name = version ? `default_${version.replace(/[.+-]/g, "_")}` : "default";
            const urn = `urn:pulumi:${ctx.stack}::${ctx.project}::pulumi:providers:${pkg}::${name}`;
            if (!created.has(urn)) {
                const provider: PlannedResource = {
                    urn, type: `pulumi:providers:${pkg}`, name, parent: null, custom: true, provider: null, providers: {}, protect: false,
                    inputs: defaultProviderInputs(pkg, ctx.config, ctx.objectKeys, ctx.secretKeys, version),
                    dependencies: [], propertyDependencies: {},
                };
                provider.outputs = provider.inputs;
                created.set(urn, provider);
                out.push(provider);
            }
            r.provider = urn;
        }
        out.push(r);
    }
    records.splice(0, records.length, ...out);
}

let running: Promise<unknown> = Promise.resolve();

/** Plans run one at a time: the Pulumi runtime is process-global. */
export function runPlan(opts: PlanOptions): Promise<Plan> {
    const next = running.then(() => planOnce(opts), () => planOnce(opts));
    running = next.catch(() => undefined);
    return next;
}

/** The main program's own settings problems (config.ts) on keys the CLI's check did not already name. */
function programProblems(projectDir: string, config: Record<string, string>, stack: string, secretKeys: string[], cliProblems: string[]): string[] {
    if (projectDir !== REPO_ROOT) return [];
    // A problem starts with its key (`namespace:key: …`); a misspelt key's problem names the key it was meant as.
    const keyOf = (problem: string) => /^([\w.-]+:[\w.-]+): /.exec(problem)?.[1];
    const meant = (problem: string) => /did you mean ([\w.-]+:[\w.-]+)\?/.exec(problem)?.[1];
    const named = new Set(cliProblems.flatMap(p => [keyOf(p), meant(p)]).filter(k => k !== undefined));
    try {
        resolveSettings(config, undefined, stack, secretKeys);
        return [];
    } catch (e) {
        if (!(e instanceof SettingsError)) return [];
        return e.problems.filter(p => !named.has(keyOf(p) ?? p) && !named.has(meant(p) ?? p));
    }
}

/** Where offline plans share the Lambda bundles (components/bundle-cache.ts). */
const BUNDLE_CACHE_DIR = path.join(REPO_ROOT, ".build", "bundle-cache");

async function planOnce(opts: PlanOptions): Promise<Plan> {
    process.env.BUNDLE_CACHE_DIR ??= BUNDLE_CACHE_DIR;
    const limit = Error.stackTraceLimit;
    if (!opts.stackTraces) Error.stackTraceLimit = 0;
    try {
        return await planProgram(opts);
    } finally {
        Error.stackTraceLimit = limit;
    }
}

/**
 * The @pulumi/pulumi the program itself loads, resolved from its folder: the mocks must be installed
 * into that copy (a program with its own node_modules has its own runtime state).
 */
export function programSdk(projectDir: string): typeof pulumi {
    let resolved: string;
    try {
        resolved = require.resolve("@pulumi/pulumi", { paths: [projectDir] });
    } catch {
        fail(`${projectDir} has no node_modules with @pulumi/pulumi: run \`npm install\` in ${projectDir} first (the plan runs the program on its own dependencies)`);
    }
    return require(resolved);
}

/** The program's entry file, found as the Pulumi CLI's Node.js host finds it (Pulumi.yaml `main`, package.json `main`, index.ts, index.js). */
export function programEntry(projectDir: string, main: string | undefined, program: string | undefined): string {
    if (program) return path.resolve(projectDir, program);
    const base = path.resolve(projectDir, main ?? ".");
    if (fs.existsSync(base) && fs.statSync(base).isFile()) return base;
    const pkgFile = path.join(base, "package.json");
    if (fs.existsSync(pkgFile)) {
        const pkgMain = JSON.parse(fs.readFileSync(pkgFile, "utf8")).main;
        if (typeof pkgMain === "string") {
            const candidates = [pkgMain, `${pkgMain}.ts`, `${pkgMain}.js`, path.join(pkgMain, "index.ts"), path.join(pkgMain, "index.js")].map(f => path.resolve(base, f));
            const found = candidates.find(f => fs.existsSync(f) && fs.statSync(f).isFile());
            if (found) return found;
        }
    }
    const index = ["index.ts", "index.js"].map(f => path.join(base, f)).find(f => fs.existsSync(f));
    if (!index) fail(`${base} has no index.ts or index.js (nor a package.json main) for the plan to run`);
    return index;
}

/** The folder the program runs in: Pulumi.yaml `main` when it names one (or its file's folder), else the project's. */
function programDir(projectDir: string, main: string | undefined): string {
    if (!main) return projectDir;
    const base = path.resolve(projectDir, main);
    return fs.existsSync(base) && fs.statSync(base).isFile() ? path.dirname(base) : base;
}

/**
 * The inputs of the default provider of a package, as the engine builds them: every `<pkg>:<key>`
 * of the stack's config (mappings and lists as objects, secrets hidden) and the plugin version.
 */
function defaultProviderInputs(pkg: string, config: Record<string, string>, objectKeys: Set<string>, secretKeys: Set<string>, version: string): Record<string, unknown> {
    const inputs: Record<string, unknown> = {};
    for (const [key, raw] of Object.entries(config)) {
        if (!key.startsWith(`${pkg}:`)) continue;
        const name = key.slice(pkg.length + 1);
        inputs[name] = secretKeys.has(key) ? "[secret]" : objectKeys.has(key) ? JSON.parse(raw) : raw;
    }
    if (version) inputs.version = version;
    return inputs;
}

/** A canned-results file (`--mocks`): JSON or YAML, token → result object. */
export function readCannedResults(file: string): CannedResults {
    // A syntax error names the file as the user typed it, with its line and column (exit 3).
    const data = file.endsWith(".json") ? parseJsonFile(file, "--mocks file") : parseYamlFile(file, "--mocks file");
    file = shownPath(file);
    if (!data || typeof data !== "object" || Array.isArray(data)) fail(`--mocks file ${file}: expected a mapping of data-source token to its result, e.g. aws:ec2/getAmi:getAmi: { id: ami-0123456789abcdef0 }`);
    for (const [token, result] of Object.entries(data as object)) {
        if (!/^[\w-]+:[\w/-]*:\w+$/.test(token)) fail(`--mocks file ${file}: ${token} is not a data-source token (such as aws:ec2/getAmi:getAmi)`);
        if (!result || typeof result !== "object" || Array.isArray(result)) fail(`--mocks file ${file}: the result of ${token} must be a mapping of its outputs`);
    }
    return data as CannedResults;
}

/** One line naming the data sources nobody answered and how to answer them. */
function unansweredMessage(unanswered: Map<string, Record<string, unknown>>): string {
    const calls = [...unanswered.keys()].map(t => `${functionName(t)} (${t})`);
    const example = [...unanswered.keys()][0];
    return `the offline plan has no answer for data source${calls.length > 1 ? "s" : ""} ${calls.join(", ")}: ` +
        `give the result${calls.length > 1 ? "s" : ""} in a JSON or YAML file keyed by token and pass it with --mocks <file>, ` +
        `e.g. {"${example}": {<the outputs the program reads>}}`;
}

/** A module the program requires that its folder does not have installed. */
function missingPackage(e: any, projectDir: string): string | undefined {
    if (e?.code !== "MODULE_NOT_FOUND") return undefined;
    const name = /Cannot find module '([^']+)'/.exec(String(e.message))?.[1];
    if (!name || name.startsWith(".") || path.isAbsolute(name)) return undefined;
    return `the program in ${projectDir} needs ${name}, which is not installed there: run \`npm install\` in ${projectDir}`;
}

/**
 * Everything the program rejected or threw without handling while it ran, and the errors the Pulumi
 * runtime logged (without an engine it prints them as `error: [runtime] …`): a real `pulumi preview`
 * fails on each. They are reported once, in one line, instead of as a crash or a trail of log lines.
 */
function captureUnhandled(): { errors: unknown[]; logged: string[]; restore: () => void } {
    const errors: unknown[] = [];
    const logged: string[] = [];
    const saved = { rejection: process.listeners("unhandledRejection"), exception: process.listeners("uncaughtException") };
    process.removeAllListeners("unhandledRejection");
    process.removeAllListeners("uncaughtException");
    const onError = (e: unknown) => errors.push(e);
    process.on("unhandledRejection", onError);
    process.on("uncaughtException", onError);
    const consoleError = console.error;
    console.error = (...args: unknown[]) => {
        const line = args.map(String).join(" ");
        if (line.startsWith("error: [runtime] ")) logged.push(line.slice("error: [runtime] ".length));
        else consoleError(...args);
    };
    return {
        errors,
        logged,
        restore: () => {
            console.error = consoleError;
            process.removeListener("unhandledRejection", onError);
            process.removeListener("uncaughtException", onError);
            for (const l of saved.rejection) process.on("unhandledRejection", l as any);
            for (const l of saved.exception) process.on("uncaughtException", l as any);
        },
    };
}

/**
 * The stack outputs as a preview shows them: every Output resolved on its own, a value unknown until
 * the update as "[unknown]", a secret as "[secret]", a resource as its URN.
 */
async function resolveOutputs(sdk: typeof pulumi, v: unknown, depth = 0): Promise<unknown> {
    if (depth > 20) return "[too deep]";
    if (sdk.Output.isInstance(v)) {
        // Internal to the SDK's Output: the value with unknowns marked, and whether it is secret.
        const o = v as unknown as { promise(withUnknowns?: boolean): Promise<unknown>; isKnown: Promise<boolean>; isSecret: Promise<boolean> };
        const [value, known, secret] = await Promise.all([o.promise(true), o.isKnown, o.isSecret]);
        if (!known || sdk.isUnknown(value)) return "[unknown]";
        return secret ? "[secret]" : resolveOutputs(sdk, value, depth + 1);
    }
    if (sdk.Resource.isInstance(v)) return resolveOutputs(sdk, (v as pulumi.Resource).urn, depth + 1);
    if (v && typeof (v as PromiseLike<unknown>).then === "function") return resolveOutputs(sdk, await v, depth + 1);
    if (sdk.isUnknown(v)) return "[unknown]";
    if (Array.isArray(v)) return Promise.all(v.map(x => resolveOutputs(sdk, x, depth + 1)));
    if (v && typeof v === "object" && !Buffer.isBuffer(v)) {
        const entries = await Promise.all(Object.entries(v).filter(([k, x]) => k !== "__esModule" && typeof x !== "function")
            .map(async ([k, x]) => [k, await resolveOutputs(sdk, x, depth + 1)] as const));
        return Object.fromEntries(entries.filter(([, x]) => x !== undefined));
    }
    return v;
}

/** The program's own failure, as one line that names the program. */
export class ProgramError extends Error {
    constructor(program: string, cause: unknown) {
        const message = String((cause as any)?.message ?? cause).split("\n").find(l => l.trim() !== "") ?? "failed";
        super(`the program ${program} failed: ${message}`);
        this.name = "ProgramError";
        if ((cause as any)?.stack) this.stack = `${this.message}\n${(cause as any).stack}`;
    }
}

async function planProgram(opts: PlanOptions): Promise<Plan> {
    const projectDir = path.resolve(opts.projectDir ?? REPO_ROOT);
    const { project, stack, config, secretKeys, cliProblems, objectKeys, main } = loadStackConfig(projectDir, opts.stack, opts.configFile);
    // What `pulumi preview` would refuse before the program runs, refused here too — with what the
    // program would refuse next (ranges, combinations), so that one run lists every problem.
    if (cliProblems.length) throw new SettingsError([...cliProblems, ...programProblems(projectDir, config, stack, secretKeys, cliProblems)]);
    for (const [k, v] of Object.entries(opts.overrides ?? {})) {
        if (v === undefined) delete config[k];
        else config[k] = v;
    }
    const region = config["aws:region"] ?? "us-east-1";
    const canned = opts.mocksFile ? readCannedResults(opts.mocksFile) : {};
    const programFile = programEntry(projectDir, main, opts.program);
    const sdk = projectDir === REPO_ROOT ? pulumi : programSdk(projectDir);

    sdk.runtime.setAllConfig(config, secretKeys);
    const mocks = createMocks(region, undefined, canned);
    await sdk.runtime.setMocks(mocks, project, stack, opts.preview ?? true);

    const monitor: any = sdk.runtime.getMonitor();
    const records: PlannedResource[] = [];
    const versions = new Map<PlannedResource, string>();
    let pending = 0;
    let started = 0;
    const invokes: { token: string; provider: string | null }[] = [];
    const originalInvoke = monitor.invoke.bind(monitor);
    monitor.invoke = (req: any, callback: (err: any, resp: any) => void) => {
        invokes.push({ token: req.getTok(), provider: providerUrn(req.getProvider()) });
        return originalInvoke(req, callback);
    };
    const original = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req: any, callback: (err: any, resp: any) => void) => {
        pending++;
        started++;
        const record: PlannedResource = {
            urn: "",
            type: req.getType(),
            name: req.getName(),
            parent: req.getParent() || null,
            custom: req.getCustom(),
            provider: providerUrn(req.getProvider()),
            providers: providerMap(req),
            protect: Boolean(req.getProtect()),
            inputs: plainInputs(req.getObject()?.toJavaScript() ?? {}),
            dependencies: [...new Set<string>(req.getDependenciesList())].sort(),
            propertyDependencies: propertyDependencies(req),
        };
        versions.set(record, req.getVersion?.() ?? "");
        return original(req, (err: any, resp: any) => {
            if (resp) {
                record.urn = resp.getUrn();
                record.outputs = plainInputs(mocks.states.get(`${record.type}::${record.name}`) ?? {});
                if (record.type.startsWith("pulumi:providers:")) {
                    mocks.providerRegions.set(`${record.urn}::${resp.getId()}`, record.inputs.region ?? region);
                }
                records.push(record);
            }
            pending--;
            callback(err, resp);
        });
    };

    forgetProgram(projectDir);
    const programName = path.relative(process.cwd(), programFile) || programFile;
    // The program runs in its own folder, as the Pulumi CLI runs it (assets and files read relative to it).
    const cwd = process.cwd();
    const unhandled = captureUnhandled();
    let programError: unknown;
    let outputs: unknown;
    try {
        process.chdir(programDir(projectDir, main));
        let exports: unknown;
        await sdk.runtime.runInPulumiStack(async () => {
            try {
                let exported = require(programFile);
                // As the Node.js language host: an exported function is the program; its result, the outputs.
                if (exported && exported.__esModule && typeof exported.default === "function") exported = exported.default;
                exports = typeof exported === "function" ? await exported() : exported;
                return exports;
            } catch (e) {
                programError = e;
                throw e;
            }
        }).catch(e => {
            programError ??= e;
        });
        // Each output on its own: in a preview, one unknown value must not hide the others.
        if (programError === undefined) outputs = await resolveOutputs(sdk, exports);
        // Let every registration started by the program (including ones whose outputs nobody awaits) finish.
        await settle(() => pending, () => started, sdk.runtime);
    } finally {
        process.chdir(cwd);
        unhandled.restore();
    }
    if (mocks.unanswered.size) fail(unansweredMessage(mocks.unanswered));
    const failure = programError ?? unhandled.errors[0] ?? (unhandled.logged.length ? new Error(unhandled.logged[0]) : undefined);
    if (failure !== undefined) {
        const missing = missingPackage(failure, projectDir);
        if (missing) fail(missing);
        const e = failure as any;
        // This repository's own program keeps its error kinds (settings, naming, requests) and their exit codes.
        if (projectDir === REPO_ROOT || e?.name === "SettingsError" || e?.__pulumResourceError === true || e?.name === "UsageError") throw failure;
        throw new ProgramError(programName, failure);
    }
    withDefaultProviders(records, { project, stack, config, objectKeys: new Set(objectKeys), secretKeys: new Set(secretKeys), versions });

    // What `pulumi preview` (the provider's auto-naming) and `pulumi up` (AWS's name rules) would refuse.
    if (mocks.namingProblems.length) throw new NamingError(mocks.namingProblems);
    if (mocks.requestProblems.length) throw new RequestError(mocks.requestProblems);

    const resources = records.filter(r => r.type !== "pulumi:pulumi:Stack");
    const policyConfig = opts.policyConfig ?? (fs.existsSync(DEFAULT_POLICY_CONFIG) ? JSON.parse(fs.readFileSync(DEFAULT_POLICY_CONFIG, "utf8")) : {});
    if (policyConfig !== false) {
        const problems = validatePackConfig(policyConfig).map(p => `policy config ${p}`);
        if (problems.length) throw new SettingsError(problems);
    }
    return {
        project,
        stack,
        resources,
        invokes,
        outputs: plainInputs(outputs ?? {}),
        violations: policyConfig === false ? [] : evaluatePolicies(resources, policyConfig),
    };
}

/** The plan as written by `--json`: the contract later tools read. */
export function planJson(plan: Plan): object {
    return {
        project: plan.project,
        stack: plan.stack,
        resources: plan.resources.map(({ outputs: _outputs, ...r }) => r),
        outputs: plan.outputs,
        violations: plan.violations,
    };
}
