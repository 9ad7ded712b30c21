import { Approval, BuildStep, DeploymentTarget, QualityCheck, ReleaseMode, Verification } from '../../src';
import { buildGraph, actionsInOrder } from '../../src/graph/pipeline-graph';
import { buildModel } from '../../src/model/build-model';
import { Validator } from '../../src/private/validation';
import { gitHub } from '../util';

function graphOf(environments: any[], extra: any = {}) {
  const model = buildModel(new Validator('App/Shop'), {
    source: gitHub(),
    build: BuildStep.commands({ commands: ['make'] }),
    environments,
    ...extra,
  });
  return buildGraph(model);
}

function names(graph: ReturnType<typeof graphOf>, stage: string): string[] {
  return actionsInOrder(graph.stages.find(s => s.name === stage)!).map(a => `${a.runOrder}:${a.name}`);
}

describe('pipeline graph', () => {
  test('stage order: source, build, checks, environments', () => {
    const g = graphOf([{ name: 'a', deployments: [DeploymentTarget.commands('D', ['x'])] }], { checks: [QualityCheck.commands('Lint', ['lint'])] });
    expect(g.stages.map(s => s.name)).toEqual(['Source', 'Build', 'Checks', 'a']);
  });

  test('approval, then prepare, review, deploy, verification', () => {
    const g = graphOf([{
      name: 'prod',
      approval: Approval.changeSetReview(),
      deployments: [
        DeploymentTarget.cloudFormation({ stackName: 'api', templatePath: 'a.json' }),
        DeploymentTarget.commands('Cdn', ['./cdn.sh']),
      ],
      verification: [Verification.commands('Smoke', ['./smoke.sh'])],
    }]);
    expect(names(g, 'prod')).toEqual(['1:api.Prepare', '2:ReviewChangeSet', '3:api.Deploy', '3:Cdn', '4:Smoke']);
  });

  test('manual approval first; commands-only environments deploy right after it', () => {
    const g = graphOf([{ name: 'prod', approval: Approval.manual(), deployments: [DeploymentTarget.commands('A', ['a']), DeploymentTarget.commands('B', ['b'])] }]);
    expect(names(g, 'prod')).toEqual(['1:Approve', '2:A', '2:B']);
  });

  test('continuous deployment: no approval node at all', () => {
    const g = graphOf([{ name: 'prod', production: true, deployments: [DeploymentTarget.commands('A', ['a'])], verification: [Verification.commands('T', ['t'])] }],
      { releaseMode: ReleaseMode.CONTINUOUS_DEPLOYMENT });
    expect(names(g, 'prod')).toEqual(['1:A', '2:T']);
  });
});
