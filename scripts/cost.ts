/**
 * What a stack will cost before it is deployed:
 *
 *     npm run cost -- <stack> [--config f] [--usage f.yaml] [--plan plan.json] [--json out.json] [--project dir]
 *
 * Plans the stack (or reads a plan written by `npm run plan -- <stack> --json f`, without running
 * the program again) and prices it with policy-pack/cost: monthly cost per resource, component and
 * service, fixed and usage, every line a quantity times a sourced unit price.
 */
import * as fs from "fs";
import * as path from "path";
import { SettingsError } from "../config";
import { NoPriceTableError } from "../policy-pack/cost/prices";
import { estimatePlan, PlanLike, renderCost, UsageError } from "./lib/cost-report";
import { REPO_ROOT } from "./lib/paths";
import { loadStackConfig } from "./lib/stack-config";

const USAGE = "usage: npm run cost -- <stack> [--config <file>] [--usage <file.yaml>] [--plan <plan.json>] [--json <file>] [--project <dir>]\n" +
    "  <stack>           dev, staging or prod (Pulumi.<stack>.yaml); with --project bootstrap: state\n" +
    "  --config <file>   settings file instead of Pulumi.<stack>.yaml (its usage* settings feed the estimate)\n" +
    "  --usage <file>    YAML of usage assumptions overriding the stack's (names as printed under \"Usage assumptions\")\n" +
    "  --plan <file>     price this plan (npm run plan -- <stack> --json <file>) instead of planning again\n" +
    "  --json <file>     also write the estimate as JSON";

interface Args { stack: string; config?: string; usage?: string; plan?: string; json?: string; project?: string }

function parseArgs(argv: string[]): Args {
    const rest: string[] = [];
    const opts: Record<string, string> = {};
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        if (["--config", "--usage", "--plan", "--json", "--project"].includes(a)) {
            const v = argv[++i];
            if (!v) throw new Error(`${a} needs a value\n${USAGE}`);
            opts[a.slice(2)] = v;
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
    return { stack: rest[0], ...opts };
}

async function main(): Promise<number> {
    let args: Args;
    try {
        args = parseArgs(process.argv.slice(2));
    } catch (e: any) {
        console.error(e.message);
        return 2;
    }
    const projectDir = args.project ? path.resolve(REPO_ROOT, args.project) : REPO_ROOT;
    try {
        let plan: PlanLike;
        if (args.plan) {
            plan = JSON.parse(fs.readFileSync(args.plan, "utf8"));
            if (plan.stack !== args.stack) throw new SettingsError([`${args.plan}: is a plan of stack ${plan.stack}, not ${args.stack}`]);
        } else {
            // Loaded only here: with --plan the program's modules and the Pulumi runtime's mocks stay unloaded.
            const { planJson, runPlan } = await import("./lib/planner");
            plan = planJson(await runPlan({ stack: args.stack, configFile: args.config, projectDir, policyConfig: false })) as PlanLike;
        }
        // The main project's stacks carry usage* settings; other projects (bootstrap) use the defaults.
        const config = projectDir === REPO_ROOT ? loadStackConfig(projectDir, args.stack, args.config).config : undefined;
        const run = estimatePlan(plan, { config, usageFile: args.usage });
        console.log(renderCost(run));
        if (args.json) {
            fs.writeFileSync(args.json, JSON.stringify(run.detail.estimate, null, 2) + "\n");
            console.log(`\nEstimate written to ${args.json}`);
        }
        return 0;
    } catch (e: any) {
        if (e instanceof SettingsError || e instanceof UsageError || e instanceof NoPriceTableError || e?.name === "SettingsError") {
            console.error(e.message);
            return 2;
        }
        throw e;
    }
}

main().then(code => process.exit(code), err => {
    console.error(err?.stack ?? String(err));
    process.exit(1);
});
