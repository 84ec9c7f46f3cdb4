import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ManagedKey } from "./managed-key";
import { SecureBucket } from "./secure-bucket";
import { ManagedWebAcl } from "./web-acl";
import { assertValidArgs } from "./validation";

export interface CdnSiteArgs {
    /** Prefix of the site key's alias. */
    aliasPrefix: string;
    /** Account that administers the site key. */
    accountId: pulumi.Input<string>;
    /** Partition for ARNs. Defaults to "aws". */
    partition?: pulumi.Input<string>;
    /** Provider in us-east-1: CloudFront-scoped WAF (and certificates) must live there. */
    usEast1Provider: aws.Provider;
    /** CloudFront price class. Defaults to "PriceClass_100". */
    priceClass?: "PriceClass_100" | "PriceClass_200" | "PriceClass_All";
    /** Custom domain with its ACM certificate (us-east-1). Defaults to the CloudFront domain. */
    domain?: { name: string; certificateArn: string };
    /** Route 403/404 to /index.html with 200 (single-page app). Defaults to true. */
    singlePageApp?: boolean;
    /** Days the access logs are kept. Defaults to 90. */
    logRetentionDays?: number;
    /** WAF rate rule: requests per client IP per 5 minutes. Defaults to 2000. */
    wafRateLimit?: number;
    /** WAF logging (log group in us-east-1, with a key there); omitted when the stack's logs key lives elsewhere. Defaults to none. */
    wafLogging?: { kmsKeyArn: pulumi.Input<string>; retentionInDays: number; namePrefix: string };
    /** Content-Security-Policy of every response. Defaults to a same-origin policy. */
    contentSecurityPolicy?: string;
    /** Waiting period of the site key's deletion. Defaults to 30. */
    deletionWindowInDays?: number;
    /** Protect the site bucket. Defaults to false. */
    protect?: boolean;
}

const CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"; // AWS managed cache policy

/** Pure validation of CdnSiteArgs; returns every problem. */
export function validateCdnSiteArgs(args: CdnSiteArgs): string[] {
    const p: string[] = [];
    if (args.domain && !/^arn:aws[a-z-]*:acm:us-east-1:/.test(args.domain.certificateArn)) p.push(`CloudFront needs the certificate in us-east-1 (got ${args.domain.certificateArn})`);
    if (args.domain && !/^([a-z0-9-]+\.)+[a-z]{2,}$/.test(args.domain.name)) p.push(`domain.name must be a DNS name (got ${args.domain.name})`);
    const days = args.logRetentionDays ?? 90;
    if (!Number.isInteger(days) || days < 1) p.push(`logRetentionDays must be a whole number of days (got ${days})`);
    return p;
}

/**
 * The web site: a private, KMS-encrypted, versioned S3 bucket served only through CloudFront
 * (Origin Access Control, sigv4), HTTPS only with HTTP/2 and HTTP/3, compression, security
 * headers, SPA routing, access logs, a CloudFront-scoped WAF, and a key that CloudFront may use
 * only for this distribution.
 */
export class CdnSite extends pulumi.ComponentResource {
    public readonly bucket: SecureBucket;
    public readonly logBucket: SecureBucket;
    public readonly distribution: aws.cloudfront.Distribution;
    public readonly key: ManagedKey;
    public readonly webAcl: ManagedWebAcl;
    public readonly siteUrl: pulumi.Output<string>;
    public readonly bucketName: pulumi.Output<string>;

