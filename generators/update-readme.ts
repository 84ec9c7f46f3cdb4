/**
 * `npm run docs`: regenerates the reference tables of docs/ between their markers
 * (`<!-- <name>:start -->` … `<!-- <name>:end -->`). tests/docs.test.ts checks that every file
 * holds the current version: run `npm run docs` after changing config.ts, a policy or a component.
 */
import * as fs from "fs";
import * as path from "path";
import { markdownTable } from "./settings-doc";
import { configReference, coverageTable, policyTable } from "./policy-doc";
import { componentJsDocTables, componentTable } from "./components-doc";
import { modelLifecycleSection } from "./model-doc";
import { REPO_ROOT } from "../engine/paths";
import { fail, parseCliArgs, readInput, runCli } from "../engine/cli";

export interface GeneratedSection {
    /** Path from the repository root. */
    file: string;
    /** Marker name. */
    name: string;
    render: () => string;
}

/** Every generated section of the documentation: add a row here to generate a new one. */
export const GENERATED_SECTIONS: GeneratedSection[] = [
    { file: "docs/settings.md", name: "settings-table", render: markdownTable },
    { file: "docs/policy-pack.md", name: "policy-table", render: policyTable },
    { file: "docs/policy-pack.md", name: "policy-coverage", render: coverageTable },
    { file: "docs/policy-pack.md", name: "policy-config", render: configReference },
    { file: "docs/components.md", name: "components-table", render: () => componentTable() },
    { file: "docs/components.md", name: "access-patterns", render: () => componentJsDocTables() },
    { file: "docs/iam-and-metrics.md", name: "bedrock-model", render: modelLifecycleSection },
];

function markers(name: string): [string, string] {
    return [`<!-- ${name}:start -->`, `<!-- ${name}:end -->`];
}

export function replaceSection(text: string, name: string, body: string, file = "README"): string {
    const [start, end] = markers(name);
    const i = text.indexOf(start);
    const j = text.indexOf(end);
    if (i < 0 || j < i) fail(`${file} has no ${name} markers (${start} ... ${end})`);
    return text.slice(0, i + start.length) + "\n" + body + text.slice(j);
}

/** The text between a section's markers (without the newline after the start marker), or undefined. */
export function readSection(text: string, name: string): string | undefined {
    const [start, end] = markers(name);
    const i = text.indexOf(start);
    const j = text.indexOf(end);
    if (i < 0 || j < i) return undefined;
    return text.slice(i + start.length + 1, j);
}

/** Regenerate every section; returns the files whose text changed. */
export function updateDocs(root = REPO_ROOT, sections = GENERATED_SECTIONS): string[] {
    const changed: string[] = [];
    for (const file of [...new Set(sections.map(s => s.file))]) {
        const full = path.join(root, file);
        const before = readInput(full, "generated document");
        let text = before;
        for (const s of sections.filter(x => x.file === file)) text = replaceSection(text, s.name, s.render(), file);
        if (text !== before) {
            fs.writeFileSync(full, text);
            changed.push(file);
        }
    }
    return changed;
}

if (require.main === module) {
    runCli("docs", "usage: npm run docs   (regenerates the generated sections of the docs, docs/costs.md and the cost chart; exit codes: docs/cli.md)", async argv => {
        parseCliArgs(argv, {}, { min: 0, max: 0, names: "" });
        const { regenerateCostDocs } = await import("./cost-docs");
        const changed = [...updateDocs(), ...(await regenerateCostDocs())];
        console.log(changed.length ? `regenerated: ${changed.join(", ")}` : "docs are current");
        return 0;
    });
}
