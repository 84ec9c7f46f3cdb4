/**
 * docs/components.md's component table, read from the source: every exported class of
 * components/*.ts (and bootstrap/*.ts) that extends pulumi.ComponentResource, with its type token
 * (the first argument of its `super(...)` call) and the JSDoc above the class.
 */
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import { REPO_ROOT } from "../engine/paths";

export interface ComponentDoc {
    className: string;
    typeToken: string;
    file: string;
    /** The JSDoc's first paragraph, with the bullet list that follows it when it ends with a colon. */
    doc: string;
    /** Markdown tables written in the JSDoc (ServiceTables documents its access patterns that way). */
    tables: string[];
}

/** The text of the JSDoc block right above a node (raw, so `@pulumi/aws` in prose is not read as a tag). */
function rawJsDoc(node: ts.Node, source: ts.SourceFile): string {
    const ranges = ts.getLeadingCommentRanges(source.text, node.getFullStart()) ?? [];
    const block = ranges.map(r => source.text.slice(r.pos, r.end)).filter(c => c.startsWith("/**")).pop();
    if (!block) return "";
    return block.replace(/^\/\*\*/, "").replace(/\*\/$/, "").split("\n").map(l => l.replace(/^\s*\* ?/, "")).join("\n").trim();
}

export function summarise(jsDoc: string): { doc: string; tables: string[] } {
    const paragraphs = jsDoc.split(/\n\s*\n/).map(p => p.trim()).filter(Boolean);
    const tables = paragraphs.filter(p => p.startsWith("|"));
    const parts: string[] = [];
    for (const p of paragraphs) {
        if (p.startsWith("|")) break;
        if (parts.length && !(parts[parts.length - 1].endsWith(":") && p.startsWith("- "))) break;
        parts.push(p.startsWith("- ") ? p.split(/\n(?=- )/).map(b => "<br>• " + b.slice(2)).join("") : p);
    }
    let doc = parts.join(" ").replace(/\s+/g, " ").trim();
    if (doc.endsWith(":") && tables.length) doc = doc.slice(0, -1) + " (tables below).";
    return { doc, tables: tables.map(t => t.split("\n").map(l => l.trim()).join("\n") + "\n") };
}

function superToken(cls: ts.ClassDeclaration): string {
    let token = "";
    const visit = (n: ts.Node): void => {
        if (!token && ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.SuperKeyword) {
            const a = n.arguments[0];
            if (a && ts.isStringLiteralLike(a)) token = a.text;
        }
        ts.forEachChild(n, visit);
    };
    visit(cls);
    return token;
}

/** The components declared in one TypeScript source text (`file` is only reported). */
export function componentsIn(file: string, text: string): ComponentDoc[] {
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
    const found: ComponentDoc[] = [];
    for (const st of source.statements) {
        if (!ts.isClassDeclaration(st) || !st.name) continue;
        if (!st.modifiers?.some(m => m.kind === ts.SyntaxKind.ExportKeyword)) continue;
        const base = st.heritageClauses?.find(h => h.token === ts.SyntaxKind.ExtendsKeyword)?.types[0]?.expression.getText(source);
        if (base !== "pulumi.ComponentResource") continue;
        found.push({ className: st.name.text, typeToken: superToken(st), file, ...summarise(rawJsDoc(st, source)) });
    }
    return found;
}

/** Every component of the repository, in file order. */
export function repositoryComponents(root = REPO_ROOT): ComponentDoc[] {
    const out: ComponentDoc[] = [];
    for (const dir of ["components", "bootstrap"]) {
        for (const f of fs.readdirSync(path.join(root, dir)).filter(x => x.endsWith(".ts")).sort()) {
            out.push(...componentsIn(`${dir}/${f}`, fs.readFileSync(path.join(root, dir, f), "utf8")));
        }
    }
    return out;
}

/** Problems that keep a component out of a useful table: no JSDoc, no type token. */
export function componentDocProblems(components: ComponentDoc[]): string[] {
    const p: string[] = [];
    for (const c of components) {
        if (!c.doc) p.push(`${c.file}: ${c.className} has no JSDoc above the class`);
        if (!/^[\w-]+:[\w-]+:[\w-]+$/.test(c.typeToken)) p.push(`${c.file}: ${c.className} has no <package>:<module>:<Type> token in super() (got ${JSON.stringify(c.typeToken)})`);
    }
    return p;
}

export function componentTable(components = repositoryComponents()): string {
    const rows = ["| Component | Type token | File | What it guarantees by default |", "|---|---|---|---|"];
    for (const c of components) {
        rows.push(`| \`${c.className}\` | \`${c.typeToken}\` | [\`${c.file}\`](../${c.file}) | ${c.doc.replace(/\|/g, "\\|")} |`);
    }
    return rows.join("\n") + "\n";
}

/** The tables written in components' JSDoc (the service tables' keys and access patterns). */
export function componentJsDocTables(components = repositoryComponents()): string {
    return components.flatMap(c => c.tables.map(t => `From \`${c.className}\` ([\`${c.file}\`](../${c.file})):\n\n${t}`)).join("\n");
}
