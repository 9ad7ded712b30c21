import { NestedStack, Stack, Stage } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as chatbot from 'aws-cdk-lib/aws-chatbot';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { Approval, DeliveryDefaults, DeliveryPipeline, DeploymentWindow, PipelineEvent, PlanDocument } from '../../src';
import { env, errorOf, flat, newApp, newStack, pipelineIn, props } from '../util';

describe('notifications', () => {
  test('default events: approval needed and execution failed, to the topic', () => {
    const stack = newStack();
    const topic = new sns.Topic(stack, 'Releases');
    pipelineIn(stack, { notifications: { topic }, environments: [env('staging')] });
    const rule = Object.values(Template.fromStack(stack).findResources('AWS::CodeStarNotifications::NotificationRule'))[0] as any;
    expect(rule.Properties.EventTypeIds).toEqual(['codepipeline-pipeline-manual-approval-needed', 'codepipeline-pipeline-pipeline-execution-failed']);
    expect(flat(rule.Properties.Targets)).toEqual([{ TargetType: 'SNS', TargetAddress: expect.stringMatching(/^<Releases/) }]);
    expect(flat(rule.Properties.Resource)).toMatch(/^arn:aws:codepipeline:eu-west-1:111111111111:<ShopPipeline/);
  });

  test('an event named like a property every object has is refused like any other value (regression: aws-cdk-lib\'s resolution error)', () => {
    for (const event of ['toString', 'constructor']) {
      const stack = newStack();
      const topic = new sns.Topic(stack, 'Releases');
      expect(errorOf(() => pipelineIn(stack, { notifications: { topic, events: [event as any] } }))).toBe('\'PipelineStack/Shop\': notifications.events holds a value '
        + `that is not a PipelineEvent, got '${event}'. Use PipelineEvent.APPROVAL_NEEDED, FAILED, SUCCEEDED or SUPERSEDED.`);
    }
  });

  test('chosen events, to a topic and a Slack channel', () => {
    const stack = newStack();
    const topic = new sns.Topic(stack, 'Releases');
    const slackChannel = chatbot.SlackChannelConfiguration.fromSlackChannelConfigurationArn(stack, 'Slack',
      'arn:aws:chatbot::111111111111:chat-configuration/slack-channel/releases');
    pipelineIn(stack, { notifications: { topic, slackChannel, events: [PipelineEvent.SUCCEEDED, PipelineEvent.SUPERSEDED] } });
    const rule = Object.values(Template.fromStack(stack).findResources('AWS::CodeStarNotifications::NotificationRule'))[0] as any;
    expect(rule.Properties.EventTypeIds).toEqual(['codepipeline-pipeline-pipeline-execution-succeeded', 'codepipeline-pipeline-pipeline-execution-superseded']);
    expect(rule.Properties.Targets.map((t: any) => t.TargetType)).toEqual(['SNS', 'AWSChatbotSlack']);
  });

  test('a topic defined in the app lets the notification service publish: its policy says so, and no warning', () => {
    const stack = newStack();
    const topic = new sns.Topic(stack, 'Releases');
    pipelineIn(stack, { notifications: { topic } });
    const policy = Object.values(Template.fromStack(stack).findResources('AWS::SNS::TopicPolicy'))[0] as any;
    expect(policy.Properties.PolicyDocument.Statement).toContainEqual(expect.objectContaining({
      Action: 'sns:Publish', Principal: { Service: 'codestar-notifications.amazonaws.com' },
    }));
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('notifications.topic'))).toEqual([]);
  });

  test('an imported topic: its policy cannot be changed here, and a warning says what it must allow', () => {
    const stack = newStack();
    const topic = sns.Topic.fromTopicArn(stack, 'Ops', 'arn:aws:sns:eu-west-1:111111111111:ops');
    pipelineIn(stack, { notifications: { topic } });
    expect(Template.fromStack(stack).findResources('AWS::SNS::TopicPolicy')).toEqual({});
    Annotations.fromStack(stack).hasWarning('/PipelineStack/Shop',
      'notifications.topic is arn:aws:sns:eu-west-1:111111111111:ops, imported: its policies cannot be changed here. '
      + 'CodeStar Notifications delivers only if the topic policy allows codestar-notifications.amazonaws.com to sns:Publish and, '
      + 'for an encrypted topic, the key policy allows it kms:GenerateDataKey* and kms:Decrypt. '
      + 'Add them where the topic is defined, or pass a topic defined in this app (the pipeline then adds them). '
      + '[ack: delivery-pipeline:importedNotificationTopic]');
  });

  test('a topic of the app encrypted with an imported key: the key policy cannot be changed here, and a warning names the statement to add', () => {
    const stack = newStack();
    const masterKey = kms.Key.fromKeyArn(stack, 'Key', 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab');
    pipelineIn(stack, { notifications: { topic: new sns.Topic(stack, 'Releases', { masterKey }) } });
    Annotations.fromStack(stack).hasWarning('/PipelineStack/Shop',
      'notifications.topic is encrypted with key arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab, which is not defined in this app: '
      + 'its key policy cannot be changed here, and CodeStar Notifications delivers to an encrypted topic only if the key policy allows it. '
      + 'Add this statement to the key policy: { "Effect": "Allow", "Principal": { "Service": "codestar-notifications.amazonaws.com" }, '
      + '"Action": ["kms:GenerateDataKey*", "kms:Decrypt"], "Resource": "*" }, or encrypt the topic with a key defined in this app (the pipeline then adds it). '
      + 'An AWS managed key (alias/aws/sns) cannot allow it: use a customer managed key. [ack: delivery-pipeline:importedTopicKey]');
  });

  test('a topic encrypted with the AWS managed key alias/aws/sns is warned about too', () => {
    const stack = newStack();
    const masterKey = kms.Alias.fromAliasName(stack, 'SnsKey', 'alias/aws/sns');
    pipelineIn(stack, { notifications: { topic: new sns.Topic(stack, 'Releases', { masterKey }) } });
    const warnings = Annotations.fromStack(stack).findWarning('/PipelineStack/Shop', Match.stringLikeRegexp('importedTopicKey'));
    expect(warnings.map(w => w.entry.data)).toEqual([
      expect.stringMatching(/^notifications.topic is encrypted with key arn:aws:kms:eu-west-1:111111111111:alias\/aws\/sns, which is not defined/),
    ]);
  });

  test('a topic encrypted with a key of the app (or an alias of one): the key policy lets the notification service use it, and no warning', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key');
    pipelineIn(stack, { notifications: { topic: new sns.Topic(stack, 'Releases', { masterKey: key }) } });
    pipelineIn(stack, { notifications: { topic: new sns.Topic(stack, 'Aliased', { masterKey: key.addAlias('alias/releases') }) } }, 'Other');
    const [keyResource] = Object.values(Template.fromStack(stack).findResources('AWS::KMS::Key')) as any[];
    expect(keyResource.Properties.KeyPolicy.Statement).toContainEqual(expect.objectContaining({
      Principal: { Service: 'codestar-notifications.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
    }));
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('notifications.topic'))).toEqual([]);
  });

  test('an approval topic encrypted with an imported key needs no warning: the approvals\' role is granted the key in its own policy', () => {
    const stack = newStack();
    const masterKey = kms.Key.fromKeyArn(stack, 'Key', 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab');
    const notify = new sns.Topic(stack, 'Approvals', { masterKey });
    pipelineIn(stack, { environments: [env('prod', { approval: Approval.manual({ notify }) })] });
    const policy = Object.entries(Template.fromStack(stack).findResources('AWS::IAM::Policy')).find(([id]) => id.startsWith('ShopApprovalRoleDefaultPolicy'))![1] as any;
    expect(policy.Properties.PolicyDocument.Statement).toContainEqual(expect.objectContaining({
      Action: ['kms:Decrypt', 'kms:GenerateDataKey*'], Resource: 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    }));
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('importedTopicKey'))).toEqual([]);
  });

  test.each([
    ['another Region', { account: '111111111111', region: 'us-east-1' }, 'aws://111111111111/us-east-1'],
    ['another account', { account: '222222222222', region: 'eu-west-1' }, 'aws://222222222222/eu-west-1'],
  ])('a topic defined in a stack of %s is refused naming the field (regression: aws-cdk-lib\'s cross-environment resolution error)', (_case, otherEnv, where) => {
    const app = newApp();
    const stack = new Stack(app, 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
    const topic = new sns.Topic(new Stack(app, 'Other', { env: otherEnv }), 'Topic');
    expect(errorOf(() => pipelineIn(stack, { notifications: { topic } }))).toBe(
      `'PipelineStack/Shop': notifications.topic is an SNS topic of stack 'Other' (${where}), which the pipeline's stack (aws://111111111111/eu-west-1) cannot refer to: `
      + "aws-cdk-lib refers to resources of other stacks of the same environment only, got 'Other/Topic'. Create the topic in the pipeline's stack "
      + "(or another stack of its account and Region), or import it there by ARN with sns.Topic.fromTopicArn(pipelineStack, 'Topic', 'arn:aws:sns:...') "
      + '(its topic policy must then allow codestar-notifications.amazonaws.com to sns:Publish).');
  });

  test('a topic of another stack of the pipeline\'s account and Region, or imported by ARN from anywhere, is taken', () => {
    const app = newApp();
    const stack = new Stack(app, 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
    const shared = new sns.Topic(new Stack(app, 'Shared', { env: { account: '111111111111', region: 'eu-west-1' } }), 'Topic');
    const virginia = new Stack(app, 'Virginia', { env: { account: '111111111111', region: 'us-east-1' } });
    new sns.Topic(virginia, 'Own'); // aws-cdk-lib 2.27x refuses an empty stack
    pipelineIn(stack, { notifications: { topic: shared } }, 'A');
    pipelineIn(stack, { notifications: { topic: sns.Topic.fromTopicArn(virginia, 'Imported', 'arn:aws:sns:eu-west-1:111111111111:releases') } }, 'B');
    app.synth();
    expect(Template.fromStack(stack).findResources('AWS::CodeStarNotifications::NotificationRule')).not.toEqual({});
  });

  test('fails when nobody is named', () => {
    const stack = newStack();
    expect(errorOf(() => pipelineIn(stack, { notifications: {} }))).toBe(
      "'PipelineStack/Shop': notifications names no one to tell (neither topic nor slackChannel), got an object. Pass an SNS topic, an AWS Chatbot Slack channel, or both.");
  });
});

