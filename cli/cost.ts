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
import { checkWritable, didYouMean, fail, parseCliArgs, parseJsonFile, readInput, runCli, shownPath, STDOUT, userPath, writeOutput } from "../engine/cli";
import { REPO_ROOT } from "../engine/paths";
import { listStacks } from "../engine/stack-config";

const USAGE = "usage: npm run cost -- <stack> [--config <file>] [--usage <file.yaml>] [--plan <plan.json>] [--json <file>] [--project <dir>]\n" +
    "  <stack>           dev, staging or prod (Pulumi.<stack>.yaml); with --project bootstrap: state\n" +
    "  --config <file>   settings file instead of Pulumi.<stack>.yaml (its usage* settings feed the estimate)\n" +
    "  --usage <file>    YAML of usage assumptions overriding the stack's (names as printed under \"Usage assumptions\")\n" +
    "  --plan <file>     price this plan (npm run plan -- <stack> --json <file>) instead of planning again\n" +
    "  --json <file>     also write the estimate as JSON; - writes it to standard output (the report then goes to stderr)\n" +
    "  --project <dir>   another Pulumi project of this repository, e.g. bootstrap\n" +
    "Paths are relative to the folder you run the command from.";

runCli("cost", USAGE, async argv => {
    const { values, positionals } = parseCliArgs(argv, {
        config: { type: "string" }, usage: { type: "string" }, plan: { type: "string" }, json: { type: "string" }, project: { type: "string" },
    }, { min: 0, max: 1, names: "<stack>" });
    const projectDir = values.project ? userPath(values.project) : REPO_ROOT;
    if (values.project && !fs.existsSync(path.join(projectDir, "Pulumi.yaml"))) fail(`--project ${shownPath(values.project)}: no Pulumi.yaml in ${shownPath(projectDir)}`);
    const stacks = listStacks(projectDir);
    const stack = positionals[0];
    if (stack === undefined) fail(`missing <stack> (stacks: ${stacks.join(", ") || "none"})`);
    if (!values.config && !stacks.includes(stack)) {
        const near = didYouMean(stack, stacks);
        fail(`no stack ${stack}: ${shownPath(path.join(projectDir, `Pulumi.${stack}.yaml`))} does not exist${near ? `; did you mean ${near}?` : ""} (stacks: ${stacks.join(", ") || "none"})`);
    }
    if (values.json) checkWritable(values.json, "estimate file");
    if (values.usage) readInput(values.usage, "usage file");
    if (values.config) readInput(values.config, "settings file");
    const configFile = values.config && userPath(values.config);
    // Read from the caller's folder and named as typed in the estimate's sources.
    const usageFile = values.usage;
    // With --json -, standard output carries the JSON alone.
    const report = values.json === STDOUT ? console.error : console.log;

    // Loaded after the arguments are checked: a usage error never loads the Pulumi SDK.
    const { estimatePlan, renderCost } = await import("../engine/cost-report");
    const { loadStackConfig } = await import("../engine/stack-config");
    type PlanLike = import("../engine/cost-report").PlanLike;
    let plan: PlanLike;
    if (values.plan) {
        plan = parseJsonFile(values.plan, "plan file");
        if (!plan || !Array.isArray(plan.resources) || typeof plan.stack !== "string") fail(`plan file ${shownPath(values.plan)} is not a plan (npm run plan -- <stack> --json <file>)`);
        if (plan.stack !== stack) fail(`plan file ${shownPath(values.plan)} is a plan of stack ${plan.stack}, not ${stack}`);
    } else {
        // With --plan the program's modules and the Pulumi runtime's mocks stay unloaded.
        const { planJson, runPlan } = await import("../engine/planner");
        plan = planJson(await runPlan({ stack, configFile, projectDir, policyConfig: false })) as PlanLike;
    }
    // The main project's stacks carry usage* settings; other projects (bootstrap) use the defaults.
    const config = projectDir === REPO_ROOT ? loadStackConfig(projectDir, stack, configFile).config : undefined;
    const run = estimatePlan(plan, { config, usageFile });
    report(renderCost(run));
    if (values.json) {
        const where = writeOutput(values.json, JSON.stringify(run.detail.estimate, null, 2) + "\n", "Estimate");
        if (where) report(`\n${where}`);
    }
    return run.budget !== undefined && run.detail.estimate.totalMonthly > run.budget ? 1 : 0;
});
