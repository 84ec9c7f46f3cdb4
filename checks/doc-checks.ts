/**
 * Checks that keep the README and docs/ true to the repository: links that resolve, `npm run`
 * commands that exist, an architecture picture that names the components index.ts builds.
 * Each returns the list of problems (empty when fine); tests/docs.test.ts runs them.
 */
import * as fs from "fs";
import * as path from "path";

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
export function headingAnchor(heading: string): string {
    return heading.trim().toLowerCase().replace(/[`*_]/g, "").replace(/[^\p{L}\p{N} -]/gu, "").replace(/ /g, "-");
}

function anchorsOf(markdown: string): Set<string> {
    return new Set(markdown.split("\n").filter(l => /^#{1,6} /.test(l)).map(l => headingAnchor(l.replace(/^#+ /, ""))));
}

/** Text outside fenced code blocks (links in code are not links). */
function prose(markdown: string): string {
    return markdown.replace(/^```[\s\S]*?^```/gm, "");
}

/**
 * Relative links of a Markdown file (`file` is its path, for resolving) that point to nothing:
 * a missing file or folder, or an `#anchor` with no such heading in the target.
 */
export function brokenLinks(markdown: string, file: string): string[] {
    const problems: string[] = [];
    for (const m of prose(markdown).matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = m[1];
        if (/^[a-z]+:/i.test(target)) continue; // https:, mailto:
        const [rel, anchor] = target.split("#");
        const resolved = rel ? path.resolve(path.dirname(file), rel) : file;
        if (!fs.existsSync(resolved)) {
            problems.push(`${path.basename(file)}: link ${target} points to ${rel}, which does not exist`);
            continue;
        }
        const targetText = rel ? (resolved.endsWith(".md") ? fs.readFileSync(resolved, "utf8") : undefined) : markdown;
        if (anchor !== undefined && targetText !== undefined && !anchorsOf(targetText).has(anchor)) {
            problems.push(`${path.basename(file)}: link ${target} names a heading that ${rel || "this file"} does not have`);
        }
    }
    return problems;
}

/** `npm run <script>` commands in the text whose script package.json does not define. */
export function unknownNpmScripts(markdown: string, scripts: Record<string, string>): string[] {
    const names = new Set([...markdown.matchAll(/npm run (?:-s )?([\w:.-]+)/g)].map(m => m[1]));
    return [...names].filter(n => !(n in scripts)).map(n => `npm run ${n}: package.json has no script ${n}`);
}

/** Classes a program instantiates directly (`new X(`; `new aws.x.Y(` is not matched). */
export function instantiatedComponents(program: string): string[] {
    return [...new Set([...program.matchAll(/new ([A-Z]\w+)\(/g)].map(m => m[1]))];
}

/**
 * The README's architecture picture (its first fenced block after "## Architecture") against the
 * program: every component the program builds appears in the picture, and the name each line of
 * the tree starts with (after the tree's glyphs), when CamelCase, is one of `knownComponents`.
 */
export function architectureProblems(readme: string, program: string, knownComponents: string[]): string[] {
    const section = readme.split(/^## Architecture\s*$/m)[1];
    const picture = section?.match(/^```[^\n]*\n([\s\S]*?)^```/m)?.[1];
    if (!picture) return ["README has no architecture picture (a fenced block under ## Architecture)"];
    const problems: string[] = [];
    const known = new Set(knownComponents);
    for (const c of instantiatedComponents(program).filter(x => known.has(x))) {
        if (!new RegExp(`\\b${c}\\b`).test(picture)) problems.push(`index.ts builds ${c}, which the architecture picture does not show`);
    }
    for (const line of picture.split("\n")) {
        const m = /^[\s│├└─]*([A-Z][a-z]+(?:[A-Z][a-z]+)+)\b/.exec(line);
        if (m && !known.has(m[1])) problems.push(`the architecture picture names ${m[1]}, which is not a component`);
    }
    return problems;
}

/**
 * Project history a reader cannot follow: issue numbers, work sessions, the load of the machine a
 * figure was taken on described by its other jobs. Each pattern is spelt with a character class,
 * so that this file does not match itself. Returns `line: text` for each hit.
 */
const HISTORY = [/\b[i]ssue #?\d+/i, /\bwithin the [s]ession\b/i, /\bin this [s]ession\b/i, /\bother [j]obs running\b/i];

export function historyMentions(text: string): string[] {
    return text.split("\n").flatMap((l, i) => HISTORY.some(re => re.test(l)) ? [`${i + 1}: ${l.trim().slice(0, 120)}`] : []);
}

/**
 * The README's "Where things live" table against the repository's top-level folders: folders it
 * does not name, and names that are not folders.
 */
export function folderTableProblems(readme: string, folders: string[]): string[] {
    const section = readme.split(/^## Where things live\s*$/m)[1]?.split(/^## /m)[0];
    if (section === undefined) return ["README has no \"## Where things live\" section"];
    const named = new Set([...section.matchAll(/`([\w.-]+)\/`/g)].map(m => m[1]));
    return [
        ...folders.filter(f => !named.has(f)).map(f => `${f}/ is not in "Where things live"`),
        ...[...named].filter(f => !folders.includes(f)).map(f => `"Where things live" names ${f}/, which is not a folder`),
    ];
}
