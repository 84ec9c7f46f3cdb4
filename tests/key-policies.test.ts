/**
 * Each key policy simulated (@cloud-copilot/iam-simulate) for every AWS service that uses the key,
 * with the request context that service sends, as AWS documents it (source in each scenario).
 * Where AWS documents that a service sends no aws:SourceAccount/aws:SourceArn (EventBridge
 * publishing to an encrypted topic), the scenario sends none, so a policy that requires them fails.
 */
import { expect } from "chai";
import { simulateRequest } from "../checks/iam-check";
import { MOCK_ACCOUNT } from "../engine/mocks";
import { Plan, PlannedResource } from "../engine/planner";
import { maybe, ofType, one, out, parse, planStack, STACKS } from "./harness";

type Context = Record<string, string | string[]>;

interface Request {
    /** Service principal, or an IAM role ARN (then `identityPolicy` is the role's policy). */
    principal: string;
    action: string;
    context: Context;
    identityPolicy?: any;
}

interface Scenario {
    /** What uses the key, shown in the test name. */
    service: string;
    /** Logical-name suffix of the key (aws:kms/key:Key) this scenario exercises. */
    key: string;
    /** Where AWS documents the principal, actions and request context. */
    source: string;
    /** The requests the service makes, built from the plan; none when the stack lacks the user. */
    requests: (plan: Plan) => Request[];
}

const first = (plan: Plan, type: string) => ofType(plan, type)[0] as PlannedResource | undefined;
const source = (arn: string) => ({ "aws:SourceAccount": MOCK_ACCOUNT, "aws:SourceArn": arn });
const each = (actions: string[], principal: string, context: Context): Request[] => actions.map(action => ({ principal, action, context }));
/** Requests of a role of ours, allowed by its inline policy (the key policy delegates to the account); none when the stack has no such role. */
function throughRole(plan: Plan, roleSuffix: string, policySuffix: string, actions: string[]): Request[] {
    const role = maybe(plan, "aws:iam/role:Role", roleSuffix);
    const policy = maybe(plan, "aws:iam/rolePolicy:RolePolicy", policySuffix);
    if (!role || !policy) return [];
    return actions.map(action => ({ principal: out(role).arn, action, context: {}, identityPolicy: parse(policy.inputs.policy) }));
}

