/** Webhook signature checks: Twilio (HMAC-SHA1) and Stripe (HMAC-SHA256 with a timestamp). */
import { createHmac, timingSafeEqual } from "crypto";

/** Constant-time comparison of two strings (false, not an exception, when lengths differ). */
export function safeEqual(a: string, b: string): boolean {
    const x = Buffer.from(a, "utf8");
    const y = Buffer.from(b, "utf8");
    if (x.length !== y.length) {
        // Compare anyway so the time taken does not reveal where the strings differ.
        timingSafeEqual(x, x);
        return false;
    }
    return timingSafeEqual(x, y);
}

/**
 * Twilio's request signature: base64(HMAC-SHA1(authToken, url + each POST parameter's name and
 * value, parameters sorted by name; a repeated name contributes each distinct value, sorted)).
 * https://www.twilio.com/docs/usage/security#validating-requests and twilio-node's
 * `getExpectedTwilioSignature` (the tests use it as the oracle).
 */
export function twilioSignature(authToken: string, url: string, params: Record<string, string | string[]>): string {
    const data = Object.keys(params).sort().reduce((acc, k) => {
        const v = params[k];
        return acc + (Array.isArray(v) ? [...new Set(v)].sort().map(x => k + x).join("") : k + v);
    }, url);
    return createHmac("sha1", authToken).update(Buffer.from(data, "utf8")).digest("base64");
}

/** The URL with and without the scheme's default port: Twilio may sign either form (twilio-node tries both). */
export function portVariants(url: string): string[] {
    const m = /^(https?):\/\/([^/?#:]+)(:\d+)?(.*)$/i.exec(url);
    if (!m) return [url];
    const [, scheme, host, port, rest] = m;
    const standard = scheme.toLowerCase() === "https" ? ":443" : ":80";
    const variants = [`${scheme}://${host}${rest}`, `${scheme}://${host}${standard}${rest}`];
    if (port && port !== standard) variants.unshift(url);
    return variants;
}

/** Valid when the signature matches any candidate URL (query encodings) in either port form. */
export function verifyTwilioSignature(authToken: string, urls: string[], params: Record<string, string | string[]>, signature: string | undefined): boolean {
    if (!signature || !authToken) return false;
    let ok = false;
    // Check every candidate (no early exit), so the time taken does not depend on which one matched.
    for (const url of urls) for (const candidate of portVariants(url)) ok = safeEqual(twilioSignature(authToken, candidate, params), signature) || ok;
    return ok;
}

export type StripeVerdict = { ok: true; timestamp: number } | { ok: false; reason: "missing" | "malformed" | "stale" | "mismatch" };

/**
 * Stripe's `Stripe-Signature` header: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.payload">[,v1=…]`.
 * Valid when one v1 matches and the timestamp is within the tolerance (default 300 s).
 */
export function verifyStripeSignature(payload: string, header: string | undefined, secret: string, nowSeconds: number, toleranceSeconds = 300): StripeVerdict {
    if (!header || !secret) return { ok: false, reason: "missing" };
    let timestamp: number | undefined;
    const v1: string[] = [];
    for (const part of header.split(",")) {
        const [k, v] = part.split("=", 2).map(s => s?.trim());
        if (k === "t" && v && /^\d+$/.test(v)) timestamp = Number(v);
        else if (k === "v1" && v) v1.push(v);
    }
    if (timestamp === undefined || v1.length === 0) return { ok: false, reason: "malformed" };
    const expected = createHmac("sha256", secret).update(`${timestamp}.${payload}`, "utf8").digest("hex");
    if (!v1.some(sig => safeEqual(sig, expected))) return { ok: false, reason: "mismatch" };
    if (Math.abs(nowSeconds - timestamp) > toleranceSeconds) return { ok: false, reason: "stale" };
    return { ok: true, timestamp };
}
