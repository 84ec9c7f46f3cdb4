/** Text rendering of a plan, shaped like `pulumi preview`: the resource tree, counts, outputs, policies. */
import * as yaml from "js-yaml";
import { didYouMean } from "../components/messages";
import { isRegion } from "../config";
import { fail } from "./cli";
import { MOCK_ACCOUNT } from "./mocks";
import { Plan, PlannedResource, Violation } from "./planner";

/** What the mark after a mocked value means. */
export const MOCKED_LEGEND = "[mocked] ids, ARNs, names and URLs the offline mocks invented (account " + MOCK_ACCOUNT +
    "): AWS assigns the real ones at `pulumi up`; a preview shows them as unknown.";

/**
 * The strings the mocks invented: every output of a resource that is not one of its inputs (ids,
 * ARNs, URLs, auto-names with their random suffix), and the mock account. A value that contains one
 * is mocked.
 */
export function mockedTokens(plan: Plan): string[] {
    const tokens = new Set<string>([MOCK_ACCOUNT]);
    for (const r of plan.resources) {
        const given = new Set(strings(r.inputs));
        for (const v of Object.values(r.outputs ?? {})) {
            if (typeof v === "string" && v.length >= 6 && !given.has(v) && !isRegion(v) && !/^(true|false|\d+)$/.test(v)) tokens.add(v);
        }
    }
    return [...tokens];
}

/** Every string in a value, at any depth. */
function strings(v: unknown): string[] {
    if (typeof v === "string") return [v];
    if (Array.isArray(v)) return v.flatMap(strings);
    if (v && typeof v === "object") return Object.values(v).flatMap(strings);
    return [];
}

/** Whether a value (any depth) contains a mocked string. */
function isMocked(v: unknown, tokens: string[]): boolean {
    if (typeof v === "string") return tokens.some(t => v.includes(t));
    if (Array.isArray(v)) return v.some(x => isMocked(x, tokens));
    if (v && typeof v === "object") return Object.values(v).some(x => isMocked(x, tokens));
    return false;
}

/** A value as YAML lines, each line holding a mocked string marked `# [mocked]`. */
function yamlWithMarks(value: unknown, tokens: string[], indent: string): string[] {
    const text = yaml.dump(value, { lineWidth: -1, noRefs: true, sortKeys: false }).trimEnd();
    return text.split("\n").map(line => `${indent}${line}${tokens.some(t => line.includes(t)) ? "  # [mocked]" : ""}`);
}

/**
 * A type token as the Pulumi CLI's tree prints it: the module's file part dropped when it is the
 * type's own name (`aws:s3/bucketV2:BucketV2` → `aws:s3:BucketV2`); other tokens unchanged. As in
 * pulumi/pulumi pkg/backend/display/progress.go, simplifyTypeName (read 2026-12-04).
 */
export function shortType(type: string): string {
    const parts = type.split(":");
    if (parts.length !== 3 || !parts[2]) return type;
    const [pkg, mod, name] = parts;
    const slash = mod.lastIndexOf("/");
    if (slash < 0 || mod.slice(slash + 1) !== name[0].toLowerCase() + name.slice(1)) return type;
    return `${pkg}:${mod.slice(0, slash)}:${name}`;
}

/** How wide the plan's tree may be: `Infinity` leaves every line whole. */
export interface RenderOptions {
    width?: number;
}

/**
 * The tree's width for a stream: its columns on a terminal, else COLUMNS when set, else unlimited
 * (a pipe or a CI log keeps every line whole, as the Pulumi CLI does when not on a terminal);
 * `wide` always unlimited.
 */
export function treeWidth(stream: { isTTY?: boolean; columns?: number }, wide: boolean | undefined, env: NodeJS.ProcessEnv = process.env): number {
    if (wide) return Infinity;
    if (stream.isTTY && stream.columns) return stream.columns;
    const columns = Number(env.COLUMNS);
    return Number.isInteger(columns) && columns > 0 ? columns : Infinity;
}

/** A line cut to `width` characters, the cut marked with an ellipsis. */
function fit(line: string, width: number): string {
    return line.length <= width ? line : line.slice(0, Math.max(0, width - 1)) + "…";
}

