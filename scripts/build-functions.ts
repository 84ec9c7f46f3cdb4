/**
 * `npm run build:functions`: write each handler's deployment bundle to .build/functions/<name>/index.js
 * (the same bundle `pulumi up` uploads, components/function-bundle.ts) and print its size.
 */
import * as fs from "fs";
import * as path from "path";
import { bundleHandler, HANDLERS } from "../components/function-bundle";

const out = path.resolve(__dirname, "..", ".build", "functions");
for (const name of HANDLERS) {
    const { code, bytes } = bundleHandler(name);
    const file = path.join(out, name, "index.js");
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, code);
    console.log(`${name.padEnd(10)} ${(bytes / 1024).toFixed(1).padStart(7)} KB  ${path.relative(process.cwd(), file)}`);
}
