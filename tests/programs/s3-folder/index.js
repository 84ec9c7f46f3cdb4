"use strict";
// The web team's site: a bucket with public read, every file of ./www uploaded with its content type.
const fs = require("fs");
const path = require("path");
const aws = require("@pulumi/aws");
const pulumi = require("@pulumi/pulumi");

const siteDir = "www"; // read relative to the program's folder, as `pulumi up` runs it
const contentTypes = { ".html": "text/html", ".css": "text/css", ".js": "application/javascript" };

const siteBucket = new aws.s3.Bucket("s3-website-bucket", {
    website: { indexDocument: "index.html" },
});

for (const item of fs.readdirSync(siteDir)) {
    const filePath = path.join(siteDir, item);
    new aws.s3.BucketObject(item, {
        bucket: siteBucket,
        source: new pulumi.asset.FileAsset(filePath),
        contentType: contentTypes[path.extname(item)] || "application/octet-stream",
    });
}

const ownership = new aws.s3.BucketOwnershipControls("ownership", {
    bucket: siteBucket.id,
    rule: { objectOwnership: "BucketOwnerPreferred" },
});
const publicAccess = new aws.s3.BucketPublicAccessBlock("public-access", {
    bucket: siteBucket.id,
    blockPublicAcls: false,
    blockPublicPolicy: false,
});

// A policy document as an object whose resource is an Output.
new aws.s3.BucketPolicy("bucket-policy", {
    bucket: siteBucket.id,
    policy: pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: "*", Action: ["s3:GetObject"], Resource: [pulumi.interpolate`${siteBucket.arn}/*`] }],
    }),
}, { dependsOn: [ownership, publicAccess] });

exports.bucketName = siteBucket.bucket;
exports.websiteUrl = siteBucket.websiteEndpoint;
