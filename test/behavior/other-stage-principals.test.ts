import { Aws, CfnParameter, CfnResource, Duration, Stack, Stage } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Approval, DeliveryPipeline, DeploymentTarget, Verification } from '../../src';
import { env, errorOf, flat, newApp, props } from '../util';

const A = '111111111111';
const B = '222222222222';
const C = '333333333333';

/** A pipeline stack of account A, and a stack of a CDK stage of `stageAccount` (a stage the app deploys on its own). */
function world(stageAccount = A) {
  const app = newApp();
  const stack = new Stack(app, 'PipelineStack', { env: { account: A, region: 'eu-west-1' } });
  const service = new Stack(new Stage(app, 'Prod', { env: { account: stageAccount, region: 'eu-west-1' } }), 'Service');
  // a resource, as newer aws-cdk-lib versions refuse an empty stack
  new CfnResource(service, 'Marker', { type: 'AWS::CloudFormation::WaitConditionHandle' });
  return { app, stack, service };
}

const withApprovers = (approvers: iam.IGrantable[]) => props({
  environments: [env('prod', { production: true, approval: Approval.manual({ approvers }) })],
});

/** The statements of the IAM policies of `stack` attached to the role named `roleName`, flattened. */
function statementsFor(stack: Stack, roleName: string): any[] {
  return Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy'))
    .filter((p: any) => (p.Properties.Roles ?? []).includes(roleName))
    .flatMap((p: any) => flat(p.Properties.PolicyDocument.Statement));
}

