/** Cache-aside for Bedrock answers: key = hash of the normalised prompt. */
import { createHash } from "crypto";

export interface Cache {
    get(key: string): Promise<string | null>;
    set(key: string, value: string, ttlSeconds: number): Promise<void>;
}

export function normalisePrompt(prompt: string): string {
    return prompt.normalize("NFKC").toLowerCase().replace(/\s+/g, " ").trim();
}

export function promptKey(prompt: string, model: string): string {
    return `prompt:v1:${createHash("sha256").update(`${model}\n${normalisePrompt(prompt)}`).digest("hex")}`;
}

export interface CachedAnswer {
    text: string;
    cached: boolean;
}

/** Look the prompt up first; on a miss generate, store with the TTL and return. A broken cache never fails the request. */
export async function cacheAside(cache: Cache | undefined, prompt: string, model: string, ttlSeconds: number, generate: (p: string) => Promise<string>): Promise<CachedAnswer> {
    const key = promptKey(prompt, model);
    if (cache) {
        try {
            const hit = await cache.get(key);
            if (hit !== null) return { text: hit, cached: true };
        } catch (e: any) {
            console.log(JSON.stringify({ event: "cache_unavailable", error: String(e?.message ?? e) }));
        }
    }
    const text = await generate(prompt);
    if (cache) {
        try {
            await cache.set(key, text, ttlSeconds);
        } catch (e: any) {
            console.log(JSON.stringify({ event: "cache_unavailable", error: String(e?.message ?? e) }));
        }
    }
    return { text, cached: false };
}

/** Redis (ElastiCache, TLS and AUTH token) as a Cache; connects on first use. */
export function redisCache(endpoint: string, port: number, getToken: () => Promise<string>): Cache {
    let client: Promise<any> | undefined;
    const connect = () => client ??= (async () => {
        const { default: Redis } = await import("ioredis");
        const c = new Redis({ host: endpoint, port, password: await getToken(), tls: {}, lazyConnect: true, connectTimeout: 2000, maxRetriesPerRequest: 1 });
        c.on("error", (e: Error) => console.log(JSON.stringify({ event: "cache_error", error: e.message })));
        await c.connect();
        return c;
    })().catch(e => {
        client = undefined;
        throw e;
    });
    return {
        async get(key) {
            return (await connect()).get(key);
        },
        async set(key, value, ttlSeconds) {
            await (await connect()).set(key, value, "EX", ttlSeconds);
        },
    };
}
