/**
 * EventBridge patterns against the events AWS sends (checks/event-patterns.ts): the failed-jobs alert
 * matches AWS Backup's documented failure events, a pattern on a field an event never carries fails
 * the plan, and the schema file stays what @aws-cdk/aws-service-spec says.
 */
import * as fs from "fs";
import { expect } from "chai";
import { FAILED_JOBS_EVENT_PATTERN } from "../components/backup-plan";
import { apiProblems } from "../checks/api-rules";
import { eventCatalogue, eventPatternProblems, patternMatches, SUPPLEMENTAL_EVENTS } from "../checks/event-patterns";
import { EVENT_SCHEMAS_FILE, eventSchemasFromSpec, renderEventSchemas } from "../generators/event-schemas";
import { runPlan } from "../engine/planner";
import { ofType, parse, planStack } from "./harness";

// Example events of https://docs.aws.amazon.com/aws-backup/latest/devguide/eventbridge.html (read 2026-12-04),
// trimmed to the fields that matter here.
const backupEvent = (detailType: string, detail: Record<string, unknown>) => ({
    version: "0", id: "710b0398-d48e-f3c3-afca-cfeb2fdaa656", "detail-type": detailType, source: "aws.backup",
    account: "111122223333", time: "2020-07-29T20:15:26Z", region: "us-west-2", resources: [], detail,
});
const BACKUP_FAILED = backupEvent("Backup Job State Change", { backupJobId: "34176239-e96d-4e1d-9fad-529dbb3c3556", resourceType: "type", state: "FAILED", statusMessage: "\"Backup job failed because backup vault ... does not exist.\"", percentDone: 0 });
const BACKUP_EXPIRED = backupEvent("Backup Job State Change", { backupJobId: "01EE26DC-7107-4D8E-0C54-EAC27C662BA4", state: "EXPIRED", percentDone: 0 });
const BACKUP_COMPLETED = backupEvent("Backup Job State Change", { backupJobId: "a827233a-d405-4a86-a440-759fa94f34dd", state: "COMPLETED", percentDone: 100 });
const COPY_FAILED = backupEvent("Copy Job State Change", { copyJobId: "47C8EF56-74D8-059D-1301-C5BE1D5C926E", resourceType: "EC2", state: "FAILED", statusMessage: "Access denied exception while trying to list tags" });
const RESTORE_FAILED = backupEvent("Restore Job State Change", { restoreJobId: "1B234A56-789B-01CD-2A34-4567A08901FD", percentDone: 0, resourceType: "EC2", status: "FAILED", statusMessage: "AWS Backup does not permit attaching a new instance profile to an EC2 instance." });
const RESTORE_COMPLETED = backupEvent("Restore Job State Change", { restoreJobId: "AB123456-78C9-0123-456D-789012E34567", resourceType: "RDS", status: "COMPLETED", createdResourceArn: "arn:aws:rds:us-west-2:111122223333:db:testinginstance" });
const RESTORE_CREATED = backupEvent("Restore Job State Change", { restoreJobId: "123EA45F-C678-EFE9-0123-4D56FC0E789A", creationDate: "2020-06-22T18:50:46.407Z", state: "CREATED" });
const RESTORE_ABORTED = backupEvent("Restore Job State Change", { restoreJobId: "123EA45F-C678-EFE9-0123-4D56FC0E789A", resourceType: "DynamoDB", status: "ABORTED" });

/** The pattern this project used before: detail.state for all three job types. */
const STATE_FOR_ALL = {
    source: ["aws.backup"],
    "detail-type": ["Backup Job State Change", "Copy Job State Change", "Restore Job State Change"],
    detail: { state: ["FAILED", "ABORTED", "EXPIRED"] },
};

