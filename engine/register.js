/**
 * The TypeScript loader of every npm script and of mocha (`node -r ./engine/register.js x.ts`).
 *
 * Why not ts-node: a CPU profile of `npm run plan -- prod` under ts-node spent ~1.9 s in
 * source-map-support (Pulumi captures a stack trace for every resource it registers, and each was
 * mapped through source maps) and ~1.3 s transpiling with TypeScript, for a plan whose SDKs load in
 * under 1 s. This loader:
 *   - strips types with esbuild (already a dependency, for the Lambda bundles) — no type check:
 *     `npm run typecheck` does that and CI runs it;
 *   - caches the JavaScript in .build/ts-cache by content hash, so an unchanged file is never
 *     transpiled twice (esbuild is loaded only on a miss);
 *   - installs no source-map support, unless `--verbose` is on the command line or TS_SOURCEMAP=1:
 *     then it emits inline source maps and turns on Node's own source-map support, so stack traces
 *     point into the .ts files;
 *   - turns on Node's compile cache (module.enableCompileCache, Node >= 22.1) in .build/node-compile-cache.
 * Tool caches only: deleting .build changes nothing but the next run's time.
 */
"use strict";
const crypto = require("crypto");
const fs = require("fs");
const path = require("path");
const Module = require("module");

const ROOT = path.resolve(__dirname, "..");
const CACHE = path.join(ROOT, ".build", "ts-cache");
// mocha (its main process and its workers): failures should name the right line of the test.
const IN_MOCHA = /[\\/]mocha[\\/]/.test(process.argv[1] ?? "");
const SOURCE_MAPS = process.argv.includes("--verbose") || process.env.TS_SOURCEMAP === "1" || IN_MOCHA;
// esbuild's options; part of every cache key, so changing them invalidates the cache.
const OPTIONS = {
    loader: "ts",
    format: "cjs",
    target: "node22",
    sourcemap: SOURCE_MAPS ? "inline" : false,
    // `await import("./x")` becomes a require, as tsc compiles it for module commonjs.
    supported: { "dynamic-import": false },
    // As tsconfig.json compiles (target ES2022 ⇒ class fields use define semantics).
    tsconfigRaw: { compilerOptions: { target: "ES2022", useDefineForClassFields: true, esModuleInterop: true } },
};
const OPTIONS_KEY = JSON.stringify(OPTIONS);

if (Module.enableCompileCache && !process.env.NODE_DISABLE_COMPILE_CACHE) {
    Module.enableCompileCache(path.join(ROOT, ".build", "node-compile-cache"));
}
if (SOURCE_MAPS) process.setSourceMapsEnabled(true);

let esbuild;
function transpile(source, filename) {
    const key = crypto.createHash("sha256").update(OPTIONS_KEY).update("\0").update(filename).update("\0").update(source).digest("hex");
    const cached = path.join(CACHE, `${key}.js`);
    try {
        return fs.readFileSync(cached, "utf8");
    } catch {
        // a miss: transpile below
    }
    esbuild ??= require("esbuild");
    const { code } = esbuild.transformSync(source, { ...OPTIONS, sourcefile: filename });
    try {
        fs.mkdirSync(CACHE, { recursive: true });
        const tmp = `${cached}.${process.pid}.tmp`;
        fs.writeFileSync(tmp, code);
        fs.renameSync(tmp, cached); // atomic: parallel test workers share the cache
    } catch {
        // a read-only checkout still runs, uncached
    }
    return code;
}

require.extensions[".ts"] = function loadTs(module, filename) {
    module._compile(transpile(fs.readFileSync(filename, "utf8"), filename), filename);
};
