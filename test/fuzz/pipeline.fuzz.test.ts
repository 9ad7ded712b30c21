import { Template } from 'aws-cdk-lib/assertions';
import * as fc from 'fast-check';
import { pipelineProps } from './arbitraries';
import { DeliveryPipeline, ReleaseMode } from '../../src';
import { onlyApiRequiredStars } from '../../src/private/nag';
import { newStack } from '../util';

/*
 * Property: synthesis either throws the library's own validation error, or succeeds with a
 * template that satisfies the invariants below. CI runs a fixed seed; `npm run fuzz` runs 10,000
 * cases with a random seed (FUZZ_RUNS, FUZZ_SEED) and fast-check prints the seed and path of any
 * failure so it can be replayed. Every failure found becomes a named regression test.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 150);
const SEED = process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) : (process.env.FUZZ_RUNS ? undefined : 20261122);

const NAME = /^[A-Za-z0-9.@_-]{1,100}$/;

function checkInvariants(props: any, pipeline: DeliveryPipeline, template: any): void {
  const pipelines = Object.values(template.Resources).filter((r: any) => r.Type === 'AWS::CodePipeline::Pipeline') as any[];
  expect(pipelines).toHaveLength(1);
  const stages: any[] = pipelines[0].Properties.Stages;
  const mode = pipeline.releaseMode;
  const environments: any[] = props.environments;

  // stage names: unique, valid, in order, within the quota
  expect(stages.length).toBeLessThanOrEqual(50);
  expect(new Set(stages.map(s => s.Name)).size).toBe(stages.length);
  expect(stages[0].Name).toBe('Source');
  expect(stages[1].Name).toBe('Build');
  const envStages = stages.filter(s => !['Source', 'Build', 'Checks'].includes(s.Name));
  expect(envStages.map(s => s.Name)).toEqual(environments.map(e => e.name));
  if (mode === ReleaseMode.CONTINUOUS_INTEGRATION) expect(envStages).toEqual([]);

  for (const stage of stages) {
    expect(stage.Name).toMatch(NAME);
    expect(stage.Actions.length).toBeLessThanOrEqual(50);
    const names = stage.Actions.map((a: any) => a.Name);
    expect(new Set(names).size).toBe(names.length);
    for (const n of names) expect(n).toMatch(NAME);
  }

  envStages.forEach((stage, i) => {
    const env = environments[i];
    // gates render as the conditions they promise
    const entryProviders = (stage.BeforeEntry?.Conditions ?? []).flatMap((c: any) => c.Rules.map((r: any) => r.RuleTypeId.Provider));
    expect(entryProviders.includes('DeploymentWindow')).toBe(env.deploymentWindow !== undefined);
    expect(entryProviders.filter((p: string) => p === 'CloudWatchAlarm').length).toBe(env.blockWhileAlarming?.length ?? 0);
    if (stage.OnFailure?.Result === 'ROLLBACK') expect(pipelines[0].Properties.ExecutionMode).not.toBe('PARALLEL');
    if (env.production && env.onFailure === undefined && pipelines[0].Properties.ExecutionMode !== 'PARALLEL') {
      expect(stage.OnFailure).toEqual({ Result: 'ROLLBACK' });
    }
    if (mode === ReleaseMode.CONTINUOUS_DEPLOYMENT && env.production && !env.acknowledgeUnverifiedProduction) {
      // automated verification: a test action after the deployments, or an alarm gate
      const tests = stage.Actions.filter((a: any) => a.ActionTypeId.Provider === 'CodeBuild' && (env.verification ?? []).length > 0);
      expect(tests.length > 0 || (stage.OnSuccess?.Conditions ?? []).length > 0).toBe(true);
    }
    const approvals = stage.Actions.filter((a: any) => a.ActionTypeId.Category === 'Approval');
    const others = stage.Actions.filter((a: any) => a.ActionTypeId.Category !== 'Approval');
    if (mode === ReleaseMode.CONTINUOUS_DEPLOYMENT) expect(approvals).toEqual([]);
    if (mode === ReleaseMode.CONTINUOUS_DELIVERY && env.production) expect(approvals.length).toBe(1);
    for (const approval of approvals) {
      if (approval.Name === 'Approve') {
        // a manual approval precedes every deployment of its environment
        for (const a of others) expect(approval.RunOrder).toBeLessThan(a.RunOrder);
      } else {
        // a change-set review sits between creating and executing the change sets
        for (const a of others.filter((x: any) => x.Configuration?.ActionMode === 'CHANGE_SET_REPLACE')) expect(a.RunOrder).toBeLessThan(approval.RunOrder);
        for (const a of others.filter((x: any) => x.Configuration?.ActionMode === 'CHANGE_SET_EXECUTE')) expect(a.RunOrder).toBeGreaterThan(approval.RunOrder);
      }
    }
  });

  // all manual approvals run as one role, all CodeBuild actions as another; change sets run as a
  // bootstrap deploy role, never as a role created per action
  const allActions = stages.flatMap(st => st.Actions);
  const approvalRoles = new Set(allActions.filter((a: any) => a.ActionTypeId.Category === 'Approval').map((a: any) => JSON.stringify(a.RoleArn)));
  expect(approvalRoles.size).toBeLessThanOrEqual(1);
  const codeBuildRoles = new Set(allActions.filter((a: any) => a.ActionTypeId.Provider === 'CodeBuild').map((a: any) => JSON.stringify(a.RoleArn)));
  expect(codeBuildRoles.size).toBe(1);
  for (const a of allActions.filter((x: any) => x.ActionTypeId.Provider === 'CloudFormation')) {
    expect(JSON.stringify(a.RoleArn)).toMatch(/cdk-hnb659fds-deploy-role-/);
  }

  // every role's statements are scoped: Resource "*" only where the AWS API requires it
  for (const r of Object.values(template.Resources) as any[]) {
    if (r.Type !== 'AWS::IAM::Policy') continue;
    const stars = r.Properties.PolicyDocument.Statement.filter((st: any) => [].concat(st.Resource).includes('*' as never));
    if (stars.length > 0) expect(onlyApiRequiredStars(stars)).toBe(true);
  }
}

describe('fuzzing the configuration space', () => {
  test(`synthesis succeeds with the invariants, or fails with the library's own error (${RUNS} cases)`, () => {
    let valid = 0;
    let invalid = 0;
    fc.assert(fc.property(pipelineProps, (props) => {
      const stack = newStack();
      let pipeline: DeliveryPipeline;
      let template: any;
      try {
        pipeline = new DeliveryPipeline(stack, 'Shop', props as any);
        template = Template.fromStack(stack).toJSON();
      } catch (e) {
        if ((e as Error).name !== 'DeliveryPipelineValidationError') {
          throw new Error(`not the library's own error: ${(e as Error).name}: ${(e as Error).message}`);
        }
        expect((e as Error).message).toMatch(/^'PipelineStack\/Shop': \S/);
        invalid++;
        return;
      }
      valid++;
      checkInvariants(props, pipeline, template);
    }), { numRuns: RUNS, seed: SEED, verbose: 1 });
    // the generators must reach both sides of the property
    expect(valid).toBeGreaterThan(RUNS / 10);
    expect(invalid).toBeGreaterThan(RUNS / 10);
  });
});
