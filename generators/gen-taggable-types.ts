/**
 * Generates policy-pack/policies/taggable-types.json: every @pulumi/aws resource type whose args
 * take a `tags` map (so provider `defaultTags` apply to it). The required-tags policy checks
 * exactly these types. Re-run after upgrading @pulumi/aws: `npx ts-node generators/gen-taggable-types.ts`.
 */
import * as fs from "fs";
import * as path from "path";

const root = path.dirname(require.resolve("@pulumi/aws/package.json"));
const version = require("@pulumi/aws/package.json").version;
const types: string[] = [];
for (const mod of fs.readdirSync(root, { withFileTypes: true })) {
    if (!mod.isDirectory() || mod.name === "types" || mod.name === "node_modules") continue;
    for (const file of fs.readdirSync(path.join(root, mod.name))) {
        if (!file.endsWith(".d.ts")) continue;
        const dts = fs.readFileSync(path.join(root, mod.name, file), "utf8");
        const args = /export interface (\w+)Args \{([\s\S]*?)\n\}/.exec(dts);
        if (!args || !/\n\s+tags\?: pulumi\.Input<\{/.test(args[2])) continue;
        const js = path.join(root, mod.name, file.replace(/\.d\.ts$/, ".js"));
        const token = fs.existsSync(js) ? /__pulumiType = '([^']+)'/.exec(fs.readFileSync(js, "utf8")) : null;
        if (token) types.push(token[1]);
    }
}
types.sort();
const out = path.resolve(__dirname, "..", "policy-pack", "policies", "taggable-types.json");
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(out, JSON.stringify({ generatedFrom: `@pulumi/aws ${version}`, types }, null, 1) + "\n");
console.log(`${types.length} taggable types from @pulumi/aws ${version} -> ${path.relative(process.cwd(), out)}`);
