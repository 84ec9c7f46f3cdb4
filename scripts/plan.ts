/**
 * The offline plan: `npm run plan -- <stack> [--json <file>] [--config <file>]`.
 * Runs index.ts under recording mocks and prints what `pulumi preview` would create.
 */
import * as fs from "fs";
import * as path from "path";
import { SettingsError } from "../config";
import { planCostLine, PlanLike } from "./lib/cost-report";
import { Plan, planJson, REPO_ROOT, runPlan } from "./lib/planner";
import { renderPlan } from "./lib/render";
import { planKey, storePlan } from "./lib/plan-cache";

const USAGE = "usage: npm run plan -- <stack> [--json <file>] [--config <file>] [--project <dir>]\n" +
    "  <stack>          dev, staging or prod (Pulumi.<stack>.yaml); with --project bootstrap: state\n" +
    "  --project <dir>  plan another Pulumi project of this repository, e.g. bootstrap";

function parseArgs(argv: string[]): { stack: string; json?: string; config?: string; project?: string } {
    const rest: string[] = [];
    let json: string | undefined;
    let config: string | undefined;
    let project: string | undefined;
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        if (a === "--json" || a === "--config" || a === "--project") {
            const v = argv[++i];
            if (!v) throw new Error(`${a} needs a value\n${USAGE}`);
            if (a === "--json") json = v; else if (a === "--config") config = v; else project = v;
        } else if (a === "-h" || a === "--help") {
            console.log(USAGE);
            process.exit(0);
        } else if (a.startsWith("-")) {
            throw new Error(`unknown option ${a}\n${USAGE}`);
        } else {
            rest.push(a);
        }
    }
    if (rest.length !== 1) throw new Error(USAGE);
    return { stack: rest[0], json, config, project };
}

async function main(): Promise<number> {
    let args;
    try {
        args = parseArgs(process.argv.slice(2));
    } catch (e: any) {
        console.error(e.message);
        return 2;
    }
    let plan: Plan;
    try {
        const opts = { stack: args.stack, configFile: args.config, projectDir: args.project ? path.resolve(REPO_ROOT, args.project) : undefined };
        plan = await runPlan(opts);
        // CI plans every stack before the tests: share the plans with them (scripts/lib/plan-cache).
        if (process.env.PLAN_CACHE_SHARE === "1") storePlan(planKey(opts), plan);
    } catch (e: any) {
        if (e instanceof SettingsError || e?.name === "SettingsError" || e?.name === "NamingError" || e?.name === "RequestError") {
            console.error(e.message);
            return 2;
        }
        throw e;
    }
    console.log(renderPlan(plan));
    console.log("\n" + planCostLine(planJson(plan) as PlanLike, { projectDir: args.project ? path.resolve(REPO_ROOT, args.project) : REPO_ROOT, configFile: args.config, mainProject: !args.project }));
    if (args.json) {
        fs.writeFileSync(args.json, JSON.stringify(planJson(plan), null, 2) + "\n");
        console.log(`\nPlan written to ${args.json}`);
    }
    return plan.violations.some(v => v.enforcementLevel === "mandatory") ? 1 : 0;
}

main().then(code => process.exit(code), err => {
    console.error(err?.stack ?? String(err));
    process.exit(1);
});
