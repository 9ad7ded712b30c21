import { BUILD_STAGE, CHECKS_STAGE, SOURCE_STAGE } from '../model/build-model';
import { EnvironmentModel, PipelineModel } from '../model/model';
import { SOURCE_ACTION_NAME } from '../sources/pipeline-source';

/*
 * The ordered graph of stages and actions a model becomes, without CloudFormation: which stage,
 * which action name, which run order. The renderer walks it; the plan document is written from it.
 */

/** How a graph node is rendered. */
export type GraphNodeKind =
  | { readonly type: 'source' }
  | { readonly type: 'build' }
  | { readonly type: 'check'; readonly index: number }
  | { readonly type: 'approval' }
  | { readonly type: 'deployment'; readonly index: number; readonly prepareRunOrder: number; readonly deployRunOrder: number }
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
    { name: SOURCE_STAGE, nodes: [{ node: { type: 'source' }, actions: [{ name: SOURCE_ACTION_NAME, runOrder: 1, kind: `source-${model.source.kind.toLowerCase()}` }] }] },
    { name: BUILD_STAGE, nodes: [{ node: { type: 'build' }, actions: [{ name: model.build.name, runOrder: 1, kind: model.build.kind }] }] },
  ];
  if (model.checks.length > 0) {
    stages.push({
      name: CHECKS_STAGE,
      nodes: model.checks.map((c, index) => ({ node: { type: 'check', index }, actions: [{ name: c.name, runOrder: 1, kind: c.kind }] })),
    });
  }
  for (const env of model.environments) {
    stages.push(environmentStage(env));
  }
  return { stages };
}

function environmentStage(env: EnvironmentModel): GraphStage {
  const nodes: GraphNode[] = [];
  let next = 1;
  const manualFirst = env.approval?.kind === 'manual-approval';
  if (env.approval && manualFirst) {
    nodes.push({ node: { type: 'approval' }, actions: [{ name: env.approval.actionName, runOrder: next, kind: env.approval.kind }] });
    next++;
  }
  const hasPrepare = env.deployments.some(d => d.hasPreparePhase);
  const prepareRunOrder = next;
  let deployRunOrder = next;
  const review = env.approval && !manualFirst ? env.approval : undefined;
  if (hasPrepare) {
    deployRunOrder = review ? next + 2 : next + 1;
  }
  env.deployments.forEach((d, index) => {
    nodes.push({
      node: { type: 'deployment', index, prepareRunOrder, deployRunOrder },
      actions: d.actionNames.map(a => ({ name: a.name, runOrder: a.phase === 'prepare' ? prepareRunOrder : deployRunOrder, kind: a.kind })),
    });
  });
  if (review) {
    nodes.push({ node: { type: 'approval' }, actions: [{ name: review.actionName, runOrder: prepareRunOrder + 1, kind: review.kind }] });
  }
  const verifyRunOrder = deployRunOrder + 1;
  env.verification.forEach((x, index) => {
    nodes.push({ node: { type: 'verification', index }, actions: [{ name: x.name, runOrder: verifyRunOrder, kind: x.kind }] });
  });
  return { name: env.name, environment: env, nodes };
}

/** The action names of a stage in run order (then declaration order), for tests and the plan. */
export function actionsInOrder(stage: GraphStage): GraphAction[] {
  return stage.nodes.flatMap(n => n.actions).sort((a, b) => a.runOrder - b.runOrder);
}
