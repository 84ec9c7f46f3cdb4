/**
 * `npm run build:functions -- [<handler>...] [--out <dir>]`: writes each Lambda handler's
 * deployment bundle, exactly as the program deploys it (components/function-bundle.ts), to
 * `<out>/<handler>/index.js` (default .build/functions), and prints its size. The program bundles
 * by itself at `pulumi up`; this is for looking at, or testing, what it deploys.
 */
import * as fs from "fs";
import * as path from "path";
import { didYouMean } from "../components/messages";
import { checkWritable, fail, parseCliArgs, runCli, shownPath, STDOUT, userPath } from "../engine/cli";
import { REPO_ROOT } from "../engine/paths";

/** The handlers: every functions/<name>.ts (functions/lib holds their shared code). */
export function handlerNames(): string[] {
    return fs.readdirSync(path.join(REPO_ROOT, "functions")).filter(f => f.endsWith(".ts")).map(f => f.slice(0, -3)).sort();
}

if (require.main === module) {
    runCli("build:functions", "usage: npm run build:functions -- [<handler>...] [--out <dir>]   (default: every handler, into .build/functions; <dir> is relative to the folder you run the command from)", argv => {
        const { values, positionals } = parseCliArgs(argv, { out: { type: "string" } }, { min: 0, max: Infinity, names: "" });
        const all = handlerNames();
        for (const name of positionals) {
            if (!all.includes(name)) {
                const near = didYouMean(name, all);
                fail(`no handler ${name}${near ? `; did you mean ${near}?` : ""} (handlers: ${all.join(", ")})`);
            }
        }
        if (values.out === STDOUT) fail("--out -: give a folder (each handler's bundle is a file of its own), not standard output");
        const out = values.out === undefined ? path.join(REPO_ROOT, ".build", "functions") : userPath(values.out);
        fs.mkdirSync(out, { recursive: true });
        checkWritable(path.join(out, "x"), "--out folder");
        const { bundleHandler } = require("../components/function-bundle") as typeof import("../components/function-bundle");
        for (const name of positionals.length ? positionals : all) {
            const file = path.join(out, name, "index.js");
            const { code, bytes } = bundleHandler(name);
            fs.mkdirSync(path.dirname(file), { recursive: true });
            fs.writeFileSync(file, code);
            console.log(`${name.padEnd(10)} ${(bytes / 1024).toFixed(1).padStart(7)} KB  ${shownPath(file)}`);
        }
        return 0;
    });
}
