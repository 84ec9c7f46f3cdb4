/**
 * Alarms and dashboard widgets checked against the metrics AWS publishes: every AWS-namespace
 * metric an alarm or widget names must exist in CloudWatch's catalogue (the metrics of
 * @aws-cdk/aws-service-spec, plus a sourced table for the services it lacks) with exactly one of
 * the dimension combinations AWS publishes it under — a metric is identified by its full
 * dimension set, so a wrong or missing dimension name is a metric that never has data. Metric math
 * must fill absent metrics (FILL), or a series missing for a period voids the whole expression.
 *
 * Custom namespaces (our own Embedded Metric Format metrics) are not AWS's to publish: skipped.
 */
import { loadAwsServiceSpec } from "@aws-cdk/aws-service-spec";

export interface MetricRef {
    /** `alarm <name>` or `dashboard <name> widget "<title>"`. */
    where: string;
    namespace: string;
    metricName: string;
    /** Dimension name → value (values may be "[unknown]" in an offline plan). */
    dimensions: Record<string, string>;
}

export interface MathRef {
    where: string;
    expression: string;
    /** Ids of the metric queries the expression may use. */
    metricIds: string[];
}

/**
 * Metrics the service spec does not carry, each with the dimension sets AWS publishes it under.
 * `[]` is the metric without dimensions (account or Region aggregate).
 */
export const SUPPLEMENTAL_METRICS: Record<string, { source: string; metrics: string[]; dimensionSets: string[][] }> = {
    "AWS/Bedrock": {
        source: "https://docs.aws.amazon.com/bedrock/latest/userguide/monitoring.html#runtime-cloudwatch-metrics",
        metrics: ["Invocations", "InvocationLatency", "InvocationClientErrors", "InvocationServerErrors", "InvocationThrottles", "InputTokenCount", "OutputTokenCount", "LegacyModelInvocations"],
        dimensionSets: [["ModelId"], []],
    },
    "AWS/WAFV2": {
        // Regional web ACLs (API Gateway): Region, Rule, WebACL. WebACL is the web ACL's name.
        source: "https://docs.aws.amazon.com/waf/latest/developerguide/waf-metrics.html",
        metrics: ["AllowedRequests", "BlockedRequests", "CountedRequests", "CaptchaRequests", "ChallengeRequests", "RequestsWithValidCaptchaToken", "PassedRequests"],
        dimensionSets: [["Region", "Rule", "WebACL"], ["Region", "RuleGroup", "WebACL"]],
    },
    "AWS/Backup": {
        source: "https://docs.aws.amazon.com/aws-backup/latest/devguide/cloudwatch.html",
        metrics: ["NumberOfBackupJobsCreated", "NumberOfBackupJobsPending", "NumberOfBackupJobsRunning", "NumberOfBackupJobsAborted", "NumberOfBackupJobsCompleted", "NumberOfBackupJobsFailed", "NumberOfBackupJobsExpired",
            "NumberOfCopyJobsCreated", "NumberOfCopyJobsRunning", "NumberOfCopyJobsCompleted", "NumberOfCopyJobsFailed",
            "NumberOfRestoreJobsPending", "NumberOfRestoreJobsRunning", "NumberOfRestoreJobsCompleted", "NumberOfRestoreJobsFailed",
            "NumberOfRecoveryPointsCompleted", "NumberOfRecoveryPointsPartial", "NumberOfRecoveryPointsExpired", "NumberOfRecoveryPointsDeleting", "NumberOfRecoveryPointsCold"],
        dimensionSets: [[], ["ResourceType"], ["BackupVaultName"], ["ResourceType", "BackupVaultName"]],
    },
    "AWS/Billing": {
        source: "https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/monitor_estimated_charges_with_cloudwatch.html",
        metrics: ["EstimatedCharges"],
        dimensionSets: [["Currency"], ["ServiceName", "Currency"], ["LinkedAccount", "Currency"], ["LinkedAccount", "ServiceName", "Currency"]],
    },
};

export interface MetricCatalogue {
    /** namespace → metric → dimension sets (each sorted). */
    get(namespace: string, metric: string): string[][] | undefined;
    hasNamespace(namespace: string): boolean;
}

let catalogue: Promise<MetricCatalogue> | undefined;

