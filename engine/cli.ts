/**
 * The error boundary of every command (`npm run plan`, `policy`, `cost`, `new-stack`, `docs`,
 * `bench`, `bench-plan`): one place decides what a failure prints and which code it exits with.
 *
 *   0  success
 *   1  the command's check failed: a mandatory policy violation (plan, policy), a broken budget (cost, bench)
 *   2  invalid settings: stack settings (config.ts), the policy pack config, a component's arguments
 *   3  usage or file problem: unknown option or stack, a missing or unreadable file, a YAML or JSON
 *      syntax error, a file that is not what the command reads, an output path that cannot be written
 *   4  unexpected error (a bug): one line; `--verbose` shows the stack trace
 *
 * Usage and file problems print exactly one line, `<command>: <problem>`, on stderr. Invalid settings
 * print one line per problem (every problem at once). No stack trace is printed unless `--verbose` is
 * given (engine/register.js then also turns on source maps, so the trace points into .ts files).
 *
 * Paths the user types are resolved against the folder they ran `npm run` from (userPath) and
 * printed as typed (shownPath); `-` as an output file is standard output (writeOutput), as an input
 * it is refused; a file's syntax error names its line and column (parseJsonFile, parseYamlFile).
 * docs/cli.md documents the codes; tests/cli.test.ts checks each misuse case.
 *
 * A command is written as
 *
 *     runCli("cost", USAGE, async argv => { const { values, positionals } = parseCliArgs(argv, {...}); ...; return 0; });
 */
import * as fs from "fs";
import * as path from "path";
import { parseArgs, ParseArgsConfig } from "util";
import * as yaml from "js-yaml";
import { didYouMean } from "../components/messages";

export { didYouMean, editDistance } from "../components/messages";

export const EXIT = { ok: 0, check: 1, settings: 2, usage: 3, internal: 4 } as const;

/**
 * The folder the user ran the command from. `npm run` starts every script in the repository root
 * and keeps the caller's folder in INIT_CWD; run directly (`node -r ./engine/register.js cli/x.ts`),
 * the command's own working folder.
 */
export function callerDir(): string {
    const init = process.env.INIT_CWD;
    return init && path.isAbsolute(init) && fs.existsSync(init) ? init : process.cwd();
}

/** A path the user typed, resolved against the folder they ran the command from. */
export function userPath(given: string): string {
    return path.resolve(callerDir(), given);
}

/**
 * A path as messages print it: a relative one as the user typed it (from their folder: `out.json`,
 * `../Pulumi.dev.yaml`); an absolute one relative to that folder when inside it, else whole.
 */
export function shownPath(file: string): string {
    const full = userPath(file);
    const rel = path.relative(callerDir(), full) || ".";
    if (!path.isAbsolute(file)) return rel;
    return rel.startsWith("..") || path.isAbsolute(rel) ? full : rel;
}

/**
 * The <stack> argument, or a usage error listing the project's stacks (its Pulumi.<stack>.yaml
 * files) when it is missing.
 */
export function requireStack(stack: string | undefined, projectDir: string): string {
    if (stack !== undefined) return stack;
    const stacks = fs.readdirSync(projectDir).map(f => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1]).filter(s => s !== undefined).sort();
    return fail(`missing <stack> (stacks: ${stacks.join(", ") || "none; `npm run new-stack` creates one"})`);
}

/** `-` as an output path: standard output (the usual convention). */
export const STDOUT = "-";

/**
 * Write a command's output file, or standard output for `-`; returns the line that says where it
 * went (nothing for standard output, which must stay pure JSON for a pipe).
 */
export function writeOutput(given: string, text: string, what: string): string | undefined {
    if (given === STDOUT) {
        process.stdout.write(text);
        return undefined;
    }
    fs.writeFileSync(userPath(given), text);
    return `${what} written to ${shownPath(given)}`;
}

/** A usage or file problem: printed as one line, exit 3. */
export class UsageError extends Error {
    constructor(message: string) {
        super(message.replace(/\s*\n\s*/g, " ").trim());
        this.name = "UsageError";
    }
}

/** Invalid settings other than the stack's (e.g. the policy pack config): every problem listed, exit 2. */
export class InvalidSettings extends Error {
    constructor(what: string, problems: string[]) {
        super(`Invalid ${what} (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n${problems.map(p => `  - ${p}`).join("\n")}`);
        this.name = "SettingsError";
    }
}

