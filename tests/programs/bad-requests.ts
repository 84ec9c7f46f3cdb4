/**
 * A test program with requests the provider passes through and AWS refuses (tests/backup-plan.test.ts):
 * the plan must fail listing each, as `pulumi up` would.
 */
import * as aws from "@pulumi/aws";

const provider = new aws.Provider("test-aws", { region: "us-east-1" });
// The shape this project used before: tag conditions without the ["*"] ARN list, and a window over 168 hours.
new aws.backup.RestoreTestingSelection("conditions-only", {
    name: "tables",
    restoreTestingPlanName: "plan",
    protectedResourceType: "DynamoDB",
    iamRoleArn: "arn:aws:iam::123456789012:role/backup",
    protectedResourceConditions: { stringEquals: [{ key: "aws:ResourceTag/Environment", value: "staging" }] },
    validationWindowHours: 200,
}, { provider });
// Explicit ARNs mixed with the wildcard.
new aws.backup.RestoreTestingSelection("mixed", {
    name: "mixed",
    restoreTestingPlanName: "plan",
    protectedResourceType: "DynamoDB",
    iamRoleArn: "arn:aws:iam::123456789012:role/backup",
    protectedResourceArns: ["*", "arn:aws:dynamodb:us-east-1:123456789012:table/t"],
}, { provider });
// Tag conditions with explicit ARNs (conditions narrow only the wildcard).
new aws.backup.RestoreTestingSelection("arns-with-conditions", {
    name: "narrowed",
    restoreTestingPlanName: "plan",
    protectedResourceType: "DynamoDB",
    iamRoleArn: "arn:aws:iam::123456789012:role/backup",
    protectedResourceArns: ["arn:aws:dynamodb:us-east-1:123456789012:table/t"],
    protectedResourceConditions: { stringEquals: [{ key: "aws:ResourceTag/Environment", value: "staging" }] },
}, { provider });
