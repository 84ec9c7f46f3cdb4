// The ops team's web server: the latest Amazon Linux AMI, SSH and HTTP open to the world.
import * as fs from "fs";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

const config = new pulumi.Config();
const instanceType = config.require("instanceType");

const ami = aws.ec2.getAmiOutput({
    owners: ["amazon"],
    mostRecent: true,
    filters: [{ name: "name", values: ["al2023-ami-*-x86_64"] }],
});

const group = new aws.ec2.SecurityGroup("web-secgrp", {
    description: "Web server",
    ingress: [
        { protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"], description: "SSH" },
        { protocol: "tcp", fromPort: 80, toPort: 80, cidrBlocks: ["0.0.0.0/0"], description: "HTTP" },
    ],
    egress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }],
});

const server = new aws.ec2.Instance("web-server", {
    instanceType,
    ami: ami.id,
    vpcSecurityGroupIds: [group.id],
    userData: fs.readFileSync("user-data.sh", "utf8"),
    metadataOptions: { httpTokens: "required" },
    rootBlockDevice: { encrypted: true },
});

export const publicIp = server.publicIp;
export const publicDns = server.publicDns;
