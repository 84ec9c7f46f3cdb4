/** Required tags on every taggable AWS resource, from the resource or its provider's defaultTags. */
import { read, resourcePolicy, UNKNOWN } from "./helpers";
import taggable = require("./taggable-types.json");

const TAGGABLE = new Set<string>(taggable.types);

export const DEFAULT_REQUIRED_TAGS = ["Project", "Environment", "Owner", "CostCenter", "ManagedBy"];
/** No tag's values are restricted unless the config lists them (an organisation names its own environments). */
export const DEFAULT_ALLOWED_TAG_VALUES: Record<string, string[]> = {};

/**
 * Taggable types whose tags are not governance tags: S3 object tags are per-object metadata (for
 * lifecycle and access rules, 10 per object, billed per tag), not cost allocation or ownership, and
 * the bucket carries those. Not required to carry the tags.
 */
export const DEFAULT_UNGOVERNED_TYPES = ["aws:s3/bucketObject:BucketObject", "aws:s3/bucketObjectv2:BucketObjectv2", "aws:s3/objectCopy:ObjectCopy"];

/** The provider's `defaultTags.tags`: an object, or (as provider inputs travel) a JSON string. */
export function providerTags(provider: { props: Record<string, any> } | undefined): Record<string, unknown> | typeof UNKNOWN {
    if (!provider) return {};
    let dt = read(provider.props, "defaultTags");
    if (dt === UNKNOWN) return UNKNOWN;
    if (typeof dt === "string") {
        try {
            dt = JSON.parse(dt);
        } catch {
            return {};
        }
    }
    const tags = read(dt, "tags");
    if (tags === UNKNOWN) return UNKNOWN;
    return tags && typeof tags === "object" ? tags : {};
}

export const requiredTags = resourcePolicy({
    name: "required-tags",
    description: "Every taggable AWS resource (but S3 objects, whose tags are object metadata) carries the required tags (set on it or by its provider's defaultTags), each with an allowed value where the config lists them.",
    types: t => TAGGABLE.has(t),
    config: {
        requiredTags: { type: "array", items: { type: "string" }, default: DEFAULT_REQUIRED_TAGS, description: "Tag keys every taggable resource must carry." },
        allowedTagValues: {
            type: "object", additionalProperties: { type: "array", items: { type: "string" } }, default: DEFAULT_ALLOWED_TAG_VALUES,
            description: "Tag key → its allowed values (a tag not listed takes any value), e.g. { \"Environment\": [\"dev\", \"prod\"] }.",
        },
        ungovernedTypes: {
            type: "array", items: { type: "string" }, default: DEFAULT_UNGOVERNED_TYPES,
            description: "Taggable types not required to carry the tags (their tags are not governance tags).",
        },
    },
    check: (props, violation, args, config) => {
        if ((config.ungovernedTypes as string[]).includes(args.type)) return;
        const fromProvider = providerTags(args.provider);
        if (fromProvider === UNKNOWN) return; // The provider's tags are decided later; nothing to judge yet.
        const own = read(props, "tags");
        if (own === UNKNOWN) return;
        const value = (key: string): unknown => {
            // Stryker disable next-line ConditionalExpression,LogicalOperator: equivalent (read gives undefined for anything but an object)
            const v = own && typeof own === "object" ? read(own, key) : undefined;
            return v !== undefined && v !== null ? v : fromProvider[key];
        };
        const missing = (config.requiredTags as string[]).filter(k => {
            const v = value(k);
            // Stryker disable next-line ConditionalExpression: `v !== UNKNOWN` is equivalent (the symbol is none of the blanks); it says what is meant
            return v !== UNKNOWN && (v === undefined || v === null || v === "");
        });
        if (missing.length) violation(`missing required tag${missing.length > 1 ? "s" : ""} ${missing.join(", ")} (neither on the resource nor in its provider's defaultTags).`);
        for (const [key, allowed] of Object.entries(config.allowedTagValues as Record<string, string[]>)) {
            const v = value(key);
            if (typeof v === "string" && v !== "" && !allowed.includes(v)) violation(`tag ${key}=${v} is not one of ${allowed.join(", ")}.`);
        }
    },
});
