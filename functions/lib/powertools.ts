/**
 * Powertools for AWS Lambda (TypeScript) as every handler uses it: Logger (structured top-level
 * keys in Lambda's JSON log format), Metrics (Embedded Metric Format: CloudWatch extracts the
 * metrics from the log line, no metric filter), Idempotency on DynamoDB and Parameters for
 * secrets. Idempotency and Parameters load the AWS SDK, so they are imported on first use:
 * module initialisation (the cold start `npm run bench` measures) stays free of SDK loading.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { client, Deadlines } from "./aws";

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

/** Secrets Manager: 700 ms per attempt, two attempts (GetSecretValue is a read: retrying is safe). */
export const SECRETS_DEADLINES: Deadlines = { attemptMs: 700, maxAttempts: 2 };
/** The idempotency table: 700 ms per attempt, two attempts (conditional writes: a retry cannot apply twice). */
export const IDEMPOTENCY_DEADLINES: Deadlines = { attemptMs: 700, maxAttempts: 2 };

/**
 * The DynamoDB client for the idempotency table's own items (send records, run progress), made on first
 * use with the idempotency deadlines; fails when IDEMPOTENCY_TABLE is not set.
 */
export function idempotencyTableClient(tableName: string | undefined): () => Promise<{ m: typeof import("@aws-sdk/client-dynamodb"); c: any }> {
    let ddbClient: any;
    return async () => {
        if (!tableName) throw new Error("IDEMPOTENCY_TABLE is not set");
        const m = await import("@aws-sdk/client-dynamodb");
        ddbClient ??= client(m.DynamoDBClient, IDEMPOTENCY_DEADLINES);
        return { m, c: ddbClient };
    };
}

/**
 * Secrets Manager values through Parameters: cached for five minutes per container. The client is
 * ours (deadlines per attempt, lib/aws.ts), so a silent Secrets Manager fails within
 * SECRETS_DEADLINES instead of waiting for the function timeout.
 */
export function secretReader(maxAgeSeconds = 300, deadlines: Deadlines = SECRETS_DEADLINES): (secretId: string) => Promise<string> {
    let provider: Promise<any> | undefined;
    return async secretId => {
        provider ??= (async () => {
            const [{ SecretsProvider }, { SecretsManagerClient }] = await Promise.all([import("@aws-lambda-powertools/parameters/secrets"), import("@aws-sdk/client-secrets-manager")]);
            return new SecretsProvider({ awsSdkV3Client: client(SecretsManagerClient, deadlines) });
        })().catch(e => {
            provider = undefined;
            throw e;
        });
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
    /**
     * How long an unfinished record ("in progress") keeps a repeat away, in seconds. Defaults to the
     * invocation's remaining time (Powertools' default). For a queue consumer, set it longer than the
     * queue's visibility timeout (a redelivery must not start while the first run may still be going)
     * and shorter than visibility timeout × (maxReceiveCount − 1) (a crashed run is retried before
     * the message reaches the DLQ).
     */
    inProgressSeconds?: number;
}

/** What an idempotent call returned, and whether this call ran it (false: a stored result from an earlier call). */
export interface Outcome<R> {
    result: R;
    fresh: boolean;
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
 * retry runs it again. `fresh` tells the caller whether this call ran `fn` (count things once).
 */
export function idempotentOutcome<A extends Record<string, unknown>, R>(fn: (arg: A) => Promise<R>, o: IdempotentOptions): (arg: A, context?: LambdaContextLike) => Promise<Outcome<R>> {
    // The arguments `fn` ran with in this container: Powertools calls `fn` with the caller's own object.
    const ran = new WeakSet<object>();
    const tracked = async (arg: A) => {
        ran.add(arg);
        return fn(arg);
    };
    let wrapped: Promise<{ run: (arg: A) => Promise<R>; config: any }> | undefined;
    const load = () => wrapped ??= (async () => {
        if (!o.tableName) throw new Error("IDEMPOTENCY_TABLE is not set");
        const { makeIdempotent, IdempotencyConfig } = await import("@aws-lambda-powertools/idempotency");
        const { DynamoDBPersistenceLayer } = await import("@aws-lambda-powertools/idempotency/dynamodb");
        const { DynamoDBClient } = await import("@aws-sdk/client-dynamodb");
        const config = new IdempotencyConfig({ eventKeyJmesPath: o.keyPath, expiresAfterSeconds: o.expiresAfterSeconds, throwOnNoIdempotencyKey: true });
        const persistenceStore = new DynamoDBPersistenceLayer({ tableName: o.tableName, awsSdkV3Client: client(DynamoDBClient, IDEMPOTENCY_DEADLINES) });
        return { run: makeIdempotent(tracked, { persistenceStore, config }) as (arg: A) => Promise<R>, config };
    })().catch(e => {
        wrapped = undefined;
        throw e;
    });
    return async (arg, context) => {
        const { run, config } = await load();
        // Powertools sets the in-progress expiry from the registered context's remaining time.
        if (o.inProgressSeconds !== undefined) config.registerLambdaContext({ ...context, getRemainingTimeInMillis: () => o.inProgressSeconds! * 1000 });
        else if (context) config.registerLambdaContext(context);
        const result = await run(arg);
        const fresh = ran.has(arg);
        ran.delete(arg);
        return { result, fresh };
    };
}

/** `idempotentOutcome` for callers that only need the result. */
export function idempotent<A extends Record<string, unknown>, R>(fn: (arg: A) => Promise<R>, o: IdempotentOptions): (arg: A, context?: LambdaContextLike) => Promise<R> {
    const run = idempotentOutcome(fn, o);
    return async (arg, context) => (await run(arg, context)).result;
}

/** Is this the error Powertools raises for a duplicate that is still being processed? */
export function isInProgress(e: unknown): boolean {
    return (e as Error)?.name === "IdempotencyAlreadyInProgressError";
}

/** Publish the invocation's metrics (one EMF line), if any were added. */
export function flushMetrics(metrics: Metrics): void {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
}