export function renderPlan(plan: Plan, options: RenderOptions = {}): string {
    const width = options.width ?? Infinity;
    const out: string[] = [];
    out.push(`Previewing update (${plan.stack}) of ${plan.project} — offline, under mocks`, "");
    const children = new Map<string | null, PlannedResource[]>();
    const urns = new Set(plan.resources.map(r => r.urn));
    for (const r of plan.resources) {
        const parent = r.parent && urns.has(r.parent) ? r.parent : null;
        children.set(parent, [...(children.get(parent) ?? []), r]);
    }
    // The tree as the Pulumi CLI draws it: short type names, ├─ / └─ branches.
    const walk = (parent: string | null, prefix: string) => {
        const list = children.get(parent) ?? [];
        list.forEach((r, i) => {
            const last = i === list.length - 1;
            out.push(fit(`+ ${prefix}${last ? "└─ " : "├─ "}${shortType(r.type)}  ${r.name}${r.protect ? "  [protected]" : ""}`, width));
            walk(r.urn, prefix + (last ? "   " : "│  "));
        });
    };
    out.push(fit(`+ pulumi:pulumi:Stack  ${plan.project}-${plan.stack}`, width));
    walk(null, "");

    const counts = new Map<string, number>();
    for (const r of plan.resources) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
    out.push("", "Resources by type:");
    for (const [type, n] of [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))) {
        out.push(`    ${String(n).padStart(4)}  ${type}`);
    }
    const custom = plan.resources.filter(r => r.custom).length;
    out.push(`    ${String(plan.resources.length).padStart(4)}  to create (${custom} AWS resources, ${plan.resources.length - custom} components and providers)`);

    out.push("", "Outputs:");
    const tokens = mockedTokens(plan);
    let anyMocked = false;
    for (const [k, v] of Object.entries(plan.outputs)) {
        const mocked = isMocked(v, tokens);
        anyMocked ||= mocked;
        if (v !== null && typeof v === "object") out.push(`    ${k}:`, ...yamlWithMarks(v, tokens, "        "));
        else out.push(`    ${k}: ${typeof v === "string" ? v : JSON.stringify(v)}${mocked ? "  [mocked]" : ""}`);
    }
    if (anyMocked) out.push(`    ${MOCKED_LEGEND}`);

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

/** The resource `--show` names: an exact logical name or URN, else the one whose name ends with it. */
export function findResource(plan: Plan, name: string): PlannedResource {
    const exact = plan.resources.filter(r => r.name === name || r.urn === name);
    if (exact.length === 1) return exact[0];
    if (exact.length > 1) fail(`--show ${name}: ${exact.length} resources have that name (${exact.map(r => r.type).join(", ")}); give the URN`);
    const suffix = plan.resources.filter(r => r.name.endsWith(name));
    if (suffix.length === 1) return suffix[0];
    if (suffix.length > 1) fail(`--show ${name}: ${suffix.length} resources end with it, e.g. ${suffix.slice(0, 3).map(r => r.name).join(", ")}; give more of the name`);
    const near = didYouMean(name, plan.resources.map(r => r.name));
    return fail(`--show ${name}: no resource of the ${plan.stack} plan has that name${near ? `; did you mean ${near}?` : ""}`);
}

/** One resource, as `--show` prints it: identity, then inputs and mocked outputs as YAML. */
export function renderResource(plan: Plan, r: PlannedResource): string {
    const tokens = mockedTokens(plan);
    const added = Object.fromEntries(Object.entries(r.outputs ?? {}).filter(([k, v]) => JSON.stringify(r.inputs[k]) !== JSON.stringify(v)));
    const out = [
        `${r.type}  ${r.name}${r.protect ? "  [protected]" : ""}`,
        `    urn: ${r.urn}`,
        `    parent: ${r.parent ?? "(the stack)"}`,
        `    provider: ${r.provider ?? "(none)"}`,
        "    inputs:",
        ...(Object.keys(r.inputs).length ? yamlWithMarks(r.inputs, tokens, "        ") : ["        {}"]),
        "    outputs the mocks add (AWS assigns these at `pulumi up`):",
        ...(Object.keys(added).length ? yamlWithMarks(added, tokens, "        ") : ["        {}"]),
        `    depends on: ${r.dependencies.length ? "" : "nothing"}`,
        ...r.dependencies.map(d => `        - ${d}`),
    ];
    const findings = plan.violations.filter(v => v.urn === r.urn);
    out.push("    policies:", findings.length ? renderViolations(findings) : "        no violations");
    if (out.some(l => l.includes("# [mocked]"))) out.push("", MOCKED_LEGEND.replace("[mocked]", "# [mocked]"));
    return out.join("\n");
}
