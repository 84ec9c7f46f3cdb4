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
import { fail, parseCliArgs, readInput, runCli } from "./lib/cli";

export function replaceSection(text: string, name: string, body: string): string {
    const start = `<!-- ${name}:start -->`;
    const end = `<!-- ${name}:end -->`;
    const i = text.indexOf(start);
    const j = text.indexOf(end);
    if (i < 0 || j < i) fail(`README.md has no ${start} ... ${end} markers around the generated ${name}`);
    return text.slice(0, i + start.length) + "\n" + body + text.slice(j);
}

if (require.main === module) {
    runCli("docs", "usage: npm run docs   (regenerates the generated sections of README.md; exit codes: docs/cli.md)", argv => {
        parseCliArgs(argv, {}, { min: 0, max: 0, names: "" });
        const file = path.join(REPO_ROOT, "README.md");
        let text = readInput(file, "README");
        text = replaceSection(text, "settings-table", markdownTable());
        text = replaceSection(text, "policy-table", policyTable());
        fs.writeFileSync(file, text);
        console.log("README.md sections regenerated");
        return 0;
    });
}
