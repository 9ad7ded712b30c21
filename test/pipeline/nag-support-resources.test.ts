import { App, Aspects, CfnResource, Stack } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { cfnTarget, newApp, pipelineIn } from '../util';

/*
 * cdk-nag AwsSolutions over the whole app, support stacks included: the resources the pipeline
 * causes outside its own stack carry the library's suppressions too.
 */

/** Every unsuppressed AwsSolutions finding of the app, as `path finding`. */
function findings(app: App): string[] {
  Aspects.of(app).add(new AwsSolutionsChecks());
  const asm = app.synth();
  return asm.stacks.flatMap(s => s.messages
    .filter(m => (m.level === 'error' || m.level === 'warning') && String(m.entry.data).startsWith('AwsSolutions-'))
    .map(m => `${m.id} ${String(m.entry.data).split(':')[0]}`));
}

function replicationBucket(app: App): CfnResource {
  return app.node.findAll().find(c => c.node.path.endsWith('CrossRegionCodePipelineReplicationBucket/Resource')) as CfnResource;
}

describe('cdk-nag over the cross-region support stack', () => {
  test('the replication bucket of another region carries the access-log suppression, with a reason', () => {
    const app = newApp();
    const stack = new Stack(app, 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
    pipelineIn(stack, { environments: [{ name: 'us', region: 'us-east-1', deployments: [cfnTarget('shop-us')] }] });
    expect(findings(app)).toEqual([]);
    const bucket = replicationBucket(app);
    expect(bucket.node.path).toBe('cross-region-stack-111111111111:us-east-1/Default/CrossRegionCodePipelineReplicationBucket/Resource');
    const suppressions = bucket.getMetadata('cdk_nag')?.rules_to_suppress;
    expect(suppressions).toEqual([{
      id: 'AwsSolutions-S1',
      reason: 'The cross-region replication bucket (aws-cdk-lib\'s support stack) holds copies of the pipeline\'s transient artifacts, '
        + 'written only by the pipeline\'s roles; requests are recorded by CloudTrail.',
    }]);
  });

  test('two pipelines sharing the support stack of a region add the suppression once', () => {
    const app = newApp();
    const stack = new Stack(app, 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
    pipelineIn(stack, { environments: [{ name: 'us', region: 'us-east-1', deployments: [cfnTarget('shop-us')] }] }, 'Shop');
    pipelineIn(stack, { environments: [{ name: 'us', region: 'us-east-1', deployments: [cfnTarget('blog-us')] }] }, 'Blog');
    expect(findings(app)).toEqual([]);
    expect(replicationBucket(app).getMetadata('cdk_nag')?.rules_to_suppress).toHaveLength(1);
  });
});
