/**
 * Generates docs/costs.md (our stacks against the spec's cost tiers, and the design findings) and
 * docs/cost-chart.svg (monthly cost against messages a month, with and without the cache):
 *
 *     npm run cost:docs
 *
 * Everything is computed by the pricing engine from the plans of dev, staging and prod, so the
 * figures trace to the price tables. tests/cost.test.ts checks the committed files are current.
 */
import * as fs from "fs";
import * as path from "path";
import { byService, CostResource, endpointChecks, estimate, EstimateDetail, HOURS_PER_MONTH } from "../policy-pack/cost/engine";
import { priceTable } from "../policy-pack/cost/prices";
import { UsageProfile } from "../policy-pack/cost/usage";
import { costResources, estimatePlan, PlanLike } from "../engine/cost-report";
import { parseCliArgs, runCli } from "../engine/cli";
import { REPO_ROOT } from "../engine/paths";
import { loadStackConfig } from "../engine/stack-config";
import baseline from "./cost-baseline.json";
import { MAX_OUTPUT_TOKENS, SMS_MAX_SEGMENTS } from "../functions/lib/prompt";

export const STACKS = ["dev", "staging", "prod"] as const;
type StackName = typeof STACKS[number];

/** The spec's "Expected Monthly Costs (Production)" table, and the tier each of our stacks runs. */
const SPEC_TIERS = { basic: { name: "Basic", total: 75 }, standard: { name: "Standard", total: 250 }, enterprise: { name: "Enterprise", total: 525 } } as const;
const SPEC_ROWS: { row: string; spec: Record<keyof typeof SPEC_TIERS, number>; services: string[] }[] = [
    { row: "Lambda", spec: { basic: 50, standard: 100, enterprise: 200 }, services: ["Lambda"] },
    { row: "DynamoDB", spec: { basic: 25, standard: 50, enterprise: 100 }, services: ["DynamoDB"] },
    { row: "ElastiCache", spec: { basic: 0, standard: 30, enterprise: 60 }, services: ["ElastiCache"] },
    { row: "VPC/NAT", spec: { basic: 0, standard: 45, enterprise: 90 }, services: ["VPC"] },
    { row: "Security", spec: { basic: 0, standard: 25, enterprise: 75 }, services: ["WAF", "GuardDuty", "Security Hub", "Config", "KMS", "Secrets Manager", "CloudTrail"] },
];
const STACK_TIER: Record<StackName, keyof typeof SPEC_TIERS> = { dev: "basic", staging: "standard", prod: "enterprise" };

/** The previous design's figures by service (generators/cost-baseline.json), the comparison's "before". */
const BASELINE = baseline as { commit: string; stacks: Record<StackName, { fixedMonthly: number; usageMonthly: number; totalMonthly: number; services: Record<string, number> }> };

/** The stack priced with an ElastiCache Serverless for Valkey cache in place of its node-based group. */
function serverlessComparison(input: StackInput, detail: EstimateDetail): { serverless: number; nodes: number } | undefined {
    const group = costResources(input.plan).find(r => r.type === "aws:elasticache/replicationGroup:ReplicationGroup");
    if (!group) return undefined;
    const swapped = detail.resources.map(r => r.urn === group.urn ? { ...r, type: "aws:elasticache/serverlessCache:ServerlessCache", props: { engine: "valkey" } } : r);
    const alt = estimate(swapped, { stack: input.plan.stack, region: "us-east-1", usage: usageOf(detail), environment: detail.derived.environment });
    const sum = (d: EstimateDetail) => (d.lines.get(group.urn) ?? []).reduce((n, l) => n + l.monthly, 0);
    return { serverless: sum(alt), nodes: sum(detail) };
}

const usd = (n: number) => `$${n.toFixed(2)}`;
const usd0 = (n: number) => `$${Math.round(n).toLocaleString("en-US")}`;

interface StackInput { plan: PlanLike; config: Record<string, string> }

function run(input: StackInput, usage?: Partial<UsageProfile>, without?: (r: CostResource) => boolean): EstimateDetail {
    const base = estimatePlan(input.plan, { config: input.config });
    if (!usage && !without) return base.detail;
    const resources = costResources(input.plan).filter(r => !without?.(r));
    return estimate(resources, { stack: input.plan.stack, region: base.region, usage: { ...usageOf(base.detail), ...usage }, environment: base.environment });
}

