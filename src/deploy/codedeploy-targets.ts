import { Annotations, Arn, ArnFormat, Duration, PhysicalName, Resource, Stack, Token } from 'aws-cdk-lib';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';
import { DeploymentModel, DeploymentRenderContext, ModelContext } from '../model/model';
import { ReleaseMode } from '../model/release-mode';
import { markOtherRegionActionRole } from '../pipeline/render/replication-keys';
import { buildOutputFilePath } from '../private/artifact-paths';
import { hasDeployTimeName, readsCrossRegionNames, refuseOtherStage, refuseOwnedOfOtherApp } from '../private/referable';
import { roleInPipelineStack, refuseOtherStagePrincipal } from '../private/stage-principals';
import { described, isToken, literalName, resolvedOrUndefined, Validator } from '../private/validation';

/*
 * CodeDeploy and ECS targets. They describe the rollout strategy they find (the deployment group's
 * config) so the plan says how a change reaches the hosts, tasks or functions.
 */

/** Which artifact a deployment takes. */
export enum DeploymentArtifact {
  /** The build output (the default). */
  BUILD_OUTPUT = 'BUILD_OUTPUT',
  /** The source revision as it came in (for example an ECR image or an S3 bundle). */
  SOURCE = 'SOURCE',
}

/** Options of a CodeDeploy EC2/on-premises deployment. */
export interface CodeDeployServerOptions {
  /**
   * The revision to deploy (it must hold an appspec.yml at its root). `SOURCE` needs a source
   * whose artifact is the revision: an ECR source (only `imageDetail.json`) and a source with
   * `fullClone` (a clone reference only CodeBuild can read) are refused at synth.
   *
   * @default DeploymentArtifact.BUILD_OUTPUT
   */
  readonly input?: DeploymentArtifact;
  /**
   * Action name.
   *
   * @default - the deployment group's name (its construct id when the name is generated)
   */
  readonly name?: string;
  /**
   * The role CodePipeline assumes to run the deployment, in the deployment group's account.
   *
   * Use it for a deployment group in another account instead of the role aws-cdk-lib creates there. It must
   * trust the pipeline's account and be allowed to deploy to the group (no policy can be added to a
   * role of another account); the artifact bucket and key grant it read access, and the pipeline's
   * role may assume it.
   *
   * @default - in the pipeline's account, a role the pipeline creates; in another account, a role
   * aws-cdk-lib creates there: in the stack that defines the deployment group, or, for an imported one, in
   * aws-cdk-lib's support stack `<pipeline stack>-support-<account>` (deployed with the app)
   */
  readonly role?: iam.IRole;
}

/** Options of an ECS blue/green deployment through CodeDeploy. */
export interface CodeDeployEcsOptions {
  /** Path of the task definition template inside the build output, for example `taskdef.json`. */
  readonly taskDefinitionTemplate: string;
  /** Path of the AppSpec template inside the build output, for example `appspec.yaml`. */
  readonly appSpecTemplate: string;
  /**
   * Where the new image comes from: an `imageDetail.json` in that artifact (an ECR source writes
   * one; a build can write `{"ImageURI": "..."}` at the root of its output). `SOURCE` needs the
   * pipeline's source to be an ECR source (refused at synth otherwise).
   *
   * @default - no image substitution: the task definition template names the image
   */
  readonly containerImage?: DeploymentArtifact;
  /**
   * The placeholder in the task definition template that the image URI replaces, without its angle
   * brackets: the template writes it as `<PLACEHOLDER>` (`"image": "<IMAGE1_NAME>"`), and this is
   * the text inside them (`'IMAGE1_NAME'`). Angle brackets and whitespace are refused at synth.
   *
   * @default 'IMAGE1_NAME'
   */
  readonly imagePlaceholder?: string;
  /**
   * Action name.
   *
   * @default - the deployment group's name (its construct id when the name is generated)
   */
  readonly name?: string;
  /**
   * The role CodePipeline assumes to run the deployment, in the deployment group's account.
   *
   * Use it for a deployment group in another account instead of the role aws-cdk-lib creates there. It must
   * trust the pipeline's account and be allowed to deploy to the group (no policy can be added to a
   * role of another account); the artifact bucket and key grant it read access, and the pipeline's
   * role may assume it.
   *
   * @default - in the pipeline's account, a role the pipeline creates; in another account, a role
   * aws-cdk-lib creates there: in the stack that defines the deployment group, or, for an imported one, in
   * aws-cdk-lib's support stack `<pipeline stack>-support-<account>` (deployed with the app)
   */
  readonly role?: iam.IRole;
}

/** Options of an ECS rolling update. */
export interface EcsRollingOptions {
  /**
   * Path of the image definitions file inside the build output.
   *
   * @default 'imagedefinitions.json'
   */
  readonly imageDefinitionsFile?: string;
  /**
   * Action name.
   *
   * @default - the service's name (its construct id when the name is generated)
   */
  readonly name?: string;
  /**
   * The role CodePipeline assumes to run the deployment, in the service's account.
   *
   * Use it for a service in another account instead of the role aws-cdk-lib creates there. It must
   * trust the pipeline's account and be allowed to deploy to the service (no policy can be added to a
   * role of another account); the artifact bucket and key grant it read access, and the pipeline's
   * role may assume it.
   *
   * @default - in the pipeline's account, a role the pipeline creates; in another account, a role
   * aws-cdk-lib creates there: in the stack that defines the service, or, for an imported one, in
   * aws-cdk-lib's support stack `<pipeline stack>-support-<account>` (deployed with the app)
   */
  readonly role?: iam.IRole;
  /**
   * How long CodePipeline waits for the service to reach a steady state before the action fails
   * (1 to 60 minutes, whole minutes).
   *
   * @default - 60 minutes (CodePipeline's default)
   */
  readonly deploymentTimeout?: Duration;
}

export interface TargetEnv { readonly account?: string; readonly region?: string; readonly name: string; readonly pipelineAccount?: string }

/**
 * Whether a rollout in words (describeDeploymentConfig's) is gradual: rolling over the instances, a
 * canary or a linear shift; all at once is not; undefined when the words do not say.
 */
export function gradualRollout(strategy: string): boolean | undefined {
  if (/^(rolling|canary|linear)\b/.test(strategy)) return true;
  if (/^all (instances|traffic) at once$/.test(strategy)) return false;
  return undefined;
}

/** Rollout strategy of a CodeDeploy deployment config, in words. */
export function describeDeploymentConfig(name: string | undefined): string {
  if (name === undefined || Token.isUnresolved(name)) return 'custom deployment config';
  const known: Record<string, string> = {
    'CodeDeployDefault.OneAtATime': 'rolling, one instance at a time',
    'CodeDeployDefault.HalfAtATime': 'rolling, half of the instances at a time',
    'CodeDeployDefault.AllAtOnce': 'all instances at once',
    'CodeDeployDefault.ECSAllAtOnce': 'all traffic at once',
    'CodeDeployDefault.LambdaAllAtOnce': 'all traffic at once',
  };
  if (known[name]) return known[name];
  const m = name.match(/(ECS|Lambda)(Canary|Linear)(\d+)Percent(?:Every)?(\d+)Minutes?/);
  if (m) {
    return m[2] === 'Canary'
      ? `canary ${m[3]}% then all after ${m[4]} min`
      : `linear ${m[3]}% every ${m[4]} min`;
  }
  return `deployment config ${name}`;
}

/**
 * The rollout of a custom deployment config, from its properties: `MinimumHealthyHosts` and
 * `TrafficRoutingConfig` as in a template (PascalCase) or on a CfnDeploymentConfig (camelCase).
 */
