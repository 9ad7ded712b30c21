import * as path from 'path';
import { Stack, Stage } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as ecrAssets from 'aws-cdk-lib/aws-ecr-assets';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { BuildStep, DeliveryDefaults, DeliveryDefaultsProps, DeliveryPipeline, DeliveryPipelineProps, DeploymentTarget } from '../../src';
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

  describe('the project that publishes the CDK stages\' assets', () => {
    interface Assets {
      /** A Docker image asset (else a file asset only), with this platform. */
      readonly image?: boolean;
      readonly platform?: ecrAssets.Platform;
      readonly pipeline?: Partial<DeliveryPipelineProps>;
    }
    /** A pipeline whose one CDK stage has a Docker image asset (or a file asset only), under the given defaults. */
    function withAssets(defaults: DeliveryDefaultsProps, a: Assets = {}): Stack {
      const app = newApp();
      DeliveryDefaults.applyTo(app, defaults);
      const stack = new Stack(app, 'Pipelines', { env: { account: '111111111111', region: 'eu-west-1' } });
      const stage = new Stage(app, 'Images', { env: { account: '111111111111', region: 'eu-west-1' } });
      const web = new Stack(stage, 'Web');
      const directory = path.join(__dirname, '..', 'deploy', 'docker-asset');
      const asset = a.image ?? true
        ? new ecrAssets.DockerImageAsset(web, 'Image', { directory, platform: a.platform }).imageUri
        : new s3assets.Asset(web, 'Code', { path: directory }).s3ObjectUrl;
      new ssm.StringParameter(web, 'AssetUri', { stringValue: asset });
      new DeliveryPipeline(stack, 'Shop', props({ environments: [{ name: 'e', deployments: [DeploymentTarget.cdkStage(stage)] }], ...a.pipeline }));
      return stack;
    }
    const projects = (stack: Stack) => Object.values(Template.fromStack(stack).findResources('AWS::CodeBuild::Project')) as any[];
    const publisher = (stack: Stack) => projects(stack).find(p => /^Asset publishing/.test(p.Properties.Description)).Properties.Environment;
    const builder = (stack: Stack) => projects(stack).find(p => /^Build/.test(p.Properties.Description)).Properties.Environment;
    const fix = 'Set DeliveryDefaults.assetPublishingBuildImage to a Linux container image with Node.js and npm, such as codebuild.LinuxBuildImage.STANDARD_7_0.';

    test('follows buildImage and computeType like every other project (regression: it kept standard:7.0 and SMALL)', () => {
      const stack = withAssets({ buildImage: codebuild.LinuxBuildImage.AMAZON_LINUX_2_5, computeType: codebuild.ComputeType.MEDIUM });
      expect(publisher(stack)).toMatchObject({ Image: 'aws/codebuild/amazonlinux2-x86_64-standard:5.0', ComputeType: 'BUILD_GENERAL1_MEDIUM', PrivilegedMode: true });
    });

    test('assetPublishingBuildImage applies to it alone', () => {
      const stack = withAssets({
        buildImage: codebuild.LinuxArmBuildImage.AMAZON_LINUX_2_STANDARD_3_0,
        assetPublishingBuildImage: codebuild.LinuxBuildImage.STANDARD_7_0,
      });
      expect(publisher(stack)).toMatchObject({ Image: 'aws/codebuild/standard:7.0', Type: 'LINUX_CONTAINER' });
      expect(builder(stack)).toMatchObject({ Image: 'aws/codebuild/amazonlinux2-aarch64-standard:3.0', Type: 'ARM_CONTAINER' });
      Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
    });

    test('without defaults it runs on standard:7.0, SMALL', () => {
      expect(publisher(withAssets({}))).toMatchObject({ Image: 'aws/codebuild/standard:7.0', ComputeType: 'BUILD_GENERAL1_SMALL', Type: 'LINUX_CONTAINER' });
    });

    test('a Node.js Lambda image publishes file assets, on Lambda compute', () => {
      const stack = withAssets({ buildImage: codebuild.LinuxLambdaBuildImage.AMAZON_LINUX_2023_NODE_20 }, { image: false });
      expect(publisher(stack)).toMatchObject({
        Image: 'aws/codebuild/amazonlinux-x86_64-lambda-standard:nodejs20', ComputeType: 'BUILD_LAMBDA_1GB', Type: 'LINUX_LAMBDA_CONTAINER',
      });
    });

    test('fails when it would run on a Lambda image with Docker image assets', () => {
      expect(errorOf(() => withAssets({ buildImage: codebuild.LinuxLambdaBuildImage.AMAZON_LINUX_2023_NODE_20 }))).toBe(
        "'Pipelines/Shop': DeliveryDefaults.buildImage would be the build image of the action that publishes the CDK stages' assets with shell commands, npm and Docker, "
        + "which a Lambda image cannot run (Lambda compute has no Docker), got 'aws/codebuild/amazonlinux-x86_64-lambda-standard:nodejs20'. " + fix);
    });

    test('fails when it would run on a Lambda image without Node.js', () => {
      expect(errorOf(() => withAssets({ buildImage: codebuild.LinuxLambdaBuildImage.AMAZON_LINUX_2023_PYTHON_3_12 }, { image: false }))).toBe(
        "'Pipelines/Shop': DeliveryDefaults.buildImage would be the build image of the action that publishes the CDK stages' assets with shell commands and npm, "
        + "which a Lambda image without Node.js cannot run, got 'aws/codebuild/amazonlinux-x86_64-lambda-standard:python3.12'. " + fix);
    });

    test('fails when assetPublishingBuildImage is a Windows image', () => {
      expect(errorOf(() => withAssets({ assetPublishingBuildImage: codebuild.WindowsBuildImage.WIN_SERVER_CORE_2019_BASE_3_0 }))).toBe(
        "'Pipelines/Shop': DeliveryDefaults.assetPublishingBuildImage would be the build image of the action that publishes the CDK stages' assets with shell commands, npm and Docker, "
        + "which a Windows image cannot run, got 'aws/codebuild/windows-base:2019-3.0'. " + fix);
    });

    test('with publishAssetsInBuild, fails when the build\'s image cannot publish (regression: aws-cdk-lib\'s "Lambda compute type does not support privileged mode")', () => {
      expect(errorOf(() => withAssets({}, {
        pipeline: {
          publishAssetsInBuild: true,
          buildStep: BuildStep.commands({ commands: ['npx cdk synth'], buildImage: codebuild.LinuxLambdaBuildImage.AMAZON_LINUX_2023_NODE_20 }),
        },
      }))).toBe("'Pipelines/Shop': publishAssetsInBuild makes the build publish the CDK stages' assets with shell commands, npm and Docker, which a Lambda image cannot run "
        + "(Lambda compute has no Docker); the build's image comes from buildStep.buildImage, got 'aws/codebuild/amazonlinux-x86_64-lambda-standard:nodejs20'. "
        + 'Leave publishAssetsInBuild out (a PublishAssets action then publishes them, see DeliveryDefaults.assetPublishingBuildImage), or give the build a Linux container image.');
      // a file asset only: the Node.js Lambda image publishes it
      const lambda = { buildImage: codebuild.LinuxLambdaBuildImage.AMAZON_LINUX_2023_NODE_20 };
      const stack = withAssets(lambda, { image: false, pipeline: { publishAssetsInBuild: true } });
      expect(builder(stack)).toMatchObject({ Type: 'LINUX_LAMBDA_CONTAINER', PrivilegedMode: false });
    });

    test('an ARM image with a Docker image asset that names no platform is a warning; naming the platform silences it', () => {
      const arm = { buildImage: codebuild.LinuxArmBuildImage.AMAZON_LINUX_2_STANDARD_3_0 };
      Annotations.fromStack(withAssets(arm)).hasWarning('/Pipelines/Shop', Match.stringLikeRegexp(
        '^The CDK stages\' assets are published on the ARM build image aws/codebuild/amazonlinux2-aarch64-standard:3.0 \\(DeliveryDefaults.buildImage\\), '
        + 'so Docker builds 1 image asset that names no platform for linux/arm64, which x86_64 Lambda functions and ECS tasks cannot run\\. '));
      Annotations.fromStack(withAssets(arm, { platform: ecrAssets.Platform.LINUX_AMD64 })).hasNoWarning('*', Match.anyValue());
    });
  });
});
