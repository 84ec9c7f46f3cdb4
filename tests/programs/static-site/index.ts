// The marketing team's site: a private bucket read by CloudFront through origin access control.
import * as fs from "fs";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

const config = new pulumi.Config();
const indexDocument = config.get("indexDocument") ?? "index.html";

const logs = new aws.s3.Bucket("logs", {
    serverSideEncryptionConfiguration: { rule: { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } } },
});
const key = new aws.kms.Key("content-key", { enableKeyRotation: true, deletionWindowInDays: 30 });
const content = new aws.s3.Bucket("content", {
    versioning: { enabled: true },
    logging: { targetBucket: logs.bucket, targetPrefix: "content/" },
    serverSideEncryptionConfiguration: { rule: { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: key.arn } } },
});
new aws.s3.BucketPublicAccessBlock("content-block", {
    bucket: content.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true,
});
new aws.s3.BucketObject("index", {
    bucket: content.id,
    key: indexDocument,
    content: fs.readFileSync(`site/${indexDocument}`, "utf8"),
    contentType: "text/html",
});

const oac = new aws.cloudfront.OriginAccessControl("oac", {
    originAccessControlOriginType: "s3", signingBehavior: "always", signingProtocol: "sigv4",
});
const cdn = new aws.cloudfront.Distribution("cdn", {
    enabled: true,
    defaultRootObject: indexDocument,
    origins: [{ originId: "content", domainName: content.bucketRegionalDomainName, originAccessControlId: oac.id }],
    defaultCacheBehavior: {
        targetOriginId: "content",
        viewerProtocolPolicy: "redirect-to-https",
        allowedMethods: ["GET", "HEAD"],
        cachedMethods: ["GET", "HEAD"],
        cachePolicyId: "658327ea-f89d-4fab-a63d-7e88639e58f6",
    },
    restrictions: { geoRestriction: { restrictionType: "none" } },
    viewerCertificate: { cloudfrontDefaultCertificate: true },
});

new aws.s3.BucketPolicy("content-policy", {
    bucket: content.id,
    policy: pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [
            { Sid: "CloudFront", Effect: "Allow", Principal: { Service: "cloudfront.amazonaws.com" }, Action: "s3:GetObject",
                Resource: pulumi.interpolate`${content.arn}/*`, Condition: { StringEquals: { "AWS:SourceArn": cdn.arn } } },
            { Sid: "TlsOnly", Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [content.arn, pulumi.interpolate`${content.arn}/*`],
                Condition: { Bool: { "aws:SecureTransport": "false" } } },
        ],
    }),
});

// Stack README shown by Pulumi Cloud, read relative to the program's folder.
export const readme = fs.readFileSync("./Pulumi.README.md", "utf8");
export const cdnUrl = pulumi.interpolate`https://${cdn.domainName}`;