export function describeCustomDeploymentConfig(props: any): string | undefined {
  if (!props || typeof props !== 'object') return undefined;
  const get = (o: any, key: string) => (o && typeof o === 'object' ? o[key] ?? o[key.charAt(0).toUpperCase() + key.slice(1)] : undefined);
  const literal = (x: unknown) => (typeof x === 'number' || (typeof x === 'string' && !isToken(x)) ? String(x) : undefined);
  const hosts = get(props, 'minimumHealthyHosts');
  const hostsType = literal(get(hosts, 'type'));
  const hostsValue = literal(get(hosts, 'value'));
  if (hostsType && hostsValue !== undefined) {
    // no instance has to stay healthy: CodeDeploy deploys to all of them at once
    if (Number(hostsValue) === 0) return 'all instances at once';
    return hostsType === 'FLEET_PERCENT'
      ? `rolling, at least ${hostsValue}% of the instances healthy`
      : `rolling, at least ${hostsValue} healthy instance${hostsValue === '1' ? '' : 's'}`;
  }
  const routing = get(props, 'trafficRoutingConfig');
  const type = literal(get(routing, 'type'));
  if (type === 'AllAtOnce') return 'all traffic at once';
  const canary = get(routing, 'timeBasedCanary');
  if (type === 'TimeBasedCanary' && literal(get(canary, 'canaryPercentage')) && literal(get(canary, 'canaryInterval'))) {
    return `canary ${literal(get(canary, 'canaryPercentage'))}% then all after ${literal(get(canary, 'canaryInterval'))} min`;
  }
  const linear = get(routing, 'timeBasedLinear');
  if (type === 'TimeBasedLinear' && literal(get(linear, 'linearPercentage')) && literal(get(linear, 'linearInterval'))) {
    return `linear ${literal(get(linear, 'linearPercentage'))}% every ${literal(get(linear, 'linearInterval'))} min`;
  }
  return undefined;
}

/** The rollout of a group's deployment config: a predefined one by its name, one of this app by its properties. */
/** The compute platform a deployment config is for, when it can be told at synth. */
function configPlatform(config: unknown): 'ECS' | 'Lambda' | 'Server' | undefined {
  const cfn = defaultChildOf(config);
  if (cfn instanceof codedeploy.CfnDeploymentConfig) {
    const platform = cfn.computePlatform;
    return platform === 'ECS' || platform === 'Lambda' || platform === 'Server' ? platform : undefined;
  }
  const name = (config as { deploymentConfigName?: unknown } | undefined)?.deploymentConfigName;
  if (typeof name !== 'string' || isToken(name) || !name.startsWith('CodeDeployDefault.')) return undefined;
  if (name.startsWith('CodeDeployDefault.ECS')) return 'ECS';
  if (name.startsWith('CodeDeployDefault.Lambda')) return 'Lambda';
  return ['CodeDeployDefault.OneAtATime', 'CodeDeployDefault.HalfAtATime', 'CodeDeployDefault.AllAtOnce'].includes(name) ? 'Server' : undefined;
}

function describeGroupConfig(config: unknown): string {
  const cfn = defaultChildOf(config);
  if (cfn instanceof codedeploy.CfnDeploymentConfig) {
    const custom = describeCustomDeploymentConfig(cfn);
    if (custom) return custom;
  }
  return describeDeploymentConfig((config as any)?.deploymentConfigName);
}

/**
 * What aws-cdk-lib's `from<Kind>DeploymentGroupAttributes` assumes when no `deploymentConfig` is
 * given (a predefined config, not a construct), and what to pass instead.
 */
const IMPORT_DEFAULT_CONFIG = {
  Server: { name: 'CodeDeployDefault.OneAtATime', constant: 'ONE_AT_A_TIME', example: 'codedeploy.ServerDeploymentConfig.HALF_AT_A_TIME' },
  Ecs: { name: 'CodeDeployDefault.ECSAllAtOnce', constant: 'ALL_AT_ONCE', example: 'codedeploy.EcsDeploymentConfig.CANARY_10PERCENT_5MINUTES' },
} as const;

/**
 * The deployment config of an imported group when it is aws-cdk-lib's default for an import: the
 * group's real config is then unknown at synth, and the pipeline's action may read (and so deploy
 * with) only the assumed one. The default is a predefined config, the same object as the one a
 * caller would pass (`ServerDeploymentConfig.ONE_AT_A_TIME`), so the two cannot be told apart.
 */
function assumedImportConfig(group: { deploymentConfig?: unknown }, kind: 'Server' | 'Ecs'): string | undefined {
  if (defaultChildOf(group) instanceof codedeploy.CfnDeploymentGroup) return undefined;
  const config = group.deploymentConfig as { deploymentConfigName?: unknown } | undefined;
  if (!config || Construct.isConstruct(config)) return undefined;
  return config.deploymentConfigName === IMPORT_DEFAULT_CONFIG[kind].name ? IMPORT_DEFAULT_CONFIG[kind].name : undefined;
}

/** The plan's words and the synth warning for an imported group with aws-cdk-lib's assumed config. */
function importedGroupConfig(ctx: ModelContext, group: { deploymentGroupName: string; deploymentConfig?: unknown }, kind: 'Server' | 'Ecs') {
  const assumed = assumedImportConfig(group, kind);
  if (assumed === undefined) return undefined;
  const from = `${kind}DeploymentGroup.from${kind}DeploymentGroupAttributes`;
  const name = isToken(group.deploymentGroupName) ? '' : ` '${group.deploymentGroupName}'`;
  return {
    strategy: 'deployment configuration of the imported group (not known at synth)',
    detail: `deployment config: ${assumed} assumed (aws-cdk-lib's default for an imported group); the action may read only that one`,
    warning: `${ctx.field}.deploymentGroup${name} is imported with aws-cdk-lib's default deployment configuration ${assumed} (what ${from} assumes `
      + 'without deploymentConfig), so the pipeline\'s action may read only that configuration (codedeploy:GetDeploymentConfig on its ARN) and fails '
      + `with an access denied error when the group uses another one. If the group's configuration is not ${assumed}, pass it as deploymentConfig `
      + `to ${from} (for example ${IMPORT_DEFAULT_CONFIG[kind].example}, or ${kind}DeploymentConfig.from${kind}DeploymentConfigName(this, 'Config', 'my-config') `
      + `in a stack of the group's account and region). If it is, pass it imported by name the same way ('${assumed}'), or acknowledge this warning: `
      + `${kind}DeploymentConfig.${IMPORT_DEFAULT_CONFIG[kind].constant} is the object aws-cdk-lib assumes, so the two cannot be told apart.`,
  };
}

/**
 * The CloudFormation resource of a construct defined in this app; undefined for imported objects
 * (and for aws-cdk-lib's predefined deployment configs, detached objects without a construct tree).
 */
export function defaultChildOf(x: unknown): unknown {
  try {
    return (x as any)?.node?.defaultChild;
  } catch {
    return undefined;
  }
}

