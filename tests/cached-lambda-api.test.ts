import { expect } from "chai";
import { validateCachedLambdaApiArgs } from "../components/cached-lambda-api";
import { validateServiceFunctionArgs } from "../components/service-function";
import { maybe, ofType, one, out, parse, planStack } from "./harness";

describe("CachedLambdaApi", () => {
    it("is a REST API (v1, so a WAF can guard it) with the Twilio, fallback, status, Stripe and health routes", async () => {
        const plan = await planStack("prod");
        expect(ofType(plan, "aws:apigatewayv2/api:Api")).to.have.length(0);
        expect(one(plan, "aws:apigateway/restApi:RestApi", "-api-api").inputs.endpointConfiguration).to.deep.equal({ types: "REGIONAL" });
        const methods = ofType(plan, "aws:apigateway/method:Method").filter(m => m.inputs.httpMethod !== "OPTIONS").map(m => m.name.replace("ai-nutritionist-prod-api-", ""));
        expect(methods).to.have.members(["webhooks-twilio-sms-post", "webhooks-twilio-fallback-post", "webhooks-twilio-status-post", "webhooks-stripe-post", "health-get"]);
        const health = one(plan, "aws:apigateway/method:Method", "-health-get");
        expect(health.inputs.apiKeyRequired).to.equal(true);
    });

    it("integrates the webhooks with their functions by proxy", async () => {
        const plan = await planStack("prod");
        const inbound = out(one(plan, "aws:lambda/function:Function", "-api-inbound-function"));
        const billing = out(one(plan, "aws:lambda/function:Function", "-api-billing-function"));
        expect(one(plan, "aws:apigateway/integration:Integration", "-webhooks-twilio-sms-post-integration").inputs).to.include({ type: "AWS_PROXY", uri: inbound.invokeArn });
        expect(one(plan, "aws:apigateway/integration:Integration", "-webhooks-stripe-post-integration").inputs).to.include({ type: "AWS_PROXY", uri: billing.invokeArn });
        const perm = one(plan, "aws:lambda/permission:Permission", "-api-inbound-invoke");
        expect(perm.inputs.principal).to.equal("apigateway.amazonaws.com");
        expect(perm.inputs.sourceArn).to.match(/^arn:aws:execute-api:us-east-1:123456789012:\w+\/\*\/POST\/webhooks\/\*$/);
    });

    it("stage: JSON access logs to a KMS log group, X-Ray, metrics, throttling from settings", async () => {
        const plan = await planStack("prod");
        const stage = one(plan, "aws:apigateway/stage:Stage", "-api-stage");
        const logs = one(plan, "aws:cloudwatch/logGroup:LogGroup", "-api-access-logs");
        expect(stage.inputs.xrayTracingEnabled).to.equal(true);
        expect(stage.inputs.accessLogSettings.destinationArn).to.equal(out(logs).arn);
        expect(Object.keys(parse(stage.inputs.accessLogSettings.format))).to.include.members(["requestId", "status", "latency", "wafResponse"]);
        expect(logs.inputs.kmsKeyId).to.equal(out(one(plan, "aws:kms/key:Key", "-keys-logs-key")).arn);
        const settings = one(plan, "aws:apigateway/methodSettings:MethodSettings", "-api-method-settings").inputs.settings;
        expect(settings).to.include({ metricsEnabled: true, throttlingRateLimit: 200, throttlingBurstLimit: 400, dataTraceEnabled: false });
        const usage = one(plan, "aws:apigateway/usagePlan:UsagePlan", "-api-usage-plan").inputs;
        expect(usage.throttleSettings).to.deep.equal({ rateLimit: 200, burstLimit: 400 });
        expect(usage.quotaSettings).to.deep.equal({ limit: 100000, period: "DAY" });
        expect(one(await planStack("dev"), "aws:apigateway/methodSettings:MethodSettings", "-api-method-settings").inputs.settings.throttlingRateLimit).to.equal(20);
        // Execution logs go to a group created first, encrypted and with a retention, not one API Gateway makes unencrypted.
        const exec = one(plan, "aws:cloudwatch/logGroup:LogGroup", "-api-execution-logs");
        expect(exec.inputs.name).to.equal(`API-Gateway-Execution-Logs_${out(one(plan, "aws:apigateway/restApi:RestApi", "-api-api")).id}/prod`);
        expect(exec.inputs).to.include({ retentionInDays: 365, kmsKeyId: logs.inputs.kmsKeyId });
        expect(stage.dependencies).to.include(exec.urn);
    });

    it("answers CORS for the configured origins: OPTIONS on every resource and headers on 4xx/5xx", async () => {
        const plan = await planStack("prod");
        const options = ofType(plan, "aws:apigateway/method:Method").filter(m => m.inputs.httpMethod === "OPTIONS");
        expect(options).to.have.length(ofType(plan, "aws:apigateway/resource:Resource").length);
        const response = one(plan, "aws:apigateway/integrationResponse:IntegrationResponse", "-webhooks-stripe-options-integration-200");
        expect(response.inputs.responseParameters["method.response.header.Access-Control-Allow-Origin"]).to.equal("'https://ai-nutritionist.example.com'");
        expect(response.inputs.responseTemplates["application/json"]).to.contain("$origin == 'https://app.ai-nutritionist.example.com'");
        for (const type of ["DEFAULT_4XX", "DEFAULT_5XX"]) {
            const gr = ofType(plan, "aws:apigateway/response:Response").find(r => r.inputs.responseType === type)!;
            expect(gr.inputs.responseParameters["gatewayresponse.header.Access-Control-Allow-Origin"]).to.equal("'https://ai-nutritionist.example.com'");
        }
    });

    it("guards the stage with a regional WAF: managed rules, a per-IP rate rule from settings, logging", async () => {
        const plan = await planStack("prod");
        const acl = one(plan, "aws:wafv2/webAcl:WebAcl", "-api-waf-acl");
        expect(acl.inputs.scope).to.equal("REGIONAL");
        const names = acl.inputs.rules.map((r: any) => r.name);
        expect(names).to.deep.equal(["AWSManagedRulesAmazonIpReputationList", "AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet", "rate-limit-per-ip"]);
        const rate = acl.inputs.rules[3];
        expect(rate.statement.rateBasedStatement).to.include({ limit: 2000, aggregateKeyType: "IP" });
        expect(rate.action).to.deep.equal({ block: {} });
        for (const r of acl.inputs.rules) expect(r.visibilityConfig.cloudwatchMetricsEnabled).to.equal(true);
        const assoc = one(plan, "aws:wafv2/webAclAssociation:WebAclAssociation", "-api-waf-association");
        expect(assoc.inputs.resourceArn).to.equal(out(one(plan, "aws:apigateway/stage:Stage", "-api-stage")).arn);
        const logging = one(plan, "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration", "-api-waf-logging");
        expect(logging.inputs.logDestinationConfigs[0]).to.match(/:log-group:aws-waf-logs-ai-nutritionist-prod-api-/);
    });

    it("runs every function on arm64 with a current Node.js runtime, active tracing and JSON logs to its own KMS log group", async () => {
        const plan = await planStack("prod");
        const fns = ofType(plan, "aws:lambda/function:Function");
        expect(fns).to.have.length(5);
        for (const fn of fns) {
            expect(fn.inputs.architectures, fn.name).to.deep.equal(["arm64"]);
            expect(fn.inputs.runtime).to.be.oneOf(["nodejs22.x", "nodejs24.x"]);
            expect(fn.inputs.tracingConfig).to.deep.equal({ mode: "Active" });
            expect(fn.inputs.loggingConfig.logFormat).to.equal("JSON");
            expect(fn.inputs.loggingConfig.logGroup).to.match(/^\/ai-nutritionist\/prod\/lambda\//);
            expect(fn.inputs.kmsKeyArn).to.equal(out(one(plan, "aws:kms/key:Key", "-keys-data-key")).arn);
            expect(fn.inputs.code.archive["index.js"].bytes).to.be.above(500);
        }
        const x86 = one(await planStack("dev", { lambdaArchitecture: "x86_64" }), "aws:lambda/function:Function", "-api-worker-function");
        expect(x86.inputs.architectures).to.deep.equal(["x86_64"]);
    });

    it("gives the billing function the ledger's retention from settings", async () => {
        expect(one(await planStack("dev", { billingRetentionDays: "2557" }), "aws:lambda/function:Function", "-api-billing-function").inputs.environment.variables.BILLING_RETENTION_DAYS).to.equal("2557");
        expect(one(await planStack("prod"), "aws:lambda/function:Function", "-api-billing-function").inputs.environment.variables.BILLING_RETENTION_DAYS).to.equal("400");
    });

    it("keeps secrets out of the environment: only Secrets Manager ARNs", async () => {
        const plan = await planStack("prod");
        for (const fn of ofType(plan, "aws:lambda/function:Function")) {
            for (const [k, v] of Object.entries<string>(fn.inputs.environment?.variables ?? {})) {
                if (/SECRET|TOKEN/.test(k)) expect(v, `${fn.name} ${k}`).to.match(/^arn:aws:secretsmanager:/);
                expect(v).not.to.equal("[secret]");
            }
        }
        expect(validateServiceFunctionArgs({ handler: "x", description: "x", metricsNamespace: "N", environmentKmsKeyArn: "k", logs: { kmsKeyArn: "k", retentionInDays: 1, namePrefix: "/" }, statements: [], environment: { STRIPE_API_KEY: "sk_live" } }))
            .to.deep.equal(["environment variable STRIPE_API_KEY looks like a secret; pass a Secrets Manager ARN (name ending _ARN) instead"]);
    });

    it("reserves concurrency per function from settings and sends failed async invocations to a queue", async () => {
        const plan = await planStack("prod");
        const reserved = (s: string) => one(plan, "aws:lambda/function:Function", s).inputs.reservedConcurrentExecutions;
        expect([reserved("-api-inbound-function"), reserved("-api-billing-function"), reserved("-api-worker-function"), reserved("-schedules-function-function")]).to.deep.equal([50, 10, 25, 1]);
        const failures = out(one(plan, "aws:sqs/queue:Queue", "-failed-invocations-queue")).arn;
        for (const cfg of ofType(plan, "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig")) {
            expect(cfg.inputs.destinationConfig.onFailure.destination).to.equal(failures);
        }
        expect(ofType(plan, "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig")).to.have.length(4);
    });

    it("gives each function its own role, with no * action on * resource", async () => {
        const plan = await planStack("prod");
        const roles = ofType(plan, "aws:iam/role:Role").filter(r => r.name.endsWith("-role") && parse(r.inputs.assumeRolePolicy).Statement[0].Principal.Service === "lambda.amazonaws.com");
        expect(roles).to.have.length(5);
        for (const p of ofType(plan, "aws:iam/rolePolicy:RolePolicy")) {
            for (const s of parse(p.inputs.policy).Statement) {
                const actions = [].concat(s.Action);
                const resources = [].concat(s.Resource);
                expect(actions.includes("*" as never) && resources.includes("*" as never), `${p.name} ${s.Sid}`).to.equal(false);
                if (resources.includes("*" as never)) expect(actions.every((a: string) => /^(xray|ec2):/.test(a)), `${p.name}: only X-Ray and ENI actions lack resource scoping`).to.equal(true);
            }
        }
    });

    it("the worker consumes the work queue with partial batch responses and may invoke only the configured model", async () => {
        const plan = await planStack("prod");
        const esm = one(plan, "aws:lambda/eventSourceMapping:EventSourceMapping", "-api-worker-source");
        expect(esm.inputs.functionResponseTypes).to.deep.equal(["ReportBatchItemFailures"]);
        expect(esm.inputs.eventSourceArn).to.equal(out(one(plan, "aws:sqs/queue:Queue", "-work-queue")).arn);
        const doc = parse(one(plan, "aws:iam/rolePolicy:RolePolicy", "-api-worker-policy").inputs.policy);
        // The default: Claude Haiku 4.5 through the us. geographic profile, and the model in each destination Region of it, only through it.
        const profile = "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-haiku-4-5-20251001-v1:0";
        expect(doc.Statement.find((s: any) => s.Sid === "InvokeThroughProfile")).to.deep.include({ Action: "bedrock:InvokeModel", Resource: profile });
        const model = doc.Statement.find((s: any) => s.Sid === "InvokeModelInProfileRegions");
        expect(model.Resource).to.deep.equal(["us-east-1", "us-east-2", "us-west-1", "us-west-2"].map(r => `arn:aws:bedrock:${r}::foundation-model/anthropic.claude-haiku-4-5-20251001-v1:0`));
        expect(model.Condition).to.deep.equal({ StringEquals: { "bedrock:InferenceProfileArn": profile } });
        expect(one(plan, "aws:lambda/function:Function", "-api-worker-function").inputs.environment.variables.BEDROCK_MODEL_ID).to.equal("us.anthropic.claude-haiku-4-5-20251001-v1:0");
    });

    describe("Redis", () => {
        it("exists only where enableElasticache is on", async () => {
            expect(ofType(await planStack("dev"), "aws:elasticache/replicationGroup:ReplicationGroup")).to.have.length(0);
            expect(ofType(await planStack("staging"), "aws:elasticache/replicationGroup:ReplicationGroup")).to.have.length(1);
        });

        it("prod: two Graviton nodes, Multi-AZ with failover, encrypted at rest with the data key and in transit, AUTH token in Secrets Manager", async () => {
            const plan = await planStack("prod");
            const rg = one(plan, "aws:elasticache/replicationGroup:ReplicationGroup", "-api-cache-redis");
            expect(rg.inputs).to.include({ engine: "valkey", numCacheClusters: 2, automaticFailoverEnabled: true, multiAzEnabled: true, atRestEncryptionEnabled: true, transitEncryptionEnabled: true, nodeType: "cache.t4g.micro", snapshotRetentionLimit: 7 });
            // Two AZs: the group's subnets are the VPC's private subnets, one per AZ.
            expect(one(plan, "aws:elasticache/subnetGroup:SubnetGroup", "-api-cache-subnets").inputs.subnetIds).to.deep.equal(out(one(plan, "awsx:ec2:Vpc", "-network-vpc")).privateSubnetIds);
            expect(rg.inputs.kmsKeyId).to.equal(out(one(plan, "aws:kms/key:Key", "-keys-data-key")).arn);
            expect(rg.inputs.authToken).to.equal("[secret]");
            expect(rg.inputs.securityGroupIds).to.deep.equal([out(one(plan, "aws:ec2/securityGroup:SecurityGroup", "-network-cache-sg")).id]);
            expect(rg.propertyDependencies.securityGroupIds).to.deep.equal([one(plan, "aws:ec2/securityGroup:SecurityGroup", "-network-cache-sg").urn]);
            expect(rg.inputs.logDeliveryConfigurations[0]).to.include({ logType: "slow-log", destinationType: "cloudwatch-logs" });
            const secret = one(plan, "aws:secretsmanager/secret:Secret", "-api-cache-auth");
            expect(secret.inputs.kmsKeyId).to.equal(out(one(plan, "aws:kms/key:Key", "-keys-data-key")).arn);
            const worker = one(plan, "aws:lambda/function:Function", "-api-worker-function");
            expect(worker.inputs.environment.variables.REDIS_ENDPOINT).to.equal(out(rg).primaryEndpointAddress);
            expect(worker.inputs.environment.variables.REDIS_AUTH_SECRET_ARN).to.equal(out(secret).arn);
        });

        it("routes ElastiCache failures through EventBridge to the warning topic (ElastiCache cannot publish to an encrypted topic)", async () => {
            const plan = await planStack("prod");
            const rg = one(plan, "aws:elasticache/replicationGroup:ReplicationGroup", "-api-cache-redis");
            expect(rg.inputs.notificationTopicArn).to.equal(undefined);
            const rule = one(plan, "aws:cloudwatch/eventRule:EventRule", "-api-cache-events");
            const pattern = JSON.parse(rule.inputs.eventPattern);
            expect(pattern).to.deep.include({ source: ["aws.elasticache"] });
            // Only this replication group and its member clusters, not every ElastiCache event of the account.
            const id = out(rg).id as string;
            const matches = (source: string) => pattern.detail.SourceIdentifier.some((m: any) => m === source || (typeof m === "object" && source.startsWith(m.prefix)));
            expect(pattern.detail).to.have.all.keys("SourceIdentifier");
            expect([id, `${id}-001`, `${id}-002`].every(matches)).to.equal(true);
            expect(["other-stack-cache", `${id}-eu`, `${id}x`, id.slice(0, -1)].some(matches)).to.equal(false);
            const target = one(plan, "aws:cloudwatch/eventTarget:EventTarget", "-api-cache-events-alert");
            expect(target.inputs.arn).to.equal(out(one(plan, "aws:sns/topic:Topic", "-alerts-warning")).arn);
        });

        it("staging: one node, no failover", async () => {
            const rg = one(await planStack("staging"), "aws:elasticache/replicationGroup:ReplicationGroup", "-api-cache-redis");
            expect(rg.inputs).to.include({ numCacheClusters: 1, automaticFailoverEnabled: false, multiAzEnabled: false });
        });
    });

    it("validation lists every problem", () => {
        const p = validateCachedLambdaApiArgs({
            cache: { nodeType: "cache.t4g.micro", numNodes: 1, ttlSeconds: 60 }, throttle: { rateLimit: 10, burstLimit: 5, quotaPerDay: 1 },
            corsOrigins: ["example.com"], wafRateLimit: 5,
        } as any);
        expect(p).to.have.length(4);
    });

    it("the health route has no Lambda behind it", async () => {
        const plan = await planStack("prod");
        expect(one(plan, "aws:apigateway/integration:Integration", "-health-get-integration").inputs.type).to.equal("MOCK");
        expect(maybe(plan, "aws:lambda/permission:Permission", "-health-invoke")).to.equal(undefined);
    });

    it("sets the account's API Gateway logging role only after its policy is attached", async () => {
        const plan = await planStack("dev");
        const account = one(plan, "aws:apigateway/account:Account", "-api-account");
        const attachment = one(plan, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "-api-cloudwatch-role-policy");
        expect(account.dependencies).to.include(attachment.urn);
    });
});
