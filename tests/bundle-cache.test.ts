import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { expect } from "chai";
import { cachedBundle } from "../components/bundle-cache";

describe("bundle cache (components/bundle-cache.ts)", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bundle-"));
    const write = (name: string, text: string) => fs.writeFileSync(path.join(dir, name), text);
    const options = { entryPoints: [path.join(dir, "entry.ts")], bundle: true, platform: "node" as const, format: "cjs" as const, logLevel: "silent" as const };
    const saved = process.env.BUNDLE_CACHE_DIR;
    before(() => { process.env.BUNDLE_CACHE_DIR = path.join(dir, "cache"); });
    after(() => { if (saved === undefined) delete process.env.BUNDLE_CACHE_DIR; else process.env.BUNDLE_CACHE_DIR = saved; });

    it("rebuilds when any file the bundle read changes, not only the entry point", () => {
        write("entry.ts", 'import { word } from "./dep";\nexport const handler = () => word;\n');
        write("dep.ts", 'export const word: string = "first";\n');
        expect(cachedBundle(options)).to.contain("first");
        expect(fs.readdirSync(path.join(dir, "cache")).filter(f => f.endsWith(".json")), "shared on disk").to.have.length(1);
        write("dep.ts", 'export const word: string = "other";\n');
        const rebuilt = cachedBundle(options);
        expect(rebuilt).to.contain("other");
        expect(rebuilt).not.to.contain("first");
    });

    it("reuses the bundle while nothing changed, and keys it by the build options", () => {
        const a = cachedBundle(options);
        expect(cachedBundle(options)).to.equal(a);
        expect(cachedBundle({ ...options, minify: true })).not.to.equal(a);
    });
});