    constructor(name: string, args: CdnSiteArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ai-nutritionist:edge:CdnSite", name, {}, opts);
        const child = { parent: this };
        const problems = validateCdnSiteArgs(args);
        assertValidArgs(name, problems, this);
        const partition = args.partition ?? "aws";

        this.key = new ManagedKey(`${name}-key`, {
            description: "Web site bucket (read by CloudFront through Origin Access Control)",
            alias: `${args.aliasPrefix}-site`,
            accountId: args.accountId,
            partition,
            deferPolicy: true,
            deletionWindowInDays: args.deletionWindowInDays,
        }, child);

        this.logBucket = new SecureBucket(`${name}-logs`, {
            encryption: { sseS3Reason: "CloudFront standard logs and S3 server access logs are delivered only to SSE-S3 buckets" },
            // CloudFront standard logs are written with an ACL grant to the awslogsdelivery account.
            objectOwnership: "BucketOwnerPreferred",
            expirationDays: args.logRetentionDays ?? 90,
            noncurrentVersionExpirationDays: 1,
            policyStatements: bucketArn => [{
                Sid: "S3ServerAccessLogs",
                Effect: "Allow",
                Principal: { Service: "logging.s3.amazonaws.com" },
                Action: "s3:PutObject",
                Resource: pulumi.interpolate`${bucketArn}/s3/*`,
                Condition: { StringEquals: { "aws:SourceAccount": args.accountId } },
            }],
        }, child);

        this.bucket = new SecureBucket(`${name}-content`, {
            encryption: { kmsKeyArn: this.key.arn },
            accessLogs: { bucket: this.logBucket.name, prefix: "s3/" },
            protect: args.protect,
            deferPolicy: true,
        }, child);

        this.webAcl = new ManagedWebAcl(`${name}-waf`, {
            scope: "CLOUDFRONT",
            rateLimit: args.wafRateLimit ?? 2000,
            metricPrefix: `${args.aliasPrefix}-site`,
            logging: args.wafLogging,
            countOnlyRules: [],
        }, { parent: this, provider: args.usEast1Provider });

        const oac = new aws.cloudfront.OriginAccessControl(`${name}-oac`, {
            description: "Signed (sigv4) requests from CloudFront to the site bucket",
            originAccessControlOriginType: "s3",
            signingBehavior: "always",
            signingProtocol: "sigv4",
        }, child);
        const headers = new aws.cloudfront.ResponseHeadersPolicy(`${name}-security-headers`, {
            comment: "HSTS, nosniff, frame options, referrer policy, CSP",
            securityHeadersConfig: {
                strictTransportSecurity: { accessControlMaxAgeSec: 63072000, includeSubdomains: true, preload: true, override: true },
                contentTypeOptions: { override: true },
                frameOptions: { frameOption: "DENY", override: true },
                referrerPolicy: { referrerPolicy: "strict-origin-when-cross-origin", override: true },
                xssProtection: { protection: true, modeBlock: true, override: true },
                contentSecurityPolicy: {
                    contentSecurityPolicy: args.contentSecurityPolicy ?? "default-src 'self'; img-src 'self' data:; script-src 'self'; style-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
                    override: true,
                },
            },
        }, child);

        const spa = args.singlePageApp ?? true;
        this.distribution = new aws.cloudfront.Distribution(`${name}-cdn`, {
            enabled: true,
            comment: "AI Nutritionist web site",
            isIpv6Enabled: true,
            httpVersion: "http2and3",
            defaultRootObject: "index.html",
            priceClass: args.priceClass ?? "PriceClass_100",
            aliases: args.domain ? [args.domain.name] : [],
            origins: [{ originId: "site-bucket", domainName: this.bucket.regionalDomainName, originAccessControlId: oac.id }],
            defaultCacheBehavior: {
                targetOriginId: "site-bucket",
                viewerProtocolPolicy: "redirect-to-https",
                allowedMethods: ["GET", "HEAD", "OPTIONS"],
                cachedMethods: ["GET", "HEAD"],
                compress: true,
                cachePolicyId: CACHING_OPTIMIZED,
                responseHeadersPolicyId: headers.id,
            },
            customErrorResponses: spa ? [403, 404].map(code => ({ errorCode: code, responseCode: 200, responsePagePath: "/index.html", errorCachingMinTtl: 10 })) : [],
            restrictions: { geoRestriction: { restrictionType: "none" } },
            viewerCertificate: args.domain
                ? { acmCertificateArn: args.domain.certificateArn, sslSupportMethod: "sni-only", minimumProtocolVersion: "TLSv1.2_2021" }
                : { cloudfrontDefaultCertificate: true },
            webAclId: this.webAcl.arn,
            loggingConfig: { bucket: this.logBucket.domainName, prefix: "cloudfront/", includeCookies: false },
        }, child);
        // The bucket and key policies name the distribution, which needs the bucket, which needs the key: set them last.
        this.bucket.attachPolicy([{
            Sid: "CloudFrontReadsThroughOac",
            Effect: "Allow",
            Principal: { Service: "cloudfront.amazonaws.com" },
            Action: "s3:GetObject",
            Resource: pulumi.interpolate`${this.bucket.arn}/*`,
            Condition: { StringEquals: { "AWS:SourceArn": this.distribution.arn } },
        }]);
        new aws.kms.KeyPolicy(`${name}-key-policy`, {
            keyId: this.key.keyId,
            policy: this.key.policy([{
                Sid: "CloudFrontDecryptsForThisDistribution",
                Effect: "Allow",
                Principal: { Service: "cloudfront.amazonaws.com" },
                Action: ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*"],
                Resource: "*",
                Condition: { StringEquals: { "AWS:SourceArn": this.distribution.arn } },
            }]),
        }, child);

        this.siteUrl = args.domain ? pulumi.output(`https://${args.domain.name}`) : pulumi.interpolate`https://${this.distribution.domainName}`;
        this.bucketName = this.bucket.name;
        this.registerOutputs({ siteUrl: this.siteUrl, bucketName: this.bucketName, distributionId: this.distribution.id });
    }
}
