import * as aws from "@pulumi/aws";
import * as awsx from "@pulumi/awsx";
import * as pulumi from "@pulumi/pulumi";
import { encryptedLogGroup } from "./log-group";
import { assumeRolePolicy, policyDocument } from "./iam";
import { assertValidArgs } from "./validation";
import { allocateSubnets, secureVpcSubnetSpecs } from "./vpc-layout";

export type NatStrategy = "none" | "single" | "perAz";

export interface SecureVpcArgs {
    /** The stack's region, for endpoint service names. */
    region: string;
    /** IPv4 CIDR of the VPC, /16 to /18. Defaults to "10.0.0.0/16". */
    cidrBlock?: string;
    /** Availability zones to span, 2-3. Defaults to 3. */
    availabilityZoneCount?: number;
    /**
     * NAT gateways: "none" (no internet route: AWS APIs through endpoints only), "single" or "perAz"
     * (one per AZ, no single point of failure). Defaults to "none".
     */
    natStrategy?: NatStrategy;
    /**
     * Services reached through interface endpoints (each billed per AZ-hour). Defaults to what the worker,
     * the one function in the VPC, calls: bedrock-runtime, sqs (the outbox) and secretsmanager (the cache's
     * AUTH token). Lambda ships logs and traces and decrypts environments itself: no logs, xray or kms endpoint.
     */
    interfaceEndpoints?: string[];
    /** Port of the cache the functions may reach. Defaults to 6379 (Redis). */
    cachePort?: number;
    /** Flow logs of all traffic to a KMS-encrypted log group. Required: flow logs are on by default. */
    flowLogs: {
        /** Turn flow logs off. Defaults to true (on). */
        enabled?: boolean;
        kmsKeyArn: pulumi.Input<string>;
        retentionInDays: number;
        logGroupNamePrefix: string;
    };
}

export const DEFAULT_INTERFACE_ENDPOINTS = ["bedrock-runtime", "sqs", "secretsmanager"];

/** Pure validation of SecureVpcArgs; returns every problem. */
export function validateSecureVpcArgs(args: SecureVpcArgs): string[] {
    const problems: string[] = [];
    const azs = args.availabilityZoneCount ?? 3;
    if (!Number.isInteger(azs) || azs < 2 || azs > 3) problems.push(`availabilityZoneCount must be 2 or 3 (got ${azs})`);
    const cidr = args.cidrBlock ?? "10.0.0.0/16";
    const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr);
    if (!m || Number(m[5]) < 16 || Number(m[5]) > 18) problems.push(`cidrBlock must be an IPv4 CIDR from /16 to /18, room for a /20 private and a /24 public subnet per AZ (got ${cidr})`);
    if (!["none", "single", "perAz"].includes(args.natStrategy ?? "none")) problems.push(`natStrategy must be none, single or perAz (got ${args.natStrategy})`);
    for (const s of args.interfaceEndpoints ?? []) {
        if (["s3", "dynamodb"].includes(s)) problems.push(`interfaceEndpoints: ${s} already has a free gateway endpoint`);
    }
    if (problems.length === 0) {
        // The subnets must fit each AZ's share of the block, as awsx lays them out (else it fails at preview).
        const layout = allocateSubnets(cidr, azs, secureVpcSubnetSpecs(args.natStrategy ?? "none"));
        for (const p of layout.problems) problems.push(`cidrBlock: ${p} (got ${cidr} over ${azs} AZs, natStrategy ${args.natStrategy ?? "none"})`);
    }
    return problems;
}

/**
 * A VPC for the functions and the cache (built on awsx.ec2.Vpc): private subnets in every AZ,
 * public subnets only when NAT gateways need them, free gateway endpoints for S3 and DynamoDB,
 * interface endpoints for the AWS APIs the functions call, flow logs to an encrypted log group,
 * the default security group emptied, and one security group per tier.
 */
export class SecureVpc extends pulumi.ComponentResource {
    public readonly vpcId: pulumi.Output<string>;
    public readonly privateSubnetIds: pulumi.Output<string[]>;
    public readonly publicSubnetIds: pulumi.Output<string[]>;
    public readonly natGatewayIds: pulumi.Output<string[]>;
    /** Attached to the functions: egress to HTTPS and to the cache only. */
    public readonly functionSecurityGroupId: pulumi.Output<string>;
    /** Attached to the cache: ingress from the functions on the cache port only. */
    public readonly cacheSecurityGroupId: pulumi.Output<string>;
    public readonly endpointSecurityGroupId: pulumi.Output<string>;
    public readonly flowLogGroupName?: pulumi.Output<string>;
    /** How many NAT gateways exist (a plain number, for alarms). */
    public readonly natGatewayCount: number;

