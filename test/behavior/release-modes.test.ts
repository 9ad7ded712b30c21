import { Annotations as CdkAnnotations } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import { Approval, DeploymentTarget, QualityCheck, ReleaseMode, Verification } from '../../src';
import { PlanDocument } from '../../src/model/plan-document';
import { actionsOf, cfnTarget, env, errorOf, newStack, pipelineIn, stageNames } from '../util';

function planOf(pipeline: any): PlanDocument {
  pipeline.buildPipeline();
  return pipeline._plan;
}

describe('CONTINUOUS_INTEGRATION', () => {
  test('is the default without environments: source, build, checks only', () => {
    const stack = newStack();
    const pipeline = pipelineIn(stack, { checks: [QualityCheck.dependencyAudit()] });
    expect(pipeline.releaseMode).toBe(ReleaseMode.CONTINUOUS_INTEGRATION);
    expect(stageNames(stack)).toEqual(['Source', 'Build', 'Checks']);
    expect(planOf(pipeline).releaseModeDescription).toMatch(/^Continuous integration: .*releases nothing/);
  });

  test('environments are an error', () => {
    const stack = newStack();
    expect(errorOf(() => pipelineIn(stack, { releaseMode: ReleaseMode.CONTINUOUS_INTEGRATION, environments: [env('staging')] }))).toBe(
      "'PipelineStack/Shop': environments must be empty under ReleaseMode.CONTINUOUS_INTEGRATION (a CI pipeline releases nothing), got 1 environment. Remove the environments, or choose ReleaseMode.CONTINUOUS_DELIVERY or CONTINUOUS_DEPLOYMENT.");
  });

  test('addEnvironment on an explicit CI pipeline is an error', () => {
    const stack = newStack();
    const pipeline = pipelineIn(stack, { releaseMode: ReleaseMode.CONTINUOUS_INTEGRATION });
    expect(errorOf(() => pipeline.addEnvironment(env('staging')))).toContain('environments must be empty under ReleaseMode.CONTINUOUS_INTEGRATION');
  });
});

describe('CONTINUOUS_DELIVERY', () => {
  test('is the default with environments', () => {
    const stack = newStack();
    expect(pipelineIn(stack, { environments: [env('staging')] }).releaseMode).toBe(ReleaseMode.CONTINUOUS_DELIVERY);
  });

  test('a production environment without approval gets a default manual approval, and the plan says so', () => {
    const stack = newStack();
    const pipeline = pipelineIn(stack, { environments: [env('staging'), env('prod', { production: true })] });
    expect(actionsOf(stack, 'staging')).toEqual(['Deploy-staging@1']);
    expect(actionsOf(stack, 'prod')).toEqual(['Approve@1', 'Deploy-prod@2']);
    const gate = planOf(pipeline).environments[1].gates[0];
    expect(gate).toEqual({ kind: 'manual-approval', addedByDefault: true, summary: 'manual approval before deploying to prod — added by default (continuous delivery)' });
  });

  test('a configured approval is kept as is (not duplicated)', () => {
    const stack = newStack();
    pipelineIn(stack, { environments: [env('prod', { production: true, approval: Approval.manual({ comment: 'Go?' }) })] });
    expect(actionsOf(stack, 'prod')).toEqual(['Approve@1', 'Deploy-prod@2']);
  });

  test('a change-set review counts as the production approval', () => {
    const stack = newStack();
    pipelineIn(stack, { environments: [{ name: 'prod', production: true, approval: Approval.changeSetReview(), deployments: [cfnTarget('shop-prod')] }] });
    expect(actionsOf(stack, 'prod')).toEqual(['shop-prod.Prepare@1', 'shop-prod.Deploy@3', 'ReviewChangeSet@2']);
  });
});

