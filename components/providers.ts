/**
 * Stack-wide provider settings in one place: every AWS provider of the stack (the stack's
 * region, us-east-1 for CloudFront's WAF and certificate, the backup copy region) carries the
 * same `defaultTags`, so no resource repeats them and none can miss them.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** Tag keys every taggable resource carries (the policy pack's default `requiredTags`). */
export const REQUIRED_TAG_KEYS = ["Project", "Environment", "Owner", "CostCenter", "ManagedBy"] as const;

/** What the stack's tags say about it. */
export interface StackTagValues {
    /** The environment tag: dev, staging or prod. */
    environment: string;
    /** The team that owns the stack. */
    owner: string;
    /** The cost center its spending is charged to. */
    costCenter: string;
    /** The security tier it runs at: basic, standard or enterprise. */
    securityTier: string;
}

/** The stack's tags; `Stack` tells apart two stacks of one environment (backup selection, cost views). */
export function stackTags(values: StackTagValues, stack: string = pulumi.getStack()): Record<string, string> {
    return {
        Project: "ai-nutritionist",
        Environment: values.environment,
        Stack: stack,
        Owner: values.owner,
        CostCenter: values.costCenter,
        ManagedBy: "pulumi",
        SecurityTier: values.securityTier,
    };
}

export interface StackProviders {
    /** The stack's own region. */
    main: aws.Provider;
    /** us-east-1: CloudFront-scoped WAF and ACM certificates must live there. */
    usEast1: aws.Provider;
    /** The cross-region backup destination, when one is set. */
    backupRegion?: aws.Provider;
}

export interface StackProvidersArgs extends StackTagValues {
    /** The stack's region. */
    region: string;
    /** The region backups are copied to; none when empty or absent. Defaults to none. */
    backupCopyRegion?: string;
}

export function createProviders(args: StackProvidersArgs, opts?: pulumi.CustomResourceOptions): StackProviders {
    const defaultTags = { tags: stackTags(args) };
    const provider = (name: string, region: string) => new aws.Provider(name, { region: region as aws.Region, defaultTags }, opts);
    const main = provider("aws-main", args.region);
    return {
        main,
        usEast1: args.region === "us-east-1" ? main : provider("aws-us-east-1", "us-east-1"),
        backupRegion: args.backupCopyRegion ? provider("aws-backup-copy", args.backupCopyRegion) : undefined,
    };
}
