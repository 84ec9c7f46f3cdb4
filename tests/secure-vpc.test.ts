import { expect } from "chai";
import { validateSecureVpcArgs } from "../components/secure-vpc";
import { resolveSettings } from "../config";
import { REPO_ROOT } from "../engine/paths";
import { loadStackConfig } from "../engine/stack-config";
import { maybe, ofType, one, out, parse, planStack } from "./harness";

describe("SecureVpc", () => {
    it("does not exist in dev (basic tier): the functions run outside a VPC", async () => {
        const plan = await planStack("dev");
        expect(ofType(plan, "awsx:ec2:Vpc")).to.have.length(0);
        expect(ofType(plan, "aws:ec2/vpcEndpoint:VpcEndpoint")).to.have.length(0);
        for (const fn of ofType(plan, "aws:lambda/function:Function")) expect(fn.inputs.vpcConfig, fn.name).to.equal(undefined);
    });

    it("hands the remote awsx component the stack's tagged provider explicitly (remote components do not inherit it)", async () => {
        const plan = await planStack("prod");
        const vpc = one(plan, "awsx:ec2:Vpc", "-network-vpc");
        expect(vpc.providers.aws).to.match(/pulumi:providers:aws::aws-main$/);
    });

    it("spans two AZs with no NAT gateway and private subnets only in prod and staging (no internet route)", async () => {
        for (const stack of ["prod", "staging"]) {
            const plan = await planStack(stack);
            const vpc = one(plan, "awsx:ec2:Vpc", "-network-vpc");
            expect(vpc.inputs.numberOfAvailabilityZones, stack).to.equal(2);
            expect(vpc.inputs.natGateways, stack).to.deep.equal({ strategy: "None" });
            expect(vpc.inputs.subnetSpecs.map((s: any) => s.type), stack).to.deep.equal(["Private"]);
            expect(ofType(plan, "aws:ec2/internetGateway:InternetGateway"), stack).to.deep.equal([]);
        }
        expect(one(await planStack("prod"), "awsx:ec2:Vpc", "-network-vpc").inputs.cidrBlock).to.equal("10.30.0.0/16");
    });

    it("natStrategy stays a setting: perAz gives a NAT gateway per AZ and public subnets; single is refused in prod", async () => {
        const perAz = one(await planStack("prod", { natStrategy: "perAz" }), "awsx:ec2:Vpc", "-network-vpc");
        expect(perAz.inputs.natGateways).to.deep.equal({ strategy: "OnePerAz" });
        expect(perAz.inputs.subnetSpecs.map((s: any) => s.type)).to.deep.equal(["Private", "Public"]);
        expect(one(await planStack("staging", { natStrategy: "single" }), "awsx:ec2:Vpc", "-network-vpc").inputs.natGateways).to.deep.equal({ strategy: "Single" });
        expect(() => resolveSettings({ ...loadStackConfig(REPO_ROOT, "prod").config, "ai-nutritionist:natStrategy": "single" }))
            .to.throw(/natStrategy: prod runs one NAT gateway per AZ or none/);
    });

    it("has free gateway endpoints for S3 and DynamoDB on every route table", async () => {
        const plan = await planStack("prod");
        const vpc = one(plan, "awsx:ec2:Vpc", "-network-vpc");
        for (const svc of ["s3", "dynamodb"]) {
            const ep = one(plan, "aws:ec2/vpcEndpoint:VpcEndpoint", `-${svc}-gateway`);
            expect(ep.inputs.vpcEndpointType).to.equal("Gateway");
            expect(ep.inputs.serviceName).to.equal(`com.amazonaws.us-east-1.${svc}`);
            expect(ep.inputs.routeTableIds).to.deep.equal(out(vpc).routeTables.map((r: any) => r.id));
        }
    });

    it("has interface endpoints for the configured services, in private subnets, behind a VPC-only security group", async () => {
        const plan = await planStack("prod");
        const interfaces = ofType(plan, "aws:ec2/vpcEndpoint:VpcEndpoint").filter(e => e.inputs.vpcEndpointType === "Interface");
        // What the worker (the one function in the VPC) calls: Bedrock, the outbox, the cache's AUTH secret.
        expect(interfaces.map(e => e.inputs.serviceName.split(".").pop())).to.have.members(["sqs", "secretsmanager", "bedrock-runtime"]);
        for (const e of interfaces) expect(e.inputs.subnetIds, e.name).to.deep.equal(out(one(plan, "awsx:ec2:Vpc", "-network-vpc")).privateSubnetIds);
        const sg = out(one(plan, "aws:ec2/securityGroup:SecurityGroup", "-network-endpoints-sg")).id;
        expect(sg).to.match(/^sg-[0-9a-f]{17}$/);
        const vpc = one(plan, "awsx:ec2:Vpc", "-network-vpc");
        for (const e of interfaces) {
            expect(e.inputs.privateDnsEnabled).to.equal(true);
            expect(e.inputs.subnetIds).to.deep.equal(out(vpc).privateSubnetIds);
            expect(e.inputs.securityGroupIds).to.deep.equal([sg]);
        }
        const ingress = one(plan, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "-endpoints-https-in");
        expect(ingress.inputs).to.include({ cidrIpv4: "10.30.0.0/16", fromPort: 443, toPort: 443, securityGroupId: sg });
    });

    it("admits the cache only from the functions, on the Redis port", async () => {
        const plan = await planStack("prod");
        const rule = one(plan, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "-cache-from-functions");
        const fnSg = one(plan, "aws:ec2/securityGroup:SecurityGroup", "-network-functions-sg");
        expect(rule.inputs).to.include({ fromPort: 6379, toPort: 6379, ipProtocol: "tcp" });
        expect(rule.propertyDependencies.referencedSecurityGroupId).to.deep.equal([fnSg.urn]);
        expect(ofType(plan, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter(r => r.name.includes("cache"))).to.have.length(1);
    });

    it("manages the default security group with no rules at all", async () => {
        const sg = one(await planStack("prod"), "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", "-network-default-sg");
        expect(sg.inputs).not.to.have.property("ingress");
        expect(sg.inputs).not.to.have.property("egress");
        expect(sg.inputs.vpcId).to.equal(out(one(await planStack("prod"), "awsx:ec2:Vpc", "-network-vpc")).vpcId);
    });

    it("sends all traffic to flow logs in a log group encrypted with the logs key, with the stack's retention", async () => {
        const plan = await planStack("prod");
        const lg = one(plan, "aws:cloudwatch/logGroup:LogGroup", "-network-flow-logs");
        const fl = one(plan, "aws:ec2/flowLog:FlowLog", "-network-flow-log");
        expect(fl.inputs).to.include({ trafficType: "ALL", logDestinationType: "cloud-watch-logs", logDestination: out(lg).arn });
        expect(lg.inputs.kmsKeyId).to.equal(out(one(plan, "aws:kms/key:Key", "-keys-logs-key")).arn);
        expect(lg.inputs.retentionInDays).to.equal(365);
        const role = parse(one(plan, "aws:iam/role:Role", "-flow-logs-role").inputs.assumeRolePolicy);
        expect(role.Statement[0].Principal.Service).to.equal("vpc-flow-logs.amazonaws.com");
    });

    it("places the worker alone in private subnets with the functions' security group; the others run outside the VPC", async () => {
        const plan = await planStack("staging");
        const vpc = one(plan, "awsx:ec2:Vpc", "-network-vpc");
        const sg = one(plan, "aws:ec2/securityGroup:SecurityGroup", "-network-functions-sg");
        const worker = one(plan, "aws:lambda/function:Function", "-api-worker-function");
        expect(worker.inputs.vpcConfig.subnetIds).to.deep.equal(out(vpc).privateSubnetIds);
        expect(worker.propertyDependencies.vpcConfig).to.include(sg.urn);
        const others = ofType(plan, "aws:lambda/function:Function").filter(f => f !== worker);
        expect(others.map(f => f.name.replace(/^ai-nutritionist-staging-/, "")).sort()).to.deep.equal(["api-billing-function", "api-inbound-function", "schedules-function-function", "sender-function-function"]);
        for (const fn of others) expect(fn.inputs.vpcConfig, fn.name).to.equal(undefined);
        expect(maybe(plan, "aws:ec2/vpcEndpoint:VpcEndpoint", "-s3-gateway")).to.not.equal(undefined);
    });

    it("validation lists every problem", () => {
        const p = validateSecureVpcArgs({ region: "us-east-1", cidrBlock: "10.0.0.0/8", availabilityZoneCount: 5, interfaceEndpoints: ["s3"], flowLogs: { kmsKeyArn: "k", retentionInDays: 1, logGroupNamePrefix: "/x/" } });
        expect(p).to.have.length(3);
    });
});
