import * as fs from "fs";
import * as path from "path";
import { execFileSync, spawnSync } from "child_process";
import { expect } from "chai";
import * as yaml from "js-yaml";
import { ENVIRONMENT_PROFILES, NAMESPACE, resolveSettings, SECRET_KEYS, SECURITY_TIERS, SETTINGS } from "../config";
import { markdownTable, pulumiYamlConfig } from "../generators/settings-doc";
import { decidedKeys, renderStackFile } from "../cli/new-stack";
import { loadStackConfig } from "../engine/stack-config";
import { REPO_ROOT } from "../engine/paths";
import { baseSettings, settingsProblems } from "./harness";

const base = baseSettings;
const problems = settingsProblems;

describe("settings", () => {
    describe("environment profiles and security tiers", () => {
        it("dev defaults to the basic tier: no VPC, no baseline, no backup, no cache, $50 budget", () => {
            const s = resolveSettings(base("dev"));
            expect(s.securityTier).to.equal("basic");
            expect([s.enableVpc, s.enableAwsConfig, s.enableGuardduty, s.enableSecurityHub, s.enableAwsBackup, s.enableElasticache]).to.deep.equal([false, false, false, false, false, false]);
            expect(s.monthlyBudgetLimit).to.equal(50);
            expect(s.lambdaArchitecture).to.equal("arm64");
        });
        it("staging defaults to the standard tier: VPC, Config and Backup on, GuardDuty and Security Hub off", () => {
            const s = resolveSettings(base("staging"));
            expect(s.securityTier).to.equal("standard");
            expect([s.enableVpc, s.enableAwsConfig, s.enableAwsBackup]).to.deep.equal([true, true, true]);
            expect([s.enableGuardduty, s.enableSecurityHub]).to.deep.equal([false, false]);
            expect(s.monthlyBudgetLimit).to.equal(200);
        });
        it("prod defaults to the enterprise tier with two cache nodes, a us-west-2 backup copy and table replica, and no NAT gateway", () => {
            const s = resolveSettings(base("prod"));
            expect(s.securityTier).to.equal("enterprise");
            expect([s.enableVpc, s.enableAwsConfig, s.enableGuardduty, s.enableSecurityHub, s.enableAwsBackup]).to.deep.equal([true, true, true, true, true]);
            expect(s.elasticacheNumNodes).to.equal(2);
            expect(s.backupCrossRegionDestination).to.equal("us-west-2");
            expect(s.natStrategy).to.equal("none");
            expect(s.enableTableReplica).to.equal(true);
            expect(s.availabilityZoneCount).to.equal(2);
        });
        it("an explicit tier overrides the profile's tier, and the tier's switches follow it", () => {
            const s = resolveSettings(base("dev", { securityTier: "enterprise" }));
            expect([s.enableVpc, s.enableGuardduty, s.enableSecurityHub]).to.deep.equal([true, true, true]);
        });
        it("an explicit key always wins over tier and profile", () => {
            const s = resolveSettings(base("prod", { enableGuardduty: "false", monthlyBudgetLimit: "750", elasticacheNumNodes: "3" }));
            expect(s.enableGuardduty).to.equal(false);
            expect(s.monthlyBudgetLimit).to.equal(750);
            expect(s.elasticacheNumNodes).to.equal(3);
        });
        it("an explicit false survives (no || fallbacks)", () => {
            const s = resolveSettings(base("prod", { enableCostOptimization: "false", enableMonitoring: "false" }));
            expect(s.enableCostOptimization).to.equal(false);
            expect(s.enableMonitoring).to.equal(false);
        });
        it("every profile and tier names only declared settings", () => {
            const keys = new Set(SETTINGS.map(s => s.key));
            for (const p of [...Object.values(ENVIRONMENT_PROFILES), ...Object.values(SECURITY_TIERS)]) {
                for (const k of Object.keys(p)) expect(keys.has(k as any), k).to.equal(true);
            }
        });
    });

    describe("validation", () => {
        it("requires the environment and the region", () => {
            const p = problems({});
            expect(p).to.include(`${NAMESPACE}:environment: is required (dev, staging or prod) (got nothing)`);
            expect(p.some(x => x.startsWith("aws:region: is required"))).to.equal(true);
        });
        it("rejects an unknown key in our namespace and suggests the right spelling", () => {
            const p = problems(base("dev", { enableVPC: "true" }));
            expect(p).to.deep.equal([`${NAMESPACE}:enableVPC: unknown setting; did you mean ${NAMESPACE}:enableVpc? (got 'true')`]);
        });
        it("ignores keys of other namespaces", () => {
            expect(() => resolveSettings(base("dev", { "aws:profile": "x", "random:foo": "1" }))).not.to.throw();
        });
        it("checks types: booleans and whole numbers", () => {
            const p = problems(base("dev", { enableVpc: "yes", elasticacheNumNodes: "two" }));
            expect(p).to.include(`${NAMESPACE}:enableVpc: must be true or false (got 'yes')`);
            expect(p).to.include(`${NAMESPACE}:elasticacheNumNodes: must be a whole number (got two)`);
        });
        it("checks ranges, enums and formats", () => {
            const p = problems(base("dev", {
                elasticacheNumNodes: "7", lambdaArchitecture: "arm32", monthlyBudgetLimit: "0",
                alertEmail: "not-an-email", backupCrossRegionDestination: "mars-1", logRetentionDays: "10",
                elasticacheNodeType: "t4g.micro", vpcCidr: "10.0.0.0/8",
            }));
            expect(p).to.include(`${NAMESPACE}:elasticacheNumNodes: must be at most 6 (got 7)`);
            expect(p).to.include(`${NAMESPACE}:lambdaArchitecture: must be one of arm64, x86_64 (got arm32)`);
            expect(p).to.include(`${NAMESPACE}:monthlyBudgetLimit: must be at least 1 (got 0)`);
            expect(p).to.include(`${NAMESPACE}:alertEmail: must be an e-mail address (got not-an-email)`);
            expect(p).to.include(`${NAMESPACE}:backupCrossRegionDestination: must be a region of @pulumi/aws's Region enum, such as us-west-2, or empty (got mars-1)`);
            expect(p.find(x => x.startsWith(`${NAMESPACE}:logRetentionDays: must be one of 1, 3, 5`))).to.match(/\(got 10\)$/);
            expect(p.find(x => x.startsWith(`${NAMESPACE}:elasticacheNodeType:`))).to.match(/\(got t4g.micro\)$/);
            expect(p.find(x => x.startsWith(`${NAMESPACE}:vpcCidr:`))).to.match(/\/16 and \/18/);
            expect(p).to.have.length(8);
        });
        it("rejects a region that is not one of @pulumi/aws's Region enum, well-formed or not", () => {
            expect(problems({ ...base("dev"), "aws:region": "useast1" })).to.deep.equal(['aws:region: must be a region of @pulumi/aws\'s Region enum, such as us-east-1 (got useast1)']);
            expect(problems({ ...base("dev"), "aws:region": "us-east-9" })).to.deep.equal(['aws:region: must be a region of @pulumi/aws\'s Region enum, such as us-east-1 (got us-east-9)']);
            expect(resolveSettings({ ...base("dev"), "aws:region": "eu-central-2" }).region).to.equal("eu-central-2");
        });
        it("rejects settings that contradict each other, all at once", () => {
            const p = problems(base("dev", {
                enableElasticache: "true", enableSecurityHub: "true", backupCrossRegionDestination: "us-east-1",
                siteDomain: "app.example.com",
            }));
            expect(p).to.include(`${NAMESPACE}:enableElasticache: Redis lives in private subnets and needs enableVpc (got true with enableVpc false)`);
            expect(p.some(x => x.startsWith(`${NAMESPACE}:enableSecurityHub: Security Hub controls are evaluated by AWS Config`))).to.equal(true);
            expect(p).to.include(`${NAMESPACE}:backupCrossRegionDestination: must differ from the stack's region us-east-1 (got us-east-1)`);
            expect(p.some(x => x.startsWith(`${NAMESPACE}:backupCrossRegionDestination: copies backups, so it needs enableAwsBackup`))).to.equal(true);
            expect(p.some(x => x.startsWith(`${NAMESPACE}:siteCertificateArn: siteDomain and siteCertificateArn go together`))).to.equal(true);
        });
        it("requires cold-storage retention of at least 90 days after the move (AWS Backup's rule)", () => {
            const p = problems(base("staging", { backupColdStorageAfterDays: "30", backupDeleteAfterDays: "100" }));
            expect(p).to.deep.equal([`${NAMESPACE}:backupDeleteAfterDays: AWS Backup keeps cold-storage recovery points at least 90 days, so it must be at least 120 (got 100)`]);
        });
        it("requires the certificate of a custom domain to be in us-east-1", () => {
            const p = problems(base("dev", { siteDomain: "app.example.com", siteCertificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/abc-123" }));
            expect(p[0]).to.match(/siteCertificateArn: must be an ACM certificate ARN in us-east-1/);
        });
        it("keeps prod at the standard tier or above", () => {
            const p = problems(base("prod", { securityTier: "basic", enableElasticache: "false" }));
            expect(p).to.include(`${NAMESPACE}:securityTier: prod handles personal data and needs standard or enterprise (got basic)`);
            // The basic tier turns backups off, so prod's cross-region copy and vault lock are flagged too.
            expect(p).to.have.length(3);
        });
        it("needs an alert address when monitoring is on", () => {
            const config: Record<string, string> = base("dev");
            delete config[`${NAMESPACE}:alertEmail`];
            expect(problems(config)).to.deep.equal([`${NAMESPACE}:alertEmail: enableMonitoring sends alerts to this address, so it is required (got '')`]);
        });
        it("prints no stack trace for a settings error", () => {
            try {
                resolveSettings(base("dev", { enableVpc: "maybe" }));
            } catch (e: any) {
                expect(e.stack).to.equal(e.message);
                expect(e.message).not.to.match(/\n\s+at /);
                return;
            }
            expect.fail("no error");
        });
    });

    describe("declarations", () => {
        const project = yaml.load(fs.readFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), "utf8")) as any;
        it("Pulumi.yaml declares every setting with the type, description and default of config.ts", () => {
            const generated = yaml.load(pulumiYamlConfig()) as any;
            expect(project.config).to.deep.equal(generated.config);
            for (const s of SETTINGS.filter(x => !x.fullKey)) {
                expect(project.config[s.key].type, s.key).to.equal(s.kind);
                expect(project.config[s.key].description, s.key).to.be.a("string").and.not.equal("");
            }
            // Secrets are optional, and a typed key without a default is one the CLI requires: they are documented, not declared.
            for (const k of SECRET_KEYS) expect(project.config).not.to.have.property(k);
        });
        it("Pulumi.yaml gives no default to a setting a profile or tier decides (it would mask them)", () => {
            const decided = new Set([...Object.values(ENVIRONMENT_PROFILES), ...Object.values(SECURITY_TIERS)].flatMap(p => Object.keys(p)));
            for (const [k, decl] of Object.entries<any>(project.config)) {
                if (decided.has(k)) expect(decl, k).not.to.have.property("default");
            }
        });
        it("docs/settings.md's settings table is the generated one", () => {
            const doc = fs.readFileSync(path.join(REPO_ROOT, "docs", "settings.md"), "utf8");
            expect(doc).to.contain(markdownTable());
        });
        for (const stack of ["dev", "staging", "prod"]) {
            it(`Pulumi.${stack}.yaml sets every setting the CLI requires, resolves without problems and names its environment`, () => {
                const { config, cliProblems } = loadStackConfig(REPO_ROOT, stack);
                expect(cliProblems).to.deep.equal([]);
                expect(resolveSettings(config).environment).to.equal(stack);
            });
        }
        it("npm run new-stack writes a complete stack file from a profile and tier, which plans as the CLI requires", () => {
            const text = renderStackFile("qa", "eu-west-1", { environment: "staging", securityTier: "enterprise", alertEmail: "qa@example.com" });
            const parsed = (yaml.load(text) as any).config;
            for (const k of decidedKeys()) expect(parsed, k).to.have.property(`${NAMESPACE}:${k}`);
            expect(parsed[`${NAMESPACE}:enableSecurityHub`]).to.equal(true);
            expect(parsed[`${NAMESPACE}:monthlyBudgetLimit`]).to.equal(200);
            const dir = fs.mkdtempSync(path.join(require("os").tmpdir(), "new-stack-"));
            fs.copyFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
            fs.writeFileSync(path.join(dir, "Pulumi.qa.yaml"), text);
            const loaded = loadStackConfig(dir, "qa");
            expect(loaded.cliProblems).to.deep.equal([]);
            expect(resolveSettings(loaded.config).region).to.equal("eu-west-1");
        });
    });

    describe("the plan command", () => {
        const planCli = (...args: string[]) => spawnSync(process.execPath, ["-r", require.resolve("../engine/register.js"), "cli/plan.ts", ...args], { cwd: REPO_ROOT, encoding: "utf8" });
        const devFile = () => fs.readFileSync(path.join(REPO_ROOT, "Pulumi.dev.yaml"), "utf8");
        const tmpFile = (text: string) => {
            const file = path.join(fs.mkdtempSync(path.join(require("os").tmpdir(), "settings-")), "bad.yaml");
            fs.writeFileSync(file, text);
            return file;
        };

        it("exits 2 and lists every problem by key, with no stack trace, for bad settings", () => {
            const bad = tmpFile(devFile()
                .replace("ai-nutritionist:environment: dev", "ai-nutritionist:environment: qa")
                .replace("ai-nutritionist:elasticacheNumNodes: 1", "ai-nutritionist:elasticacheNumNodes: 9") + "  ai-nutritionist:enableVCP: true\n");
            const r = planCli("dev", "--config", bad);
            expect(r.status).to.equal(2);
            expect(r.stderr).to.contain(`${NAMESPACE}:environment: must be one of dev, staging, prod (got qa)`);
            expect(r.stderr).to.contain(`${NAMESPACE}:elasticacheNumNodes: must be at most 6 (got 9)`);
            expect(r.stderr).to.contain(`${NAMESPACE}:enableVCP: unknown setting`);
            expect(r.stderr).not.to.match(/\n\s+at /);
        });
        it("refuses, as the Pulumi CLI would, a stack that leaves out a setting Pulumi.yaml types without a default, or gives it the wrong type", () => {
            const bad = tmpFile(devFile().replace(/^  ai-nutritionist:natStrategy: .*\n/m, "").replace("ai-nutritionist:availabilityZoneCount: 2", "ai-nutritionist:availabilityZoneCount: two"));
            const r = planCli("dev", "--config", bad);
            expect(r.status).to.equal(2);
            expect(r.stderr).to.contain(`${NAMESPACE}:natStrategy: Pulumi.yaml types it without a default, so the Pulumi CLI requires every stack to set it`);
            expect(r.stderr).to.contain(`${NAMESPACE}:availabilityZoneCount: must be of type integer, as Pulumi.yaml declares it (got two)`);
        });
        it("lists the program's problems with the CLI's type errors, once per key, so one run shows them all", () => {
            const bad = tmpFile(devFile().replace("ai-nutritionist:availabilityZoneCount: 2", "ai-nutritionist:availabilityZoneCount: two")
                .replace("ai-nutritionist:elasticacheNumNodes: 1", "ai-nutritionist:elasticacheNumNodes: 9"));
            const r = planCli("dev", "--config", bad);
            expect(r.status).to.equal(2);
            expect(r.stderr).to.contain("Invalid stack settings (2 problems):");
            expect(r.stderr).to.contain(`${NAMESPACE}:availabilityZoneCount: must be of type integer, as Pulumi.yaml declares it (got two)`);
            expect(r.stderr).to.contain(`${NAMESPACE}:elasticacheNumNodes: must be at most 6 (got 9)`);
            // A misspelt required key is one problem, not the CLI's and the program's each.
            const typo = planCli("dev", "--config", tmpFile(devFile().replace("ai-nutritionist:natStrategy:", "ai-nutritionist:natStrategi:")));
            expect(typo.status).to.equal(2);
            expect(typo.stderr).to.contain("Invalid stack settings (1 problem):");
            expect(typo.stderr).to.contain(`${NAMESPACE}:natStrategy: is required, and the file sets ${NAMESPACE}:natStrategi instead`);
        });
        it("rejects an unknown option", () => {
            expect(() => execFileSync(process.execPath, ["-r", require.resolve("../engine/register.js"), "cli/plan.ts", "dev", "--jsn", "x"], { cwd: REPO_ROOT, stdio: "pipe" })).to.throw();
        });
    });

    describe("what the account and awsx can take", () => {
        it("refuses a /18 VPC over 3 AZs with NAT: awsx gives each AZ a /20 (4096 addresses) and a /20 private + /24 public subnet need 4352", () => {
            const p = problems(base("prod", { vpcCidr: "10.30.0.0/18", availabilityZoneCount: "3", natStrategy: "perAz" }));
            expect(p).to.have.length(1);
            expect(p[0]).to.match(new RegExp(`^${NAMESPACE}:vpcCidr: Subnets are too large for VPC`));
            expect(p[0]).to.contain("/20 blocks of 4096 addresses each").and.contain("need 4352").and.contain("natStrategy none")
                .and.contain("(got 10.30.0.0/18 with availabilityZoneCount 3 and natStrategy perAz)");
        });
        it("accepts the /18 over 3 AZs without NAT (one /20 per AZ), over 2 AZs with NAT, and any /18 when the VPC is off", () => {
            expect(() => resolveSettings(base("prod", { vpcCidr: "10.30.0.0/18", availabilityZoneCount: "3", natStrategy: "none" }))).not.to.throw();
            expect(() => resolveSettings(base("prod", { vpcCidr: "10.30.0.0/18", availabilityZoneCount: "2", natStrategy: "perAz" }))).not.to.throw();
            expect(() => resolveSettings(base("dev", { vpcCidr: "10.30.0.0/18", availabilityZoneCount: "3", natStrategy: "perAz", enableVpc: "false" }))).not.to.throw();
        });
        it("refuses a reserved concurrency the default quota of 1000 cannot hold (100 stay unreserved), naming the quota and how to raise it", () => {
            expect(() => resolveSettings(base("prod", { lambdaReservedConcurrency: "528" }))).not.to.throw();
            const p = problems(base("prod", { lambdaReservedConcurrency: "529" }));
            expect(p).to.have.length(1);
            expect(p[0]).to.match(new RegExp(`^${NAMESPACE}:lambdaReservedConcurrency: the stack would reserve 901 concurrent executions \\(inbound 529, billing 106, worker 265, scheduler 1\\)`));
            expect(p[0]).to.contain('"Concurrent executions" quota (1000, lambdaConcurrencyQuota)').and.contain("at most 900 can be reserved")
                .and.contain("use at most 528").and.contain("Service Quotas").and.contain("--quota-code L-B99A9384 --desired-value 1001").and.contain("(got 529)");
            expect(problems(base("prod", { lambdaReservedConcurrency: "1000" }))[0]).to.contain("would reserve 1701");
        });
        it("takes a raised quota as a setting, and a small one refuses every reservation", () => {
            expect(resolveSettings(base("prod", { lambdaReservedConcurrency: "1000", lambdaConcurrencyQuota: "2000" })).lambdaConcurrencyQuota).to.equal(2000);
            expect(resolveSettings(base("prod")).lambdaConcurrencyQuota).to.equal(1000);
            expect(problems(base("dev", { lambdaConcurrencyQuota: "50" }))[0]).to.contain("use -1 (unreserved)");
            expect(() => resolveSettings(base("dev", { lambdaConcurrencyQuota: "50", lambdaReservedConcurrency: "-1" }))).not.to.throw();
        });
    });
});
