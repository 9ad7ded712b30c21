/**
 * The three equivalent apps the benchmark compares, for a service with N environments:
 *
 * - `ours`: this library's `DeliveryPipeline`;
 * - `cdkpipelines`: CDK Pipelines (`aws-cdk-lib/pipelines`);
 * - `handwired`: the same pipeline wired by hand with aws-codepipeline / aws-codepipeline-actions.
 *
 * Every app holds the same application: one CDK `Stage` per environment with one small stack
 * (a queue; in the `assets` variant also a file asset) per deployment target. The pipeline is a
 * GitHub connection source, one build that runs the tests and `cdk synth`, a manual approval
 * before every environment after the first, and each environment deploying its stage's stacks
 * with a CloudFormation change set (create, then execute).
 */
import * as fs from 'fs';
import * as path from 'path';
import { Annotations, App, CfnCapabilities, CfnOutput, CfnResource, Duration, Stack, StackProps, Stage, StageProps } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as cxapi from 'aws-cdk-lib/cx-api';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { Construct } from 'constructs';
import {
  Approval, BuildStep, DeliveryPipeline, DeploymentTarget, EnvironmentOptions, PipelineSource, Verification,
} from '../src';

/**
 * Two reference apps, not pipelines of their own:
 *
 * - `baseline` is the application alone (the same stages, an empty pipeline stack): the synth cost
 *   every app pays, subtracted to get each pipeline's own cost;
 * - `floor` is the application plus this library's finished pipeline-stack template, copied in as
 *   raw `CfnResource`s (`BenchConfig.floorTemplate`): what an app that writes the same templates
 *   costs with no construct logic at all, the least any pipeline built on aws-cdk-lib can cost.
 */
export type AppKind = 'ours' | 'cdkpipelines' | 'handwired' | 'baseline' | 'floor';
export const APP_KINDS: AppKind[] = ['ours', 'cdkpipelines', 'handwired'];

/**
 * - `single`: every environment in the pipeline's account, one stack per environment;
 * - `multi`: one account per environment (the pipeline stack has an explicit env);
 * - `waves`: every environment deploys 5 targets in parallel (CDK Pipelines: `addWave`);
 * - `assets`: every environment's stack has a file asset.
 */
export type Variant = 'single' | 'multi' | 'waves' | 'assets';
export const VARIANTS: Variant[] = ['single', 'multi', 'waves', 'assets'];

export interface BenchConfig {
  readonly app: AppKind;
  readonly n: number;
  readonly variant: Variant;
  /**
   * Spread this many deployment targets over the N environments (round robin), instead of the
   * variant's per-environment count. Used for the "48 environments, 200 targets" scale check.
   */
  readonly totalTargets?: number;
  /**
   * Turn off aws-cdk-lib's synth-time check of CloudFormation's 500-resources quota, to measure
   * a stack past it (quota search only).
   */
  readonly resourceLimitOff?: boolean;
  /**
   * Every environment runs a smoke test in CodeBuild after its deployment (this library:
   * `Verification.commands`; CDK Pipelines: a `ShellStep` in `post`; hand-wired: a project and a
   * CodeBuild action per environment).
   */
  readonly smokeTests?: boolean;
  /** This library only: publish the file assets in the build action (`publishAssetsInBuild`). */
  readonly publishAssetsInBuild?: boolean;
  /**
   * Require aws-cdk-lib's lazily loaded modules before the clock starts (bench/worker.ts), so the
   * measure is construction and synthesis without module loading.
   */
  readonly preloaded?: boolean;
  /** `floor` only: the pipeline-stack template (JSON file) to copy in, written by a synth of `ours`. */
  readonly floorTemplate?: string;
}

export const PIPELINE_ACCOUNT = '111111111111';
export const REGION = 'eu-west-1';
export const CONNECTION_ARN = `arn:aws:codeconnections:${REGION}:${PIPELINE_ACCOUNT}:connection/4f1c9a7e-2b3d-4c5e-8f90-1a2b3c4d5e6f`;
export const REPOSITORY = 'acme/shop';
export const BRANCH = 'main';
export const INSTALL = ['npm ci'];
export const COMMANDS = ['npm test', 'npx cdk synth'];
export const SMOKE_TEST = ['./scripts/smoke.sh'];
const ASSET_DIR = path.join(__dirname, 'fixtures', 'asset');

