import { createHash } from "crypto";

/** The user key of a phone number: its SHA-256, so tables and logs never hold the number itself. */
export function hashPhone(phone: string): string {
    return createHash("sha256").update(phone.trim()).digest("hex");
}