function alarmsAndRollback(group: unknown, ownAlarms?: number): string[] {
  const cfn = defaultChildOf(group) as (IConstruct & { alarmConfiguration?: any; autoRollbackConfiguration?: any }) | undefined;
  if (cfn === undefined) return [];
  // aws-cdk-lib renders both lazily (alarms may be added later): resolve them as they stand now,
  // before the pipeline adds the environment's alarms (the plan names those apart)
  const config = resolvedOrUndefined(Stack.of(cfn), cfn.alarmConfiguration);
  const rollback = resolvedOrUndefined(Stack.of(cfn), cfn.autoRollbackConfiguration);
  const events: unknown[] = rollback?.enabled === true && Array.isArray(rollback.events) ? rollback.events : [];
  const count = ownAlarms ?? (Array.isArray(config?.alarms) ? config.alarms.length : 0);
  const alarms = `${count} alarm${count === 1 ? '' : 's'}`;
  const out: string[] = [];
  if (count > 0 && config.enabled === false) out.push(`${alarms} ignored (ignoreAlarmConfiguration)`);
  else if (count > 0 && events.includes('DEPLOYMENT_STOP_ON_ALARM')) return [`auto-rollback on ${alarms}`];
  else if (count > 0) out.push(`stops on ${alarms} without rolling back`);
  if (events.includes('DEPLOYMENT_FAILURE')) out.push('auto-rollback on failure');
  return out;
}

/** What a deployment group of the app does when one of its alarms fires. */
export interface GroupAlarmHandling {
  /** CodeDeploy checks the group's alarms during a deployment (not with `ignoreAlarmConfiguration`). */
  readonly watched: boolean;
  /** A deployment an alarm stops is rolled back (not with `autoRollback.deploymentInAlarm: false`). */
  readonly rollsBack: boolean;
}

/**
 * What a deployment group of the app does when one of its alarms fires, once it has alarms, read
 * from its CfnDeploymentGroup as aws-cdk-lib renders it: `AlarmConfiguration.Enabled` (false with
 * `ignoreAlarmConfiguration`) and `DEPLOYMENT_STOP_ON_ALARM` among the auto-rollback events (left
 * out with `autoRollback.deploymentInAlarm: false`). aws-cdk-lib renders both from the group's list
 * of alarms, and for a group without any says neither, whatever its settings: such a group is
 * rendered with a stand-in alarm in that list, taken out again at once. Undefined for a group that
 * is not of the app, or whose settings cannot be read.
 */
export function groupAlarmHandling(group: unknown): GroupAlarmHandling | undefined {
  const cfn = defaultChildOf(group);
  if (!(cfn instanceof codedeploy.CfnDeploymentGroup)) return undefined;
  const stack = Stack.of(cfn);
  const read = () => {
    const config = resolvedOrUndefined(stack, cfn.alarmConfiguration);
    const rollback = resolvedOrUndefined(stack, cfn.autoRollbackConfiguration);
    const count = Array.isArray(config?.alarms) ? config.alarms.length : 0;
    const events: unknown[] = rollback?.enabled === true && Array.isArray(rollback.events) ? rollback.events : [];
    return { count, handling: { watched: config?.enabled === true, rollsBack: events.includes('DEPLOYMENT_STOP_ON_ALARM') } };
  };
  const now = read();
  if (now.count > 0) return now.handling;
  // the group's list of alarms (addAlarm pushes to it), which the rendered properties derive from
  const list = (group as { alarms?: { push?: unknown; pop?: unknown } }).alarms;
  if (!list || typeof list.push !== 'function' || typeof list.pop !== 'function') return undefined;
  const standIn = 'arn:aws:cloudwatch:us-east-1:111111111111:alarm:stand-in';
  (list.push as (a: unknown) => void).call(list, { alarmName: 'stand-in', alarmArn: standIn, alarmRef: { alarmName: 'stand-in', alarmArn: standIn } });
  try {
    const probed = read();
    return probed.count > 0 ? probed.handling : undefined;
  } finally {
    (list.pop as () => unknown).call(list);
  }
}

/**
 * The minutes a blue/green group of the app waits for a person to reroute traffic: with
 * `deploymentApprovalWaitTime` (DeploymentReadyOption `STOP_DEPLOYMENT`), CodeDeploy registers the
 * replacement tasks with the load balancer only when someone calls ContinueDeployment, and stops
 * the deployment when nobody does within `WaitTimeInMinutes`. Null when the wait is not literal;
 * undefined when the group does not wait, or is imported (its settings are not knowable at synth).
 */
export function manualRerouteMinutes(group: unknown): number | null | undefined {
  const cfn = defaultChildOf(group);
  if (!(cfn instanceof codedeploy.CfnDeploymentGroup)) return undefined;
  const config = resolvedOrUndefined(Stack.of(cfn), cfn.blueGreenDeploymentConfiguration);
  const ready = config?.deploymentReadyOption ?? config?.DeploymentReadyOption;
  const action = ready?.actionOnTimeout ?? ready?.ActionOnTimeout;
  if (action !== 'STOP_DEPLOYMENT') return undefined;
  const minutes = ready.waitTimeInMinutes ?? ready.WaitTimeInMinutes;
  return typeof minutes === 'number' ? minutes : null;
}

/** A wait in the plan's words: `45 min`, `8 h`. */
function waitText(minutes: number): string {
  return minutes >= 60 && minutes % 60 === 0 ? `${minutes / 60} h` : `${minutes} min`;
}

/**
 * The plan's line for a group that waits for a person to reroute traffic; under continuous
 * deployment, where nobody decides, an error.
 */
function manualReroute(ctx: ModelContext, group: { deploymentGroupName: string }): string[] {
  const minutes = manualRerouteMinutes(group);
  if (minutes === undefined) return [];
  const upTo = minutes === null ? '' : ` up to ${waitText(minutes)}`;
  if (ctx.releaseMode === ReleaseMode.CONTINUOUS_DEPLOYMENT) {
    ctx.validator.fail(`${ctx.field}.deploymentGroup`, `waits${upTo} for a person to reroute traffic to the new tasks (its blueGreenDeploymentConfig.deploymentApprovalWaitTime: `
      + 'CodeDeploy shifts no traffic until someone calls ContinueDeployment, and stops the deployment when nobody does), a manual approval '
      + 'ReleaseMode.CONTINUOUS_DEPLOYMENT does not allow (nobody decides; automated checks do)',
    literalName(group, group.deploymentGroupName) ?? described(`the deployment group ${(group as unknown as IConstruct).node.path}`),
    "Remove deploymentApprovalWaitTime from the group's blueGreenDeploymentConfig (CodeDeploy then reroutes traffic as soon as the new tasks are ready) "
      + 'and gate the environment with verification, or use ReleaseMode.CONTINUOUS_DELIVERY.');
  }
  return [`waits${upTo} for a person to reroute traffic (ContinueDeployment); CodeDeploy stops the deployment when nobody does`];
}

/**
 * A deployment group of the given kind ('Server' or 'Ecs'), in the environment's region and account.
 */
