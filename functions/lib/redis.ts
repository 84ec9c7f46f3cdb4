/**
 * A small Redis client for the prompt cache: TLS and AUTH as ElastiCache runs them, GET and
 * SET … EX only, with hard deadlines on connecting and on every command.
 *
 * Why not ioredis: bundled, ioredis is 135 KB minified (cluster, sentinel, the command table)
 * and would alone nearly fill the 150 KB budget of the worker (`npm run bench`). The protocol
 * parsing is ioredis's own parser (`redis-parser`); this file only frames commands and keeps
 * the deadlines, which is what the cache needs to fail open.
 */
import * as net from "net";
import * as tls from "tls";
// redis-parser ships no types.
// eslint-disable-next-line @typescript-eslint/no-var-requires
const Parser = require("redis-parser");

export interface RedisOptions {
    host: string;
    port: number;
    /** AUTH token (ElastiCache `auth_token`). */
    password: string;
    /** Extra TLS options (tests pass their CA). Defaults to Node's trust store. */
    tls?: tls.ConnectionOptions;
    /** Deadline for TCP + TLS + AUTH, in ms. Defaults to 300. */
    connectTimeoutMs?: number;
    /** Deadline for each command, in ms. Defaults to 150. */
    commandTimeoutMs?: number;
}

interface Pending {
    resolve: (v: any) => void;
    reject: (e: Error) => void;
    timer: NodeJS.Timeout;
}

/** RESP encoding of one command (an array of bulk strings). */
export function encodeCommand(args: string[]): Buffer {
    const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
    for (const a of args) {
        const b = Buffer.from(a, "utf8");
        parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from("\r\n"));
    }
    return Buffer.concat(parts);
}

/** One connection. Any error or timeout destroys it; the owner makes a new one (see RedisCache). */
export class RedisConnection {
    private readonly socket: tls.TLSSocket;
    private readonly pending: Pending[] = [];
    private readonly parser: any;
    private readonly commandTimeoutMs: number;
    public closed = false;
    public readonly ready: Promise<void>;

    constructor(opts: RedisOptions) {
        this.commandTimeoutMs = opts.commandTimeoutMs ?? 150;
        this.parser = new Parser({
            returnReply: (reply: any) => this.settle(p => p.resolve(reply)),
            returnError: (err: Error) => this.settle(p => p.reject(err)),
            returnFatalError: (err: Error) => this.close(err),
        });
        const connectTimeoutMs = opts.connectTimeoutMs ?? 300;
        this.socket = tls.connect({ host: opts.host, port: opts.port, servername: net.isIP(opts.host) ? undefined : opts.host, ...opts.tls });
        this.socket.setNoDelay(true);
        this.socket.on("data", (chunk: Buffer) => this.parser.execute(chunk));
        this.socket.on("error", (e: Error) => this.close(e));
        this.socket.on("close", () => this.close(new Error("Redis connection closed")));
        this.ready = new Promise<void>((resolve, reject) => {
            const timer = setTimeout(() => {
                const e = new Error(`Redis connect timed out after ${connectTimeoutMs} ms`);
                reject(e);
                this.close(e);
            }, connectTimeoutMs);
            this.socket.once("secureConnect", () => {
                this.command(["AUTH", opts.password], Math.max(1, connectTimeoutMs)).then(() => { clearTimeout(timer); resolve(); }, e => { clearTimeout(timer); reject(e); this.close(e); });
            });
            this.socket.once("close", () => { clearTimeout(timer); reject(new Error("Redis connection closed")); });
        });
        this.ready.catch(() => undefined);
    }

    private settle(fn: (p: Pending) => void): void {
        const p = this.pending.shift();
        if (!p) return;
        clearTimeout(p.timer);
        fn(p);
    }

    /** Send a command; rejects (and closes the connection) when no answer comes within the deadline. */
    public command(args: string[], timeoutMs = this.commandTimeoutMs): Promise<any> {
        if (this.closed) return Promise.reject(new Error("Redis connection closed"));
        return new Promise((resolve, reject) => {
            const timer = setTimeout(() => this.close(new Error(`Redis ${args[0]} timed out after ${timeoutMs} ms`)), timeoutMs);
            this.pending.push({ resolve, reject, timer });
            this.socket.write(encodeCommand(args));
        });
    }

    /** Destroy the socket and fail every command still waiting. Idempotent. */
    public close(reason: Error = new Error("Redis connection closed")): void {
        if (this.closed) return;
        this.closed = true;
        this.socket.destroy();
        for (const p of this.pending.splice(0)) {
            clearTimeout(p.timer);
            p.reject(reason);
        }
    }
}
