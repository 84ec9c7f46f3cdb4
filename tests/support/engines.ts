/**
 * Real engines for the handler tests, one of each per test process, started on first use:
 * - redis-server (Debian package) on a free loopback port with TLS (a self-signed certificate
 *   made with openssl now) and AUTH, as ElastiCache runs it;
 * - dynalite (DynamoDB's API on LevelDB in memory) behind every table call;
 * - a fake AWS endpoint (AWS_ENDPOINT_URL) that the real AWS SDK v3 clients talk to: DynamoDB
 *   calls are proxied to dynalite, SQS, Secrets Manager, Bedrock Runtime and End User Messaging
 *   SMS are answered here, and the Twilio REST API too (messages created and listed). Every call
 *   is recorded (service, action, input): the least-privilege test maps these recordings to IAM
 *   actions and ARNs. Any call can be made to misbehave the ways networks do (`behave`): never
 *   answer, answer late, or drop the connection before or after doing what it was asked.
 */
import * as child from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as http from "http";
import * as http2 from "http2";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { RedisConnection } from "../../functions/lib/redis";

export async function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const s = net.createServer();
        s.once("error", reject);
        s.listen(0, "127.0.0.1", () => {
            const port = (s.address() as net.AddressInfo).port;
            s.close(() => resolve(port));
        });
    });
}

const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "engines-"));
const children: child.ChildProcess[] = [];
process.once("exit", () => {
    for (const c of children) c.kill("SIGKILL");
    fs.rmSync(workDir, { recursive: true, force: true });
});

// --- redis-server with TLS and AUTH

export interface RedisEngine {
    host: string;
    port: number;
    password: string;
    ca: string;
    /** An admin connection (CLIENT PAUSE, FLUSHALL, DEBUG SLEEP). */
    admin(args: string[], timeoutMs?: number): Promise<any>;
    stop(): Promise<void>;
    start(): Promise<void>;
}

let redis: Promise<RedisEngine> | undefined;

export function redisEngine(): Promise<RedisEngine> {
    return redis ??= (async () => {
        const key = path.join(workDir, "key.pem");
        const cert = path.join(workDir, "cert.pem");
        child.execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1",
            "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"], { stdio: "ignore" });
        const ca = fs.readFileSync(cert, "utf8");
        const password = crypto.randomBytes(24).toString("hex");
        const port = await freePort();
        let proc: child.ChildProcess | undefined;
        const admin = async (args: string[], timeoutMs = 2000) => {
            const c = new RedisConnection({ host: "127.0.0.1", port, password, tls: { ca }, connectTimeoutMs: 2000, commandTimeoutMs: timeoutMs });
            try {
                await c.ready;
                return await c.command(args);
            } finally {
                c.close();
            }
        };
        const engine: RedisEngine = {
            host: "127.0.0.1", port, password, ca, admin,
            async start() {
                proc = child.spawn("redis-server", ["--port", "0", "--tls-port", String(port), "--bind", "127.0.0.1",
                    "--tls-cert-file", cert, "--tls-key-file", key, "--tls-ca-cert-file", cert, "--tls-auth-clients", "no",
                    "--requirepass", password, "--save", "", "--appendonly", "no", "--enable-debug-command", "local"], { stdio: "ignore" });
                children.push(proc);
                for (let i = 0; ; i++) {
                    try {
                        if (await admin(["PING"], 500) === "PONG") return;
                    } catch (e) {
                        if (i > 100) throw e;
                        await new Promise(r => setTimeout(r, 50));
                    }
                }
            },
            async stop() {
                if (!proc) return;
                const p = proc;
                proc = undefined;
                await new Promise<void>(resolve => { p.once("exit", () => resolve()); p.kill("SIGKILL"); });
            },
        };
        await engine.start();
        return engine;
    })();
}

