/**
 * `npm run bench-plan -- [<stack>] [--runs <n>] [--compare-ts-node] [--max <ratio>]`: how long the
 * offline plan takes compared with its floor, the time a fresh Node process needs just to load the
 * Pulumi SDKs the program imports (@pulumi/pulumi, aws, awsx, random). Both are timed as whole
 * processes, alternately, `--runs` times each after one warm-up run; the ratio is of the medians.
 *
 * Three conditions:
 *   - "as npm run plan": the project's loader (engine/register.js), with Node's compile cache,
 *     for the floor and the plan alike (the strictest: the cache speeds the floor up too);
 *   - "no compile cache": the same loader with NODE_DISABLE_COMPILE_CACHE=1 (Node compiles every
 *     module), for both;
 *   - "plain-node floor": `node` alone loading the SDKs (no loader, no cache: what
 *     loading them costs on this machine), against `npm run plan` as it runs.
 * Beside them, the replay (engine/replay-plan.ts): the SDK alone registering the plan's
 * resources (same types, names, parents, providers, dependencies, inputs) under trivial mocks. It
 * splits the plan's time: replay − floor is the Pulumi SDK's per-resource work, plan − replay is
 * this project's (program logic, the mocks' name and request checks, the policy pack, the cost line).
 * --compare-ts-node adds the loader this project used before: ts-node --transpile-only, whose
 * source-map support maps every stack trace Pulumi captures (its floor: plain node, no cache).
 * --max <ratio> exits 1 when the first ratio is above it.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { spawnSync } from "child_process";
import { fail, parseCliArgs, runCli } from "../engine/cli";
import { REPO_ROOT } from "../engine/paths";
import { median } from "../engine/stats";
import { progress } from "../engine/progress";

const USAGE = `usage: npm run bench-plan -- [<stack>] [--runs <n>] [--compare-ts-node] [--max <ratio>]
  <stack>            the stack to plan (default prod)
  --runs <n>         timed runs of the floor and of the plan, each (default 7)
  --compare-ts-node  also time the plan under ts-node (the loader before engine/register.js)
  --max <ratio>      exit 1 when plan ÷ floor (as npm run plan) is above this`;

const REGISTER = path.join(REPO_ROOT, "engine", "register.js");
const SDKS = ["@pulumi/pulumi", "@pulumi/aws", "@pulumi/awsx", "@pulumi/random"];
const FLOOR_CODE = SDKS.map(m => `require(${JSON.stringify(m)});`).join("");

interface Condition {
    label: string;
    floor: string[];
    plan: string[];
    replay?: string[];
    /** The floor's own environment, when it differs from the plan's. */
    floorEnv?: NodeJS.ProcessEnv;
    env?: NodeJS.ProcessEnv;
}

/** The status line on a terminal (engine/progress.ts); nothing in a pipe. */
const status = progress();

/** Wall time of one process, in seconds; a failing run is an error. */
function time(args: string[], env: NodeJS.ProcessEnv | undefined, what: string): number {
    status.step(what);
    const t = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" });
    const s = Number(process.hrtime.bigint() - t) / 1e9;
    if (r.status !== 0) throw new Error(`${what} exited ${r.status}: ${(r.stderr ?? "").split("\n")[0]}`);
    return s;
}

runCli("bench-plan", USAGE, argv => {
    const { values, positionals } = parseCliArgs(argv, { runs: { type: "string" }, "compare-ts-node": { type: "boolean" }, max: { type: "string" } }, { min: 0, max: 1, names: "" });
    const stack = positionals[0] ?? "prod";
    const runs = Number(values.runs ?? 7);
    if (!Number.isInteger(runs) || runs < 1) fail(`--runs ${values.runs}: must be a whole number of at least 1`);
    const max = values.max === undefined ? undefined : Number(values.max);
    if (max !== undefined && !(max > 0)) fail(`--max ${values.max}: must be a positive number`);

    const planArgs = [path.join("cli", "plan.ts"), stack];
    // The plan to replay: this stack's, written once before the timings.
    const planDir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-plan-"));
    process.on("exit", () => fs.rmSync(planDir, { recursive: true, force: true })); // a failed run too
    const planFile = path.join(planDir, `${stack}.json`);
    time(["-r", REGISTER, ...planArgs, "--json", planFile], undefined, `plan of ${stack}, to replay`);
    const replayArgs = ["-r", REGISTER, path.join("engine", "replay-plan.ts"), planFile];
    const resources = JSON.parse(fs.readFileSync(planFile, "utf8")).resources.length;
    const conditions: Condition[] = [
        { label: "as npm run plan (esbuild loader, compile cache)", floor: ["-r", REGISTER, "-e", FLOOR_CODE], plan: ["-r", REGISTER, ...planArgs], replay: replayArgs },
        { label: "no compile cache (NODE_DISABLE_COMPILE_CACHE=1)", floor: ["-r", REGISTER, "-e", FLOOR_CODE], plan: ["-r", REGISTER, ...planArgs], replay: replayArgs, env: { NODE_DISABLE_COMPILE_CACHE: "1" } },
        { label: "cached plan ÷ plain-node floor (no loader, no cache)", floor: ["-e", FLOOR_CODE], floorEnv: { NODE_DISABLE_COMPILE_CACHE: "1" }, plan: ["-r", REGISTER, ...planArgs] },
    ];
    if (values["compare-ts-node"]) {
        conditions.push({ label: "before: ts-node --transpile-only, plain node floor", floor: ["-e", FLOOR_CODE], plan: [require.resolve("ts-node/dist/bin"), "--transpile-only", ...planArgs], env: { NODE_DISABLE_COMPILE_CACHE: "1" } });
    }

    status.clear();
    console.log(`Plan of ${stack} ÷ SDK-load floor: medians of ${runs} alternating runs each, after one warm-up (wall time of whole processes)`);
    const ratios: number[] = [];
    for (const c of conditions) {
        const floorEnv = c.floorEnv ?? c.env;
        const label = (what: string, i?: number) => `${c.label}: ${what} ${i === undefined ? "warm-up" : `${i + 1}/${runs}`}`;
        time(c.floor, floorEnv, label("floor"));
        time(c.plan, c.env, label("plan"));
        if (c.replay) time(c.replay, c.env, label("replay"));
        const floors: number[] = [];
        const plans: number[] = [];
        const replays: number[] = [];
        for (let i = 0; i < runs; i++) {
            floors.push(time(c.floor, floorEnv, label("floor", i)));
            plans.push(time(c.plan, c.env, label("plan", i)));
            if (c.replay) replays.push(time(c.replay, c.env, label("replay", i)));
        }
        status.clear();
        const floor = median(floors);
        const ratio = median(plans) / floor;
        ratios.push(ratio);
        console.log(`  ${c.label.padEnd(52)} floor ${floor.toFixed(2)} s   plan ${median(plans).toFixed(2)} s   plan ÷ floor ${ratio.toFixed(2)}`);
        if (c.replay) {
            const replay = median(replays);
            console.log(`  ${"".padEnd(52)} SDK alone (replay of the ${resources} registrations) ${replay.toFixed(2)} s = ${(replay / floor).toFixed(2)} × floor; project's own work ${(median(plans) - replay).toFixed(2)} s`);
        }
    }
    console.log(`Node ${process.version}, ${os.cpus().length} cores, load average ${os.loadavg().map(l => l.toFixed(1)).join(" ")}`);
    if (max !== undefined && ratios[0] > max) {
        console.log(`plan ÷ floor ${ratios[0].toFixed(2)} is above --max ${max}`);
        return 1;
    }
    return 0;
});
