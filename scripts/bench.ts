/**
 * `npm run bench`: for each Lambda handler, the deployed bundle's size and its cold module
 * initialisation time (median of fresh Node processes requiring the bundle). Budgets on these
 * machines: <= 250 KB per bundle and <= 50 ms initialisation. Exits 1 when a budget is broken.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { execFileSync } from "child_process";
import { parseCliArgs, runCli } from "./lib/cli";
import { median } from "./lib/stats";

/** The AWS SDK v3 clients each handler loads on its first invocation (from the Lambda runtime). */
const SDK: Record<string, string[]> = {
    inbound: ["@aws-sdk/client-sqs", "@aws-sdk/client-secrets-manager"],
    billing: ["@aws-sdk/client-dynamodb", "@aws-sdk/client-secrets-manager"],
    worker: ["@aws-sdk/client-bedrock-runtime", "@aws-sdk/client-dynamodb", "@aws-sdk/client-secrets-manager"], // + client-pinpoint-sms-voice-v2 only for AWS SMS replies
    scheduler: ["@aws-sdk/client-dynamodb", "@aws-sdk/client-sqs"],
};
const HANDLERS = Object.keys(SDK);
const RUNS = Number(process.env.BENCH_RUNS ?? 9);
const MAX_KB = 250;
const MAX_MS = 50;

runCli("bench", "usage: npm run bench   (BENCH_RUNS=<n> runs per handler; exits 1 when a bundle breaks its budget; codes: docs/cli.md)", argv => {
    parseCliArgs(argv, {}, { min: 0, max: 0, names: "" });
    const { bundleHandler } = require("../components/function-bundle") as typeof import("../components/function-bundle");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-"));
    const probe = "const t=process.hrtime.bigint();const m=require(process.argv[1]);if(typeof m.handler!=='function')throw new Error('no handler');process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))";
    const sdkProbe = "const t=process.hrtime.bigint();for(const m of process.argv.slice(1))require(m);process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))";
    let failed = false;
    console.log(`handler     bundle (KB)   init median (ms)   init min-max (ms)   first-use SDK load (ms, informational)   runs=${RUNS}  (budget ${MAX_KB} KB, ${MAX_MS} ms)`);
    for (const name of HANDLERS) {
        const { code, bytes } = bundleHandler(name);
        const file = path.join(dir, name, "index.js");
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, code);
        const times = Array.from({ length: RUNS }, () => Number(execFileSync(process.execPath, ["-e", probe, file], { encoding: "utf8" })));
        const sdk = median(Array.from({ length: Math.min(RUNS, 5) }, () => Number(execFileSync(process.execPath, ["-e", sdkProbe, ...SDK[name]], { encoding: "utf8", cwd: path.resolve(__dirname, "..") }))));
        const kb = bytes / 1024;
        const ms = median(times);
        const ok = kb <= MAX_KB && ms <= MAX_MS;
        failed ||= !ok;
        console.log(`${name.padEnd(10)}  ${kb.toFixed(1).padStart(11)}   ${ms.toFixed(2).padStart(16)}   ${`${Math.min(...times).toFixed(2)}-${Math.max(...times).toFixed(2)}`.padStart(17)}   ${sdk.toFixed(1).padStart(38)}   ${ok ? "ok" : "OVER BUDGET"}`);
    }
    fs.rmSync(dir, { recursive: true, force: true });
    console.log(`\nNode ${process.version}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? "unknown"}). AWS SDK v3 clients are provided by the Lambda runtime and loaded on first use.`);
    return failed ? 1 : 0;
});
