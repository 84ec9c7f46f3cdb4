import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { topicPublishPolicy } from "./iam";

export interface AlertTopicsArgs {
    /** Key that encrypts the topics (must admit the publishing services). */
    kmsKeyArn: pulumi.Input<string>;
    /** Address subscribed to the critical and warning topics. Defaults to none. */
    email?: string;
    /** Account the publishing services act for. */
    accountId: pulumi.Input<string>;
}

/** AWS services that publish our alerts (alarms, EventBridge rules, budgets, anomaly detection, SMS events). */
const PUBLISHERS = ["cloudwatch.amazonaws.com", "events.amazonaws.com", "budgets.amazonaws.com", "costalerts.amazonaws.com", "backup.amazonaws.com", "sms-voice.amazonaws.com"];

/**
 * The seed's alert routes as three KMS-encrypted SNS topics: critical (errors, DDoS, backup
 * failures), warning (costs, degradation, findings) and info (summaries, reports). The alert
 * e-mail subscribes to critical and warning; info is for dashboards and chat integrations.
 */
export class AlertTopics extends pulumi.ComponentResource {
    public readonly critical: aws.sns.Topic;
    public readonly warning: aws.sns.Topic;
    public readonly info: aws.sns.Topic;

    constructor(name: string, args: AlertTopicsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ai-nutritionist:observability:AlertTopics", name, {}, opts);
        const topic = (route: "critical" | "warning" | "info") => {
            const t = new aws.sns.Topic(`${name}-${route}`, {
                kmsMasterKeyId: args.kmsKeyArn,
                displayName: `AI Nutritionist ${route} alerts`,
            }, { parent: this });
            new aws.sns.TopicPolicy(`${name}-${route}-policy`, {
                arn: t.arn,
                policy: topicPublishPolicy(t.arn, PUBLISHERS, args.accountId),
            }, { parent: this });
            if (args.email && route !== "info") {
                new aws.sns.TopicSubscription(`${name}-${route}-email`, {
                    topic: t.arn,
                    protocol: "email",
                    endpoint: args.email,
                }, { parent: this });
            }
            return t;
        };
        this.critical = topic("critical");
        this.warning = topic("warning");
        this.info = topic("info");
        this.registerOutputs({ criticalTopicArn: this.critical.arn, warningTopicArn: this.warning.arn, infoTopicArn: this.info.arn });
    }
}
