/**
 * S3 buckets of every type @pulumi/aws v7 creates them with (Bucket; the deprecated BucketV2;
 * directory buckets for encryption), and their settings whether inline (deprecated in v7) or on
 * the split resources, current and V2 tokens alike.
 */
import { PolicyResource } from "@pulumi/policy";
import { deniesInsecureTransport, parseDocument } from "./documents";
import { asList, customerKey, isTrue, linked, read, stackPolicy, UNKNOWN } from "./helpers";

export const BUCKET = "aws:s3/bucket:Bucket";
export const BUCKET_V2 = "aws:s3/bucketV2:BucketV2";
export const DIRECTORY_BUCKET = "aws:s3/directoryBucket:DirectoryBucket";
/** General-purpose buckets. */
export const BUCKET_TYPES = [BUCKET, BUCKET_V2];

export const S3 = {
    encryption: ["aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2"],
    policy: ["aws:s3/bucketPolicy:BucketPolicy"],
    publicAccessBlock: ["aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"],
    accountPublicAccessBlock: ["aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock"],
    acl: ["aws:s3/bucketAcl:BucketAcl", "aws:s3/bucketAclV2:BucketAclV2"],
    versioning: ["aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketVersioningV2:BucketVersioningV2"],
    logging: ["aws:s3/bucketLogging:BucketLogging", "aws:s3/bucketLoggingV2:BucketLoggingV2"],
} as const;

/** The split resources of some types that target the bucket through their `bucket` input. */
function companions(resources: PolicyResource[], types: readonly string[], bucket: PolicyResource): PolicyResource[] {
    return resources.filter(r => types.includes(r.type) && linked(r, "bucket", bucket, "bucket"));
}

/** The deprecated inline blocks of a Bucket (one object) or BucketV2 (a list). */
function inline(bucket: PolicyResource, bucketProp: string, bucketV2Prop: string): any[] {
    return asList(read(bucket.props, bucket.type === BUCKET_V2 ? bucketV2Prop : bucketProp));
}

/** Default-encryption rules: `{ sseAlgorithm, kmsMasterKeyId }` from the split resources and the inline blocks. */
function encryptionDefaults(resources: PolicyResource[], bucket: PolicyResource): any[] {
    const split = companions(resources, S3.encryption, bucket).flatMap(c => asList(read(c.props, "rules")).map(r => read(r, "applyServerSideEncryptionByDefault")));
    const own = bucket.type === BUCKET_V2
        ? asList(read(bucket.props, "serverSideEncryptionConfigurations")).flatMap(c => asList(read(c, "rules")).flatMap(r => asList(read(r, "applyServerSideEncryptionByDefaults"))))
        : [read(bucket.props, "serverSideEncryptionConfiguration", "rule", "applyServerSideEncryptionByDefault")];
    return [...split, ...own].filter(Boolean);
}

const KMS_ALGORITHMS = ["aws:kms", "aws:kms:dsse"];

export const s3Encryption = stackPolicy({
    name: "s3-bucket-encryption-cmk",
    description: "Every S3 bucket (Bucket, BucketV2, DirectoryBucket) has default encryption aws:kms with a customer-managed key, inline or through a BucketServerSideEncryptionConfiguration(V2).",
    types: [...BUCKET_TYPES, DIRECTORY_BUCKET, ...S3.encryption],
    check: (resources, violation) => {
        for (const bucket of resources.filter(r => [...BUCKET_TYPES, DIRECTORY_BUCKET].includes(r.type))) {
            const defaults = encryptionDefaults(resources, bucket);
            if (defaults.length === 0) violation("no default encryption targets this bucket (BucketServerSideEncryptionConfiguration or inline): it gets SSE-S3 with an AWS-owned key.", bucket.urn);
            else if (!defaults.some(d => KMS_ALGORITHMS.includes(read(d, "sseAlgorithm")) && customerKey(read(d, "kmsMasterKeyId")))) {
                violation("default encryption must be aws:kms with a customer-managed kmsMasterKeyId (not AES256, not alias/aws/s3).", bucket.urn);
            }
        }
    },
});

const BLOCK_SETTINGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"];
const PUBLIC_ACLS = ["public-read", "public-read-write", "authenticated-read"];

