/**
 * AI Nutritionist — the production AWS stack, read top to bottom like the architecture diagram:
 *
 *   keys ─┬─ network (SecureVpc) ─────────────┐
 *         ├─ data (ServiceTables) ─── backup ─┤
 *         ├─ alerts (AlertTopics)             │
 *         ├─ request path: SMS/Twilio/Stripe → API Gateway + WAF → Lambda → SQS → worker in the VPC (Valkey → Bedrock) → DynamoDB
 *         │                └─ reply: worker → outbox (SQS) → sender outside the VPC → Twilio / End User Messaging
 *         ├─ schedules, SMS messaging
 *         ├─ edge (CdnSite), account security (SecurityBaseline)
 *         └─ observability: dashboard, alarms, budgets, anomaly detection
 */
import * as pulumi from "@pulumi/pulumi";
import { loadSettings } from "./config";
import { fitName, stackPrefix } from "./components/naming";
import { createProviders, REQUIRED_TAG_KEYS } from "./components/providers";
import { EncryptionKeys } from "./components/encryption-keys";
import { SecureVpc } from "./components/secure-vpc";
import { ServiceTables } from "./components/service-tables";
import { AlertTopics } from "./components/alert-topics";
import { BackupPlan } from "./components/backup-plan";
import { EncryptedQueue } from "./components/encrypted-queue";
import { ServiceSecrets } from "./components/service-secrets";
import { CachedLambdaApi, WORKER_TIMEOUT_SECONDS } from "./components/cached-lambda-api";
import { ManagedKey } from "./components/managed-key";
import { ReplySender, SENDER_TIMEOUT_SECONDS } from "./components/reply-sender";
import { MealPlanSchedules } from "./components/meal-plan-schedules";
import { SmsMessaging } from "./components/sms-messaging";
import { handlerMetrics, TwilioMonitoring } from "./components/twilio-monitoring";
import { CdnSite } from "./components/cdn-site";
import { SecurityBaseline } from "./components/security-baseline";
import { Observability } from "./components/observability";

const { settings, secrets } = loadSettings();
const env = settings.environment;
// Every physical name and name prefix derives from the stack (two stacks of one environment never collide);
// the environment picks profiles and the Environment tag.
const stack = pulumi.getStack();
const prefix = stackPrefix(stack);
const isProd = env === "prod";
const logPrefix = `/ai-nutritionist/${stack}/`;
const metricNamespace = `AiNutritionist/${stack}`;
const providers = createProviders({ ...settings, backupCopyRegion: settings.backupCrossRegionDestination });
const inMainRegion = { providers: { aws: providers.main } };

// Keys: one customer-managed key per purpose.
const keys = new EncryptionKeys(`${prefix}-keys`, {
    aliasPrefix: prefix,
    region: settings.region,
    // Our log groups, WAF's (its name must start aws-waf-logs-) and API Gateway's execution logs (named by the service).
    logGroupPrefixes: [logPrefix, `aws-waf-logs-${prefix}`, "API-Gateway-Execution-Logs_"],
    deletionWindowInDays: settings.kmsDeletionWindowDays,
    keyPerPurpose: settings.kmsKeyPerPurpose,
    backupKey: settings.enableAwsBackup,
}, { ...inMainRegion, protect: isProd }); // Deleting a prod key would make every table and backup unreadable.

// Disaster recovery: the tables' global-table replica in the backup region, under a key of that region.
const replicaKey = settings.enableTableReplica && providers.backupRegion ? new ManagedKey(`${prefix}-replica-key`, {
    description: `Replica of the data tables (${prefix}, disaster recovery)`,
    alias: `${prefix}-replica-data`,
    accountId: keys.accountId,
    partition: keys.partition,
    deletionWindowInDays: settings.kmsDeletionWindowDays,
}, { provider: providers.backupRegion, protect: isProd }) : undefined;

