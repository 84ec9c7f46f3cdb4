// The data team's workflow: two functions chained by a state machine; every IAM document from getPolicyDocument.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

const assume = (service: string) => aws.iam.getPolicyDocumentOutput({
    statements: [{ effect: "Allow", actions: ["sts:AssumeRole"], principals: [{ type: "Service", identifiers: [service] }] }],
});

const lambdaRole = new aws.iam.Role("lambda-role", { assumeRolePolicy: assume("lambda.amazonaws.com").json });
new aws.iam.RolePolicyAttachment("lambda-basic", { role: lambdaRole.name, policyArn: aws.iam.ManagedPolicy.AWSLambdaBasicExecutionRole });

const fn = (name: string) => new aws.lambda.Function(name, {
    runtime: aws.lambda.Runtime.NodeJS22dX,
    handler: `${name}.handler`,
    role: lambdaRole.arn,
    code: new pulumi.asset.FileArchive("./handlers"),
    tracingConfig: { mode: "Active" },
});
const hello = fn("hello");
const world = fn("world");

const sfnRole = new aws.iam.Role("sfn-role", { assumeRolePolicy: assume("states.amazonaws.com").json });
new aws.iam.RolePolicy("sfn-invoke", {
    role: sfnRole.id,
    policy: aws.iam.getPolicyDocumentOutput({
        statements: [{ effect: "Allow", actions: ["lambda:InvokeFunction"], resources: [hello.arn, world.arn] }],
    }).json,
});

const machine = new aws.sfn.StateMachine("workflow", {
    roleArn: sfnRole.arn,
    definition: pulumi.jsonStringify({
        Comment: "hello, then world",
        StartAt: "Hello",
        States: {
            Hello: { Type: "Task", Resource: hello.arn, Next: "World" },
            World: { Type: "Task", Resource: world.arn, End: true },
        },
    }),
    tracingConfiguration: { enabled: true },
});

export const stateMachineArn = machine.arn;
