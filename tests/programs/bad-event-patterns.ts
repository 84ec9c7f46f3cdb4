/**
 * A test program with EventBridge rules whose patterns can never match (tests/event-patterns.test.ts):
 * PutRule accepts them, so the plan must refuse them, naming each field and event.
 */
import * as aws from "@pulumi/aws";

const provider = new aws.Provider("test-aws", { region: "us-east-1" });
// Restore jobs report their outcome in detail.status; detail.state is only ever CREATED on them.
new aws.cloudwatch.EventRule("state-for-restores", {
    eventPattern: JSON.stringify({
        source: ["aws.backup"],
        "detail-type": ["Backup Job State Change", "Copy Job State Change", "Restore Job State Change"],
        detail: { state: ["FAILED", "ABORTED", "EXPIRED"] },
    }),
}, { provider });
// A field GuardDuty findings do not carry, and a detail-type misspelt.
new aws.cloudwatch.EventRule("unknown-field", {
    eventPattern: JSON.stringify({ source: ["aws.guardduty"], "detail-type": ["GuardDuty Finding", "GuardDuty Findings"], detail: { severityLabel: ["HIGH"] } }),
}, { provider });
// Sound: the plan accepts it.
new aws.cloudwatch.EventRule("sound", {
    eventPattern: JSON.stringify({ source: ["aws.backup"], "detail-type": ["Restore Job State Change"], detail: { status: ["FAILED"] } }),
}, { provider });
