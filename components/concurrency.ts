/**
 * Reserved concurrency of every function the stack creates, derived from one setting
 * (`lambdaReservedConcurrency`, the inbound webhook's). The components take their values from here and
 * the settings check sums them against the account's quota, so the two cannot drift apart.
 *
 * Lambda lets an account reserve concurrency only while at least 100 of its regional quota stays
 * unreserved for the functions without a reservation (PutFunctionConcurrency,
 * https://docs.aws.amazon.com/lambda/latest/api/API_PutFunctionConcurrency.html; "Concurrent executions",
 * quota code L-B99A9384, 1,000 by default and lower in some new accounts,
 * https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html; both read 2026-12-04).
 */

/** Concurrency PutFunctionConcurrency leaves unreserved in every account and region. */
export const UNRESERVED_CONCURRENCY_MINIMUM = 100;
/** The default "Concurrent executions" quota of an account in a region. */
export const DEFAULT_CONCURRENCY_QUOTA = 1000;
/** Service Quotas code of Lambda's "Concurrent executions". */
export const CONCURRENCY_QUOTA_CODE = "L-B99A9384";
/** The meal-plan scheduler runs one invocation at a time: a second run would enqueue the same jobs again. */
export const SCHEDULER_RESERVED_CONCURRENCY = 1;

/** Each function's reservation; -1 leaves it unreserved. */
export interface ReservedConcurrency {
    inbound: number;
    /** A fifth of the inbound's, at least 1. */
    billing: number;
    /** Half of the inbound's, at least 2 (it also caps the worker's queue event source). */
    worker: number;
    scheduler: number;
}

/** The reservations that follow from the inbound function's (`lambdaReservedConcurrency`; -1 = none). */
export function reservedConcurrency(inbound: number): ReservedConcurrency {
    const share = (fraction: number, min: number) => inbound < 0 ? -1 : Math.max(min, Math.ceil(inbound * fraction));
    return { inbound, billing: share(0.2, 1), worker: share(0.5, 2), scheduler: SCHEDULER_RESERVED_CONCURRENCY };
}

/** The concurrency the whole stack reserves out of the account's regional quota. */
export function totalReservedConcurrency(inbound: number): number {
    return Object.values(reservedConcurrency(inbound)).filter(n => n > 0).reduce((a, b) => a + b, 0);
}

/** The largest `lambdaReservedConcurrency` whose stack still fits a quota (-1 when no reservation fits). */
export function maxInboundReservation(quota: number): number {
    const room = quota - UNRESERVED_CONCURRENCY_MINIMUM;
    let best = -1;
    for (let n = 0; n <= room; n++) if (totalReservedConcurrency(n) <= room) best = n;
    return best;
}

/**
 * Why a reservation cannot fit the account's quota, or undefined when it fits. Counts what this stack
 * reserves; other stacks in the same account and region share the same quota.
 */
export function concurrencyProblem(inbound: number, quota: number): string | undefined {
    if (inbound < 0) return undefined;
    const total = totalReservedConcurrency(inbound);
    const room = quota - UNRESERVED_CONCURRENCY_MINIMUM;
    if (total <= room) return undefined;
    const r = reservedConcurrency(inbound);
    const max = maxInboundReservation(quota);
    return `the stack would reserve ${total} concurrent executions (inbound ${r.inbound}, billing ${r.billing}, worker ${r.worker}, scheduler ${r.scheduler}), `
        + `but Lambda leaves ${UNRESERVED_CONCURRENCY_MINIMUM} of the account's "Concurrent executions" quota (${quota}, lambdaConcurrencyQuota) unreserved, so at most ${room} can be reserved; `
        + `${max >= 0 ? `use at most ${max}, or -1 (unreserved)` : "use -1 (unreserved)"}, or raise the quota in Service Quotas `
        + `(aws service-quotas request-service-quota-increase --service-code lambda --quota-code ${CONCURRENCY_QUOTA_CODE} --desired-value ${total + UNRESERVED_CONCURRENCY_MINIMUM}) and set lambdaConcurrencyQuota to the granted value`;
}
