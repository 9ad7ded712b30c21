import * as fs from 'fs';
import * as path from 'path';
import { Annotations, Aspects, Aws, CfnCapabilities, NestedStack, Stack, Stage, StageSynthesisOptions, Token } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { Construct } from 'constructs';
import { CHANGE_SET_NAME } from './cloudformation-names';
import { describeCustomDeploymentConfig, describeDeploymentConfig } from './codedeploy-targets';
import { AssetManifestModel, BuildOutputRead, DeploymentActionName, DeploymentModel, DeploymentRenderContext, ModelContext } from '../model/model';
import { ACTION_TEMPLATE_WARN_BYTES, MAX_TEMPLATE_BYTES } from '../model/quotas';
import { isAppStagingSynthesizer } from '../private/app-staging';
import { defaultAssemblyDirectory } from '../private/artifact-paths';
import { described, isToken, Validator } from '../private/validation';

/**
 * How an environment deploys stages of several accounts or regions (a CDK Pipelines wave across
 * them), which the errors about a stage's account or region name.
 */
const SEVERAL_PER_ENVIRONMENT = 'An environment that names no account (region) deploys each stage to the account (region) its stacks name, '
  + 'so stages of several accounts or regions (a wave across them) deploy in parallel in one environment, after its one approval.';

/** Options of a CDK stage deployment. */
export interface CdkStageOptions {
  /**
   * Put a manual review of the stage's change sets between creating and executing them (adds
   * `Approval.changeSetReview()` to the environment when it has no approval; with
   * `Approval.manual()`, which comes before the change sets exist, it is refused).
   *
   * @default false
   */
  readonly changeSetReview?: boolean;
  /**
   * Where the build writes the cloud assembly (`cdk synth` output) inside the build output:
   * `'.'` when the build output is the cloud assembly itself.
   *
   * @default - `'.'` when the build's `outputDirectory` is `cdk.out` or ends in `/cdk.out`, else `'cdk.out'`
   */
  readonly cloudAssemblyDirectory?: string;
  /**
   * Whether the asset-publishing action may run privileged (Docker-in-Docker), which building
   * the stage's Docker image assets needs. Set it to false where privileged builds are not
   * available; a stage with Docker image assets is then refused at synth.
   *
   * @default true
   */
  readonly privilegedAssetPublishing?: boolean;
}

interface TargetEnv {
  readonly account?: string;
  readonly region?: string;
  readonly name: string;
  readonly pipelineRegion: string;
  readonly pipelineAccount: string;
}

interface StackPlan {
  readonly stackName: string;
  readonly templatePath: string;
  readonly level: number;
  readonly account?: string;
  readonly region?: string;
  readonly deployRoleArn?: string;
  readonly execRoleArn?: string;
  readonly canaries: string[];
  /** ECS blue/green deployment groups of the stack (logical ids). */
  readonly ecsGroups: string[];
  /** The template configuration file (the stack's tags) in the build output, if the stack has tags. */
  readonly templateConfigurationPath?: string;
  readonly artifactId: string;
  /** The template's outputs: logical id -> whether it has a Condition. */
  readonly outputs: Record<string, boolean>;
}

function replacePlaceholders(arn: string | undefined, account: string, region: string): string | undefined {
  if (!arn) return undefined;
  return arn.replace(/\$\{AWS::Partition\}/g, Aws.PARTITION).replace(/\$\{AWS::AccountId\}/g, account).replace(/\$\{AWS::Region\}/g, region);
}

/**
 * A stack's tags (`new Stack(stage, id, { tags })`, `Tags.of(stack)`) are not in its template:
 * `cdk deploy` passes them to CloudFormation. The change-set action passes them in a template
 * configuration file, written beside the template into the cloud assembly (the build's synth writes
 * it into the build output the same way). Returns its path in the build output, or undefined
 * without tags.
 */
function writeTemplateConfiguration(stack: cxapi.CloudFormationStackArtifact, directoryInBuildOutput: string): string | undefined {
  const tags = stack.tags ?? {};
  if (Object.keys(tags).length === 0) return undefined;
  fs.writeFileSync(`${stack.templateFullPath}.config.json`, JSON.stringify({ Tags: tags }, undefined, 2));
  return path.posix.join(directoryInBuildOutput, `${stack.templateFile}.config.json`);
}

/**
 * Up to `limit` files of an asset (its file, or files of its directory), relative to the manifest's
 * directory: enough to tell whether the build's output globs keep the asset. None for an absolute
 * path (asset staging off) or a source that is not there.
 */
function sampleFiles(baseDir: string, source: unknown, limit = 5): string[] {
  if (typeof source !== 'string' || path.isAbsolute(source)) return [];
  const out: string[] = [];
  const walk = (rel: string): void => {
    if (out.length >= limit) return;
    const full = path.join(baseDir, rel);
    let stat: fs.Stats;
    try {
      stat = fs.statSync(full);
    } catch {
      return;
    }
    if (!stat.isDirectory()) {
      out.push(rel.split(path.sep).join('/'));
      return;
    }
    for (const entry of fs.readdirSync(full).sort()) walk(path.join(rel, entry));
  };
  walk(source);
  return out;
}

