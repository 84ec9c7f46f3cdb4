/**
 * Pure pieces of the handlers (signatures, cache keys, job parsing, SMS segments, the SDK deadline
 * wrapper, the prompt budget) and the bundles' budget. The handlers themselves run against real
 * engines in handlers.test.ts.
 */
import * as http from "http";
import { expect } from "chai";
import { hashPhone, routePath } from "../functions/inbound";
import { comparableBody, parseReply } from "../functions/sender";
import { client, deadline, neverSent, withDeadlines } from "../functions/lib/aws";
import { estimateTokens, MAX_OUTPUT_TOKENS, SMS_MAX_SEGMENTS, SYSTEM_PROMPT } from "../functions/lib/prompt";
import { countSegments, CUT_MARK, encodingOf, fitSms } from "../functions/lib/sms";
import { toJob, weekStart } from "../functions/worker";
import { cacheAside, normalisePrompt, promptKey } from "../functions/lib/cache";
import { encodeCommand } from "../functions/lib/redis";
import { portVariants, safeEqual, twilioSignature, verifyTwilioSignature } from "../functions/lib/signatures";

describe("functions", () => {
    describe("Twilio signature", () => {
        it("matches Twilio's documented example", () => {
            const params = { CallSid: "CA1234567890ABCDE", Caller: "+12349013030", Digits: "1234", From: "+12349013030", To: "+18005551212" };
            expect(twilioSignature("12345", "https://mycompany.com/myapp.php?foo=1&bar=2", params)).to.equal("0/KCTR6DLpKmkAf8muzZqo1nDgQ=");
        });
        it("rejects a tampered parameter, another URL, a missing signature and an empty token", () => {
            const params = { Body: "hi", From: "+15550001111" };
            const urls = ["https://h/dev/webhooks/twilio/sms"];
            const sig = twilioSignature("tok", urls[0], params);
            expect(verifyTwilioSignature("tok", urls, params, sig)).to.equal(true);
            expect(verifyTwilioSignature("tok", urls, { ...params, Body: "hi!" }, sig)).to.equal(false);
            expect(verifyTwilioSignature("tok", ["https://h/prod/webhooks/twilio/sms"], params, sig)).to.equal(false);
            expect(verifyTwilioSignature("tok", urls, params, undefined)).to.equal(false);
            expect(verifyTwilioSignature("", urls, params, sig)).to.equal(false);
        });
        it("tries the URL with and without the scheme's default port", () => {
            expect(portVariants("https://h/p?q=1")).to.deep.equal(["https://h/p?q=1", "https://h:443/p?q=1"]);
            expect(portVariants("https://h:443/p")).to.deep.equal(["https://h/p", "https://h:443/p"]);
            expect(portVariants("https://h:8443/p")).to.deep.equal(["https://h:8443/p", "https://h/p", "https://h:443/p"]);
        });
        it("compares in constant time without throwing on different lengths", () => {
            expect(safeEqual("abc", "abcd")).to.equal(false);
            expect(safeEqual("abc", "abc")).to.equal(true);
        });
    });

    describe("cache and jobs", () => {
        it("keys the cache by a hash of the normalised prompt and model", () => {
            expect(normalisePrompt("  Vegetarian   DINNER ideas ")).to.equal("vegetarian dinner ideas");
            expect(promptKey("Vegetarian dinner ideas", "m")).to.equal(promptKey(" vegetarian  DINNER ideas", "m"));
            expect(promptKey("x", "m1")).not.to.equal(promptKey("x", "m2"));
            expect(promptKey("x", "m")).to.match(/^prompt:v1:[0-9a-f]{64}$/);
        });
        it("falls back to the model when the cache throws, and does not write back after a failed read", async () => {
            let sets = 0;
            const broken = { get: async () => { throw new Error("ECONNREFUSED"); }, set: async () => { sets++; } };
            const answer = await cacheAside(broken, "hi", "m", 60, async p => `gen ${p}`);
            expect(answer).to.deep.equal({ text: "gen hi", cached: false, lookup: "error" });
            expect(sets).to.equal(0);
        });
        it("frames Redis commands as RESP arrays of bulk strings (byte lengths)", () => {
            expect(encodeCommand(["SET", "k", "é"]).toString()).to.equal("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\né\r\n");
        });
        it("turns queue messages into jobs with a stable key: Twilio MessageSid, AWS SMS message id, run + user", () => {
            const eum = { originationNumber: "+15550009999", destinationNumber: "+18005550100", messageKeyword: "KEYWORD", messageBody: "High protein breakfast?", inboundMessageId: "in-1" };
            expect(toJob({ messageId: "m", body: JSON.stringify(eum), attributes: { SentTimestamp: "1764000000000" } })).to.deep.include({
                key: "sms:aws-sms:in-1", channel: "aws-sms", from: "+15550009999", userKey: hashPhone("+15550009999"), receivedAt: "2025-11-24T16:00:00.000Z",
            });
            expect(toJob({ messageId: "m", body: JSON.stringify({ type: "inbound-sms", messageSid: "SM1", from: "+1", body: "x" }) }).key).to.equal("sms:twilio:SM1");
            expect(toJob({ messageId: "m", body: JSON.stringify({ type: "weekly-summary", userId: "u1", runId: "r1", scheduledAt: "2026-11-29T17:00:00Z" }) }).key).to.equal("weekly-summary:r1:u1");
            expect(() => toJob({ messageId: "m", body: JSON.stringify({ type: "hourly" }) })).to.throw("unknown job type hourly");
            expect(() => toJob({ messageId: "m", body: "not json" })).to.throw();
            expect(weekStart("2026-11-29T17:00:00Z")).to.equal("2026-11-23");
        });
    });
});

