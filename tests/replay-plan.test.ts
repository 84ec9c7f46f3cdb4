/**
 * engine/replay-plan.ts, the "SDK alone" line of `npm run bench-plan`: it must register exactly
 * the plan's resources, or the split it reports (SDK work vs the project's own) means nothing.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { planJson } from "../engine/planner";
import { planStack, runScript } from "./harness";

describe("replay of a plan's registrations (bench-plan's SDK-alone measure)", () => {
    let file: string;
    let plan: any;
    before(async () => {
        plan = planJson(await planStack("dev"));
        file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "replay-")), "dev.json");
        fs.writeFileSync(file, JSON.stringify(plan));
    });

    it("registers every resource of the plan, with the same URNs, and nothing else", () => {
        const r = runScript("engine/replay-plan.ts", [file]);
        expect(r.stderr).to.equal("");
        expect(r.status).to.equal(0);
        expect(r.stdout).to.match(new RegExp(`^replayed ${plan.resources.length} resources of ai-nutritionist/dev in \\d+ ms\\n$`));
    });

    it("fails, naming the difference, when what it registered is not the plan (a lost parent changes the URN)", () => {
        const child = plan.resources.findIndex((r: any) => r.parent && !r.parent.includes("pulumi:pulumi:Stack"));
        const broken = { ...plan, resources: plan.resources.map((r: any, i: number) => (i === child ? { ...r, parent: null } : r)) };
        const bad = path.join(path.dirname(file), "broken.json");
        fs.writeFileSync(bad, JSON.stringify(broken));
        const r = runScript("engine/replay-plan.ts", [bad]);
        expect(r.status).to.equal(4);
        expect(r.stderr).to.match(/^replay-plan: registered URNs differ from the plan's: [1-9]\d* missing \(.+\), [1-9]\d* extra \(.+\)\n$/);
    });
});
