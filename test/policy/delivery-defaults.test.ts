import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as sns from 'aws-cdk-lib/aws-sns';
import { BuildStep, DeliveryDefaults, DeliveryPipeline } from '../../src';
import { env, errorOf, gitHub, newApp, props } from '../util';

describe('DeliveryDefaults', () => {
  test('build image, compute type and approval topic set once on the app reach every pipeline', () => {
    const app = newApp();
    const shared = new Stack(app, 'Shared', { env: { account: '111111111111', region: 'eu-west-1' } });
    const topic = new sns.Topic(shared, 'Approvals');
    DeliveryDefaults.applyTo(app, {
      buildImage: codebuild.LinuxBuildImage.AMAZON_LINUX_2_5,
      computeType: codebuild.ComputeType.MEDIUM,
      approvalNotify: topic,
    });
    const stack = new Stack(app, 'Pipelines', { env: { account: '111111111111', region: 'eu-west-1' } });
    new DeliveryPipeline(stack, 'Shop', props({ environments: [env('prod', { production: true })] }));
    const template = Template.fromStack(stack);
    const projects = Object.values(template.findResources('AWS::CodeBuild::Project')) as any[];
    expect(projects.length).toBe(2);
    for (const p of projects) {
      expect(p.Properties.Environment).toMatchObject({ ComputeType: 'BUILD_GENERAL1_MEDIUM', Image: 'aws/codebuild/amazonlinux2-x86_64-standard:5.0' });
    }
    const pipeline = Object.values(template.findResources('AWS::CodePipeline::Pipeline'))[0] as any;
    const approve = pipeline.Properties.Stages[2].Actions[0];
    expect(approve.Name).toBe('Approve');
    expect(JSON.stringify(approve.Configuration.NotificationArn)).toContain('Approvals');
  });

  test('a pipeline\'s own settings win; a nearer scope overrides a farther one', () => {
    const app = newApp();
    DeliveryDefaults.applyTo(app, { computeType: codebuild.ComputeType.LARGE });
    const stack = new Stack(app, 'Pipelines', { env: { account: '111111111111', region: 'eu-west-1' } });
    DeliveryDefaults.applyTo(stack, { computeType: codebuild.ComputeType.MEDIUM });
    new DeliveryPipeline(stack, 'Own', { source: gitHub(), buildStep: BuildStep.commands({ commands: ['make'], computeType: codebuild.ComputeType.SMALL }) });
    new DeliveryPipeline(stack, 'Inherited', props());
    expect(DeliveryDefaults.of(stack).computeType).toBe(codebuild.ComputeType.MEDIUM);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::CodeBuild::Project', { Description: Match.stringLikeRegexp('Pipelines/Own'), Environment: Match.objectLike({ ComputeType: 'BUILD_GENERAL1_SMALL' }) });
    template.hasResourceProperties('AWS::CodeBuild::Project', { Description: Match.stringLikeRegexp('Pipelines/Inherited'), Environment: Match.objectLike({ ComputeType: 'BUILD_GENERAL1_MEDIUM' }) });
  });

  test('defaults applied after a pipeline under the scope was created are refused: that pipeline would silently not use them', () => {
    const app = newApp();
    const stack = new Stack(app, 'Pipelines', { env: { account: '111111111111', region: 'eu-west-1' } });
    new DeliveryPipeline(stack, 'Shop', props());
    expect(errorOf(() => DeliveryDefaults.applyTo(app, { computeType: codebuild.ComputeType.MEDIUM }))).toBe(
      "'(app)': DeliveryDefaults are applied after pipelines under this scope were created, which do not see them, got 'Pipelines/Shop'. "
      + 'Call DeliveryDefaults.applyTo(...) before new DeliveryPipeline(...).');
    // another scope without pipelines may still get defaults
    const later = new Stack(app, 'Later', { env: { account: '111111111111', region: 'eu-west-1' } });
    DeliveryDefaults.applyTo(later, { computeType: codebuild.ComputeType.MEDIUM });
    expect(DeliveryDefaults.of(later).computeType).toBe(codebuild.ComputeType.MEDIUM);
  });

  test('a field left undefined on a nearer scope keeps the farther scope\'s value (regression: it erased it)', () => {
    const app = newApp();
    DeliveryDefaults.applyTo(app, { computeType: codebuild.ComputeType.LARGE });
    const stack = new Stack(app, 'Pipelines', { env: { account: '111111111111', region: 'eu-west-1' } });
    DeliveryDefaults.applyTo(stack, { computeType: undefined, buildImage: codebuild.LinuxBuildImage.AMAZON_LINUX_2_5 });
    DeliveryDefaults.applyTo(stack, { buildImage: undefined });
    expect(DeliveryDefaults.of(stack)).toEqual({ computeType: codebuild.ComputeType.LARGE, buildImage: codebuild.LinuxBuildImage.AMAZON_LINUX_2_5 });
    new DeliveryPipeline(stack, 'Shop', props());
    Template.fromStack(stack).hasResourceProperties('AWS::CodeBuild::Project', {
      Environment: Match.objectLike({ ComputeType: 'BUILD_GENERAL1_LARGE', Image: 'aws/codebuild/amazonlinux2-x86_64-standard:5.0' }),
    });
  });

  test('fails when the scope is not a construct (JavaScript caller; regression: a TypeError)', () => {
    expect(errorOf(() => DeliveryDefaults.applyTo(undefined as any, { computeType: codebuild.ComputeType.MEDIUM }))).toBe(
      "'DeliveryDefaults': scope must be a construct (the app, a stage or a stack), got undefined. "
      + 'Call DeliveryDefaults.applyTo(app, { ... }) with the scope whose pipelines get the defaults.');
  });

  test.each([
    ['computeType', { computeType: 'HUGE' }, "DeliveryDefaults.computeType must be a codebuild.ComputeType, got 'HUGE'. Use codebuild.ComputeType.SMALL, MEDIUM, LARGE or X2_LARGE."],
    ['buildImage', { buildImage: 'aws/codebuild/standard:7.0' }, "DeliveryDefaults.buildImage must be a codebuild.IBuildImage, got 'aws/codebuild/standard:7.0'. Use codebuild.LinuxBuildImage.STANDARD_7_0 or another codebuild build image."],
    ['approvalNotify', { approvalNotify: 'arn:aws:sns:eu-west-1:111111111111:approvals' }, "DeliveryDefaults.approvalNotify must be an sns.ITopic, got 'arn:aws:sns:eu-west-1:111111111111:approvals'. Pass an sns.Topic or sns.Topic.fromTopicArn(...)."],
  ])('a wrong %s (JavaScript caller) is refused when it is set, naming the scope (regression: a TypeError or a bad template later)', (_field, defaults, message) => {
    const app = newApp();
    const stack = new Stack(app, 'Platform');
    expect(errorOf(() => DeliveryDefaults.applyTo(stack, defaults as any))).toBe(`'Platform': ${message}`);
    expect(DeliveryDefaults.of(stack)).toEqual({});
  });
});
