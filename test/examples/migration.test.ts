import * as fs from 'fs';
import * as path from 'path';
import { CfnOutput, Stack, Stage, StageProps } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ecrAssets from 'aws-cdk-lib/aws-ecr-assets';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { Construct } from 'constructs';
import { ShopDeliveryPipelineStack } from '../../examples/migration/after-delivery-pipeline';
import { ShopCdkPipelinesStack } from '../../examples/migration/before-cdk-pipelines';
import { CONNECTION_ARN } from '../../examples/migration/shop-stage';
import { Approval, BuildStep, DeliveryPipeline, DeploymentTarget, PipelineSource, Verification } from '../../src';
import { nagFindingsAfterSynth, newApp } from '../util';

const root = path.join(__dirname, '..', '..');
const env = { account: '111111111111', region: 'eu-west-1' };

/** Synthesizes one of the two apps: its pipeline stack's template and the stacks of the stages. */
function synth(kind: 'before' | 'after') {
  const app = newApp();
  const stack: Stack = kind === 'before'
    ? new ShopCdkPipelinesStack(app, 'ShopPipeline', { env })
    : new ShopDeliveryPipelineStack(app, 'ShopPipeline', { env });
  const template = Template.fromStack(stack).toJSON();
  const stageStacks = app.synth().stacksRecursively.filter(s => s.stackName !== 'ShopPipeline').map(s => s.stackName).sort();
  const [pipelineId, pipeline] = Object.entries<any>(template.Resources).find(([, r]) => r.Type === 'AWS::CodePipeline::Pipeline')!;
  return { template, stageStacks, pipelineId, stages: pipeline.Properties.Stages as any[], pipeline };
}

const summary = (stages: any[]) => stages.map(s => `${s.Name}: ${s.Actions.map((a: any) => `${a.Name}@${a.RunOrder}`).join(' ')}`);

/** stack name -> the roles its change-set action runs as and passes to CloudFormation. */
function rolesByStack(stages: any[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const a of stages.flatMap(s => s.Actions)) {
    if (a.Configuration?.ActionMode !== 'CHANGE_SET_REPLACE') continue;
    out[a.Configuration.StackName] = { actionRole: a.RoleArn, cloudFormationRole: a.Configuration.RoleArn };
  }
  return out;
}