/** The services that use our keys, with the context each sends. */
const SCENARIOS: Scenario[] = [
    {
        service: "CloudWatch Logs encrypting each of our log groups",
        key: "-keys-logs-key",
        source: "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html (encryption context aws:logs:arn = the log group's ARN)",
        requests: plan => {
            const logsKey = out(scenarioKey(plan, "-keys-logs-key")!).arn;
            const region = logsKey.split(":")[3];
            return ofType(plan, "aws:cloudwatch/logGroup:LogGroup").filter(g => g.inputs.kmsKeyId === logsKey).flatMap(g =>
                each(["kms:Encrypt", "kms:Decrypt", "kms:ReEncryptFrom", "kms:GenerateDataKey"], `logs.${region}.amazonaws.com`, { "kms:EncryptionContext:aws:logs:arn": out(g).arn }))
                .concat(each(["kms:DescribeKey"], `logs.${region}.amazonaws.com`, {}));
        },
    },
    {
        service: "CloudTrail encrypting the trail's log files, and describing the key (no encryption context)",
        key: "-keys-logs-key",
        source: "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html (aws:SourceArn = trail ARN; DescribeKey as its own statement)",
        requests: plan => {
            const trail = first(plan, "aws:cloudtrail/trail:Trail");
            if (!trail) return [];
            const arn = out(trail).arn;
            return [
                { principal: "cloudtrail.amazonaws.com", action: "kms:GenerateDataKey", context: { ...source(arn), "kms:EncryptionContext:aws:cloudtrail:arn": arn } },
                { principal: "cloudtrail.amazonaws.com", action: "kms:DescribeKey", context: source(arn) },
            ];
        },
    },
    {
        service: "AWS Config delivering configuration snapshots to the encrypted audit bucket (service principal, and its delivery role)",
        key: "-keys-logs-key",
        source: "https://docs.aws.amazon.com/config/latest/developerguide/s3-kms-key-policy.html (aws:SourceAccount)",
        requests: plan => {
            const delivery = throughRole(plan, "-config-role", "-config-role-delivery", ["kms:GenerateDataKey", "kms:Decrypt"]);
            return delivery.length ? [...each(["kms:GenerateDataKey", "kms:Decrypt"], "config.amazonaws.com", { "aws:SourceAccount": MOCK_ACCOUNT }), ...delivery] : [];
        },
    },
    ...([
        ["CloudWatch alarms", "cloudwatch.amazonaws.com", "aws:cloudwatch/metricAlarm:MetricAlarm", "https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services"],
        ["AWS Budgets notifications", "budgets.amazonaws.com", "aws:budgets/budget:Budget", "https://docs.aws.amazon.com/cost-management/latest/userguide/budgets-sns-policy.html"],
        ["Cost Anomaly Detection alerts", "costalerts.amazonaws.com", "aws:costexplorer/anomalyMonitor:AnomalyMonitor", "https://docs.aws.amazon.com/cost-management/latest/userguide/ad-SNS.html"],
        ["AWS Backup notifications", "backup.amazonaws.com", "aws:backup/vault:Vault", "https://docs.aws.amazon.com/aws-backup/latest/devguide/sns-notifications.html"],
        ["End User Messaging SMS events", "sms-voice.amazonaws.com", "aws:pinpoint/smsvoicev2ConfigurationSet:Smsvoicev2ConfigurationSet", "https://docs.aws.amazon.com/sms-voice/latest/userguide/configuration-sets-sns-event-destination.html"],
    ] as const).map(([service, principal, type, src]): Scenario => ({
        service: `${service} publishing to an encrypted topic (aws:SourceAccount and aws:SourceArn sent)`,
        key: "-keys-messaging-key",
        source: src,
        requests: plan => {
            const r = first(plan, type);
            return r ? each(["kms:GenerateDataKey", "kms:Decrypt"], principal, source(out(r).arn)) : [];
        },
    })),
    {
        service: "EventBridge rules publishing to an encrypted topic (no aws:SourceAccount/aws:SourceArn on its KMS requests)",
        key: "-keys-messaging-key",
        source: "https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services (source keys unsupported for EventBridge)",
        requests: plan => ofType(plan, "aws:cloudwatch/eventRule:EventRule").length ? each(["kms:GenerateDataKey", "kms:Decrypt"], "events.amazonaws.com", {}) : [],
    },
    {
        service: "SNS delivering inbound SMS into the encrypted work queue",
        key: "-keys-messaging-key",
        source: "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html (aws:SourceArn = topic ARN)",
        requests: plan => {
            const topic = maybe(plan, "aws:sns/topic:Topic", "-sms-inbound");
            return topic ? each(["kms:GenerateDataKey", "kms:Decrypt"], "sns.amazonaws.com", source(out(topic).arn)) : [];
        },
    },
    {
        service: "CloudFront reading SSE-KMS site objects through origin access control",
        key: "-site-key-key",
        source: "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-s3.html (AWS:SourceArn = distribution ARN)",
        requests: plan => each(["kms:Decrypt"], "cloudfront.amazonaws.com", source(out(first(plan, "aws:cloudfront/distribution:Distribution")!).arn)),
    },
    {
        service: "the AWS Backup role (through IAM: the key policy delegates to the account)",
        key: "-keys-backup-key",
        source: "https://docs.aws.amazon.com/aws-backup/latest/devguide/encryption.html (the backup role needs kms:CreateGrant, GenerateDataKey, Decrypt on the vault key)",
        requests: plan => throughRole(plan, "-backup-role", "-backup-role-keys", ["kms:CreateGrant", "kms:GenerateDataKey", "kms:Decrypt"]),
    },
];

/** The key's policy: its own `policy`, or the separate aws.kms.KeyPolicy that targets it. */
function keyPolicy(plan: Plan, key: PlannedResource): any {
    if (key.inputs.policy) return parse(key.inputs.policy);
    const kp = ofType(plan, "aws:kms/keyPolicy:KeyPolicy").find(p => p.inputs.keyId === out(key).id || p.inputs.keyId === out(key).keyId);
    expect(kp, `key policy of ${key.name}`).to.not.equal(undefined);
    return parse(kp!.inputs.policy);
}

