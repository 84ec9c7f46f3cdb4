/**
 * The policy runner: `npm run policy -- <plan.json> [--config <policy-config.json>] [--verbose]`.
 * Evaluates the whole policy pack against a plan written by `npm run plan -- <stack> --json`,
 * prints every finding and exits 1 on any mandatory violation (codes: engine/cli.ts, docs/cli.md).
 */
import * as fs from "fs";
import { fail, InvalidSettings, parseCliArgs, parseJsonFile, runCli, shownPath } from "../engine/cli";

const USAGE = `usage: npm run policy -- <plan.json> [--config <policy-config.json>] [--verbose]
  <plan.json>  a plan written by \`npm run plan -- <stack> --json <plan.json>\`
  --config     the policy pack config (default: policy-config.json)
Exit codes: 0 ok, 1 mandatory policy violation, 2 invalid pack config, 3 usage or file problem, 4 unexpected error (docs/cli.md).`;

/** The plan contract's shape, checked before any policy runs (a wrong file is a usage problem). */
function checkPlanFile(plan: any, file: string): void {
    const hint = "write one with `npm run plan -- <stack> --json <file>`";
    if (plan === null || typeof plan !== "object" || Array.isArray(plan)) fail(`${file} is not a plan: expected a JSON object; ${hint}`);
    if ("totalMonthly" in plan && "assumptions" in plan) {
        fail(`${file} is a cost estimate (npm run cost -- <stack> --json), not a plan: the policy pack reads the plan contract (project, stack, resources with their inputs); ${hint}`);
    }
    const missing = ["project", "stack", "resources"].filter(k => !(k in plan));
    if (missing.length) fail(`${file} is not a plan: it has no ${missing.join(", ")}; ${hint}`);
    if (!Array.isArray(plan.resources)) fail(`${file} is not a plan: resources is not a list; ${hint}`);
    const bad = plan.resources.findIndex((r: any) => !r || typeof r.urn !== "string" || typeof r.type !== "string" || typeof r.inputs !== "object");
    if (bad >= 0) fail(`${file} is not a plan: resources[${bad}] lacks urn, type or inputs; ${hint}`);
}

runCli("policy", USAGE, async () => {
    const { values, positionals } = parseCliArgs(process.argv.slice(2), { config: { type: "string" } }, { min: 1, max: 1, names: "<plan.json>" });
    const file = positionals[0];
    const plan = parseJsonFile(file, "plan file");
    checkPlanFile(plan, shownPath(file));
    const { DEFAULT_POLICY_CONFIG, evaluatePolicies, validatePackConfig } = await import("../engine/policy-runner");
    const configPath = values.config ?? (fs.existsSync(DEFAULT_POLICY_CONFIG) ? DEFAULT_POLICY_CONFIG : undefined);
    const config = configPath ? parseJsonFile(configPath, "policy pack config") : {};
    const configProblems = validatePackConfig(config);
    if (configProblems.length) throw new InvalidSettings(`policy pack config ${configPath}`, configProblems);
    const { renderViolations } = await import("../engine/render");
    const violations = evaluatePolicies(plan.resources, config);
    console.log(`Policy pack ai-nutritionist-guardrails on ${plan.project}/${plan.stack} (${plan.resources.length} resources${configPath ? `, config ${configPath}` : ""})`);
    console.log(renderViolations(violations));
    const mandatory = violations.filter(v => v.enforcementLevel === "mandatory").length;
    console.log(`\n${mandatory} mandatory, ${violations.length - mandatory} advisory`);
    return mandatory > 0 ? 1 : 0;
});