/**
 * CodeDeploy deployment groups found in a template. Lambda groups roll the alias out during the
 * CloudFormation update (the alias's `CodeDeployLambdaAliasUpdate` update policy): canaries. An ECS
 * blue/green group's service has the CODE_DEPLOY deployment controller, whose task definition
 * CloudFormation cannot update: listed apart, for a warning. EC2/on-premises groups deploy nothing
 * during the update: left out.
 */
function codeDeployGroupsIn(templateFile: string): { canaries: string[]; ecsGroups: string[] } {
  let template: any;
  try {
    template = JSON.parse(fs.readFileSync(templateFile, 'utf8'));
  } catch {
    return { canaries: [], ecsGroups: [] };
  }
  const resources: Record<string, any> = template.Resources ?? {};
  const aliasGroups = new Set(Object.values(resources)
    .map(r => r?.Type === 'AWS::Lambda::Alias' ? r.UpdatePolicy?.CodeDeployLambdaAliasUpdate?.DeploymentGroupName?.Ref : undefined)
    .filter((id): id is string => typeof id === 'string'));
  const platformOf = (r: any): string | undefined => {
    const app = r.Properties?.ApplicationName;
    const ref = app && typeof app === 'object' ? app.Ref : undefined;
    return typeof ref === 'string' ? resources[ref]?.Properties?.ComputePlatform : undefined;
  };
  const canaries: string[] = [];
  const ecsGroups: string[] = [];
  for (const [id, r] of Object.entries<any>(resources)) {
    if (r?.Type !== 'AWS::CodeDeploy::DeploymentGroup') continue;
    const platform = platformOf(r);
    if (r.Properties?.ECSServices !== undefined || platform === 'ECS') {
      ecsGroups.push(id);
      continue;
    }
    if (!aliasGroups.has(id) && platform !== 'Lambda') continue;
    const config = r.Properties?.DeploymentConfigName;
    const ref = config && typeof config === 'object' ? config.Ref : undefined;
    const custom = typeof ref === 'string' ? describeCustomDeploymentConfig(resources[ref]?.Properties) : undefined;
    const strategy = typeof config === 'string' ? describeDeploymentConfig(config) : custom ?? 'custom deployment config';
    const alarms = r.Properties?.AlarmConfiguration?.Alarms?.length ?? 0;
    canaries.push(`${id}: ${strategy}${alarms ? ` · auto-rollback on ${alarms} alarm${alarms === 1 ? '' : 's'}` : ''} (CodeDeploy, during the CloudFormation update)`);
  }
  return { canaries, ecsGroups };
}

/** The nested stacks of a stage's stack (at any depth): their templates are files of the stage's assembly directory. */
function nestedStacksOf(stage: Stage, artifactId: string): NestedStack[] {
  const stack = stage.node.findAll().find(c => Stack.isStack(c) && c.artifactId === artifactId);
  return stack ? stack.node.findAll().filter((c): c is NestedStack => NestedStack.isNestedStack(c)) : [];
}

/** The CodeDeploy groups of a stage's stack and of its nested stacks (named `<nested stack>/<group>`). */
function codeDeployGroupsOfStack(stage: Stage, artifactId: string, templateFile: string, directory: string): ReturnType<typeof codeDeployGroupsIn> {
  const own = codeDeployGroupsIn(templateFile);
  for (const n of nestedStacksOf(stage, artifactId)) {
    const found = codeDeployGroupsIn(path.join(directory, n.templateFile));
    own.canaries.push(...found.canaries.map(c => `${n.node.id}/${c}`));
    own.ecsGroups.push(...found.ecsGroups.map(g => `${n.node.id}/${g}`));
  }
  return own;
}

/** The cloud assembly directory inside the build output, as a clean relative path. */
function assemblyDirectory(v: Validator, field: string, value: unknown, outputDirectory: string | undefined): string {
  const fix = "Pass the directory the build's 'cdk synth' writes, relative to the build output, for example 'cdk.out'.";
  const raw = v.optionalString(field, value, fix) ?? defaultAssemblyDirectory(outputDirectory);
  if (isToken(raw)) return raw;
  if (raw.includes('\\')) {
    v.fail(field, "separates directories with '\\', but CodePipeline reads paths inside the build artifact with '/' only", raw, `Pass '${raw.replace(/\\/g, '/')}'.`);
  }
  if (/[*?[\]{}]/.test(raw)) {
    v.fail(field, 'is a glob, but the actions read the templates from one directory', raw, fix);
  }
  const dir = path.posix.normalize(raw.trim()).replace(/\/+$/, '');
  if (raw.trim() === '' || path.posix.isAbsolute(dir) || dir === '..' || dir.startsWith('../')) {
    v.fail(field, 'must be a directory inside the build output', raw, fix);
  }
  return dir;
}

