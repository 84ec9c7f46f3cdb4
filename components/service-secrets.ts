import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface ServiceSecretsArgs {
    /** Key that encrypts the secrets. */
    kmsKeyArn: pulumi.Input<string>;
    /** Initial values from stack secrets; a secret without a value is created empty and set out of band. Defaults to none. */
    values?: { twilioAuthToken?: pulumi.Input<string>; stripeWebhookSecret?: pulumi.Input<string>; stripeApiKey?: pulumi.Input<string> };
    /** Days a deleted secret can be restored. Defaults to 30. */
    recoveryWindowInDays?: number;
}

/**
 * The third-party credentials in Secrets Manager, encrypted with the data key. Functions get
 * only the secrets' ARNs and read the values at run time; no secret is in an environment variable.
 */
export class ServiceSecrets extends pulumi.ComponentResource {
    public readonly twilioAuthToken: aws.secretsmanager.Secret;
    public readonly stripeWebhookSecret: aws.secretsmanager.Secret;
    public readonly stripeApiKey: aws.secretsmanager.Secret;

    constructor(name: string, args: ServiceSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ai-nutritionist:security:ServiceSecrets", name, {}, opts);
        const secret = (key: "twilioAuthToken" | "stripeWebhookSecret" | "stripeApiKey", description: string) => {
            const s = new aws.secretsmanager.Secret(`${name}-${key}`, {
                description,
                kmsKeyId: args.kmsKeyArn,
                recoveryWindowInDays: args.recoveryWindowInDays ?? 30,
            }, { parent: this });
            const value = args.values?.[key];
            if (value !== undefined) {
                new aws.secretsmanager.SecretVersion(`${name}-${key}-value`, {
                    secretId: s.id,
                    secretString: pulumi.secret(value),
                }, { parent: this });
            }
            return s;
        };
        this.twilioAuthToken = secret("twilioAuthToken", "Twilio auth token (verifies X-Twilio-Signature, sends replies)");
        this.stripeWebhookSecret = secret("stripeWebhookSecret", "Stripe webhook signing secret");
        this.stripeApiKey = secret("stripeApiKey", "Stripe API key");
        this.registerOutputs({
            twilioAuthTokenArn: this.twilioAuthToken.arn,
            stripeWebhookSecretArn: this.stripeWebhookSecret.arn,
            stripeApiKeyArn: this.stripeApiKey.arn,
        });
    }
}
