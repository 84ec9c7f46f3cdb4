import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { EncryptedQueue } from "./encrypted-queue";
import { EncryptedTable } from "./encrypted-table";
import { assumeRolePolicy, policyDocument } from "./iam";
import { FunctionLogs, ServiceFunction } from "./service-function";
import { IDEMPOTENCY_ACTIONS } from "./cached-lambda-api";
import { SCHEDULER_RESERVED_CONCURRENCY } from "./concurrency";

export interface MealPlanSchedulesArgs {
    /** Key ARNs: data (function environment), messaging (queues). */
    keys: { data: pulumi.Input<string>; messaging: pulumi.Input<string> };
    /** Log group key, retention and name prefix of the scheduler function. */
    logs: FunctionLogs;
    /** Lambda instruction set. Defaults to "arm64". */
    architecture?: "arm64" | "x86_64";
    /** Users table (index byPlanStatus) and the work queue the jobs go to. */
    users: EncryptedTable;
    /** Powertools Idempotency table (a retried run enqueues nothing twice). */
    idempotency: EncryptedTable;
    /** CloudWatch namespace of the function's Embedded Metric Format metrics. */
    metricsNamespace: string;
    /** The work queue the jobs go to. */
    queue: EncryptedQueue;
    /** Queue for failed asynchronous invocations of the function. */
    failureQueue: EncryptedQueue;
    /** Private subnets and security groups of the function. Defaults to outside a VPC. */
    vpc?: { subnetIds: pulumi.Input<string[]>; securityGroupIds: pulumi.Input<string>[] };
    /** Daily meal-plan schedule. Defaults to "cron(0 6 * * ? *)" (06:00 UTC). */
    dailyExpression?: string;
    /** Weekly summary schedule. Defaults to "cron(0 17 ? * SUN *)" (Sunday 17:00 UTC). */
    weeklyExpression?: string;
    /** Time zone of both expressions. Defaults to "UTC". */
    timezone?: string;
}

/**
 * EventBridge Scheduler for the daily meal plans and the weekly summary: a schedule group, a
 * role that may invoke only the scheduler function and write only its DLQ, retries, and a DLQ
 * for invocations that still fail.
 */
export class MealPlanSchedules extends pulumi.ComponentResource {
    public readonly function: ServiceFunction;
    public readonly deadLetterQueue: EncryptedQueue;
    public readonly scheduleNames: pulumi.Output<string>[];

    constructor(name: string, args: MealPlanSchedulesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ai-nutritionist:scheduling:MealPlanSchedules", name, {}, opts);
        const child = { parent: this };

        this.function = new ServiceFunction(`${name}-function`, {
            handler: "scheduler",
            description: "Scheduler target: enqueue one meal-plan job per due user",
            architecture: args.architecture,
            timeout: 120,
            reservedConcurrency: SCHEDULER_RESERVED_CONCURRENCY,
            environmentKmsKeyArn: args.keys.data,
            logs: args.logs,
            vpc: args.vpc,
            metricsNamespace: args.metricsNamespace,
            environment: { USERS_TABLE: args.users.name, QUEUE_URL: args.queue.url, IDEMPOTENCY_TABLE: args.idempotency.name },
            statements: [
                // One query on one index: the due users (functions/scheduler.ts).
                ...args.users.grantActions(["dynamodb:Query"], { table: false, indexes: ["byPlanStatus"] }),
                ...args.idempotency.grantActions(IDEMPOTENCY_ACTIONS),
                { Sid: "EnqueueJobs", Effect: "Allow", Action: "sqs:SendMessage", Resource: args.queue.arn },
                { Sid: "EncryptJobs", Effect: "Allow", Action: ["kms:GenerateDataKey", "kms:Decrypt"], Resource: args.keys.messaging },
            ],
            onFailure: { queueArn: args.failureQueue.arn, kmsKeyArn: args.keys.messaging },
        }, child);

        this.deadLetterQueue = new EncryptedQueue(`${name}-dlq`, {
            kmsKeyArn: args.keys.messaging,
            deadLetterQueue: false,
            messageRetentionSeconds: 14 * 86400,
        }, child);

        const role = new aws.iam.Role(`${name}-role`, {
            assumeRolePolicy: assumeRolePolicy("scheduler.amazonaws.com"),
            description: "EventBridge Scheduler: invoke the scheduler function, dead-letter failures",
        }, child);
        new aws.iam.RolePolicy(`${name}-role-policy`, {
            role: role.id,
            policy: policyDocument([
                { Sid: "InvokeTarget", Effect: "Allow", Action: "lambda:InvokeFunction", Resource: [this.function.arn, pulumi.interpolate`${this.function.arn}:*`] },
                { Sid: "DeadLetter", Effect: "Allow", Action: "sqs:SendMessage", Resource: this.deadLetterQueue.arn },
                { Sid: "DeadLetterKey", Effect: "Allow", Action: ["kms:GenerateDataKey", "kms:Decrypt"], Resource: args.keys.messaging },
            ]),
        }, child);

        const group = new aws.scheduler.ScheduleGroup(`${name}-group`, {}, child);
        const schedule = (id: string, expression: string, kind: string, description: string) => new aws.scheduler.Schedule(`${name}-${id}`, {
            description,
            groupName: group.name,
            scheduleExpression: expression,
            scheduleExpressionTimezone: args.timezone ?? "UTC",
            flexibleTimeWindow: { mode: "FLEXIBLE", maximumWindowInMinutes: 15 },
            target: {
                arn: this.function.arn,
                roleArn: role.arn,
                // Scheduler substitutes the scheduled time (unchanged on its retries): the run id of functions/scheduler.ts.
                input: JSON.stringify({ kind, scheduledTime: "<aws.scheduler.scheduled-time>" }),
                retryPolicy: { maximumEventAgeInSeconds: 3600, maximumRetryAttempts: 3 },
                deadLetterConfig: { arn: this.deadLetterQueue.arn },
            },
        }, child);
        this.scheduleNames = [
            schedule("daily-meal-plans", args.dailyExpression ?? "cron(0 6 * * ? *)", "daily-meal-plan", "Daily meal-plan generation").name,
            schedule("weekly-summary", args.weeklyExpression ?? "cron(0 17 ? * SUN *)", "weekly-summary", "Weekly nutrition summary").name,
        ];
        this.registerOutputs({ functionName: this.function.name, deadLetterQueueArn: this.deadLetterQueue.arn });
    }
}
