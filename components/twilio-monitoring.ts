import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** A custom metric exactly as a handler emits it in Embedded Metric Format (Powertools Metrics). */
export interface EmfMetric {
    namespace: string;
    metricName: string;
    /** The dimension set of the EMF line: Powertools adds `service` (the function's POWERTOOLS_SERVICE_NAME). */
    dimensions: Record<string, string>;
}

export interface TwilioMonitoringArgs {
    /** Namespace of the handlers' metrics (their POWERTOOLS_METRICS_NAMESPACE). */
    namespace: string;
    /** Service names (POWERTOOLS_SERVICE_NAME) of the inbound webhook and the reply sender. */
    services: { inbound: string; sender: string };
    /** Failures per 5 minutes that raise an alarm. Defaults to 5. */
    threshold?: number;
    /** Topic of the alarms. Defaults to none. */
    alarmTopicArn?: pulumi.Input<string>;
}

/**
 * Twilio health (the seed's monitoring_twilio.tf) on the handlers' own metrics: the inbound
 * webhook emits TwilioSignatureFailures and TwilioDeliveryFailures (failed status callbacks), the
 * reply sender TwilioDeliveryFailures (sends Twilio refused). They are Embedded Metric Format lines
 * (functions/lib/powertools.ts), so CloudWatch creates them without a log metric filter; under
 * Lambda's JSON log format a filter on the handlers' own fields could never match.
 */
export class TwilioMonitoring extends pulumi.ComponentResource {
    public readonly alarms: aws.cloudwatch.MetricAlarm[] = [];
    /** Every metric the alarms read, for the dashboard. */
    public readonly metrics: EmfMetric[];

    constructor(name: string, args: TwilioMonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ai-nutritionist:observability:TwilioMonitoring", name, {}, opts);
        const child = { parent: this };
        const metric = (metricName: string, service: string): EmfMetric => ({ namespace: args.namespace, metricName, dimensions: { service } });
        const signature = metric("TwilioSignatureFailures", args.services.inbound);
        const delivery = [metric("TwilioDeliveryFailures", args.services.inbound), metric("TwilioDeliveryFailures", args.services.sender)];
        this.metrics = [signature, ...delivery];
        const common = {
            evaluationPeriods: 1,
            threshold: args.threshold ?? 5,
            comparisonOperator: "GreaterThanOrEqualToThreshold",
            treatMissingData: "notBreaching",
            alarmActions: args.alarmTopicArn ? [args.alarmTopicArn] : [],
            okActions: args.alarmTopicArn ? [args.alarmTopicArn] : [],
        };
        this.alarms.push(new aws.cloudwatch.MetricAlarm(`${name}-signature-alarm`, {
            ...common,
            alarmDescription: "Twilio webhook signature failures (forgery or a wrong auth token)",
            namespace: signature.namespace,
            metricName: signature.metricName,
            dimensions: signature.dimensions,
            statistic: "Sum",
            period: 300,
        }, child));
        this.alarms.push(new aws.cloudwatch.MetricAlarm(`${name}-delivery-alarm`, {
            ...common,
            alarmDescription: "Twilio delivery failures: failed or undelivered status callbacks plus sends Twilio refused",
            metricQueries: [
                ...delivery.map((m, i) => ({ id: `m${i}`, metric: { namespace: m.namespace, metricName: m.metricName, dimensions: m.dimensions, period: 300, stat: "Sum" } })),
                // FILL: a period where only one of the two is published still yields a point.
                { id: "failures", expression: delivery.map((_, i) => `FILL(m${i}, 0)`).join(" + "), label: "Twilio delivery failures", returnData: true },
            ],
        }, child));
        this.registerOutputs({});
    }
}

/** Metrics one handler emits with its `service` dimension (names as in functions/*.ts `addMetric`). */
export function handlerMetrics(namespace: string, service: string, names: string[]): EmfMetric[] {
    return names.map(metricName => ({ namespace, metricName, dimensions: { service } }));
}
