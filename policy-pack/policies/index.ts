/**
 * Every policy of the pack, by family, in evaluation order. Import this module (not ../index.ts,
 * which starts the policy server) to run or test the policies.
 *
 * To add a family: a module exporting its policies, and one line in FAMILIES below.
 */
import { Policies } from "@pulumi/policy";
import { dataStoreEncryption, dataStoreNotPublic } from "./data";
import {
    backupVaultEncryption, dynamodbEncryption, elasticacheEncryption, kmsRotation, lambdaEnvironmentEncryption,
    logGroupEncryption, secretEncryption, snsEncryption, sqsEncryption,
} from "./encryption";
import { costBudget, costBudgetRegion } from "./cost-budget";
import { exemptionReport } from "./exemptions";
import { allowedRegions, apiNoDataTrace, apiStageAccessLogs, apiStageWaf, dynamodbPitr, lambdaTracing, logRetention, sqsDeadLetter } from "./hygiene";
import { iamNoAdmin, iamPolicyValid } from "./iam";
import { noWorldOpenPorts } from "./network";
import { lambdaNotPublic, lambdaUrlAuth, noPublicPrincipal } from "./public";
import { s3AccessLogging, s3Encryption, s3PublicAccessBlock, s3TlsOnly, s3Versioning } from "./s3";
import { requiredTags } from "./tagging";
import { cloudfrontDefaultCertificate, cloudfrontHttps, cloudfrontOriginHttps, elasticacheAuth, elasticacheTransit, lbListenerHttps, sqsTlsOnly } from "./transit";

export { COVERAGE, exemptedFindings } from "./helpers";
export { DEFAULT_ALLOWED_TAG_VALUES, DEFAULT_REQUIRED_TAGS } from "./tagging";

/** Family → its policies. */
export const FAMILIES: Record<string, Policies> = {
    "encryption at rest": [
        dynamodbEncryption, sqsEncryption, snsEncryption, logGroupEncryption, elasticacheEncryption, backupVaultEncryption,
        lambdaEnvironmentEncryption, secretEncryption, kmsRotation, s3Encryption, dataStoreEncryption,
    ],
    "encryption in transit": [elasticacheTransit, elasticacheAuth, cloudfrontHttps, cloudfrontOriginHttps, cloudfrontDefaultCertificate, lbListenerHttps, s3TlsOnly, sqsTlsOnly],
    "public access": [noPublicPrincipal, lambdaNotPublic, lambdaUrlAuth, s3PublicAccessBlock, dataStoreNotPublic],
    "network exposure": [noWorldOpenPorts],
    "IAM privilege and validity": [iamNoAdmin, iamPolicyValid],
    "tagging and regions": [requiredTags, allowedRegions],
    "cost": [costBudget, costBudgetRegion],
    "logging and recovery": [dynamodbPitr, logRetention, lambdaTracing, apiStageAccessLogs, apiStageWaf, apiNoDataTrace, s3Versioning, s3AccessLogging, sqsDeadLetter],
};

export const policies: Policies = [
    ...Object.values(FAMILIES).flat(),
    // Always last: the exemptions that were used
    exemptionReport,
];
