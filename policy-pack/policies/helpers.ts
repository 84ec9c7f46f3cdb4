/**
 * Shared helpers of the policies: reading props that may be unknown during a real preview,
 * JSON policy documents, links between split resources, exemptions, and the policy factories.
 */
import {
    EnforcementLevel, PolicyResource, ReportViolation, ResourceValidationArgs, ResourceValidationPolicy,
    StackValidationArgs, StackValidationPolicy,
} from "@pulumi/policy";

/** Marks a value that is unknown until the update runs (an ARN of a resource not created yet). */
export const UNKNOWN = Symbol("unknown");
export type Maybe<T> = T | typeof UNKNOWN | undefined;

function isUnknownError(e: unknown): boolean {
    return e instanceof Error && e.constructor.name === "UnknownValueError";
}

/** Read a nested prop; UNKNOWN instead of throwing when the engine does not know it yet. */
export function read(obj: any, ...path: (string | number)[]): any {
    let cur = obj;
    for (const p of path) {
        if (cur === null || typeof cur !== "object") return undefined;
        try {
            cur = cur[p];
        } catch (e) {
            if (isUnknownError(e)) return UNKNOWN;
            throw e;
        }
    }
    return cur;
}

/** A value that is set, or will be once known (an unknown ARN still names a key). */
export function isSet(v: unknown): boolean {
    return v === UNKNOWN || (v !== undefined && v !== null && v !== "");
}

/** A value as a list: arrays as they are, nothing as [], anything else as [it]. */
export function asList(v: unknown): unknown[] {
    return Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
}

/** Whether a boolean input is true, or will be once known (the engine may pass "true" strings). */
export function isTrue(v: unknown): boolean {
    return v === true || v === "true" || v === UNKNOWN;
}

/** An AWS-managed key named by alias, bare or as an ARN: `alias/aws/sqs`, `arn:aws:kms:…:alias/aws/sqs`. */
export const AWS_MANAGED_KEY = /(^|:)alias\/aws\//i;

/**
 * A key reference that names a customer-managed KMS key: set, and not an AWS-managed key's alias
 * (bare or as an ARN). An unknown value (an ARN of a key created in this update) counts as one.
 */
export function customerKey(v: unknown): boolean {
    if (v === UNKNOWN) return true;
    return typeof v === "string" && v !== "" && !AWS_MANAGED_KEY.test(v);
}

/**
 * Whether `companion` belongs to `target` through its `prop` input: the engine's property
 * dependencies name the target, or both carry the same known value (`bucket` names).
 */
export function linked(companion: PolicyResource, prop: string, target: PolicyResource, targetProp: string): boolean {
    const deps = companion.propertyDependencies[prop] ?? [];
    if (deps.some(d => d.urn === target.urn)) return true;
    const a = read(companion.props, prop);
    const b = read(target.props, targetProp);
    return typeof a === "string" && a !== "" && a === b;
}

// --- Exemptions -------------------------------------------------------------------------------

export interface Exemption {
    /** Glob (`*` wildcards) on the resource's logical name or its URN. */
    resource: string;
    /** Why the resource cannot comply; required. */
    reason: string;
}

export const EXEMPTIONS_SCHEMA = {
    exemptions: {
        type: "array",
        description: "Resources exempted from this policy: { resource: <glob on logical name or URN>, reason: <why> }.",
        items: {
            type: "object",
            properties: { resource: { type: "string", minLength: 1 }, reason: { type: "string", minLength: 10 } },
            required: ["resource", "reason"],
        },
        default: [],
    },
} as const;

export interface ExemptedFinding {
    policy: string;
    urn: string;
    reason: string;
    message: string;
}

// --- Lookup caches ------------------------------------------------------------------------------

const LOOKUP_CACHES: Map<unknown, unknown>[] = [];

/**
 * A cache of a pure lookup (compiled patterns, parsed documents, the IAM catalogue's answers): a
 * plan asks the same questions hundreds of times. Each is registered so the tests can empty them all.
 */
export function lookupCache<K, V>(): Map<K, V> {
    const cache = new Map<K, V>();
    LOOKUP_CACHES.push(cache as Map<unknown, unknown>);
    return cache;
}

/**
 * Empty every lookup cache. The tests do so before each test (tests/support/hooks.ts): an answer
 * remembered from an earlier test, computed while another mutant was active, would hide a change
 * to the code behind the cache (mutation testing).
 */
// Stryker disable all: only mutation testing can tell (every cached answer equals a fresh one)
export function clearLookupCaches(): void {
    for (const cache of LOOKUP_CACHES) cache.clear();
}
// Stryker restore all

