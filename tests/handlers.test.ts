/**
 * The four handlers with their real dependencies, against real engines (tests/support/engines.ts):
 * redis-server with TLS and AUTH, dynalite behind every table call, the real AWS SDK v3 clients
 * talking to a recording fake AWS endpoint, Twilio's and Stripe's official packages as signers.
 * Each handler runs with the environment its function gets in the dev plan, against the plan's
 * tables. The recordings then feed two plan checks at the end: every custom metric an alarm or
 * dashboard reads is one the handlers emit (EMF captured here), and every AWS command each
 * handler sends is allowed on the plan's exact ARNs while the writes it does not send are denied.
 */
import { expect } from "chai";
import { runSimulation } from "@cloud-copilot/iam-simulate";
import { one, ofType, planStack } from "./harness";
import { blackHole, Call, captureOutput, createTable, emfMetrics, fakeAws, FakeAws, freePort, redisEngine } from "./support/engines";
import { ApiEvent, publicUrls } from "../functions/lib/http";
import { twilioSignature, verifyStripeSignature, verifyTwilioSignature } from "../functions/lib/signatures";
import { redisCache } from "../functions/lib/cache";
import { SECRETS_DEADLINES, secretReader } from "../functions/lib/powertools";
import { billingDeps, createBillingHandler, LEDGER_CALL_MS, MAX_INLINE_PAYLOAD_BYTES } from "../functions/billing";
import { createInboundHandler, inboundDeps, SQS_CALL_MS } from "../functions/inbound";
import { createSchedulerHandler, schedulerDeps } from "../functions/scheduler";
import { createSender, SenderDeps, senderDeps } from "../functions/sender";
import { createWorker, DATA_DEADLINES, JOB_IN_PROGRESS_SECONDS, NO_TEXT_REPLY, OutboxReply, SqsEvent, workerDeps } from "../functions/worker";
import { MAX_OUTPUT_TOKENS, SMS_MAX_SEGMENTS, SYSTEM_PROMPT } from "../functions/lib/prompt";
import { countSegments, CUT_MARK } from "../functions/lib/sms";
import type { Plan } from "../engine/planner";
// eslint-disable-next-line @typescript-eslint/no-var-requires
const twilio = require("twilio");
// eslint-disable-next-line @typescript-eslint/no-var-requires
const Stripe = require("stripe");

type Emitted = { namespace: string; metricName: string; dimensions: Record<string, string>; value: number };
/** Everything the handlers emitted and sent in this file, per service (POWERTOOLS_SERVICE_NAME). */
const emitted: Emitted[] = [];
const sent = new Map<string, Call[]>();

const AUTH_TOKEN = "twilio-auth-token";
const STRIPE_SECRET = "whsec_test_secret";
const HOST = "abc123.execute-api.us-east-1.amazonaws.com";

let plan: Plan;
let aws: FakeAws;
const envOf = (service: string): Record<string, string> => {
    const fn = ofType(plan, "aws:lambda/function:Function").find(f => f.inputs.environment?.variables?.POWERTOOLS_SERVICE_NAME === service);
    if (!fn) throw new Error(`no function with service ${service} in the plan`);
    return { ...fn.inputs.environment.variables };
};
const context = (ms = 60_000) => {
    const end = Date.now() + ms;
    return { getRemainingTimeInMillis: () => end - Date.now(), awsRequestId: "req-1", functionName: "fn" };
};
/** Run a handler, keeping its EMF metrics and the AWS calls it made. */
async function run<T>(service: string, fn: () => Promise<T>): Promise<{ result: T; metrics: Emitted[]; calls: Call[] }> {
    const from = aws.calls.length;
    const { result, emf } = await captureOutput(fn);
    const metrics = emfMetrics(emf);
    emitted.push(...metrics);
    const calls = aws.calls.slice(from);
    sent.set(service, [...(sent.get(service) ?? []), ...calls]);
    return { result, metrics, calls };
}
const count = (metrics: Emitted[], name: string) => metrics.filter(m => m.metricName === name).reduce((a, m) => a + m.value, 0);
/** An End User Messaging number and configuration set for the AWS SMS sends (the dev stack has none). */
const SMS_ENV = { SMS_ORIGINATION_IDENTITY: "arn:aws:sms-voice:us-east-1:123456789012:phone-number/phone-1", SMS_CONFIGURATION_SET: "config-set" };
let sids = 0;
const sid = () => `SM${Date.now().toString(16)}${(++sids).toString().padStart(6, "0")}`;

