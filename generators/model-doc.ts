/**
 * docs/iam-and-metrics.md's paragraph on the default Bedrock model, from the lifecycle table in
 * components/bedrock-models.ts: its status and dates as of the table's check, so the page cannot
 * state a date the table no longer holds, or an "EOL no sooner than" as if it were still ahead.
 */
import { BEDROCK_MODELS, BedrockModel, DEFAULT_FOUNDATION_MODEL, LIFECYCLE_CHECKED, statusOn } from "../components/bedrock-models";

/**
 * What the lifecycle table says of a model on the day it was checked. "At least 6 months in Legacy
 * before the EOL date": https://docs.aws.amazon.com/bedrock/latest/userguide/model-lifecycle.html
 * (read 2026-12-04).
 */
export function lifecycleSentence(model: BedrockModel, checked: string): string {
    const status = statusOn(model, checked);
    const parts = [`${status} on Bedrock when the lifecycle table was checked (${checked}), launched ${model.launched}`];
    if (model.eol) parts.push(`end of life ${model.eol}${model.eol <= checked ? " (passed)" : ""}`);
    else if (model.eolNoSoonerThan) {
        parts.push(model.eolNoSoonerThan <= checked
            ? `no end of life announced; the card's earliest one, ${model.eolNoSoonerThan}, has passed, so Bedrock may now move it to Legacy, at least 6 months before an end of life`
            : `end of life no sooner than ${model.eolNoSoonerThan}`);
    }
    return parts.join("; ");
}

/** The generated section: the default model, its id and its lifecycle. */
export function modelLifecycleSection(): string {
    const model = BEDROCK_MODELS.find(m => m.modelId === DEFAULT_FOUNDATION_MODEL);
    if (!model) throw new Error(`the default model ${DEFAULT_FOUNDATION_MODEL} is not in the lifecycle table`);
    return `Default: ${model.name} (\`${model.modelId}\`): ${lifecycleSentence(model, LIFECYCLE_CHECKED)}.\n`;
}
