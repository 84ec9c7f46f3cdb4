// A program with a bug: a lookup whose promise rejects with nobody handling it (`pulumi preview` fails on it).
import * as aws from "@pulumi/aws";

async function quotaFor(service: string): Promise<number> {
    throw new Error(`quota lookup failed for ${service}: no such endpoint`);
}

const jobs = new aws.sqs.Queue("jobs", { sqsManagedSseEnabled: true });
void quotaFor("sqs").then(limit => console.log(`queue quota: ${limit}`));
export const queueUrl = jobs.url;