/** Paths of the stacks of the stage itself (not of stages nested in it). */
function stackPaths(stage: Stage): string[] {
  return stage.node.findAll().filter(c => Stack.isStack(c) && Stage.of(c) === stage).map(c => c.node.path);
}

/**
 * The pipeline deploys the templates the stage had when it was synthesized (when the pipeline was
 * configured). A stack or resource added later would make aws-cdk-lib's synth fail with "Synthesis
 * has been called multiple times and the construct tree was modified", and a tag or aspect added
 * later would silently not apply: the stage's next synth fails with the library's error instead,
 * naming what was added.
 */
function refuseLaterStacks(v: Validator, field: string, stage: Stage): void {
  const snapshot = () => {
    const constructs = stage.node.findAll();
    return { paths: constructs.map(c => c.node.path), aspects: constructs.reduce((n, c) => n + Aspects.of(c).all.length, 0) };
  };
  const before = snapshot();
  const known = new Set(before.paths);
  const synthesized = new Set(stackPaths(stage));
  const synth = stage.synth.bind(stage);
  const fix = 'Add every stack, resource, tag and aspect to the stage before creating the pipeline (or before addEnvironment with this stage).';
  Object.defineProperty(stage, 'synth', {
    configurable: true,
    writable: true,
    value: (options?: StageSynthesisOptions) => {
      const addedStacks = stackPaths(stage).filter(p => !synthesized.has(p));
      if (addedStacks.length > 0) {
        v.fail(field, 'got stacks after the pipeline was configured, when the stage was synthesized for it', described(addedStacks.map(p => `'${p}'`).join(', ')), fix);
      }
      const now = snapshot();
      const added = now.paths.filter(p => !known.has(p));
      if (added.length > 0) {
        v.fail(field, 'got constructs after the pipeline was configured, when the stage was synthesized for it', described(added.slice(0, 3).map(p => `'${p}'`).join(', ')
          + (added.length > 3 ? ` and ${added.length - 3} more` : '')), fix);
      }
      if (now.aspects !== before.aspects) {
        v.fail(field, 'got tags or aspects after the pipeline was configured, when the stage was synthesized for it: its templates would not have them',
          described(`${now.aspects - before.aspects} more`), fix);
      }
      return synth(options);
    },
  });
}

/**
 * A nested stack's template is uploaded as an asset and loaded by CloudFormation from S3 when it
 * creates or updates the nested stack, with the 1 MB limit of a template in S3: a larger one fails
 * the deployment of its parent stack (the parent's change set only names its URL).
 */
function refuseLargeNestedTemplate(v: Validator, field: string, stackName: string, nested: NestedStack, file: string): void {
  let bytes: number;
  try {
    bytes = fs.statSync(file).size;
  } catch {
    return;
  }
  if (bytes <= MAX_TEMPLATE_BYTES) return;
  let minified: number | undefined;
  try {
    minified = Buffer.byteLength(JSON.stringify(JSON.parse(fs.readFileSync(file, 'utf8'))));
  } catch {
    minified = undefined;
  }
  const fix = minified !== undefined && minified < bytes && minified <= MAX_TEMPLATE_BYTES
    ? `Set suppressTemplateIndentation: true on the nested stack (its template is then ${minified} bytes), or move resources into another nested stack.`
    : 'Move resources into another nested stack (or another stack of the stage).';
  v.fail(field, `holds stack '${stackName}' whose nested stack '${nested.node.path}' has a template of ${bytes} bytes, more than CloudFormation's `
    + `${MAX_TEMPLATE_BYTES} for a template in S3: the stack's deployment would fail when CloudFormation creates or updates the nested stack`,
  described(`${bytes} bytes`), fix);
}

/**
 * Stack settings `cdk deploy` applies but CodePipeline's CloudFormation actions cannot:
 * termination protection and notification ARNs. The warning says what to do instead.
 */
function unappliedStackSettings(stacks: cxapi.CloudFormationStackArtifact[]): string[] {
  const out: string[] = [];
  for (const s of stacks) {
    if (s.terminationProtection) {
      out.push(`stack '${s.stackName}' has terminationProtection, which the pipeline's CloudFormation actions cannot set: the pipeline creates it unprotected. `
        + `After its first deployment, run 'aws cloudformation update-termination-protection --enable-termination-protection --stack-name ${s.stackName}' `
        + 'in its account and region (it stays on), or deploy it once with \'cdk deploy\'.');
    }
    if (s.notificationArns && s.notificationArns.length > 0) {
      out.push(`stack '${s.stackName}' has notificationArns, which the pipeline's CloudFormation actions cannot set: the pipeline deploys it without them. `
        + "Follow the stack's events with an EventBridge rule instead (source aws.cloudformation, detail-type 'CloudFormation Stack Status Change') in its account and region.");
    }
  }
  return out;
}

