/**
 * EventBridge event patterns checked against the events AWS sends. A pattern that names a field the
 * event never carries, or only values the field never takes, is accepted by PutRule and then never
 * matches: the alert it feeds stays silent. The plan refuses such a pattern (checks/api-rules.ts).
 *
 * Which fields an event's `detail` carries comes from the EventBridge schemas in
 * @aws-cdk/aws-service-spec (kept in checks/event-schemas.json, generators/event-schemas.ts) and, for
 * services that spec has no schema of, from SUPPLEMENTAL_EVENTS below, each with its source.
 *
 * Pattern semantics (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html,
 * eb-create-pattern-operators.html, read 2026-12-04): every field of a pattern must match; a field's
 * array matches when any of its matchers matches any of the event's values (arrays in the event are
 * flattened); `$or` matches when any of its branches does.
 */
import * as fs from "fs";
import * as path from "path";

/**
 * A field's shape: "string", "number" or "boolean" = a value of that JSON type; 1 = a value of a type not
 * recorded; a list = a string from that list; "*" = any nested fields; an object = those fields.
 */
export type FieldTree = 1 | "string" | "number" | "boolean" | "*" | string[] | { [field: string]: FieldTree };
export type ValueType = "string" | "number" | "boolean";

/** source → detail-type → the fields of `detail`. */
export type EventCatalogue = Record<string, Record<string, FieldTree>>;

const BACKUP_EVENTS_DOC = "https://docs.aws.amazon.com/aws-backup/latest/devguide/eventbridge.html";
const BACKUP_CREATED_BY = { backupPlanId: 1, backupPlanArn: 1, backupPlanVersion: 1, backupPlanRuleId: 1 } as const;
const CONFIG_EVALUATION: FieldTree = {
    evaluationResultIdentifier: {
        evaluationResultQualifier: { configRuleName: 1, resourceType: 1, resourceId: 1, evaluationMode: ["DETECTIVE", "PROACTIVE"] },
        orderingTimestamp: 1,
        resourceEvaluationId: 1,
    },
    complianceType: ["COMPLIANT", "INSUFFICIENT_DATA", "NON_COMPLIANT", "NOT_APPLICABLE"],
    resultRecordedTime: 1,
    configRuleInvokedTime: 1,
    annotation: 1,
    resultToken: 1,
};

/**
 * Events of services @aws-cdk/aws-service-spec has no EventBridge schema for. Fields are those of the
 * services' documented example events; where a value set is listed, it is the API's enum for that field.
 */
