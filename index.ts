import { loadSettings } from "./config";
import { createProviders } from "./components/providers";
import { EncryptionKeys } from "./components/encryption-keys";

const { settings } = loadSettings();
const prefix = `ai-nutritionist-${settings.environment}`;
const providers = createProviders(settings);
const main = { providers: { aws: providers.main } };

const keys = new EncryptionKeys(`${prefix}-keys`, {
    aliasPrefix: prefix,
    region: settings.region,
    logGroupPrefixes: [`/ai-nutritionist/${settings.environment}/`, `aws-waf-logs-${prefix}`],
    deletionWindowInDays: settings.kmsDeletionWindowDays,
}, main);

export const dataKeyArn = keys.data.arn;