/** A TCP endpoint that accepts connections and never answers (a black-holed Redis). */
export async function blackHole(): Promise<{ port: number; connections: () => number; close: () => void }> {
    const sockets: net.Socket[] = [];
    let count = 0;
    const server = net.createServer(s => { count++; sockets.push(s); s.on("error", () => undefined); });
    await new Promise<void>(r => server.listen(0, "127.0.0.1", () => r()));
    return {
        port: (server.address() as net.AddressInfo).port,
        connections: () => count,
        close: () => { for (const s of sockets) s.destroy(); server.close(); },
    };
}

// --- fake AWS endpoint (+ dynalite) and Twilio API

export interface Call {
    service: "dynamodb" | "sqs" | "secretsmanager" | "bedrock" | "sms-voice" | "twilio";
    action: string;
    input: any;
}

/**
 * How the endpoint treats a call instead of answering at once:
 * - `stall`: reads the request, never answers (the socket stays open);
 * - `delayMs`: does the work, answers after this many ms;
 * - `drop: "before"`: reads the request and closes the connection, having done nothing;
 * - `drop: "after"`: does the work (the message is created, the item written) and closes the
 *   connection without an answer.
 */
export type Behaviour = { stall: true } | { delayMs: number } | { drop: "before" | "after" };

/** A message the fake Twilio created, as its Messages list returns it. */
export interface TwilioMessage {
    sid: string;
    to: string;
    from: string;
    body: string;
    date_created: string;
    direction: string;
    status: string;
}

/** A fault answer: HTTP status, AWS error type, message. */
export interface Fault {
    status: number;
    type: string;
    message?: string;
}

export interface FakeAws {
    endpoint: string;
    calls: Call[];
    /** Messages accepted by SQS (SendMessage and SendMessageBatch), per queue URL. */
    queues: Map<string, { messageId: string; body: string; sentAt: number }[]>;
    secrets: Map<string, string>;
    /** Called for every request before it is answered; return a Fault to fail it. */
    fault?: (call: Call) => Fault | undefined;
    /** Called for every request after `fault`; return a Behaviour to stall, delay or drop it. */
    behave?: (call: Call) => Behaviour | undefined;
    /** Messages the fake Twilio created (CreateMessage), oldest first. */
    twilioMessages: TwilioMessage[];
    /** Messages End User Messaging SMS accepted (SendTextMessage). */
    smsMessages: { messageId: string; input: any }[];
    /** What the model answers (default: "answer to <prompt>"). */
    answer: (prompt: string) => string;
    /** Milliseconds each Bedrock answer takes. */
    bedrockDelayMs: number;
    /** Why the model stopped (Converse `stopReason`); "max_tokens" for an answer cut at the limit. */
    bedrockStopReason: string;
    reset(): void;
}

let aws: Promise<FakeAws> | undefined;

const readBody = (req: http.IncomingMessage): Promise<Buffer> => new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", c => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
});

const md5 = (s: string) => crypto.createHash("md5").update(s, "utf8").digest("hex");

