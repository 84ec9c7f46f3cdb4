/**
 * Progress of a long command (`npm run plan`, `bench`, `bench-plan`) on standard error, shown only
 * when standard error is a terminal: one status line, rewritten in place with the step and the
 * seconds it has taken, erased when the command prints its result. In a pipe or a CI log it writes
 * nothing, so logs keep the command's own lines and nothing else.
 */

/** The stream progress goes to: process.stderr, or a test's stand-in. */
export interface ProgressStream {
    isTTY?: boolean;
    columns?: number;
    write(text: string): unknown;
}

export interface Progress {
    /** Show a new step (its clock starts now). */
    step(text: string): void;
    /** Erase the status line (before the command prints its result, and at the end). */
    clear(): void;
}

/** How often the seconds on the status line are refreshed. */
const TICK_MS = 1000;

/**
 * A progress line on `stream`; does nothing unless the stream is a terminal. The timer is unref'd:
 * it never keeps the process alive.
 */
export function progress(stream: ProgressStream = process.stderr, now: () => number = Date.now): Progress {
    if (!stream.isTTY) return { step: () => undefined, clear: () => undefined };
    let text = "";
    let started = now();
    let timer: NodeJS.Timeout | undefined;
    const draw = () => {
        const line = `${text} (${Math.floor((now() - started) / 1000)} s)`;
        const width = stream.columns && stream.columns > 1 ? stream.columns - 1 : 79;
        stream.write(`\r\x1b[2K${line.length > width ? line.slice(0, width - 1) + "…" : line}`);
    };
    return {
        step(next: string) {
            text = next;
            started = now();
            draw();
            if (!timer) {
                timer = setInterval(draw, TICK_MS);
                timer.unref();
            }
        },
        clear() {
            if (timer) clearInterval(timer);
            timer = undefined;
            if (text) stream.write("\r\x1b[2K");
            text = "";
        },
    };
}