export const SUPPLEMENTAL_EVENTS: Record<string, { source: string; events: Record<string, FieldTree> }> = {
    "aws.backup": {
        // Example events of every type (read 2026-12-04): backup and copy jobs report `state`, restore jobs
        // `status` ("consistent with the AWS Backup API": BackupJob.State, CopyJob.State, DescribeRestoreJob.Status);
        // only a restore job's CREATED event carries `state`. Restore events may carry any DescribeRestoreJob field.
        // Enums: https://docs.aws.amazon.com/aws-backup/latest/devguide/API_DescribeBackupJob.html,
        // API_CopyJob.html, API_DescribeRestoreJob.html.
        source: `${BACKUP_EVENTS_DOC}; https://docs.aws.amazon.com/aws-backup/latest/devguide/API_DescribeRestoreJob.html`,
        events: {
            "Backup Job State Change": {
                backupJobId: 1, backupSizeInBytes: 1, backupVaultArn: 1, backupVaultName: 1, bytesTransferred: 1,
                creationDate: 1, completionDate: 1, expectedCompletionDate: 1, iamRoleArn: 1, resourceArn: 1, resourceType: 1,
                state: ["ABORTED", "ABORTING", "COMPLETED", "CREATED", "EXPIRED", "FAILED", "PARTIAL", "PENDING", "RUNNING"],
                statusMessage: 1, startBy: 1, percentDone: 1, retryCount: 1, createdBy: { ...BACKUP_CREATED_BY },
            },
            "Copy Job State Change": {
                copyJobId: 1, backupSizeInBytes: 1, creationDate: 1, completionDate: 1, iamRoleArn: 1, resourceArn: 1, resourceType: 1,
                sourceBackupVaultArn: 1, destinationBackupVaultArn: 1, destinationRecoveryPointArn: 1,
                state: ["COMPLETED", "CREATED", "FAILED", "PARTIAL", "RUNNING"],
                statusMessage: 1, createdBy: { ...BACKUP_CREATED_BY },
            },
            "Restore Job State Change": {
                restoreJobId: 1, accountId: 1, backupSizeInBytes: 1, backupVaultArn: 1, recoveryPointArn: 1, recoveryPointCreationDate: 1,
                sourceResourceArn: 1, createdResourceArn: 1, creationDate: 1, completionDate: 1, expectedCompletionTimeMinutes: 1,
                iamRoleArn: 1, percentDone: 1, resourceType: 1,
                status: ["ABORTED", "COMPLETED", "FAILED", "PENDING", "RUNNING"],
                statusMessage: 1,
                state: ["CREATED"],
                restoreTestingPlanArn: 1, createdBy: { restoreTestingPlanArn: 1 },
                validationStatus: ["FAILED", "SUCCESSFUL", "TIMED_OUT", "VALIDATING"], validationStatusMessage: 1,
                deletionStatus: ["DELETING", "FAILED", "SUCCESSFUL"], deletionStatusMessage: 1,
            },
            "Backup Plan State Change": { backupPlanId: 1, versionId: 1, creationDate: 1, modifiedAt: 1, deletionDate: 1, state: ["CREATED", "DELETED", "MODIFIED"] },
            "Backup Vault State Change": { backupVaultName: 1, isLocked: 1, state: ["CREATED", "DELETED", "MODIFIED"] },
            "Recovery Point State Change": {
                backupVaultName: 1, backupVaultArn: 1, creationDate: 1, completionDate: 1, iamRoleArn: 1, resourceType: 1, resourceArn: 1,
                status: ["AVAILABLE", "COMPLETED", "CREATING", "DELETING", "EXPIRED", "PARTIAL", "STOPPED"],
                isEncrypted: 1, storageClass: 1, createdBy: { ...BACKUP_CREATED_BY }, lifecycle: "*", calculatedLifeCycle: "*",
            },
            "Region Setting State Change": { modifiedAt: 1, ResourceTypeOptInPreference: "*", state: 1 },
        },
    },
    "aws.config": {
        // The compliance-change event's detail is the compliance notification (example, read 2026-12-04);
        // complianceType and evaluationMode are the API's ComplianceType / EvaluationMode enums.
        source: "https://docs.aws.amazon.com/config/latest/developerguide/monitor-config-with-cloudwatchevents.html; https://docs.aws.amazon.com/config/latest/developerguide/example-config-rule-compliance-notification.html",
        events: {
            "Config Rules Compliance Change": {
                awsAccountId: 1, awsRegion: 1, configRuleName: 1, configRuleARN: 1, resourceType: 1, resourceId: 1,
                newEvaluationResult: CONFIG_EVALUATION, oldEvaluationResult: CONFIG_EVALUATION,
                notificationCreationTime: 1, messageType: ["ComplianceChangeNotification"], recordVersion: 1,
            },
        },
    },
};

let loaded: EventCatalogue | undefined;

/** The spec's event schemas plus SUPPLEMENTAL_EVENTS. */
export function eventCatalogue(): EventCatalogue {
    if (!loaded) {
        const spec: EventCatalogue = JSON.parse(fs.readFileSync(path.join(__dirname, "event-schemas.json"), "utf8"));
        loaded = { ...spec };
        for (const [source, s] of Object.entries(SUPPLEMENTAL_EVENTS)) loaded[source] = { ...(spec[source] ?? {}), ...s.events };
    }
    return loaded;
}

