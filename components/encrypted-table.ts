import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Statement } from "./iam";
import { assertValidArgs } from "./validation";

export type AttributeType = "S" | "N" | "B";
export type TableAccess = "read" | "write" | "readWrite";
export type DynamoDbAction = "dynamodb:GetItem" | "dynamodb:BatchGetItem" | "dynamodb:Query" | "dynamodb:Scan" | "dynamodb:ConditionCheckItem" | "dynamodb:DescribeTable"
    | "dynamodb:PutItem" | "dynamodb:UpdateItem" | "dynamodb:DeleteItem" | "dynamodb:BatchWriteItem";
const READ_ACTIONS: DynamoDbAction[] = ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:ConditionCheckItem", "dynamodb:DescribeTable"];
const WRITE_ACTIONS: DynamoDbAction[] = ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem", "dynamodb:ConditionCheckItem"];

export interface TableIndex {
    /** Index name. */
    name: string;
    /** Partition key attribute. */
    hashKey: string;
    /** Sort key attribute. Defaults to none. */
    rangeKey?: string;
    /** Projection. Defaults to "ALL". */
    projectionType?: "ALL" | "KEYS_ONLY" | "INCLUDE";
    /** Attributes projected with "INCLUDE". Defaults to none. */
    nonKeyAttributes?: string[];
}

export interface ProvisionedCapacity {
    /** Minimum read and write capacity units. Defaults to 5. */
    minCapacity?: number;
    /** Maximum read and write capacity units. Defaults to 100. */
    maxCapacity?: number;
    /** Target utilisation percentage of auto scaling (20-90). Defaults to 70. */
    targetUtilization?: number;
}

export interface EncryptedTableArgs {
    /** Attribute types of every key attribute (table and indexes). */
    attributes: Record<string, AttributeType>;
    /** Partition key attribute. */
    hashKey: string;
    /** Sort key attribute. Defaults to none. */
    rangeKey?: string;
    /** Global secondary indexes. Defaults to none. */
    globalSecondaryIndexes?: TableIndex[];
    /** Customer-managed key that encrypts the table. Required: the AWS-owned key is never used. */
    kmsKeyArn: pulumi.Input<string>;
    /** Keep point-in-time recovery on (35 days). Defaults to true. */
    pointInTimeRecovery?: boolean;
    /** DynamoDB deletion protection. Defaults to true. */
    deletionProtection?: boolean;
    /** Pulumi `protect` on the table. Defaults to the value of deletionProtection. */
    protect?: boolean;
    /** On-demand unless provisioned capacity (with auto scaling) is given. Defaults to on-demand. */
    provisioned?: ProvisionedCapacity;
    /** Attribute holding the expiry epoch seconds; enables TTL. Defaults to none. */
    ttlAttribute?: string;
    /** Stream view type; enables the stream. Defaults to no stream. */
    streamViewType?: "KEYS_ONLY" | "NEW_IMAGE" | "OLD_IMAGE" | "NEW_AND_OLD_IMAGES";
    /** Table class. Defaults to "STANDARD". */
    tableClass?: "STANDARD" | "STANDARD_INFREQUENT_ACCESS";
    /** Tag `Backup=daily` so the tag-based backup selection covers the table. Defaults to true. */
    backup?: boolean;
    /**
     * Global-table replicas in other regions (DynamoDB global tables, version 2019.11.21), each encrypted
     * with a customer-managed key of its region and with PITR on: every write reaches them within
     * seconds, the disaster-recovery copy of a lost region. Turns on the NEW_AND_OLD_IMAGES stream the
     * replication needs. Defaults to none.
     */
    replicas?: { region: string; kmsKeyArn: pulumi.Input<string> }[];
}

