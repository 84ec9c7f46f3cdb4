import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { expect } from "chai";
import { ENVIRONMENT_PROFILES, NAMESPACE, resolveSettings, SettingsError, show } from "../config";
import { loadStackConfig } from "../engine/stack-config";
import { REPO_ROOT } from "../engine/paths";
import { baseSettings, settingsProblems } from "./harness";

const base = baseSettings;
const problems = settingsProblems;

describe("settings messages: each names its key, the value got and the fix", () => {
    describe("secrets", () => {
        const token = `${NAMESPACE}:twilioAuthToken`;
        it("refuses a secret held in plain text, naming the key and the pulumi config set --secret command, never the value", () => {
            const p = problems({ ...base("dev"), [token]: "s3cr3t-plain" }, []);
            expect(p).to.deep.equal([`${token}: is a secret but the settings file holds it in plain text; delete that line and run \`pulumi config set --secret ${token} <value>\` (got a plain value, not shown)`]);
            expect(p.join("\n")).not.to.contain("s3cr3t-plain");
        });
        it("accepts the same key as a secure: value", () => {
            expect(() => resolveSettings({ ...base("dev"), [token]: "ciphertext" }, undefined, undefined, [token])).not.to.throw();
        });
        it("does not echo a value meant for a secret under a misspelt key", () => {
            const p = problems({ ...base("dev"), [`${NAMESPACE}:twilioAuthTokn`]: "s3cr3t-plain" }, []);
            expect(p).to.deep.equal([`${NAMESPACE}:twilioAuthTokn: unknown setting; did you mean ${token}? (got a value, not shown)`]);
        });
        it("a stack file with a plain-text secret is refused by the planner's settings (Pulumi marks only secure: values secret)", () => {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "secret-"));
            fs.copyFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
            const dev = fs.readFileSync(path.join(REPO_ROOT, "Pulumi.dev.yaml"), "utf8");
            fs.writeFileSync(path.join(dir, "Pulumi.a.yaml"), `${dev}  ${token}: plain\n`);
            fs.writeFileSync(path.join(dir, "Pulumi.b.yaml"), `${dev}  ${token}:\n    secure: AAABAJ0+ciphertext\n`);
            const a = loadStackConfig(dir, "a");
            const b = loadStackConfig(dir, "b");
            expect(a.secretKeys).to.deep.equal([]);
            expect(b.secretKeys).to.deep.equal([token]);
            expect(() => resolveSettings(a.config, undefined, undefined, a.secretKeys)).to.throw(SettingsError, /twilioAuthToken: is a secret/);
            expect(() => resolveSettings(b.config, undefined, undefined, b.secretKeys)).not.to.throw();
        });
    });

    describe("did you mean", () => {
        it("suggests by edit distance, not only by case", () => {
            expect(problems(base("dev", { natStrategi: "single" }))).to.deep.equal([`${NAMESPACE}:natStrategi: unknown setting; did you mean ${NAMESPACE}:natStrategy? (got single)`]);
            expect(problems(base("dev", { lamdaMemorySize: "512" }))).to.deep.equal([`${NAMESPACE}:lamdaMemorySize: unknown setting; did you mean ${NAMESPACE}:lambdaMemorySize? (got '512')`]);
            expect(problems(base("dev", { enableVPC: "true" }))).to.deep.equal([`${NAMESPACE}:enableVPC: unknown setting; did you mean ${NAMESPACE}:enableVpc? (got 'true')`]);
        });
        it("suggests nothing for a key that resembles no setting", () => {
            expect(problems(base("dev", { somethingElseEntirely: "x" }))).to.deep.equal([`${NAMESPACE}:somethingElseEntirely: unknown setting (got x)`]);
        });
        it("reports a typo in a required key with the suggestion on both lines", () => {
            const config: Record<string, string> = { ...base("dev"), [`${NAMESPACE}:enviroment`]: "dev" };
            delete config[`${NAMESPACE}:environment`];
            const p = problems(config);
            expect(p[0]).to.equal(`${NAMESPACE}:environment: is required (dev, staging or prod) (got nothing; the file sets ${NAMESPACE}:enviroment, a misspelling of it?)`);
            expect(p).to.include(`${NAMESPACE}:enviroment: unknown setting; did you mean ${NAMESPACE}:environment? (got dev)`);
        });
        it("the CLI-level check names the misspelt required key the stack file sets", () => {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "typo-"));
            fs.copyFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
            const dev = fs.readFileSync(path.join(REPO_ROOT, "Pulumi.dev.yaml"), "utf8");
            fs.writeFileSync(path.join(dir, "Pulumi.t.yaml"), dev.replace(`${NAMESPACE}:kmsDeletionWindowDays:`, `${NAMESPACE}:kmsDeletionWindowDay:`));
            expect(loadStackConfig(dir, "t").cliProblems).to.deep.equal([
                `${NAMESPACE}:kmsDeletionWindowDays: is required, and the file sets ${NAMESPACE}:kmsDeletionWindowDay instead: did you mean ${NAMESPACE}:kmsDeletionWindowDays? (got nothing)`,
            ]);
        });
    });

    describe("root cause first", () => {
        it("an unknown environment is reported first and once, not followed by every setting its profile would decide", () => {
            const p = problems({ "aws:region": "us-east-1", [`${NAMESPACE}:environment`]: "production" });
            expect(p[0]).to.equal(`${NAMESPACE}:environment: must be one of dev, staging, prod (got production)`);
            const undecided = new Set(Object.keys(ENVIRONMENT_PROFILES.dev));
            expect(p.filter(x => undecided.has(x.slice(NAMESPACE.length + 1).split(":")[0])), "follow-on problems").to.deep.equal([]);
            expect(p[p.length - 1]).to.match(/^\(\d+ more settings that the environment profile and security tier decide are not checked until ai-nutritionist:environment is valid\)$/);
            expect(p.length).to.be.below(4);
        });
    });

    describe("values as YAML", () => {
        it("shows lists and strings as YAML flow values, not escaped JSON", () => {
            expect(show('["http://localhost:3000","https://a.example.com"]')).to.equal("[http://localhost:3000, https://a.example.com]");
            expect(show(["a b", "c: d"])).to.equal("[a b, 'c: d']");
            expect(show("")).to.equal("''");
            expect(show("yes")).to.equal("'yes'");
            expect(show(7)).to.equal("7");
        });
        it("in problems: a list setting that is not a list of strings, and prod's http origins", () => {
            expect(problems(base("dev", { corsAllowedOrigins: '["https://a.example.com", 3]' }))).to.deep.equal([`${NAMESPACE}:corsAllowedOrigins: must be a list of strings (got [https://a.example.com, 3])`]);
            expect(problems(base("prod", { corsAllowedOrigins: '["http://app.example.com"]' }))).to.deep.equal([`${NAMESPACE}:corsAllowedOrigins: prod allows only https origins (got [http://app.example.com])`]);
        });
    });
});
