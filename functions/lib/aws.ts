/**
 * Deadlines for AWS SDK v3 clients that hold whatever SDK the Lambda runtime ships.
 *
 * The SDK's own `requestTimeout` only throws where the runtime's `@smithy/node-http-handler` knows
 * `throwOnRequestTimeout` (older lines log a warning and keep waiting), so it is asked for but not
 * relied on: every client made here has its request handler wrapped so that each attempt runs
 * under an abort signal of its own. Every line of the v3 handler honours `abortSignal` (it destroys
 * the socket), so a stalled attempt ends at its deadline on any runtime. The attempt fails with a
 * `TimeoutError`, which the SDK's retry strategy treats as transient: reads are retried within
 * `maxAttempts`; calls that must not be repeated are made with `maxAttempts: 1`. Callers add a
 * per-call `abortSignal` (`deadline(ms)`) to cap all attempts together.
 */

/** How one client's calls are bounded. */
export interface Deadlines {
    /** Most time one attempt (connect, send, answer) may take, in ms. */
    attemptMs: number;
    /** Attempts per call, the first included. 1 turns the SDK's retries off. */
    maxAttempts: number;
    /** Most time to establish the connection, in ms. Defaults to min(1000, attemptMs). */
    connectMs?: number;
}

/** The error an attempt ends with at its deadline (the SDK retries it as transient). */
export class AttemptTimeout extends Error {
    constructor(ms: number) {
        super(`AWS request exceeded its ${ms} ms deadline`);
        this.name = "TimeoutError";
    }
}

/** Client configuration with the deadlines (pass to `new XClient(...)`, then `withDeadlines`). */
export function sdkConfig(d: Deadlines): { maxAttempts: number; requestHandler: { connectionTimeout: number; requestTimeout: number; throwOnRequestTimeout: boolean } } {
    return {
        maxAttempts: d.maxAttempts,
        requestHandler: { connectionTimeout: d.connectMs ?? Math.min(1000, d.attemptMs), requestTimeout: d.attemptMs, throwOnRequestTimeout: true },
    };
}

interface HandlerLike {
    handle(request: unknown, options?: { abortSignal?: AbortSignal; [k: string]: unknown }): Promise<unknown>;
}

/**
 * The client with every attempt bounded by `attemptMs` through an abort signal, independent of the
 * SDK version. Returns the same client (its `config.requestHandler` is wrapped once).
 */
export function withDeadlines<C extends { config: any }>(client: C, d: Deadlines): C {
    const inner = client.config.requestHandler as HandlerLike & { __deadlineMs?: number };
    if (!inner || inner.__deadlineMs !== undefined) return client;
    const wrapped = Object.create(inner) as HandlerLike & { __deadlineMs?: number };
    wrapped.__deadlineMs = d.attemptMs;
    wrapped.handle = (request, options = {}) => {
        const own = new AbortController();
        const timeout = new AttemptTimeout(d.attemptMs);
        const timer = setTimeout(() => own.abort(timeout), d.attemptMs);
        const signal = options.abortSignal ? AbortSignal.any([options.abortSignal, own.signal]) : own.signal;
        return inner.handle.call(inner, request, { ...options, abortSignal: signal }).then(
            out => { clearTimeout(timer); return out; },
            e => {
                clearTimeout(timer);
                throw own.signal.aborted && !options.abortSignal?.aborted ? timeout : e;
            },
        );
    };
    client.config.requestHandler = wrapped;
    return client;
}

/** Make an SDK client with the deadlines applied both ways (configuration and wrapped handler). */
export function client<C extends { config: any }, O extends object>(Ctor: new (config: any) => C, d: Deadlines, extra: O = {} as O): C {
    return withDeadlines(new Ctor({ ...sdkConfig(d), ...extra }), d);
}

/** An abort signal for one call, all attempts included; combined with the caller's signal if given. */
export function deadline(ms: number, outer?: AbortSignal): AbortSignal {
    const own = AbortSignal.timeout(Math.max(1, ms));
    return outer ? AbortSignal.any([outer, own]) : own;
}

/**
 * Could the request have reached the service? False only when it certainly did not: the
 * connection was refused or never established, or the name did not resolve. Everything else
 * (a reset after sending, a timeout while waiting for the answer, a 5xx) is ambiguous.
 */
export function neverSent(e: unknown): boolean {
    const codes = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "UND_ERR_CONNECT_TIMEOUT"]);
    for (let x: any = e, depth = 0; x && depth < 4; x = x.cause, depth++) {
        if (codes.has(x.code) || codes.has(x.errno)) return true;
        if (typeof x.message === "string" && /without establishing a connection|connect ECONNREFUSED/.test(x.message)) return true;
    }
    return false;
}

/** The HTTP status an SDK service error came with, if it came with one. */
export function httpStatus(e: unknown): number | undefined {
    const s = (e as any)?.$metadata?.httpStatusCode ?? (e as any)?.$response?.statusCode;
    return typeof s === "number" ? s : undefined;
}
