/**
 * Queue worker: one SQS batch of inbound messages and meal-plan jobs. Each prompt is looked up
 * in Redis first (cache-aside, TTL from settings); a miss calls Bedrock. Results are stored in
 * DynamoDB and the reply is sent. Failed records are reported as partial batch failures, so
 * only they return to the queue, and after maxReceiveCount they land in the DLQ.
 */
import { Cache, cacheAside, redisCache } from "./lib/cache";
import { log } from "./lib/http";
import { hashPhone } from "./lib/identity";
import { cachedSecrets, secretsManagerFetcher } from "./lib/secrets";

export interface SqsEvent {
    Records: { messageId: string; body: string }[];
}

export interface BatchResult {
    batchItemFailures: { itemIdentifier: string }[];
}

export interface WorkerDeps {
    cache?: Cache;
    generate: (prompt: string) => Promise<string>;
    saveConversation: (userKey: string, incoming: string, reply: string) => Promise<void>;
    saveMealPlan: (userId: string, plan: string) => Promise<void>;
    /** Send the answer back over the channel the message came in on. */
    reply: (to: string, body: string, channel: "twilio" | "aws-sms") => Promise<void>;
    model: string;
    ttlSeconds: number;
}

/**
 * A queue message as a job: our own jobs (inbound Twilio SMS, meal plans), or an AWS End User
 * Messaging two-way SMS delivered raw from its SNS topic.
 */
export function toJob(body: string): any {
    const msg = JSON.parse(body);
    if (typeof msg.originationNumber === "string" && typeof msg.messageBody === "string") {
        return {
            type: "inbound-sms",
            channel: "aws-sms",
            messageSid: msg.inboundMessageId,
            from: msg.originationNumber,
            userKey: hashPhone(msg.originationNumber),
            body: msg.messageBody,
        };
    }
    return msg;
}

export function mealPlanPrompt(diet?: string): string {
    return `Create a healthy, budget-friendly 7-day meal plan${diet ? ` for a ${diet} diet` : ""}. Keep each day under 3 lines for SMS.`;
}

export function createWorker(deps: WorkerDeps) {
    return async (event: SqsEvent): Promise<BatchResult> => {
        const failures: { itemIdentifier: string }[] = [];
        for (const record of event.Records) {
            try {
                const job = toJob(record.body);
                if (job.type === "inbound-sms") {
                    const answer = await cacheAside(deps.cache, job.body, deps.model, deps.ttlSeconds, deps.generate);
                    await deps.saveConversation(job.userKey, job.body, answer.text);
                    await deps.reply(job.from, answer.text, job.channel === "aws-sms" ? "aws-sms" : "twilio");
                    log("message_answered", { messageId: record.messageId, cached: answer.cached });
                } else if (job.type === "meal-plan") {
                    const answer = await cacheAside(deps.cache, mealPlanPrompt(job.diet), deps.model, deps.ttlSeconds, deps.generate);
                    await deps.saveMealPlan(job.userId, answer.text);
                    log("meal_plan_generated", { messageId: record.messageId, cached: answer.cached });
                } else {
                    throw new Error(`unknown job type ${job.type}`);
                }
            } catch (e: any) {
                log("job_failed", { messageId: record.messageId, error: String(e?.message ?? e) });
                failures.push({ itemIdentifier: record.messageId });
            }
        }
        return { batchItemFailures: failures };
    };
}

