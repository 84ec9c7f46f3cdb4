// The platform team's storefront: an ALB in the default VPC. The public listener forwards plain HTTP;
// the admin listener redirects to HTTPS.
import * as aws from "@pulumi/aws";

const vpc = aws.ec2.getVpcOutput({ default: true });
const subnets = aws.ec2.getSubnetsOutput({ filters: [{ name: "vpc-id", values: [vpc.id] }] });

const sg = new aws.ec2.SecurityGroup("alb-sg", {
    vpcId: vpc.id,
    description: "Storefront ALB",
    ingress: [{ protocol: "tcp", fromPort: 80, toPort: 80, cidrBlocks: ["0.0.0.0/0"], description: "HTTP" },
        { protocol: "tcp", fromPort: 8080, toPort: 8080, cidrBlocks: ["0.0.0.0/0"], description: "admin" }],
    egress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }],
});
const alb = new aws.lb.LoadBalancer("storefront", {
    loadBalancerType: "application",
    securityGroups: [sg.id],
    subnets: subnets.ids,
    dropInvalidHeaderFields: true,
});
const targets = new aws.lb.TargetGroup("web", { port: 80, protocol: "HTTP", vpcId: vpc.id, targetType: "ip" });

export const publicListener = new aws.lb.Listener("public", {
    loadBalancerArn: alb.arn,
    port: 80,
    defaultActions: [{ type: "forward", targetGroupArn: targets.arn }],
}).arn;
export const adminListener = new aws.lb.Listener("admin", {
    loadBalancerArn: alb.arn,
    port: 8080,
    protocol: "HTTP",
    defaultActions: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }],
}).arn;
export const url = alb.dnsName;
