import { expect } from "chai";
import { CONFIG_RULES, tierServices } from "../components/security-baseline";
import { maybe, ofType, one, out, parse, planStack } from "./harness";

describe("SecurityBaseline", () => {
    it("maps the seed's tiers: basic nothing, standard Config, enterprise also GuardDuty and Security Hub", () => {
        expect(tierServices({ tier: "basic" })).to.deep.equal({ config: false, guardduty: false, securityHub: false });
        expect(tierServices({ tier: "standard" })).to.deep.equal({ config: true, guardduty: false, securityHub: false });
        expect(tierServices({ tier: "enterprise" })).to.deep.equal({ config: true, guardduty: true, securityHub: true });
        expect(tierServices({ tier: "standard", enableGuardduty: true })).to.deep.equal({ config: true, guardduty: true, securityHub: false });
    });

    it("dev (basic) creates no account baseline", async () => {
        const plan = await planStack("dev");
        for (const t of ["aws:cloudtrail/trail:Trail", "aws:guardduty/detector:Detector", "aws:securityhub/account:Account", "aws:cfg/recorder:Recorder"]) {
            expect(ofType(plan, t), t).to.have.length(0);
        }
    });

    it("staging (standard + GuardDuty) records Config and runs GuardDuty, without Security Hub", async () => {
        const plan = await planStack("staging");
        expect(ofType(plan, "aws:cfg/recorder:Recorder")).to.have.length(1);
        expect(ofType(plan, "aws:guardduty/detector:Detector")).to.have.length(1);
        expect(ofType(plan, "aws:securityhub/account:Account")).to.have.length(0);
    });

    it("prod (enterprise) carries the whole baseline", async () => {
        const plan = await planStack("prod");
        const trail = one(plan, "aws:cloudtrail/trail:Trail", "-security-trail");
        expect(trail.inputs).to.include({ isMultiRegionTrail: true, enableLogFileValidation: true, includeGlobalServiceEvents: true });
        expect(trail.inputs.kmsKeyId).to.equal(out(one(plan, "aws:kms/key:Key", "-keys-logs-key")).arn);
        expect(trail.inputs.cloudWatchLogsGroupArn).to.match(/:log-group:\/ai-nutritionist\/prod\/cloudtrail-\w+:\*$/);
        expect(trail.inputs.advancedEventSelectors.map((s: any) => s.name)).to.deep.equal(["Management events", "Personal data access (GDPR)"]);
        const detector = one(plan, "aws:guardduty/detector:Detector", "-security-guardduty");
        expect(detector.inputs.enable).to.equal(true);
        expect(ofType(plan, "aws:guardduty/detectorFeature:DetectorFeature").map(f => f.inputs.name)).to.include.members(["S3_DATA_EVENTS", "LAMBDA_NETWORK_LOGS"]);
        const standards = ofType(plan, "aws:securityhub/standardsSubscription:StandardsSubscription").map(s => s.inputs.standardsArn);
        expect(standards).to.have.members([
            "arn:aws:securityhub:us-east-1::standards/aws-foundational-security-best-practices/v/1.0.0",
            "arn:aws:securityhub:us-east-1::standards/cis-aws-foundations-benchmark/v/3.0.0",
        ]);
        one(plan, "aws:accessanalyzer/analyzer:Analyzer", "-security-access-analyzer");
        expect(one(plan, "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock", "-security-account-s3-block").inputs).to.include({ blockPublicAcls: true, restrictPublicBuckets: true });
    });

    it("runs AWS Config managed rules for what this project guarantees, after the recorder is on", async () => {
        const plan = await planStack("prod");
        const rules = ofType(plan, "aws:cfg/rule:Rule");
        expect(rules.map(r => r.inputs.source.sourceIdentifier)).to.have.members([...CONFIG_RULES, "LAMBDA_INSIDE_VPC"]);
        const status = one(plan, "aws:cfg/recorderStatus:RecorderStatus", "-security-recorder-status");
        for (const r of rules) expect(r.dependencies).to.include(status.urn);
        const channel = one(plan, "aws:cfg/deliveryChannel:DeliveryChannel", "-security-delivery");
        expect(channel.inputs.s3KmsKeyArn).to.equal(out(one(plan, "aws:kms/key:Key", "-keys-logs-key")).arn);
    });

    it("keeps audit logs seven years with GDPR on, in an encrypted, TLS-only, protected bucket", async () => {
        const plan = await planStack("prod");
        const bucket = one(plan, "aws:s3/bucket:Bucket", "-security-audit-bucket");
        expect(bucket.protect).to.equal(true);
        const name = out(bucket).bucket;
        const lc = ofType(plan, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").find(b => b.inputs.bucket === name)!;
        expect(lc.inputs.rules.find((r: any) => r.id === "expire-objects").expiration.days).to.equal(2557);
        const policy = parse(ofType(plan, "aws:s3/bucketPolicy:BucketPolicy").find(p => p.inputs.bucket === name)!.inputs.policy);
        expect(policy.Statement.map((s: any) => s.Sid)).to.deep.equal(["DenyInsecureTransport", "AuditServicesCheckAcl", "AuditServicesWrite"]);
        const trail = one(plan, "aws:cloudtrail/trail:Trail", "-security-trail");
        expect(trail.dependencies).to.include(ofType(plan, "aws:s3/bucketPolicy:BucketPolicy").find(p => p.inputs.bucket === name)!.urn);
    });

    it("routes high-severity GuardDuty findings to the critical topic", async () => {
        const plan = await planStack("prod");
        const rule = one(plan, "aws:cloudwatch/eventRule:EventRule", "-security-guardduty-high");
        expect(parse(rule.inputs.eventPattern).detail.severity).to.deep.equal([{ numeric: [">=", 7] }]);
        expect(one(plan, "aws:cloudwatch/eventTarget:EventTarget", "-security-guardduty-high-target").inputs.arn).to.equal(out(one(plan, "aws:sns/topic:Topic", "-alerts-critical")).arn);
    });

    it("sends Config compliance changes to the informational topic", async () => {
        const plan = await planStack("prod");
        const rule = one(plan, "aws:cloudwatch/eventRule:EventRule", "-security-config-noncompliant");
        expect(parse(rule.inputs.eventPattern).detail.newEvaluationResult.complianceType).to.deep.equal(["NON_COMPLIANT"]);
        expect(one(plan, "aws:cloudwatch/eventTarget:EventTarget", "-security-config-noncompliant-target").inputs.arn).to.equal(out(one(plan, "aws:sns/topic:Topic", "-alerts-info")).arn);
    });

    it("a stack that does not own the account baseline creates none of the singletons", async () => {
        const plan = await planStack("prod", { ownsAccountBaseline: "false" });
        for (const t of ["aws:cloudtrail/trail:Trail", "aws:guardduty/detector:Detector", "aws:securityhub/account:Account", "aws:cfg/recorder:Recorder",
            "aws:accessanalyzer/analyzer:Analyzer", "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock", "aws:apigateway/account:Account",
            "aws:backup/regionSettings:RegionSettings", "aws:costexplorer/costAllocationTag:CostAllocationTag"]) {
            expect(ofType(plan, t), t).to.have.length(0);
        }
        expect(plan.outputs.resourceSummary.accountBaseline).to.deep.equal({ config: false, guardduty: false, securityHub: false, audit: false });
        expect(maybe(plan, "aws:dynamodb/table:Table", "-tables-users-table")).to.not.equal(undefined);
    });

    it("logs access to the audit bucket (CloudTrail, Config) into a log bucket of its own that S3's logging service may write", async () => {
        const plan = await planStack("staging");
        const audit = one(plan, "aws:s3/bucket:Bucket", "-security-audit-bucket");
        const logs = one(plan, "aws:s3/bucket:Bucket", "-security-audit-logs-bucket");
        const logging = one(plan, "aws:s3/bucketLogging:BucketLogging", "-security-audit-access-logs");
        expect(logging.inputs).to.include({ bucket: out(audit).bucket, targetBucket: out(logs).bucket, targetPrefix: "audit/" });
        const policy = parse(one(plan, "aws:s3/bucketPolicy:BucketPolicy", "-security-audit-logs-policy").inputs.policy);
        const grant = policy.Statement.find((s: any) => s.Sid === "S3ServerAccessLogs");
        expect(grant.Principal).to.deep.equal({ Service: "logging.s3.amazonaws.com" });
        expect(grant.Resource).to.equal(`${out(logs).arn}/audit/*`);
        expect(one(plan, "aws:s3/bucket:Bucket", "-security-audit-logs-bucket").protect).to.equal(true);
        // The access-logging policy (its violating fixtures are in tests/policies.test.ts) finds no bucket without logs.
        expect(plan.violations.filter(v => v.policy === "s3-bucket-access-logging").map(v => v.urn)).to.deep.equal([]);
    });
});
