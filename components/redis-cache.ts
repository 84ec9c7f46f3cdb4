import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { encryptedLogGroup } from "./log-group";
import { fieldProblems, NAME_RULES } from "./naming";
import { assertValidArgs } from "./validation";

export interface RedisCacheArgs {
    /**
     * Replication group id (1-40 lower-case letters, digits and single hyphens, starting with a letter); its
     * nodes are `<id>-001`, `<id>-002`, … (the CacheClusterId of their metrics). Defaults to the provider's
     * auto-name, which only fits logical names of up to 32 characters.
     */
    replicationGroupId?: string;
    /** Private subnets of the cache. */
    subnetIds: pulumi.Input<string[]>;
    /** Security group that admits only the functions. */
    securityGroupId: pulumi.Input<string>;
    /** Key for data at rest and for the AUTH-token secret. */
    kmsKeyArn: pulumi.Input<string>;
    /** Node type. Defaults to "cache.t4g.micro" (Graviton). */
    nodeType?: string;
    /**
     * Engine: "valkey" (Redis-compatible, its nodes priced 20% below Redis OSS's) or "redis" (Redis OSS 7.1).
     * Switching an existing group from redis to valkey is an in-place engine upgrade. Defaults to "valkey".
     */
    engine?: "valkey" | "redis";
    /** Nodes, 1-6; two or more turn on Multi-AZ and automatic failover. Defaults to 2. */
    numNodes?: number;
    /** Days of daily snapshots kept. Defaults to 7. */
    snapshotRetentionDays?: number;
    /** Slow log to an encrypted log group. */
    slowLog: { kmsKeyArn: pulumi.Input<string>; retentionInDays: number; namePrefix: string };
    /**
     * Topic for ElastiCache failure events, delivered by an EventBridge rule: ElastiCache cannot
     * publish to an encrypted topic itself (its notification topic "cannot be encrypted", and its
     * policy must admit aws:SourceOwner), so the replication group's own notification topic stays
     * unset. Defaults to none.
     */
    notificationTopicArn?: pulumi.Input<string>;
}

/** ElastiCache's EventBridge detail types that need an operator. */
export const ELASTICACHE_ALERT_EVENTS = ["Cache Creation Failed", "Cache Update Failed", "Cache Limit Approaching", "Snapshot Creation Failed", "Snapshot Export Failed", "Snapshot Copy Failed"];

/** The EventBridge pattern of ELASTICACHE_ALERT_EVENTS from one replication group and its member clusters. */
export function elastiCacheEventPattern(replicationGroupId: string): string {
    return JSON.stringify({
        source: ["aws.elasticache"],
        "detail-type": ELASTICACHE_ALERT_EVENTS,
        // Member clusters are `<group id>-001`, `-002`…: `<id>-0` leaves out another group named `<id>-<word>`.
        detail: { SourceIdentifier: [replicationGroupId, { prefix: `${replicationGroupId}-0` }] },
    });
}

export function validateRedisCacheArgs(args: RedisCacheArgs): string[] {
    const p: string[] = [];
    const n = args.numNodes ?? 2;
    if (!Number.isInteger(n) || n < 1 || n > 6) p.push(`numNodes must be 1-6 (got ${n})`);
    const nodeType = args.nodeType ?? "cache.t4g.micro";
    if (!/^cache\.[a-z0-9]+\.[a-z0-9]+$/.test(nodeType)) p.push(`nodeType must look like cache.t4g.micro (got ${nodeType})`);
    if (args.replicationGroupId !== undefined) {
        const rule = NAME_RULES["aws:elasticache/replicationGroup:ReplicationGroup"].fields.replicationGroupId;
        p.push(...fieldProblems(args.replicationGroupId, rule).map(x => `replicationGroupId: ${x}`));
    }
    const engine = args.engine ?? "valkey";
    if (!["valkey", "redis"].includes(engine)) p.push(`engine must be valkey or redis (got ${engine})`);
    const snaps = args.snapshotRetentionDays ?? 7;
    if (snaps < 0 || snaps > 35) p.push(`snapshotRetentionDays must be 0-35 (got ${snaps})`);
    return p;
}

/**
 * ElastiCache (Valkey by default, Redis OSS on request) in private subnets: encrypted at rest (customer-managed key) and in transit,
 * an AUTH token generated here and kept in Secrets Manager, Multi-AZ with automatic failover
 * from two nodes, daily snapshots, and the slow log in CloudWatch Logs.
 */
