/**
 * Generated sections of docs/policy-pack.md: the policy table (every policy with its family, level,
 * rationale and the cdk-nag / Checkov rule it matches), the types each policy covers, and the
 * configuration reference (every setting of every policy with its default).
 */
import { COVERAGE, FAMILIES, policies } from "../policy-pack/policies";
import { NOT_RESOURCE_POLICIES } from "../policy-pack/policies/public";

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
    "cost-budget": { why: "budgets alarm only after the money is spent; this stops the preview first (docs/costs.md)", matches: "Infracost policies; no cdk-nag / Checkov rule" },
    "exempted-findings": { why: "every exemption visible in every report", matches: "cdk-nag suppression reports" },
    "data-store-encryption-cmk": { why: "every data store an organisation runs, under keys it controls", matches: "Checkov CKV_AWS_16, CKV_AWS_3, CKV_AWS_42, CKV_AWS_5, CKV_AWS_43, CKV_AWS_136; cdk-nag AwsSolutions-RDS2, EC26, EFS1" },
    "elasticache-auth": { why: "a reachable cache port must not mean a readable cache", matches: "Checkov CKV_AWS_31" },
    "cloudfront-origin-https": { why: "TLS on the CloudFront-to-origin leg too", matches: "Checkov CKV_AWS_35 (origin); cdk-nag AwsSolutions-CFR5" },
    "cloudfront-default-certificate-tls": { why: "the default certificate admits TLS 1.0; fixing it needs a custom domain", matches: "cdk-nag AwsSolutions-CFR4" },
    "resource-policy-no-public-principal": { why: "no resource open to every AWS account or anonymous caller", matches: "Checkov CKV_AWS_33, CKV_AWS_70, CKV_AWS_168, CKV_AWS_169" },
    "data-store-not-public": { why: "databases and search domains only inside the VPC", matches: "Checkov CKV_AWS_17, CKV_AWS_87; cdk-nag AwsSolutions-OS1" },
    "security-group-no-world-open-ports": { why: "no administrative or data port reachable from the internet", matches: "Checkov CKV_AWS_24, CKV_AWS_25, CKV_AWS_260; cdk-nag AwsSolutions-EC23" },
    "iam-policy-valid": { why: "a typo in an action, key or ARN silently grants or denies nothing", matches: "IAM Access Analyzer policy validation (before deployment); no published pack" },
    "allowed-regions": { why: "data residency and cost control", matches: "SCP aws:RequestedRegion; Checkov custom" },
    "apigateway-no-data-trace": { why: "full webhook bodies (phone numbers, messages) never in logs", matches: "Checkov CKV_AWS_276" },
    "s3-bucket-versioning": { why: "overwritten and deleted objects recoverable", matches: "Checkov CKV_AWS_21" },
    "s3-bucket-access-logging": { why: "an audit trail of bucket access", matches: "Checkov CKV_AWS_18; cdk-nag AwsSolutions-S1" },
    "sqs-queue-dead-letter": { why: "poison messages set aside, not retried until they expire", matches: "cdk-nag AwsSolutions-SQS3" },
    "cost-budget-region": { why: "an estimate is refused rather than guessed, and a missing price table never blocks a deployment", matches: "Infracost's unsupported-resource notes" },
    "lb-listener-https": { why: "no viewer request, cookie or token in plaintext behind a load balancer", matches: "Checkov CKV_AWS_2, CKV_AWS_103; Security Hub ELB.1; cdk-nag AwsSolutions-ELB2 (no direct rule)" },
    "lambda-function-url-auth": { why: "a function URL with auth NONE is an unauthenticated internet endpoint", matches: "Checkov CKV_AWS_258; Security Hub Lambda.1" },
};

const familyOf = (name: string) => Object.entries(FAMILIES).find(([, ps]) => ps.some(p => p.name === name))?.[0] ?? "report";

export function policyTable(): string {
    const rows = ["| Policy | Family | Level | Checks | Why | Matches |", "|---|---|---|---|---|---|"];
    for (const p of policies) {
        const m = MAPPING[p.name] ?? { why: "", matches: "" };
        rows.push(`| \`${p.name}\` | ${familyOf(p.name)} | ${p.enforcementLevel} | ${p.description} | ${m.why} | ${m.matches} |`);
    }
    return rows.join("\n") + "\n";
}

/** Every policy's resource types (current and deprecated tokens), with counts per family. */
export function coverageTable(): string {
    const rows = ["| Family | Policy | Types | Resource types |", "|---|---|---|---|"];
    for (const [family, ps] of Object.entries(FAMILIES)) {
        for (const p of ps) {
            const types = COVERAGE.get(p.name);
            rows.push(`| ${family} | \`${p.name}\` | ${types ? types.length : "all"} | ${types ? types.map(t => `\`${t}\``).join(", ") : "every AWS resource and provider (a \`region\` input)"} |`);
        }
    }
    rows.push("", "Types whose inputs hold a policy-like document that `resource-policy-no-public-principal` leaves out, and why:", "", "| Type | Why |", "|---|---|");
    for (const [t, why] of Object.entries(NOT_RESOURCE_POLICIES)) rows.push(`| \`${t}\` | ${why} |`);
    const perFamily = Object.entries(FAMILIES).map(([f, ps]) => `${f}: ${new Set(ps.flatMap(p => COVERAGE.get(p.name) ?? [])).size}`);
    return rows.join("\n") + `\n\nDistinct resource types per family: ${perFamily.join("; ")}.\n`;
}

const show = (v: unknown) => `\`${JSON.stringify(v)}\``;

/** The pack's configuration schema: every setting of every policy, its default and meaning. */
export function configReference(): string {
    const rows = ["| Policy | Setting | Default | Meaning |", "|---|---|---|---|"];
    for (const p of policies) {
        rows.push(`| \`${p.name}\` | \`enforcementLevel\` | ${p.enforcementLevel} | advisory, mandatory, remediate or disabled |`);
        for (const [key, s] of Object.entries<any>(p.configSchema?.properties ?? {})) {
            rows.push(`| \`${p.name}\` | \`${key}\` | ${show(s.default)} | ${s.description} |`);
        }
    }
    return rows.join("\n") + "\n";
}

export const POLICY_NAMES_DOCUMENTED = Object.keys(MAPPING);
