import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { handlerArchive, NODE_RUNTIME } from "./function-bundle";
import { assumeRolePolicy, policyDocument, Statement } from "./iam";
import { encryptedLogGroup } from "./log-group";
import { assertValidArgs } from "./validation";

export interface FunctionLogs {
    /** Key of the log group. */
    kmsKeyArn: pulumi.Input<string>;
    /** Retention in days (a value CloudWatch Logs accepts). */
    retentionInDays: number;
    /** Log-group name prefix admitted by the logs key, e.g. `/ai-nutritionist/prod/`. */
    namePrefix: string;
}

export interface ServiceFunctionArgs {
    /** Handler module in functions/ (bundled on its own), e.g. "inbound". */
    handler: string;
    /** What the function does (also the role's description). */
    description: string;
    /** Instruction set. Defaults to "arm64" (Graviton). */
    architecture?: "arm64" | "x86_64";
    /** Memory in MB. Defaults to 512. */
    memorySize?: number;
    /** Timeout in seconds. Defaults to 10. */
    timeout?: number;
    /** Reserved concurrency; -1 leaves the function unreserved. Defaults to -1. */
    reservedConcurrency?: number;
    /** CloudWatch namespace of the handler's Embedded Metric Format metrics (POWERTOOLS_METRICS_NAMESPACE); the `service` dimension is the handler name. */
    metricsNamespace: string;
    /** Environment variables: names and ARNs only, never secret values. Defaults to none. */
    environment?: Record<string, pulumi.Input<string>>;
    /** Key that encrypts the environment variables. */
    environmentKmsKeyArn: pulumi.Input<string>;
    /** Log group key, retention and name prefix. */
    logs: FunctionLogs;
    /** Private subnets and security groups when the function runs in the VPC. Defaults to outside a VPC. */
    vpc?: { subnetIds: pulumi.Input<string[]>; securityGroupIds: pulumi.Input<string>[] };
    /** The function's own permissions, beyond logs, tracing, VPC and its failure queue. */
    statements: Statement[];
    /** Queue that receives failed asynchronous invocations (and its key). Defaults to none. */
    onFailure?: { queueArn: pulumi.Input<string>; kmsKeyArn: pulumi.Input<string> };
    /** Active X-Ray tracing. Defaults to true. */
    tracing?: boolean;
}

/**
 * EC2 actions of the AWS managed policy AWSLambdaVPCAccessExecutionRole, which Lambda needs to
 * manage a VPC function's network interfaces (ec2:DescribeSubnets included).
 * https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSLambdaVPCAccessExecutionRole.html
 */
export const VPC_ACCESS_ACTIONS = [
    "ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets", "ec2:DeleteNetworkInterface",
    "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses",
] as const;

const FORBIDDEN_ENV = /secret|token|password|api_?key/i;

/** Pure validation; returns every problem. */
export function validateServiceFunctionArgs(args: ServiceFunctionArgs): string[] {
    const p: string[] = [];
    for (const k of Object.keys(args.environment ?? {})) {
        if (FORBIDDEN_ENV.test(k) && !k.endsWith("_ARN")) p.push(`environment variable ${k} looks like a secret; pass a Secrets Manager ARN (name ending _ARN) instead`);
    }
    const memory = args.memorySize ?? 512;
    if (memory < 128 || memory > 10240) p.push(`memorySize must be 128-10240 (got ${memory})`);
    const timeout = args.timeout ?? 10;
    if (timeout < 1 || timeout > 900) p.push(`timeout must be 1-900 (got ${timeout})`);
    for (const s of args.statements) {
        const actions = ([] as string[]).concat(s.Action);
        const resources = ([] as unknown[]).concat(s.Resource ?? []);
        if (s.Effect === "Allow" && actions.includes("*") && resources.includes("*")) p.push("a statement allows * on *");
    }
    return p;
}

/**
 * One Lambda function with its own least-privilege role, a KMS-encrypted JSON log group with a
 * retention, X-Ray tracing, an encrypted environment, optional VPC placement, reserved
 * concurrency, and an on-failure destination for asynchronous invocations.
 */
