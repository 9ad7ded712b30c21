import { ASSETS_ACTION_NAME, BUILD_STAGE, CHECKS_STAGE, SELF_UPDATE_STAGE, SOURCE_STAGE } from '../model/build-model';
import { DeploymentActionName, EnvironmentModel, PipelineModel } from '../model/model';
import { changeSetLevels } from '../model/quotas';
import { reviewActionName } from '../model/stage-names';
import { SOURCE_ACTION_NAME } from '../sources/pipeline-source';

/*
 * The ordered graph of stages and actions a model becomes, without CloudFormation: which stage,
 * which action name, which run order. The renderer walks it; the plan document is written from it.
 */

/** How a graph node is rendered. */
export type GraphNodeKind =
  | { readonly type: 'source' }
  | { readonly type: 'additional-source'; readonly index: number }
  | { readonly type: 'build' }
  | { readonly type: 'check'; readonly index: number }
  | { readonly type: 'approval' }
  | { readonly type: 'assets' }
  | { readonly type: 'self-update' }
  | {
    readonly type: 'deployment';
    readonly index: number;
    readonly prepareRunOrder: number;
    readonly deployRunOrder: number;
    readonly runOrderAt: (phase: 'prepare' | 'deploy', level: number) => number;
    readonly afterRunOrder: number;
    readonly beforeRunOrder: number;
  }
  | { readonly type: 'verification'; readonly index: number };

export interface GraphAction {
  readonly name: string;
  readonly runOrder: number;
  readonly kind: string;
}

/** One renderable unit: produces one or more actions. */
export interface GraphNode {
  readonly node: GraphNodeKind;
  /** The actions the node produces, in order. */
  readonly actions: GraphAction[];
}

export interface GraphStage {
  readonly name: string;
  readonly environment?: EnvironmentModel;
  readonly nodes: GraphNode[];
}

export interface PipelineGraph {
  readonly stages: GraphStage[];
}

/** Builds the ordered graph of a (validated) model. */
export function buildGraph(model: PipelineModel): PipelineGraph {
  const stages: GraphStage[] = [
    {
      name: SOURCE_STAGE,
      nodes: [
        { node: { type: 'source' }, actions: [{ name: SOURCE_ACTION_NAME, runOrder: 1, kind: `source-${model.source.kind.toLowerCase()}` }] },
        ...model.additionalSources.map((a, index): GraphNode => ({
          node: { type: 'additional-source', index }, actions: [{ name: a.name, runOrder: 1, kind: `source-${a.source.kind.toLowerCase()}` }],
        })),
      ],
    },
    { name: BUILD_STAGE, nodes: [{ node: { type: 'build' }, actions: [{ name: model.build.name, runOrder: 1, kind: model.build.kind }] }] },
  ];
  // The assets of every CDK stage are published once, by one action, before any environment and,
  // with selfUpdate, after the pipeline has updated itself (as CDK Pipelines orders Build →
  // UpdatePipeline → Assets): the publishing project's commands name the manifests of the commit
  // that last deployed the pipeline, and its role may assume the publishing roles of those stages
  // only, so before SelfMutate a commit that removes a stage, or adds an account, would fail it, and
  // the pipeline would never update itself. In parallel with the checks (which follow
  // UpdatePipeline); else right after SelfMutate, in its stage; else right after the build. No stage
  // of its own.
  const placement = model.checks.length > 0 ? 'checks' : model.selfUpdate ? 'self-update' : 'build';
  const assets: GraphNode | undefined = model.assets && !model.assets.inBuild
    ? { node: { type: 'assets' }, actions: [{ name: ASSETS_ACTION_NAME, runOrder: placement === 'checks' ? 1 : 2, kind: 'asset-publishing' }] }
    : undefined;
  if (assets && placement === 'build') stages[1].nodes.push(assets);
  if (model.selfUpdate) {
    stages.push({
      name: SELF_UPDATE_STAGE,
      nodes: [
        { node: { type: 'self-update' }, actions: [{ name: 'SelfMutate', runOrder: 1, kind: 'cloudformation-self-update' }] },
        ...(assets && placement === 'self-update' ? [assets] : []),
      ],
    });
  }
  if (model.checks.length > 0) {
    stages.push({
      name: CHECKS_STAGE,
      nodes: [
        ...model.checks.map((c, index): GraphNode => ({ node: { type: 'check', index }, actions: [{ name: c.name, runOrder: 1, kind: c.kind }] })),
        ...(assets ? [assets] : []),
      ],
    });
  }
  model.environments.forEach(env => stages.push(environmentStage(env)));
  return { stages };
}