/** Environment i (0-based): its name, the same in every app (it names the pipeline stage). */
export function envName(i: number): string {
  return `Env${String(i + 1).padStart(2, '0')}`;
}

/** Account of environment i: the pipeline's, or one per environment in the `multi` variant. */
export function envAccount(config: BenchConfig, i: number): string {
  if (config.variant !== 'multi') return PIPELINE_ACCOUNT;
  return String(222222220000 + i + 1);
}

/** How many deployment targets (stacks) each environment has. */
export function targetsPerEnv(config: BenchConfig): number[] {
  const out: number[] = [];
  for (let i = 0; i < config.n; i++) {
    if (config.totalTargets !== undefined) {
      out.push(Math.floor(config.totalTargets / config.n) + (i < config.totalTargets % config.n ? 1 : 0));
    } else {
      out.push(config.variant === 'waves' ? 5 : 1);
    }
  }
  return out;
}

/** The small stack each deployment target deploys. */
class ServiceStack extends Stack {
  constructor(scope: Construct, id: string, withAsset: boolean, props?: StackProps) {
    super(scope, id, props);
    const queue = new sqs.Queue(this, 'Queue', { visibilityTimeout: Duration.seconds(60), enforceSSL: true });
    new CfnOutput(this, 'QueueUrl', { value: queue.queueUrl });
    if (withAsset) {
      const asset = new s3assets.Asset(this, 'Config', { path: ASSET_DIR });
      new CfnOutput(this, 'ConfigUrl', { value: asset.s3ObjectUrl });
    }
  }
}

/** One environment of the application: a CDK Stage with `targets` small stacks. */
export class ServiceStage extends Stage {
  public readonly stacks: ServiceStack[] = [];
  constructor(scope: Construct, id: string, targets: number, withAsset: boolean, props?: StageProps) {
    super(scope, id, props);
    for (let t = 0; t < targets; t++) {
      this.stacks.push(new ServiceStack(this, targets === 1 ? 'Service' : `Service${t + 1}`, withAsset));
    }
  }
}

/** Builds the app of `config` (not synthesized). */
export function buildApp(config: BenchConfig, outdir?: string): App {
  const context: Record<string, unknown> = { ...cxapi.CURRENTLY_RECOMMENDED_FLAGS };
  if (config.resourceLimitOff) context['@aws-cdk/core:stackResourceLimit'] = 0;
  const app = new App({ outdir, context });
  const pipelineStack = new Stack(app, 'PipelineStack', { env: { account: PIPELINE_ACCOUNT, region: REGION } });
  switch (config.app) {
    case 'ours': buildOurs(app, pipelineStack, config); break;
    case 'cdkpipelines': buildCdkPipelines(pipelineStack, config); break;
    case 'handwired': buildHandWired(app, pipelineStack, config); break;
    case 'baseline': stagesIn(app, config); break;
    case 'floor': buildFloor(app, pipelineStack, config); break;
  }
  return app;
}

/** The application stages, created in the app (ours and hand-wired) or inside the pipeline's scope. */
function stagesIn(scope: Construct, config: BenchConfig): ServiceStage[] {
  const counts = targetsPerEnv(config);
  return counts.map((targets, i) => new ServiceStage(scope, envName(i), targets, config.variant === 'assets', {
    env: { account: envAccount(config, i), region: REGION },
  }));
}

/**
 * The deployment targets this library renders for one environment's stage: the stage itself
 * (`DeploymentTarget.cdkStage`), as a user would write it and as CDK Pipelines' `addStage` takes
 * it. `BENCH_CDKSTAGE=0` measures the older form instead: one `DeploymentTarget.cloudFormation`
 * per stack, reading the stack's template from the build's cloud assembly.
 */
export function ourTargetsFor(stage: ServiceStage): DeploymentTarget[] {
  if (process.env.BENCH_CDKSTAGE !== '0') return [DeploymentTarget.cdkStage(stage)];
  return stage.stacks.map(stack => DeploymentTarget.cloudFormation({
    name: stack.stackName,
    stackName: stack.stackName,
    templatePath: `cdk.out/assembly-${stage.stageName}/${stack.artifactId}.template.json`,
  }));
}

