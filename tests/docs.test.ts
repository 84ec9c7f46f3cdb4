/**
 * The README and docs/ stay true to the repository: generated tables current, links that resolve,
 * commands that exist, an architecture picture that matches index.ts, and a README short enough
 * to read (at most 200 lines). Each check also runs on a bad fixture.
 */
import * as fs from "fs";
import * as path from "path";
import { expect } from "chai";
import { repositoryComponents, componentDocProblems, componentsIn, summarise } from "../generators/components-doc";
import { architectureProblems, brokenLinks, folderTableProblems, headingAnchor, historyMentions, unknownNpmScripts } from "../checks/doc-checks";
import { REPO_ROOT } from "../engine/paths";
import { GENERATED_SECTIONS, readSection, replaceSection, updateDocs } from "../generators/update-readme";
import { DOCUMENTED_STACKS, markdownTable, stackSettings } from "../generators/settings-doc";
import { lifecycleSentence } from "../generators/model-doc";
import { MAX_STACK_NAME_LENGTH } from "../components/naming";
import { NAMESPACE, SECRET_KEYS } from "../config";
import { planStack, planWith } from "./harness";
import * as yaml from "js-yaml";

const read = (f: string) => fs.readFileSync(path.join(REPO_ROOT, f), "utf8");
const DOCS = fs.readdirSync(path.join(REPO_ROOT, "docs")).filter(f => f.endsWith(".md")).map(f => `docs/${f}`);
const scripts = JSON.parse(read("package.json")).scripts;

/** The project's own sources and settings (paths from the root): not dependencies, caches or generated data. */
function sourceFiles(dir = ""): string[] {
    return fs.readdirSync(path.join(REPO_ROOT, dir), { withFileTypes: true }).flatMap(e => {
        const rel = path.join(dir, e.name);
        if (e.isDirectory()) return e.name === "node_modules" || e.name.startsWith(".") && e.name !== ".github" && e.name !== ".ci" ? [] : sourceFiles(rel);
        return /\.(ts|js|sh|ya?ml)$/.test(e.name) || (dir === ".ci" && e.name === "run") ? [rel] : [];
    });
}

