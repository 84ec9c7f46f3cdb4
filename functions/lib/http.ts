/** Minimal API Gateway (REST, proxy integration) types and helpers. */
export interface ApiEvent {
    httpMethod: string;
    path: string;
    headers: Record<string, string | undefined> | null;
    body: string | null;
    isBase64Encoded?: boolean;
    /** Query string as API Gateway decoded it, every value of a repeated key (REST proxy events carry no raw query string). */
    multiValueQueryStringParameters?: Record<string, string[] | undefined> | null;
    queryStringParameters?: Record<string, string | undefined> | null;
    requestContext?: { path?: string; stage?: string; domainName?: string; requestId?: string };
}

export interface ApiResult {
    statusCode: number;
    headers?: Record<string, string>;
    body: string;
}

export function header(event: ApiEvent, name: string): string | undefined {
    const wanted = name.toLowerCase();
    for (const [k, v] of Object.entries(event.headers ?? {})) if (k.toLowerCase() === wanted) return v ?? undefined;
    return undefined;
}

export function rawBody(event: ApiEvent): string {
    if (!event.body) return "";
    return event.isBase64Encoded ? Buffer.from(event.body, "base64").toString("utf8") : event.body;
}

/** The query pairs in order, every value of a repeated key. */
function queryPairs(event: ApiEvent): [string, string][] {
    const multi = event.multiValueQueryStringParameters;
    if (multi) return Object.entries(multi).flatMap(([k, vs]) => (vs ?? []).map(v => [k, v] as [string, string]));
    return Object.entries(event.queryStringParameters ?? {}).filter((e): e is [string, string] => e[1] !== undefined);
}

/**
 * The public URLs the caller may have used (what Twilio signs): https://host/stage/path plus the
 * query string. API Gateway hands the query decoded, so it is re-encoded both the WHATWG way
 * (`+` for spaces) and the RFC 3986 way (`%20`); the verifier accepts either.
 */
export function publicUrls(event: ApiEvent): string[] {
    const host = header(event, "host") ?? event.requestContext?.domainName ?? "";
    const path = event.requestContext?.path ?? event.path;
    const base = `https://${host}${path}`;
    const pairs = queryPairs(event);
    if (pairs.length === 0) return [base];
    const whatwg = new URLSearchParams(pairs).toString();
    const rfc3986 = pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&");
    return [...new Set([`${base}?${whatwg}`, `${base}?${rfc3986}`])];
}

/** Form parameters with every value of a repeated key (Twilio signs them all). */
export function formParams(body: string): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const [k, v] of new URLSearchParams(body)) (out[k] ??= []).push(v);
    return out;
}

/** The first value of a form parameter. */
export function first(params: Record<string, string[]>, key: string): string | undefined {
    return params[key]?.[0];
}

export function json(statusCode: number, body: unknown): ApiResult {
    return { statusCode, headers: { "content-type": "application/json" }, body: JSON.stringify(body) };
}
