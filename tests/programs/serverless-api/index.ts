// The backend team's orders API: API Gateway REST API → Lambda, code from ./app.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

const role = new aws.iam.Role("handler-role", {
    assumeRolePolicy: aws.iam.assumeRolePolicyForPrincipal({ Service: "lambda.amazonaws.com" }),
});
new aws.iam.RolePolicyAttachment("handler-logs", { role: role.name, policyArn: aws.iam.ManagedPolicy.AWSLambdaBasicExecutionRole });

const logs = new aws.cloudwatch.LogGroup("handler-logs", { retentionInDays: 14 });
const handler = new aws.lambda.Function("handler", {
    runtime: aws.lambda.Runtime.NodeJS22dX,
    handler: "index.handler",
    role: role.arn,
    code: new pulumi.asset.AssetArchive({ ".": new pulumi.asset.FileArchive("./app") }),
    loggingConfig: { logFormat: "JSON", logGroup: logs.name },
    tracingConfig: { mode: "Active" },
});

const api = new aws.apigateway.RestApi("orders", { endpointConfiguration: { types: "REGIONAL" } });
const orders = new aws.apigateway.Resource("orders", { restApi: api.id, parentId: api.rootResourceId, pathPart: "orders" });
const method = new aws.apigateway.Method("get-orders", { restApi: api.id, resourceId: orders.id, httpMethod: "GET", authorization: "AWS_IAM" });
const integration = new aws.apigateway.Integration("get-orders", {
    restApi: api.id, resourceId: orders.id, httpMethod: method.httpMethod, type: "AWS_PROXY", integrationHttpMethod: "POST", uri: handler.invokeArn,
});
new aws.lambda.Permission("api-invoke", {
    action: "lambda:InvokeFunction", function: handler.name, principal: "apigateway.amazonaws.com", sourceArn: pulumi.interpolate`${api.executionArn}/*/*`,
});
const deployment = new aws.apigateway.Deployment("orders", { restApi: api.id, triggers: { redeploy: integration.id } }, { dependsOn: [integration] });
const stage = new aws.apigateway.Stage("v1", { restApi: api.id, deployment: deployment.id, stageName: "v1", xrayTracingEnabled: true });

export const url = pulumi.interpolate`${stage.invokeUrl}/orders`;
