/**
 * What the engine needs to know about a stack, read from its resources alone (as a policy sees
 * them in a preview): its region and environment (the default AWS provider's region and
 * `Environment` default tag) and its own monthly cost budget.
 */
import { providerTags } from "../policies/tagging";
import { UNKNOWN } from "../policies/helpers";
import { CostResource, prop } from "./engine";

export interface StackFacts {
    region?: string;
    environment?: string;
    /** limitAmount of the stack's monthly COST budget (aws.budgets.Budget), in USD. */
    budget?: number;
    /** The Budget resource that sets it. */
    budgetUrn?: string;
}

/**
 * The stack's facts. The default provider is the AWS provider most resources use (callers pass
 * each resource's provider region); with none, the first AWS provider.
 */
export function stackFacts(resources: CostResource[]): StackFacts {
    const providers = resources.filter(r => r.type === "pulumi:providers:aws");
    const counts = new Map<string, number>();
    for (const r of resources) if (r.region && !r.type.startsWith("pulumi:providers:")) counts.set(r.region, (counts.get(r.region) ?? 0) + 1);
    const region = [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? (prop(providers[0]?.props, "region") as string | undefined);
    const tagged = providers.map(p => providerTags(p)).find((t): t is Record<string, string> => t !== UNKNOWN && typeof t.Environment === "string");
    const budgets = resources.filter(r => r.type === "aws:budgets/budget:Budget" &&
        prop(r.props, "budgetType") === "COST" && (prop(r.props, "timeUnit") ?? "MONTHLY") === "MONTHLY");
    const amounts = budgets.map(b => ({ urn: b.urn, usd: Number(prop(b.props, "limitAmount")) })).filter(b => Number.isFinite(b.usd) && b.usd > 0)
        .sort((a, b) => a.usd - b.usd);
    return { region, environment: tagged?.Environment, budget: amounts[0]?.usd, budgetUrn: amounts[0]?.urn };
}

/** A resource as a policy sees it (PolicyResource's shape, read loosely). */
export interface PolicyResourceLike {
    urn: string;
    type: string;
    name: string;
    props: any;
    parent?: { urn: string };
    provider?: { urn: string; type: string; name: string; props: any };
}

/**
 * The engine's input from the resources a stack policy receives. A preview may not list provider
 * resources among them, so the providers the resources name are added (they price at nothing and
 * carry the region and the Environment tag).
 */
export function fromPolicyResources(resources: PolicyResourceLike[]): CostResource[] {
    const out: CostResource[] = resources.map(r => {
        const region = prop(r.provider?.props, "region");
        return { urn: r.urn, type: r.type, name: r.name, props: r.props, parent: r.parent?.urn, region: typeof region === "string" ? region : undefined };
    });
    const seen = new Set(out.map(r => r.urn));
    for (const r of resources) {
        const p = r.provider;
        if (p && !seen.has(p.urn)) {
            seen.add(p.urn);
            out.push({ urn: p.urn, type: p.type, name: p.name, props: p.props });
        }
    }
    return out;
}
