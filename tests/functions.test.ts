import { createHmac } from "crypto";
import { expect } from "chai";
import { createBillingHandler, BillingEventRecord } from "../functions/billing";
import { createInboundHandler, hashPhone } from "../functions/inbound";
import { createSchedulerHandler } from "../functions/scheduler";
import { createWorker, toJob, WorkerDeps } from "../functions/worker";
import { Cache, normalisePrompt, promptKey } from "../functions/lib/cache";
import { ApiEvent } from "../functions/lib/http";
import { cachedSecrets } from "../functions/lib/secrets";
import { safeEqual, twilioSignature, verifyStripeSignature, verifyTwilioSignature } from "../functions/lib/signatures";

function quietly<T>(fn: () => Promise<T>): Promise<T> {
    const log = console.log;
    console.log = () => undefined;
    return fn().finally(() => { console.log = log; });
}

describe("functions", () => {
    describe("Twilio signature", () => {
        it("matches Twilio's documented example", () => {
            const params = { CallSid: "CA1234567890ABCDE", Caller: "+12349013030", Digits: "1234", From: "+12349013030", To: "+18005551212" };
            expect(twilioSignature("12345", "https://mycompany.com/myapp.php?foo=1&bar=2", params)).to.equal("0/KCTR6DLpKmkAf8muzZqo1nDgQ=");
        });
        it("rejects a tampered parameter, another URL, a missing signature and an empty token", () => {
            const params = { Body: "hi", From: "+15550001111" };
            const sig = twilioSignature("tok", "https://h/dev/webhooks/twilio/sms", params);
            expect(verifyTwilioSignature("tok", "https://h/dev/webhooks/twilio/sms", params, sig)).to.equal(true);
            expect(verifyTwilioSignature("tok", "https://h/dev/webhooks/twilio/sms", { ...params, Body: "hi!" }, sig)).to.equal(false);
            expect(verifyTwilioSignature("tok", "https://h/prod/webhooks/twilio/sms", params, sig)).to.equal(false);
            expect(verifyTwilioSignature("tok", "https://h/dev/webhooks/twilio/sms", params, undefined)).to.equal(false);
            expect(verifyTwilioSignature("", "https://h/dev/webhooks/twilio/sms", params, sig)).to.equal(false);
        });
        it("compares in constant time without throwing on different lengths", () => {
            expect(safeEqual("abc", "abcd")).to.equal(false);
            expect(safeEqual("abc", "abc")).to.equal(true);
        });
    });

    describe("inbound handler", () => {
        const url = "https://abc123.execute-api.us-east-1.amazonaws.com/dev/webhooks/twilio/sms";
        const params = { MessageSid: "SM1", From: "+15550001111", Body: "vegetarian dinner ideas?" };
        const body = new URLSearchParams(params).toString();
        const event = (signature: string | undefined, b = body, path = "/webhooks/twilio/sms"): ApiEvent => ({
            httpMethod: "POST", path, body: b,
            headers: { Host: "abc123.execute-api.us-east-1.amazonaws.com", "X-Twilio-Signature": signature },
            requestContext: { path: `/dev${path}`, requestId: "r1" },
        });
        const setup = () => {
            const queued: any[] = [];
            const handler = createInboundHandler({
                getSecret: async () => "auth-token",
                enqueue: async m => { queued.push(m); },
                env: { TWILIO_AUTH_TOKEN_SECRET_ARN: "arn:secret" },
            });
            return { queued, handler };
        };

        it("accepts a valid signature, enqueues the message and answers empty TwiML", async () => {
            const { queued, handler } = setup();
            const res = await quietly(() => handler(event(twilioSignature("auth-token", url, params))));
            expect(res.statusCode).to.equal(200);
            expect(res.headers!["content-type"]).to.equal("text/xml");
            expect(res.body).to.contain("<Response></Response>");
            expect(queued).to.have.length(1);
            expect(queued[0]).to.include({ type: "inbound-sms", body: "vegetarian dinner ideas?", userKey: hashPhone("+15550001111"), messageSid: "SM1" });
        });
        it("answers 403 to a forgery, a tampered body and a missing signature, and enqueues nothing", async () => {
            const { queued, handler } = setup();
            const good = twilioSignature("auth-token", url, params);
            for (const e of [event("forged"), event(good, body.replace("dinner", "lunch")), event(undefined)]) {
                expect((await quietly(() => handler(e))).statusCode).to.equal(403);
            }
            expect(queued).to.have.length(0);
        });
        it("logs failed deliveries from status callbacks as twilio_delivery_failed", async () => {
            const { handler } = setup();
            const status = { MessageSid: "SM2", MessageStatus: "undelivered", ErrorCode: "30003" };
            const statusUrl = url.replace("/sms", "/status");
            const lines: string[] = [];
            const log = console.log;
            console.log = (l: string) => lines.push(l);
            try {
                const res = await handler(event(twilioSignature("auth-token", statusUrl, status), new URLSearchParams(status).toString(), "/webhooks/twilio/status"));
                expect(res.statusCode).to.equal(200);
            } finally {
                console.log = log;
            }
            expect(lines.map(l => JSON.parse(l).event)).to.deep.equal(["twilio_delivery_failed"]);
        });
    });

    describe("Stripe signature and billing handler", () => {
        const secret = "whsec_test";
        const now = 1_800_000_000;
        const sign = (payload: string, t = now, s = secret) => `t=${t},v1=${createHmac("sha256", s).update(`${t}.${payload}`).digest("hex")}`;
        const payload = JSON.stringify({ id: "evt_1", type: "invoice.paid", created: now - 5, data: { object: { customer: "cus_9" } } });

        it("verifies timestamp and v1 signature within a five-minute tolerance", () => {
            expect(verifyStripeSignature(payload, sign(payload), secret, now)).to.deep.equal({ ok: true, timestamp: now });
            expect(verifyStripeSignature(payload + " ", sign(payload), secret, now)).to.deep.equal({ ok: false, reason: "mismatch" });
            expect(verifyStripeSignature(payload, sign(payload, now - 301), secret, now)).to.deep.equal({ ok: false, reason: "stale" });
            expect(verifyStripeSignature(payload, undefined, secret, now)).to.deep.equal({ ok: false, reason: "missing" });
            expect(verifyStripeSignature(payload, "v1=abc", secret, now)).to.deep.equal({ ok: false, reason: "malformed" });
            expect(verifyStripeSignature(payload, `${sign(payload)},v1=deadbeef`, secret, now).ok).to.equal(true);
        });

        const setup = () => {
            const table = new Map<string, BillingEventRecord>();
            const handler = createBillingHandler({
                getSecret: async () => secret,
                recordOnce: async r => {
                    if (table.has(r.eventId)) return false;
                    table.set(r.eventId, r);
                    return true;
                },
                now: () => now * 1000,
                env: { STRIPE_WEBHOOK_SECRET_ARN: "arn:secret" },
            });
            const event = (p: string, header?: string): ApiEvent => ({ httpMethod: "POST", path: "/webhooks/stripe", body: p, headers: { "Stripe-Signature": header } });
            return { table, handler, event };
        };

        it("records a valid event once; a redelivered event changes nothing and still gets 200", async () => {
            const { table, handler, event } = setup();
            const first = await quietly(() => handler(event(payload, sign(payload))));
            expect(first.statusCode).to.equal(200);
            expect(JSON.parse(first.body)).to.deep.equal({ received: true, duplicate: false });
            const stored = { ...table.get("evt_1")! };
            const again = await quietly(() => handler(event(payload, sign(payload))));
            expect(JSON.parse(again.body)).to.deep.equal({ received: true, duplicate: true });
            expect(table.size).to.equal(1);
            expect(table.get("evt_1")).to.deep.equal(stored);
            expect(stored).to.include({ customerId: "cus_9", type: "invoice.paid" });
        });
        it("rejects tampered, stale and unsigned events without recording them", async () => {
            const { table, handler, event } = setup();
            for (const e of [event(payload.replace("invoice.paid", "invoice.void"), sign(payload)), event(payload, sign(payload, now - 3600)), event(payload)]) {
                expect((await quietly(() => handler(e))).statusCode).to.equal(400);
            }
            expect(table.size).to.equal(0);
        });
    });

    describe("worker", () => {
        const memoryCache = (): Cache & { store: Map<string, { v: string; ttl: number }> } => {
            const store = new Map<string, { v: string; ttl: number }>();
            return { store, get: async k => store.get(k)?.v ?? null, set: async (k, v, ttl) => { store.set(k, { v, ttl }); } };
        };
        const deps = (over: Partial<WorkerDeps> = {}) => {
            const calls = { generate: 0, replies: [] as string[], saved: 0, channels: [] as string[] };
            const d: WorkerDeps = {
                cache: memoryCache(),
                generate: async p => { calls.generate++; return `plan for ${p}`; },
                saveConversation: async () => { calls.saved++; },
                saveMealPlan: async () => { calls.saved++; },
                reply: async (_to, body, channel) => { calls.replies.push(body); calls.channels.push(channel); },
                model: "model-x",
                ttlSeconds: 3600,
                ...over,
            };
            return { d, calls };
        };
        const msg = (id: string, body: string) => ({ messageId: id, body: JSON.stringify({ type: "inbound-sms", from: "+1555", userKey: "u1", body }) });

        it("keys the cache by a hash of the normalised prompt and model", () => {
            expect(normalisePrompt("  Vegetarian   DINNER ideas ")).to.equal("vegetarian dinner ideas");
            expect(promptKey("Vegetarian dinner ideas", "m")).to.equal(promptKey(" vegetarian  DINNER ideas", "m"));
            expect(promptKey("x", "m1")).not.to.equal(promptKey("x", "m2"));
            expect(promptKey("x", "m")).to.match(/^prompt:v1:[0-9a-f]{64}$/);
        });
        it("calls Bedrock on a miss and stores the answer with the TTL; a repeat is a cache hit", async () => {
            const { d, calls } = deps();
            const worker = createWorker(d);
            await quietly(() => worker({ Records: [msg("1", "Vegetarian dinner ideas")] }));
            await quietly(() => worker({ Records: [msg("2", "vegetarian  dinner IDEAS")] }));
            expect(calls.generate).to.equal(1);
            expect(calls.replies).to.deep.equal(["plan for Vegetarian dinner ideas", "plan for Vegetarian dinner ideas"]);
            const entries = [...(d.cache as any).store.values()];
            expect(entries).to.deep.equal([{ v: "plan for Vegetarian dinner ideas", ttl: 3600 }]);
        });
        it("reports only the failed records when Bedrock fails, so they return to the queue", async () => {
            const { d, calls } = deps({ generate: async p => { if (p.includes("boom")) throw new Error("ThrottlingException"); return "ok"; } });
            const res = await quietly(() => createWorker(d)({ Records: [msg("a", "fine"), msg("b", "boom"), { messageId: "c", body: "not json" }] }));
            expect(res.batchItemFailures).to.deep.equal([{ itemIdentifier: "b" }, { itemIdentifier: "c" }]);
            expect(calls.replies).to.deep.equal(["ok"]);
        });
        it("answers AWS End User Messaging two-way SMS (raw SNS delivery) over AWS SMS, Twilio messages over Twilio", async () => {
            const { d, calls } = deps();
            const eum = { originationNumber: "+15550009999", destinationNumber: "+18005550100", messageKeyword: "KEYWORD", messageBody: "High protein breakfast?", inboundMessageId: "in-1" };
            const res = await quietly(() => createWorker(d)({ Records: [{ messageId: "e", body: JSON.stringify(eum) }, msg("t", "hello")] }));
            expect(res.batchItemFailures).to.deep.equal([]);
            expect(calls.channels).to.deep.equal(["aws-sms", "twilio"]);
            expect(toJob(JSON.stringify(eum))).to.deep.include({ type: "inbound-sms", channel: "aws-sms", from: "+15550009999", body: "High protein breakfast?", userKey: hashPhone("+15550009999") });
        });
        it("still answers when Redis is down (the cache never fails a request)", async () => {
            const broken: Cache = { get: async () => { throw new Error("ECONNREFUSED"); }, set: async () => { throw new Error("ECONNREFUSED"); } };
            const { d, calls } = deps({ cache: broken });
            const res = await quietly(() => createWorker(d)({ Records: [msg("1", "hi")] }));
            expect(res.batchItemFailures).to.deep.equal([]);
            expect(calls.generate).to.equal(1);
        });
    });

    describe("scheduler", () => {
        it("enqueues one job per due user, in batches of ten", async () => {
            const batches: any[][] = [];
            const users = Array.from({ length: 23 }, (_, i) => `u${i}`);
            const handler = createSchedulerHandler({ dueUsers: async () => users, enqueueBatch: async m => { batches.push(m); }, now: () => new Date("2026-11-25T06:00:00Z") });
            const res = await quietly(() => handler({ kind: "daily-meal-plan" }));
            expect(res.enqueued).to.equal(23);
            expect(batches.map(b => b.length)).to.deep.equal([10, 10, 3]);
            expect(batches[0][0]).to.deep.equal({ type: "meal-plan", userId: "u0", scheduledAt: "2026-11-25T06:00:00.000Z" });
        });
        it("rejects an unknown schedule kind", async () => {
            const handler = createSchedulerHandler({ dueUsers: async () => [], enqueueBatch: async () => undefined, now: () => new Date() });
            let err: unknown;
            try { await handler({ kind: "hourly" } as any); } catch (e) { err = e; }
            expect(String(err)).to.contain("unknown schedule kind hourly");
        });
    });

    it("caches secrets for a few minutes", async () => {
        let fetches = 0;
        let t = 0;
        const get = cachedSecrets(async id => { fetches++; return `v-${id}`; }, 1000, () => t);
        await get("a"); await get("a"); t = 999; await get("a");
        expect(fetches).to.equal(1);
        t = 1001; await get("a");
        expect(fetches).to.equal(2);
    });
});

describe("function bundles", () => {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { bundleHandler } = require("../components/function-bundle");
    for (const name of ["inbound", "billing", "worker", "scheduler"]) {
        it(`${name} bundles on its own within the 250 KB budget, exporting handler, with the AWS SDK left to the runtime`, () => {
            const { code, bytes } = bundleHandler(name);
            expect(bytes).to.be.below(250 * 1024);
            expect(code).to.match(/@aws-sdk\/client-|handler/);
            const mod: any = { exports: {} };
            new Function("module", "exports", "require", code)(mod, mod.exports, require);
            expect(mod.exports.handler).to.be.a("function");
        });
    }
});
