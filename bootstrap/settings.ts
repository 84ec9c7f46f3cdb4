/** Settings of the bootstrap program, under the same rules as the main stacks (typed, every problem listed by key, unknown keys rejected). */
import { isRegion, SettingsError } from "../config";

export const BOOTSTRAP_NAMESPACE = "ai-nutritionist-bootstrap";

export interface BootstrapSettings {
    region: string;
    owner: string;
    costCenter: string;
    stateVersionRetentionDays: number;
}

const KNOWN = ["owner", "costCenter", "stateVersionRetentionDays"];

export function resolveBootstrapSettings(config: Record<string, string>): BootstrapSettings {
    const problems: string[] = [];
    const ns = (k: string) => `${BOOTSTRAP_NAMESPACE}:${k}`;
    for (const key of Object.keys(config)) {
        if (key.startsWith(`${BOOTSTRAP_NAMESPACE}:`) && !KNOWN.includes(key.slice(BOOTSTRAP_NAMESPACE.length + 1))) {
            problems.push(`${key}: unknown setting (got ${JSON.stringify(config[key])})`);
        }
    }
    const region = config["aws:region"];
    if (region === undefined) problems.push("aws:region: is required (got nothing)");
    else if (!isRegion(region)) problems.push(`aws:region: must be an AWS region such as us-east-1 (got ${JSON.stringify(region)})`);
    const days = config[ns("stateVersionRetentionDays")] ?? "365";
    if (!/^\d+$/.test(days) || Number(days) < 30) problems.push(`${ns("stateVersionRetentionDays")}: must be a whole number of at least 30 (got ${JSON.stringify(days)})`);
    if (problems.length) throw new SettingsError(problems);
    return {
        region: region!,
        owner: config[ns("owner")] ?? "platform-team",
        costCenter: config[ns("costCenter")] ?? "ai-nutritionist",
        stateVersionRetentionDays: Number(days),
    };
}
