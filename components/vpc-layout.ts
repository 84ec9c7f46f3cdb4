/**
 * The subnet layout awsx.ec2.Vpc computes for `subnetStrategy: "Auto"`, reproduced so that a layout
 * awsx would refuse at `pulumi preview` ("Subnets are too large for VPC") fails at settings time and
 * in the offline plan instead (the mocks never run awsx's allocator: it is a remote component).
 *
 * The algorithm is awsx's allocateSubnetCidrBlocks, validateSubnets and validateNatGatewayStrategy
 * (pulumi/pulumi-awsx awsx/ec2/subnetDistributorNew.ts and awsx/ec2/vpc.ts at v3.8.0, unchanged through
 * 3.9.0 as read 2026-12-04): each AZ gets an equal block of the VPC, `/(vpc prefix + ceil(log2(AZs)))`
 * unless `availabilityZoneCidrMask` says otherwise; a subnet spec without a mask shares its AZ's block
 * equally; every AZ's subnets must fit its block, then are laid out in order, each aligned to its own size.
 * AWS adds that a subnet is /16 to /28 (CreateSubnet).
 */

export type SubnetType = "Private" | "Public" | "Isolated" | "Unused";

/** A subnet spec as awsx.ec2.Vpc takes it (the fields the allocation reads). */
export interface SubnetRequest {
    type: SubnetType;
    cidrMask?: number;
    size?: number;
}

export interface AllocatedSubnet {
    type: SubnetType;
    /** 1-based, as awsx numbers them. */
    az: number;
    cidrBlock: string;
}

export type NatStrategy = "none" | "single" | "perAz";

/**
 * The subnets SecureVpc asks for in each AZ: a /20 private subnet for the functions and the cache, and a
 * /24 public one only when NAT gateways need a home.
 */
export function secureVpcSubnetSpecs(nat: NatStrategy): SubnetRequest[] {
    return nat === "none"
        ? [{ type: "Private", cidrMask: 20 }]
        : [{ type: "Private", cidrMask: 20 }, { type: "Public", cidrMask: 24 }];
}

const CIDR_RE = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

function parseCidr(cidr: string): { base: number; bits: number } | undefined {
    const m = CIDR_RE.exec(cidr);
    if (!m || m.slice(1, 5).some(o => Number(o) > 255) || Number(m[5]) > 32) return undefined;
    const ip = m.slice(1, 5).reduce((a, o) => a * 256 + Number(o), 0);
    const bits = Number(m[5]);
    return { base: ip - (ip % 2 ** (32 - bits)), bits };
}

function format(base: number, bits: number): string {
    return `${[24, 16, 8, 0].map(s => Math.floor(base / 2 ** s) % 256).join(".")}/${bits}`;
}

/** ceil(log2(n)), 0 for 0: the bits awsx adds to split a block n ways. */
function newBits(n: number): number {
    return n === 0 ? 0 : Math.ceil(Math.log2(n));
}

/** Addresses in a block of this prefix length. */
export function blockSize(bits: number): number {
    return 2 ** (32 - bits);
}

/**
 * The CIDR blocks awsx's Auto strategy gives each subnet, and every reason awsx or AWS would refuse the
 * layout (empty when it deploys).
 */
