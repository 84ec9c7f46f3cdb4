/** Minimal API Gateway (REST, proxy integration) types and helpers. */
export interface ApiEvent {
    httpMethod: string;
    path: string;
    headers: Record<string, string | undefined> | null;
    body: string | null;
    isBase64Encoded?: boolean;
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

/** The public URL the caller used (what Twilio signs): https://host/stage/path. */
export function publicUrl(event: ApiEvent): string {
    const host = header(event, "host") ?? event.requestContext?.domainName ?? "";
    const path = event.requestContext?.path ?? event.path;
    return `https://${host}${path}`;
}

export function formParams(body: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of new URLSearchParams(body)) out[k] = v;
    return out;
}

export function json(statusCode: number, body: unknown): ApiResult {
    return { statusCode, headers: { "content-type": "application/json" }, body: JSON.stringify(body) };
}

/** One structured log line (JSON log format); metric filters match on `event`. */
export function log(event: string, fields: Record<string, unknown> = {}): void {
    console.log(JSON.stringify({ event, ...fields }));
}
