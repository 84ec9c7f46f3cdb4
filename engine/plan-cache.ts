/**
 * A disk cache of offline plans, shared by every mocha worker (and by `npm run plan` in CI):
 * each stack configuration is planned once per change of the sources, whatever number of test
 * files and processes assert on it.
 *
 * An entry's key is the SHA-256 of the plan options and of every file of the repository that can
 * change a plan: every file git tracks or would track (`git ls-files -co --exclude-standard`),
 * except test files (tests/**\/*.test.ts), Markdown and docs/. A stale entry is therefore never
 * read; entries of older sources are pruned. Without git the cache is off and every call plans.
 *
 * Concurrency: the first process to want a key takes `<key>.lock` (O_EXCL) and plans; the others
 * wait for `<key>.json` (written atomically by rename). A lock older than LOCK_STALE_MS is taken over.
 * PLAN_CACHE=off disables the cache.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { execFileSync } from "child_process";
import type { Plan, PlanOptions } from "./planner";
import { REPO_ROOT } from "./paths";

export const PLAN_CACHE_DIR = path.join(REPO_ROOT, ".build", "plan-cache");
const LOCK_STALE_MS = 180_000;
const POLL_MS = 50;

let digest: string | null | undefined;

/** Files that cannot change a plan. */
function irrelevant(file: string): boolean {
    return /^tests\/.*\.test\.ts$/.test(file) || file.endsWith(".md") || file.startsWith("docs/") || file.startsWith(".github/");
}

/** SHA-256 over the path and content of every file that can change a plan (null without git). */
export function sourceDigest(): string | null {
    if (digest !== undefined) return digest;
    try {
        const files = execFileSync("git", ["ls-files", "-co", "--exclude-standard", "-z"], { cwd: REPO_ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] })
            .split("\0").filter(f => f && !irrelevant(f)).sort();
        const hash = crypto.createHash("sha256");
        for (const f of files) {
            hash.update(f).update("\0");
            try {
                hash.update(fs.readFileSync(path.join(REPO_ROOT, f)));
            } catch {
                hash.update("(missing)"); // listed but deleted in the work tree
            }
            hash.update("\0");
        }
        digest = hash.digest("hex");
    } catch {
        digest = null;
    }
    return digest;
}

/** The cache key of a plan, or null when the cache is off. */
export function planKey(opts: PlanOptions): string | null {
    if (process.env.PLAN_CACHE === "off") return null;
    const src = sourceDigest();
    if (!src) return null;
    // A program outside the repository: its sources are not in the digest, so its plans are not cached.
    if (path.relative(REPO_ROOT, path.resolve(opts.projectDir ?? REPO_ROOT)).startsWith("..")) return null;
    const normal = {
        stack: opts.stack,
        // A --config file by its content (its path does not change the plan; tests write them to temp folders).
        configText: opts.configFile ? (fs.existsSync(opts.configFile) ? fs.readFileSync(opts.configFile, "utf8") : "(missing)") : null,
        overrides: Object.fromEntries(Object.entries(opts.overrides ?? {}).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, v ?? null])),
        projectDir: path.relative(REPO_ROOT, opts.projectDir ?? REPO_ROOT),
        program: opts.program ?? null,
        policyConfig: opts.policyConfig ?? null,
        preview: opts.preview ?? true,
        mocksText: opts.mocksFile ? (fs.existsSync(opts.mocksFile) ? fs.readFileSync(opts.mocksFile, "utf8") : "(missing)") : null,
    };
    return `${src.slice(0, 16)}-${crypto.createHash("sha256").update(JSON.stringify(normal)).digest("hex").slice(0, 32)}`;
}

function readEntry(file: string): Plan | undefined {
    try {
        return JSON.parse(fs.readFileSync(file, "utf8"));
    } catch {
        return undefined;
    }
}

/** Write an entry atomically; remove entries of other sources. Never throws (the cache is an optimisation). */
export function storePlan(key: string | null, plan: Plan): void {
    if (!key) return;
    try {
        fs.mkdirSync(PLAN_CACHE_DIR, { recursive: true });
        const file = path.join(PLAN_CACHE_DIR, `${key}.json`);
        const tmp = `${file}.${process.pid}.tmp`;
        fs.writeFileSync(tmp, JSON.stringify(plan));
        fs.renameSync(tmp, file);
        const prefix = key.split("-")[0];
        for (const f of fs.readdirSync(PLAN_CACHE_DIR)) {
            if (!f.startsWith(prefix) && f.endsWith(".json")) fs.rmSync(path.join(PLAN_CACHE_DIR, f), { force: true });
        }
    } catch {
        // read-only or full disk: plans are simply not shared
    }
}

/** Whether the process that wrote the lock still runs (a killed test worker leaves its lock behind). */
function ownerAlive(lock: string): boolean {
    const pid = Number(fs.readFileSync(lock, "utf8"));
    if (!pid) return true; // being written
    try {
        process.kill(pid, 0);
        return true;
    } catch (e: any) {
        return e?.code === "EPERM";
    }
}

function tryLock(lock: string): boolean {
    try {
        fs.mkdirSync(PLAN_CACHE_DIR, { recursive: true });
        fs.writeFileSync(lock, String(process.pid), { flag: "wx" });
        return true;
    } catch (e: any) {
        if (e?.code !== "EEXIST") return true; // cannot lock here: plan without sharing
        try {
            if (!ownerAlive(lock) || Date.now() - fs.statSync(lock).mtimeMs > LOCK_STALE_MS) {
                fs.rmSync(lock, { force: true });
                return tryLock(lock);
            }
        } catch {
            return tryLock(lock); // released meanwhile
        }
        return false;
    }
}

/**
 * The plan of `opts`: from the cache when any process has planned the same sources and options,
 * else computed by `compute` (and stored). A failing plan is not stored: each caller sees its error.
 */
export async function cachedPlan(opts: PlanOptions, compute: () => Promise<Plan>): Promise<Plan> {
    const key = planKey(opts);
    if (!key) return compute();
    const file = path.join(PLAN_CACHE_DIR, `${key}.json`);
    const lock = path.join(PLAN_CACHE_DIR, `${key}.lock`);
    for (;;) {
        const hit = readEntry(file);
        if (hit) return hit;
        if (tryLock(lock)) break;
        await new Promise(r => setTimeout(r, POLL_MS));
    }
    try {
        const again = readEntry(file); // stored between our miss and our lock
        if (again) return again;
        const plan = await compute();
        storePlan(key, plan);
        return plan;
    } finally {
        fs.rmSync(lock, { force: true });
    }
}
