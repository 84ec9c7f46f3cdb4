import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { expect } from "chai";
import { checkWritable, describeFailure, didYouMean, editDistance, EXIT, parseCliArgs, parseJsonFile, readInput, UsageError } from "../scripts/lib/cli";

const tmpDir = () => fs.mkdtempSync(path.join(os.tmpdir(), "cli-"));

describe("the error boundary (scripts/lib/cli.ts)", () => {
    it("edit distance counts insertions, deletions and substitutions, ignoring case", () => {
        expect(editDistance("environment", "enviroment")).to.equal(1);
        expect(editDistance("natStrategy", "natstrategy")).to.equal(0);
        expect(editDistance("kitten", "sitting")).to.equal(3);
        expect(editDistance("", "abc")).to.equal(3);
    });

    it("suggests the nearest candidate only when it is a likely typo", () => {
        expect(didYouMean("enviroment", ["environment", "securityTier"])).to.equal("environment");
        expect(didYouMean("prodution", ["dev", "staging", "prod"])).to.equal("prod");
        expect(didYouMean("vpcCdir", ["vpcCidr", "vpcInterfaceEndpoints"])).to.equal("vpcCidr");
        expect(didYouMean("qa", ["dev", "staging", "prod"])).to.equal(undefined);
        expect(didYouMean("completelyDifferent", ["environment"])).to.equal(undefined);
    });

    it("parses options strictly: an unknown option, a missing value or a surplus argument is one usage line", () => {
        const opts = { json: { type: "string" as const } };
        expect(parseCliArgs(["dev", "--json", "x.json"], opts, { min: 1, max: 1, names: "<stack>" })).to.deep.equal({ values: { json: "x.json" }, positionals: ["dev"] });
        expect(() => parseCliArgs(["dev", "--jsn", "x"], opts, { min: 1, max: 1, names: "<stack>" })).to.throw(UsageError, /^unknown option --jsn$/);
        expect(() => parseCliArgs(["dev", "--json"], opts, { min: 1, max: 1, names: "<stack>" })).to.throw(UsageError, /^--json needs a value$/);
        expect(() => parseCliArgs([], opts, { min: 1, max: 1, names: "<stack>" })).to.throw(UsageError, /^missing <stack>$/);
        expect(() => parseCliArgs(["dev", "prod"], opts, { min: 1, max: 1, names: "<stack>" })).to.throw(UsageError, /^unexpected argument prod$/);
    });

    it("checks an output path before any work: missing folder, a folder in its place", () => {
        const dir = tmpDir();
        expect(() => checkWritable(path.join(dir, "plan.json"), "plan")).not.to.throw();
        expect(() => checkWritable(path.join(dir, "no-such-dir", "plan.json"), "plan")).to.throw(UsageError, /does not exist/);
        expect(() => checkWritable(dir, "plan")).to.throw(UsageError, /it is a folder/);
        const file = path.join(dir, "f");
        fs.writeFileSync(file, "");
        expect(() => checkWritable(path.join(file, "plan.json"), "plan")).to.throw(UsageError, /is not a folder/);
    });

    it("reads inputs: a missing file, a folder, invalid JSON are usage errors naming the file", () => {
        const dir = tmpDir();
        expect(() => readInput(path.join(dir, "x.json"), "plan file")).to.throw(UsageError, /^plan file .*x\.json does not exist$/);
        expect(() => readInput(dir, "plan file")).to.throw(UsageError, /is a directory/);
        fs.writeFileSync(path.join(dir, "bad.json"), "{ nope");
        expect(() => parseJsonFile(path.join(dir, "bad.json"), "plan file")).to.throw(UsageError, /is not valid JSON/);
    });

    it("maps failures to one exit code each, with a stack trace only when verbose", () => {
        const usage = describeFailure("plan", new UsageError("unknown stack \"qa\"\n(more)"), false);
        expect(usage).to.deep.equal({ lines: ["plan: unknown stack \"qa\" (more)"], code: EXIT.usage });
        const settings = Object.assign(new Error("Invalid stack settings (1 problem):\n  - x"), { name: "SettingsError" });
        expect(describeFailure("plan", settings, false)).to.deep.equal({ lines: [settings.message], code: EXIT.settings });
        const resource = Object.assign(new Error("ai-nutritionist-dev-api: invalid arguments:\n  - a"), { __pulumResourceError: true });
        expect(describeFailure("plan", resource, false).code).to.equal(EXIT.settings);
        const bug = describeFailure("plan", new TypeError("x is undefined"), false);
        expect(bug.code).to.equal(EXIT.internal);
        expect(bug.lines).to.deep.equal(["plan: unexpected error: x is undefined (run again with --verbose for the stack trace)"]);
        expect(describeFailure("plan", new TypeError("x is undefined"), true).lines.join("\n")).to.match(/\n\s+at /);
    });
});