/** Findings suppressed by an exemption in this run; the `exempted-findings` policy reports them. */
export const exemptedFindings: ExemptedFinding[] = [];

function glob(pattern: string): RegExp {
    return new RegExp(`^${pattern.split("*").map(p => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);
}

export function nameOf(urn: string): string {
    return urn.slice(urn.lastIndexOf("::") + 2);
}

export function matchExemption(exemptions: Exemption[] | undefined, urn: string): Exemption | undefined {
    return (exemptions ?? []).find(e => e && typeof e.resource === "string" && typeof e.reason === "string" && e.reason.trim().length >= 10 &&
        (glob(e.resource).test(nameOf(urn)) || glob(e.resource).test(urn)));
}

export type Violation = (message: string, urn?: string) => void;

function exemptingReporter(policy: string, exemptions: Exemption[] | undefined, report: ReportViolation, defaultUrn?: string): Violation {
    return (message, urn) => {
        const target = urn ?? defaultUrn ?? "";
        const exemption = matchExemption(exemptions, target);
        if (exemption) exemptedFindings.push({ policy, urn: target, reason: exemption.reason, message });
        else report(message, urn);
    };
}

// --- Factories --------------------------------------------------------------------------------

/** The resource types each policy judges (the pack's coverage, shown in docs/policy-pack.md and checked against @pulumi/aws). */
export const COVERAGE = new Map<string, readonly string[]>();

type Schema = Record<string, any>;

function withDefaults(schema: Schema, config: object): any {
    const defaults = Object.fromEntries(Object.entries(schema).filter(([, s]) => "default" in s).map(([k, s]) => [k, s.default]));
    return { ...defaults, ...config };
}

export interface ResourcePolicySpec {
    name: string;
    description: string;
    enforcementLevel?: EnforcementLevel;
    /** Resource types the policy applies to; others are reported not applicable. */
    types: readonly string[] | ((type: string) => boolean);
    config?: Schema;
    check: (props: any, violation: Violation, args: ResourceValidationArgs, config: any) => void;
}

/**
 * A resource policy that also says which resource types it judges. The engine calls
 * validateResource on every resource (and the policy reports the others not applicable); a runner
 * that knows `appliesTo` may skip those calls (the offline plan does: ~10k calls and throws fewer).
 * The contract: `appliesTo(type)` is false exactly when validateResource calls `notApplicable()`
 * before anything else — resourcePolicy builds both from one predicate, and a test checks every
 * type of @pulumi/aws. A policy written by hand must keep it, or its findings go missing offline.
 */
export type TypedResourcePolicy = ResourceValidationPolicy & { appliesTo: (type: string) => boolean };

export function resourcePolicy(spec: ResourcePolicySpec): TypedResourcePolicy {
    const schema = { ...EXEMPTIONS_SCHEMA, ...spec.config };
    if (typeof spec.types !== "function") COVERAGE.set(spec.name, spec.types);
    const applies = typeof spec.types === "function" ? spec.types : (t: string) => (spec.types as readonly string[]).includes(t);
    return {
        name: spec.name,
        description: spec.description,
        enforcementLevel: spec.enforcementLevel ?? "mandatory",
        configSchema: { properties: schema as any },
        appliesTo: applies,
        validateResource: (args, report) => {
            if (!applies(args.type)) args.notApplicable();
            const config = withDefaults(schema, args.getConfig());
            spec.check(args.props, exemptingReporter(spec.name, config.exemptions, report, args.urn), args, config);
        },
    };
}

export interface StackPolicySpec {
    name: string;
    description: string;
    enforcementLevel?: EnforcementLevel;
    /** The resource types the policy judges (documentation and coverage; the check selects them itself). */
    types: readonly string[];
    config?: Schema;
    check: (resources: PolicyResource[], violation: Violation, args: StackValidationArgs, config: any) => void;
}

export function stackPolicy(spec: StackPolicySpec): StackValidationPolicy {
    const schema = { ...EXEMPTIONS_SCHEMA, ...spec.config };
    COVERAGE.set(spec.name, spec.types);
    return {
        name: spec.name,
        description: spec.description,
        enforcementLevel: spec.enforcementLevel ?? "mandatory",
        configSchema: { properties: schema as any },
        validateStack: (args, report) => {
            const config = withDefaults(schema, args.getConfig());
            spec.check(args.resources, exemptingReporter(spec.name, config.exemptions, report), args, config);
        },
    };
}
