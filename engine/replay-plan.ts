/**
 * `node -r ./engine/register.js engine/replay-plan.ts <plan.json>`: the Pulumi SDK alone
 * doing a plan's registrations — every resource of the plan (same type, name, parent, provider,
 * dependencies and inputs, through the @pulumi/aws class of its type) registered under mocks that
 * return the inputs as state. No program logic, no naming or request checks, no policies, no cost.
 * bench-plan times it beside the plan: plan − replay is the project's own work, replay − floor is
 * the SDK's per-resource work, which no change to this project can remove.
 *
 * Checks itself: the URNs it registered must be exactly the plan's (exit 4 otherwise).
 */
import * as fs from "fs";
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import type { PlanResource } from "./policy-runner";
import { settle } from "./settle";


// The SDK's base classes are abstract; a type token with no @pulumi/aws class goes through these.
class ReplayedProvider extends pulumi.ProviderResource {}
class ReplayedResource extends pulumi.CustomResource {}

/** The @pulumi/aws class of a type token (`aws:cloudwatch/metricAlarm:MetricAlarm` → aws.cloudwatch.MetricAlarm). */
function awsClass(type: string): (new (name: string, args: any, opts: pulumi.CustomResourceOptions) => pulumi.CustomResource) | undefined {
    const [pkg, mod, name] = type.split(":");
    if (pkg !== "aws" || !mod || !name) return undefined;
    const module = mod.split("/")[0];
    const ns: any = module === "index" ? aws : (aws as any)[module];
    return ns?.[name];
}

async function replay(file: string): Promise<number> {
    const plan: { project: string; stack: string; resources: PlanResource[] } = JSON.parse(fs.readFileSync(file, "utf8"));
    const registered: string[] = [];
    await pulumi.runtime.setMocks({
        newResource: args => ({ id: `${args.name}-id`, state: args.inputs }),
        call: () => ({}),
    }, plan.project, plan.stack, false);
    const monitor: any = pulumi.runtime.getMonitor();
    const original = monitor.registerResource.bind(monitor);
    let started = 0;
    let pending = 0;
    monitor.registerResource = (req: any, callback: (err: any, resp: any) => void) => {
        started++;
        pending++;
        return original(req, (err: any, resp: any) => {
            if (resp) registered.push(resp.getUrn());
            pending--;
            callback(err, resp);
        });
    };
    // As the plan does, without stack traces of promises (engine/planner.ts).
    Error.stackTraceLimit = 0;
    const start = process.hrtime.bigint();
    await pulumi.runtime.runInPulumiStack(async () => {
        const byUrn = new Map<string, pulumi.Resource>();
        for (const r of plan.resources) {
            const opts: pulumi.CustomResourceOptions = {
                parent: r.parent ? byUrn.get(r.parent) : undefined,
                provider: r.provider ? byUrn.get(r.provider) as pulumi.ProviderResource : undefined,
                dependsOn: r.dependencies.map(u => byUrn.get(u)).filter((d): d is pulumi.Resource => d !== undefined),
            };
            let resource: pulumi.Resource;
            if (r.type.startsWith("pulumi:providers:")) {
                resource = new ReplayedProvider(r.type.slice("pulumi:providers:".length), r.name, r.inputs as any, opts);
            } else if (!r.custom) {
                resource = new pulumi.ComponentResource(r.type, r.name, {}, { parent: opts.parent });
            } else {
                const Class = awsClass(r.type);
                resource = Class ? new Class(r.name, r.inputs, opts) : new ReplayedResource(r.type, r.name, r.inputs as any, opts);
            }
            byUrn.set(r.urn, resource);
        }
        return {};
    });
    await settle(() => pending, () => started);
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    const want = new Set(plan.resources.map(r => r.urn));
    const got = new Set(registered.filter(u => !u.includes("::pulumi:pulumi:Stack::")));
    const missing = [...want].filter(u => !got.has(u));
    const extra = [...got].filter(u => !want.has(u));
    if (missing.length || extra.length) {
        console.error(`replay-plan: registered URNs differ from the plan's: ${missing.length} missing (${missing.slice(0, 3).join(", ")}), ${extra.length} extra (${extra.slice(0, 3).join(", ")})`);
        return 4;
    }
    console.log(`replayed ${got.size} resources of ${plan.project}/${plan.stack} in ${ms.toFixed(0)} ms`);
    return 0;
}

const file = process.argv[2];
if (!file) {
    console.error("usage: node -r ./engine/register.js engine/replay-plan.ts <plan.json>");
    process.exitCode = 3;
} else {
    replay(file).then(code => { process.exitCode = code; }, e => {
        console.error(`replay-plan: ${e?.message ?? e}`);
        process.exitCode = 4;
    });
}
