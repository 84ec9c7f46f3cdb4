/**
 * cost-budget: fails a preview whose estimated monthly cost exceeds the stack's budget.
 *
 * The estimate is the pricing engine of policy-pack/cost over the resources the preview shows,
 * with the usage profile of the stack's environment (its `Environment` default tag), overridden by
 * the policy's `usage` config. The budget is the policy's `monthlyBudget` config, or else the
 * limitAmount of the stack's own monthly COST budget — our stacks create it from their
 * `monthlyBudgetLimit` setting, so each stack is held to its own figure without per-stack config.
 * An unknown region, or one with no price table, fails the check: the estimate is refused, not guessed.
 */
import { CostResource, estimate, PRICED_TYPES } from "../cost/engine";
import { NoPriceTableError } from "../cost/prices";
import { fromPolicyResources, stackFacts } from "../cost/stack";
import { applyUsage, defaultUsage } from "../cost/usage";
import { stackPolicy } from "./helpers";

export const costBudget = stackPolicy({
    name: "cost-budget",
    description: "The stack's estimated monthly cost (list prices, the usage profile of its environment) stays within its budget.",
    enforcementLevel: "mandatory",
    // The budget it reads, and every type the engine prices.
    types: ["aws:budgets/budget:Budget", ...PRICED_TYPES.filter(t => t.startsWith("aws:"))],
    config: {
        monthlyBudget: {
            type: "number", minimum: 0, default: 0,
            description: "Budget in USD a month; 0 (the default): the limitAmount of the stack's own monthly COST budget (aws.budgets.Budget).",
        },
        usage: {
            type: "object", default: {},
            description: "Usage assumptions overriding the environment's defaults (names as in policy-pack/cost/usage.ts), e.g. { \"messagesPerMonth\": 50000 }.",
        },
    },
    check: (resources, violation, _args, config) => {
        const costResources: CostResource[] = fromPolicyResources(resources);
        const facts = stackFacts(costResources);
        const fromConfig = typeof config.monthlyBudget === "number" && config.monthlyBudget > 0;
        const budget = fromConfig ? config.monthlyBudget : facts.budget;
        // A budget the stack declares is reported on its Budget resource; one from config on the stack.
        const at = fromConfig ? undefined : facts.budgetUrn;
        if (budget === undefined) return; // nothing to hold the estimate to
        const { usage, problems } = applyUsage(defaultUsage(facts.environment), config.usage);
        if (problems.length) {
            violation(`cost-budget config: ${problems.join("; ")}`, at);
            return;
        }
        if (!facts.region) { // no provider names one: refuse, as for a region without a price table
            violation(`cannot check the budget of $${budget}: the stack's region is unknown (no AWS provider in the preview sets a region)`, at);
            return;
        }
        let total: number;
        let fixed: number;
        try {
            const e = estimate(costResources, { stack: facts.environment ?? "stack", region: facts.region, usage, environment: facts.environment }).estimate;
            total = e.totalMonthly;
            fixed = e.fixedMonthly;
        } catch (e) {
            if (e instanceof NoPriceTableError) {
                violation(`cannot check the budget of $${budget}: ${e.message}`, at);
                return;
            }
            throw e;
        }
        if (total > budget) {
            violation(`estimated monthly cost $${total.toFixed(2)} (fixed $${fixed.toFixed(2)}, usage $${(total - fixed).toFixed(2)} at the ` +
                `${facts.environment ?? "default"} usage profile) exceeds the budget of $${budget}; run \`npm run cost -- <stack>\` for the lines`, at);
        }
    },
});
