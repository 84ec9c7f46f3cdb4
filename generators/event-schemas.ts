/**
 * Writes checks/event-schemas.json: the detail fields of every AWS service event that
 * @aws-cdk/aws-service-spec carries an EventBridge schema for (source, detail-type → field tree).
 * The plan checks event patterns against it (checks/event-patterns.ts); loading the whole service
 * spec takes about a second, too slow for every plan, so the fields are kept in this file and
 * tests/event-patterns.test.ts fails when it no longer matches the installed spec.
 *
 *   node -r ./engine/register.js generators/event-schemas.ts          # rewrite the file
 *   node -r ./engine/register.js generators/event-schemas.ts --check  # exit 1 when it is stale
 */
import * as fs from "fs";
import * as path from "path";
import { loadAwsServiceSpec } from "@aws-cdk/aws-service-spec";
import type { FieldTree } from "../checks/event-patterns";

export const EVENT_SCHEMAS_FILE = path.join(__dirname, "..", "checks", "event-schemas.json");

/** Nesting beyond this depth is kept as "any field" (a few GuardDuty and Inspector types are recursive). */
const MAX_DEPTH = 8;

type SpecType = { type: string; reference?: { $ref: string }; element?: SpecType; types?: SpecType[]; allowedValues?: unknown[] };

function merge(a: FieldTree, b: FieldTree): FieldTree {
    if (a === "*" || b === "*") return "*";
    if (typeof a === "object" && !Array.isArray(a) && typeof b === "object" && !Array.isArray(b)) {
        const out: Record<string, FieldTree> = { ...a };
        for (const [k, v] of Object.entries(b)) out[k] = k in out ? merge(out[k], v) : v;
        return out;
    }
    if (typeof a === "object" && !Array.isArray(a)) return a;
    if (typeof b === "object" && !Array.isArray(b)) return b;
    if (Array.isArray(a) && Array.isArray(b)) return [...new Set([...a, ...b])].sort();
    if (a === b) return a;
    return 1;
}

let fromSpec: Promise<Record<string, Record<string, FieldTree>>> | undefined;

/** The spec's events as source → detail-type → field tree of `detail`, sorted for a stable file (read once per process). */
export function eventSchemasFromSpec(): Promise<Record<string, Record<string, FieldTree>>> {
    fromSpec ??= readSpec();
    return fromSpec;
}

async function readSpec(): Promise<Record<string, Record<string, FieldTree>>> {
    const db = await loadAwsServiceSpec();
    const byId = new Map<string, any>(db.all("eventTypeDefinition").map((d: any) => [d.$id, d]));
    const tree = (t: SpecType, depth: number, seen: Set<string>): FieldTree => {
        switch (t.type) {
            case "ref": {
                const id = t.reference!.$ref;
                if (seen.has(id) || depth >= MAX_DEPTH) return "*";
                const def = byId.get(id);
                if (!def) return "*";
                const out: Record<string, FieldTree> = {};
                for (const k of Object.keys(def.properties).sort()) out[k] = tree(def.properties[k].type, depth + 1, new Set([...seen, id]));
                return out;
            }
            case "array": return tree(t.element!, depth, seen);
            case "union": return t.types!.map(x => tree(x, depth, seen)).reduce(merge);
            case "json": case "map": return "*";
            case "string": case "date-time": return t.allowedValues?.length ? t.allowedValues.map(String).sort() : "string";
            case "number": case "integer": return "number";
            case "boolean": return "boolean";
            default: return 1;
        }
    };
    const out: Record<string, Record<string, FieldTree>> = {};
    const events = [...db.all("event")].sort((a: any, b: any) => a.source.localeCompare(b.source) || a.detailType.localeCompare(b.detailType));
    for (const e of events as any[]) {
        const t = tree({ type: "ref", reference: e.rootProperty }, 0, new Set());
        out[e.source] ??= {};
        out[e.source][e.detailType] = e.detailType in out[e.source] ? merge(out[e.source][e.detailType], t) : t;
    }
    return out;
}

export async function renderEventSchemas(): Promise<string> {
    return JSON.stringify(await eventSchemasFromSpec()) + "\n";
}

if (require.main === module) {
    void (async () => {
        const text = await renderEventSchemas();
        if (process.argv.includes("--check")) {
            const current = fs.existsSync(EVENT_SCHEMAS_FILE) ? fs.readFileSync(EVENT_SCHEMAS_FILE, "utf8") : "";
            if (current !== text) {
                console.error(`${path.relative(process.cwd(), EVENT_SCHEMAS_FILE)} is stale: run node -r ./engine/register.js generators/event-schemas.ts`);
                process.exit(1);
            }
            return;
        }
        fs.writeFileSync(EVENT_SCHEMAS_FILE, text);
        console.log(`wrote ${path.relative(process.cwd(), EVENT_SCHEMAS_FILE)} (${text.length} bytes)`);
    })();
}
