/**
 * The offline plan: run the Pulumi program under recording mocks and return what a preview
 * would register. The plan command (cli/plan.ts) and the test harness (tests/harness.ts)
 * both call `runPlan`, so the tests assert on exactly what `npm run plan` shows.
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
import { createMocks } from "./mocks";
import { settle } from "./settle";
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

async function planProgram(opts: PlanOptions): Promise<Plan> {
    const projectDir = opts.projectDir ?? REPO_ROOT;
    const { project, stack, config, secretKeys, cliProblems } = loadStackConfig(projectDir, opts.stack, opts.configFile);
    // What `pulumi preview` would refuse before the program runs, refused here too — with what the
    // program would refuse next (ranges, combinations), so that one run lists every problem.
    if (cliProblems.length) throw new SettingsError([...cliProblems, ...programProblems(projectDir, config, stack, secretKeys, cliProblems)]);
    for (const [k, v] of Object.entries(opts.overrides ?? {})) {
        if (v === undefined) delete config[k];
        else config[k] = v;
    }
    const region = config["aws:region"] ?? "us-east-1";

    pulumi.runtime.setAllConfig(config, secretKeys);
    const mocks = createMocks(region);
    await pulumi.runtime.setMocks(mocks, project, stack, false);

    const monitor: any = pulumi.runtime.getMonitor();
    const records: PlannedResource[] = [];
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
    let programError: unknown;
    const programFile = path.resolve(projectDir, opts.program ?? "index.ts");
    const outputs = await pulumi.runtime.runInPulumiStack(async () => {
        try {
            return require(programFile);
        } catch (e) {
            programError = e;
            throw e;
        }
    }).catch(e => {
        throw programError ?? e;
    });

    // Let every registration started by the program (including ones whose outputs nobody awaits) finish.
    await settle(() => pending, () => started);

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
