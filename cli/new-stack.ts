/**
 * Writes a complete stack settings file from an environment profile and a security tier:
 *   npm run new-stack -- <stack> --environment <dev|staging|prod> [--tier <basic|standard|enterprise>]
 *       [--region <region>] [--cidr <cidr>] [--alert-email <address>] [--same-account-as <stack>]...
 *       [--own-account] [--project <dir>] [--write]
 * The Pulumi CLI requires every setting that Pulumi.yaml types without a default to be set by
 * the stack, so each stack file carries the profile's and tier's values explicitly; this script
 * is how a new stack gets them. Without --write it prints the file.
 *
 * It decides, and says why in the file's header:
 *   - the region: --region, else the region of the existing stacks of the same environment, else us-east-1;
 *   - the VPC CIDR: --cidr (refused if it overlaps an existing stack's), else the first 10.N.0.0/16
 *     (N = 10, 20, ... then any) that overlaps no existing stack's — never a copy of the profile's;
 *   - ownsAccountBaseline: false when another stack of the same account and region owns the account
 *     singletons. Stacks of the same environment share an account (README: one account per
 *     environment); --same-account-as adds others, --own-account says this stack has its own account.
 */
import * as fs from "fs";
import * as path from "path";
import { ENVIRONMENT_PROFILES, NAMESPACE, resolveSettings, SECURITY_TIERS, SETTINGS, Settings, stackNameProblems } from "../config";
import { didYouMean, show } from "../components/messages";
import { MAX_STACK_NAME_LENGTH } from "../components/naming";
import { checkWritable, fail, InvalidSettings, parseCliArgs, runCli, shownPath, userPath } from "../engine/cli";
import { REPO_ROOT } from "../engine/paths";
import { listStacks, loadStackConfig } from "../engine/stack-config";

const USAGE = `usage: npm run new-stack -- <stack> --environment <dev|staging|prod> [--tier <basic|standard|enterprise>]
           [--region <region>] [--cidr <cidr>] [--alert-email <address>] [--same-account-as <stack>]...
           [--own-account] [--project <dir>] [--write]
  Prints (or with --write, writes) Pulumi.<stack>.yaml: the profile's and tier's settings, a region,
  a VPC CIDR that overlaps no existing stack's, and ownsAccountBaseline false when another stack of
  the same account and region owns the account singletons. A stack name is at most ${MAX_STACK_NAME_LENGTH} lower-case
  letters, digits and hyphens: every physical name carries it, and the tightest AWS name cap leaves
  it that much room (docs/naming.md). --project is relative to the folder you run the command from.
Exit codes: 0 ok, 2 invalid settings, 3 usage or file problem, 4 unexpected error (docs/cli.md).`;

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

/** What new-stack needs to know of an existing stack. */
export interface ExistingStack {
    stack: string;
    environment: string;
    region: string;
    vpcCidr: string;
    ownsAccountBaseline: boolean;
}

/** The existing stacks of a project whose settings resolve (others cannot be compared, and are named). */
export function existingStacks(projectDir: string, except: string): { stacks: ExistingStack[]; unreadable: string[] } {
    const stacks: ExistingStack[] = [];
    const unreadable: string[] = [];
    for (const stack of listStacks(projectDir).filter(s => s !== except)) {
        try {
            const s = resolveSettings(loadStackConfig(projectDir, stack).config);
            stacks.push({ stack, environment: s.environment, region: s.region, vpcCidr: s.vpcCidr, ownsAccountBaseline: s.ownsAccountBaseline });
        } catch {
            unreadable.push(stack);
        }
    }
    return { stacks, unreadable };
}

function cidrRange(cidr: string): [number, number] {
    const [ip, bits] = cidr.split("/");
    const base = ip.split(".").reduce((a, o) => a * 256 + Number(o), 0);
    const size = 2 ** (32 - Number(bits));
    const start = base - (base % size);
    return [start, start + size - 1];
}

