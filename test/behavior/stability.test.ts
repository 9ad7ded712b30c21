import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { OrdersServiceStage } from '../../examples/cdk-stage/service-stage';
import { Approval, DeliveryPipeline, DeploymentTarget, EnvironmentOptions, QualityCheck, Verification } from '../../src';
import { cfnTarget, newApp, newStack, props } from '../util';

/**
 * Growing a pipeline must not replace what is already deployed: a new environment or check adds
 * resources and changes the pipeline, but every existing resource keeps its logical id (a new id
 * is a replacement in CloudFormation: a new CodeBuild project, a new role, lost build history).
 */
const ids = (t: any): string[] => Object.keys(t.Resources);
const added = (before: any, after: any) => ids(after).filter((id) => !ids(before).includes(id)).sort();
const removed = (before: any, after: any) => ids(before).filter((id) => !ids(after).includes(id));
const changedTypes = (before: any, after: any) => ids(before)
  .filter((id) => JSON.stringify(before.Resources[id]) !== JSON.stringify(after.Resources[id]))
  .map((id) => before.Resources[id].Type).sort();
function stage(template: any, name: string): any {
  const pipeline = Object.values(template.Resources).find((r: any) => r.Type === 'AWS::CodePipeline::Pipeline') as any;
  return pipeline.Properties.Stages.find((s: any) => s.Name === name);
}

describe('growing a pipeline replaces nothing', () => {
  function shop(environments: string[], checks: QualityCheck[]) {
    const stack = newStack();
    const alarm = (s: Stack, name: string) => cloudwatch.Alarm.fromAlarmArn(s, `Alarm-${name}`, `arn:aws:cloudwatch:eu-west-1:111111111111:alarm:${name}-errors`);
    const envs: EnvironmentOptions[] = environments.map((name) => ({
      name,
      production: name === 'prod',
      account: name === 'prod' ? '222222222222' : undefined,
      approval: name === 'prod' ? Approval.manual() : undefined,
      deployments: [cfnTarget(`shop-${name}`)],
      verification: [Verification.commands('Smoke', ['./smoke.sh']), Verification.alarms([alarm(stack, name)], { bakeTime: Duration.minutes(10) })],
    }));
    new DeliveryPipeline(stack, 'Shop', props({ checks, environments: envs }));
    return Template.fromStack(stack).toJSON();
  }
  const before = shop(['staging', 'prod'], [QualityCheck.dependencyAudit()]);
  const after = shop(['staging', 'qa', 'prod'], [QualityCheck.dependencyAudit(), QualityCheck.commands('Lint', ['npm run lint'])]);

  test('every resource keeps its logical id; only the new environment and check add resources', () => {
    expect(removed(before, after)).toEqual([]);
    expect(added(before, after)).toEqual([
      expect.stringMatching(/^ShopChecksLintProject[0-9A-F]{8}$/),
      expect.stringMatching(/^ShopChecksLintProjectRole[0-9A-F]{8}$/),
      expect.stringMatching(/^ShopChecksLintProjectRoleDefaultPolicy[0-9A-F]{8}$/),
      expect.stringMatching(/^ShopEnvironmentsqaSmokeProject[0-9A-F]{8}$/),
      expect.stringMatching(/^ShopEnvironmentsqaSmokeProjectRole[0-9A-F]{8}$/),
      expect.stringMatching(/^ShopEnvironmentsqaSmokeProjectRoleDefaultPolicy[0-9A-F]{8}$/),
    ]);
  });

  test('only the pipeline and the policies that reach the new projects change; existing stages are the same', () => {
    expect(changedTypes(before, after)).toEqual(['AWS::CodePipeline::Pipeline', 'AWS::IAM::Policy', 'AWS::IAM::Policy']);
    expect(stage(after, 'staging')).toEqual(stage(before, 'staging'));
    expect(stage(after, 'prod')).toEqual(stage(before, 'prod'));
  });
});

describe('growing a pipeline of CDK stages replaces nothing', () => {
  function orders(environments: string[]) {
    const app = newApp();
    const stack = new Stack(app, 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
    const envs: EnvironmentOptions[] = environments.map((name) => {
      const account = name === 'prod' ? '222222222222' : '111111111111';
      const serviceStage = new OrdersServiceStage(app, name, { env: { account, region: 'eu-west-1' } });
      return { name, production: name === 'prod', account, deployments: [DeploymentTarget.cdkStage(serviceStage)] };
    });
    new DeliveryPipeline(stack, 'Orders', props({ environments: envs }));
    return Template.fromStack(stack).toJSON();
  }
  const before = orders(['staging', 'prod']);
  const after = orders(['staging', 'qa', 'prod']);

  test('an environment in an account already delivered to adds no resource; the asset publisher is the same project', () => {
    expect(removed(before, after)).toEqual([]);
    expect(added(before, after)).toEqual([]);
    expect(changedTypes(before, after)).toEqual(['AWS::CodeBuild::Project', 'AWS::CodePipeline::Pipeline']);
    // the asset publisher changes in place: one more manifest to publish, nothing else
    const id = ids(before).find((i) => /^OrdersAssetsProject[0-9A-F]{8}$/.test(i))!;
    const spec = (t: any) => JSON.parse(t.Resources[id].Properties.Source.BuildSpec);
    expect({ ...after.Resources[id].Properties, Source: undefined }).toEqual({ ...before.Resources[id].Properties, Source: undefined });
    expect(spec(after).phases.install).toEqual(spec(before).phases.install);
    expect(spec(after).phases.build.commands.filter((c: string) => !spec(before).phases.build.commands.includes(c)))
      .toEqual([expect.stringMatching(/^node \/tmp\/cdk-delivery-assets\/publish\.js "\$CODEBUILD_SRC_DIR\/cdk\.out\/assembly-qa\/qaApi[A-Z0-9]+\.assets\.json" --except "qaApi[A-Z0-9]+\.template\.json"$/)]);
    expect(stage(after, 'staging')).toEqual(stage(before, 'staging'));
    expect(stage(after, 'prod')).toEqual(stage(before, 'prod'));
  });
});