export class ServiceFunction extends pulumi.ComponentResource {
    public readonly function: aws.lambda.Function;
    public readonly role: aws.iam.Role;
    public readonly logGroup: aws.cloudwatch.LogGroup;
    public readonly name: pulumi.Output<string>;
    public readonly arn: pulumi.Output<string>;
    public readonly timeout: number;
    /** POWERTOOLS_SERVICE_NAME: the `service` dimension of the handler's metrics and the `service` key of its logs. */
    public readonly serviceName: string;

    constructor(name: string, args: ServiceFunctionArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ai-nutritionist:compute:ServiceFunction", name, {}, opts);
        const problems = validateServiceFunctionArgs(args);
        assertValidArgs(name, problems, this);
        this.timeout = args.timeout ?? 10;
        this.serviceName = args.handler;

        this.logGroup = encryptedLogGroup(`${name}-logs`, {
            namePrefix: `${args.logs.namePrefix}lambda/${args.handler}-`,
            kmsKeyArn: args.logs.kmsKeyArn,
            retentionInDays: args.logs.retentionInDays,
        }, { parent: this });

        this.role = new aws.iam.Role(`${name}-role`, {
            assumeRolePolicy: assumeRolePolicy("lambda.amazonaws.com"),
            description: `${args.description} (function role)`,
        }, { parent: this });

        // No kms:Decrypt for the environment: Lambda decrypts it through a grant it creates for this role.
        const statements: Statement[] = [
            { Sid: "WriteOwnLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: pulumi.interpolate`${this.logGroup.arn}:*` },
            ...args.statements,
        ];
        if (args.tracing ?? true) {
            // X-Ray has no resource-level permissions: these two actions need "*".
            statements.push({ Sid: "Tracing", Effect: "Allow", Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], Resource: "*" });
        }
        if (args.vpc) {
            // ENI management for VPC placement: the EC2 actions of AWS's AWSLambdaVPCAccessExecutionRole
            // (no resource-level permissions, so "*"). VPC_ACCESS_ACTIONS says where they come from.
            statements.push({ Sid: "VpcNetworkInterfaces", Effect: "Allow", Action: [...VPC_ACCESS_ACTIONS], Resource: "*" });
        }
        if (args.onFailure) {
            statements.push({ Sid: "SendFailedInvocations", Effect: "Allow", Action: "sqs:SendMessage", Resource: args.onFailure.queueArn });
            statements.push({ Sid: "EncryptFailedInvocations", Effect: "Allow", Action: ["kms:GenerateDataKey", "kms:Decrypt"], Resource: args.onFailure.kmsKeyArn });
        }
        const policy = new aws.iam.RolePolicy(`${name}-policy`, { role: this.role.id, policy: policyDocument(statements) }, { parent: this });

        this.function = new aws.lambda.Function(`${name}-function`, {
            description: args.description,
            runtime: NODE_RUNTIME,
            architectures: [args.architecture ?? "arm64"],
            handler: "index.handler",
            code: handlerArchive(args.handler),
            role: this.role.arn,
            memorySize: args.memorySize ?? 512,
            timeout: this.timeout,
            reservedConcurrentExecutions: args.reservedConcurrency ?? -1,
            kmsKeyArn: args.environmentKmsKeyArn,
            environment: { variables: { ...args.environment, POWERTOOLS_SERVICE_NAME: this.serviceName, POWERTOOLS_METRICS_NAMESPACE: args.metricsNamespace } },
            tracingConfig: { mode: (args.tracing ?? true) ? "Active" : "PassThrough" },
            loggingConfig: { logFormat: "JSON", logGroup: this.logGroup.name, applicationLogLevel: "INFO", systemLogLevel: "WARN" },
            vpcConfig: args.vpc ? { subnetIds: args.vpc.subnetIds, securityGroupIds: args.vpc.securityGroupIds } : undefined,
        }, { parent: this, dependsOn: [policy] });

        if (args.onFailure) {
            new aws.lambda.FunctionEventInvokeConfig(`${name}-async`, {
                functionName: this.function.name,
                maximumRetryAttempts: 2,
                maximumEventAgeInSeconds: 3600,
                destinationConfig: { onFailure: { destination: args.onFailure.queueArn } },
            }, { parent: this });
        }

        this.name = this.function.name;
        this.arn = this.function.arn;
        this.registerOutputs({ name: this.name, arn: this.arn, roleArn: this.role.arn, logGroupName: this.logGroup.name });
    }
}
