/**
 * Waiting, offline, until a Pulumi program's registrations are done (the planner and the replay).
 *
 * First Pulumi's RPC queue — what its language host awaits before it disconnects
 * (`runtime.waitForRPCs`, internal to @pulumi/pulumi: without it the offline plan refuses to run
 * rather than wait less). Then:
 *   - when nothing is in flight and nothing is scheduled that could call back into the program (no
 *     timer, immediate or I/O request: `process.getActiveResourcesInfo()`), twice in a row after
 *     an event-loop turn, no registration can start any more: done;
 *   - otherwise rounds of 5 ms, done after five in a row in which no registration was in flight or
 *     started — so one started from a timer up to ~25 ms after the program's code returned is
 *     still recorded.
 */
import * as pulumi from "@pulumi/pulumi";

const QUIET_ROUNDS = 5;
const ROUND_MS = 5;
/** Handles that stay open without calling back into the program (the process's own stdio, IPC and signals). */
const BACKGROUND = new Set(["TTYWrap", "PipeWrap", "TCPWrap", "SignalWrap", "ProcessWrap"]);

function rpcQueue(runtime: object): () => Promise<void> {
    const waitForRPCs = (runtime as { waitForRPCs?: () => Promise<void> }).waitForRPCs;
    if (typeof waitForRPCs !== "function") {
        throw new Error("@pulumi/pulumi no longer exports runtime.waitForRPCs: the offline plan cannot tell when the program's registrations are done (engine/settle.ts)");
    }
    return waitForRPCs;
}

/** Whether a timer, an immediate or an I/O request is pending: a callback that could start a registration. */
export function scheduled(): boolean {
    return process.getActiveResourcesInfo().some(kind => !BACKGROUND.has(kind));
}

/**
 * Resolve once the program can register nothing more (see above).
 * `inFlight`: registrations sent to the monitor and not answered; `started`: registrations seen so far;
 * `runtime`: the `runtime` of the @pulumi/pulumi copy the program runs on (a program outside this
 * repository has its own).
 */
export async function settle(inFlight: () => number, started: () => number, runtime: object = pulumi.runtime): Promise<void> {
    const waitForRPCs = rpcQueue(runtime);
    const turn = () => new Promise(resolve => setImmediate(resolve));
    for (let clean = 0; clean < 2; clean++) {
        const before = started();
        await waitForRPCs();
        await turn();
        if (inFlight() !== 0 || started() !== before || scheduled()) return quietRounds(waitForRPCs, inFlight, started);
    }
}

async function quietRounds(waitForRPCs: () => Promise<void>, inFlight: () => number, started: () => number): Promise<void> {
    for (let quiet = 0; quiet < QUIET_ROUNDS;) {
        const before = started();
        await waitForRPCs();
        await new Promise(resolve => setTimeout(resolve, ROUND_MS));
        quiet = inFlight() === 0 && started() === before ? quiet + 1 : 0;
    }
}