describe("SMS segments and the cut (GSM 03.38, Twilio's segment rules)", () => {
    it("counts GSM-7 septets (extension characters two) and UCS-2 code units (emoji two), 160/153 and 70/67 per segment", () => {
        expect(countSegments("a".repeat(160))).to.deep.equal({ encoding: "GSM-7", units: 160, segments: 1 });
        expect(countSegments("a".repeat(161))).to.deep.equal({ encoding: "GSM-7", units: 161, segments: 2 });
        expect(countSegments("€".repeat(80))).to.deep.equal({ encoding: "GSM-7", units: 160, segments: 1 });
        expect(countSegments("{".repeat(81)).segments).to.equal(2);
        expect(countSegments("é£¥ÄÖÑÜ§¿àΔΦ").encoding).to.equal("GSM-7");
        expect(countSegments("a".repeat(70) + "ç").encoding, "ç is not in the default alphabet (Ç is)").to.equal("UCS-2");
        expect(countSegments("😀".repeat(35))).to.deep.equal({ encoding: "UCS-2", units: 70, segments: 1 });
        expect(countSegments("😀".repeat(36))).to.deep.equal({ encoding: "UCS-2", units: 72, segments: 2 });
        // 152 septets then an escape pair: the pair moves whole to the second segment.
        expect(countSegments("a".repeat(152) + "€" + "a".repeat(152)).segments).to.equal(3);
        // 66 units then a surrogate pair: the pair moves whole to the second segment.
        expect(countSegments("a".repeat(66) + "😀" + "a".repeat(66)).segments).to.equal(3);
        expect(encodingOf("plain text")).to.equal("GSM-7");
    });
    it("leaves a reply that fits alone, and cuts a long one at a word within the budget", () => {
        expect(fitSms("  Eat more greens.  ", 3)).to.equal("Eat more greens.");
        const long = "Lentils are cheap, filling and rich in protein. ".repeat(20);
        const cut = fitSms(long, 3);
        expect(countSegments(cut)).to.deep.include({ encoding: "GSM-7", segments: 3 });
        expect(long.startsWith(cut.slice(0, -CUT_MARK.length))).to.equal(true);
        expect(cut.slice(0, -CUT_MARK.length)).to.match(/\S$/);
        expect(long[cut.length - CUT_MARK.length], "cut after a whole word (trailing punctuation dropped)").to.match(/[\s,.]/);
    });
    it("never splits a surrogate pair, an emoji sequence or an escape pair; UCS-2 and GSM-7 budgets both hold", () => {
        const family = "👨‍👩‍👧";
        for (const unit of ["🥗 salad ", `${family} meal `, "🥑", "é€{}[]~ ", "x€"]) {
            const text = unit.repeat(200);
            const cut = fitSms(text, SMS_MAX_SEGMENTS);
            const enc = encodingOf(text);
            expect(countSegments(cut, enc).segments, unit).to.be.at.most(SMS_MAX_SEGMENTS);
            expect(cut, `${unit}: no lone surrogate`).to.not.match(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
            expect(cut.endsWith(CUT_MARK)).to.equal(true);
            const head = cut.slice(0, -CUT_MARK.length);
            expect(text.startsWith(head), unit).to.equal(true);
            if (unit.includes(family)) expect(head.endsWith(family) || head.endsWith("meal"), "the family emoji stays whole").to.equal(true);
            // Close to the budget: at most one unit (plus the word backed over) short of it.
            expect(countSegments(cut, enc).units).to.be.greaterThan((SMS_MAX_SEGMENTS - 1) * (enc === "GSM-7" ? 153 : 67));
        }
    });
});

describe("deadlines on AWS SDK clients, whatever SDK line the runtime ships", () => {
    let server: http.Server;
    let endpoint: string;
    let requests = 0;
    before(async () => {
        server = http.createServer(() => { requests++; /* never answers */ });
        await new Promise<void>(r => server.listen(0, "127.0.0.1", () => r()));
        endpoint = `http://127.0.0.1:${(server.address() as any).port}`;
    });
    after(() => { server.closeAllConnections(); server.close(); });
    const options = () => ({ endpoint, region: "us-east-1", credentials: { accessKeyId: "a", secretAccessKey: "b" } });
    const timed = async (p: Promise<unknown>) => {
        const t0 = Date.now();
        const e: any = await p.then(() => undefined, x => x);
        return { e, ms: Date.now() - t0 };
    };

    it("a stalled call fails at its per-attempt deadlines even where requestTimeout only warns (an SDK line without throwOnRequestTimeout)", async () => {
        const { SQSClient, SendMessageCommand } = await import("@aws-sdk/client-sqs");
        requests = 0;
        // As the older line is configured: requestTimeout alone, which @smithy/node-http-handler only logs.
        const old = withDeadlines(new SQSClient({ ...options(), maxAttempts: 2, requestHandler: { requestTimeout: 300 } as any, logger: { debug() {}, info() {}, warn() {}, error() {} } as any }), { attemptMs: 300, maxAttempts: 2 });
        const { e, ms } = await timed(old.send(new SendMessageCommand({ QueueUrl: `${endpoint}/1/q`, MessageBody: "x" })));
        expect(e?.name).to.equal("TimeoutError");
        expect(requests, "the timeout is retried as transient").to.equal(2);
        expect(ms).to.be.within(550, 1200);
        old.destroy();
    });
    it("without the wrapper the same client is still waiting at that point (what the functions did before)", async () => {
        const { SQSClient, SendMessageCommand } = await import("@aws-sdk/client-sqs");
        const bare = new SQSClient({ ...options(), maxAttempts: 1, requestHandler: { requestTimeout: 300 } as any, logger: { debug() {}, info() {}, warn() {}, error() {} } as any });
        const outcome = await Promise.race([
            bare.send(new SendMessageCommand({ QueueUrl: `${endpoint}/1/q`, MessageBody: "x" }), { abortSignal: deadline(1500) }).then(() => "answered", (x: any) => `failed ${x?.name}`),
            new Promise(r => setTimeout(() => r("still waiting"), 1200)),
        ]);
        expect(outcome).to.equal("still waiting");
        bare.destroy();
    });
    it("client(): throwOnRequestTimeout asked for, the per-attempt abort in place, and a per-call deadline caps all attempts", async () => {
        const { DynamoDBClient, GetItemCommand } = await import("@aws-sdk/client-dynamodb");
        const c = client(DynamoDBClient, { attemptMs: 400, maxAttempts: 5 }, options());
        const { e, ms } = await timed(c.send(new GetItemCommand({ TableName: "t", Key: { id: { S: "x" } } }), { abortSignal: deadline(1000) }));
        expect(e).to.be.an("error");
        expect(ms).to.be.within(950, 1400);
        c.destroy();
    });
    it("tells a request that never left (connection refused) from one that may have arrived", () => {
        expect(neverSent(Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" }))).to.equal(true);
        expect(neverSent(new TypeError("fetch failed", { cause: Object.assign(new Error("x"), { code: "ECONNREFUSED" }) }))).to.equal(true);
        expect(neverSent(Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }))).to.equal(false);
        expect(neverSent(Object.assign(new Error("aborted"), { name: "AbortError" }))).to.equal(false);
    });
});

describe("routing, outbox messages, the prompt budget", () => {
    it("routes on the path without trailing slashes", () => {
        expect(routePath("/webhooks/twilio/status/")).to.equal("/webhooks/twilio/status");
        expect(routePath("/webhooks/twilio/status//")).to.equal("/webhooks/twilio/status");
        expect(routePath("/")).to.equal("/");
    });
    it("reads outbox replies and refuses anything else", () => {
        const r = { type: "reply", key: "sms:twilio:SM1", channel: "twilio", to: "+15550001111", body: "hi" };
        expect(parseReply(JSON.stringify(r))).to.deep.equal(r);
        for (const bad of [{ ...r, channel: "email" }, { ...r, key: "" }, { ...r, type: "inbound-sms" }]) expect(() => parseReply(JSON.stringify(bad))).to.throw("not an outbox reply");
    });
    it("compares a body with Twilio's copy through typographic quotes, dashes and whitespace", () => {
        expect(comparableBody("It\u2019s \u201Cfine\u201D \u2014 really\u2026")).to.equal(comparableBody("It's \"fine\" - really..."));
        expect(comparableBody("a  b\n")).to.equal("a b");
    });
    it("sizes the answer budget for SMS: the system prompt is short and maxTokens covers the segment budget with headroom", () => {
        expect(estimateTokens("abcd")).to.equal(1);
        expect(estimateTokens("abcde")).to.equal(2);
        expect(estimateTokens(SYSTEM_PROMPT)).to.be.below(100);
        expect(SYSTEM_PROMPT).to.contain(String(SMS_MAX_SEGMENTS * 153));
        expect(MAX_OUTPUT_TOKENS).to.be.at.least(estimateTokens("x".repeat(SMS_MAX_SEGMENTS * 153)));
        expect(MAX_OUTPUT_TOKENS).to.be.at.most(2 * estimateTokens("x".repeat(SMS_MAX_SEGMENTS * 153)));
    });
});

describe("function bundles", () => {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { bundleHandler } = require("../components/function-bundle");
    for (const name of ["inbound", "billing", "worker", "scheduler", "sender"]) {
        it(`${name} bundles on its own within the 150 KB budget, exporting handler, with the AWS SDK left to the runtime`, () => {
            const { code, bytes } = bundleHandler(name);
            expect(bytes).to.be.at.most(150 * 1024);
            expect(code).to.contain("@aws-sdk/client-");
            const mod: any = { exports: {} };
            new Function("module", "exports", "require", code)(mod, mod.exports, require);
            expect(mod.exports.handler).to.be.a("function");
        });
    }
});