// --- Matching ------------------------------------------------------------------------------

type Scalar = string | number | boolean | null;
interface Leaf { path: string[]; matchers: unknown[] }

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const OPERATORS = new Set(["prefix", "suffix", "equals-ignore-case", "anything-but", "numeric", "exists", "wildcard", "cidr"]);

/** The `$or`-free alternatives of a pattern, each as its list of (field path, matchers). */
export function alternatives(pattern: Record<string, unknown>, prefix: string[] = []): Leaf[][] {
    let acc: Leaf[][] = [[]];
    for (const [key, value] of Object.entries(pattern)) {
        let options: Leaf[][];
        if (key === "$or") {
            if (!Array.isArray(value) || value.length < 2 || !value.every(isObject)) throw new Error(`${[...prefix, key].join(".")}: $or takes a list of at least two patterns`);
            options = value.flatMap(branch => alternatives(branch as Record<string, unknown>, prefix));
        } else if (Array.isArray(value)) {
            options = [[{ path: [...prefix, key], matchers: value }]];
        } else if (isObject(value)) {
            options = alternatives(value, [...prefix, key]);
        } else {
            throw new Error(`${[...prefix, key].join(".")}: a pattern field holds a list of matchers or nested fields (got ${JSON.stringify(value)})`);
        }
        acc = acc.flatMap(a => options.map(o => [...a, ...o]));
    }
    return acc;
}

function wildcard(glob: string, value: string): boolean {
    const re = new RegExp(`^${glob.split("*").map(s => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`, "s");
    return re.test(value);
}

/** Whether one matcher matches one value of the event (`undefined`: the field is absent). */
export function matcherMatches(matcher: unknown, value: Scalar | undefined): boolean {
    if (!isObject(matcher)) return value !== undefined && matcher === value;
    const [op, arg] = Object.entries(matcher)[0] ?? [];
    if (!OPERATORS.has(op)) throw new Error(`unknown matcher ${JSON.stringify(matcher)}`);
    if (op === "exists") return (value !== undefined) === arg;
    if (value === undefined) return false;
    const s = typeof value === "string" ? value : undefined;
    switch (op) {
        case "prefix": return s !== undefined && (isObject(arg) ? s.toLowerCase().startsWith(String(arg["equals-ignore-case"]).toLowerCase()) : s.startsWith(String(arg)));
        case "suffix": return s !== undefined && (isObject(arg) ? s.toLowerCase().endsWith(String(arg["equals-ignore-case"]).toLowerCase()) : s.endsWith(String(arg)));
        case "equals-ignore-case": return s !== undefined && s.toLowerCase() === String(arg).toLowerCase();
        case "wildcard": return s !== undefined && wildcard(String(arg), s);
        case "anything-but": {
            if (isObject(arg)) return !matcherMatches(arg, value);
            return !(Array.isArray(arg) ? arg : [arg]).includes(value);
        }
        case "numeric": {
            if (typeof value !== "number") return false;
            const terms = arg as unknown[];
            for (let i = 0; i < terms.length; i += 2) {
                const [cmp, n] = [terms[i], Number(terms[i + 1])];
                const ok = cmp === "<" ? value < n : cmp === "<=" ? value <= n : cmp === ">" ? value > n : cmp === ">=" ? value >= n : cmp === "=" ? value === n : false;
                if (!ok) return false;
            }
            return true;
        }
        default: return true; // cidr: IP addresses; no event we check carries one
    }
}

function valuesAt(event: unknown, pathParts: string[]): Scalar[] {
    let current: unknown[] = [event];
    for (const p of pathParts) {
        current = current.flatMap(c => (Array.isArray(c) ? c : [c])).filter(isObject).map(c => c[p]).filter(v => v !== undefined);
    }
    return current.flatMap(c => (Array.isArray(c) ? c : [c])).filter(v => !isObject(v)) as Scalar[];
}

