/**
 * The Bedrock models this stack accepts, with their lifecycle as Amazon Bedrock publishes it
 * (model lifecycle page and each model's card; for Bedrock only these dates apply). Settings
 * refuse a model at or past its end of life and warn on a Legacy one; the default is the current
 * Active Claude Haiku through the geographic cross-Region inference profile of the stack's region.
 *
 * Sources (checked 2026-11-25):
 *   https://docs.aws.amazon.com/bedrock/latest/userguide/model-lifecycle.html
 *   https://docs.aws.amazon.com/bedrock/latest/userguide/model-card-anthropic-claude-haiku-4-5.html
 *   https://docs.aws.amazon.com/bedrock/latest/userguide/model-card-anthropic-claude-3-5-haiku.html
 *   https://docs.aws.amazon.com/bedrock/latest/userguide/model-card-anthropic-claude-3-haiku.html
 *   https://docs.aws.amazon.com/bedrock/latest/userguide/inference-profiles-support.html
 * Destination Regions of a profile can be re-read with
 * `aws bedrock get-inference-profile --inference-profile-identifier <profile id>`.
 */

export type LifecycleStatus = "Active" | "Legacy" | "EOL";
export type Geography = "us" | "eu";

export interface BedrockModel {
    /** Foundation model id (in-Region id). */
    modelId: string;
    name: string;
    /** Status on the model card when checked. */
    status: LifecycleStatus;
    launched: string;
    /** End of life (ISO date) once announced; a model past it is EOL whatever `status` says. */
    eol?: string;
    /** "EOL no sooner than" from the model card (Active models). */
    eolNoSoonerThan?: string;
    source: string;
    /** Geographic cross-Region inference profiles: destination Regions by geography. */
    profiles: Partial<Record<Geography, string[]>>;
}

export const LIFECYCLE_CHECKED = "2026-11-25";
export const LIFECYCLE_SOURCE = "https://docs.aws.amazon.com/bedrock/latest/userguide/model-lifecycle.html";

export const BEDROCK_MODELS: BedrockModel[] = [
    {
        modelId: "anthropic.claude-haiku-4-5-20251001-v1:0", name: "Claude Haiku 4.5", status: "Active",
        launched: "2025-10-16", eolNoSoonerThan: "2026-10-01",
        source: "https://docs.aws.amazon.com/bedrock/latest/userguide/model-card-anthropic-claude-haiku-4-5.html",
        profiles: {
            us: ["us-east-1", "us-east-2", "us-west-1", "us-west-2"],
            eu: ["eu-central-1", "eu-north-1", "eu-south-1", "eu-south-2", "eu-west-1", "eu-west-3"],
        },
    },
    {
        modelId: "anthropic.claude-3-5-haiku-20241022-v1:0", name: "Claude 3.5 Haiku", status: "EOL",
        launched: "2024-11-04", eol: "2026-06-19",
        source: "https://docs.aws.amazon.com/bedrock/latest/userguide/model-card-anthropic-claude-3-5-haiku.html",
        profiles: {},
    },
    {
        modelId: "anthropic.claude-3-haiku-20240307-v1:0", name: "Claude 3 Haiku", status: "Legacy",
        launched: "2024-03-13", eol: "2026-09-10",
        source: "https://docs.aws.amazon.com/bedrock/latest/userguide/model-card-anthropic-claude-3-haiku.html",
        profiles: {},
    },
];

/** The model the stack defaults to: the current Active Claude Haiku. */
export const DEFAULT_FOUNDATION_MODEL = "anthropic.claude-haiku-4-5-20251001-v1:0";

const GEO_PREFIX = /^(us|eu|apac|global)\./;

/** Geography whose profile a stack in this Region calls (undefined where we know none). */
export function geographyOf(region: string): Geography | undefined {
    if (region.startsWith("us-")) return "us";
    if (region.startsWith("eu-")) return "eu";
    return undefined;
}

/** Split a model or profile id into its geography prefix (if any) and the foundation model id. */
export function parseModelId(id: string): { geography?: string; foundationModelId: string } {
    const m = GEO_PREFIX.exec(id);
    return m ? { geography: m[1], foundationModelId: id.slice(m[0].length) } : { foundationModelId: id };
}

/** The default model id for a Region: the Active Haiku's geographic profile there. */
export function defaultModelFor(region: string, models: BedrockModel[] = BEDROCK_MODELS): string | undefined {
    const geo = geographyOf(region);
    const model = models.find(m => m.modelId === DEFAULT_FOUNDATION_MODEL);
    return geo && model?.profiles[geo] ? `${geo}.${model.modelId}` : undefined;
}

/** Lifecycle status on a date: a model whose end of life has come is EOL. */
export function statusOn(model: BedrockModel, today: string): LifecycleStatus {
    return model.eol && model.eol <= today ? "EOL" : model.status;
}

/** Regions a request can reach: the profile's destination Regions, or the stack's own Region. */
export function destinationRegions(id: string, region: string, models: BedrockModel[] = BEDROCK_MODELS): string[] {
    const { geography, foundationModelId } = parseModelId(id);
    if (!geography) return [region];
    const model = models.find(m => m.modelId === foundationModelId);
    return model?.profiles[geography as Geography] ?? [region];
}

/** Problems (refusals) and warnings of a model id for a stack in `region` on `today`. */
export function checkModel(id: string, region: string, today: string, models: BedrockModel[] = BEDROCK_MODELS): { problems: string[]; warnings: string[] } {
    const problems: string[] = [];
    const warnings: string[] = [];
    const { geography, foundationModelId } = parseModelId(id);
    const model = models.find(m => m.modelId === foundationModelId);
    if (!model) {
        problems.push(`is not in the lifecycle table of accepted models (components/bedrock-models.ts, from ${LIFECYCLE_SOURCE}); accepted: ${models.filter(m => statusOn(m, today) !== "EOL").map(m => m.modelId).join(", ")}`);
        return { problems, warnings };
    }
    const status = statusOn(model, today);
    if (status === "EOL") problems.push(`${model.name} reached end of life on Bedrock on ${model.eol}; requests fail (${model.source})`);
    if (status === "Legacy") warnings.push(`${model.name} is Legacy on Bedrock${model.eol ? `, end of life ${model.eol}` : ""}: plan the move to ${DEFAULT_FOUNDATION_MODEL} (${model.source})`);
    if (geography) {
        const regions = model.profiles[geography as Geography];
        if (!regions) problems.push(`${model.name} has no ${geography}. inference profile in the lifecycle table`);
        else if (geography !== "global" && geographyOf(region) !== geography) problems.push(`a ${geography}. inference profile is called from a ${geography} source Region, not ${region}`);
    }
    return { problems, warnings };
}
