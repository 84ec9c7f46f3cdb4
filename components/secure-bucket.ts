import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { denyInsecureTransport, policyDocument, Statement } from "./iam";

export interface SecureBucketArgs {
    /**
     * Default encryption: a customer-managed key ARN (SSE-KMS with a bucket key), or
     * `{ sseS3Reason }` for buckets that AWS log delivery can only write with SSE-S3. Required.
     */
    encryption: { kmsKeyArn: pulumi.Input<string> } | { sseS3Reason: string };
    /** Extra bucket-policy statements; `bucketArn` is passed in. The TLS-only deny is always added. Defaults to none. */
    policyStatements?: (bucketArn: pulumi.Output<string>) => Statement[];
    /**
     * Leave the bucket policy to a later `attachPolicy` call, for statements that name a resource
     * which itself needs the bucket (a CloudFront distribution). Defaults to false.
     */
    deferPolicy?: boolean;
    /** Object versioning. Defaults to true. */
    versioning?: boolean;
    /** Days before noncurrent versions expire. Defaults to 90. */
    noncurrentVersionExpirationDays?: number;
    /** Days before current objects expire (log buckets). Defaults to never. */
    expirationDays?: number;
    /** Object ownership; "BucketOwnerPreferred" only for log buckets that AWS delivers to with ACLs. Defaults to "BucketOwnerEnforced" (ACLs off). */
    objectOwnership?: "BucketOwnerEnforced" | "BucketOwnerPreferred";
    /** Server access logs to this bucket and prefix. Defaults to none. */
    accessLogs?: { bucket: pulumi.Input<string>; prefix: string };
    /** Pulumi `protect` on the bucket. Defaults to false. */
    protect?: boolean;
}

/**
 * An S3 bucket in the split @pulumi/aws v7 form: all four public-access-block settings on,
 * default encryption, a policy that denies any request without TLS, versioning, a lifecycle for
 * old versions and incomplete uploads, ACLs off, and optional access logging.
 */
export class SecureBucket extends pulumi.ComponentResource {
    public readonly bucket: aws.s3.Bucket;
    public readonly name: pulumi.Output<string>;
    public readonly arn: pulumi.Output<string>;
    public readonly regionalDomainName: pulumi.Output<string>;
    public readonly domainName: pulumi.Output<string>;
    /** The bucket policy, for resources that must wait for it (CloudTrail, Config). */
    public policy?: aws.s3.BucketPolicy;
    private readonly bucketLogicalName: string;
    private readonly publicAccessBlock: aws.s3.BucketPublicAccessBlock;

    constructor(name: string, args: SecureBucketArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ai-nutritionist:storage:SecureBucket", name, {}, opts);
        this.bucketLogicalName = name;
        const child = { parent: this };
        this.bucket = new aws.s3.Bucket(`${name}-bucket`, { forceDestroy: false }, { parent: this, protect: args.protect ?? false });
        const bucket = this.bucket.bucket;

        this.publicAccessBlock = new aws.s3.BucketPublicAccessBlock(`${name}-public-access-block`, {
            bucket,
            blockPublicAcls: true,
            blockPublicPolicy: true,
            ignorePublicAcls: true,
            restrictPublicBuckets: true,
        }, child);
        new aws.s3.BucketOwnershipControls(`${name}-ownership`, {
            bucket,
            rule: { objectOwnership: args.objectOwnership ?? "BucketOwnerEnforced" },
        }, child);
        new aws.s3.BucketServerSideEncryptionConfiguration(`${name}-encryption`, {
            bucket,
            rules: ["kmsKeyArn" in args.encryption
                ? { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: args.encryption.kmsKeyArn }, bucketKeyEnabled: true }
                : { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
        }, child);
        const versioning = args.versioning ?? true;
        new aws.s3.BucketVersioning(`${name}-versioning`, {
            bucket,
            versioningConfiguration: { status: versioning ? "Enabled" : "Suspended" },
        }, child);
        new aws.s3.BucketLifecycleConfiguration(`${name}-lifecycle`, {
            bucket,
            rules: [
                {
                    id: "expire-old-versions-and-uploads",
                    status: "Enabled",
                    filter: {},
                    noncurrentVersionExpiration: { noncurrentDays: args.noncurrentVersionExpirationDays ?? 90 },
                    abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
                },
                ...(args.expirationDays !== undefined ? [{
                    id: "expire-objects",
                    status: "Enabled",
                    filter: {},
                    expiration: { days: args.expirationDays },
                }] : []),
            ],
        }, child);
        if (!args.deferPolicy) this.attachPolicy(args.policyStatements?.(this.bucket.arn) ?? []);
        if (args.accessLogs) {
            new aws.s3.BucketLogging(`${name}-access-logs`, {
                bucket,
                targetBucket: args.accessLogs.bucket,
                targetPrefix: args.accessLogs.prefix,
            }, child);
        }
        this.name = bucket;
        this.arn = this.bucket.arn;
        this.regionalDomainName = this.bucket.bucketRegionalDomainName;
        this.domainName = this.bucket.bucketDomainName;
        this.registerOutputs({ name: this.name, arn: this.arn });
    }

    /** The bucket policy: deny requests without TLS, plus the given statements. Called once. */
    public attachPolicy(statements: Statement[]): aws.s3.BucketPolicy {
        if (this.policy) throw new pulumi.ResourceError("the bucket policy is already attached", this);
        this.policy = new aws.s3.BucketPolicy(`${this.bucketLogicalName}-policy`, {
            bucket: this.bucket.bucket,
            policy: policyDocument([
                denyInsecureTransport("s3:*", [this.bucket.arn, pulumi.interpolate`${this.bucket.arn}/*`]),
                ...statements,
            ]),
        }, { parent: this, dependsOn: [this.publicAccessBlock] });
        return this.policy;
    }
}