export function fakeAws(): Promise<FakeAws> {
    return aws ??= (async () => {
        // eslint-disable-next-line @typescript-eslint/no-var-requires
        const dynalite = require("dynalite");
        const dynamoServer = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
        const dynamoPort = await freePort();
        await new Promise<void>(r => dynamoServer.listen(dynamoPort, "127.0.0.1", () => r()));
        const state: FakeAws = {
            endpoint: "",
            calls: [],
            queues: new Map(),
            secrets: new Map(),
            answer: p => `answer to ${p.slice(0, 40)}`,
            bedrockDelayMs: 0,
            bedrockStopReason: "end_turn",
            twilioMessages: [],
            smsMessages: [],
            reset() {
                state.calls.length = 0;
                state.queues.clear();
                state.fault = undefined;
                state.behave = undefined;
                state.twilioMessages.length = 0;
                state.smsMessages.length = 0;
                for (const s of stalled.splice(0)) s.destroy();
                state.answer = p => `answer to ${p.slice(0, 40)}`;
                state.bedrockDelayMs = 0;
                state.bedrockStopReason = "end_turn";
            },
        };
        const stalled: net.Socket[] = [];
        /** Per response: close the connection instead of answering (the work is done, the answer lost). */
        const dropAnswer = new WeakSet<http.ServerResponse>();
        const send = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
            if (dropAnswer.has(res)) {
                res.socket?.destroy();
                return;
            }
            res.writeHead(status, { "content-type": "application/x-amz-json-1.0", ...headers });
            res.end(JSON.stringify(body));
        };
        const serve = async (req: http.IncomingMessage, res: http.ServerResponse) => {
            const raw = await readBody(req);
            const target = String(req.headers["x-amz-target"] ?? "");
            const url = req.url ?? "/";
            let call: Call;
            if (target.startsWith("DynamoDB_20120810.")) call = { service: "dynamodb", action: target.split(".")[1], input: JSON.parse(raw.toString() || "{}") };
            else if (target.startsWith("AmazonSQS.")) call = { service: "sqs", action: target.split(".")[1], input: JSON.parse(raw.toString() || "{}") };
            else if (target.startsWith("secretsmanager.")) call = { service: "secretsmanager", action: target.split(".")[1], input: JSON.parse(raw.toString() || "{}") };
            else if (target.startsWith("PinpointSMSVoiceV2.")) call = { service: "sms-voice", action: target.split(".")[1], input: JSON.parse(raw.toString() || "{}") };
            else if (/^\/model\/[^/]+\/converse$/.test(url)) call = { service: "bedrock", action: "Converse", input: { modelId: decodeURIComponent(url.split("/")[2]), ...JSON.parse(raw.toString() || "{}") } };
            else if (/^\/2010-04-01\/Accounts\/[^/]+\/Messages\.json(\?|$)/.test(url)) {
                const [pathPart, query] = url.split("?");
                call = req.method === "GET"
                    ? { service: "twilio", action: "ListMessages", input: { accountSid: pathPart.split("/")[3], ...Object.fromEntries(new URLSearchParams(query ?? "")) } }
                    : { service: "twilio", action: "CreateMessage", input: { accountSid: pathPart.split("/")[3], ...Object.fromEntries(new URLSearchParams(raw.toString())) } };
            } else return send(res, 404, { message: `fake AWS: no route for ${target || url}` });
            state.calls.push(call);
            const fault = state.fault?.(call);
            if (fault) {
                if (call.service === "twilio") return send(res, fault.status, { code: 20500, message: fault.message ?? fault.type }, { "content-type": "application/json" });
                return send(res, fault.status, { __type: fault.type, message: fault.message ?? fault.type }, { "x-amzn-errortype": fault.type });
            }
            const behaviour = state.behave?.(call);
            if (behaviour && "stall" in behaviour) {
                stalled.push(req.socket);
                return;
            }
            if (behaviour && "drop" in behaviour) {
                if (behaviour.drop === "before") return req.socket.destroy();
                dropAnswer.add(res);
            }
            if (behaviour && "delayMs" in behaviour) {
                await new Promise(r => setTimeout(r, behaviour.delayMs));
                if (res.destroyed) {
                    // The client gave up: the work is done all the same, as a real service would.
                    dropAnswer.add(res);
                }
            }
            switch (call.service) {
                case "dynamodb": {
                    const upstream = http.request({ host: "127.0.0.1", port: dynamoPort, method: req.method, path: url, headers: req.headers }, up => {
                        if (dropAnswer.has(res)) {
                            up.resume();
                            up.on("end", () => res.socket?.destroy());
                            return;
                        }
                        res.writeHead(up.statusCode ?? 500, up.headers);
                        up.pipe(res);
                    });
                    upstream.on("error", e => send(res, 500, { __type: "InternalServerError", message: e.message }));
                    upstream.end(raw);
                    return;
                }
                case "sqs": {
                    const q = call.input.QueueUrl as string;
                    const list = state.queues.get(q) ?? [];
                    state.queues.set(q, list);
                    const accept = (body: string) => {
                        const messageId = crypto.randomUUID();
                        list.push({ messageId, body, sentAt: Date.now() });
                        return { MessageId: messageId, MD5OfMessageBody: md5(body) };
                    };
                    if (call.action === "SendMessage") return send(res, 200, accept(call.input.MessageBody));
                    if (call.action === "SendMessageBatch") return send(res, 200, { Successful: call.input.Entries.map((e: any) => ({ Id: e.Id, ...accept(e.MessageBody) })), Failed: [] });
                    return send(res, 400, { __type: "InvalidAction", message: call.action });
                }
                case "secretsmanager": {
                    const value = state.secrets.get(call.input.SecretId);
                    if (value === undefined) return send(res, 400, { __type: "ResourceNotFoundException", message: "Secrets Manager can't find the specified secret." }, { "x-amzn-errortype": "ResourceNotFoundException" });
                    return send(res, 200, { ARN: call.input.SecretId, Name: call.input.SecretId, SecretString: value, VersionId: "v1", VersionStages: ["AWSCURRENT"] });
                }
                case "bedrock": {
                    const prompt = call.input.messages?.[0]?.content?.[0]?.text ?? "";
                    if (state.bedrockDelayMs) await new Promise(r => setTimeout(r, state.bedrockDelayMs));
                    if (res.destroyed) return;
                    return send(res, 200, {
                        output: { message: { role: "assistant", content: [{ text: state.answer(prompt) }] } },
                        stopReason: state.bedrockStopReason, usage: { inputTokens: 10, outputTokens: 20, totalTokens: 30 }, metrics: { latencyMs: 1 },
                    }, { "content-type": "application/json" });
                }
                case "sms-voice": {
                    const messageId = crypto.randomUUID();
                    if (call.action === "SendTextMessage") state.smsMessages.push({ messageId, input: call.input });
                    return send(res, 200, { MessageId: messageId });
                }
                case "twilio": {
                    if (call.action === "ListMessages") {
                        // Newest first, filtered by To and From as Twilio's Messages list is.
                        const messages = state.twilioMessages.filter(m => (!call.input.To || m.to === call.input.To) && (!call.input.From || m.from === call.input.From)).reverse();
                        return send(res, 200, { messages, page: 0, page_size: Number(call.input.PageSize ?? 50) }, { "content-type": "application/json" });
                    }
                    const message: TwilioMessage = {
                        sid: `SM${crypto.randomBytes(16).toString("hex")}`, to: call.input.To, from: call.input.From, body: call.input.Body,
                        date_created: new Date().toUTCString(), direction: "outbound-api", status: "queued",
                    };
                    state.twilioMessages.push(message);
                    return send(res, 201, message, { "content-type": "application/json" });
                }
            }
        };
        const server = http.createServer(serve);
        const port = await freePort();
        await new Promise<void>(r => server.listen(port, "127.0.0.1", () => r()));
        state.endpoint = `http://127.0.0.1:${port}`;
        server.unref();
        // The Bedrock Runtime client speaks HTTP/2 (its default handler): the same routes on an h2c server.
        const h2 = http2.createServer((req, res) => serve(req as any, res as any));
        const h2Port = await freePort();
        await new Promise<void>(r => h2.listen(h2Port, "127.0.0.1", () => r()));
        h2.unref();
        dynamoServer.unref?.();
        Object.assign(process.env, {
            AWS_ENDPOINT_URL: state.endpoint,
            AWS_ENDPOINT_URL_BEDROCK_RUNTIME: `http://127.0.0.1:${h2Port}`,
            AWS_ACCESS_KEY_ID: "AKIDTEST",
            AWS_SECRET_ACCESS_KEY: "secret",
            AWS_REGION: "us-east-1",
            AWS_SESSION_TOKEN: "",
        });
        return state;
    })();
}

