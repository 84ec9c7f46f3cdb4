/**
 * Regenerates the README's generated sections (settings table, policy table) between their
 * markers. tests check that the README holds the current versions: run `npm run docs` after
 * changing config.ts or the policies.
 */
import * as fs from "fs";
import * as path from "path";
import { markdownTable } from "./settings-doc";
import { policyTable } from "./policy-doc";
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
    text = replaceSection(text, "policy-table", policyTable());
    fs.writeFileSync(file, text);
    console.log("README.md sections regenerated");
}
