import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { assumeRolePolicy, policyDocument, Statement } from "./iam";
import { encryptedLogGroup } from "./log-group";
import { fitName } from "./naming";
import { SecureBucket } from "./secure-bucket";
import { assertValidArgs } from "./validation";

export type SecurityTier = "basic" | "standard" | "enterprise";

export interface SecurityBaselineArgs {
    /** Tier defaults: basic — nothing; standard — AWS Config and the audit core; enterprise — also GuardDuty and Security Hub. */
    tier: SecurityTier;
    /** Override the tier for single services. Defaults to the tier's choice. */
    enableAwsConfig?: boolean;
    /** GuardDuty regardless of tier. Defaults to the tier's choice. */
    enableGuardduty?: boolean;
    /** Security Hub regardless of tier (needs AWS Config). Defaults to the tier's choice. */
    enableSecurityHub?: boolean;
    /**
     * This stack owns the account/region singletons (GuardDuty detector, Security Hub, Config
     * recorder, CloudTrail, Access Analyzer, account S3 public access block). Only one stack per
     * account and region may. Defaults to true.
     */
    ownsAccountBaseline?: boolean;
    /** GDPR mode: DynamoDB data events in the trail, seven-year audit retention. Defaults to false. */
    gdpr?: boolean;
    /** The stack's region (Security Hub standards ARNs). */
    region: string;
    /** The account (confused-deputy conditions on service principals). */
    accountId: pulumi.Input<string>;
    /** Key of the trail, the audit bucket and the trail's log group (must admit CloudTrail and Config). */
    logsKeyArn: pulumi.Input<string>;
    /** The trail's CloudWatch log group: retention and name prefix. */
    logs: { retentionInDays: number; namePrefix: string };
    /** Topics: high-severity findings to critical, medium to warning, Config compliance changes to info. Defaults to none. */
    alerts?: { critical: pulumi.Input<string>; warning: pulumi.Input<string>; info: pulumi.Input<string> };
    /**
     * The function that must run in the VPC (the LAMBDA_INSIDE_VPC rule, scoped to it: the webhook and
     * sender functions stay outside by design). Defaults to none (no rule).
     */
    vpcFunctionName?: pulumi.Input<string>;
}

/** Which services a tier switches on (the seed's security-tier table). */
export function tierServices(args: Pick<SecurityBaselineArgs, "tier" | "enableAwsConfig" | "enableGuardduty" | "enableSecurityHub">) {
    const t = args.tier;
    return {
        config: args.enableAwsConfig ?? t !== "basic",
        guardduty: args.enableGuardduty ?? t === "enterprise",
        securityHub: args.enableSecurityHub ?? t === "enterprise",
    };
}

/** Pure validation of SecurityBaselineArgs; returns every problem. */
export function validateSecurityBaselineArgs(args: SecurityBaselineArgs): string[] {
    const p: string[] = [];
    const wanted = tierServices(args);
    if (wanted.securityHub && !wanted.config) p.push("Security Hub needs AWS Config (its controls are Config rules)");
    if (!["basic", "standard", "enterprise"].includes(args.tier)) p.push(`tier must be basic, standard or enterprise (got ${args.tier})`);
    return p;
}

/** AWS Config managed rules matching what this project guarantees. */
export const CONFIG_RULES = [
    "DYNAMODB_PITR_ENABLED", "DYNAMODB_TABLE_ENCRYPTED_KMS", "DYNAMODB_IN_BACKUP_PLAN",
    "S3_BUCKET_SSL_REQUESTS_ONLY", "S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED", "S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED",
    "LAMBDA_FUNCTION_PUBLIC_ACCESS_PROHIBITED", "CLOUD_TRAIL_ENABLED", "CLOUD_TRAIL_ENCRYPTION_ENABLED",
    "CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED", "CMK_BACKING_KEY_ROTATION_ENABLED", "CLOUDWATCH_LOG_GROUP_ENCRYPTED",
    "ELASTICACHE_REPL_GRP_ENCRYPTED_AT_REST", "ELASTICACHE_REPL_GRP_ENCRYPTED_IN_TRANSIT", "API_GW_ASSOCIATED_WITH_WAF",
    "SNS_ENCRYPTED_KMS", "SECRETSMANAGER_USING_CMK", "IAM_POLICY_NO_STATEMENTS_WITH_ADMIN_ACCESS",
    "VPC_DEFAULT_SECURITY_GROUP_CLOSED", "VPC_FLOW_LOGS_ENABLED",
];

