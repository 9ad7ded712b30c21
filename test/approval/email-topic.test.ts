import { Aspects, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import { OrdersServiceStage } from '../../examples/cdk-stage/service-stage';
import { Approval, DeliveryPipeline, DeploymentTarget } from '../../src';
import { env, errorOf, newApp, newStack, pipelineIn, props } from '../util';

describe('Approval.manual({ notifyEmails })', () => {
  test('the topic created for the emails accepts publishing over TLS only, is encrypted with the AWS managed SNS key, and cdk-nag finds nothing on it', () => {
    const stack = newStack();
    pipelineIn(stack, { environments: [env('prod', { approval: Approval.manual({ notifyEmails: ['releases@example.com'] }) })] });
    Aspects.of(stack).add(new AwsSolutionsChecks());
    const template = Template.fromStack(stack);
    const topics = template.findResources('AWS::SNS::Topic');
    const [topicId] = Object.keys(topics);
    expect(topicId).toMatch(/^ShopEnvironmentsprodApprovalTopic/);
    expect(topics[topicId].Properties).toEqual({
      KmsMasterKeyId: 'arn:aws:kms:eu-west-1:111111111111:alias/aws/sns',
    });
    // the approvals' role may publish, and use the AWS managed SNS key only (aws-cdk-lib grants a key
    // imported by alias through the kms:ResourceAliases condition); no customer managed key is created
    template.resourceCountIs('AWS::KMS::Key', 0);
    const statements = (Object.values(template.findResources('AWS::IAM::Policy')) as any[])
      .flatMap(p => p.Properties.PolicyDocument.Statement)
      .filter(st => JSON.stringify(st.Resource).includes(topicId) || JSON.stringify(st).includes('aws/sns'));
    expect(statements).toEqual([
      { Action: 'sns:Publish', Effect: 'Allow', Resource: { Ref: topicId } },
      {
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        Condition: { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': 'alias/aws/sns' } },
        Effect: 'Allow',
        Resource: 'arn:aws:kms:eu-west-1:111111111111:key/*',
      },
    ]);
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

  test('a change-set review of several dependency levels shares one topic: one confirmation mail per address (regression: one topic per wave)', () => {
    const app = newApp();
    const stack = new Stack(app, 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
    const staging = new OrdersServiceStage(app, 'Staging', { env: { account: '111111111111', region: 'eu-west-1' } });
    new DeliveryPipeline(stack, 'Orders', props({
      environments: [{
        name: 'staging',
        approval: Approval.changeSetReview({ notifyEmails: ['releases@example.com', 'oncall@example.com'] }),
        deployments: [DeploymentTarget.cdkStage(staging)],
      }],
    }));
    const template = Template.fromStack(stack);
    const topics = Object.keys(template.findResources('AWS::SNS::Topic'));
    expect(topics).toHaveLength(1);
    const subscriptions = Object.values(template.findResources('AWS::SNS::Subscription')) as any[];
    expect(subscriptions.map(sub => [sub.Properties.Endpoint, sub.Properties.TopicArn])).toEqual([
      ['releases@example.com', { Ref: topics[0] }],
      ['oncall@example.com', { Ref: topics[0] }],
    ]);
    const pipeline = Object.values(template.findResources('AWS::CodePipeline::Pipeline'))[0] as any;
    const reviews = pipeline.Properties.Stages.find((st: any) => st.Name === 'staging').Actions.filter((a: any) => a.ActionTypeId.Category === 'Approval');
    expect(reviews.map((a: any) => [a.Name, a.Configuration.NotificationArn])).toEqual([
      ['ReviewChangeSet', { Ref: topics[0] }],
      ['ReviewChangeSet.Wave2', { Ref: topics[0] }],
    ]);
  });

  test('an address given twice is refused (regression: aws-cdk-lib\'s SubscriptionAlreadyExists at render)', () => {
    const stack = newStack();
    expect(errorOf(() => pipelineIn(stack, {
      environments: [env('prod', { approval: Approval.manual({ notifyEmails: ['ops@example.com', 'releases@example.com', 'Ops@Example.com'] }) })],
    }))).toBe("'PipelineStack/Shop': environments[0] ('prod').approval.notifyEmails[2] is the address of notifyEmails[0] again, got 'Ops@Example.com'. Name each address once.");
  });
});
