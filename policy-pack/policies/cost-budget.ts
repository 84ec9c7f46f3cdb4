/**
 * cost-budget: fails a preview whose estimated monthly cost exceeds the stack's budget.
 *
 * It applies only where the organisation configured both a budget and a usage profile: a traffic
 * model is what a stack's usage costs are estimated from, and there is no neutral one. The budget is
 * the policy's `monthlyBudget` config, or else the limitAmount of the stack's own monthly COST budget
 * (aws.budgets.Budget). The usage profile is the policy's `usageProfile` (`environment`: the profile
 * of the stack's `Environment` default tag; `dev`, `staging`, `prod`; `none`: fixed costs only)
 * with the policy's `usage` overrides (either alone configures a profile).
 *
 * A stack whose region is unknown or has no price table is not estimated: cost-budget-region (advisory)
 * says so, naming the missing table, and never blocks.
 */
import { CostResource, estimate, PRICED_TYPES } from "../cost/engine";
import { PRICE_TABLES } from "../cost/prices";
import { fromPolicyResources, StackFacts, stackFacts } from "../cost/stack";
import { applyUsage, DEFAULT_USAGE, defaultUsage, EnvironmentName, NO_TRAFFIC, UsageProfile } from "../cost/usage";
import { stackPolicy } from "./helpers";
import { PolicyResource } from "@pulumi/policy";

export const USAGE_PROFILES = ["environment", "none", ...Object.keys(DEFAULT_USAGE)];

/** The budget and usage profile cost-budget holds a stack to, or undefined where either is not configured. */
export interface BudgetCheck {
    facts: StackFacts;
    resources: CostResource[];
    budget: number;
    /** The Budget resource the finding is reported on (undefined: the budget is from config, reported on the stack). */
    at?: string;
    usage?: UsageProfile;
    problems: string[];
}

export function budgetCheck(resources: PolicyResource[], config: { monthlyBudget?: unknown; usageProfile?: unknown; usage?: unknown }): BudgetCheck | undefined {
    const overrides = config.usage && typeof config.usage === "object" ? config.usage as Record<string, unknown> : {};
    const profile = typeof config.usageProfile === "string" && config.usageProfile !== "" ? config.usageProfile : undefined;
    if (profile === undefined && Object.keys(overrides).length === 0) return undefined; // no usage profile configured
    const costResources: CostResource[] = fromPolicyResources(resources);
    const facts = stackFacts(costResources);
    const fromConfig = typeof config.monthlyBudget === "number" && config.monthlyBudget > 0;
    const budget = fromConfig ? config.monthlyBudget as number : facts.budget;
    if (budget === undefined) return undefined; // nothing to hold the estimate to
    const at = fromConfig ? undefined : facts.budgetUrn;
    if (profile !== undefined && !USAGE_PROFILES.includes(profile)) {
        return { facts, resources: costResources, budget, at, problems: [`usageProfile: must be one of ${USAGE_PROFILES.join(", ")} (got ${JSON.stringify(profile)})`] };
    }
    const base = profile === "none" ? { ...NO_TRAFFIC }
        : profile === undefined || profile === "environment" ? defaultUsage(facts.environment)
        : { ...DEFAULT_USAGE[profile as EnvironmentName] };
    const { usage, problems } = applyUsage(base, overrides);
    return { facts, resources: costResources, budget, at, usage, problems };
}

const CONFIG = {
    monthlyBudget: {
        type: "number", minimum: 0, default: 0,
        description: "Budget in USD a month; 0 (the default): the limitAmount of the stack's own monthly COST budget (aws.budgets.Budget), if it has one.",
    },
    usageProfile: {
        type: "string", default: "",
        description: "The traffic the estimate assumes: environment (the profile of the stack's Environment default tag), dev, staging, prod (policy-pack/cost/usage.ts) or none (fixed costs only). Unset, with no usage either: the policy does not apply.",
    },
    usage: {
        type: "object", default: {},
        description: "Usage assumptions overriding the profile's (names as in policy-pack/cost/usage.ts), e.g. { \"messagesPerMonth\": 50000 }.",
    },
};

export const costBudget = stackPolicy({
    name: "cost-budget",
    description: "Where a budget and a usage profile are configured: the stack's estimated monthly cost (list prices) stays within its budget.",
    enforcementLevel: "mandatory",
    // The budget it reads, and every type the engine prices.
    types: ["aws:budgets/budget:Budget", ...PRICED_TYPES.filter(t => t.startsWith("aws:"))],
    config: CONFIG,
    check: (resources, violation, _args, config) => {
        const check = budgetCheck(resources, config);
        if (!check) return;
        const { facts, budget, at, usage, problems } = check;
        if (problems.length) {
            violation(`cost-budget config: ${problems.join("; ")}`, at);
            return;
        }
        if (!facts.region || !(facts.region in PRICE_TABLES)) return; // cost-budget-region reports it
        const e = estimate(check.resources, { stack: facts.environment ?? "stack", region: facts.region, usage: usage!, environment: facts.environment }).estimate;
        if (e.totalMonthly > budget) {
            violation(`estimated monthly cost $${e.totalMonthly.toFixed(2)} (fixed $${e.fixedMonthly.toFixed(2)}, usage $${(e.totalMonthly - e.fixedMonthly).toFixed(2)} at the ` +
                `${config.usageProfile && config.usageProfile !== "environment" ? config.usageProfile : facts.environment ?? "default"} usage profile) exceeds the budget of $${budget}; run \`npm run cost -- <stack>\` for the lines`, at);
        }
    },
});

export const costBudgetRegion = stackPolicy({
    name: "cost-budget-region",
    description: "Where cost-budget applies (configured with the same settings) but cannot estimate, because the stack's region is unknown or has no price table: says so, naming the missing table (advisory, never a block).",
    enforcementLevel: "advisory",
    types: ["aws:budgets/budget:Budget"],
    config: CONFIG,
    // Policy config is per policy: give it cost-budget's monthlyBudget, usageProfile and usage, so that it applies where cost-budget does.
    check: (resources, violation, _args, config) => {
        const check = budgetCheck(resources, config);
        if (!check || check.problems.length) return;
        const { facts, budget, at } = check;
        if (!facts.region) {
            violation(`cost-budget cannot check the budget of $${budget}: the stack's region is unknown (no AWS provider in the preview sets a region)`, at);
        } else if (!(facts.region in PRICE_TABLES)) {
            violation(`cost-budget cannot check the budget of $${budget}: no price table for region ${facts.region} (have ${Object.keys(PRICE_TABLES).join(", ")}); ` +
                `add policy-pack/cost/prices/${facts.region}.json with sourced unit prices rather than guess`, at);
        }
    },
});
