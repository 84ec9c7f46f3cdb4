/**
 * The reply path outside the VPC: the worker queues each reply on the outbox, the sender drains it
 * and holds the only Twilio and SMS permissions (the shared contract between infrastructure and handlers).
 */
import { expect } from "chai";
import { SENDER_TIMEOUT_SECONDS, validateReplySenderArgs } from "../components/reply-sender";
import { one, ofType, out, parse, planStack } from "./harness";

describe("ReplySender and the outbox", function () {
    this.timeout(120000);

    it("the outbox is encrypted with the messaging key, TLS only, with a dead-letter queue after 5 receives and 6 x the sender's timeout of visibility", async () => {
        const plan = await planStack("prod");
        const queue = one(plan, "aws:sqs/queue:Queue", "-outbox-queue");
        const dlq = one(plan, "aws:sqs/queue:Queue", "-outbox-dlq");
        const key = out(one(plan, "aws:kms/key:Key", "-keys-messaging-key")).arn;
        expect(queue.inputs.kmsMasterKeyId).to.equal(key);
        expect(dlq.inputs.kmsMasterKeyId).to.equal(key);
        expect(queue.inputs.visibilityTimeoutSeconds).to.equal(6 * SENDER_TIMEOUT_SECONDS).and.to.equal(180);
        expect(parse(queue.inputs.redrivePolicy)).to.deep.equal({ deadLetterTargetArn: out(dlq).arn, maxReceiveCount: 5 });
        const policy = parse(one(plan, "aws:sqs/queuePolicy:QueuePolicy", "-outbox-queue-policy").inputs.policy);
        expect(policy.Statement).to.have.length(1);
        expect(policy.Statement[0]).to.deep.include({ Effect: "Deny", Principal: "*", Condition: { Bool: { "aws:SecureTransport": false } } });
    });

    it("the sender runs outside the VPC (256 MB, 30 s) with the contract's environment, and drains the outbox in batches of 10 with partial failures", async () => {
        const plan = await planStack("prod", { twilioAccountSid: "AC" + "0".repeat(32), twilioPhoneNumber: "+15550100", smsRequestPhoneNumber: "true" });
        const fn = one(plan, "aws:lambda/function:Function", "-sender-function-function");
        expect(fn.inputs).to.include({ memorySize: 256, timeout: 30 });
        expect(fn.inputs.vpcConfig).to.equal(undefined);
        const env = fn.inputs.environment.variables;
        expect(Object.keys(env).sort()).to.deep.equal(["IDEMPOTENCY_TABLE", "POWERTOOLS_METRICS_NAMESPACE", "POWERTOOLS_SERVICE_NAME", "SMS_CONFIGURATION_SET",
            "SMS_ORIGINATION_IDENTITY", "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN_SECRET_ARN", "TWILIO_FROM_NUMBER", "TWILIO_STATUS_CALLBACK_URL"]);
        expect(env.IDEMPOTENCY_TABLE).to.equal(out(one(plan, "aws:dynamodb/table:Table", "-tables-idempotency-table")).name);
        expect(env.TWILIO_AUTH_TOKEN_SECRET_ARN).to.equal(out(one(plan, "aws:secretsmanager/secret:Secret", "-secrets-twilioAuthToken")).arn);
        expect(env.TWILIO_STATUS_CALLBACK_URL).to.match(/\/webhooks\/twilio\/status$/);
        expect(env.POWERTOOLS_SERVICE_NAME).to.equal("sender");
        const esm = one(plan, "aws:lambda/eventSourceMapping:EventSourceMapping", "-sender-source");
        expect(esm.inputs).to.include({ batchSize: 10, eventSourceArn: out(one(plan, "aws:sqs/queue:Queue", "-outbox-queue")).arn });
        expect(esm.inputs.functionResponseTypes).to.deep.equal(["ReportBatchItemFailures"]);
    });

    it("the sender's role holds exactly the contract's permissions, and no other function can send SMS or read the Twilio token but the inbound webhook", async () => {
        const plan = await planStack("prod", { smsRequestPhoneNumber: "true" });
        const doc = parse(one(plan, "aws:iam/rolePolicy:RolePolicy", "-sender-function-policy").inputs.policy);
        const byAction = doc.Statement.map((s: any) => `${[].concat(s.Action).join(",")}`).sort();
        expect(byAction).to.deep.equal([
            "dynamodb:PutItem,dynamodb:GetItem,dynamodb:UpdateItem,dynamodb:DeleteItem",
            "kms:Decrypt",
            "kms:Decrypt",
            "kms:Decrypt,kms:DescribeKey,kms:Encrypt,kms:GenerateDataKey",
            "logs:CreateLogStream,logs:PutLogEvents",
            "secretsmanager:GetSecretValue",
            "sms-voice:SendTextMessage",
            "sqs:ReceiveMessage,sqs:DeleteMessage,sqs:GetQueueAttributes",
            "xray:PutTraceSegments,xray:PutTelemetryRecords",
        ]);
        const stmt = (sid: string) => doc.Statement.find((s: any) => s.Sid === sid);
        expect(stmt("ConsumeOutbox").Resource).to.equal(out(one(plan, "aws:sqs/queue:Queue", "-outbox-queue")).arn);
        expect(stmt("DecryptOutbox").Resource).to.equal(out(one(plan, "aws:kms/key:Key", "-keys-messaging-key")).arn);
        expect(stmt("ReadTwilioToken").Resource).to.equal(out(one(plan, "aws:secretsmanager/secret:Secret", "-secrets-twilioAuthToken")).arn);
        expect(stmt("DecryptTwilioToken").Condition).to.deep.equal({ StringEquals: { "kms:ViaService": "secretsmanager.us-east-1.amazonaws.com" } });
        const token = out(one(plan, "aws:secretsmanager/secret:Secret", "-secrets-twilioAuthToken")).arn;
        for (const p of ofType(plan, "aws:iam/rolePolicy:RolePolicy")) {
            const statements = parse(p.inputs.policy).Statement;
            const actions = statements.flatMap((s: any) => [].concat(s.Action));
            if (!p.name.endsWith("-sender-function-policy")) expect(actions.filter((a: string) => a.startsWith("sms-voice:")), p.name).to.deep.equal([]);
            const readsToken = statements.some((s: any) => [].concat(s.Resource ?? []).includes(token as never));
            if (readsToken) expect(p.name, "who reads the Twilio token").to.match(/-(sender-function|api-inbound)-policy$/);
        }
    });

    it("the worker queues replies: OUTBOX_QUEUE_URL, SendMessage on the outbox only, and the messaging key", async () => {
        const plan = await planStack("prod");
        const worker = one(plan, "aws:lambda/function:Function", "-api-worker-function");
        const outbox = out(one(plan, "aws:sqs/queue:Queue", "-outbox-queue"));
        expect(worker.inputs.environment.variables.OUTBOX_QUEUE_URL).to.equal(outbox.url);
        const doc = parse(one(plan, "aws:iam/rolePolicy:RolePolicy", "-api-worker-policy").inputs.policy);
        const sends = doc.Statement.filter((s: any) => [].concat(s.Action).includes("sqs:SendMessage" as never));
        expect(sends.map((s: any) => s.Resource)).to.have.members([outbox.arn, out(one(plan, "aws:sqs/queue:Queue", "-failed-invocations-queue")).arn]);
        expect(doc.Statement.find((s: any) => s.Sid === "EncryptReplies").Resource).to.equal(out(one(plan, "aws:kms/key:Key", "-keys-messaging-key")).arn);
    });

    it("alarms on the outbox's dead-letter depth and oldest message, and on the sender's errors", async () => {
        const plan = await planStack("prod");
        const dims = (suffix: string) => one(plan, "aws:cloudwatch/metricAlarm:MetricAlarm", suffix);
        expect(dims("-observability-outbox-dlq-depth").inputs.dimensions).to.deep.equal({ QueueName: out(one(plan, "aws:sqs/queue:Queue", "-outbox-dlq")).name });
        expect(dims("-observability-outbox-oldest-message").inputs).to.include({ metricName: "ApproximateAgeOfOldestMessage" });
        expect(dims("-observability-outbox-oldest-message").inputs.dimensions).to.deep.equal({ QueueName: out(one(plan, "aws:sqs/queue:Queue", "-outbox-queue")).name });
        const errors = dims("-observability-sender-error-rate");
        const metrics = errors.inputs.metricQueries.filter((q: any) => q.metric).map((q: any) => `${q.metric.metricName} ${q.metric.dimensions.FunctionName}`);
        const name = out(one(plan, "aws:lambda/function:Function", "-sender-function-function")).name;
        expect(metrics).to.have.members([`Errors ${name}`, `Invocations ${name}`]);
    });

    it("validation lists every problem", () => {
        expect(validateReplySenderArgs({ maximumConcurrency: 1 } as any)).to.deep.equal(["maximumConcurrency must be 2-1000 (got 1)"]);
        expect(validateReplySenderArgs({} as any)).to.deep.equal([]);
    });
});