/** Whether an event matches a pattern (object or its JSON text), as EventBridge decides. */
export function patternMatches(pattern: unknown, event: unknown): boolean {
    const p = typeof pattern === "string" ? JSON.parse(pattern) : pattern;
    return alternatives(p).some(alt => alt.every(({ path: at, matchers }) => {
        const values = valuesAt(event, at);
        if (values.length === 0) return matchers.some(m => matcherMatches(m, undefined));
        return values.some(v => matchers.some(m => matcherMatches(m, v)));
    }));
}

// --- Checking against the catalogue -----------------------------------------------------------

/** Whether a matcher can match some value of a JSON type (EventBridge compares numbers only with numbers, strings with strings). */
export function typeAdmits(type: ValueType, matcher: unknown): boolean {
    if (matcher === null) return true;
    if (!isObject(matcher)) return typeof matcher === type;
    const op = Object.keys(matcher)[0];
    if (op === "numeric") return type === "number";
    if (op === "prefix" || op === "suffix" || op === "equals-ignore-case" || op === "wildcard" || op === "cidr") return type === "string";
    return true; // exists, anything-but
}

function describe(tree: FieldTree): string {
    return isObject(tree) ? Object.keys(tree).join(", ") : "";
}

/** The shape at a path below `detail`, or the index of the first part the event does not carry. */
function lookup(tree: FieldTree, parts: string[]): { found: FieldTree } | { missingAt: number } {
    let t = tree;
    for (let i = 0; i < parts.length; i++) {
        if (t === "*") return { found: "*" };
        if (!isObject(t) || !(parts[i] in t)) return { missingAt: i };
        t = t[parts[i]];
    }
    return { found: t };
}

const onlyAbsence = (matchers: unknown[]) => matchers.length > 0 && matchers.every(m => isObject(m) && m.exists === false);

/** The catalogue's detail-types of a source that a detail-type matcher list selects. */
function selectTypes(known: string[], matchers: unknown[]): string[] {
    return known.filter(t => matchers.some(m => matcherMatches(m, t)));
}

/**
 * Every reason an event pattern can never match the events it names: a detail-type the source does
 * not send, a detail field those events do not carry, or values the field never takes. Empty when
 * the pattern is sound (or names no AWS service source the catalogue knows and no detail field).
 */