// Network: private subnets, endpoints and flow logs (Standard and Enterprise tiers).
const network = settings.enableVpc ? new SecureVpc(`${prefix}-network`, {
    region: settings.region,
    cidrBlock: settings.vpcCidr,
    availabilityZoneCount: settings.availabilityZoneCount,
    natStrategy: settings.natStrategy,
    interfaceEndpoints: settings.vpcInterfaceEndpoints,
    flowLogs: { kmsKeyArn: keys.logs.arn, retentionInDays: settings.logRetentionDays, logGroupNamePrefix: `${logPrefix}vpc-flow-logs-` },
}, inMainRegion) : undefined;

// Data: the service's tables, encrypted with the data key.
const tables = new ServiceTables(`${prefix}-tables`, {
    kmsKeyArn: keys.data.arn,
    deletionProtection: isProd,
    provisioned: settings.tableBillingMode === "PROVISIONED" ? {
        minCapacity: settings.tableMinCapacity,
        maxCapacity: settings.tableMaxCapacity,
        targetUtilization: settings.tableAutoscalingTargetUtilization,
    } : undefined,
    infrequentAccessForLedger: settings.enableCostOptimization,
    replica: replicaKey ? { region: settings.backupCrossRegionDestination, kmsKeyArn: replicaKey.arn } : undefined,
}, inMainRegion);

// Alerts: critical, warning and informational routes.
const alerts = new AlertTopics(`${prefix}-alerts`, {
    kmsKeyArn: keys.messaging.arn,
    email: settings.alertEmail || undefined,
    accountId: keys.accountId,
}, inMainRegion);

// Backup: daily plan, its cross-region copy, restore testing (the replica gives the cross-region RPO).
const backup = settings.enableAwsBackup && keys.backup ? new BackupPlan(`${prefix}-backup`, {
    namePrefix: prefix,
    stack,
    kmsKeyArn: keys.backup.arn,
    sourceKeyArns: [keys.data.arn],
    coldStorageAfterDays: settings.backupColdStorageAfterDays,
    deleteAfterDays: settings.backupDeleteAfterDays,
    copyTo: providers.backupRegion ? {
        provider: providers.backupRegion,
        region: settings.backupCrossRegionDestination,
        accountId: keys.accountId,
        deletionWindowInDays: settings.kmsDeletionWindowDays,
    } : undefined,
    vaultLock: settings.backupVaultLockMode,
    alertTopicArn: alerts.critical.arn,
    manageRegionSettings: settings.ownsAccountBaseline,
}, { ...inMainRegion, protect: isProd }) : undefined;

// Messaging: AWS End User Messaging SMS (two-way when a number is bought).
const sms = new SmsMessaging(`${prefix}-sms`, {
    messagingKeyArn: keys.messaging.arn,
    accountId: keys.accountId,
    logs: { kmsKeyArn: keys.logs.arn, retentionInDays: settings.logRetentionDays, namePrefix: `${logPrefix}sms-events-` },
    requestPhoneNumber: settings.smsRequestPhoneNumber,
    numberType: settings.smsNumberType,
    isoCountryCode: settings.smsIsoCountryCode,
    deletionProtection: isProd,
    failureAlarm: { namespace: metricNamespace, threshold: settings.alarmTwilioFailures, topicArn: alerts.warning.arn },
}, inMainRegion);

// Request path: queues, secrets, then the API with its functions and cache.
const workQueue = new EncryptedQueue(`${prefix}-work`, {
    kmsKeyArn: keys.messaging.arn,
    consumerTimeoutSeconds: WORKER_TIMEOUT_SECONDS,
    maxReceiveCount: 5,
    allowedSenders: sms.inboundTopic ? [{ service: "sns.amazonaws.com", sourceArns: [sms.inboundTopic.arn] }] : [],
}, inMainRegion);
// The reply path: the worker queues each reply; the sender outside the VPC sends it.
const outbox = new EncryptedQueue(`${prefix}-outbox`, {
    kmsKeyArn: keys.messaging.arn,
    consumerTimeoutSeconds: SENDER_TIMEOUT_SECONDS,
    maxReceiveCount: 5,
}, inMainRegion);
const failedInvocations = new EncryptedQueue(`${prefix}-failed-invocations`, {
    kmsKeyArn: keys.messaging.arn,
    deadLetterQueue: false,
    messageRetentionSeconds: 14 * 86400,
}, inMainRegion);
const serviceSecrets = new ServiceSecrets(`${prefix}-secrets`, {
    kmsKeyArn: keys.data.arn,
    values: secrets,
    recoveryWindowInDays: isProd ? 30 : 7,
}, inMainRegion);
const functionLogs = { kmsKeyArn: keys.logs.arn, retentionInDays: settings.logRetentionDays, namePrefix: logPrefix };