/** The CloudWatch metric catalogue: @aws-cdk/aws-service-spec's metrics plus SUPPLEMENTAL_METRICS. */
export function metricCatalogue(): Promise<MetricCatalogue> {
    catalogue ??= (async () => {
        const db = await loadAwsServiceSpec();
        const table = new Map<string, Map<string, string[][]>>();
        const add = (ns: string, metric: string, sets: string[][]) => {
            if (!table.has(ns)) table.set(ns, new Map());
            const m = table.get(ns)!;
            m.set(metric, [...(m.get(metric) ?? []), ...sets.map(s => [...s].sort())]);
        };
        for (const m of db.all("metric")) {
            add(m.namespace, m.name, db.follow("usesDimensionSet", m).map(r => r.entity.dimensions.map(d => d.name)));
        }
        for (const [ns, s] of Object.entries(SUPPLEMENTAL_METRICS)) for (const metric of s.metrics) add(ns, metric, s.dimensionSets);
        return {
            get: (ns: string, metric: string) => table.get(ns)?.get(metric),
            hasNamespace: (ns: string) => table.has(ns),
        };
    })();
    return catalogue;
}

const isAws = (namespace: string) => namespace.startsWith("AWS/");

/** Every metric named by an alarm (plain or metric math) or a dashboard metric widget, and every math expression. */
export function metricReferences(resources: { type: string; name: string; inputs: Record<string, any> }[]): { metrics: MetricRef[]; math: MathRef[] } {
    const metrics: MetricRef[] = [];
    const math: MathRef[] = [];
    for (const r of resources) {
        if (r.type === "aws:cloudwatch/metricAlarm:MetricAlarm") {
            const where = `alarm ${r.name}`;
            const i = r.inputs;
            if (i.metricName) metrics.push({ where, namespace: i.namespace, metricName: i.metricName, dimensions: i.dimensions ?? {} });
            const queries: any[] = i.metricQueries ?? [];
            for (const q of queries) {
                if (q.metric) metrics.push({ where: `${where} query ${q.id}`, namespace: q.metric.namespace, metricName: q.metric.metricName, dimensions: q.metric.dimensions ?? {} });
                if (q.expression) math.push({ where: `${where} query ${q.id}`, expression: q.expression, metricIds: queries.filter(x => x.metric || x.expression).filter(x => x.id !== q.id).map(x => x.id) });
            }
        }
        if (r.type === "aws:cloudwatch/dashboard:Dashboard" && typeof r.inputs.dashboardBody === "string") {
            const body = JSON.parse(r.inputs.dashboardBody);
            for (const w of body.widgets ?? []) {
                if (w.type !== "metric") continue;
                let previous: any[] = [];
                for (const row of w.properties?.metrics ?? []) {
                    // Dashboard metric rows: [namespace, metric, dimName, dimValue, ..., {options}]; "." repeats the previous row's entry.
                    const items = row.filter((x: unknown) => typeof x === "string").map((x: string, k: number) => x === "." ? previous[k] : x);
                    previous = items;
                    if ((row.at(-1) as any)?.expression) continue;
                    const [namespace, metricName, ...rest] = items;
                    const dimensions: Record<string, string> = {};
                    for (let k = 0; k + 1 < rest.length; k += 2) dimensions[rest[k]] = rest[k + 1];
                    metrics.push({ where: `dashboard ${r.name} widget "${w.properties?.title}"`, namespace, metricName, dimensions });
                }
            }
        }
    }
    return { metrics, math };
}

/** Problems of one AWS metric reference against the catalogue (none for custom namespaces). */
export function checkMetric(ref: MetricRef, cat: MetricCatalogue): string[] {
    if (!isAws(ref.namespace)) return [];
    const at = `${ref.where}: ${ref.namespace} ${ref.metricName}`;
    if (!cat.hasNamespace(ref.namespace)) return [`${at}: namespace ${ref.namespace} is not in the metric catalogue`];
    const sets = cat.get(ref.namespace, ref.metricName);
    if (!sets) return [`${at}: AWS publishes no metric ${ref.metricName} in ${ref.namespace}`];
    const names = Object.keys(ref.dimensions).sort();
    if (sets.some(s => s.length === names.length && s.every((d, i) => d === names[i]))) return [];
    return [`${at}: dimensions [${names.join(", ")}] are none of the sets AWS publishes it under: ${sets.map(s => `[${s.join(", ")}]`).join(" ")}`];
}

/** Problems of a metric-math expression: every metric id it uses must be filled (FILL(id, …)). */
export function checkMath(ref: MathRef): string[] {
    const problems: string[] = [];
    for (const id of ref.metricIds) {
        const uses = ref.expression.match(new RegExp(`\\b${id}\\b`, "g"))?.length ?? 0;
        const filled = ref.expression.match(new RegExp(`FILL\\(\\s*${id}\\s*,`, "g"))?.length ?? 0;
        if (uses > filled) problems.push(`${ref.where}: "${ref.expression}" uses ${id} unfilled: a period where AWS publishes no ${id} yields no point (wrap it in FILL(${id}, 0))`);
    }
    return problems;
}
