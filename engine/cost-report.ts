/**
 * The cost estimate of a plan: turns planned resources into the engine's input (policy-pack/cost),
 * resolves the usage profile (environment defaults < stack settings < a YAML file) and renders
 * the text report of `npm run cost` and the one-line summary of `npm run plan`.
 */
import * as yaml from "js-yaml";
import { resolveSettings, Settings } from "../config";
import { byComponent, byService, CostResource, endpointChecks, estimate, EstimateDetail } from "../policy-pack/cost/engine";
import { NoPriceTableError } from "../policy-pack/cost/prices";
import { stackFacts } from "../policy-pack/cost/stack";
import { applyUsage, defaultUsage, UsageProfile, USAGE_DESCRIPTIONS } from "../policy-pack/cost/usage";
import type { PlanResource } from "./policy-runner";
import { loadStackConfig } from "./stack-config";
import { didYouMean, fail, readInput, shownPath } from "./cli";

/** Settings that set a usage assumption. */
export const USAGE_SETTINGS: Readonly<Partial<Record<keyof Settings, keyof UsageProfile>>> = {
    usageMessagesPerMonth: "messagesPerMonth",
    usageCacheHitRatePercent: "cacheHitRatePercent",
    usageInputTokensPerAnswer: "inputTokensPerAnswer",
    usageOutputTokensPerAnswer: "outputTokensPerAnswer",
    usageLogBytesPerInvocation: "logBytesPerInvocation",
};

export interface PlanLike {
    stack: string;
    project?: string;
    resources: PlanResource[];
}

export function costResources(plan: PlanLike): CostResource[] {
    const byUrn = new Map(plan.resources.map(r => [r.urn, r]));
    return plan.resources.map(r => {
        const provider = r.provider ? byUrn.get(r.provider) : undefined;
        const region = provider?.inputs?.region;
        return { urn: r.urn, type: r.type, name: r.name, props: r.inputs, parent: r.parent, region: typeof region === "string" ? region : undefined };
    });
}

/**
 * Invalid usage assumptions, or a region with no price table: every problem listed. Named like a
 * settings error, so the CLI boundary (engine/cli.ts) prints it without a trace and exits 2.
 */
export class CostInputError extends Error {
    constructor(public readonly problems: string[], what = "usage assumptions") {
        super(`Invalid ${what} (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n${problems.map(p => `  - ${p}`).join("\n")}`);
        this.name = "SettingsError";
        this.stack = this.message;
    }
}

export interface UsageInputs {
    /** The stack's raw config (`namespace:key` → string), when it is one of the main project's stacks. */
    config?: Record<string, string>;
    /** A YAML file of usage assumptions (keys of UsageProfile). */
    usageFile?: string;
}

/** A usage YAML file; a missing file or a syntax error is a file problem (exit 3) naming the file and line. */
function readUsageFile(file: string): { doc: unknown; shown: string } {
    const text = readInput(file, "usage file");
    const shown = shownPath(file);
    try {
        return { doc: yaml.load(text, { filename: file }), shown };
    } catch (e: any) {
        const where = e.mark ? ` at line ${e.mark.line + 1}, column ${e.mark.column + 1}` : "";
        return fail(`usage file ${shown}: YAML syntax error${where}: ${e.reason ?? e.message}`);
    }
}

/** An unknown assumption close to a known one names that one instead of listing them all. */
function suggestUsageKey(problem: string): string {
    const key = /^usage\.([^:]+): unknown assumption/.exec(problem)?.[1];
    const near = key === undefined ? undefined : didYouMean(key, Object.keys(USAGE_DESCRIPTIONS));
    return near ? `usage.${key}: unknown assumption; did you mean ${near}?` : problem;
}

/** Resolve the usage profile and where each value came from. */
export function resolveUsage(environment: string | undefined, inputs: UsageInputs): { usage: UsageProfile; sources: Partial<Record<keyof UsageProfile, string>> } {
    let usage = defaultUsage(environment);
    const sources: Partial<Record<keyof UsageProfile, string>> = {};
    for (const k of Object.keys(usage) as (keyof UsageProfile)[]) sources[k] = environment ? `${environment} default` : "no-traffic default";
    if (inputs.config) {
        const settings = resolveSettings(inputs.config);
        for (const [setting, key] of Object.entries(USAGE_SETTINGS) as [keyof Settings, keyof UsageProfile][]) {
            usage = { ...usage, [key]: settings[setting] as number };
            sources[key] = `setting ai-nutritionist:${setting}`;
        }
    }
    if (inputs.usageFile) {
        const { doc, shown } = readUsageFile(inputs.usageFile);
        if (doc !== undefined && doc !== null && (typeof doc !== "object" || Array.isArray(doc))) fail(`usage file ${shown} is not a mapping of assumption: number`);
        const { usage: merged, problems } = applyUsage(usage, (doc ?? {}) as Record<string, unknown>);
        if (problems.length) throw new CostInputError(problems.map(p => `${shown}: ${suggestUsageKey(p)}`));
        for (const k of Object.keys(doc ?? {})) sources[k as keyof UsageProfile] = `file ${shown}`;
        usage = merged;
    }
    return { usage, sources };
}