const api = new CachedLambdaApi(`${prefix}-api`, {
    stageName: env,
    region: settings.region,
    keys: { data: keys.data.arn, logs: keys.logs.arn, messaging: keys.messaging.arn },
    logs: { retentionInDays: settings.logRetentionDays, namePrefix: logPrefix, wafNamePrefix: `aws-waf-logs-${prefix}` },
    architecture: settings.lambdaArchitecture,
    memorySize: settings.lambdaMemorySize,
    reservedConcurrency: settings.lambdaReservedConcurrency,
    vpc: network ? { subnetIds: network.privateSubnetIds, functionSecurityGroupId: network.functionSecurityGroupId, cacheSecurityGroupId: network.cacheSecurityGroupId } : undefined,
    wafMetricPrefix: `${stack}-api`,
    outbox,
    cache: settings.enableElasticache ? { replicationGroupId: fitName(`${prefix}-cache`, 40), nodeType: settings.elasticacheNodeType, numNodes: settings.elasticacheNumNodes, snapshotRetentionDays: isProd ? 7 : 1, ttlSeconds: settings.cacheTtlSeconds } : undefined,
    tables: { users: tables.users, conversations: tables.conversations, mealPlans: tables.mealPlans, billingEvents: tables.billingEvents, idempotency: tables.idempotency },
    metricsNamespace: metricNamespace,
    queue: workQueue,
    failureQueue: failedInvocations,
    secrets: { twilioAuthTokenArn: serviceSecrets.twilioAuthToken.arn, stripeWebhookSecretArn: serviceSecrets.stripeWebhookSecret.arn },
    bedrockModelId: settings.bedrockModelId,
    accountId: keys.accountId,
    conversationRetentionDays: settings.conversationRetentionDays,
    billingRetentionDays: settings.billingRetentionDays,
    throttle: { rateLimit: settings.apiThrottleRateLimit, burstLimit: settings.apiThrottleBurstLimit, quotaPerDay: settings.apiQuotaPerDay },
    wafRateLimit: settings.wafRateLimit,
    corsOrigins: settings.corsAllowedOrigins,
    manageAccountLogRole: settings.ownsAccountBaseline,
    alertTopicArn: alerts.warning.arn,
}, inMainRegion);
sms.deliverInboundTo(workQueue.arn);
const sender = new ReplySender(`${prefix}-sender`, {
    outbox,
    keys: { data: keys.data.arn, messaging: keys.messaging.arn },
    logs: functionLogs,
    metricsNamespace: metricNamespace,
    architecture: settings.lambdaArchitecture,
    idempotency: tables.idempotency,
    twilio: {
        authTokenSecretArn: serviceSecrets.twilioAuthToken.arn,
        accountSid: settings.twilioAccountSid || undefined,
        fromNumber: settings.twilioPhoneNumber || undefined,
        statusCallbackUrl: api.statusCallbackUrl,
    },
    awsSms: sms.channel,
    region: settings.region,
}, inMainRegion);

// Schedules: daily meal plans and the weekly summary.
const schedules = new MealPlanSchedules(`${prefix}-schedules`, {
    keys: { data: keys.data.arn, messaging: keys.messaging.arn },
    logs: functionLogs,
    architecture: settings.lambdaArchitecture,
    users: tables.users,
    idempotency: tables.idempotency,
    metricsNamespace: metricNamespace,
    queue: workQueue,
    failureQueue: failedInvocations,
}, inMainRegion);

// Twilio health from the handlers' Embedded Metric Format metrics.
const twilio = new TwilioMonitoring(`${prefix}-twilio`, {
    namespace: metricNamespace,
    services: { inbound: api.inbound.serviceName, sender: sender.serviceName },
    threshold: settings.alarmTwilioFailures,
    alarmTopicArn: alerts.warning.arn,
}, inMainRegion);

