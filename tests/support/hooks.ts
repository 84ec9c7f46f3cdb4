/**
 * Root hooks of every mocha run (.mocharc.json `require`), Stryker's included: before each test the
 * policy pack's lookup caches are emptied, so no test sees an answer computed by another (under
 * mutation testing, while another mutant was active).
 */
import { clearLookupCaches } from "../../policy-pack/policies/helpers";

export const mochaHooks = {
    beforeEach(): void {
        clearLookupCaches();
    },
};
