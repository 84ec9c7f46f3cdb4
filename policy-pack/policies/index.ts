/**
 * Every policy of the pack, in evaluation order. Import this module (not ../index.ts, which
 * starts the policy server) to run or test the policies.
 */
import { Policies } from "@pulumi/policy";
import {
    backupVaultEncryption, dynamodbEncryption, elasticacheEncryption, kmsRotation, lambdaEnvironmentEncryption,
    logGroupEncryption, s3Encryption, secretEncryption, snsEncryption, sqsEncryption,
} from "./encryption";
import { costBudget } from "./cost-budget";
import { exemptionReport } from "./exemptions";
import {
    apiStageAccessLogs, apiStageWaf, dynamodbPitr, iamNoAdmin, lambdaNotPublic, lambdaTracing, logRetention, s3PublicAccessBlock,
} from "./hygiene";
import { requiredTags } from "./tagging";
import { cloudfrontHttps, elasticacheTransit, s3TlsOnly, sqsTlsOnly } from "./transit";

export { exemptedFindings } from "./helpers";
export { DEFAULT_ENVIRONMENTS, DEFAULT_REQUIRED_TAGS } from "./tagging";

export const policies: Policies = [
    // Encryption at rest
    dynamodbEncryption, sqsEncryption, snsEncryption, logGroupEncryption, elasticacheEncryption, backupVaultEncryption,
    lambdaEnvironmentEncryption, secretEncryption, kmsRotation, s3Encryption,
    // Encryption in transit
    elasticacheTransit, cloudfrontHttps, s3TlsOnly, sqsTlsOnly,
    // Tagging
    requiredTags,
    // Operational guardrails
    dynamodbPitr, logRetention, lambdaTracing, apiStageAccessLogs, apiStageWaf, iamNoAdmin, lambdaNotPublic, s3PublicAccessBlock,
    // Cost
    costBudget,
    // Always last: the exemptions that were used
    exemptionReport,
];
