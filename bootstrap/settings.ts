/** Settings of the bootstrap program, under the same rules as the main stacks (typed, every problem listed by key, unknown keys rejected). */
import { isRegion, SettingsError } from "../config";
import { validateGithubDeployAccessArgs } from "./github-deploy-access";

export const BOOTSTRAP_NAMESPACE = "ai-nutritionist-bootstrap";
/** The Pulumi project whose stacks the bootstrap serves (its state objects and IAM names). */
export const APP_PROJECT = "ai-nutritionist";

export interface BootstrapSettings {
    region: string;
    owner: string;
    costCenter: string;
    stateVersionRetentionDays: number;
    /** `owner/name` of the GitHub repository whose workflows deploy; "" = no GitHub deploy access. */
    githubRepository: string;
    /** Stacks (= GitHub environments) that get a deploy role. */
    deployStacks: string[];
    /** An existing GitHub OIDC provider of the account; "" = create one. */
    githubOidcProviderArn: string;
    /** Managed policies (names under arn:aws:iam::aws:policy/) that grant the deploy itself. */
    deployManagedPolicies: string[];
}

const KNOWN = ["owner", "costCenter", "stateVersionRetentionDays", "githubRepository", "deployStacks", "githubOidcProviderArn", "deployManagedPolicies"];

function stringList(raw: string | undefined, fallback: string[], key: string, problems: string[]): string[] {
    if (raw === undefined) return fallback;
    try {
        const v = JSON.parse(raw);
        if (Array.isArray(v) && v.every(x => typeof x === "string")) return v;
    } catch { /* reported below */ }
    problems.push(`${key}: must be a list of strings (got ${raw})`);
    return fallback;
}

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

    const githubRepository = config[ns("githubRepository")] ?? "";
    const deployStacks = stringList(config[ns("deployStacks")], ["dev", "staging", "prod"], ns("deployStacks"), problems);
    const githubOidcProviderArn = config[ns("githubOidcProviderArn")] ?? "";
    const deployManagedPolicies = stringList(config[ns("deployManagedPolicies")], ["PowerUserAccess"], ns("deployManagedPolicies"), problems);
    if (githubRepository !== "") {
        for (const p of validateGithubDeployAccessArgs({ repository: githubRepository, stacks: deployStacks, project: APP_PROJECT, existingOidcProviderArn: githubOidcProviderArn || undefined })) {
            const key = p.startsWith("repository") ? "githubRepository" : p.startsWith("existingOidcProviderArn") ? "githubOidcProviderArn" : "deployStacks";
            problems.push(`${ns(key)}: ${p}`);
        }
        for (const m of deployManagedPolicies) {
            if (!/^[A-Za-z0-9_/+=,.@-]+$/.test(m) || m.startsWith("arn:")) problems.push(`${ns("deployManagedPolicies")}: ${m} must be an AWS managed policy name such as PowerUserAccess (got ${JSON.stringify(m)})`);
            if (/^(AdministratorAccess|IAMFullAccess)$/.test(m)) problems.push(`${ns("deployManagedPolicies")}: ${m} would let a deploy role manage any IAM identity; IAM comes from the scoped inline policy`);
        }
    } else if (githubOidcProviderArn) {
        problems.push(`${ns("githubOidcProviderArn")}: is used only with githubRepository (got ${githubOidcProviderArn})`);
    }
    if (problems.length) throw new SettingsError(problems);
    return {
        region: region!,
        owner: config[ns("owner")] ?? "platform-team",
        costCenter: config[ns("costCenter")] ?? "ai-nutritionist",
        stateVersionRetentionDays: Number(days),
        githubRepository,
        deployStacks,
        githubOidcProviderArn,
        deployManagedPolicies,
    };
}