describe('CONTINUOUS_DELIVERY without a production environment', () => {
  test('adds no approval: the synth warns and the plan says that nothing waits for a person (regression: it said a person decides)', () => {
    const stack = newStack();
    const pipeline = pipelineIn(stack, { environments: [env('staging'), env('prod')] });
    expect(planOf(pipeline).releaseModeDescription).toBe('Continuous delivery: every change moves through the environments automatically; '
      + 'no environment is marked production, so no approval is added and nothing waits for a person.');
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('noProductionEnvironment')).map(w => w.entry.data)).toEqual([
      "No environment is marked production ('staging', 'prod'), so continuous delivery adds no approval and every change moves through all of them "
      + 'automatically. Mark the environment that serves your users with production: true, or acknowledge this warning when none of them does. '
      + '[ack: delivery-pipeline:noProductionEnvironment]',
    ]);
    const other = newStack();
    pipelineIn(other, { environments: [env('staging'), env('prod', { production: true })] });
    expect(Annotations.fromStack(other).findWarning('*', Match.stringLikeRegexp('noProductionEnvironment'))).toEqual([]);
  });

  test('with approvals configured on environments not marked production, a person decides there: no warning, and the plan says so', () => {
    const stack = newStack();
    const pipeline = pipelineIn(stack, { environments: [env('dev'), env('staging', { approval: Approval.manual() }), env('live', { approval: Approval.manual() })] });
    expect(actionsOf(stack, 'live')).toEqual(['Approve@1', 'Deploy-live@2']);
    expect(planOf(pipeline).releaseModeDescription).toBe('Continuous delivery: every change moves through the environments automatically up to an '
      + 'approval; no environment is marked production, so no approval is added: a person decides where you configured one (2 environments).');
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('noProductionEnvironment'))).toEqual([]);
  });
});

describe('CONTINUOUS_DELIVERY or CONTINUOUS_DEPLOYMENT without environments', () => {
  const warningsOf = (stack: any) => Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('noEnvironments')).map(w => w.entry.data);

  test.each([
    ['CONTINUOUS_DELIVERY', undefined, 'continuous delivery', 'delivery'],
    ['CONTINUOUS_DEPLOYMENT', [], 'continuous deployment', 'deployment'],
  ])('%s with environments %j: the synth warns that the pipeline deploys nowhere, and the plan says so (regression: neither did)',
    (mode, environments, words, noun) => {
      const stack = newStack();
      const pipeline = pipelineIn(stack, { releaseMode: mode as ReleaseMode, environments: environments as any });
      expect(stageNames(stack)).toEqual(['Source', 'Build']);
      expect(warningsOf(stack)).toEqual([
        `No environments are configured, so this ${words} pipeline (releaseMode ReleaseMode.${mode}) builds and checks every change but deploys it nowhere. `
        + "Add the environments it delivers to (environments: [{ name: 'staging', deployments: [...] }], or addEnvironment()), "
        + 'choose ReleaseMode.CONTINUOUS_INTEGRATION for a pipeline that only builds, or acknowledge this warning when it is meant to deploy nothing yet. '
        + '[ack: delivery-pipeline:noEnvironments]',
      ]);
      expect(planOf(pipeline).releaseModeDescription).toBe(`Continuous ${noun}, but the pipeline has no environments: every change is built and checked, and deployed nowhere.`);
    });

  test('no warning with an environment (in props or added), nor for continuous integration; acknowledged, it is gone', () => {
    const withEnvironment = newStack();
    pipelineIn(withEnvironment, { releaseMode: ReleaseMode.CONTINUOUS_DELIVERY, environments: [env('staging', { production: true })] });
    expect(warningsOf(withEnvironment)).toEqual([]);
    const added = newStack();
    pipelineIn(added, { releaseMode: ReleaseMode.CONTINUOUS_DELIVERY }).addEnvironment(env('prod', { production: true }));
    expect(warningsOf(added)).toEqual([]);
    const ci = newStack();
    pipelineIn(ci, { releaseMode: ReleaseMode.CONTINUOUS_INTEGRATION });
    expect(warningsOf(ci)).toEqual([]);
    const acknowledged = newStack();
    pipelineIn(acknowledged, { releaseMode: ReleaseMode.CONTINUOUS_DELIVERY });
    CdkAnnotations.of(acknowledged).acknowledgeWarning('delivery-pipeline:noEnvironments', 'environments come in the next change');
    expect(warningsOf(acknowledged)).toEqual([]);
  });
});

