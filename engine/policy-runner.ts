/**
 * Runs the whole policy pack against a plan, the way the Pulumi engine drives a policy pack:
 * every resource policy on every resource (props proxied so unknown values throw as in a
 * preview, provider, options, stack tags, config, `notApplicable`), then every stack policy
 * over all resources (with parents, dependencies and property dependencies).
 */
import * as path from "path";
import type { EnforcementLevel, PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { REPO_ROOT } from "./paths";
import type { PlannedResource, Violation } from "./plan-types";

/** A resource as the plan JSON holds it (planner's PlannedResource without the mock outputs). */
export type PlanResource = Omit<PlannedResource, "outputs" | "propertyDependencies" | "providers"> & { propertyDependencies?: Record<string, string[]>; providers?: Record<string, string> };

export type PolicyViolation = Violation;

/** Policy pack config, as for `pulumi preview --policy-pack-config`: policy name → level or { enforcementLevel, ...props }. */
export type PackConfig = Record<string, EnforcementLevel | ({ enforcementLevel?: EnforcementLevel } & Record<string, any>)>;

export const DEFAULT_POLICY_CONFIG = path.join(REPO_ROOT, "policy-config.json");

class NotApplicable extends Error {}
const NOT_APPLICABLE = new NotApplicable("not applicable");

// The policy SDK's own proxy, so an unknown value throws exactly as in `pulumi preview`.
// eslint-disable-next-line @typescript-eslint/no-var-requires
const proxy = require("@pulumi/policy/proxy");

function withUnknowns(v: any): any {
    if (v === "[unknown]") return proxy.unknownStringValue;
    if (Array.isArray(v)) return v.map(withUnknowns);
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, withUnknowns(x)]));
    return v;
}

function levelOf(policy: { name: string; enforcementLevel?: EnforcementLevel }, config: PackConfig): EnforcementLevel {
    const c = config[policy.name];
    const configured = typeof c === "string" ? c : c?.enforcementLevel;
    const level = configured ?? policy.enforcementLevel ?? "mandatory";
    // The engine reports a violation that remediation did not fix as mandatory; our policies do not remediate.
    return level === "remediate" ? "mandatory" : level;
}

function configOf(name: string, config: PackConfig): object {
    const c = config[name];
    if (!c || typeof c === "string") return {};
    const { enforcementLevel: _level, ...props } = c;
    return props;
}

const frozen = (m: Map<string, string>): ReadonlyMap<string, string> => m;

const LEVELS = ["advisory", "mandatory", "remediate", "disabled"];

/**
 * Checks a policy pack config against the pack's policies and their config schemas, as
 * `pulumi policy validate-config` would: unknown policies and properties, bad levels, and
 * exemptions without a resource or a reason. Returns every problem.
 */
export function validatePackConfig(config: PackConfig): string[] {
    const pack = require(path.join(REPO_ROOT, "policy-pack", "policies"));
    const byName = new Map<string, any>(pack.policies.map((p: any) => [p.name, p]));
    const problems: string[] = [];
    for (const [name, value] of Object.entries(config)) {
        const policy = byName.get(name);
        if (!policy) {
            problems.push(`${name}: no such policy in the pack`);
            continue;
        }
        if (typeof value === "string") {
            if (!LEVELS.includes(value)) problems.push(`${name}: enforcement level must be one of ${LEVELS.join(", ")} (got ${JSON.stringify(value)})`);
            continue;
        }
        const known = Object.keys(policy.configSchema?.properties ?? {});
        for (const [key, v] of Object.entries(value ?? {})) {
            if (key === "enforcementLevel") {
                if (!LEVELS.includes(v as string)) problems.push(`${name}.enforcementLevel: must be one of ${LEVELS.join(", ")} (got ${JSON.stringify(v)})`);
            } else if (!known.includes(key)) {
                problems.push(`${name}.${key}: not a setting of this policy (known: ${known.join(", ") || "none"})`);
            }
        }
        const exemptions = (value as any)?.exemptions;
        if (exemptions !== undefined) {
            if (!Array.isArray(exemptions)) problems.push(`${name}.exemptions: must be a list`);
            else exemptions.forEach((e: any, i: number) => {
                if (typeof e?.resource !== "string" || e.resource === "") problems.push(`${name}.exemptions[${i}].resource: is required`);
                if (typeof e?.reason !== "string" || e.reason.trim().length < 10) problems.push(`${name}.exemptions[${i}].reason: a reason of at least 10 characters is required (got ${JSON.stringify(e?.reason)})`);
            });
        }
    }
    return problems;
}

