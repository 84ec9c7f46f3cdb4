/**
 * Renders the settings declared in config.ts as Pulumi.yaml's `config:` block (`--yaml`) or as
 * docs/settings.md's settings table (`--markdown`). tests/settings.test.ts checks both stay in step.
 */
import { ENVIRONMENT_PROFILES, NAMESPACE, SECRET_KEYS, SECURITY_TIERS, SETTINGS, Settings, SettingSpec } from "../config";

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

function effectiveDefault(s: SettingSpec, env: keyof typeof ENVIRONMENT_PROFILES): string {
    const profile = ENVIRONMENT_PROFILES[env];
    const tier = SECURITY_TIERS[profile.securityTier!];
    const key = s.key as keyof Settings;
    const v = key in tier ? tier[key] : key in profile ? profile[key] : s.default;
    if (v === undefined) return "—";
    const text = Array.isArray(v) ? (v.length ? v.join(", ") : "[]") : v === "" ? '""' : String(v);
    return `\`${text}\``;
}

export function markdownTable(): string {
    const rows = ["| Setting | Type | dev | staging | prod | Terraform variable | Description |", "|---|---|---|---|---|---|---|"];
    for (const s of SETTINGS) {
        const key = s.fullKey ?? `${NAMESPACE}:${s.key}`;
        const type = s.enum ? s.enum.map(e => `\`${e}\``).join(" \\| ") : s.kind + (s.min !== undefined ? ` ≥ ${s.min}` : "") + (s.max !== undefined ? ` ≤ ${s.max}` : "");
        rows.push(`| \`${key}\` | ${type} | ${effectiveDefault(s, "dev")} | ${effectiveDefault(s, "staging")} | ${effectiveDefault(s, "prod")} | ${s.terraform ? `\`${s.terraform}\`` : ""} | ${s.description.replace(/\|/g, "\\|")} |`);
    }
    for (const k of SECRET_KEYS) rows.push(`| \`${NAMESPACE}:${k}\` (secret) | string | — | — | — |  | ${SECRET_DESCRIPTIONS[k]} |`);
    return rows.join("\n") + "\n";
}

if (require.main === module) {
    process.stdout.write(process.argv.includes("--markdown") ? markdownTable() : pulumiYamlConfig());
}