/** Throw a usage or file problem (exit 3). */
export function fail(message: string): never {
    throw new UsageError(message);
}

type Options = NonNullable<ParseArgsConfig["options"]>;
type Values<O extends Options> = { [K in keyof O]?: O[K] extends { type: "boolean" } ? boolean : O[K] extends { multiple: true } ? string[] : string };

/**
 * Parse argv with node's util.parseArgs (strict). `--verbose` and `--help` are accepted by every
 * command (runCli acts on them). An unknown option, a missing value or a wrong number of
 * positionals is a usage error.
 */
export function parseCliArgs<O extends Options>(argv: string[], options: O, positionals: { min: number; max: number; names: string }): { values: Values<O>; positionals: string[] } {
    let parsed: { values: Record<string, unknown>; positionals: string[] };
    try {
        parsed = parseArgs({ args: argv, options: { ...options, verbose: { type: "boolean" }, help: { type: "boolean", short: "h" } }, allowPositionals: true, strict: true });
    } catch (e: any) {
        // Node's messages are multi-line and suggest `--` for dashes; keep their first sentence.
        const first = String(e.message).split(/\.\s|\n/)[0];
        const unknown = /^Unknown option '(.*)'$/.exec(first)?.[1];
        if (unknown !== undefined) {
            const near = didYouMean(unknown.replace(/^-+/, ""), [...Object.keys(options), "verbose", "help"]);
            fail(`unknown option ${unknown}${near ? `; did you mean --${near}?` : ""}`);
        }
        fail(first.replace(/^Option '(?:-\w, )?(--[\w-]+)[^']*' argument missing$/, "$1 needs a value"));
    }
    const n = parsed.positionals.length;
    if (n < positionals.min) fail(`missing ${positionals.names}`);
    if (n > positionals.max) fail(`unexpected argument ${parsed.positionals[positionals.max]}`);
    return { values: parsed.values as Values<O>, positionals: parsed.positionals };
}

/**
 * A file the user supplies, which must exist and be a readable regular file; `what` names it in the
 * message. A relative path is resolved against the caller's folder (userPath); `-` is refused: the
 * commands read files, not standard input.
 */
export function readInput(file: string, what: string): string {
    if (file === STDOUT) fail(`${what}: - (standard input) is not read; give a file`);
    const full = userPath(file);
    const shown = shownPath(file);
    let stat: fs.Stats;
    try {
        stat = fs.statSync(full);
    } catch {
        fail(`${what} ${shown} does not exist`);
    }
    if (stat.isDirectory()) fail(`${what} ${shown} is a directory, not a file`);
    try {
        return fs.readFileSync(full, "utf8");
    } catch (e: any) {
        fail(`cannot read ${what} ${shown}: ${e.code ?? e.message}`);
    }
}

/** The 1-based line and column of a character offset in a text. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
    const before = text.slice(0, Math.max(0, offset));
    return { line: before.split("\n").length, column: offset - before.lastIndexOf("\n") };
}

/**
 * Where V8's JSON.parse message places the error: "at position N", the end of the input, or the
 * context it quotes around an unexpected token (`..."<10 before><token><10 after>"...`).
 */
export function jsonErrorOffset(text: string, message: string): number | undefined {
    const pos = /at position (\d+)/.exec(message)?.[1];
    if (pos !== undefined) return Number(pos);
    if (/Unexpected end of JSON input/.test(message)) return text.length;
    const context = /^Unexpected token .*?, (\.\.\.)?"([\s\S]*?)"(\.\.\.)? is not valid JSON$/.exec(message);
    if (!context) return undefined;
    const at = text.indexOf(context[2]);
    if (at < 0) return undefined;
    if (context[1]) return at + 10;
    if (context[3]) return at + Math.max(0, context[2].length - 10);
    // A short text is quoted whole, without the token's place: found when the token occurs once.
    const token = /^Unexpected token '([\s\S])'/.exec(message)?.[1];
    return token !== undefined && text.indexOf(token) === text.lastIndexOf(token) ? text.indexOf(token) : undefined;
}

/** Parse JSON, a syntax error being a file problem that names the file and the line. */
export function parseJsonFile(file: string, what: string): any {
    const text = readInput(file, what);
    try {
        return JSON.parse(text);
    } catch (e: any) {
        const offset = jsonErrorOffset(text, e.message);
        const where = offset === undefined ? "" : (({ line, column }) => ` at line ${line}, column ${column}`)(lineColumn(text, offset));
        const reason = String(e.message).replace(/ in JSON at position \d+.*$/, "").replace(/\s*\n\s*/g, " ");
        fail(`${what} ${shownPath(file)} is not valid JSON${where}: ${reason}`);
    }
}

/** Parse YAML, a syntax error being a file problem that names the file, line and column. */
export function parseYamlFile(file: string, what: string): unknown {
    const text = readInput(file, what);
    try {
        return yaml.load(text, { filename: file });
    } catch (e: any) {
        const where = e.mark ? ` at line ${e.mark.line + 1}, column ${e.mark.column + 1}` : "";
        return fail(`${what} ${shownPath(file)}: YAML syntax error${where}: ${e.reason ?? String(e.message).split("\n")[0]}`);
    }
}

/**
 * Check, before doing any work, that `file` can be written: its folder exists and is a writable
 * folder, and the file, if it exists, is a writable regular file. `-` (standard output) always can.
 */
export function checkWritable(file: string, what: string): void {
    if (file === STDOUT) return;
    const full = userPath(file);
    const shown = shownPath(file);
    const dir = path.dirname(full);
    let dirStat: fs.Stats | undefined;
    try {
        dirStat = fs.statSync(dir);
    } catch {
        fail(`cannot write ${what} ${shown}: folder ${shownPath(path.dirname(shown))} does not exist`);
    }
    if (!dirStat.isDirectory()) fail(`cannot write ${what} ${shown}: ${shownPath(path.dirname(shown))} is not a folder`);
    try {
        fs.accessSync(dir, fs.constants.W_OK);
    } catch {
        fail(`cannot write ${what} ${shown}: folder ${shownPath(path.dirname(shown))} is not writable`);
    }
    if (fs.existsSync(full)) {
        if (fs.statSync(full).isDirectory()) fail(`cannot write ${what} ${shown}: it is a folder`);
        try {
            fs.accessSync(full, fs.constants.W_OK);
        } catch {
            fail(`cannot write ${what} ${shown}: it is read-only`);
        }
    }
}

/** What a failure prints and its exit code. */
export function describeFailure(command: string, err: unknown, verbose: boolean): { lines: string[]; code: number } {
    const e = err as any;
    const trace = verbose && e?.stack ? [String(e.stack)] : [];
    if (err instanceof UsageError) return { lines: [`${command}: ${e.message}`, ...trace], code: EXIT.usage };
    // By name and marker, so that a usage error is reported without loading config.ts and the Pulumi SDK.
    if (e?.name === "SettingsError" || e?.name === "NamingError" || e?.name === "RequestError") return { lines: [e.message], code: EXIT.settings };
    if (e?.__pulumResourceError === true) {
        // A component refused its arguments (they come from the settings): every problem, no trace.
        return { lines: [`${command}: ${e.message}`, ...trace], code: EXIT.settings };
    }
    const oneLine = String(e?.message ?? err).split("\n")[0];
    return {
        lines: [`${command}: unexpected error: ${oneLine}${verbose ? "" : " (run again with --verbose for the stack trace)"}`, ...trace],
        code: EXIT.internal,
    };
}

/**
 * Exit once standard output has been handed over: a pipe takes 64 KB at a time, and exiting with
 * more queued would cut a `--json -` plan short. An empty write's callback runs after every
 * earlier write has been flushed.
 */
function exitWhenFlushed(code: number): void {
    process.stdout.write("", () => process.exit(code));
}

/**
 * Run a command's main function inside the error boundary and exit with its code. `main` returns
 * the exit code (0 or 1) or throws; `--help` prints the usage and exits 0.
 */
export function runCli(command: string, usage: string, main: (argv: string[], verbose: boolean) => number | Promise<number>): void {
    const argv = process.argv.slice(2);
    const verbose = argv.includes("--verbose");
    if (argv.includes("--help") || argv.includes("-h")) {
        console.log(usage);
        process.exit(EXIT.ok);
    }
    Promise.resolve()
        .then(() => main(argv, verbose))
        .then(code => exitWhenFlushed(code), err => {
            const { lines, code } = describeFailure(command, err, verbose);
            if (process.stderr.isTTY) process.stderr.write("\r\x1b[2K"); // a progress line (engine/progress.ts) still shown
            console.error(lines.join("\n"));
            process.exit(code);
        });
}
