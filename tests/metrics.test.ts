/**
 * Alarms and dashboards watch metrics AWS publishes, under the dimension names and VALUES AWS
 * uses for our resources (checks/metric-check.ts over @aws-cdk/aws-service-spec's metric
 * catalogue, plus a sourced table for what it lacks). Our own EMF metrics (custom namespaces)
 * are the handlers' tests' business.
 */
import { expect } from "chai";
import { checkMath, checkMetric, metricCatalogue, MetricRef, metricReferences } from "../checks/metric-check";
import { Plan } from "../engine/planner";
import { SMS_FAILURE_EVENTS } from "../components/sms-messaging";
import { ofType, one, out, planStack, STACKS } from "./harness";

/** The values AWS publishes each dimension under, for this plan's resources. */
function publishedValues(plan: Plan): Record<string, Set<string>> {
    const names = (type: string, key = "name") => ofType(plan, type).map(r => out(r)[key]);
    const api = ofType(plan, "aws:apigateway/restApi:RestApi");
    const region = out(api[0]).arn.split(":")[3];
    const acls = ofType(plan, "aws:wafv2/webAcl:WebAcl").filter(a => a.inputs.scope === "REGIONAL");
    const worker = ofType(plan, "aws:lambda/function:Function").find(f => f.inputs.environment?.variables?.BEDROCK_MODEL_ID);
    return {
        FunctionName: new Set(names("aws:lambda/function:Function")),
        ApiName: new Set(api.map(a => out(a).name)),
        Stage: new Set(ofType(plan, "aws:apigateway/stage:Stage").map(s => s.inputs.stageName)),
        TableName: new Set(names("aws:dynamodb/table:Table")),
        QueueName: new Set(names("aws:sqs/queue:Queue")),
        // ElastiCache publishes node metrics per member cluster (<group id>-001 …), never under the group's id.
        CacheClusterId: new Set(ofType(plan, "aws:elasticache/replicationGroup:ReplicationGroup").flatMap(g => out(g).memberClusters)),
        NatGatewayId: new Set(ofType(plan, "awsx:ec2:Vpc").flatMap(v => out(v).natGateways.map((n: any) => n.id))),
        // WAF's WebACL dimension is the web ACL's name (not its id or ARN); Rule is a rule's metric name or ALL.
        WebACL: new Set(acls.map(a => out(a).name)),
        Region: new Set([region]),
        Rule: new Set(["ALL", ...acls.flatMap(a => (a.inputs.rules ?? []).map((r: any) => r.visibilityConfig.metricName))]),
        ModelId: new Set(worker ? [worker.inputs.environment.variables.BEDROCK_MODEL_ID] : []),
        Currency: new Set(["USD"]),
        BackupVaultName: new Set(names("aws:backup/vault:Vault")),
    };
}

function valueProblems(ref: MetricRef, values: Record<string, Set<string>>): string[] {
    if (!ref.namespace.startsWith("AWS/")) return [];
    return Object.entries(ref.dimensions).flatMap(([name, value]) => {
        const known = values[name];
        if (!known) return [`${ref.where}: no published values known for dimension ${name} (add them to publishedValues)`];
        return known.has(value) ? [] : [`${ref.where}: ${ref.namespace} ${ref.metricName} ${name}=${JSON.stringify(value)} is not what AWS publishes for our resources (${[...known].join(", ")})`];
    });
}

