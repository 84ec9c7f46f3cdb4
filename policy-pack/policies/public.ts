/**
 * Public access through resource policies: every @pulumi/aws 7.48.0 type whose input holds a
 * resource-based policy document (or a role's trust policy), and Lambda permissions.
 * The list was drawn from the type definitions (every Args property holding a policy document);
 * tests/policies.test.ts checks it against them, and the types left out with their reason.
 */
import { label, parseDocument, publicStatements, strings } from "./documents";
import { read, resourcePolicy, UNKNOWN } from "./helpers";

/** Resource type → the input that holds its resource-based policy document. */
export const RESOURCE_POLICY_DOCUMENTS: Readonly<Record<string, string>> = {
    "aws:acmpca/policy:Policy": "policy",
    "aws:amp/resourcePolicy:ResourcePolicy": "policyDocument",
    "aws:apigateway/domainName:DomainName": "policy",
    "aws:apigateway/restApi:RestApi": "policy",
    "aws:apigateway/restApiPolicy:RestApiPolicy": "policy",
    "aws:backup/vaultPolicy:VaultPolicy": "policy",
    "aws:bedrock/agentcoreResourcePolicy:AgentcoreResourcePolicy": "policy",
    "aws:cloudsearch/domainServiceAccessPolicy:DomainServiceAccessPolicy": "accessPolicy",
    "aws:cloudwatch/eventBusPolicy:EventBusPolicy": "policy",
    "aws:cloudwatch/logDeliveryDestinationPolicy:LogDeliveryDestinationPolicy": "deliveryDestinationPolicy",
    "aws:cloudwatch/logDestinationPolicy:LogDestinationPolicy": "accessPolicy",
    "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": "policyDocument",
    "aws:codeartifact/domainPermissions:DomainPermissions": "policyDocument",
    "aws:codeartifact/repositoryPermissionsPolicy:RepositoryPermissionsPolicy": "policyDocument",
    "aws:codebuild/resourcePolicy:ResourcePolicy": "policy",
    "aws:dsql/clusterPolicy:ClusterPolicy": "policy",
    "aws:dynamodb/resourcePolicy:ResourcePolicy": "policy",
    "aws:ecr/registryPolicy:RegistryPolicy": "policy",
    "aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate": "repositoryPolicy",
    "aws:ecr/repositoryPolicy:RepositoryPolicy": "policy",
    "aws:ecrpublic/repositoryPolicy:RepositoryPolicy": "policy",
    "aws:efs/fileSystemPolicy:FileSystemPolicy": "policy",
    "aws:elasticsearch/domain:Domain": "accessPolicies",
    "aws:elasticsearch/domainPolicy:DomainPolicy": "accessPolicies",
    "aws:glacier/vault:Vault": "accessPolicy",
    "aws:glacier/vaultLock:VaultLock": "policy",
    "aws:glue/resourcePolicy:ResourcePolicy": "policy",
    "aws:iam/role:Role": "assumeRolePolicy",
    "aws:kinesis/resourcePolicy:ResourcePolicy": "policy",
    "aws:kms/externalKey:ExternalKey": "policy",
    "aws:kms/key:Key": "policy",
    "aws:kms/keyPolicy:KeyPolicy": "policy",
    "aws:kms/replicaExternalKey:ReplicaExternalKey": "policy",
    "aws:kms/replicaKey:ReplicaKey": "policy",
    "aws:lambda/resourcePolicy:ResourcePolicy": "policy",
    "aws:mediastore/containerPolicy:ContainerPolicy": "policy",
    "aws:msk/clusterPolicy:ClusterPolicy": "policy",
    "aws:networkfirewall/resourcePolicy:ResourcePolicy": "policy",
    "aws:oam/sinkPolicy:SinkPolicy": "policy",
    "aws:opensearch/domain:Domain": "accessPolicies",
    "aws:opensearch/domainPolicy:DomainPolicy": "accessPolicies",
    "aws:opensearchingest/resourcePolicy:ResourcePolicy": "policy",
    "aws:pinpoint/smsvoicev2ResourcePolicy:Smsvoicev2ResourcePolicy": "policy",
    "aws:redshift/resourcePolicy:ResourcePolicy": "policy",
    "aws:redshiftserverless/resourcePolicy:ResourcePolicy": "policy",
    "aws:s3/accessPoint:AccessPoint": "policy",
    "aws:s3/bucket:Bucket": "policy",
    "aws:s3/bucketPolicy:BucketPolicy": "policy",
    "aws:s3/bucketV2:BucketV2": "policy",
    "aws:s3/filesFileSystemPolicy:FilesFileSystemPolicy": "policy",
    "aws:s3/vectorsVectorBucketPolicy:VectorsVectorBucketPolicy": "policy",
    "aws:s3control/accessGrantsInstanceResourcePolicy:AccessGrantsInstanceResourcePolicy": "policy",
    "aws:s3control/accessPointPolicy:AccessPointPolicy": "policy",
    "aws:s3control/bucketPolicy:BucketPolicy": "policy",
    "aws:s3control/objectLambdaAccessPointPolicy:ObjectLambdaAccessPointPolicy": "policy",
    "aws:s3tables/tableBucketPolicy:TableBucketPolicy": "resourcePolicy",
    "aws:s3tables/tablePolicy:TablePolicy": "resourcePolicy",
    "aws:sagemaker/modelPackageGroupPolicy:ModelPackageGroupPolicy": "resourcePolicy",
    "aws:schemas/registryPolicy:RegistryPolicy": "policy",
    "aws:secretsmanager/secret:Secret": "policy",
    "aws:secretsmanager/secretPolicy:SecretPolicy": "policy",
    "aws:ses/identityPolicy:IdentityPolicy": "policy",
    "aws:sesv2/emailIdentityPolicy:EmailIdentityPolicy": "policy",
    "aws:sns/topic:Topic": "policy",
    "aws:sns/topicPolicy:TopicPolicy": "policy",
    "aws:sqs/queue:Queue": "policy",
    "aws:sqs/queuePolicy:QueuePolicy": "policy",
    "aws:vpclattice/authPolicy:AuthPolicy": "policy",
    "aws:vpclattice/resourcePolicy:ResourcePolicy": "policy",
    "aws:xray/resourcePolicy:ResourcePolicy": "policyDocument",
};

