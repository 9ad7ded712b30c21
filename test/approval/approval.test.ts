import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Approval } from '../../src';
import { action, actionsOf, cfnTarget, env, newStack, pipelineIn } from '../util';

describe('Approval.manual', () => {
  test('comes first in the environment, and names the revision being promoted', () => {
    const stack = newStack();
    pipelineIn(stack, { environments: [env('staging', { approval: Approval.manual() })] });
    expect(actionsOf(stack, 'staging')).toEqual(['Approve@1', 'Deploy-staging@2']);
    const a = action(stack, 'staging', 'Approve');
    expect(a.ActionTypeId).toEqual({ Category: 'Approval', Owner: 'AWS', Provider: 'Manual', Version: '1' });
    expect(a.Configuration.CustomData).toBe('Approve to promote commit #{SourceVariables.CommitId} of acme/shop@main to staging.');
  });

  test('notification topic, review URL, comment and timeout reach the action', () => {
    const stack = newStack();
    const topic = new sns.Topic(stack, 'Releases');
    pipelineIn(stack, {
      environments: [env('prod', {
        production: true,
        approval: Approval.manual({ notify: topic, reviewUrl: 'https://staging.example.com', comment: 'Read the notes.', timeout: Duration.days(2) }),
      })],
    });
    const a = action(stack, 'prod', 'Approve');
    expect(a.Configuration).toEqual({
      NotificationArn: { Ref: expect.stringMatching(/^Releases/) },
      ExternalEntityLink: 'https://staging.example.com',
      CustomData: 'Approve to promote commit #{SourceVariables.CommitId} of acme/shop@main to prod. Read the notes.',
    });
    expect(a.TimeoutInMinutes).toBe(2880);
  });

  test('notifyEmails creates a topic with those subscriptions', () => {
    const stack = newStack();
    pipelineIn(stack, { environments: [env('prod', { approval: Approval.manual({ notifyEmails: ['releases@example.com'] }) })] });
    Template.fromStack(stack).hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'releases@example.com' });
    expect(action(stack, 'prod', 'Approve').Configuration.NotificationArn).toBeDefined();
  });
});

describe('Approval.changeSetReview', () => {
  test('is named ReviewChangeSet and names the revision', () => {
    const stack = newStack();
    pipelineIn(stack, {
      environments: [{ name: 'prod', approval: Approval.changeSetReview(), deployments: [cfnTarget('shop-prod')] }],
    });
    expect(action(stack, 'prod', 'ReviewChangeSet').Configuration.CustomData)
      .toBe('Review the change sets of prod for commit #{SourceVariables.CommitId} of acme/shop@main.');
  });
});