describe("alarms and dashboards watch metrics AWS publishes", () => {
    for (const stack of STACKS) {
        it(`${stack}: every AWS metric exists with its dimension names, under the values AWS publishes; math fills absent metrics`, async () => {
            const plan = await planStack(stack);
            const cat = await metricCatalogue();
            const { metrics, math } = metricReferences(plan.resources);
            const values = publishedValues(plan);
            const problems = [...metrics.flatMap(m => [...checkMetric(m, cat), ...valueProblems(m, values)]), ...math.flatMap(checkMath)];
            expect(problems).to.deep.equal([]);
            const alarms = ofType(plan, "aws:cloudwatch/metricAlarm:MetricAlarm").length;
            const widgets = ofType(plan, "aws:cloudwatch/dashboard:Dashboard").reduce((n, d) => n + JSON.parse(d.inputs.dashboardBody).widgets.filter((w: any) => w.type === "metric").length, 0);
            const aws = metrics.filter(m => m.namespace.startsWith("AWS/")).length;
            console.log(`      ${stack}: ${alarms} alarms, ${widgets} metric widgets, ${aws} AWS metric references, ${math.length} math expressions checked`);
            expect(aws).to.be.greaterThan(10);
        });
    }

    it("the Bedrock alarms watch the model id the worker calls, client errors included", async () => {
        const plan = await planStack("prod");
        const { metrics } = metricReferences(plan.resources);
        const bedrock = metrics.filter(m => m.namespace === "AWS/Bedrock" && m.where.startsWith("alarm"));
        expect(bedrock.map(m => m.metricName)).to.include.members(["InvocationClientErrors", "InvocationServerErrors", "InvocationThrottles"]);
        expect(new Set(bedrock.map(m => m.dimensions.ModelId))).to.deep.equal(publishedValues(plan).ModelId);
    });

    it("the Redis node alarms watch the member clusters, not the replication group", async () => {
        const plan = await planStack("prod");
        const members = out(one(plan, "aws:elasticache/replicationGroup:ReplicationGroup", "-api-cache-redis")).memberClusters;
        const ids = metricReferences(plan.resources).metrics.filter(m => m.namespace === "AWS/ElastiCache").map(m => m.dimensions.CacheClusterId);
        expect(new Set(ids)).to.deep.equal(new Set(members));
        expect(members).to.have.length(2);
    });

    describe("each check fails on a bad fixture", () => {
        const ref = (namespace: string, metricName: string, dimensions: Record<string, string>): MetricRef => ({ where: "fixture", namespace, metricName, dimensions });

        it("a wrong dimension name, a missing dimension, a metric AWS does not publish", async () => {
            const cat = await metricCatalogue();
            expect(checkMetric(ref("AWS/Lambda", "Errors", { Function: "f" }), cat)[0]).to.match(/dimensions \[Function\] are none of the sets/);
            expect(checkMetric(ref("AWS/ApiGateway", "5XXError", { Stage: "prod" }), cat)[0]).to.match(/dimensions \[Stage\] are none/);
            expect(checkMetric(ref("AWS/SQS", "MessagesInFlight", { QueueName: "q" }), cat)).to.deep.equal(["fixture: AWS/SQS MessagesInFlight: AWS publishes no metric MessagesInFlight in AWS/SQS"]);
            expect(checkMetric(ref("AWS/Nothing", "X", {}), cat)[0]).to.match(/namespace AWS\/Nothing is not in the metric catalogue/);
            expect(checkMetric(ref("AWS/WAFV2", "BlockedRequests", { WebACL: "a", Rule: "ALL" }), cat)[0]).to.match(/\[Rule, WebACL\] are none/);
            expect(checkMetric(ref("AiNutritionist/prod", "Anything", { X: "y" }), cat)).to.deep.equal([]);
        });

        it("a dimension value AWS does not publish: WAF by id, Redis by replication group id", async () => {
            const plan = await planStack("prod");
            const values = publishedValues(plan);
            const acl = ofType(plan, "aws:wafv2/webAcl:WebAcl").find(a => a.inputs.scope === "REGIONAL")!;
            expect(valueProblems(ref("AWS/WAFV2", "BlockedRequests", { WebACL: out(acl).id, Region: "us-east-1", Rule: "ALL" }), values)).to.have.length(1);
            const rg = one(plan, "aws:elasticache/replicationGroup:ReplicationGroup", "-api-cache-redis");
            expect(valueProblems(ref("AWS/ElastiCache", "CacheHitRate", { CacheClusterId: out(rg).id }), values)).to.have.length(1);
            expect(valueProblems(ref("AWS/Lambda", "Errors", { FunctionName: "not-ours" }), values)).to.have.length(1);
        });

        it("metric math that does not fill an absent metric", () => {
            expect(checkMath({ where: "fixture", expression: "r + w", metricIds: ["r", "w"] })).to.have.length(2);
            expect(checkMath({ where: "fixture", expression: "FILL(r, 0) + w", metricIds: ["r", "w"] })).to.have.length(1);
            expect(checkMath({ where: "fixture", expression: "FILL(r, 0) + FILL(w, 0)", metricIds: ["r", "w"] })).to.deep.equal([]);
        });
    });
});

