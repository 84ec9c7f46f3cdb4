import { expect } from "chai";
import { ofType, one, out, parse, planStack } from "./harness";

describe("CdnSite", () => {
    it("keeps the site bucket private: all four public-access-block settings, ACLs off", async () => {
        const plan = await planStack("prod");
        const bucket = out(one(plan, "aws:s3/bucket:Bucket", "-site-content-bucket")).bucket;
        const block = ofType(plan, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").find(b => b.inputs.bucket === bucket)!;
        expect(block.inputs).to.include({ blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
        const own = ofType(plan, "aws:s3/bucketOwnershipControls:BucketOwnershipControls").find(b => b.inputs.bucket === bucket)!;
        expect(own.inputs.rule.objectOwnership).to.equal("BucketOwnerEnforced");
    });

    it("encrypts the site bucket with its own key and a bucket key, versions it and expires old versions", async () => {
        const plan = await planStack("prod");
        const bucket = out(one(plan, "aws:s3/bucket:Bucket", "-site-content-bucket")).bucket;
        const key = out(one(plan, "aws:kms/key:Key", "-site-key-key")).arn;
        const enc = ofType(plan, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").find(b => b.inputs.bucket === bucket)!;
        expect(enc.inputs.rules[0]).to.deep.equal({ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: key }, bucketKeyEnabled: true });
        expect(ofType(plan, "aws:s3/bucketVersioning:BucketVersioning").find(b => b.inputs.bucket === bucket)!.inputs.versioningConfiguration.status).to.equal("Enabled");
        const lc = ofType(plan, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").find(b => b.inputs.bucket === bucket)!;
        expect(lc.inputs.rules[0].noncurrentVersionExpiration.noncurrentDays).to.equal(90);
    });

    it("lets only this distribution read the bucket (OAC) and denies non-TLS requests", async () => {
        const plan = await planStack("prod");
        const bucket = out(one(plan, "aws:s3/bucket:Bucket", "-site-content-bucket"));
        const dist = out(one(plan, "aws:cloudfront/distribution:Distribution", "-site-cdn"));
        const policy = parse(ofType(plan, "aws:s3/bucketPolicy:BucketPolicy").find(p => p.inputs.bucket === bucket.bucket)!.inputs.policy);
        expect(policy.Statement[0]).to.deep.include({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": false } } });
        expect(policy.Statement[1]).to.deep.include({ Principal: { Service: "cloudfront.amazonaws.com" }, Action: "s3:GetObject", Resource: `${bucket.arn}/*` });
        expect(policy.Statement[1].Condition.StringEquals["AWS:SourceArn"]).to.equal(dist.arn);
        const oac = one(plan, "aws:cloudfront/originAccessControl:OriginAccessControl", "-site-oac");
        expect(oac.inputs).to.include({ signingBehavior: "always", signingProtocol: "sigv4", originAccessControlOriginType: "s3" });
    });

    it("lets CloudFront use the site key only for this distribution", async () => {
        const plan = await planStack("prod");
        const dist = out(one(plan, "aws:cloudfront/distribution:Distribution", "-site-cdn"));
        const kp = one(plan, "aws:kms/keyPolicy:KeyPolicy", "-site-key-policy");
        const cf = parse(kp.inputs.policy).Statement.find((s: any) => s.Principal?.Service === "cloudfront.amazonaws.com");
        expect(cf.Condition.StringEquals["AWS:SourceArn"]).to.equal(dist.arn);
        expect(kp.inputs.keyId).to.equal(out(one(plan, "aws:kms/key:Key", "-site-key-key")).keyId);
    });

    it("serves HTTPS only with HTTP/2 and HTTP/3, compression, security headers and SPA routing", async () => {
        const plan = await planStack("prod");
        const d = one(plan, "aws:cloudfront/distribution:Distribution", "-site-cdn").inputs;
        expect(d.httpVersion).to.equal("http2and3");
        expect(d.defaultRootObject).to.equal("index.html");
        expect(d.defaultCacheBehavior).to.include({ viewerProtocolPolicy: "redirect-to-https", compress: true });
        expect(d.customErrorResponses.map((e: any) => [e.errorCode, e.responseCode, e.responsePagePath])).to.deep.equal([[403, 200, "/index.html"], [404, 200, "/index.html"]]);
        expect(d.priceClass).to.equal("PriceClass_All");
        expect(d.loggingConfig.bucket).to.equal(out(one(plan, "aws:s3/bucket:Bucket", "-site-logs-bucket")).bucketDomainName);
        const h = one(plan, "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy", "-site-security-headers").inputs.securityHeadersConfig;
        expect(h.strictTransportSecurity).to.include({ accessControlMaxAgeSec: 63072000, includeSubdomains: true });
        expect(h.frameOptions.frameOption).to.equal("DENY");
        expect(h.contentSecurityPolicy.contentSecurityPolicy).to.contain("default-src 'self'");
        expect(one(await planStack("dev"), "aws:cloudfront/distribution:Distribution", "-site-cdn").inputs.priceClass).to.equal("PriceClass_100");
    });

    it("puts the CloudFront WAF in us-east-1 with CLOUDFRONT scope, and attaches it", async () => {
        const plan = await planStack("prod");
        const acl = one(plan, "aws:wafv2/webAcl:WebAcl", "-site-waf-acl");
        expect(acl.inputs.scope).to.equal("CLOUDFRONT");
        expect(plan.resources.find(r => r.urn === acl.provider)!.inputs.region).to.equal("us-east-1");
        expect(out(acl).arn).to.match(/^arn:aws:wafv2:us-east-1:\d{12}:global\/webacl\//);
        expect(one(plan, "aws:cloudfront/distribution:Distribution", "-site-cdn").inputs.webAclId).to.equal(out(acl).arn);
    });

    it("with a stack outside us-east-1, the WAF still goes through a us-east-1 provider", async () => {
        const plan = await planStack("staging", { "aws:region": "eu-west-1" });
        const acl = one(plan, "aws:wafv2/webAcl:WebAcl", "-site-waf-acl");
        const provider = plan.resources.find(r => r.urn === acl.provider)!;
        expect(provider.name).to.equal("aws-us-east-1");
        expect(provider.inputs.region).to.equal("us-east-1");
        expect(out(one(plan, "aws:kms/key:Key", "-keys-data-key")).arn).to.match(/^arn:aws:kms:eu-west-1:/);
    });

    it("a custom domain uses its us-east-1 certificate with TLSv1.2_2021", async () => {
        const plan = await planStack("dev", { siteDomain: "app.example.com", siteCertificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-aaaa-bbbb-cccc-1234567890ab" });
        const d = one(plan, "aws:cloudfront/distribution:Distribution", "-site-cdn").inputs;
        expect(d.aliases).to.deep.equal(["app.example.com"]);
        expect(d.viewerCertificate).to.include({ minimumProtocolVersion: "TLSv1.2_2021", sslSupportMethod: "sni-only" });
        expect(plan.outputs.siteUrl).to.equal("https://app.example.com");
    });

    it("keeps access logs for a limited time in a private, TLS-only log bucket", async () => {
        const plan = await planStack("prod");
        const logs = out(one(plan, "aws:s3/bucket:Bucket", "-site-logs-bucket")).bucket;
        const lc = ofType(plan, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").find(b => b.inputs.bucket === logs)!;
        expect(lc.inputs.rules.find((r: any) => r.id === "expire-objects").expiration.days).to.equal(365);
        const access = ofType(plan, "aws:s3/bucketLogging:BucketLogging")[0];
        expect(access.inputs.targetBucket).to.equal(logs);
    });
});