describe("EventBridge patterns", () => {
    it("the failed-jobs alert matches AWS Backup's documented failed backup, copy and restore events", () => {
        for (const e of [BACKUP_FAILED, BACKUP_EXPIRED, COPY_FAILED, RESTORE_FAILED, RESTORE_ABORTED]) {
            expect(patternMatches(FAILED_JOBS_EVENT_PATTERN, e), `${e["detail-type"]} ${JSON.stringify(e.detail)}`).to.equal(true);
        }
        for (const e of [BACKUP_COMPLETED, RESTORE_COMPLETED, RESTORE_CREATED]) {
            expect(patternMatches(FAILED_JOBS_EVENT_PATTERN, e), `${e["detail-type"]} ${JSON.stringify(e.detail)}`).to.equal(false);
        }
        expect(eventPatternProblems(FAILED_JOBS_EVENT_PATTERN)).to.deep.equal([]);
    });

    it("a pattern on detail.state for restore jobs never matches a failed restore, and the check names the field and the event", () => {
        expect(patternMatches(STATE_FOR_ALL, RESTORE_FAILED)).to.equal(false);
        expect(patternMatches(STATE_FOR_ALL, BACKUP_FAILED)).to.equal(true);
        const problems = eventPatternProblems(JSON.stringify(STATE_FOR_ALL));
        expect(problems).to.have.length(1);
        expect(problems[0]).to.contain("detail.state").and.contain('"Restore Job State Change" events of aws.backup')
            .and.contain("only as CREATED").and.contain(`detail.status takes "FAILED", "ABORTED"`);
    });

    it("refuses fields an event does not carry, detail-types a source does not send, and objects matched as values", () => {
        expect(eventPatternProblems({ source: ["aws.backup"], "detail-type": ["Restore Job State Change"], detail: { outcome: ["FAILED"] } }))
            .to.deep.equal(['detail.outcome: "Restore Job State Change" events of aws.backup carry no detail.outcome (detail has: ' + Object.keys(eventCatalogue()["aws.backup"]["Restore Job State Change"]).join(", ") + ")"]);
        expect(eventPatternProblems({ source: ["aws.backup"], "detail-type": ["Restore Job State Changed"] })[0]).to.match(/^detail-type "Restore Job State Changed": aws\.backup sends no such event/);
        expect(eventPatternProblems({ source: ["aws.backup"], "detail-type": ["Backup Job State Change"], detail: { createdBy: ["x"] } })[0]).to.contain("it is an object (fields: backupPlanId");
        // A field present in the spec's schema (ElastiCache) and one that is not.
        expect(eventPatternProblems({ source: ["aws.elasticache"], "detail-type": ["Cache Update Failed"], detail: { SourceIdentifier: ["c"] } })).to.deep.equal([]);
        expect(eventPatternProblems({ source: ["aws.elasticache"], "detail-type": ["Cache Update Failed"], detail: { CacheClusterId: ["c"] } })[0]).to.contain("carry no detail.CacheClusterId");
        // Without a detail-type, the field must exist on at least one of the source's events.
        expect(eventPatternProblems({ source: ["aws.backup"], detail: { status: ["FAILED"] } })).to.deep.equal([]);
        expect(eventPatternProblems({ source: ["aws.backup"], detail: { outcome: ["FAILED"] } })).to.have.length(1);
        // Absence is matchable anywhere; an AWS source the plan knows nothing of is named.
        expect(eventPatternProblems({ source: ["aws.backup"], "detail-type": ["Restore Job State Change"], detail: { outcome: [{ exists: false }] } })).to.deep.equal([]);
        expect(eventPatternProblems({ source: ["aws.nosuchservice"], detail: { a: ["b"] } })[0]).to.contain("the plan knows no schema of its events");
    });

    it("refuses values of a JSON type the field never has: GuardDuty's severity is a number, not \"HIGH\"", () => {
        expect(eventPatternProblems({ source: ["aws.guardduty"], "detail-type": ["GuardDuty Finding"], detail: { severity: ["HIGH"] } }))
            .to.deep.equal(['detail.severity: never matches "GuardDuty Finding" events of aws.guardduty: they carry severity as a number, which "HIGH" cannot match (compare numbers with {"numeric": [...]})']);
        expect(eventPatternProblems({ source: ["aws.guardduty"], "detail-type": ["GuardDuty Finding"], detail: { severity: [8, { numeric: [">=", 7] }] } })).to.deep.equal([]);
        expect(eventPatternProblems({ source: ["aws.guardduty"], "detail-type": ["GuardDuty Finding"], detail: { type: [{ numeric: [">", 0] }] } })[0]).to.contain("carry type as a string");
        expect(eventPatternProblems({ source: ["aws.guardduty"], "detail-type": ["GuardDuty Finding"], detail: { type: [{ "anything-but": "x" }], severity: [{ exists: true }] } })).to.deep.equal([]);
    });

    it("$or branches are checked one by one, and malformed patterns are refused", () => {
        expect(eventPatternProblems({ source: ["aws.backup"], $or: [{ "detail-type": ["Restore Job State Change"], detail: { state: ["FAILED"] } }, { "detail-type": ["Backup Job State Change"], detail: { state: ["FAILED"] } }] }))
            .to.have.length(1);
        expect(eventPatternProblems("{not json")[0]).to.match(/^is not JSON/);
        expect(eventPatternProblems({ source: "aws.backup" })[0]).to.contain("source: a pattern field holds a list of matchers");
        expect(eventPatternProblems({ source: ["aws.backup"], $or: [{ detail: { state: ["FAILED"] } }] })[0]).to.contain("$or takes a list of at least two patterns");
        expect(eventPatternProblems({ source: ["aws.backup"], detail: { state: [{ startsWith: "F" }] } })[0]).to.contain("unknown matcher");
    });

    it("matches as EventBridge does: numeric ranges, prefixes, anything-but, values inside arrays", () => {
        const finding = { source: "aws.guardduty", "detail-type": "GuardDuty Finding", detail: { severity: 5.3, type: "Recon:EC2/PortProbeUnprotectedPort" } };
        expect(patternMatches({ detail: { severity: [{ numeric: [">=", 4, "<", 7] }] } }, finding)).to.equal(true);
        expect(patternMatches({ detail: { severity: [{ numeric: [">=", 7] }] } }, finding)).to.equal(false);
        expect(patternMatches({ detail: { type: [{ prefix: "Recon:" }] } }, finding)).to.equal(true);
        expect(patternMatches({ detail: { type: [{ "anything-but": { prefix: "Recon:" } }] } }, finding)).to.equal(false);
        const hub = { source: "aws.securityhub", detail: { findings: [{ Severity: { Label: "LOW" } }, { Severity: { Label: "CRITICAL" } }] } };
        expect(patternMatches({ detail: { findings: { Severity: { Label: ["CRITICAL"] } } } }, hub)).to.equal(true);
    });

    it("every pattern in the dev, staging and prod plans names events and fields AWS sends", async () => {
        const used = new Set<string>();
        for (const stack of ["dev", "staging", "prod"]) {
            for (const rule of ofType(await planStack(stack), "aws:cloudwatch/eventRule:EventRule")) {
                if (typeof rule.inputs.eventPattern !== "string") continue;
                expect(eventPatternProblems(rule.inputs.eventPattern), rule.name).to.deep.equal([]);
                const p = parse(rule.inputs.eventPattern);
                for (const branch of p.$or ?? [p]) for (const t of branch["detail-type"] ?? p["detail-type"] ?? []) used.add(`${p.source[0]}|${t}`);
            }
        }
        for (const key of used) {
            const [source, type] = key.split("|");
            expect(eventCatalogue()[source]?.[type], key).to.not.equal(undefined);
        }
        expect(used).to.include("aws.backup|Restore Job State Change");
    });

    it("the plan refuses a rule that can never match, naming the field and the event", async () => {
        expect(apiProblems("aws:cloudwatch/eventRule:EventRule", "r", { eventPattern: JSON.stringify(FAILED_JOBS_EVENT_PATTERN) })).to.deep.equal([]);
        let error: any;
        await runPlan({ stack: "dev", program: "tests/programs/bad-event-patterns.ts", policyConfig: false }).catch(e => { error = e; });
        expect(error?.name).to.equal("RequestError");
        const text: string = error.problems.join("\n");
        expect(error.problems, text).to.have.length(3);
        expect(text).to.contain('"state-for-restores": eventPattern: detail.state: never matches "Restore Job State Change" events of aws.backup');
        expect(text).to.contain('"unknown-field": eventPattern: detail-type "GuardDuty Findings": aws.guardduty sends no such event');
        expect(text).to.contain('"unknown-field": eventPattern: detail.severityLabel: "GuardDuty Finding" events of aws.guardduty carry no detail.severityLabel');
        expect(text).to.not.contain('"sound"');
    });

    it("the supplemental table covers only services the service spec has no schema for", async () => {
        const spec = await eventSchemasFromSpec();
        for (const source of Object.keys(SUPPLEMENTAL_EVENTS)) expect(spec[source], source).to.equal(undefined);
    });

    it("checks/event-schemas.json is what the installed @aws-cdk/aws-service-spec says (regenerate with generators/event-schemas.ts)", async () => {
        expect(fs.readFileSync(EVENT_SCHEMAS_FILE, "utf8") === await renderEventSchemas(), "checks/event-schemas.json is stale").to.equal(true);
    });
});