function buildOurs(app: App, pipelineStack: Stack, config: BenchConfig): void {
  const stages = stagesIn(app, config);
  const environments: EnvironmentOptions[] = stages.map((stage, i) => ({
    name: envName(i),
    account: config.variant === 'multi' ? envAccount(config, i) : undefined,
    approval: i > 0 ? Approval.manual() : undefined,
    deployments: ourTargetsFor(stage),
    verification: config.smokeTests ? [Verification.commands('Smoke', SMOKE_TEST)] : undefined,
  }));
  // With one environment there is no approval (the first environment has none, in all three apps): the
  // library warns that nothing waits for a person, and the user who means it acknowledges the warning.
  if (!environments.some(e => e.approval)) Annotations.of(pipelineStack).acknowledgeWarning('delivery-pipeline:noProductionEnvironment');
  new DeliveryPipeline(pipelineStack, 'Shop', {
    source: PipelineSource.gitHub({ repository: REPOSITORY, branch: BRANCH, connectionArn: CONNECTION_ARN }),
    buildStep: BuildStep.commands({ install: INSTALL, commands: COMMANDS, outputs: ['cdk.out/**/*'] }),
    publishAssetsInBuild: config.publishAssetsInBuild,
    environments,
  });
}

/** The application, and the pipeline stack's template as raw L1 resources (same logical ids, same properties). */
function buildFloor(app: App, pipelineStack: Stack, config: BenchConfig): void {
  if (!config.floorTemplate) throw new Error('the floor app needs floorTemplate: a pipeline-stack template written by a synth of the ours app');
  stagesIn(app, config);
  const template = JSON.parse(fs.readFileSync(config.floorTemplate, 'utf-8'));
  for (const [id, r] of Object.entries<any>(template.Resources ?? {})) {
    const resource = new CfnResource(pipelineStack, id, { type: r.Type, properties: r.Properties });
    resource.overrideLogicalId(id);
    for (const [k, v] of Object.entries(r.Metadata ?? {})) resource.addMetadata(k, v);
    for (const attribute of ['DependsOn', 'DeletionPolicy', 'UpdateReplacePolicy', 'Condition']) {
      if (r[attribute] !== undefined) resource.addOverride(attribute, r[attribute]);
    }
  }
  const other = Object.keys(template).filter(k => !['Resources', 'Parameters', 'Rules'].includes(k));
  // Parameters and Rules are the bootstrap version check the stack synthesizer adds itself.
  if (other.length) throw new Error(`the floor app copies Resources only; the template also has ${other.join(', ')}`);
}

function buildCdkPipelines(pipelineStack: Stack, config: BenchConfig): void {
  const pipeline = new pipelines.CodePipeline(pipelineStack, 'Shop', {
    pipelineType: codepipeline.PipelineType.V2,
    crossAccountKeys: config.variant === 'multi',
    synth: new pipelines.ShellStep('Synth', {
      input: pipelines.CodePipelineSource.connection(REPOSITORY, BRANCH, { connectionArn: CONNECTION_ARN }),
      installCommands: INSTALL,
      commands: COMMANDS,
    }),
  });
  // CDK Pipelines needs the stages in the pipeline stack's scope tree (any scope; the app is usual).
  const stages = stagesIn(pipelineStack.node.scope as Construct, config);
  stages.forEach((stage, i) => {
    const pre = i === 0 ? [] : [new pipelines.ManualApprovalStep('Approve')];
    const post = config.smokeTests ? [new pipelines.ShellStep('Smoke', { commands: SMOKE_TEST })] : [];
    pipeline.addStage(stage, { pre, post });
  });
}