function simulate(policy: any, keyArn: string, r: Request): Promise<string> {
    return simulateRequest({ principal: r.principal, action: r.action, resourceArn: keyArn, accountId: MOCK_ACCOUNT, context: r.context, resourcePolicy: policy, identityPolicies: r.identityPolicy ? [r.identityPolicy] : [] });
}

/** Every request of a scenario that the key policy does not allow, as `action context → result`. */
/**
 * The key a scenario targets. With kmsKeyPerPurpose false (dev) the stack's one key serves data, logs and
 * messaging; without AWS Backup there is no backup key (undefined).
 */
function scenarioKey(plan: Plan, suffix: string): PlannedResource | undefined {
    if (ofType(plan, "aws:kms/key:Key").some(k => k.name.endsWith(suffix))) return one(plan, "aws:kms/key:Key", suffix);
    if (["-keys-data-key", "-keys-logs-key", "-keys-messaging-key"].includes(suffix)) return one(plan, "aws:kms/key:Key", "-keys-stack-key");
    expect(ofType(plan, "aws:backup/vault:Vault"), `no ${suffix}: the stack must have no backup vault either`).to.deep.equal([]);
    return undefined;
}

async function denied(plan: Plan, s: Scenario, policyOverride?: any): Promise<{ requests: number; denied: string[] }> {
    const key = scenarioKey(plan, s.key);
    if (!key) return { requests: 0, denied: [] };
    const policy = policyOverride ?? keyPolicy(plan, key);
    const requests = s.requests(plan);
    const out_: string[] = [];
    for (const r of requests) {
        const result = await simulate(policy, out(key).arn, r);
        if (result !== "Allowed") out_.push(`${r.principal} ${r.action} ${JSON.stringify(r.context)} → ${result}`);
    }
    return { requests: requests.length, denied: out_ };
}