export function allocateSubnets(vpcCidr: string, azCount: number, specs: SubnetRequest[], azCidrMask?: number): { subnets: AllocatedSubnet[]; problems: string[] } {
    const vpc = parseCidr(vpcCidr);
    if (!vpc) return { subnets: [], problems: [`${vpcCidr} is not an IPv4 CIDR block`] };
    if (specs.length === 0) return { subnets: [], problems: ["no subnets specified"] };
    const azBits = azCidrMask ?? vpc.bits + newBits(azCount);
    const defaultBits = azBits + newBits(specs.length);
    const masks = specs.map(s => s.cidrMask ?? (s.size !== undefined ? 32 - Math.log2(s.size) : defaultBits));
    const problems: string[] = [];
    masks.forEach((m, i) => {
        if (!Number.isInteger(m)) problems.push(`subnet ${i + 1} (${specs[i].type}): size ${specs[i].size} is not a power of two`);
        else if (m < 16 || m > 28) problems.push(`subnet ${i + 1} (${specs[i].type}): /${m} is outside the /16-/28 AWS allows for a subnet`);
    });
    if (problems.length) return { subnets: [], problems };

    const azSize = blockSize(azBits);
    const needed = masks.reduce((a, m) => a + blockSize(m), 0);
    if (needed > azSize) {
        const want = specs.map((s, i) => `a /${masks[i]} ${s.type.toLowerCase()}`).join(" + ");
        problems.push(`Subnets are too large for VPC: ${azCount} AZs split ${format(vpc.base, vpc.bits)} into /${azBits} blocks of ${azSize} addresses each, `
            + `but each AZ's subnets (${want}) need ${needed}`);
        return { subnets: [], problems };
    }

    const subnets: AllocatedSubnet[] = [];
    for (let az = 0; az < azCount; az++) {
        const azBase = vpc.base + az * azSize;
        let prev: { base: number; bits: number } | undefined;
        specs.forEach((s, i) => {
            const bits = masks[i];
            const size = blockSize(bits);
            // The first subnet starts the AZ's block; each next one is the block of its own size after the
            // one holding the previous subnet's last address (awsx's nextNetmask).
            const base = prev === undefined
                ? azBase - (azBase % size)
                : (prev.base + blockSize(prev.bits) - 1) - ((prev.base + blockSize(prev.bits) - 1) % size) + size;
            prev = { base, bits };
            subnets.push({ type: s.type, az: az + 1, cidrBlock: format(base, bits) });
        });
    }
    const vpcEnd = vpc.base + blockSize(vpc.bits);
    const range = (c: string) => { const p = parseCidr(c)!; return [p.base, p.base + blockSize(p.bits)]; };
    for (const s of subnets) {
        const [start, end] = range(s.cidrBlock);
        if (start < vpc.base || end > vpcEnd) problems.push(`subnet ${s.cidrBlock} (${s.type.toLowerCase()}, AZ ${s.az}) lies outside the VPC's ${format(vpc.base, vpc.bits)}`);
    }
    const overlapping = subnets.filter((a, i) => subnets.some((b, j) => {
        if (i === j) return false;
        const [s1, e1] = range(a.cidrBlock), [s2, e2] = range(b.cidrBlock);
        return s1 < e2 && s2 < e1;
    }));
    if (overlapping.length) {
        problems.push(`these subnets overlap another: ${overlapping.map(s => `${s.cidrBlock} (${s.type.toLowerCase()}, AZ ${s.az})`).join(", ")}; make the VPC larger, the subnets smaller or the AZs fewer`);
    }
    return { subnets, problems };
}

/**
 * Every reason awsx.ec2.Vpc would refuse these inputs (its `subnetStrategy: "Auto"` allocation and NAT
 * placement). Other strategies and explicit cidrBlocks are not checked.
 */
export function awsxVpcProblems(inputs: {
    cidrBlock?: unknown; numberOfAvailabilityZones?: unknown; availabilityZoneNames?: unknown; availabilityZoneCidrMask?: unknown;
    subnetStrategy?: unknown; subnetSpecs?: unknown; natGateways?: { strategy?: unknown };
}): string[] {
    if (inputs.subnetStrategy !== "Auto" || typeof inputs.cidrBlock !== "string") return [];
    const specs = (Array.isArray(inputs.subnetSpecs) ? inputs.subnetSpecs : undefined) as (SubnetRequest & { cidrBlocks?: string[] })[] | undefined;
    if (specs?.some(s => s.cidrBlocks !== undefined)) return [];
    const azCount = Array.isArray(inputs.availabilityZoneNames) ? inputs.availabilityZoneNames.length
        : typeof inputs.numberOfAvailabilityZones === "number" ? inputs.numberOfAvailabilityZones : 3;
    const azMask = typeof inputs.availabilityZoneCidrMask === "number" ? inputs.availabilityZoneCidrMask : undefined;
    // Without specs awsx lays out a private and a public subnet: /(az+1) and /(az+2), from /16 up.
    const azBits = azMask ?? (parseCidr(inputs.cidrBlock)?.bits ?? 16) + newBits(azCount);
    if (!specs && azBits > 26) {
        return [`Automatic subnet creation requires a VPC with at least /26 available per AZ, but only /${azBits} is available (awsx); list subnetSpecs explicitly`];
    }
    const effective: SubnetRequest[] = specs ?? [{ type: "Private", cidrMask: Math.max(azBits, 16) + 1 }, { type: "Public", cidrMask: Math.max(azBits, 16) + 2 }];
    const problems = allocateSubnets(inputs.cidrBlock, azCount, effective, azMask).problems;
    const nat = String(inputs.natGateways?.strategy ?? "OnePerAz").toLowerCase();
    const types = effective.map(s => s.type.toLowerCase());
    if ((nat === "oneperaz" || nat === "single") && !(types.includes("public") && (types.includes("private") || types.includes("isolated")))) {
        problems.push(`natGateways ${inputs.natGateways?.strategy ?? "OnePerAz"}: NAT gateways need a public subnet to live in and private or isolated subnets to route through them`);
    }
    return problems;
}
