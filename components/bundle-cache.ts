/**
 * esbuild bundles, cached: every offline plan bundles the same four handlers, and the tests plan
 * dozens of stack configurations. A bundle is reused only while its options and the content of
 * every file esbuild read for it (its metafile inputs) are unchanged.
 *
 * Within one process the cache is in memory. On disk (shared by processes: CI's plans and every
 * mocha worker) only when BUNDLE_CACHE_DIR is set, which the offline planner does
 * (scripts/lib/planner.ts): a real `pulumi up` always bundles from source and writes nothing.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as esbuild from "esbuild";

interface Entry {
    /** Absolute path → sha256 of the content esbuild read. */
    inputs: Record<string, string>;
    code: string;
}

const memory = new Map<string, Entry>();

function sha256(data: string | Buffer): string {
    return crypto.createHash("sha256").update(data).digest("hex");
}

function fresh(entry: Entry): boolean {
    return Object.entries(entry.inputs).every(([file, hash]) => {
        try {
            return sha256(fs.readFileSync(file)) === hash;
        } catch {
            return false;
        }
    });
}

/** The single output file of an esbuild build (write: false), from the cache when still valid. */
export function cachedBundle(options: esbuild.BuildOptions): string {
    const key = sha256(JSON.stringify({ esbuild: esbuild.version, cwd: process.cwd(), options }));
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
    const result = esbuild.buildSync({ ...options, write: false, metafile: true });
    if (result.outputFiles?.length !== 1) throw new Error(`esbuild produced ${result.outputFiles?.length ?? 0} files for ${JSON.stringify(options.entryPoints)}; expected one`);
    const cwd = options.absWorkingDir ?? process.cwd();
    const inputs = Object.fromEntries(Object.keys(result.metafile!.inputs).map(f => {
        const abs = path.resolve(cwd, f);
        return [abs, sha256(fs.readFileSync(abs))];
    }));
    entry = { inputs, code: result.outputFiles[0].text };
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
