"use strict";
// The payments team: everything through one explicit provider that carries the region and the tags.
const aws = require("@pulumi/aws");
const pulumi = require("@pulumi/pulumi");

const config = new pulumi.Config();
const provider = new aws.Provider("payments", {
    region: config.require("region"),
    defaultTags: { tags: { Project: "payments", Environment: "prod", Owner: "payments", CostCenter: "7100", ManagedBy: "pulumi" } },
});
const opts = { provider };

const key = new aws.kms.Key("payments-key", { enableKeyRotation: true, description: "Payments secrets" }, opts);
const secret = new aws.secretsmanager.Secret("api-key", { kmsKeyId: key.arn }, opts);
new aws.secretsmanager.SecretVersion("api-key", { secretId: secret.id, secretString: config.requireSecret("apiKey") }, opts);

const role = new aws.iam.Role("charge-role", {
    assumeRolePolicy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] },
}, opts);
new aws.iam.RolePolicy("charge-secret", {
    role: role.id,
    // An object as the policy document, with Outputs inside.
    policy: {
        Version: "2012-10-17",
        Statement: [
            { Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: secret.arn },
            { Effect: "Allow", Action: "kms:Decrypt", Resource: key.arn },
        ],
    },
}, opts);
const logs = new aws.cloudwatch.LogGroup("charge-logs", { retentionInDays: 30, kmsKeyId: key.arn }, opts);
const fn = new aws.lambda.Function("charge", {
    runtime: "nodejs22.x",
    handler: "handler.handler",
    role: role.arn,
    code: new pulumi.asset.AssetArchive({ "handler.js": new pulumi.asset.FileAsset("handler.js") }),
    environment: { variables: { SECRET_ARN: secret.arn } },
    kmsKeyArn: key.arn,
    tracingConfig: { mode: "Active" },
    loggingConfig: { logFormat: "JSON", logGroup: logs.name },
}, opts);

module.exports = { functionName: fn.name, secretArn: secret.arn };