export class RedisCache extends pulumi.ComponentResource {
    public readonly replicationGroup: aws.elasticache.ReplicationGroup;
    public readonly authSecret: aws.secretsmanager.Secret;
    public readonly endpoint: pulumi.Output<string>;
    public readonly port: pulumi.Output<number>;
    public readonly replicationGroupId: pulumi.Output<string>;
    /** Member cluster ids (`<group id>-001`…): the CacheClusterId of the node metrics. */
    public readonly memberClusterIds: pulumi.Output<string[]>;
    public readonly numNodes: number;

    constructor(name: string, args: RedisCacheArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ai-nutritionist:cache:RedisCache", name, {}, opts);
        const problems = validateRedisCacheArgs(args);
        assertValidArgs(name, problems, this);
        this.numNodes = args.numNodes ?? 2;
        const multiAz = this.numNodes >= 2;

        // AUTH tokens: 16-128 printable characters without @, " or /; alphanumeric keeps it simple.
        const token = new random.RandomPassword(`${name}-auth-token`, { length: 64, special: false }, { parent: this });
        this.authSecret = new aws.secretsmanager.Secret(`${name}-auth`, {
            description: "Cache AUTH token",
            kmsKeyId: args.kmsKeyArn,
            recoveryWindowInDays: 7,
        }, { parent: this });
        new aws.secretsmanager.SecretVersion(`${name}-auth-value`, { secretId: this.authSecret.id, secretString: token.result }, { parent: this });

        const subnets = new aws.elasticache.SubnetGroup(`${name}-subnets`, {
            description: "Private subnets of the cache",
            subnetIds: args.subnetIds,
        }, { parent: this });
        const slowLog = encryptedLogGroup(`${name}-slow-log`, {
            namePrefix: args.slowLog.namePrefix,
            kmsKeyArn: args.slowLog.kmsKeyArn,
            retentionInDays: args.slowLog.retentionInDays,
        }, { parent: this });

        this.replicationGroup = new aws.elasticache.ReplicationGroup(`${name}-redis`, {
            replicationGroupId: args.replicationGroupId,
            description: "Bedrock answer cache",
            engine: args.engine ?? "valkey",
            engineVersion: (args.engine ?? "valkey") === "valkey" ? "8.0" : "7.1",
            nodeType: args.nodeType ?? "cache.t4g.micro",
            numCacheClusters: this.numNodes,
            automaticFailoverEnabled: multiAz,
            multiAzEnabled: multiAz,
            port: 6379,
            subnetGroupName: subnets.name,
            securityGroupIds: [args.securityGroupId],
            atRestEncryptionEnabled: true,
            kmsKeyId: args.kmsKeyArn,
            transitEncryptionEnabled: true,
            authToken: token.result,
            snapshotRetentionLimit: args.snapshotRetentionDays ?? 7,
            snapshotWindow: "03:00-04:00",
            maintenanceWindow: "sun:05:00-sun:06:00",
            autoMinorVersionUpgrade: true,
            logDeliveryConfigurations: [{
                destination: slowLog.name,
                destinationType: "cloudwatch-logs",
                logFormat: "json",
                logType: "slow-log",
            }],
        }, { parent: this });

        if (args.notificationTopicArn) {
            // Events ElastiCache sends to EventBridge directly (source aws.elasticache):
            // https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-elasticache.html
            // Why not the group's notification topic: https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/ElastiCacheSNS.html
            // Only this group's events: the rule sees every ElastiCache event of the account. The event's
            // detail names its source in `SourceIdentifier` (with SourceType, SourceArn, Message, EventID,
            // EventCategories: the aws.elasticache@CacheCreationFailed schema,
            // https://docs.aws.amazon.com/cdk/api/v2/python/aws_cdk.mixins_preview.aws_elasticache.events/CacheUpdateFailed.html);
            // the source is the replication group or one of its member clusters, `<group id>-001`….
            const rule = new aws.cloudwatch.EventRule(`${name}-events`, {
                description: "ElastiCache failures and limits (EventBridge; ElastiCache cannot publish to an encrypted topic)",
                eventPattern: this.replicationGroup.id.apply(id => elastiCacheEventPattern(id)),
            }, { parent: this });
            new aws.cloudwatch.EventTarget(`${name}-events-alert`, { rule: rule.name, arn: args.notificationTopicArn }, { parent: this });
        }

        this.endpoint = this.replicationGroup.primaryEndpointAddress;
        this.port = this.replicationGroup.port.apply(p => p ?? 6379);
        this.replicationGroupId = this.replicationGroup.id;
        this.memberClusterIds = this.replicationGroup.memberClusters;
        this.registerOutputs({ endpoint: this.endpoint, port: this.port, authSecretArn: this.authSecret.arn });
    }
}
