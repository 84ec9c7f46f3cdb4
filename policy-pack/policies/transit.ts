/** Encryption in transit: ElastiCache TLS and AUTH, CloudFront viewers and origins, TLS-only queue policies. */
import { deniesInsecureTransport, parseDocument } from "./documents";
import { ELASTICACHE_TYPES } from "./encryption";
import { asList, isSet, isTrue, linked, read, resourcePolicy, stackPolicy, UNKNOWN } from "./helpers";

export const elasticacheTransit = resourcePolicy({
    name: "elasticache-encryption-in-transit",
    description: "ElastiCache replication groups and cache clusters require TLS (transitEncryptionEnabled, and transitEncryptionMode required: `preferred` still accepts plaintext). Serverless caches always use TLS.",
    types: [ELASTICACHE_TYPES.replicationGroup, ELASTICACHE_TYPES.cluster],
    check: (props, violation, args) => {
        if (args.type === ELASTICACHE_TYPES.cluster && read(props, "replicationGroupId")) return; // a member takes its group's settings
        if (!isTrue(read(props, "transitEncryptionEnabled"))) violation("transitEncryptionEnabled must be true.");
        else if (read(props, "transitEncryptionMode") === "preferred") violation("transitEncryptionMode must be required: preferred still accepts plaintext connections.");
    },
});

export const elasticacheAuth = resourcePolicy({
    name: "elasticache-auth",
    description: "Redis and Valkey caches authenticate clients: a replication group has an AUTH token or RBAC user groups, a serverless cache a user group; a standalone Redis/Valkey cluster (no AUTH possible) is refused.",
    types: Object.values(ELASTICACHE_TYPES),
    check: (props, violation, args) => {
        const engine = read(props, "engine");
        if (engine === "memcached") return; // Memcached has no AUTH token or RBAC
        if (args.type === ELASTICACHE_TYPES.cluster) {
            if (!read(props, "replicationGroupId")) violation("a standalone cache cluster cannot require AUTH: create a replication group with authToken or userGroupIds.");
        } else if (args.type === ELASTICACHE_TYPES.serverless) {
            if (!isSet(read(props, "userGroupId"))) violation("userGroupId must name an RBAC user group: without one, the default user connects without a password.");
        } else if (![read(props, "authToken"), read(props, "authTokenWo")].some(isSet) && asList(read(props, "userGroupIds")).length === 0) {
            violation("set authToken (or authTokenWo) or userGroupIds: without AUTH any client that reaches the port reads the cache.");
        }
    },
});

const HTTPS_ONLY = ["redirect-to-https", "https-only"];
const MODERN_TLS = /^TLSv1\.2_(2018|2019|2021)$|^TLSv1\.3_2025$/;

export const cloudfrontHttps = resourcePolicy({
    name: "cloudfront-viewer-https",
    description: "CloudFront viewers use HTTPS only, with TLS 1.2 or newer and SNI when a custom certificate is used.",
    types: ["aws:cloudfront/distribution:Distribution"],
    check: (props, violation) => {
        const behaviours = [read(props, "defaultCacheBehavior"), ...asList(read(props, "orderedCacheBehaviors"))];
        behaviours.forEach((b, i) => {
            const policy = read(b, "viewerProtocolPolicy");
            if (policy !== UNKNOWN && !HTTPS_ONLY.includes(policy)) {
                violation(`${i === 0 ? "defaultCacheBehavior" : `orderedCacheBehaviors[${i - 1}]`}.viewerProtocolPolicy must be redirect-to-https or https-only (got ${policy}).`);
            }
        });
        const cert = read(props, "viewerCertificate");
        if (isSet(read(cert, "acmCertificateArn")) || isSet(read(cert, "iamCertificateId"))) {
            const min = read(cert, "minimumProtocolVersion");
            if (min !== UNKNOWN && !MODERN_TLS.test(String(min))) violation(`viewerCertificate.minimumProtocolVersion must be TLSv1.2_2021 or newer (got ${min}).`);
            const method = read(cert, "sslSupportMethod");
            if (method !== UNKNOWN && method !== "sni-only") violation(`viewerCertificate.sslSupportMethod must be sni-only (got ${method}).`);
        }
    },
});

const OLD_ORIGIN_PROTOCOLS = ["SSLv3", "TLSv1", "TLSv1.1"];

