/** Cache-aside for Bedrock answers: key = hash of the normalised prompt and the model. */
import { createHash } from "crypto";
import type { ConnectionOptions } from "tls";
import type { RedisConnection } from "./redis";

export interface Cache {
    get(key: string): Promise<string | null>;
    set(key: string, value: string, ttlSeconds: number): Promise<void>;
}

/** What a cache lookup did, for the CacheHits / CacheMisses / CacheErrors metrics. */
export type CacheOutcome = "hit" | "miss" | "error" | "skipped";

export function normalisePrompt(prompt: string): string {
    return prompt.normalize("NFKC").toLowerCase().replace(/\s+/g, " ").trim();
}

export function promptKey(prompt: string, model: string): string {
    return `prompt:v1:${createHash("sha256").update(`${model}\n${normalisePrompt(prompt)}`).digest("hex")}`;
}

export interface CachedAnswer {
    text: string;
    cached: boolean;
    /** What the lookup did; "skipped" when there is no cache or its breaker is open. */
    lookup: CacheOutcome;
}

/** A generated answer and whether it may be served to others: an answer cut at the model's token limit may not. */
export interface Generated {
    text: string;
    cacheable: boolean;
}

/**
 * Look the prompt up first; on a miss generate, store with the TTL and return. A broken or slow
 * cache never fails the request: its errors count as a miss and the answer comes from `generate`.
 * Only complete answers are stored (`cacheable`); a failed `generate` stores nothing.
 */
export async function cacheAside(cache: Cache | undefined, prompt: string, model: string, ttlSeconds: number, generate: (p: string) => Promise<string | Generated>, onError: (e: unknown) => void = () => undefined): Promise<CachedAnswer> {
    const key = promptKey(prompt, model);
    let lookup: CacheOutcome = "skipped";
    if (cache) {
        try {
            const hit = await cache.get(key);
            if (hit !== null) return { text: hit, cached: true, lookup: "hit" };
            lookup = "miss";
        } catch (e) {
            if (e instanceof CacheSkipped) {
                lookup = "skipped";
            } else {
                lookup = "error";
                onError(e);
            }
        }
    }
    const out = await generate(prompt);
    const { text, cacheable } = typeof out === "string" ? { text: out, cacheable: true } : out;
    if (cache && lookup === "miss" && cacheable) {
        try {
            await cache.set(key, text, ttlSeconds);
        } catch (e) {
            onError(e);
        }
    }
    return { text, cached: false, lookup };
}

export interface RedisCacheOptions {
    host: string;
    port: number;
    /** The AUTH token, read when a connection is made. */
    getToken: () => Promise<string>;
    /** Deadline for TCP + TLS + AUTH, in ms. Defaults to 300. */
    connectTimeoutMs?: number;
    /** Deadline for each GET/SET, in ms. Defaults to 150. */
    commandTimeoutMs?: number;
    /** After a failure the cache is skipped for this long (ms), so a dead Redis costs one timeout per container, not one per record. Defaults to 30000. */
    breakerMs?: number;
    /** Extra TLS options (tests pass their CA). Defaults to none. */
    tls?: ConnectionOptions;
    now?: () => number;
}

/** A cache that refuses at once while its breaker is open. */
export class CacheSkipped extends Error {
    constructor() {
        super("cache skipped: Redis failed recently");
        this.name = "CacheSkipped";
    }
}

/**
 * Redis (ElastiCache, TLS and AUTH token) as a Cache: one connection per container, reused;
 * closed on any error or timeout; while the breaker is open every call fails at once.
 */
export function redisCache(o: RedisCacheOptions): Cache & { close(): void; connections(): number } {
    const now = o.now ?? (() => Date.now());
    let conn: RedisConnection | undefined;
    let opened = 0;
    let brokenUntil = 0;
    const connect = async (): Promise<RedisConnection> => {
        if (now() < brokenUntil) throw new CacheSkipped();
        if (conn && !conn.closed) return conn;
        // Loaded on first use: node:tls costs ~8 ms of CPU at init, and stacks without Redis never need it.
        const { RedisConnection } = await import("./redis");
        const c = new RedisConnection({ host: o.host, port: o.port, password: await o.getToken(), tls: o.tls, connectTimeoutMs: o.connectTimeoutMs, commandTimeoutMs: o.commandTimeoutMs });
        opened++;
        conn = c;
        await c.ready;
        return c;
    };
    const run = async (args: string[]) => {
        try {
            return await (await connect()).command(args);
        } catch (e) {
            if (!(e instanceof CacheSkipped)) {
                conn?.close();
                conn = undefined;
                brokenUntil = now() + (o.breakerMs ?? 30_000);
            }
            throw e;
        }
    };
    return {
        async get(key) {
            const v = await run(["GET", key]);
            return v === null || v === undefined ? null : String(v);
        },
        async set(key, value, ttlSeconds) {
            await run(["SET", key, value, "EX", String(ttlSeconds)]);
        },
        close() {
            conn?.close();
            conn = undefined;
        },
        connections: () => opened,
    };
}
