import * as pulumi from "@pulumi/pulumi";

/** Throw one ResourceError listing every problem of a component's arguments (none: return). */
export function assertValidArgs(name: string, problems: string[], resource: pulumi.Resource): void {
    if (problems.length) throw new pulumi.ResourceError(`${name}: invalid arguments:\n  - ${problems.join("\n  - ")}`, resource);
}
