/**
 * Regenerates the generated sections between their markers: README's settings table, and
 * docs/policy-pack.md's policy table, coverage and configuration reference. tests check that the README holds the current versions: run `npm run docs` after
 * changing config.ts or the policies.
 */
import * as fs from "fs";
import * as path from "path";
import { markdownTable } from "./settings-doc";
import { configReference, coverageTable, policyTable } from "./policy-doc";
import { REPO_ROOT } from "./lib/paths";

export function replaceSection(text: string, name: string, body: string): string {
    const start = `<!-- ${name}:start -->`;
    const end = `<!-- ${name}:end -->`;
    const i = text.indexOf(start);
    const j = text.indexOf(end);
    if (i < 0 || j < i) throw new Error(`README has no ${name} markers`);
    return text.slice(0, i + start.length) + "\n" + body + text.slice(j);
}

if (require.main === module) {
    const file = path.join(REPO_ROOT, "README.md");
    let text = fs.readFileSync(file, "utf8");
    text = replaceSection(text, "settings-table", markdownTable());
    if (text.includes("<!-- policy-table:start -->")) text = replaceSection(text, "policy-table", policyTable());
    fs.writeFileSync(file, text);
    const docs = path.join(REPO_ROOT, "docs", "policy-pack.md");
    let pack = fs.readFileSync(docs, "utf8");
    pack = replaceSection(pack, "policy-table", policyTable());
    pack = replaceSection(pack, "policy-coverage", coverageTable());
    pack = replaceSection(pack, "policy-config", configReference());
    fs.writeFileSync(docs, pack);
    console.log("README.md and docs/policy-pack.md sections regenerated");
}