/** Pure validation of EncryptedTableArgs; returns every problem. */
export function validateEncryptedTableArgs(args: EncryptedTableArgs): string[] {
    const p: string[] = [];
    const keys = [args.hashKey, args.rangeKey, ...(args.globalSecondaryIndexes ?? []).flatMap(i => [i.hashKey, i.rangeKey])]
        .filter((k): k is string => k !== undefined);
    for (const k of new Set(keys)) if (!(k in args.attributes)) p.push(`key attribute ${k} has no type in attributes`);
    for (const a of Object.keys(args.attributes)) if (!keys.includes(a)) p.push(`attribute ${a} is not a key of the table or an index (DynamoDB rejects it)`);
    const names = (args.globalSecondaryIndexes ?? []).map(i => i.name);
    if (new Set(names).size !== names.length) p.push("index names must be unique");
    const regions = (args.replicas ?? []).map(r => r.region);
    if (new Set(regions).size !== regions.length) p.push("replica regions must be unique");
    if (regions.length && args.streamViewType !== undefined && args.streamViewType !== "NEW_AND_OLD_IMAGES") {
        p.push(`replicas need the NEW_AND_OLD_IMAGES stream (got streamViewType ${args.streamViewType})`);
    }
    if (args.provisioned) {
        const { minCapacity = 5, maxCapacity = 100, targetUtilization = 70 } = args.provisioned;
        if (minCapacity < 1 || maxCapacity < minCapacity) p.push(`provisioned capacity needs 1 <= minCapacity <= maxCapacity (got ${minCapacity}, ${maxCapacity})`);
        if (targetUtilization < 20 || targetUtilization > 90) p.push(`targetUtilization must be 20-90 (got ${targetUtilization})`);
    }
    return p;
}

/**
 * A DynamoDB table encrypted with a customer-managed key, PITR on, deletion protection on,
 * on-demand by default or provisioned with auto scaling of the table and every index.
 */
export class EncryptedTable extends pulumi.ComponentResource {
    public readonly table: aws.dynamodb.Table;
    public readonly name: pulumi.Output<string>;
    public readonly arn: pulumi.Output<string>;
    public readonly streamArn: pulumi.Output<string | undefined>;
    private readonly kmsKeyArn: pulumi.Input<string>;
    private readonly region: pulumi.Output<string>;
    private readonly sid: string;

    constructor(name: string, args: EncryptedTableArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ai-nutritionist:data:EncryptedTable", name, {}, opts);
        const problems = validateEncryptedTableArgs(args);
        assertValidArgs(name, problems, this);

        const indexes = args.globalSecondaryIndexes ?? [];
        const provisioned = args.provisioned;
        const min = provisioned?.minCapacity ?? 5;
        const deletionProtection = args.deletionProtection ?? true;
        const replicas = args.replicas ?? [];
        this.kmsKeyArn = args.kmsKeyArn;
        this.sid = name.replace(/[^A-Za-z0-9]/g, "");
        this.region = aws.getRegionOutput({}, { parent: this }).region;

        this.table = new aws.dynamodb.Table(`${name}-table`, {
            attributes: Object.entries(args.attributes).map(([n, type]) => ({ name: n, type })),
            hashKey: args.hashKey,
            rangeKey: args.rangeKey,
            billingMode: provisioned ? "PROVISIONED" : "PAY_PER_REQUEST",
            readCapacity: provisioned ? min : undefined,
            writeCapacity: provisioned ? min : undefined,
            globalSecondaryIndexes: indexes.map(i => ({
                name: i.name,
                keySchemas: [
                    { attributeName: i.hashKey, keyType: "HASH" },
                    ...(i.rangeKey ? [{ attributeName: i.rangeKey, keyType: "RANGE" }] : []),
                ],
                projectionType: i.projectionType ?? "ALL",
                nonKeyAttributes: i.nonKeyAttributes,
                readCapacity: provisioned ? min : undefined,
                writeCapacity: provisioned ? min : undefined,
            })),
            serverSideEncryption: { enabled: true, kmsKeyArn: args.kmsKeyArn },
            pointInTimeRecovery: { enabled: args.pointInTimeRecovery ?? true },
            deletionProtectionEnabled: deletionProtection,
            ttl: args.ttlAttribute ? { attributeName: args.ttlAttribute, enabled: true } : undefined,
            streamEnabled: args.streamViewType !== undefined || replicas.length > 0,
            streamViewType: args.streamViewType ?? (replicas.length ? "NEW_AND_OLD_IMAGES" : undefined),
            replicas: replicas.length ? replicas.map(r => ({
                regionName: r.region,
                kmsKeyArn: r.kmsKeyArn,
                pointInTimeRecovery: args.pointInTimeRecovery ?? true,
                deletionProtectionEnabled: deletionProtection,
                propagateTags: true,
            })) : undefined,
            tableClass: args.tableClass ?? "STANDARD",
            tags: (args.backup ?? true) ? { Backup: "daily" } : undefined,
        }, {
            parent: this,
            protect: args.protect ?? deletionProtection,
            // Auto scaling owns the capacity once provisioned.
            ignoreChanges: provisioned ? ["readCapacity", "writeCapacity", "globalSecondaryIndexes[*].readCapacity", "globalSecondaryIndexes[*].writeCapacity"] : [],
        });

        if (provisioned) {
            const targets: { id: string; resource: pulumi.Output<string>; kind: "table" | "index" }[] = [
                { id: "table", resource: pulumi.interpolate`table/${this.table.name}`, kind: "table" },
                ...indexes.map(i => ({ id: i.name, resource: pulumi.interpolate`table/${this.table.name}/index/${i.name}`, kind: "index" as const })),
            ];
            for (const t of targets) {
                for (const dim of ["Read", "Write"] as const) {
                    const target = new aws.appautoscaling.Target(`${name}-${t.id}-${dim.toLowerCase()}-target`, {
                        serviceNamespace: "dynamodb",
                        resourceId: t.resource,
                        scalableDimension: `dynamodb:${t.kind}:${dim}CapacityUnits`,
                        minCapacity: min,
                        maxCapacity: provisioned.maxCapacity ?? 100,
                    }, { parent: this });
                    new aws.appautoscaling.Policy(`${name}-${t.id}-${dim.toLowerCase()}-scaling`, {
                        policyType: "TargetTrackingScaling",
                        serviceNamespace: target.serviceNamespace,
                        resourceId: target.resourceId,
                        scalableDimension: target.scalableDimension,
                        targetTrackingScalingPolicyConfiguration: {
                            targetValue: provisioned.targetUtilization ?? 70,
                            predefinedMetricSpecification: { predefinedMetricType: `DynamoDB${dim}CapacityUtilization` },
                        },
                    }, { parent: this });
                }
            }
        }

        this.name = this.table.name;
        this.arn = this.table.arn;
        this.streamArn = this.table.streamArn;
        this.registerOutputs({ name: this.name, arn: this.arn, streamArn: this.streamArn });
    }