function checkGroup(ctx: ModelContext, group: unknown, kind: 'Server' | 'Ecs', env: TargetEnv, pipelineRegion: string, roleGiven: boolean): void {
  const v: Validator = ctx.validator;
  if (!group || typeof (group as any).deploymentGroupName !== 'string' || !(group as any).application) {
    v.fail(`${ctx.field}.deploymentGroup`, `must be a codedeploy.I${kind}DeploymentGroup`, group,
      `Pass a codedeploy.${kind}DeploymentGroup or ${kind}DeploymentGroup.from${kind}DeploymentGroupAttributes(...).`);
  }
  const g = group as { env: { region: string; account: string } };
  // TypeScript's structural typing lets a group of the other kind through: its config tells
  const platform = configPlatform((group as { deploymentConfig?: unknown }).deploymentConfig);
  const wanted = kind === 'Ecs' ? 'ECS' : 'Server';
  if (platform !== undefined && platform !== wanted) {
    const what = { ECS: 'an ECS blue/green', Lambda: 'a Lambda', Server: 'an EC2/on-premises' }[platform];
    const use = platform === 'ECS' ? 'DeploymentTarget.codeDeployEcs(group, { taskDefinitionTemplate, appSpecTemplate })'
      : platform === 'Server' ? 'DeploymentTarget.codeDeployServer(group)' : 'DeploymentTarget.cdkStage(stage) for the stage that holds the alias and its group';
    v.fail(`${ctx.field}.deploymentGroup`, `is ${what} deployment group (its deployment config is for the ${platform} compute platform), but `
      + `${kind === 'Ecs' ? 'codeDeployEcs deploys ECS services' : 'codeDeployServer deploys to EC2/on-premises instances'}`,
    described(literalName(group, (group as { deploymentGroupName: string }).deploymentGroupName) ?? (group as IConstruct).node.path), `Use ${use}.`);
  }
  if (Resource.isOwnedResource(group as IConstruct)) {
    const owned = group as codedeploy.IServerDeploymentGroup;
    const name = literalName(owned, owned.deploymentGroupName) ?? '<group name>';
    const app = literalName(owned.application, owned.application.applicationName) ?? '<application name>';
    refuseOtherStage(v, `${ctx.field}.deploymentGroup`, owned, 'a deployment group', owned.node.path,
      `Import it by name in the pipeline's stack: codedeploy.${kind}DeploymentGroup.from${kind}DeploymentGroupAttributes(pipelineStack, 'Group', `
      + `{ application: codedeploy.${kind}Application.from${kind}ApplicationName(pipelineStack, 'App', '${app}'), deploymentGroupName: '${name}', deploymentConfig }), `
      + 'with the names the stage gives them.');
    refuseGeneratedNamesAcrossEnvironments(v, `${ctx.field}.deploymentGroup`, 'a deployment group', [
      {
        resource: owned.application,
        name: 'applicationName',
        fix: `Give the group an application with a name: new codedeploy.${kind}DeploymentGroup(this, 'Group', `
        + `{ application: new codedeploy.${kind}Application(this, 'App', { applicationName: 'shop' }), ... })`,
      },
      { resource: owned, name: 'deploymentGroupName', fix: `Give the group a name: new codedeploy.${kind}DeploymentGroup(this, 'Group', { deploymentGroupName: 'shop-fleet', ... })` },
    ]);
  }
  checkGroupRegion(v, ctx.field, g, env, pipelineRegion);
  checkExplicitEnvironment(v, `${ctx.field}.deploymentGroup`, group as IConstruct & typeof g, env, pipelineRegion,
    `or import the deployment group with ${kind}DeploymentGroup.from${kind}DeploymentGroupAttributes(...) in a stack that names its account and region`, roleGiven);
  checkAccount(v, `${ctx.field}.deploymentGroup`, g.env.account, env,
    `Import the deployment group from account ${env.account} (from${kind}DeploymentGroupAttributes with an application ARN of that account), or set the environment's account to ${g.env.account}.`);
  if (!roleGiven) checkConfigEnvironment(v, `${ctx.field}.deploymentGroup`, group as { env: { region: string; account: string }; deploymentConfig?: unknown }, kind);
}

/**
 * Refuses a group whose deployment config names another account or region than the group's in its
 * ARN: a config imported by name (`from<Kind>DeploymentConfigName(scope, ...)`) gets the ARN of the
 * importing stack's account and region, whatever the group's. aws-cdk-lib grants the action's role
 * `codedeploy:GetDeploymentConfig` on that ARN only, and CodeDeploy checks the one of the group's
 * account and region: the deployment would fail with an access denied error. A config the app
 * defines is judged by its stack's account and region (its ARN is a token, or, with a name, that
 * stack's): in another account or region than the group's, the group would read a config that is
 * not there. Predefined configs (`ServerDeploymentConfig.ONE_AT_A_TIME`) pass: each group binds
 * them to its own account and region.
 */
function checkConfigEnvironment(v: Validator, field: string, group: { env: { region: string; account: string }; deploymentConfig?: unknown }, kind: 'Server' | 'Ecs'): void {
  const config = group.deploymentConfig as { deploymentConfigArn?: unknown; deploymentConfigName?: unknown } | undefined;
  const arn = config?.deploymentConfigArn;
  if (typeof arn !== 'string') return;
  const { account: groupAccount, region: groupRegion } = group.env;
  if (defaultChildOf(config) !== undefined) {
    // a config the app defines is in its stack's account and region, whatever its (token) ARN says
    const owned = config as unknown as IConstruct;
    const { account: stackAccount, region: stackRegion } = Stack.of(owned);
    if ([stackAccount, stackRegion, groupRegion, groupAccount].some(x => isToken(x))) return;
    if (stackAccount === groupAccount && stackRegion === groupRegion) return;
    v.fail(field, `has a deploymentConfig defined in stack ${Stack.of(owned).node.path} (account ${stackAccount}, ${stackRegion}), `
      + `but the group is in account ${groupAccount}, ${groupRegion}: CodeDeploy reads a group's deployment configuration in the group's own account and region, `
      + 'so the deployment would use a config that does not exist there (or fail to synthesize, for a config without a name)',
    owned.node.path,
    `Define the config in a stack of the group's account and region (env: { account: '${groupAccount}', region: '${groupRegion}' }), `
      + `or import it there by name with codedeploy.${kind}DeploymentConfig.from${kind}DeploymentConfigName(groupStack, 'Config', 'my-config').`);
    return;
  }
  // arn:<partition>:codedeploy:<region>:<account>:deploymentconfig:<name>
  const [, , , region, account] = arn.split(':');
  if ([region, account, groupRegion, groupAccount].some(x => x === undefined || x === '' || isToken(x))) return;
  if (region === groupRegion && account === groupAccount) return;
  const name = literalOr(typeof config?.deploymentConfigName === 'string' ? config.deploymentConfigName : '', '<config name>');
  const where = (a: string, r: string) => `account ${a}, ${r}`;
  v.fail(field, `has a deploymentConfig whose ARN names ${where(account, region)}, but the group is in ${where(groupAccount, groupRegion)}: `
    + `a config imported by name (${kind}DeploymentConfig.from${kind}DeploymentConfigName) takes the account and region of the stack it is imported in, `
    + 'and aws-cdk-lib grants the action\'s role codedeploy:GetDeploymentConfig on that ARN only, so the deployment would fail with an access denied error',
  described(arn),
  `Import the config in a stack of the group's account and region (env: { account: '${groupAccount}', region: '${groupRegion}' }): `
    + `codedeploy.${kind}DeploymentConfig.from${kind}DeploymentConfigName(groupStack, 'Config', '${name}'), or pass role: a role of account ${groupAccount} `
    + `that may call codedeploy:GetDeploymentConfig on arn:aws:codedeploy:${groupRegion}:${groupAccount}:deploymentconfig:${name}.`);
}

function checkGroupRegion(
  v: Validator, field: string, group: { env: { region: string; account: string } }, env: TargetEnv, pipelineRegion: string,
): void {
  const groupRegion = group.env.region;
  const wanted = env.region ?? pipelineRegion;
  if (!isToken(groupRegion) && !isToken(wanted) && groupRegion !== wanted) {
    v.fail(`${field}.deploymentGroup`, `is in region ${groupRegion}, but environment '${env.name}' deploys to ${wanted}`, groupRegion,
      `Import the deployment group from ${wanted} (fromServerDeploymentGroupAttributes with that application), or set the environment's region to ${groupRegion}.`);
  }
}