/**
 * Types whose inputs hold a policy-like document that is not a resource-based policy, with why
 * they are left out (the identity policies are judged by iam-no-wildcard-admin instead).
 */
export const NOT_RESOURCE_POLICIES: Readonly<Record<string, string>> = {
    "aws:iam/policy:Policy": "identity policy (iam-no-wildcard-admin)",
    "aws:iam/rolePolicy:RolePolicy": "identity policy (iam-no-wildcard-admin)",
    "aws:iam/userPolicy:UserPolicy": "identity policy (iam-no-wildcard-admin)",
    "aws:iam/groupPolicy:GroupPolicy": "identity policy (iam-no-wildcard-admin)",
    "aws:ssoadmin/permissionSetInlinePolicy:PermissionSetInlinePolicy": "identity policy (iam-no-wildcard-admin)",
    "aws:eks/podIdentityAssociation:PodIdentityAssociation": "session policy: can only narrow the role's permissions",
    "aws:rolesanywhere/profile:Profile": "session policy: can only narrow the role's permissions",
    "aws:transfer/access:Access": "session policy: can only narrow the role's permissions",
    "aws:transfer/user:User": "session policy: can only narrow the role's permissions",
    "aws:ec2/vpcEndpoint:VpcEndpoint": "endpoint policies name Principal * by design; the network path is the boundary",
    "aws:ec2/vpcEndpointPolicy:VpcEndpointPolicy": "endpoint policies name Principal * by design; the network path is the boundary",
    "aws:iot/policy:Policy": "AWS IoT policy for devices, not an IAM resource policy",
    "aws:iot/policyAttachment:PolicyAttachment": "attaches an AWS IoT policy",
    "aws:ecr/lifecyclePolicy:LifecyclePolicy": "image lifecycle rules, not permissions",
    "aws:sns/dataProtectionPolicy:DataProtectionPolicy": "data-protection rules, not permissions",
    "aws:cloudwatch/logAccountPolicy:LogAccountPolicy": "data-protection/subscription rules, not permissions",
    "aws:cloudwatch/logDataProtectionPolicy:LogDataProtectionPolicy": "data-protection rules, not permissions",
    "aws:cloudwatch/logIndexPolicy:LogIndexPolicy": "field-index rules, not permissions",
    "aws:opensearch/serverlessAccessPolicy:ServerlessAccessPolicy": "OpenSearch Serverless data-access rules (own format, principals are ARNs)",
    "aws:opensearch/serverlessLifecyclePolicy:ServerlessLifecyclePolicy": "retention rules, not permissions",
    "aws:opensearch/serverlessSecurityPolicy:ServerlessSecurityPolicy": "encryption/network rules in OpenSearch Serverless's own format",
    "aws:resiliencehub/resiliencyPolicy:ResiliencyPolicy": "RTO/RPO targets, not permissions",
    "aws:ses/receiptFilter:ReceiptFilter": "an IP filter's Allow/Block, not an IAM document",
    "aws:verifiedaccess/endpoint:Endpoint": "Cedar policy of Verified Access, not IAM",
    "aws:verifiedaccess/group:Group": "Cedar policy of Verified Access, not IAM",
    "aws:networkmanager/coreNetwork:CoreNetwork": "core-network routing policy, not permissions",
    "aws:networkmanager/coreNetworkPolicyAttachment:CoreNetworkPolicyAttachment": "core-network routing policy, not permissions",
    "aws:odb/network:Network": "service-managed endpoint policies of Oracle Database@AWS networks",
    "aws:lambda/codeSigningConfig:CodeSigningConfig": "code-signing enforcement, not permissions",
    "aws:glue/crawler:Crawler": "crawler schedules, not permissions",
};

