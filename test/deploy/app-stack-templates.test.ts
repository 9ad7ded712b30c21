import * as path from 'path';
import { App, Stack, Stage } from 'aws-cdk-lib';
import * as ecrAssets from 'aws-cdk-lib/aws-ecr-assets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { BuildStep, DeploymentTarget, EnvironmentOptions } from '../../src';
import { actionsOf, errorOf, newApp, pipelineIn, stageNames } from '../util';

/**
 * A cloudFormation target whose templatePath is the template the build's `cdk synth` writes for a
 * stack of the pipeline's own app: the pipeline publishes no assets for it, and its actions run where
 * the target deploys.
 */
const FIELD = "environments[0] ('staging').deployments[0].templatePath";

function appWith(env?: { account?: string; region?: string }): { app: App; staging: Stack; pipelineStack: Stack } {
  const app = newApp();
  const shop = new Stack(app, 'ShopStaging', { env, stackName: 'shop-staging' });
  const pipelineStack = new Stack(app, 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
  return { app, staging: shop, pipelineStack };
}

function withFunction(stack: Stack, code: lambda.Code): void {
  new lambda.Function(stack, 'Fn', { runtime: lambda.Runtime.NODEJS_20_X, handler: 'index.handler', code });
}

function staging(templatePath = 'cdk.out/ShopStaging.template.json', extra: Partial<EnvironmentOptions> = {}, target: object = {}): EnvironmentOptions {
  return { name: 'staging', deployments: [DeploymentTarget.cloudFormation({ stackName: 'shop-staging', templatePath, ...target })], ...extra };
}

function synthError(app: App): string {
  return errorOf(() => app.synth());
}

describe('a cloudFormation target deploying the template of a stack of the pipeline\'s app', () => {
  test('a stack with a file asset is refused: the pipeline does not publish a cloudFormation target\'s assets', () => {
    const { app, staging: s, pipelineStack } = appWith({ account: '111111111111', region: 'eu-west-1' });
    withFunction(s, lambda.Code.fromAsset(path.join(__dirname, 'docker-asset')));
    pipelineIn(pipelineStack, { environments: [staging()] });
    expect(synthError(app)).toBe(`'PipelineStack/Shop': ${FIELD} names the template of stack 'shop-staging' (ShopStaging) of the pipeline's app, `
      + 'whose resources use file or Docker image assets (ShopStaging/Fn/Resource (AWS::Lambda::Function)), but the pipeline does not publish '
      + "a cloudFormation target's assets (cdk deploy uploads them): the stack would refer to assets that were never uploaded, "
      + "got 'cdk.out/ShopStaging.template.json'. Deploy the stack with DeploymentTarget.cdkStage(stage) instead, which publishes its assets: "
      + "create it in a Stage, new Stage(app, 'ShopStagingStage', { env }), and pass that stage.");
  });

  test('a stack with a Docker image asset, in the target\'s account and region, is refused for its assets, as it is written (./ and all)', () => {
    const { app, staging: s, pipelineStack } = appWith({ account: '333333333333', region: 'us-east-1' });
    new lambda.DockerImageFunction(s, 'Fn', { code: lambda.DockerImageCode.fromImageAsset(path.join(__dirname, 'docker-asset')) });
    pipelineIn(pipelineStack, { environments: [staging('./cdk.out/ShopStaging.template.json', { account: '333333333333', region: 'us-east-1' })] });
    expect(synthError(app)).toContain(`${FIELD} names the template of stack 'shop-staging' (ShopStaging) of the pipeline's app, whose resources use `
      + 'file or Docker image assets (ShopStaging/Fn/Resource (AWS::Lambda::Function)), but the pipeline does not publish');

    // an asset no resource refers to yet is one of the stack's assets all the same
    const other = appWith({ account: '333333333333', region: 'us-east-1' });
    new ecrAssets.DockerImageAsset(other.staging, 'Image', { directory: path.join(__dirname, 'docker-asset') });
    pipelineIn(other.pipelineStack, { environments: [staging(undefined, { account: '333333333333', region: 'us-east-1' })] });
    expect(synthError(other.app)).toContain('whose resources use file or Docker image assets (ShopStaging/Image (Docker image asset))');
  });

  test('an env-agnostic stack with an asset is refused too: its assets are not published either', () => {
    const { app, staging: s, pipelineStack } = appWith();
    withFunction(s, lambda.Code.fromAsset(path.join(__dirname, 'docker-asset')));
    pipelineIn(pipelineStack, { environments: [staging()] });
    expect(synthError(app)).toContain(`${FIELD} names the template of stack 'shop-staging' (ShopStaging) of the pipeline's app, whose resources use file or Docker image assets`);
  });

  test('a stack of another account than the target deploys to is refused, naming where each side puts it', () => {
    const { app, staging: s, pipelineStack } = appWith({ account: '333333333333', region: 'eu-west-1' });
    new sqs.Queue(s, 'Queue');
    pipelineIn(pipelineStack, { environments: [staging()] });
    expect(synthError(app)).toBe(`'PipelineStack/Shop': ${FIELD} names the template of stack 'shop-staging' (ShopStaging) of the pipeline's app, `
      + "which is synthesized for account 333333333333, but the target deploys it to account 111111111111 (the pipeline's): the actions would create "
      + "the stack in account 111111111111, with values the app gave it for 333333333333, got 'cdk.out/ShopStaging.template.json'. "
      + "Set environment 'staging' account: '333333333333', or give the stack env: { account: '111111111111' }.");
  });

  test('a stack of another region than the environment\'s is refused; a target account of its own is named as the one to change', () => {
    const { app, staging: s, pipelineStack } = appWith({ account: '222222222222', region: 'us-east-1' });
    new sqs.Queue(s, 'Queue');
    pipelineIn(pipelineStack, { environments: [staging(undefined, { account: '222222222222', region: 'eu-central-1' })] });
    expect(synthError(app)).toBe(`'PipelineStack/Shop': ${FIELD} names the template of stack 'shop-staging' (ShopStaging) of the pipeline's app, `
      + 'which is synthesized for region us-east-1, but the target deploys it to region eu-central-1: the actions would create '
      + "the stack in region eu-central-1, with values the app gave it for us-east-1, got 'cdk.out/ShopStaging.template.json'. "
      + "Set environment 'staging' region: 'us-east-1', or give the stack env: { region: 'eu-central-1' }.");

    const other = appWith({ account: '333333333333', region: 'eu-west-1' });
    new sqs.Queue(other.staging, 'Queue');
    pipelineIn(other.pipelineStack, { environments: [staging(undefined, { account: '333333333333' }, { account: '222222222222' })] });
    expect(synthError(other.app)).toContain('which is synthesized for account 333333333333, but the target deploys it to account 222222222222: '
      + "the actions would create the stack in account 222222222222, with values the app gave it for 333333333333, got 'cdk.out/ShopStaging.template.json'. "
      + "Pass the target account: '333333333333', or give the stack env: { account: '222222222222' }.");
  });

  test('a stack of the target\'s account and region without assets, an env-agnostic one, and templates of other apps deploy as before', () => {
    const same = appWith({ account: '333333333333', region: 'us-east-1' });
    new sqs.Queue(same.staging, 'Queue');
    pipelineIn(same.pipelineStack, { environments: [staging(undefined, { account: '333333333333', region: 'us-east-1' })] });
    expect(() => same.app.synth()).not.toThrow();
    expect(actionsOf(same.pipelineStack, 'staging')).toEqual(['shop-staging.Prepare@1', 'shop-staging.Deploy@2']);
    // the pipeline publishes nothing for it: no stage or action of its own
    expect(stageNames(same.pipelineStack)).toEqual(['Source', 'Build', 'staging']);

    const agnostic = appWith();
    withFunction(agnostic.staging, lambda.Code.fromInline('exports.handler = async () => {};'));
    pipelineIn(agnostic.pipelineStack, { environments: [staging(undefined, { account: '222222222222', region: 'us-east-1' })] });
    expect(() => agnostic.app.synth()).not.toThrow();

    // a template of the same name at another place of the build output is not this app's
    const elsewhere = appWith({ account: '333333333333', region: 'us-east-1' });
    withFunction(elsewhere.staging, lambda.Code.fromAsset(path.join(__dirname, 'docker-asset')));
    pipelineIn(elsewhere.pipelineStack, {
      environments: [staging('infra/cdk.out/ShopStaging.template.json'), {
        name: 'prod',
        deployments: [
          DeploymentTarget.cloudFormation({ stackName: 'shop-prod', templatePath: 'cdk.out/ShopProd.template.json' }),
        ],
      }],
    });
    expect(() => elsewhere.app.synth()).not.toThrow();
  });

  test('a stack whose role merely names the bootstrap asset bucket has no assets, and deploys (regression: refused as using assets)', () => {
    const { app, staging: s, pipelineStack } = appWith({ account: '111111111111', region: 'eu-west-1' });
    const role = new iam.Role(s, 'Deployer', { assumedBy: new iam.AccountRootPrincipal() });
    role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::cdk-hnb659fds-assets-111111111111-eu-west-1/*'] }));
    pipelineIn(pipelineStack, { environments: [staging()] });
    expect(() => app.synth()).not.toThrow();
    expect(actionsOf(pipelineStack, 'staging')).toEqual(['shop-staging.Prepare@1', 'shop-staging.Deploy@2']);
  });

  test('the template is found where the build output holds the cloud assembly, and in a nested stage\'s assembly', () => {
    // the build output is the cloud assembly itself: the template is at its root
    const root = appWith({ account: '333333333333', region: 'eu-west-1' });
    new sqs.Queue(root.staging, 'Queue');
    pipelineIn(root.pipelineStack, {
      buildStep: BuildStep.commands({ commands: ['npx cdk synth'], outputs: ['**/*'], outputDirectory: 'cdk.out' }),
      environments: [staging('ShopStaging.template.json')],
    });
    expect(synthError(root.app)).toContain(`${FIELD} names the template of stack 'shop-staging' (ShopStaging) of the pipeline's app, which is synthesized for account 333333333333`);

    const app = newApp();
    const stage = new Stage(app, 'Beta', { env: { account: '333333333333', region: 'eu-west-1' } });
    const svc = new Stack(stage, 'Svc', { stackName: 'beta-svc' });
    new sqs.Queue(svc, 'Queue');
    const pipelineStack = new Stack(app, 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
    expect(svc.templateFile).toBe('BetaSvc24763EBC.template.json');
    pipelineIn(pipelineStack, { environments: [staging(`cdk.out/assembly-Beta/${svc.templateFile}`)] });
    expect(synthError(app)).toContain(`${FIELD} names the template of stack 'beta-svc' (Beta/Svc) of the pipeline's app, which is synthesized for account 333333333333`);
  });
});
