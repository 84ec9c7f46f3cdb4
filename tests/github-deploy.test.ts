/**
 * The bootstrap's GitHub deploy access, evaluated as IAM would: the trust policy of each deploy
 * role against the tokens GitHub issues, and each role's permissions against the roles the stack
 * it deploys really creates (the plans of dev, staging and prod).
 */
import * as path from "path";
import { expect } from "chai";
import { validateTrustPolicy } from "@cloud-copilot/iam-policy";
import { ATTACHABLE_MANAGED_POLICIES, DEPLOY_ROLE_PATH, GITHUB_OIDC_AUDIENCE, GITHUB_OIDC_HOST, validateGithubDeployAccessArgs } from "../bootstrap/github-deploy-access";
import { resolveBootstrapSettings } from "../bootstrap/settings";
import { SettingsError } from "../config";
import { Plan, PlannedResource } from "../engine/planner";
import { REPO_ROOT } from "../engine/paths";
import { checkDocument, checkResources, SimulationResult, simulateRequest } from "../checks/iam-check";
import { mandatory, ofType, one, out, parse, planStack, planWith, STACKS } from "./harness";

const REPO = "acme/ai-nutritionist-infra";
const ACCOUNT = "123456789012";

/**
 * PowerUserAccess, version v12 (AWS Managed Policy Reference, PowerUserAccess,
 * https://docs.aws.amazon.com/aws-managed-policy/latest/reference/PowerUserAccess.html).
 */
const POWER_USER_ACCESS = {
    Version: "2012-10-17",
    Statement: [
        { Effect: "Allow", NotAction: ["iam:*", "organizations:*", "account:*"], Resource: "*" },
        {
            Effect: "Allow",
            Action: ["account:GetAccountInformation", "account:GetGovCloudAccountInformation", "account:GetPrimaryEmail", "account:ListRegions",
                "iam:CreateServiceLinkedRole", "iam:DeleteServiceLinkedRole", "iam:ListRoles", "organizations:DescribeEffectivePolicy", "organizations:DescribeOrganization"],
            Resource: "*",
        },
    ],
};

type Decision = SimulationResult;

/**
 * May a GitHub token with this subject and audience, presented through this provider, assume the
 * role? iam-check's simulateRequest keeps the OIDC `<provider>:sub` and `:aud` keys, which AWS's
 * service authorization reference (and so iam-data's validated simulation) does not list for
 * token.actions.githubusercontent.com although the IAM User Guide documents them.
 */
function assume(trust: any, roleArn: string, claims: { sub: string; aud?: string }, providerArn: string): Promise<Decision> {
    return simulateRequest({
        principal: providerArn,
        action: "sts:AssumeRoleWithWebIdentity",
        resourceArn: roleArn,
        accountId: ACCOUNT,
        context: { [`${GITHUB_OIDC_HOST}:sub`]: claims.sub, [`${GITHUB_OIDC_HOST}:aud`]: claims.aud ?? GITHUB_OIDC_AUDIENCE },
        resourcePolicy: trust,
    });
}

/** What a deploy role may do, with its managed and inline policies (same account); a KMS key's own policy as `resourcePolicy`. */
function may(policies: any[], roleArn: string, action: string, resource: string, context: Record<string, string | string[]> = {}, resourcePolicy?: any): Promise<Decision> {
    return simulateRequest({ principal: roleArn, action, resourceArn: resource, accountId: ACCOUNT, context, identityPolicies: policies, resourcePolicy });
}