/**
 * CodePipeline runs an action in the account of the role it assumes, and CloudFormation takes an
 * execution role of the stack's own account only: a synthesizer that names a deploy role or
 * CloudFormation execution role of another account than the stack's (`deployRoleArn:
 * 'arn:${AWS::Partition}:iam::222222222222:role/deployer'`) would deploy the stack in that account,
 * where the plan, the policy rules and the environment do not put it. Roles named with
 * `${AWS::AccountId}` (the bootstrap roles) are of the stack's account.
 */
function refuseRolesOfOtherAccounts(v: Validator, field: string, stage: Stage, s: cxapi.CloudFormationStackArtifact, stackAccount: string): void {
  if (isToken(stackAccount)) return;
  const roles = [
    ['deploy role', 'deployRoleArn', s.assumeRoleArn, 'CodePipeline would run the stack\'s actions, and CloudFormation create it, in that account'],
    ['CloudFormation execution role', 'cloudFormationExecutionRole', s.cloudFormationExecutionRoleArn,
      'CloudFormation takes an execution role of the stack\'s own account only, so the change set would fail'],
  ] as const;
  for (const [what, option, arn, why] of roles) {
    if (arn === undefined) continue;
    const roleAccount = /^arn:(?:\$\{AWS::Partition\}|[^:]*):iam::(\d{12}):/.exec(arn.replace(/\$\{AWS::AccountId\}/g, stackAccount))?.[1];
    if (roleAccount === undefined || roleAccount === stackAccount) continue;
    v.fail(field, `holds stack '${s.stackName}' (stage '${stage.stageName}') whose synthesizer names a ${what} of account ${roleAccount}, but the stack deploys to `
      + `account ${stackAccount}: ${why}`, arn,
    `Name a role of account ${stackAccount} in the stack's synthesizer (${option}; '\${AWS::AccountId}' stands for the stack's account), or deploy the stack `
      + `to account ${roleAccount} (the stage's env and the environment's account).`);
  }
}

/**
 * The AppStagingSynthesizer (`@aws-cdk/app-staging-synthesizer-alpha`) puts a stack's assets in the
 * bucket and repositories of a staging stack of the app, whose publishing roles trust the stack's
 * account only. The pipeline publishes the stages' assets once per execution, before any environment,
 * so it would publish them before the staging stack (its bucket, repositories and roles) exists or
 * gets a new repository, and from the pipeline's account: the asset publishing would fail. Its
 * default staging stack is created in the App, out of the stage, which aws-cdk-lib refuses as a
 * dependency that crosses stage boundaries.
 */
function refuseAppStagingSynthesizer(v: Validator, field: string, stage: Stage): void {
  for (const stack of stage.node.findAll().filter((c): c is Stack => Stack.isStack(c) && Stage.of(c) === stage)) {
    if (!isAppStagingSynthesizer(stack.synthesizer)) continue;
    v.fail(field, `holds stack '${stack.stackName}' whose synthesizer is the AppStagingSynthesizer (@aws-cdk/app-staging-synthesizer-alpha), which puts its assets `
      + "in the bucket and repositories of the app's staging stack: the pipeline publishes the stages' assets once per execution before any environment, "
      + 'so before that staging stack exists (or has the repository of a new image asset): the asset publishing would fail',
    stack.node.path, 'Give the stacks of stages the pipeline deploys the DefaultStackSynthesizer (synthesizer: new DefaultStackSynthesizer() on each stack, '
      + 'or no defaultStackSynthesizer on the App): their assets then go to the CDK bootstrap bucket and repository (cdk bootstrap --trust <pipeline account> '
      + 'for another account).');
  }
}

