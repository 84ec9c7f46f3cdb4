import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface TwilioMonitoringArgs {
    /** Log groups of the handlers that talk to Twilio (inbound webhook, worker). */
    logGroupNames: pulumi.Input<string>[];
    /** Metric namespace. */
    namespace: string;
    /** Failures per 5 minutes that raise the alarm. Defaults to 5. */
    threshold?: number;
    /** Topic of the alarms. Defaults to none. */
    alarmTopicArn?: pulumi.Input<string>;
}

/** The structured log events (functions/lib/http.ts `log`) counted as Twilio failures. */
export const TWILIO_FAILURE_EVENTS = { SignatureFailures: "twilio_signature_invalid", DeliveryFailures: "twilio_delivery_failed" } as const;

/**
 * Twilio health (the seed's monitoring_twilio.tf): metric filters on the handlers' JSON logs for
 * signature failures (forged or misconfigured webhooks) and delivery failures, with alarms.
 */
export class TwilioMonitoring extends pulumi.ComponentResource {
    public readonly alarms: aws.cloudwatch.MetricAlarm[] = [];
    public readonly metricNames: string[];

    constructor(name: string, args: TwilioMonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ai-nutritionist:observability:TwilioMonitoring", name, {}, opts);
        const child = { parent: this };
        this.metricNames = Object.keys(TWILIO_FAILURE_EVENTS).map(m => `Twilio${m}`);
        for (const [metric, event] of Object.entries(TWILIO_FAILURE_EVENTS)) {
            const metricName = `Twilio${metric}`;
            args.logGroupNames.forEach((logGroupName, i) => {
                new aws.cloudwatch.LogMetricFilter(`${name}-${event}-${i}`, {
                    logGroupName,
                    pattern: `{ $.event = "${event}" }`,
                    metricTransformation: { name: metricName, namespace: args.namespace, value: "1", defaultValue: "0", unit: "Count" },
                }, child);
            });
            this.alarms.push(new aws.cloudwatch.MetricAlarm(`${name}-${event}-alarm`, {
                alarmDescription: `Twilio ${metric === "SignatureFailures" ? "webhook signature failures (forgery or a wrong auth token)" : "delivery failures"}`,
                namespace: args.namespace,
                metricName,
                statistic: "Sum",
                period: 300,
                evaluationPeriods: 1,
                threshold: args.threshold ?? 5,
                comparisonOperator: "GreaterThanOrEqualToThreshold",
                treatMissingData: "notBreaching",
                alarmActions: args.alarmTopicArn ? [args.alarmTopicArn] : [],
                okActions: args.alarmTopicArn ? [args.alarmTopicArn] : [],
            }, child));
        }
        this.registerOutputs({});
    }
}
