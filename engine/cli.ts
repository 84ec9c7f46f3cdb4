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
 * docs/cli.md documents the codes; tests/cli.test.ts checks each misuse case.
 *
 * A command is written as
 *
 *     runCli("cost", USAGE, async argv => { const { values, positionals } = parseCliArgs(argv, {...}); ...; return 0; });
 */
import * as fs from "fs";
import * as path from "path";
import { parseArgs, ParseArgsConfig } from "util";

export { didYouMean, editDistance } from "../components/messages";

export const EXIT = { ok: 0, check: 1, settings: 2, usage: 3, internal: 4 } as const;

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
        fail(String(e.message).split(/\.\s|\n/)[0]
            .replace(/^Unknown option '(.*)'$/, "unknown option $1")
            .replace(/^Option '(?:-\w, )?(--[\w-]+)[^']*' argument missing$/, "$1 needs a value"));
    }
    const n = parsed.positionals.length;
    if (n < positionals.min) fail(`missing ${positionals.names}`);
    if (n > positionals.max) fail(`unexpected argument ${parsed.positionals[positionals.max]}`);
    return { values: parsed.values as Values<O>, positionals: parsed.positionals };
}

/** A file that must exist and be a readable regular file; `what` names it in the message. */
export function readInput(file: string, what: string): string {
    let stat: fs.Stats;
    try {
        stat = fs.statSync(file);
    } catch {
        fail(`${what} ${file} does not exist`);
    }
    if (stat.isDirectory()) fail(`${what} ${file} is a directory, not a file`);
    try {
        return fs.readFileSync(file, "utf8");
    } catch (e: any) {
        fail(`cannot read ${what} ${file}: ${e.code ?? e.message}`);
    }
}

/** Parse JSON, a syntax error being a file problem. */
export function parseJsonFile(file: string, what: string): any {
    const text = readInput(file, what);
    try {
        return JSON.parse(text);
    } catch (e: any) {
        fail(`${what} ${file} is not valid JSON: ${e.message}`);
    }
}

/**
 * Check, before doing any work, that `file` can be written: its folder exists and is a writable
 * folder, and the file, if it exists, is a writable regular file.
 */
export function checkWritable(file: string, what: string): void {
    const dir = path.dirname(path.resolve(file));
    let dirStat: fs.Stats | undefined;
    try {
        dirStat = fs.statSync(dir);
    } catch {
        fail(`cannot write ${what} ${file}: folder ${dir} does not exist`);
    }
    if (!dirStat.isDirectory()) fail(`cannot write ${what} ${file}: ${dir} is not a folder`);
    try {
        fs.accessSync(dir, fs.constants.W_OK);
    } catch {
        fail(`cannot write ${what} ${file}: folder ${dir} is not writable`);
    }
    if (fs.existsSync(file)) {
        if (fs.statSync(file).isDirectory()) fail(`cannot write ${what} ${file}: it is a folder`);
        try {
            fs.accessSync(file, fs.constants.W_OK);
        } catch {
            fail(`cannot write ${what} ${file}: it is read-only`);
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
        .then(code => process.exit(code), err => {
            const { lines, code } = describeFailure(command, err, verbose);
            console.error(lines.join("\n"));
            process.exit(code);
        });
}