/** The Redis cache and what exists only for it. */
export const isCacheResource = (r: CostResource) => r.type.startsWith("aws:elasticache/") || /-cache-|-redis-/.test(r.name);

/** Messages a month at which the cache's cost equals the Bedrock and compute it saves (bisection; costs are linear). */
function cacheBreakEven(input: StackInput): number | undefined {
    const diff = (m: number) => run(input, { messagesPerMonth: m }).estimate.totalMonthly - run(input, { messagesPerMonth: m }, isCacheResource).estimate.totalMonthly;
    let lo = 0;
    let hi = 1e7;
    if (diff(hi) > 0) return undefined;
    for (let i = 0; i < 40; i++) {
        const mid = (lo + hi) / 2;
        if (diff(mid) > 0) lo = mid; else hi = mid;
    }
    return Math.round(hi);
}

const COLORS: Record<StackName, string> = { dev: "#2a9d8f", staging: "#e9c46a", prod: "#e76f51" };
const CHART_MAX = 200000;
const CHART_STEP = 5000;

interface Series { label: string; color: string; dash?: string; points: [number, number][] }

function series(inputs: Record<StackName, StackInput>): { series: Series[]; breakEven: Partial<Record<StackName, number>> } {
    const out: Series[] = [];
    const breakEven: Partial<Record<StackName, number>> = {};
    const xs = Array.from({ length: CHART_MAX / CHART_STEP + 1 }, (_, i) => i * CHART_STEP);
    for (const s of STACKS) {
        const hasCache = costResources(inputs[s].plan).some(r => r.type.startsWith("aws:elasticache/"));
        const pts = (without?: (r: CostResource) => boolean): [number, number][] => xs.map(m => [m, run(inputs[s], { messagesPerMonth: m }, without).estimate.totalMonthly]);
        out.push({ label: `${s}${hasCache ? ", with the cache" : " (no cache: no VPC)"}`, color: COLORS[s], points: pts() });
        if (hasCache) {
            out.push({ label: `${s}, without the cache`, color: COLORS[s], dash: "6 4", points: pts(isCacheResource) });
            const b = cacheBreakEven(inputs[s]);
            if (b !== undefined) breakEven[s] = b;
        }
    }
    return { series: out, breakEven };
}

export function chartSvg(inputs: Record<StackName, StackInput>): string {
    const { series: all, breakEven } = series(inputs);
    const W = 860, H = 520, L = 80, R = 250, T = 50, B = 60;
    const maxY = Math.ceil(Math.max(...all.flatMap(s => s.points.map(p => p[1]))) / 100) * 100;
    const x = (m: number) => L + (m / CHART_MAX) * (W - L - R);
    const y = (v: number) => H - B - (v / maxY) * (H - T - B);
    const o: string[] = [];
    o.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" font-size="12">`);
    o.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`);
    o.push(`<text x="${L}" y="24" font-size="15" font-weight="bold">Monthly cost against messages a month (list prices, npm run cost:docs)</text>`);
    for (let v = 0; v <= maxY; v += maxY / 5) {
        o.push(`<line x1="${L}" y1="${y(v).toFixed(1)}" x2="${W - R}" y2="${y(v).toFixed(1)}" stroke="#e0e0e0"/>`);
        o.push(`<text x="${L - 8}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${usd0(v)}</text>`);
    }
    for (let m = 0; m <= CHART_MAX; m += 25000) {
        o.push(`<line x1="${x(m).toFixed(1)}" y1="${H - B}" x2="${x(m).toFixed(1)}" y2="${H - B + 5}" stroke="#333"/>`);
        o.push(`<text x="${x(m).toFixed(1)}" y="${H - B + 20}" text-anchor="middle">${m / 1000}k</text>`);
    }
    o.push(`<line x1="${L}" y1="${H - B}" x2="${W - R}" y2="${H - B}" stroke="#333"/><line x1="${L}" y1="${T}" x2="${L}" y2="${H - B}" stroke="#333"/>`);
    o.push(`<text x="${(L + W - R) / 2}" y="${H - 18}" text-anchor="middle">inbound messages a month</text>`);
    o.push(`<text x="20" y="${(T + H - B) / 2}" transform="rotate(-90 20 ${(T + H - B) / 2})" text-anchor="middle">USD a month</text>`);
    for (const s of STACKS) {
        const budget = estimatePlan(inputs[s].plan, { config: inputs[s].config }).budget;
        if (budget === undefined || budget > maxY) continue;
        o.push(`<line x1="${L}" y1="${y(budget).toFixed(1)}" x2="${W - R}" y2="${y(budget).toFixed(1)}" stroke="${COLORS[s]}" stroke-width="1" stroke-dasharray="2 3"/>`);
        o.push(`<text x="${W - R - 4}" y="${(y(budget) - 4).toFixed(1)}" text-anchor="end" font-size="11" fill="#555">${s} budget ${usd0(budget)}</text>`);
    }
    for (const s of all) {
        const d = s.points.map((p, i) => `${i ? "L" : "M"}${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`).join(" ");
        o.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"${s.dash ? ` stroke-dasharray="${s.dash}"` : ""}/>`);
    }
    for (const [s, m] of Object.entries(breakEven) as [StackName, number][]) {
        if (m > CHART_MAX) continue;
        const v = run({ ...inputs[s] }, { messagesPerMonth: m }).estimate.totalMonthly;
        o.push(`<circle cx="${x(m).toFixed(1)}" cy="${y(v).toFixed(1)}" r="5" fill="none" stroke="#000" stroke-width="1.5"/>`);
        o.push(`<text x="${(x(m) + 8).toFixed(1)}" y="${(y(v) - 8).toFixed(1)}">${s}: cache pays from ${Math.round(m).toLocaleString("en-US")}/month</text>`);
    }
    all.forEach((s, i) => {
        const ly = T + 10 + i * 22;
        o.push(`<line x1="${W - R + 15}" y1="${ly}" x2="${W - R + 45}" y2="${ly}" stroke="${s.color}" stroke-width="2"${s.dash ? ` stroke-dasharray="${s.dash}"` : ""}/>`);
        o.push(`<text x="${W - R + 52}" y="${ly + 4}">${s.label}</text>`);
    });
    o.push(`<text x="${W - R + 15}" y="${T + 10 + all.length * 22 + 10}" font-size="11" fill="#555">Other volumes at each stack's profile;</text>`);
    o.push(`<text x="${W - R + 15}" y="${T + 10 + all.length * 22 + 24}" font-size="11" fill="#555">cache hit rate 70% (the spec's figure).</text>`);
    o.push("</svg>");
    return o.join("\n") + "\n";
}

