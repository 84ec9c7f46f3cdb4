/**
 * SMS segment arithmetic and the cut that fits a reply to a segment budget.
 *
 * Encoding (3GPP TS 23.038, "GSM 03.38"): a text made only of the GSM 7-bit default alphabet and
 * its extension table is sent as GSM-7 (an extension character is ESC + the character: two
 * septets); anything else makes the whole message UCS-2 (UTF-16 code units; a character outside
 * the BMP, such as most emoji, is a surrogate pair: two units). A single message holds 160 GSM-7
 * septets or 70 UCS-2 units; a concatenated message carries a 6-byte header per segment, leaving
 * 153 septets or 67 units. Neither an escape pair nor a surrogate pair is split across segments.
 * Sources (read 2026-12-04): Twilio, "What is the SMS character limit?"
 * https://www.twilio.com/docs/glossary/what-sms-character-limit and "What is GSM-7 character
 * encoding?" https://www.twilio.com/docs/glossary/what-is-gsm-7-character-encoding; AWS End User
 * Messaging SMS counts segments the same way (User Guide, "SMS character limits").
 */

/** The GSM 7-bit default alphabet (one septet each). */
const GSM_BASIC = new Set(Array.from(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà",
));
/** The GSM 7-bit extension table (ESC + character: two septets each). */
const GSM_EXTENSION = new Set(Array.from("\f^{}\\[~]|€"));

export type SmsEncoding = "GSM-7" | "UCS-2";

export interface SegmentCount {
    encoding: SmsEncoding;
    /** Septets (GSM-7) or UTF-16 code units (UCS-2). */
    units: number;
    segments: number;
}

/** Units per segment: [single message, each part of a concatenated message]. */
const CAPACITY: Record<SmsEncoding, [number, number]> = { "GSM-7": [160, 153], "UCS-2": [70, 67] };

export function encodingOf(text: string): SmsEncoding {
    for (const ch of text) if (!GSM_BASIC.has(ch) && !GSM_EXTENSION.has(ch)) return "UCS-2";
    return "GSM-7";
}

/** Units one character (code point) takes in an encoding. */
function unitsOf(ch: string, encoding: SmsEncoding): number {
    return encoding === "GSM-7" ? (GSM_EXTENSION.has(ch) ? 2 : 1) : ch.length;
}

/** Segments the text takes, packed as the network does: an escape or surrogate pair never straddles two segments. */
export function countSegments(text: string, encoding: SmsEncoding = encodingOf(text)): SegmentCount {
    const [single, part] = CAPACITY[encoding];
    let units = 0;
    for (const ch of text) units += unitsOf(ch, encoding);
    if (units <= single) return { encoding, units, segments: units === 0 ? 0 : 1 };
    let segments = 1;
    let used = 0;
    for (const ch of text) {
        const u = unitsOf(ch, encoding);
        if (used + u > part) {
            segments++;
            used = 0;
        }
        used += u;
    }
    return { encoding, units, segments };
}

/** Whole user-perceived characters (grapheme clusters: an emoji with its modifiers, a letter with its accents). */
function graphemes(text: string): string[] {
    return Array.from(new Intl.Segmenter(undefined, { granularity: "grapheme" }).segment(text), s => s.segment);
}

/** What marks a reply as cut: three full stops (GSM-7, one septet each). */
export const CUT_MARK = "...";

/**
 * The reply as it may be sent: unchanged when it fits `maxSegments`, otherwise cut before the last
 * word that fits and ended with CUT_MARK. Cuts fall between whole characters only (never inside a
 * surrogate pair, an escape pair or an emoji sequence), and the result never needs more segments
 * than allowed in its own encoding.
 */
export function fitSms(text: string, maxSegments: number): string {
    const clean = text.replace(/\r\n/g, "\n").trim();
    if (countSegments(clean).segments <= maxSegments) return clean;
    const parts = graphemes(clean);
    // Longest prefix (in whole characters) that fits with the mark: segments grow with length, so bisect.
    const fits = (n: number) => countSegments(parts.slice(0, n).join("").trimEnd() + CUT_MARK).segments <= maxSegments;
    let lo = 0;
    let hi = parts.length;
    while (lo < hi) {
        const mid = Math.ceil((lo + hi) / 2);
        if (fits(mid)) lo = mid;
        else hi = mid - 1;
    }
    let n = lo;
    // Back up to a word boundary if there is one in the last third; a single long word is cut as is.
    for (let i = lo; i > Math.floor(lo * 2 / 3); i--) {
        if (/^\s$/.test(parts[i] ?? "")) {
            n = i;
            break;
        }
    }
    const head = parts.slice(0, n).join("").replace(/[\s,;:\-–—]+$/u, "");
    return head + CUT_MARK;
}
