/**
 * IAM policy documents as the policies read them: a JSON string or an object, `Statement` as a
 * list or a single object, `Action`/`Resource`/`Principal` values as a string or a list.
 * Matching follows IAM's rules: actions and condition keys are case-insensitive, `*` and `?`
 * are wildcards in actions (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html).
 */
import { asList, lookupCache, read, UNKNOWN } from "./helpers";

export type Statement = any;

/**
 * Documents parsed, by their text: several policies read each role's, key's and bucket's document.
 * Frozen, as every policy only reads them; bounded for long-lived processes.
 */
const PARSED = lookupCache<string, unknown>();

/** Freeze a value parsed from JSON (a tree: no shared or cyclic parts) to every depth. */
function frozen<T>(v: T): T {
    if (v !== null && typeof v === "object") {
        Object.freeze(v);
        for (const x of Object.values(v)) frozen(x);
    }
    return v;
}

/**
 * Parse a policy document given as a JSON string or an object; UNKNOWN when it cannot be known.
 * Read-only: a document parsed from text is shared by every policy and resource with that text
 * (frozen: a change throws), one given as an object is the resource's own input.
 */
export function parseDocument(v: unknown): any {
    if (v === UNKNOWN) return UNKNOWN;
    if (typeof v === "string") {
        // Stryker disable next-line ConditionalExpression: a cache; parsing again gives an equal (frozen) document
        if (PARSED.has(v)) return PARSED.get(v);
        let doc: unknown;
        try {
            doc = frozen(JSON.parse(v));
        } catch {
            doc = undefined;
        }
        // Stryker disable next-line all: bounds the cache's memory; no answer depends on it
        if (PARSED.size >= 2000) PARSED.clear();
        // Stryker disable next-line all: a cache
        PARSED.set(v, doc);
        return doc;
    }
    return v && typeof v === "object" ? v : undefined;
}

/** The statements of a document: `Statement` as a list, or a single statement object. */
export function statementsOf(doc: any): Statement[] {
    const s = read(doc, "Statement");
    return Array.isArray(s) ? s.filter(x => x && typeof x === "object") : s && typeof s === "object" ? [s] : [];
}

/** A statement's label for messages: its Sid, or its position. */
export function label(s: Statement, i: number): string {
    const sid = read(s, "Sid");
    return typeof sid === "string" && sid !== "" ? `"${sid}"` : `#${i + 1}`;
}

/** Compiled wildcard patterns: a catalogue scan tests one pattern against hundreds of action names. */
const WILDCARDS = lookupCache<string, RegExp>();

/** IAM wildcard match: `*` any run of characters, `?` one character, case-insensitive. */
export function wildcardMatch(pattern: string, value: string): boolean {
    let compiled = WILDCARDS.get(pattern);
    // Stryker disable next-line ConditionalExpression: a cache; compiling again gives the same regex
    if (!compiled) {
        const re = pattern.split("").map(c => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\]/g, "\\$&"))).join("");
        compiled = new RegExp(`^${re}$`, "i");
        // Stryker disable next-line all: a cache
        WILDCARDS.set(pattern, compiled);
    }
    return compiled.test(value);
}

export const allows = (s: Statement): boolean => read(s, "Effect") === "Allow";

/** Strings of a value that is a string or a list (other entries dropped). */
export function strings(v: unknown): string[] {
    return asList(v).filter((x): x is string => typeof x === "string");
}

/** Whether a statement admits an action (through Action patterns, or by not excluding it in NotAction). */
export function admitsAction(s: Statement, action: string): boolean {
    const not = read(s, "NotAction");
    if (not !== undefined) return !strings(not).some(p => wildcardMatch(p, action));
    return strings(read(s, "Action")).some(p => wildcardMatch(p, action));
}

/** Whether a statement applies to every resource (`Resource: "*"`, or a NotResource). */
export function onEveryResource(s: Statement): boolean {
    return read(s, "NotResource") !== undefined || strings(read(s, "Resource")).includes("*");
}

/** A principal that is everyone: `"*"`, or `{"AWS": "*"}` (alone or in a list). */
export function isEveryone(principal: unknown): boolean {
    return principal === "*" || strings(read(principal, "AWS")).includes("*");
}

/** Condition operators that narrow a statement: the key must be present and match (no negation, IfExists or ForAllValues). */
const NARROWING_OPERATOR = /^(ForAnyValue:)?(StringEquals|StringEqualsIgnoreCase|StringLike|ArnEquals|ArnLike|IpAddress)$/i;
/** Values that match anyone, so a condition on them narrows nothing. */
const MATCHES_ANYONE = ["*", "0.0.0.0/0", "::/0"];
/** Only wildcards, alone or after `arn:<partition>:` (`*`, `???`, `arn:aws:*`, `arn:*:*:*:*:*`): matches any caller or source. */
const WILDCARD_ONLY = /^(arn:[^:]*:)?[*?:]*$/i;
const matchesAnyone = (v: string): boolean => MATCHES_ANYONE.includes(v) || WILDCARD_ONLY.test(v);

/** The condition keys among `keys` that narrow the statement to specific callers or sources. */
export function narrowedBy(s: Statement, keys: readonly string[]): string[] {
    const wanted = new Set(keys.map(k => k.toLowerCase()));
    const found: string[] = [];
    for (const [op, block] of Object.entries(read(s, "Condition") ?? {})) {
        if (!NARROWING_OPERATOR.test(op)) continue;
        for (const [key, value] of Object.entries(block ?? {})) {
            const values = asList(value);
            if (wanted.has(key.toLowerCase()) && values.length > 0 && values.every(v => typeof v === "string" && v !== "" && !matchesAnyone(v))) found.push(key);
        }
    }
    return found;
}

/** Allow statements open to everyone (wildcard principal, or NotPrincipal) that no key of `keys` narrows. */
export function publicStatements(doc: any, keys: readonly string[]): { statement: Statement; index: number }[] {
    return statementsOf(doc)
        .map((statement, index) => ({ statement, index }))
        .filter(({ statement: s }) => allows(s) && (isEveryone(read(s, "Principal")) || read(s, "NotPrincipal") !== undefined) && narrowedBy(s, keys).length === 0);
}

/** The values a condition gives a key under an operator, both matched case-insensitively. */
export function conditionValues(condition: unknown, operators: readonly string[], key: string): unknown[] {
    const ops = operators.map(o => o.toLowerCase());
    return Object.entries(condition ?? {})
        .filter(([op]) => ops.includes(op.toLowerCase()))
        .flatMap(([, block]) => Object.entries(block ?? {}).filter(([k]) => k.toLowerCase() === key.toLowerCase()).flatMap(([, v]) => asList(v)));
}

/**
 * Whether a document denies everyone every action of the service (`<service>:*` or `*`) when
 * `aws:SecureTransport` is false (boolean or string, alone or in a list). A deny of some actions
 * only leaves the others open over plain HTTP.
 */
export function deniesInsecureTransport(doc: any, service: string): boolean {
    return statementsOf(doc).some(s => read(s, "Effect") === "Deny" &&
        isEveryone(read(s, "Principal")) &&
        strings(read(s, "Action")).some(a => a === "*" || a.toLowerCase() === `${service}:*`) &&
        conditionValues(read(s, "Condition"), ["Bool", "BoolIfExists"], "aws:SecureTransport").some(v => v === false || v === "false"));
}