// Edge: the web site behind CloudFront, with its WAF in us-east-1.
const site = new CdnSite(`${prefix}-site`, {
    aliasPrefix: prefix,
    accountId: keys.accountId,
    partition: keys.partition,
    usEast1Provider: providers.usEast1,
    priceClass: settings.cdnPriceClass,
    domain: settings.siteDomain ? { name: settings.siteDomain, certificateArn: settings.siteCertificateArn } : undefined,
    logRetentionDays: Math.max(settings.logRetentionDays, 30),
    wafRateLimit: settings.wafRateLimit,
    // WAF logs for CloudFront live in us-east-1, so the logs key can encrypt them only when the stack is there too.
    wafLogging: settings.region === "us-east-1"
        ? { kmsKeyArn: keys.logs.arn, retentionInDays: settings.logRetentionDays, namePrefix: `aws-waf-logs-${prefix}-site-` }
        : undefined,
    deletionWindowInDays: settings.kmsDeletionWindowDays,
    protect: isProd,
}, inMainRegion);

// Account security: Config, CloudTrail, GuardDuty, Security Hub by tier.
const security = new SecurityBaseline(`${prefix}-security`, {
    tier: settings.securityTier,
    enableAwsConfig: settings.enableAwsConfig,
    enableGuardduty: settings.enableGuardduty,
    enableSecurityHub: settings.enableSecurityHub,
    ownsAccountBaseline: settings.ownsAccountBaseline,
    gdpr: settings.gdprComplianceEnabled,
    region: settings.region,
    accountId: keys.accountId,
    logsKeyArn: keys.logs.arn,
    logs: { retentionInDays: settings.logRetentionDays, namePrefix: logPrefix },
    alerts: { critical: alerts.critical.arn, warning: alerts.warning.arn, info: alerts.info.arn },
    vpcFunctionName: network ? api.worker.name : undefined,
}, inMainRegion);

