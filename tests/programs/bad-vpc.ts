/**
 * A test program with VPC layouts awsx refuses at preview (tests/vpc-layout.test.ts): the offline plan
 * never runs awsx's allocator, so the request rules must refuse them.
 */
import * as awsx from "@pulumi/awsx";

// A /18 over 3 AZs gives each a /20: a /20 private and a /24 public subnet do not fit (4352 > 4096).
new awsx.ec2.Vpc("too-small", {
    cidrBlock: "10.30.0.0/18",
    numberOfAvailabilityZones: 3,
    subnetStrategy: "Auto",
    natGateways: { strategy: "OnePerAz" },
    subnetSpecs: [{ type: "Private", cidrMask: 20 }, { type: "Public", cidrMask: 24 }],
});
// NAT gateways with nowhere to live (no public subnet).
new awsx.ec2.Vpc("nat-without-public", {
    cidrBlock: "10.40.0.0/16",
    numberOfAvailabilityZones: 2,
    subnetStrategy: "Auto",
    natGateways: { strategy: "Single" },
    subnetSpecs: [{ type: "Private", cidrMask: 20 }],
});
// Fits: the plan accepts it.
new awsx.ec2.Vpc("fits", {
    cidrBlock: "10.50.0.0/18",
    numberOfAvailabilityZones: 3,
    subnetStrategy: "Auto",
    natGateways: { strategy: "None" },
    subnetSpecs: [{ type: "Private", cidrMask: 20 }],
});