    constructor(name: string, args: SecureVpcArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ai-nutritionist:network:SecureVpc", name, {}, opts);
        const problems = validateSecureVpcArgs(args);
        assertValidArgs(name, problems, this);

        const cidrBlock = args.cidrBlock ?? "10.0.0.0/16";
        const azs = args.availabilityZoneCount ?? 3;
        const nat = args.natStrategy ?? "none";
        const cachePort = args.cachePort ?? 6379;
        this.natGatewayCount = nat === "none" ? 0 : nat === "single" ? 1 : azs;

        // awsx's Vpc is a remote component: the SDK sends it only providers given explicitly, not
        // those inherited from parents, so hand it this component's AWS provider (and its default tags).
        const awsProvider = this.getProvider("aws:ec2/vpc:Vpc");
        const vpc = new awsx.ec2.Vpc(`${name}-vpc`, {
            cidrBlock,
            numberOfAvailabilityZones: azs,
            enableDnsHostnames: true,
            enableDnsSupport: true,
            subnetStrategy: "Auto",
            natGateways: { strategy: nat === "none" ? "None" : nat === "single" ? "Single" : "OnePerAz" },
            // One definition with the settings check (config.ts), which lays these out as awsx does.
            subnetSpecs: secureVpcSubnetSpecs(nat),
        }, { parent: this, providers: awsProvider ? { aws: awsProvider } : undefined });
        this.vpcId = vpc.vpcId;
        this.privateSubnetIds = vpc.privateSubnetIds;
        this.publicSubnetIds = vpc.publicSubnetIds;
        this.natGatewayIds = vpc.natGateways.apply(ngs => pulumi.all((ngs ?? []).map(n => n.id)));
        const routeTableIds = vpc.routeTables.apply(rts => pulumi.all((rts ?? []).map(rt => rt.id)));

        // The default security group: managed, with every rule removed.
        new aws.ec2.DefaultSecurityGroup(`${name}-default-sg`, { vpcId: vpc.vpcId }, { parent: this });

        const sg = (role: string, description: string) => new aws.ec2.SecurityGroup(`${name}-${role}-sg`, {
            vpcId: vpc.vpcId,
            description,
            revokeRulesOnDelete: true,
        }, { parent: this });
        const functions = sg("functions", "Lambda functions: HTTPS out, cache out");
        const cache = sg("cache", "Redis: from the functions only");
        const endpoints = sg("endpoints", "Interface endpoints: HTTPS from inside the VPC");

        new aws.vpc.SecurityGroupEgressRule(`${name}-functions-https-out`, {
            securityGroupId: functions.id, ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/0",
            description: nat === "none" ? "AWS APIs over HTTPS (endpoints; no internet route)" : "AWS APIs and the internet over HTTPS",
        }, { parent: this });
        new aws.vpc.SecurityGroupEgressRule(`${name}-functions-cache-out`, {
            securityGroupId: functions.id, ipProtocol: "tcp", fromPort: cachePort, toPort: cachePort, referencedSecurityGroupId: cache.id,
            description: "Redis",
        }, { parent: this });
        new aws.vpc.SecurityGroupIngressRule(`${name}-cache-from-functions`, {
            securityGroupId: cache.id, ipProtocol: "tcp", fromPort: cachePort, toPort: cachePort, referencedSecurityGroupId: functions.id,
            description: "Redis from the functions",
        }, { parent: this });
        new aws.vpc.SecurityGroupIngressRule(`${name}-endpoints-https-in`, {
            securityGroupId: endpoints.id, ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: cidrBlock,
            description: "HTTPS from inside the VPC",
        }, { parent: this });

        for (const service of ["s3", "dynamodb"]) {
            new aws.ec2.VpcEndpoint(`${name}-${service}-gateway`, {
                vpcId: vpc.vpcId,
                serviceName: `com.amazonaws.${args.region}.${service}`,
                vpcEndpointType: "Gateway",
                routeTableIds,
            }, { parent: this });
        }
        for (const service of args.interfaceEndpoints ?? DEFAULT_INTERFACE_ENDPOINTS) {
            new aws.ec2.VpcEndpoint(`${name}-${service}-endpoint`, {
                vpcId: vpc.vpcId,
                serviceName: `com.amazonaws.${args.region}.${service}`,
                vpcEndpointType: "Interface",
                privateDnsEnabled: true,
                subnetIds: vpc.privateSubnetIds,
                securityGroupIds: [endpoints.id],
            }, { parent: this });
        }

        if (args.flowLogs.enabled ?? true) {
            const logGroup = encryptedLogGroup(`${name}-flow-logs`, {
                namePrefix: args.flowLogs.logGroupNamePrefix,
                kmsKeyArn: args.flowLogs.kmsKeyArn,
                retentionInDays: args.flowLogs.retentionInDays,
            }, { parent: this });
            const role = new aws.iam.Role(`${name}-flow-logs-role`, {
                assumeRolePolicy: assumeRolePolicy("vpc-flow-logs.amazonaws.com"),
                description: "VPC flow logs delivery to CloudWatch Logs",
            }, { parent: this });
            new aws.iam.RolePolicy(`${name}-flow-logs-policy`, {
                role: role.id,
                policy: policyDocument([{
                    Effect: "Allow",
                    Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                    Resource: [logGroup.arn, pulumi.interpolate`${logGroup.arn}:*`],
                }]),
            }, { parent: this });
            new aws.ec2.FlowLog(`${name}-flow-log`, {
                vpcId: vpc.vpcId,
                trafficType: "ALL",
                logDestinationType: "cloud-watch-logs",
                logDestination: logGroup.arn,
                iamRoleArn: role.arn,
                maxAggregationInterval: 60,
            }, { parent: this });
            this.flowLogGroupName = logGroup.name;
        }

        this.functionSecurityGroupId = functions.id;
        this.cacheSecurityGroupId = cache.id;
        this.endpointSecurityGroupId = endpoints.id;
        this.registerOutputs({
            vpcId: this.vpcId, privateSubnetIds: this.privateSubnetIds, publicSubnetIds: this.publicSubnetIds,
            natGatewayIds: this.natGatewayIds, functionSecurityGroupId: this.functionSecurityGroupId,
            cacheSecurityGroupId: this.cacheSecurityGroupId, endpointSecurityGroupId: this.endpointSecurityGroupId,
        });
    }
}
