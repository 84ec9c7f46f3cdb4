/**
 * What a stack will cost before it is deployed:
 *
 *     npm run cost -- <stack> [--config f] [--usage f.yaml] [--plan plan.json] [--json out.json] [--project dir]
 *
 * Plans the stack (or reads a plan written by `npm run plan -- <stack> --json f`, without running
 * the program again) and prices it with policy-pack/cost: monthly cost per resource, component and
 * service, fixed and usage, every line a quantity times a sourced unit price.
 *
 * Exit codes (engine/cli.ts): 0 within budget (or no budget), 1 the estimate exceeds the
 * stack's budget, 2 invalid settings or usage assumptions or a region with no price table,
 * 3 usage or file problems.
 */
import * as fs from "fs";
import * as path from "path";
import { checkWritable, fail, parseCliArgs, parseJsonFile, readInput, runCli } from "../engine/cli";
import { REPO_ROOT } from "../engine/paths";

const USAGE = "usage: npm run cost -- <stack> [--config <file>] [--usage <file.yaml>] [--plan <plan.json>] [--json <file>] [--project <dir>]\n" +
    "  <stack>           dev, staging or prod (Pulumi.<stack>.yaml); with --project bootstrap: state\n" +
    "  --config <file>   settings file instead of Pulumi.<stack>.yaml (its usage* settings feed the estimate)\n" +
    "  --usage <file>    YAML of usage assumptions overriding the stack's (names as printed under \"Usage assumptions\")\n" +
    "  --plan <file>     price this plan (npm run plan -- <stack> --json <file>) instead of planning again\n" +
    "  --json <file>     also write the estimate as JSON\n" +
    "  --project <dir>   another Pulumi project of this repository, e.g. bootstrap";

runCli("cost", USAGE, async argv => {
    const { values, positionals } = parseCliArgs(argv, {
        config: { type: "string" }, usage: { type: "string" }, plan: { type: "string" }, json: { type: "string" }, project: { type: "string" },
    }, { min: 1, max: 1, names: "<stack>" });
    const stack = positionals[0];
    const projectDir = values.project ? path.resolve(REPO_ROOT, values.project) : REPO_ROOT;
    if (!values.config && !fs.existsSync(path.join(projectDir, `Pulumi.${stack}.yaml`))) {
        fail(`no stack ${stack}: ${path.relative(REPO_ROOT, path.join(projectDir, `Pulumi.${stack}.yaml`)) || "Pulumi.yaml"} does not exist`);
    }
    if (values.json) checkWritable(values.json, "estimate file");
    if (values.usage) readInput(values.usage, "usage file");
    if (values.config) readInput(values.config, "settings file");

    // Loaded after the arguments are checked: a usage error never loads the Pulumi SDK.
    const { estimatePlan, renderCost } = await import("../engine/cost-report");
    const { loadStackConfig } = await import("../engine/stack-config");
    type PlanLike = import("../engine/cost-report").PlanLike;
    let plan: PlanLike;
    if (values.plan) {
        plan = parseJsonFile(values.plan, "plan file");
        if (!plan || !Array.isArray(plan.resources) || typeof plan.stack !== "string") fail(`plan file ${values.plan} is not a plan (npm run plan -- <stack> --json <file>)`);
        if (plan.stack !== stack) fail(`plan file ${values.plan} is a plan of stack ${plan.stack}, not ${stack}`);
    } else {
        // With --plan the program's modules and the Pulumi runtime's mocks stay unloaded.
        const { planJson, runPlan } = await import("../engine/planner");
        plan = planJson(await runPlan({ stack, configFile: values.config, projectDir, policyConfig: false })) as PlanLike;
    }
    // The main project's stacks carry usage* settings; other projects (bootstrap) use the defaults.
    const config = projectDir === REPO_ROOT ? loadStackConfig(projectDir, stack, values.config).config : undefined;
    const run = estimatePlan(plan, { config, usageFile: values.usage });
    console.log(renderCost(run));
    if (values.json) {
        fs.writeFileSync(values.json, JSON.stringify(run.detail.estimate, null, 2) + "\n");
        console.log(`\nEstimate written to ${values.json}`);
    }
    return run.budget !== undefined && run.detail.estimate.totalMonthly > run.budget ? 1 : 0;
});
