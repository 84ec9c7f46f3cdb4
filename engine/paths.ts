import * as path from "path";

/** The repository root (the folder holding Pulumi.yaml). */
export const REPO_ROOT = path.resolve(__dirname, "..");
