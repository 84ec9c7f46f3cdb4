/**
 * Network exposure: security-group ingress open to the world (0.0.0.0/0, ::/0) on an
 * administrative or data port, or on every port. Rules are read wherever v7 takes them: inline
 * `ingress` of a SecurityGroup or DefaultSecurityGroup, the classic SecurityGroupRule, and the
 * v7 SecurityGroupIngressRule.
 */
import { asList, read, resourcePolicy } from "./helpers";

export const SECURITY_GROUP_TYPES = {
    group: "aws:ec2/securityGroup:SecurityGroup",
    defaultGroup: "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
    rule: "aws:ec2/securityGroupRule:SecurityGroupRule",
    ingressRule: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
} as const;

/** Ports that must never be open to the world: remote administration, then data stores and brokers. */
export const DEFAULT_RESTRICTED_PORTS: { port: number; service: string }[] = [
    { port: 20, service: "FTP data" }, { port: 21, service: "FTP" }, { port: 22, service: "SSH" }, { port: 23, service: "Telnet" },
    { port: 135, service: "Windows RPC" }, { port: 445, service: "SMB" }, { port: 3389, service: "RDP" }, { port: 5900, service: "VNC" },
    { port: 5985, service: "WinRM" }, { port: 5986, service: "WinRM over TLS" }, { port: 2375, service: "Docker API" }, { port: 2376, service: "Docker API over TLS" },
    { port: 6443, service: "Kubernetes API" }, { port: 1433, service: "SQL Server" }, { port: 1521, service: "Oracle" }, { port: 2049, service: "NFS" },
    { port: 3306, service: "MySQL/Aurora" }, { port: 5432, service: "PostgreSQL" }, { port: 5439, service: "Redshift" }, { port: 6379, service: "Redis/Valkey" },
    { port: 8182, service: "Neptune" }, { port: 9042, service: "Cassandra/Keyspaces" }, { port: 9092, service: "Kafka" }, { port: 9200, service: "OpenSearch/Elasticsearch" },
    { port: 9300, service: "Elasticsearch transport" }, { port: 5601, service: "Kibana/OpenSearch Dashboards" }, { port: 11211, service: "Memcached" }, { port: 27017, service: "MongoDB/DocumentDB" },
];

export const DEFAULT_WORLD_CIDRS = ["0.0.0.0/0", "::/0"];

interface Ingress {
    where: string;
    protocol: unknown;
    from: unknown;
    to: unknown;
    cidrs: unknown[];
}

function ingressRules(type: string, props: any): Ingress[] {
    if (type === SECURITY_GROUP_TYPES.ingressRule) {
        return [{ where: "rule", protocol: read(props, "ipProtocol"), from: read(props, "fromPort"), to: read(props, "toPort"), cidrs: [read(props, "cidrIpv4"), read(props, "cidrIpv6")] }];
    }
    const rule = (r: any, where: string): Ingress => ({ where, protocol: read(r, "protocol"), from: read(r, "fromPort"), to: read(r, "toPort"), cidrs: [...asList(read(r, "cidrBlocks")), ...asList(read(r, "ipv6CidrBlocks"))] });
    if (type === SECURITY_GROUP_TYPES.rule) return read(props, "type") === "ingress" ? [rule(props, "rule")] : [];
    return asList(read(props, "ingress")).map((r, i) => rule(r, `ingress[${i}]`));
}

const ALL_PROTOCOLS: unknown[] = ["-1", "all", -1];
/** ICMP rules carry a type and code in fromPort/toPort, not ports. */
const ICMP = ["icmp", "icmpv6", "1", "58"];

export const noWorldOpenPorts = resourcePolicy({
    name: "security-group-no-world-open-ports",
    description: "No security-group ingress (inline, SecurityGroupRule, or v7 SecurityGroupIngressRule; IPv4 and IPv6) opens every port, or an administrative or data port (SSH, RDP, databases, caches, …), to the world.",
    types: Object.values(SECURITY_GROUP_TYPES),
    config: {
        restrictedPorts: {
            type: "array", default: DEFAULT_RESTRICTED_PORTS,
            items: { type: "object", properties: { port: { type: "integer" }, service: { type: "string" } }, required: ["port", "service"] },
            description: "Ports never to open to worldCidrs, with the service named in messages.",
        },
        worldCidrs: { type: "array", items: { type: "string" }, default: DEFAULT_WORLD_CIDRS, description: "Source ranges that mean anyone on the internet." },
    },
    check: (props, violation, args, config) => {
        for (const r of ingressRules(args.type, props)) {
            const world = r.cidrs.filter(c => (config.worldCidrs as string[]).includes(c as string));
            if (world.length === 0) continue;
            if (ALL_PROTOCOLS.includes(r.protocol)) {
                violation(`${r.where} opens every port and protocol to ${world.join(", ")}.`);
                continue;
            }
            if (ICMP.includes(String(r.protocol).toLowerCase()) || typeof r.from !== "number") continue;
            const from = r.from;
            const to = typeof r.to === "number" ? r.to : from;
            const hit = (config.restrictedPorts as { port: number; service: string }[]).filter(p => p.port >= from && p.port <= to).sort((a, b) => a.port - b.port);
            if (hit.length) violation(`${r.where} opens ${hit.map(p => `${p.port} (${p.service})`).join(", ")} to ${world.join(", ")}.`);
        }
    },
});
