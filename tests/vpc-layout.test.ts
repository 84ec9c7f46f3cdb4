/**
 * The VPC layout as awsx's Auto strategy computes it (components/vpc-layout.ts): reproduced allocations,
 * the layouts awsx refuses at preview, and both places that refuse them first (settings, the plan).
 */
import { expect } from "chai";
import { allocateSubnets, awsxVpcProblems, secureVpcSubnetSpecs } from "../components/vpc-layout";
import { resolveSettings } from "../config";
import { validateSecureVpcArgs } from "../components/secure-vpc";
import { runPlan } from "../engine/planner";
import { loadStackConfig } from "../engine/stack-config";
import { REPO_ROOT } from "../engine/paths";
import { baseSettings, one, planStack } from "./harness";

const cidrs = (r: ReturnType<typeof allocateSubnets>) => r.subnets.map(s => s.cidrBlock);

describe("VPC layout", () => {
    it("lays subnets out as awsx does: each AZ an equal block, subnets in order, each aligned to its size", () => {
        expect(cidrs(allocateSubnets("10.30.0.0/16", 3, secureVpcSubnetSpecs("perAz")))).to.deep.equal([
            "10.30.0.0/20", "10.30.16.0/24", "10.30.64.0/20", "10.30.80.0/24", "10.30.128.0/20", "10.30.144.0/24",
        ]);
        expect(cidrs(allocateSubnets("10.20.0.0/16", 2, secureVpcSubnetSpecs("none")))).to.deep.equal(["10.20.0.0/20", "10.20.128.0/20"]);
        // Cases of awsx's own tests (awsx/ec2/subnetDistributorNew.test.ts): a spec without a mask takes its AZ's
        // whole block; after a /16 comes the next /17 block, after a /17 the next /16 one.
        expect(cidrs(allocateSubnets("10.0.0.0/16", 1, [{ type: "Public" }], 19))).to.deep.equal(["10.0.0.0/19"]);
        expect(cidrs(allocateSubnets("10.0.0.0/14", 1, [{ type: "Private", cidrMask: 16 }, { type: "Public", cidrMask: 17 }]))).to.deep.equal(["10.0.0.0/16", "10.1.0.0/17"]);
        expect(cidrs(allocateSubnets("10.0.0.0/14", 1, [{ type: "Private", cidrMask: 17 }, { type: "Public", cidrMask: 16 }]))).to.deep.equal(["10.0.0.0/17", "10.1.0.0/16"]);
    });

    it("refuses what awsx refuses: subnets larger than an AZ's block, with the addresses needed and available", () => {
        const r = allocateSubnets("10.30.0.0/18", 3, secureVpcSubnetSpecs("perAz"));
        expect(r.problems).to.deep.equal(["Subnets are too large for VPC: 3 AZs split 10.30.0.0/18 into /20 blocks of 4096 addresses each, but each AZ's subnets (a /20 private + a /24 public) need 4352"]);
        expect(allocateSubnets("10.30.0.0/18", 3, secureVpcSubnetSpecs("none")).problems).to.deep.equal([]);
        expect(allocateSubnets("10.30.0.0/18", 2, secureVpcSubnetSpecs("perAz")).problems).to.deep.equal([]);
    });

    it("refuses what AWS refuses after awsx: subnets pushed past their AZ by alignment overlap the next, and sizes outside /16-/28", () => {
        const r = allocateSubnets("10.0.0.0/16", 2, [{ type: "Private", cidrMask: 20 }, { type: "Public", cidrMask: 18 }, { type: "Isolated", cidrMask: 20 }]);
        expect(r.problems.join("\n")).to.contain("10.0.128.0/20 (isolated, AZ 1), 10.0.128.0/20 (private, AZ 2)").and.contain("10.1.0.0/20 (isolated, AZ 2) lies outside the VPC's 10.0.0.0/16");
        expect(allocateSubnets("10.0.0.0/16", 2, [{ type: "Private", cidrMask: 29 }]).problems[0]).to.contain("/29 is outside the /16-/28");
    });

    it("without subnet specs, checks awsx's default private and public subnets", () => {
        expect(awsxVpcProblems({ cidrBlock: "10.0.0.0/16", numberOfAvailabilityZones: 3, subnetStrategy: "Auto", natGateways: { strategy: "OnePerAz" } })).to.deep.equal([]);
        expect(awsxVpcProblems({ cidrBlock: "10.0.0.0/26", numberOfAvailabilityZones: 3, subnetStrategy: "Auto" })[0]).to.contain("at least /26 available per AZ, but only /28");
        // Other strategies, and explicit blocks, are awsx's to check.
        expect(awsxVpcProblems({ cidrBlock: "10.0.0.0/26", numberOfAvailabilityZones: 3, subnetStrategy: "Legacy" })).to.deep.equal([]);
    });

    it("SecureVpc refuses the same layout in its args", () => {
        const flowLogs = { kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/k", retentionInDays: 30, logGroupNamePrefix: "/x/" };
        expect(validateSecureVpcArgs({ region: "us-east-1", cidrBlock: "10.30.0.0/18", availabilityZoneCount: 3, natStrategy: "perAz", flowLogs }))
            .to.deep.equal(["cidrBlock: Subnets are too large for VPC: 3 AZs split 10.30.0.0/18 into /20 blocks of 4096 addresses each, but each AZ's subnets (a /20 private + a /24 public) need 4352 (got 10.30.0.0/18 over 3 AZs, natStrategy perAz)"]);
        expect(validateSecureVpcArgs({ region: "us-east-1", cidrBlock: "10.30.0.0/18", availabilityZoneCount: 3, natStrategy: "none", flowLogs })).to.deep.equal([]);
    });

    it("settings refuse the /18 over 3 AZs with NAT before preview", () => {
        expect(() => resolveSettings(baseSettings("prod", { vpcCidr: "10.30.0.0/18", availabilityZoneCount: "3", natStrategy: "perAz" }))).to.throw(/vpcCidr: Subnets are too large for VPC.*need 4352/);
    });

    it("the subnets each stack's plan requests are the ones the settings check lays out, and they fit", async () => {
        for (const stack of ["staging", "prod"]) {
            const settings = resolveSettings(loadStackConfig(REPO_ROOT, stack).config);
            const vpc = one(await planStack(stack), "awsx:ec2:Vpc", "-network-vpc");
            expect(vpc.inputs.subnetSpecs, stack).to.deep.equal(secureVpcSubnetSpecs(settings.natStrategy));
            expect(vpc.inputs.cidrBlock).to.equal(settings.vpcCidr);
            expect(vpc.inputs.numberOfAvailabilityZones).to.equal(settings.availabilityZoneCount);
            expect(awsxVpcProblems(vpc.inputs), stack).to.deep.equal([]);
        }
    });

    it("the plan refuses an awsx VPC whose layout awsx would refuse, naming the addresses", async () => {
        let error: any;
        await runPlan({ stack: "dev", program: "tests/programs/bad-vpc.ts", policyConfig: false }).catch(e => { error = e; });
        expect(error?.name).to.equal("RequestError");
        const text: string = error.problems.join("\n");
        expect(error.problems, text).to.have.length(2);
        expect(text).to.contain('awsx:ec2:Vpc "too-small": Subnets are too large for VPC: 3 AZs split 10.30.0.0/18 into /20 blocks of 4096 addresses each, but each AZ\'s subnets (a /20 private + a /24 public) need 4352');
        expect(text).to.contain('awsx:ec2:Vpc "nat-without-public": natGateways Single: NAT gateways need a public subnet');
        expect(text).to.not.contain('"fits"');
    });
});
