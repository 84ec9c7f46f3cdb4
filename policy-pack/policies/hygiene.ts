/** Operational guardrails: recovery, retention, tracing, logging, WAF, least privilege, no public access. */
import { asList, linked, parseDocument, read, resourcePolicy, stackPolicy, statementsOf, UNKNOWN } from "./helpers";

export const dynamodbPitr = resourcePolicy({
    name: "dynamodb-pitr",
    description: "DynamoDB tables keep point-in-time recovery on.",
    types: ["aws:dynamodb/table:Table"],
    check: (props, violation) => {
        const pitr = read(props, "pointInTimeRecovery", "enabled");
        if (pitr !== true && pitr !== UNKNOWN) violation("pointInTimeRecovery.enabled must be true (35-day restore window).");
    },
});

export const logRetention = resourcePolicy({
    name: "log-group-retention",
    description: "CloudWatch log groups have a retention (never 'forever').",
    types: ["aws:cloudwatch/logGroup:LogGroup"],
    check: (props, violation) => {
        const days = read(props, "retentionInDays");
        if (days !== UNKNOWN && !(typeof days === "number" && days > 0)) violation("retentionInDays must be set (logs are kept and billed forever otherwise).");
    },
});

export const lambdaTracing = resourcePolicy({
    name: "lambda-tracing",
    description: "Lambda functions trace with X-Ray (tracingConfig.mode Active).",
    types: ["aws:lambda/function:Function"],
    check: (props, violation) => {
        const mode = read(props, "tracingConfig", "mode");
        if (mode !== "Active" && mode !== UNKNOWN) violation("tracingConfig.mode must be Active.");
    },
});

export const apiStageAccessLogs = resourcePolicy({
    name: "apigateway-stage-access-logs",
    description: "API Gateway stages write access logs.",
    types: ["aws:apigateway/stage:Stage", "aws:apigatewayv2/stage:Stage"],
    check: (props, violation) => {
        const dest = read(props, "accessLogSettings", "destinationArn");
        if (dest === undefined || dest === null || dest === "") violation("accessLogSettings.destinationArn must name a log group.");
    },
});

export const apiStageWaf = stackPolicy({
    name: "apigateway-stage-waf",
    description: "Every REST API stage is associated with a WAF web ACL.",
    check: (resources, violation) => {
        const associations = resources.filter(r => r.type === "aws:wafv2/webAclAssociation:WebAclAssociation");
        for (const stage of resources.filter(r => r.type === "aws:apigateway/stage:Stage")) {
            if (!associations.some(a => linked(a, "resourceArn", stage, "arn"))) violation("no WAF web ACL is associated with this stage.", stage.urn);
        }
    },
});

const POLICY_TYPES = ["aws:iam/rolePolicy:RolePolicy", "aws:iam/policy:Policy", "aws:iam/userPolicy:UserPolicy", "aws:iam/groupPolicy:GroupPolicy"];
const ADMIN_POLICIES = /:policy\/(AdministratorAccess|PowerUserAccess|IAMFullAccess)$/;

function grantsEverything(doc: any): boolean {
    return statementsOf(doc).some(s => read(s, "Effect") === "Allow" &&
        asList(read(s, "Action")).some(a => a === "*" || a === "*:*") &&
        asList(read(s, "Resource")).some(r => r === "*"));
}

export const iamNoAdmin = resourcePolicy({
    name: "iam-no-wildcard-admin",
    description: "No IAM policy allows every action on every resource, and no role gets an administrator managed policy.",
    types: [...POLICY_TYPES, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "aws:iam/policyAttachment:PolicyAttachment"],
    check: (props, violation, args) => {
        if (args.type.endsWith("Attachment")) {
            const arn = read(props, "policyArn");
            if (typeof arn === "string" && ADMIN_POLICIES.test(arn)) violation(`attaches ${arn}: grant the actions the role needs instead.`);
            return;
        }
        const doc = parseDocument(read(props, "policy"));
        if (doc !== UNKNOWN && grantsEverything(doc)) violation("a statement allows \"*\" actions on \"*\" resources.");
    },
});

export const lambdaNotPublic = resourcePolicy({
    name: "lambda-no-public-permission",
    description: "No Lambda permission lets anyone invoke a function: a wildcard principal needs a source ARN, account or organisation.",
    types: ["aws:lambda/permission:Permission"],
    check: (props, violation) => {
        const principal = read(props, "principal");
        if (principal !== "*") return;
        const scoped = ["sourceArn", "sourceAccount", "principalOrgId"].some(k => {
            const v = read(props, k);
            return v === UNKNOWN || (typeof v === "string" && v !== "");
        });
        if (!scoped || read(props, "functionUrlAuthType") === "NONE") violation("principal \"*\" without sourceArn, sourceAccount or principalOrgId makes the function public.");
    },
});

export const s3PublicAccessBlock = stackPolicy({
    name: "s3-bucket-public-access-block",
    description: "Every S3 bucket has a public access block with all four settings on.",
    check: (resources, violation) => {
        const blocks = resources.filter(r => r.type === "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock");
        for (const bucket of resources.filter(r => r.type === "aws:s3/bucket:Bucket")) {
            const mine = blocks.filter(b => linked(b, "bucket", bucket, "bucket"));
            if (mine.length === 0) {
                violation("no BucketPublicAccessBlock targets this bucket.", bucket.urn);
                continue;
            }
            const off = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"]
                .filter(k => !mine.some(b => read(b.props, k) === true || read(b.props, k) === UNKNOWN));
            if (off.length) violation(`public access block settings off: ${off.join(", ")}.`, bucket.urn);
        }
    },
});