/**
 * Refuses a group or service in a stack that names no account (or region) when the pipeline's stack
 * names one: aws-cdk-lib cannot tell whether the action crosses accounts (regions) and fails with
 * "The 'account' property must be a concrete value" (or a resolution error about a
 * cross-environment resource).
 */
export function checkExplicitEnvironment(v: Validator, field: string, resource: IConstruct & { env: { account: string; region: string } },
  env: TargetEnv, pipelineRegion: string, importFix: string, roleGiven = false): void {
  const pipelineAccount = env.pipelineAccount;
  // The other way round: a resource of a literal account (region), from its ARN, and a pipeline stack
  // that names none. aws-cdk-lib must then create the action's role in that account (the replication
  // bucket in that region) and fails with "Pipeline stack which uses cross-environment actions must
  // have an explicitly set account" (the region check of the model names no field of these targets).
  const unnamed = [
    ...(!isToken(resource.env.account) && (pipelineAccount === undefined || isToken(pipelineAccount)) && !roleGiven ? ['account'] : []),
    ...(!isToken(resource.env.region) && isToken(pipelineRegion) ? ['region'] : []),
  ];
  if (unnamed.length > 0) {
    const where = [unnamed.includes('account') ? `account ${resource.env.account}` : undefined, unnamed.includes('region') ? resource.env.region : undefined]
      .filter(Boolean).join(', ');
    const example = `{ account: '${literalOr(pipelineAccount ?? '', '111111111111')}', region: '${literalOr(pipelineRegion, resource.env.region)}' }`;
    v.fail(field, `is in ${where}, but the pipeline's stack names no ${unnamed.join(' or ')}, so aws-cdk-lib cannot tell whether deploying to it crosses `
      + `${unnamed.map(m => `${m}s`).join(' or ')}`, described(where),
    `Give the pipeline's stack env: ${example} (the account and region the pipeline runs in)${unnamed.length === 1 && unnamed[0] === 'account' ? ', or pass role: a role of that account' : ''}.`);
  }
  const missing = [
    ...(isToken(resource.env.account) && pipelineAccount !== undefined && !isToken(pipelineAccount) ? ['account'] : []),
    ...(isToken(resource.env.region) && !isToken(pipelineRegion) ? ['region'] : []),
  ];
  if (missing.length === 0) return;
  const region = env.region ?? pipelineRegion;
  const example = `{ account: '${env.account ?? pipelineAccount}'${isToken(region) ? '' : `, region: '${region}'`} }`;
  const where = [pipelineAccount && !isToken(pipelineAccount) ? `account ${pipelineAccount}` : undefined, isToken(pipelineRegion) ? undefined : pipelineRegion]
    .filter(Boolean).join(', ');
  v.fail(field, `is in a stack that names no ${missing.join(' or ')}, so the pipeline (${where}) cannot tell whether deploying to it crosses ${missing.map(m => `${m}s`).join(' or ')}`,
    described(`stack '${Stack.of(resource).node.path}'`), `Give that stack env: ${example}, ${importFix}.`);
}

/**
 * Refuses resources of the app, in a stack of another account or region than the pipeline's, whose
 * physical names are generated at deploy time: the pipeline's stack names them in its actions and
 * policies, which aws-cdk-lib refuses for such names ("Cannot use resource ... in a
 * cross-environment fashion"). `PhysicalName.GENERATE_IF_NEEDED` and literal names are fine.
 */
export function refuseGeneratedNamesAcrossEnvironments(v: Validator, field: string, what: string,
  resources: Array<{ resource: unknown; name: string; fix: string }>): void {
  const pipeline = v.pipeline;
  if (pipeline === undefined) return;
  for (const { resource, name, fix } of resources) {
    if (!hasDeployTimeName(resource)) continue;
    const r = resource as Resource;
    // a stack that names no account or region is refused by checkExplicitEnvironment, with its own fix
    const [mine, theirs] = [Stack.of(r), Stack.of(pipeline)];
    if ([mine.account, mine.region, theirs.account, theirs.region].some(isToken)) continue;
    if ((mine.account === theirs.account && mine.region === theirs.region) || readsCrossRegionNames(theirs, mine)) continue;
    v.fail(field, `is ${what} of stack '${Stack.of(r).node.path}', of another account or region than the pipeline's stack, and the ${name} of '${r.node.path}' `
      + 'is generated when it deploys, so the pipeline\'s stack cannot name it in its action and policies', r.node.path, `${fix} (or PhysicalName.GENERATE_IF_NEEDED).`);
  }
}

/** Refuses a group or service in another account than the one its environment names. */
export function checkAccount(v: Validator, field: string, account: string, env: TargetEnv, fix: string): void {
  const wanted = env.account;
  if (wanted !== undefined && !isToken(wanted) && !isToken(account) && account !== wanted) {
    v.fail(field, `is in account ${account}, but environment '${env.name}' deploys to account ${wanted}`, account, fix);
  }
}

/** Checks the optional action role: an iam.IRole of the account the group or service is in. */
export function checkRole(v: Validator, field: string, role: unknown, what: string, account: string): iam.IRole | undefined {
  if (role === undefined) return undefined;
  if (role === null || typeof role !== 'object' || typeof (role as any).roleArn !== 'string' || typeof (role as any).grantAssumeRole !== 'function') {
    v.fail(`${field}.role`, 'must be an iam.IRole', role,
      `Pass a role of the ${what}'s account that trusts the pipeline account, for example iam.Role.fromRoleArn(this, 'DeployRole', 'arn:aws:iam::222222222222:role/shop-deploy').`);
  }
  const r = role as iam.IRole;
  refuseOwnedOfOtherApp(v, `${field}.role`, r, 'an IAM role');
  refuseOtherStageRole(v, `${field}.role`, r, isToken(account) ? undefined : account);
  const roleAccount = r.env?.account;
  if (typeof roleAccount === 'string' && !isToken(roleAccount) && !isToken(account) && roleAccount !== account) {
    v.fail(`${field}.role`, `is in account ${roleAccount}, but the ${what} is in account ${account} (CodePipeline deploys in the account of the role it assumes)`,
      roleAccount, `Pass a role of account ${account} that trusts the pipeline account.`);
  }
  return r;
}

/**
 * Refuses an action role of another CDK stage unless it is imported by a plain ARN (see
 * refuseOtherStagePrincipal); `account` is the account the role must be of, for the fix.
 */
export function refuseOtherStageRole(v: Validator, field: string, role: unknown, account: string | undefined): void {
  refuseOtherStagePrincipal(v, field, role, 'an IAM role', 'role', arn =>
    `Import it by its ARN instead, in any stack: iam.Role.fromRoleArn(this, 'DeployRole', '${arn}'), with the roleName the stage gives it `
    + '(a role imported by an ARN that is a string may come from any stack).', account);
}

/** The plan's line about the role the action runs as. */
export function roleDetail(role: iam.IRole | undefined, account: string, env: TargetEnv): string[] {
  if (role) return ['role: given'];
  const pipelineAccount = env.pipelineAccount;
  if (isToken(account) || pipelineAccount === undefined || isToken(pipelineAccount) || account === pipelineAccount) return [];
  return [`role: created by aws-cdk-lib in account ${account}`];
}

/** The model fields every single-action deployment (CodeDeploy or ECS) has in common. */
export function singleActionFields(name: string, kind: 'codedeploy-server' | 'codedeploy-ecs' | 'ecs-rolling' | 'lambda', account: string, region: string) {
  return {
    privileged: false,
    hasPreparePhase: false,
    account: isToken(account) ? undefined : account,
    region: isToken(region) ? undefined : region,
    actionNames: [{ name, phase: 'deploy' as const, kind }],
  };
}