describe('docs/migrating-from-cdk-pipelines.md: the before/after example', () => {
  test('the guide quotes both example classes word for word', () => {
    const doc = fs.readFileSync(path.join(root, 'docs', 'migrating-from-cdk-pipelines.md'), 'utf8');
    const quotes = [...doc.matchAll(/<!-- quoted from (\S+) -->\n```ts\n([\s\S]*?)```/g)];
    expect(quotes.map(q => q[1])).toEqual(['examples/migration/before-cdk-pipelines.ts', 'examples/migration/after-delivery-pipeline.ts']);
    for (const [, file, code] of quotes) {
      expect(fs.readFileSync(path.join(root, file), 'utf8')).toContain(code);
      expect(code).toMatch(/^export class \w+ extends Stack \{/);
    }
  });

  test('the new pipeline deploys the same stacks as the same bootstrap roles, with the same pipeline logical ids', () => {
    const before = synth('before');
    const after = synth('after');
    expect(after.stageStacks).toEqual(['Prod-Api', 'Staging-Api']);
    expect(before.stageStacks).toEqual(after.stageStacks);
    const roles = rolesByStack(after.stages);
    expect(Object.keys(roles).sort()).toEqual(['Prod-Api', 'Staging-Api']);
    expect(JSON.stringify(roles['Prod-Api'])).toContain('cdk-hnb659fds-deploy-role-333333333333-eu-west-1');
    expect(JSON.stringify(roles['Prod-Api'])).toContain('cdk-hnb659fds-cfn-exec-role-333333333333-eu-west-1');
    expect(rolesByStack(before.stages)).toEqual(roles);
    // CloudFormation updates the pipeline, its role, artifact bucket and key in place: same logical ids, no Name set
    expect(after.pipelineId).toBe(before.pipelineId);
    expect(after.pipeline.Properties.Name).toBeUndefined();
    const ids = (t: any, type: string) => Object.keys(t.Resources).filter(k => t.Resources[k].Type === type);
    for (const type of ['AWS::S3::Bucket', 'AWS::KMS::Key']) {
      expect(ids(after.template, type)).toEqual(ids(before.template, type));
    }
    expect(after.pipeline.Properties.RoleArn).toEqual(before.pipeline.Properties.RoleArn);
  });

  test('what changes: no self-mutation stage, actions named after the stack, the test reads the output through the deploy action', () => {
    const before = synth('before');
    const after = synth('after');
    expect(summary(before.stages)).toEqual([
      'Source: acme_shop@1', 'Build: Synth@1', 'UpdatePipeline: SelfMutate@1',
      'Staging: Api.Prepare@1 Api.Deploy@2 Smoke@3', 'Prod: PromoteToProd@1 Api.Prepare@2 Api.Deploy@3',
    ]);
    expect(summary(after.stages)).toEqual([
      'Source: Source@1', 'Build: Build@1',
      'Staging: Staging-Api.Prepare@1 Staging-Api.Deploy@2 Smoke@3', 'Prod: Approve@1 Prod-Api.Prepare@2 Prod-Api.Deploy@3',
    ]);
    const smoke = after.stages[2].Actions.find((a: any) => a.Name === 'Smoke');
    expect(JSON.parse(smoke.Configuration.EnvironmentVariables)).toEqual([
      { name: 'QUEUE_URL', type: 'PLAINTEXT', value: '#{Staging@Staging-Api.QueueUrl}' },
    ]);
    const changeSets = (stages: any[]) => [...new Set(stages.flatMap(s => s.Actions).map((a: any) => a.Configuration?.ChangeSetName)
      .filter(Boolean))];
    expect(changeSets(before.stages)).toEqual(['PipelineChange']);
    expect(changeSets(after.stages)).toEqual(['cdk-delivery-pipeline']);
  });
});

describe('examples/migration: the DeliveryPipeline version', () => {
  test('cdk-nag AwsSolutions: no unsuppressed errors or warnings', () => {
    const app = newApp();
    const stack = new ShopDeliveryPipelineStack(app, 'ShopPipeline', { env });
    expect(nagFindingsAfterSynth(stack)).toEqual([]);
  });
});

/** A stage with a file asset and a Docker image asset, whose stack outputs a queue's URL. */
class AssetsStage extends Stage {
  public readonly queueUrl: CfnOutput;

  constructor(scope: Construct, id: string, props: StageProps) {
    super(scope, id, props);
    const api = new Stack(this, 'Api');
    new s3assets.Asset(api, 'Bundle', { path: path.join(__dirname, '..', 'deploy', 'docker-asset') });
    new ecrAssets.DockerImageAsset(api, 'Image', { directory: path.join(__dirname, '..', 'deploy', 'docker-asset') });
    this.queueUrl = new CfnOutput(api, 'QueueUrl', { value: new sqs.Queue(api, 'Orders', { enforceSSL: true }).queueUrl });
  }
}

const PROD_EU = { account: '333333333333', region: 'eu-west-1' };
const PROD_US = { account: '333333333333', region: 'us-east-1' };

/** A production wave over two regions behind one approval, each stage smoke-tested: CDK Pipelines, then as the guide translates it. */
function waveApp(kind: 'before' | 'after') {
  const app = newApp();
  const stack = new Stack(app, 'ShopPipeline', { env });
  if (kind === 'before') {
    const source = pipelines.CodePipelineSource.connection('acme/shop', 'main', { connectionArn: CONNECTION_ARN });
    const pipeline = new pipelines.CodePipeline(stack, 'Pipeline', {
      crossAccountKeys: true,
      synth: new pipelines.ShellStep('Synth', { input: source, commands: ['npx cdk synth'] }),
    });
    const wave = pipeline.addWave('Prod', { pre: [new pipelines.ManualApprovalStep('PromoteToProd')] });
    for (const [id, where] of [['ProdEu', PROD_EU], ['ProdUs', PROD_US]] as const) {
      const stage = new AssetsStage(stack, id, { env: where });
      wave.addStage(stage, { post: [new pipelines.ShellStep(`${id}Smoke`, { envFromCfnOutputs: { QUEUE_URL: stage.queueUrl }, commands: ['bash scripts/smoke.sh'] })] });
    }
  } else {
    const prodEu = new AssetsStage(stack, 'ProdEu', { env: PROD_EU });
    const prodUs = new AssetsStage(stack, 'ProdUs', { env: PROD_US });
    const smoke = (id: string, stage: AssetsStage) => Verification.commands(id, ['bash scripts/smoke.sh'], { envFromCfnOutputs: { QUEUE_URL: stage.queueUrl } });
    new DeliveryPipeline(stack, 'Pipeline', {
      source: PipelineSource.gitHub({ repository: 'acme/shop', connectionArn: CONNECTION_ARN }),
      buildStep: BuildStep.commands({ commands: ['npx cdk synth'], outputs: ['cdk.out/**/*', 'scripts/**/*'] }),
      environments: [
        // the wave: one environment naming no region, each stage deployed where its stacks are
        {
          name: 'Prod',
          production: true,
          approval: Approval.manual(),
          deployments: [DeploymentTarget.cdkStage(prodEu), DeploymentTarget.cdkStage(prodUs)],
          verification: [smoke('ProdEuSmoke', prodEu), smoke('ProdUsSmoke', prodUs)],
        },
      ],
    });
  }
  const assembly = app.synth();
  const template = assembly.getStackByName('ShopPipeline').template;
  const pipeline = Object.values<any>(template.Resources).find(r => r.Type === 'AWS::CodePipeline::Pipeline');
  const stages = pipeline.Properties.Stages as any[];
  // the publishing roles the asset actions may assume
  const publishingRoles = Object.values<any>(template.Resources).filter(r => r.Type === 'AWS::IAM::Policy')
    .flatMap(r => r.Properties.PolicyDocument.Statement).filter((st: any) => st.Action === 'sts:AssumeRole')
    .flatMap((st: any) => [st.Resource].flat()).map((r: unknown) => /role\/(cdk-[\w-]+-publishing-role-[\w-]+)/.exec(JSON.stringify(r))?.[1])
    .filter(Boolean).sort();
  const changeSets = Object.fromEntries(stages.flatMap(st => st.Actions).filter((a: any) => a.Configuration?.ActionMode === 'CHANGE_SET_REPLACE')
    .map((a: any) => [a.Configuration.StackName, {
      region: a.Region ?? env.region,
      role: JSON.stringify(a.RoleArn),
      cfnRole: JSON.stringify(a.Configuration.RoleArn),
    }]));
  const support = Object.entries<any>(assembly.getStackByName('ShopPipeline-support-us-east-1').template.Resources).map(([id, r]) => `${id} ${r.Type}`);
  return { stages, publishingRoles, changeSets, support, stacks: assembly.stacksRecursively.map(st => st.stackName).sort() };
}

describe('docs/migrating-from-cdk-pipelines.md: a wave across regions, with assets', () => {
  const before = waveApp('before');
  const after = waveApp('after');

  test('the same stacks, deployed in the same regions as the same bootstrap roles', () => {
    expect(after.stacks).toEqual(['ProdEu-Api', 'ProdUs-Api', 'ShopPipeline', 'ShopPipeline-support-us-east-1']);
    expect(after.stacks).toEqual(before.stacks);
    expect(Object.keys(after.changeSets).sort()).toEqual(['ProdEu-Api', 'ProdUs-Api']);
    expect(after.changeSets).toEqual(before.changeSets);
    expect(after.changeSets['ProdUs-Api'].region).toBe('us-east-1');
    expect(after.changeSets['ProdUs-Api'].role).toContain('cdk-hnb659fds-deploy-role-333333333333-us-east-1');
    // the region's support stack keeps its resources: CloudFormation updates it in place
    expect(after.support).toHaveLength(4);
    expect(after.support).toEqual(before.support);
  });

  test('the assets are published with the same bootstrap publishing roles, by one action instead of an Assets stage', () => {
    expect(after.publishingRoles).toEqual([
      'cdk-hnb659fds-file-publishing-role-333333333333-eu-west-1',
      'cdk-hnb659fds-file-publishing-role-333333333333-us-east-1',
      'cdk-hnb659fds-image-publishing-role-333333333333-eu-west-1',
      'cdk-hnb659fds-image-publishing-role-333333333333-us-east-1',
    ]);
    expect(after.publishingRoles).toEqual(before.publishingRoles);
  });

  test('what changes: the wave becomes one environment, its stages in parallel after one approval, the tests once both deployed', () => {
    expect(summary(before.stages)).toEqual([
      'Source: acme_shop@1', 'Build: Synth@1', 'UpdatePipeline: SelfMutate@1', 'Assets: Image@1 Bundle@1',
      'Prod: PromoteToProd@1 ProdEu.Api.Prepare@2 ProdUs.Api.Prepare@2 ProdEu.Api.Deploy@3 ProdUs.Api.Deploy@3 ProdEu.ProdEuSmoke@4 ProdUs.ProdUsSmoke@4',
    ]);
    expect(summary(after.stages)).toEqual([
      'Source: Source@1', 'Build: Build@1 PublishAssets@2',
      'Prod: Approve@1 ProdEu-Api.Prepare@2 ProdEu-Api.Deploy@3 ProdUs-Api.Prepare@2 ProdUs-Api.Deploy@3 ProdEuSmoke@4 ProdUsSmoke@4',
    ]);
  });
});