    /**
     * Least-privilege statements for this table and its indexes only: the DynamoDB actions of
     * the chosen access, and the key use DynamoDB needs on the caller's behalf.
     */
    public grantStatements(access: TableAccess): Statement[] {
        return this.grantActions(access === "read" ? READ_ACTIONS : access === "write" ? WRITE_ACTIONS : [...new Set([...READ_ACTIONS, ...WRITE_ACTIONS])], { indexes: access === "write" ? [] : "*", sidSuffix: `${access[0].toUpperCase()}${access.slice(1)}` });
    }

    /**
     * Exactly the DynamoDB actions a handler sends (tests/least-privilege checks them against the
     * commands recorded from the handlers), on the table and/or the named indexes, and the key use
     * DynamoDB needs on the caller's behalf (encrypt only when an action writes).
     */
    public grantActions(actions: DynamoDbAction[], scope: { table?: boolean; indexes?: string[] | "*"; sidSuffix?: string } = {}): Statement[] {
        const writes = actions.some(a => !READ_ACTIONS.includes(a));
        const resources: pulumi.Input<string>[] = [];
        if (scope.table ?? true) resources.push(this.arn);
        const indexes = scope.indexes ?? [];
        if (indexes === "*") resources.push(pulumi.interpolate`${this.arn}/index/*`);
        else for (const i of indexes) resources.push(pulumi.interpolate`${this.arn}/index/${i}`);
        const access = scope.sidSuffix ?? actions.map(a => a.replace("dynamodb:", "")).join("");
        return [
            { Sid: `${this.sid}${access}`.slice(0, 100), Effect: "Allow", Action: actions, Resource: resources },
            {
                Sid: `${this.sid}KeyViaDynamoDb`,
                Effect: "Allow",
                Action: writes ? ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"] : ["kms:Decrypt", "kms:DescribeKey"],
                Resource: this.kmsKeyArn,
                Condition: { StringEquals: { "kms:ViaService": pulumi.interpolate`dynamodb.${this.region}.amazonaws.com` } },
            },
        ];
    }
}