/** The action name: the group's name when it is a literal, else its construct id. */
function groupName(group: { deploymentGroupName: string; node: { id: string } }, fallback: string): string {
  // a group of the app given a deploymentGroupName has it as its physical name (the attribute is a token)
  return actionNameOf(literalName(group, group.deploymentGroupName), group.node.id, fallback);
}

/**
 * A default action name: the resource's name when it is a literal CodePipeline takes, else its
 * construct id (without the characters CodePipeline refuses), else `fallback`.
 */
export function actionNameOf(name: string | undefined, id: string, fallback: string): string {
  if (name !== undefined && !isToken(name) && /^[A-Za-z0-9.@_-]{1,100}$/.test(name)) return name;
  const cleaned = id.replace(/[^A-Za-z0-9.@_-]/g, '');
  return cleaned.length > 0 && cleaned.length <= 100 ? cleaned : fallback;
}

/** Model of `DeploymentTarget.codeDeployServer`. */
export function codeDeployServerModel(
  ctx: ModelContext, group: codedeploy.IServerDeploymentGroup, options: CodeDeployServerOptions, env: TargetEnv, pipelineRegion: string,
): DeploymentModel {
  const v: Validator = ctx.validator;
  checkGroup(ctx, group, 'Server', env, pipelineRegion, options?.role !== undefined);
  const o = options ?? {};
  v.noMisspeltFields(ctx.field, o, 'CodeDeployServerOptions');
  const role = checkRole(v, ctx.field, o.role, 'deployment group', group.env.account);
  const input = o.input ?? DeploymentArtifact.BUILD_OUTPUT;
  if (!Object.values(DeploymentArtifact).includes(input)) {
    v.fail(`${ctx.field}.input`, 'must be a DeploymentArtifact', input, 'Use DeploymentArtifact.BUILD_OUTPUT or SOURCE.');
  }
  // an ECR source's artifact holds only imageDetail.json: there is no appspec.yml to deploy
  if (input === DeploymentArtifact.SOURCE && ctx.sourceKind === 'ECR') {
    v.fail(`${ctx.field}.input`, "takes the CodeDeploy revision (an appspec.yml at its root) from the source artifact, but the pipeline's source is an ECR source, "
      + 'whose artifact holds only imageDetail.json', described('DeploymentArtifact.SOURCE'),
    'Use DeploymentArtifact.BUILD_OUTPUT with a build that writes the revision (appspec.yml and the files it names), or a source that holds the revision.');
  }
  const name = v.pipelineName(`${ctx.field}.name`, o.name ?? groupName(group, 'CodeDeploy'), 'deployment name');
  const imported = importedGroupConfig(ctx, group, 'Server');
  const strategy = imported?.strategy ?? describeGroupConfig(group.deploymentConfig);
  return {
    name,
    kind: 'codedeploy-server',
    gradual: gradualRollout(strategy),
    summary: ['CodeDeploy EC2/on-premises', strategy, ...alarmsAndRollback(group)].join(' · '),
    summaryWithOwnAlarms: own => ['CodeDeploy EC2/on-premises', strategy, ...alarmsAndRollback(group, own)].join(' · '),
    details: [
      `deployment group: ${literalName(group, group.deploymentGroupName) ?? `${group.node.id} (generated name)`}`,
      ...(imported ? [imported.detail] : []),
      `revision: ${input === DeploymentArtifact.SOURCE ? 'the source' : 'the build output'} (appspec.yml at its root)`,
      ...roleDetail(role, group.env.account, env),
    ],
    ...singleActionFields(name, 'codedeploy-server', group.env.account, group.env.region),
    codeDeployGroup: group,
    buildOutputReads: input === DeploymentArtifact.BUILD_OUTPUT
      ? [{ field: `${ctx.field}.input`, what: 'the CodeDeploy revision\'s appspec.yml', path: 'appspec.yml' }]
      : [],
    sourceArtifactInput: input === DeploymentArtifact.SOURCE ? { field: `${ctx.field}.input`, what: 'the revision CodeDeploy deploys' } : undefined,
    produce: (rc: DeploymentRenderContext): codepipeline.IAction[] => {
      if (imported) Annotations.of(rc.scope).addWarningV2('delivery-pipeline:importedGroupConfig', imported.warning);
      return [new actions.CodeDeployServerDeployAction({
        actionName: name,
        runOrder: rc.deployRunOrder,
        input: input === DeploymentArtifact.SOURCE ? rc.sourceArtifact : rc.buildArtifact,
        deploymentGroup: group,
        role: role && roleInPipelineStack(rc.scope, role),
      })];
    },
  };
}

