import { expect } from "chai";
import * as path from "path";
import { ofType, one, out, parse, planStack, planWith } from "./harness";
import { Plan, REPO_ROOT } from "../engine/planner";

const alarm = (plan: any, suffix: string) => one(plan, "aws:cloudwatch/metricAlarm:MetricAlarm", `-observability-${suffix}`);

describe("Observability", () => {
    it("encrypts the three alert topics with the messaging key and subscribes the alert e-mail to critical and warning", async () => {
        const plan = await planStack("prod");
        const key = out(one(plan, "aws:kms/key:Key", "-keys-messaging-key")).arn;
        for (const route of ["critical", "warning", "info"]) expect(one(plan, "aws:sns/topic:Topic", `-alerts-${route}`).inputs.kmsMasterKeyId).to.equal(key);
        const subs = ofType(plan, "aws:sns/topicSubscription:TopicSubscription");
        expect(subs.map(s => s.inputs.endpoint)).to.deep.equal(["admin@ai-nutritionist.example.com", "admin@ai-nutritionist.example.com"]);
    });

    it("builds a dashboard with the seed's four views, and exports its URL", async () => {
        const plan = await planStack("prod", { natStrategy: "perAz" });
        const body = parse(one(plan, "aws:cloudwatch/dashboard:Dashboard", "-observability-dashboard").inputs.dashboardBody);
        const headers = body.widgets.filter((w: any) => w.type === "text").map((w: any) => w.properties.markdown);
        expect(headers).to.deep.equal(["## Application performance", "## Infrastructure health", "## Security", "## Cost"]);
        const titles = body.widgets.map((w: any) => w.properties.title);
        expect(titles).to.include.members(["Redis cache hit rate (%, target 80)", "NAT gateways: errors and drops", "WAF allowed and blocked", "Bedrock invocations and tokens"]);
        expect(plan.outputs.cloudwatchDashboardUrl).to.contain("#dashboards:name=ai-nutritionist-prod");
    });

    it("makes widgets and alarms only for resources that exist: no Redis, NAT or backup in dev", async () => {
        const plan = await planStack("dev");
        const titles = parse(one(plan, "aws:cloudwatch/dashboard:Dashboard", "-observability-dashboard").inputs.dashboardBody).widgets.map((w: any) => w.properties.title);
        expect(titles).not.to.include.members(["Redis cache hit rate (%, target 80)"]);
        expect(titles.some((t: string) => /NAT|Backup/.test(t ?? ""))).to.equal(false);
        const names = ofType(plan, "aws:cloudwatch/metricAlarm:MetricAlarm").map(a => a.name);
        expect(names.some(n => /redis|nat-/.test(n))).to.equal(false);
    });

    it("alarms on Lambda error rate, throttles and p95 duration for every function", async () => {
        const plan = await planStack("prod");
        for (const fn of ["inbound", "billing", "worker", "scheduler"]) {
            const rate = alarm(plan, `${fn}-error-rate`);
            expect(rate.inputs.threshold).to.equal(1);
            expect(rate.inputs.metricQueries.find((q: any) => q.id === "rate").expression).to.equal("IF(FILL(total, 0) > 0, 100 * FILL(part, 0) / FILL(total, 1), 0)");
            expect(alarm(plan, `${fn}-throttles`).inputs.metricName).to.equal("Throttles");
            expect(alarm(plan, `${fn}-duration-p95`).inputs.extendedStatistic).to.equal("p95");
        }
        expect(alarm(await planStack("dev"), "inbound-error-rate").inputs.threshold).to.equal(5);
    });

    it("alarms on API 5xx and 4xx rates and the 500 ms p95 latency target", async () => {
        const plan = await planStack("prod");
        const latency = alarm(plan, "api-latency-p95");
        expect(latency.inputs).to.include({ threshold: 500, extendedStatistic: "p95", metricName: "Latency" });
        expect(latency.inputs.dimensions).to.deep.equal({ ApiName: out(one(plan, "aws:apigateway/restApi:RestApi", "-api-api")).name, Stage: "prod" });
        expect(alarm(plan, "api-5xx-rate").inputs.alarmActions).to.deep.equal([out(one(plan, "aws:sns/topic:Topic", "-alerts-critical")).arn]);
        expect(alarm(plan, "api-4xx-rate").inputs.alarmActions).to.deep.equal([out(one(plan, "aws:sns/topic:Topic", "-alerts-warning")).arn]);
    });

    it("alarms on DynamoDB throttles, DLQ depth and the work queue's oldest message", async () => {
        const plan = await planStack("prod");
        for (const t of ["users", "conversations", "meal-plans", "billing-events"]) expect(alarm(plan, `${t}-throttles`).inputs.metricQueries).to.have.length(3);
        for (const q of ["work-dlq", "failed-invocations", "schedule-dlq"]) expect(alarm(plan, `${q}-depth`).inputs).to.include({ metricName: "ApproximateNumberOfMessagesVisible", threshold: 1 });
        expect(alarm(plan, "work-queue-oldest-message").inputs.metricName).to.equal("ApproximateAgeOfOldestMessage");
    });

    it("alarms on each Redis node's CPU, memory, evictions and the 80% hit-rate target, and on every NAT gateway", async () => {
        // Prod runs no NAT gateway; with natStrategy perAz (two AZs) each gateway gets its alarm.
        const plan = await planStack("prod", { natStrategy: "perAz" });
        for (const n of [1, 2]) {
            expect(alarm(plan, `redis-${n}-hit-rate`).inputs).to.include({ metricName: "CacheHitRate", threshold: 80, comparisonOperator: "LessThanThreshold" });
            alarm(plan, `redis-${n}-cpu`);
            alarm(plan, `redis-${n}-memory`);
            alarm(plan, `redis-${n}-evictions`);
        }
        const natIds = out(one(plan, "awsx:ec2:Vpc", "-network-vpc")).natGateways.map((n: any) => n.id);
        expect([1, 2].map(i => alarm(plan, `nat-${i}-port-allocation`).inputs.dimensions.NatGatewayId)).to.deep.equal(natIds);
        expect(ofType(await planStack("prod"), "aws:cloudwatch/metricAlarm:MetricAlarm").filter(a => /-nat-/.test(a.name))).to.deep.equal([]);
        expect(alarm(plan, "waf-blocked-spike").inputs.dimensions.WebACL).to.equal(out(one(plan, "aws:wafv2/webAcl:WebAcl", "-api-waf-acl")).name);
    });

    it("alarms on Bedrock throttling, server and client errors for the configured model", async () => {
        const plan = await planStack("prod");
        expect(alarm(plan, "bedrock-throttles").inputs.dimensions).to.deep.equal({ ModelId: "us.anthropic.claude-haiku-4-5-20251001-v1:0" });
        expect(alarm(plan, "bedrock-errors").inputs.metricName).to.equal("InvocationServerErrors");
        // Model not found, end of life, access denied: client errors, which must page too.
        expect(alarm(plan, "bedrock-client-errors").inputs).to.include({ metricName: "InvocationClientErrors", threshold: 1 });
    });

    it("budgets the month at monthlyBudgetLimit with 50/80/100% actual and 100% forecast notifications", async () => {
        const plan = await planStack("prod");
        const b = one(plan, "aws:budgets/budget:Budget", "-observability-budget").inputs;
        expect(b).to.include({ limitAmount: "1000.00", limitUnit: "USD", timeUnit: "MONTHLY", budgetType: "COST" });
        expect(b.notifications.map((n: any) => [n.notificationType, n.threshold])).to.deep.equal([["ACTUAL", 50], ["ACTUAL", 80], ["ACTUAL", 100], ["FORECASTED", 100]]);
        const topic = (route: string) => out(one(plan, "aws:sns/topic:Topic", `-alerts-${route}`)).arn;
        expect(b.notifications.map((n: any) => n.subscriberSnsTopicArns[0])).to.deep.equal([topic("info"), topic("warning"), topic("warning"), topic("warning")]);
        expect(one(await planStack("dev"), "aws:budgets/budget:Budget", "-observability-budget").inputs.limitAmount).to.equal("50.00");
    });

    it("activates the cost-allocation tags only when asked (activation fails for unseen keys and in member accounts)", async () => {
        const tags = (p: Plan) => ofType(p, "aws:costexplorer/costAllocationTag:CostAllocationTag").map(t => t.inputs.tagKey);
        expect(tags(await planStack("prod"))).to.deep.equal([]);
        expect(tags(await planStack("prod", { activateCostAllocationTags: "true" }))).to.have.members(["Project", "Environment", "Stack", "Owner", "CostCenter"]);
    });

    // Budgets and Cost Explorer see only activated user tags: a tag filter without activation matches nothing.
    it("scopes the budget and anomaly monitor to the whole account while cost-allocation tags are not activated (the default)", async () => {
        const plan = await planStack("prod");
        const b = one(plan, "aws:budgets/budget:Budget", "-observability-budget").inputs;
        expect(b.costFilters ?? []).to.deep.equal([]);
        expect(b.namePrefix).to.equal("ai-nutritionist-prod-account-wide-");
        // Account-wide: AWS's services monitor (tag and linked-account monitors need the management account).
        const monitor = one(plan, "aws:costexplorer/anomalyMonitor:AnomalyMonitor", "-observability-anomalies");
        expect(monitor.inputs).to.include({ monitorType: "DIMENSIONAL", monitorDimension: "SERVICE" });
        expect(monitor.inputs.monitorSpecification).to.equal(undefined);
    });

    it("makes the account-wide anomaly monitor only in the stack that owns the account baseline (Cost Explorer allows one per account)", async () => {
        const other = await planWith({ stack: "qa", configFile: path.join(REPO_ROOT, "Pulumi.staging.yaml"), overrides: { "ai-nutritionist:ownsAccountBaseline": "false" } });
        expect(ofType(other, "aws:costexplorer/anomalyMonitor:AnomalyMonitor")).to.have.length(0);
        expect(ofType(other, "aws:costexplorer/anomalySubscription:AnomalySubscription")).to.have.length(0);
        expect(ofType(other, "aws:budgets/budget:Budget")).to.have.length(1);
        // With activated tags each stack watches its own Stack tag, owner or not.
        const tagged = await planWith({ stack: "qa", configFile: path.join(REPO_ROOT, "Pulumi.staging.yaml"), overrides: { "ai-nutritionist:ownsAccountBaseline": "false", "ai-nutritionist:activateCostAllocationTags": "true" } });
        expect(parse(one(tagged, "aws:costexplorer/anomalyMonitor:AnomalyMonitor", "-observability-anomalies").inputs.monitorSpecification).Tags).to.deep.equal({ Key: "Stack", Values: ["qa"], MatchOptions: ["EQUALS"] });
    });

    it("scopes the budget and anomaly monitor to this stack's Stack tag, and activates that key, when activation is on", async () => {
        const plan = await planStack("prod", { activateCostAllocationTags: "true" });
        const b = one(plan, "aws:budgets/budget:Budget", "-observability-budget").inputs;
        expect(b.costFilters).to.deep.equal([{ name: "TagKeyValue", values: ["user:Stack$prod"] }]);
        expect(b.namePrefix).to.equal("ai-nutritionist-prod-stack-prod-");
        const monitor = one(plan, "aws:costexplorer/anomalyMonitor:AnomalyMonitor", "-observability-anomalies");
        expect(parse(monitor.inputs.monitorSpecification)).to.deep.equal({ Tags: { Key: "Stack", Values: ["prod"], MatchOptions: ["EQUALS"] } });
        expect(ofType(plan, "aws:costexplorer/costAllocationTag:CostAllocationTag").map(t => t.inputs.tagKey)).to.include("Stack");
    });

    it("detects cost anomalies and alerts the warning topic", async () => {
        const plan = await planStack("prod");
        const sub = one(plan, "aws:costexplorer/anomalySubscription:AnomalySubscription", "-observability-anomaly-alerts");
        expect(sub.inputs.subscribers).to.deep.equal([{ type: "SNS", address: out(one(plan, "aws:sns/topic:Topic", "-alerts-warning")).arn }]);
    });

    it("saves Logs Insights queries for errors and slow requests, and defines an X-Ray group and sampling rule", async () => {
        const plan = await planStack("prod");
        const names = ofType(plan, "aws:cloudwatch/queryDefinition:QueryDefinition").map(q => q.inputs.name);
        expect(names).to.have.members(["ai-nutritionist-prod/errors", "ai-nutritionist-prod/slow-invocations", "ai-nutritionist-prod/slow-requests"]);
        const api = `${out(one(plan, "aws:apigateway/restApi:RestApi", "-api-api")).name}/prod`;
        expect(one(plan, "aws:xray/group:Group", "-observability-slow-requests").inputs.filterExpression).to.equal(`(service("${api}")) AND responsetime > 0.5`);
        expect(one(plan, "aws:xray/samplingRule:SamplingRule", "-observability-sampling").inputs).to.include({ fixedRate: 0.05, urlPath: "/webhooks/*", serviceName: api, serviceType: "AWS::ApiGateway::Stage" });
    });

    // Sampling rules and groups are account-wide: two stacks in one account must not share their scope.
    it("scopes the X-Ray sampling rule and group to this stack's API: a qa stack beside staging overlaps neither", async () => {
        const staging = await planStack("staging");
        const qa = await planWith({ stack: "qa", configFile: path.join(REPO_ROOT, "Pulumi.staging.yaml"), overrides: { "ai-nutritionist:ownsAccountBaseline": "false" } });
        const scope = (p: Plan) => {
            const rule = one(p, "aws:xray/samplingRule:SamplingRule", "-observability-sampling").inputs;
            const services = [...one(p, "aws:xray/group:Group", "-observability-slow-requests").inputs.filterExpression.matchAll(/service\("([^"]+)"\)/g)].map(m => m[1]);
            return { rule: rule.serviceName as string, services, wildcard: [rule.serviceName, rule.serviceType, rule.host].every(v => v === "*") || /[*?]/.test(rule.serviceName) };
        };
        const [a, b] = [scope(staging), scope(qa)];
        for (const s of [a, b]) expect(s.wildcard).to.equal(false);
        expect(a.services).to.deep.equal([a.rule]);
        expect(b.services).to.deep.equal([b.rule]);
        expect(a.rule).to.not.equal(b.rule);
    });

    it("creates nothing of it when monitoring is off", async () => {
        const plan = await planStack("dev", { enableMonitoring: "false" });
        expect(ofType(plan, "aws:cloudwatch/dashboard:Dashboard")).to.have.length(0);
        expect(ofType(plan, "aws:budgets/budget:Budget")).to.have.length(0);
    });
});