/** Model of `DeploymentTarget.cdkStage`. */
export function cdkStageModel(ctx: ModelContext, stage: Stage, options: CdkStageOptions, env: TargetEnv): DeploymentModel {
  const v: Validator = ctx.validator;
  if (!stage || !Stage.isStage(stage)) {
    v.fail(`${ctx.field}.stage`, 'must be a CDK Stage', stage, 'Pass a Stage holding the stacks to deploy: new MyServiceStage(app, \'Prod\', { env }).');
  }
  if (stage.node.root === stage) {
    v.fail(`${ctx.field}.stage`, 'is the App itself, not a Stage in it', described('the App'),
      'Pass a Stage holding the stacks to deploy: new MyServiceStage(app, \'Prod\', { env }).');
  }
  if (v.root && stage.node.root !== v.root) {
    v.fail(`${ctx.field}.stage`, 'belongs to another CDK app than the pipeline, so the build\'s \'cdk synth\' never writes its templates', stage.node.path,
      'Create the stage in the app that holds the pipeline\'s stack: new MyServiceStage(app, \'Prod\', { env }).');
  }
  const o = options ?? {};
  v.noMisspeltFields(ctx.field, o, 'CdkStageOptions');
  const review = v.optionalBoolean(`${ctx.field}.changeSetReview`, o.changeSetReview) ?? false;
  const dir = assemblyDirectory(v, `${ctx.field}.cloudAssemblyDirectory`, o.cloudAssemblyDirectory, ctx.buildOutputDirectory);

  // as CDK Pipelines does: the stacks' manifests ask the CDK CLI to check them for error annotations
  // (cdk-nag, Annotations.addError), so that 'cdk synth' fails on them as it does for the app's own stacks
  refuseAppStagingSynthesizer(v, `${ctx.field}.stage`, stage);
  const assembly = stage.synth({ validateOnSynthesis: true });
  refuseLaterStacks(v, `${ctx.field}.stage`, stage);
  const stacks = assembly.stacks;
  // stacks of a stage nested in this one are in a nested assembly this target does not deploy: the
  // environment checks that targets of their own deploy them
  const nestedStages = [...new Set(stage.node.findAll().filter(c => Stack.isStack(c) && Stage.of(c) !== stage).map(c => Stage.of(c)!))];
  if (stacks.length === 0) {
    if (nestedStages.length > 0) {
      v.fail(`${ctx.field}.stage`, 'has no stacks of its own: its stacks are in the stages nested in it, which this target would not deploy',
        described(nestedStages.slice(0, 3).map(n => `'${n.node.path}'`).join(', ')), 'Deploy each nested stage with a DeploymentTarget.cdkStage(...) of its own.');
    }
    v.fail(`${ctx.field}.stage`, 'has no stacks to deploy', stage.node.path, 'Add stacks to the stage before creating the pipeline (the stage is synthesized when the pipeline is configured).');
  }
  const missing = assembly.manifest.missing ?? [];
  if (missing.length > 0) {
    v.fail(`${ctx.field}.stage`, `has stacks that use context lookups (${missing.map(m => m.key).slice(0, 3).join(', ')}) that are not in cdk.context.json`, stage.node.path,
      "Run 'cdk synth' once with credentials for the target account and commit cdk.context.json, so the pipeline's build synthesizes without lookups.");
  }

  const root = stage.node.root as Stage;
  const relative = path.relative(root.outdir, assembly.directory).split(path.sep).join('/');
  const byId = new Map(stacks.map(s => [s.id, s]));
  const levels = new Map<string, number>();
  const levelOf = (id: string, seen: Set<string> = new Set()): number => {
    if (levels.has(id)) return levels.get(id)!;
    if (seen.has(id)) return 0;
    seen.add(id);
    const deps = byId.get(id)!.dependencies.map(d => d.id).filter(d => byId.has(d));
    const level = deps.length === 0 ? 0 : 1 + Math.max(...deps.map(d => levelOf(d, seen)));
    levels.set(id, level);
    return level;
  };

  const literal = (x: string) => x !== 'unknown-account' && x !== 'unknown-region' && !isToken(x);
  // a stage deploys to one account and region: the plan and the policy rules read one of each per target
  for (const [what, values] of [
    ['account', [...new Set(stacks.map(s => s.environment.account).filter(literal))]],
    ['region', [...new Set(stacks.map(s => s.environment.region).filter(literal))]],
  ] as const) {
    if (values.length > 1) {
      v.fail(`${ctx.field}.stage`, `holds stacks for ${values.length} ${what === 'account' ? 'accounts' : 'regions'} (${values.join(', ')}), but a CDK stage target deploys to one ${what}`,
        stage.node.path, `Split the stage into one stage per ${what}, and deploy them from one environment that names no ${what} `
        + '(its targets deploy in parallel, each where its stacks say) or from one environment each.');
    }
  }
  // templates CodePipeline's CloudFormation action has been reported to refuse (under CloudFormation's own limit)
  const large: string[] = [];
  const externalIds: string[] = [];
  for (const s of stacks) {
    if (!s.assumeRoleArn || !s.cloudFormationExecutionRoleArn) {
      v.fail(`${ctx.field}.stage`, `holds stack '${s.stackName}' whose synthesizer names no deploy role and CloudFormation execution role, which the pipeline's actions need`,
        described(s.stackName), 'Use the DefaultStackSynthesizer (the default; not LegacyStackSynthesizer or CliCredentialsStackSynthesizer), or a BootstraplessSynthesizer with deployRoleArn and cloudFormationExecutionRoleArn.');
    }
    const bytes = fs.statSync(s.templateFullPath).size;
    if (bytes > MAX_TEMPLATE_BYTES) {
      v.fail(`${ctx.field}.stage`, `holds stack '${s.stackName}' whose template is ${bytes} bytes, more than CloudFormation's ${MAX_TEMPLATE_BYTES}: its change set would be refused`,
        described(`${bytes} bytes`), 'Move resources into another stack of the stage (or a NestedStack), or set suppressTemplateIndentation: true on the stack.');
    }
    // CloudFormation loads a nested stack's template from S3 (TemplateURL), with the same 1 MB limit
    for (const n of nestedStacksOf(stage, s.id)) {
      refuseLargeNestedTemplate(v, `${ctx.field}.stage`, s.stackName, n, path.join(assembly.directory, n.templateFile));
    }
    if (bytes > ACTION_TEMPLATE_WARN_BYTES) {
      large.push(`stack '${s.stackName}' has a template of ${bytes} bytes. CloudFormation accepts 1 MB, but CodePipeline's CloudFormation action has been `
        + 'reported to refuse templates over 512 KB (aws-cloudformation/cloudformation-coverage-roadmap#1023). If its change set fails with a template size error, '
        + 'move resources into another stack of the stage, or set suppressTemplateIndentation: true on the stack.');
    }
    // CodePipeline assumes an action's role without an external id
    const externalId = (s.manifest.properties as { assumeRoleExternalId?: string } | undefined)?.assumeRoleExternalId;
    if (externalId !== undefined) {
      externalIds.push(`stack '${s.stackName}' has a synthesizer that assumes its deploy role with an external id (deployRoleExternalId), which CodePipeline `
        + 'cannot pass when it assumes an action\'s role: if the role\'s trust policy requires the id, the deployment fails with AccessDenied. Let the deploy '
        + "role trust the pipeline's account without the id (cdk bootstrap --trust), or leave deployRoleExternalId out for stacks the pipeline deploys.");
    }
    const params = Object.entries<any>(s.template.Parameters ?? {}).filter(([, p]) => p?.Default === undefined).map(([id]) => id);
    if (params.length > 0) {
      v.fail(`${ctx.field}.stage`, `holds stack '${s.stackName}' whose template has parameters without a default, for which the pipeline's change set passes no value`,
        described(params.join(', ')), 'Give each CfnParameter a default, or pass the values as construct properties of the stack instead of parameters.');
    }
  }

  const plans: StackPlan[] = stacks.map(s => {
    const stackAccount = s.environment.account;
    const stackRegion = s.environment.region;
    // an environment that names its account (region) deploys there; one that does not deploys each
    // stack where it says, and an environment-agnostic one to the pipeline's account (region)
    if (literal(stackAccount) && env.account !== undefined && !isToken(env.account) && stackAccount !== env.account) {
      v.fail(`${ctx.field}.stage`, `holds stack '${s.stackName}' for account ${stackAccount}, but environment '${env.name}' deploys to account ${env.account}`, stackAccount,
        `Give the stage env: { account: '${env.account}' }, or leave the environment's account out. ${SEVERAL_PER_ENVIRONMENT}`);
    }
    if (literal(stackRegion) && env.region !== undefined && !isToken(env.region) && stackRegion !== env.region) {
      v.fail(`${ctx.field}.stage`, `holds stack '${s.stackName}' for region ${stackRegion}, but environment '${env.name}' deploys to region ${env.region}`, stackRegion,
        `Give the stage env: { region: '${env.region}' }, or leave the environment's region out. ${SEVERAL_PER_ENVIRONMENT}`);
    }
    const account = literal(stackAccount) ? stackAccount : env.account;
    const region = literal(stackRegion) ? stackRegion : env.region;
    refuseRolesOfOtherAccounts(v, `${ctx.field}.stage`, stage, s, account ?? env.pipelineAccount);
    return {
      stackName: s.stackName,
      templatePath: path.posix.join(dir, relative, s.templateFile),
      level: levelOf(s.id),
      account,
      region,
      deployRoleArn: s.assumeRoleArn,
      execRoleArn: s.cloudFormationExecutionRoleArn,
      ...codeDeployGroupsOfStack(stage, s.id, s.templateFullPath, assembly.directory),
      templateConfigurationPath: writeTemplateConfiguration(s, path.posix.join(dir, relative)),
      artifactId: s.id,
      outputs: Object.fromEntries(Object.entries<any>(s.template.Outputs ?? {}).map(([id, out]) => [id, out?.Condition !== undefined])),
    };
  });

  // assets: every asset manifest of the stage, published once per execution by one action
  const manifests = assembly.artifacts
    .filter(a => a.manifest.type === 'cdk:asset-manifest')
    .map(a => ({ file: (a.manifest.properties as any)?.file as string, content: JSON.parse(fs.readFileSync(path.join(assembly.directory, (a.manifest.properties as any).file), 'utf8')) }));
  const templates = new Set(stacks.map(s => s.templateFile));
  let files = 0;
  let images = 0;
  let imagesWithoutPlatform = 0;
  const publishingRoles = new Set<string>();
  const assetManifests: AssetManifestModel[] = [];
  const assetReads: BuildOutputRead[] = [];
  const read = (what: string, file: string): BuildOutputRead => ({ field: `${ctx.field}.cloudAssemblyDirectory`, what, path: file, value: dir, movesSelfUpdate: true });
  for (const m of manifests) {
    // The stacks' templates are file assets of their manifests, but the pipeline deploys them from
    // the build output: they are not published (the publishing script leaves them out by name, so
    // the publishing role needs no file-publishing role for a stage with only image assets). Nested
    // stack templates are assets like any other: CloudFormation reads them from the bucket.
    const allFiles = Object.values<any>(m.content.files ?? {});
    const assetFiles = allFiles.filter(f => !templates.has(f.source?.path));
    const assetImages = Object.values<any>(m.content.dockerImages ?? {});
    // a manifest that holds only the stack template needs no publishing
    if (assetFiles.length + assetImages.length === 0) continue;
    const manifest = path.posix.join(dir, relative, m.file);
    const deployedTemplates = [...new Set(allFiles.map(f => f.source?.path).filter(f => templates.has(f)))].sort();
    assetManifests.push({ path: manifest, deployedTemplates });
    assetReads.push(read(`the asset manifest of stage '${stage.stageName}'`, manifest));
    const manifestDir = path.posix.dirname(m.file);
    for (const a of [...assetFiles.map(f => f.source?.path), ...assetImages.map(i => i.source?.directory)]) {
      for (const f of sampleFiles(path.join(assembly.directory, manifestDir), a)) {
        assetReads.push(read(`the asset ${path.posix.basename(String(a))} of stage '${stage.stageName}'`, path.posix.join(dir, relative, manifestDir, f)));
      }
    }
    files += assetFiles.length;
    images += assetImages.length;
    imagesWithoutPlatform += assetImages.filter(i => !i.source?.platform).length;
    for (const a of [...assetFiles, ...assetImages]) {
      for (const d of Object.values<any>(a.destinations ?? {})) if (d.assumeRoleArn) publishingRoles.add(d.assumeRoleArn);
    }
  }

  const privilegedAllowed = v.optionalBoolean(`${ctx.field}.privilegedAssetPublishing`, o.privilegedAssetPublishing) ?? true;
  if (images > 0 && !privilegedAllowed) {
    v.fail(`${ctx.field}.stage`, `has ${images} Docker image asset${images === 1 ? ', which needs' : 's, which need'} a privileged build to publish, but privilegedAssetPublishing is false`,
      stage.node.path, 'Build and push the images outside the pipeline (ecs.ContainerImage.fromEcrRepository), or allow privileged asset publishing.');
  }
  // cdk-assets fills an env-agnostic stack's asset destinations (${AWS::AccountId}, ${AWS::Region})
  // from where it runs: the pipeline's account and region, not the environment's
  if (assetManifests.length > 0) {
    const otherAccount = env.account !== undefined && !isToken(env.account) && env.account !== env.pipelineAccount;
    const otherRegion = env.region !== undefined && !isToken(env.region) && env.region !== env.pipelineRegion;
    const agnostic = stacks.filter(s => (otherAccount && !literal(s.environment.account)) || (otherRegion && !literal(s.environment.region)));
    if (agnostic.length > 0) {
      const where = [otherAccount ? `account ${env.account}` : undefined, otherRegion ? env.region : undefined].filter(Boolean).join(', ');
      v.fail(`${ctx.field}.stage`, `holds stacks without an explicit account or region, whose assets would be published to the pipeline's account and region while the stacks deploy to ${where}`,
        described(agnostic.map(s => `'${s.stackName}'`).join(', ')),
        `Give the stage env: { account: '${env.account ?? env.pipelineAccount}', region: '${env.region ?? env.pipelineRegion}' }.`);
    }
  }
  // actions are named after their stacks; `prefix` ('<stage>.') tells apart stacks of one name in
  // two stages of one environment (in other accounts or regions)
  const actionNamesWith = (prefix: string): DeploymentActionName[] => plans.flatMap(p => [
    {
      name: v.pipelineName(`${ctx.field}.stage`, `${prefix}${p.stackName}.Prepare`, 'action name',
        `The actions are named after the stack '${p.stackName}' (${prefix ? `the stage name, ${JSON.stringify(prefix.slice(0, -1))}, ` : ''}stack name and '.Prepare'): give that stack a stackName of at most ${92 - prefix.length} characters `
        + "from A-Z, a-z, 0-9 and '-' (new Stack(stage, id, { stackName }), or a shorter stage or stack id)."),
      phase: 'prepare' as const,
      kind: 'cloudformation-change-set',
      level: p.level,
      stackName: p.stackName,
    },
    { name: `${prefix}${p.stackName}.Deploy`, phase: 'deploy' as const, kind: 'cloudformation-execute', level: p.level, stackName: p.stackName },
  ]);

  const canaries = plans.flatMap(p => p.canaries);
  const unapplied = unappliedStackSettings(stacks);
  const name = v.pipelineName(`${ctx.field}.name`, stage.stageName, 'deployment name');
  const modelWith = (prefix: string): DeploymentModel => ({
    name,
    kind: 'cdk-stage',
    summary: `CDK stage ${stage.stageName}: ${plans.length} stack${plans.length === 1 ? '' : 's'} via change sets${canaries.length ? ` · ${canaries.length} canary deployment${canaries.length === 1 ? '' : 's'}` : ''}`,
    details: [
      ...plans.map(p => `stack ${p.stackName}${p.level > 0 ? ` (after its dependencies, wave ${p.level + 1})` : ''}${p.account ? ` in account ${p.account}` : ''}`),
      ...canaries,
      ...(files + images > 0 ? [`assets: ${files} file${files === 1 ? '' : 's'}, ${images} image${images === 1 ? '' : 's'} (published once per execution)`] : []),
    ],
    // Docker image assets are built by the asset-publishing action in a privileged environment
    privileged: images > 0,
    hasPreparePhase: true,
    wantsChangeSetReview: review,
    account: env.account,
    region: env.region,
    stageStacks: plans.map(p => ({ stackName: p.stackName, account: p.account, region: p.region, artifactId: p.artifactId, outputs: p.outputs })),
    cdkStage: stage,
    nestedStages,
    cloudAssembly: { directory: dir, field: `${ctx.field}.cloudAssemblyDirectory` },
    buildOutputReads: [
      ...plans.flatMap(p => [
        { field: `${ctx.field}.cloudAssemblyDirectory`, what: `the template of stack '${p.stackName}'`, path: p.templatePath, value: dir, movesSelfUpdate: true },
        ...(p.templateConfigurationPath
          ? [{
            field: `${ctx.field}.cloudAssemblyDirectory`,
            what: `the template configuration of stack '${p.stackName}'`,
            path: p.templateConfigurationPath,
            value: dir,
            movesSelfUpdate: true,
          }]
          : []),
      ]),
    ],
    actionNames: actionNamesWith(prefix),
    qualifyActionNames: prefix ? undefined : () => modelWith(`${stage.stageName}.`),
    assets: assetManifests.length > 0
      ? {
        manifests: assetManifests,
        publishingRoles: [...publishingRoles],
        dockerImages: images > 0,
        imagesWithoutPlatform,
        buildOutputReads: assetReads,
      }
      : undefined,
    produce: (rc: DeploymentRenderContext): codepipeline.IAction[] => {
      const scope = new Construct(rc.scope, name);
      for (const w of unapplied) Annotations.of(scope).addWarningV2('delivery-pipeline:stageStackSettings', w);
      for (const w of large) Annotations.of(scope).addWarningV2('delivery-pipeline:largeStageTemplate', w);
      for (const w of externalIds) Annotations.of(scope).addWarningV2('delivery-pipeline:deployRoleExternalId', w);
      for (const p of plans.filter(x => x.ecsGroups.length > 0)) {
        Annotations.of(scope).addWarningV2('delivery-pipeline:ecsBlueGreenInStage', `stack '${p.stackName}' has the CodeDeploy ECS blue/green deployment `
          + `group${p.ecsGroups.length === 1 ? '' : 's'} ${p.ecsGroups.map(g => `'${g}'`).join(', ')}: its service has the CODE_DEPLOY deployment controller, whose task `
          + 'definition CloudFormation cannot update, so a change to the task definition fails this stage\'s deployment. Deploy new task definitions with '
          + 'DeploymentTarget.codeDeployEcs(group, { taskDefinitionTemplate, appSpecTemplate }) after the stage (the group imported by name), and keep the '
          + 'task definition in the stack unchanged.');
      }
      const out: codepipeline.IAction[] = [];
      for (const p of plans) {
        const account = p.account ?? rc.pipelineAccount;
        const region = p.region ?? rc.pipelineRegion;
        const crossAccount = p.account !== undefined && !Token.isUnresolved(p.account) && p.account !== rc.pipelineAccount;
        const execArn = replacePlaceholders(p.execRoleArn, account, region);
        const deploymentRole = execArn ? iam.Role.fromRoleArn(scope, `${p.stackName}Exec`, execArn, { mutable: false }) : undefined;
        const deployArn = replacePlaceholders(p.deployRoleArn, account, region);
        // the stack's deploy role (the CDK bootstrap deploy role with the default synthesizer), as
        // `cdk deploy` and CDK Pipelines use it; the artifact grants land in the bucket and key policies
        const role = deployArn ? iam.Role.fromRoleArn(scope, `${p.stackName}Deploy`, deployArn, { mutable: false, addGrantsToResources: true }) : undefined;
        const common = {
          stackName: p.stackName, changeSetName: CHANGE_SET_NAME, account: crossAccount ? p.account : undefined, region: p.region, role,
        };
        out.push(new actions.CloudFormationCreateReplaceChangeSetAction({
          ...common,
          actionName: `${prefix}${p.stackName}.Prepare`,
          runOrder: rc.runOrderAt('prepare', p.level),
          templatePath: rc.buildArtifact.atPath(p.templatePath),
          templateConfiguration: p.templateConfigurationPath ? rc.buildArtifact.atPath(p.templateConfigurationPath) : undefined,
          adminPermissions: false,
          deploymentRole,
          cfnCapabilities: [CfnCapabilities.NAMED_IAM, CfnCapabilities.AUTO_EXPAND],
        }));
        out.push(new actions.CloudFormationExecuteChangeSetAction({
          ...common,
          actionName: `${prefix}${p.stackName}.Deploy`,
          runOrder: rc.runOrderAt('deploy', p.level),
          // the stack's outputs become the action's variables, which tests read (envFromCfnOutputs)
          variablesNamespace: rc.environment?.outputNamespaces?.[`${prefix}${p.stackName}.Deploy`],
        }));
      }
      return out;
    },
  });
  return modelWith('');
}
