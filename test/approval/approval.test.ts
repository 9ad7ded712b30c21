import { Duration, Lazy, SecretValue, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Approval, DeliveryDefaults, PipelineSource } from '../../src';
import { approvalText, MAX_APPROVAL_TEXT_LENGTH } from '../../src/approval/approval';
import { action, actionsOf, CONNECTION_ARN, cfnTarget, env, errorOf, newApp, newStack, pipelineIn } from '../util';

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

describe('a secret in the approval\'s comment or reviewUrl', () => {
  const SECRET_PROBLEM = 'holds a secret (a Secrets Manager or SecureString dynamic reference), which CloudFormation would write into the '
    + "pipeline's definition in plain text: returned to anyone who may codepipeline:GetPipeline (grantRead, grantOperate, grantApprove, cdk-delivery status) and shown "
    + 'in the console (a SecureString reference fails the deployment)';

  test('fails when the comment holds a secret of the app: the pipeline\'s definition and the notification would carry its value', () => {
    const stack = newStack();
    const secret = new secretsmanager.Secret(stack, 'DeployToken');
    const id = stack.getLogicalId(secret.node.defaultChild as any);
    expect(errorOf(() => pipelineIn(stack, {
      environments: [env('prod', { production: true, approval: Approval.manual({ comment: `Token: ${secret.secretValue.unsafeUnwrap()}` }) })],
    }))).toBe(`'PipelineStack/Shop': environments[0] ('prod').approval.comment ${SECRET_PROBLEM}, got {{resolve:secretsmanager:<${id}>:SecretString:::}}. `
      + "Keep secrets out of the approval's text, which CodePipeline also sends in the approval's notification (customData): "
      + "put what the approver needs behind reviewUrl, on a page that asks for the approver's own credentials.");
  });

  test('fails when the reviewUrl holds a SecureString reference written in the URL', () => {
    expect(errorOf(() => pipelineIn(newStack(), {
      environments: [env('prod', { production: true, approval: Approval.manual({ reviewUrl: 'https://dash.example.com/?key={{resolve:ssm-secure:/ci/dash-key}}' }) })],
    }))).toBe(`'PipelineStack/Shop': environments[0] ('prod').approval.reviewUrl ${SECRET_PROBLEM}, got {{resolve:ssm-secure:/ci/dash-key}}. `
      + "Link a page that asks for the approver's own credentials instead of a URL that carries a secret, which CodePipeline also sends in the "
      + "approval's notification (externalEntityLink).");
  });

  test('fails when the reviewUrl is a SecretValue token (checked before the URL\'s shape)', () => {
    expect(errorOf(() => pipelineIn(newStack(), {
      environments: [env('staging', { approval: Approval.changeSetReview({ reviewUrl: SecretValue.secretsManager('review-link').unsafeUnwrap() }) })],
    }))).toMatch(/^'PipelineStack\/Shop': environments\[0\] \('staging'\)\.approval\.reviewUrl holds a secret .*, got \{\{resolve:secretsmanager:review-link:SecretString:::\}\}\. Link a page/);
  });

  test('a comment and a reviewUrl that name no secret reach the action, tokens included', () => {
    const stack = newStack();
    const topic = new sns.Topic(stack, 'Releases');
    pipelineIn(stack, {
      environments: [env('prod', {
        production: true,
        approval: Approval.manual({ notify: topic, comment: 'See the {{resolve:ssm:/shop/release-channel}} channel.', reviewUrl: `https://notes.example.com/${topic.topicName}` }),
      })],
    });
    const a = action(stack, 'prod', 'Approve');
    expect(a.Configuration.CustomData).toBe('Approve to promote commit #{SourceVariables.CommitId} of acme/shop@main to prod. See the {{resolve:ssm:/shop/release-channel}} channel.');
    expect(a.Configuration.ExternalEntityLink).toEqual({ 'Fn::Join': ['', ['https://notes.example.com/', { 'Fn::GetAtt': [expect.stringMatching(/^Releases/), 'TopicName'] }]] });
  });
});