/** Whether two IPv4 CIDR blocks share an address. */
export function cidrsOverlap(a: string, b: string): boolean {
    const [a0, a1] = cidrRange(a);
    const [b0, b1] = cidrRange(b);
    return a0 <= b1 && b0 <= a1;
}

export interface StackRequest {
    stack: string;
    environment: keyof typeof ENVIRONMENT_PROFILES;
    region?: string;
    cidr?: string;
    sameAccountAs?: string[];
    ownAccount?: boolean;
}

export interface StackProposal {
    region: string;
    vpcCidr: string;
    ownsAccountBaseline: boolean;
    /** Why each was chosen: the file's header and the command's stderr. */
    notes: string[];
}

/** Region, CIDR and account-baseline ownership of a new stack, given the existing ones. */
export function proposeStack(req: StackRequest, existing: ExistingStack[]): StackProposal {
    const notes: string[] = [];
    const sameEnv = existing.filter(s => s.environment === req.environment);

    let region = req.region;
    if (region) notes.push(`region ${region}: given`);
    else {
        const used = sameEnv.map(s => s.region);
        region = used.sort((a, b) => used.filter(x => x === b).length - used.filter(x => x === a).length)[0] ?? "us-east-1";
        notes.push(`region ${region}: proposed (${sameEnv.length ? `the region of the ${req.environment} stacks ${sameEnv.map(s => s.stack).join(", ")}` : "no other stack of this environment"}); pass --region to choose`);
    }

    const taken = existing.map(s => ({ stack: s.stack, cidr: s.vpcCidr }));
    let vpcCidr = req.cidr;
    if (vpcCidr) {
        const clash = /^\d+\.\d+\.\d+\.\d+\/\d+$/.test(vpcCidr) ? taken.filter(t => cidrsOverlap(vpcCidr!, t.cidr)) : [];
        if (clash.length) {
            throw new InvalidSettings("new stack", [`${NAMESPACE}:vpcCidr: overlaps ${clash.map(c => `${c.cidr} of stack ${c.stack}`).join(", ")}; VPCs that may be peered or share a Transit Gateway need distinct ranges (got ${show(vpcCidr)})`]);
        }
        notes.push(`vpcCidr ${vpcCidr}: given; overlaps no existing stack's`);
    } else {
        const candidates = [...Array.from({ length: 25 }, (_, i) => (i + 1) * 10), ...Array.from({ length: 256 }, (_, i) => i)];
        const free = candidates.map(n => `10.${n}.0.0/16`).find(c => !taken.some(t => cidrsOverlap(c, t.cidr)));
        if (!free) throw new InvalidSettings("new stack", [`${NAMESPACE}:vpcCidr: every 10.N.0.0/16 overlaps an existing stack's; pass --cidr (got nothing)`]);
        vpcCidr = free;
        notes.push(`vpcCidr ${vpcCidr}: proposed, the first 10.N.0.0/16 that overlaps no existing stack's (${taken.map(t => `${t.stack} ${t.cidr}`).join(", ") || "none"}); pass --cidr to choose`);
    }

    const peers = req.ownAccount ? [] : existing.filter(s => s.environment === req.environment || (req.sameAccountAs ?? []).includes(s.stack));
    const owner = peers.find(s => s.ownsAccountBaseline && s.region === region);
    const ownsAccountBaseline = !owner;
    notes.push(owner
        ? `ownsAccountBaseline false: stack ${owner.stack} owns the account singletons of ${region} (same ${owner.environment === req.environment ? `environment, ${req.environment}, hence same account` : "account, --same-account-as"}); pass --own-account if this stack has an account of its own`
        : `ownsAccountBaseline true: ${req.ownAccount ? "--own-account" : `no other stack of this account owns the singletons of ${region}`}`);
    return { region, vpcCidr, ownsAccountBaseline, notes };
}