describe("GitHub deploy access (bootstrap)", () => {
    let plan: Plan;
    const role = (stack: string) => one(plan, "aws:iam/role:Role", `ai-nutritionist-deploy-${stack}-role`);
    const roleArn = (stack: string) => out(role(stack)).arn as string;
    const trust = (stack: string) => parse(role(stack).inputs.assumeRolePolicy);
    const policiesOf = (stack: string) => [POWER_USER_ACCESS, parse(one(plan, "aws:iam/rolePolicy:RolePolicy", `ai-nutritionist-deploy-${stack}-policy`).inputs.policy)];
    let provider: string;

    before(async () => {
        plan = await planWith({
            stack: "state",
            projectDir: path.join(REPO_ROOT, "bootstrap"),
            overrides: { "ai-nutritionist-bootstrap:githubRepository": REPO },
        });
        provider = out(one(plan, "aws:iam/openIdConnectProvider:OpenIdConnectProvider", "github-oidc")).arn;
    });

    it("plans with no mandatory violation (PowerUserAccess is an exemption with its reason)", () => {
        expect(mandatory(plan)).to.deep.equal([]);
        const exempted = plan.violations.filter(v => v.policy === "exempted-findings");
        expect(exempted.map(v => v.urn.split("::").pop())).to.have.members(STACKS.map(s => `ai-nutritionist-deploy-${s}-managed-0`));
    });

    it("every policy document of the deploy access fits AWS's catalogue (actions, condition keys, resource types)", async () => {
        const deploy = plan.resources.filter(r => r.name.startsWith("ai-nutritionist-deploy-"));
        const report = await checkResources(deploy);
        expect(report.documents).to.equal(2 * STACKS.length); // a trust policy and an inline policy per role
        expect(report.findings.map(f => `${f.where} [${f.statement}] ${f.problem}`)).to.deep.equal([]);
    });

    it("the catalogue check knows OIDC's sub and aud only on web-identity federation, and not a misspelt claim (fixtures)", async () => {
        const doc = (action: string, key: string) => ({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Federated: provider }, Action: action, Condition: { StringEquals: { [key]: "x" } } }] });
        expect(await checkDocument(doc("sts:AssumeRoleWithWebIdentity", `${GITHUB_OIDC_HOST}:sub`), "trust")).to.deep.equal([]);
        expect((await checkDocument(doc("sts:AssumeRoleWithWebIdentity", `${GITHUB_OIDC_HOST}:sbu`), "trust")).map(f => f.problem)).to.deep.equal([`condition key ${GITHUB_OIDC_HOST}:sbu does not exist (global or in any service)`]);
        expect((await checkDocument(doc("sts:AssumeRole", `${GITHUB_OIDC_HOST}:aud`), "trust")).map(f => f.problem)).to.deep.equal([`condition key ${GITHUB_OIDC_HOST}:aud does not exist (global or in any service)`]);
    });

    it("creates GitHub's OIDC provider with the audience sts.amazonaws.com", () => {
        const p = one(plan, "aws:iam/openIdConnectProvider:OpenIdConnectProvider", "github-oidc");
        expect(p.inputs.url).to.equal(`https://${GITHUB_OIDC_HOST}`);
        expect(p.inputs.clientIdLists).to.deep.equal([GITHUB_OIDC_AUDIENCE]);
        expect(provider).to.equal(`arn:aws:iam::${ACCOUNT}:oidc-provider/${GITHUB_OIDC_HOST}`);
    });

    it("creates one deploy role per stack under /github-deploy/ and exports their ARNs", () => {
        expect(ofType(plan, "aws:iam/role:Role")).to.have.length(STACKS.length);
        for (const s of STACKS) {
            expect(role(s).inputs.path).to.equal(DEPLOY_ROLE_PATH);
            expect(roleArn(s)).to.contain(`:role${DEPLOY_ROLE_PATH}`);
            expect(plan.outputs.deployRoleArns[s]).to.equal(roleArn(s));
        }
    });

    it("the trust policies are valid IAM trust policies (and the validator refuses a broken one)", () => {
        for (const s of STACKS) expect(validateTrustPolicy(trust(s)), s).to.deep.equal([]);
        expect(validateTrustPolicy({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Federated: provider }, Action: "sts:AssumeRoleWithWebIdentity", Resource: "*" }] })).to.not.deep.equal([]);
    });

    for (const stack of ["dev", "staging", "prod"]) {
        it(`the ${stack} role is assumable only by a job of ${REPO} in environment ${stack}, with the sts.amazonaws.com audience`, async () => {
            const t = trust(stack);
            const arn = roleArn(stack);
            expect(await assume(t, arn, { sub: `repo:${REPO}:environment:${stack}` }, provider)).to.equal("Allowed");
            for (const other of STACKS.filter(s => s !== stack)) {
                expect(await assume(t, arn, { sub: `repo:${REPO}:environment:${other}` }, provider), `from environment ${other}`).to.equal("ImplicitlyDenied");
            }
            const refused = [
                `repo:acme/other-repo:environment:${stack}`,          // another repository of the owner
                `repo:evil/ai-nutritionist-infra:environment:${stack}`, // a fork or look-alike elsewhere
                `repo:${REPO}:ref:refs/heads/main`,                   // a job without an environment
                `repo:${REPO}:pull_request`,                          // a pull request
                `repo:${REPO}:environment:${stack}-copy`,             // a look-alike environment
            ];
            for (const sub of refused) expect(await assume(t, arn, { sub }, provider), sub).to.equal("ImplicitlyDenied");
            expect(await assume(t, arn, { sub: `repo:${REPO}:environment:${stack}`, aud: "https://github.com/acme" }, provider), "other audience").to.equal("ImplicitlyDenied");
            expect(await assume(t, arn, { sub: `repo:${REPO}:environment:${stack}` }, `arn:aws:iam::${ACCOUNT}:oidc-provider/gitlab.com`), "other provider").to.equal("ImplicitlyDenied");
        });
    }

    it("the trust evaluator refuses a trust policy without the environment in its subject (bad fixture)", async () => {
        const loose = parse(JSON.stringify(trust("dev")).replace(`:environment:dev`, ":*")
            .replace('"StringEquals"', '"StringLike"'));
        expect(await assume(loose, roleArn("dev"), { sub: `repo:${REPO}:environment:prod` }, provider)).to.equal("Allowed");
    });

    it("a deploy role may use its stack's state and the secrets key", async () => {
        const bucket = `arn:aws:s3:::${out(one(plan, "aws:s3/bucket:Bucket", "state-bucket")).bucket}`;
        const p = policiesOf("dev");
        expect(await may(p, roleArn("dev"), "s3:PutObject", `${bucket}/.pulumi/stacks/ai-nutritionist/dev.json`)).to.equal("Allowed");
        expect(await may(p, roleArn("dev"), "s3:PutObject", `${bucket}/.pulumi/locks/ai-nutritionist/dev/1.json`)).to.equal("Allowed");
        // A KMS key needs its key policy too: ManagedKey's lets the account's IAM policies decide.
        const secretsKey = one(plan, "aws:kms/key:Key", "secrets-key-key");
        const stateKey = one(plan, "aws:kms/key:Key", "state-key-key");
        for (const action of ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"]) {
            expect(await may([p[1]], roleArn("dev"), action, out(secretsKey).arn, {}, parse(secretsKey.inputs.policy)), action).to.equal("Allowed");
        }
        // The state key only through S3 in the bucket's region.
        const viaS3 = { "kms:ViaService": "s3.us-east-1.amazonaws.com" };
        expect(await may([p[1]], roleArn("dev"), "kms:Decrypt", out(stateKey).arn, viaS3, parse(stateKey.inputs.policy))).to.equal("Allowed");
        expect(await may([p[1]], roleArn("dev"), "kms:Decrypt", out(stateKey).arn, {}, parse(stateKey.inputs.policy))).to.equal("ImplicitlyDenied");
        // Without PowerUserAccess, the inline policy alone still covers the state backend.
        expect(await may([p[1]], roleArn("dev"), "s3:GetObject", `${bucket}/.pulumi/history/ai-nutritionist/dev/dev-1.history.json`)).to.equal("Allowed");
        expect(await may([p[1]], roleArn("dev"), "s3:GetObject", `${bucket}/.pulumi/stacks/ai-nutritionist/prod.json`)).to.equal("ImplicitlyDenied");
    });

    it("a deploy role can never delete or re-key the state bucket and keys, nor erase state history", async () => {
        const bucket = `arn:aws:s3:::${out(one(plan, "aws:s3/bucket:Bucket", "state-bucket")).bucket}`;
        const keys = ["state-key-key", "secrets-key-key"].map(k => out(one(plan, "aws:kms/key:Key", k)).arn);
        for (const s of STACKS) {
            const p = policiesOf(s);
            expect(await may(p, roleArn(s), "s3:DeleteBucket", bucket)).to.equal("ExplicitlyDenied");
            expect(await may(p, roleArn(s), "s3:PutBucketPolicy", bucket)).to.equal("ExplicitlyDenied");
            expect(await may(p, roleArn(s), "s3:PutBucketVersioning", bucket)).to.equal("ExplicitlyDenied");
            expect(await may(p, roleArn(s), "s3:DeleteObjectVersion", `${bucket}/.pulumi/stacks/ai-nutritionist/${s}.json`)).to.equal("ExplicitlyDenied");
            for (const k of keys) {
                expect(await may(p, roleArn(s), "kms:ScheduleKeyDeletion", k)).to.equal("ExplicitlyDenied");
                expect(await may(p, roleArn(s), "kms:PutKeyPolicy", k)).to.equal("ExplicitlyDenied");
            }
        }
    });

    it("a deploy role manages no IAM identity outside its stack: not users, not the deploy roles, not another stack's roles", async () => {
        const p = policiesOf("dev");
        const devArn = roleArn("dev");
        expect(await may(p, devArn, "iam:CreateUser", `arn:aws:iam::${ACCOUNT}:user/intruder`)).to.equal("ImplicitlyDenied");
        expect(await may(p, devArn, "iam:UpdateAssumeRolePolicy", roleArn("prod"))).to.equal("ImplicitlyDenied");
        expect(await may(p, devArn, "iam:PutRolePolicy", roleArn("dev"))).to.equal("ImplicitlyDenied");
        expect(await may(p, devArn, "iam:PutRolePolicy", `arn:aws:iam::${ACCOUNT}:role/ai-nutritionist-prod-api-worker-role-1a2b3c4`)).to.equal("ImplicitlyDenied");
        expect(await may(p, devArn, "iam:AttachRolePolicy", `arn:aws:iam::${ACCOUNT}:role/ai-nutritionist-dev-api-worker-role-1a2b3c4`,
            { "iam:PolicyARN": "arn:aws:iam::aws:policy/AdministratorAccess" })).to.equal("ImplicitlyDenied");
        expect(await may(p, devArn, "iam:UpdateOpenIDConnectProviderThumbprint", provider)).to.equal("ImplicitlyDenied");
    });

    for (const stack of ["dev", "staging", "prod"]) {
        it(`the ${stack} deploy role may create every IAM role and attachment the ${stack} plan has, and the other deploy roles may not`, async () => {
            const app = await planStack(stack);
            const roles = ofType(app, "aws:iam/role:Role");
            expect(roles.length).to.be.greaterThan(0);
            const arnOf = (r: PlannedResource) => `arn:aws:iam::${ACCOUNT}:role${r.inputs.path ?? "/"}${out(r).name}`;
            for (const r of roles) {
                expect(await may(policiesOf(stack), roleArn(stack), "iam:CreateRole", arnOf(r)), `${stack} creates ${out(r).name}`).to.equal("Allowed");
                expect(await may(policiesOf(stack), roleArn(stack), "iam:PassRole", arnOf(r)), `${stack} passes ${out(r).name}`).to.equal("Allowed");
                for (const other of STACKS.filter(s => s !== stack)) {
                    expect(await may(policiesOf(other), roleArn(other), "iam:CreateRole", arnOf(r)), `${other} creates ${out(r).name}`).to.equal("ImplicitlyDenied");
                }
            }
            const byUrn = new Map(roles.map(r => [r.urn, r]));
            for (const a of ofType(app, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")) {
                const target = roles.find(r => out(r).name === a.inputs.role || out(r).id === a.inputs.role) ?? byUrn.get(a.dependencies.find(d => byUrn.has(d)) ?? "");
                expect(target, a.name).to.not.equal(undefined);
                expect(await may(policiesOf(stack), roleArn(stack), "iam:AttachRolePolicy", arnOf(target!), { "iam:PolicyARN": a.inputs.policyArn }),
                    `${stack} attaches ${a.inputs.policyArn}`).to.equal("Allowed");
            }
        });
    }

    it("ATTACHABLE_MANAGED_POLICIES lists exactly the managed policies the three stacks attach", async () => {
        const used = new Set<string>();
        for (const s of STACKS) for (const a of ofType(await planStack(s), "aws:iam/rolePolicyAttachment:RolePolicyAttachment")) used.add(a.inputs.policyArn.replace(/^arn:aws:iam::aws:policy\//, ""));
        expect([...used]).to.have.members(ATTACHABLE_MANAGED_POLICIES);
    });

    describe("settings", () => {
        const base = { "aws:region": "us-east-1" };
        const ns = (k: string) => `ai-nutritionist-bootstrap:${k}`;
        const problems = (extra: Record<string, string>) => {
            try {
                resolveBootstrapSettings({ ...base, ...extra });
                return [];
            } catch (e) {
                expect(e).to.be.instanceOf(SettingsError);
                return (e as SettingsError).problems;
            }
        };

        it("no repository: no GitHub deploy access (and no stray provider ARN)", () => {
            expect(resolveBootstrapSettings(base).githubRepository).to.equal("");
            expect(problems({ [ns("githubOidcProviderArn")]: `arn:aws:iam::${ACCOUNT}:oidc-provider/${GITHUB_OIDC_HOST}` })).to.have.length(1);
        });

        it("refuses a repository that is not owner/name, listing every other problem with it", () => {
            const p = problems({
                [ns("githubRepository")]: "https://github.com/acme/infra",
                [ns("deployStacks")]: JSON.stringify(["dev", "dev", "prod eu", "dev-eu"]),
                [ns("deployManagedPolicies")]: JSON.stringify(["AdministratorAccess"]),
            });
            expect(p.join("\n")).to.match(/githubRepository: repository must be <owner>\/<name>/);
            expect(p.join("\n")).to.match(/deployStacks: stacks lists dev twice/);
            expect(p.join("\n")).to.match(/deployStacks: stack "prod eu" must use/);
            expect(p.join("\n")).to.match(/dev-eu starts with dev-, so dev's IAM scope ai-nutritionist-dev-\* would cover dev-eu's roles/);
            expect(p.join("\n")).to.match(/AdministratorAccess would let a deploy role manage any IAM identity/);
        });

        it("refuses a stack name too long for its deploy role's name, naming IAM's cap", () => {
            const p = validateGithubDeployAccessArgs({ repository: REPO, stacks: ["x".repeat(40)], project: "ai-nutritionist" });
            expect(p).to.have.length(1);
            expect(p[0]).to.match(/IAM role names are at most 64/);
        });

        it("accepts an existing provider ARN instead of creating one, and an empty stack list is refused", () => {
            expect(validateGithubDeployAccessArgs({ repository: REPO, stacks: ["dev"], project: "ai-nutritionist", existingOidcProviderArn: `arn:aws:iam::${ACCOUNT}:oidc-provider/${GITHUB_OIDC_HOST}` })).to.deep.equal([]);
            expect(validateGithubDeployAccessArgs({ repository: REPO, stacks: ["dev"], project: "ai-nutritionist", existingOidcProviderArn: `arn:aws:iam::${ACCOUNT}:oidc-provider/gitlab.com` })).to.have.length(1);
            expect(validateGithubDeployAccessArgs({ repository: REPO, stacks: [], project: "ai-nutritionist" })).to.deep.equal(["stacks must name at least one stack"]);
        });
    });
});