describe('Approval.manual approvers', () => {
  test('each approver may answer exactly that approval and read the pipeline state', () => {
    const stack = newStack();
    const releaseManagers = new iam.Role(stack, 'ReleaseManagers', { assumedBy: new iam.AccountRootPrincipal() });
    pipelineIn(stack, { environments: [env('staging'), env('prod', { production: true, approval: Approval.manual({ approvers: [releaseManagers] }) })] });
    const policy = Object.entries(Template.fromStack(stack).findResources('AWS::IAM::Policy')).find(([id]) => id.startsWith('ReleaseManagersDefaultPolicy'))![1] as any;
    const statements = flat(policy.Properties.PolicyDocument.Statement);
    expect(statements).toContainEqual({
      Action: 'codepipeline:PutApprovalResult',
      Effect: 'Allow',
      Resource: expect.stringMatching(/^arn:aws:codepipeline:eu-west-1:111111111111:<ShopPipeline[A-Z0-9]+>\/prod\/Approve$/),
    });
    const approveStatements = statements.filter((s: any) => [].concat(s.Action).includes('codepipeline:PutApprovalResult' as never));
    expect(approveStatements).toHaveLength(1);
    expect([].concat(approveStatements[0].Resource)).toHaveLength(1);
    // and may read what cdk-delivery approve reads to find it (PARALLEL mode: the action executions),
    // and what --wait reads (the run orders; the rule runs of an execution that failed after the
    // stage's actions succeeded), on the pipeline only, even where no condition is theirs to override
    expect(statements).toContainEqual({
      Action: ['codepipeline:GetPipeline', 'codepipeline:GetPipelineExecution', 'codepipeline:GetPipelineState', 'codepipeline:ListActionExecutions',
        'codepipeline:ListRuleExecutions'],
      Effect: 'Allow',
      Resource: expect.stringMatching(/^arn:aws:codepipeline:eu-west-1:111111111111:<ShopPipeline[A-Z0-9]+>$/),
    });
    expect(statements.filter((s: any) => [].concat(s.Action).includes('codepipeline:ListRuleExecutions' as never))).toHaveLength(1);
  });

  test('approvers of an environment with a deployment window may override its conditions there (cdk-delivery override), nowhere else', () => {
    const stack = newStack();
    const releaseManagers = new iam.Role(stack, 'ReleaseManagers', { assumedBy: new iam.AccountRootPrincipal() });
    pipelineIn(stack, {
      environments: [
        env('staging', { deploymentWindow: DeploymentWindow.cron('* * 8-17 ? * MON-FRI', 'UTC') }),
        env('prod', { production: true, approval: Approval.manual({ approvers: [releaseManagers] }), deploymentWindow: DeploymentWindow.cron('* * 9-16 ? * MON-THU', 'UTC') }),
      ],
    });
    const policy = Object.entries(Template.fromStack(stack).findResources('AWS::IAM::Policy')).find(([id]) => id.startsWith('ReleaseManagersDefaultPolicy'))![1] as any;
    const override = flat(policy.Properties.PolicyDocument.Statement).filter((s: any) => [].concat(s.Action).includes('codepipeline:OverrideStageCondition' as never));
    expect(override).toEqual([{
      // ListRuleExecutions, which override reads first, is a list: granted with the reads, on the pipeline only
      Action: 'codepipeline:OverrideStageCondition',
      Effect: 'Allow',
      // prod only: staging's window is not theirs to override
      Resource: expect.arrayContaining([
        expect.stringMatching(/^arn:aws:codepipeline:eu-west-1:111111111111:<ShopPipeline[A-Z0-9]+>$/),
        expect.stringMatching(/^arn:aws:codepipeline:eu-west-1:111111111111:<ShopPipeline[A-Z0-9]+>\/prod$/),
      ]),
    }]);
    expect(override[0].Resource).toHaveLength(2);
  });

  test('fails when an approver is not a principal', () => {
    const stack = newStack();
    expect(errorOf(() => pipelineIn(stack, { environments: [env('prod', { approval: Approval.manual({ approvers: ['arn:aws:iam::111111111111:role/x' as any] }) })] }))).toBe(
      "'PipelineStack/Shop': environments[0] ('prod').approval.approvers[0] must be an iam.IGrantable (a role, user or group), got 'arn:aws:iam::111111111111:role/x'. Pass roles or users, for example [releaseManagersRole].");
  });
});