/** Model of `DeploymentTarget.codeDeployEcs`. */
export function codeDeployEcsModel(
  ctx: ModelContext, group: codedeploy.IEcsDeploymentGroup, options: CodeDeployEcsOptions, env: TargetEnv, pipelineRegion: string,
): DeploymentModel {
  const v: Validator = ctx.validator;
  checkGroup(ctx, group, 'Ecs', env, pipelineRegion, options?.role !== undefined);
  v.requireObject(ctx.field, options, "Pass { taskDefinitionTemplate: 'taskdef.json', appSpecTemplate: 'appspec.yaml' }.");
  v.noMisspeltFields(ctx.field, options, 'CodeDeployEcsOptions');
  const role = checkRole(v, ctx.field, options.role, 'deployment group', group.env.account);
  const taskDefinitionTemplate = buildOutputFilePath(v, `${ctx.field}.taskDefinitionTemplate`, v.requireString(`${ctx.field}.taskDefinitionTemplate`,
    options.taskDefinitionTemplate, "Pass the path of the task definition template inside the build output, for example 'taskdef.json'."), 'taskdef.json');
  const appSpecTemplate = buildOutputFilePath(v, `${ctx.field}.appSpecTemplate`, v.requireString(`${ctx.field}.appSpecTemplate`,
    options.appSpecTemplate, "Pass the path of the AppSpec template inside the build output, for example 'appspec.yaml'."), 'appspec.yaml');
  const image = options.containerImage;
  if (image !== undefined && !Object.values(DeploymentArtifact).includes(image)) {
    v.fail(`${ctx.field}.containerImage`, 'must be a DeploymentArtifact', image, 'Use DeploymentArtifact.SOURCE (an ECR source) or BUILD_OUTPUT (an imageDetail.json the build writes).');
  }
  // only an ECR source writes the imageDetail.json the action reads the image from
  if (image === DeploymentArtifact.SOURCE && ctx.sourceKind !== undefined && ctx.sourceKind !== 'ECR') {
    v.fail(`${ctx.field}.containerImage`,
      `takes the image from an imageDetail.json in the source artifact, which only an ECR source writes, but the pipeline's source is a ${ctx.sourceKind} source`,
      described('DeploymentArtifact.SOURCE'),
      'Use PipelineSource.ecr({ repository }) as the pipeline\'s source, or DeploymentArtifact.BUILD_OUTPUT with the build writing imageDetail.json '
      + '({"ImageURI": "<the image URI>"}) at the root of its output.');
  }
  const placeholder = v.optionalString(`${ctx.field}.imagePlaceholder`, options.imagePlaceholder, "Pass the placeholder used in the task definition, for example 'IMAGE1_NAME'.") ?? 'IMAGE1_NAME';
  // CodePipeline replaces '<' + the placeholder + '>' in the template (the action's Image1ContainerName)
  if (!isToken(placeholder) && /[<>\s]/.test(placeholder)) {
    const inside = placeholder.replace(/[<>\s]/g, '') || 'IMAGE1_NAME';
    v.fail(`${ctx.field}.imagePlaceholder`, 'must be the text inside the angle brackets, without them or whitespace (the task definition template writes the '
      + "placeholder as <IMAGE1_NAME>, and CodePipeline replaces '<' + imagePlaceholder + '>' with the image URI, so this one would never match)",
    placeholder, `Write the text inside the angle brackets: '${inside}'.`);
  }
  if (!isToken(placeholder) && placeholder.length > 1000) {
    v.fail(`${ctx.field}.imagePlaceholder`, "must be at most 1000 characters (CodePipeline's limit for an action configuration value)",
      described(`${placeholder.length} characters`), "Use a short placeholder, for example 'IMAGE1_NAME'.");
  }
  // A service without the CODE_DEPLOY deployment controller is refused by aws-cdk-lib's
  // EcsDeploymentGroup itself; for an imported group the service is not knowable at synth time.
  const name = v.pipelineName(`${ctx.field}.name`, options.name ?? groupName(group, 'BlueGreen'), 'deployment name');
  const imported = importedGroupConfig(ctx, group, 'Ecs');
  const strategy = imported?.strategy ?? describeGroupConfig(group.deploymentConfig);
  const reroute = manualReroute(ctx, group);
  return {
    name,
    kind: 'codedeploy-ecs',
    gradual: gradualRollout(strategy),
    summary: ['ECS blue/green', strategy, ...alarmsAndRollback(group)].join(' · '),
    summaryWithOwnAlarms: own => ['ECS blue/green', strategy, ...alarmsAndRollback(group, own)].join(' · '),
    details: [
      ...(imported ? [imported.detail] : []),
      ...reroute,
      `task definition: ${taskDefinitionTemplate}`,
      `appspec: ${appSpecTemplate}`,
      ...(image ? [`image: imageDetail.json of the ${image === DeploymentArtifact.SOURCE ? 'source' : 'build output'} → <${placeholder}>`] : []),
      ...roleDetail(role, group.env.account, env),
    ],
    ...singleActionFields(name, 'codedeploy-ecs', group.env.account, group.env.region),
    codeDeployGroup: group,
    sourceArtifactInput: image === DeploymentArtifact.SOURCE ? { field: `${ctx.field}.containerImage`, what: 'the image details (imageDetail.json)' } : undefined,
    buildOutputReads: [
      { field: `${ctx.field}.taskDefinitionTemplate`, what: 'the task definition template', path: taskDefinitionTemplate },
      { field: `${ctx.field}.appSpecTemplate`, what: 'the AppSpec template', path: appSpecTemplate },
      ...(image === DeploymentArtifact.BUILD_OUTPUT
        ? [{ field: `${ctx.field}.containerImage`, what: 'the image details file (imageDetail.json)', path: 'imageDetail.json' }]
        : []),
    ],
    produce: (rc: DeploymentRenderContext): codepipeline.IAction[] => {
      if (imported) Annotations.of(rc.scope).addWarningV2('delivery-pipeline:importedGroupConfig', imported.warning);
      return [new actions.CodeDeployEcsDeployAction({
        actionName: name,
        runOrder: rc.deployRunOrder,
        deploymentGroup: group,
        role: role ? roleInPipelineStack(rc.scope, role) : otherRegionEcsDeployRole(rc, group, name),
        taskDefinitionTemplateFile: rc.buildArtifact.atPath(taskDefinitionTemplate),
        appSpecTemplateFile: rc.buildArtifact.atPath(appSpecTemplate),
        containerImageInputs: image === undefined ? undefined : [{
          input: image === DeploymentArtifact.SOURCE ? rc.sourceArtifact : rc.buildArtifact,
          taskDefinitionPlaceholder: placeholder,
        }],
      })];
    },
  };
}

/**
 * The action role of a CodeDeploy ECS deployment in another region of the pipeline's account.
 * aws-cdk-lib's action makes the region's replication bucket stack depend on the stack of a role it
 * owns; the role it would create sits in the pipeline's stack, which depends on that bucket stack: a
 * cycle. So the library creates the role (in the pipeline's stack, trusted by the pipeline's role
 * only, like aws-cdk-lib's own action roles) and hands the action a reference to it, whose policy
 * aws-cdk-lib still writes. The reference names the pipeline's account literally: aws-cdk-lib then
 * grants the replication bucket and its key in the role's policy only, never in the bucket or key
 * policies of the support stack (deployed before the role exists). The key's grant names the key of
 * the support stack, which the pipeline's stack cannot reference: the pipeline narrows it to the key
 * by its alias when it is rendered (scopeOtherRegionActionRoleKeyGrants).
 */
function otherRegionEcsDeployRole(rc: DeploymentRenderContext, group: codedeploy.IEcsDeploymentGroup, name: string): iam.IRole | undefined {
  const account = group.env.account;
  const sameAccount = isToken(account) || account === rc.pipelineAccount || isToken(rc.pipelineAccount);
  if (!sameAccount || isToken(group.env.region) || isToken(rc.pipelineRegion) || group.env.region === rc.pipelineRegion) return undefined;
  const role = new iam.Role(rc.scope, `${name}ActionRole`, { assumedBy: new iam.ArnPrincipal(rc.pipelineRole.roleArn), roleName: PhysicalName.GENERATE_IF_NEEDED });
  const ref = iam.Role.fromRoleArn(rc.scope, `${name}ActionRoleRef`, `arn:${Stack.of(rc.scope).partition}:iam::${rc.pipelineAccount}:role/${role.roleName}`);
  markOtherRegionActionRole(ref);
  return ref;
}

