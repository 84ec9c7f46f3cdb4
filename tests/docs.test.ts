/**
 * The README and docs/ stay true to the repository: generated tables current, links that resolve,
 * commands that exist, an architecture picture that matches index.ts, and a README short enough
 * to read (issue 14: at most 200 lines). Each check also runs on a bad fixture.
 */
import * as fs from "fs";
import * as path from "path";
import { expect } from "chai";
import { repositoryComponents, componentDocProblems, componentsIn, summarise } from "../generators/components-doc";
import { architectureProblems, brokenLinks, headingAnchor, unknownNpmScripts } from "../checks/doc-checks";
import { REPO_ROOT } from "../engine/paths";
import { GENERATED_SECTIONS, readSection, replaceSection, updateDocs } from "../generators/update-readme";

const read = (f: string) => fs.readFileSync(path.join(REPO_ROOT, f), "utf8");
const DOCS = fs.readdirSync(path.join(REPO_ROOT, "docs")).filter(f => f.endsWith(".md")).map(f => `docs/${f}`);
const scripts = JSON.parse(read("package.json")).scripts;

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
