/**
 * The policy runner: `npm run policy -- <plan.json> [--config <policy-config.json>]`.
 * Evaluates the whole policy pack against a plan written by `npm run plan -- <stack> --json`,
 * prints every finding and exits 1 on any mandatory violation.
 */
import * as fs from "fs";
import { DEFAULT_POLICY_CONFIG, evaluatePolicies, PackConfig, validatePackConfig } from "./lib/policy-runner";
import { renderViolations } from "./lib/render";

function main(): number {
    const argv = process.argv.slice(2);
    let configFile: string | undefined;
    const files: string[] = [];
    for (let i = 0; i < argv.length; i++) {
        if (argv[i] === "--config") configFile = argv[++i];
        else files.push(argv[i]);
    }
    if (files.length !== 1 || (configFile === undefined && argv.includes("--config"))) {
        console.error("usage: npm run policy -- <plan.json> [--config <policy-config.json>]");
        return 2;
    }
    const plan = JSON.parse(fs.readFileSync(files[0], "utf8"));
    const configPath = configFile ?? (fs.existsSync(DEFAULT_POLICY_CONFIG) ? DEFAULT_POLICY_CONFIG : undefined);
    const config: PackConfig = configPath ? JSON.parse(fs.readFileSync(configPath, "utf8")) : {};
    const configProblems = validatePackConfig(config);
    if (configProblems.length) {
        console.error(`Invalid policy pack config ${configPath}:\n${configProblems.map(p => `  - ${p}`).join("\n")}`);
        return 2;
    }
    const violations = evaluatePolicies(plan.resources, config);
    console.log(`Policy pack ai-nutritionist-guardrails on ${plan.project}/${plan.stack} (${plan.resources.length} resources${configPath ? `, config ${configPath}` : ""})`);
    console.log(renderViolations(violations));
    const mandatory = violations.filter(v => v.enforcementLevel === "mandatory").length;
    console.log(`\n${mandatory} mandatory, ${violations.length - mandatory} advisory`);
    return mandatory > 0 ? 1 : 0;
}

process.exit(main());
