/**
 * Physical names: the one table of what AWS and the Pulumi AWS provider accept, and the helpers that
 * build our names from the stack name.
 *
 * Sources:
 * - PROVIDER: pulumi/pulumi-aws `provider/resources.go` (read at commit 00ba5ea5, the v6 line @pulumi/aws
 *   7.48.0 descends from): `tfbridge.AutoName(field, maxlen, "-")`, `AutoNameTransform(field, maxlen,
 *   strings.ToLower)` and `AutoNameWithCustomOptions`; every other resource whose Terraform schema has an
 *   optional or required `name` gets `setAutonaming`: `AutoName("name", 255, "-")`. An auto-name is the
 *   logical name (transformed), the separator and 7 random hex characters; the bridge's
 *   `resource.NewUniqueName` refuses — at preview — a prefix whose length plus 7 exceeds maxlen:
 *   "name '<prefix>' plus 7 random chars is longer than maximum length <maxlen>". It never truncates.
 * - `name_prefix` (Terraform `id.PrefixedUniqueId`): the prefix plus a 26-character unique suffix.
 * - AWS: each service's API reference (URL per entry). Where AWS's cap is below the provider's, the
 *   provider accepts the name at preview and AWS refuses it at `pulumi up`; the plan refuses both.
 */
import * as crypto from "crypto";

/** Constraints AWS puts on one name-like input (a dotted path; `[]` walks an array). */
export interface NameField {
    max: number;
    min?: number;
    /** The characters (and shape) AWS accepts. */
    pattern?: RegExp;
    /** Where the value must be unique: in the account and region (two stacks collide), inside its parent resource, or nowhere. */
    scope: "account" | "parent" | "none";
    source: string;
}

/** How the provider auto-names a type when the program leaves the field out. */
export interface AutoName {
    /** The Pulumi input property the provider fills. */
    property: string;
    /** The provider's maximum length (preview refuses a name that cannot fit). */
    maxLength: number;
    /** The provider lower-cases the logical name first. */
    lower?: boolean;
    /** Prepended by the provider after naming (KMS aliases get `alias/`). */
    prefix?: string;
    source: string;
}

export interface NameRule {
    auto?: AutoName;
    /** The provider offers `<property>Prefix` (Terraform name_prefix), completed with 26 characters. */
    namePrefix?: boolean;
    /** Name-like inputs and AWS's constraints on them (the auto-named property included). */
    fields: Record<string, NameField>;
    /** For types that carry no name of their own: why. */
    none?: string;
}

/** Characters the provider appends to an auto-name: the separator and 7 random hex characters. */
export const AUTO_SUFFIX_LENGTH = 8;
/** Characters Terraform's `name_prefix` appends (`id.PrefixedUniqueId`). */
export const PREFIX_SUFFIX_LENGTH = 26;

const PROVIDER = "pulumi/pulumi-aws provider/resources.go";
const DEFAULT_AUTONAME = `${PROVIDER}: setAutonaming, AutoName("name", 255, "-")`;
const api = (path: string) => `https://docs.aws.amazon.com/${path}`;
const auto = (property: string, maxLength: number, source: string, extra: Partial<AutoName> = {}): AutoName => ({ property, maxLength, source, ...extra });
const defaultName = auto("name", 255, DEFAULT_AUTONAME);
const none = (why: string): NameRule => ({ fields: {}, none: why });