export interface CostRun {
    detail: EstimateDetail;
    budget?: number;
    region: string;
    environment?: string;
}

/** Estimate a plan. `config` is the stack's raw config when the plan is of the main project. */
export function estimatePlan(plan: PlanLike, inputs: UsageInputs = {}): CostRun {
    const resources = costResources(plan);
    const facts = stackFacts(resources);
    const environment = inputs.config?.["ai-nutritionist:environment"] ?? facts.environment;
    const region = inputs.config?.["aws:region"] ?? facts.region ?? "us-east-1";
    const { usage, sources } = resolveUsage(environment, inputs);
    try {
        const detail = estimate(resources, { stack: plan.stack, region, usage, usageSources: sources, environment });
        return { detail, budget: facts.budget, region, environment };
    } catch (e) {
        if (e instanceof NoPriceTableError) throw new CostInputError([e.message], "cost estimate");
        throw e;
    }
}

const usd = (n: number) => `$${n.toFixed(2)}`;
const pad = (s: string, n: number) => s.length >= n ? s : s + " ".repeat(n - s.length);
const lpad = (s: string, n: number) => s.length >= n ? s : " ".repeat(n - s.length) + s;

function qty(n: number): string {
    if (n === 0) return "0";
    if (Math.abs(n) >= 100) return n.toLocaleString("en-US", { maximumFractionDigits: 0 });
    return n.toPrecision(4).replace(/\.?0+$/, "");
}

/** One line for `npm run plan`; `details` is the command that prints the whole estimate. */
export function costSummary(run: CostRun, details = `npm run cost -- ${run.detail.estimate.stack}`): string {
    const e = run.detail.estimate;
    const budget = run.budget === undefined ? "no budget in the stack" : `budget ${usd(run.budget)} (${Math.round(e.totalMonthly / run.budget * 100)}%)`;
    return `Estimated monthly cost: ${usd(e.totalMonthly)} (fixed ${usd(e.fixedMonthly)}, usage ${usd(e.usageMonthly)} at the ${run.environment ?? "no-traffic"} usage profile); ${budget}` +
        (e.notEstimated.length ? `; ${e.notEstimated.length} not estimated` : "") + `. Details: ${details}`;
}

