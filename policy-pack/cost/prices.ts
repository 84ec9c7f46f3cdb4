/**
 * The committed, dated price tables, one per region (prices/<region>.json). Every unit price names
 * the AWS pricing page it comes from. A region with no table is refused, never guessed.
 */
import euCentral1 from "./prices/eu-central-1.json";
import euWest1 from "./prices/eu-west-1.json";
import usEast1 from "./prices/us-east-1.json";
import usEast2 from "./prices/us-east-2.json";
import usWest2 from "./prices/us-west-2.json";

export interface UnitPrice {
    service: string;
    description: string;
    unit: string;
    usd: number;
    source: string;
    /** Date this price was read, when later than the table's. */
    asOf?: string;
}

export interface PriceTable {
    region: string;
    currency: "USD";
    /** Date the prices were read from the sources. */
    asOf: string;
    note: string;
    prices: Record<string, UnitPrice>;
}

export const PRICE_TABLES: Readonly<Record<string, PriceTable>> = {
    "us-east-1": usEast1 as PriceTable,
    "us-east-2": usEast2 as PriceTable,
    "us-west-2": usWest2 as PriceTable,
    "eu-west-1": euWest1 as PriceTable,
    "eu-central-1": euCentral1 as PriceTable,
};

export class NoPriceTableError extends Error {
    constructor(public readonly region: string) {
        super(`no price table for region ${region} (have ${Object.keys(PRICE_TABLES).join(", ")}); ` +
            `add policy-pack/cost/prices/${region}.json with sourced unit prices rather than guess`);
        this.name = "NoPriceTableError";
    }
}

export function priceTable(region: string): PriceTable {
    const t = PRICE_TABLES[region];
    if (!t) throw new NoPriceTableError(region);
    return t;
}
