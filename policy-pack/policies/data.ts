/**
 * Data stores beyond the ones with their own policies: RDS and Aurora, EBS (volumes, instance
 * and launch-template block devices), EFS, OpenSearch/Elasticsearch, Kinesis, ECR, Redshift,
 * DocumentDB, Neptune, DMS. Encrypted at rest with a customer-managed key, and never publicly
 * reachable.
 */
import { asList, customerKey, isTrue, read, resourcePolicy, UNKNOWN } from "./helpers";

interface Store {
    /** Where the encryption switch is, and what it must be (true unless given). */
    encrypted?: { path: string[]; values?: string[] };
    /** Where the KMS key is. */
    key?: string[];
    /** When the store takes its encryption from a source (a read replica, a restored snapshot, a global cluster). */
    inherits?: string[];
}

/** Data-store type → where its encryption settings are. */
export const ENCRYPTED_STORES: Readonly<Record<string, Store>> = {
    "aws:rds/instance:Instance": { encrypted: { path: ["storageEncrypted"] }, key: ["kmsKeyId"], inherits: ["replicateSourceDb"] },
    "aws:rds/cluster:Cluster": { encrypted: { path: ["storageEncrypted"] }, key: ["kmsKeyId"], inherits: ["replicationSourceIdentifier", "globalClusterIdentifier"] },
    "aws:rds/globalCluster:GlobalCluster": { encrypted: { path: ["storageEncrypted"] }, inherits: ["sourceDbClusterIdentifier"] },
    "aws:docdb/cluster:Cluster": { encrypted: { path: ["storageEncrypted"] }, key: ["kmsKeyId"], inherits: ["globalClusterIdentifier"] },
    "aws:neptune/cluster:Cluster": { encrypted: { path: ["storageEncrypted"] }, key: ["kmsKeyArn"], inherits: ["replicationSourceIdentifier", "globalClusterIdentifier"] },
    "aws:redshift/cluster:Cluster": { encrypted: { path: ["encrypted"] }, key: ["kmsKeyId"] },
    "aws:ebs/volume:Volume": { encrypted: { path: ["encrypted"] }, key: ["kmsKeyId"] },
    "aws:efs/fileSystem:FileSystem": { encrypted: { path: ["encrypted"] }, key: ["kmsKeyId"] },
    "aws:opensearch/domain:Domain": { encrypted: { path: ["encryptAtRest", "enabled"] }, key: ["encryptAtRest", "kmsKeyId"] },
    "aws:elasticsearch/domain:Domain": { encrypted: { path: ["encryptAtRest", "enabled"] }, key: ["encryptAtRest", "kmsKeyId"] },
    "aws:kinesis/stream:Stream": { encrypted: { path: ["encryptionType"], values: ["KMS"] }, key: ["kmsKeyId"] },
    "aws:kinesis/videoStream:VideoStream": { key: ["kmsKeyId"] },
    "aws:dms/replicationInstance:ReplicationInstance": { key: ["kmsKeyArn"] },
    "aws:ecr/repository:Repository": { encrypted: { path: ["encryptionConfigurations", "0", "encryptionType"], values: ["KMS", "KMS_DSSE"] }, key: ["encryptionConfigurations", "0", "kmsKey"] },
};

/** Block devices of an instance or a launch template: where they are and their ebs settings. */
function blockDevices(type: string, props: any): { where: string; ebs: any }[] {
    if (type === "aws:ec2/launchTemplate:LaunchTemplate") {
        return asList(read(props, "blockDeviceMappings")).map((m, i) => ({ where: `blockDeviceMappings[${i}].ebs`, ebs: read(m, "ebs") })).filter(d => d.ebs);
    }
    const root = read(props, "rootBlockDevice");
    return [{ where: "rootBlockDevice", ebs: root ?? {} }, ...asList(read(props, "ebsBlockDevices")).map((d, i) => ({ where: `ebsBlockDevices[${i}]`, ebs: d }))];
}