/** The text report of `npm run cost`. */
export function renderCost(run: CostRun): string {
    const { detail } = run;
    const e = detail.estimate;
    const out: string[] = [];
    const tables = Object.entries(e.assumptions.priceTables as Record<string, { asOf: string }>).map(([r, t]) => `${r} of ${t.asOf}`).join(", ");
    out.push(`Monthly cost estimate: ${e.stack} (${run.region}, ${run.environment ?? "no"} usage profile; USD list prices: ${tables})`, "");
    out.push(`  fixed ${usd(e.fixedMonthly)}   usage ${usd(e.usageMonthly)}   total ${usd(e.totalMonthly)}` +
        (run.budget !== undefined ? `   budget ${usd(run.budget)} (${Math.round(e.totalMonthly / run.budget * 100)}%)${e.totalMonthly > run.budget ? "  OVER BUDGET" : ""}` : ""));

    out.push("", "By service:", `  ${pad("service", 22)}${lpad("fixed", 11)}${lpad("usage", 11)}${lpad("total", 11)}`);
    for (const s of byService(detail)) out.push(`  ${pad(s.service, 22)}${lpad(usd(s.fixed), 11)}${lpad(usd(s.usage), 11)}${lpad(usd(s.fixed + s.usage), 11)}`);

    out.push("", "By component:", `  ${pad("component", 48)}${lpad("fixed", 11)}${lpad("usage", 11)}${lpad("total", 11)}`);
    for (const c of byComponent(detail)) out.push(`  ${pad(c.component, 48)}${lpad(usd(c.fixed), 11)}${lpad(usd(c.usage), 11)}${lpad(usd(c.fixed + c.usage), 11)}`);

    out.push("", "By resource (quantity x unit price = monthly; prices and sources below):");
    const sorted = [...e.resources].sort((a, b) => b.fixedMonthly + b.usageMonthly - a.fixedMonthly - a.usageMonthly);
    for (const r of sorted) {
        out.push(`  ${r.name}  ${r.type}  fixed ${usd(r.fixedMonthly)}, usage ${usd(r.usageMonthly)}`);
        for (const l of detail.lines.get(r.urn) ?? []) {
            out.push(`      ${pad(l.kind, 6)}${pad(l.name, 44)}${lpad(qty(l.quantity), 14)} ${pad(l.unit, 20)} x ${pad("$" + l.unitPrice, 13)} = ${usd(l.monthly)}`);
        }
    }

    const sms = e.assumptions.outsideAwsBill as { totalMonthly: number; lines: { name: string; provider: string; unit: string; quantity: number; unitPrice: number; monthly: number; source: string; asOf: string }[] } | undefined;
    if (sms?.lines.length) {
        out.push("", `Outside the AWS bill (not in the totals): ${usd(sms.totalMonthly)} a month`);
        for (const l of sms.lines) {
            out.push(`      ${pad(l.name, 50)}${lpad(qty(l.quantity), 14)} ${pad(l.unit, 20)} x ${pad("$" + l.unitPrice, 13)} = ${usd(l.monthly)}  (${l.provider}; ${l.source}, ${l.asOf})`);
        }
    }

    out.push("", `Not estimated (${e.notEstimated.length}):`);
    for (const n of e.notEstimated) out.push(`  ${n.type}  ${n.urn.slice(n.urn.lastIndexOf("::") + 2)}: ${n.reason}`);
    if (!e.notEstimated.length) out.push("  (none)");

    out.push("", `Free (${detail.free.length} resources):`);
    for (const f of e.assumptions.free as { type: string; count: number; reason: string }[]) out.push(`  ${lpad(String(f.count), 3)}  ${f.type}: ${f.reason}`);

    const checks = endpointChecks(detail, run.region);
    if (checks.length) {
        out.push("", "Interface endpoints against NAT data processing (an endpoint pays for itself above its break-even GB):");
        for (const c of checks) {
            out.push(`  ${pad(c.service, 18)} ${c.azs} AZ  costs ${usd(c.endpointMonthly)}/month for ${qty(c.gbPerMonth)} GB; through NAT: ${usd(c.natMonthlyInstead)}; break-even ${qty(c.breakEvenGB)} GB/month`);
        }
    }

    out.push("", "Usage assumptions:");
    for (const [k, a] of Object.entries(e.assumptions.usage as Record<string, { value: number; source: string }>)) {
        out.push(`  ${pad(k, 28)}${lpad(String(a.value), 10)}  ${pad(USAGE_DESCRIPTIONS[k as keyof UsageProfile], 72)} [${a.source}]`);
    }
    const d = e.assumptions.derived;
    out.push("", "Derived:", `  answers ${qty(d.answersPerMonth)}/month, Bedrock calls ${qty(d.bedrockCallsPerMonth)} (cache ${d.cache ? "on" : "off"}), API requests ${qty(d.apiRequestsPerMonth)}, ` +
        `DynamoDB storage ${qty(d.dynamodbStorageGB)} GB, NAT gateways ${d.natGateways}`);
    for (const n of d.notes as string[]) out.push(`  note: ${n}`);

    out.push("", "Unit prices used:");
    for (const [name, p] of Object.entries(e.assumptions.prices as Record<string, { usd: number; unit: string; description: string; source: string; asOf: string }>).sort()) {
        out.push(`  ${pad(name, 46)} $${p.usd} per ${p.unit} — ${p.description} (${p.source}, ${p.asOf})`);
    }
    return out.join("\n");
}

/** A path as one shell word (quoted when it holds anything but safe characters). */
function shellWord(s: string): string {
    return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`;
}

/** The estimate line `npm run plan` prints under the plan (usage settings read from the stack's config file). */
export function planCostLine(plan: PlanLike, opts: { projectDir: string; configFile?: string; mainProject: boolean }): string {
    try {
        const config = opts.mainProject ? loadStackConfig(opts.projectDir, plan.stack, opts.configFile).config : undefined;
        // The same stack, settings file and project as the plan, as paths from the caller's folder.
        const details = `npm run cost -- ${plan.stack}` + (opts.configFile ? ` --config ${shellWord(shownPath(opts.configFile))}` : "") +
            (opts.mainProject ? "" : ` --project ${shellWord(shownPath(opts.projectDir))}`);
        return costSummary(estimatePlan(plan, { config }), details);
    } catch (e) {
        if (e instanceof CostInputError) return `Estimated monthly cost: refused — ${e.problems.join("; ")}`;
        throw e;
    }
}