/** Create a DynamoDB table in dynalite as the plan declares it (keys, attributes, GSIs). */
export async function createTable(endpoint: string, name: string, inputs: any): Promise<void> {
    const { DynamoDBClient, CreateTableCommand } = await import("@aws-sdk/client-dynamodb");
    const client = new DynamoDBClient({ endpoint, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } });
    const keySchema = (hash: string, range?: string) => [{ AttributeName: hash, KeyType: "HASH" as const }, ...(range ? [{ AttributeName: range, KeyType: "RANGE" as const }] : [])];
    const gsis = (inputs.globalSecondaryIndexes ?? []).map((g: any) => ({
        IndexName: g.name,
        KeySchema: g.keySchemas ? g.keySchemas.map((k: any) => ({ AttributeName: k.attributeName, KeyType: k.keyType })) : keySchema(g.hashKey, g.rangeKey),
        Projection: { ProjectionType: g.projectionType ?? "ALL", ...(g.nonKeyAttributes ? { NonKeyAttributes: g.nonKeyAttributes } : {}) },
    }));
    try {
        await client.send(new CreateTableCommand({
            TableName: name,
            BillingMode: "PAY_PER_REQUEST",
            AttributeDefinitions: inputs.attributes.map((a: any) => ({ AttributeName: a.name, AttributeType: a.type })),
            KeySchema: keySchema(inputs.hashKey, inputs.rangeKey),
            ...(gsis.length ? { GlobalSecondaryIndexes: gsis } : {}),
        }));
    } catch (e: any) {
        if (e?.name !== "ResourceInUseException") throw e;
    }
}

