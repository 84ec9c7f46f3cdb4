/**
 * Powertools for AWS Lambda (TypeScript) as every handler uses it: Logger (structured top-level
 * keys in Lambda's JSON log format), Metrics (Embedded Metric Format: CloudWatch extracts the
 * metrics from the log line, no metric filter), Idempotency on DynamoDB and Parameters for
 * secrets. Idempotency and Parameters load the AWS SDK, so they are imported on first use:
 * module initialisation (the cold start `npm run bench` measures) stays free of SDK loading.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";

export { MetricUnit };

/** The environment every handler reads Powertools settings from (set by ServiceFunction). */
export interface PowertoolsEnv {
    POWERTOOLS_SERVICE_NAME?: string;
    POWERTOOLS_METRICS_NAMESPACE?: string;
    IDEMPOTENCY_TABLE?: string;
}

/** A handler's logger and metrics; the service name is the EMF `service` dimension. */
export function observability(env: PowertoolsEnv, defaultService: string): { logger: Logger; metrics: Metrics } {
    const serviceName = env.POWERTOOLS_SERVICE_NAME ?? defaultService;
    return {
        logger: new Logger({ serviceName }),
        metrics: new Metrics({ serviceName, namespace: env.POWERTOOLS_METRICS_NAMESPACE ?? "AiNutritionist" }),
    };
}

/** Timeouts and bounded retries for an AWS SDK client (a call never outlives its caller's deadline). */
export function sdkConfig(requestTimeoutMs: number, maxAttempts = 2): { maxAttempts: number; requestHandler: { connectionTimeout: number; requestTimeout: number } } {
    return { maxAttempts, requestHandler: { connectionTimeout: Math.min(1000, requestTimeoutMs), requestTimeout: requestTimeoutMs } };
}

/** Secrets Manager values through Parameters: cached for five minutes per container. */
export function secretReader(maxAgeSeconds = 300): (secretId: string) => Promise<string> {
    let provider: Promise<any> | undefined;
    return async secretId => {
        provider ??= import("@aws-lambda-powertools/parameters/secrets").then(m => new m.SecretsProvider({ clientConfig: sdkConfig(1500, 2) }));
        const value = await (await provider).get(secretId, { maxAge: maxAgeSeconds });
        if (typeof value !== "string" || value === "") throw new Error(`secret ${secretId} has no value yet`);
        return value;
    };
}

export interface IdempotentOptions {
    /** Table of the idempotency records (hash key `id`, TTL attribute `expiration`). */
    tableName: string | undefined;
    /** JMESPath to the key inside the function's first argument. */
    keyPath: string;
    /** How long a completed record suppresses repeats. */
    expiresAfterSeconds: number;
}

export interface LambdaContextLike {
    getRemainingTimeInMillis(): number;
    awsRequestId?: string;
    functionName?: string;
}

/**
 * `fn` made idempotent with Powertools Idempotency on DynamoDB: the first call with a key runs
 * and its result is stored; a repeat (or a concurrent duplicate, which fails and is retried)
 * returns the stored result without running `fn` again. A failing `fn` deletes its record, so a
 * retry runs it again.
 */
export function idempotent<A extends Record<string, unknown>, R>(fn: (arg: A) => Promise<R>, o: IdempotentOptions): (arg: A, context?: LambdaContextLike) => Promise<R> {
    let wrapped: Promise<{ run: (arg: A) => Promise<R>; config: any }> | undefined;
    const load = () => wrapped ??= (async () => {
        if (!o.tableName) throw new Error("IDEMPOTENCY_TABLE is not set");
        const { makeIdempotent, IdempotencyConfig } = await import("@aws-lambda-powertools/idempotency");
        const { DynamoDBPersistenceLayer } = await import("@aws-lambda-powertools/idempotency/dynamodb");
        const config = new IdempotencyConfig({ eventKeyJmesPath: o.keyPath, expiresAfterSeconds: o.expiresAfterSeconds, throwOnNoIdempotencyKey: true });
        const persistenceStore = new DynamoDBPersistenceLayer({ tableName: o.tableName, clientConfig: sdkConfig(2000, 3) });
        return { run: makeIdempotent(fn, { persistenceStore, config }) as (arg: A) => Promise<R>, config };
    })().catch(e => {
        wrapped = undefined;
        throw e;
    });
    return async (arg, context) => {
        const { run, config } = await load();
        if (context) config.registerLambdaContext(context);
        return run(arg);
    };
}

/** Is this the error Powertools raises for a duplicate that is still being processed? */
export function isInProgress(e: unknown): boolean {
    return (e as Error)?.name === "IdempotencyAlreadyInProgressError";
}

/** Publish the invocation's metrics (one EMF line), if any were added. */
export function flushMetrics(metrics: Metrics): void {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
}