describe('DeliveryDefaults notifications', () => {
  test('every pipeline that names no notifications gets the defaults\' rule; one that names its own keeps only its own', () => {
    const app = newApp();
    const stack = new Stack(app, 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
    const ops = new sns.Topic(stack, 'Ops');
    DeliveryDefaults.applyTo(app, { notifications: { topic: ops, events: [PipelineEvent.FAILED] } });
    const own = new sns.Topic(stack, 'Releases');
    pipelineIn(stack, {}, 'Shop');
    pipelineIn(stack, { notifications: { topic: own } }, 'Billing');
    const rules = Object.values(Template.fromStack(stack).findResources('AWS::CodeStarNotifications::NotificationRule')) as any[];
    expect(rules.map(r => [flat(r.Properties.Resource).replace(/^.*:<(\w+?)Pipeline.*$/, '$1'), r.Properties.EventTypeIds, flat(r.Properties.Targets)])).toEqual([
      ['Shop', ['codepipeline-pipeline-pipeline-execution-failed'], [{ TargetType: 'SNS', TargetAddress: expect.stringMatching(/^<Ops/) }]],
      ['Billing', ['codepipeline-pipeline-manual-approval-needed', 'codepipeline-pipeline-pipeline-execution-failed'],
        [{ TargetType: 'SNS', TargetAddress: expect.stringMatching(/^<Releases/) }]],
    ]);
    // the plan (what DeliveryPolicy rules and cdk-delivery plan read) shows the defaults' rule
    const plans = stack.node.findAll().flatMap(c => c.node.metadata).filter(m => m.type === 'cdk-delivery-pipeline:plan').map(m => m.data as PlanDocument);
    expect(plans.map(p => p.notifications)).toEqual([{ events: ['FAILED'], targets: ['sns'] }, { events: ['APPROVAL_NEEDED', 'FAILED'], targets: ['sns'] }]);
  });

  test('a default topic of a platform stack that a pipeline of a CDK stage cannot refer to: the error says how one default reaches every pipeline (regression: to create it in the pipeline\'s stack)', () => {
    const app = newApp();
    const platform = new Stack(app, 'Platform', { env: { account: '111111111111', region: 'eu-west-1' } });
    DeliveryDefaults.applyTo(app, { notifications: { topic: new sns.Topic(platform, 'Ops') } });
    const stack = new Stack(new Stage(app, 'Teams', { env: { account: '111111111111', region: 'eu-west-1' } }), 'ShopPipelineStack');
    expect(errorOf(() => pipelineIn(stack))).toBe(
      "'Teams/ShopPipelineStack/Shop': DeliveryDefaults.notifications.topic is an SNS topic of stack 'Platform', in the app, outside any CDK stage, not the pipeline's, "
      + "which the pipeline's stack cannot refer to, got 'Platform/Ops'. A default reaches the pipelines of other stacks and stages: import the topic by ARN "
      + "in the stack where you set the default (sns.Topic.fromTopicArn(platformStack, 'Topic', 'arn:aws:sns:<pipeline Region>:...'); its topic policy must then "
      + 'allow codestar-notifications.amazonaws.com to sns:Publish), which any pipeline refers to by that ARN, or give the pipelines of another account or Region '
      + 'a default of their own (DeliveryDefaults.applyTo(theirStageOrStack, { notifications })).');
    // imported by ARN in the platform's stack, the same default reaches the pipeline of the stage
    const imported = newApp();
    const shared = new Stack(imported, 'Platform', { env: { account: '111111111111', region: 'eu-west-1' } });
    new sns.Topic(shared, 'Own'); // aws-cdk-lib 2.27x refuses an empty stack
    DeliveryDefaults.applyTo(imported, { notifications: { topic: sns.Topic.fromTopicArn(shared, 'Ops', 'arn:aws:sns:eu-west-1:111111111111:ops') } });
    const teamStack = new Stack(new Stage(imported, 'Teams', { env: { account: '111111111111', region: 'eu-west-1' } }), 'ShopPipelineStack');
    pipelineIn(teamStack);
    const [rule] = Object.values(Template.fromStack(teamStack).findResources('AWS::CodeStarNotifications::NotificationRule')) as any[];
    expect(rule.Properties.Targets).toEqual([{ TargetType: 'SNS', TargetAddress: 'arn:aws:sns:eu-west-1:111111111111:ops' }]);
  });

  test('fails when the defaults\' notifications name no one, when DeliveryDefaults are applied', () => {
    expect(errorOf(() => DeliveryDefaults.applyTo(newApp(), { notifications: { events: [PipelineEvent.FAILED] } }))).toBe(
      "'(app)': DeliveryDefaults.notifications names no one to tell (neither topic nor slackChannel), got an object. Pass an SNS topic, an AWS Chatbot Slack channel, or both.");
    expect(errorOf(() => DeliveryDefaults.applyTo(newApp(), { notifications: { topic: 'ops' as any } }))).toMatch(
      /^'\(app\)': DeliveryDefaults\.notifications\.topic must be an sns\.ITopic, got 'ops'\./);
  });
});

describe('notification rule name', () => {
  /** The rule's Name of a pipeline `id` with notifications in a stack `stackName` of `stackEnv`. */
  function ruleName(stackName: string, stackEnv: { account?: string; region?: string } = { account: '111111111111', region: 'eu-west-1' }, id = 'Shop'): unknown {
    const stack = new Stack(newApp(), 'ShopPipeline', { stackName, env: stackEnv });
    pipelineIn(stack, { notifications: { topic: new sns.Topic(stack, 'Releases') } }, id);
    const [rule] = Object.values(Template.fromStack(stack).findResources('AWS::CodeStarNotifications::NotificationRule')) as any[];
    return rule.Properties.Name;
  }

  test('names the stack, the Region and the pipeline, so two apps with the same construct ids in one account get two rules (regression: the same name)', () => {
    expect(ruleName('orders-pipeline')).toBe('orders-pipeline-eu-west-1-Shop-3f9b0406');
    expect(ruleName('payments-pipeline')).toBe('payments-pipeline-eu-west-1-Shop-aeb5d2d0');
  });

  test('the same stack in two Regions of one account gets two names', () => {
    expect(ruleName('orders-pipeline', { account: '111111111111', region: 'us-east-1' })).toBe('orders-pipeline-us-east-1-Shop-ca69654e');
  });

  test('long stack names and construct ids are cut to 64 characters, and a hash of the whole values keeps them distinct', () => {
    const [a, b] = [ruleName(`${'a'.repeat(100)}-1`, undefined, 'B'.repeat(70)), ruleName(`${'a'.repeat(100)}-2`, undefined, 'B'.repeat(70))] as string[];
    expect(a).toBe('aaaaaaaaaaaaaaaaaaaaaa-eu-west-1-BBBBBBBBBBBBBBBBBBBBBB-606feb69');
    expect(b).toMatch(/^aaaaaaaaaaaaaaaaaaaaaa-eu-west-1-BBBBBBBBBBBBBBBBBBBBBB-[0-9a-f]{8}$/);
    expect(b).not.toBe(a);
    expect(a.length).toBe(64);
  });

  test('an environment-agnostic stack: CloudFormation joins in the Region it deploys to', () => {
    expect(ruleName('orders-pipeline', {})).toEqual({ 'Fn::Join': ['', ['orders-pipeline-', { Ref: 'AWS::Region' }, '-Shop-3c2049ab']] });
  });

  test('characters a rule name cannot hold are replaced, and a pipeline deeper in the stack is named by its path there', () => {
    const stack = new Stack(newApp(), 'ShopPipeline', { stackName: 'orders-pipeline', env: { account: '111111111111', region: 'eu-west-1' } });
    pipelineIn(stack, { notifications: { topic: new sns.Topic(stack, 'Releases') } });
    const team = new Construct(stack, 'Team.A');
    new DeliveryPipeline(team, 'Shop', props({ notifications: { topic: new sns.Topic(stack, 'Other') } }));
    const names = Object.values(Template.fromStack(stack).findResources('AWS::CodeStarNotifications::NotificationRule')).map((r: any) => r.Properties.Name);
    expect(names).toEqual(['orders-pipeline-eu-west-1-Shop-3f9b0406', expect.stringMatching(/^orders-pipeline-eu-west-1-Team-A-Shop-[0-9a-f]{8}$/)]);
    expect(names.every(n => /^[A-Za-z0-9_-]{1,64}$/.test(n))).toBe(true);
  });

  test('a nested stack, whose name is known when it deploys only, is named by its stack id', () => {
    const parent = new Stack(newApp(), 'ShopPipeline', { env: { account: '111111111111', region: 'eu-west-1' } });
    const nested = new NestedStack(parent, 'Delivery');
    pipelineIn(nested as any, { notifications: { topic: new sns.Topic(nested, 'Releases') } });
    const [rule] = Object.values(Template.fromStack(nested).findResources('AWS::CodeStarNotifications::NotificationRule')) as any[];
    expect(rule.Properties.Name).toEqual({
      'Fn::Join': ['', [expect.stringMatching(/^Shop-[0-9a-f]{8}-$/), { 'Fn::Select': [2, { 'Fn::Split': ['/', { Ref: 'AWS::StackId' }] }] }]],
    });
  });
});
