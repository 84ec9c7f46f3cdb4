/**
 * `npm run bench`: for each Lambda handler, the deployed bundle's size and its cold module
 * initialisation (fresh Node processes requiring the bundle, as the runtime's init does):
 * median and spread (min-max, interquartile range) of BENCH_RUNS (default 15, at least 15)
 * cold starts. Each start is measured as CPU time (user + system, `process.cpuUsage`) and as wall
 * time: on a shared machine the wall time mostly measures the other jobs (waiting for a core),
 * the CPU time what the init itself costs. Budgets: <= 150 KB per bundle and <= 30 ms median
 * CPU time of initialisation; exits 1 when one is broken. Also prints what each Powertools
 * utility adds on its own (same esbuild settings).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { execFileSync } from "child_process";
import { handlerNames } from "./build-functions";
import { parseCliArgs, runCli } from "../engine/cli";
import { progress } from "../engine/progress";

const RUNS = Math.max(15, Number(process.env.BENCH_RUNS ?? 15));
const MAX_KB = 150;
const MAX_MS = 30;
const ROOT = path.resolve(__dirname, "..");

function quantile(xs: number[], q: number): number {
    const s = [...xs].sort((a, b) => a - b);
    const pos = (s.length - 1) * q;
    const lo = Math.floor(pos);
    return s[lo] + (s[Math.min(lo + 1, s.length - 1)] - s[lo]) * (pos - lo);
}

/** What each Powertools utility adds: a bundle of just the import, minus an empty bundle. */
const UTILITIES: Record<string, string> = {
    "logger": "import { Logger } from '@aws-lambda-powertools/logger'; export const x = Logger;",
    "metrics": "import { Metrics } from '@aws-lambda-powertools/metrics'; export const x = Metrics;",
    "batch": "import { BatchProcessor, processPartialResponse } from '@aws-lambda-powertools/batch'; export const x = [BatchProcessor, processPartialResponse];",
    "idempotency (+ DynamoDB layer, jmespath, util-dynamodb)": "import { makeIdempotent } from '@aws-lambda-powertools/idempotency'; import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb'; export const x = [makeIdempotent, DynamoDBPersistenceLayer];",
    "parameters/secrets": "import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets'; export const x = SecretsProvider;",
    "all five together": "import { Logger } from '@aws-lambda-powertools/logger'; import { Metrics } from '@aws-lambda-powertools/metrics'; import { BatchProcessor } from '@aws-lambda-powertools/batch'; import { makeIdempotent } from '@aws-lambda-powertools/idempotency'; import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb'; import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets'; export const x = [Logger, Metrics, BatchProcessor, makeIdempotent, DynamoDBPersistenceLayer, SecretsProvider];",
};

runCli("bench", "usage: npm run bench   (BENCH_RUNS=<n> runs per handler, at least 15; exits 1 when a bundle breaks its budget; codes: docs/cli.md)", argv => {
    parseCliArgs(argv, {}, { min: 0, max: 0, names: "" });
    const { bundleHandler } = require("../components/function-bundle") as typeof import("../components/function-bundle");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-"));
    const scratch = fs.mkdtempSync(path.join(ROOT, ".bench-"));
    const probe = "const c=process.cpuUsage();const t=process.hrtime.bigint();const m=require(process.argv[1]);const w=Number(process.hrtime.bigint()-t)/1e6;const u=process.cpuUsage(c);if(typeof m.handler!=='function')throw new Error('no handler');process.stdout.write(JSON.stringify([(u.user+u.system)/1000,w]))";
    let failed = false;
    try {
        console.log(`Cold module initialisation, ${RUNS} fresh processes per handler (budget ${MAX_KB} KB, ${MAX_MS} ms median CPU time); load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores\n`);
        console.log("handler     bundle (KB)   CPU median (ms)   CPU min-max    CPU IQR   wall median (ms)   wall min-max");
        for (const name of handlerNames()) {
            const { code, bytes } = bundleHandler(name);
            const file = path.join(dir, name, "index.js");
            fs.mkdirSync(path.dirname(file), { recursive: true });
            fs.writeFileSync(file, code);
            const status = progress();
            const runs = Array.from({ length: RUNS }, (_, i) => {
                status.step(`${name}: cold start ${i + 1}/${RUNS}`);
                return JSON.parse(execFileSync(process.execPath, ["-e", probe, file], { encoding: "utf8" })) as [number, number];
            });
            status.clear();
            const cpu = runs.map(r => r[0]);
            const wall = runs.map(r => r[1]);
            const kb = bytes / 1024;
            const ms = quantile(cpu, 0.5);
            const ok = kb <= MAX_KB && ms <= MAX_MS;
            failed ||= !ok;
            const range = (xs: number[]) => `${Math.min(...xs).toFixed(1)}-${Math.max(...xs).toFixed(1)}`;
            console.log(`${name.padEnd(10)}  ${kb.toFixed(1).padStart(11)}   ${ms.toFixed(1).padStart(15)}   ${range(cpu).padStart(11)}   ${(quantile(cpu, 0.75) - quantile(cpu, 0.25)).toFixed(1).padStart(7)}   ${quantile(wall, 0.5).toFixed(1).padStart(16)}   ${range(wall).padStart(12)}   ${ok ? "ok" : "OVER BUDGET"}`);
        }
        const size = (src: string) => {
            const entry = path.join(scratch, "entry.ts");
            fs.writeFileSync(entry, `${src}\nexport const handler = () => undefined;\n`);
            return bundleHandler("entry", entry).bytes;
        };
        const base = size("");
        console.log("\nPowertools utility (2.35.0)                              adds (KB, minified, AWS SDK clients external)");
        for (const [u, src] of Object.entries(UTILITIES)) console.log(`${u.padEnd(56)} ${((size(src) - base) / 1024).toFixed(1).padStart(6)}`);
    } finally {
        fs.rmSync(scratch, { recursive: true, force: true });
        fs.rmSync(dir, { recursive: true, force: true });
    }
    console.log(`\nNode ${process.version}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? "unknown"}). AWS SDK v3 clients come from the Lambda runtime and are loaded on first use, not at init.`);
    return failed ? 1 : 0;
});
