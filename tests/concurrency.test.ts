/**
 * Reserved concurrency: one derivation (components/concurrency.ts) for the components and the settings
 * check, so what the plan reserves is what the check sums against the account's quota.
 */
import { expect } from "chai";
import { maxInboundReservation, reservedConcurrency, totalReservedConcurrency } from "../components/concurrency";
import { resolveSettings } from "../config";
import { Plan } from "../engine/planner";
import { loadStackConfig } from "../engine/stack-config";
import { REPO_ROOT } from "../engine/paths";
import { ofType, planStack } from "./harness";

/** What a plan reserves across all its functions. */
function planned(plan: Plan): number {
    return ofType(plan, "aws:lambda/function:Function").map(f => f.inputs.reservedConcurrentExecutions ?? -1).filter((n: number) => n > 0).reduce((a: number, b: number) => a + b, 0);
}

describe("reserved concurrency", () => {
    it("derives billing (a fifth, at least 1), worker (half, at least 2) and the scheduler's 1 from the inbound's", () => {
        expect(reservedConcurrency(50)).to.deep.equal({ inbound: 50, billing: 10, worker: 25, scheduler: 1 });
        expect(reservedConcurrency(1)).to.deep.equal({ inbound: 1, billing: 1, worker: 2, scheduler: 1 });
        expect(reservedConcurrency(-1)).to.deep.equal({ inbound: -1, billing: -1, worker: -1, scheduler: 1 });
        expect([528, 529, 1000].map(totalReservedConcurrency)).to.deep.equal([899, 901, 1701]);
        expect(maxInboundReservation(1000)).to.equal(528);
        expect(maxInboundReservation(100)).to.equal(-1);
    });

    it("what each stack's plan reserves across its functions is the sum the settings check", async () => {
        for (const stack of ["dev", "staging", "prod"]) {
            const s = resolveSettings(loadStackConfig(REPO_ROOT, stack).config);
            expect(planned(await planStack(stack)), stack).to.equal(totalReservedConcurrency(s.lambdaReservedConcurrency));
        }
        expect(planned(await planStack("dev", { lambdaReservedConcurrency: "300" }))).to.equal(totalReservedConcurrency(300));
    });
});
