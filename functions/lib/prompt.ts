/**
 * What the worker asks Bedrock for, and how big the answer may be. The usage model behind the cost
 * figures (tests/cost.test.ts) is derived from these values, so a longer prompt or a larger answer
 * budget shows up there as a failing test until the usage profile follows.
 */

/** Most SMS segments one reply may use (GSM-7: 153 characters each, UCS-2: 67; see ./sms.ts). */
export const SMS_MAX_SEGMENTS = 3;

/** Sent as the Converse `system` block on every call: short, because every call pays for it. */
export const SYSTEM_PROMPT =
    "You are a friendly nutrition assistant replying by SMS. Answer in plain text, no markdown or emoji, " +
    `in at most ${SMS_MAX_SEGMENTS * 153} characters (2-3 short SMS). Be practical and specific; ` +
    "for medical conditions, suggest asking a doctor or dietitian.";

/** Characters per token used for estimates; see `estimateTokens`. */
export const CHARS_PER_TOKEN = 4;

/**
 * Tokens in a text, estimated at four characters per token, rounded up: the rule of thumb for
 * English prose under BPE tokenizers (OpenAI, "What are tokens and how to count them",
 * https://help.openai.com/en/articles/4936856-what-are-tokens-and-how-to-count-them, read
 * 2026-12-04); Claude's count_tokens gives 118 tokens for a 500-character English paragraph
 * (≈ 4.2 characters per token, https://dev.to/claudeguide/token-counting-why-your-estimates-are-wrong-and-how-to-fix-them-2g43,
 * read 2026-12-04). An estimate for sizing and cost, never a bound.
 */
export function estimateTokens(text: string): number {
    return Math.ceil(text.length / CHARS_PER_TOKEN);
}

/**
 * Bedrock's `maxTokens` for one answer: the SMS budget (SMS_MAX_SEGMENTS × 153 GSM-7 characters,
 * ≈ 115 tokens) plus a third of headroom, so an answer that follows the prompt is never cut by the
 * model; the reply is then fitted to the segment budget at a word boundary (./sms.ts). An answer
 * that does reach this limit (stopReason "max_tokens") is sent but never cached.
 */
export const MAX_OUTPUT_TOKENS = 160;
