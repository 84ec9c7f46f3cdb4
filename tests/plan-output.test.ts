import { expect } from "chai";
import { UsageError } from "../engine/cli";
import { findResource, MOCKED_LEGEND, mockedTokens, renderPlan, renderResource } from "../engine/render";
import { MOCK_ACCOUNT } from "../engine/mocks";
import { planStack, runScript } from "./harness";

describe("plan output: mocked values marked, one resource on request (--show)", () => {
    it("marks the outputs that hold values the mocks invented, and only those", async () => {
        const text = renderPlan(await planStack("dev"));
        const line = (key: string) => text.split("\n").find(l => l.startsWith(`    ${key}:`))!;
        expect(line("webhookUrl")).to.match(/execute-api.*  \[mocked\]$/);
        expect(line("siteUrl")).to.match(/cloudfront\.net  \[mocked\]$/);
        expect(line("cloudwatchDashboardUrl"), "derived from the region and names only").not.to.contain("[mocked]");
        expect(text).to.contain(MOCKED_LEGEND);
        const tables = text.split("\n").filter(l => / {8}users: /.test(l));
        expect(tables[0]).to.match(/-users-table-[0-9a-f]{7}  # \[mocked\]$/);
    });

    it("counts ids, ARNs and auto-names as mocked, but not input values echoed back or regions", async () => {
        const plan = await planStack("dev");
        const tokens = mockedTokens(plan);
        expect(tokens).to.include(MOCK_ACCOUNT);
        const table = findResource(plan, "tables-users-table");
        expect(tokens).to.include(table.outputs!.arn);
        expect(tokens).not.to.include("us-east-1");
        expect(tokens).not.to.include("PAY_PER_REQUEST");
    });

    it("--show prints one resource's inputs as YAML, marking mocked values, with its policy findings", async () => {
        const plan = await planStack("dev");
        const text = renderResource(plan, findResource(plan, "tables-users-table"));
        expect(text.split("\n")[0]).to.equal("aws:dynamodb/table:Table  ai-nutritionist-dev-tables-users-table");
        expect(text).to.match(/\n {4}inputs:\n/);
        expect(text).to.match(/\n {8}billingMode: PAY_PER_REQUEST\n/);
        expect(text).to.match(/\n {10}kmsKeyArn: arn:aws:kms:us-east-1:123456789012:key\/[0-9a-f-]+  # \[mocked\]\n/);
        expect(text).to.match(/\n {8}arn: arn:aws:dynamodb:.*  # \[mocked\]\n/);
        expect(text).to.match(/\n {4}policies:\n {8}no violations/);
    });

    it("--show names a resource by logical name, URN or unique suffix; anything else is a usage error with a suggestion", async () => {
        const plan = await planStack("dev");
        const r = findResource(plan, "ai-nutritionist-dev-tables-users-table");
        expect(findResource(plan, r.urn)).to.equal(r);
        expect(() => findResource(plan, "users-tabel")).to.throw(UsageError, /no resource of the dev plan has that name/);
        expect(() => findResource(plan, "ai-nutritionist-dev-tables-users-tabel")).to.throw(UsageError, /did you mean ai-nutritionist-dev-tables-users-table\?/);
        expect(() => findResource(plan, "-table")).to.throw(UsageError, /resources end with it/);
    });

    it("npm run plan -- dev --show <name> prints the resource, not the plan, and exits 0", () => {
        const r = runScript("cli/plan.ts", ["dev", "--show", "tables-users-table"]);
        expect(r.status, r.stderr).to.equal(0);
        expect(r.stdout).to.match(/^aws:dynamodb\/table:Table  ai-nutritionist-dev-tables-users-table\n/);
        expect(r.stdout).not.to.contain("Resources by type:");
    });
});
