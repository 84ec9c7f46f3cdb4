/**
 * Waiting, offline, until a Pulumi program's registrations are done (the planner and the replay).
 *
 * Each round awaits Pulumi's RPC queue — what its language host awaits before it disconnects
 * (`runtime.waitForRPCs`, internal to @pulumi/pulumi: without it the offline plan refuses to run
 * rather than wait less) — then 5 ms. Done after five rounds in a row in which no registration was
 * in flight or started, so one started from a timer or an I/O callback up to ~25 ms after the
 * program's code returned is still recorded, as before the RPC wait was added.
 */
import * as pulumi from "@pulumi/pulumi";

const QUIET_ROUNDS = 5;
const ROUND_MS = 5;

function rpcQueue(): () => Promise<void> {
    const waitForRPCs = (pulumi.runtime as unknown as { waitForRPCs?: () => Promise<void> }).waitForRPCs;
    if (typeof waitForRPCs !== "function") {
        throw new Error("@pulumi/pulumi no longer exports runtime.waitForRPCs: the offline plan cannot tell when the program's registrations are done (scripts/lib/settle.ts)");
    }
    return waitForRPCs;
}

/**
 * Resolve once the RPC queue is drained and five 5 ms rounds saw nothing in flight and nothing new.
 * `inFlight`: registrations sent to the monitor and not answered; `started`: registrations seen so far.
 */
export async function settle(inFlight: () => number, started: () => number): Promise<void> {
    const waitForRPCs = rpcQueue();
    for (let quiet = 0; quiet < QUIET_ROUNDS;) {
        const before = started();
        await waitForRPCs();
        await new Promise(resolve => setTimeout(resolve, ROUND_MS));
        quiet = inFlight() === 0 && started() === before ? quiet + 1 : 0;
    }
}