describe("the AWS SMS delivery-failure metric filter matches the events AWS writes", () => {
    // The SMS event AWS End User Messaging writes to a CloudWatch Logs event destination, as documented:
    // https://docs.aws.amazon.com/sms-voice/latest/userguide/configuration-sets-event-format.html (SMS example log)
    const documented = {
        eventType: "TEXT_SUCCESSFUL", eventVersion: "1.0", eventTimestamp: 1686975103470, isFinal: true,
        originationPhoneNumber: "+12065550152", destinationPhoneNumber: "+14255550156", isInternationalSend: false,
        mcc: "310", mnc: "800", messageId: "862a8790-60c0-4430-9b2b-658bdexample", messageRequestTimestamp: 1686975103170,
        messageEncoding: "GSM", messageType: "TRANSACTIONAL", messageStatus: "SUCCESSFUL",
        messageStatusDescription: "Message has been accepted by phone carrier", totalMessageParts: 1, totalMessagePrice: 0.00581, totalCarrierFee: 0.00767,
    };
    // Valid MatchingEventTypes of the API: https://docs.aws.amazon.com/pinpoint/latest/apireference_smsvoicev2/API_EventDestination.html
    const apiTextEvents = ["TEXT_SENT", "TEXT_PENDING", "TEXT_QUEUED", "TEXT_SUCCESSFUL", "TEXT_DELIVERED", "TEXT_INVALID", "TEXT_INVALID_MESSAGE", "TEXT_UNREACHABLE",
        "TEXT_CARRIER_UNREACHABLE", "TEXT_BLOCKED", "TEXT_CARRIER_BLOCKED", "TEXT_SPAM", "TEXT_UNKNOWN", "TEXT_TTL_EXPIRED", "TEXT_PROTECT_BLOCKED"];

    const pattern = async () => one(await planStack("prod"), "aws:cloudwatch/logMetricFilter:LogMetricFilter", "-sms-failures-metric").inputs.pattern as string;

    it("counts every failure event type and no success one", async () => {
        const p = await pattern();
        expect(SMS_FAILURE_EVENTS.every(e => apiTextEvents.includes(e)), "failure types are API event types").to.equal(true);
        for (const type of apiTextEvents) {
            const line = JSON.stringify({ ...documented, eventType: type });
            expect(matchesJsonFilter(p, line), type).to.equal(SMS_FAILURE_EVENTS.includes(type));
        }
    });

    it("the evaluator fails a pattern on a field the event does not have (the $.event mistake)", () => {
        expect(matchesJsonFilter('{ ($.event = "TEXT_BLOCKED") }', JSON.stringify({ ...documented, eventType: "TEXT_BLOCKED" }))).to.equal(false);
        expect(() => matchesJsonFilter("TEXT_BLOCKED", "{}")).to.throw(/not a JSON filter pattern/);
    });
});

/**
 * CloudWatch Logs JSON filter patterns, the subset our filters use: `{ term || term && term }` with
 * parentheses, terms `$.a.b = "v"`, `!=`, and `= *` (exists). Anything else throws, so a pattern
 * outside the subset cannot pass untested.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html#matching-terms-json-log-events
 */
export function matchesJsonFilter(pattern: string, line: string): boolean {
    const p = pattern.trim();
    if (!p.startsWith("{") || !p.endsWith("}")) throw new Error(`not a JSON filter pattern: ${pattern}`);
    let event: any;
    try { event = JSON.parse(line); } catch { return false; }
    const tokens = p.slice(1, -1).match(/\|\||&&|\(|\)|\$[\w.[\]]+\s*(?:!=|=)\s*(?:"[^"]*"|\*|-?\d+(?:\.\d+)?)/g) ?? [];
    if (tokens.join("").replace(/\s/g, "") !== p.slice(1, -1).replace(/\s/g, "")) throw new Error(`unsupported filter syntax: ${pattern}`);
    let i = 0;
    const term = (t: string): boolean => {
        const m = /^\$\.([\w.[\]]+)\s*(!=|=)\s*(.*)$/.exec(t)!;
        const value = m[1].split(".").reduce((o: any, k) => o?.[k], event);
        const want = m[3];
        const eq = want === "*" ? value !== undefined : want.startsWith('"') ? value === want.slice(1, -1) : value === Number(want);
        return m[2] === "=" ? eq : value !== undefined && !eq;
    };
    const primary = (): boolean => {
        const t = tokens[i++];
        if (t === "(") { const v = or(); if (tokens[i++] !== ")") throw new Error(`unbalanced: ${pattern}`); return v; }
        return term(t);
    };
    const and = (): boolean => { let v = primary(); while (tokens[i] === "&&") { i++; v = primary() && v; } return v; };
    const or = (): boolean => { let v = and(); while (tokens[i] === "||") { i++; v = and() || v; } return v; };
    const result = or();
    if (i !== tokens.length) throw new Error(`trailing tokens in ${pattern}`);
    return result;
}
