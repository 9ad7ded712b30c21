import * as path from 'path';
import { App, Stack, Stage } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecrAssets from 'aws-cdk-lib/aws-ecr-assets';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import {
  BuildStep, DeliveryDefaults, DeliveryDefaultsProps, DeliveryPipeline, DeliveryPipelineProps, DeploymentTarget, QualityCheck, Verification,
} from '../../src';
import { DeliveryPipelineValidationError } from '../../src/private/validation';
import { env, errorOf, gitHub, newApp, props } from '../util';

/** aws-cdk-lib 2.27x refers to another stack's outputs with Fn::GetStackOutput: shown here as the Fn::ImportValue older versions write. */
const asImport = (x: any): any => {
  if (Array.isArray(x)) return x.map(asImport);
  if (x && typeof x === 'object' && x['Fn::GetStackOutput']) {
    const o = x['Fn::GetStackOutput'];
    return { 'Fn::ImportValue': `${o.StackName}:ExportsOutput${String(o.OutputName).replace(/^PublishOutput/, '')}` };
  }
  return x && typeof x === 'object' ? Object.fromEntries(Object.entries(x).map(([k, v]) => [k, asImport(v)])) : x;
};

const ENV = { account: '111111111111', region: 'eu-west-1' };

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
    // regression: an object that only looks like a construct ended in a TypeError
    expect(errorOf(() => DeliveryDefaults.applyTo({ node: { path: 'x' } } as any, {}))).toBe(
      "'DeliveryDefaults': scope must be a construct (the app, a stage or a stack), got an object. "
      + 'Call DeliveryDefaults.applyTo(app, { ... }) with the scope whose pipelines get the defaults.');
  });

  test.each([
    ['computeType', { computeType: 'HUGE' }, "DeliveryDefaults.computeType must be a codebuild.ComputeType, got 'HUGE'. Use codebuild.ComputeType.SMALL, MEDIUM, LARGE or X2_LARGE."],
    ['buildImage', { buildImage: 'aws/codebuild/standard:7.0' }, "DeliveryDefaults.buildImage must be a codebuild.IBuildImage, got 'aws/codebuild/standard:7.0'. Use codebuild.LinuxBuildImage.STANDARD_7_0 or another codebuild build image."],
    ['approvalNotify', { approvalNotify: 'arn:aws:sns:eu-west-1:111111111111:approvals' }, "DeliveryDefaults.approvalNotify must be an sns.ITopic, got 'arn:aws:sns:eu-west-1:111111111111:approvals'. Pass an sns.Topic or sns.Topic.fromTopicArn(...)."],
    ['vpc', { vpc: 'vpc-0abc1234' }, "DeliveryDefaults.vpc must be an ec2.IVpc, got 'vpc-0abc1234'. Pass an ec2.Vpc, or import one with ec2.Vpc.fromLookup(this, 'Vpc', { vpcId: 'vpc-0123456789abcdef0' })."],
    ['securityGroups', { vpc: undefined, securityGroups: 'sg-0abc1234' }, "DeliveryDefaults.securityGroups must be an array of ec2.ISecurityGroup, got 'sg-0abc1234'. "
      + "Pass [ec2.SecurityGroup.fromSecurityGroupId(this, 'Builds', 'sg-0123456789abcdef0')], or leave it out for one aws-cdk-lib creates."],
  ])('a wrong %s (JavaScript caller) is refused when it is set, naming the scope (regression: a TypeError or a bad template later)', (_field, defaults, message) => {
    const app = newApp();
    const stack = new Stack(app, 'Platform');
    expect(errorOf(() => DeliveryDefaults.applyTo(stack, defaults as any))).toBe(`'Platform': ${message}`);
    expect(DeliveryDefaults.of(stack)).toEqual({});
  });

  test('a compute type and an image set together that do not fit are refused when they are set', () => {
    const app = newApp();
    expect(errorOf(() => DeliveryDefaults.applyTo(app, {
      computeType: codebuild.ComputeType.MEDIUM, buildImage: codebuild.LinuxLambdaBuildImage.AMAZON_LINUX_2023_NODE_20,
    })).replace(/\(CodeBuild: .*\), got/, '(CodeBuild: ...), got')).toBe(
      "'(app)': DeliveryDefaults.computeType does not fit the default build image set with it (CodeBuild: ...), "
      + 'got image aws/codebuild/amazonlinux-x86_64-lambda-standard:nodejs20, compute BUILD_GENERAL1_MEDIUM. Set buildImage and computeType together: '
      + 'Lambda compute types (codebuild.ComputeType.LAMBDA_*) with codebuild.LinuxLambdaBuildImage images, SMALL, MEDIUM, LARGE or X2_LARGE with container images.');
    expect(DeliveryDefaults.of(app)).toEqual({});
  });

  test.each([
    ['the app first', ['app', 'stack']],
    ['the stack first', ['stack', 'app']],
  ])('a compute type and an image of different scopes are checked where a pipeline uses them, whatever the order (%s) (regression: blamed on buildStep)',
    (_order, order) => {
      const app = newApp();
      const stack = new Stack(app, 'Apps', { env: ENV });
      const values = {
        app: { computeType: codebuild.ComputeType.LAMBDA_1GB },
        stack: { buildImage: codebuild.LinuxBuildImage.STANDARD_7_0 },
      } as const;
      for (const scope of order) DeliveryDefaults.applyTo(scope === 'app' ? app : stack, values[scope as 'app' | 'stack']);
      let error: any;
      try {
        new DeliveryPipeline(stack, 'Shop', props());
      } catch (e) {
        error = e;
      }
      expect({ field: error.field, message: error.message.replace(/\(CodeBuild: .*\), got/, '(CodeBuild: ...), got') }).toEqual({
        field: 'DeliveryDefaults.computeType',
        message: "'Apps/Shop': DeliveryDefaults.computeType does not fit the build environment (CodeBuild: ...), got image aws/codebuild/standard:7.0, "
          + 'compute BUILD_LAMBDA_1GB. Choose a compute type the image supports: Lambda images run on codebuild.ComputeType.LAMBDA_* without privileged mode, '
          + 'other images on SMALL, MEDIUM, LARGE or X2_LARGE.',
      });
    });

  test('a part\'s own build image wins over a default compute type that does not fit it (regression: that compute type was forced on it)', () => {
    const app = newApp();
    DeliveryDefaults.applyTo(app, { computeType: codebuild.ComputeType.MEDIUM });
    const stack = new Stack(app, 'Apps', { env: ENV });
    new DeliveryPipeline(stack, 'Shop', {
      source: gitHub(),
      buildStep: BuildStep.commands({ commands: ['npm test'], buildImage: codebuild.LinuxLambdaBuildImage.AMAZON_LINUX_2_NODE_18 }),
      checks: [QualityCheck.commands('Lint', ['npm run lint'])],
    });
    const computes = Object.values<any>(Template.fromStack(stack).findResources('AWS::CodeBuild::Project'))
      .map(p => `${String(p.Properties.Description).split(' ')[0]}: ${p.Properties.Environment.ComputeType}`);
    expect(computes.sort()).toEqual(['Build: BUILD_LAMBDA_1GB', 'Lint: BUILD_GENERAL1_MEDIUM']);
  });

  describe('vpc, subnetSelection and securityGroups', () => {
    /** An app with a network stack (a VPC with private and isolated subnets, a security group) and a pipeline stack. */
    function platform() {
      const app = newApp();
      const net = new Stack(app, 'Network', { env: ENV });
      const vpc = new ec2.Vpc(net, 'Vpc', {
        maxAzs: 2,
        natGateways: 1,
        subnetConfiguration: [
          { name: 'Public', subnetType: ec2.SubnetType.PUBLIC },
          { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
          { name: 'Builds', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
        ],
      });
      const sg = ec2.SecurityGroup.fromSecurityGroupId(net, 'Builders', 'sg-0b1d1e75');
      return { app, vpc, sg, stack: () => new Stack(app, 'Pipelines', { env: ENV }) };
    }
    /** A pipeline with a build, a check, a deploy script and a test, the given options on the check. */
    function pipeline(stack: Stack, checkOptions: Record<string, unknown> = {}): DeliveryPipeline {
      return new DeliveryPipeline(stack, 'Shop', props({
        checks: [QualityCheck.commands('Lint', ['npm run lint'], checkOptions)],
        environments: [{ name: 'staging', deployments: [DeploymentTarget.commands('Deploy', ['./deploy.sh'])], verification: [Verification.commands('Smoke', ['./smoke.sh'])] }],
      }));
    }
    const configs = (stack: Stack) => Object.fromEntries((Object.values(Template.fromStack(stack).findResources('AWS::CodeBuild::Project')) as any[])
      .map(p => [String(p.Properties.Description).split(' ')[0], asImport(p.Properties.VpcConfig)]));
    const imported = (name: string) => ({ 'Fn::ImportValue': expect.stringMatching(new RegExp(`^Network:ExportsOutputRef${name}`)) });

    test('set once, they reach every CodeBuild project that names no vpc: build, checks, deploy scripts, tests', () => {
      const { app, vpc, sg, stack } = platform();
      DeliveryDefaults.applyTo(app, { vpc, subnetSelection: { subnetGroupName: 'Builds' }, securityGroups: [sg] });
      const s = stack();
      const p = pipeline(s);
      const isolated = { VpcId: imported('Vpc'), Subnets: [imported('VpcBuildsSubnet1'), imported('VpcBuildsSubnet2')], SecurityGroupIds: ['sg-0b1d1e75'] };
      expect(configs(s)).toEqual({ Build: isolated, Lint: isolated, Deploy: isolated, Smoke: isolated });
      const plan = p.describe();
      const [staging] = plan.environments;
      for (const details of [plan.buildStep.details, plan.checks[0].details, staging.deployments[0].details, staging.verification[0].details]) {
        expect(details).toContain("in VPC Network/Vpc, subnets of group 'Builds', 1 security group");
      }
    });

    test('a part that names its own vpc uses its own subnets and security groups, not the defaults\'', () => {
      const { app, vpc, sg, stack } = platform();
      DeliveryDefaults.applyTo(app, { vpc, subnetSelection: { subnetGroupName: 'Builds' }, securityGroups: [sg] });
      const s = stack();
      pipeline(s, { vpc });
      const c = configs(s);
      expect(c.Lint).toEqual({
        VpcId: imported('Vpc'),
        Subnets: [imported('VpcPrivateSubnet1'), imported('VpcPrivateSubnet2')],
        SecurityGroupIds: [{ 'Fn::GetAtt': [expect.stringMatching(/^ShopChecksLintProjectSecurityGroup/), 'GroupId'] }],
      });
      expect(c.Build.SecurityGroupIds).toEqual(['sg-0b1d1e75']);
    });

    test('a nearer scope\'s vpc comes without the farther scope\'s subnets and security groups (they belong to another VPC)', () => {
      const { app, vpc, sg, stack } = platform();
      DeliveryDefaults.applyTo(app, { vpc, subnetSelection: { subnetGroupName: 'Builds' }, securityGroups: [sg], computeType: codebuild.ComputeType.MEDIUM });
      const s = stack();
      const own = new ec2.Vpc(s, 'OwnVpc', { maxAzs: 2, natGateways: 1 });
      DeliveryDefaults.applyTo(s, { vpc: own });
      expect(DeliveryDefaults.of(s)).toEqual({ vpc: own, computeType: codebuild.ComputeType.MEDIUM });
      pipeline(s);
      expect(configs(s).Build).toEqual({
        VpcId: s.resolve(own.vpcId),
        Subnets: own.privateSubnets.map(x => s.resolve(x.subnetId)),
        SecurityGroupIds: [{ 'Fn::GetAtt': [expect.stringMatching(/^ShopBuildProjectSecurityGroup/), 'GroupId'] }],
      });
    });

    test('without them, no project runs in a VPC', () => {
      const { stack } = platform();
      const s = stack();
      pipeline(s);
      expect(configs(s)).toEqual({ Build: undefined, Lint: undefined, Deploy: undefined, Smoke: undefined });
    });

    test.each(['subnetSelection', 'securityGroups'] as const)('fails when %s is set without vpc', (field) => {
      const { app, sg } = platform();
      const value = field === 'subnetSelection' ? { subnetGroupName: 'Builds' } : [sg];
      expect(errorOf(() => DeliveryDefaults.applyTo(app, { [field]: value }))).toBe(
        `'(app)': DeliveryDefaults.${field} is given without vpc (subnets and security groups belong to a VPC), got ${field === 'subnetSelection' ? 'an object' : 'an array of 1'}. `
        + `Pass vpc in the same DeliveryDefaults.applyTo(...) call, or leave ${field} out.`);
    });

    test('fails when a part gives subnetSelection without vpc, saying the defaults\' network goes as a whole', () => {
      const { app, vpc, stack } = platform();
      DeliveryDefaults.applyTo(app, { vpc });
      expect(errorOf(() => pipeline(stack(), { subnetSelection: { subnetGroupName: 'Builds' } }))).toBe(
        "'Pipelines/Shop': checks[0].subnetSelection is given without vpc (subnets and security groups belong to a VPC), got an object. "
        + "Pass vpc too (DeliveryDefaults' vpc, subnetSelection and securityGroups apply together, only to parts that name no vpc), or leave subnetSelection out.");
    });

    test('fails when the default vpc is in another account than a pipeline\'s stack, naming DeliveryDefaults.vpc', () => {
      const { app, vpc } = platform();
      DeliveryDefaults.applyTo(app, { vpc });
      const other = new Stack(app, 'Pipelines', { env: { account: '222222222222', region: 'eu-west-1' } });
      expect(errorOf(() => pipeline(other))).toBe(
        "'Pipelines/Shop': DeliveryDefaults.vpc is a VPC of account 111111111111, but the pipeline's CodeBuild projects are in its stack 'Pipelines' (account 222222222222), "
        + "and CodeBuild runs in VPCs of its own account and Region only (shared VPCs are not supported), got 'Network/Vpc'. "
        + "Use a VPC of the pipeline's account and Region, imported in the pipeline's stack: ec2.Vpc.fromLookup(pipelineStack, 'Vpc', { vpcId: 'vpc-0123456789abcdef0' }).");
    });

    test('fails when a part\'s own Lambda image would run in the default vpc, naming the part\'s buildImage', () => {
      const { app, vpc, stack } = platform();
      DeliveryDefaults.applyTo(app, { vpc });
      expect(errorOf(() => pipeline(stack(), { buildImage: codebuild.LinuxLambdaBuildImage.AMAZON_LINUX_2023_NODE_20 }))).toBe(
        "'Pipelines/Shop': checks[0].buildImage puts a project with the Lambda build image aws/codebuild/amazonlinux-x86_64-lambda-standard:nodejs20 in VPC Network/Vpc, "
        + "and CodeBuild's Lambda compute cannot run in a VPC, got vpc Network/Vpc, image aws/codebuild/amazonlinux-x86_64-lambda-standard:nodejs20. "
        + 'Use a container image such as codebuild.LinuxBuildImage.STANDARD_7_0 for a project that must reach the VPC.');
    });
  });

  describe('the project that publishes the CDK stages\' assets', () => {
    interface Assets {
      /** A Docker image asset (else a file asset only), with this platform. */
      readonly image?: boolean;
      readonly platform?: ecrAssets.Platform;
      readonly pipeline?: Partial<DeliveryPipelineProps>;
    }
    /** A pipeline whose one CDK stage has a Docker image asset (or a file asset only), under the given defaults. */
    function withAssets(defaults: DeliveryDefaultsProps | ((app: App) => DeliveryDefaultsProps), a: Assets = {}): Stack {
      const app = newApp();
      DeliveryDefaults.applyTo(app, typeof defaults === 'function' ? defaults(app) : defaults);
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

    test('a container assetPublishingBuildImage under Lambda compute everywhere runs on its own compute (regression: refused, advising the image already set)', () => {
      const stack = withAssets({
        buildImage: codebuild.LinuxLambdaBuildImage.AMAZON_LINUX_2023_NODE_20,
        computeType: codebuild.ComputeType.LAMBDA_1GB,
        assetPublishingBuildImage: codebuild.LinuxBuildImage.STANDARD_7_0,
      });
      expect(publisher(stack)).toMatchObject({ Image: 'aws/codebuild/standard:7.0', ComputeType: 'BUILD_GENERAL1_SMALL', PrivilegedMode: true });
      expect(builder(stack)).toMatchObject({ Type: 'LINUX_LAMBDA_CONTAINER', ComputeType: 'BUILD_LAMBDA_1GB' });
    });

    test('assetPublishingBuildImage applies to it alone', () => {
      const stack = withAssets({
        buildImage: codebuild.LinuxArmBuildImage.AMAZON_LINUX_2_STANDARD_3_0,
        assetPublishingBuildImage: codebuild.LinuxBuildImage.STANDARD_7_0,
      });
      expect(publisher(stack)).toMatchObject({ Image: 'aws/codebuild/standard:7.0', Type: 'LINUX_CONTAINER' });
      expect(builder(stack)).toMatchObject({ Image: 'aws/codebuild/amazonlinux2-aarch64-standard:3.0', Type: 'ARM_CONTAINER' });
      Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('^(?!No environment is marked production)'));
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

    test('fails when assetPublishingBuildImage is a Windows image, when it is set (regression: only in the first pipeline with assets)', () => {
      expect(errorOf(() => withAssets({ assetPublishingBuildImage: codebuild.WindowsBuildImage.WIN_SERVER_CORE_2019_BASE_3_0 }))).toBe(
        "'(app)': DeliveryDefaults.assetPublishingBuildImage would be the build image of the action that publishes the CDK stages' assets with shell commands "
        + "and npm, which a Windows image cannot run, got 'aws/codebuild/windows-base:2019-3.0'. "
        + 'Pass a Linux container image with Node.js and npm, such as codebuild.LinuxBuildImage.STANDARD_7_0.');
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

    test('runs in the default VPC, as CDK Pipelines\' codeBuildDefaults do', () => {
      const stack = withAssets(app => ({ vpc: new ec2.Vpc(new Stack(app, 'Network', { env: ENV }), 'Vpc', { maxAzs: 2, natGateways: 1 }) }));
      const config = asImport(projects(stack).find(p => /^Asset publishing/.test(p.Properties.Description)).Properties.VpcConfig);
      expect(config.VpcId).toEqual({ 'Fn::ImportValue': expect.stringMatching(/^Network:ExportsOutputRefVpc/) });
      expect(config.Subnets).toEqual([
        { 'Fn::ImportValue': expect.stringMatching(/^Network:ExportsOutputRefVpcPrivateSubnet1/) },
        { 'Fn::ImportValue': expect.stringMatching(/^Network:ExportsOutputRefVpcPrivateSubnet2/) },
      ]);
    });

    test('fails when a Node.js Lambda image would publish in the default VPC (the other projects run on standard:7.0 there)', () => {
      expect(errorOf(() => withAssets(app => ({
        assetPublishingBuildImage: codebuild.LinuxLambdaBuildImage.AMAZON_LINUX_2023_NODE_20,
        vpc: ec2.Vpc.fromVpcAttributes(new Stack(app, 'Network', { env: ENV }), 'Vpc', {
          vpcId: 'vpc-0abc1234', availabilityZones: ['eu-west-1a'], privateSubnetIds: ['subnet-0abc1234'],
        }),
      }), { image: false }))).toBe(
        "'Pipelines/Shop': DeliveryDefaults.vpc puts a project with the Lambda build image aws/codebuild/amazonlinux-x86_64-lambda-standard:nodejs20 in VPC vpc-0abc1234, "
        + "and CodeBuild's Lambda compute cannot run in a VPC, got vpc vpc-0abc1234, image aws/codebuild/amazonlinux-x86_64-lambda-standard:nodejs20. "
        + 'Use a container image such as codebuild.LinuxBuildImage.STANDARD_7_0 for a project that must reach the VPC.');
    });

    test('an ARM image with a Docker image asset that names no platform is a warning; naming the platform silences it', () => {
      const arm = { buildImage: codebuild.LinuxArmBuildImage.AMAZON_LINUX_2_STANDARD_3_0 };
      Annotations.fromStack(withAssets(arm)).hasWarning('/Pipelines/Shop', Match.stringLikeRegexp(
        '^The CDK stages\' assets are published on the ARM build image aws/codebuild/amazonlinux2-aarch64-standard:3.0 \\(DeliveryDefaults.buildImage\\), '
        + 'so Docker builds 1 image asset that names no platform for linux/arm64, which x86_64 Lambda functions and ECS tasks cannot run\\. '));
      Annotations.fromStack(withAssets(arm, { platform: ecrAssets.Platform.LINUX_AMD64 })).hasNoWarning('*', Match.stringLikeRegexp('^(?!No environment is marked production)'));
    });
  });

  test('DeliveryDefaults.of without a construct is the library\'s error (regression: a TypeError)', () => {
    for (const [scope, shown] of [[null, 'null'], [undefined, 'undefined'], [{ node: {} }, 'an object']] as const) {
      const error = (() => { try { DeliveryDefaults.of(scope as any); } catch (e) { return e as DeliveryPipelineValidationError; } throw new Error('no error'); })();
      expect(error).toBeInstanceOf(DeliveryPipelineValidationError);
      expect(error.message).toBe(`'DeliveryDefaults.of': scope must be a construct, got ${shown}. `
        + 'Pass the construct whose defaults you want, for example DeliveryDefaults.of(this).');
    }
  });
});