describe('CONTINUOUS_DEPLOYMENT', () => {
  test('no approval anywhere; verified production deploys by itself', () => {
    const stack = newStack();
    const pipeline = pipelineIn(stack, {
      releaseMode: ReleaseMode.CONTINUOUS_DEPLOYMENT,
      environments: [env('staging'), env('prod', { production: true, verification: [Verification.commands('Smoke', ['./smoke.sh'])] })],
    });
    expect(actionsOf(stack, 'prod')).toEqual(['Deploy-prod@1', 'Smoke@2']);
    expect(planOf(pipeline).releaseModeDescription).toMatch(/^Continuous deployment: nobody decides/);
  });

  test('without a production environment the synth warns and the plan does not say that checks guard production (regression: neither did)', () => {
    const stack = newStack();
    const pipeline = pipelineIn(stack, { releaseMode: ReleaseMode.CONTINUOUS_DEPLOYMENT, environments: [env('staging'), env('prod')] });
    expect(planOf(pipeline).releaseModeDescription).toBe('Continuous deployment: nobody decides; every change moves through the environments automatically; '
      + 'no environment is marked production, so none is required to have automated verification.');
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('noProductionEnvironment')).map(w => w.entry.data)).toEqual([
      "No environment is marked production ('staging', 'prod'), so continuous deployment requires none of them to have automated verification, "
      + 'and every change moves through all of them with nobody deciding, verified or not. Mark the environment that serves your users with production: true '
      + '(it then needs verification, or acknowledgeUnverifiedProduction: true), or acknowledge this warning when none of them does. '
      + '[ack: delivery-pipeline:noProductionEnvironment]',
    ]);
    // a production environment: no warning, and the plan says checks decide
    const other = newStack();
    const verified = pipelineIn(other, {
      releaseMode: ReleaseMode.CONTINUOUS_DEPLOYMENT,
      environments: [env('staging'), env('prod', { production: true, verification: [Verification.commands('Smoke', ['./smoke.sh'])] })],
    });
    expect(planOf(verified).releaseModeDescription).toBe('Continuous deployment: nobody decides; a change reaches production when every automated check passes.');
    expect(Annotations.fromStack(other).findWarning('*', Match.stringLikeRegexp('noProductionEnvironment'))).toEqual([]);
  });

  test('an approval is an error naming the environment', () => {
    const stack = newStack();
    expect(errorOf(() => pipelineIn(stack, {
      releaseMode: ReleaseMode.CONTINUOUS_DEPLOYMENT,
      environments: [env('staging', { approval: Approval.manual() })],
    }))).toBe("'PipelineStack/Shop': environments[0] ('staging').approval is a manual approval, which ReleaseMode.CONTINUOUS_DEPLOYMENT does not allow (nobody decides; automated checks do), got Approval.manual(). Remove the approval and gate the environment with verification, or use ReleaseMode.CONTINUOUS_DELIVERY.");
  });

  test('an approval action from a factory is an error too (regression: it passed, unseen by the plan)', () => {
    const stack = newStack();
    const pipeline = pipelineIn(stack, {
      releaseMode: ReleaseMode.CONTINUOUS_DEPLOYMENT,
      environments: [env('prod', {
        production: true,
        acknowledgeUnverifiedProduction: true,
        deployments: [DeploymentTarget.fromActionFactory('Gate', {
          produceAction: (_s, o) => new actions.ManualApprovalAction({ actionName: o.actionName, runOrder: o.runOrder }),
        })],
      })],
    });
    expect(errorOf(() => pipeline.buildPipeline())).toBe("'PipelineStack/Shop': environments[0] ('prod').deployments[0].factory returned an approval action, "
      + 'which ReleaseMode.CONTINUOUS_DEPLOYMENT does not allow (nobody decides: a change reaches production when every automated check passes), '
      + "got 'Gate'. Use ReleaseMode.CONTINUOUS_DELIVERY for a person to decide, or return an action that checks automatically.");
  });

  test('unverified production is an error', () => {
    const stack = newStack();
    expect(errorOf(() => pipelineIn(stack, {
      releaseMode: ReleaseMode.CONTINUOUS_DEPLOYMENT,
      environments: [env('prod', { production: true })],
    }))).toBe("'PipelineStack/Shop': environments[0] ('prod').verification is empty, but under ReleaseMode.CONTINUOUS_DEPLOYMENT a production environment needs automated verification, got no verification. Add Verification.commands(...) or Verification.alarms(...), or set acknowledgeUnverifiedProduction: true to accept the risk.");
  });

  test('unverified production is accepted when acknowledged, and the plan records it', () => {
    const stack = newStack();
    const pipeline = pipelineIn(stack, {
      releaseMode: ReleaseMode.CONTINUOUS_DEPLOYMENT,
      environments: [env('prod', { production: true, acknowledgeUnverifiedProduction: true })],
    });
    expect(actionsOf(stack, 'prod')).toEqual(['Deploy-prod@1']);
    expect(planOf(pipeline).environments[0].unverifiedAcknowledged).toBe(true);
  });

  test('a non-production environment needs no verification', () => {
    const stack = newStack();
    pipelineIn(stack, { releaseMode: ReleaseMode.CONTINUOUS_DEPLOYMENT, environments: [env('staging')] });
    expect(actionsOf(stack, 'staging')).toEqual(['Deploy-staging@1']);
  });
});
