/**
 * A test program that registers resources after its top-level code returned (tests/plan.test.ts):
 * one in an output's apply, one on the next event-loop turn, one from a 15 ms timer. The planner
 * must wait for all of them before it judges the plan.
 */
import * as aws from "@pulumi/aws";

const provider = new aws.Provider("test-aws", { region: "us-east-1" });
const opts = { provider };

const a = new aws.sqs.Queue("a", {}, opts);
a.arn.apply(() => new aws.sqs.Queue("from-apply", {}, opts));
setImmediate(() => new aws.sqs.Queue("next-turn", {}, opts));
setTimeout(() => new aws.sqs.Queue("from-timer", {}, opts), 15);