export const cloudfrontOriginHttps = resourcePolicy({
    name: "cloudfront-origin-https",
    description: "CloudFront reaches custom origins over HTTPS (originProtocolPolicy not http-only) with TLS 1.2 (no SSLv3, TLSv1 or TLSv1.1 in originSslProtocols).",
    types: ["aws:cloudfront/distribution:Distribution"],
    check: (props, violation) => {
        asList(read(props, "origins")).forEach((origin, i) => {
            const custom = read(origin, "customOriginConfig");
            const where = `origins[${i}] (${read(origin, "originId")})`;
            if (read(custom, "originProtocolPolicy") === "http-only") violation(`${where}: originProtocolPolicy http-only sends every request to the origin in plaintext; use https-only.`);
            const old = asList(read(custom, "originSslProtocols")).filter(p => OLD_ORIGIN_PROTOCOLS.includes(p as string));
            if (old.length) violation(`${where}: originSslProtocols must be TLSv1.2 only (got ${old.join(", ")}).`);
        });
    },
});

export const cloudfrontDefaultCertificate = resourcePolicy({
    name: "cloudfront-default-certificate-tls",
    description: "A distribution on the default *.cloudfront.net certificate admits TLS 1.0 (its minimum protocol is fixed at TLSv1): advisory, since only a custom domain with an ACM certificate can raise it.",
    enforcementLevel: "advisory",
    types: ["aws:cloudfront/distribution:Distribution"],
    check: (props, violation) => {
        if (read(props, "viewerCertificate", "cloudfrontDefaultCertificate") === true) {
            violation("viewerCertificate.cloudfrontDefaultCertificate admits TLS 1.0 and 1.1 (CloudFront fixes the default certificate's minimum at TLSv1); serve a custom domain with an ACM certificate and minimumProtocolVersion TLSv1.2_2021 to raise it.");
        }
    },
});

export const sqsTlsOnly = stackPolicy({
    name: "sqs-queue-tls-only",
    description: "Every SQS queue has a policy (inline or QueuePolicy) that denies every action (`sqs:*`) to everyone without TLS.",
    types: ["aws:sqs/queue:Queue", "aws:sqs/queuePolicy:QueuePolicy"],
    check: (resources, violation) => {
        const policies = resources.filter(r => r.type === "aws:sqs/queuePolicy:QueuePolicy");
        for (const queue of resources.filter(r => r.type === "aws:sqs/queue:Queue")) {
            const docs = [parseDocument(read(queue.props, "policy")), ...policies.filter(p => linked(p, "queueUrl", queue, "url")).map(p => parseDocument(read(p.props, "policy")))];
            if (docs.includes(UNKNOWN)) continue;
            if (!docs.some(d => deniesInsecureTransport(d, "sqs"))) violation("no queue policy denies every action (sqs:*) to everyone without TLS (aws:SecureTransport false).", queue.urn);
        }
    },
});

/** Load balancer listener types (`aws:alb` is the older alias of `aws:lb`). */
export const LISTENER_TYPES = ["aws:lb/listener:Listener", "aws:alb/listener:Listener"];

/** Whether an action sends the viewer to HTTPS (a redirect whose protocol is HTTPS). */
function redirectsToHttps(action: unknown): boolean {
    const protocol = read(action, "redirect", "protocol");
    return read(action, "type") === "redirect" && (protocol === "HTTPS" || protocol === UNKNOWN);
}

export const lbListenerHttps = resourcePolicy({
    name: "lb-listener-https",
    description: "Load balancer listeners on plain HTTP (protocol HTTP, or port 80 with no protocol and no certificate) only redirect to HTTPS: viewers' requests, cookies and tokens never travel in plaintext (Checkov CKV_AWS_2, Security Hub ELB.1).",
    types: LISTENER_TYPES,
    check: (props, violation) => {
        const protocol = read(props, "protocol");
        const port = read(props, "port");
        const plaintext = protocol === "HTTP" || (protocol === undefined && !isSet(read(props, "certificateArn")) && (port === 80 || port === "80"));
        if (!plaintext) return;
        const raw = read(props, "defaultActions");
        const actions = Array.isArray(raw) ? Array.from({ length: raw.length }, (_, i) => read(raw, i)) : asList(raw);
        if (actions.includes(UNKNOWN)) return; // an unknown list reads as [UNKNOWN]
        if (actions.length === 0 || !actions.every(redirectsToHttps)) {
            violation(`listener on plain HTTP (port ${port ?? "unset"}) serves its default action${actions.length === 1 ? "" : "s"} (${actions.map(a => read(a, "type")).join(", ") || "none"}) in plaintext: make it a redirect to HTTPS (type redirect, redirect.protocol HTTPS, statusCode HTTP_301) and serve on an HTTPS listener with an ACM certificate.`);
        }
    },
});

