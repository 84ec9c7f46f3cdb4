import * as path from "path";
import * as esbuild from "esbuild";
import * as pulumi from "@pulumi/pulumi";
import { cachedBundle } from "./bundle-cache";

export const FUNCTIONS_DIR = path.resolve(__dirname, "..", "functions");

/** The Lambda runtime every function uses; it ships AWS SDK v3, which is therefore not bundled. */
export const NODE_RUNTIME = "nodejs22.x";

/**
 * Bundle one handler (functions/<name>.ts) into a single minified CommonJS file. The code is
 * plain JavaScript with no native modules, so one bundle serves arm64 and x86_64 alike; AWS SDK
 * v3 clients come from the runtime (`@aws-sdk/client-*` stays external), everything else is inlined.
 */
export function bundleHandler(name: string, entry = path.join(FUNCTIONS_DIR, `${name}.ts`)): { code: string; bytes: number } {
    const options: esbuild.BuildOptions = {
        entryPoints: [entry],
        bundle: true,
        platform: "node",
        target: "node22",
        format: "cjs",
        minify: true,
        write: false,
        legalComments: "none",
        // The runtime ships the AWS SDK v3 clients; small helpers such as util-dynamodb (Powertools Idempotency) are bundled.
        external: ["@aws-sdk/client-*"],
        logLevel: "silent",
    };
    const code = cachedBundle(options);
    return { code, bytes: Buffer.byteLength(code) };
}

/** The deployment package of a handler: `index.js` exporting `handler`. */
export function handlerArchive(name: string): pulumi.asset.AssetArchive {
    return new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset(bundleHandler(name).code) });
}
