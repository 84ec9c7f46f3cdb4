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

const { settings } = loadSettings();
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

export const dataKeyArn = keys.data.arn;
export const vpcId = network?.vpcId;
export const tableNames = { users: tables.users.name, conversations: tables.conversations.name, mealPlans: tables.mealPlans.name, billingEvents: tables.billingEvents.name };
export const backupVaultName = backup?.vaultName;
