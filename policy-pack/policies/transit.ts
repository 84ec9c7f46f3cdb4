/** Encryption in transit: TLS-only resource policies, ElastiCache TLS, CloudFront HTTPS. */
import { deniesInsecureTransport, linked, parseDocument, read, resourcePolicy, stackPolicy, UNKNOWN } from "./helpers";

export const elasticacheTransit = resourcePolicy({
    name: "elasticache-encryption-in-transit",
    description: "ElastiCache replication groups require TLS.",
    types: ["aws:elasticache/replicationGroup:ReplicationGroup"],
    check: (props, violation) => {
        const transit = read(props, "transitEncryptionEnabled");
        if (transit !== true && transit !== "true" && transit !== UNKNOWN) violation("transitEncryptionEnabled must be true.");
        const mode = read(props, "transitEncryptionMode");
        if (mode === "preferred") violation("transitEncryptionMode must be required, not preferred.");
    },
});

const HTTPS_ONLY = ["redirect-to-https", "https-only"];
const MODERN_TLS = /^TLSv1\.2_(2018|2019|2021)$|^TLSv1\.3_2025$/;

export const cloudfrontHttps = resourcePolicy({
    name: "cloudfront-viewer-https",
    description: "CloudFront viewers use HTTPS only, with TLS 1.2 or newer when a custom certificate is used.",
    types: ["aws:cloudfront/distribution:Distribution"],
    check: (props, violation) => {
        const behaviours = [read(props, "defaultCacheBehavior"), ...(read(props, "orderedCacheBehaviors") || [])];
        behaviours.forEach((b, i) => {
            const policy = read(b, "viewerProtocolPolicy");
            if (policy !== UNKNOWN && !HTTPS_ONLY.includes(policy)) {
                violation(`${i === 0 ? "defaultCacheBehavior" : `orderedCacheBehaviors[${i - 1}]`}.viewerProtocolPolicy must be redirect-to-https or https-only (got ${policy}).`);
            }
        });
        const cert = read(props, "viewerCertificate");
        const custom = read(cert, "acmCertificateArn") || read(cert, "iamCertificateId");
        if (custom) {
            const min = read(cert, "minimumProtocolVersion");
            if (min !== UNKNOWN && !MODERN_TLS.test(String(min))) violation(`viewerCertificate.minimumProtocolVersion must be TLSv1.2_2021 or newer (got ${min}).`);
            const method = read(cert, "sslSupportMethod");
            if (method !== UNKNOWN && method !== "sni-only") violation("viewerCertificate.sslSupportMethod must be sni-only.");
        }
    },
});

export const s3TlsOnly = stackPolicy({
    name: "s3-bucket-tls-only",
    description: "Every S3 bucket has a bucket policy that denies requests without TLS (aws:SecureTransport false).",
    check: (resources, violation) => {
        const policies = resources.filter(r => r.type === "aws:s3/bucketPolicy:BucketPolicy");
        for (const bucket of resources.filter(r => r.type === "aws:s3/bucket:Bucket")) {
            const mine = policies.filter(p => linked(p, "bucket", bucket, "bucket"));
            const docs = mine.map(p => parseDocument(read(p.props, "policy")));
            if (docs.includes(UNKNOWN)) continue;
            if (!docs.some(deniesInsecureTransport)) violation("no bucket policy denies requests without TLS.", bucket.urn);
        }
    },
});

export const sqsTlsOnly = stackPolicy({
    name: "sqs-queue-tls-only",
    description: "Every SQS queue has a policy (inline or QueuePolicy) that denies requests without TLS.",
    check: (resources, violation) => {
        const policies = resources.filter(r => r.type === "aws:sqs/queuePolicy:QueuePolicy");
        for (const queue of resources.filter(r => r.type === "aws:sqs/queue:Queue")) {
            const docs = [parseDocument(read(queue.props, "policy")), ...policies.filter(p => linked(p, "queueUrl", queue, "url")).map(p => parseDocument(read(p.props, "policy")))];
            if (docs.includes(UNKNOWN)) continue;
            if (!docs.some(deniesInsecureTransport)) violation("no queue policy denies requests without TLS.", queue.urn);
        }
    },
});
