/**
 * AI Nutritionist — the production AWS stack, read top to bottom like the architecture diagram:
 *
 *   keys ─┬─ network (SecureVpc) ─────────────┐
 *         ├─ data (ServiceTables) ─── backup ─┤
 *         ├─ alerts (AlertTopics)             │
 *         ├─ request path: SMS/Twilio/Stripe → API Gateway + WAF → Lambda → SQS → worker (Redis → Bedrock) → DynamoDB
 *         ├─ schedules, SMS messaging
 *         ├─ edge (CdnSite), account security (SecurityBaseline)
 *         └─ observability: dashboard, alarms, budgets, anomaly detection
 */
import { loadSettings } from "./config";
import { createProviders } from "./components/providers";
import { EncryptionKeys } from "./components/encryption-keys";
import { SecureVpc } from "./components/secure-vpc";
import { ServiceTables } from "./components/service-tables";
import { AlertTopics } from "./components/alert-topics";
import { BackupPlan } from "./components/backup-plan";
import { EncryptedQueue } from "./components/encrypted-queue";
import { ServiceSecrets } from "./components/service-secrets";
import { CachedLambdaApi, WORKER_TIMEOUT_SECONDS } from "./components/cached-lambda-api";
import { MealPlanSchedules } from "./components/meal-plan-schedules";
import { SmsMessaging } from "./components/sms-messaging";
import { TwilioMonitoring } from "./components/twilio-monitoring";

const { settings, secrets } = loadSettings();
const env = settings.environment;
const prefix = `ai-nutritionist-${env}`;
const isProd = env === "prod";
const logPrefix = `/ai-nutritionist/${env}/`;
const providers = createProviders(settings);
const inMainRegion = { providers: { aws: providers.main } };

// Keys: one customer-managed key per purpose.
const keys = new EncryptionKeys(`${prefix}-keys`, {
    aliasPrefix: prefix,
    region: settings.region,
    logGroupPrefixes: [logPrefix, `aws-waf-logs-${prefix}`],
    deletionWindowInDays: settings.kmsDeletionWindowDays,
}, inMainRegion);

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
}, inMainRegion);

// Alerts: critical, warning and informational routes.
const alerts = new AlertTopics(`${prefix}-alerts`, {
    kmsKeyArn: keys.messaging.arn,
    email: settings.alertEmail || undefined,
    accountId: keys.accountId,
}, inMainRegion);

// Backup: daily plan, cross-region copy, restore testing.
const backup = settings.enableAwsBackup ? new BackupPlan(`${prefix}-backup`, {
    namePrefix: prefix,
    environment: env,
    kmsKeyArn: keys.backup.arn,
    sourceKeyArns: [keys.data.arn],
    coldStorageAfterDays: settings.backupColdStorageAfterDays,
    deleteAfterDays: settings.backupDeleteAfterDays,
    hourlyRetentionDays: settings.backupCrossRegionDestination ? 2 : 0,
    copyTo: providers.backupRegion ? {
        provider: providers.backupRegion,
        region: settings.backupCrossRegionDestination,
        accountId: keys.accountId,
        deletionWindowInDays: settings.kmsDeletionWindowDays,
    } : undefined,
    vaultLock: settings.backupVaultLockMode,
    alertTopicArn: alerts.critical.arn,
    manageRegionSettings: settings.ownsAccountBaseline,
}, inMainRegion) : undefined;

// Request path: queues, secrets, then the API with its functions and cache.
const workQueue = new EncryptedQueue(`${prefix}-work`, {
    kmsKeyArn: keys.messaging.arn,
    consumerTimeoutSeconds: WORKER_TIMEOUT_SECONDS,
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
const vpcPlacement = network ? { subnetIds: network.privateSubnetIds, securityGroupIds: [network.functionSecurityGroupId] } : undefined;

const api = new CachedLambdaApi(`${prefix}-api`, {
    stageName: env,
    region: settings.region,
    keys: { data: keys.data.arn, logs: keys.logs.arn, messaging: keys.messaging.arn },
    logs: { retentionInDays: settings.logRetentionDays, namePrefix: logPrefix, wafNamePrefix: `aws-waf-logs-${prefix}` },
    architecture: settings.lambdaArchitecture,
    memorySize: settings.lambdaMemorySize,
    reservedConcurrency: settings.lambdaReservedConcurrency,
    vpc: network ? { subnetIds: network.privateSubnetIds, functionSecurityGroupId: network.functionSecurityGroupId, cacheSecurityGroupId: network.cacheSecurityGroupId } : undefined,
    cache: settings.enableElasticache ? { nodeType: settings.elasticacheNodeType, numNodes: settings.elasticacheNumNodes, snapshotRetentionDays: isProd ? 7 : 1, ttlSeconds: settings.cacheTtlSeconds } : undefined,
    tables: { users: tables.users, conversations: tables.conversations, mealPlans: tables.mealPlans, billingEvents: tables.billingEvents },
    queue: workQueue,
    failureQueue: failedInvocations,
    secrets: { twilioAuthTokenArn: serviceSecrets.twilioAuthToken.arn, stripeWebhookSecretArn: serviceSecrets.stripeWebhookSecret.arn },
    bedrockModelId: settings.bedrockModelId,
    conversationRetentionDays: settings.conversationRetentionDays,
    throttle: { rateLimit: settings.apiThrottleRateLimit, burstLimit: settings.apiThrottleBurstLimit, quotaPerDay: settings.apiQuotaPerDay },
    wafRateLimit: settings.wafRateLimit,
    corsOrigins: settings.corsAllowedOrigins,
    twilioAccountSid: settings.twilioAccountSid || undefined,
    manageAccountLogRole: settings.ownsAccountBaseline,
    alertTopicArn: alerts.warning.arn,
}, inMainRegion);

// Schedules: daily meal plans and the weekly summary.
const schedules = new MealPlanSchedules(`${prefix}-schedules`, {
    keys: { data: keys.data.arn, messaging: keys.messaging.arn },
    logs: functionLogs,
    architecture: settings.lambdaArchitecture,
    users: tables.users,
    queue: workQueue,
    failureQueue: failedInvocations,
    vpc: vpcPlacement,
}, inMainRegion);

// Messaging: AWS End User Messaging SMS, and Twilio health from the handlers' logs.
const sms = new SmsMessaging(`${prefix}-sms`, {
    messagingKeyArn: keys.messaging.arn,
    accountId: keys.accountId,
    logs: { kmsKeyArn: keys.logs.arn, retentionInDays: settings.logRetentionDays, namePrefix: `${logPrefix}sms-events-` },
    requestPhoneNumber: settings.smsRequestPhoneNumber,
    numberType: settings.smsNumberType,
    isoCountryCode: settings.smsIsoCountryCode,
    deletionProtection: isProd,
}, inMainRegion);
const twilio = new TwilioMonitoring(`${prefix}-twilio`, {
    logGroupNames: [api.inbound.logGroup.name, api.worker.logGroup.name],
    namespace: `AiNutritionist/${env}`,
    threshold: settings.alarmTwilioFailures,
    alarmTopicArn: alerts.warning.arn,
}, inMainRegion);

export const webhookUrl = api.webhookUrl;
export const statusCallbackUrl = api.statusCallbackUrl;
export const billingWebhookUrl = api.billingWebhookUrl;
export const healthUrl = api.healthUrl;
export const dataKeyArn = keys.data.arn;
export const vpcId = network?.vpcId;
export const tableNames = { users: tables.users.name, conversations: tables.conversations.name, mealPlans: tables.mealPlans.name, billingEvents: tables.billingEvents.name };
export const backupVaultName = backup?.vaultName;