export function evaluatePolicies(resources: PlanResource[], config: PackConfig = {}, stackTags = new Map<string, string>()): PolicyViolation[] {
    // Loaded here so the pack's module state (exempted findings) is fresh for each run.
    const pack = require(path.join(REPO_ROOT, "policy-pack", "policies"));
    pack.exemptedFindings.length = 0;
    const all: (ResourceValidationPolicy | StackValidationPolicy)[] = pack.policies;
    const out: PolicyViolation[] = [];
    const byUrn = new Map(resources.map(r => [r.urn, r]));
    const props = new Map(resources.map(r => [r.urn, proxy.unknownCheckingProxy(withUnknowns(r.inputs))]));
    const providerOf = (r: PlanResource) => {
        const p = r.provider ? byUrn.get(r.provider) : undefined;
        return p ? { type: p.type, props: props.get(p.urn), urn: p.urn, name: p.name } : undefined;
    };
    const optsOf = (r: PlanResource) => ({
        protect: r.protect, ignoreChanges: [], aliases: [], additionalSecretOutputs: [],
        customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 }, parent: r.parent ?? undefined,
    });
    // One instance, thrown each time: the reason is not reported offline, and an Error per resource and policy costs time.
    const notApplicable = (_reason?: string): never => { throw NOT_APPLICABLE; };
    const run = (policy: { name: string }, level: EnforcementLevel, urn: string | undefined, fn: (report: (m: string, u?: string) => void) => void) => {
        const report = (message: string, u?: string) => out.push({ policy: policy.name, enforcementLevel: level, urn: u ?? urn ?? "", message });
        try {
            fn(report);
        } catch (e: any) {
            if (e instanceof NotApplicable) return;
            if (e instanceof proxy.UnknownValueError) {
                out.push({ policy: policy.name, enforcementLevel: "advisory", urn: urn ?? "", message: `can't run during preview: ${e.message}` });
                return;
            }
            throw new Error(`policy ${policy.name} failed on ${urn ?? "the stack"}: ${e?.stack ?? e}`);
        }
    };

    // What every policy is handed about a resource, computed once per resource.
    const opts = new Map(resources.map(r => [r.urn, optsOf(r)]));
    const providers = new Map(resources.map(r => [r.urn, providerOf(r)]));
    for (const policy of all) {
        const level = levelOf(policy, config);
        if (level === "disabled" || !("validateResource" in policy) || !policy.validateResource) continue;
        const validations = Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource];
        // The pack's policies name their types (policy-pack/policies/helpers.ts resourcePolicy): skip the
        // calls that would only report "not applicable", as the engine's own result for them is no finding.
        const appliesTo = "appliesTo" in policy && typeof policy.appliesTo === "function" ? policy.appliesTo as (type: string) => boolean : undefined;
        for (const r of resources) {
            if (appliesTo && !appliesTo(r.type)) continue;
            for (const validate of validations) {
                run(policy, level, r.urn, report => validate({
                    type: r.type, props: props.get(r.urn), urn: r.urn, name: r.name, opts: opts.get(r.urn)!, provider: providers.get(r.urn),
                    stackTags: frozen(stackTags), getConfig: <T>() => configOf(policy.name, config) as T, notApplicable,
                    isType: () => { throw new Error("isType is not supported offline; compare args.type"); },
                    asType: () => { throw new Error("asType is not supported offline; compare args.type"); },
                }, report));
            }
        }
    }

    const policyResources = new Map<string, PolicyResource>();
    for (const r of resources) {
        policyResources.set(r.urn, {
            type: r.type, props: props.get(r.urn), urn: r.urn, name: r.name, opts: opts.get(r.urn)!, provider: providers.get(r.urn),
            dependencies: [], propertyDependencies: {},
            isType: () => { throw new Error("isType is not supported offline"); },
            asType: () => { throw new Error("asType is not supported offline"); },
        } as unknown as PolicyResource);
    }
    for (const r of resources) {
        const pr = policyResources.get(r.urn)! as any;
        pr.parent = r.parent ? policyResources.get(r.parent) : undefined;
        pr.dependencies = r.dependencies.map(u => policyResources.get(u)).filter(Boolean);
        pr.propertyDependencies = Object.fromEntries(Object.entries(r.propertyDependencies ?? {}).map(([k, urns]) => [k, urns.map(u => policyResources.get(u)).filter(Boolean)]));
    }
    const stackResources = [...policyResources.values()];
    for (const policy of all) {
        const level = levelOf(policy, config);
        if (level === "disabled" || !("validateStack" in policy)) continue;
        run(policy, level, undefined, report => policy.validateStack({
            resources: stackResources, stackTags: frozen(stackTags),
            getConfig: <T>() => configOf(policy.name, config) as T, notApplicable,
        }, report));
    }
    return out;
}
