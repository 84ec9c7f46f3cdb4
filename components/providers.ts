/**
 * Stack-wide provider settings in one place: every AWS provider of the stack (the stack's
 * region, us-east-1 for CloudFront's WAF and certificate, the backup copy region) carries the
 * same `defaultTags`, so no resource repeats them and none can miss them.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Settings } from "../config";

/** Tag keys every taggable resource carries (the policy pack's default `requiredTags`). */
export const REQUIRED_TAG_KEYS = ["Project", "Environment", "Owner", "CostCenter", "ManagedBy"] as const;

/** The stack's tags; `Stack` tells apart two stacks of one environment (backup selection, cost views). */
export function stackTags(settings: Settings, stack: string = pulumi.getStack()): Record<string, string> {
    return {
        Project: "ai-nutritionist",
        Environment: settings.environment,
        Stack: stack,
        Owner: settings.owner,
        CostCenter: settings.costCenter,
        ManagedBy: "pulumi",
        SecurityTier: settings.securityTier,
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

export function createProviders(settings: Settings, opts?: pulumi.CustomResourceOptions): StackProviders {
    const defaultTags = { tags: stackTags(settings) };
    const provider = (name: string, region: string) => new aws.Provider(name, { region: region as aws.Region, defaultTags }, opts);
    const main = provider("aws-main", settings.region);
    return {
        main,
        usEast1: settings.region === "us-east-1" ? main : provider("aws-us-east-1", "us-east-1"),
        backupRegion: settings.backupCrossRegionDestination ? provider("aws-backup-copy", settings.backupCrossRegionDestination) : undefined,
    };
}