describe("handlers against real engines", function () {
    this.timeout(60_000);

    before(async () => {
        plan = await planStack("dev");
        aws = await fakeAws();
        for (const t of ofType(plan, "aws:dynamodb/table:Table")) await createTable(aws.endpoint, t.outputs!.name, t.inputs);
        aws.secrets.set(envOf("inbound").TWILIO_AUTH_TOKEN_SECRET_ARN, AUTH_TOKEN);
        aws.secrets.set(envOf("billing").STRIPE_WEBHOOK_SECRET_ARN, STRIPE_SECRET);
    });
    beforeEach(() => aws.reset());

    describe("Twilio signatures (twilio.getExpectedTwilioSignature signs, twilio.validateRequest is the oracle)", () => {
        const params = { MessageSid: "SM1", From: "+15550001111", Body: "vegetarian dinner ideas?" };
        const event = (over: Partial<ApiEvent> = {}): ApiEvent => ({
            httpMethod: "POST", path: "/webhooks/twilio/sms", body: null, headers: { Host: HOST },
            requestContext: { path: "/dev/webhooks/twilio/sms" }, ...over,
        });
        const cases: { name: string; url: string; event: ApiEvent; params: Record<string, string | string[]> }[] = [
            { name: "plain URL", url: `https://${HOST}/dev/webhooks/twilio/sms`, event: event(), params },
            {
                name: "URL with a query string",
                url: `https://${HOST}/dev/webhooks/twilio/sms?tenant=a%20b&x=1&x=2`,
                event: event({ multiValueQueryStringParameters: { tenant: ["a b"], x: ["1", "2"] } }),
                params,
            },
            { name: "repeated form keys", url: `https://${HOST}/dev/webhooks/twilio/sms`, event: event(), params: { ...params, MediaUrl0: ["https://m/2", "https://m/1"] } },
            { name: "signature over the :443 form", url: `https://${HOST}:443/dev/webhooks/twilio/sms`, event: event(), params },
        ];
        for (const c of cases) {
            it(`accepts a valid signature: ${c.name}, as twilio.validateRequest does`, () => {
                const signature = twilio.getExpectedTwilioSignature(AUTH_TOKEN, c.url, c.params);
                const served = publicUrls(c.event);
                expect(twilio.validateRequest(AUTH_TOKEN, signature, served[0], c.params), "oracle").to.equal(true);
                expect(verifyTwilioSignature(AUTH_TOKEN, served, c.params, signature)).to.equal(true);
                expect(twilioSignature(AUTH_TOKEN, c.url, c.params)).to.equal(signature);
                expect(verifyTwilioSignature(AUTH_TOKEN, served, { ...c.params, Body: "tampered" }, signature)).to.equal(false);
                expect(verifyTwilioSignature("other-token", served, c.params, signature)).to.equal(false);
            });
        }
        it("refuses a signature made for another path or query", () => {
            const signature = twilio.getExpectedTwilioSignature(AUTH_TOKEN, `https://${HOST}/dev/webhooks/twilio/sms?x=2`, params);
            const served = publicUrls(event({ multiValueQueryStringParameters: { x: ["1"] } }));
            expect(twilio.validateRequest(AUTH_TOKEN, signature, served[0], params)).to.equal(false);
            expect(verifyTwilioSignature(AUTH_TOKEN, served, params, signature)).to.equal(false);
        });
    });

    describe("Stripe signatures (stripe.webhooks signs and is the oracle)", () => {
        const stripe = new Stripe("sk_test_x");
        const payload = JSON.stringify({ id: "evt_sig", type: "invoice.paid", created: 1_800_000_000, data: { object: { customer: "cus_1" } } });
        it("agrees with stripe.webhooks.constructEvent on valid, tampered, stale and multi-v1 headers", () => {
            const now = Math.floor(Date.now() / 1000);
            const good = stripe.webhooks.generateTestHeaderString({ payload, secret: STRIPE_SECRET, timestamp: now });
            const stale = stripe.webhooks.generateTestHeaderString({ payload, secret: STRIPE_SECRET, timestamp: now - 301 });
            const oracle = (p: string, h: string) => { try { stripe.webhooks.constructEvent(p, h, STRIPE_SECRET, 300); return true; } catch { return false; } };
            for (const [p, h] of [[payload, good], [payload + " ", good], [payload, stale], [payload, `${good},v1=${"0".repeat(64)}`], [payload, "v1=abc"]]) {
                expect(verifyStripeSignature(p, h, STRIPE_SECRET, now).ok, h).to.equal(oracle(p, h));
            }
        });
    });

    describe("inbound", () => {
        const url = `https://${HOST}/dev/webhooks/twilio/sms`;
        const request = (params: Record<string, string>, signature?: string, path = "/webhooks/twilio/sms"): ApiEvent => ({
            httpMethod: "POST", path, body: new URLSearchParams(params).toString(),
            headers: { Host: HOST, "X-Twilio-Signature": signature ?? twilio.getExpectedTwilioSignature(AUTH_TOKEN, `https://${HOST}/dev${path}`, params) },
            requestContext: { path: `/dev${path}`, requestId: "r1" },
        });
        const handler = () => createInboundHandler(inboundDeps(envOf("inbound")));
        const queued = () => [...aws.queues.get(envOf("inbound").QUEUE_URL)?.values() ?? []];

        it("records a message once, acknowledges with empty TwiML, and acknowledges a redelivery without a second job", async () => {
            const h = handler();
            const params = { MessageSid: sid(), From: "+15550001111", Body: "vegetarian dinner ideas?" };
            const first = await run("inbound", () => h(request(params), context()));
            expect(first.result.statusCode).to.equal(200);
            expect(first.result.body).to.contain("<Response></Response>");
            const again = await run("inbound", () => h(request(params), context()));
            expect(again.result.statusCode).to.equal(200);
            expect(queued()).to.have.length(1);
            expect(JSON.parse(queued()[0].body)).to.include({ type: "inbound-sms", messageSid: params.MessageSid, body: params.Body, numMedia: 0 });
        });
        it("answers 403 to a forgery and counts it (TwilioSignatureFailures)", async () => {
            const { result, metrics } = await run("inbound", () => handler()(request({ MessageSid: sid(), From: "+1555", Body: "x" }, "forged"), context()));
            expect(result.statusCode).to.equal(403);
            expect(queued()).to.have.length(0);
            expect(count(metrics, "TwilioSignatureFailures")).to.equal(1);
        });
        it("counts failed status callbacks (TwilioDeliveryFailures) and enqueues nothing", async () => {
            const status = { MessageSid: sid(), MessageStatus: "undelivered", ErrorCode: "30003" };
            const { result, metrics } = await run("inbound", () => handler()(request(status, undefined, "/webhooks/twilio/status"), context()));
            expect(result.statusCode).to.equal(200);
            expect(count(metrics, "TwilioDeliveryFailures")).to.equal(1);
            expect(queued()).to.have.length(0);
        });
        it("SQS failing: answers 503 (not acknowledged), and the retry through the fallback URL records it exactly once", async () => {
            const h = handler();
            const params = { MessageSid: sid(), From: "+15550002222", Body: "lunch?" };
            aws.fault = c => c.service === "sqs" ? { status: 500, type: "InternalFailure" } : undefined;
            const failed = await run("inbound", () => h(request(params), context()));
            expect(failed.result.statusCode).to.equal(503);
            expect(failed.calls.filter(c => c.service === "sqs").length, "bounded SDK retries").to.equal(3);
            expect(count(failed.metrics, "InboundRecordFailures")).to.equal(1);
            aws.fault = undefined;
            const retried = await run("inbound", () => h(request(params, undefined, "/webhooks/twilio/fallback"), context()));
            expect(retried.result.statusCode).to.equal(200);
            expect(queued().map(m => JSON.parse(m.body).messageSid)).to.deep.equal([params.MessageSid]);
        });
        it("Secrets Manager failing: answers 503, never 403 or 200", async () => {
            const h = createInboundHandler(inboundDeps(envOf("inbound")));
            aws.fault = c => c.service === "secretsmanager" ? { status: 500, type: "InternalServiceError" } : undefined;
            const { result } = await run("inbound", () => h(request({ MessageSid: sid(), From: "+1555", Body: "x" }), context()));
            expect(result.statusCode).to.equal(503);
        });
        it("a status callback to …/status/ (trailing slash, as API Gateway REST passes it) is a status callback, never a user message", async () => {
            const status = { MessageSid: sid(), MessageStatus: "failed", ErrorCode: "30008", From: "+18005550100", To: "+15550001111" };
            const { result, metrics } = await run("inbound", () => handler()(request(status, undefined, "/webhooks/twilio/status/"), context()));
            expect(result.statusCode).to.equal(200);
            expect(queued()).to.have.length(0);
            expect(count(metrics, "TwilioDeliveryFailures")).to.equal(1);
            expect(count(metrics, "InboundMessagesRecorded")).to.equal(0);
        });
        it("counts a message once (InboundMessagesRecorded): Twilio's redelivery and the fallback are acknowledged, not counted", async () => {
            const h = handler();
            const params = { MessageSid: sid(), From: "+15550004444", Body: "count me once" };
            const counts: number[] = [];
            for (const path of ["/webhooks/twilio/sms", "/webhooks/twilio/sms", "/webhooks/twilio/fallback"]) {
                const { result, metrics } = await run("inbound", () => h(request(params, undefined, path), context()));
                expect(result.statusCode).to.equal(200);
                counts.push(count(metrics, "InboundMessagesRecorded"));
            }
            expect(counts).to.deep.equal([1, 0, 0]);
            expect(queued()).to.have.length(1);
        });
        it("SQS never answering: 503 within the SQS call deadline (wall clock), and the retry records it once", async () => {
            const h = handler();
            const params = { MessageSid: sid(), From: "+15550005555", Body: "silent queue" };
            aws.behave = c => c.service === "sqs" ? { stall: true } : undefined;
            const t0 = Date.now();
            const failed = await run("inbound", () => h(request(params), context()));
            const took = Date.now() - t0;
            expect(failed.result.statusCode).to.equal(503);
            expect(took).to.be.within(SQS_CALL_MS - 100, SQS_CALL_MS + 1000);
            aws.behave = undefined;
            const retried = await run("inbound", () => h(request(params, undefined, "/webhooks/twilio/fallback"), context()));
            expect(retried.result.statusCode).to.equal(200);
            expect(queued().map(m => JSON.parse(m.body).messageSid)).to.deep.equal([params.MessageSid]);
        });
        it("SQS taking the message and dropping the connection: the SDK's retry queues a second copy, and the worker still answers once", async () => {
            const params = { MessageSid: sid(), From: "+15550006666", Body: "dropped answer" };
            let sqsCalls = 0;
            aws.behave = c => c.service === "sqs" && ++sqsCalls === 1 ? { drop: "after" } : undefined;
            const { result } = await run("inbound", () => handler()(request(params), context()));
            expect(result.statusCode).to.equal(200);
            expect(queued().map(m => JSON.parse(m.body).messageSid)).to.deep.equal([params.MessageSid, params.MessageSid]);
            aws.behave = undefined;
            const w = createWorker(workerDeps(envOf("worker")));
            const jobs = queued().map(m => ({ messageId: m.messageId, body: m.body, attributes: { SentTimestamp: String(m.sentAt) } }));
            const done = await run("worker", () => w({ Records: jobs }, context()));
            expect(done.result.batchItemFailures).to.deep.equal([]);
            const replies = (aws.queues.get(envOf("worker").OUTBOX_QUEUE_URL) ?? []).map(m => JSON.parse(m.body));
            expect(replies.map(r => r.body)).to.deep.equal(["answer to dropped answer"]);
        });
        it("Secrets Manager never answering: 503 within its two attempts (wall clock)", async () => {
            aws.behave = c => c.service === "secretsmanager" ? { stall: true } : undefined;
            const t0 = Date.now();
            const { result } = await run("inbound", () => handler()(request({ MessageSid: sid(), From: "+1555", Body: "x" }), context()));
            expect(result.statusCode).to.equal(503);
            expect(Date.now() - t0).to.be.below(SECRETS_DEADLINES.attemptMs * SECRETS_DEADLINES.maxAttempts + 700);
        });
        it("accepts the signature of a URL with a query string and repeated keys (API Gateway multi-value query)", async () => {
            const params = { MessageSid: sid(), From: "+15550003333", Body: "hi" };
            const signed = twilio.getExpectedTwilioSignature(AUTH_TOKEN, `${url}?tenant=a%20b&x=1&x=2`, params);
            const e = { ...request(params, signed), multiValueQueryStringParameters: { tenant: ["a b"], x: ["1", "2"] } };
            expect((await run("inbound", () => handler()(e, context()))).result.statusCode).to.equal(200);
        });
    });

    describe("billing", () => {
        const stripe = new Stripe("sk_test_x");
        const request = (payload: string, header?: string): ApiEvent => ({
            httpMethod: "POST", path: "/webhooks/stripe", body: payload,
            headers: { "Stripe-Signature": header ?? stripe.webhooks.generateTestHeaderString({ payload, secret: STRIPE_SECRET }) },
        });
        const ledger = async (eventId: string) => {
            const { DynamoDBClient, GetItemCommand } = await import("@aws-sdk/client-dynamodb");
            const out = await new DynamoDBClient({}).send(new GetItemCommand({ TableName: envOf("billing").BILLING_EVENTS_TABLE, Key: { eventId: { S: eventId } } }));
            return out.Item;
        };
        const handler = () => createBillingHandler(billingDeps(envOf("billing")));
        const evt = (over: object = {}) => JSON.stringify({ id: `evt_${sid()}`, type: "invoice.paid", created: Math.floor(Date.now() / 1000), data: { object: { customer: "cus_9" } }, ...over });

        it("records a signed event once (conditional put, TTL attribute) and acknowledges a redelivery with 200", async () => {
            const h = handler();
            const payload = evt();
            const id = JSON.parse(payload).id;
            expect((await run("billing", () => h(request(payload), context()))).result.statusCode).to.equal(200);
            const stored = await ledger(id);
            expect(stored?.customerId?.S).to.equal("cus_9");
            expect(Number(stored?.expiresAt?.N)).to.be.greaterThan(Date.now() / 1000 + 399 * 86400);
            const again = await run("billing", () => h(request(payload), context()));
            expect(again.result.statusCode).to.equal(200);
            expect(again.calls.filter(c => c.service === "dynamodb" && c.action === "PutItem" && c.input.TableName === envOf("billing").BILLING_EVENTS_TABLE)).to.have.length(0);
        });
        it("keeps an event over DynamoDB's 400 KB item limit, trimmed to the ledger fields, and acknowledges it", async () => {
            const payload = evt({ data: { object: { customer: "cus_big", amount_paid: 4200, lines: "x".repeat(450_000) } } });
            expect(Buffer.byteLength(payload)).to.be.greaterThan(MAX_INLINE_PAYLOAD_BYTES);
            const { result, metrics } = await run("billing", () => handler()(request(payload), context()));
            expect(result.statusCode).to.equal(200);
            const stored = await ledger(JSON.parse(payload).id);
            expect(stored?.payloadTrimmed?.BOOL).to.equal(true);
            expect(JSON.parse(stored!.payload.S!).data.object).to.deep.equal({ customer: "cus_big", amount_paid: 4200 });
            expect(Number(stored?.payloadBytes?.N)).to.equal(Buffer.byteLength(payload));
            expect(count(metrics, "StripeEventsTrimmed")).to.equal(1);
        });
        it("records an event whose created is out of range with the receive time, flagged", async () => {
            const payload = evt({ created: 1e20 });
            expect((await run("billing", () => handler()(request(payload), context()))).result.statusCode).to.equal(200);
            const stored = await ledger(JSON.parse(payload).id);
            expect(stored?.createdOutOfRange?.BOOL).to.equal(true);
            expect(Math.abs(Date.parse(stored!.createdAt.S!) - Date.now())).to.be.below(60_000);
        });
        it("ledger failing: answers 5xx so Stripe retries, releases the idempotency record, and the retry records it once", async () => {
            const h = handler();
            const payload = evt();
            const ledgerTable = envOf("billing").BILLING_EVENTS_TABLE;
            aws.fault = c => c.service === "dynamodb" && c.input.TableName === ledgerTable ? { status: 500, type: "InternalServerError" } : undefined;
            const failed = await run("billing", () => h(request(payload), context()));
            expect(failed.result.statusCode, "answered, not thrown: Stripe retries").to.equal(503);
            expect(failed.calls.some(c => c.service === "dynamodb" && c.action === "DeleteItem" && c.input.TableName === envOf("billing").IDEMPOTENCY_TABLE)).to.equal(true);
            aws.fault = undefined;
            expect((await run("billing", () => h(request(payload), context()))).result.statusCode).to.equal(200);
            expect((await ledger(JSON.parse(payload).id))?.eventId?.S).to.equal(JSON.parse(payload).id);
        });
        it("counts an event once (StripeEventsRecorded): redeliveries are acknowledged, not counted", async () => {
            const h = handler();
            const payload = evt();
            const counts: number[] = [];
            for (let i = 0; i < 3; i++) {
                const { result, metrics } = await run("billing", () => h(request(payload), context()));
                expect(result.statusCode).to.equal(200);
                counts.push(count(metrics, "StripeEventsRecorded"));
            }
            expect(counts).to.deep.equal([1, 0, 0]);
        });
        it("ledger write taking the item and dropping the connection: the SDK's retry finds it written, 200, counted once", async () => {
            const payload = evt();
            let writes = 0;
            aws.behave = c => c.service === "dynamodb" && c.action === "PutItem" && c.input.TableName === envOf("billing").BILLING_EVENTS_TABLE && ++writes === 1 ? { drop: "after" } : undefined;
            const h = handler();
            const first = await run("billing", () => h(request(payload), context()));
            expect(first.result.statusCode).to.equal(200);
            expect(writes, "written, answer lost, retried").to.equal(2);
            aws.behave = undefined;
            const again = await run("billing", () => h(request(payload), context()));
            expect(again.result.statusCode).to.equal(200);
            expect([count(first.metrics, "StripeEventsRecorded"), count(again.metrics, "StripeEventsRecorded")]).to.deep.equal([1, 0]);
            expect((await ledger(JSON.parse(payload).id))?.eventId?.S).to.equal(JSON.parse(payload).id);
        });
        it("ledger never answering: 5xx within the ledger call deadline (wall clock), and Stripe's retry records it once", async () => {
            const h = handler();
            const payload = evt();
            aws.behave = c => c.service === "dynamodb" && c.input.TableName === envOf("billing").BILLING_EVENTS_TABLE ? { stall: true } : undefined;
            const t0 = Date.now();
            const { result } = await run("billing", () => h(request(payload), context()));
            expect(result.statusCode).to.equal(503);
            expect(Date.now() - t0).to.be.below(LEDGER_CALL_MS + 1500);
            aws.behave = undefined;
            expect((await run("billing", () => h(request(payload), context()))).result.statusCode).to.equal(200);
            expect((await ledger(JSON.parse(payload).id))?.eventId?.S).to.equal(JSON.parse(payload).id);
        });
        it("refuses a tampered or unsigned event with 400 and records nothing", async () => {
            const payload = evt();
            const header = stripe.webhooks.generateTestHeaderString({ payload, secret: STRIPE_SECRET });
            for (const e of [request(payload.replace("invoice.paid", "invoice.void"), header), request(payload, "t=1,v1=00")]) {
                const { result, metrics } = await run("billing", () => handler()(e, context()));
                expect(result.statusCode).to.equal(400);
                expect(count(metrics, "StripeSignatureFailures")).to.equal(1);
            }
            expect(await ledger(JSON.parse(payload).id)).to.equal(undefined);
        });
    });

    describe("scheduler", () => {
        const seedUsers = async (n: number, due: string, later: string) => {
            const { DynamoDBClient, PutItemCommand } = await import("@aws-sdk/client-dynamodb");
            const client = new DynamoDBClient({});
            for (let i = 0; i < n; i++) {
                await client.send(new PutItemCommand({ TableName: envOf("scheduler").USERS_TABLE, Item: { userId: { S: `u${i}` }, planStatus: { S: "active" }, nextPlanAt: { S: i < n - 2 ? due : later } } }));
            }
        };
        it("enqueues one job per due user (GSI query), in batches of ten, and a retried run enqueues nothing twice", async () => {
            await seedUsers(25, "2026-11-24T06:00:00Z", "2026-12-31T06:00:00Z");
            const h = createSchedulerHandler(schedulerDeps(envOf("scheduler")));
            const ev = { kind: "daily-meal-plan" as const, scheduledTime: "2026-11-25T06:00:00Z" };
            const first = await run("scheduler", () => h(ev, context()));
            expect(first.result.enqueued).to.equal(23);
            expect(first.calls.filter(c => c.action === "SendMessageBatch").map(c => c.input.Entries.length)).to.deep.equal([10, 10, 3]);
            const again = await run("scheduler", () => h(ev, context()));
            expect(again.result.enqueued).to.equal(23);
            const jobs = aws.queues.get(envOf("scheduler").QUEUE_URL)!.map(m => JSON.parse(m.body));
            expect(jobs).to.have.length(23);
            expect(jobs[0]).to.deep.include({ type: "meal-plan", runId: "daily-meal-plan:2026-11-25T06:00:00.000Z" });
            // SQS failing mid-run: the run fails (Scheduler retries it), its idempotency record is released.
            aws.fault = c => c.service === "sqs" ? { status: 500, type: "InternalFailure" } : undefined;
            const failing = await run("scheduler", () => h({ kind: "weekly-summary", scheduledTime: "2026-11-29T17:00:00Z" }, context()).then(() => "ok", e => String(e)));
            expect(failing.result).to.not.equal("ok");
            expect(failing.calls.some(c => c.action === "DeleteItem" && c.input.TableName === envOf("scheduler").IDEMPOTENCY_TABLE)).to.equal(true);
            aws.fault = undefined;
            const weekly = await run("scheduler", () => h({ kind: "weekly-summary", scheduledTime: "2026-11-29T17:00:00Z" }, context()));
            expect(weekly.result.enqueued).to.equal(23);
            expect(aws.queues.get(envOf("scheduler").QUEUE_URL)!.slice(23).every(m => JSON.parse(m.body).type === "weekly-summary")).to.equal(true);
        });
    });

    describe("scheduler, a run that fails half way", () => {
        it("its retry enqueues only the users not yet enqueued: one job per user in all", async () => {
            const { DynamoDBClient, PutItemCommand } = await import("@aws-sdk/client-dynamodb");
            const ddb = new DynamoDBClient({});
            // Due after the other scheduler test's runs, so they never see these users.
            for (let i = 0; i < 25; i++) {
                await ddb.send(new PutItemCommand({ TableName: envOf("scheduler").USERS_TABLE, Item: { userId: { S: `half-${i}` }, planStatus: { S: "active" }, nextPlanAt: { S: "2027-01-01T06:00:00Z" } } }));
            }
            const h = createSchedulerHandler(schedulerDeps(envOf("scheduler")));
            const ev = { kind: "daily-meal-plan" as const, scheduledTime: "2027-01-02T06:00:00Z" };
            let batches = 0;
            aws.fault = c => c.action === "SendMessageBatch" && ++batches >= 3 ? { status: 500, type: "InternalFailure" } : undefined;
            const failing = await run("scheduler", () => h(ev, context()).then(() => "ok", e => String(e)));
            expect(failing.result).to.not.equal("ok");
            expect(count(failing.metrics, "JobsEnqueued")).to.equal(20);
            aws.fault = undefined;
            const retried = await run("scheduler", () => h(ev, context()));
            const jobs = aws.queues.get(envOf("scheduler").QUEUE_URL)!.map(m => JSON.parse(m.body)).filter(j => j.runId === "daily-meal-plan:2027-01-02T06:00:00.000Z");
            const users = new Set(jobs.map(j => j.userId));
            expect(jobs.length, "no user twice").to.equal(users.size);
            expect([...users].filter(u => String(u).startsWith("half-"))).to.have.length(25);
            expect(count(retried.metrics, "JobsEnqueued"), "the retry counts only its own").to.equal(users.size - 20);
            expect(retried.result.enqueued).to.equal(users.size);
        });
    });

    describe("worker", () => {
        const workerEnv = () => envOf("worker");
        const smsJob = (body: string, extra: object = {}) => ({ messageId: sid(), body: JSON.stringify({ type: "inbound-sms", channel: "twilio", messageSid: sid(), from: "+15550001111", body, receivedAt: new Date().toISOString(), ...extra }) });
        const batch = (...records: { messageId: string; body: string }[]): SqsEvent => ({ Records: records.map(r => ({ ...r, attributes: { SentTimestamp: String(Date.now()) } })) });
        /** The replies the worker put on the outbox (what the sender will send). */
        const outbox = (): OutboxReply[] => (aws.queues.get(workerEnv().OUTBOX_QUEUE_URL) ?? []).map(m => JSON.parse(m.body));
        const worker = (over: object = {}) => createWorker({ ...workerDeps(workerEnv()), ...over });

        it("answers each message exactly once: a duplicate delivery of the same job queues nothing more, and the worker sends no SMS itself", async () => {
            const w = worker();
            const rec = smsJob("high protein breakfast?");
            const first = await run("worker", () => w(batch(rec), context()));
            expect(first.result.batchItemFailures).to.deep.equal([]);
            const again = await run("worker", () => w(batch({ ...rec, messageId: sid() }), context()));
            expect(again.result.batchItemFailures).to.deep.equal([]);
            expect(outbox()).to.deep.equal([{ type: "reply", key: `sms:twilio:${JSON.parse(rec.body).messageSid}`, channel: "twilio", to: "+15550001111", body: "answer to high protein breakfast?" }]);
            expect([...first.calls, ...again.calls].filter(c => c.service === "twilio" || c.service === "sms-voice")).to.have.length(0);
            expect(count(first.metrics, "RepliesQueued")).to.equal(1);
        });
        it("asks Bedrock with the SMS system prompt and the answer budget (Converse system, maxTokens)", async () => {
            const { calls } = await run("worker", () => worker()(batch(smsJob("what is a good snack?")), context()));
            const converse = calls.filter(c => c.service === "bedrock");
            expect(converse).to.have.length(1);
            expect(converse[0].input.system).to.deep.equal([{ text: SYSTEM_PROMPT }]);
            expect(converse[0].input.inferenceConfig.maxTokens).to.equal(MAX_OUTPUT_TOKENS);
        });
        it("fits a long answer to the SMS budget at whole characters: emoji and GSM extension characters intact", async () => {
            aws.answer = () => "Try oats 🥣 with berries 🫐 and yoghurt. ".repeat(30);
            await run("worker", () => worker()(batch(smsJob("breakfast with emoji")), context()));
            aws.answer = () => "Use [brackets] {and} €uro signs ~ often | ".repeat(30);
            await run("worker", () => worker()(batch(smsJob("breakfast with extension characters")), context()));
            const [emoji, gsm] = outbox().map(r => r.body);
            expect(countSegments(emoji)).to.deep.include({ encoding: "UCS-2" });
            expect(countSegments(emoji).segments).to.be.at.most(SMS_MAX_SEGMENTS);
            expect(emoji, "no lone surrogate").to.not.match(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
            expect(emoji.endsWith(CUT_MARK)).to.equal(true);
            expect(countSegments(gsm)).to.deep.include({ encoding: "GSM-7" });
            expect(countSegments(gsm).segments).to.be.at.most(SMS_MAX_SEGMENTS);
            // The budget is used (more than two segments' worth), and the cut falls after a whole word.
            expect(countSegments(gsm).units).to.be.greaterThan((SMS_MAX_SEGMENTS - 1) * 153);
            expect(gsm.slice(0, -CUT_MARK.length)).to.match(/(often|signs|\||~|\[brackets\]|\{and\}|€uro|Use)$/);
        });
        it("answers a picture-only MMS with a helpful text, without calling Bedrock", async () => {
            const { result, calls } = await run("worker", () => worker()(batch(smsJob("", { numMedia: 1 })), context()));
            expect(result.batchItemFailures).to.deep.equal([]);
            expect(calls.filter(c => c.service === "bedrock")).to.have.length(0);
            expect(outbox().map(r => r.body)).to.deep.equal([NO_TEXT_REPLY]);
        });
        it("handles every job type the scheduler produces: meal-plan and weekly-summary", async () => {
            const scheduledAt = "2026-11-29T17:00:00.000Z";
            const recs = [
                { messageId: sid(), body: JSON.stringify({ type: "meal-plan", userId: "u1", runId: "daily-meal-plan:2026-11-25T06:00:00.000Z", scheduledAt: "2026-11-25T06:00:00.000Z" }) },
                { messageId: sid(), body: JSON.stringify({ type: "weekly-summary", userId: "u1", runId: `weekly-summary:${scheduledAt}`, scheduledAt }) },
            ];
            const { result, calls } = await run("worker", () => worker()(batch(...recs), context()));
            expect(result.batchItemFailures).to.deep.equal([]);
            const puts = calls.filter(c => c.service === "dynamodb" && c.action === "PutItem" && c.input.TableName === envOf("worker").MEAL_PLANS_TABLE);
            expect(puts.map(p => p.input.Item.weekStart.S)).to.deep.equal(["2026-11-23", "2026-11-23#summary"]);
            expect(calls.some(c => c.service === "dynamodb" && c.action === "GetItem" && c.input.TableName === envOf("worker").MEAL_PLANS_TABLE)).to.equal(true);
        });
        it("answers AWS End User Messaging two-way SMS on the AWS SMS channel", async () => {
            const eum = { messageId: sid(), body: JSON.stringify({ originationNumber: "+15550009999", destinationNumber: "+18005550100", messageKeyword: "KEYWORD", messageBody: "High protein breakfast?", inboundMessageId: sid() }) };
            const { result } = await run("worker", () => worker()(batch(eum), context()));
            expect(result.batchItemFailures).to.deep.equal([]);
            expect(outbox()).to.deep.equal([{ type: "reply", key: `sms:aws-sms:${JSON.parse(eum.body).inboundMessageId}`, channel: "aws-sms", to: "+15550009999", body: "answer to High protein breakfast?" }]);
        });
        it("outbox failing: the record fails (OutboxFailures) and its redelivery queues the reply once", async () => {
            const rec = smsJob("outbox down");
            aws.fault = c => c.service === "sqs" && c.input.QueueUrl === workerEnv().OUTBOX_QUEUE_URL ? { status: 500, type: "InternalFailure" } : undefined;
            const w = worker();
            const failed = await run("worker", () => w(batch(rec), context()));
            expect(failed.result.batchItemFailures).to.have.length(1);
            expect(count(failed.metrics, "OutboxFailures")).to.equal(1);
            aws.fault = undefined;
            const retried = await run("worker", () => w(batch(rec), context()));
            expect(retried.result.batchItemFailures).to.deep.equal([]);
            expect(outbox().map(r => r.body)).to.deep.equal(["answer to outbox down"]);
        });
        it("Bedrock throttling: the record returns to the queue unanswered (BedrockThrottles), and its redelivery is answered once", async () => {
            const rec = smsJob("throttled question");
            aws.fault = c => c.service === "bedrock" ? { status: 429, type: "ThrottlingException", message: "Too many requests" } : undefined;
            const w = worker();
            const failed = await run("worker", () => w(batch(rec), context()));
            expect(failed.result.batchItemFailures).to.deep.equal([{ itemIdentifier: rec.messageId }]);
            expect(failed.calls.filter(c => c.service === "bedrock"), "one retry, then give up").to.have.length(2);
            expect(outbox()).to.have.length(0);
            expect(count(failed.metrics, "BedrockThrottles")).to.equal(1);
            aws.fault = undefined;
            const retried = await run("worker", () => w(batch(rec), context()));
            expect(retried.result.batchItemFailures).to.deep.equal([]);
            expect(outbox()).to.have.length(1);
        });
        it("model not found: nothing is lost (the record fails, BedrockErrors) and nothing is queued", async () => {
            const rec = smsJob("model gone");
            aws.fault = c => c.service === "bedrock" ? { status: 404, type: "ResourceNotFoundException", message: "Model not found" } : undefined;
            const { result, calls, metrics } = await run("worker", () => worker()(batch(rec), context()));
            expect(result.batchItemFailures).to.deep.equal([{ itemIdentifier: rec.messageId }]);
            expect(calls.filter(c => c.service === "bedrock")).to.have.length(1);
            expect(outbox()).to.have.length(0);
            expect(count(metrics, "BedrockErrors")).to.equal(1);
        });
        it("time budget: records that no longer fit are returned untouched, the batch ends before the deadline, and the next invocation answers them once", async () => {
            aws.bedrockDelayMs = 500;
            const recs = [smsJob("slow 1"), smsJob("slow 2"), smsJob("slow 3"), smsJob("slow 4")];
            const w = worker({ minRecordMs: 700, reserveMs: 200 });
            const t0 = Date.now();
            const first = await run("worker", () => w(batch(...recs), context(1800)));
            expect(Date.now() - t0).to.be.below(1800);
            const deferred = first.result.batchItemFailures.map(f => f.itemIdentifier);
            expect(deferred.length).to.be.greaterThan(0);
            expect(count(first.metrics, "RecordsDeferred")).to.equal(deferred.length);
            const second = await run("worker", () => w(batch(...recs.filter(r => deferred.includes(r.messageId))), context()));
            expect(second.result.batchItemFailures).to.deep.equal([]);
            expect(outbox().map(r => r.body).sort()).to.deep.equal(["answer to slow 1", "answer to slow 2", "answer to slow 3", "answer to slow 4"]);
        });
        it("a job in progress keeps redeliveries away longer than the work queue's visibility timeout (360 s), not past a second one", async () => {
            aws.bedrockDelayMs = 400;
            const rec = smsJob("in progress");
            const running = run("worker", () => worker()(batch(rec), context(60_000)));
            await new Promise(r => setTimeout(r, 250));
            const { DynamoDBClient, ScanCommand } = await import("@aws-sdk/client-dynamodb");
            const items = (await new DynamoDBClient({}).send(new ScanCommand({ TableName: workerEnv().IDEMPOTENCY_TABLE }))).Items ?? [];
            // The test's own look, not the worker's: kept out of what the least-privilege check sees.
            aws.calls.splice(aws.calls.findIndex(c => c.action === "Scan"), 1);
            const inProgress = items.filter(i => i.status?.S === "INPROGRESS" && i.in_progress_expiration?.N);
            expect(inProgress).to.have.length(1);
            const seconds = (Number(inProgress[0].in_progress_expiration.N) - Date.now()) / 1000;
            expect(seconds).to.be.within(360, 720);
            expect(seconds).to.be.closeTo(JOB_IN_PROGRESS_SECONDS, 5);
            expect((await running).result.batchItemFailures).to.deep.equal([]);
        });
        it("a DynamoDB write that never answers: with 8 s left the batch returns in time, the record failed for a retry", async () => {
            aws.behave = c => c.service === "dynamodb" && c.input.TableName === workerEnv().CONVERSATIONS_TABLE ? { stall: true } : undefined;
            const rec = smsJob("stalled table");
            const t0 = Date.now();
            const { result } = await run("worker", () => worker()(batch(rec), context(8000)));
            const took = Date.now() - t0;
            expect(result.batchItemFailures).to.deep.equal([{ itemIdentifier: rec.messageId }]);
            // Three attempts of DATA_DEADLINES.attemptMs, well inside the 6 s the record had.
            expect(took).to.be.below(DATA_DEADLINES.attemptMs * DATA_DEADLINES.maxAttempts + 1000);
            expect(outbox()).to.have.length(0);
        });

        describe("with redis-server (TLS + AUTH)", () => {
            const redisEnv = async () => {
                const r = await redisEngine();
                const env = { ...workerEnv(), REDIS_ENDPOINT: r.host, REDIS_PORT: String(r.port), REDIS_AUTH_SECRET_ARN: "arn:aws:secretsmanager:us-east-1:123456789012:secret:redis-auth" };
                aws.secrets.set(env.REDIS_AUTH_SECRET_ARN, r.password);
                return { r, env };
            };
            it("serves a repeated prompt from the cache (CacheMisses then CacheHits) through one connection", async () => {
                const { r, env } = await redisEnv();
                await r.admin(["FLUSHALL"]);
                // The AUTH token comes from Secrets Manager through Parameters, as in the function.
                const cache = redisCache({ host: r.host, port: r.port, getToken: () => secretReader()(env.REDIS_AUTH_SECRET_ARN), tls: { ca: r.ca } });
                const w = createWorker({ ...workerDeps(env), cache });
                const { result, calls, metrics } = await run("worker", () => w(batch(smsJob("Vegetarian  dinner ideas"), smsJob("vegetarian dinner IDEAS")), context()));
                expect(calls.filter(c => c.service === "secretsmanager" && c.input.SecretId === env.REDIS_AUTH_SECRET_ARN)).to.have.length(1);
                expect(result.batchItemFailures).to.deep.equal([]);
                expect(calls.filter(c => c.service === "bedrock")).to.have.length(1);
                expect([count(metrics, "CacheMisses"), count(metrics, "CacheHits")]).to.deep.equal([1, 1]);
                expect(cache.connections()).to.equal(1);
                cache.close();
            });
            it("never caches an answer cut at the token limit (stopReason max_tokens): the next asker gets a fresh answer", async () => {
                const { r } = await redisEnv();
                await r.admin(["FLUSHALL"]);
                const cache = redisCache({ host: r.host, port: r.port, getToken: async () => r.password, tls: { ca: r.ca } });
                const w = createWorker({ ...workerDeps(workerEnv()), cache });
                aws.bedrockStopReason = "max_tokens";
                const cut = await run("worker", () => w(batch(smsJob("a very long question")), context()));
                expect(cut.result.batchItemFailures).to.deep.equal([]);
                expect(outbox().map(o => o.body)).to.deep.equal(["answer to a very long question"]);
                aws.bedrockStopReason = "end_turn";
                const next = await run("worker", () => w(batch(smsJob("a very long question"), smsJob("A very long  question")), context()));
                expect(next.calls.filter(c => c.service === "bedrock"), "asked again once, then served from the cache").to.have.length(1);
                expect([count(next.metrics, "CacheMisses"), count(next.metrics, "CacheHits")]).to.deep.equal([1, 1]);
                cache.close();
            });
            it("Redis that stops answering (CLIENT PAUSE): answered from Bedrock within the command deadline", async () => {
                const { r, env } = await redisEnv();
                const cache = redisCache({ host: r.host, port: r.port, getToken: async () => r.password, tls: { ca: r.ca } });
                const w = createWorker({ ...workerDeps(env), cache });
                await run("worker", () => w(batch(smsJob("warm up the connection")), context()));
                await r.admin(["CLIENT", "PAUSE", "3000", "ALL"]);
                const t0 = Date.now();
                const { result, metrics } = await run("worker", () => w(batch(smsJob("paused 1"), smsJob("paused 2"), smsJob("paused 3")), context()));
                const took = Date.now() - t0;
                expect(result.batchItemFailures).to.deep.equal([]);
                expect(outbox().filter(o => o.body.startsWith("answer to paused"))).to.have.length(3);
                expect(count(metrics, "CacheErrors")).to.equal(1);
                expect(count(metrics, "CacheSkipped"), "breaker open after the first timeout").to.equal(2);
                expect(took).to.be.below(1500);
                await r.admin(["CLIENT", "UNPAUSE"]).catch(() => undefined);
                cache.close();
            });
            it("Redis down: answered from Bedrock, one failed connection per breaker window, no leaked clients", async () => {
                const { r, env } = await redisEnv();
                let t = 0;
                const cache = redisCache({ host: r.host, port: r.port, getToken: async () => r.password, tls: { ca: r.ca }, now: () => t });
                const w = createWorker({ ...workerDeps(env), cache });
                await r.stop();
                try {
                    const { result } = await run("worker", () => w(batch(smsJob("down 1"), smsJob("down 2"), smsJob("down 3")), context()));
                    expect(result.batchItemFailures).to.deep.equal([]);
                    expect(outbox()).to.have.length(3);
                    expect(cache.connections()).to.equal(1);
                    t += 31_000;
                    await run("worker", () => w(batch(smsJob("down 4")), context()));
                    expect(cache.connections()).to.equal(2);
                } finally {
                    await r.start();
                }
            });
            it("a batch with Redis black-holed finishes inside its time budget, every user answered exactly once", async () => {
                const hole = await blackHole();
                const cache = redisCache({ host: "127.0.0.1", port: hole.port, getToken: async () => "x" });
                const w = createWorker({ ...workerDeps(workerEnv()), cache });
                const recs = [1, 2, 3, 4, 5].map(i => smsJob(`black hole ${i}`));
                const t0 = Date.now();
                const { result } = await run("worker", () => w(batch(...recs), context(10_000)));
                const took = Date.now() - t0;
                hole.close();
                expect(result.batchItemFailures).to.deep.equal([]);
                expect(outbox().map(o => o.body).sort()).to.deep.equal(recs.map((_, i) => `answer to black hole ${i + 1}`));
                expect(hole.connections()).to.equal(1);
                expect(took).to.be.below(2000);
            });
        });
    });

    describe("sender", () => {
        const senderEnv = (over: Record<string, string> = {}) => ({ ...envOf("sender"), TWILIO_ACCOUNT_SID: "AC123", TWILIO_FROM_NUMBER: "+18005550100", TWILIO_API_URL: aws.endpoint, ...SMS_ENV, ...over });
        const reply = (channel: "twilio" | "aws-sms", body = `your answer ${sid()}`): OutboxReply => ({ type: "reply", key: `sms:${channel}:${sid()}`, channel, to: "+15550001111", body });
        const delivery = (...replies: OutboxReply[]) => ({ Records: replies.map(r => ({ messageId: sid(), body: JSON.stringify(r) })) });
        const sender = (over: Partial<SenderDeps> = {}, env: Record<string, string> = {}) => createSender({ ...senderDeps(senderEnv(env)), ...over });
        const creates = (calls: Call[]) => calls.filter(c => c.service === "twilio" && c.action === "CreateMessage");
        const smsSends = (calls: Call[]) => calls.filter(c => c.service === "sms-voice" && c.action === "SendTextMessage");
        const failed = (r: { batchItemFailures: unknown[] }) => r.batchItemFailures.length;

        it("sends a Twilio reply once, with the status callback; a redelivery of the same key sends nothing more", async () => {
            const s = sender();
            const r = reply("twilio");
            const first = await run("sender", () => s(delivery(r), context()));
            expect(failed(first.result)).to.equal(0);
            expect(count(first.metrics, "RepliesSent")).to.equal(1);
            expect(creates(first.calls)[0].input).to.include({ To: r.to, From: "+18005550100", Body: r.body, StatusCallback: envOf("sender").TWILIO_STATUS_CALLBACK_URL });
            const again = await run("sender", () => s(delivery(r), context()));
            expect(failed(again.result)).to.equal(0);
            expect(creates(again.calls)).to.have.length(0);
            expect(aws.twilioMessages).to.have.length(1);
        });
        it("a stack without a Twilio sender (dev without an account): the reply is logged and acknowledged, nothing sent or recorded", async () => {
            const s = createSender(senderDeps({ ...envOf("sender"), TWILIO_ACCOUNT_SID: "", TWILIO_FROM_NUMBER: "", TWILIO_API_URL: aws.endpoint }));
            const { result, calls, metrics } = await run("sender", () => s(delivery(reply("twilio")), context()));
            expect(failed(result)).to.equal(0);
            expect(calls.filter(c => c.service === "twilio" || c.service === "dynamodb")).to.have.length(0);
            expect(count(metrics, "RepliesSent")).to.equal(0);
        });
        it("Twilio creates the message and drops the connection: the redelivery finds it (SendsReconciled); one message across three deliveries", async () => {
            const s = sender();
            const r = reply("twilio");
            aws.behave = c => c.action === "CreateMessage" ? { drop: "after" } : undefined;
            const first = await run("sender", () => s(delivery(r), context()));
            expect(failed(first.result)).to.equal(1);
            expect(creates(first.calls), "no second POST once the request may have been read").to.have.length(1);
            expect([count(first.metrics, "SendsAmbiguous"), count(first.metrics, "TwilioDeliveryFailures")]).to.deep.equal([1, 1]);
            aws.behave = undefined;
            const second = await run("sender", () => s(delivery(r), context()));
            expect(failed(second.result)).to.equal(0);
            expect(count(second.metrics, "SendsReconciled")).to.equal(1);
            expect(second.calls.filter(c => c.action === "ListMessages")[0].input).to.include({ To: r.to, From: "+18005550100" });
            const third = await run("sender", () => s(delivery(r), context()));
            expect(failed(third.result)).to.equal(0);
            expect(creates([...second.calls, ...third.calls])).to.have.length(0);
            expect(aws.twilioMessages.map(m => m.body)).to.deep.equal([r.body]);
        });
        it("Twilio answering late but within the send deadline: sent once, never a second attempt (the 5 s retry that doubled sends is gone)", async () => {
            // Scaled down: the deadline is 10 s in the function (SenderDeps.sendMs), Twilio's observed worst 6 s.
            aws.behave = c => c.action === "CreateMessage" ? { delayMs: 1200 } : undefined;
            const t0 = Date.now();
            const { result, calls, metrics } = await run("sender", () => sender({ sendMs: 2000 })(delivery(reply("twilio")), context()));
            const took = Date.now() - t0;
            expect(failed(result)).to.equal(0);
            expect(creates(calls)).to.have.length(1);
            expect(count(metrics, "RepliesSent")).to.equal(1);
            expect(took).to.be.within(1200, 2000);
        });
        it("Twilio answering after the deadline: the attempt is given up at the deadline (wall clock), and the late message is found, not sent again", async () => {
            const s = sender({ sendMs: 800, settleMs: 200 });
            const r = reply("twilio");
            aws.behave = c => c.action === "CreateMessage" ? { delayMs: 1200 } : undefined;
            const t0 = Date.now();
            const first = await run("sender", () => s(delivery(r), context()));
            expect(Date.now() - t0).to.be.below(1200);
            expect(failed(first.result)).to.equal(1);
            expect(count(first.metrics, "SendsAmbiguous")).to.equal(1);
            // Before the settle time a redelivery does not look: the first attempt may still be creating the message.
            const early = await run("sender", () => s(delivery(r), context()));
            expect(failed(early.result)).to.equal(1);
            expect(early.calls.filter(c => c.service === "twilio")).to.have.length(0);
            aws.behave = undefined;
            await new Promise(res => setTimeout(res, 600));
            const later = await run("sender", () => s(delivery(r), context()));
            expect(failed(later.result)).to.equal(0);
            expect(count(later.metrics, "SendsReconciled")).to.equal(1);
            expect(aws.twilioMessages).to.have.length(1);
        });
        it("Twilio refusing (400, 429) or the connection refused: released, nothing lost, the redelivery sends exactly one", async () => {
            const closed = await freePort();
            for (const refuse of [{ status: 400 }, { status: 429 }, { refused: true }]) {
                aws.reset();
                const r = reply("twilio");
                aws.fault = c => "status" in refuse && c.action === "CreateMessage" ? { status: refuse.status!, type: "refused" } : undefined;
                const first = await run("sender", () => sender({}, "refused" in refuse ? { TWILIO_API_URL: `http://127.0.0.1:${closed}` } : {})(delivery(r), context()));
                expect(failed(first.result), JSON.stringify(refuse)).to.equal(1);
                expect(count(first.metrics, "TwilioDeliveryFailures")).to.equal(1);
                expect(count(first.metrics, "SendsAmbiguous")).to.equal(0);
                aws.fault = undefined;
                const second = await run("sender", () => sender()(delivery(r), context()));
                expect(failed(second.result), JSON.stringify(refuse)).to.equal(0);
                expect(second.calls.filter(c => c.action === "ListMessages"), "a refusal needs no lookup").to.have.length(0);
                expect(aws.twilioMessages.map(m => m.body)).to.deep.equal([r.body]);
            }
        });
        it("Twilio 500 (error 20500, may have created it): the redelivery looks it up, finds nothing and sends once", async () => {
            const s = sender();
            const r = reply("twilio");
            aws.fault = c => c.action === "CreateMessage" ? { status: 500, type: "Internal" } : undefined;
            const first = await run("sender", () => s(delivery(r), context()));
            expect(failed(first.result)).to.equal(1);
            expect(count(first.metrics, "SendsAmbiguous")).to.equal(1);
            aws.fault = undefined;
            const second = await run("sender", () => s(delivery(r), context()));
            expect(failed(second.result)).to.equal(0);
            expect(second.calls.map(c => c.action).filter(a => a === "ListMessages" || a === "CreateMessage")).to.deep.equal(["ListMessages", "CreateMessage"]);
            expect(aws.twilioMessages).to.have.length(1);
        });
        it("the same reply delivered to two senders at once is sent once (the conditional send record decides)", async () => {
            const r = reply("twilio");
            aws.behave = c => c.action === "CreateMessage" ? { delayMs: 300 } : undefined;
            const [a, b] = await Promise.all([run("sender", () => sender()(delivery(r), context())), run("sender", () => sender()(delivery(r), context()))]);
            expect(failed(a.result) + failed(b.result), "the other is retried later").to.equal(1);
            expect(aws.twilioMessages).to.have.length(1);
        });
        it("sent, but the 'sent' write fails: acknowledged all the same, and a later delivery reconciles instead of resending", async () => {
            const r = reply("twilio");
            aws.fault = c => c.service === "dynamodb" && c.action === "UpdateItem" && c.input.ExpressionAttributeValues?.[":sent"] ? { status: 500, type: "InternalServerError" } : undefined;
            const first = await run("sender", () => sender()(delivery(r), context()));
            expect(failed(first.result)).to.equal(0);
            aws.fault = undefined;
            // Past the send lease (the queue's redelivery comes 180 s later).
            const later = await run("sender", () => sender({ now: () => Date.now() + 60_000 })(delivery(r), context()));
            expect(failed(later.result)).to.equal(0);
            expect(count(later.metrics, "SendsReconciled")).to.equal(1);
            expect(aws.twilioMessages).to.have.length(1);
        });
        it("AWS SMS: one request (the SDK's retries off) with the reply key as Context; a reset after the send is parked (SendsAmbiguous), never resent", async () => {
            const s = sender();
            const r = reply("aws-sms");
            aws.behave = c => c.action === "SendTextMessage" ? { drop: "after" } : undefined;
            const first = await run("sender", () => s(delivery(r), context()));
            expect(failed(first.result)).to.equal(1);
            expect(smsSends(first.calls)).to.have.length(1);
            expect(smsSends(first.calls)[0].input).to.deep.include({ DestinationPhoneNumber: r.to, OriginationIdentity: SMS_ENV.SMS_ORIGINATION_IDENTITY, ConfigurationSetName: SMS_ENV.SMS_CONFIGURATION_SET, MessageBody: r.body, Context: { replyKey: r.key } });
            expect([count(first.metrics, "SendsAmbiguous"), count(first.metrics, "AwsSmsSendFailures")]).to.deep.equal([1, 1]);
            aws.behave = undefined;
            for (let i = 0; i < 2; i++) {
                const again = await run("sender", () => s(delivery(r), context()));
                expect(failed(again.result), "kept failing: the record ends in the outbox DLQ for an operator").to.equal(1);
                expect(smsSends(again.calls)).to.have.length(0);
            }
            expect(aws.smsMessages).to.have.length(1);
        });
        it("AWS SMS answering late but within the send deadline: sent once, one request", async () => {
            aws.behave = c => c.action === "SendTextMessage" ? { delayMs: 1200 } : undefined;
            const { result, calls, metrics } = await run("sender", () => sender({ sendMs: 2000 })(delivery(reply("aws-sms")), context()));
            expect(failed(result)).to.equal(0);
            expect(smsSends(calls)).to.have.length(1);
            expect(count(metrics, "RepliesSent")).to.equal(1);
        });
        it("AWS SMS refusing (500, 429) or the connection refused: released, the redelivery sends exactly one", async () => {
            const closed = await freePort();
            for (const refuse of [{ status: 500, type: "InternalServerException" }, { status: 429, type: "ThrottlingException" }, { refused: true }]) {
                aws.reset();
                const r = reply("aws-sms");
                aws.fault = c => "status" in refuse && c.action === "SendTextMessage" ? { status: refuse.status!, type: refuse.type! } : undefined;
                const saved = process.env.AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2;
                if ("refused" in refuse) process.env.AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2 = `http://127.0.0.1:${closed}`;
                let first;
                try {
                    first = await run("sender", () => sender()(delivery(r), context()));
                } finally {
                    if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2;
                    else process.env.AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2 = saved;
                }
                expect(failed(first.result), JSON.stringify(refuse)).to.equal(1);
                expect(smsSends(first.calls), "no SDK retry").to.have.length("refused" in refuse ? 0 : 1);
                expect(count(first.metrics, "AwsSmsSendFailures")).to.equal(1);
                expect(count(first.metrics, "SendsAmbiguous")).to.equal(0);
                aws.fault = undefined;
                const second = await run("sender", () => sender()(delivery(r), context()));
                expect(failed(second.result), JSON.stringify(refuse)).to.equal(0);
                expect(aws.smsMessages.map(m => m.input.MessageBody)).to.deep.equal([r.body]);
            }
        });
        it("providers that never answer: each send is given up at its deadline (wall clock) and not repeated", async () => {
            aws.behave = c => c.action === "SendTextMessage" || c.action === "CreateMessage" ? { stall: true } : undefined;
            const s = sender({ sendMs: 1000 });
            const t0 = Date.now();
            const { result, calls, metrics } = await run("sender", () => s(delivery(reply("twilio"), reply("aws-sms")), context()));
            const took = Date.now() - t0;
            expect(failed(result)).to.equal(2);
            expect(took, "both sends side by side, each cut at 1 s").to.be.below(1600);
            expect([creates(calls).length, smsSends(calls).length]).to.deep.equal([1, 1]);
            expect(count(metrics, "SendsAmbiguous")).to.equal(2);
        });
    });

    describe("the plan against what the handlers did", () => {
        /** Custom-namespace (not AWS/*) metrics that alarms and dashboards of a plan read. */
        const customMetricsRead = (p: Plan) => {
            const out: { where: string; namespace: string; metricName: string; dimensions: Record<string, string> }[] = [];
            for (const a of ofType(p, "aws:cloudwatch/metricAlarm:MetricAlarm")) {
                const metrics = a.inputs.metricName ? [{ namespace: a.inputs.namespace, metricName: a.inputs.metricName, dimensions: a.inputs.dimensions ?? {} }]
                    : (a.inputs.metricQueries ?? []).filter((q: any) => q.metric).map((q: any) => ({ namespace: q.metric.namespace, metricName: q.metric.metricName, dimensions: q.metric.dimensions ?? {} }));
                for (const m of metrics) if (!m.namespace.startsWith("AWS/")) out.push({ where: `alarm ${a.name}`, ...m });
            }
            for (const d of ofType(p, "aws:cloudwatch/dashboard:Dashboard")) {
                for (const w of JSON.parse(d.inputs.dashboardBody).widgets) {
                    for (const row of w.properties?.metrics ?? []) {
                        const [namespace, metricName, ...rest] = row.filter((x: unknown) => typeof x === "string");
                        if (namespace && namespace !== "." && !namespace.startsWith("AWS/")) {
                            const dimensions: Record<string, string> = {};
                            for (let i = 0; i + 1 < rest.length; i += 2) dimensions[rest[i]] = rest[i + 1];
                            out.push({ where: `dashboard ${d.name} "${w.properties.title}"`, namespace, metricName, dimensions });
                        }
                    }
                }
            }
            return out;
        };
        /** Every custom metric read that neither a handler emits (namespace from the function's environment) nor a non-Lambda log metric filter creates. */
        const unmatched = (p: Plan, seen: Emitted[]) => {
            const fnEnvs = ofType(p, "aws:lambda/function:Function").map(f => f.inputs.environment?.variables ?? {});
            const lambdaLogGroups = new Set(ofType(p, "aws:lambda/function:Function").map(f => f.inputs.loggingConfig?.logGroup));
            const filters = ofType(p, "aws:cloudwatch/logMetricFilter:LogMetricFilter");
            const problems: string[] = [];
            for (const f of filters) if (lambdaLogGroups.has(f.inputs.logGroupName)) problems.push(`log metric filter ${f.name} reads a Lambda log group (JSON log format: use EMF)`);
            for (const m of customMetricsRead(p)) {
                const byFilter = filters.some(f => !lambdaLogGroups.has(f.inputs.logGroupName) && f.inputs.metricTransformation.namespace === m.namespace
                    && f.inputs.metricTransformation.name === m.metricName && Object.keys(m.dimensions).length === 0);
                const byHandler = fnEnvs.some(env => env.POWERTOOLS_METRICS_NAMESPACE === m.namespace && m.dimensions.service === env.POWERTOOLS_SERVICE_NAME
                    && seen.some(s => s.metricName === m.metricName && JSON.stringify(Object.entries(s.dimensions).sort()) === JSON.stringify(Object.entries(m.dimensions).sort())));
                if (!byFilter && !byHandler) problems.push(`${m.where}: ${m.namespace} ${m.metricName} ${JSON.stringify(m.dimensions)} is emitted by no handler`);
            }
            return problems;
        };

        for (const stack of ["dev", "prod"]) {
            it(`${stack}: every custom metric an alarm or the dashboard reads is one the handlers emitted here, with its exact dimensions`, async () => {
                const p = await planStack(stack);
                expect(customMetricsRead(p).length).to.be.greaterThan(5);
                expect(unmatched(p, emitted)).to.deep.equal([]);
            });
        }
        it("fails on an alarm that reads a metric without the handler's dimension set, or a metric filter on a handler's JSON log", async () => {
            const p = await planStack("dev");
            const alarm = one(p, "aws:cloudwatch/metricAlarm:MetricAlarm", "-twilio-signature-alarm");
            const fn = one(p, "aws:lambda/function:Function", "-api-inbound-function");
            const bad: Plan = {
                ...p,
                resources: [
                    ...p.resources,
                    { ...alarm, name: "bad-alarm", inputs: { ...alarm.inputs, dimensions: {} } },
                    { ...alarm, name: "bad-filter", type: "aws:cloudwatch/logMetricFilter:LogMetricFilter", inputs: { logGroupName: fn.inputs.loggingConfig.logGroup, pattern: "{ $.event = \"twilio_signature_invalid\" }", metricTransformation: { name: "TwilioSignatureFailures", namespace: alarm.inputs.namespace } } },
                ],
            };
            const problems = unmatched(bad, emitted);
            expect(problems, problems.join("\n")).to.have.length(2);
            expect(problems.join("\n")).to.contain("bad-filter").and.contain("alarm bad-alarm");
        });

        describe("least privilege per function (@cloud-copilot/iam-simulate on the plan's role policies)", () => {
            const arnOf = (p: Plan, type: string, match: (o: any) => boolean) => {
                const r = ofType(p, type).find(x => match(x.outputs ?? {}));
                if (!r) throw new Error(`no ${type} matching`);
                return r.outputs!.arn as string;
            };
            /** IAM action and resource ARN(s) of a recorded AWS call. */
            const authorisations = (p: Plan, call: Call): { action: string; resource: string }[] => {
                switch (call.service) {
                    case "dynamodb": {
                        const table = arnOf(p, "aws:dynamodb/table:Table", o => o.name === call.input.TableName);
                        return [{ action: `dynamodb:${call.action}`, resource: call.input.IndexName ? `${table}/index/${call.input.IndexName}` : table }];
                    }
                    case "sqs":
                        // SendMessageBatch is authorised as sqs:SendMessage (SQS API reference).
                        return [{ action: call.action === "SendMessageBatch" ? "sqs:SendMessage" : `sqs:${call.action}`, resource: arnOf(p, "aws:sqs/queue:Queue", o => o.url === call.input.QueueUrl) }];
                    case "secretsmanager":
                        return [{ action: `secretsmanager:${call.action}`, resource: call.input.SecretId }];
                    case "bedrock": {
                        // Converse is authorised as bedrock:InvokeModel on the model (or inference profile).
                        const id = call.input.modelId as string;
                        const region = "us-east-1";
                        return [{ action: "bedrock:InvokeModel", resource: /^(us|eu|apac|global)\./.test(id) ? `arn:aws:bedrock:${region}:123456789012:inference-profile/${id}` : `arn:aws:bedrock:${region}::foundation-model/${id}` }];
                    }
                    case "sms-voice": {
                        // SendTextMessage is authorised on the origination identity and the configuration set.
                        const set = arnOf(p, "aws:pinpoint/smsvoicev2ConfigurationSet:Smsvoicev2ConfigurationSet", o => o.name === call.input.ConfigurationSetName || o.arn === call.input.ConfigurationSetName);
                        return [{ action: "sms-voice:SendTextMessage", resource: call.input.OriginationIdentity }, { action: "sms-voice:SendTextMessage", resource: set }];
                    }
                    default:
                        return [];
                }
            };
            /**
             * The calls recorded with the dev plan's environment, as they are with another plan's: every
             * environment value (table names, queue URLs, secret and phone-number ARNs) swapped for that
             * plan's value of the same variable. Calls to resources the other plan does not give the
             * function (an AWS SMS reply where the stack has no number) are dropped.
             */
            const SYNTHETIC: Record<string, string> = {
                ...SMS_ENV,
                REDIS_AUTH_SECRET_ARN: "arn:aws:secretsmanager:us-east-1:123456789012:secret:redis-auth",
            };
            const translate = (p: Plan, service: string, calls: Call[]): Call[] => {
                const target = ofType(p, "aws:lambda/function:Function").find(f => f.inputs.environment?.variables?.POWERTOOLS_SERVICE_NAME === service)!.inputs.environment.variables;
                const pairs = Object.entries({ ...envOf(service), ...SYNTHETIC }).filter(([, v]) => typeof v === "string" && v.length > 8);
                const out: Call[] = [];
                for (const c of calls) {
                    let text = JSON.stringify(c.input);
                    let missing = false;
                    for (const [k, v] of pairs) {
                        if (!text.includes(JSON.stringify(v).slice(1, -1))) continue;
                        if (target[k] === undefined) missing = true;
                        else text = text.split(JSON.stringify(v).slice(1, -1)).join(JSON.stringify(target[k]).slice(1, -1));
                    }
                    if (!missing) out.push({ ...c, input: JSON.parse(text) });
                }
                return out;
            };
            const policyOf = (p: Plan, service: string) => {
                const fn = ofType(p, "aws:lambda/function:Function").find(f => f.inputs.environment?.variables?.POWERTOOLS_SERVICE_NAME === service)!;
                const roleName = fn.name.replace(/-function$/, "-policy");
                return JSON.parse(one(p, "aws:iam/rolePolicy:RolePolicy", roleName).inputs.policy);
            };
            const simulate = async (policy: any, action: string, resource: string) => {
                const res: any = await runSimulation({
                    request: { principal: "arn:aws:iam::123456789012:role/fn", action, resource: { resource, accountId: "123456789012" }, contextVariables: {} },
                    identityPolicies: [{ name: "fn", policy }],
                    serviceControlPolicies: [],
                    resourceControlPolicies: [],
                    resourcePolicy: undefined,
                } as any, {});
                if (res.resultType === "error") throw new Error(`${action} ${resource}: ${JSON.stringify(res.errors)}`);
                return res.overallResult as string;
            };
            /**
             * What Lambda calls with a function's role on its behalf: the SQS event source mapping
             * (AWSLambdaSQSQueueExecutionRole's actions) and the on-failure destination of asynchronous invocations.
             */
            const onBehalf = (p: Plan, service: string) => {
                const fn = ofType(p, "aws:lambda/function:Function").find(f => f.inputs.environment?.variables?.POWERTOOLS_SERVICE_NAME === service)!;
                const out: { action: string; resource: string }[] = [];
                for (const m of ofType(p, "aws:lambda/eventSourceMapping:EventSourceMapping").filter(m => m.inputs.functionName === fn.outputs!.name)) {
                    for (const action of ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"]) out.push({ action, resource: m.inputs.eventSourceArn });
                }
                for (const c of ofType(p, "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig").filter(c => c.inputs.functionName === fn.outputs!.name)) {
                    out.push({ action: "sqs:SendMessage", resource: c.inputs.destinationConfig.onFailure.destination });
                }
                return out;
            };
            const WRITES = ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem", "dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan", "sqs:SendMessage", "sqs:DeleteMessage", "sqs:PurgeQueue", "secretsmanager:PutSecretValue"];

            const check = async (p: Plan, service: string) => {
                const policy = policyOf(p, service);
                const used = [...translate(p, service, sent.get(service) ?? []).flatMap(c => authorisations(p, c)), ...onBehalf(p, service)];
                expect(used.length, `${service} sent AWS commands in these tests`).to.be.greaterThan(0);
                const problems: string[] = [];
                const key = (u: { action: string; resource: string }) => `${u.action} ${u.resource}`;
                const usedKeys = new Set(used.map(key));
                for (const k of usedKeys) {
                    const [action, resource] = k.split(" ");
                    const result = await simulate(policy, action, resource);
                    if (result !== "Allowed") problems.push(`${service} sends ${action} on ${resource} but the role gives ${result}`);
                }
                // Every table and queue of the plan: a read/write the handler did not send must be denied.
                const resources = [
                    ...ofType(p, "aws:dynamodb/table:Table").flatMap(t => [t.outputs!.arn as string, ...(t.inputs.globalSecondaryIndexes ?? []).map((g: any) => `${t.outputs!.arn}/index/${g.name}`)]),
                    ...ofType(p, "aws:sqs/queue:Queue").map(q => q.outputs!.arn as string),
                    ...ofType(p, "aws:secretsmanager/secret:Secret").map(s => s.outputs!.arn as string),
                ];
                for (const action of WRITES) {
                    for (const resource of resources) {
                        if (action.split(":")[0] !== resource.split(":")[2]) continue;
                        if (usedKeys.has(`${action} ${resource}`)) continue;
                        const result = await simulate(policy, action, resource);
                        if (result === "Allowed") problems.push(`${service} may ${action} on ${resource} but never sends it`);
                    }
                }
                return problems;
            };
            for (const service of ["inbound", "billing", "worker", "scheduler", "sender"]) {
                it(`${service}: every command it sent is allowed on the plan's ARNs; every table/queue read or write it did not send is denied`, async () => {
                    expect(await check(plan, service)).to.deep.equal([]);
                });
                it(`${service}, prod with an AWS SMS number (VPC, Redis): the same on prod's ARNs`, async () => {
                    const prod = await planStack("prod", { smsRequestPhoneNumber: "true" });
                    if (service === "sender") {
                        const calls = translate(prod, service, sent.get(service) ?? []);
                        expect(calls.some(c => c.service === "sms-voice"), "the AWS SMS reply is checked too").to.equal(true);
                    }
                    if (service === "worker") {
                        const calls = translate(prod, service, sent.get(service) ?? []);
                        const redisSecret = one(prod, "aws:lambda/function:Function", "-api-worker-function").inputs.environment.variables.REDIS_AUTH_SECRET_ARN;
                        expect(redisSecret).to.match(/^arn:aws:secretsmanager:/);
                        expect(calls.some(c => c.service === "secretsmanager" && c.input.SecretId === redisSecret), "the Redis AUTH token read is checked too").to.equal(true);
                    }
                    expect(await check(prod, service)).to.deep.equal([]);
                });
            }
            it("fails on a role that grants more than the handler sends, or less", async () => {
                const bad: Plan = JSON.parse(JSON.stringify({ ...plan, resources: plan.resources.map(r => ({ ...r })) }));
                const policyRes = bad.resources.find(r => r.type === "aws:iam/rolePolicy:RolePolicy" && r.name.endsWith("-api-billing-policy"))!;
                const policy = JSON.parse(policyRes.inputs.policy);
                const ledgerArn = arnOf(plan, "aws:dynamodb/table:Table", o => o.name === envOf("billing").BILLING_EVENTS_TABLE);
                policy.Statement = policy.Statement.map((s: any) => JSON.stringify(s.Resource ?? "").includes(ledgerArn) && String(s.Action).includes("dynamodb:") ? { ...s, Action: ["dynamodb:UpdateItem", "dynamodb:DeleteItem"] } : s);
                policyRes.inputs = { ...policyRes.inputs, policy: JSON.stringify(policy) };
                const problems = await check(bad, "billing");
                expect(problems.some(x => x.includes("sends dynamodb:PutItem") && x.includes("ImplicitlyDenied")), problems.join("\n")).to.equal(true);
                expect(problems.some(x => x.includes("may dynamodb:UpdateItem"))).to.equal(true);
            });
        });
    });
});
