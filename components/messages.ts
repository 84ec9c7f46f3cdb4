/**
 * How problems name things: did-you-mean suggestions for misspelt names (settings, stacks,
 * resources, enum values) and values shown as YAML. No Pulumi SDK here: the commands' usage
 * checks run before the SDK loads.
 */
import * as yaml from "js-yaml";

/** Levenshtein distance (insertions, deletions, substitutions; case-insensitive). */
export function editDistance(a: string, b: string): number {
    const s = a.toLowerCase();
    const t = b.toLowerCase();
    let prev = Array.from({ length: t.length + 1 }, (_, j) => j);
    for (let i = 1; i <= s.length; i++) {
        const cur = [i];
        for (let j = 1; j <= t.length; j++) {
            cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (s[i - 1] === t[j - 1] ? 0 : 1));
        }
        prev = cur;
    }
    return prev[t.length];
}

/**
 * The candidate closest to `word` by edit distance, if close enough to be a likely typo (at most a
 * third of the word's length: 1 to 4 edits); else a candidate that the word starts with or that
 * starts with the word (`production` → `prod`, `stag` → `staging`), at least 3 letters.
 */
export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
    const list = [...candidates];
    const limit = Math.min(4, Math.max(1, Math.floor(word.length / 3)));
    let best: string | undefined;
    let bestDistance = Infinity;
    for (const c of list) {
        const d = editDistance(word, c);
        if (d < bestDistance || (d === bestDistance && best !== undefined && c < best)) {
            best = c;
            bestDistance = d;
        }
    }
    if (bestDistance <= limit) return best;
    const w = word.toLowerCase();
    return list.find(c => Math.min(c.length, w.length) >= 3 && (w.startsWith(c.toLowerCase()) || c.toLowerCase().startsWith(w)));
}

/**
 * A value as YAML (flow style, one line), as the settings file would hold it: `qa`, `''`, `'yes'`,
 * `[https://a.example.com, https://b.example.com]`. Raw config strings that hold JSON lists or
 * objects (as the CLI hands them over) are shown decoded.
 */
export function show(v: unknown): string {
    let value = v;
    if (typeof v === "string" && /^\s*[[{]/.test(v)) {
        try {
            value = JSON.parse(v);
        } catch { /* a plain string that starts with a bracket */ }
    }
    if (value === undefined) return "nothing";
    return yaml.dump(value, { flowLevel: 0, lineWidth: -1, noRefs: true }).trim();
}