const BLOCK_DEVICE_TYPES = ["aws:ec2/instance:Instance", "aws:ec2/launchTemplate:LaunchTemplate"];

export const dataStoreEncryption = resourcePolicy({
    name: "data-store-encryption-cmk",
    description: "RDS/Aurora, DocumentDB, Neptune, Redshift, EBS (volumes, instance and launch-template block devices), EFS, OpenSearch/Elasticsearch, Kinesis streams and video streams, DMS and ECR encrypt at rest with a customer-managed KMS key (not alias/aws/…).",
    types: [...Object.keys(ENCRYPTED_STORES), ...BLOCK_DEVICE_TYPES],
    config: {
        requireCustomerManagedKey: { type: "boolean", default: true, description: "Require a customer-managed key, not only encryption (false accepts the AWS-managed key)." },
    },
    check: (props, violation, args, config) => {
        const needKey = config.requireCustomerManagedKey === true;
        if (BLOCK_DEVICE_TYPES.includes(args.type)) {
            for (const { where, ebs } of blockDevices(args.type, props)) {
                if (!isTrue(read(ebs, "encrypted"))) violation(`${where}.encrypted must be true.`);
                else if (needKey && !customerKey(read(ebs, "kmsKeyId"))) violation(`${where}.kmsKeyId must name a customer-managed key.`);
            }
            return;
        }
        const store = ENCRYPTED_STORES[args.type];
        if ((store.inherits ?? []).some(p => read(props, p))) return;
        if (store.encrypted) {
            const v = read(props, ...store.encrypted.path);
            const want = store.encrypted.values;
            if (want ? v !== UNKNOWN && !want.includes(v) : !isTrue(v)) {
                violation(`${store.encrypted.path.join(".")} must be ${want ? want.join(" or ") : "true"} (got ${v ?? "nothing"}).`);
                return;
            }
        }
        if (store.key && needKey && !customerKey(read(props, ...store.key))) violation(`${store.key.join(".")} must name a customer-managed key (not empty, not alias/aws/…).`);
    },
});

/** Data-store type → the input that makes it reachable from the internet, and the value that does. */
const PUBLIC_FLAGS: Readonly<Record<string, string>> = {
    "aws:rds/instance:Instance": "publiclyAccessible",
    "aws:rds/clusterInstance:ClusterInstance": "publiclyAccessible",
    "aws:redshift/cluster:Cluster": "publiclyAccessible",
    "aws:dms/replicationInstance:ReplicationInstance": "publiclyAccessible",
};
const DOMAINS = ["aws:opensearch/domain:Domain", "aws:elasticsearch/domain:Domain"];
const ECR_PUBLIC = "aws:ecrpublic/repository:Repository";

export const dataStoreNotPublic = resourcePolicy({
    name: "data-store-not-public",
    description: "No data store is reachable from the internet: RDS/Aurora instances, Redshift and DMS are not publiclyAccessible, OpenSearch/Elasticsearch domains run in a VPC and enforce HTTPS, node-to-node encryption on, no ECR Public repository.",
    types: [...Object.keys(PUBLIC_FLAGS), ...DOMAINS, ECR_PUBLIC],
    check: (props, violation, args) => {
        const flag = PUBLIC_FLAGS[args.type];
        if (flag) {
            if (read(props, flag) === true) violation(`${flag} must be false: the endpoint resolves to a public address.`);
        } else if (DOMAINS.includes(args.type)) {
            if (asList(read(props, "vpcOptions", "subnetIds")).length === 0) violation("vpcOptions.subnetIds is empty: the domain gets a public endpoint; place it in a VPC.");
            if (!isTrue(read(props, "domainEndpointOptions", "enforceHttps"))) violation("domainEndpointOptions.enforceHttps must be true.");
            if (!isTrue(read(props, "nodeToNodeEncryption", "enabled"))) violation("nodeToNodeEncryption.enabled must be true.");
        } else {
            violation("an ECR Public repository serves its images to anyone: use a private repository (exempt this one with a reason if it is meant to be public).");
        }
    },
});