/**
 * Run orders inside an environment: [manual approval] → [deploy scripts with runBeforeDeployments]
 * → level 0: prepare (change sets) → [change-set review] → deploy → level 1: prepare → [review] →
 * deploy → ... → [deploy scripts with runAfterDeployments] → verification.
 * Levels order the stacks of a CDK stage by their dependencies; everything else is level 0. A
 * change-set review sits at every level: a dependent stack's change set can only be created once
 * the stacks it depends on are deployed.
 */
export function runOrders(base: number, hasPrepare: boolean, review: boolean): (phase: 'prepare' | 'deploy' | 'review', level: number) => number {
  return (phase, level) => {
    if (!hasPrepare) return base + 2 * level;
    const width = review ? 3 : 2;
    const levelBase = base + width * level;
    if (phase === 'prepare') return levelBase;
    if (phase === 'review') return levelBase + 1;
    return levelBase + width - 1;
  };
}

export { reviewActionName };

function environmentStage(env: EnvironmentModel): GraphStage {
  const nodes: GraphNode[] = [];
  let next = 1;
  const manualFirst = env.approval?.kind === 'manual-approval';
  if (env.approval && manualFirst) {
    nodes.push({ node: { type: 'approval' }, actions: [{ name: env.approval.actionName, runOrder: next, kind: env.approval.kind }] });
    next++;
  }
  // deploy scripts with runBeforeDeployments run after the manual approval, before anything else
  const before = env.deployments.some(d => d.actionNames.some(a => a.phase === 'before'));
  const beforeRunOrder = next;
  if (before) next++;
  const hasPrepare = env.deployments.some(d => d.hasPreparePhase);
  const review = env.approval && !manualFirst ? env.approval : undefined;
  const runOrderAt = runOrders(next, hasPrepare, review !== undefined);
  const prepareRunOrder = runOrderAt('prepare', 0);
  const deployRunOrder = runOrderAt('deploy', 0);
  // deploy scripts with runAfterDeployments run once every other deployment succeeded
  const during = env.deployments.flatMap(d => d.actionNames
    .filter(a => a.phase === 'prepare' || a.phase === 'deploy')
    .map(a => runOrderAt(a.phase as 'prepare' | 'deploy', a.level ?? 0)));
  const after = env.deployments.some(d => d.actionNames.some(a => a.phase === 'after'));
  const afterRunOrder = during.length > 0 ? Math.max(deployRunOrder, ...during) + 1 : deployRunOrder;
  // an environment that deploys nothing but scripts that run before: verification follows them
  let lastDeploy = after ? afterRunOrder : during.length === 0 && before ? beforeRunOrder : deployRunOrder;
  const runOrderOf = (a: DeploymentActionName): number => {
    switch (a.phase) {
      case 'before': return beforeRunOrder;
      case 'after': return afterRunOrder;
      default: return runOrderAt(a.phase, a.level ?? 0);
    }
  };
  env.deployments.forEach((d, index) => {
    const actions = d.actionNames.map(a => ({ name: a.name, runOrder: runOrderOf(a), kind: a.kind }));
    for (const a of actions) lastDeploy = Math.max(lastDeploy, a.runOrder);
    nodes.push({ node: { type: 'deployment', index, prepareRunOrder, deployRunOrder, runOrderAt, afterRunOrder, beforeRunOrder }, actions });
  });
  if (review) {
    for (let level = 0; level < changeSetLevels(env.deployments); level++) {
      nodes.push({ node: { type: 'approval' }, actions: [{ name: reviewActionName(review.actionName, level), runOrder: runOrderAt('review', level), kind: review.kind }] });
    }
  }
  const verifyRunOrder = lastDeploy + 1;
  env.verification.forEach((x, index) => {
    nodes.push({ node: { type: 'verification', index }, actions: [{ name: x.name, runOrder: verifyRunOrder, kind: x.kind }] });
  });
  return { name: env.name, environment: env, nodes };
}

/** The action names of a stage in run order (then declaration order), for tests and the plan. */
export function actionsInOrder(stage: GraphStage): GraphAction[] {
  return stage.nodes.flatMap(n => n.actions).sort((a, b) => a.runOrder - b.runOrder);
}
