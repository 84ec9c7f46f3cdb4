/**
 * The resource types of the installed @pulumi/aws (7.48.0), read from its type definitions:
 * each type token with the properties of its Args and the older tokens it aliases. The scan
 * (~1,700 modules) is kept in .build/ per @pulumi/aws version, a tool cache like the plans'.
 */
import * as fs from "fs";
import * as path from "path";
import { REPO_ROOT } from "../engine/paths";

export interface AwsType {
    props: Set<string>;
    aliases: string[];
}

export const AWS_VERSION: string = require("@pulumi/aws/package.json").version;

let catalogue: Map<string, AwsType> | undefined;

export function awsTypes(): Map<string, AwsType> {
    if (catalogue) return catalogue;
    const cacheFile = path.join(REPO_ROOT, ".build", `aws-types-${AWS_VERSION}.json`);
    if (fs.existsSync(cacheFile)) {
        const cached: [string, { props: string[]; aliases: string[] }][] = JSON.parse(fs.readFileSync(cacheFile, "utf8"));
        catalogue = new Map(cached.map(([t, v]) => [t, { props: new Set(v.props), aliases: v.aliases }]));
        return catalogue;
    }
    catalogue = new Map();
    const root = path.dirname(require.resolve("@pulumi/aws/package.json"));
    for (const mod of fs.readdirSync(root, { withFileTypes: true })) {
        if (!mod.isDirectory() || mod.name === "types" || mod.name === "node_modules") continue;
        for (const file of fs.readdirSync(path.join(root, mod.name))) {
            if (!file.endsWith(".js")) continue;
            const js = fs.readFileSync(path.join(root, mod.name, file), "utf8");
            const token = /__pulumiType = '([^']+)'/.exec(js);
            if (!token) continue;
            const dts = fs.readFileSync(path.join(root, mod.name, file.replace(/\.js$/, ".d.ts")), "utf8");
            const args = /export interface \w+Args \{([\s\S]*?)\n\}/.exec(dts);
            catalogue.set(token[1], {
                props: new Set(args ? [...args[1].matchAll(/\n {4}(\w+)\??: /g)].map(m => m[1]) : []),
                aliases: [...js.matchAll(/aliases: \[\{ type: "([^"]+)"/g)].map(m => m[1]),
            });
        }
    }
    fs.mkdirSync(path.dirname(cacheFile), { recursive: true });
    fs.writeFileSync(cacheFile, JSON.stringify([...catalogue].map(([t, v]) => [t, { props: [...v.props], aliases: v.aliases }])));
    return catalogue;
}