// Observability: dashboard, alarms, budgets and anomaly detection over what exists.
const observability = settings.enableMonitoring ? new Observability(`${prefix}-observability`, {
    prefix,
    region: settings.region,
    topics: { critical: alerts.critical.arn, warning: alerts.warning.arn, info: alerts.info.arn },
    thresholds: {
        apiLatencyP95Ms: settings.alarmApiLatencyP95Ms,
        api5xxRatePercent: settings.alarmApi5xxRatePercent,
        api4xxRatePercent: settings.alarmApi4xxRatePercent,
        lambdaErrorRatePercent: settings.alarmLambdaErrorRatePercent,
        lambdaDurationP95Ms: settings.alarmLambdaDurationP95Ms,
        cacheHitRatePercent: settings.alarmCacheHitRatePercent,
        dlqDepth: settings.alarmDlqDepth,
        wafBlockedRequests: settings.alarmWafBlockedRequests,
    },
    functions: [
        { label: "inbound", name: api.inbound.name, logGroupName: api.inbound.logGroup.name },
        { label: "billing", name: api.billing.name, logGroupName: api.billing.logGroup.name },
        { label: "worker", name: api.worker.name, logGroupName: api.worker.logGroup.name },
        { label: "sender", name: sender.name, logGroupName: sender.function.logGroup.name },
        { label: "scheduler", name: schedules.function.name, logGroupName: schedules.function.logGroup.name },
    ],
    api: { name: api.restApi.name, stage: env, accessLogGroupName: api.accessLogGroupName },
    tables: tables.all().map(({ label, table }) => ({ label, name: table.name })),
    queues: [
        { label: "work-queue", name: workQueue.name, deadLetter: false },
        { label: "work-dlq", name: workQueue.deadLetterQueue!.name, deadLetter: true },
        { label: "outbox", name: outbox.name, deadLetter: false },
        { label: "outbox-dlq", name: outbox.deadLetterQueue!.name, deadLetter: true },
        { label: "failed-invocations", name: failedInvocations.name, deadLetter: true },
        { label: "schedule-dlq", name: schedules.deadLetterQueue.name, deadLetter: true },
    ],
    cache: api.cache ? { memberClusterIds: api.cache.memberClusterIds, numNodes: api.cache.numNodes } : undefined,
    nat: network && network.natGatewayCount > 0 ? { gatewayIds: network.natGatewayIds, count: network.natGatewayCount } : undefined,
    waf: { name: api.webAcl.name, metricPrefix: `${stack}-api` },
    backupVaultName: backup?.vaultName,
    bedrockModelId: settings.bedrockModelId,
    customMetrics: [
        ...twilio.metrics,
        ...handlerMetrics(metricNamespace, api.worker.serviceName, ["BedrockThrottles", "BedrockErrors", "CacheHits", "CacheMisses", "CacheErrors", "RecordsDeferred", "OutboxFailures"]),
        ...handlerMetrics(metricNamespace, sender.serviceName, ["RepliesSent", "AwsSmsSendFailures", "SendsReconciled", "SendsAmbiguous"]),
        ...handlerMetrics(metricNamespace, api.inbound.serviceName, ["InboundRecordFailures"]),
        ...handlerMetrics(metricNamespace, api.billing.serviceName, ["StripeSignatureFailures", "StripeEventsTrimmed"]),
        ...(sms.failureMetric ? [sms.failureMetric] : []),
    ],
    extraAlarmArns: [...twilio.alarms.map(a => a.arn), ...(sms.failureAlarm ? [sms.failureAlarm.arn] : [])],
    // Budgets and Cost Explorer see a user tag only once it is activated: without activation the
    // budget and the anomaly monitor cover the whole account; with it, this stack's Stack tag.
    budget: { limitUsd: settings.monthlyBudgetLimit, email: settings.alertEmail || undefined, tag: settings.activateCostAllocationTags ? { key: "Stack", value: stack } : undefined, ownsAccountMonitor: settings.ownsAccountBaseline },
    // Opt-in (activateCostAllocationTags): activation fails for keys Billing has not seen and in member accounts.
    costAllocationTags: settings.activateCostAllocationTags ? [...REQUIRED_TAG_KEYS.filter(k => k !== "ManagedBy"), "Stack"] : [],
    tracingSampleRate: isProd ? 0.05 : 1,
}, inMainRegion) : undefined;

export const webhookUrl = api.webhookUrl;
export const statusCallbackUrl = api.statusCallbackUrl;
export const fallbackUrl = api.fallbackUrl;
export const billingWebhookUrl = api.billingWebhookUrl;
export const healthUrl = api.healthUrl;
// "disabled" as resourceSummary says it: an undefined output is dropped, with a warning on every run.
export const cloudwatchDashboardUrl = observability?.dashboardUrl ?? "disabled";
export const siteUrl = site.siteUrl;
export const siteBucketName = site.bucketName;
export const smsConfigurationSet = sms.configurationSet.name;
export const tableNames = { users: tables.users.name, conversations: tables.conversations.name, mealPlans: tables.mealPlans.name, billingEvents: tables.billingEvents.name };
export const keyAliases = { data: keys.data.aliasName, logs: keys.logs.aliasName, messaging: keys.messaging.aliasName, backup: keys.backup?.aliasName, replica: replicaKey?.aliasName };
/** The seed's "resource summary" output: what this stack turned on. */
export const resourceSummary = {
    environment: env,
    securityTier: settings.securityTier,
    region: settings.region,
    vpc: network ? { vpcId: network.vpcId, natGateways: network.natGatewayCount, availabilityZones: settings.availabilityZoneCount } : "disabled",
    cache: api.cache ? { endpoint: api.cache.endpoint, nodes: api.cache.numNodes, nodeType: settings.elasticacheNodeType } : "disabled",
    backup: backup ? { vault: backup.vaultName, crossRegionCopy: settings.backupCrossRegionDestination || "none", tableReplica: replicaKey ? settings.backupCrossRegionDestination : "none", vaultLock: settings.backupVaultLockMode } : "disabled",
    accountBaseline: security.services,
    lambdaArchitecture: settings.lambdaArchitecture,
    monthlyBudgetUsd: settings.monthlyBudgetLimit,
};
