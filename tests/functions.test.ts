/** Pure pieces of the handlers (signatures, cache keys, job parsing) and the bundles' budget. The handlers themselves run against real engines in handlers.test.ts. */
import { expect } from "chai";
import { hashPhone } from "../functions/inbound";
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

describe("function bundles", () => {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { bundleHandler } = require("../components/function-bundle");
    for (const name of ["inbound", "billing", "worker", "scheduler"]) {
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
