// The growth team's webhooks: one public function URL (no auth), one signed with IAM. The program is an
// exported async function; its result is the stack's outputs.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export = async () => {
    const identity = await aws.getCallerIdentity();
    const role = new aws.iam.Role("hook-role", {
        assumeRolePolicy: JSON.stringify({
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole",
                Condition: { StringEquals: { "aws:SourceAccount": identity.accountId } } }],
        }),
        managedPolicyArns: [aws.iam.ManagedPolicy.AWSLambdaBasicExecutionRole],
    });
    const hook = (name: string) => new aws.lambda.Function(name, {
        runtime: "nodejs22.x",
        handler: "hook.handler",
        role: role.arn,
        code: new pulumi.asset.FileArchive("./src"),
        tracingConfig: { mode: "Active" },
    });
    const open = new aws.lambda.FunctionUrl("partner-hook", { functionName: hook("partner").name, authorizationType: "NONE" });
    const signed = new aws.lambda.FunctionUrl("internal-hook", { functionName: hook("internal").name, authorizationType: "AWS_IAM" });
    return { partnerUrl: open.functionUrl, internalUrl: signed.functionUrl };
};