describe("key policies simulated for every service that uses the key", () => {
    for (const stack of [...STACKS, "prod+sms"] as const) {
        describe(stack, () => {
            for (const s of SCENARIOS) {
                it(s.service, async () => {
                    const plan = stack === "prod+sms" ? await planStack("prod", { smsRequestPhoneNumber: "true" }) : await planStack(stack);
                    const { denied: d } = await denied(plan, s);
                    expect(d, s.source).to.deep.equal([]);
                });
            }
        });
    }

    it("every service principal a key policy names is simulated on that key (none is left out)", async () => {
        const plan = await planStack("prod", { smsRequestPhoneNumber: "true" });
        let total = 0;
        for (const s of SCENARIOS) total += (await denied(plan, s)).requests;
        console.log(`      prod with an SMS number: ${total} requests simulated over ${SCENARIOS.length} scenarios`);
        // Every service principal a key policy names is one a scenario simulates on that key.
        for (const key of ofType(plan, "aws:kms/key:Key")) {
            const named = new Set<string>(keyPolicy(plan, key).Statement.flatMap((st: any) => [].concat(st.Principal?.Service ?? [])));
            const simulated = new Set(SCENARIOS.filter(s => key.name.endsWith(s.key)).flatMap(s => s.requests(plan).map(r => r.principal)));
            expect([...named].filter(p => !simulated.has(p)), key.name).to.deep.equal([]);
        }
    });

    it("every alert topic's policy admits each publisher with the context it sends on sns:Publish", async () => {
        // sns:Publish is authorised by the topic policy; on it the publishers (EventBridge included) send
        // aws:SourceArn and aws:SourceAccount. https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-use-cases.html
        // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html#eb-sns-permissions
        const plan = await planStack("prod");
        const publishers: [string, string][] = [
            ["cloudwatch.amazonaws.com", "aws:cloudwatch/metricAlarm:MetricAlarm"], ["events.amazonaws.com", "aws:cloudwatch/eventRule:EventRule"],
            ["budgets.amazonaws.com", "aws:budgets/budget:Budget"], ["costalerts.amazonaws.com", "aws:costexplorer/anomalyMonitor:AnomalyMonitor"],
            ["backup.amazonaws.com", "aws:backup/vault:Vault"],
        ];
        const failures: string[] = [];
        for (const route of ["critical", "warning", "info"]) {
            const topic = out(one(plan, "aws:sns/topic:Topic", `-alerts-${route}`)).arn;
            const policy = parse(one(plan, "aws:sns/topicPolicy:TopicPolicy", `-alerts-${route}-policy`).inputs.policy);
            for (const [principal, type] of publishers) {
                const result = await simulateRequest({ principal, action: "sns:Publish", resourceArn: topic, accountId: MOCK_ACCOUNT, context: { ...source(out(first(plan, type)!).arn), "aws:SecureTransport": "true" }, resourcePolicy: policy });
                if (result !== "Allowed") failures.push(`${route} ${principal} → ${result}`);
            }
            expect(await simulateRequest({ principal: "events.amazonaws.com", action: "sns:Publish", resourceArn: topic, accountId: MOCK_ACCOUNT, context: { ...source("arn:aws:events:us-east-1:999999999999:rule/x"), "aws:SourceAccount": "999999999999" }, resourcePolicy: policy }), "another account's rule").to.equal("ImplicitlyDenied");
        }
        expect(failures).to.deep.equal([]);
    });

    it("the work queue's policy admits SNS delivering from the inbound SMS topic only", async () => {
        const plan = await planStack("prod", { smsRequestPhoneNumber: "true" });
        const queue = out(one(plan, "aws:sqs/queue:Queue", "-work-queue")).arn;
        const policy = parse(one(plan, "aws:sqs/queuePolicy:QueuePolicy", "-work-queue-policy").inputs.policy);
        const topic = out(one(plan, "aws:sns/topic:Topic", "-sms-inbound")).arn;
        const send = (arn: string) => simulateRequest({ principal: "sns.amazonaws.com", action: "sqs:SendMessage", resourceArn: queue, accountId: MOCK_ACCOUNT, context: { ...source(arn), "aws:SecureTransport": "true" }, resourcePolicy: policy });
        expect(await send(topic)).to.equal("Allowed");
        expect(await send(topic.replace(/[^:]+$/, "someone-elses-topic"))).to.equal("ImplicitlyDenied");
    });

    describe("each simulation fails on a bad fixture", () => {
        const scenario = (name: string) => SCENARIOS.find(s => s.service.startsWith(name))!;

        it("DescribeKey under CloudTrail's encryption-context condition is denied", async () => {
            const plan = await planStack("prod");
            const policy = keyPolicy(plan, scenarioKey(plan, "-keys-logs-key")!);
            const old = { ...policy, Statement: [policy.Statement[0], {
                Sid: "Old", Effect: "Allow", Principal: { Service: "cloudtrail.amazonaws.com" }, Action: ["kms:GenerateDataKey*", "kms:DescribeKey"], Resource: "*",
                Condition: { StringEquals: { "aws:SourceAccount": MOCK_ACCOUNT }, StringLike: { "kms:EncryptionContext:aws:cloudtrail:arn": `arn:aws:cloudtrail:*:${MOCK_ACCOUNT}:trail/*` } },
            }] };
            const { denied: d } = await denied(plan, scenario("CloudTrail"), old);
            expect(d).to.have.length(1);
            expect(d[0]).to.match(/^cloudtrail\.amazonaws\.com kms:DescribeKey .* → ImplicitlyDenied$/);
        });

        it("an aws:SourceAccount condition on EventBridge's statement drops every event", async () => {
            const plan = await planStack("prod");
            const old = { Version: "2012-10-17", Statement: [{
                Effect: "Allow", Principal: { Service: ["cloudwatch.amazonaws.com", "events.amazonaws.com"] }, Action: ["kms:GenerateDataKey*", "kms:Decrypt"], Resource: "*",
                Condition: { StringEquals: { "aws:SourceAccount": MOCK_ACCOUNT } },
            }] };
            expect((await denied(plan, scenario("EventBridge"), old)).denied).to.have.length(2);
            expect((await denied(plan, scenario("CloudWatch alarms"), old)).denied).to.deep.equal([]);
        });

        it("a log group outside the admitted prefixes is denied", async () => {
            const plan = await planStack("prod");
            const policy = keyPolicy(plan, scenarioKey(plan, "-keys-logs-key")!);
            const key = out(scenarioKey(plan, "-keys-logs-key")!).arn;
            const r = { principal: "logs.us-east-1.amazonaws.com", action: "kms:GenerateDataKey", context: { "kms:EncryptionContext:aws:logs:arn": `arn:aws:logs:us-east-1:${MOCK_ACCOUNT}:log-group:/someone-else/x` } };
            expect(await simulate(policy, key, r)).to.equal("ImplicitlyDenied");
        });
    });
});
