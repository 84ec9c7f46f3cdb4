/**
 * Renders the settings declared in config.ts as Pulumi.yaml's `config:` block (`--yaml`) or as
 * docs/settings.md's settings table (`--markdown`): every setting with the value each of the
 * repository's stacks resolves it to. tests/settings.test.ts checks both stay in step.
 */
import { NAMESPACE, resolveSettings, SECRET_KEYS, SETTINGS, Settings } from "../config";
import { REPO_ROOT } from "../engine/paths";
import { loadStackConfig } from "../engine/stack-config";

/** The stacks whose values the table shows: the repository's own three, whatever others exist. */
export const DOCUMENTED_STACKS = ["dev", "staging", "prod"] as const;

const SECRET_DESCRIPTIONS: Record<string, string> = {
    twilioAuthToken: "Twilio auth token; stored in Secrets Manager, used to verify X-Twilio-Signature.",
    stripeWebhookSecret: "Stripe webhook signing secret (whsec_…); stored in Secrets Manager.",
    stripeApiKey: "Stripe API key; stored in Secrets Manager.",
};

export function secretDescription(key: string): string {
    return SECRET_DESCRIPTIONS[key];
}

function yamlScalar(v: unknown): string {
    return JSON.stringify(v);
}

export function pulumiYamlConfig(): string {
    const lines = [
        "config:",
        "  # Every AWS resource goes through the stack's tagged providers (components/providers.ts); the",
        "  # engine refuses any that would fall back to an untagged default provider.",
        "  pulumi:disable-default-providers:",
        "    value:",
        "      - aws",
    ];
    for (const s of SETTINGS.filter(x => !x.fullKey)) {
        lines.push(`  ${s.key}:`);
        lines.push(`    type: ${s.kind}`);
        if (s.kind === "array") lines.push("    items:", "      type: string");
        lines.push(`    description: ${yamlScalar(s.description)}`);
        if (s.default !== undefined) lines.push(`    default: ${yamlScalar(s.default)}`);
    }
    // Secrets are not declared: a typed key without a default is one every stack must set, and
    // these are optional (without them the Secrets Manager secrets are created empty).
    return lines.join("\n") + "\n";
}

/** A stack's resolved settings, read from its Pulumi.<stack>.yaml as the program reads them. */
export function stackSettings(stack: string, projectDir = REPO_ROOT): Settings {
    const { config, secretKeys } = loadStackConfig(projectDir, stack);
    return resolveSettings(config, undefined, stack, secretKeys);
}

function cell(v: unknown): string {
    if (v === undefined) return "—";
    const text = Array.isArray(v) ? (v.length ? v.join(", ") : "[]") : v === "" ? '""' : String(v);
    return `\`${text.replace(/\|/g, "\\|")}\``;
}

export function markdownTable(stacks: Record<string, Settings> = Object.fromEntries(DOCUMENTED_STACKS.map(s => [s, stackSettings(s)]))): string {
    const names = Object.keys(stacks);
    const rows = [`| Setting | Type | ${names.join(" | ")} | Terraform variable | Description |`, `|---|---|${names.map(() => "---|").join("")}---|---|`];
    for (const s of SETTINGS) {
        const key = s.fullKey ?? `${NAMESPACE}:${s.key}`;
        const type = s.enum ? s.enum.map(e => `\`${e}\``).join(" \\| ") : s.kind + (s.min !== undefined ? ` ≥ ${s.min}` : "") + (s.max !== undefined ? ` ≤ ${s.max}` : "");
        const values = names.map(n => cell((stacks[n] as unknown as Record<string, unknown>)[s.key as string]));
        rows.push(`| \`${key}\` | ${type} | ${values.join(" | ")} | ${s.terraform ? `\`${s.terraform}\`` : ""} | ${s.description.replace(/\|/g, "\\|")} |`);
    }
    for (const k of SECRET_KEYS) rows.push(`| \`${NAMESPACE}:${k}\` (secret) | string | ${names.map(() => "—").join(" | ")} |  | ${SECRET_DESCRIPTIONS[k]} |`);
    return rows.join("\n") + "\n";
}

if (require.main === module) {
    process.stdout.write(process.argv.includes("--markdown") ? markdownTable() : pulumiYamlConfig());
}