/** Model of `DeploymentTarget.ecs`. */
export function ecsRollingModel(
  ctx: ModelContext, service: ecs.IBaseService, options: EcsRollingOptions, env: TargetEnv, pipelineRegion: string,
): DeploymentModel {
  const v: Validator = ctx.validator;
  if (!service || typeof (service as any).serviceName !== 'string' || !(service as any).cluster) {
    v.fail(`${ctx.field}.service`, 'must be an ecs.IBaseService', service, 'Pass an ecs.FargateService, ecs.Ec2Service or FargateService.fromFargateServiceAttributes(...).');
  }
  const o = options ?? {};
  v.noMisspeltFields(ctx.field, o, 'EcsRollingOptions');
  const givenFile = v.optionalString(`${ctx.field}.imageDefinitionsFile`, o.imageDefinitionsFile, "Pass the path inside the build output, for example 'imagedefinitions.json'.");
  const file = givenFile === undefined ? 'imagedefinitions.json' : buildOutputFilePath(v, `${ctx.field}.imageDefinitionsFile`, givenFile, 'imagedefinitions.json');
  if (Resource.isOwnedResource(service)) {
    refuseOtherStage(v, `${ctx.field}.service`, service, 'an ECS service', service.node.path,
      "Import it by ARN in the pipeline's stack: ecs.FargateService.fromFargateServiceAttributes(pipelineStack, 'Service', "
      + "{ serviceArn: 'arn:aws:ecs:<region>:<account>:service/<cluster>/<service>', cluster: ecs.Cluster.fromClusterArn(pipelineStack, 'Cluster', '<cluster ARN>') }), "
      + 'with the names the stage gives them.');
    refuseGeneratedNamesAcrossEnvironments(v, `${ctx.field}.service`, 'an ECS service', [
      { resource: service.cluster, name: 'clusterName', fix: "Give the cluster a name: new ecs.Cluster(this, 'Cluster', { clusterName: 'shop', ... })" },
      { resource: service, name: 'serviceName', fix: "Give the service a name: new ecs.FargateService(this, 'Web', { serviceName: 'shop-web', ... })" },
    ]);
  }
  const serviceRegion = service.env.region;
  const wanted = env.region ?? pipelineRegion;
  if (!isToken(serviceRegion) && !isToken(wanted) && serviceRegion !== wanted) {
    v.fail(`${ctx.field}.service`, `is in region ${serviceRegion}, but environment '${env.name}' deploys to ${wanted}`, serviceRegion,
      `Import the service from ${wanted}, or set the environment's region to ${serviceRegion}.`);
  }
  // A service of this app tells its deployment controller: a rolling update (the ECS deploy
  // action) cannot deploy one that CodeDeploy or an external controller owns.
  const controller = controllerOf(service);
  if (controller === 'CODE_DEPLOY' || controller === 'EXTERNAL') {
    v.fail(`${ctx.field}.service`, `uses the ${controller} deployment controller, which an ECS rolling update cannot deploy`, (service as any).node?.path ?? service.serviceName,
      controller === 'CODE_DEPLOY'
        ? 'Deploy it with DeploymentTarget.codeDeployEcs(deploymentGroup, { taskDefinitionTemplate, appSpecTemplate }), or give the service deploymentController: { type: ecs.DeploymentControllerType.ECS }.'
        : 'Give the service deploymentController: { type: ecs.DeploymentControllerType.ECS }, or deploy it with your own action (DeploymentTarget.fromActionFactory).');
  }
  const account = service.env.account;
  // fromFargateServiceAttributes({ cluster, serviceName }) places the service in the importing stack's
  // account: refused when its cluster is in another one. A service in another account than its
  // stack's was imported by its ARN and is where that ARN says.
  const cluster = clusterEnvironment(service.cluster);
  if (cluster !== undefined && !isToken(account) && account === Stack.of(service).account && cluster.account !== account) {
    const arn = `arn:aws:ecs:${literalOr(cluster.region, '<region>')}:${cluster.account}:service/`
      + `${literalOr(service.cluster.clusterName, '<cluster>')}/${literalOr(service.serviceName, '<service>')}`;
    v.fail(`${ctx.field}.service`, `is in account ${account} (the account of the stack that imports it), but its cluster is in account ${cluster.account}`, account,
      `Import the service with its ARN, for example FargateService.fromFargateServiceAttributes(this, 'Service', { serviceArn: '${arn}', cluster }).`);
  }
  checkExplicitEnvironment(v, `${ctx.field}.service`, service, env, pipelineRegion,
    'or import the service with its ARN (FargateService.fromFargateServiceAttributes(this, \'Service\', { serviceArn, cluster })) in a stack that names its account and region',
    o.role !== undefined);
  checkAccount(v, `${ctx.field}.service`, account, env,
    `Import the service from account ${env.account} (its serviceArn), or set the environment's account to ${account}.`);
  const role = checkRole(v, ctx.field, o.role, 'service', account);
  const timeoutMinutes = o.deploymentTimeout === undefined ? undefined : v.durationMinutes(`${ctx.field}.deploymentTimeout`, o.deploymentTimeout, {
    min: 1, max: 60, limits: 'whole minutes from 1 to 60 (CodePipeline\'s limits for an ECS deployment)', example: 'Duration.minutes(15)',
  });
  // the service's name (an owned service given a serviceName has it as its physical name), else its construct id
  const name = v.pipelineName(`${ctx.field}.name`, o.name ?? actionNameOf(literalName(service, service.serviceName), service.node.id, 'Ecs'), 'deployment name');
  return {
    name,
    kind: 'ecs-rolling',
    ecsService: service,
    summary: ['ECS rolling update', ...rollingStrategy(service)].join(' · '),
    details: [`image definitions: ${file}`, ...(timeoutMinutes ? [`deployment timeout: ${timeoutMinutes} min`] : []), ...roleDetail(role, account, env)],
    ...singleActionFields(name, 'ecs-rolling', account, serviceRegion),
    buildOutputReads: [{ field: `${ctx.field}.imageDefinitionsFile`, what: 'the image definitions file', path: file }],
    produce: (rc: DeploymentRenderContext): codepipeline.IAction[] => [new actions.EcsDeployAction({
      actionName: name,
      runOrder: rc.deployRunOrder,
      service,
      role: role && roleInPipelineStack(rc.scope, role),
      imageFile: rc.buildArtifact.atPath(file),
      deploymentTimeout: o.deploymentTimeout,
    })],
  };
}

/**
 * The account and region of a cluster: those of its stack for a cluster of this app, else those of
 * its ARN when that is literal (`Cluster.fromClusterAttributes` places the cluster in the importing
 * stack's environment whatever its `clusterArn` says, unlike `fromClusterArn`). Undefined when they
 * are not knowable (an imported cluster whose ARN is a token).
 */
function clusterEnvironment(cluster: ecs.ICluster): { account: string; region: string } | undefined {
  if (defaultChildOf(cluster) instanceof ecs.CfnCluster) {
    return isToken(cluster.env.account) ? undefined : { account: cluster.env.account, region: cluster.env.region };
  }
  const clusterArn = cluster.clusterArn;
  if (typeof clusterArn !== 'string' || isToken(clusterArn)) return undefined;
  let parts: { account?: string; region?: string };
  try {
    parts = Arn.split(clusterArn, ArnFormat.SLASH_RESOURCE_NAME);
  } catch {
    return undefined;
  }
  const account = parts.account;
  if (!account || isToken(account)) return undefined;
  return { account, region: parts.region || '<region>' };
}

function literalOr(value: string, placeholder: string): string {
  return isToken(value) ? placeholder : value;
}

/** The deployment controller type of a service defined in this app, when knowable. */
function controllerOf(service: ecs.IBaseService): string | undefined {
  const child = defaultChildOf(service);
  if (!(child instanceof ecs.CfnService)) return undefined;
  const controller = child.deploymentController as ecs.CfnService.DeploymentControllerProperty | undefined;
  return controller && !isToken(controller.type) ? controller.type : undefined;
}

/**
 * How a service of this app rolls: its minimum healthy and maximum percent and its circuit
 * breaker; for an imported service, the service's own settings (not knowable at synth).
 */
function rollingStrategy(service: ecs.IBaseService): string[] {
  const cfn = defaultChildOf(service);
  if (!(cfn instanceof ecs.CfnService)) return ["the service's own minimum healthy and maximum percent"];
  const config = cfn.deploymentConfiguration as ecs.CfnService.DeploymentConfigurationProperty | undefined;
  const min = config?.minimumHealthyPercent;
  const max = config?.maximumPercent;
  // ECS's defaults: 100/200 for a replica service, 0/100 for a daemon
  const daemon = cfn.schedulingStrategy === 'DAEMON';
  const out = [
    `at least ${typeof min === 'number' ? min : daemon ? 0 : 100}% of the tasks healthy, up to ${typeof max === 'number' ? max : daemon ? 100 : 200}%`,
  ];
  const breaker = config?.deploymentCircuitBreaker as ecs.CfnService.DeploymentCircuitBreakerProperty | undefined;
  if (breaker && breaker.enable === true) out.push(breaker.rollback === true ? 'circuit breaker rolls back a failed deployment' : 'circuit breaker stops a failed deployment');
  return out;
}
