/** docs/policies.md's policy table: every policy with its level, rationale and the cdk-nag / Checkov rule it matches. */
import { policies } from "../policy-pack/policies";

const MAPPING: Record<string, { why: string; matches: string }> = {
    "dynamodb-encryption-cmk": { why: "table data readable only through a key whose policy we control and audit", matches: "Checkov CKV_AWS_119" },
    "sqs-encryption-cmk": { why: "queued messages carry phone numbers and texts", matches: "Checkov CKV_AWS_27; cdk-nag AwsSolutions-SQS2" },
    "sns-encryption-cmk": { why: "alerts and SMS events may carry personal data", matches: "Checkov CKV_AWS_26; cdk-nag AwsSolutions-SNS2" },
    "log-group-encryption-cmk": { why: "logs hold request metadata; CMK lets us revoke access", matches: "Checkov CKV_AWS_158" },
    "elasticache-encryption-at-rest-cmk": { why: "cached answers and prompts at rest", matches: "Checkov CKV_AWS_29, CKV_AWS_191" },
    "backup-vault-encryption-cmk": { why: "recovery points are full copies of the data", matches: "Checkov CKV_AWS_166" },
    "lambda-environment-encryption-cmk": { why: "configuration encrypted with our key", matches: "Checkov CKV_AWS_173" },
    "secrets-encryption-cmk": { why: "Twilio/Stripe credentials under a key we audit", matches: "Checkov CKV_AWS_149" },
    "kms-key-rotation": { why: "the seed's automatic annual rotation", matches: "Checkov CKV_AWS_7; cdk-nag AwsSolutions-KMS5" },
    "s3-bucket-encryption-cmk": { why: "default encryption of every bucket with a CMK", matches: "Checkov CKV_AWS_145" },
    "elasticache-encryption-in-transit": { why: "Redis AUTH token and data never cleartext", matches: "Checkov CKV_AWS_30" },
    "cloudfront-viewer-https": { why: "TLS 1.2+ for all communications (the seed)", matches: "Checkov CKV_AWS_34, CKV_AWS_174; cdk-nag AwsSolutions-CFR4" },
    "s3-bucket-tls-only": { why: "no plaintext access to buckets", matches: "cdk-nag AwsSolutions-S10" },
    "sqs-queue-tls-only": { why: "no plaintext access to queues", matches: "cdk-nag AwsSolutions-SQS4" },
    "required-tags": { why: "cost allocation and ownership (the seed's resource tagging)", matches: "Checkov CKV_AWS_* custom tag policies; no built-in" },
    "dynamodb-pitr": { why: "the seed's 35-day point-in-time recovery, RPO", matches: "Checkov CKV_AWS_28; cdk-nag AwsSolutions-DDB3" },
    "log-group-retention": { why: "cost and GDPR data minimisation", matches: "Checkov CKV_AWS_66" },
    "lambda-tracing": { why: "the seed's X-Ray tracing", matches: "Checkov CKV_AWS_50" },
    "apigateway-stage-access-logs": { why: "audit of every webhook call", matches: "Checkov CKV_AWS_76; cdk-nag AwsSolutions-APIG1" },
    "apigateway-stage-waf": { why: "the seed's WAF protection of the API", matches: "Checkov CKV2_AWS_29; cdk-nag AwsSolutions-APIG3" },
    "iam-no-wildcard-admin": { why: "least privilege", matches: "Checkov CKV_AWS_1, CKV_AWS_62; cdk-nag AwsSolutions-IAM5 (stricter)" },
    "lambda-no-public-permission": { why: "functions invoked only by our API and schedules", matches: "Checkov CKV_AWS_301" },
    "s3-bucket-public-access-block": { why: "no public buckets", matches: "Checkov CKV_AWS_53–56; cdk-nag AwsSolutions-S2" },
    "exempted-findings": { why: "every exemption visible in every report", matches: "cdk-nag suppression reports" },
};

export function policyTable(): string {
    const rows = ["| Policy | Level | Checks | Why | Matches |", "|---|---|---|---|---|"];
    for (const p of policies) {
        const m = MAPPING[p.name] ?? { why: "", matches: "" };
        rows.push(`| \`${p.name}\` | ${p.enforcementLevel} | ${p.description} | ${m.why} | ${m.matches} |`);
    }
    return rows.join("\n") + "\n";
}

export const POLICY_NAMES_DOCUMENTED = Object.keys(MAPPING);