/**
 * The account's security baseline, by tier: AWS Config (recorder, encrypted delivery, managed
 * rules), a multi-region CloudTrail with log-file validation, KMS and CloudWatch Logs, IAM Access
 * Analyzer and the account-level S3 public access block (Standard and up); GuardDuty and Security
 * Hub with FSBP and CIS (Enterprise). Only the stack that owns the account baseline creates them.
 */
export class SecurityBaseline extends pulumi.ComponentResource {
    public readonly services: { config: boolean; guardduty: boolean; securityHub: boolean; audit: boolean };
    public readonly trail?: aws.cloudtrail.Trail;
    public readonly auditBucket?: SecureBucket;
    /** Server access logs of the audit bucket. */
    public readonly auditAccessLogs?: SecureBucket;
    public readonly detector?: aws.guardduty.Detector;
    public readonly securityHub?: aws.securityhub.Account;
    public readonly configRules: aws.cfg.Rule[] = [];
    private readonly baseName: string;

    constructor(name: string, args: SecurityBaselineArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ai-nutritionist:security:SecurityBaseline", name, {}, opts);
        this.baseName = name;
        const child = { parent: this };
        const owns = args.ownsAccountBaseline ?? true;
        const wanted = tierServices(args);
        this.services = {
            config: owns && wanted.config,
            guardduty: owns && wanted.guardduty,
            securityHub: owns && wanted.securityHub,
            audit: owns && (wanted.config || wanted.guardduty || wanted.securityHub),
        };
        const problems = validateSecurityBaselineArgs(args);
        assertValidArgs(name, problems, this);
        const auditDays = args.gdpr ? 2557 : 400;

        if (this.services.audit) {
            // Server access logs of the audit bucket (who read or changed the audit trail), in a bucket of their
            // own: S3 delivers access logs only to an SSE-S3 bucket, through its logging service principal.
            this.auditAccessLogs = new SecureBucket(`${name}-audit-logs`, {
                encryption: { sseS3Reason: "S3 server access logs are delivered only to SSE-S3 buckets" },
                expirationDays: auditDays,
                noncurrentVersionExpirationDays: 30,
                protect: true,
                policyStatements: bucketArn => [{
                    Sid: "S3ServerAccessLogs", Effect: "Allow",
                    Principal: { Service: "logging.s3.amazonaws.com" },
                    Action: "s3:PutObject", Resource: pulumi.interpolate`${bucketArn}/audit/*`,
                    Condition: { StringEquals: { "aws:SourceAccount": args.accountId } },
                }],
            }, child);
            this.auditBucket = new SecureBucket(`${name}-audit`, {
                encryption: { kmsKeyArn: args.logsKeyArn },
                accessLogs: { bucket: this.auditAccessLogs.name, prefix: "audit/" },
                expirationDays: auditDays,
                noncurrentVersionExpirationDays: 30,
                protect: true,
                policyStatements: (bucketArn): Statement[] => [
                    {
                        Sid: "AuditServicesCheckAcl", Effect: "Allow",
                        Principal: { Service: ["cloudtrail.amazonaws.com", "config.amazonaws.com"] },
                        Action: ["s3:GetBucketAcl", "s3:ListBucket"], Resource: bucketArn,
                        Condition: { StringEquals: { "aws:SourceAccount": args.accountId } },
                    },
                    {
                        Sid: "AuditServicesWrite", Effect: "Allow",
                        Principal: { Service: ["cloudtrail.amazonaws.com", "config.amazonaws.com"] },
                        Action: "s3:PutObject", Resource: pulumi.interpolate`${bucketArn}/*`,
                        Condition: { StringEquals: { "aws:SourceAccount": args.accountId, "s3:x-amz-acl": "bucket-owner-full-control" } },
                    },
                ],
            }, child);

            const trailLogs = encryptedLogGroup(`${name}-trail-logs`, {
                namePrefix: `${args.logs.namePrefix}cloudtrail-`,
                kmsKeyArn: args.logsKeyArn,
                retentionInDays: args.logs.retentionInDays,
            }, child);
            const trailRole = new aws.iam.Role(`${name}-trail-role`, {
                assumeRolePolicy: assumeRolePolicy("cloudtrail.amazonaws.com", args.accountId),
                description: "CloudTrail: deliver events to CloudWatch Logs",
            }, child);
            new aws.iam.RolePolicy(`${name}-trail-role-policy`, {
                role: trailRole.id,
                policy: policyDocument([{ Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: pulumi.interpolate`${trailLogs.arn}:*` }]),
            }, child);
            this.trail = new aws.cloudtrail.Trail(`${name}-trail`, {
                s3BucketName: this.auditBucket.name,
                s3KeyPrefix: "cloudtrail",
                isMultiRegionTrail: true,
                includeGlobalServiceEvents: true,
                enableLogFileValidation: true,
                kmsKeyId: args.logsKeyArn,
                cloudWatchLogsGroupArn: pulumi.interpolate`${trailLogs.arn}:*`,
                cloudWatchLogsRoleArn: trailRole.arn,
                advancedEventSelectors: [
                    { name: "Management events", fieldSelectors: [{ field: "eventCategory", equals: ["Management"] }] },
                    ...(args.gdpr ? [{
                        name: "Personal data access (GDPR)",
                        fieldSelectors: [
                            { field: "eventCategory", equals: ["Data"] },
                            { field: "resources.type", equals: ["AWS::DynamoDB::Table"] },
                        ],
                    }] : []),
                ],
            }, { parent: this, dependsOn: this.auditBucket.policy ? [this.auditBucket.policy] : [] });

            new aws.accessanalyzer.Analyzer(`${name}-access-analyzer`, { analyzerName: `${name}-access-analyzer`, type: "ACCOUNT" }, child);
            new aws.s3.AccountPublicAccessBlock(`${name}-account-s3-block`, {
                blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true,
            }, child);
        }

        if (this.services.config && this.auditBucket) {
            const role = new aws.iam.Role(`${name}-config-role`, {
                assumeRolePolicy: assumeRolePolicy("config.amazonaws.com", args.accountId),
                description: "AWS Config recorder",
            }, child);
            new aws.iam.RolePolicyAttachment(`${name}-config-role-managed`, {
                role: role.name,
                policyArn: "arn:aws:iam::aws:policy/service-role/AWS_ConfigRole",
            }, child);
            new aws.iam.RolePolicy(`${name}-config-role-delivery`, {
                role: role.id,
                policy: policyDocument([
                    { Effect: "Allow", Action: "s3:PutObject", Resource: pulumi.interpolate`${this.auditBucket.arn}/config/*`, Condition: { StringEquals: { "s3:x-amz-acl": "bucket-owner-full-control" } } },
                    { Effect: "Allow", Action: "s3:GetBucketAcl", Resource: this.auditBucket.arn },
                    { Effect: "Allow", Action: ["kms:GenerateDataKey", "kms:Decrypt"], Resource: args.logsKeyArn },
                ]),
            }, child);
            const recorder = new aws.cfg.Recorder(`${name}-recorder`, {
                roleArn: role.arn,
                recordingGroup: { allSupported: true, includeGlobalResourceTypes: true },
            }, child);
            const channel = new aws.cfg.DeliveryChannel(`${name}-delivery`, {
                s3BucketName: this.auditBucket.name,
                s3KeyPrefix: "config",
                s3KmsKeyArn: args.logsKeyArn,
                snapshotDeliveryProperties: { deliveryFrequency: "TwentyFour_Hours" },
            }, { parent: this, dependsOn: [recorder] });
            const status = new aws.cfg.RecorderStatus(`${name}-recorder-status`, { name: recorder.name, isEnabled: true }, { parent: this, dependsOn: [channel] });
            if (args.alerts) {
                this.findingsRule("config-noncompliant", "aws.config", "Config Rules Compliance Change",
                    { messageType: ["ComplianceChangeNotification"], newEvaluationResult: { complianceType: ["NON_COMPLIANT"] } }, args.alerts.info);
            }
            const rules = [...CONFIG_RULES, ...(args.vpcFunctionName !== undefined ? ["LAMBDA_INSIDE_VPC"] : [])];
            for (const rule of rules) {
                this.configRules.push(new aws.cfg.Rule(`${name}-${rule.toLowerCase().replace(/_/g, "-")}`, {
                    description: `AWS managed rule ${rule}`,
                    source: { owner: "AWS", sourceIdentifier: rule },
                    ...(rule === "CMK_BACKING_KEY_ROTATION_ENABLED" || rule === "CLOUD_TRAIL_ENABLED" ? { maximumExecutionFrequency: "TwentyFour_Hours" } : {}),
                    ...(rule === "LAMBDA_INSIDE_VPC" ? { scope: { complianceResourceTypes: ["AWS::Lambda::Function"], complianceResourceId: args.vpcFunctionName } } : {}),
                }, { parent: this, dependsOn: [status] }));
            }
        }

        if (this.services.guardduty) {
            this.detector = new aws.guardduty.Detector(`${name}-guardduty`, { enable: true, findingPublishingFrequency: "FIFTEEN_MINUTES" }, child);
            // The stack runs no EC2, EKS or ECS: S3 data events and Lambda network activity are what fit.
            for (const feature of ["S3_DATA_EVENTS", "LAMBDA_NETWORK_LOGS"]) {
                new aws.guardduty.DetectorFeature(`${name}-guardduty-${feature.toLowerCase().replace(/_/g, "-")}`, {
                    detectorId: this.detector.id, name: feature, status: "ENABLED",
                }, child);
            }
            if (args.alerts) {
                this.findingsRule("guardduty-high", "aws.guardduty", "GuardDuty Finding", { severity: [{ numeric: [">=", 7] }] }, args.alerts.critical);
                this.findingsRule("guardduty-medium", "aws.guardduty", "GuardDuty Finding", { severity: [{ numeric: [">=", 4, "<", 7] }] }, args.alerts.warning);
            }
        }

        if (this.services.securityHub) {
            this.securityHub = new aws.securityhub.Account(`${name}-securityhub`, {
                enableDefaultStandards: false,
                controlFindingGenerator: "SECURITY_CONTROL",
                autoEnableControls: true,
            }, child);
            for (const [id, standard] of [["fsbp", "aws-foundational-security-best-practices/v/1.0.0"], ["cis", "cis-aws-foundations-benchmark/v/3.0.0"]]) {
                new aws.securityhub.StandardsSubscription(`${name}-securityhub-${id}`, {
                    standardsArn: `arn:aws:securityhub:${args.region}::standards/${standard}`,
                }, { parent: this, dependsOn: [this.securityHub] });
            }
            if (args.alerts) {
                this.findingsRule("securityhub-critical", "aws.securityhub", "Security Hub Findings - Imported",
                    { findings: { Severity: { Label: ["CRITICAL", "HIGH"] }, Workflow: { Status: ["NEW"] } } }, args.alerts.critical);
            }
        }

        this.registerOutputs({ trailArn: this.trail?.arn, detectorId: this.detector?.id, auditBucket: this.auditBucket?.name });
    }

    private findingsRule(id: string, source: string, detailType: string, detail: object, topicArn: pulumi.Input<string>): void {
        const rule = new aws.cloudwatch.EventRule(`${this.ruleName(id)}`, {
            // Rule names are capped at 64 (PutRule): the logical name plus an auto-name suffix would not fit long stack names.
            name: fitName(this.ruleName(id), 64),
            description: `${detailType} to the alerts topic`,
            eventPattern: JSON.stringify({ source: [source], "detail-type": [detailType], detail }),
        }, { parent: this });
        // A target id is unique only inside its rule and AWS caps it at 64 (auto-naming from the logical name
        // went over): name it after the destination.
        new aws.cloudwatch.EventTarget(`${this.ruleName(id)}-target`, { rule: rule.name, targetId: "alerts-topic", arn: topicArn }, { parent: this });
    }

    private ruleName(id: string): string {
        return `${this.baseName}-${id}`;
    }
}
