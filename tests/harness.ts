/**
 * The test harness: plans a stack through the same code path as `npm run plan` (engine/planner)
 * and offers small queries over the recorded resources.
 *
 * Plans are cached per stack and overrides in this process and on disk (engine/plan-cache):
 * mocha runs the test files in 2 parallel workers (.mocharc.json), and each stack configuration is
 * planned once for all of them (and not at all when `npm run plan` already planned the same sources).
 */
import * as path from "path";
import { spawnSync, SpawnSyncReturns } from "child_process";
import { expect } from "chai";
import { Plan, PlannedResource, PlanOptions, REPO_ROOT, runPlan } from "../engine/planner";
import { cachedPlan } from "../engine/plan-cache";
import { NAMESPACE, resolveSettings, SettingsError } from "../config";

const cache = new Map<string, Promise<Plan>>();

/** Plan a stack, optionally with settings overridden (`key` → raw value, `undefined` removes it). */
export function planStack(stack: string, overrides: Record<string, string | undefined> = {}): Promise<Plan> {
    const full = Object.fromEntries(Object.entries(overrides).map(([k, v]) => [k.includes(":") ? k : `ai-nutritionist:${k}`, v]));
    const key = `${stack}|${JSON.stringify(full)}`;
    if (!cache.has(key)) {
        const opts: PlanOptions = { stack, overrides: full };
        cache.set(key, cachedPlan(opts, () => runPlan(opts)));
    }
    return cache.get(key)!;
}

/** Plan any project or program (see PlanOptions), through the same caches as planStack. */
export function planWith(opts: PlanOptions): Promise<Plan> {
    const key = JSON.stringify(opts);
    if (!cache.has(key)) cache.set(key, cachedPlan(opts, () => runPlan(opts)));
    return cache.get(key)!;
}

/** The loader every npm script uses (esbuild, no type check, no source maps). */
export const REGISTER = path.join(REPO_ROOT, "engine", "register.js");

/**
 * The environment of a command run as `npm run` runs it from `callerDir` (npm sets INIT_CWD to the
 * folder it was called from): by default the repository root, whatever folder mocha runs in.
 */
export function commandEnv(callerDir: string = REPO_ROOT, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
    return { ...env, INIT_CWD: callerDir };
}

/**
 * Run a TypeScript command as `npm run` does (cli/plan.ts, cli/policy.ts, ...), in a child
 * process from the repository root, and return its exit code and output.
 */
export function runScript(script: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): SpawnSyncReturns<string> {
    return spawnSync(process.execPath, ["-r", REGISTER, path.resolve(REPO_ROOT, script), ...args], {
        cwd: options.cwd ?? REPO_ROOT,
        env: options.env ?? commandEnv(options.cwd ?? REPO_ROOT),
        encoding: "utf8",
    });
}

export function ofType(plan: Plan, type: string): PlannedResource[] {
    return plan.resources.filter(r => r.type === type);
}

/** The one resource of a type whose logical name ends with the suffix. */
export function one(plan: Plan, type: string, nameSuffix: string): PlannedResource {
    const found = ofType(plan, type).filter(r => r.name.endsWith(nameSuffix));
    expect(found, `${type} *${nameSuffix}`).to.have.length(1);
    return found[0];
}

export function maybe(plan: Plan, type: string, nameSuffix: string): PlannedResource | undefined {
    return ofType(plan, type).find(r => r.name.endsWith(nameSuffix));
}

/** Mock outputs of a resource (its ids and ARNs). */
export function out(r: PlannedResource): Record<string, any> {
    return r.outputs ?? {};
}

export function parse(json: string): any {
    return JSON.parse(json);
}

export function mandatory(plan: Plan) {
    return plan.violations.filter(v => v.enforcementLevel === "mandatory");
}

export const STACKS = ["dev", "staging", "prod"] as const;

/** A minimal valid config map of an environment (`key` → raw value; bare keys get our namespace). */
export function baseSettings(env: string, extra: Record<string, string> = {}): Record<string, string> {
    return {
        "aws:region": "us-east-1",
        [`${NAMESPACE}:environment`]: env,
        [`${NAMESPACE}:alertEmail`]: "ops@example.com",
        ...Object.fromEntries(Object.entries(extra).map(([k, v]) => [k.includes(":") ? k : `${NAMESPACE}:${k}`, v])),
    };
}

/** The problems resolveSettings reports for a config (it must refuse it). */
export function settingsProblems(config: Record<string, string>, secretKeys?: string[]): string[] {
    try {
        resolveSettings(config, undefined, undefined, secretKeys);
    } catch (e) {
        expect(e).to.be.instanceOf(SettingsError);
        return (e as SettingsError).problems;
    }
    throw new Error("expected a SettingsError");
}
