/**
 * esbuild bundles, cached: every offline plan bundles the same four handlers, and the tests plan
 * dozens of stack configurations. A bundle is reused only while its options and the content of
 * every file esbuild read for it (its metafile inputs) are unchanged.
 *
 * Within one process the cache is in memory. On disk (shared by processes: CI's plans and every
 * mocha worker) only when BUNDLE_CACHE_DIR is set, which the offline planner does
 * (engine/planner.ts): a real `pulumi up` always bundles from source and writes nothing.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import type * as esbuild from "esbuild";

/** esbuild's version, part of every key; esbuild itself is loaded only to build (a hit needs none of it). */
const ESBUILD_VERSION: string = require("esbuild/package.json").version;

interface Input {
    /** sha256 of the content esbuild read. */
    hash: string;
    /** Size and modification time then: when both are unchanged the content is not read again. */
    size: number;
    mtimeMs: number;
}

interface Entry {
    /** Absolute path → what esbuild read there. */
    inputs: Record<string, Input>;
    code: string;
    /** When the build started (ms): a file modified since then may have the same mtime as it had then. */
    builtAt: number;
}

const memory = new Map<string, Entry>();

function sha256(data: string | Buffer): string {
    return crypto.createHash("sha256").update(data).digest("hex");
}

function describe(file: string): Input {
    const stat = fs.statSync(file);
    return { hash: sha256(fs.readFileSync(file)), size: stat.size, mtimeMs: stat.mtimeMs };
}

function fresh(entry: Entry): boolean {
    return Object.entries(entry.inputs).every(([file, seen]) => {
        try {
            const stat = fs.statSync(file);
            // As git does with its index: an mtime that is not clearly older than the build is "racy"
            // (file timestamps are coarser than a fast rewrite), so the content decides.
            if (stat.size === seen.size && stat.mtimeMs === seen.mtimeMs && stat.mtimeMs < entry.builtAt - 1000) return true;
            return stat.size === seen.size && sha256(fs.readFileSync(file)) === seen.hash;
        } catch {
            return false;
        }
    });
}

/** The single output file of an esbuild build (write: false), from the cache when still valid. */
export function cachedBundle(options: esbuild.BuildOptions): string {
    const key = sha256(JSON.stringify({ esbuild: ESBUILD_VERSION, cwd: process.cwd(), options }));
    const dir = process.env.BUNDLE_CACHE_DIR;
    const file = dir ? path.join(dir, `${key}.json`) : undefined;
    let entry = memory.get(key);
    if (!entry && file && fs.existsSync(file)) {
        try {
            entry = JSON.parse(fs.readFileSync(file, "utf8")) as Entry;
        } catch { /* a partial or foreign file: rebuild */ }
    }
    if (entry && fresh(entry)) {
        memory.set(key, entry);
        return entry.code;
    }
    const builtAt = Date.now();
    const { buildSync }: typeof esbuild = require("esbuild");
    const result = buildSync({ ...options, write: false, metafile: true });
    if (result.outputFiles?.length !== 1) throw new Error(`esbuild produced ${result.outputFiles?.length ?? 0} files for ${JSON.stringify(options.entryPoints)}; expected one`);
    const cwd = options.absWorkingDir ?? process.cwd();
    const inputs = Object.fromEntries(Object.keys(result.metafile!.inputs).map(f => [path.resolve(cwd, f), describe(path.resolve(cwd, f))]));
    entry = { inputs, code: result.outputFiles[0].text, builtAt };
    memory.set(key, entry);
    if (file) {
        try {
            fs.mkdirSync(dir!, { recursive: true });
            const tmp = `${file}.${process.pid}.tmp`;
            fs.writeFileSync(tmp, JSON.stringify(entry));
            fs.renameSync(tmp, file);
        } catch { /* not shared: fine */ }
    }
    return entry.code;
}
