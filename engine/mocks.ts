/**
 * Recording mocks for the offline plan: realistic state for every resource type the program
 * creates (ids, ARNs in each service's format in the resource's own region, URLs where AWS
 * returns them, the outputs of awsx components), and the few data sources the program calls.
 * A data source the mocks do not know throws, naming its token, so a new call cannot slip
 * through with an invented answer.
 */
import * as crypto from "crypto";
import * as pulumi from "@pulumi/pulumi";
import { apiProblems } from "../checks/api-rules";
import { AUTO_SUFFIX_LENGTH, NAME_RULES, PREFIX_SUFFIX_LENGTH, fieldProblems, valuesAt } from "../components/naming";

/** The fixed account every offline plan runs in. */
export const MOCK_ACCOUNT = "123456789012";

function hex(seed: string, n: number): string {
    return crypto.createHash("sha256").update(seed).digest("hex").slice(0, n);
}

function uuid(seed: string): string {
    const h = hex(seed, 32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function alnum(seed: string, n: number): string {
    const h = crypto.createHash("sha256").update(seed).digest();
    const chars = "abcdefghijklmnopqrstuvwxyz0123456789";
    return Array.from(h.subarray(0, n), b => chars[b % chars.length]).join("");
}

function shortRegion(region: string): string {
    const [geo, dir, num] = region.split("-");
    return `${geo}${dir[0]}${num}`;
}

interface Ctx {
    type: string;
    name: string;
    inputs: any;
    region: string;
    account: string;
    seed: string;
    /** Physical names the provider would use, by input property (see nameResource). */
    names: Record<string, string>;
}

type StateFn = (c: Ctx) => { id: string; state: Record<string, any> };

/**
 * Name a resource as the Pulumi AWS provider does (components/naming.ts): the explicit value, or
 * `<prefix>` + 26 characters for a name prefix, or the logical name (lower-cased where the provider
 * lowers it) + "-" + 7 hex characters. Every name-like input is checked against AWS's constraints.
 * Whatever cannot fit is a problem naming the resource, the limit and the computed length — the
 * plan fails with all of them (as `pulumi preview` and `pulumi up` would), never a truncated name.
 */
export function nameResource(type: string, name: string, inputs: any, seed: string): { names: Record<string, string>; problems: string[] } {
    const rule = NAME_RULES[type];
    const names: Record<string, string> = {};
    const problems: string[] = [];
    const where = `${type} "${name}"`;
    const refused = new Set<string>();
    if (!rule) return { names, problems };
    if (rule.auto) {
        const { property, maxLength, lower, prefix } = rule.auto;
        const explicit = inputs[property];
        const namePrefix = rule.namePrefix ? inputs[`${property}Prefix`] : undefined;
        if (typeof explicit === "string") {
            names[property] = explicit;
        } else if (typeof namePrefix === "string") {
            names[property] = `${namePrefix}${hex(seed, PREFIX_SUFFIX_LENGTH)}`;
            const field = rule.fields[property];
            if (field && namePrefix.length + PREFIX_SUFFIX_LENGTH > field.max) {
                refused.add(property);
                problems.push(`${where}: ${property}Prefix ${JSON.stringify(namePrefix)} plus ${PREFIX_SUFFIX_LENGTH} unique chars is ${namePrefix.length + PREFIX_SUFFIX_LENGTH} characters; AWS allows at most ${field.max} (${field.source})`);
            }
        } else if (explicit === undefined) {
            const head = `${lower ? name.toLowerCase() : name}-`;
            const length = head.length + AUTO_SUFFIX_LENGTH - 1;
            if (length > maxLength) {
                refused.add(property);
                problems.push(`${where}: ${property}: name '${head}' plus 7 random chars is longer than maximum length ${maxLength} (computed ${length}; ${rule.auto.source})`);
            }
            names[property] = `${prefix ?? ""}${head}${hex(seed, AUTO_SUFFIX_LENGTH - 1)}`;
        }
    }
    for (const [path, field] of Object.entries(rule.fields)) {
        if (refused.has(path)) continue; // the provider already refused it at preview
        const values = path in names ? [names[path]] : valuesAt(inputs, path);
        for (const v of values) {
            if (typeof v !== "string" || v === UNKNOWN_INPUT) continue;
            for (const p of fieldProblems(v, field)) problems.push(`${where}: ${path}: ${p}`);
        }
    }
    return { names, problems };
}

/** What an input not known at plan time looks like to the mocks. */
const UNKNOWN_INPUT = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** The physical name of a resource's name property (computed by nameResource). */
function physical(c: Ctx, key = "name"): string {
    return c.names[key] ?? c.inputs[key] ?? `${c.name}-${hex(c.seed, AUTO_SUFFIX_LENGTH - 1)}`;
}

const named = (service: string, resource: (n: string, c: Ctx) => string, key = "name"): StateFn => c => {
    const n = physical(c, key);
    return { id: n, state: { [key]: n, arn: `arn:aws:${service}:${c.region}:${c.account}:${resource(n, c)}` } };
};

const withId = (prefix: string, arn?: (id: string, c: Ctx) => string): StateFn => c => {
    const id = `${prefix}-${hex(c.seed, 17)}`;
    return { id, state: arn ? { arn: arn(id, c) } : {} };
};

const STATE: Record<string, StateFn> = {
    "pulumi:providers:aws": c => ({ id: hex(c.seed, 12), state: {} }),
    "pulumi:providers:random": c => ({ id: hex(c.seed, 12), state: {} }),
    "aws:kms/key:Key": c => {
        const id = uuid(c.seed);
        return { id, state: { keyId: id, arn: `arn:aws:kms:${c.region}:${c.account}:key/${id}` } };
    },
    "aws:kms/alias:Alias": c => ({ id: physical(c), state: { name: physical(c), arn: `arn:aws:kms:${c.region}:${c.account}:${physical(c)}`, targetKeyArn: c.inputs.targetKeyId } }),
    "aws:dynamodb/table:Table": c => {
        const n = physical(c);
        const arn = `arn:aws:dynamodb:${c.region}:${c.account}:table/${n}`;
        return { id: n, state: { name: n, arn, streamArn: c.inputs.streamEnabled ? `${arn}/stream/2026-01-01T00:00:00.000` : undefined } };
    },
    "aws:sqs/queue:Queue": c => {
        const n = physical(c);
        return { id: `https://sqs.${c.region}.amazonaws.com/${c.account}/${n}`, state: { name: n, arn: `arn:aws:sqs:${c.region}:${c.account}:${n}`, url: `https://sqs.${c.region}.amazonaws.com/${c.account}/${n}` } };
    },
    "aws:sns/topic:Topic": named("sns", n => n),
    "aws:lambda/function:Function": c => {
        const n = physical(c);
        const arn = `arn:aws:lambda:${c.region}:${c.account}:function:${n}`;
        return { id: n, state: { name: n, arn, qualifiedArn: `${arn}:$LATEST`, version: "$LATEST",
            invokeArn: `arn:aws:apigateway:${c.region}:lambda:path/2015-03-31/functions/${arn}/invocations` } };
    },
    "aws:iam/role:Role": c => {
        const n = physical(c);
        return { id: n, state: { name: n, arn: `arn:aws:iam::${c.account}:role/${c.inputs.path ?? "/"}${n}`.replace(/\/\//g, "/").replace("role//", "role/"), uniqueId: `AROA${alnum(c.seed, 17).toUpperCase()}` } };
    },
    "aws:iam/policy:Policy": c => {
        const n = physical(c);
        return { id: `arn:aws:iam::${c.account}:policy/${n}`, state: { name: n, arn: `arn:aws:iam::${c.account}:policy/${n}` } };
    },
    // IAM names an OIDC provider by its URL without the scheme (IAM API Reference, CreateOpenIDConnectProvider).
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": c => {
        const arn = `arn:aws:iam::${c.account}:oidc-provider/${String(c.inputs.url).replace(/^https:\/\//, "")}`;
        return { id: arn, state: { arn } };
    },
    "aws:iam/serviceLinkedRole:ServiceLinkedRole": c => ({ id: `slr-${hex(c.seed, 8)}`, state: { arn: `arn:aws:iam::${c.account}:role/aws-service-role/${c.inputs.awsServiceName}/AWSServiceRole` } }),
    "aws:cloudwatch/logGroup:LogGroup": named("logs", n => `log-group:${n}`),
    "aws:cloudwatch/metricAlarm:MetricAlarm": named("cloudwatch", n => `alarm:${n}`),
    "aws:cloudwatch/compositeAlarm:CompositeAlarm": c => ({ id: physical(c, "alarmName"), state: { arn: `arn:aws:cloudwatch:${c.region}:${c.account}:alarm:${physical(c, "alarmName")}` } }),
    "aws:cloudwatch/dashboard:Dashboard": c => ({ id: c.inputs.dashboardName, state: { dashboardArn: `arn:aws:cloudwatch::${c.account}:dashboard/${c.inputs.dashboardName}` } }),
    "aws:cloudwatch/eventRule:EventRule": named("events", n => `rule/${n}`),
    "aws:cloudwatch/eventTarget:EventTarget": c => ({ id: `${c.inputs.rule}-${physical(c, "targetId")}`, state: { targetId: physical(c, "targetId") } }),
    "aws:lambda/permission:Permission": c => ({ id: physical(c, "statementId"), state: { statementId: physical(c, "statementId") } }),
    "aws:cloudwatch/logMetricFilter:LogMetricFilter": c => ({ id: physical(c), state: {} }),
    "aws:cloudwatch/queryDefinition:QueryDefinition": c => ({ id: uuid(c.seed), state: { queryDefinitionId: uuid(c.seed) } }),
    "aws:s3/bucket:Bucket": c => {
        const b = physical(c, "bucket");
        return { id: b, state: { bucket: b, arn: `arn:aws:s3:::${b}`, region: c.region,
            bucketDomainName: `${b}.s3.amazonaws.com`, bucketRegionalDomainName: `${b}.s3.${c.region}.amazonaws.com` } };
    },
    "aws:apigateway/restApi:RestApi": c => {
        const id = alnum(c.seed, 10);
        return { id, state: { name: physical(c), rootResourceId: alnum(c.seed + "root", 10), arn: `arn:aws:apigateway:${c.region}::/restapis/${id}`,
            executionArn: `arn:aws:execute-api:${c.region}:${c.account}:${id}` } };
    },
    "aws:apigateway/resource:Resource": c => ({ id: alnum(c.seed, 6), state: { path: `/${c.inputs.pathPart}` } }),
    "aws:apigateway/deployment:Deployment": c => ({ id: alnum(c.seed, 6), state: {} }),
    "aws:apigateway/stage:Stage": c => {
        const api = c.inputs.restApi;
        return { id: `ags-${api}-${c.inputs.stageName}`, state: {
            arn: `arn:aws:apigateway:${c.region}::/restapis/${api}/stages/${c.inputs.stageName}`,
            executionArn: `arn:aws:execute-api:${c.region}:${c.account}:${api}/${c.inputs.stageName}`,
            invokeUrl: `https://${api}.execute-api.${c.region}.amazonaws.com/${c.inputs.stageName}` } };
    },
    "aws:apigateway/usagePlan:UsagePlan": c => {
        const id = alnum(c.seed, 6);
        return { id, state: { arn: `arn:aws:apigateway:${c.region}::/usageplans/${id}` } };
    },
    "aws:apigateway/apiKey:ApiKey": c => {
        const id = alnum(c.seed, 10);
        return { id, state: { arn: `arn:aws:apigateway:${c.region}::/apikeys/${id}`, value: "[secret]" } };
    },
    "aws:wafv2/webAcl:WebAcl": c => {
        const n = physical(c);
        const id = uuid(c.seed);
        const scope = c.inputs.scope === "CLOUDFRONT" ? "global" : "regional";
        return { id, state: { name: n, arn: `arn:aws:wafv2:${c.region}:${c.account}:${scope}/webacl/${n}/${id}` } };
    },
    "aws:cloudfront/distribution:Distribution": c => {
        const id = `E${alnum(c.seed, 13).toUpperCase()}`;
        return { id, state: { arn: `arn:aws:cloudfront::${c.account}:distribution/${id}`, domainName: `d${alnum(c.seed, 13)}.cloudfront.net`, hostedZoneId: "Z2FDTNDATAQYW2", status: "Deployed" } };
    },
    "aws:cloudfront/originAccessControl:OriginAccessControl": c => ({ id: `E${alnum(c.seed, 13).toUpperCase()}`, state: {} }),
    "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy": c => ({ id: uuid(c.seed), state: { arn: `arn:aws:cloudfront::${c.account}:response-headers-policy/${uuid(c.seed)}` } }),
    "aws:elasticache/replicationGroup:ReplicationGroup": c => {
        const id = physical(c, "replicationGroupId");
        const host = `${id}.${alnum(c.seed, 6)}.${shortRegion(c.region)}.cache.amazonaws.com`;
        return { id, state: { arn: `arn:aws:elasticache:${c.region}:${c.account}:replicationgroup:${id}`,
            primaryEndpointAddress: `master.${host}`, readerEndpointAddress: `replica.${host}`, port: c.inputs.port ?? 6379,
            memberClusters: Array.from({ length: c.inputs.numCacheClusters ?? 1 }, (_, i) => `${id}-00${i + 1}`) } };
    },
    "aws:elasticache/subnetGroup:SubnetGroup": c => ({ id: physical(c), state: { name: physical(c), arn: `arn:aws:elasticache:${c.region}:${c.account}:subnetgroup:${physical(c)}` } }),
    "aws:elasticache/parameterGroup:ParameterGroup": c => ({ id: physical(c), state: { name: physical(c), arn: `arn:aws:elasticache:${c.region}:${c.account}:parametergroup:${physical(c)}` } }),
    "aws:backup/vault:Vault": named("backup", n => `backup-vault:${n}`),
    "aws:backup/plan:Plan": c => {
        const id = uuid(c.seed);
        return { id, state: { arn: `arn:aws:backup:${c.region}:${c.account}:backup-plan:${id}`, version: hex(c.seed, 32) } };
    },
    "aws:backup/restoreTestingPlan:RestoreTestingPlan": c => ({ id: c.inputs.name, state: { arn: `arn:aws:backup:${c.region}:${c.account}:restore-testing-plan:${c.inputs.name}-${hex(c.seed, 6)}` } }),
    "aws:secretsmanager/secret:Secret": c => {
        const n = physical(c);
        const arn = `arn:aws:secretsmanager:${c.region}:${c.account}:secret:${n}-${alnum(c.seed, 6)}`;
        return { id: arn, state: { name: n, arn } };
    },
    "aws:secretsmanager/secretVersion:SecretVersion": c => ({ id: `${c.inputs.secretId}|${uuid(c.seed)}`, state: { versionId: uuid(c.seed), secretString: "[secret]" } }),
    "aws:ec2/securityGroup:SecurityGroup": withId("sg", (id, c) => `arn:aws:ec2:${c.region}:${c.account}:security-group/${id}`),
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": withId("sg", (id, c) => `arn:aws:ec2:${c.region}:${c.account}:security-group/${id}`),
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": withId("sgr", (id, c) => `arn:aws:ec2:${c.region}:${c.account}:security-group-rule/${id}`),
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": withId("sgr", (id, c) => `arn:aws:ec2:${c.region}:${c.account}:security-group-rule/${id}`),
    "aws:ec2/vpcEndpoint:VpcEndpoint": withId("vpce", (id, c) => `arn:aws:ec2:${c.region}:${c.account}:vpc-endpoint/${id}`),
    "aws:ec2/flowLog:FlowLog": withId("fl", (id, c) => `arn:aws:ec2:${c.region}:${c.account}:vpc-flow-log/${id}`),
    "aws:cloudtrail/trail:Trail": named("cloudtrail", n => `trail/${n}`),
    "aws:guardduty/detector:Detector": c => {
        const id = hex(c.seed, 32);
        return { id, state: { accountId: c.account, arn: `arn:aws:guardduty:${c.region}:${c.account}:detector/${id}` } };
    },
    "aws:securityhub/account:Account": c => ({ id: c.account, state: { arn: `arn:aws:securityhub:${c.region}:${c.account}:hub/default` } }),
    "aws:cfg/recorder:Recorder": c => ({ id: physical(c), state: { name: physical(c) } }),
    "aws:cfg/rule:Rule": named("config", (_n, c) => `config-rule/config-rule-${alnum(c.seed, 6)}`),
    "aws:accessanalyzer/analyzer:Analyzer": c => ({ id: c.inputs.analyzerName, state: { arn: `arn:aws:access-analyzer:${c.region}:${c.account}:analyzer/${c.inputs.analyzerName}` } }),
    "aws:scheduler/schedule:Schedule": named("scheduler", (n, c) => `schedule/${c.inputs.groupName ?? "default"}/${n}`),
    "aws:scheduler/scheduleGroup:ScheduleGroup": named("scheduler", n => `schedule-group/${n}`),
    "aws:budgets/budget:Budget": c => ({ id: `${c.account}:${physical(c)}`, state: { name: physical(c), arn: `arn:aws:budgets::${c.account}:budget/${physical(c)}` } }),
    "aws:costexplorer/anomalyMonitor:AnomalyMonitor": c => ({ id: `arn:aws:ce::${c.account}:anomalymonitor/${uuid(c.seed)}`, state: { arn: `arn:aws:ce::${c.account}:anomalymonitor/${uuid(c.seed)}` } }),
    "aws:costexplorer/anomalySubscription:AnomalySubscription": c => ({ id: `arn:aws:ce::${c.account}:anomalysubscription/${uuid(c.seed)}`, state: { arn: `arn:aws:ce::${c.account}:anomalysubscription/${uuid(c.seed)}` } }),
    "aws:pinpoint/smsvoicev2ConfigurationSet:Smsvoicev2ConfigurationSet": c => ({ id: physical(c), state: { name: physical(c), arn: `arn:aws:sms-voice:${c.region}:${c.account}:configuration-set/${physical(c)}` } }),
    "aws:pinpoint/smsvoicev2OptOutList:Smsvoicev2OptOutList": c => ({ id: physical(c), state: { name: physical(c), arn: `arn:aws:sms-voice:${c.region}:${c.account}:opt-out-list/${physical(c)}` } }),
    "aws:pinpoint/smsvoicev2PhoneNumber:Smsvoicev2PhoneNumber": c => {
        const id = `phone-${hex(c.seed, 32)}`;
        return { id, state: { arn: `arn:aws:sms-voice:${c.region}:${c.account}:phone-number/${id}`, phoneNumber: "+18005550100" } };
    },
    "aws:xray/group:Group": c => ({ id: `arn:aws:xray:${c.region}:${c.account}:group/${c.inputs.groupName}/${alnum(c.seed, 20).toUpperCase()}`, state: { arn: `arn:aws:xray:${c.region}:${c.account}:group/${c.inputs.groupName}/${alnum(c.seed, 20).toUpperCase()}` } }),
    "aws:xray/samplingRule:SamplingRule": c => ({ id: c.inputs.ruleName, state: { arn: `arn:aws:xray:${c.region}:${c.account}:sampling-rule/${c.inputs.ruleName}` } }),
    "random:index/randomPassword:RandomPassword": c => ({ id: "none", state: { result: `offline-${hex(c.seed, 40)}` } }),
    "awsx:ec2:Vpc": c => awsxVpc(c),
};

/** awsx.ec2.Vpc is a remote component: under mocks the component itself must carry its outputs. */
function awsxVpc(c: Ctx): { id: string; state: Record<string, any> } {
    const azs = c.inputs.numberOfAvailabilityZones ?? 3;
    const strategy = c.inputs.natGateways?.strategy ?? "OnePerAz";
    const nats = strategy === "None" ? 0 : strategy === "Single" ? 1 : azs;
    const vpcId = `vpc-${hex(c.seed, 17)}`;
    const ids = (kind: string, n: number) => Array.from({ length: n }, (_, i) => `${kind}-${hex(`${c.seed}${kind}${i}`, 17)}`);
    const privateSubnetIds = ids("subnet-private", azs).map(s => s.replace("subnet-private", "subnet"));
    const publicSubnetIds = nats > 0 ? ids("subnet-public", azs).map(s => s.replace("subnet-public", "subnet")) : [];
    const routeTables = ids("rtb", azs + (publicSubnetIds.length ? azs : 0)).map(id => ({ id }));
    const natGateways = ids("nat", nats).map(id => ({ id }));
    return { id: vpcId, state: {
        vpcId, privateSubnetIds, publicSubnetIds, isolatedSubnetIds: [],
        routeTables, natGateways, eips: [], vpcEndpoints: [],
        vpc: { id: vpcId, cidrBlock: c.inputs.cidrBlock, arn: `arn:aws:ec2:${c.region}:${c.account}:vpc/${vpcId}` },
    } };
}

function genericState(c: Ctx): { id: string; state: Record<string, any> } {
    // Resource types without an ARN of their own (associations, attachments, settings).
    return { id: `${c.name}-${hex(c.seed, 8)}`, state: {} };
}

export interface RecordingMocks extends pulumi.runtime.Mocks {
    /** Region of each provider reference seen so far (`urn::id` → region). */
    providerRegions: Map<string, string>;
    /** Mock state (outputs, and the id) of each resource, keyed by `type::name`. */
    states: Map<string, Record<string, any>>;
    /** Names that cannot fit (nameResource): the plan fails with every one. */
    namingProblems: string[];
    /** Requests AWS would refuse (api-rules.ts): the plan fails with every one. */
    requestProblems: string[];
    /** Data sources the program called that neither the mocks nor the canned results answer (token → one example's arguments). */
    unanswered: Map<string, Record<string, unknown>>;
}

/** Canned results of data sources (`--mocks <file>`): token → the result the call returns. */
export type CannedResults = Record<string, Record<string, unknown>>;

/** A data source's token as a program names it: `aws:ec2/getAmi:getAmi` → `aws.ec2.getAmi`. */
export function functionName(token: string): string {
    const [pkg, mod, fn] = token.split(":");
    const module = (mod ?? "").split("/")[0];
    return [pkg, module === "index" ? "" : module, fn].filter(Boolean).join(".");
}

function list(v: unknown): unknown[] {
    return Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
}

/** One or many: IAM writes a single value bare. */
function oneOrMany(v: unknown[]): unknown {
    return v.length === 1 ? v[0] : v;
}

/**
 * `aws.iam.getPolicyDocument` computed as the provider does: each statement's effect, actions,
 * resources, principals and conditions in IAM's JSON form, source documents first and override
 * documents replacing statements of the same Sid. Pure data, so the offline plan answers it.
 */
export function policyDocument(args: Record<string, any>): { json: string; minifiedJson: string; id: string } {
    const statements: any[] = [];
    const bySid = (docs: unknown[], replace: boolean) => {
        for (const text of list(docs)) {
            const doc = typeof text === "string" ? JSON.parse(text) : text;
            for (const s of list(doc?.Statement)) {
                const at = (s as any).Sid ? statements.findIndex(x => x.Sid === (s as any).Sid) : -1;
                if (at >= 0 && replace) statements[at] = s;
                else if (at < 0) statements.push(s);
            }
        }
    };
    bySid(args.sourcePolicyDocuments, false);
    for (const st of list(args.statements) as any[]) {
        const out: any = {};
        if (st.sid) out.Sid = st.sid;
        out.Effect = st.effect ?? "Allow";
        const principals = (key: string, ps: unknown) => {
            const map: Record<string, unknown[]> = {};
            for (const p of list(ps) as any[]) map[p.type] = [...(map[p.type] ?? []), ...list(p.identifiers)];
            if (Object.keys(map).length) out[key] = map["*"] && Object.keys(map).length === 1 && map["*"].includes("*") ? "*" : Object.fromEntries(Object.entries(map).map(([k, v]) => [k, oneOrMany(v)]));
        };
        if (list(st.actions).length) out.Action = oneOrMany(list(st.actions));
        if (list(st.notActions).length) out.NotAction = oneOrMany(list(st.notActions));
        if (list(st.resources).length) out.Resource = oneOrMany(list(st.resources));
        if (list(st.notResources).length) out.NotResource = oneOrMany(list(st.notResources));
        principals("Principal", st.principals);
        principals("NotPrincipal", st.notPrincipals);
        const conditions: Record<string, Record<string, unknown>> = {};
        for (const c of list(st.conditions) as any[]) {
            conditions[c.test] = { ...conditions[c.test], [c.variable]: oneOrMany(list(c.values)) };
        }
        if (Object.keys(conditions).length) out.Condition = conditions;
        const at = out.Sid ? statements.findIndex(x => x.Sid === out.Sid) : -1;
        if (at >= 0) statements[at] = out;
        else statements.push(out);
    }
    bySid(args.overridePolicyDocuments, true);
    const doc: any = { Version: args.version ?? "2012-10-17" };
    if (args.policyId) doc.Id = args.policyId;
    doc.Statement = statements;
    const json = JSON.stringify(doc, null, 2);
    return { json, minifiedJson: JSON.stringify(doc), id: hex(json, 10) };
}

export function createMocks(defaultRegion: string, account = MOCK_ACCOUNT, canned: CannedResults = {}): RecordingMocks {
    const unanswered = new Map<string, Record<string, unknown>>();
    const providerRegions = new Map<string, string>();
    const states = new Map<string, Record<string, any>>();
    const namingProblems: string[] = [];
    const requestProblems: string[] = [];
    const regionOf = (provider?: string) => (provider && providerRegions.get(provider)) || defaultRegion;

    return {
        providerRegions,
        states,
        namingProblems,
        requestProblems,
        unanswered,
        newResource(args: pulumi.runtime.MockResourceArgs) {
            const region = args.type === "pulumi:providers:aws" ? (args.inputs.region ?? defaultRegion) : regionOf(args.provider);
            const seed = `${args.type}|${args.name}|${region}`;
            const { names, problems } = nameResource(args.type, args.name, args.inputs, seed);
            namingProblems.push(...problems);
            requestProblems.push(...apiProblems(args.type, args.name, args.inputs));
            const c: Ctx = { type: args.type, name: args.name, inputs: args.inputs, region, account, seed, names };
            const { id, state } = (STATE[args.type] ?? genericState)(c);
            const full = { ...args.inputs, ...Object.fromEntries(Object.entries(state).filter(([, v]) => v !== undefined)) };
            states.set(`${args.type}::${args.name}`, { ...full, id });
            return { id, state: full };
        },
        call(args: pulumi.runtime.MockCallArgs) {
            const region = regionOf(args.provider);
            if (Object.prototype.hasOwnProperty.call(canned, args.token)) return canned[args.token];
            switch (args.token) {
                case "aws:index/getCallerIdentity:getCallerIdentity":
                    return { accountId: account, arn: `arn:aws:iam::${account}:user/offline-plan`, userId: "AIDAOFFLINEPLAN", id: account };
                case "aws:index/getRegion:getRegion":
                    return { name: region, region, id: region, endpoint: `ec2.${region}.amazonaws.com`, description: region };
                case "aws:index/getPartition:getPartition":
                    return { partition: "aws", dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws", id: "aws" };
                case "aws:index/getAvailabilityZones:getAvailabilityZones":
                    return { names: ["a", "b", "c"].map(z => `${region}${z}`), zoneIds: [1, 2, 3].map(i => `${shortRegion(region)}-az${i}`), id: region };
                case "aws:iam/getPolicyDocument:getPolicyDocument":
                    return policyDocument(args.inputs);
                default:
                    if (!unanswered.has(args.token)) unanswered.set(args.token, args.inputs);
                    throw new Error(`offline plan: no answer for data source ${args.token} (${functionName(args.token)}); give one with --mocks <file>`);
            }
        },
    };
}
