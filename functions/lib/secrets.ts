/** Secrets Manager values read at run time and cached for a few minutes (never in environment variables). */
export type SecretFetcher = (secretId: string) => Promise<string>;

export function cachedSecrets(fetch: SecretFetcher, ttlMs = 5 * 60_000, now = () => Date.now()): SecretFetcher {
    const cache = new Map<string, { value: string; at: number }>();
    return async (secretId: string) => {
        const hit = cache.get(secretId);
        if (hit && now() - hit.at < ttlMs) return hit.value;
        const value = await fetch(secretId);
        cache.set(secretId, { value, at: now() });
        return value;
    };
}

/** The real fetcher: AWS SDK v3 Secrets Manager client, created on first use. */
export function secretsManagerFetcher(): SecretFetcher {
    let client: any;
    return async (secretId: string) => {
        const sm = await import("@aws-sdk/client-secrets-manager");
        client ??= new sm.SecretsManagerClient({});
        const out = await client.send(new sm.GetSecretValueCommand({ SecretId: secretId }));
        if (typeof out.SecretString !== "string" || out.SecretString === "") throw new Error(`secret ${secretId} has no value yet`);
        return out.SecretString;
    };
}
