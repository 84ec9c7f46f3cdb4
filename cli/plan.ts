/**
 * The offline plan: `npm run plan -- <stack> [--json <file>] [--config <file>] [--project <dir>] [--policy-config <file>] [--mocks <file>] [--update] [--show <name>] [--verbose]`.
 * Runs a Pulumi program (this repository's index.ts, or any TypeScript/JavaScript program given
 * with --project) under recording mocks and prints what `pulumi preview` would create.
 * Exit codes (engine/cli.ts, docs/cli.md): 0 ok, 1 mandatory policy violation, 2 invalid
 * settings, 3 usage or file problem, 4 unexpected error.
 */
import * as fs from "fs";
import * as path from "path";
import { checkWritable, fail, parseCliArgs, parseJsonFile, readInput, requireStack, runCli, shownPath, STDOUT, userPath, writeOutput } from "../engine/cli";
import { REPO_ROOT } from "../engine/paths";
import type { PlanLike } from "../engine/cost-report";

const USAGE = `usage: npm run plan -- <stack> [--json <file>] [--config <file>] [--project <dir>] [--policy-config <file>] [--mocks <file>] [--update] [--show <name>] [--verbose]
  <stack>          dev, staging or prod (Pulumi.<stack>.yaml); with --project: one of its stacks
  --json <file>    also write the plan contract (checked to be writable before planning); - writes it
                   to standard output, and the plan's text to standard error
  --config <file>  use this settings file (Pulumi.<stack>.yaml format) instead of Pulumi.<stack>.yaml
  --project <dir>  plan another Pulumi project: bootstrap, or any TypeScript/JavaScript program's folder
                   (run in that folder, on its own node_modules: \`npm install\` there first)
  --policy-config <file>
                   the policy pack's config (as \`pulumi preview --policy-pack-config\` takes it);
                   defaults to this repository's policy-config.json
  --mocks <file>   canned results of data sources the offline plan cannot answer (JSON or YAML, keyed
                   by token, e.g. aws:ec2/getAmi:getAmi: { id: ami-0123456789abcdef0 })
  --preview        run as \`pulumi preview\` does (the default): outputs the mocks do not model are unknown
  --update         run as an update instead: outputs the mocks do not model are undefined
  --show <name>    print one resource (logical name, a unique suffix of one, or a URN): its inputs and
                   mocked outputs, instead of the whole plan
  --wide           print the tree's lines whole (on a terminal they are cut to its width)
  --verbose        stack traces for unexpected errors
Paths are relative to the folder you run the command from.
Exit codes: 0 ok, 1 mandatory policy violation, 2 invalid settings, 3 usage or file problem, 4 unexpected error (docs/cli.md).`;

runCli("plan", USAGE, async (argv, verbose) => {
    const { values, positionals } = parseCliArgs(argv, {
        json: { type: "string" }, config: { type: "string" }, project: { type: "string" }, show: { type: "string" },
        mocks: { type: "string" }, preview: { type: "boolean" }, update: { type: "boolean" }, "policy-config": { type: "string" }, wide: { type: "boolean" },
    }, { min: 0, max: 1, names: "<stack>" });
    // npm runs scripts from the repository root: the user's paths are resolved from their folder;
    // the early checks name them as typed.
    const given = { ...values };
    for (const k of ["config", "project", "mocks", "policy-config"] as const) if (values[k] !== undefined && values[k] !== STDOUT) values[k] = userPath(values[k]);
    // With --json -, standard output carries the plan contract alone: the text goes to stderr.
    if (values.json === STDOUT) console.log = console.error;
    if (values.preview && values.update) fail("--preview and --update exclude each other (--preview is the default)");
    // Every usage and file problem is found before the (seconds-long) plan runs.
    const projectDir = values.project;
    if (projectDir && !fs.existsSync(path.join(projectDir, "Pulumi.yaml"))) fail(`--project ${shownPath(given.project!)}: no Pulumi.yaml there`);
    const stack = requireStack(positionals[0], projectDir ?? REPO_ROOT);
    if (given.config) readInput(given.config, "--config file");
    if (values.json) checkWritable(values.json, "--json file");
    const { loadStackConfig } = await import("../engine/stack-config");
    loadStackConfig(projectDir ?? REPO_ROOT, stack, values.config); // unknown stack, YAML syntax (exit 3)

    const { planJson, programSdk, readCannedResults, runPlan } = await import("../engine/planner");
    if (given.mocks) readCannedResults(given.mocks);
    const policyConfig = given["policy-config"] ? parseJsonFile(given["policy-config"], "--policy-config file") : undefined;
    if (projectDir && projectDir !== REPO_ROOT) programSdk(projectDir); // its own @pulumi/pulumi (exit 3 with the command to install)
    const { renderPlan, renderResource, findResource, treeWidth } = await import("../engine/render");
    const opts = { stack, configFile: values.config, projectDir, stackTraces: verbose, mocksFile: values.mocks, preview: !values.update, policyConfig };
    const { progress } = await import("../engine/progress");
    const status = progress();
    status.step(`planning ${stack} offline`);
    const plan = await runPlan(opts).finally(() => status.clear());
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
        // The width of where the text goes: stderr with --json -.
        console.log(renderPlan(plan, { width: treeWidth(values.json === STDOUT ? process.stderr : process.stdout, values.wide) }));
    }
    if (values.show === undefined) {
        const { planCostLine } = await import("../engine/cost-report");
        console.log("\n" + planCostLine(planJson(plan) as PlanLike, { projectDir: projectDir ?? REPO_ROOT, configFile: values.config, mainProject: (projectDir ?? REPO_ROOT) === REPO_ROOT }));
    }
    if (values.json) {
        const where = writeOutput(values.json, JSON.stringify(planJson(plan), null, 2) + "\n", "Plan");
        if (where) console.log(`\n${where}`);
    }
    return mandatory > 0 ? 1 : 0;
});
