/**
 * The offline plan: `npm run plan -- <stack> [--json <file>] [--config <file>]`.
 * Runs index.ts under recording mocks and prints what `pulumi preview` would create.
 */
import * as fs from "fs";
import { SettingsError } from "../config";
import { Plan, planJson, runPlan } from "./lib/planner";
import { renderPlan } from "./lib/render";

const USAGE = "usage: npm run plan -- <stack> [--json <file>] [--config <file>]";

function parseArgs(argv: string[]): { stack: string; json?: string; config?: string } {
    const rest: string[] = [];
    let json: string | undefined;
    let config: string | undefined;
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        if (a === "--json" || a === "--config") {
            const v = argv[++i];
            if (!v) throw new Error(`${a} needs a file\n${USAGE}`);
            if (a === "--json") json = v; else config = v;
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
    return { stack: rest[0], json, config };
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
        plan = await runPlan({ stack: args.stack, configFile: args.config });
    } catch (e: any) {
        if (e instanceof SettingsError || e?.name === "SettingsError") {
            console.error(e.message);
            return 2;
        }
        throw e;
    }
    console.log(renderPlan(plan));
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
