/**
 * Load a stack's configuration the way the Pulumi CLI hands it to a program: the `config:`
 * defaults of Pulumi.yaml overlaid by `Pulumi.<stack>.yaml` (or another file in that format),
 * flattened to `namespace:key` → string, with the keys of `secure:` values listed as secret.
 */
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { didYouMean, show } from "../components/messages";
import { fail, readInput, shownPath } from "./cli";

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
    /** Keys whose value is a mapping or a list (JSON-encoded in `config`); a default provider receives them as objects. */
    objectKeys: string[];
    /** Pulumi.yaml's `main`: the program's folder or file, relative to the project folder. */
    main?: string;
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

/** A YAML file as data; a missing file or a syntax error is a one-line usage error (exit 3). */
function readYaml(file: string, what: string): any {
    const text = readInput(file, what);
    const key = `${file}\0${text}`;
    if (parsedYaml.has(key)) return parsedYaml.get(key);
    let data: any;
    try {
        data = yaml.load(text, { filename: file });
    } catch (e: any) {
        const where = e.mark ? ` at line ${e.mark.line + 1}, column ${e.mark.column + 1}` : "";
        fail(`${what} ${shownPath(file)}: YAML syntax error${where}: ${e.reason ?? e.message}`);
    }
    if (data !== undefined && data !== null && (typeof data !== "object" || Array.isArray(data))) {
        fail(`${what} ${shownPath(file)} is not a settings file: expected a mapping with a config: section`);
    }
    parsedYaml.set(key, deepFreeze(data ?? {}));
    return parsedYaml.get(key);
}

/** Parsed settings files by path and content: a plan reads its files up to three times (CLI checks, planner, cost line). */
const parsedYaml = new Map<string, any>();

function deepFreeze<T>(v: T): T {
    if (v && typeof v === "object" && !Object.isFrozen(v)) {
        Object.freeze(v);
        for (const x of Object.values(v)) deepFreeze(x);
    }
    return v;
}

/** The stacks of a project: the names of its Pulumi.<stack>.yaml files. */
export function listStacks(projectDir: string): string[] {
    return fs.readdirSync(projectDir)
        .map(f => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
        .filter((s): s is string => s !== undefined)
        .sort();
}

function toRaw(v: unknown): string {
    return typeof v === "string" ? v : JSON.stringify(v);
}

function qualify(project: string, key: string): string {
    return key.includes(":") ? key : `${project}:${key}`;
}

export function loadStackConfig(projectDir: string, stack: string, configFile?: string): StackConfig {
    const projectFile = readYaml(path.join(projectDir, "Pulumi.yaml"), "project file");
    const project: string = projectFile.name;
    const config: Record<string, string> = {};
    const secretKeys: string[] = [];
    const cliProblems: string[] = [];
    const required = new Map<string, any>();
    const objectKeys = new Set<string>();
    const set = (key: string, value: unknown) => {
        config[key] = toRaw(value);
        if (value !== null && typeof value === "object") objectKeys.add(key);
        else objectKeys.delete(key);
    };

    for (const [key, decl] of Object.entries<any>(projectFile.config ?? {})) {
        const isSchema = decl !== null && typeof decl === "object" && !Array.isArray(decl) &&
            ("type" in decl || "description" in decl || "default" in decl || "value" in decl);
        const value = isSchema ? (decl.value ?? decl.default) : decl;
        if (value !== undefined) set(qualify(project, key), value);
        if (isSchema && decl.type) required.set(qualify(project, key), decl);
    }

    const file = configFile ?? path.join(projectDir, `Pulumi.${stack}.yaml`);
    if (!configFile && !fs.existsSync(file)) {
        const stacks = listStacks(projectDir);
        const near = didYouMean(stack, stacks);
        fail(`unknown stack ${stack}: there is no ${shownPath(file)}${near ? `; did you mean ${near}?` : ""} (stacks: ${stacks.join(", ") || "none"}; \`npm run new-stack\` creates one)`);
    }
    const stackFile = readYaml(file, configFile ? "--config file" : "stack settings file");
    for (const [key, value] of Object.entries<any>(stackFile.config ?? {})) {
        const full = qualify(project, key);
        if (value !== null && typeof value === "object" && "secure" in value) {
            config[full] = OFFLINE_SECRET;
            objectKeys.delete(full);
            secretKeys.push(full);
        } else {
            set(full, value);
            const decl = required.get(full);
            const problem = decl && typeProblem(decl.type, decl.items?.type, value);
            if (problem) cliProblems.push(`${full}: ${problem}, as Pulumi.yaml declares it (got ${show(value)})`);
        }
    }
    const setKeys = Object.keys(stackFile.config ?? {}).map(k => qualify(project, k));
    const unknown = setKeys.filter(k => k.startsWith(`${project}:`) && !required.has(k));
    for (const [full, decl] of required) {
        if (decl.default === undefined && !setKeys.includes(full)) {
            // A typo in a required key: name the misspelt key that the file does set.
            const bare = full.slice(project.length + 1);
            const typo = unknown.find(k => didYouMean(k.slice(project.length + 1), [bare]) === bare);
            cliProblems.push(typo
                ? `${full}: is required, and the file sets ${typo} instead: did you mean ${full}? (got nothing)`
                : `${full}: Pulumi.yaml types it without a default, so the Pulumi CLI requires every stack to set it; \`npm run new-stack\` writes the profile's value (got nothing)`);
        }
    }
    const main = typeof projectFile.main === "string" ? projectFile.main : undefined;
    return { project, stack, config, secretKeys, cliProblems, objectKeys: [...objectKeys], main };
}
