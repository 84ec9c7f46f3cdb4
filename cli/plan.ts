/**
 * The offline plan: `npm run plan -- <stack> [--json <file>] [--config <file>] [--project <dir>] [--mocks <file>] [--update] [--show <name>] [--verbose]`.
 * Runs a Pulumi program (this repository's index.ts, or any TypeScript/JavaScript program given
 * with --project) under recording mocks and prints what `pulumi preview` would create.
 * Exit codes (engine/cli.ts, docs/cli.md): 0 ok, 1 mandatory policy violation, 2 invalid
 * settings, 3 usage or file problem, 4 unexpected error.
 */
import * as fs from "fs";
import * as path from "path";
import { checkWritable, fail, parseCliArgs, readInput, runCli } from "../engine/cli";
import { REPO_ROOT } from "../engine/paths";
import type { PlanLike } from "../engine/cost-report";

const USAGE = `usage: npm run plan -- <stack> [--json <file>] [--config <file>] [--project <dir>] [--mocks <file>] [--update] [--show <name>] [--verbose]
  <stack>          dev, staging or prod (Pulumi.<stack>.yaml); with --project: one of its stacks
  --json <file>    also write the plan contract (checked to be writable before planning)
  --config <file>  use this settings file (Pulumi.<stack>.yaml format) instead of Pulumi.<stack>.yaml
  --project <dir>  plan another Pulumi project: bootstrap, or any TypeScript/JavaScript program's folder
                   (run in that folder, on its own node_modules: \`npm install\` there first)
  --mocks <file>   canned results of data sources the offline plan cannot answer (JSON or YAML, keyed
                   by token, e.g. aws:ec2/getAmi:getAmi: { id: ami-0123456789abcdef0 })
  --preview        run as \`pulumi preview\` does (the default): outputs the mocks do not model are unknown
  --update         run as an update instead: outputs the mocks do not model are undefined
  --show <name>    print one resource (logical name, a unique suffix of one, or a URN): its inputs and
                   mocked outputs, instead of the whole plan
  --verbose        stack traces for unexpected errors
Exit codes: 0 ok, 1 mandatory policy violation, 2 invalid settings, 3 usage or file problem, 4 unexpected error (docs/cli.md).`;

runCli("plan", USAGE, async (argv, verbose) => {
    const { values, positionals } = parseCliArgs(argv, {
        json: { type: "string" }, config: { type: "string" }, project: { type: "string" }, show: { type: "string" },
        mocks: { type: "string" }, preview: { type: "boolean" }, update: { type: "boolean" },
    }, { min: 1, max: 1, names: "<stack> (dev, staging or prod)" });
    if (values.preview && values.update) fail("--preview and --update exclude each other (--preview is the default)");
    const stack = positionals[0];
    // Every usage and file problem is found before the (seconds-long) plan runs.
    const projectDir = values.project ? path.resolve(REPO_ROOT, values.project) : undefined;
    if (projectDir && !fs.existsSync(path.join(projectDir, "Pulumi.yaml"))) fail(`--project ${values.project}: no Pulumi.yaml in ${projectDir}`);
    if (values.config) readInput(values.config, "--config file");
    if (values.json) checkWritable(values.json, "--json file");
    const { loadStackConfig } = await import("../engine/stack-config");
    loadStackConfig(projectDir ?? REPO_ROOT, stack, values.config); // unknown stack, YAML syntax (exit 3)

    const { planJson, programSdk, readCannedResults, runPlan } = await import("../engine/planner");
    if (values.mocks) readCannedResults(values.mocks);
    if (projectDir && projectDir !== REPO_ROOT) programSdk(projectDir); // its own @pulumi/pulumi (exit 3 with the command to install)
    const { renderPlan, renderResource, findResource } = await import("../engine/render");
    const opts = { stack, configFile: values.config, projectDir, stackTraces: verbose, mocksFile: values.mocks, preview: !values.update };
    const plan = await runPlan(opts);
    // CI plans every stack before the tests: share the plans with them (engine/plan-cache).
    if (process.env.PLAN_CACHE_SHARE === "1") {
        const { planKey, storePlan } = await import("../engine/plan-cache");
        storePlan(planKey(opts), plan);
    }
    const mandatory = plan.violations.filter(v => v.enforcementLevel === "mandatory").length;
    if (values.show !== undefined) {
        console.log(renderResource(plan, findResource(plan, values.show)));
        if (mandatory) console.log(`\n${mandatory} mandatory policy violation${mandatory === 1 ? "" : "s"} in the plan (npm run plan -- ${stack} shows them)`);
    } else {
        console.log(renderPlan(plan));
    }
    if (values.show === undefined) {
        const { planCostLine } = await import("../engine/cost-report");
        console.log("\n" + planCostLine(planJson(plan) as PlanLike, { projectDir: projectDir ?? REPO_ROOT, configFile: values.config, mainProject: (projectDir ?? REPO_ROOT) === REPO_ROOT }));
    }
    if (values.json) {
        fs.writeFileSync(values.json, JSON.stringify(planJson(plan), null, 2) + "\n");
        console.log(`\nPlan written to ${values.json}`);
    }
    return mandatory > 0 ? 1 : 0;
});
