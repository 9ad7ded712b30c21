import { Aspects } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { OrdersPipelineStack } from '../../examples/continuous-deployment/pipeline-stack';
import { newApp } from '../util';

function orders(): OrdersPipelineStack {
  const app = newApp();
  const stack = new OrdersPipelineStack(app, 'OrdersPipeline', { env: { account: '111111111111', region: 'eu-west-1' } });
  Aspects.of(app).add(new AwsSolutionsChecks());
  return stack;
}

describe('examples/continuous-deployment', () => {
  test('cdk-nag AwsSolutions: no unsuppressed errors or warnings', () => {
    const annotations = Annotations.fromStack(orders());
    expect(annotations.findError('*', Match.stringLikeRegexp('AwsSolutions-.*'))).toEqual([]);
    expect(annotations.findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*'))).toEqual([]);
  });

  test('no approval; production: window and alarm on entry, smoke test, alarms baked 30 minutes, rollback', () => {
    const pipeline = Object.values(Template.fromStack(orders()).findResources('AWS::CodePipeline::Pipeline'))[0] as any;
    const stages = pipeline.Properties.Stages;
    expect(stages.flatMap((s: any) => s.Actions).filter((a: any) => a.ActionTypeId.Category === 'Approval')).toEqual([]);
    const prod = stages.find((s: any) => s.Name === 'prod');
    expect(prod.Actions.map((a: any) => `${a.Name}@${a.RunOrder}`)).toEqual(['orders-prod.Prepare@1', 'orders-prod.Deploy@2', 'Smoke@3']);
    expect(prod.BeforeEntry.Conditions[0].Rules.map((r: any) => r.RuleTypeId.Provider)).toEqual(['DeploymentWindow', 'CloudWatchAlarm']);
    expect(prod.OnSuccess.Conditions[0]).toMatchObject({ Result: 'ROLLBACK' });
    expect(prod.OnSuccess.Conditions[0].Rules.map((r: any) => r.Configuration.WaitTime)).toEqual(['30', '30']);
    expect(prod.OnFailure).toEqual({ Result: 'ROLLBACK' });
    const staging = stages.find((s: any) => s.Name === 'staging');
    expect(staging.OnFailure).toEqual({ Result: 'RETRY', RetryConfiguration: { RetryMode: 'FAILED_ACTIONS' } });
    expect(staging.OnSuccess.Conditions[0]).toMatchObject({ Result: 'FAIL' });
  });
});
