/**
 * The layout: each top-level folder is a room with one job (README, "Where things live"), and the
 * rooms depend on each other in one direction only. Imports are read with TypeScript's own
 * pre-processor (static imports, `await import(…)` and `require(…)` alike).
 */
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import { expect } from "chai";
import { REPO_ROOT } from "../engine/paths";

/** Every .ts/.js source of the project (not node_modules, not build output). */
function sources(dir = REPO_ROOT): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap(e => {
        const full = path.join(dir, e.name);
        if (e.isDirectory()) return e.name === "node_modules" || e.name.startsWith(".") ? [] : sources(full);
        return /\.(ts|js)$/.test(e.name) && !e.name.endsWith(".d.ts") ? [full] : [];
    });
}

/** The project's own files a source imports, resolved as Node resolves them. */
function importsOf(file: string, text = fs.readFileSync(file, "utf8")): string[] {
    return ts.preProcessFile(text, true, true).importedFiles
        .map(i => i.fileName)
        .filter(f => f.startsWith("."))
        .map(f => path.resolve(path.dirname(file), f))
        .map(f => [f, `${f}.ts`, `${f}.js`, path.join(f, "index.ts")].find(c => fs.existsSync(c) && fs.statSync(c).isFile()) ?? f);
}

/** The room a file belongs to: its top-level folder, or the file itself at the root (config.ts, index.ts). */
function roomOf(file: string): string {
    return path.relative(REPO_ROOT, file).split(path.sep)[0];
}

/** A cycle in a directed graph, as the list of its nodes (first = last), or undefined. */
export function findCycle(edges: Map<string, Set<string>>): string[] | undefined {
    const state = new Map<string, "open" | "done">();
    const stack: string[] = [];
    const visit = (n: string): string[] | undefined => {
        if (state.get(n) === "done") return undefined;
        if (state.get(n) === "open") return [...stack.slice(stack.indexOf(n)), n];
        state.set(n, "open");
        stack.push(n);
        for (const m of edges.get(n) ?? []) {
            const cycle = visit(m);
            if (cycle) return cycle;
        }
        stack.pop();
        state.set(n, "done");
        return undefined;
    };
    for (const n of edges.keys()) {
        const cycle = visit(n);
        if (cycle) return cycle;
    }
    return undefined;
}

const files = sources();
const graph = new Map(files.map(f => [f, new Set(importsOf(f).filter(t => t.startsWith(REPO_ROOT + path.sep)))]));
const rel = (f: string) => path.relative(REPO_ROOT, f);

describe("the layout: rooms that depend on each other one way", () => {
    it("reads imports of every kind, and finds a cycle (fixtures)", () => {
        const file = path.join(REPO_ROOT, "engine", "x.ts");
        const text = "import { a } from './planner';\nconst b = await import('../cli/plan');\nconst c = require('./paths');\nimport * as fs from 'fs';\n";
        expect(importsOf(file, text).map(rel)).to.deep.equal(["engine/planner.ts", "cli/plan.ts", "engine/paths.ts"]);
        const edges = new Map([["a", new Set(["b"])], ["b", new Set(["c"])], ["c", new Set(["a"])], ["d", new Set(["a"])]]);
        expect(findCycle(edges)).to.deep.equal(["a", "b", "c", "a"]);
        expect(findCycle(new Map([["a", new Set(["b"])], ["b", new Set<string>()]]))).to.equal(undefined);
    });

    it("no module imports itself through others", () => {
        const cycle = findCycle(graph);
        expect(cycle?.map(rel), "an import cycle").to.equal(undefined);
    });

    it("no two rooms import each other, directly or through a third (engine ↔ cli, engine ↔ checks, …)", () => {
        const rooms = new Map<string, Set<string>>();
        for (const [from, tos] of graph) {
            if (roomOf(from) === "tests") continue; // the tests read every room
            for (const to of tos) {
                if (roomOf(to) === roomOf(from)) continue;
                rooms.set(roomOf(from), (rooms.get(roomOf(from)) ?? new Set()).add(roomOf(to)));
            }
        }
        expect(findCycle(rooms), "rooms importing each other").to.equal(undefined);
        // The engine is used by the commands, never the reverse.
        expect([...rooms.get("engine") ?? []]).not.to.include("cli");
    });

    it("components take values: none imports config.ts (the settings) or the engine, commands or generators", () => {
        const bad = [...graph].filter(([from]) => roomOf(from) === "components")
            .flatMap(([from, tos]) => [...tos].filter(to => ["config.ts", "engine", "cli", "generators", "checks", "tests"].includes(roomOf(to))).map(to => `${rel(from)} imports ${rel(to)}`));
        expect(bad).to.deep.equal([]);
    });

    it("the handlers are bundled alone: functions/ imports nothing outside functions/", () => {
        const bad = [...graph].filter(([from]) => roomOf(from) === "functions")
            .flatMap(([from, tos]) => [...tos].filter(to => roomOf(to) !== "functions").map(to => `${rel(from)} imports ${rel(to)}`));
        expect(bad).to.deep.equal([]);
    });
});
