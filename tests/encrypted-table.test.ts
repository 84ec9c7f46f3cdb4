import { expect } from "chai";
import { validateEncryptedTableArgs } from "../components/encrypted-table";
import { ofType, one, out, parse, planStack } from "./harness";

describe("EncryptedTable", () => {
    it("encrypts every table with the data key (never the AWS-owned key) and keeps PITR on", async () => {
        const plan = await planStack("staging");
        const dataKey = out(one(plan, "aws:kms/key:Key", "-keys-data-key")).arn;
        const tables = ofType(plan, "aws:dynamodb/table:Table");
        expect(tables).to.have.length(5);
        for (const t of tables) {
            expect(t.inputs.serverSideEncryption, t.name).to.deep.equal({ enabled: true, kmsKeyArn: dataKey });
            expect(t.inputs.pointInTimeRecovery.enabled, t.name).to.equal(true);
            expect(t.inputs.billingMode, t.name).to.equal("PAY_PER_REQUEST");
            // Idempotency records live a week at most: no backup.
            expect(t.inputs.tags, t.name).to.deep.equal(t.name.includes("-idempotency-") ? undefined : { Backup: "daily" });
        }
    });

    it("prod tables keep deletion protection on and are protected in Pulumi; dev tables are not", async () => {
        for (const t of ofType(await planStack("prod"), "aws:dynamodb/table:Table")) {
            expect(t.inputs.deletionProtectionEnabled, t.name).to.equal(true);
            expect(t.protect, t.name).to.equal(true);
        }
        for (const t of ofType(await planStack("dev"), "aws:dynamodb/table:Table")) {
            expect(t.inputs.deletionProtectionEnabled, t.name).to.equal(false);
            expect(t.protect, t.name).to.equal(false);
        }
    });

    it("has the service's keys, indexes and TTLs", async () => {
        const plan = await planStack("prod");
        const users = one(plan, "aws:dynamodb/table:Table", "-tables-users-table");
        expect(users.inputs.hashKey).to.equal("userId");
        expect(users.inputs.globalSecondaryIndexes.map((i: any) => i.name)).to.deep.equal(["byPhone", "byPlanStatus"]);
        const conversations = one(plan, "aws:dynamodb/table:Table", "-tables-conversations-table");
        expect(conversations.inputs).to.include({ hashKey: "userId", rangeKey: "sentAt" });
        expect(conversations.inputs.ttl).to.deep.equal({ attributeName: "expiresAt", enabled: true });
        const billing = one(plan, "aws:dynamodb/table:Table", "-tables-billing-events-table");
        expect(billing.inputs.hashKey).to.equal("eventId");
        expect(billing.inputs.tableClass).to.equal("STANDARD_INFREQUENT_ACCESS");
        const idempotency = one(plan, "aws:dynamodb/table:Table", "-tables-idempotency-table");
        expect(idempotency.inputs.hashKey).to.equal("id");
        expect(idempotency.inputs.ttl).to.deep.equal({ attributeName: "expiration", enabled: true });
    });

    it("in provisioned mode, auto-scales reads and writes of the table and of every index", async () => {
        const plan = await planStack("staging", { tableBillingMode: "PROVISIONED", tableAutoscalingTargetUtilization: "60" });
        const users = one(plan, "aws:dynamodb/table:Table", "-tables-users-table");
        expect(users.inputs.billingMode).to.equal("PROVISIONED");
        const targets = ofType(plan, "aws:appautoscaling/target:Target").filter(t => t.name.includes("-tables-users-"));
        expect(targets.map(t => t.inputs.scalableDimension).sort()).to.deep.equal([
            "dynamodb:index:ReadCapacityUnits", "dynamodb:index:ReadCapacityUnits", "dynamodb:index:WriteCapacityUnits", "dynamodb:index:WriteCapacityUnits",
            "dynamodb:table:ReadCapacityUnits", "dynamodb:table:WriteCapacityUnits",
        ]);
        expect(targets.map(t => t.inputs.resourceId)).to.include(`table/${out(users).name}/index/byPhone`);
        const policies = ofType(plan, "aws:appautoscaling/policy:Policy").filter(p => p.name.includes("-tables-users-"));
        expect(policies).to.have.length(6);
        for (const p of policies) expect(p.inputs.targetTrackingScalingPolicyConfiguration.targetValue).to.equal(60);
        // 5 tables: users (2 indexes) = 6, conversations 2, meal plans 2, billing events (1 index) 4, idempotency 2
        expect(ofType(plan, "aws:appautoscaling/target:Target")).to.have.length(16);
    });

    it("grants least privilege: the billing function may only put into its ledger (and use its idempotency records), with the data key only through DynamoDB", async () => {
        const plan = await planStack("prod");
        const table = out(one(plan, "aws:dynamodb/table:Table", "-tables-billing-events-table")).arn;
        const idempotency = out(one(plan, "aws:dynamodb/table:Table", "-tables-idempotency-table")).arn;
        const doc = parse(one(plan, "aws:iam/rolePolicy:RolePolicy", "-api-billing-policy").inputs.policy);
        const ddb = doc.Statement.filter((s: any) => [].concat(s.Action).some((a: string) => a.startsWith("dynamodb:")));
        expect(ddb.map((s: any) => s.Resource)).to.deep.equal([[table], [idempotency]]);
        expect(ddb[0].Action).to.deep.equal(["dynamodb:PutItem"]);
        const kms = doc.Statement.find((s: any) => s.Sid?.endsWith("KeyViaDynamoDb"));
        expect(kms.Condition.StringEquals["kms:ViaService"]).to.equal("dynamodb.us-east-1.amazonaws.com");
    });

    it("the scheduler may query only the byPlanStatus index of the users table, nothing else of it", async () => {
        const plan = await planStack("prod");
        const doc = parse(one(plan, "aws:iam/rolePolicy:RolePolicy", "-schedules-function-policy").inputs.policy);
        const arn = out(one(plan, "aws:dynamodb/table:Table", "-tables-users-table")).arn;
        const onUsers = doc.Statement.filter((s: any) => JSON.stringify(s.Resource ?? "").includes(arn));
        expect(onUsers.map((s: any) => [s.Action, s.Resource])).to.deep.equal([[["dynamodb:Query"], [`${arn}/index/byPlanStatus`]]]);
    });

    it("validation lists every problem", () => {
        const p = validateEncryptedTableArgs({
            attributes: { id: "S", extra: "S" }, hashKey: "id", rangeKey: "sk", kmsKeyArn: "k",
            globalSecondaryIndexes: [{ name: "a", hashKey: "id" }, { name: "a", hashKey: "id" }],
            provisioned: { minCapacity: 10, maxCapacity: 5, targetUtilization: 95 },
        });
        expect(p).to.have.length(5);
    });

    it("prod replicates the data tables to us-west-2 as a global table under a key of that region, with PITR and deletion protection; the idempotency records stay in one region", async () => {
        const plan = await planStack("prod");
        const key = one(plan, "aws:kms/key:Key", "-replica-key-key");
        const provider = plan.resources.find(r => r.urn === key.provider)!;
        expect(provider.inputs.region).to.equal("us-west-2");
        for (const t of ["users", "conversations", "meal-plans", "billing-events"]) {
            const table = one(plan, "aws:dynamodb/table:Table", `-tables-${t}-table`);
            expect(table.inputs.replicas, t).to.deep.equal([{ regionName: "us-west-2", kmsKeyArn: out(key).arn, pointInTimeRecovery: true, deletionProtectionEnabled: true, propagateTags: true }]);
            expect(table.inputs).to.include({ streamEnabled: true, streamViewType: "NEW_AND_OLD_IMAGES" });
        }
        expect(one(plan, "aws:dynamodb/table:Table", "-tables-idempotency-table").inputs.replicas).to.equal(undefined);
        for (const stack of ["dev", "staging"]) {
            for (const t of ofType(await planStack(stack), "aws:dynamodb/table:Table")) expect(t.inputs.replicas, `${stack} ${t.name}`).to.equal(undefined);
        }
    });

    it("validation refuses duplicate replica regions and a stream view replication cannot use", () => {
        const p = validateEncryptedTableArgs({ attributes: { id: "S" }, hashKey: "id", kmsKeyArn: "k", streamViewType: "KEYS_ONLY",
            replicas: [{ region: "us-west-2", kmsKeyArn: "a" }, { region: "us-west-2", kmsKeyArn: "b" }] });
        expect(p).to.deep.equal(["replica regions must be unique", "replicas need the NEW_AND_OLD_IMAGES stream (got streamViewType KEYS_ONLY)"]);
    });
});
