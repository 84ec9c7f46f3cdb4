import * as pulumi from "@pulumi/pulumi";
import { EncryptedTable, ProvisionedCapacity } from "./encrypted-table";

export interface ServiceTablesArgs {
    /** Customer-managed key of the tables. */
    kmsKeyArn: pulumi.Input<string>;
    /** Deletion protection and `protect`. Defaults to true. */
    deletionProtection?: boolean;
    /** Provisioned capacity with auto scaling; on-demand when absent. Defaults to on-demand. */
    provisioned?: ProvisionedCapacity;
    /** Put the rarely read billing ledger on Standard-IA. Defaults to true. */
    infrequentAccessForLedger?: boolean;
    /**
     * Global-table replica of the data tables (users, conversations, meal plans, billing events) in
     * another region, with that region's key: the disaster-recovery copy (RPO seconds). The
     * idempotency and send records are not replicated (they expire within a week; after a failover a
     * redelivered message may be answered twice). Defaults to none.
     */
    replica?: { region: string; kmsKeyArn: pulumi.Input<string> };
}

/**
 * The service's tables, their keys and access patterns:
 *
 * | table | keys | access patterns |
 * |---|---|---|
 * | users | `userId` (S); GSI `byPhone` (`phoneHash`); GSI `byPlanStatus` (`planStatus`, `nextPlanAt`) | profile, preferences, consent and subscription status by user; the inbound handler finds the user by hashed phone number; the scheduler queries users whose plan is due |
 * | conversations | `userId` (S) + `sentAt` (S, ISO-8601) ; TTL `expiresAt` | the last N messages of a user (Query, descending); expired by TTL after the retention period (GDPR) |
 * | mealPlans | `userId` (S) + `weekStart` (S) | the current and previous weekly plans of a user |
 * | billingEvents | `eventId` (S, Stripe event id); GSI `byCustomer` (`customerId`, `createdAt`); TTL `expiresAt` | exactly-once recording of Stripe events (conditional put on `eventId`); a customer's billing history |
 */
export class ServiceTables extends pulumi.ComponentResource {
    public readonly users: EncryptedTable;
    public readonly conversations: EncryptedTable;
    public readonly mealPlans: EncryptedTable;
    public readonly billingEvents: EncryptedTable;
    /** Powertools Idempotency records (functions/lib/powertools.ts): hash key `id`, TTL on `expiration`. */
    public readonly idempotency: EncryptedTable;

    constructor(name: string, args: ServiceTablesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ai-nutritionist:data:ServiceTables", name, {}, opts);
        const common = { kmsKeyArn: args.kmsKeyArn, deletionProtection: args.deletionProtection ?? true, provisioned: args.provisioned, replicas: args.replica ? [args.replica] : undefined };

        this.users = new EncryptedTable(`${name}-users`, {
            ...common,
            attributes: { userId: "S", phoneHash: "S", planStatus: "S", nextPlanAt: "S" },
            hashKey: "userId",
            globalSecondaryIndexes: [
                { name: "byPhone", hashKey: "phoneHash", projectionType: "KEYS_ONLY" },
                { name: "byPlanStatus", hashKey: "planStatus", rangeKey: "nextPlanAt", projectionType: "KEYS_ONLY" },
            ],
        }, { parent: this });
        this.conversations = new EncryptedTable(`${name}-conversations`, {
            ...common,
            attributes: { userId: "S", sentAt: "S" },
            hashKey: "userId",
            rangeKey: "sentAt",
            ttlAttribute: "expiresAt",
        }, { parent: this });
        this.mealPlans = new EncryptedTable(`${name}-meal-plans`, {
            ...common,
            attributes: { userId: "S", weekStart: "S" },
            hashKey: "userId",
            rangeKey: "weekStart",
        }, { parent: this });
        this.billingEvents = new EncryptedTable(`${name}-billing-events`, {
            ...common,
            attributes: { eventId: "S", customerId: "S", createdAt: "S" },
            hashKey: "eventId",
            globalSecondaryIndexes: [{ name: "byCustomer", hashKey: "customerId", rangeKey: "createdAt" }],
            ttlAttribute: "expiresAt",
            tableClass: (args.infrequentAccessForLedger ?? true) ? "STANDARD_INFREQUENT_ACCESS" : "STANDARD",
        }, { parent: this });

        // Short-lived records (at most a week, then TTL): no backup tag, but PITR, the data key and deletion protection like every table.
        this.idempotency = new EncryptedTable(`${name}-idempotency`, {
            ...common,
            attributes: { id: "S" },
            hashKey: "id",
            ttlAttribute: "expiration",
            backup: false,
            replicas: undefined,
        }, { parent: this });

        this.registerOutputs({
            usersTable: this.users.name, conversationsTable: this.conversations.name,
            mealPlansTable: this.mealPlans.name, billingEventsTable: this.billingEvents.name,
            idempotencyTable: this.idempotency.name,
        });
    }

    /** Every table with a short label (for alarms and dashboards). */
    public all(): { label: string; table: EncryptedTable }[] {
        return [
            { label: "users", table: this.users },
            { label: "conversations", table: this.conversations },
            { label: "meal-plans", table: this.mealPlans },
            { label: "billing-events", table: this.billingEvents },
            { label: "idempotency", table: this.idempotency },
        ];
    }
}
