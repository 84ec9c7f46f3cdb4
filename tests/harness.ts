/**
 * The test harness: plans a stack through the same code path as `npm run plan` (scripts/lib/planner)
 * and offers small queries over the recorded resources. Plans are cached per stack and overrides.
 */
import { expect } from "chai";
import { Plan, PlannedResource, runPlan } from "../scripts/lib/planner";

const cache = new Map<string, Promise<Plan>>();

/** Plan a stack, optionally with settings overridden (`key` → raw value, `undefined` removes it). */
export function planStack(stack: string, overrides: Record<string, string | undefined> = {}): Promise<Plan> {
    const full = Object.fromEntries(Object.entries(overrides).map(([k, v]) => [k.includes(":") ? k : `ai-nutritionist:${k}`, v]));
    const key = `${stack}|${JSON.stringify(full)}`;
    if (!cache.has(key)) cache.set(key, runPlan({ stack, overrides: full }));
    return cache.get(key)!;
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