/** Run `fn` with stdout captured: the Embedded Metric Format lines (parsed) and the log lines. */
export async function captureOutput<T>(fn: () => Promise<T>): Promise<{ result: T; emf: any[]; logs: any[] }> {
    const original = process.stdout.write.bind(process.stdout);
    const lines: string[] = [];
    let partial = "";
    (process.stdout as any).write = (chunk: any, ...rest: any[]) => {
        partial += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
        const parts = partial.split("\n");
        partial = parts.pop() ?? "";
        lines.push(...parts);
        const cb = rest.find(r => typeof r === "function");
        if (cb) cb();
        return true;
    };
    const consoleMethods = ["log", "info", "warn", "error", "debug"] as const;
    const saved = consoleMethods.map(m => console[m]);
    for (const m of consoleMethods) (console as any)[m] = (...args: any[]) => lines.push(args.map(String).join(" "));
    try {
        const result = await fn();
        if (partial) lines.push(partial);
        const parsed = lines.map(l => { try { return JSON.parse(l); } catch { return { raw: l }; } });
        return { result, emf: parsed.filter(p => p?._aws?.CloudWatchMetrics), logs: parsed.filter(p => !p?._aws) };
    } finally {
        (process.stdout as any).write = original;
        consoleMethods.forEach((m, i) => ((console as any)[m] = saved[i]));
    }
}

/** The metrics of EMF lines as (namespace, metric, dimensions with values) and their summed values. */
export function emfMetrics(emf: any[]): { namespace: string; metricName: string; dimensions: Record<string, string>; value: number }[] {
    const out: { namespace: string; metricName: string; dimensions: Record<string, string>; value: number }[] = [];
    for (const line of emf) {
        for (const directive of line._aws.CloudWatchMetrics) {
            for (const dimSet of directive.Dimensions as string[][]) {
                for (const m of directive.Metrics as { Name: string }[]) {
                    const v = line[m.Name];
                    out.push({
                        namespace: directive.Namespace,
                        metricName: m.Name,
                        dimensions: Object.fromEntries(dimSet.map(d => [d, String(line[d])])),
                        value: Array.isArray(v) ? v.reduce((a: number, b: number) => a + b, 0) : Number(v),
                    });
                }
            }
        }
    }
    return out;
}
