/**
 * Load a stack's configuration the way the Pulumi CLI hands it to a program: the `config:`
 * defaults of Pulumi.yaml overlaid by `Pulumi.<stack>.yaml` (or another file in that format),
 * flattened to `namespace:key` → string, with the keys of `secure:` values listed as secret.
 */
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";

export interface StackConfig {
    project: string;
    stack: string;
    /** `namespace:key` → raw string value (objects and lists JSON-encoded, as the CLI does). */
    config: Record<string, string>;
    /** Keys whose value was a `secure:` entry; offline they hold a placeholder. */
    secretKeys: string[];
    /**
     * What the Pulumi CLI itself would refuse before running the program: a key that Pulumi.yaml
     * types without a default and the stack does not set, or a value of the wrong type.
     */
    cliProblems: string[];
}

function typeProblem(type: string, itemsType: string | undefined, v: unknown): string | undefined {
    const ok = type === "integer" ? Number.isInteger(v) || (typeof v === "string" && /^-?\d+$/.test(v))
        : type === "boolean" ? typeof v === "boolean" || v === "true" || v === "false"
        : type === "array" ? Array.isArray(v) && (!itemsType || v.every(x => typeof x === itemsType))
        : type === "string" ? typeof v === "string" || typeof v === "number" || typeof v === "boolean"
        : true;
    return ok ? undefined : `must be of type ${type === "array" ? `array<${itemsType}>` : type}`;
}

/** What a `secure:` value is replaced with offline, where nothing can decrypt it. */
export const OFFLINE_SECRET = "offline-plan-placeholder-secret";

function readYaml(file: string): any {
    try {
        return yaml.load(fs.readFileSync(file, "utf8")) ?? {};
    } catch (e: any) {
        throw new Error(`cannot read ${file}: ${e.message}`);
    }
}

function toRaw(v: unknown): string {
    return typeof v === "string" ? v : JSON.stringify(v);
}

function qualify(project: string, key: string): string {
    return key.includes(":") ? key : `${project}:${key}`;
}

export function loadStackConfig(projectDir: string, stack: string, configFile?: string): StackConfig {
    const projectFile = readYaml(path.join(projectDir, "Pulumi.yaml"));
    const project: string = projectFile.name;
    const config: Record<string, string> = {};
    const secretKeys: string[] = [];
    const cliProblems: string[] = [];
    const required = new Map<string, any>();

    for (const [key, decl] of Object.entries<any>(projectFile.config ?? {})) {
        const isSchema = decl !== null && typeof decl === "object" && !Array.isArray(decl) &&
            ("type" in decl || "description" in decl || "default" in decl || "value" in decl);
        const value = isSchema ? (decl.value ?? decl.default) : decl;
        if (value !== undefined) config[qualify(project, key)] = toRaw(value);
        if (isSchema && decl.type) required.set(qualify(project, key), decl);
    }

    const file = configFile ?? path.join(projectDir, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(file)) throw new Error(`no stack settings file ${file}`);
    const stackFile = readYaml(file);
    for (const [key, value] of Object.entries<any>(stackFile.config ?? {})) {
        const full = qualify(project, key);
        if (value !== null && typeof value === "object" && "secure" in value) {
            config[full] = OFFLINE_SECRET;
            secretKeys.push(full);
        } else {
            config[full] = toRaw(value);
            const decl = required.get(full);
            const problem = decl && typeProblem(decl.type, decl.items?.type, value);
            if (problem) cliProblems.push(`${full}: ${problem}, as Pulumi.yaml declares it (got ${JSON.stringify(value)})`);
        }
    }
    for (const [full, decl] of required) {
        if (decl.default === undefined && !(full in (stackFile.config ?? {})) && !(full.split(":")[1] in (stackFile.config ?? {}))) {
            cliProblems.push(`${full}: Pulumi.yaml types it without a default, so the Pulumi CLI requires every stack to set it; \`npm run new-stack\` writes the profile's value (got nothing)`);
        }
    }
    return { project, stack, config, secretKeys, cliProblems };
}
