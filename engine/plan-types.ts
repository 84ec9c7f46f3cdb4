/** The shape of an offline plan: what the planner records and the policy runner, renderer and cost report read. */

export interface PlannedResource {
    urn: string;
    type: string;
    name: string;
    parent: string | null;
    custom: boolean;
    provider: string | null;
    /** Providers handed to a component by package (remote components such as awsx's Vpc get no inheritance). */
    providers: Record<string, string>;
    protect: boolean;
    inputs: Record<string, any>;
    dependencies: string[];
    /** The resources behind each input property (what the engine hands policies as propertyDependencies). */
    propertyDependencies: Record<string, string[]>;
    /** Mock outputs (inputs plus the ids, ARNs and URLs AWS would return). Not part of the JSON contract. */
    outputs?: Record<string, any>;
}

export interface Violation {
    policy: string;
    enforcementLevel: string;
    urn: string;
    message: string;
}

export interface Plan {
    project: string;
    stack: string;
    resources: PlannedResource[];
    /** Data-source calls and the provider each went through (not part of the JSON contract). */
    invokes?: { token: string; provider: string | null }[];
    outputs: Record<string, any>;
    violations: Violation[];
}