describe('a grantee of another CDK stage than the pipeline\'s', () => {
  const grantFix = (arn: string) => `Grant the role imported by its ARN, in any stack: iam.Role.fromRoleArn(this, 'Grantee', '${arn}'); `
    + "the pipeline then grants it in its own stack (the role must exist when the pipeline's stack is deployed).";
  const problem = (path: string) => `is a principal of stack '${path}', in CDK stage 'Prod', not the pipeline's: the grant would add statements naming `
    + "the pipeline to its IAM policy in that stack, which cannot refer to the pipeline's stack across the stage boundary (and a stage the pipeline deploys "
    + 'is synthesized before the grant, so they would be missing from its templates)';

  test('a role defined there is refused as an approver, naming the field (regression: aws-cdk-lib\'s "dependency cannot cross stage boundaries")', () => {
    const { stack, service } = world();
    const role = new iam.Role(service, 'ReleaseManagers', { assumedBy: new iam.AccountRootPrincipal(), roleName: 'release-managers' });
    expect(errorOf(() => new DeliveryPipeline(stack, 'Shop', withApprovers([role])))).toBe(
      `'PipelineStack/Shop': environments[0] ('prod').approval.approvers[0] ${problem('Prod/Service')}, got 'Prod/Service/ReleaseManagers'. `
      + `Pass the role imported by its ARN, in any stack: iam.Role.fromRoleArn(this, 'Approvers', 'arn:aws:iam::${A}:role/release-managers'); `
      + "the pipeline then grants it in its own stack (the role must exist when the pipeline's stack is deployed).");
  });

  test('grantApprove, grantOperate, grantRead and grantArtifactsRead refuse it the same way', () => {
    const { stack, service } = world();
    const pipeline = new DeliveryPipeline(stack, 'Shop', withApprovers([]));
    const role = new iam.Role(service, 'Operators', { assumedBy: new iam.AccountRootPrincipal() });
    expect(errorOf(() => pipeline.grantApprove(role))).toBe(`'PipelineStack/Shop': grantApprove: grantee ${problem('Prod/Service')}, `
      + `got Prod/Service/Operators. ${grantFix(`arn:aws:iam::${A}:role/<role name>`)}`);
    for (const grant of [() => pipeline.grantOperate(role), () => pipeline.grantRead(role), () => pipeline.grantArtifactsRead(role)]) {
      expect(errorOf(grant)).toMatch(new RegExp('^\'PipelineStack/Shop\': grant(Operate|Read|ArtifactsRead): grantee is a principal of stack \'Prod/Service\', in CDK stage \'Prod\''));
    }
    // so is a user defined there
    const user = new iam.User(service, 'Auditor');
    expect(errorOf(() => pipeline.grantRead(user))).toContain("grantRead: grantee is a principal of stack 'Prod/Service', in CDK stage 'Prod', not the pipeline's");
  });

  test('a role imported there by an ARN that is a token is refused; one with pseudo parameters only is taken', () => {
    const { app, stack, service } = world();
    const role = iam.Role.fromRoleArn(service, 'ReleaseManagers', new CfnParameter(service, 'ReleaseManagersArn').valueAsString);
    expect(errorOf(() => new DeliveryPipeline(stack, 'Shop', withApprovers([role])))).toBe(
      "'PipelineStack/Shop': environments[0] ('prod').approval.approvers[0] is a principal imported into stack 'Prod/Service', in CDK stage 'Prod', "
      + "not the pipeline's, by an ARN that is a token (a value of that stack, such as a parameter or another resource's attribute, which the pipeline's stack "
      + "cannot refer to across the stage boundary), got 'Prod/Service/ReleaseManagers'. "
      + `Pass the role imported by its ARN, in any stack: iam.Role.fromRoleArn(this, 'Approvers', 'arn:aws:iam::${A}:role/<role name>'); `
      + "the pipeline then grants it in its own stack (the role must exist when the pipeline's stack is deployed).");
    // an ARN with pseudo parameters only is one the pipeline's stack writes itself: taken
    const partitioned = iam.Role.fromRoleArn(service, 'Partitioned', `arn:${Aws.PARTITION}:iam::${A}:role/release-managers`);
    new DeliveryPipeline(stack, 'Other', withApprovers([partitioned]));
    expect(() => app.synth()).not.toThrow();
  });

  test('a role of the pipeline\'s account imported into a stack of another account is granted in the pipeline\'s stack '
    + '(regression: aws-cdk-lib made it immutable there, and the approvers and the fleet were granted nothing, silently)', () => {
    const { app, stack, service } = world(C);
    const managers = iam.Role.fromRoleArn(service, 'ReleaseManagers', `arn:aws:iam::${A}:role/release-managers`);
    const fleet = iam.Role.fromRoleArn(service, 'Fleet', `arn:aws:iam::${A}:role/fleet`);
    const pipeline = new DeliveryPipeline(stack, 'Shop', withApprovers([managers]));
    pipeline.grantArtifactsRead(fleet);
    app.synth();
    expect(statementsFor(stack, 'release-managers')).toEqual([
      { Action: 'codepipeline:PutApprovalResult', Effect: 'Allow', Resource: `arn:aws:codepipeline:eu-west-1:${A}:<ShopPipelineA6CBAD3A>/prod/Approve` },
      {
        Action: ['codepipeline:GetPipeline', 'codepipeline:GetPipelineExecution', 'codepipeline:GetPipelineState', 'codepipeline:ListActionExecutions',
          'codepipeline:ListRuleExecutions'],
        Effect: 'Allow',
        Resource: `arn:aws:codepipeline:eu-west-1:${A}:<ShopPipelineA6CBAD3A>`,
      },
    ]);
    expect(statementsFor(stack, 'fleet')).toEqual([
      {
        Action: ['s3:GetBucket*', 's3:GetObject*', 's3:List*'],
        Effect: 'Allow',
        Resource: ['<ShopPipelineArtifactsBucket58010C1C.Arn>', '<ShopPipelineArtifactsBucket58010C1C.Arn>/*'],
      },
    ]);
    expect(Template.fromStack(service).findResources('AWS::IAM::Policy')).toEqual({});
  });

  test('a role imported into a stack of its own account (mutable there) is granted in the pipeline\'s stack too '
    + '(regression: aws-cdk-lib\'s cross-stage error from a policy added to the stage\'s stack)', () => {
    const { app, stack, service } = world();
    const managers = iam.Role.fromRoleArn(service, 'ReleaseManagers', `arn:aws:iam::${A}:role/release-managers`);
    const pipeline = new DeliveryPipeline(stack, 'Shop', withApprovers([]));
    pipeline.grantApprove(managers);
    pipeline.grantOperate(managers);
    expect(() => app.synth()).not.toThrow();
    expect(statementsFor(stack, 'release-managers').map(st => st.Action).flat()).toEqual(expect.arrayContaining([
      'codepipeline:PutApprovalResult', 'codepipeline:StartPipelineExecution', 'codepipeline:RollbackStage',
    ]));
    expect(Template.fromStack(service).findResources('AWS::IAM::Policy')).toEqual({});
    // imported with { mutable: false }, it is left as given: nothing is added to its policies, as asked
    const other = world();
    const readOnly = iam.Role.fromRoleArn(other.service, 'ReleaseManagers', `arn:aws:iam::${A}:role/release-managers`, { mutable: false });
    new DeliveryPipeline(other.stack, 'Shop', withApprovers([readOnly]));
    other.app.synth();
    expect(statementsFor(other.stack, 'release-managers')).toEqual([]);
  });
});

