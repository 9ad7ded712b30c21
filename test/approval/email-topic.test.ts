import { Aspects } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import { Approval } from '../../src';
import { env, newStack, pipelineIn } from '../util';

describe('Approval.manual({ notifyEmails })', () => {
  test('the topic created for the emails accepts publishing over TLS only, and cdk-nag finds nothing on it', () => {
    const stack = newStack();
    pipelineIn(stack, { environments: [env('prod', { approval: Approval.manual({ notifyEmails: ['releases@example.com'] }) })] });
    Aspects.of(stack).add(new AwsSolutionsChecks());
    const template = Template.fromStack(stack);
    const [topicId] = Object.keys(template.findResources('AWS::SNS::Topic'));
    expect(topicId).toMatch(/^ShopPipelineprodApproveTopicResource/);
    const policies = Object.values(template.findResources('AWS::SNS::TopicPolicy')) as any[];
    expect(policies).toHaveLength(1);
    expect(policies[0].Properties.Topics).toEqual([{ Ref: topicId }]);
    expect(policies[0].Properties.PolicyDocument.Statement).toEqual([{
      Sid: 'AllowPublishThroughSSLOnly',
      Effect: 'Deny',
      Principal: expect.anything(),
      Action: 'sns:Publish',
      Resource: { Ref: topicId },
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    }]);
    // everyone: '*', or { AWS: '*' } without the feature flags of a new project
    expect([JSON.stringify('*'), JSON.stringify({ AWS: '*' })]).toContain(JSON.stringify(policies[0].Properties.PolicyDocument.Statement[0].Principal));
    const nag = stack.node.findAll().flatMap(c => c.node.metadata
      .filter(m => (m.type === 'aws:cdk:error' || m.type === 'aws:cdk:warning') && String(m.data).startsWith('AwsSolutions-'))
      .map(m => `${c.node.path} ${String(m.data).split(':')[0]}`));
    expect(nag).toEqual([]);
  });

  test('a topic of your own (notify) is left as it is', () => {
    const stack = newStack();
    const topic = new sns.Topic(stack, 'Releases');
    pipelineIn(stack, { environments: [env('prod', { approval: Approval.manual({ notify: topic, notifyEmails: ['releases@example.com'] }) })] });
    Template.fromStack(stack).resourceCountIs('AWS::SNS::TopicPolicy', 0);
  });
});
