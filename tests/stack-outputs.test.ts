/**
 * Stack outputs: every `export const` of index.ts is a stack output whatever the settings turn off.
 * An undefined export is dropped from the outputs, and the Pulumi runtime warns about it on every
 * run (`warning: [runtime] Undefined value (<name>) will not show as a stack output`).
 */
import * as fs from "fs";
import * as path from "path";
import { expect } from "chai";
import { REPO_ROOT } from "../engine/paths";
import { planStack } from "./harness";

/** The names index.ts exports. */
function exportedNames(program: string): string[] {
    return [...program.matchAll(/^export const (\w+)/gm)].map(m => m[1]);
}

describe("stack outputs", () => {
    const program = fs.readFileSync(path.join(REPO_ROOT, "index.ts"), "utf8");

    it("reads the program's exports (fixture)", () => {
        expect(exportedNames("export const a = 1;\nconst b = 2;\nexport const cUrl = x?.y;\n")).to.deep.equal(["a", "cUrl"]);
    });

    it("with monitoring off (and dev has no VPC, cache or backup either), every export is still an output, none undefined", async () => {
        const plan = await planStack("dev", { enableMonitoring: "false" });
        const missing = exportedNames(program).filter(k => !(k in plan.outputs));
        expect(missing, "exports the plan has no output for").to.deep.equal([]);
        expect(plan.outputs.cloudwatchDashboardUrl).to.equal("disabled");
    });
});
