import * as logs from 'aws-cdk-lib/aws-logs';
import { PipelineGraph } from './pipeline-graph';
import { ActionModel, DeploymentModel, EnvironmentModel, PipelineModel, SourceModel } from '../model/model';
import { PLAN_FORMAT_VERSION, PUBLISHES_IN_BUILD, PlanAction, PlanDocument, PlanNotifications, PlanSource } from '../model/plan-document';
import { approvalActionCount } from '../model/quotas';
import { describeReleaseMode } from '../model/release-mode';
import { isToken, literal } from '../private/validation';

function action(a: ActionModel | DeploymentModel): PlanAction {
  return { name: a.name, kind: a.kind, summary: a.summary, details: [...a.details], ...(a.privileged ? { privileged: true } : {}) };
}

/**
 * A deployment, with the account and region it deploys to when they are not its environment's
 * (`envAccount`, `envRegion`: the environment's, else the pipeline's; either may be a token).
 */
function deployment(d: DeploymentModel, envAccount: string, envRegion: string): PlanAction {
  // a custom action's account and region are those its factory gave it, once produced; a CDK
  // stage's, those of its stacks (one account and one region)
  const account = d.stageStacks?.map(s => s.account).find(a => a !== undefined && !isToken(a)) ?? d.account ?? d.produced?.account;
  const given = d.stageStacks?.map(s => s.region).find(r => r !== undefined && !isToken(r)) ?? d.region ?? d.produced?.region;
  const region = given !== undefined && !isToken(given) && given !== envRegion ? given : undefined;
  return {
    ...action(d),
    ...(d.produced?.privileged ? { privileged: true } : {}),
    ...(account === undefined || account === envAccount ? {} : isToken(account) ? { accountUnresolved: true } : { account }),
    ...(region !== undefined ? { region } : {}),
    ...(d.gradual !== undefined ? { gradual: d.gradual } : {}),
    ...(d.actionNames.some(a => a.phase === 'before') ? { runsBeforeDeployments: true } : {}),
    ...(d.actionNames.some(a => a.phase === 'after') ? { runsAfterDeployments: true } : {}),
  };
}

/**
 * The approval's summary; a change-set review of stacks on several dependency levels is one review
 * per level (a dependent stack's change set is created once its dependencies are deployed): says how many.
 */
function approvalSummary(env: EnvironmentModel): string {
  const reviews = approvalActionCount(env);
  return reviews > 1
    ? `${env.approval!.summary}: ${reviews} reviews, one per dependency level of the stacks, each after the previous level deployed`
    : env.approval!.summary;
}

/** The pipeline's stack, as the plan records it (its account and region may be tokens). */
export interface PlanStackFacts {
  readonly account: string;
  readonly region: string;
  readonly stackName: string;
}

/** Writes the plan document (docs/plan-format.md) of a validated model and its graph, in its stack. */
export function writePlan(
  model: PipelineModel, graph: PipelineGraph, stack: PlanStackFacts, notifications?: PlanNotifications,
): PlanDocument {
  const { account, region } = stack;
  return {
    formatVersion: PLAN_FORMAT_VERSION,
    constructPath: model.constructPath,
    pipelineName: literal(model.pipelineName),
    ...(model.pipelineName !== undefined && isToken(model.pipelineName) ? { pipelineNameUnresolved: true } : {}),
    releaseMode: model.releaseMode,
    releaseModeDefaulted: model.releaseModeDefaulted,
    releaseModeDescription: describeReleaseMode(model.releaseMode, model.environments.filter(e => e.production).length,
      model.environments.filter(e => e.approval !== undefined).length, model.environments.length),
    executionMode: model.executionMode,
    account: literal(account),
    region: literal(region),
    ...(literal(stack.stackName) !== undefined ? { stackName: stack.stackName } : {}),
    source: source(model.source),
    ...(model.additionalSources.length > 0 ? {
      additionalSources: model.additionalSources.map(a => ({
        name: a.name, ...source(a.source), directory: a.directory, triggersPipeline: a.triggersPipeline,
      })),
    } : {}),
    buildStep: buildAction(model),
    checks: model.checks.map(action),
    environments: model.environments.map(env => ({
      name: env.name,
      stageName: env.name,
      production: env.production,
      account: literal(env.account),
      region: literal(env.region),
      ...(env.account !== undefined && isToken(env.account) ? { accountUnresolved: true } : {}),
      gates: [
        ...(env.window ? [{ kind: 'deployment-window', summary: env.window.summary, addedByDefault: false }] : []),
        ...(env.blockWhileAlarming ? [{ kind: 'entry-alarms', summary: env.blockWhileAlarming.summary, addedByDefault: false, alarms: [...env.blockWhileAlarming.names] }] : []),
        ...(env.approval ? [{ kind: env.approval.kind, summary: approvalSummary(env), addedByDefault: env.approval.addedByDefault }] : []),
        ...env.alarmGates.map(g => ({
          kind: 'bake-alarms',
          summary: `after deploying, ${g.summary}; in ALARM → ${env.onFailure.result === 'ROLLBACK' ? 'roll back' : 'fail'}`,
          addedByDefault: false,
          ...(g.waitMinutes !== undefined ? { bakeMinutes: g.waitMinutes } : {}),
          alarms: [...g.names],
        })),
      ],
      onFailure: env.onFailure.result + (env.onFailure.retryMode ? ` (${env.onFailure.retryMode})` : '') + (env.onFailure.defaulted ? ' (default)' : ''),
      deployments: env.deployments.map(d => deployment(d, env.account ?? account, env.region ?? region)),
      verification: env.verification.map(action),
      // the acknowledgement is of a production environment without automated verification
      unverifiedAcknowledged: env.production && env.acknowledgeUnverifiedProduction && env.verification.length === 0 && env.alarmGates.length === 0,
    })),
    stages: graph.stages.map(s => ({
      name: s.name,
      actions: s.nodes.flatMap(n => n.actions).map(a => ({ name: a.name, runOrder: a.runOrder, kind: a.kind })),
    })),
    ...(notifications ? { notifications } : {}),
    ...(model.logRetention !== undefined && model.logRetention !== logs.RetentionDays.INFINITE ? { logRetentionDays: model.logRetention } : {}),
  };
}

function source(s: SourceModel): PlanSource {
  return {
    kind: s.kind,
    summary: s.summary,
    ...(s.repository !== undefined ? { repository: s.repository } : {}),
    branch: s.branch,
    triggers: [...s.triggers],
    startsOn: [...s.startsOn],
  };
}

/** The build step; with publishAssetsInBuild it also publishes the CDK stages' assets. */
function buildAction(model: PipelineModel): PlanAction {
  const build = action(model.build);
  return model.assets?.inBuild ? { ...build, details: [...build.details, PUBLISHES_IN_BUILD] } : build;
}