describe('an action role of another CDK stage than the pipeline\'s', () => {
  const fleetOf = (stack: Stack) => codedeploy.ServerDeploymentGroup.fromServerDeploymentGroupAttributes(stack, 'Fleet', {
    application: codedeploy.ServerApplication.fromServerApplicationArn(stack, 'App', `arn:aws:codedeploy:eu-west-1:${B}:application:shop`),
    deploymentGroupName: 'shop-fleet',
    deploymentConfig: codedeploy.ServerDeploymentConfig.ALL_AT_ONCE,
  });
  const roleFix = (id: string, arn: string) => `Import it by its ARN instead, in any stack: iam.Role.fromRoleArn(this, '${id}', '${arn}'), `
    + 'with the roleName the stage gives it (a role imported by an ARN that is a string may come from any stack).';

  test('a role defined there is refused naming the field (regression: aws-cdk-lib\'s "dependency cannot cross stage boundaries")', () => {
    const { stack, service } = world(B);
    const role = new iam.Role(service, 'Deployer', { assumedBy: new iam.AccountPrincipal(A), roleName: 'shop-deploy' });
    expect(errorOf(() => new DeliveryPipeline(stack, 'Shop', props({
      environments: [{ name: 'prod', account: B, production: true, deployments: [DeploymentTarget.codeDeployServer(fleetOf(stack), { role })] }],
    })))).toBe("'PipelineStack/Shop': environments[0] ('prod').deployments[0].role is an IAM role of stack 'Prod/Service', in CDK stage 'Prod', "
      + "not the pipeline's, which the pipeline's stack cannot refer to across the stage boundary, got 'Prod/Service/Deployer'. "
      + roleFix('DeployRole', `arn:aws:iam::${B}:role/shop-deploy`));
  });

  test('a CloudFormation deployRole and an alarm-reading role defined there are refused the same way', () => {
    const { stack, service } = world(B);
    const role = new iam.Role(service, 'Deployer', { assumedBy: new iam.AccountPrincipal(A) });
    expect(errorOf(() => new DeliveryPipeline(stack, 'Shop', props({
      environments: [{ name: 'prod', account: B, production: true, deployments: [DeploymentTarget.cloudFormation({ stackName: 'shop', templatePath: 'shop.json', deployRole: role })] }],
    })))).toBe("'PipelineStack/Shop': environments[0] ('prod').deployments[0].deployRole is an IAM role of stack 'Prod/Service', in CDK stage 'Prod', "
      + "not the pipeline's, which the pipeline's stack cannot refer to across the stage boundary, got 'Prod/Service/Deployer'. "
      + roleFix('DeployRole', `arn:aws:iam::${B}:role/<role name>`));
    const alarm = cloudwatch.Alarm.fromAlarmArn(stack, 'Errors', `arn:aws:cloudwatch:eu-west-1:${B}:alarm:shop-errors`);
    expect(errorOf(() => new DeliveryPipeline(stack, 'Watched', props({
      environments: [env('prod', { production: true, verification: [Verification.alarms([alarm], { bakeTime: Duration.minutes(10), role })] })],
    })))).toBe("'PipelineStack/Watched': environments[0] ('prod').verification[0].role is an IAM role of stack 'Prod/Service', in CDK stage 'Prod', "
      + "not the pipeline's, which the pipeline's stack cannot refer to across the stage boundary, got 'Prod/Service/Deployer'. "
      + roleFix('AlarmReader', `arn:aws:iam::${B}:role/<role name>`));
  });

  test('a role imported there by a plain ARN works across accounts: the action runs as that ARN, and nothing is added to the stage\'s stack '
    + '(regression: "Synthesis has been called multiple times", from a policy aws-cdk-lib added there)', () => {
    const { app, stack, service } = world(B);
    // imported into a stack of its own account: mutable there
    const role = iam.Role.fromRoleArn(service, 'Deployer', `arn:aws:iam::${B}:role/shop-deploy`);
    new DeliveryPipeline(stack, 'Shop', props({
      environments: [{ name: 'prod', account: B, production: true, deployments: [DeploymentTarget.codeDeployServer(fleetOf(stack), { role })] }],
    }));
    expect(() => app.synth()).not.toThrow();
    const pipeline = Object.values(Template.fromStack(stack).findResources('AWS::CodePipeline::Pipeline'))[0] as any;
    const deploy = pipeline.Properties.Stages.find((s: any) => s.Name === 'prod').Actions.find((a: any) => a.Name === 'shop-fleet');
    expect(deploy.RoleArn).toBe(`arn:aws:iam::${B}:role/shop-deploy`);
    // the artifacts are read through the bucket policy, as for a role imported into the pipeline's stack
    const [bucketPolicy] = Object.values(Template.fromStack(stack).findResources('AWS::S3::BucketPolicy')) as any[];
    expect(flat(bucketPolicy.Properties.PolicyDocument.Statement)).toContainEqual(expect.objectContaining({
      Principal: { AWS: `arn:aws:iam::${B}:role/shop-deploy` }, Action: ['s3:GetBucket*', 's3:GetObject*', 's3:List*'],
    }));
    expect(Template.fromStack(service).findResources('AWS::IAM::Policy')).toEqual({});
  });
});