/** The hand-written part of docs/costs.md: how the estimate works and how to use it. */
const HOW_TO = `## Using the estimate

\`\`\`bash
npm run cost -- prod                                  # plan the stack, then price it
npm run plan -- prod --json plan.json && npm run cost -- prod --plan plan.json   # price a saved plan (no second run)
npm run cost -- prod --usage busy.yaml --json cost.json                        # other volumes; the contract as JSON
\`\`\`

The report prints the totals (fixed and usage) against the stack's budget, then the cost by service, by
component and by resource — each line \`quantity x unit price = monthly\` — what is not estimated and why,
what is free and why, the interface-endpoint check, every usage assumption with where its value came
from, and every unit price with its source URL and date. \`npm run plan\` prints the one-line estimate.
Exit codes: 0, or 1 when the estimate exceeds the stack's budget; 2 for invalid usage assumptions or a
region with no price table; 3 for usage or file problems.

**Fixed** costs come from the resources alone: NAT gateway hours and their public IPv4 addresses (from
the SecureVpc's awsx arguments under mocks, from the NAT gateway resources in a real preview), interface
endpoints per AZ, cache nodes (Valkey or Redis OSS), provisioned capacity, KMS keys and their rotations ($1 a
key-month for each of the first two), secrets, alarms per metric, dashboards, custom metrics of log metric filters,
WAF ACLs and rules, origination numbers. **Usage** costs come from
the usage profile: Lambda GB-seconds and requests by architecture, API Gateway requests, DynamoDB
on-demand reads and writes, storage and PITR, SQS, SNS, Bedrock input and output tokens of the stack's
model, CloudWatch Logs ingestion and storage, X-Ray traces, WAF requests, NAT and endpoint data
processing, CloudFront transfer and requests, Config items and evaluations, GuardDuty and Security Hub
volumes, backup warm and cold storage with the cross-region copy (priced in the destination region's
table), global-table replicas (replicated writes, transfer, storage and PITR in the replica's region), restore
tests, SMS segments of an origination number, and the handlers' Powertools metrics (each billed for the hours in
which it is published: per-event metrics nearly always, failure metrics for \`failureMetricHoursPerMonth\`). Bedrock
tokens follow the prompt the worker sends (\`policy-pack/cost/usage.ts\` keeps the system prompt's tokens and the
answer budget; tests/cost.test.ts fails when functions/lib/prompt.ts moves away from them). Twilio's per-segment
charges are printed beside the estimate (outside the AWS bill, not in the totals).

**Usage profile**: each environment's volumes are in \`policy-pack/cost/usage.ts\`; the main ones are stack
settings (\`usageMessagesPerMonth\`, \`usageCacheHitRatePercent\`, \`usageInputTokensPerAnswer\`,
\`usageOutputTokensPerAnswer\`, \`usageLogBytesPerInvocation\`; see docs/settings.md), and \`--usage <file.yaml>\`
overrides any assumption by the name the report prints (\`messagesPerMonth: 50000\`). An unknown name or a
negative value is refused.

**Prices**: \`policy-pack/cost/prices/<region>.json\`, one dated table per region our stacks use (the
stack's region and the backup copy region), each unit price with its AWS pricing page. List prices, no
free tier, credits or Savings Plans. A region with no table is refused, never guessed: add its table.

**Budget guard**: the pack's \`cost-budget\` policy runs the same engine on the resources a preview shows
and fails the preview when the estimate exceeds the budget: the policy's \`monthlyBudget\` config, or by
default the limit of the stack's own monthly COST budget (created from \`monthlyBudgetLimit\`). It uses
the usage profile of the stack's \`Environment\` tag; a policy sees no stack settings, so a stack whose
\`usage*\` settings differ from its environment's defaults passes them as the policy's \`usage\` config
(\`{ "cost-budget": { "usage": { "messagesPerMonth": 50000 } } }\` in the file given to
\`--policy-pack-config\`).

**JSON contract** (\`--json\`): \`{ stack, currency: "USD", fixedMonthly, usageMonthly, totalMonthly,
assumptions: { region, environment, priceTables, usage, derived, prices, free, ... }, resources: [ { urn, type,
name, fixedMonthly, usageMonthly, components: [ { name, unit, quantity, unitPrice, monthly } ] } ],
notEstimated: [ { urn, type, reason } ] }\`. A component's \`name\` is its price-table key (with \`@<region>\`
when priced in another region) and \`assumptions.prices[name]\` holds its description, unit, price, source
and date.
`;