/** Every resource type our stacks and bootstrap create (tests/naming.test.ts keeps it complete). */
export const NAME_RULES: Record<string, NameRule> = {
    "pulumi:providers:aws": none("provider configuration, not an AWS resource"),
    "pulumi:providers:random": none("provider configuration, not an AWS resource"),
    "random:index/randomPassword:RandomPassword": none("a generated value held in state"),
    "awsx:ec2:Vpc": none("remote component: its children (VPC, subnets, gateways) are identified by AWS-assigned ids"),
    "aws:accessanalyzer/analyzer:Analyzer": { fields: {
        analyzerName: { max: 255, pattern: /^[A-Za-z][A-Za-z0-9_.-]*$/, scope: "account", source: api("access-analyzer/latest/APIReference/API_CreateAnalyzer.html") } } },
    "aws:apigateway/account:Account": none("the account's API Gateway settings"),
    "aws:apigateway/apiKey:ApiKey": { auto: defaultName, fields: {
        name: { max: 255, scope: "none", source: api("apigateway/latest/api/API_CreateApiKey.html") } } },
    "aws:apigateway/deployment:Deployment": none("identified by an AWS-assigned id"),
    "aws:apigateway/integration:Integration": none("identified by its method"),
    "aws:apigateway/integrationResponse:IntegrationResponse": none("identified by its method and status"),
    "aws:apigateway/method:Method": none("identified by its resource and HTTP method"),
    "aws:apigateway/methodResponse:MethodResponse": none("identified by its method and status"),
    "aws:apigateway/methodSettings:MethodSettings": { fields: {
        stageName: { max: 128, pattern: /^[A-Za-z0-9_-]+$/, scope: "parent", source: api("apigateway/latest/api/API_CreateStage.html") } } },
    "aws:apigateway/resource:Resource": none("a path part inside its API"),
    "aws:apigateway/response:Response": none("identified by its API and response type"),
    "aws:apigateway/restApi:RestApi": { auto: defaultName, fields: {
        name: { max: 255, scope: "none", source: api("apigateway/latest/api/API_CreateRestApi.html") } } },
    "aws:apigateway/stage:Stage": { fields: {
        stageName: { max: 128, pattern: /^[A-Za-z0-9_-]+$/, scope: "parent", source: api("apigateway/latest/api/API_CreateStage.html") } } },
    "aws:apigateway/usagePlan:UsagePlan": { auto: defaultName, fields: {
        name: { max: 255, scope: "none", source: api("apigateway/latest/api/API_CreateUsagePlan.html") } } },
    "aws:apigateway/usagePlanKey:UsagePlanKey": none("an association of key and plan"),
    "aws:appautoscaling/policy:Policy": { auto: defaultName, fields: {
        name: { max: 256, pattern: /^[^:]+$/, scope: "parent", source: api("autoscaling/application/APIReference/API_PutScalingPolicy.html") } } },
    "aws:appautoscaling/target:Target": none("identified by its resource id and dimension"),
    "aws:backup/plan:Plan": { auto: defaultName, fields: {
        name: { max: 50, pattern: /^[A-Za-z0-9._-]+$/, scope: "account", source: api("aws-backup/latest/devguide/API_BackupPlanInput.html") },
        "rules[].ruleName": { max: 50, pattern: /^[A-Za-z0-9._-]+$/, scope: "parent", source: api("aws-backup/latest/devguide/API_BackupRuleInput.html") } } },
    "aws:backup/regionSettings:RegionSettings": none("the region's AWS Backup settings"),
    "aws:backup/restoreTestingPlan:RestoreTestingPlan": { fields: {
        name: { max: 50, pattern: /^[A-Za-z0-9_]+$/, scope: "account", source: api("aws-backup/latest/devguide/API_RestoreTestingPlanForCreate.html") } } },
    "aws:backup/restoreTestingSelection:RestoreTestingSelection": { fields: {
        name: { max: 50, pattern: /^[A-Za-z0-9_]+$/, scope: "parent", source: api("aws-backup/latest/devguide/API_RestoreTestingSelectionForCreate.html") } } },
    "aws:backup/selection:Selection": { auto: defaultName, fields: {
        name: { max: 50, pattern: /^[A-Za-z0-9._-]+$/, scope: "parent", source: api("aws-backup/latest/devguide/API_BackupSelection.html") } } },
    "aws:backup/vault:Vault": { auto: defaultName, fields: {
        name: { max: 50, min: 2, pattern: /^[A-Za-z0-9_-]+$/, scope: "account", source: api("aws-backup/latest/devguide/API_CreateBackupVault.html") } } },
    "aws:backup/vaultLockConfiguration:VaultLockConfiguration": none("a setting of its vault"),
    "aws:budgets/budget:Budget": { auto: defaultName, namePrefix: true, fields: {
        name: { max: 100, pattern: /^[^:\\]+$/, scope: "account", source: api("aws-cost-management/latest/APIReference/API_budgets_Budget.html") } } },
    "aws:cfg/deliveryChannel:DeliveryChannel": { auto: defaultName, fields: {
        name: { max: 256, scope: "account", source: api("config/latest/APIReference/API_DeliveryChannel.html") } } },
    "aws:cfg/recorder:Recorder": { auto: defaultName, fields: {
        name: { max: 256, scope: "account", source: api("config/latest/APIReference/API_ConfigurationRecorder.html") } } },
    "aws:cfg/recorderStatus:RecorderStatus": { fields: {
        name: { max: 256, scope: "parent", source: api("config/latest/APIReference/API_StartConfigurationRecorder.html") } } },
    "aws:cfg/rule:Rule": { auto: defaultName, fields: {
        name: { max: 128, scope: "account", source: api("config/latest/APIReference/API_ConfigRule.html") } } },
    "aws:cloudfront/distribution:Distribution": { fields: {
        "origins[].originId": { max: 128, scope: "parent", source: api("cloudfront/latest/APIReference/API_Origin.html") } } },
    "aws:cloudfront/originAccessControl:OriginAccessControl": { auto: defaultName, fields: {
        name: { max: 64, scope: "account", source: api("cloudfront/latest/APIReference/API_OriginAccessControlConfig.html") } } },
    "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy": { auto: defaultName, fields: {
        name: { max: 128, scope: "account", source: api("cloudfront/latest/APIReference/API_ResponseHeadersPolicyConfig.html") } } },
    "aws:cloudtrail/trail:Trail": { auto: defaultName, fields: {
        name: { max: 128, min: 3, pattern: /^[A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9]$/, scope: "account", source: api("awscloudtrail/latest/APIReference/API_CreateTrail.html") } } },
    "aws:cloudwatch/compositeAlarm:CompositeAlarm": { fields: {
        alarmName: { max: 255, scope: "account", source: api("AmazonCloudWatch/latest/APIReference/API_PutCompositeAlarm.html") } } },
    "aws:cloudwatch/dashboard:Dashboard": { fields: {
        dashboardName: { max: 255, pattern: /^[A-Za-z0-9_-]+$/, scope: "account", source: api("AmazonCloudWatch/latest/APIReference/API_PutDashboard.html") } } },
    "aws:cloudwatch/eventRule:EventRule": { auto: auto("name", 64, `${PROVIDER}: aws_cloudwatch_event_rule AutoName("name", 64, "-")`), namePrefix: true, fields: {
        name: { max: 64, pattern: /^[.\-_A-Za-z0-9]+$/, scope: "account", source: api("eventbridge/latest/APIReference/API_PutRule.html") } } },
    "aws:cloudwatch/eventTarget:EventTarget": { auto: auto("targetId", 255, `${PROVIDER}: aws_cloudwatch_event_target AutoName("targetId", 255, "-")`), fields: {
        targetId: { max: 64, pattern: /^[.\-_A-Za-z0-9]+$/, scope: "parent", source: api("eventbridge/latest/APIReference/API_Target.html") } } },
    "aws:cloudwatch/logGroup:LogGroup": { auto: defaultName, namePrefix: true, fields: {
        name: { max: 512, pattern: /^[.\-_/#A-Za-z0-9]+$/, scope: "account", source: api("AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html") } } },
    "aws:cloudwatch/logMetricFilter:LogMetricFilter": { auto: defaultName, fields: {
        name: { max: 512, pattern: /^[^:*]+$/, scope: "parent", source: api("AmazonCloudWatchLogs/latest/APIReference/API_PutMetricFilter.html") },
        "metricTransformation.name": { max: 255, pattern: /^[^:*$]+$/, scope: "none", source: api("AmazonCloudWatchLogs/latest/APIReference/API_MetricTransformation.html") },
        "metricTransformation.namespace": { max: 255, pattern: /^[^:*$]+$/, scope: "account", source: api("AmazonCloudWatchLogs/latest/APIReference/API_MetricTransformation.html") } } },
    "aws:cloudwatch/metricAlarm:MetricAlarm": { auto: auto("name", 255, `${PROVIDER}: aws_cloudwatch_metric_alarm AutoName("name", 255, "-")`), fields: {
        name: { max: 255, scope: "account", source: api("AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html") } } },
    "aws:cloudwatch/queryDefinition:QueryDefinition": { auto: defaultName, fields: {
        name: { max: 255, scope: "none", source: api("AmazonCloudWatchLogs/latest/APIReference/API_PutQueryDefinition.html") } } },
    "aws:costexplorer/anomalyMonitor:AnomalyMonitor": { auto: defaultName, fields: {
        name: { max: 1024, scope: "none", source: api("aws-cost-management/latest/APIReference/API_AnomalyMonitor.html") } } },
    "aws:costexplorer/anomalySubscription:AnomalySubscription": { auto: defaultName, fields: {
        name: { max: 1024, scope: "none", source: api("aws-cost-management/latest/APIReference/API_AnomalySubscription.html") } } },
    "aws:costexplorer/costAllocationTag:CostAllocationTag": none("activates an existing tag key (tagKey names no new resource)"),
    "aws:dynamodb/table:Table": { auto: defaultName, fields: {
        name: { max: 255, min: 3, pattern: /^[A-Za-z0-9_.-]+$/, scope: "account", source: api("amazondynamodb/latest/APIReference/API_CreateTable.html") },
        "globalSecondaryIndexes[].name": { max: 255, min: 3, pattern: /^[A-Za-z0-9_.-]+$/, scope: "parent", source: api("amazondynamodb/latest/APIReference/API_GlobalSecondaryIndex.html") } } },
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": none("the VPC's default group, adopted"),
    "aws:ec2/flowLog:FlowLog": none("identified by an AWS-assigned id"),
    "aws:ec2/securityGroup:SecurityGroup": { auto: defaultName, namePrefix: true, fields: {
        name: { max: 255, pattern: /^(?!sg-)[A-Za-z0-9 ._\-:/()#,@[\]+=&;{}!$*]+$/, scope: "parent", source: api("AWSEC2/latest/APIReference/API_CreateSecurityGroup.html") } } },
    "aws:ec2/vpcEndpoint:VpcEndpoint": none("identified by an AWS-assigned id"),
    "aws:elasticache/parameterGroup:ParameterGroup": { auto: defaultName, fields: {
        // Stored lower-cased by ElastiCache.
        name: { max: 255, pattern: /^[A-Za-z][A-Za-z0-9-]*$/, scope: "account", source: api("AmazonElastiCache/latest/APIReference/API_CreateCacheParameterGroup.html") } } },
    "aws:elasticache/replicationGroup:ReplicationGroup": {
        auto: auto("replicationGroupId", 40, `${PROVIDER}: aws_elasticache_replication_group AutoNameTransform("replicationGroupId", 40, strings.ToLower)`, { lower: true }),
        fields: {
            // Member clusters are named <id>-001 …; a cluster id is at most 50 (CreateCacheCluster), within reach.
            replicationGroupId: { max: 40, pattern: /^[a-z](?!.*--)[a-z0-9-]*[a-z0-9]$/, scope: "account", source: api("AmazonElastiCache/latest/APIReference/API_CreateReplicationGroup.html") } } },
    "aws:elasticache/subnetGroup:SubnetGroup": { auto: defaultName, fields: {
        // Stored lower-cased by ElastiCache.
        name: { max: 255, pattern: /^[A-Za-z][A-Za-z0-9-]*$/, scope: "account", source: api("AmazonElastiCache/latest/APIReference/API_CreateCacheSubnetGroup.html") } } },
    "aws:guardduty/detector:Detector": none("one per account and region, AWS-assigned id"),
    "aws:guardduty/detectorFeature:DetectorFeature": none("names a GuardDuty feature (an enum), not a resource"),
    "aws:iam/policy:Policy": { auto: defaultName, namePrefix: true, fields: {
        name: { max: 128, pattern: /^[\w+=,.@-]+$/, scope: "account", source: api("IAM/latest/APIReference/API_CreatePolicy.html") } } },
    "aws:iam/role:Role": { auto: auto("name", 64, `${PROVIDER}: aws_iam_role AutoName("name", 64, "-")`), namePrefix: true, fields: {
        name: { max: 64, pattern: /^[\w+=,.@-]+$/, scope: "account", source: api("IAM/latest/APIReference/API_CreateRole.html") } } },
    "aws:iam/rolePolicy:RolePolicy": { auto: defaultName, namePrefix: true, fields: {
        name: { max: 128, pattern: /^[\w+=,.@-]+$/, scope: "parent", source: api("IAM/latest/APIReference/API_PutRolePolicy.html") } } },
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": none("an attachment of a managed policy to a role"),
    "aws:iam/serviceLinkedRole:ServiceLinkedRole": none("named by AWS after its service"),
    "aws:kms/alias:Alias": {
        auto: auto("name", 238, `${PROVIDER}: aws_kms_alias AutoNameWithCustomOptions(Maxlen 238, PostTransform "alias/")`, { prefix: "alias/" }),
        namePrefix: true,
        fields: {
            name: { max: 256, pattern: /^alias\/(?!aws\/)[A-Za-z0-9:/_-]+$/, scope: "account", source: api("kms/latest/APIReference/API_CreateAlias.html") } } },
    "aws:kms/key:Key": none("identified by an AWS-assigned key id"),
    "aws:kms/keyPolicy:KeyPolicy": none("the policy of its key"),
    "aws:lambda/eventSourceMapping:EventSourceMapping": none("identified by an AWS-assigned UUID"),
    "aws:lambda/function:Function": { auto: auto("name", 64, `${PROVIDER}: aws_lambda_function AutoName("name", 64, "-")`), fields: {
        name: { max: 64, pattern: /^[A-Za-z0-9_-]+$/, scope: "account", source: api("lambda/latest/api/API_CreateFunction.html") } } },
    "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig": none("a setting of its function"),
    "aws:lambda/permission:Permission": { auto: auto("statementId", 100, `${PROVIDER}: aws_lambda_permission AutoName("statementId", 100, "-")`), fields: {
        statementId: { max: 100, pattern: /^[A-Za-z0-9_-]+$/, scope: "parent", source: api("lambda/latest/api/API_AddPermission.html") } } },
    "aws:pinpoint/smsvoicev2ConfigurationSet:Smsvoicev2ConfigurationSet": { auto: defaultName, fields: {
        name: { max: 64, pattern: /^[A-Za-z0-9_-]+$/, scope: "account", source: api("sms-voice/latest/APIReference/API_CreateConfigurationSet.html") } } },
    "aws:pinpoint/smsvoicev2EventDestination:Smsvoicev2EventDestination": { fields: {
        eventDestinationName: { max: 64, pattern: /^[A-Za-z0-9_-]+$/, scope: "parent", source: api("sms-voice/latest/APIReference/API_CreateEventDestination.html") } } },
    "aws:pinpoint/smsvoicev2OptOutList:Smsvoicev2OptOutList": { auto: defaultName, fields: {
        name: { max: 64, pattern: /^[A-Za-z0-9_-]+$/, scope: "account", source: api("sms-voice/latest/APIReference/API_CreateOptOutList.html") } } },
    "aws:pinpoint/smsvoicev2PhoneNumber:Smsvoicev2PhoneNumber": none("identified by an AWS-assigned id"),
    "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock": none("the account's S3 setting"),
    "aws:s3/bucket:Bucket": {
        auto: auto("bucket", 63, `${PROVIDER}: aws_s3_bucket AutoNameTransform("bucket", 63, strings.ToLower)`, { lower: true }),
        namePrefix: true,
        fields: {
            bucket: { max: 63, min: 3, pattern: /^[a-z0-9](?!.*\.\.)[a-z0-9.-]*[a-z0-9]$/, scope: "account", source: api("AmazonS3/latest/userguide/bucketnamingrules.html") } } },
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": { fields: {
        "rules[].id": { max: 255, scope: "parent", source: api("AmazonS3/latest/API/API_LifecycleRule.html") } } },
    "aws:s3/bucketLogging:BucketLogging": none("a setting of its bucket"),
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": none("a setting of its bucket"),
    "aws:s3/bucketPolicy:BucketPolicy": none("the policy of its bucket"),
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": none("a setting of its bucket"),
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": none("a setting of its bucket"),
    "aws:s3/bucketVersioning:BucketVersioning": none("a setting of its bucket"),
    "aws:scheduler/schedule:Schedule": { auto: defaultName, namePrefix: true, fields: {
        name: { max: 64, pattern: /^[0-9A-Za-z_.-]+$/, scope: "parent", source: api("scheduler/latest/APIReference/API_CreateSchedule.html") } } },
    "aws:scheduler/scheduleGroup:ScheduleGroup": { auto: defaultName, namePrefix: true, fields: {
        name: { max: 64, pattern: /^[0-9A-Za-z_.-]+$/, scope: "account", source: api("scheduler/latest/APIReference/API_CreateScheduleGroup.html") } } },
    "aws:secretsmanager/secret:Secret": { auto: defaultName, namePrefix: true, fields: {
        name: { max: 512, pattern: /^[A-Za-z0-9/_+=.@-]+$/, scope: "account", source: api("secretsmanager/latest/apireference/API_CreateSecret.html") } } },
    "aws:secretsmanager/secretVersion:SecretVersion": none("a version of its secret"),
    "aws:securityhub/account:Account": none("the account's Security Hub"),
    "aws:securityhub/standardsSubscription:StandardsSubscription": none("names an AWS standard by ARN"),
    "aws:sns/topic:Topic": { auto: auto("name", 80, `${PROVIDER}: aws_sns_topic AutoNameWithCustomOptions(Maxlen 80)`), namePrefix: true, fields: {
        name: { max: 256, pattern: /^[A-Za-z0-9_-]+$/, scope: "account", source: api("sns/latest/api/API_CreateTopic.html") } } },
    "aws:sns/topicPolicy:TopicPolicy": none("the policy of its topic"),
    "aws:sns/topicSubscription:TopicSubscription": none("identified by an AWS-assigned ARN"),
    "aws:sqs/queue:Queue": { auto: auto("name", 80, `${PROVIDER}: aws_sqs_queue AutoNameWithCustomOptions(Maxlen 80)`), namePrefix: true, fields: {
        name: { max: 80, pattern: /^[A-Za-z0-9_-]+$/, scope: "account", source: api("AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html") } } },
    "aws:sqs/queuePolicy:QueuePolicy": none("the policy of its queue"),
    "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy": none("a setting of its queue"),
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": none("identified by an AWS-assigned id"),
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": none("identified by an AWS-assigned id"),
    "aws:wafv2/webAcl:WebAcl": { auto: defaultName, namePrefix: true, fields: {
        name: { max: 128, pattern: /^[\w-]+$/, scope: "account", source: api("waf/latest/APIReference/API_CreateWebACL.html") },
        "rules[].name": { max: 128, pattern: /^[\w-]+$/, scope: "parent", source: api("waf/latest/APIReference/API_Rule.html") },
        "visibilityConfig.metricName": { max: 255, pattern: /^[\w#:.\-/]+$/, scope: "account", source: api("waf/latest/APIReference/API_VisibilityConfig.html") },
        "rules[].visibilityConfig.metricName": { max: 255, pattern: /^[\w#:.\-/]+$/, scope: "account", source: api("waf/latest/APIReference/API_VisibilityConfig.html") } } },
    "aws:wafv2/webAclAssociation:WebAclAssociation": none("an association of web ACL and resource"),
    "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration": none("a setting of its web ACL"),
    "aws:xray/group:Group": { fields: {
        groupName: { max: 32, pattern: /^[A-Za-z0-9_.-]+$/, scope: "account", source: api("xray/latest/api/API_CreateGroup.html") } } },
    "aws:xray/samplingRule:SamplingRule": { fields: {
        ruleName: { max: 32, scope: "account", source: api("xray/latest/api/API_SamplingRule.html") },
        serviceName: { max: 64, scope: "none", source: api("xray/latest/api/API_SamplingRule.html") } } },
};

/** The values at a dotted path (`[]` walks arrays). */
export function valuesAt(obj: any, path: string): unknown[] {
    let current: unknown[] = [obj];
    for (const part of path.split(".")) {
        const many = part.endsWith("[]");
        const key = many ? part.slice(0, -2) : part;
        current = current.flatMap(o => {
            const v = o && typeof o === "object" ? (o as any)[key] : undefined;
            return many ? (Array.isArray(v) ? v : []) : v === undefined ? [] : [v];
        });
    }
    return current;
}

/** Problems of one value against its field's constraints (empty when it fits). */
export function fieldProblems(value: string, field: NameField): string[] {
    const out: string[] = [];
    if (value.length > field.max) out.push(`${JSON.stringify(value)} is ${value.length} characters; AWS allows at most ${field.max} (${field.source})`);
    if (field.min !== undefined && value.length < field.min) out.push(`${JSON.stringify(value)} is ${value.length} characters; AWS requires at least ${field.min} (${field.source})`);
    if (field.pattern && !field.pattern.test(value)) out.push(`${JSON.stringify(value)} has characters or a shape AWS refuses (${field.pattern}; ${field.source})`);
    return out;
}

/** A stable 6-hex digest of a name (the shortening suffix). */
export function nameHash(name: string): string {
    return crypto.createHash("sha256").update(name).digest("hex").slice(0, 6);
}

/**
 * `name` itself when it fits `max`, otherwise its head and a stable hash of the whole name — never a bare
 * truncation, so two long names that share a head stay distinct, and the same input always gives the same name.
 */
export function fitName(name: string, max: number, separator = "-"): string {
    if (name.length <= max) return name;
    const hash = nameHash(name);
    const head = name.slice(0, max - hash.length - separator.length).replace(/[-_.]+$/, "");
    return `${head}${separator}${hash}`;
}

/** The project's physical-name prefix for a stack: every name and name prefix starts with it. */
export function stackPrefix(stack: string): string {
    return `ai-nutritionist-${stack}`;
}

/**
 * The longest stack name every stack can take, set by the tightest auto-named resource (an auto-name cannot be
 * hashed shorter, and renaming a deployed one replaces it): the scheduler function,
 * `ai-nutritionist-<stack>-schedules-function-function-<7 hex>` under Lambda's 64, leaves 12; the Backup vault
 * (50) would leave 13. Explicit names with tight caps (Redis 40, X-Ray 32, EventBridge rules 64, the
 * restore-testing plan 50) go through `fitName` instead. tests/naming.test.ts plans the prod and dev settings
 * under a stack name of exactly this length; config.ts refuses a longer one.
 */
export const MAX_STACK_NAME_LENGTH = 12;

/** Stack names our physical names can carry: lower-case (S3, ElastiCache), starting with a letter. */
export const STACK_NAME_RE = /^[a-z][a-z0-9-]*[a-z0-9]$|^[a-z]$/;