export function eventPatternProblems(raw: unknown, catalogue: EventCatalogue = eventCatalogue()): string[] {
    let pattern: unknown;
    try {
        pattern = typeof raw === "string" ? JSON.parse(raw) : raw;
    } catch (e) {
        return [`is not JSON (${(e as Error).message})`];
    }
    if (!isObject(pattern)) return [`must be a JSON object (got ${JSON.stringify(pattern)})`];
    let alts: Leaf[][];
    try {
        alts = alternatives(pattern);
        for (const alt of alts) for (const l of alt) for (const m of l.matchers) matcherMatches(m, "");
    } catch (e) {
        return [(e as Error).message];
    }
    const problems = new Set<string>();
    for (const alt of alts) {
        const sources = alt.filter(l => l.path.join(".") === "source").flatMap(l => l.matchers).filter((m): m is string => typeof m === "string");
        const typeMatchers = alt.filter(l => l.path.join(".") === "detail-type").map(l => l.matchers);
        const detailLeaves = alt.filter(l => l.path[0] === "detail" && l.path.length > 1 && !onlyAbsence(l.matchers));
        for (const source of sources) {
            const events = catalogue[source];
            if (!events) {
                if (source.startsWith("aws.") && (typeMatchers.length || detailLeaves.length)) {
                    problems.add(`source ${source}: the plan knows no schema of its events; add their detail fields, with their source, to SUPPLEMENTAL_EVENTS in checks/event-patterns.ts`);
                }
                continue;
            }
            const known = Object.keys(events);
            let types = known;
            for (const matchers of typeMatchers) {
                for (const m of matchers) {
                    if (selectTypes(known, [m]).length === 0) problems.add(`detail-type ${JSON.stringify(m)}: ${source} sends no such event (it sends: ${known.join(", ")})`);
                }
                types = types.filter(t => selectTypes(known, matchers).includes(t));
            }
            const explicit = typeMatchers.length > 0;
            for (const leaf of detailLeaves) {
                const field = leaf.path.join(".");
                const parts = leaf.path.slice(1);
                const verdicts = types.map(t => ({ t, r: lookup(events[t], parts) }));
                const carried = verdicts.filter(v => "found" in v.r);
                // With detail-types named, every one of them must carry the field; with none named, at least one event must.
                if (!explicit && carried.length === 0) {
                    problems.add(`${field}: no event of ${source} carries ${["detail", ...parts].join(".")} (its events: ${known.join(", ")})`);
                }
                const failing = explicit ? verdicts.filter(v => "missingAt" in v.r) : [];
                for (const { t, r } of failing) {
                    const at = (r as { missingAt: number }).missingAt;
                    const parent = lookup(events[t], parts.slice(0, at));
                    const has = "found" in parent ? describe(parent.found) : "";
                    problems.add(`${field}: "${t}" events of ${source} carry no ${["detail", ...parts.slice(0, at + 1)].join(".")}${has ? ` (${["detail", ...parts.slice(0, at)].join(".")} has: ${has})` : ""}`);
                }
                const valueProblems: string[] = [];
                let someEventMatches = false;
                for (const { t, r } of carried) {
                    const shape = (r as { found: FieldTree }).found;
                    if (isObject(shape)) {
                        valueProblems.push(`${field}: in "${t}" events of ${source} it is an object (fields: ${describe(shape)}); match one of its fields`);
                    } else if (Array.isArray(shape) && !leaf.matchers.some(m => isObject(m) && "exists" in m)
                        && !shape.some(v => leaf.matchers.some(m => matcherMatches(m, v)))) {
                        // Name the sibling field that takes most of the wanted values, if one does.
                        const parent = lookup(events[t], parts.slice(0, -1));
                        const siblings = "found" in parent && isObject(parent.found) ? Object.entries(parent.found) : [];
                        const takes = (v: FieldTree) => Array.isArray(v) ? leaf.matchers.filter(m => v.some(x => matcherMatches(m, x))) : [];
                        const best = siblings.filter(([k]) => k !== parts[parts.length - 1])
                            .map(([k, v]) => ({ k, wanted: takes(v) })).filter(c => c.wanted.length)
                            .sort((a, b) => b.wanted.length - a.wanted.length)[0];
                        const hint = best ? `; ${["detail", ...parts.slice(0, -1), best.k].join(".")} takes ${best.wanted.map(m => JSON.stringify(m)).join(", ")}` : "";
                        valueProblems.push(`${field}: never matches "${t}" events of ${source}: they carry ${parts[parts.length - 1]} only as ${shape.join(", ")} (the pattern wants ${leaf.matchers.map(m => JSON.stringify(m)).join(", ")})${hint}`);
                    } else if ((shape === "string" || shape === "number" || shape === "boolean") && !leaf.matchers.some(m => typeAdmits(shape, m))) {
                        const hint = shape === "number" ? ` (compare numbers with {"numeric": [...]})` : "";
                        valueProblems.push(`${field}: never matches "${t}" events of ${source}: they carry ${parts[parts.length - 1]} as a ${shape}, which ${leaf.matchers.map(m => JSON.stringify(m)).join(", ")} cannot match${hint}`);
                    } else {
                        someEventMatches = true;
                    }
                }
                // With detail-types named, each must be matchable; with none named, one matchable event is enough.
                if (explicit || !someEventMatches) valueProblems.forEach(p => problems.add(p));
            }
        }
    }
    return [...problems];
}
