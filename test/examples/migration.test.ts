import * as fs from 'fs';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ShopDeliveryPipelineStack } from '../../examples/migration/after-delivery-pipeline';
import { ShopCdkPipelinesStack } from '../../examples/migration/before-cdk-pipelines';
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