function usageOf(d: EstimateDetail): UsageProfile {
    return Object.fromEntries(Object.entries(d.estimate.assumptions.usage).map(([k, v]: [string, any]) => [k, v.value])) as unknown as UsageProfile;
}

/** A Markdown table; columns after the first are right-aligned (figures) unless `align` says otherwise. */
function table(head: string[], rows: string[][], align?: ("left" | "right")[]): string {
    const rule = head.map((_, i) => (align?.[i] ?? (i ? "right" : "left")) === "right" ? "---:" : "---");
    return [`| ${head.join(" | ")} |`, `|${rule.join("|")}|`, ...rows.map(r => `| ${r.join(" | ")} |`)].join("\n");
}

export function costsMarkdown(inputs: Record<StackName, StackInput>): string {
    const details = Object.fromEntries(STACKS.map(s => [s, run(inputs[s])])) as Record<StackName, EstimateDetail>;
    const svc = Object.fromEntries(STACKS.map(s => [s, new Map(byService(details[s]).map(x => [x.service, x.fixed + x.usage]))])) as Record<StackName, Map<string, number>>;
    const sumOf = (s: StackName, services: string[]) => services.reduce((n, k) => n + (svc[s].get(k) ?? 0), 0);
    const mapped = new Set(SPEC_ROWS.flatMap(r => r.services));
    const head = STACKS.flatMap(s => [`spec ${SPEC_TIERS[STACK_TIER[s]].name}`, `${s} (${STACK_TIER[s]})`]);
    const rows = SPEC_ROWS.map(r => [`${r.row} (${r.services.join(", ")})`, ...STACKS.flatMap(s => [usd0(r.spec[STACK_TIER[s]]), usd(sumOf(s, r.services))])]);
    const others = (s: StackName) => [...svc[s].entries()].filter(([k]) => !mapped.has(k));
    const otherNames = [...new Set(STACKS.flatMap(s => others(s).map(([k]) => k)))].sort();
    rows.push([`Not in the spec's table (${otherNames.join(", ")})`, ...STACKS.flatMap(s => ["—", usd(others(s).reduce((n, [, v]) => n + v, 0))])]);
    rows.push(["**Total**", ...STACKS.flatMap(s => [`**${usd0(SPEC_TIERS[STACK_TIER[s]].total)}**`, `**${usd(details[s].estimate.totalMonthly)}**`])]);
    rows.push(["of which fixed", ...STACKS.flatMap(s => ["", usd(details[s].estimate.fixedMonthly)])]);

    const p = priceTable("us-east-1").prices;
    const lines: string[] = [];
    lines.push("# What the stacks cost", "", "[← README](../README.md)", "");
    lines.push("Generated by `npm run cost:docs` from the plans of the three stacks and the price tables in",
        "`policy-pack/cost/prices/` (AWS list prices, no free tier; every line of `npm run cost -- <stack>` names its unit",
        "price and source). Usage follows each stack's profile (`usage*` settings and `policy-pack/cost/usage.ts`).",
        "tests/cost.test.ts fails when this file or the chart is stale.", "");
    lines.push("## Our stacks against the spec's tiers", "");
    lines.push(table(["Service (ours)", ...head], rows), "");
    lines.push("Monthly USD. The spec's \"Expected Monthly Costs (Production)\" has no traffic volumes; ours are stated by",
        "`npm run cost`. Messages a month: " + STACKS.map(s => `${s} ${(details[s].estimate.assumptions.usage.messagesPerMonth.value as number).toLocaleString("en-US")}`).join(", ") + ".", "");

    lines.push(`Every tier is within half of the spec's estimate: ${STACKS.map(s => `${s} ${usd(details[s].estimate.totalMonthly)} of ${usd(SPEC_TIERS[STACK_TIER[s]].total / 2)} ` +
        `(${Math.round(details[s].estimate.totalMonthly / SPEC_TIERS[STACK_TIER[s]].total * 100)}% of ${usd0(SPEC_TIERS[STACK_TIER[s]].total)})`).join(", ")}.`, "");

    // Against the previous design, service by service.
    lines.push("## Against the previous design", "");
    lines.push(`The previous design (commit ${BASELINE.commit}: three NAT gateways in prod, every function in the VPC, six interface endpoints,`,
        "Redis OSS, hourly cross-region backup copies, 1,500 input and 400 output tokens an answer) as `npm run cost` printed it,",
        "against this design, by service (`generators/cost-baseline.json` keeps the previous figures):", "");
    const allServices = [...new Set(STACKS.flatMap(s => [...Object.keys(BASELINE.stacks[s].services), ...svc[s].keys()]))]
        .sort((x, y) => (BASELINE.stacks.prod.services[y] ?? 0) - (BASELINE.stacks.prod.services[x] ?? 0) || x.localeCompare(y));
    const cmpRows = allServices.map(k => [k, ...STACKS.flatMap(s => [usd(BASELINE.stacks[s].services[k] ?? 0), usd(svc[s].get(k) ?? 0)])]);
    cmpRows.push(["**Total**", ...STACKS.flatMap(s => [`**${usd(BASELINE.stacks[s].totalMonthly)}**`, `**${usd(details[s].estimate.totalMonthly)}**`])]);
    cmpRows.push(["of which fixed", ...STACKS.flatMap(s => [usd(BASELINE.stacks[s].fixedMonthly), usd(details[s].estimate.fixedMonthly)])]);
    lines.push(table(["Service", ...STACKS.flatMap(s => [`${s} before`, `${s} now`])], cmpRows), "");
    lines.push("KMS and CloudWatch grow where the estimate now tells the truth: every rotated key is billed $1 a month for each of its first",
        "two rotations, and the handlers' Powertools metrics are billed custom metrics (per hour in which each is published).", "");

    // What each saving gives up.
    lines.push("## What each saving gives up", "");
    const delta = (s: StackName, services: string[]) => services.reduce((n, k) => n + (BASELINE.stacks[s].services[k] ?? 0) - (svc[s].get(k) ?? 0), 0);
    const saving = (services: string[]) => `${usd(delta("prod", services))} prod, ${usd(delta("staging", services))} staging`;
    const giveUp: string[][] = [
        ["No NAT gateway: the worker (the one function that needs the cache) alone in the VPC, replies queued on an outbox and sent by a function outside it; three interface endpoints (Bedrock, SQS, Secrets Manager) in two AZs",
            saving(["VPC"]),
            "The VPC has no route to the internet: a future in-VPC call to anything but an AWS API with an endpoint needs `natStrategy: perAz` again. The webhook, scheduler and sender functions run in Lambda's own network (TLS and IAM still guard every call; they were never reachable inbound). Replies take one more queue hop (the outbox, polled by the sender's event source mapping). Two AZs instead of three: an AZ loss leaves one."],
        ["Valkey instead of Redis OSS, cache.t4g.micro nodes (prod: two, Multi-AZ with automatic failover)",
            saving(["ElastiCache"]),
            "0.5 GiB a node instead of 1.37 GiB (the answer cache holds a few MB); Redis OSS itself (Valkey is its wire-compatible fork)."],
        ["Daily backups only (copied to us-west-2, PITR, monthly restore tests, vault lock kept); the cross-region RPO from a DynamoDB global-table replica instead of hourly backup copies",
            saving(["Backup", "Data transfer"]),
            "Hourly restore points in the second region: a replica copies a bad write or a delete within seconds too, so recovering from one uses PITR (35 days, either region) or the daily copies, not the replica."],
        [`A short system prompt asking for at most ${SMS_MAX_SEGMENTS} SMS segments (about ${details.prod.estimate.assumptions.usage.outputTokensPerAnswer.value} output tokens an answer; \`maxTokens\` ${MAX_OUTPUT_TOKENS} caps it) instead of 1,500 tokens in and 400 out`,
            saving(["Bedrock"]),
            "Long answers: a reply is at most three segments, fitted at whole characters; an answer cut by the token limit is sent but never cached."],
        ["dev: one customer-managed key for data, logs and messaging (`kmsKeyPerPurpose: false`), no backup key without AWS Backup",
            `${usd(3 * (p["kms.key"].usd + 2 * p["kms.keyRotation"].usd))} dev (three fewer rotated keys)`,
            "Separation between the data, logs and messaging keys in dev: one key policy admits every service that used one of the three (each still under its own conditions)."],
    ];
    lines.push(table(["Saving", "A month (previous design minus now)", "What it gives up"], giveUp, ["left", "right", "left"]), "");

    lines.push("![Monthly cost against messages a month, with and without the cache](cost-chart.svg)", "");

    // Cache break-even and the serverless alternative.
    lines.push("## Where the cache pays for itself", "");
    for (const s of ["staging", "prod"] as StackName[]) {
        const b = cacheBreakEven(inputs[s]);
        const at = run(inputs[s]).estimate.totalMonthly;
        const without = run(inputs[s], undefined, isCacheResource).estimate.totalMonthly;
        lines.push(`- ${s}: ${b === undefined ? "never within 10 million messages a month" : `from ${b.toLocaleString("en-US")} messages a month`}` +
            ` (at its profile: ${usd(at)} with the cache, ${usd(without)} without).`);
    }
    lines.push("", "The cache saves Bedrock tokens and worker time on 70% of answers; below the break-even its node hours cost more than that.",
        "Staging runs below its break-even and keeps the cache to rehearse prod's topology (`enableElasticache: false` would save the difference).", "");
    for (const s of ["staging", "prod"] as StackName[]) {
        const c = serverlessComparison(inputs[s], details[s]);
        if (c) lines.push(`- ${s}: ElastiCache Serverless for Valkey at this volume would cost ${usd(c.serverless)} a month against ${usd(c.nodes)} for the nodes ` +
            "(100 MB minimum; Multi-AZ by design). The node group is kept for now: its alarms (per-node CPU, memory, evictions, hit rate) and the " +
            "AUTH-token setup are what the stack and its tests exercise; a serverless cache needs an RBAC user group for the same token, usage limits " +
            "and alarms on its own metrics (dimension clusterId) — the next saving to take.");
    }
    lines.push("");

    lines.push("## Interface endpoints", "");
    const hour = p["vpcEndpoint.interface.azHour"].usd;
    lines.push(`Interface endpoints cost $${hour} per AZ-hour (${usd(hour * HOURS_PER_MONTH)} per AZ a month) plus $${p["vpcEndpoint.interface.gb"].usd}/GB. ` +
        "They carry what the worker calls; against NAT processing ($" + p["natGateway.gb"].usd + "/GB) none pays for itself on traffic, " +
        "but with no NAT they are the worker's only path to those APIs:", "");
    const epRows: string[][] = [];
    for (const s of ["staging", "prod"] as StackName[]) {
        for (const c of endpointChecks(details[s], "us-east-1")) {
            epRows.push([s, c.service, String(c.azs), usd(c.endpointMonthly), c.gbPerMonth.toFixed(3)]);
        }
    }
    lines.push(table(["Stack", "Endpoint", "AZs", "Cost a month", "GB a month through it"], epRows), "");
    lines.push("The cache's AUTH token is read from Secrets Manager by the worker (and cached in its container); ElastiCache IAM authentication would make " +
        `the Secrets Manager endpoint (${usd(hour * HOURS_PER_MONTH * 2)} a month in two AZs) unnecessary, a handler change.`, "");

    // NAT scenarios, from the price table (docs/operations.md links here).
    lines.push("## NAT gateway scenarios", "");
    const natHour = p["natGateway.hour"].usd + p["publicIpv4.hour"].usd;
    const natRows = [
        ["`none` (every stack)", usd(0), "no internet route; AWS APIs through endpoints, replies through the sender outside the VPC"],
        ["`single` (refused in prod)", `${usd(natHour * HOURS_PER_MONTH)} + $${p["natGateway.gb"].usd}/GB`, "one AZ's failure cuts egress for all"],
        ["`perAz`, 2 AZs", `${usd(2 * natHour * HOURS_PER_MONTH)} + $${p["natGateway.gb"].usd}/GB`, "an AZ failure affects only that AZ"],
        ["`perAz`, 3 AZs", `${usd(3 * natHour * HOURS_PER_MONTH)} + $${p["natGateway.gb"].usd}/GB`, "as above"],
    ];
    lines.push(table(["`natStrategy`", "cost a month (us-east-1, with the gateways' public IPv4)", "availability"], natRows, ["left", "right", "left"]), "");

    // SMS outside the AWS bill.
    lines.push("## SMS outside the AWS bill", "");
    lines.push("Twilio bills every segment in and out (a reply of three segments is three messages); `npm run cost` prints these lines beside",
        "the AWS estimate, never in it. Prices in `policy-pack/cost/sms-prices.json`, each with its source and date.", "");
    const smsRows = STACKS.map(s => {
        const o = details[s].estimate.assumptions.outsideAwsBill as { totalMonthly: number; lines: { name: string; quantity: number }[] };
        const q = (k: string) => (o.lines.find(l => l.name === k)?.quantity ?? 0).toLocaleString("en-US");
        return [s, q("twilio.sms.inbound.US"), q("twilio.sms.outbound.US"), usd(o.totalMonthly)];
    });
    lines.push(table(["Stack", "Segments in", "Segments out", "Twilio and carrier fees a month"], smsRows), "");
    lines.push(HOW_TO);
    return lines.join("\n");
}