describe('an approver or grantee wrapped in a principal adapter', () => {
  test('a role of another stage inside PrincipalWithConditions or SessionTagsPrincipal is refused like the role itself '
    + '(regression: the adapter was not checked, and aws-cdk-lib failed with its cross-stage error)', () => {
    const { stack, service } = world();
    const role = new iam.Role(service, 'ReleaseManagers', { assumedBy: new iam.AccountRootPrincipal(), roleName: 'release-managers' });
    const wrapped = new iam.PrincipalWithConditions(role, { Bool: { 'aws:MultiFactorAuthPresent': 'true' } });
    expect(errorOf(() => new DeliveryPipeline(stack, 'Shop', withApprovers([wrapped])))).toBe(
      "'PipelineStack/Shop': environments[0] ('prod').approval.approvers[0] is a principal of stack 'Prod/Service', in CDK stage 'Prod', not the pipeline's: "
      + 'the grant would add statements naming the pipeline to its IAM policy in that stack, which cannot refer to the pipeline\'s stack across the stage boundary '
      + "(and a stage the pipeline deploys is synthesized before the grant, so they would be missing from its templates), got 'Prod/Service/ReleaseManagers'. "
      + `Pass the role imported by its ARN, in any stack: iam.Role.fromRoleArn(this, 'Approvers', 'arn:aws:iam::${A}:role/release-managers'); `
      + "the pipeline then grants it in its own stack (the role must exist when the pipeline's stack is deployed).");
    const pipeline = new DeliveryPipeline(stack, 'Other', withApprovers([]));
    expect(errorOf(() => pipeline.grantOperate(new iam.SessionTagsPrincipal(role))))
      .toMatch(/^'PipelineStack\/Other': grantOperate: grantee is a principal of stack 'Prod\/Service', in CDK stage 'Prod', not the pipeline's/);
  });

  test('a role imported there by a plain ARN is granted in the pipeline\'s stack, as the role itself is '
    + '(aws-cdk-lib applies an adapter\'s conditions to trust policies only)', () => {
    const { app, stack, service } = world(C);
    const managers = iam.Role.fromRoleArn(service, 'ReleaseManagers', `arn:aws:iam::${A}:role/release-managers`);
    const mfa = { Bool: { 'aws:MultiFactorAuthPresent': 'true' } };
    const pipeline = new DeliveryPipeline(stack, 'Shop', withApprovers([new iam.PrincipalWithConditions(managers, mfa)]));
    pipeline.grantOperate(new iam.SessionTagsPrincipal(new iam.PrincipalWithConditions(managers, mfa)));
    app.synth();
    const actions = statementsFor(stack, 'release-managers').flatMap(st => [st.Action].flat());
    expect(actions).toEqual(expect.arrayContaining(['codepipeline:PutApprovalResult', 'codepipeline:StartPipelineExecution']));
    expect(Template.fromStack(service).findResources('AWS::IAM::Policy')).toEqual({});
  });
});