/** A choice among fixed values, or a usage error naming the likely one. */
function choice(option: string, value: string | undefined, allowed: string[]): string {
    if (value === undefined) fail(`--${option} is required (${allowed.join(", ")})`);
    if (!allowed.includes(value)) {
        const near = didYouMean(value, allowed);
        fail(`--${option} ${value}: must be ${allowed.slice(0, -1).join(", ")} or ${allowed[allowed.length - 1]}${near ? `; did you mean ${near}?` : ""}`);
    }
    return value;
}

if (require.main === module) {
    runCli("new-stack", USAGE, argv => {
        const { values, positionals } = parseCliArgs(argv, {
            environment: { type: "string" }, tier: { type: "string" }, region: { type: "string" }, cidr: { type: "string" },
            "alert-email": { type: "string" }, "same-account-as": { type: "string", multiple: true }, "own-account": { type: "boolean" },
            project: { type: "string" }, write: { type: "boolean" },
        }, { min: 1, max: 1, names: "<stack>" });
        const stack = positionals[0];
        // Root cause first: the arguments everything else depends on are checked before any setting.
        // The program refuses these names when it starts (config.ts): refused here, before a file exists.
        const nameProblems = stackNameProblems(stack);
        if (nameProblems.length) fail(nameProblems.join("; "));
        const environment = choice("environment", values.environment, Object.keys(ENVIRONMENT_PROFILES)) as StackRequest["environment"];
        const tier = values.tier === undefined ? undefined : choice("tier", values.tier, Object.keys(SECURITY_TIERS));
        const projectDir = values.project === undefined ? REPO_ROOT : userPath(values.project);
        if (!fs.existsSync(path.join(projectDir, "Pulumi.yaml"))) fail(`--project ${values.project}: no Pulumi.yaml in ${shownPath(projectDir)}`);
        const file = path.join(projectDir, `Pulumi.${stack}.yaml`);
        if (values.write) {
            if (fs.existsSync(file)) fail(`${shownPath(file)} exists; not overwriting (choose another stack name, or delete the file)`);
            checkWritable(file, "stack settings file");
        }
        const { stacks, unreadable } = existingStacks(projectDir, stack);
        for (const other of values["same-account-as"] ?? []) {
            if (!stacks.some(s => s.stack === other)) {
                const near = didYouMean(other, stacks.map(s => s.stack));
                fail(`--same-account-as ${other}: no such stack${near ? `; did you mean ${near}?` : ""} (stacks: ${stacks.map(s => s.stack).join(", ") || "none"})`);
            }
        }
        const proposal = proposeStack({ stack, environment, region: values.region, cidr: values.cidr, sameAccountAs: values["same-account-as"], ownAccount: values["own-account"] }, stacks);
        if (unreadable.length) proposal.notes.push(`not compared (their settings do not resolve): ${unreadable.join(", ")}`);

        const explicit: Record<string, unknown> = {
            environment, alertEmail: values["alert-email"] ?? `${stack}-alerts@example.com`,
            vpcCidr: proposal.vpcCidr, ownsAccountBaseline: proposal.ownsAccountBaseline,
        };
        if (tier) explicit.securityTier = tier;
        const header = [
            `Stack ${stack}: the ${environment} profile${tier ? ` with the ${tier} tier` : ""} (npm run new-stack).${values["alert-email"] ? "" : " Set alertEmail to your team's address."}`,
            ...proposal.notes.map(n => `- ${n}`),
            `Secrets: ${["twilioAuthToken", "stripeWebhookSecret", "stripeApiKey"].map(k => `pulumi config set --secret ${NAMESPACE}:${k} <value>`).join("; ")}`,
        ].join("\n");
        const text = renderStackFile(header, proposal.region, explicit); // invalid settings: exit 2, every problem
        if (!values.write) {
            process.stdout.write(text);
            return 0;
        }
        fs.writeFileSync(file, text);
        console.log(`wrote ${shownPath(file)}`);
        for (const n of proposal.notes) console.log(`  ${n}`);
        return 0;
    });
}
