/**
 * Writes a complete stack settings file from an environment profile and a security tier:
 *   npm run new-stack -- <stack> --environment <dev|staging|prod> [--tier <basic|standard|enterprise>] [--region <region>] [--write]
 * The Pulumi CLI requires every setting that Pulumi.yaml types without a default to be set by
 * the stack, so each stack file carries the profile's and tier's values explicitly; this script
 * is how a new stack gets them. Without --write it prints the file.
 */
import * as fs from "fs";
import * as path from "path";
import { ENVIRONMENT_PROFILES, NAMESPACE, resolveSettings, SECURITY_TIERS, SETTINGS, Settings, SettingsError } from "../config";
import { REPO_ROOT } from "./lib/paths";

/** Settings a profile or tier decides: Pulumi.yaml types them without a default, so every stack sets them. */
export function decidedKeys(): Set<string> {
    return new Set([...Object.values(ENVIRONMENT_PROFILES), ...Object.values(SECURITY_TIERS)].flatMap(p => Object.keys(p)));
}

function yamlValue(v: unknown): string {
    if (Array.isArray(v)) return v.length ? "\n" + v.map(x => `    - ${JSON.stringify(x)}`).join("\n") : " []";
    if (typeof v === "string") return " " + (v === "" || /^[\d+]|[:#]|^(true|false|yes|no|null)$/i.test(v) ? JSON.stringify(v) : v);
    return " " + String(v);
}

/**
 * The file's text: `explicit` (namespace-less keys) wins, the profile and tier fill every other
 * decided setting, and settings with built-in defaults appear only when `explicit` sets them.
 */
export function renderStackFile(header: string, region: string, explicit: Record<string, unknown>): string {
    const raw: Record<string, string> = { "aws:region": region };
    for (const [k, v] of Object.entries(explicit)) raw[`${NAMESPACE}:${k}`] = typeof v === "string" ? v : JSON.stringify(v);
    const settings = resolveSettings(raw) as unknown as Record<string, unknown>;
    const decided = decidedKeys();
    const lines = header.trim().split("\n").map(l => `# ${l}`.trimEnd());
    lines.push("config:", `  aws:region: ${region}`);
    let group = "";
    for (const spec of SETTINGS.filter(s => !s.fullKey)) {
        if (!decided.has(spec.key) && !(spec.key in explicit)) continue;
        if (spec.group !== group) {
            group = spec.group;
            lines.push(`  # ${group}`);
        }
        lines.push(`  ${NAMESPACE}:${spec.key}:${yamlValue(settings[spec.key as keyof Settings])}`);
    }
    return lines.join("\n") + "\n";
}

function main(): number {
    const argv = process.argv.slice(2);
    const opt = (name: string) => {
        const i = argv.indexOf(`--${name}`);
        return i >= 0 ? argv[i + 1] : undefined;
    };
    const stack = argv[0];
    const environment = opt("environment");
    if (!stack || stack.startsWith("--") || !environment) {
        console.error("usage: npm run new-stack -- <stack> --environment <dev|staging|prod> [--tier <tier>] [--region <region>] [--write]");
        return 2;
    }
    const explicit: Record<string, unknown> = { environment, alertEmail: `${stack}-alerts@example.com` };
    if (opt("tier")) explicit.securityTier = opt("tier");
    let text: string;
    try {
        text = renderStackFile(`Stack ${stack}: the ${environment} profile${opt("tier") ? ` with the ${opt("tier")} tier` : ""}. Set alertEmail to your team's address.`, opt("region") ?? "us-east-1", explicit);
    } catch (e) {
        if (e instanceof SettingsError) {
            console.error(e.message);
            return 2;
        }
        throw e;
    }
    if (!argv.includes("--write")) {
        process.stdout.write(text);
        return 0;
    }
    const file = path.join(REPO_ROOT, `Pulumi.${stack}.yaml`);
    if (fs.existsSync(file)) {
        console.error(`${file} exists; not overwriting`);
        return 1;
    }
    fs.writeFileSync(file, text);
    console.log(`wrote ${file}`);
    return 0;
}

if (require.main === module) process.exit(main());