describe('approvers', () => {
  test('a principal that holds no IAM policy is refused (regression: nothing was granted, silently)', () => {
    const stack = newStack();
    expect(errorOf(() => pipelineIn(stack, {
      environments: [env('prod', { production: true, approval: Approval.manual({ approvers: [new iam.ArnPrincipal('arn:aws:iam::111111111111:role/release')] }) })],
    }))).toBe("'PipelineStack/Shop': environments[0] ('prod').approval.approvers[0] is a principal that holds no IAM policy (a service, account or ARN principal), "
      + 'so the grant would allow nothing, got ArnPrincipal(arn:aws:iam::111111111111:role/release). '
      + "Pass roles or users, for example iam.Role.fromRoleArn(this, 'ReleaseManagers', 'arn:aws:iam::111111111111:role/release-managers').");
  });

  test('a role behind PrincipalWithConditions is taken: the role gets the grant (regression: refused as a principal that holds no policy)', () => {
    const stack = newStack();
    const role = new iam.Role(stack, 'Release', { assumedBy: new iam.AccountRootPrincipal() });
    const approver = new iam.PrincipalWithConditions(role, { Bool: { 'aws:MultiFactorAuthPresent': 'true' } });
    pipelineIn(stack, { environments: [env('prod', { production: true, approval: Approval.manual({ approvers: [approver] }) })] });
    const statements = Object.entries(Template.fromStack(stack).findResources('AWS::IAM::Policy'))
      .filter(([id]) => id.startsWith('ReleaseDefaultPolicy')).flatMap(([, p]: [string, any]) => p.Properties.PolicyDocument.Statement);
    expect(statements).toContainEqual(expect.objectContaining({ Action: 'codepipeline:PutApprovalResult', Effect: 'Allow' }));
  });
});