function buildHandWired(app: App, pipelineStack: Stack, config: BenchConfig): void {
  const stages = stagesIn(app, config);
  const crossAccount = config.variant === 'multi';
  const pipeline = new codepipeline.Pipeline(pipelineStack, 'Pipeline', {
    pipelineType: codepipeline.PipelineType.V2,
    crossAccountKeys: crossAccount,
    restartExecutionOnUpdate: false,
  });
  const source = new codepipeline.Artifact('Source');
  const cloudAssembly = new codepipeline.Artifact('BuildOutput');
  pipeline.addStage({
    stageName: 'Source',
    actions: [new actions.CodeStarConnectionsSourceAction({
      actionName: 'GitHub', owner: 'acme', repo: 'shop', branch: BRANCH, connectionArn: CONNECTION_ARN, output: source,
    })],
  });
  const project = new codebuild.PipelineProject(pipelineStack, 'Build', {
    environment: { buildImage: codebuild.LinuxBuildImage.STANDARD_7_0 },
    buildSpec: codebuild.BuildSpec.fromObject({
      version: '0.2',
      phases: { install: { commands: INSTALL }, build: { commands: COMMANDS } },
      artifacts: { files: ['cdk.out/**/*'] },
    }),
  });
  const buildActions: codepipeline.IAction[] = [new actions.CodeBuildAction({
    actionName: 'Build', project, input: source, outputs: [cloudAssembly], runOrder: 1,
  })];
  if (config.variant === 'assets') {
    // Publishing file assets by hand: one more CodeBuild project running cdk-assets on every
    // stage's asset manifest, allowed to assume the bootstrap file-publishing roles.
    const publish = new codebuild.PipelineProject(pipelineStack, 'PublishAssets', {
      environment: { buildImage: codebuild.LinuxBuildImage.STANDARD_7_0 },
      buildSpec: codebuild.BuildSpec.fromObject({
        version: '0.2',
        phases: {
          install: { commands: ['npm install -g cdk-assets@3'] },
          build: { commands: ['for m in cdk.out/assembly-*/*.assets.json; do cdk-assets --path "$m" publish; done'] },
        },
      }),
    });
    const accounts = [...new Set(stages.map((_, i) => envAccount(config, i)))];
    publish.addToRolePolicy(new iam.PolicyStatement({
      actions: ['sts:AssumeRole'],
      resources: accounts.map(a => `arn:aws:iam::${a}:role/cdk-hnb659fds-file-publishing-role-${a}-${REGION}`),
    }));
    buildActions.push(new actions.CodeBuildAction({ actionName: 'PublishAssets', project: publish, input: cloudAssembly, runOrder: 2 }));
  }
  pipeline.addStage({ stageName: 'Build', actions: buildActions });

  stages.forEach((stage, i) => {
    const account = envAccount(config, i);
    const other = account !== PIPELINE_ACCOUNT;
    const stageActions: codepipeline.IAction[] = [];
    if (i > 0) stageActions.push(new actions.ManualApprovalAction({ actionName: 'Approve', runOrder: 1 }));
    const prepare = i > 0 ? 2 : 1;
    const scope = new Construct(pipelineStack, stage.stageName);
    const deploymentRole = iam.Role.fromRoleArn(scope, 'CfnExecRole',
      `arn:aws:iam::${account}:role/cdk-hnb659fds-cfn-exec-role-${account}-${REGION}`, { mutable: false });
    const role = other
      ? iam.Role.fromRoleArn(scope, 'DeployRole', `arn:aws:iam::${account}:role/cdk-hnb659fds-deploy-role-${account}-${REGION}`, { mutable: false })
      : undefined;
    for (const stack of stage.stacks) {
      const common = {
        stackName: stack.stackName,
        changeSetName: 'PipelineChange',
        account: other ? account : undefined,
        role,
      };
      stageActions.push(new actions.CloudFormationCreateReplaceChangeSetAction({
        ...common,
        actionName: `${stack.stackName}.Prepare`,
        runOrder: prepare,
        templatePath: cloudAssembly.atPath(`cdk.out/assembly-${stage.stageName}/${stack.artifactId}.template.json`),
        adminPermissions: false,
        deploymentRole,
        cfnCapabilities: [CfnCapabilities.NAMED_IAM, CfnCapabilities.AUTO_EXPAND],
      }));
      stageActions.push(new actions.CloudFormationExecuteChangeSetAction({
        ...common,
        actionName: `${stack.stackName}.Deploy`,
        runOrder: prepare + 1,
      }));
    }
    if (config.smokeTests) {
      const smoke = new codebuild.PipelineProject(scope, 'Smoke', {
        environment: { buildImage: codebuild.LinuxBuildImage.STANDARD_7_0 },
        buildSpec: codebuild.BuildSpec.fromObject({ version: '0.2', phases: { build: { commands: SMOKE_TEST } } }),
      });
      stageActions.push(new actions.CodeBuildAction({ actionName: 'Smoke', project: smoke, input: cloudAssembly, runOrder: prepare + 2 }));
    }
    pipeline.addStage({ stageName: stage.stageName, actions: stageActions });
  });
}