/** Condition keys that narrow a wildcard principal to known callers, accounts, organisations or networks. */
export const DEFAULT_NARROWING_KEYS = [
    "aws:SourceArn", "aws:SourceAccount", "aws:SourceOwner", "aws:SourceOrgID", "aws:SourceOrgPaths",
    "aws:PrincipalOrgID", "aws:PrincipalOrgPaths", "aws:PrincipalAccount", "aws:PrincipalArn",
    "aws:SourceVpc", "aws:SourceVpce", "aws:SourceIp", "kms:CallerAccount", "lambda:FunctionUrlAuthType",
];

export const noPublicPrincipal = resourcePolicy({
    name: "resource-policy-no-public-principal",
    description: "No resource-based policy (S3, SQS, SNS, KMS, Secrets Manager, ECR, EFS, OpenSearch, … every type that carries one) or role trust policy allows everyone (`*`, {AWS: *}, NotPrincipal) without a narrowing condition (aws:SourceArn, aws:SourceAccount, aws:PrincipalOrgID, aws:SourceVpce, …).",
    types: Object.keys(RESOURCE_POLICY_DOCUMENTS),
    config: {
        narrowingConditionKeys: {
            type: "array", items: { type: "string" }, default: DEFAULT_NARROWING_KEYS,
            description: "Condition keys that, matched positively (StringEquals/Like, ArnEquals/Like, IpAddress; not IfExists) on a value other than *, narrow a wildcard principal.",
        },
    },
    check: (props, violation, args, config) => {
        const prop = RESOURCE_POLICY_DOCUMENTS[args.type];
        const doc = parseDocument(read(props, prop));
        for (const { statement, index } of publicStatements(doc, config.narrowingConditionKeys)) {
            const actions = strings(read(statement, "Action")).join(", ") || "every action but NotAction";
            violation(`${prop} statement ${label(statement, index)} allows ${actions} to everyone with no narrowing condition (aws:SourceArn, aws:SourceAccount, aws:PrincipalOrgID or another of narrowingConditionKeys).`);
        }
    },
});

const SERVICE_PRINCIPAL = /\.amazonaws\.com(\.cn)?$/;

export const lambdaNotPublic = resourcePolicy({
    name: "lambda-no-public-permission",
    description: "No Lambda permission makes a function or layer public (principal * without a source ARN, account or organisation; a function URL with auth NONE), and a service principal always names its source ARN or account (confused deputy).",
    types: ["aws:lambda/permission:Permission", "aws:lambda/layerVersionPermission:LayerVersionPermission"],
    check: (props, violation, args) => {
        const principal = read(props, "principal");
        const given = (k: string) => {
            const v = read(props, k);
            return v === UNKNOWN || (typeof v === "string" && v !== "");
        };
        if (args.type === "aws:lambda/layerVersionPermission:LayerVersionPermission") {
            if (principal === "*" && !given("organizationId")) violation("principal \"*\" without organizationId lets every AWS account use this layer version.");
            return;
        }
        if (principal === "*") {
            if (read(props, "functionUrlAuthType") === "NONE") violation("principal \"*\" with functionUrlAuthType NONE makes the function URL public, unauthenticated.");
            else if (!["sourceArn", "sourceAccount", "principalOrgId"].some(given)) violation("principal \"*\" without sourceArn, sourceAccount or principalOrgId lets anyone invoke the function.");
        } else if (typeof principal === "string" && SERVICE_PRINCIPAL.test(principal) && !given("sourceArn") && !given("sourceAccount")) {
            violation(`service principal ${principal} without sourceArn or sourceAccount: any account's ${principal.split(".")[0]} resource can invoke the function (confused deputy).`);
        }
    },
});

export const lambdaUrlAuth = resourcePolicy({
    name: "lambda-function-url-auth",
    description: "Lambda function URLs authenticate callers (authorizationType AWS_IAM): with NONE anyone on the internet can invoke the function (Checkov CKV_AWS_258, Security Hub Lambda.1).",
    types: ["aws:lambda/functionUrl:FunctionUrl"],
    check: (props, violation) => {
        const auth = read(props, "authorizationType");
        if (auth === "NONE") violation("authorizationType NONE lets anyone on the internet invoke the function through its URL: use AWS_IAM (sign requests, e.g. from CloudFront with origin access control), or front it with API Gateway and an authorizer.");
    },
});