describe('an approval topic the pipeline\'s stack cannot refer to', () => {
  const fix = "Create the topic in the pipeline's stack (or another stack of its account and Region), or import it there by ARN with "
    + "sns.Topic.fromTopicArn(pipelineStack, 'Approvals', 'arn:aws:sns:...').";
  const setup = () => {
    const app = newApp();
    const other = new Stack(app, 'Other', { env: { account: '111111111111', region: 'us-east-1' } });
    return { app, topic: new sns.Topic(other, 'Topic') };
  };
  const where = "an SNS topic of stack 'Other' (aws://111111111111/us-east-1), which the pipeline's stack (aws://111111111111/eu-west-1) cannot refer to: "
    + "aws-cdk-lib refers to resources of other stacks of the same environment only, got 'Other/Topic'.";

  test('a topic of a stack in another Region is refused naming the field (regression: aws-cdk-lib\'s cross-environment resolution error)', () => {
    const { app, topic } = setup();
    const stack = new Stack(app, 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
    expect(errorOf(() => pipelineIn(stack, { environments: [env('prod', { production: true, approval: Approval.manual({ notify: topic }) })] }))).toBe(
      `'PipelineStack/Shop': environments[0] ('prod').approval.notify is ${where} ${fix}`);
  });

  test('the same for DeliveryDefaults.approvalNotify, named as such, saying how one default reaches every pipeline (regression: to create it in the pipeline\'s stack)', () => {
    const { app, topic } = setup();
    DeliveryDefaults.applyTo(app, { approvalNotify: topic });
    const stack = new Stack(app, 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
    expect(errorOf(() => pipelineIn(stack, { environments: [env('prod', { production: true })] }))).toBe(
      `'PipelineStack/Shop': DeliveryDefaults.approvalNotify is ${where} A default reaches the pipelines of other stacks and stages: import the topic `
      + "by ARN in the stack where you set the default (sns.Topic.fromTopicArn(platformStack, 'Approvals', 'arn:aws:sns:<pipeline Region>:...')), "
      + 'which any pipeline refers to by that ARN, or give the pipelines of another account or Region a default of their own '
      + '(DeliveryDefaults.applyTo(theirStageOrStack, { approvalNotify })).');
  });

  test('a topic imported by ARN in a stack of another Region is referred to by its ARN, and taken', () => {
    const app = newApp();
    const other = new Stack(app, 'Other', { env: { account: '111111111111', region: 'us-east-1' } });
    new sns.Topic(other, 'Own'); // aws-cdk-lib 2.27x refuses an empty stack
    const topic = sns.Topic.fromTopicArn(other, 'Topic', 'arn:aws:sns:eu-west-1:111111111111:approvals');
    const stack = new Stack(app, 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
    pipelineIn(stack, { environments: [env('prod', { production: true, approval: Approval.manual({ notify: topic }) })] });
    expect(action(stack, 'prod', 'Approve').Configuration.NotificationArn).toBe('arn:aws:sns:eu-west-1:111111111111:approvals');
  });
});

describe('the approval text fits CodePipeline\'s 500 characters', () => {
  const longSource = () => PipelineSource.gitHub({
    repository: `${'a'.repeat(39)}/${'b'.repeat(100)}`, branch: `release/${'c'.repeat(150)}`, connectionArn: CONNECTION_ARN,
  });

  test('long repository, branch and environment names are cut, ending in ..., so that the longest comment still fits', () => {
    const stack = newStack();
    const envName = 'e'.repeat(100);
    const comment = 'x'.repeat(300);
    const approval = Approval.manual({ comment });
    pipelineIn(stack, { source: longSource(), environments: [{ name: envName, deployments: [cfnTarget()], approval }] });
    const text: string = action(stack, envName, 'Approve').Configuration.CustomData;
    expect(text).toHaveLength(500);
    expect(text).toBe(`Approve to promote commit #{SourceVariables.CommitId} of ${'a'.repeat(34)}... to ${envName}. ${comment}`);
  });

  test('a change-set review\'s text is cut the same way; with a shorter comment more of the names are kept', () => {
    const stack = newStack();
    const comment = 'x'.repeat(200);
    pipelineIn(stack, {
      source: longSource(),
      environments: [{ name: 'prod', deployments: [cfnTarget()], approval: Approval.changeSetReview({ comment }) }],
    });
    const text: string = action(stack, 'prod', 'ReviewChangeSet').Configuration.CustomData;
    expect(text).toHaveLength(500);
    expect(text).toMatch(/^Review the change sets of prod for commit #\{SourceVariables.CommitId\} of a{39}\/b{100}@release\/c+\.\.\.\. x{200}$/);
  });

  test('an ECR source\'s image and tag are cut the same way, keeping the closing parenthesis', () => {
    const stack = newStack();
    const repository = ecr.Repository.fromRepositoryName(stack, 'Images', 'r'.repeat(200));
    pipelineIn(stack, {
      source: PipelineSource.ecr({ repository, tag: 't'.repeat(128) }),
      environments: [env('prod', { approval: Approval.manual({ comment: 'x'.repeat(300) }) })],
    });
    const text: string = action(stack, 'prod', 'Approve').Configuration.CustomData;
    expect(text).toHaveLength(500);
    expect(text).toMatch(/^Approve to promote image #\{SourceVariables.ImageDigest\} \(r+\.\.\.\) to prod\. x{300}$/);
  });

  test('a text that fits is left alone', () => {
    const stack = newStack();
    pipelineIn(stack, { environments: [env('prod', { approval: Approval.manual({ comment: 'x'.repeat(300) }) })] });
    expect(action(stack, 'prod', 'Approve').Configuration.CustomData)
      .toBe(`Approve to promote commit #{SourceVariables.CommitId} of acme/shop@main to prod. ${'x'.repeat(300)}`);
  });

  test('approvalText: measured with the variable as rendered; a token in the names is not measured; too little to cut is reported', () => {
    const parts = { before: 'commit ', variable: '#{NS.CommitId}', renderedVariable: '#{SourceVariables.CommitId}', names: ' of acme/shop@main', after: '' };
    const revision = { description: 'unused', parts };
    expect(approvalText(r => `Approve ${r}.`, revision, 'ok')).toEqual({ text: 'Approve commit #{NS.CommitId} of acme/shop@main. ok', length: 64 });
    const token = approvalText(r => `Approve ${r}.`, { ...revision, parts: { ...parts, names: ` of ${Lazy.string({ produce: () => 'x' })}` } }, 'x'.repeat(490));
    expect(token.length).toBeUndefined();
    const tooLong = approvalText(r => `Approve ${r}.`, revision, 'x'.repeat(480));
    expect(tooLong).toEqual({ text: `Approve commit #{NS.CommitId} of acme/shop@main. ${'x'.repeat(480)}`, length: 542 });
    expect(MAX_APPROVAL_TEXT_LENGTH).toBe(500);
  });
});

describe('the approvals\' role', () => {
  test('every approval runs as one role that only the pipeline\'s role may assume, allowed to publish to its topics only', () => {
    const stack = newStack();
    const topic = new sns.Topic(stack, 'Releases');
    pipelineIn(stack, {
      environments: [
        env('staging', { approval: Approval.manual() }),
        env('perf', { approval: Approval.manual({ notify: topic }) }),
        env('prod', { production: true, approval: Approval.manual({ notify: topic }) }),
      ],
    });
    const roleArns = ['staging', 'perf', 'prod'].map(e => action(stack, e, 'Approve').RoleArn);
    expect(roleArns).toEqual([roleArns[0], roleArns[0], roleArns[0]]);
    expect(roleArns[0]).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^ShopApprovalRole/), 'Arn'] });
    const template = Template.fromStack(stack);
    const roles = template.findResources('AWS::IAM::Role');
    const approvalRoleId = roleArns[0]['Fn::GetAtt'][0];
    expect(roles[approvalRoleId].Properties.AssumeRolePolicyDocument.Statement).toEqual([{
      Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { AWS: { 'Fn::GetAtt': [expect.stringMatching(/^ShopPipelineRole/), 'Arn'] } },
    }]);
    // no role per approval action
    expect(Object.keys(roles).filter(id => /Approve.*CodePipelineActionRole/.test(id))).toEqual([]);
    const policies = Object.values(template.findResources('AWS::IAM::Policy')) as any[];
    const approvalPolicy = policies.find(p => p.Properties.Roles.some((r: any) => r.Ref === approvalRoleId));
    expect(approvalPolicy.Properties.PolicyDocument.Statement).toEqual([
      { Action: 'sns:Publish', Effect: 'Allow', Resource: { Ref: expect.stringMatching(/^Releases/) } },
    ]);
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

describe('DeliveryDefaults.approvalNotify and an approval\'s own notification', () => {
  /** The topic and subscription logical ids, and the NotificationArn of each approval action of the stack's pipeline. */
  function notifications(stack: Stack) {
    const template = Template.fromStack(stack);
    const topics = Object.keys(template.findResources('AWS::SNS::Topic'));
    const subscriptions = (Object.values(template.findResources('AWS::SNS::Subscription')) as any[])
      .map(sub => [sub.Properties.Endpoint, sub.Properties.TopicArn]);
    const arns = (Object.values(template.findResources('AWS::CodePipeline::Pipeline'))[0] as any).Properties.Stages
      .flatMap((st: any) => st.Actions.filter((a: any) => a.ActionTypeId.Category === 'Approval').map((a: any) => [a.Name, a.Configuration.NotificationArn]));
    return { topics, subscriptions, arns };
  }

  function withDefaultTopic() {
    const app = newApp();
    const stack = new Stack(app, 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
    const shared = new sns.Topic(stack, 'SharedApprovals');
    DeliveryDefaults.applyTo(app, { approvalNotify: shared });
    return { stack, sharedId: stack.getLogicalId(shared.node.defaultChild as sns.CfnTopic) };
  }

  test('an approval with its own notifyEmails tells them through its environment\'s topic, not the default topic', () => {
    const { stack, sharedId } = withDefaultTopic();
    pipelineIn(stack, { environments: [env('prod', { production: true, approval: Approval.manual({ notifyEmails: ['rel@example.com'] }) })] });
    const { topics, subscriptions, arns } = notifications(stack);
    const own = topics.find(id => id !== sharedId)!;
    expect(own).toMatch(/^ShopEnvironmentsprodApprovalTopic/);
    expect(topics).toHaveLength(2);
    expect(subscriptions).toEqual([['rel@example.com', { Ref: own }]]);
    expect(arns).toEqual([['Approve', { Ref: own }]]);
  });

  test('a change-set review with its own notifyEmails does the same', () => {
    const { stack, sharedId } = withDefaultTopic();
    pipelineIn(stack, {
      environments: [{ name: 'prod', production: true, approval: Approval.changeSetReview({ notifyEmails: ['rel@example.com'] }), deployments: [cfnTarget('shop-prod')] }],
    });
    const { topics, subscriptions, arns } = notifications(stack);
    const own = topics.find(id => id !== sharedId)!;
    expect(own).toMatch(/^ShopEnvironmentsprodApprovalTopic/);
    expect(subscriptions).toEqual([['rel@example.com', { Ref: own }]]);
    expect(arns).toEqual([['ReviewChangeSet', { Ref: own }]]);
  });

  test('an approval with its own notify topic uses it', () => {
    const { stack } = withDefaultTopic();
    const own = new sns.Topic(stack, 'ProdReleases');
    pipelineIn(stack, { environments: [env('prod', { production: true, approval: Approval.manual({ notify: own }) })] });
    expect(notifications(stack).arns).toEqual([['Approve', { Ref: stack.getLogicalId(own.node.defaultChild as sns.CfnTopic) }]]);
  });

  test('an approval that names neither a topic nor emails (or no emails) uses the default topic, and no topic is created for it', () => {
    const { stack, sharedId } = withDefaultTopic();
    pipelineIn(stack, {
      environments: [
        env('staging', { approval: Approval.manual() }),
        env('prod', { production: true, approval: Approval.manual({ notifyEmails: [] }) }),
      ],
    });
    const { topics, subscriptions, arns } = notifications(stack);
    expect(topics).toEqual([sharedId]);
    expect(subscriptions).toEqual([]);
    expect(arns).toEqual([['Approve', { Ref: sharedId }], ['Approve', { Ref: sharedId }]]);
  });
});

describe('an approval topic or key of another account', () => {
  const prod = (approval: Approval) => [env('staging'), env('prod', { production: true, approval })];
  const warnings = (stack: Stack) => Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('otherAccountApprovalTopic')).map(w => w.entry.data);
  const approvalRole = (stack: Stack) => Object.values(Template.fromStack(stack).findResources('AWS::IAM::Role'))
    .find((r: any) => r.Properties.Description === 'Runs the manual approvals of PipelineStack/Shop') as any;

  test('an imported topic of another account: the approvals\' role gets a name, and a warning names it and the statement the topic\'s owner must add', () => {
    const stack = newStack();
    pipelineIn(stack, { environments: prod(Approval.manual({ notify: sns.Topic.fromTopicArn(stack, 'Approvals', 'arn:aws:sns:eu-west-1:222222222222:approvals') })) });
    const roleName = approvalRole(stack).Properties.RoleName;
    expect(roleName).toMatch(/^PipelineStack-eu-west-1-Shop-ApprovalRole-[0-9a-f]{8}$/);
    expect(warnings(stack)).toEqual([
      'environments[1] (\'prod\').approval.notify is topic arn:aws:sns:eu-west-1:222222222222:approvals of account 222222222222, not the pipeline\'s (111111111111): '
      + `the approvals' role arn:aws:iam::111111111111:role/${roleName} publishes to it, which only the topic's owner can allow. Add this statement to the topic policy: `
      + `{ "Effect": "Allow", "Principal": { "AWS": "arn:aws:iam::111111111111:role/${roleName}" }, "Action": "sns:Publish", "Resource": "arn:aws:sns:eu-west-1:222222222222:approvals" }. `
      + 'If the topic is encrypted, its key policy must also allow the role kms:Decrypt and kms:GenerateDataKey*, and the role\'s own policy must name the key: '
      + "import the topic with sns.Topic.fromTopicAttributes(this, 'Approvals', { topicArn, keyArn }) so that the pipeline grants it. "
      + 'Otherwise the approvers are never told. [ack: delivery-pipeline:otherAccountApprovalTopic]',
    ]);
  });

  test('the same for DeliveryDefaults.approvalNotify, with the key the topic was imported with', () => {
    const app = newApp();
    const stack = new Stack(app, 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
    const keyArn = 'arn:aws:kms:eu-west-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    DeliveryDefaults.applyTo(app, { approvalNotify: sns.Topic.fromTopicAttributes(stack, 'Approvals', { topicArn: 'arn:aws:sns:eu-west-1:222222222222:approvals', keyArn }) });
    pipelineIn(stack, { environments: [env('staging'), env('prod', { production: true })] });
    const roleName = approvalRole(stack).Properties.RoleName;
    const role = `arn:aws:iam::111111111111:role/${roleName}`;
    expect(warnings(stack)).toEqual([
      'DeliveryDefaults.approvalNotify is topic arn:aws:sns:eu-west-1:222222222222:approvals of account 222222222222, not the pipeline\'s (111111111111): '
      + `the approvals' role ${role} publishes to it, which only the topic's owner can allow. Add this statement to the topic policy: `
      + `{ "Effect": "Allow", "Principal": { "AWS": "${role}" }, "Action": "sns:Publish", "Resource": "arn:aws:sns:eu-west-1:222222222222:approvals" }, `
      + `and this statement to the policy of its key ${keyArn}: { "Effect": "Allow", "Principal": { "AWS": "${role}" }, "Action": ["kms:Decrypt", "kms:GenerateDataKey*"], `
      + '"Resource": "*" }. Otherwise the approvers are never told. [ack: delivery-pipeline:otherAccountApprovalTopic]',
    ]);
  });

  test('a topic of the app encrypted with an imported key of another account: the warning names the key policy statement', () => {
    const stack = newStack();
    const keyArn = 'arn:aws:kms:eu-west-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    pipelineIn(stack, { environments: prod(Approval.manual({ notify: new sns.Topic(stack, 'Approvals', { masterKey: kms.Key.fromKeyArn(stack, 'Key', keyArn) }) })) });
    const role = `arn:aws:iam::111111111111:role/${approvalRole(stack).Properties.RoleName}`;
    expect(warnings(stack)).toEqual([
      `environments[1] ('prod').approval.notify is encrypted with key ${keyArn} of account 222222222222, not the pipeline's (111111111111): `
      + `the approvals' role ${role} publishes to the topic, which only the key's owner can allow. Add this statement to the key policy: `
      + `{ "Effect": "Allow", "Principal": { "AWS": "${role}" }, "Action": ["kms:Decrypt", "kms:GenerateDataKey*"], "Resource": "*" }. `
      + 'Otherwise the approvers are never told. [ack: delivery-pipeline:otherAccountApprovalTopic]',
    ]);
  });

  test.each([
    ['the approval\'s notify', false],
    ['DeliveryDefaults.approvalNotify, a topic of a platform stack', true],
  ])('a topic encrypted with a key of a stack of another account of the app (%s): the key policy names the named role (regression: aws-cdk-lib\'s cross-environment error)',
    (_case, viaDefaults) => {
      const app = newApp();
      const keys = new Stack(app, 'Keys', { env: { account: '222222222222', region: 'eu-west-1' } });
      const stack = new Stack(app, 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
      const topicStack = viaDefaults ? new Stack(app, 'Platform', { env: { account: '111111111111', region: 'eu-west-1' } }) : stack;
      const notify = new sns.Topic(topicStack, 'Approvals', { masterKey: new kms.Key(keys, 'Key') });
      if (viaDefaults) DeliveryDefaults.applyTo(app, { approvalNotify: notify });
      pipelineIn(stack, { environments: prod(viaDefaults ? Approval.manual() : Approval.manual({ notify })) });
      app.synth();
      const roleName = approvalRole(stack).Properties.RoleName;
      expect(roleName).toMatch(/^PipelineStack-eu-west-1-Shop-ApprovalRole-[0-9a-f]{8}$/);
      const [key] = Object.values(Template.fromStack(keys).findResources('AWS::KMS::Key')) as any[];
      expect(key.Properties.KeyPolicy.Statement).toContainEqual({
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        Effect: 'Allow',
        Resource: '*',
        Principal: { AWS: `arn:aws:iam::111111111111:role/${roleName}` },
      });
      expect(warnings(stack)).toEqual([]);
    });

  test('a topic and key of the pipeline\'s account keep an unnamed role and no warning', () => {
    const aliased = newStack();
    const masterKey = kms.Alias.fromAliasName(aliased, 'SnsKey', 'alias/aws/sns');
    pipelineIn(aliased, { environments: prod(Approval.manual({ notify: new sns.Topic(aliased, 'Approvals', { masterKey }) })) });
    expect(approvalRole(aliased).Properties.RoleName).toBeUndefined();
    expect(warnings(aliased)).toEqual([]);
    const stack = newStack();
    pipelineIn(stack, { environments: prod(Approval.manual({ notify: sns.Topic.fromTopicArn(stack, 'Approvals', 'arn:aws:sns:eu-west-1:111111111111:approvals') })) });
    expect(approvalRole(stack).Properties.RoleName).toBeUndefined();
    expect(warnings(stack)).toEqual([]);
  });
});
