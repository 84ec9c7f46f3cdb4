import { expect } from "chai";
import { validateEncryptedQueueArgs } from "../components/encrypted-queue";
import { maybe, ofType, one, out, parse, planStack } from "./harness";

describe("queues, schedules and messaging", () => {
    describe("EncryptedQueue", () => {
        it("encrypts the work queue and its DLQ with the messaging key and redrives after 5 receives", async () => {
            const plan = await planStack("prod");
            const key = out(one(plan, "aws:kms/key:Key", "-keys-messaging-key")).arn;
            const queue = one(plan, "aws:sqs/queue:Queue", "-work-queue");
            const dlq = one(plan, "aws:sqs/queue:Queue", "-work-dlq");
            expect(queue.inputs.kmsMasterKeyId).to.equal(key);
            expect(dlq.inputs.kmsMasterKeyId).to.equal(key);
            expect(parse(queue.inputs.redrivePolicy)).to.deep.equal({ deadLetterTargetArn: out(dlq).arn, maxReceiveCount: 5 });
        });

        it("keeps the visibility timeout at six times the worker's timeout", async () => {
            const plan = await planStack("prod");
            const worker = one(plan, "aws:lambda/function:Function", "-api-worker-function");
            expect(one(plan, "aws:sqs/queue:Queue", "-work-queue").inputs.visibilityTimeoutSeconds).to.equal(6 * worker.inputs.timeout);
            expect(validateEncryptedQueueArgs({ kmsKeyArn: "k", consumerTimeoutSeconds: 60, visibilityTimeoutSeconds: 120 }))
                .to.deep.equal(["visibilityTimeoutSeconds must be at least 6 x the consumer's timeout = 360 (got 120)"]);
        });

        it("denies non-TLS access to every queue", async () => {
            const plan = await planStack("prod");
            const policies = ofType(plan, "aws:sqs/queuePolicy:QueuePolicy");
            expect(policies).to.have.length(ofType(plan, "aws:sqs/queue:Queue").length);
            for (const p of policies) {
                const deny = parse(p.inputs.policy).Statement[0];
                expect(deny).to.deep.include({ Effect: "Deny", Action: "sqs:*", Condition: { Bool: { "aws:SecureTransport": false } } });
            }
        });
    });

    describe("MealPlanSchedules", () => {
        it("schedules the daily meal plans and the weekly summary with retries and a DLQ", async () => {
            const plan = await planStack("prod");
            const fn = out(one(plan, "aws:lambda/function:Function", "-schedules-function-function")).arn;
            const dlq = out(one(plan, "aws:sqs/queue:Queue", "-schedules-dlq-queue")).arn;
            const daily = one(plan, "aws:scheduler/schedule:Schedule", "-schedules-daily-meal-plans");
            const weekly = one(plan, "aws:scheduler/schedule:Schedule", "-schedules-weekly-summary");
            expect(daily.inputs.scheduleExpression).to.equal("cron(0 6 * * ? *)");
            expect(weekly.inputs.scheduleExpression).to.equal("cron(0 17 ? * SUN *)");
            for (const s of [daily, weekly]) {
                expect(s.inputs.target.arn).to.equal(fn);
                expect(s.inputs.target.deadLetterConfig.arn).to.equal(dlq);
                expect(s.inputs.target.retryPolicy).to.deep.equal({ maximumEventAgeInSeconds: 3600, maximumRetryAttempts: 3 });
            }
            // The scheduled time is the run id (functions/scheduler.ts): the same on Scheduler's retries.
            expect(parse(daily.inputs.target.input)).to.deep.equal({ kind: "daily-meal-plan", scheduledTime: "<aws.scheduler.scheduled-time>" });
        });

        it("gives the scheduler a role of its own that may invoke only the scheduler function", async () => {
            const plan = await planStack("prod");
            const role = one(plan, "aws:iam/role:Role", "-schedules-role");
            expect(parse(role.inputs.assumeRolePolicy).Statement[0].Principal.Service).to.equal("scheduler.amazonaws.com");
            const doc = parse(one(plan, "aws:iam/rolePolicy:RolePolicy", "-schedules-role-policy").inputs.policy);
            const fn = out(one(plan, "aws:lambda/function:Function", "-schedules-function-function")).arn;
            expect(doc.Statement.find((s: any) => s.Sid === "InvokeTarget").Resource).to.deep.equal([fn, `${fn}:*`]);
        });
    });

    describe("SmsMessaging", () => {
        it("creates a configuration set with CloudWatch Logs and SNS event destinations, and an opt-out list", async () => {
            const plan = await planStack("prod");
            expect(one(plan, "aws:pinpoint/smsvoicev2ConfigurationSet:Smsvoicev2ConfigurationSet", "-sms-config-set").inputs.defaultMessageType).to.equal("TRANSACTIONAL");
            one(plan, "aws:pinpoint/smsvoicev2OptOutList:Smsvoicev2OptOutList", "-sms-opt-out");
            const toLogs = one(plan, "aws:pinpoint/smsvoicev2EventDestination:Smsvoicev2EventDestination", "-sms-to-logs");
            expect(toLogs.inputs.cloudwatchLogsDestination.logGroupArn).to.equal(out(one(plan, "aws:cloudwatch/logGroup:LogGroup", "-sms-events")).arn);
            const toSns = one(plan, "aws:pinpoint/smsvoicev2EventDestination:Smsvoicev2EventDestination", "-sms-to-sns");
            expect(toSns.inputs.snsDestination.topicArn).to.equal(out(one(plan, "aws:sns/topic:Topic", "-sms-failures")).arn);
        });

        it("counts AWS SMS delivery failures from the event log and alarms the warning topic", async () => {
            const plan = await planStack("prod");
            const filter = one(plan, "aws:cloudwatch/logMetricFilter:LogMetricFilter", "-sms-failures-metric");
            expect(filter.inputs.logGroupName).to.equal(out(one(plan, "aws:cloudwatch/logGroup:LogGroup", "-sms-events")).name);
            expect(filter.inputs.pattern).to.contain('($.eventType = "TEXT_CARRIER_UNREACHABLE")');
            const alarm = one(plan, "aws:cloudwatch/metricAlarm:MetricAlarm", "-sms-failures-alarm");
            expect(alarm.inputs).to.include({ metricName: "SmsDeliveryFailures", namespace: "AiNutritionist/prod", threshold: 5 });
            expect(alarm.inputs.alarmActions).to.deep.equal([out(one(plan, "aws:sns/topic:Topic", "-alerts-warning")).arn]);
        });

        it("buys no phone number unless asked", async () => {
            const plan = await planStack("prod");
            expect(maybe(plan, "aws:pinpoint/smsvoicev2PhoneNumber:Smsvoicev2PhoneNumber", "-sms-number")).to.equal(undefined);
            expect(maybe(plan, "aws:sns/topic:Topic", "-sms-inbound")).to.equal(undefined);
            expect(one(plan, "aws:lambda/function:Function", "-api-worker-function").inputs.environment.variables).not.to.have.property("SMS_ORIGINATION_IDENTITY");
        });

        it("with a number, runs two-way SMS: inbound topic → work queue (admitted by the queue policy), replies from the sender", async () => {
            const plan = await planStack("staging", { smsRequestPhoneNumber: "true", smsNumberType: "SIMULATOR" });
            const number = one(plan, "aws:pinpoint/smsvoicev2PhoneNumber:Smsvoicev2PhoneNumber", "-sms-number");
            const topic = one(plan, "aws:sns/topic:Topic", "-sms-inbound");
            expect(number.inputs).to.include({ numberType: "SIMULATOR", isoCountryCode: "US", messageType: "TRANSACTIONAL", twoWayChannelEnabled: true, twoWayChannelArn: out(topic).arn });
            expect(topic.inputs.kmsMasterKeyId).to.equal(out(one(plan, "aws:kms/key:Key", "-keys-messaging-key")).arn);
            const queue = one(plan, "aws:sqs/queue:Queue", "-work-queue");
            const sub = one(plan, "aws:sns/topicSubscription:TopicSubscription", "-sms-inbound-to-queue");
            expect(sub.inputs).to.include({ protocol: "sqs", endpoint: out(queue).arn, rawMessageDelivery: true });
            const policy = parse(one(plan, "aws:sqs/queuePolicy:QueuePolicy", "-work-queue-policy").inputs.policy);
            expect(policy.Statement[1]).to.deep.include({ Principal: { Service: "sns.amazonaws.com" }, Action: "sqs:SendMessage", Condition: { ArnEquals: { "aws:SourceArn": [out(topic).arn] } } });
            const sender = one(plan, "aws:lambda/function:Function", "-sender-function-function");
            expect(sender.inputs.environment.variables.SMS_ORIGINATION_IDENTITY).to.equal(out(number).arn);
            const reply = parse(one(plan, "aws:iam/rolePolicy:RolePolicy", "-sender-function-policy").inputs.policy).Statement.find((s: any) => s.Sid === "ReplyOverAwsSms");
            expect(reply.Resource).to.include(out(number).arn);
            // The worker no longer sends: no SMS or Twilio permission or setting is left on it.
            const worker = one(plan, "aws:lambda/function:Function", "-api-worker-function");
            expect(Object.keys(worker.inputs.environment.variables).filter(k => /^(SMS_|TWILIO_)/.test(k))).to.deep.equal([]);
            const workerActions = parse(one(plan, "aws:iam/rolePolicy:RolePolicy", "-api-worker-policy").inputs.policy).Statement.flatMap((s: any) => [].concat(s.Action));
            expect(workerActions.filter((a: string) => a.startsWith("sms-voice:"))).to.deep.equal([]);
            expect(plan.violations.filter(v => v.enforcementLevel === "mandatory")).to.deep.equal([]);
        });
    });

    describe("TwilioMonitoring", () => {
        it("alarms on the handlers' EMF metrics (no log metric filter on a function's log group)", async () => {
            const plan = await planStack("prod");
            const fnLogs = ofType(plan, "aws:lambda/function:Function").map(f => f.inputs.loggingConfig.logGroup);
            expect(ofType(plan, "aws:cloudwatch/logMetricFilter:LogMetricFilter").filter(f => fnLogs.includes(f.inputs.logGroupName))).to.deep.equal([]);
            const alarm = one(plan, "aws:cloudwatch/metricAlarm:MetricAlarm", "-twilio-signature-alarm");
            expect(alarm.inputs).to.deep.include({ namespace: "AiNutritionist/prod", metricName: "TwilioSignatureFailures", threshold: 5, dimensions: { service: "inbound" } });
            expect(alarm.inputs.alarmActions).to.deep.equal([out(one(plan, "aws:sns/topic:Topic", "-alerts-warning")).arn]);
            const delivery = one(plan, "aws:cloudwatch/metricAlarm:MetricAlarm", "-twilio-delivery-alarm");
            expect(delivery.inputs.metricQueries.map((q: any) => q.metric?.dimensions ?? q.expression)).to.deep.equal([{ service: "inbound" }, { service: "sender" }, "FILL(m0, 0) + FILL(m1, 0)"]);
        });
    });
});