function defaultDeps(): WorkerDeps {
    const env = process.env;
    const model = env.BEDROCK_MODEL_ID ?? "";
    const getSecret = cachedSecrets(secretsManagerFetcher());
    let bedrock: any;
    let ddb: any;
    let sms: any;
    const dynamo = async () => {
        const m = await import("@aws-sdk/client-dynamodb");
        ddb ??= new m.DynamoDBClient({});
        return { m, client: ddb };
    };
    return {
        model,
        ttlSeconds: Number(env.CACHE_TTL_SECONDS ?? "86400"),
        cache: env.REDIS_ENDPOINT && env.REDIS_AUTH_SECRET_ARN
            ? redisCache(env.REDIS_ENDPOINT, Number(env.REDIS_PORT ?? "6379"), () => getSecret(env.REDIS_AUTH_SECRET_ARN!))
            : undefined,
        async generate(prompt) {
            const m = await import("@aws-sdk/client-bedrock-runtime");
            bedrock ??= new m.BedrockRuntimeClient({});
            const out = await bedrock.send(new m.ConverseCommand({
                modelId: model,
                messages: [{ role: "user", content: [{ text: prompt }] }],
                inferenceConfig: { maxTokens: 600, temperature: 0.4 },
            }));
            const text = out.output?.message?.content?.map((c: any) => c.text ?? "").join("") ?? "";
            if (!text) throw new Error("Bedrock returned no text");
            return text;
        },
        async saveConversation(userKey, incoming, reply) {
            const { m, client } = await dynamo();
            const now = new Date();
            const expiresAt = Math.floor(now.getTime() / 1000) + Number(env.CONVERSATION_RETENTION_DAYS ?? "90") * 86400;
            await client.send(new m.PutItemCommand({
                TableName: env.CONVERSATIONS_TABLE,
                Item: { userId: { S: userKey }, sentAt: { S: now.toISOString() }, incoming: { S: incoming }, reply: { S: reply }, expiresAt: { N: String(expiresAt) } },
            }));
        },
        async saveMealPlan(userId, plan) {
            const { m, client } = await dynamo();
            const monday = new Date();
            monday.setUTCDate(monday.getUTCDate() - ((monday.getUTCDay() + 6) % 7));
            await client.send(new m.PutItemCommand({
                TableName: env.MEAL_PLANS_TABLE,
                Item: { userId: { S: userId }, weekStart: { S: monday.toISOString().slice(0, 10) }, plan: { S: plan } },
            }));
        },
        async reply(to, body, channel) {
            if (channel === "aws-sms") {
                if (!env.SMS_ORIGINATION_IDENTITY) throw new Error("SMS_ORIGINATION_IDENTITY is not set");
                const m = await import("@aws-sdk/client-pinpoint-sms-voice-v2");
                sms ??= new m.PinpointSMSVoiceV2Client({});
                await sms.send(new m.SendTextMessageCommand({
                    DestinationPhoneNumber: to,
                    OriginationIdentity: env.SMS_ORIGINATION_IDENTITY,
                    ConfigurationSetName: env.SMS_CONFIGURATION_SET,
                    MessageBody: body.slice(0, 1600),
                    MessageType: "TRANSACTIONAL",
                }));
                return;
            }
            if (!env.TWILIO_ACCOUNT_SID || !env.TWILIO_FROM_NUMBER || !env.TWILIO_AUTH_TOKEN_SECRET_ARN) {
                log("reply_skipped", { reason: "Twilio sender not configured" });
                return;
            }
            const token = await getSecret(env.TWILIO_AUTH_TOKEN_SECRET_ARN);
            const res = await fetch(`https://api.twilio.com/2010-04-01/Accounts/${env.TWILIO_ACCOUNT_SID}/Messages.json`, {
                method: "POST",
                headers: {
                    authorization: `Basic ${Buffer.from(`${env.TWILIO_ACCOUNT_SID}:${token}`).toString("base64")}`,
                    "content-type": "application/x-www-form-urlencoded",
                },
                body: new URLSearchParams({ To: to, From: env.TWILIO_FROM_NUMBER, Body: body.slice(0, 1600) }).toString(),
            });
            if (!res.ok) {
                log("twilio_delivery_failed", { status: res.status });
                throw new Error(`Twilio answered ${res.status}`);
            }
        },
    };
}

export const handler = createWorker(defaultDeps());
