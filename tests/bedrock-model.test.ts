/** The Bedrock model: a dated lifecycle table, the Active Haiku by default, refusals and warnings at settings time. */
import { expect } from "chai";
import { BEDROCK_MODELS, BedrockModel, checkModel, defaultModelFor, destinationRegions, LIFECYCLE_CHECKED, statusOn } from "../components/bedrock-models";
import { NAMESPACE, resolveSettings, settingsWarnings, SettingsError } from "../config";

const settings = (region: string, model?: string, today = "2026-11-25") => resolveSettings({
    "aws:region": region,
    [`${NAMESPACE}:environment`]: "dev",
    [`${NAMESPACE}:alertEmail`]: "ops@example.com",
    ...(model === undefined ? {} : { [`${NAMESPACE}:bedrockModelId`]: model }),
}, today);

function refusal(region: string, model: string, today = "2026-11-25"): string[] {
    try {
        settings(region, model, today);
    } catch (e) {
        expect(e).to.be.instanceOf(SettingsError);
        return (e as SettingsError).problems;
    }
    throw new Error("expected a SettingsError");
}

describe("Bedrock model lifecycle", () => {
    it("every accepted model is dated and sourced; the table says when it was checked", () => {
        expect(LIFECYCLE_CHECKED).to.match(/^\d{4}-\d{2}-\d{2}$/);
        for (const m of BEDROCK_MODELS) {
            expect(m.source, m.modelId).to.match(/^https:\/\/docs\.aws\.amazon\.com\/bedrock\//);
            expect(m.launched, m.modelId).to.match(/^\d{4}-\d{2}-\d{2}$/);
            if (m.status !== "Active") expect(m.eol, m.modelId).to.match(/^\d{4}-\d{2}-\d{2}$/);
        }
    });

    it("defaults to the Active Claude Haiku through the geographic cross-Region profile of the region", () => {
        expect(settings("us-east-1").bedrockModelId).to.equal("us.anthropic.claude-haiku-4-5-20251001-v1:0");
        expect(settings("eu-west-1").bedrockModelId).to.equal("eu.anthropic.claude-haiku-4-5-20251001-v1:0");
        const haiku = BEDROCK_MODELS.find(m => m.modelId === "anthropic.claude-haiku-4-5-20251001-v1:0")!;
        expect(statusOn(haiku, "2026-11-25")).to.equal("Active");
        expect(destinationRegions("us.anthropic.claude-haiku-4-5-20251001-v1:0", "us-east-1")).to.include.members(["us-east-1", "us-west-2"]);
        expect(destinationRegions("anthropic.claude-haiku-4-5-20251001-v1:0", "us-east-1")).to.deep.equal(["us-east-1"]);
    });

    it("refuses an end-of-life id at settings time (the old default, EOL 2026-06-19)", () => {
        const p = refusal("us-east-1", "anthropic.claude-3-5-haiku-20241022-v1:0");
        expect(p).to.have.length(1);
        expect(p[0]).to.match(/^ai-nutritionist:bedrockModelId: Claude 3.5 Haiku reached end of life on Bedrock on 2026-06-19/);
    });

    it("refuses a model past its announced end of life even while the table still says Legacy", () => {
        const legacy: BedrockModel = { modelId: "anthropic.x-v1:0", name: "X", status: "Legacy", launched: "2024-01-01", eol: "2026-09-10", source: "https://docs.aws.amazon.com/bedrock/x", profiles: {} };
        expect(checkModel("anthropic.x-v1:0", "us-east-1", "2026-09-09", [legacy])).to.deep.equal({ problems: [], warnings: ["X is Legacy on Bedrock, end of life 2026-09-10: plan the move to anthropic.claude-haiku-4-5-20251001-v1:0 (https://docs.aws.amazon.com/bedrock/x)"] });
        expect(checkModel("anthropic.x-v1:0", "us-east-1", "2026-09-10", [legacy]).problems).to.have.length(1);
    });

    it("warns on a Legacy model (Claude 3 Haiku before its end of life)", () => {
        const s = settings("us-east-1", "anthropic.claude-3-haiku-20240307-v1:0", "2026-08-01");
        expect(settingsWarnings(s, "2026-08-01")).to.deep.equal([
            `ai-nutritionist:bedrockModelId: Claude 3 Haiku is Legacy on Bedrock, end of life 2026-09-10: plan the move to anthropic.claude-haiku-4-5-20251001-v1:0 (${BEDROCK_MODELS[2].source}) (got anthropic.claude-3-haiku-20240307-v1:0)`,
        ]);
        expect(settingsWarnings(settings("us-east-1"))).to.deep.equal([]);
    });

    it("refuses an unknown id, and a profile of another geography than the region's", () => {
        expect(refusal("us-east-1", "anthropic.claude-9-v1:0")[0]).to.match(/is not in the lifecycle table/);
        expect(refusal("eu-west-1", "us.anthropic.claude-haiku-4-5-20251001-v1:0")[0]).to.match(/a us\. inference profile is called from a us source Region, not eu-west-1/);
    });

    it("asks for an explicit model where no geographic default is known", () => {
        expect(defaultModelFor("ap-southeast-2")).to.equal(undefined);
        expect(refusal("ap-southeast-2", "")[0]).to.match(/no default inference profile is known for region ap-southeast-2/);
    });
});
