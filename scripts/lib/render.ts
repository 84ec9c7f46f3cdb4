/** Text rendering of a plan, shaped like `pulumi preview`: the resource tree, counts, outputs, policies. */
import { Plan, PlannedResource, Violation } from "./planner";

function label(r: PlannedResource): string {
    return `${r.type}  ${r.name}${r.protect ? "  [protected]" : ""}`;
}

export function renderPlan(plan: Plan): string {
    const out: string[] = [];
    out.push(`Previewing update (${plan.stack}) of ${plan.project} — offline, under mocks`, "");
    const children = new Map<string | null, PlannedResource[]>();
    const urns = new Set(plan.resources.map(r => r.urn));
    for (const r of plan.resources) {
        const parent = r.parent && urns.has(r.parent) ? r.parent : null;
        children.set(parent, [...(children.get(parent) ?? []), r]);
    }
    const walk = (parent: string | null, indent: string) => {
        for (const r of children.get(parent) ?? []) {
            out.push(`${indent}+ ${label(r)}`);
            walk(r.urn, indent + "    ");
        }
    };
    out.push(`+ pulumi:pulumi:Stack  ${plan.project}-${plan.stack}`);
    walk(null, "    ");

    const counts = new Map<string, number>();
    for (const r of plan.resources) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
    out.push("", "Resources by type:");
    for (const [type, n] of [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))) {
        out.push(`    ${String(n).padStart(4)}  ${type}`);
    }
    const custom = plan.resources.filter(r => r.custom).length;
    out.push(`    ${String(plan.resources.length).padStart(4)}  to create (${custom} AWS resources, ${plan.resources.length - custom} components and providers)`);

    out.push("", "Outputs:");
    for (const [k, v] of Object.entries(plan.outputs)) {
        out.push(`    ${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`);
    }

    out.push("", "Policies (ai-nutritionist-guardrails):", renderViolations(plan.violations));
    return out.join("\n");
}

export function renderViolations(violations: Violation[]): string {
    if (violations.length === 0) return "    no violations";
    return violations
        .slice()
        .sort((a, b) => (a.enforcementLevel === "mandatory" ? 0 : 1) - (b.enforcementLevel === "mandatory" ? 0 : 1) || a.policy.localeCompare(b.policy))
        .map(v => `    [${v.enforcementLevel}] ${v.policy}: ${v.message}\n        ${v.urn}`)
        .join("\n");
}