export function loadInputs(plans: Record<StackName, PlanLike>): Record<StackName, StackInput> {
    return Object.fromEntries(STACKS.map(s => [s, { plan: plans[s], config: loadStackConfig(REPO_ROOT, s).config }])) as Record<StackName, StackInput>;
}

export const DOCS = { markdown: path.join(REPO_ROOT, "docs", "costs.md"), chart: path.join(REPO_ROOT, "docs", "cost-chart.svg") };

/** Plan the three stacks and write docs/costs.md and docs/cost-chart.svg; returns the files whose text changed. */
export async function regenerateCostDocs(): Promise<string[]> {
    const { planJson, runPlan } = await import("../engine/planner");
    const plans = {} as Record<StackName, PlanLike>;
    for (const s of STACKS) plans[s] = planJson(await runPlan({ stack: s, policyConfig: false })) as PlanLike;
    const inputs = loadInputs(plans);
    fs.mkdirSync(path.dirname(DOCS.markdown), { recursive: true });
    const changed: string[] = [];
    for (const [file, text] of [[DOCS.markdown, costsMarkdown(inputs)], [DOCS.chart, chartSvg(inputs)]]) {
        const before = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : undefined;
        if (before === text) continue;
        fs.writeFileSync(file, text);
        changed.push(path.relative(REPO_ROOT, file));
    }
    return changed;
}

if (require.main === module) {
    runCli("cost:docs", "usage: npm run cost:docs   (regenerates docs/costs.md and docs/cost-chart.svg; exit codes: docs/cli.md)", async argv => {
        parseCliArgs(argv, {}, { min: 0, max: 0, names: "" });
        const changed = await regenerateCostDocs();
        console.log(changed.length ? `regenerated: ${changed.join(", ")}` : "cost docs are current");
        return 0;
    });
}