export const s3PublicAccessBlock = stackPolicy({
    name: "s3-bucket-public-access-block",
    description: "Every general-purpose S3 bucket has all four public-access-block settings on (its own block, or the account's in the same stack), and no public canned ACL.",
    types: [...BUCKET_TYPES, ...S3.publicAccessBlock, ...S3.accountPublicAccessBlock, ...S3.acl],
    check: (resources, violation) => {
        const account = resources.filter(r => S3.accountPublicAccessBlock.includes(r.type as any));
        for (const bucket of resources.filter(r => BUCKET_TYPES.includes(r.type))) {
            const blocks = [...companions(resources, S3.publicAccessBlock, bucket), ...account];
            const acls = [read(bucket.props, "acl"), ...companions(resources, S3.acl, bucket).map(a => read(a.props, "acl"))].filter(a => PUBLIC_ACLS.includes(a));
            if (acls.length) violation(`canned ACL ${acls.join(", ")} makes the bucket's objects public.`, bucket.urn);
            if (blocks.length === 0) {
                violation("no BucketPublicAccessBlock targets this bucket (nor an AccountPublicAccessBlock in the stack).", bucket.urn);
                continue;
            }
            const off = BLOCK_SETTINGS.filter(k => !blocks.some(b => isTrue(read(b.props, k))));
            if (off.length) violation(`public access block settings off: ${off.join(", ")}.`, bucket.urn);
        }
    },
});

export const s3TlsOnly = stackPolicy({
    name: "s3-bucket-tls-only",
    description: "Every general-purpose S3 bucket has a policy (BucketPolicy or inline) that denies every action (`s3:*`) to everyone without TLS.",
    types: [...BUCKET_TYPES, ...S3.policy],
    check: (resources, violation) => {
        for (const bucket of resources.filter(r => BUCKET_TYPES.includes(r.type))) {
            const docs = [read(bucket.props, "policy"), ...companions(resources, S3.policy, bucket).map(p => read(p.props, "policy"))].map(parseDocument);
            if (docs.includes(UNKNOWN)) continue;
            if (!docs.some(d => deniesInsecureTransport(d, "s3"))) violation("no bucket policy denies every action (s3:*) to everyone without TLS (aws:SecureTransport false).", bucket.urn);
        }
    },
});

export const s3Versioning = stackPolicy({
    name: "s3-bucket-versioning",
    description: "Every general-purpose S3 bucket keeps versions (BucketVersioning(V2) status Enabled, or inline versioning): not absent, not Suspended (advisory by default).",
    enforcementLevel: "advisory",
    types: [...BUCKET_TYPES, ...S3.versioning],
    check: (resources, violation) => {
        for (const bucket of resources.filter(r => BUCKET_TYPES.includes(r.type))) {
            const statuses = [
                ...companions(resources, S3.versioning, bucket).map(v => read(v.props, "versioningConfiguration", "status")),
                ...inline(bucket, "versioning", "versionings").map(v => (read(v, "enabled") === true ? "Enabled" : "Disabled")),
            ];
            if (statuses.includes("Enabled") || statuses.includes(UNKNOWN)) continue;
            violation(statuses.length ? `versioning is ${statuses.join(", ")}: overwritten and deleted objects cannot be recovered.` : "no versioning configuration: overwritten and deleted objects cannot be recovered.", bucket.urn);
        }
    },
});

export const s3AccessLogging = stackPolicy({
    name: "s3-bucket-access-logging",
    description: "Every general-purpose S3 bucket writes server access logs (BucketLogging(V2) or inline logging), except buckets that receive access logs (advisory by default).",
    enforcementLevel: "advisory",
    types: [...BUCKET_TYPES, ...S3.logging],
    check: (resources, violation) => {
        const buckets = resources.filter(r => BUCKET_TYPES.includes(r.type));
        const loggings = resources.filter(r => S3.logging.includes(r.type as any));
        const isTarget = (b: PolicyResource) => loggings.some(l => linked(l, "targetBucket", b, "bucket")) ||
            buckets.some(o => inline(o, "logging", "loggings").some(l => read(l, "targetBucket") === read(b.props, "bucket") && read(b.props, "bucket") !== undefined));
        for (const bucket of buckets) {
            const logs = companions(resources, S3.logging, bucket).length + inline(bucket, "logging", "loggings").length;
            if (logs === 0 && !isTarget(bucket)) violation("no server access logging (BucketLogging or inline logging) for this bucket.", bucket.urn);
        }
    },
});