describe("README and docs/", () => {
    it("the README has at most 200 lines", () => {
        expect(read("README.md").split("\n").length).to.be.at.most(200);
    });

    for (const s of GENERATED_SECTIONS) {
        it(`${s.file}'s ${s.name} section is the generated one (run npm run docs)`, () => {
            expect(readSection(read(s.file), s.name), `${s.file} ${s.name}`).to.equal(s.render());
        });
    }

    it("npm run docs rewrites a stale section and reports a missing marker (fixtures)", () => {
        const dir = fs.mkdtempSync(path.join(require("os").tmpdir(), "docs-"));
        fs.mkdirSync(path.join(dir, "docs"));
        fs.writeFileSync(path.join(dir, "docs/x.md"), "# X\n<!-- t:start -->\nstale\n<!-- t:end -->\n");
        const section = { file: "docs/x.md", name: "t", render: () => "| fresh |\n" };
        expect(updateDocs(dir, [section])).to.deep.equal(["docs/x.md"]);
        expect(readSection(fs.readFileSync(path.join(dir, "docs/x.md"), "utf8"), "t")).to.equal("| fresh |\n");
        expect(updateDocs(dir, [section])).to.deep.equal([]);
        expect(() => replaceSection("# no markers\n", "t", "x", "docs/y.md")).to.throw("docs/y.md has no t markers");
    });

    it("every relative link in the README and docs/ resolves, anchors included", () => {
        const problems = ["README.md", ...DOCS].flatMap(f => brokenLinks(read(f), path.join(REPO_ROOT, f)));
        expect(problems).to.deep.equal([]);
    });

    it("the link check reports a missing file and a missing heading (fixture)", () => {
        const fixture = "See [a](docs/nowhere.md), [b](#no-such-heading), [c](docs/settings.md#settings), [d](https://example.com).\n\n## Real heading\n[e](#real-heading)\n";
        const problems = brokenLinks(fixture, path.join(REPO_ROOT, "README.md"));
        expect(problems).to.have.length(2);
        expect(problems[0]).to.match(/docs\/nowhere\.md/);
        expect(problems[1]).to.match(/#no-such-heading/);
        expect(headingAnchor("Deploying to AWS")).to.equal("deploying-to-aws");
        expect(headingAnchor("Tables, keys and access patterns")).to.equal("tables-keys-and-access-patterns");
    });

    it("every page of docs/ links back to the README", () => {
        const noWayBack = DOCS.filter(f => !read(f).includes("](../README.md)"));
        expect(noWayBack, "add [← README](../README.md) under the title").to.deep.equal([]);
    });

    it("no page or comment tells project history a reader cannot follow (issue numbers, sessions, the machine's other jobs)", () => {
        const hits = [...sourceFiles(), "README.md", ...DOCS].flatMap(f => historyMentions(read(f)).map(h => `${f}:${h}`));
        expect(hits).to.deep.equal([]);
        const fixture = ["Measured with six other " + "jobs running.", "As issue " + "14 found,", "Fine: a session policy."].join("\n");
        expect(historyMentions(fixture).map(h => h.split(":")[0])).to.deep.equal(["1", "2"]);
    });

    it("docs/settings.md shows each stack's own value: every key a stack file sets, as it sets it", () => {
        const table = read("docs/settings.md");
        const rowOf = (key: string) => table.split("\n").find(l => l.startsWith(`| \`${key}\` |`));
        for (const [col, stack] of DOCUMENTED_STACKS.entries()) {
            const file = (yaml.load(read(`Pulumi.${stack}.yaml`)) as any).config as Record<string, unknown>;
            for (const [key, value] of Object.entries(file)) {
                if (!key.startsWith(`${NAMESPACE}:`) || SECRET_KEYS.some(k => key.endsWith(`:${k}`)) || (value !== null && typeof value === "object" && !Array.isArray(value))) continue;
                const row = rowOf(key);
                expect(row, `docs/settings.md has a row for ${key}`).to.not.equal(undefined);
                const cells = row!.split(/(?<!\\)\|/).map(c => c.trim());
                const shown = Array.isArray(value) ? (value.length ? value.join(", ") : "[]") : value === "" ? "\"\"" : String(value);
                expect(cells[3 + col], `${stack}: ${key}`).to.equal(`\`${shown.replace(/\|/g, "\\|")}\``);
            }
        }
    });

    it("the settings table's columns are the stacks it is given, each with its resolved value (fixture)", () => {
        const dev = stackSettings("dev");
        const text = markdownTable({ one: { ...dev, corsAllowedOrigins: ["https://a.example.com", "https://b.example.com"] }, two: { ...dev, corsAllowedOrigins: [] } });
        expect(text.split("\n")[0]).to.match(/^\| Setting \| Type \| one \| two \| Terraform variable \| Description \|$/);
        expect(text).to.match(/\| `ai-nutritionist:corsAllowedOrigins` \| array \| `https:\/\/a\.example\.com, https:\/\/b\.example\.com` \| `\[\]` \|/);
    });

    it("the model's lifecycle is said as of the table's check: an earliest end of life that has passed is not promised (fixture)", () => {
        const model = { modelId: "m", name: "M", status: "Active" as const, launched: "2025-10-16", eolNoSoonerThan: "2026-10-01", source: "", profiles: {} };
        expect(lifecycleSentence(model, "2026-09-01")).to.equal("Active on Bedrock when the lifecycle table was checked (2026-09-01), launched 2025-10-16; end of life no sooner than 2026-10-01");
        expect(lifecycleSentence(model, "2026-11-25")).to.contain("no end of life announced; the card's earliest one, 2026-10-01, has passed");
        expect(lifecycleSentence({ ...model, status: "Legacy", eol: "2026-09-10" }, "2026-11-25")).to.match(/^EOL on Bedrock .*end of life 2026-09-10 \(passed\)$/);
        expect(read("docs/iam-and-metrics.md")).not.to.match(/EOL no sooner than/);
    });

    it("the stack-name cap in docs/naming.md and the README is the code's, and the README says why names are capped", () => {
        const naming = read("docs/naming.md");
        expect(naming).to.contain(`\`MAX_STACK_NAME_LENGTH\` = ${MAX_STACK_NAME_LENGTH} characters`);
        expect(naming).to.contain(`must be at most ${MAX_STACK_NAME_LENGTH} characters`);
        expect(read("README.md").replace(/\s+/g, " ")).to.match(new RegExp(`at most ${MAX_STACK_NAME_LENGTH} characters[^.]*every physical name carries it[^.]*\\(\\[docs/naming\\.md\\]`));
    });

    it("docs/ci-cd.md's count of the AWS provider's modules a deploy touches is prod's plan's", async () => {
        const modules = new Set((await planStack("prod")).resources.filter(r => r.custom && r.type.startsWith("aws:")).map(r => r.type.split(":")[1].split("/")[0]));
        expect(read("docs/ci-cd.md")).to.contain(`a deploy creates resources from ${modules.size} modules of the AWS provider (prod's plan`);
    });

    it("docs/naming.md says what the budget filters by, as the plan builds it", async () => {
        const naming = read("docs/naming.md").replace(/\s+/g, " ");
        const budget = (await planStack("prod")).resources.find(r => r.type === "aws:budgets/budget:Budget")!;
        expect(budget.inputs.costFilters ?? []).to.deep.equal([]);
        expect(naming).to.contain("The budget and the cost-anomaly monitor cover the whole account by default (the budget has no cost filter");
        // The plan tests/observability.test.ts also makes: a second stack of staging's account, its tags activated.
        const other = await planWith({ stack: "qa", configFile: path.join(REPO_ROOT, "Pulumi.staging.yaml"), overrides: { "ai-nutritionist:ownsAccountBaseline": "false", "ai-nutritionist:activateCostAllocationTags": "true" } });
        const tagged = other.resources.find(r => r.type === "aws:budgets/budget:Budget")!;
        expect(tagged.inputs.costFilters).to.deep.equal([{ name: "TagKeyValue", values: ["user:Stack$qa"] }]);
        expect(naming).to.contain("With `activateCostAllocationTags` on, both filter by `Stack=<stack>`");
    });

    it("the README's \"Where things live\" names every top-level folder, and only folders that exist", () => {
        const folders = fs.readdirSync(REPO_ROOT, { withFileTypes: true })
            .filter(e => e.isDirectory() && !e.name.startsWith(".") && e.name !== "node_modules").map(e => e.name);
        expect(folderTableProblems(read("README.md"), folders)).to.deep.equal([]);
        const fixture = "## Where things live\n\n| `engine/` | x |\n| `scripts/` | y |\n\n## Next\n`cli/`\n";
        expect(folderTableProblems(fixture, ["engine", "cli"])).to.deep.equal(["cli/ is not in \"Where things live\"", "\"Where things live\" names scripts/, which is not a folder"]);
    });

    it("the README links every file of docs/", () => {
        const readme = read("README.md");
        const unlinked = DOCS.filter(f => !readme.includes(`](${f})`));
        expect(unlinked, "add a row for each to the README's Documentation table").to.deep.equal([]);
    });

    it("every `npm run` command in the README and docs/ is a script of package.json", () => {
        expect(["README.md", ...DOCS].flatMap(f => unknownNpmScripts(read(f), scripts))).to.deep.equal([]);
        expect(unknownNpmScripts("npm run plan -- dev; npm run -s deploy", scripts)).to.deep.equal(["npm run deploy: package.json has no script deploy"]);
    });

    it("the architecture picture shows every component index.ts builds, and only components", () => {
        const known = repositoryComponents().map(c => c.className);
        expect(architectureProblems(read("README.md"), read("index.ts"), known)).to.deep.equal([]);
    });

    it("the architecture check reports a missing and an unknown component (fixture)", () => {
        const known = repositoryComponents().map(c => c.className);
        const readme = "## Architecture\n\n```\nEncryptionKeys\n ├─ SecureVpc\n └─ NetworkFirewall  inspection\n```\n";
        const program = "const k = new EncryptionKeys('k', {});\nconst v = new SecureVpc('v', {});\nconst t = new ServiceTables('t', {});\nconst s = new Set();\n";
        expect(architectureProblems(readme, program, known)).to.deep.equal([
            "index.ts builds ServiceTables, which the architecture picture does not show",
            "the architecture picture names NetworkFirewall, which is not a component",
        ]);
    });

    it("every component has a JSDoc and a type token, so its row in docs/components.md says something", () => {
        expect(componentDocProblems(repositoryComponents())).to.deep.equal([]);
        const bare = componentsIn("x.ts", "import * as pulumi from '@pulumi/pulumi';\nexport class Bare extends pulumi.ComponentResource {\n constructor(n: string) { super('Bare', n, {}); }\n}\n");
        expect(componentDocProblems(bare)).to.deep.equal([
            "x.ts: Bare has no JSDoc above the class",
            'x.ts: Bare has no <package>:<module>:<Type> token in super() (got "Bare")',
        ]);
    });

    it("a component's summary is its first paragraph, with a following bullet list, and its tables apart", () => {
        const s = summarise("Keys, one per purpose:\n\n- `data`: tables\n- `logs`: log groups\n\nMore prose.\n\n| a | b |\n|---|---|\n| 1 | 2 |");
        expect(s.doc).to.equal("Keys, one per purpose: <br>• `data`: tables<br>• `logs`: log groups");
        expect(s.tables).to.deep.equal(["| a | b |\n|---|---|\n| 1 | 2 |\n"]);
    });
});
